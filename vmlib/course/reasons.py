"""Chapter 02: the eight reasons to virtualize, each with a small model you can run.

:data:`REASONS` lists them with the chapters that come back to each. The demos:

- *consolidation* and *balancing resources*: :mod:`vmlib.course.consolidation`;
- *multiple execution environments* and *virtual hardware*: disks from
  :mod:`vmlib.course.layers` (:func:`environments_demo`, :func:`virtual_hardware_demo`);
- *debugging*, *software migration* and *testing*: :class:`ToyVM`, a deliberately tiny machine
  whose whole state is a few numbers -- which is exactly what makes a virtual machine easy to
  watch, save, copy and restore (:func:`find_first_write`, :meth:`ToyVM.save`,
  :meth:`ToyVM.load`, :meth:`ToyVM.snapshot`);
- *live migration*: :func:`precopy`, the pre-copy algorithm's rounds for a given memory size,
  link bandwidth and dirty rate.

The real machine (chapter 03) and the hypervisor (chapters 08-15) do all of these for real; these
models are small enough to read in one sitting.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from .chapters import CHAPTERS
from .exercises import Classify, Exercise
from .layers import Disk, FileSystem, VirtualDisk

__all__ = ["Reason", "REASONS", "reasons_table", "ToyVM", "assemble", "SQUARES",
           "find_first_write", "watch", "environments_demo", "virtual_hardware_demo", "precopy",
           "PrecopyResult", "precopy_table", "PrecopyRounds", "SITUATIONS", "NameTheReason"]


@dataclass(frozen=True)
class Reason:
    key: str
    title: str
    idea: str
    revisit: tuple  #: chapters that come back to it


REASONS = [
    Reason("consolidation", "Server consolidation",
           "many lightly used servers become VMs on a few well-used hosts", (14, 15)),
    Reason("environments", "Multiple execution environments",
           "different operating systems (even ISAs) side by side on one machine", (5, 7, 8)),
    Reason("hardware", "Virtual hardware",
           "devices, disks, CPUs and memory that the host does not physically have", (11, 12)),
    Reason("debugging", "Debugging",
           "watch, stop, step and replay a whole machine from outside it", (3, 14)),
    Reason("mobility", "Software migration (mobility)",
           "a VM or a process is data: save it, copy it, resume it elsewhere", (7, 14)),
    Reason("testing", "Testing and quality assurance",
           "snapshot a known state, break it, restore it in a moment", (14,)),
    Reason("live", "Live migration",
           "move a running VM to another host with a pause too short to notice", (14,)),
    Reason("balancing", "Balancing resources",
           "move load between hosts as demand changes; share one host fairly", (14, 15)),
]


def reasons_table() -> str:
    """The eight reasons, one line each, with the chapters that revisit them."""
    lines = []
    for k, r in enumerate(REASONS, 1):
        later = ", ".join(f"{c:02d}{'' if CHAPTERS[c].ready else '*'}" for c in r.revisit)
        lines.append(f"{k}. {r.title:<33} revisited in chapter(s) {later}")
        lines.append(f"   {r.idea}")
    lines.append("(* = chapter coming)")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# a toy machine: its entire state is a few numbers
# --------------------------------------------------------------------------------------------
_OPS = {"li": 2, "addi": 3, "add": 3, "mul": 3, "st": 2, "ld": 2, "bne": 3, "out": 1, "halt": 0}


def assemble(text: str) -> list[tuple]:
    """Assemble toy source: one instruction per line, ``label:`` lines, ``#`` comments.

    Registers ``r0``-``r3``; ``li rd, imm``; ``addi rd, rs, imm``; ``add/mul rd, ra, rb``;
    ``st ra, rb`` (mem[ra] = rb); ``ld rd, ra`` (rd = mem[ra]); ``bne ra, rb, label``;
    ``out rs``; ``halt``.
    """
    lines = []
    labels = {}
    for raw in text.splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        if line.endswith(":"):
            labels[line[:-1]] = len(lines)
            continue
        lines.append(line)
    prog = []
    for pc, line in enumerate(lines):
        op, _, rest = line.partition(" ")
        args = [a.strip() for a in rest.split(",") if a.strip()]
        if op not in _OPS or len(args) != _OPS[op]:
            raise ValueError(f"line {pc}: bad instruction {line!r}")
        vals = []
        for a in args:
            if a.startswith("r") and a[1:].isdigit():
                vals.append(int(a[1:]))
            elif a in labels:
                vals.append(labels[a])
            else:
                vals.append(int(a, 0))
        prog.append((op, *vals))
    return prog


#: squares 1..n into mem[0..n-1], then the sum of mem[0..n-1] from mem[8] -- with a bug: the
#: loop runs one step too far and writes mem[8], the place where the sum is kept.
SQUARES = """
    li r0, 0        # i = 0
    li r1, 9        # n: one too many! (mem[0..7] are the squares, mem[8] is the total)
    li r3, 8
    li r2, 0
    st r3, r2       # total = 0
