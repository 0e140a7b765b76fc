"""The course map: every chapter, its prerequisites, and the two tracks -- defined here, once.

Notebook 00 draws this map, the README and the slide decks can list it, and the tests check it
against the files in ``notebooks/``. When a chapter's notebook lands, set its ``ready`` flag to
True here (and re-execute notebook 00, whose outputs show which chapters exist).

>>> CHAPTERS[1].title
'Abstraction vs virtualization'
>>> reading_order(2)
[0, 1, 2]
"""
from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

from .exercises import Exercise

__all__ = ["Chapter", "Track", "CHAPTERS", "TRACKS", "DECK_FILE", "deck_of_track", "chapter", "prerequisites", "reading_order",
           "depths", "layout", "map_edges", "tracks_text", "track_of", "chapter_table",
           "ReadingOrder"]


@dataclass(frozen=True)
class Chapter:
    number: int
    slug: str            #: notebook file name without ``.ipynb``
    title: str
    summary: str         #: one line: what the learner gets
    visual: str          #: the chapter's live visualization
    requires: tuple = ()  #: direct prerequisites (chapter numbers)
    ready: bool = False  #: the notebook exists and is tested

    @property
    def notebook(self) -> str:
        """File name relative to ``notebooks/``."""
        return f"{self.slug}.ipynb"

    @property
    def label(self) -> str:
        return f"{self.number:02d} {self.title}"


@dataclass(frozen=True)
class Track:
    name: str
    title: str
    chapters: tuple
    audience: str

    @property
    def deck(self) -> str | None:
        """The slide deck ``make slides`` builds from this track (``slides/beginner.html``), or
        None. The deck file ``slides/decks.json`` says which track each deck shows; this reads
        it rather than keep a second list of decks here."""
        return deck_of_track(self.name)


#: what defines the slide decks (``vmlib.slides`` builds them and checks the file)
DECK_FILE = Path(__file__).resolve().parents[2] / "slides" / "decks.json"


def deck_of_track(track: str, deck_file=DECK_FILE) -> str | None:
    """``slides/<name>.html``, the deck the deck file builds from ``track``, or None."""
    for name, spec in json.loads(Path(deck_file).read_text(encoding="utf-8")).items():
        if isinstance(spec, dict) and spec.get("track") == track:
            return f"slides/{name}.html"
    return None


_C = Chapter
CHAPTERS: dict[int, Chapter] = {c.number: c for c in [
    _C(0, "00_welcome", "Welcome",
       "what the course is, the map, the tracks, how to learn alone and how to present",
       "the course map", (), True),
    _C(1, "01_abstraction_vs_virtualization", "Abstraction vs virtualization",
       "hide details behind a simpler interface vs keep the interface and change what is behind it",
       "toggle one layer between abstracted and virtualized", (0,), True),
    _C(2, "02_why_virtualize", "Why virtualize",
       "the eight reasons, each with a runnable demo; consolidation in numbers",
       "consolidation sliders: VMs per host vs utilization", (1,), True),
    _C(3, "03_the_machine", "The machine: user ISA and system ISA",
       "a real RV32 computer: registers, memory, privilege modes, traps, paging",
       "step the CPU: registers, memory, privilege mode, trap flow", (1,), True),
    _C(4, "04_abi_and_api", "ABI and API",
       "user ISA + system calls = ABI; libraries = API; where each is crossed",
       "follow one printf from API to ABI (ecall) to ISA", (3,), True),
    _C(5, "05_process_vms_emulation", "Process VMs: emulating another ISA",
       "run RISC-V programs on this laptop at the ABI: loader, syscalls, sandboxed files",
       "run a RISC-V program here; syscall trace", (4,), True),
    _C(6, "06_process_vms_binary_translation", "Process VMs: binary translation and speed",
       "decode-and-dispatch vs translating basic blocks once and chaining them",
       "interpreter vs translator; block cache growth", (5,), True),
    _C(7, "07_high_level_language_vms", "High-level-language VMs",
       "compile once, run on a VM per platform: a stack bytecode and two VMs",
       "the same bytecode on two platforms; stack animation", (4,), True),
    _C(8, "08_system_vms_hardware_emulation", "System VMs and hardware emulation",
       "a whole computer in software: boot a guest kernel, privilege levels",
       "boot the guest kernel; who runs at which privilege", (3, 5), True),
    _C(9, "09_trap_and_emulate", "Trap-and-emulate and Popek & Goldberg",
       "deprivilege the guest kernel; sensitive vs privileged instructions",
       "sensitive/privileged instruction map; divergence", (8,), True),
    _C(10, "10_binary_translation_full_virtualization",
       "Full virtualization by binary translation",
       "VMware's way: rewrite sensitive kernel code, run user code directly",
       "translated vs direct instructions", (6, 9), True),
    _C(11, "11_paravirtualization", "Paravirtualization",
       "Xen's way: port the guest to hypercalls and shared rings",
       "hypercalls vs traps; the shared ring in motion", (9,), True),
    _C(12, "12_hardware_assistance_and_kvm", "Hardware assistance and KVM",
       "a guest mode in the CPU, VM exits, the KVM API and virtio",
       "VM exits by reason; the KVM run loop; virtio", (9,), True),
    _C(13, "13_memory_virtualization", "Memory virtualization",
       "shadow page tables vs nested paging, and what a TLB miss costs",
       "shadow vs nested page tables; walk cost", (9, 12), True),
    _C(14, "14_virtualization_in_operation", "Virtualization in operation",
       "many VMs per host, ballooning, snapshots, record/replay, live migration",
       "live migration rounds; snapshot/replay", (2, 13)),
    _C(15, "15_side_by_side", "Side by side",
       "every technique on every workload, with the cost model's sliders",
       "all techniques on all workloads; the cost sliders", (10, 11, 12, 13), True),
]}

