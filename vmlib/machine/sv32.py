"""Sv32, once: the page-table format, the walk of the privileged spec, and a table writer.

Everything in the course that reads or builds RV32 page tables goes through this module:

- ``walk`` is the architectural translation (privileged spec, "Virtual Address Translation
  Process"): two levels, 4 MiB megapages and 4 KiB pages, the permission checks with U, SUM
  and MXR (``leaf_problem``), a page fault of the access's own kind. It reads PTEs through a
  function it is given, so the same walk serves the machine's MMU (physical memory, through
  the bus), a hypervisor walking a guest's tables (guest-physical memory) and the course's
  page-walk views (which ask it to ``explain`` itself). It changes nothing: setting A and D
  is the caller's business.
- ``PageTable`` writes tables: a root and level-0 tables taken from a ``FramePool``, 4 KiB
  leaves. The process VM builds its process's tables with it, a hypervisor its shadow tables.
"""

from .traps import (FETCH_ACCESS, LOAD_ACCESS, STORE_ACCESS, FETCH_PAGE_FAULT,
                    LOAD_PAGE_FAULT, STORE_PAGE_FAULT, FETCH_GUEST_PAGE_FAULT,
                    LOAD_GUEST_PAGE_FAULT, STORE_GUEST_PAGE_FAULT, U)
from .bus import RAM_BASE

# The kinds of access. HLVX (the H extension's hlvx.*) reads memory but needs execute
# permission; its faults are a load's.
FETCH, LOAD, STORE, HLVX = 'fetch', 'load', 'store', 'hlvx'
NEEDS = {FETCH: 'X', LOAD: 'R', STORE: 'W', HLVX: 'X'}
PAGE_FAULT = {FETCH: FETCH_PAGE_FAULT, LOAD: LOAD_PAGE_FAULT, STORE: STORE_PAGE_FAULT,
              HLVX: LOAD_PAGE_FAULT}
ACCESS_FAULT = {FETCH: FETCH_ACCESS, LOAD: LOAD_ACCESS, STORE: STORE_ACCESS, HLVX: LOAD_ACCESS}
GUEST_PAGE_FAULT = {FETCH: FETCH_GUEST_PAGE_FAULT, LOAD: LOAD_GUEST_PAGE_FAULT,
                    STORE: STORE_GUEST_PAGE_FAULT, HLVX: LOAD_GUEST_PAGE_FAULT}

PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D = (1 << i for i in range(8))
SATP_MODE = 1 << 31
SATP_PPN = 0x3FFFFF
PAGE = 4096


def leaf_problem(access, priv, pte, level, sum_=False, mxr=False):
    """Why a leaf PTE refuses this access at privilege ``priv`` (the privileged spec's checks,
    with mstatus.SUM and MXR as given), or None when it allows it."""
    if level == 1 and (pte >> 10) & 0x3FF:
        return 'a 4 MiB megapage whose PPN[0] is not 0 (misaligned)'
    if access == FETCH and not pte & PTE_X:
        return 'fetching needs X = 1'
    if access == HLVX and not pte & PTE_X:
        return 'hlvx needs X = 1'
    if access == LOAD and not (pte & PTE_R or (mxr and pte & PTE_X)):
        return 'loading needs R = 1'
    if access == STORE and not pte & PTE_W:
        return 'storing needs W = 1'
    if priv == U and not pte & PTE_U:
        return 'U-mode may use only pages with U = 1'
    if priv != U and pte & PTE_U:
        if access == FETCH:
            return 'S-mode never executes from a U = 1 page'
        if not sum_:
            return 'S-mode may touch a U = 1 page only with mstatus.SUM = 1'
    return None


class Translation:
    """A walk that succeeded: the physical address ``pa``, the PTEs read (``steps``:
    ``(level, address, value)``, root first), the leaf's address, value and level (1: a
    megapage)."""

    __slots__ = ('pa', 'steps', 'leaf_addr', 'leaf', 'level')

    def __init__(self, pa, steps, leaf_addr, leaf, level):
        self.pa, self.steps, self.leaf_addr, self.leaf = pa, steps, leaf_addr, leaf
        self.level = level

    @property
    def ptes(self):
        """The addresses of the PTEs read, root first."""
        return tuple(a for _, a, _ in self.steps)


class WalkFault(Exception):
    """The walk refused: ``cause`` (a page fault, or an access fault when a PTE is not in
    memory), the PTEs read on the way (``steps``: ``(level, address, value)``), ``reason``."""

    def __init__(self, cause, steps, reason):
        super().__init__(cause, reason)
        self.cause, self.steps, self.reason = cause, steps, reason


def ad_bits(access):
    """The A/D bits a permitted ``access`` sets in its leaf PTE."""
    return PTE_A | (PTE_D if access == STORE else 0)


