"""Chapter 08, system VMs and hardware emulation: a whole computer, and who runs on it when.

A system VM must provide the *whole* ISA -- the system part too: privilege levels, trap and
interrupt delivery, page tables, devices, a boot path. Chapter 05's process VM provided only
the ABI (user ISA + system calls). This module watches the course's guest kernel
(``vmlib.guest``: M-mode firmware, S-mode kernel, U-mode processes) boot and run, and says who
ran at which privilege over time:

    >>> tl = timeline('syscall')
    >>> tl.result.exit_status, tl.mode_at(0), tl.who_at(0)
    (0, 'M', 'firmware')
    >>> [e.instruction for e in tl.returns()[:2]]      # into the kernel; back from an SBI call
    ['mret', 'mret']

How it is measured: the machine calls ``hart.trace`` on its slow paths only -- every trap
taken (``TrapTaken``) and every ``mret``/``sret`` (``TrapReturn``) -- with ``hart.instret``
exact at that moment, so a run at full interpreter speed yields the privilege of *every*
instruction: privilege changes only at those events. Between them, the firmware runs in M,
the kernel in S, and in U the process whose control block the kernel put in ``sscratch``
before its ``sret`` (the kernel's own convention, ``kernel.s``); ``satp`` is recorded beside.
Addresses are named with the program's symbols (user addresses through the user image,
which the kernel maps at ``USER_VA``).

Then hardware emulation: the same kernel under the hypervisor's ``emulate`` technique
(:func:`emulation_row`), with identical console output, and what the cost model charges.

Exercises: :class:`WhereDoesTrapLand` (medeleg/mideleg and the enable bits decide),
:class:`WhoRunsAt` (which mode and which program run instruction N),
:class:`SwitchesPerSyscall` (privilege switches caused by one system call).
"""
from __future__ import annotations

import bisect
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .. import guest
from ..hypervisor import CostModel, Hypervisor
from ..hypervisor import sbi
from ..hypervisor.costs import SOURCES
from ..isa import decode
from ..isa.csrs import CSR_NUMBERS
from ..machine.csr import CSR_TABLE
from ..machine.machine import RunResult
from ..machine.trace import TrapTaken, TrapReturn
from ..machine.traps import (INTERRUPT, MTI, STI, cause_name, PRIV_NAMES, U, S, M)
from .text import columns, hanging
from .exercises import Exercise

__all__ = ['Segment', 'TrapEvent', 'ReturnEvent', 'Timeline', 'record', 'timeline',
           'record_emulated', 'kernel_constant', 'Symbols', 'KINDS', 'privilege_rows',
           'privilege_table_text', 'boot_text', 'system_isa_use', 'process_vm_row',
           'vm_comparison_text', 'emulation_row', 'emulation_text', 'hv_json', 'boot_command',
           'hv_figures_text', 'emulation_cost_text', 'WORKLOADS_SHOWN',
           'WhereDoesTrapLand', 'WhoRunsAt', 'SwitchesPerSyscall']

#: the engine the chapters' runs use (08 and 09): the faster one for them -- the translator
#: (measured: the ten workloads under trap take 0.8 s of CPU time on it, 1.2 s on the
#: interpreter; compute's and demo's long stretches in user mode become translated loops)
ENGINE = 'dbt'

#: the order trap kinds are listed in (tables, legends)
KINDS = ('system call', 'SBI call', 'timer (M)', 'timer (S)', 'page fault', 'exception')
#: the workloads the widget offers first
WORKLOADS_SHOWN = ('demo', 'syscall', 'pgfault', 'exception', 'io', 'forkwait')
LANES = (M, S, U)
M32 = 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# the kernel's constants and the program's symbols

def kernel_constant(name: str) -> int:
    """A numeric ``.equ`` of ``vmlib/guest/kernel.s`` (``P_PID``, ``USER_VA``...).

    The assembler does not export ``.equ`` names as symbols, so they are read from the
    source: one place defines them (the kernel), and a renamed constant fails loudly here."""
    text = (guest.HERE / 'kernel.s').read_text(encoding='utf-8')
    m = re.search(rf'^\s*\.equ\s+{re.escape(name)}\s*,\s*(0x[0-9a-fA-F]+|\d+)\s*(?:#.*)?$',
                  text, re.M)
    if not m:
        raise KeyError(f'kernel.s defines no numeric .equ {name}')
    return int(m.group(1), 0)


def _constants(source: str) -> set[str]:
    return set(re.findall(r'^\s*\.(?:equ|set)\s+([A-Za-z_.$][\w.$]*)', source, re.M))


class Symbols:
    """Names for addresses of the guest system: its labels (not its ``.equ`` constants), with
    user addresses (``USER_VA``...) named through the user image they map."""

    #: labels that mark where a part of the image begins or ends: a code label at the same
    #: address names it better (``user_start``, not ``user_image``)
    MARKERS = frozenset({'user_image', 'user_image_end', 'kernel_end'})

    def __init__(self, program, source: str):
        constants = _constants(source)
        self.labels = {n: a for n, a in program.symbols.items() if n not in constants}
        by_addr = {}
        for name, addr in sorted(self.labels.items(),
                                 key=lambda kv: (kv[1], kv[0] in self.MARKERS, kv[0])):
            by_addr.setdefault(addr, name)
        self._addrs = sorted(by_addr)
        self._names = [by_addr[a] for a in self._addrs]
        self.firmware = (self.labels['_start'], self.labels['kernel_entry'])
        self.kernel = (self.labels['kernel_entry'], self.labels['user_image'])
        self.user_image = (self.labels['user_image'], self.labels['user_image_end'])
        self.user_va = kernel_constant('USER_VA')

    def physical(self, pc: int) -> int:
        """Where ``pc`` is in the image: user addresses map to the user image."""
        lo, hi = self.user_image
        if self.user_va <= pc < self.user_va + (hi - lo):
            return lo + pc - self.user_va
        return pc

    def region(self, pc: int) -> str:
        """'firmware', 'kernel', 'user' (the user image, at its user address) or '?'."""
        if self.user_va <= pc < self.user_va + self.user_image[1] - self.user_image[0]:
            return 'user'
        for name, (lo, hi) in (('firmware', self.firmware), ('kernel', self.kernel)):
            if lo <= pc < hi:
                return name
        return '?'

    def name(self, pc: int) -> str:
        """``label`` or ``label+0x1c`` for a code address, else the hex address."""
        pa = self.physical(pc)
        i = bisect.bisect_right(self._addrs, pa) - 1
        if i < 0 or self.region(pc) == '?':
            return f'0x{pc:08x}'
        off = pa - self._addrs[i]
        return self._names[i] + (f'+0x{off:x}' if off else '')