TRACKS: dict[str, Track] = {t.name: t for t in [
    Track("beginner", "Beginner track", tuple(range(0, 8)),
          "anyone who can read a little Python: what virtualization is and why, the machine, "
          "process VMs"),
    Track("advanced", "Advanced track", tuple(range(8, 16)),
          "after the beginner track (or knowing ISA, ABI and page tables): system VMs, "
          "hypervisor techniques, virtualization in operation"),
]}


def chapter(n: int) -> Chapter:
    return CHAPTERS[n]


def track_of(n: int) -> str:
    """The name of the track chapter ``n`` belongs to."""
    for t in TRACKS.values():
        if n in t.chapters:
            return t.name
    raise KeyError(n)


def prerequisites(n: int) -> set[int]:
    """Every chapter that must be read before chapter ``n`` (transitively), without ``n``."""
    seen: set[int] = set()
    todo = list(CHAPTERS[n].requires)
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(CHAPTERS[c].requires)
    return seen


def reading_order(n: int) -> list[int]:
    """The shortest reading list for chapter ``n``: its prerequisites and ``n``, in number order.

    Number order is a valid order because every chapter requires only earlier chapters.
    """
    return sorted(prerequisites(n) | {n})


def depths() -> dict[int, int]:
    """Longest prerequisite chain below each chapter (00 has depth 0): the map's columns."""
    d: dict[int, int] = {}
    for n in sorted(CHAPTERS):
        d[n] = 1 + max((d[r] for r in CHAPTERS[n].requires), default=-1)
    return d


def map_edges() -> list[tuple[int, int]]:
    """The prerequisite arrows worth drawing, ``(from, to)``: a direct requirement that is
    also implied by another requirement (8 needs 3, but 8 needs 5 which needs 3) is left out."""
    edges = []
    for n, c in sorted(CHAPTERS.items()):
        for r in c.requires:
            implied = any(r in prerequisites(o) for o in c.requires if o != r)
            if not implied:
                edges.append((r, n))
    return edges


