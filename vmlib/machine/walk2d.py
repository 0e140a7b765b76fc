"""The two-dimensional page walk, one memory reference at a time (chapter 13).

A guest's access under the H extension is translated twice: by the guest's own Sv32 tables
(VS-stage, ``vsatp``: guest-virtual -> guest-physical) and by the hypervisor's Sv32x4 tables
(G-stage, ``hgatp``: guest-physical -> host-physical). The guest's tables live in guest memory,
so every VS-stage PTE address is guest-physical and needs a G-stage walk of its own before the
PTE can be read. With n guest levels and m host levels a walk that misses every cache makes

    (n + 1) * (m + 1) - 1 references

(``references``): for each of the n guest PTEs and for the data, m G-stage PTEs, plus the n
guest PTEs themselves. Sv32 under Sv32x4 gives 8. Bhargava, Serebrin, Spadini and Manne,
"Accelerating two-dimensional page walks for virtualized systems" (ASPLOS 2008), count 24 for
x86-64's 4-level nested paging: the cost that makes TLB misses the price of nested paging,
and that page-walk caches and large pages exist to cut. A megapage ends a walk a level early,
in either dimension, so ``TwoStageWalk.counts`` counts what the walk actually did.

``two_stage_walk`` lays the walk out: the one Sv32 walker (``sv32.walk``) runs the VS-stage
with a ``read_pte`` that first walks the G-stage, and every word read is numbered. It asks the
walker to ``explain`` itself, so the meaning of each PTE and the reason for a fault are the
machine's own; ``Mmu.guest_walk`` is the same composition, and the tests hold the two to the
same outcome. It changes nothing: the A and D bits a real access sets are the MMU's business.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace

from . import sv32
from .csr import SUM, MXR
from .hcsr import HGATP_MODE
from .sv32 import FETCH, LOAD, SATP_MODE, SATP_PPN, ACCESS_FAULT, GUEST_PAGE_FAULT
from .traps import S, U, cause_name

__all__ = ['references', 'Reference', 'TwoStageWalk', 'two_stage_walk', 'ram_words']

WIDTH = 96                              # the columns ``TwoStageWalk.text`` keeps within


def references(guest_levels: int, host_levels: int) -> int:
    """Memory references of a two-dimensional walk that misses every cache.

    >>> references(2, 2)        # Sv32 under Sv32x4, 4 KiB pages in both stages
    8
    >>> references(4, 4)        # x86-64 nested paging (Bhargava et al., ASPLOS 2008)
    24
    >>> references(2, 0)        # hgatp Bare: the guest's walk alone
    2
    """
    return (guest_levels + 1) * (host_levels + 1) - 1


def ram_words(bus):
    """A ``read_word`` over ``bus``'s RAM, None where there is none (the MMU reads PTEs so)."""
    def read_word(pa):
        i = bus.ram_index(pa)
        return None if i is None else bus.ram32[i >> 2]
    return read_word


@dataclass(frozen=True)
class Reference:
    """One word the walk read, in order (``number`` from 1)."""
    number: int
    stage: str              # 'G' (the hypervisor's tables) or 'VS' (the guest's)
    level: int              # 1 (a root table) or 0
    purpose: str            # 'G-stage level 1 for the VS root PTE's address', 'VS level 0 PTE'
    address: int            # host-physical
    value: int | None       # None: no memory there (the walk ends with an access fault)
    gpa: int                # G: the guest-physical address being translated; VS: the PTE's own
    meaning: str = ''       # what the walker concluded from the word


class _Stop(Exception):
    """A refusal, on its way out of the walk: the cause, the GPA a G-stage refused, why."""

    def __init__(self, cause, reason, refused_gpa=None):
        super().__init__(cause, reason)
        self.cause, self.reason, self.refused_gpa = cause, reason, refused_gpa