@lru_cache(maxsize=None)
def _symbols(workload: str) -> Symbols:
    return Symbols(guest.program(workload), guest.source(workload))


# ---------------------------------------------------------------------------------------------
# the timeline's parts

def who_name(priv: int, pid: int | None) -> str:
    return {M: 'firmware', S: 'kernel'}.get(priv) or f'pid {pid}'


@dataclass(frozen=True)
class Segment:
    """Instructions ``start`` .. ``end - 1`` (minstret numbers) ran at ``priv`` for ``who``."""
    start: int
    end: int
    priv: int
    who: str                 # 'firmware', 'kernel' or 'pid N'
    satp: int                # the address space (satp) in force

    @property
    def mode(self) -> str:
        return PRIV_NAMES[self.priv]

    def __len__(self):
        return self.end - self.start


def trap_kind(cause: int, from_priv: int) -> str:
    """Which of :data:`KINDS` a trap is."""
    if cause & INTERRUPT:
        code = cause & ~INTERRUPT
        return {MTI: 'timer (M)', STI: 'timer (S)'}.get(code, 'interrupt')
    if cause in (8, 9, 11):
        return 'system call' if from_priv == U else 'SBI call'
    if cause in (12, 13, 15):
        return 'page fault'
    return 'exception'


@lru_cache(maxsize=None)
def _syscall_names() -> dict:
    return {n: text.split('(')[0] for n, text in guest.SYSCALLS.items()}


@dataclass(frozen=True)
class TrapEvent:
    """A trap: the privilege changes *before* instruction ``index`` (the trapping instruction
    does not retire; the handler's first instruction is number ``index``)."""
    index: int
    cause: int
    tval: int
    epc: int
    from_priv: int
    to_priv: int
    handler: int
    who: str                 # who was running
    kind: str                # one of KINDS
    detail: str              # 'write', 'console_putchar', 'load page fault at 0x00640000'...
    handler_name: str
    epc_name: str
    args: tuple = ()         # a system call's (a7, a0, a1, a2) / an SBI call's (a7, a6, a0)

    @property
    def text(self) -> str:
        what = (f'{self.kind}: {self.detail}' if self.detail else self.kind)
        return (f'{PRIV_NAMES[self.from_priv]} -> {PRIV_NAMES[self.to_priv]}  {what}  '
                f'(cause {self.cause & ~INTERRUPT}{", interrupt" if self.cause & INTERRUPT else ""}'
                f') from {self.who} at {self.epc_name}, handler {self.handler_name}')


@dataclass(frozen=True)
class ReturnEvent:
    """An ``mret``/``sret`` (instruction ``index - 1``): instruction ``index`` runs at the new
    privilege, at ``pc``, for ``who``."""
    index: int
    instruction: str
    from_priv: int
    to_priv: int
    pc: int
    who: str                 # who runs next
    target_name: str

    kind = 'return'

    @property
    def text(self) -> str:
        return (f'{PRIV_NAMES[self.from_priv]} -> {PRIV_NAMES[self.to_priv]}  {self.instruction}'
                f' to {self.target_name} ({self.who})')


# ---------------------------------------------------------------------------------------------
# recording a run

class _Recorder:
    """Turns the hart's trap events into segments and events (see the module docstring)."""

    def __init__(self, machine, symbols: Symbols):
        self.m, self.h, self.sym = machine, machine.hart, symbols
        self.procs = symbols.labels['procs']
        self.p_pid = kernel_constant('P_PID')
        self.segments, self.events = [], []
        self.start, self.priv, self.who = self.h.instret, self.h.priv, who_name(self.h.priv, None)
        self.satp = self.h.satp
        self.last_process = None         # who ran in U before the latest trap from U
        self.delegation = None           # (medeleg, mideleg) at the firmware's mret

    def _close(self, at):
        if at > self.start:
            self.segments.append(Segment(self.start, at, self.priv, self.who, self.satp))
        self.start = at

    def _word(self, addr):
        return int.from_bytes(self.m.read_memory(addr, 4), 'little')

    def _pid_of_current_process(self):
        pcb = self.h.sscratch            # the kernel's convention: the PCB while in U
        try:
            return self._word(pcb + self.p_pid)
        except ValueError:
            return None

    def event(self, e):
        h = self.h
        if isinstance(e, TrapTaken):
            n = h.instret
            self._close(n)
            if e.from_priv == U:
                self.last_process = self.who
            kind = trap_kind(e.cause, e.from_priv)
            x = h.x
            args, detail = (), ''
            if kind == 'system call':
                args = (x[17], x[10], x[11], x[12])
                detail = _syscall_names().get(x[17], f'unknown system call {x[17]}')
            elif kind == 'SBI call':
                args = (x[17], x[16], x[10])
                detail = sbi.call_name(x[17], x[16])
                if x[17] == sbi.CONSOLE_PUTCHAR:
                    detail += f'({chr(x[10] & 0xFF)!r})'
            elif kind in ('page fault', 'exception'):
                detail = cause_name(e.cause) + (f' at 0x{e.tval:08x}' if kind == 'page fault'
                                                else '')
            self.events.append(TrapEvent(
                n, e.cause, e.tval, e.epc, e.from_priv, e.to_priv, e.handler, self.who, kind,
                detail, self.sym.name(e.handler), self.sym.name(e.epc), args))
            self.priv, self.who = e.to_priv, who_name(e.to_priv, None)
        elif isinstance(e, TrapReturn):
            n = h.instret + 1            # the mret/sret itself (number h.instret) retires
            self._close(n)
            if self.delegation is None and e.instruction == 'mret':
                self.delegation = (h.medeleg, h.mideleg)
            if e.to_priv == U:
                if e.instruction == 'sret':
                    who = f'pid {self._pid_of_current_process()}'
                else:                    # the firmware returns to the interrupted process
                    who = self.last_process or 'pid ?'
            else:
                who = who_name(e.to_priv, None)
            self.satp = h.satp
            self.events.append(ReturnEvent(n, e.instruction, e.from_priv, e.to_priv, e.pc, who,
                                           self.sym.name(e.pc)))
            self.priv, self.who = e.to_priv, who

    def finish(self, end):
        self._close(end)
        return self.segments, self.events