loop:
    addi r2, r0, 1
    mul r2, r2, r2  # (i+1)^2
    st r0, r2       # mem[i] = (i+1)^2
    addi r0, r0, 1
    bne r0, r1, loop
    li r0, 0
sum:
    ld r2, r0
    ld r1, r3
    add r1, r1, r2
    st r3, r1       # total += mem[i]
    addi r0, r0, 1
    li r2, 8
    bne r0, r2, sum
    ld r1, r3
    out r1
    halt
"""


class ToyVM:
    """A toy machine: 4 registers, 16 words of memory, a program counter, an output list.

    It is deterministic, and its whole state is plain data, so it can be saved to bytes, sent
    anywhere and loaded again (:meth:`save`/:meth:`load`), snapshotted and restored
    (:meth:`snapshot`/:meth:`restore`), and watched one instruction at a time (:meth:`step`
    returns what changed).
    """

    MEM = 16

    def __init__(self, program: list[tuple]):
        self.program = list(program)
        self.pc = 0
        self.regs = [0] * 4
        self.mem = [0] * self.MEM
        self.out: list[int] = []
        self.halted = False
        self.steps = 0

    def step(self) -> dict:
        """Run one instruction; return ``{"pc", "insn", "writes": [(where, old, new)]}``."""
        if self.halted:
            raise RuntimeError("the machine has halted")
        pc = self.pc
        op, *a = self.program[pc]
        r, m = self.regs, self.mem
        writes = []

        def setr(i, v):
            writes.append((f"r{i}", r[i], v))
            r[i] = v

        nxt = pc + 1
        if op == "li":
            setr(a[0], a[1])
        elif op == "addi":
            setr(a[0], r[a[1]] + a[2])
        elif op == "add":
            setr(a[0], r[a[1]] + r[a[2]])
        elif op == "mul":
            setr(a[0], r[a[1]] * r[a[2]])
        elif op == "st":
            addr = r[a[0]] % self.MEM
            writes.append((f"mem[{addr}]", m[addr], r[a[1]]))
            m[addr] = r[a[1]]
        elif op == "ld":
            setr(a[0], m[r[a[1]] % self.MEM])
        elif op == "bne":
            if r[a[0]] != r[a[1]]:
                nxt = a[2]
        elif op == "out":
            self.out.append(r[a[0]])
        elif op == "halt":
            self.halted = True
            nxt = pc
        self.pc = nxt
        self.steps += 1
        return {"pc": pc, "insn": self.disasm(pc), "writes": writes}

    def run(self, max_steps: int = 10_000) -> list[int]:
        while not self.halted and max_steps > 0:
            self.step()
            max_steps -= 1
        return self.out

    def disasm(self, pc: int) -> str:
        op, *a = self.program[pc]
        regs = {"li": "r.", "addi": "rr.", "add": "rrr", "mul": "rrr", "st": "rr", "ld": "rr",
                "bne": "rr.", "out": "r", "halt": ""}[op]
        args = [f"r{v}" if k == "r" else str(v) for k, v in zip(regs, a)]
        return f"{op} {', '.join(args)}".strip()

    # -- a VM is data ---------------------------------------------------------------------------
    def state(self) -> dict:
        return {"pc": self.pc, "regs": list(self.regs), "mem": list(self.mem),
                "out": list(self.out), "halted": self.halted, "steps": self.steps}

    def snapshot(self) -> dict:
        """The machine's state (not the program): restore it with :meth:`restore`."""
        return self.state()

    def restore(self, snap: dict) -> None:
        self.pc, self.halted, self.steps = snap["pc"], snap["halted"], snap["steps"]
        self.regs, self.mem, self.out = list(snap["regs"]), list(snap["mem"]), list(snap["out"])

    def save(self) -> bytes:
        """Everything needed to resume elsewhere -- program and state -- as bytes."""
        return json.dumps({"program": self.program, "state": self.state()},
                          separators=(",", ":")).encode()

    @classmethod
    def load(cls, data: bytes) -> "ToyVM":
        d = json.loads(data)
        vm = cls([tuple(i) for i in d["program"]])
        vm.restore(d["state"])
        return vm