@dataclass
class TwoStageWalk:
    """A guest access's translation, every reference numbered (see ``two_stage_walk``)."""
    va: int
    access: str
    priv: int                           # the guest's privilege: S (VS-mode) or U (VU-mode)
    vsatp: int
    hgatp: int
    references: tuple = ()
    gpa: int | None = None              # the access's guest-physical address, once known
    pa: int | None = None               # its host-physical address: the walk succeeded
    fault: int | None = None            # else the trap cause, as the hart raises it
    refused_gpa: int | None = None      # for a guest-page fault: the GPA the G-stage refused
    reason: str = ''
    page_sizes: tuple = ()              # (VS, G) leaf sizes in bytes (None: Bare); () if fault

    @property
    def ok(self) -> bool:
        return self.fault is None

    @property
    def stopped_after(self) -> int | None:
        """The number of the last reference made before the fault (0: none), None if ok."""
        return None if self.ok else len(self.references)

    @property
    def htval(self) -> int:
        """What htval (or mtval2) holds after the trap: the refused GPA >> 2, else 0."""
        return 0 if self.refused_gpa is None else self.refused_gpa >> 2

    def counts(self) -> dict:
        """{'G': n, 'VS': n, 'total': n}: the references this walk made, stage by stage."""
        g = sum(r.stage == 'G' for r in self.references)
        return {'G': g, 'VS': len(self.references) - g, 'total': len(self.references)}

    @property
    def outcome(self) -> str:
        """``0x80803abc`` or ``load guest-page fault (cause 21)``."""
        return f'0x{self.pa:08x}' if self.ok else f'{cause_name(self.fault)} (cause {self.fault})'

    def text(self) -> str:
        """The walk told for people: a header, two lines per reference, the outcome."""
        mode = 'VS' if self.priv == S else 'VU'
        out = [f'va 0x{self.va:08x}: a {self.access} in {mode}-mode, both stages walked from '
               f'memory (no TLB)',
               '  VS-stage: ' + _satp_text('vsatp', self.vsatp, 'Sv32', 'gpa '),
               '  G-stage:  ' + _satp_text('hgatp', self.hgatp, 'Sv32x4', '')]
        for r in self.references:
            said = 'no memory there' if r.value is None else f'0x{r.value:08x}'
            if r.stage == 'G':
                out.append(f'{r.number:2}. {r.purpose}: gpa 0x{r.gpa:08x}')
            else:
                out.append(f'{r.number:2}. {r.purpose} at gpa 0x{r.gpa:08x}')
            out += _wrapped(f'read 0x{r.address:08x} -> {said}' +
                            (f': {r.meaning}' if r.meaning else ''), '      ')
        c = self.counts()
        made = f"{c['total']} references ({c['G']} G-stage, {c['VS']} VS-stage)"
        if self.ok:
            out += _wrapped(f'=> host-physical 0x{self.pa:08x} (gpa 0x{self.gpa:08x}) after '
                            f'{made}', '   ')
        else:
            where = (f', htval 0x{self.htval:08x} (gpa 0x{self.refused_gpa:08x} >> 2)'
                     if self.refused_gpa is not None else '')
            out += _wrapped(f'=> {self.outcome} after {made}; tval 0x{self.va:08x}{where}: '
                            f'{self.reason}', '   ')
        return '\n'.join(out)


def _satp_text(name, value, scheme, space):
    if not value & SATP_MODE:
        return f'{name} 0x{value:08x}: Bare, no translation'
    return f'{name} 0x{value:08x}: {scheme}, root table at {space}0x{(value & SATP_PPN) << 12:08x}'


def _wrapped(line, indent):
    return textwrap.wrap(line, WIDTH, initial_indent=indent, subsequent_indent=indent + '   ',
                         break_on_hyphens=False)