@dataclass
class Timeline:
    """Who ran at which privilege, instruction by instruction, in one run of a workload."""

    workload: str
    segments: list
    events: list              # TrapEvent and ReturnEvent, in order
    console: str
    result: object            # the machine's RunResult
    symbols: Symbols
    delegation: tuple         # (medeleg, mideleg) as the firmware set them
    trap_stats: dict          # the hart's own count of traps by cause (a cross-check)

    def __post_init__(self):
        self._starts = [s.start for s in self.segments]
        self._event_at = [e.index for e in self.events]

    @property
    def instructions(self) -> int:
        return self.segments[-1].end if self.segments else 0

    # -- looking things up ------------------------------------------------------------------
    def at(self, n: int) -> Segment:
        """The segment holding instruction ``n`` (0-based: the minstret before it)."""
        if not 0 <= n < self.instructions:
            raise IndexError(f'instruction {n} is outside this run (0..{self.instructions - 1})')
        return self.segments[bisect.bisect_right(self._starts, n) - 1]

    def mode_at(self, n: int) -> str:
        return self.at(n).mode

    def who_at(self, n: int) -> str:
        return self.at(n).who

    def traps(self, kind: str | None = None) -> list:
        return [e for e in self.events if isinstance(e, TrapEvent)
                and (kind is None or e.kind == kind)]

    def returns(self) -> list:
        return [e for e in self.events if isinstance(e, ReturnEvent)]

    def window(self, start: int, end: int):
        """The segments (clipped) and events of instructions ``start`` .. ``end - 1``."""
        start, end = max(0, start), min(end, self.instructions)
        segs = []
        i = max(0, bisect.bisect_right(self._starts, start) - 1)
        while i < len(self.segments) and self.segments[i].start < end:
            s = self.segments[i]
            if s.end > start:
                segs.append(Segment(max(s.start, start), min(s.end, end), s.priv, s.who, s.satp))
            i += 1
        lo = bisect.bisect_left(self._event_at, start)
        hi = bisect.bisect_left(self._event_at, end)
        return segs, self.events[lo:hi]

    def next_event(self, after: int, kind: str | None = None, back: bool = False):
        """The first trap (of ``kind``) at an index > ``after`` (< ``after`` when ``back``)."""
        traps = self.traps(kind)
        if back:
            earlier = [e for e in traps if e.index < after]
            return earlier[-1] if earlier else None
        return next((e for e in traps if e.index > after), None)

    # -- counting ---------------------------------------------------------------------------
    def counts(self, start: int = 0, end: int | None = None) -> dict:
        """Instructions per mode in a window: {'M': n, 'S': n, 'U': n}."""
        segs, _ = self.window(start, self.instructions if end is None else end)
        out = {PRIV_NAMES[p]: 0 for p in LANES}
        for s in segs:
            out[s.mode] += len(s)
        return out

    def by_who(self) -> dict:
        """Instructions per program: firmware, kernel, each process."""
        out = Counter()
        for s in self.segments:
            out[s.who] += len(s)
        return dict(sorted(out.items(), key=lambda kv: (kv[0].startswith('pid'), kv[0])))

    def address_spaces(self) -> dict:
        """The ``satp`` values each process ran with, {'pid N': [satp, ...]}: a process is told
        apart from the others by its address space (its root page table) as much as by pid."""
        out = {}
        for s in self.segments:
            if s.priv == U and s.satp not in out.setdefault(s.who, []):
                out[s.who].append(s.satp)
        return out

    def trap_counts(self) -> dict:
        c = Counter(e.kind for e in self.traps())
        return {k: c[k] for k in KINDS if c[k]} | {k: v for k, v in c.items() if k not in KINDS}

    def switches(self, start: int = 0, end: int | None = None) -> int:
        """Privilege switches (traps and returns) in a window."""
        return len(self.window(start, self.instructions if end is None else end)[1])

    def syscall_switches(self, trap: TrapEvent) -> list:
        """The events from the system call ``trap`` up to the first return to U-mode."""
        i = self.events.index(trap)
        out = []
        for e in self.events[i:]:
            out.append(e)
            if isinstance(e, ReturnEvent) and e.to_priv == U:
                break
        return out

    # -- text -------------------------------------------------------------------------------
    def lanes_text(self, start: int = 0, end: int | None = None, width: int = 72) -> str:
        """The timeline as three lines of text, one per mode: each column is a slice of
        instructions; F = firmware, K = kernel, a digit = that process (its pid)."""
        end = self.instructions if end is None else min(end, self.instructions)
        start = max(0, min(start, end - 1))
        span = end - start
        width = max(1, min(width, span))
        step = span / width
        cells = {p: [Counter() for _ in range(width)] for p in LANES}
        segs, events = self.window(start, end)
        for s in segs:
            c0 = int((s.start - start) / step)
            c1 = min(width - 1, int((s.end - 1 - start) / step))
            for c in range(c0, c1 + 1):
                lo = max(s.start, start + c * step)
                hi = min(s.end, start + (c + 1) * step)
                cells[s.priv][c][_letter(s.who)] += max(hi - lo, 1e-9)
        per = f'{step:,.1f}' if step % 1 else f'{int(step):,}'
        lines = [f'{self.workload}: instructions {start:,} .. {end - 1:,} '
                 f'({per} per column); {len(events)} privilege switches']
        for p in LANES:
            row = ''.join(c.most_common(1)[0][0] if c else ' ' for c in cells[p])
            lines.append(f'{PRIV_NAMES[p]} |{row}|')
        lines.append('   F = firmware (M), K = kernel (S), 1 2 3... = the process with that pid (U, '
                     'last digit)')
        return '\n'.join(lines)

    def event_lines(self, start: int = 0, end: int | None = None, limit: int = 40,
                    traps_only: bool = False) -> list[str]:
        """One line per privilege switch in the window (at most ``limit``)."""
        _, events = self.window(start, self.instructions if end is None else end)
        if traps_only:
            events = [e for e in events if isinstance(e, TrapEvent)]
        lines = [hanging(f'{e.index:>9,}  ', e.text) for e in events[:limit]]
        if len(events) > limit:
            lines.append(f'{"":>9}  ... {len(events) - limit} more')
        return lines

    def summary(self) -> str:
        c = self.counts()
        total = self.instructions
        parts = ', '.join(f'{m} {n:,} ({n / total:.1%})' for m, n in c.items())
        traps = ', '.join(f'{k} {v:,}' for k, v in self.trap_counts().items())
        return (f'{self.workload}: {total:,} instructions: {parts}\n'
                f'  traps: {traps or "none"}; returns: {len(self.returns()):,}')