def watch(program: list[tuple], where: str, max_steps: int = 10_000) -> list[dict]:
    """A watchpoint: run ``program`` from the start and list every write to ``where``
    (``"mem[8]"``, ``"r1"``) as ``{"step", "pc", "insn", "old", "new"}``. A VM monitor can do
    this to any guest without changing it."""
    vm = ToyVM(program)
    hits = []
    for n in range(1, max_steps + 1):
        if vm.halted:
            break
        ev = vm.step()
        for w, old, new in ev["writes"]:
            if w == where:
                hits.append({"step": n, "pc": ev["pc"], "insn": ev["insn"], "old": old,
                             "new": new})
    return hits


def find_first_write(program: list[tuple], where: str, after: int = 0,
                     max_steps: int = 10_000) -> dict | None:
    """The first write to ``where`` at a step numbered above ``after`` (``None``: none)."""
    return next((h for h in watch(program, where, max_steps) if h["step"] > after), None)


# --------------------------------------------------------------------------------------------
# disks: many environments, and hardware the host does not have
# --------------------------------------------------------------------------------------------
def environments_demo() -> dict:
    """Three guests, each with its own disk -- a thin image file on one host disk -- formatted
    and used independently (one even with a different block size). Returns what each guest
    sees and what the host sees."""
    host = FileSystem.mkfs(Disk(512, 64), name="host")
    guests = {"linux.img": (64, {"etc/hostname": b"penguin", "home/readme": b"hi"}),
              "bsd.img": (64, {"etc/rc.conf": b"sshd_enable=YES"}),
              "dos.img": (128, {"AUTOEXEC.BAT": b"@ECHO OFF", "CONFIG.SYS": b"FILES=40"})}
    out = {"guests": {}, "host": None}
    for img, (bs, files) in guests.items():
        host.open(img, "w").close()
        vd = VirtualDisk(host.open(img, "r+"), num_blocks=64, block_size=bs, thin=True,
                         header_blocks=2)
        fs = FileSystem.mkfs(vd, dir_entries=8)
        for name, data in files.items():
            fs.open(name.replace("/", "_"), "w").write(data)
        out["guests"][img] = {"block_size": bs, "disk_bytes": vd.capacity,
                              "files": fs.listdir(), "image_bytes": vd.image_size}
    out["host"] = {"files": host.listdir(),
                   "used_blocks": host.num_blocks - host.data_start - host.free_blocks(),
                   "disk_bytes": host.dev.capacity}
    return out


def virtual_hardware_demo(virtual_blocks: int = 16384, host_blocks: int = 256,
                          block_size: int = 64) -> dict:
    """A thin virtual disk far larger than the host's whole disk: the guest formats it and
    writes a file; the image holds only what was written."""
    host = FileSystem.mkfs(Disk(host_blocks, block_size), name="host")
    host.open("big.img", "w").close()
    vd = VirtualDisk(host.open("big.img", "r+"), num_blocks=virtual_blocks,
                     block_size=block_size, thin=True, header_blocks=8)
    guest = FileSystem.mkfs(vd, dir_entries=8)
    guest.open("data.bin", "w").write(bytes(range(256)) * 4)
    return {"guest_disk_bytes": vd.capacity, "guest_free_bytes": guest.free_blocks() * block_size,
            "host_disk_bytes": host.dev.capacity, "image_bytes": vd.image_size,
            "stored_blocks": vd.allocated_blocks, "guest_files": guest.listdir()}