def walk(read_pte, satp, va, access, priv, sum_=False, mxr=False, explain=None, widened=False):
    """Translate ``va`` for ``access`` at privilege ``priv`` through the Sv32 table of
    ``satp`` (whose MODE the caller has checked). ``read_pte(address)`` returns the 32-bit
    word at a physical address, or None when no memory is there. Returns a ``Translation``
    (its ``pa`` up to 34 bits wide, as Sv32's PPNs are); raises ``WalkFault``.

    ``widened``: Sv32x4, the H extension's G-stage: ``va`` is a 34-bit guest-physical
    address and the root table (16 KiB, 4096 entries) takes two more bits of it.

    ``explain``, a list, receives the walk told for people: one
    ``(level, table, index, pte_addr, pte, meaning)`` per PTE read, then the reason for the
    outcome as a last string (chapter 03 draws its page walks from this).
    """
    note = explain.append if explain is not None else None
    table, level, steps = (satp & SATP_PPN) << 12, 1, []
    while True:
        index = (va >> (12 + 10 * level)) & (0xFFF if widened and level else 0x3FF)
        pte_addr = table + index * 4
        pte = read_pte(pte_addr)
        if pte is None:
            reason = f'the level-{level} PTE address 0x{pte_addr:08x} is not in RAM'
            if note:
                note(reason)
            raise WalkFault(ACCESS_FAULT[access], tuple(steps), reason)
        steps.append((level, pte_addr, pte))
        meaning = reason = None
        if not pte & PTE_V:
            meaning, reason = ('V = 0: nothing is mapped here',
                               f'the level-{level} PTE is not valid (V = 0)')
        elif not pte & PTE_R and pte & PTE_W:
            meaning, reason = ('W = 1 with R = 0 is reserved',
                               f'the level-{level} PTE has W without R')
        elif pte & (PTE_R | PTE_X):
            size = 'a 4 MiB megapage' if level == 1 else 'a 4 KiB page'
            problem = leaf_problem(access, priv, pte, level, sum_, mxr)
            if problem:
                meaning, reason = f'leaf: {size}, but {problem}', problem
            else:
                ppn = pte >> 10
                pa = ((ppn >> 10) << 22 | (va & 0x3FFFFF) if level
                      else ppn << 12 | (va & 0xFFF))
                if note:
                    note((level, table, index, pte_addr, pte,
                          f'leaf: {size} at 0x{pa & ~((1 << (22 if level else 12)) - 1):08x}'))
                    note(f'{size}: {NEEDS[access]} = 1' + (', U = 1' if priv == U else ''))
                return Translation(pa, tuple(steps), pte_addr, pte, level)
        elif level == 0:
            meaning, reason = ('not a leaf, and there is no level below 0',
                               'the level-0 PTE is not a leaf')
        if reason is not None:
            if note:
                note((level, table, index, pte_addr, pte, meaning))
                note(reason)
            raise WalkFault(PAGE_FAULT[access], tuple(steps), reason)
        if note:
            note((level, table, index, pte_addr, pte,
                  f'pointer to the level-0 table at 0x{(pte >> 10) << 12:08x}'))
        table, level = (pte >> 10) << 12, 0


class PageTable:
    """An Sv32 table built by software in RAM: a root and the level-0 tables it needs, from
    ``frames`` (a ``FramePool``), with 4 KiB leaves. ``ram32`` is the RAM's 32-bit view.

    Writes go straight to RAM: a page table is data nobody executes, and whoever changes
    leaves that a hart may have cached flushes its TLB (``sfence.vma``)."""

    def __init__(self, ram32, frames):
        self.ram32, self.frames = ram32, frames
        self.root = frames.alloc()
        self.l0 = {}                    # root index -> RAM index of that level-0 table

    @property
    def satp(self):
        """The satp value that selects this table (ASID 0)."""
        return SATP_MODE | (RAM_BASE + self.root) >> 12

    def set(self, vpn, pte):
        """Write the leaf for virtual page ``vpn`` (a level-0 table is made when needed)."""
        hi = vpn >> 10
        l0 = self.l0.get(hi)
        if l0 is None:
            l0 = self.l0[hi] = self.frames.alloc()
            self.ram32[(self.root >> 2) + hi] = (RAM_BASE + l0) >> 12 << 10 | PTE_V
        self.ram32[(l0 >> 2) + (vpn & 0x3FF)] = pte

    def clear(self, vpn):
        """Unmap virtual page ``vpn`` (nothing to do where no level-0 table exists)."""
        l0 = self.l0.get(vpn >> 10)
        if l0 is not None:
            self.ram32[(l0 >> 2) + (vpn & 0x3FF)] = 0

    def release(self):
        """Give every frame of the table back to its pool."""
        for index in [self.root, *self.l0.values()]:
            self.frames.release(index)
        self.l0.clear()


def leaf(pa, flags):
    """A leaf PTE mapping the page at physical address ``pa`` with ``flags``."""
    return (pa >> 12) << 10 | flags