def _letter(who: str) -> str:
    if who == 'firmware':
        return 'F'
    if who == 'kernel':
        return 'K'
    pid = who.split()[-1]
    return pid[-1] if pid.isdigit() else '?'


def record(workload: str = 'demo', max_steps: int = guest.MAX_STEPS, quantum: int | None = None,
           engine: str = ENGINE) -> Timeline:
    """Boot ``workload`` bare (as ``python -m vmlib boot --guest``) and record its timeline."""
    m = guest.machine(workload, quantum=quantum, engine=engine)
    return _record_machine(workload, m, lambda: m.run(max_steps))


def _record_machine(workload, m, run) -> Timeline:
    symbols = _symbols(workload)
    rec = _Recorder(m, symbols)
    m.hart.trace = rec.event
    try:
        result = run()
    finally:
        m.hart.trace = None
    segments, events = rec.finish(m.hart.instret)
    return Timeline(workload, segments, events, m.output, result, symbols,
                    rec.delegation or (m.hart.medeleg, m.hart.mideleg),
                    dict(m.hart.stats_traps))


@lru_cache(maxsize=16)
def timeline(workload: str = 'demo') -> Timeline:
    """:func:`record` with the defaults, cached (the notebook, the widget and the exercises
    share one run per workload)."""
    return record(workload)


def record_emulated(workload: str = 'demo'):
    """The same workload under the hypervisor's ``emulate`` technique, its timeline recorded
    from the emulated machine: (Timeline, hv report)."""
    program = guest.program(workload)
    hv = Hypervisor('emulate', [program], workload=workload, engine=ENGINE)
    m = hv.technique.machine(hv.vms[0])     # emulate: the whole guest machine, interpreted
    box = {}

    def run():
        box['report'] = hv.run()
        g = box['report']['guests'][0]
        return RunResult(g['reason'], g['exit_status'], g['guest_instructions'], g['message'])

    tl = _record_machine(workload, m, run)
    tl.console = box['report']['guests'][0]['console']
    return tl, box['report']


# ---------------------------------------------------------------------------------------------
# the boot, and tables over workloads

def boot_text(tl: Timeline, sret_count: int = 1, sbi_lines: int = 2) -> str:
    """The boot as text: from reset to the ``sret`` into the first process (and a few more
    switches), with SBI console calls folded into one line per run of them."""
    out = []
    first = tl.segments[0]
    out.append(f'{0:>7,}  reset: {first.who} starts in {first.mode}-mode at '
               f'{tl.symbols.name(tl.symbols.labels["_start"])}')
    srets = 0
    folded = 0
    events = tl.events
    i = 0
    while i < len(events):
        e = events[i]
        if isinstance(e, TrapEvent) and e.kind == 'SBI call' and 'console_putchar' in e.detail:
            j, text = i, ''
            while (j + 1 < len(events) and isinstance(events[j], TrapEvent)
                   and 'console_putchar' in events[j].detail
                   and isinstance(events[j + 1], ReturnEvent)):
                text += events[j].detail[len('console_putchar('):-1].strip("'")
                j += 2
            folded += 1
            text = text.encode().decode('unicode_escape')
            out.append(f'{e.index:>7,}  S -> M -> S  x{(j - i) // 2}: SBI console_putchar, '
                       'one ecall + mret per byte:')
            out.append(hanging(' ' * 11, repr(text.rstrip())))
            i = j
            continue
        out.append(hanging(f'{e.index:>7,}  ', e.text))
        if isinstance(e, ReturnEvent) and e.instruction == 'sret' and e.to_priv == U:
            srets += 1
            if srets >= sret_count:
                break
        i += 1
    return '\n'.join(out)


def privilege_rows(workloads=None) -> list[dict]:
    """For each workload: instructions in M, S and U, and traps of each kind (bare run)."""
    rows = []
    for w in workloads or guest.WORKLOADS:
        tl = timeline(w)
        row = {'workload': w, 'instructions': tl.instructions, **tl.counts()}
        row.update({k: 0 for k in KINDS})
        row.update(tl.trap_counts())
        row['switches'] = len(tl.events)
        row['exit_status'] = tl.result.exit_status
        rows.append(row)
    return rows