# --------------------------------------------------------------------------------------------
# live migration: pre-copy
# --------------------------------------------------------------------------------------------
@dataclass
class PrecopyResult:
    rounds: list          #: pages sent in each pre-copy round (round 1: all of memory)
    final_pages: int      #: pages sent while the VM is paused (stop-and-copy phase)
    downtime_s: float
    total_s: float
    reason: str           #: why pre-copy stopped

    @property
    def pages_sent(self) -> int:
        return sum(self.rounds) + self.final_pages


def precopy(memory_pages: int, bandwidth: float, dirty_rate: float,
            hot_pages: int | None = None, threshold: int = 50, max_rounds: int = 30,
            max_factor: float = 3.0) -> PrecopyResult:
    """Pre-copy live migration (Clark et al., NSDI 2005), as a deterministic model.

    Round 1 sends all ``memory_pages`` while the VM keeps running; each later round sends the
    pages dirtied during the previous round. ``bandwidth`` and ``dirty_rate`` are in pages per
    second. Without ``hot_pages``, the VM dirties ``dirty_rate * t`` distinct pages in ``t``
    seconds (at most all of memory); with ``hot_pages`` (the *writable working set*), its writes
    land in that many pages, so a round of ``t`` seconds dirties
    ``hot_pages * (1 - exp(-dirty_rate * t / hot_pages))`` of them (rounded up).

    Pre-copy stops when what is left is at most ``threshold`` pages, after ``max_rounds``
    rounds, once the rounds have sent more than ``max_factor`` times the memory, or when a round
    would not send fewer pages than the last. Then the VM pauses and the rest is sent: that is
    the downtime. The first three limits are Xen's (``xc_domain_save``: 50 pages,
    ``DEF_MAX_ITERS`` 29 -- "limit us to 30 times round loop" -- and ``DEF_MAX_FACTOR`` 3,
    "never send more than 3x" the memory); the last is Clark et al.'s observation that a round
    which does not shrink means the writable working set has been reached.
    """
    if bandwidth <= 0:
        raise ValueError("bandwidth must be positive")

    def dirtied(t):
        if hot_pages is None:
            return min(memory_pages, math.ceil(dirty_rate * t - 1e-9))
        return min(memory_pages, math.ceil(hot_pages * (1 - math.exp(-dirty_rate * t /
                                                                       hot_pages)) - 1e-9))

    rounds = [memory_pages]
    total = memory_pages / bandwidth
    left = dirtied(memory_pages / bandwidth)
    reason = "few pages left"
    while left > threshold:
        if len(rounds) >= max_rounds:
            reason = "round limit"
            break
        if sum(rounds) > max_factor * memory_pages:
            reason = f"sent over {max_factor:g}x memory"
            break
        if left >= rounds[-1]:
            reason = "rounds stopped shrinking"
            break
        rounds.append(left)
        t = left / bandwidth
        total += t
        left = dirtied(t)
    downtime = left / bandwidth
    return PrecopyResult(rounds, left, downtime, total + downtime, reason)


def precopy_table(memory_pages: int, bandwidth: float, dirty_rates, hot_pages=None,
                  threshold: int = 50) -> str:
    """Pre-copy vs stop-and-copy for several dirty rates, as a text table."""
    lines = [f"memory {memory_pages} pages, link {bandwidth:g} pages/s"
             + (f", writable working set {hot_pages} pages" if hot_pages else ""),
             f"{'dirty pages/s':>13} {'rounds':>6} {'pages sent':>10} {'downtime':>10} "
             f"{'total':>8}  stopped because",
             f"{'stop-and-copy':>13} {0:>6} {memory_pages:>10} "
             f"{memory_pages / bandwidth * 1000:>8.0f}ms {memory_pages / bandwidth:>7.2f}s  -"]
    for d in dirty_rates:
        r = precopy(memory_pages, bandwidth, d, hot_pages, threshold)
        lines.append(f"{d:>13g} {len(r.rounds):>6} {r.pages_sent:>10} "
                     f"{r.downtime_s * 1000:>8.1f}ms {r.total_s:>7.2f}s  {r.reason}")
    return "\n".join(lines)


