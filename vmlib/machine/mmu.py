"""The hart's MMU: Sv32 address translation (``sv32.walk``) with the TLB the fast paths use.

The walk is the architectural one of ``sv32.py``, reading PTEs from physical memory through
the bus; the MMU adds what hardware adds around it: the A and D bits set in the leaf, the
trace of each walk, and the TLB.

In a guest mode (V=1, the H extension) translation has two stages: the guest's own Sv32
tables (``vsatp``: guest virtual -> guest physical, the *VS-stage*) and the hypervisor's
Sv32x4 tables (``hgatp``: guest physical -> physical, the *G-stage*). Every guest page-table
read is itself a guest-physical access, translated by the G-stage before it reaches memory:
the two-dimensional walk. A G-stage refusal is a guest-page fault, for the hypervisor.

The TLB is three dicts per mode (load, store, fetch; modes U S M VU VS), mapping a virtual
page number to the offset ``delta`` such that ``ram[va + delta]`` is the byte at ``va``. A page
is entered only after a walk has allowed that access, so a hit needs no checks at all; and
bare (untranslated) RAM pages are entered the same way, so paging on or off costs the same
once the TLB is warm. A guest's entries map its virtual pages straight to host RAM, both
stages at once, as hardware TLBs do. Pages that must see every store (decoded code, HTIF's
tohost) are never entered in the store TLB.
"""

from . import sv32
from .csr import SUM, MXR
from .hcsr import HGATP_MODE
from .sv32 import FETCH, LOAD, STORE, SATP_MODE, GUEST_PAGE_FAULT, ACCESS_FAULT, ad_bits
from .trace import PageWalk, WalkStep
from .traps import Trap, U, S, M, VU, VS, LOAD_ACCESS, STORE_ACCESS, FETCH_ACCESS

_TLB_SLOT = {LOAD: 0, STORE: 1, FETCH: 2}
_ACCESS_FAULTS = {LOAD_ACCESS, STORE_ACCESS, FETCH_ACCESS}