SHORT = {'system call': 'syscall', 'SBI call': 'SBI', 'timer (M)': 'timer M',
         'timer (S)': 'timer S', 'page fault': 'pgfault', 'exception': 'exception'}


def privilege_table_text(rows) -> str:
    """Per workload: instructions, the share run in each mode, the traps of each kind and the
    privilege switches -- one row each, within the course's 96 columns."""
    widths = {k: len(SHORT[k]) + 1 for k in KINDS}
    head = (f'{"workload":<10}{"instructions":>12}{"M %":>6}{"S %":>6}{"U %":>6}'
            + ''.join(f'{SHORT[k]:>{widths[k]}}' for k in KINDS) + f'{"switches":>9}')
    lines = [head, '-' * len(head)]
    for r in rows:
        n = r['instructions']
        lines.append(f'{r["workload"]:<10}{n:>12,}'
                     + ''.join(f'{100 * r[m] / n:>6.1f}' for m in 'MSU')
                     + ''.join(f'{r[k]:>{widths[k]},}' for k in KINDS)
                     + f'{r["switches"]:>9,}')
    return '\n'.join(lines)


# ---------------------------------------------------------------------------------------------
# process VM vs system VM

SYSTEM_INSTRUCTIONS = ('ecall', 'ebreak', 'csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi',
                       'csrrci', 'mret', 'sret', 'wfi', 'sfence.vma')


def _code_segments(elf_bytes: bytes):
    """The executable PT_LOAD segments of an ELF: [(address, bytes)]."""
    import io
    from elftools.elf.elffile import ELFFile
    from elftools.elf.constants import P_FLAGS
    elf = ELFFile(io.BytesIO(elf_bytes))
    return [(seg['p_paddr'], seg.data()) for seg in elf.iter_segments()
            if seg['p_type'] == 'PT_LOAD' and seg['p_flags'] & P_FLAGS.PF_X]


def _system_instructions(segments, part_of):
    """Count the system instructions in code ``segments`` by ``part_of(address)`` (a name, or
    None to skip); CSR instructions are named with their CSR (``csrrw mtvec``)."""
    names = {v: k for k, v in CSR_NUMBERS.items()}
    out = {}
    for addr, seg in segments:
        for off in range(0, len(seg) - 3, 4):
            part = part_of(addr + off)
            if part is None:
                continue
            ins = decode(int.from_bytes(seg[off:off + 4], 'little'))
            if ins is None or ins.spec.name not in SYSTEM_INSTRUCTIONS:
                continue
            name = ins.spec.name
            if name.startswith('csr'):
                csr = ins.fields['csr']
                name = f'{name} {names.get(csr, hex(csr))}'
            out.setdefault(part, Counter())[name] += 1
    return out


def system_isa_use(workload: str = 'demo') -> dict:
    """The system instructions (CSR access, ``mret``/``sret``, ``sfence.vma``, ``ecall``...)
    in the firmware's and the kernel's code: {'firmware': Counter(name), 'kernel': ...}.
    The system ISA a system VM must implement, seen from the guest's side. (The user image is
    left out: its strings sit between its instructions, and in U-mode every privileged
    instruction traps anyway.)"""
    sym = _symbols(workload)
    parts = (('firmware', sym.firmware), ('kernel', sym.kernel))

    def part_of(pa):
        return next((name for name, (lo, hi) in parts if lo <= pa < hi), None)

    found = _system_instructions(_code_segments(guest.elf(workload)), part_of)
    return {name: found.get(name, Counter()) for name, _ in parts}


def process_vm_row(program: str = 'hello') -> dict:
    """Chapter 05's process VM running ``guests/<program>.elf``: instructions (all in U),
    its traps (system calls and demand-paging faults, all served in Python) and the system
    instructions in its code. The command line is chapters 04 and 05's (``argv[0]`` =
    ``guests/<program>.elf``, no environment): the start-up code reads both, so any other would
    change the instruction count."""
    from ..procvm import ProcessVM
    from .ch04 import guest as guest_elf
    path = guest_elf(program)
    vm = ProcessVM(path, [f'guests/{program}.elf'], {}, capture=True)
    result = vm.run()
    found = _system_instructions(_code_segments(path.read_bytes()), lambda pa: 'program')
    return {'instructions': result.instructions, 'exit_status': result.exit_status,
            'ecalls': vm.hart.stats_traps.get(8, 0),
            'faults': sum(n for c, n in vm.hart.stats_traps.items() if c != 8),
            'system_instructions': found.get('program', Counter())}


def vm_comparison_text(workload: str = 'demo') -> str:
    """What each kind of VM provides, with this course's two VMs measured side by side."""
    tl = timeline(workload)
    use = system_isa_use(workload)
    p = process_vm_row()
    groups = Counter()
    for part in ('firmware', 'kernel'):
        for name, n in use[part].items():
            groups['CSR accesses' if name.startswith('csr') else name] += n
    priv_kernel = ', '.join(f'{n} {name}' for name, n in groups.most_common())
    p_system = ', '.join(f'{n} {name}' for name, n in sorted(p['system_instructions'].items()))
    modes = ', '.join(f'{m} {n:,}' for m, n in tl.counts().items())
    rows = [
        ('', "process VM (ch. 05: hello.elf)", f"system VM (this chapter: {workload})"),
        ('interface', 'ABI: user ISA + Linux syscalls', 'ISA: user ISA + system ISA'),
        ('guest code', 'one program, U-mode only', 'firmware (M), kernel (S), processes (U)'),
        ('instructions run', f'{p["instructions"]:,}, all in U', f'{tl.instructions:,}: {modes}'),
        ('traps', f'{p["ecalls"]} ecalls + {p["faults"]} page faults, served in Python',
         f'{len(tl.traps()):,} taken by the guest\'s own handlers'),
        ('system instr.', f'{p_system or "none"}: nothing privileged',
         f'{priv_kernel}'),
        ('page tables', "built by the VM (Python)", 'built by the guest kernel (Sv32, satp)'),
        ('devices', 'none: files and output via syscalls', 'UART, CLINT timer, test device'),
        ('start', 'a loader: ELF segments, initial stack', 'reset: the firmware boots the kernel'),
    ]
    return columns(rows, (max(len(r[0]) for r in rows), 38, None))