class PrecopyRounds(Exercise):
    """How many pre-copy rounds, and how long a pause?"""

    chapter = 2
    title = "Pre-copy rounds and downtime"
    rel_tol = 0.01
    abs_tol = 0.05

    def generate(self, rng):
        mem = rng.choice([1024, 2048, 4096, 8192])
        bw = rng.choice([200, 250, 400, 500, 1000])
        ratio = rng.choice([0.2, 0.25, 0.4, 0.5])
        return {"memory_pages": mem, "bandwidth": bw, "dirty_rate": int(bw * ratio),
                "threshold": rng.choice([10, 20, 50])}

    def solve(self, p):
        r = precopy(p["memory_pages"], p["bandwidth"], p["dirty_rate"],
                    threshold=p["threshold"])
        return {"rounds": len(r.rounds), "downtime_ms": round(r.downtime_s * 1000, 1)}

    def question(self, p):
        return (f"A VM has {p['memory_pages']} pages of memory. The link sends "
                f"{p['bandwidth']} pages/s; the VM dirties\n{p['dirty_rate']} distinct pages "
                "per second while it runs. Round 1 of pre-copy sends all memory; each\nlater "
                "round sends the pages dirtied during the previous round (round up to whole "
                "pages).\nPre-copy stops as soon as at most "
                f"{p['threshold']} pages are left to send; then the VM pauses and\nthe rest is "
                "sent. How many pre-copy rounds are there, and how long is the pause?\n"
                "Answer with a dict: {'rounds': ..., 'downtime_ms': ...}.")

    def explain(self, p, answer):
        r = precopy(p["memory_pages"], p["bandwidth"], p["dirty_rate"],
                    threshold=p["threshold"])
        lines = []
        for k, n in enumerate(r.rounds, 1):
            t = n / p["bandwidth"]
            nxt = r.rounds[k] if k < len(r.rounds) else r.final_pages
            lines.append(f"  round {k}: send {n} pages in {t:.3f} s; meanwhile "
                         f"{p['dirty_rate']} * {t:.3f} -> {nxt} pages dirtied")
        lines.append(f"  {r.final_pages} <= {p['threshold']}: pause and send them in "
                     f"{r.final_pages}/{p['bandwidth']} s = {r.downtime_s * 1000:.1f} ms")
        return "\n".join(lines)

    def diagnose(self, p, given):
        if not isinstance(given, dict):
            return ["Answer with a dict: {'rounds': ..., 'downtime_ms': ...}."]
        hints = []
        stop_copy = p["memory_pages"] / p["bandwidth"] * 1000
        if isinstance(given.get("downtime_ms"), (int, float)) and \
                abs(given["downtime_ms"] - stop_copy) < 1e-6:
            hints.append("That downtime is plain stop-and-copy (all memory while paused); "
                         "with pre-copy only the last few pages are sent during the pause.")
        if isinstance(given.get("downtime_ms"), (int, float)) and \
                abs(given["downtime_ms"] * 1000 - self.solve(p)["downtime_ms"]) < 1e-3:
            hints.append("Check your units: milliseconds, not seconds.")
        return hints

    def wrong_answers(self, p, answer):
        stop_copy = p["memory_pages"] / p["bandwidth"] * 1000
        return [{"rounds": answer["rounds"] + 1, "downtime_ms": answer["downtime_ms"]},
                {"rounds": answer["rounds"], "downtime_ms": stop_copy},
                {"rounds": answer["rounds"]}]


