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
from .bus import RAM_BASE

FETCH, LOAD, STORE = 'fetch', 'load', 'store'
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

    def walk(self, va, access, priv, satp, update=True):
        """The Sv32 walk. With ``update`` False it changes nothing (for debuggers and views)."""
        self.walks += update
        hart = self.hart
        trace = hart.trace if update else None
        steps = []
        fault = PAGE_FAULT[access]
        a = (satp & 0x3FFFFF) << 12
        level = 1
        while True:
            pte_addr = a + ((va >> (12 + 10 * level)) & 0x3FF) * 4
            pte = self.bus.read(pte_addr, 4, fault=ACCESS_FAULT[access]) \
                if self.bus.ram_index(pte_addr) is not None else None
            if pte is None:
                self._report(trace, va, access, steps, None, ACCESS_FAULT[access])
                raise Trap(ACCESS_FAULT[access], va)
            steps.append(WalkStep(level, pte_addr, pte))
            if not pte & PTE_V or (not pte & PTE_R and pte & PTE_W):
                break
            if pte & (PTE_R | PTE_X):
                pa = self._leaf(va, access, priv, pte, pte_addr, level, update)
                if pa is None:
                    break
                self._report(trace, va, access, steps, pa, None)
                return pa
            if level == 0:
                break
            a = (pte >> 10) << 12
            level = 0
        self._report(trace, va, access, steps, None, fault)
        raise Trap(fault, va)

    def _leaf(self, va, access, priv, pte, pte_addr, level, update):
        """Check a leaf PTE; return the physical address, or None for a page fault."""
        mstatus = self.hart.mstatus
        if level == 1 and (pte >> 10) & 0x3FF:
            return None                                     # misaligned megapage
        if access == FETCH:
            ok = pte & PTE_X
        elif access == LOAD:
            ok = pte & PTE_R or (mstatus & MSTATUS_MXR and pte & PTE_X)
        else:
            ok = pte & PTE_W
        if not ok:
            return None
        if priv == U and not pte & PTE_U:
            return None
        if priv != U and pte & PTE_U and (access == FETCH or not mstatus & MSTATUS_SUM):
            return None
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


def is_ram(pa, ram_size):
    return RAM_BASE <= pa < RAM_BASE + ram_size