# ---------------------------------------------------------------------------------------------
# hardware emulation: the same kernel under the hypervisor's emulate technique

def emulation_row(workload: str) -> dict:
    """Bare machine vs ``emulate`` for one workload: same console, status and instructions?
    And the cost model's cycles for each (bare: every instruction executed directly)."""
    tl = timeline(workload)
    hv = Hypervisor('emulate', [guest.program(workload)], workload=workload, engine=ENGINE)
    rep = hv.run()
    g = rep['guests'][0]
    costs = hv.costs
    bare_cycles = costs.total({'guest_instruction': tl.instructions})
    return {'workload': workload,
            'same_console': g['console'] == tl.console,
            'same_exit': g['exit_status'] == tl.result.exit_status,
            'bare_instructions': tl.instructions,
            'guest_instructions': g['guest_instructions'],
            'bare_cycles': bare_cycles,
            'emulate_cycles': rep['cycles']['total'],
            'per_instruction': rep['cycles']['total'] / g['guest_instructions'],
            'device_access': rep['events']['device_access'],
            'efficiency': rep['efficiency']}


def emulation_text(rows) -> str:
    head = (f'{"workload":<10}{"console":>9}{"status":>8}{"instructions":>14}'
            f'{"bare cycles":>13}{"emulate cycles":>16}{"per instr.":>12}{"slower":>8}')
    lines = [head, '-' * len(head)]
    for r in rows:
        same = lambda ok: 'same' if ok else 'DIFFERS'          # noqa: E731
        inst = (f'{r["guest_instructions"]:,}' if r['guest_instructions'] == r['bare_instructions']
                else f'{r["guest_instructions"]:,}!={r["bare_instructions"]:,}')
        lines.append(f'{r["workload"]:<10}{same(r["same_console"]):>9}{same(r["same_exit"]):>8}'
                     f'{inst:>14}{r["bare_cycles"]:>13,}{r["emulate_cycles"]:>16,}'
                     f'{r["per_instruction"]:>12.1f}'
                     f'{r["emulate_cycles"] / r["bare_cycles"]:>7.0f}x')
    return '\n'.join(lines)


def boot_command(workload: str = 'demo') -> str:
    """``python -m vmlib boot --guest W`` run as a learner would (stdin empty), as text: the
    command, the console, the exit status. (Captured whole: a notebook's ``!`` shows a console
    written byte by byte in arbitrary pieces.)"""
    cmd = [sys.executable, '-m', 'vmlib', 'boot', '--guest', workload]
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=300)
    out = proc.stdout if proc.stdout.endswith('\n') or not proc.stdout else proc.stdout + '\n'
    return (f'$ python -m vmlib boot --guest {workload}\n{out}{proc.stderr}'
            f'(exit status {proc.returncode})')


def hv_json(workload: str = 'syscall', technique: str = 'emulate') -> dict:
    """``python -m vmlib hv --technique T --workload W --json``, run as a learner would, parsed."""
    cmd = [sys.executable, '-m', 'vmlib', 'hv', '--technique', technique, '--workload', workload,
           '--json']
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise RuntimeError(f'vmlib hv failed (exit {proc.returncode}): '
                           f'{proc.stderr.strip() or proc.stdout[:200]}') from None


def hv_figures_text(report: dict) -> str:
    """The deterministic figures of an ``hv --json`` report (what nbval may compare)."""
    g = report['guests'][0]
    lines = [f'technique {report["technique"]}, workload {report["workload"]}, '
             f'variant {report["variant"]}',
             f'exit status {g["exit_status"]} ({g["reason"]}); '
             f'{g["guest_instructions"]:,} guest instructions',
             f'VMM traps {report["vmm"]["traps"]}, exits {report["vmm"]["exits"] or "none"}, '
             f'hypercalls {report["vmm"]["hypercalls"]}',
             f'cycles {report["cycles"]["total"]:,} by the cost model:']
    for event, c in report['cycles']['by_event'].items():
        if c:
            n = report['events'][event]
            lines.append(f'  {event:<22}{n:>9,} x {c / n:g} = {c:,} cycles')
    lines.append(f'efficiency {report["efficiency"]:.1%} (instructions run without the VMM)')
    lines.append('console:')
    lines += ['  ' + line for line in g['console'].rstrip('\n').split('\n')]
    return '\n'.join(lines)


def emulation_cost_text(costs: CostModel | None = None) -> str:
    """What the cost model charges one guest instruction, emulated and direct, and why."""
    costs = costs or CostModel()
    ratio = costs.emulated_instruction / costs.guest_instruction
    return (f'emulated_instruction = {costs.emulated_instruction:g} cycles; '
            f'guest_instruction (direct) = {costs.guest_instruction:g} cycle(s): '
            f'{ratio:g}x per instruction\n'
            f'device_access = {costs.device_access:g} cycles per emulated device register\n'
            + hanging('', f'why {costs.emulated_instruction:g}: '
                      + SOURCES['emulated_instruction']))


# ---------------------------------------------------------------------------------------------
# exercises

_PRIV = {'U': U, 'S': S, 'M': M}
_EVENTS = [  # (what happens, exception cause or None, interrupt code or None)
    ('executes ecall', None, None),
    ('loads from an unmapped page (load page fault)', 13, None),
    ('executes an illegal instruction', 2, None),
    ('executes ebreak (breakpoint)', 3, None),
    ('runs while the machine timer interrupt (MTIP) is pending', None, MTI),
    ('runs while the supervisor timer interrupt (STIP) is pending', None, STI),
]
_ECALL = {'U': 8, 'S': 9, 'M': 11}
SIE_BIT, MIE_BIT = 1 << 1, 1 << 3