# --------------------------------------------------------------------------------------------
# exercise: which reason is it?
# --------------------------------------------------------------------------------------------
#: (a situation, the key of the reason that is its point): two per reason
SITUATIONS = [
    ("Forty departmental servers, each busy about a tenth of the time, are turned into VMs "
     "on six hosts.", "consolidation"),
    ("A data centre retires three racks: their web and mail servers now run as VMs, several "
     "to a host.", "consolidation"),
    ("A developer runs Windows, an old Linux distribution and FreeBSD side by side on one "
     "laptop.", "environments"),
    ("A bank keeps an application that needs a twenty-year-old operating system running on "
     "this year's hardware.", "environments"),
    ("A guest is given a 2 TB disk on a host with 500 GB free: a thin image stores only what "
     "the guest writes.", "hardware"),
    ("A VM gets eight network cards that exist only in software.", "hardware"),
    ("A kernel developer stops a guest kernel at a breakpoint and reads its memory from the "
     "host, without a debugger inside the guest.", "debugging"),
    ("A recorded guest is replayed, instruction by instruction, to find the store that "
     "corrupted a kernel structure.", "debugging"),
    ("A suspended VM is copied to a laptop as a file and resumed there the next day.", "mobility"),
    ("A whole appliance (operating system, database, application) is shipped to customers as "
     "one VM image.", "mobility"),
    ("Before each test run, a test farm restores a VM snapshot taken right after "
     "installation.", "testing"),
    ("A tester injects a disk failure into a VM, records the result, and rolls the VM back "
     "to try the next failure.", "testing"),
    ("A host needs a new memory module: its VMs move to another host while they keep serving "
     "requests, each paused for a fraction of a second.", "live"),
    ("Memory pages are copied to the destination while the VM runs, round after round; only "
     "the last few are sent while it is paused.", "live"),
    ("At noon a scheduler moves two VMs off an overloaded host onto idle ones, and moves "
     "them back at night.", "balancing"),
    ("A host shares its CPUs between VMs in proportion to the shares each customer paid for.", "balancing"),
]

_NUMBER = {r.key: k for k, r in enumerate(REASONS, 1)}


class NameTheReason(Classify):
    """Match situations to the eight reasons to virtualize."""

    chapter = 2
    title = "Name the reason"
    ITEMS = SITUATIONS
    KINDS = tuple(r.key for r in REASONS)
    CHOOSE = 5
    WRONG = "Situation(s) {} point to another reason."

    def answer_of(self, kind):
        return _NUMBER[kind]              # the reason's number in the chapter's table

    def aliases(self):                     # the reasons' titles and keys are accepted too
        return {**{r.title: k for k, r in enumerate(REASONS, 1)}, **_NUMBER}

    def question(self, p):
        lines = ["Which of the eight reasons to virtualize (numbered as in the table at the "
                 "top of the chapter)", "is the point of each situation?"]
        lines += [f"  {k + 1}. {r.title}" for k, r in enumerate(REASONS)]
        lines.append("Situations:")
        lines += self.lettered(p)
        lines.append("Answer with a list of reason numbers, one per situation, e.g. "
                     "[1, 4, 2, 8, 5].")
        return "\n".join(lines)

    def explain(self, p, answer):
        return "\n".join(f"  {self.letter(k)} {n}. {REASONS[n - 1].title}: "
                         f"{REASONS[n - 1].idea}" for k, n in enumerate(answer))

    def diagnose(self, p, given):
        if not isinstance(given, list) or len(given) != len(p["items"]):
            return []
        hints = []
        for k, (g, a) in enumerate(zip(given, self.solve(p))):
            pair = {g, a}
            if pair == {_NUMBER["mobility"], _NUMBER["live"]}:
                hints.append(f"Situation {chr(ord('a') + k)}): does the VM keep running while "
                             "it moves?")
            elif pair == {_NUMBER["consolidation"], _NUMBER["balancing"]}:
                hints.append(f"Situation {chr(ord('a') + k)}): is it about needing fewer "
                             "machines, or about moving load as demand changes?")
        return hints

    def wrong_answers(self, p, answer):
        return [answer[::-1] if answer != answer[::-1] else [0] * len(answer),
                [1] * len(answer), answer[:-1]]
