"""Chapter 03's model of an Sv32 page walk: what a walk read, and why it ended as it did.

``walk_steps(machine, va, access)`` walks the machine's page table for one virtual address
*without side effects* and returns a :class:`Walk`: satp, each page-table entry read (its
address, value and flags), and the outcome -- a physical address, or the fault and why.
Steps, verdict and reasons are the machine's own (the one Sv32 walk, ``vmlib.machine.sv32``,
asked to explain itself), so no view can disagree with what the hardware does.
``walk_text`` tells it as text; ``vmlib.viz.pagewalk`` draws it and makes the widget.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..machine.sv32 import FETCH, LOAD, STORE, PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, \
    PTE_D
from ..machine.traps import Trap, cause_name, M, S, U

__all__ = ['ACCESSES', 'PRIVS', 'FLAG_NAMES', 'FLAG_BITS', 'flags_text', 'pte_fields',
           'split_va', 'PteRead', 'Walk', 'walk_steps', 'walk_text', 'parse_address']

ACCESSES = (FETCH, LOAD, STORE)
PRIVS = {'U': U, 'S': S, 'M': M}
FLAG_NAMES = 'VRWXUGAD'
FLAG_BITS = (PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D)


def flags_text(pte: int) -> str:
    """``V R - X U - A -``: the eight flag bits of a PTE, a dash for each clear one."""
    return ' '.join(n if pte & b else '-' for n, b in zip(FLAG_NAMES, FLAG_BITS))


def pte_fields(pte: int) -> dict:
    """A PTE taken apart: {'V': 1, 'R': 0, ..., 'D': 0, 'ppn': ..., 'ppn1': ..., 'ppn0': ...}."""
    out = {n: int(bool(pte & b)) for n, b in zip(FLAG_NAMES, FLAG_BITS)}
    out['ppn'] = pte >> 10
    out['ppn1'] = pte >> 20
    out['ppn0'] = (pte >> 10) & 0x3FF
    return out


def split_va(va: int) -> tuple[int, int, int]:
    """(vpn1, vpn0, offset) of an Sv32 virtual address."""
    return va >> 22, (va >> 12) & 0x3FF, va & 0xFFF


@dataclass(frozen=True)
class PteRead:
    """One page-table entry the walk read."""
    level: int              # 1 (root table) or 0
    table: int              # physical address of the table
    index: int              # vpn1 or vpn0
    addr: int               # table + index * 4
    pte: int
    meaning: str            # what the walker concluded from it

    @property
    def flags(self) -> str:
        return flags_text(self.pte)


@dataclass
class Walk:
    """A page walk's steps and outcome (see :func:`walk_steps`)."""
    va: int
    access: str
    priv: str
    satp: int
    translated: bool                    # False when there is nothing to walk (M-mode, Bare)
    steps: list = field(default_factory=list)
    pa: int | None = None
    fault: int | None = None            # the trap cause when the access fails
    reason: str = ''
    page_size: int = 4096
    sets: str = ''                      # 'A', 'AD' ...: bits the hardware sets on a real access

    @property
    def ok(self) -> bool:
        return self.fault is None

    @property
    def outcome(self) -> str:
        """``0x80005004`` or ``load page fault (mcause 13)``."""
        if self.ok:
            return f'0x{self.pa:08x}'
        return f'{cause_name(self.fault)} (cause {self.fault})'


def walk_steps(machine, va: int, access: str = LOAD, priv: str | None = None,
               satp: int | None = None) -> Walk:
    """Walk the page table for ``va`` as the MMU does, changing nothing.

    ``priv`` ('U', 'S' or 'M') and ``satp`` default to the machine's current ones; mstatus
    (SUM, MXR) is the machine's. The steps, the outcome and the reasons are the MMU's own
    (``Mmu.walk(..., update=False, explain=...)``), so the picture cannot disagree with it.
    """
    if access not in ACCESSES:
        raise ValueError(f'access must be one of {ACCESSES}, not {access!r}')
    va &= 0xFFFFFFFF
    hart = machine.hart
    priv = priv or machine.priv
    if priv not in PRIVS:
        raise ValueError(f"priv must be 'U', 'S' or 'M', not {priv!r}")
    p = PRIVS[priv]
    satp = hart.satp if satp is None else satp & 0xFFFFFFFF
    w = Walk(va, access, priv, satp, translated=False)
    if p == M or not satp >> 31:
        w.pa = va
        w.reason = ('M-mode does not translate: the address is physical' if p == M else
                    'satp.MODE = Bare: paging is off, the address is physical')
        return w
    w.translated = True
    told = []
    try:
        w.pa = hart.mmu.walk(va, access, p, satp, update=False, explain=told)
    except Trap as t:
        w.fault = t.cause
    w.steps = [PteRead(*entry) for entry in told if isinstance(entry, tuple)]
    w.reason = told[-1]
    if w.ok:
        leaf = w.steps[-1]
        w.page_size = 1 << (22 if leaf.level else 12)
        want = 'A' + ('D' if access == STORE else '')
        w.sets = ''.join(f for f in want if not pte_fields(leaf.pte)[f])
    return w


# ---------------------------------------------------------------------------------------------
# views


def walk_text(w: Walk) -> str:
    """The walk as plain text, one line per step."""
    vpn1, vpn0, off = split_va(w.va)
    out = [f'translate va 0x{w.va:08x} for a {w.access} in {w.priv}-mode']
    if not w.translated:
        out.append(f'  {w.reason}')
        out.append(f'  => pa 0x{w.pa:08x}')
        return '\n'.join(out)
    out.append(f'  satp 0x{w.satp:08x}: MODE = Sv32, root table at 0x{(w.satp & 0x3FFFFF) << 12:08x}')
    out.append(f'  va = vpn1 {vpn1} (0x{vpn1:03x}) | vpn0 {vpn0} (0x{vpn0:03x}) | offset 0x{off:03x}')
    for s in w.steps:
        out.append(f'  level {s.level}: PTE at 0x{s.table:08x} + {s.index}*4 = 0x{s.addr:08x}'
                   f' -> 0x{s.pte:08x}  [{s.flags}]  ppn 0x{s.pte >> 10:05x}')
        out.append(f'           {s.meaning}')
    if w.ok:
        tail = f'  => pa 0x{w.pa:08x}'
        if w.page_size == 4096:
            tail += f' = page 0x{w.pa & ~0xFFF:08x} + offset 0x{off:03x}'
        else:
            tail += f' = megapage 0x{w.pa & ~0x3FFFFF:08x} + 0x{w.va & 0x3FFFFF:06x}'
        out.append(tail)
        if w.sets:
            out.append(f'     (a real access also sets {" and ".join(w.sets)} in the leaf PTE)')
    else:
        out.append(f'  => {cause_name(w.fault)} (cause {w.fault}), tval = 0x{w.va:08x}: {w.reason}')
    return '\n'.join(out)


def parse_address(text: str) -> int:
    """``'0x00402004'``, ``'4202500'`` or ``'0x0040_2004'`` -> int (ValueError otherwise)."""
    value = int(str(text).strip().replace('_', ''), 0)
    if not 0 <= value < 1 << 32:
        raise ValueError('a 32-bit address, please')
    return value