def _bits(value: int) -> str:
    return ', '.join(str(b) for b in range(32) if value >> b & 1) or 'none'


class WhereDoesTrapLand(Exercise):
    """Where a trap lands in the guest system -- or whether an interrupt waits."""

    chapter = 8
    title = 'Where does this trap land?'

    def generate(self, rng):
        medeleg, mideleg = timeline('syscall').delegation       # the firmware's choice
        mode = rng.choice(['U', 'U', 'U', 'S', 'S', 'M'])
        what = rng.randrange(len(_EVENTS))
        _, exc, irq = _EVENTS[what]
        if rng.random() < 0.35:                                  # a firmware that differs
            if irq is None:
                bit = _ECALL[mode] if exc is None else exc
                if bit != _ECALL['M']:           # medeleg[11] is read-only zero (the spec)
                    medeleg ^= 1 << bit
            elif irq == STI:
                mideleg ^= 1 << STI
        return {'mode': mode, 'event': what, 'medeleg': medeleg, 'mideleg': mideleg}

    def _cause(self, p):
        _, exc, irq = _EVENTS[p['event']]
        if irq is not None:
            return INTERRUPT | irq
        return _ECALL[p['mode']] if exc is None else exc

    def solve(self, p):
        """The machine decides: its CSR writes (WARL masks), its interrupt rules, its trap
        entry; the status bits are the guest kernel's (SIE = 0 in S, MIE = 0 in M)."""
        from ..machine import Machine
        h = Machine(ram_size=4096).hart
        for name in ('medeleg', 'mideleg'):
            num = CSR_NUMBERS[name]
            CSR_TABLE[num][1](h, num, p[name])
        h.mtvec, h.stvec = 0x80000100, 0x80000200
        h.priv = _PRIV[p['mode']]
        h.mstatus = 0                    # SIE = 0, MIE = 0: the kernel and firmware's way
        h.mie = (1 << MTI) | (1 << STI)
        cause = self._cause(p)
        if cause & INTERRUPT:
            if cause & ~INTERRUPT == MTI:
                h.clint.mtimecmp = 0
            else:
                h.mip_soft |= 1 << STI
            due = h.interrupt_due(h.instret)
            if due is None:
                return 'pending'
            cause = due | INTERRUPT
        h.take_trap(cause, 0)
        return PRIV_NAMES[h.priv]

    def question(self, p):
        return (f"In the guest system (firmware in M, kernel in S, processes in U) the hart is\n"
                f"in {p['mode']}-mode and {_EVENTS[p['event']][0]}.\n"
                f"medeleg = 0x{p['medeleg']:04x} (bits {_bits(p['medeleg'])}), "
                f"mideleg = 0x{p['mideleg']:04x} (bits {_bits(p['mideleg'])}).\n"
                "As in the guest kernel, sstatus.SIE = 0 in S-mode and mstatus.MIE = 0 in "
                "M-mode;\nmie enables MTIE and STIE.\n"
                "Which mode takes the trap now? Answer 'M', 'S', or 'pending' if it is not "
                "taken now.")

    def explain(self, p, answer):
        cause = self._cause(p)
        code = cause & ~INTERRUPT
        mode = p['mode']
        lines = [f"The trap is {cause_name(cause)} (cause {code}"
                 f"{', an interrupt' if cause & INTERRUPT else ''})."]
        if cause & INTERRUPT:
            deleg = p['mideleg'] >> code & 1
            lines.append(f"mideleg bit {code} is {deleg}: the interrupt belongs to "
                         f"{'S' if deleg else 'M'}-mode.")
            if deleg:
                lines.append('An S-level interrupt is taken in U always, in S only when '
                             'sstatus.SIE = 1 (the kernel keeps it 0), in M never.')
            else:
                lines.append('An M-level interrupt is taken in U and S always, in M only when '
                             'mstatus.MIE = 1 (the firmware keeps it 0).')
        elif mode == 'M':
            lines.append('It happens in M-mode: traps never go down, M takes it.')
        else:
            bit = p['medeleg'] >> code & 1
            lines.append(f"medeleg bit {code} is {bit}: "
                         + ('delegated, S takes it (stvec: the kernel\'s trap_entry).' if bit
                            else 'not delegated, M takes it (mtvec: the firmware\'s fw_trap).'))
        return '\n'.join(lines)

    def normalize(self, given):
        if isinstance(given, str):
            t = given.strip().upper().replace('-MODE', '').replace(' MODE', '')
            if t in ('PENDING', 'NONE', 'NOT TAKEN', 'NOWHERE'):
                return 'pending'
            return {'MACHINE': 'M', 'SUPERVISOR': 'S', 'USER': 'U'}.get(t, t)
        return super().normalize(given)

    def diagnose(self, p, given):
        hints = []
        cause = self._cause(p)
        if given == 'U':
            hints.append('U-mode never takes traps on this machine: only M and S have handlers.')
        if cause & INTERRUPT and given in ('M', 'S') and self.solution() == 'pending':
            hints.append('Look at the enable bits: is this interrupt enabled in the mode '
                         'the hart is in?')
        if p['mode'] == 'M' and given == 'S':
            hints.append('Delegation only applies to traps from S and U: a trap in M stays in M.')
        return hints

    def wrong_answers(self, p, answer):
        return [a for a in ('M', 'S', 'pending', 'U') if a != answer]