def layout() -> dict[int, tuple[float, float]]:
    """Positions for drawing the map: x = depth; within a column, chapters sit near the mean
    height of the chapters they need (fewer crossing arrows), one unit apart."""
    d = depths()
    parents: dict[int, list[int]] = {n: [] for n in CHAPTERS}
    for a, b in map_edges():
        parents[b].append(a)
    cols: dict[int, list[int]] = {}
    for n in sorted(CHAPTERS):
        cols.setdefault(d[n], []).append(n)
    pos: dict[int, tuple[float, float]] = {}
    for x in sorted(cols):
        want = {n: (sum(pos[r][1] for r in parents[n]) / len(parents[n]) if parents[n] else 0.0)
                for n in cols[x]}
        members = sorted(cols[x], key=lambda n: (-want[n], n))
        k = len(members)
        centre = sum(want.values()) / k
        for i, n in enumerate(members):
            pos[n] = (float(x), round(centre + (k - 1) / 2 - i, 6))
    return pos


def chapter_table(track: str | None = None) -> str:
    """A plain-text table of the chapters (of one track, or all), marking which exist."""
    nums = TRACKS[track].chapters if track else sorted(CHAPTERS)
    lines = []
    for n in nums:
        c = CHAPTERS[n]
        req = ", ".join(f"{r:02d}" for r in c.requires) or "-"
        mark = "ready " if c.ready else "coming"
        lines.append(f"{n:02d}  {mark}  {c.title:<45} needs {req}")
    return "\n".join(lines)


def tracks_text() -> str:
    """The tracks as text: chapters, who they are for, and the deck ``make slides`` builds."""
    lines = []
    for t in TRACKS.values():
        ready = [n for n in t.chapters if CHAPTERS[n].ready]
        lines.append(f"{t.title}: chapters {t.chapters[0]:02d}-{t.chapters[-1]:02d} "
                     f"({len(ready)} of {len(t.chapters)} ready)")
        lines.append(textwrap.fill(t.audience, 88, initial_indent="  for:  ",
                                   subsequent_indent="        "))
        lines.append(f"  deck: {t.deck or 'none yet'}")
    return "\n".join(lines)


class ReadingOrder(Exercise):
    """Which chapters must a learner read, in which order, before a given chapter?"""

    chapter = 0
    title = "Plan a reading list"
    hints_replace_generic = True

    def generate(self, rng):
        return {"target": rng.randrange(4, 16)}

    def solve(self, p):
        return reading_order(p["target"])

    def question(self, p):
        c = CHAPTERS[p["target"]]
        return (f"You want to read chapter {c.label!r}.\n"
                "Using the map, list every chapter you need, ending with that one, in an order\n"
                "in which each chapter comes after everything it requires (lowest number first\n"
                "when you have a choice).\n"
                "Answer with a list of chapter numbers, for example [0, 1, 2].")

    def explain(self, p, answer):
        lines = []
        for n in answer:
            c = CHAPTERS[n]
            req = ", ".join(f"{r:02d}" for r in c.requires) or "nothing"
            lines.append(f"  {n:02d} {c.title} (needs {req})")
        return ("Follow the arrows back from the target, collect every chapter on the way, then "
                "read them lowest number first:\n" + "\n".join(lines))

    def diagnose(self, p, given):
        if not isinstance(given, list) or not all(isinstance(g, int) for g in given):
            return ["Answer with a list of chapter numbers (ints)."]
        hints = []
        need = set(self.solve(p))
        if given and given[-1] != p["target"]:
            hints.append(f"End the list with the chapter you want to read ({p['target']}).")
        extra = sorted(set(given) - need)
        if extra:
            hints.append(f"Chapter(s) {extra} are not needed on the way to {p['target']}.")
        missing = need - set(given)
        if missing:
            hints.append(f"{len(missing)} required chapter(s) are missing: follow every arrow "
                         "back, not just the direct ones.")
        pos = {n: i for i, n in enumerate(given)}
        for n in given:
            for r in CHAPTERS[n].requires if n in CHAPTERS else ():
                if r in pos and pos[r] > pos[n]:
                    hints.append(f"Chapter {n} comes before {r}, which it requires.")
        if len(given) != len(set(given)):
            hints.append("A chapter appears twice.")
        if not hints and given != sorted(given):
            hints.append("Every chapter is there and the order works, but when you have a "
                         "choice, take the lowest number first.")
        return hints

    def wrong_answers(self, p, answer):
        direct = sorted(CHAPTERS[p["target"]].requires) + [p["target"]]
        return [direct, list(reversed(answer)), answer[:-1], answer + [15 if p["target"] != 15
                                                                        else 14]]