class Mmu:
    def __init__(self, hart):
        self.hart = hart
        self.bus = hart.bus
        self.tlbs = {m: ({}, {}, {}) for m in (U, S, M, VU, VS)}   # mode -> (load, store, fetch)
        self.no_store_tlb = set()           # RAM page numbers whose stores must be seen
        self.walks = 0
        self.references = 0                 # page-table entries read by the walks
        self.model = None                   # a bounded TLB model (tlb.py) to measure with

    def use_model(self, model):
        """Measure with ``model`` (a ``TlbModel``, or None to stop): the fast paths stop
        caching translations, so that every access asks the model."""
        self.model = model
        self.flush()

    def flush(self, fence=True):
        """Forget every cached translation (satp write, sfence.vma, mstatus.SUM/MXR...).
        The TLB model forgets only on a ``fence`` (its entries are tagged by context)."""
        for tlb in self.tlbs.values():
            for d in tlb:
                d.clear()
        if fence and self.model is not None:
            self.model.flush()

    def context(self, mode):
        """The tag of a TLB entry made in ``mode``: the mode, the ASID and VMID in use, and
        the SUM/MXR bits the permission checks used."""
        h = self.hart
        if mode >= VU:
            return (mode, h.vsatp >> 22 & 0x1FF, h.hgatp >> 22 & 0x7F,
                    h.vsstatus & (SUM | MXR) | h.mstatus & MXR)
        return (mode, h.satp >> 22 & 0x1FF, 0, h.mstatus & (SUM | MXR))

    def forget_stores_to(self, page):
        """From now on stores to RAM page ``page`` (index >> 12) take the slow path."""
        self.no_store_tlb.add(page)
        for tlb in self.tlbs.values():
            tlb[1].clear()

    def translate(self, va, access, mode, update=True):
        """Physical address for ``va`` in ``mode``; raises the fault on failure. With
        ``update`` (a real access) it sets A/D bits and fills the TLB; without, it changes
        nothing (for debuggers and views)."""
        if self.model is not None and update and access in _TLB_SLOT:
            return self._modelled(va, access, mode)
        pa = self.peek(va, access, mode, update)
        slot = _TLB_SLOT.get(access)
        i = self.bus.ram_index(pa & ~0xFFF)
        if update and slot is not None and i is not None:
            if slot != 1 or i >> 12 not in self.no_store_tlb:
                self.tlbs[mode][slot][va >> 12] = i - (va & ~0xFFF)
        return pa

    def peek(self, va, access, mode, update=False):
        """The translation of ``translate``, without the TLB."""
        priv = mode & 3
        if mode >= VU:
            return self.guest_walk(va, access, priv, update)
        if priv == M or not self.hart.satp & SATP_MODE:
            return va
        return self.walk(va, access, priv, self.hart.satp, update)

    def _modelled(self, va, access, mode):
        """``translate`` through the TLB model: a hit costs nothing, a miss a walk."""
        h = self.hart
        if (mode & 3 == M or not (h.satp if mode < VU else h.vsatp | h.hgatp) & SATP_MODE):
            return self.peek(va, access, mode, True)        # nothing translates: no TLB
        tag, vpn, fetch, store = self.context(mode), va >> 12, access == FETCH, access == STORE
        base = self.model.lookup(tag, vpn, fetch, store)
        if base is not None:
            return base | va & 0xFFF
        pa = self.peek(va, access, mode, True)
        if self.bus.ram_index(pa & ~0xFFF) is not None:     # (devices are never cached)
            self.model.insert(tag, vpn, fetch, store, pa & ~0xFFF)
        return pa

    def _read_pte(self, pa):
        """A page-table entry read by a walk (counted), or None when no RAM is there."""
        self.references += 1
        return self.bus.read(pa, 4) if self.bus.ram_index(pa) is not None else None

    def _peek_pte(self, pa):
        return self.bus.read(pa, 4) if self.bus.ram_index(pa) is not None else None

    def walk(self, va, access, priv, satp, update=True, explain=None):
        """The Sv32 walk, with the hart's SUM and MXR. With ``update`` False it changes nothing
        (for debuggers and views); ``explain`` as for ``sv32.walk``."""
        self.walks += update
        trace = self.hart.trace if update else None
        mstatus = self.hart.mstatus
        try:
            t = sv32.walk(self._read_pte if update else self._peek_pte, satp, va, access,
                          priv, bool(mstatus & SUM), bool(mstatus & MXR), explain)
        except sv32.WalkFault as f:
            if trace:
                trace(PageWalk(va, access, tuple(WalkStep(*s) for s in f.steps), None, f.cause))
            raise Trap(f.cause, va) from None
        self._set_ad(t, access, update, t.leaf_addr)
        if trace:
            trace(PageWalk(va, access, tuple(WalkStep(*s) for s in t.steps), t.pa, None))
        return t.pa

    def _set_ad(self, t, access, update, leaf_pa):
        want = ad_bits(access)
        if update and t.leaf & want != want:
            self.bus.write(leaf_pa, 4, t.leaf | want)

    # --- the H extension: two stages ------------------------------------------------------

    def guest_walk(self, va, access, priv, update=True):
        """A guest-mode access at ``va`` (privilege ``priv`` of the guest): the VS-stage
        through ``vsatp`` with vsstatus's SUM and MXR (mstatus.MXR too), each PTE address a
        guest-physical one translated by the G-stage; then the G-stage for the result."""
        hart = self.hart
        self.walks += update
        gpa = va
        if hart.vsatp & SATP_MODE:
            vs = hart.vsstatus

            def read_pte(pte_gpa):      # an implicit load, reported as the original access
                pa = self.g_stage(pte_gpa, LOAD, access, va, update)
                return self._read_pte(pa) if update else self._peek_pte(pa)
            try:
                t = sv32.walk(read_pte, hart.vsatp, va, access, priv, bool(vs & SUM),
                              bool((vs | hart.mstatus) & MXR))
            except sv32.WalkFault as f:
                raise Trap(f.cause, va, gva=True) from None
            if update and t.leaf & ad_bits(access) != ad_bits(access):
                self._set_ad(t, access, update, self.g_stage(t.leaf_addr, STORE, access, va))
            gpa = t.pa
        return self.g_stage(gpa, access, access, va, update)

    def g_stage(self, gpa, access, report, va, update=True):
        """Guest-physical ``gpa`` -> physical through ``hgatp`` (Sv32x4), checked as a
        U-mode ``access`` (every G-stage access is a user-level one); a refusal is the
        guest-page fault of ``report`` (the guest's original access), with tval the guest
        virtual address ``va`` and htval/mtval2 ``gpa >> 2``."""
        hgatp = self.hart.hgatp
        if not hgatp & HGATP_MODE:
            if gpa >> 32:
                raise Trap(ACCESS_FAULT[report], va, gva=True)
            return gpa
        try:
            t = sv32.walk(self._read_pte if update else self._peek_pte, hgatp, gpa, access, U,
                          False, bool(self.hart.mstatus & MXR), widened=True)
        except sv32.WalkFault as f:
            if f.cause in _ACCESS_FAULTS:
                raise Trap(ACCESS_FAULT[report], va, gva=True) from None
            raise Trap(GUEST_PAGE_FAULT[report], va, gpa >> 2, gva=True) from None
        self._set_ad(t, access, update, t.leaf_addr)
        return t.pa