class WhoRunsAt(Exercise):
    """Which mode, and which program, run a given instruction of a recorded run?"""

    chapter = 8
    title = 'Who runs instruction N?'
    POOL = ('demo', 'syscall', 'pgfault', 'exception', 'forkwait')

    def generate(self, rng):
        w = rng.choice(self.POOL)
        tl = timeline(w)
        if rng.random() < 0.5:                      # near a switch: the interesting places
            e = rng.choice(tl.events)
            n = min(tl.instructions - 1, max(0, e.index + rng.randrange(-3, 4)))
        else:
            n = rng.randrange(tl.instructions)
        return {'workload': w, 'n': n}

    def solve(self, p):
        s = timeline(p['workload']).at(p['n'])
        return {'mode': s.mode, 'who': s.who}

    def question(self, p):
        return (f"Boot the guest with workload {p['workload']!r} (timeline({p['workload']!r}) or "
                f"the widget).\nWhich mode runs instruction number {p['n']:,} (minstret = "
                f"{p['n']:,} before it), and who runs it?\n"
                "Answer a dict {'mode': 'M'|'S'|'U', 'who': 'firmware'|'kernel'|'pid N'}.")

    def explain(self, p, answer):
        tl = timeline(p['workload'])
        s = tl.at(p['n'])
        came = ([e for e in tl.events if e.index == s.start] or [None])[-1]
        went = next((e for e in tl.events if e.index == s.end), None)
        return (f"Instructions {s.start:,} .. {s.end - 1:,} run in {s.mode}-mode ({s.who}).\n"
                f"It began with: {came.text if came else 'reset'}\n"
                f"It ended with: {went.text if went else 'the end of the run'}")

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, dict):
            given = dict(given)
            if isinstance(given.get('mode'), str):
                given['mode'] = given['mode'].strip().upper()[:1]
            who = given.get('who')
            if isinstance(who, int):
                given['who'] = f'pid {who}'
            elif isinstance(who, str):
                t = who.strip().lower()
                m = re.fullmatch(r'(?:pid|process)?\s*(\d+)', t)
                given['who'] = f'pid {m.group(1)}' if m else t
        return given

    def diagnose(self, p, given):
        if not isinstance(given, dict):
            return []
        ans = self.solution()
        hints = []
        if given.get('mode') == ans['mode'] and given.get('who') != ans['who']:
            hints.append('The mode is right; which program runs in it? (in U: the pid)')
        if given.get('who') == 'firmware' and given.get('mode') != 'M':
            hints.append('The firmware only ever runs in M-mode.')
        return hints

    def wrong_answers(self, p, answer):
        others = [{'mode': m, 'who': w} for m, w in (('M', 'firmware'), ('S', 'kernel'),
                                                     ('U', 'pid 1'), ('U', 'pid 2'))]
        return [o for o in others if o != answer][:3]


class SwitchesPerSyscall(Exercise):
    """Count the privilege switches one system call causes, SBI calls included."""

    chapter = 8
    title = 'How many privilege switches does one system call cause?'
    POOL = ('syscall', 'demo', 'ptemod', 'forkwait', 'csr')

    @staticmethod
    def _clean(tl, trap):
        """System calls whose path back to U has no interrupt in it (teachable ones)."""
        evs = tl.syscall_switches(trap)
        after = tl.events[tl.events.index(evs[-1]) + 1:][:1]
        return (isinstance(evs[-1], ReturnEvent) and evs[-1].to_priv == U
                and all(e.kind in ('system call', 'SBI call', 'return') for e in evs)
                and not (after and after[0].index == evs[-1].index))    # U runs, really

    def generate(self, rng):
        w = rng.choice(self.POOL)
        tl = timeline(w)
        calls = [t for t in tl.traps('system call') if self._clean(tl, t)]
        # one of each system call first, so getpid and write both come up
        by_name = {}
        for t in calls:
            by_name.setdefault(t.detail, []).append(t)
        name = rng.choice(sorted(by_name))
        trap = rng.choice(by_name[name])
        return {'workload': w, 'index': trap.index}

    def _trap(self, p):
        tl = timeline(p['workload'])
        return tl, next(t for t in tl.traps('system call') if t.index == p['index'])

    def solve(self, p):
        tl, trap = self._trap(p)
        return len(tl.syscall_switches(trap))

    def question(self, p):
        tl, trap = self._trap(p)
        a7, a0, a1, a2 = trap.args
        args = {'write': f'write(fd={a0}, buf=0x{a1:08x}, len={a2})',
                'getpid': 'getpid()', 'yield': 'yield()'}.get(
            trap.detail, f'{trap.detail}(a0=0x{a0:x}, a1=0x{a1:x})')
        return (f"In the {p['workload']!r} run, at instruction {trap.index:,}, {trap.who} calls\n"
                f"  {args}   (ecall with a7 = {a7})\n"
                "How many privilege switches (traps and mret/sret) happen from this ecall until "
                "U-mode\nruns again? Remember how the kernel prints (kputc: one SBI call per "
                "byte).\nAnswer a whole number.")

    def explain(self, p, answer):
        tl, trap = self._trap(p)
        evs = tl.syscall_switches(trap)
        sbi_calls = sum(1 for e in evs if getattr(e, 'kind', '') == 'SBI call')
        return (f"1 ecall U -> S, then {sbi_calls} SBI call(s) from the kernel, each an ecall "
                f"S -> M and an mret M -> S ({2 * sbi_calls}), then 1 sret S -> U "
                f"({evs[-1].who} runs): 2 + 2 x {sbi_calls} = {answer}.\n"
                + '\n'.join(tl.event_lines(trap.index, evs[-1].index + 1, limit=8)))

    def diagnose(self, p, given):
        if not isinstance(given, int):
            return []
        tl, trap = self._trap(p)
        sbi_calls = (self.solution() - 2) // 2
        hints = []
        if given == 2 and sbi_calls:
            hints.append('The kernel does not print by itself: each byte is an SBI call to '
                         'the firmware in M-mode, and back.')
        if sbi_calls and given == 2 + sbi_calls:
            hints.append('Each SBI call is two switches: ecall S -> M, and mret M -> S.')
        if given == 1:
            hints.append('The kernel returns to U-mode with sret: that is a switch too.')
        return hints

    def wrong_answers(self, p, answer):
        sbi_calls = (answer - 2) // 2
        return sorted({2, 2 + sbi_calls, 1 + sbi_calls, answer + 1} - {answer})