def two_stage_walk(read_word, vsatp, hgatp, va, access=LOAD, priv=S, vsstatus=0, mstatus=0):
    """Translate guest-virtual ``va`` for ``access`` at the guest's privilege ``priv`` (S or
    U) as the hart does in VS/VU-mode, and list every memory reference on the way.

    ``read_word(pa)`` returns the 32-bit word at host-physical ``pa`` or None where there is
    no memory (``ram_words(bus)`` makes one). The VS-stage uses vsstatus's SUM and MXR (and
    mstatus.MXR), the G-stage mstatus.MXR and checks every access as a U-mode one. Faults
    are the hart's: a VS-stage page fault (12/13/15), a guest-page fault (20/21/23, of the
    guest's access even when a VS-stage PTE read was refused) with the refused GPA, or an
    access fault where a PTE address has no memory. Returns a ``TwoStageWalk``.
    """
    walk = TwoStageWalk(va, access, priv, vsatp, hgatp)
    made = []
    mstatus_mxr = bool(mstatus & MXR)           # mstatus.MXR counts in both stages

    def read(stage, level, purpose, gpa, pa):
        value = read_word(pa)
        made.append(Reference(len(made) + 1, stage, level, purpose, pa, value, gpa))
        return value

    def g_stage(gpa, check, what):
        """``gpa`` -> (host-physical, leaf level), checked for ``check``; a refusal is
        reported as the guest's own access."""
        if not hgatp & HGATP_MODE:
            if gpa >> 32:
                raise _Stop(ACCESS_FAULT[access], f'hgatp is Bare and gpa 0x{gpa:08x} is '
                                                  f'beyond 32 bits')
            return gpa, None
        told, first = [], len(made)

        def read_g_pte(pa):             # the root (level 1) first, then level 0
            level = 1 - (len(made) - first)
            return read('G', level, f'G-stage level {level} for {what}', gpa, pa)
        try:
            t = sv32.walk(read_g_pte, hgatp, gpa, check, U, False, mstatus_mxr, told,
                          widened=True)
        except sv32.WalkFault as f:
            if f.cause == ACCESS_FAULT[check]:
                raise _Stop(ACCESS_FAULT[access], f'G-stage: {f.reason}') from None
            raise _Stop(GUEST_PAGE_FAULT[access], f'G-stage: {f.reason}', gpa) from None
        finally:
            _explain(made, range(first, len(made)), told)
        return t.pa, t.level

    vs_reads, vs_told = [], []              # where the VS PTEs are in ``made``; the walker's words

    def read_vs_pte(pte_gpa):               # a guest PTE: its address through the G-stage first
        level = 1 - len(vs_reads)
        whose = "the VS root PTE's address" if level else "the VS level-0 PTE's address"
        pa, _ = g_stage(pte_gpa, LOAD, whose)
        vs_reads.append(len(made))
        return read('VS', level, f'VS level {level} PTE', pte_gpa, pa)

    try:
        gpa, vs_level = va, None
        if vsatp & SATP_MODE:
            try:
                t = sv32.walk(read_vs_pte, vsatp, va, access, priv, bool(vsstatus & SUM),
                              bool((vsstatus | mstatus) & MXR), vs_told)
            except sv32.WalkFault as f:
                raise _Stop(f.cause, f'VS-stage: {f.reason}') from None
            finally:
                _explain(made, vs_reads, vs_told)
            gpa, vs_level = t.pa, t.level
        walk.gpa = gpa
        target = "the instruction's address" if access == FETCH else "the data's address"
        walk.pa, g_level = g_stage(gpa, access, target)
        walk.page_sizes = tuple(None if level is None else 1 << (22 if level else 12)
                                for level in (vs_level, g_level))
    except _Stop as stop:
        walk.fault, walk.reason, walk.refused_gpa = stop.cause, stop.reason, stop.refused_gpa
    walk.references = tuple(made)
    return walk


def _explain(made, where, told):
    """Give the references at indices ``where`` the meanings the walker ``told``, in order."""
    for i, entry in zip(where, (e for e in told if isinstance(e, tuple))):
        made[i] = replace(made[i], meaning=entry[-1])
