"""Sv32 address translation, with the TLB the interpreter's fast paths use.

``translate`` is the architectural walk of the privileged spec (section "Virtual Address
Translation Process"): two levels, 4 MiB megapages and 4 KiB pages, permission checks with
U, SUM and MXR, A and D bits set in hardware, and a page fault of the access's own kind with
the faulting virtual address in tval.

The TLB is three dicts per privilege level (load, store, fetch), mapping a virtual page
number to the offset ``delta`` such that ``ram[va + delta]`` is the byte at ``va``. A page
is entered only after a walk has allowed that access, so a hit needs no checks at all; and
bare (untranslated) RAM pages are entered the same way, so paging on or off costs the same
once the TLB is warm. Pages that must see every store (decoded code, HTIF's tohost) are never
entered in the store TLB.
"""

from .trace import PageWalk, WalkStep
from .traps import (Trap, FETCH_ACCESS, LOAD_ACCESS, STORE_ACCESS, FETCH_PAGE_FAULT,
                    LOAD_PAGE_FAULT, STORE_PAGE_FAULT, M, U)

FETCH, LOAD, STORE = 'fetch', 'load', 'store'
NEEDS = {FETCH: 'X', LOAD: 'R', STORE: 'W'}
PAGE_FAULT = {FETCH: FETCH_PAGE_FAULT, LOAD: LOAD_PAGE_FAULT, STORE: STORE_PAGE_FAULT}
ACCESS_FAULT = {FETCH: FETCH_ACCESS, LOAD: LOAD_ACCESS, STORE: STORE_ACCESS}

PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_G, PTE_A, PTE_D = (1 << i for i in range(8))
SATP_MODE = 1 << 31
MSTATUS_SUM, MSTATUS_MXR = 1 << 18, 1 << 19


class Mmu:
    def __init__(self, hart):
        self.hart = hart
        self.bus = hart.bus
        self.tlbs = {p: ({}, {}, {}) for p in (0, 1, 3)}     # priv -> (load, store, fetch)
        self.no_store_tlb = set()           # RAM page numbers whose stores must be seen
        self.walks = 0

    def flush(self):
        """Forget every cached translation (satp write, sfence.vma, mstatus.SUM/MXR...)."""
        for tlb in self.tlbs.values():
            for d in tlb:
                d.clear()

    def forget_stores_to(self, page):
        """From now on stores to RAM page ``page`` (index >> 12) take the slow path."""
        self.no_store_tlb.add(page)
        for tlb in self.tlbs.values():
            tlb[1].clear()

    def translate(self, va, access, priv):
        """Physical address for ``va``; fills the TLB; raises the page fault on failure."""
        hart = self.hart
        satp = hart.satp
        if priv == M or not satp & SATP_MODE:
            pa = va
        else:
            pa = self.walk(va, access, priv, satp, update=True)
        i = self.bus.ram_index(pa & ~0xFFF)
        if i is not None:
            tlb = self.tlbs[priv]
            delta = i - (va & ~0xFFF)
            if access == LOAD:
                tlb[0][va >> 12] = delta
            elif access == STORE:
                if i >> 12 not in self.no_store_tlb:
                    tlb[1][va >> 12] = delta
            else:
                tlb[2][va >> 12] = delta
        return pa

    def walk(self, va, access, priv, satp, update=True, explain=None):
        """The Sv32 walk. With ``update`` False it changes nothing (for debuggers and views).

        ``explain``, a list, receives the walk told for people: one
        ``(level, table, index, pte_addr, pte, meaning)`` per PTE read, then the reason for the
        outcome as a last string (chapter 03 draws its page walks from this).
        """
        self.walks += update
        trace = self.hart.trace if update else None
        note = explain.append if explain is not None else None
        steps = []
        fault = PAGE_FAULT[access]
        table, level = (satp & 0x3FFFFF) << 12, 1
        while True:
            index = (va >> (12 + 10 * level)) & 0x3FF
            pte_addr = table + index * 4
            if self.bus.ram_index(pte_addr) is None:
                self._report(trace, va, access, steps, None, ACCESS_FAULT[access])
                if note:
                    note(f'the level-{level} PTE address 0x{pte_addr:08x} is not in RAM')
                raise Trap(ACCESS_FAULT[access], va)
            pte = self.bus.read(pte_addr, 4)
            steps.append(WalkStep(level, pte_addr, pte))

            def say(meaning, reason=None):
                if note:
                    note((level, table, index, pte_addr, pte, meaning))
                    if reason:
                        note(reason)

            if not pte & PTE_V:
                say('V = 0: nothing is mapped here', f'the level-{level} PTE is not valid (V = 0)')
                break
            if not pte & PTE_R and pte & PTE_W:
                say('W = 1 with R = 0 is reserved', f'the level-{level} PTE has W without R')
                break
            if pte & (PTE_R | PTE_X):
                size = 'a 4 MiB megapage' if level == 1 else 'a 4 KiB page'
                problem = self.leaf_problem(access, priv, pte, level)
                if problem:
                    say(f'leaf: {size}, but {problem}', problem)
                    break
                pa = self._leaf(va, access, pte, pte_addr, level, update)
                say(f'leaf: {size} at 0x{pa & ~((1 << (22 if level else 12)) - 1):08x}',
                    f'{size}: {NEEDS[access]} = 1' + (', U = 1' if priv == U else ''))
                self._report(trace, va, access, steps, pa, None)
                return pa
            if level == 0:
                say('not a leaf, and there is no level below 0', 'the level-0 PTE is not a leaf')
                break
            say(f'pointer to the level-0 table at 0x{(pte >> 10) << 12:08x}')
            table, level = (pte >> 10) << 12, 0
        self._report(trace, va, access, steps, None, fault)
        raise Trap(fault, va)

    def leaf_problem(self, access, priv, pte, level):
        """Why a leaf PTE refuses this access (the privileged spec's checks), or None."""
        mstatus = self.hart.mstatus
        if level == 1 and (pte >> 10) & 0x3FF:
            return 'a 4 MiB megapage whose PPN[0] is not 0 (misaligned)'
        if access == FETCH and not pte & PTE_X:
            return 'fetching needs X = 1'
        if access == LOAD and not (pte & PTE_R or (mstatus & MSTATUS_MXR and pte & PTE_X)):
            return 'loading needs R = 1'
        if access == STORE and not pte & PTE_W:
            return 'storing needs W = 1'
        if priv == U and not pte & PTE_U:
            return 'U-mode may use only pages with U = 1'
        if priv != U and pte & PTE_U:
            if access == FETCH:
                return 'S-mode never executes from a U = 1 page'
            if not mstatus & MSTATUS_SUM:
                return 'S-mode may touch a U = 1 page only with mstatus.SUM = 1'
        return None

    def _leaf(self, va, access, pte, pte_addr, level, update):
        """The physical address a permitted leaf maps to; set A (and D for a store)."""
        want = PTE_A | (PTE_D if access == STORE else 0)
        if update and pte & want != want:
            self.bus.write(pte_addr, 4, pte | want)
        ppn = pte >> 10
        if level == 1:
            return ((ppn >> 10) << 22) | (va & 0x3FFFFF)
        return (ppn << 12) | (va & 0xFFF)

    def _report(self, trace, va, access, steps, pa, fault):
        if trace:
            trace(PageWalk(va, access, tuple(steps), pa, fault))

