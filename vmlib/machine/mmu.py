"""The hart's MMU: Sv32 address translation (``sv32.walk``) with the TLB the fast paths use.

The walk is the architectural one of ``sv32.py``, reading PTEs from physical memory through
the bus; the MMU adds what hardware adds around it: the A and D bits set in the leaf, the
trace of each walk, and the TLB.

The TLB is three dicts per privilege level (load, store, fetch), mapping a virtual page
number to the offset ``delta`` such that ``ram[va + delta]`` is the byte at ``va``. A page
is entered only after a walk has allowed that access, so a hit needs no checks at all; and
bare (untranslated) RAM pages are entered the same way, so paging on or off costs the same
once the TLB is warm. Pages that must see every store (decoded code, HTIF's tohost) are never
entered in the store TLB.
"""

from . import sv32
from .csr import SUM, MXR
from .sv32 import LOAD, STORE, SATP_MODE, ad_bits
from .trace import PageWalk, WalkStep
from .traps import Trap, M


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
        satp = self.hart.satp
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

    def _read_pte(self, pa):
        return self.bus.read(pa, 4) if self.bus.ram_index(pa) is not None else None

    def walk(self, va, access, priv, satp, update=True, explain=None):
        """The Sv32 walk, with the hart's SUM and MXR. With ``update`` False it changes nothing
        (for debuggers and views); ``explain`` as for ``sv32.walk``."""
        self.walks += update
        trace = self.hart.trace if update else None
        mstatus = self.hart.mstatus
        try:
            t = sv32.walk(self._read_pte, satp, va, access, priv, bool(mstatus & SUM),
                          bool(mstatus & MXR), explain)
        except sv32.WalkFault as f:
            if trace:
                trace(PageWalk(va, access, tuple(WalkStep(*s) for s in f.steps), None, f.cause))
            raise Trap(f.cause, va) from None
        want = ad_bits(access)
        if update and t.leaf & want != want:
            self.bus.write(t.leaf_addr, 4, t.leaf | want)
        if trace:
            trace(PageWalk(va, access, tuple(WalkStep(*s) for s in t.steps), t.pa, None))
        return t.pa
