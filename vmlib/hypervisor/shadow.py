"""Shadow page tables: the page tables the host hart really uses while a guest runs.

Under trap-and-emulate the guest kernel writes page tables that map *guest*-virtual to
*guest*-physical addresses, and believes the hardware walks them. It cannot: the hardware
must map guest-virtual addresses to *host*-physical ones, and must keep the guest kernel
(deprivileged to U-mode) out of its processes' pages unless it would have access at its
virtual privilege. So the VMM builds **shadow tables** in its own memory, composed of the two
mappings (guest-virtual -> guest-physical -> host-physical), and points the host ``satp`` at
them. They are filled lazily:

- the host hart faults on an address the shadow does not map yet (a *hidden* page fault: the
  guest never sees it). The VMM walks the guest's table in software (``translate``) with the
  guest's own rules; if the guest would fault, the fault is reflected to the guest kernel;
  otherwise the VMM fills one shadow entry (``shadow_fill``) and the instruction runs again;
- each guest address space has several **views**, one per virtual privilege: ``U`` (the
  guest's processes: only U=1 pages), ``S`` (the guest kernel: its U=0 pages, as host U=1
  pages) and ``S+SUM`` (the kernel with ``sstatus.SUM`` set: its pages and the user pages, not
  executable). Changing privilege or SUM switches view: nothing is rebuilt;
- **coherence**: every guest page that holds a page table the VMM has walked is mapped
  read-only in every shadow; a guest write to it traps, the VMM performs the write and drops
  the shadow entries derived from the entry written (``shadow_update``). A page that no
  shadow entry depends on any more is unprotected on its next write (it stopped being a page
  table, or will be walked again before it matters); so is a page written ``FLOOD_LIMIT``
  times without being walked in between (KVM's "write flooding" rule: a freed page table
  being cleared for another use), after its shadow entries are dropped;
- A and D bits are the guest's: a fill sets A (and D for a store) in the guest's entry as the
  hardware would, and a page whose D bit is clear is shadowed read-only so that the first
  store comes back to set it.

Shadow entries are always 4 KiB (a guest megapage is shadowed page by page), with A and D
set (the host walker never writes VMM memory).
"""

from collections import OrderedDict
from types import SimpleNamespace

from ..machine.bus import RAM_BASE
from ..machine.csr import SUM, MXR
from ..machine.mmu import (Mmu, FETCH, LOAD, STORE, PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A,
                           PTE_D, PAGE_FAULT, ACCESS_FAULT, SATP_MODE)
from ..machine.traps import S, U

MAX_TABLES = 16             # shadow tables kept per guest (LRU): address spaces x views
FLOOD_LIMIT = 8             # trapped writes to a page table never walked in between: unshadow it
VIEWS = ('U', 'S', 'S+SUM')
_leaf_problem = Mmu.leaf_problem        # the architectural permission rules, used as is


class GuestFault(Exception):
    """The guest's own translation fails: the trap the guest would take (cause, tval)."""

    def __init__(self, cause, tval, why=''):
        super().__init__(cause, tval)
        self.cause, self.tval, self.why = cause, tval, why


class Translation:
    """A successful walk: guest-physical ``gpa``, the guest-physical addresses of the PTEs
    read (``ptes``), the leaf PTE's address and value (None when paging is off)."""

    __slots__ = ('gpa', 'ptes', 'leaf_addr', 'leaf')

    def __init__(self, gpa, ptes, leaf_addr, leaf):
        self.gpa, self.ptes, self.leaf_addr, self.leaf = gpa, ptes, leaf_addr, leaf


def view_of(priv, mstatus):
    """The shadow view a guest at virtual privilege ``priv`` needs."""
    if priv == U:
        return 'U'
    return 'S+SUM' if mstatus & SUM else 'S'


def _rules(view, mxr):
    """An object the machine's ``Mmu.leaf_problem`` accepts, with the view's SUM and MXR."""
    return SimpleNamespace(hart=SimpleNamespace(
        mstatus=(SUM if view == 'S+SUM' else 0) | (MXR if mxr else 0)))


def translate(mem, satp, va, access, view, mxr=False):
    """Walk the guest's Sv32 table (guest-physical, in ``mem``) as the hardware would for
    ``access`` in ``view``. Returns a ``Translation``; raises ``GuestFault``. Changes nothing
    (A/D bits are the caller's business)."""
    if not satp & SATP_MODE:
        return Translation(va, (), None, None)
    priv = U if view == 'U' else S
    table, level, ptes = (satp & 0x3FFFFF) << 12, 1, []
    while True:
        addr = table + ((va >> (12 + 10 * level)) & 0x3FF) * 4
        if not mem.contains(addr, 4):
            raise GuestFault(ACCESS_FAULT[access], va,
                             f'its page-table entry at 0x{addr:08x} is outside its RAM')
        pte = mem.read(addr, 4)
        ptes.append(addr)
        if not pte & PTE_V or (not pte & PTE_R and pte & PTE_W):
            raise GuestFault(PAGE_FAULT[access], va, 'no valid mapping')
        if pte & (PTE_R | PTE_X):
            problem = _leaf_problem(_rules(view, mxr), access, priv, pte, level)
            if problem:
                raise GuestFault(PAGE_FAULT[access], va, problem)
            ppn = pte >> 10
            gpa = ((ppn >> 10) << 22 | va & 0x3FFFFF) if level else (ppn << 12 | va & 0xFFF)
            return Translation(gpa & 0xFFFFFFFF, tuple(ptes), addr, pte)
        if level == 0:
            raise GuestFault(PAGE_FAULT[access], va, 'a level-0 entry that is not a leaf')
        table, level = (pte >> 10) << 12, 0


class PoolEmpty(Exception):
    """The guest's pool of shadow frames is used up."""


class ShadowTable:
    """One host Sv32 table: one guest address space (``root``, None = paging off) in one
    view. Lives in the VMM's frames; ``leaves`` are the virtual page numbers it maps."""

    def __init__(self, key, pool, bus):
        self.key, self.pool, self.bus = key, pool, bus
        self.root = self._frame()
        self.l0 = {}                    # root index -> RAM index of that level-0 table
        self.leaves = set()

    def _frame(self):
        index = self.pool.alloc()
        if index is None:
            raise PoolEmpty()
        return index

    @property
    def satp(self):
        """What the host ``satp`` holds while this table is in use."""
        return SATP_MODE | (RAM_BASE + self.root) >> 12

    def set(self, vpn, pte):
        hi = vpn >> 10
        l0 = self.l0.get(hi)
        if l0 is None:
            l0 = self.l0[hi] = self._frame()
            self.bus.ram32[(self.root >> 2) + hi] = (RAM_BASE + l0) >> 12 << 10 | PTE_V
        self.bus.ram32[(l0 >> 2) + (vpn & 0x3FF)] = pte
        self.leaves.add(vpn)

    def clear(self, vpn):
        l0 = self.l0.get(vpn >> 10)
        if l0 is not None:
            self.bus.ram32[(l0 >> 2) + (vpn & 0x3FF)] = 0
        self.leaves.discard(vpn)

    def release(self):
        for index in [self.root, *self.l0.values()]:
            self.pool.release(index)
        self.l0.clear()
        self.leaves.clear()


class ShadowMMU:
    """All the shadow tables of one guest, and the bookkeeping that keeps them coherent.

    ``count(event, n=1)`` receives the cost-model events (``shadow_fill``,
    ``page_walk_step``...); ``tlb_flush()`` is called whenever an entry the host hart may
    have cached changes (the host's ``sfence.vma``).
    """

    def __init__(self, mem, pool, bus, count, tlb_flush):
        self.mem, self.pool, self.bus = mem, pool, bus
        self.count, self.tlb_flush = count, tlb_flush
        self.tables = OrderedDict()     # (root, view) -> ShadowTable, least recently used first
        self.sources = {}               # (table, vpn) -> (PTE addresses it came from, page or None)
        self.users = {}                 # guest PTE address -> {(table, vpn)} built from it
        self.page_users = {}            # guest page number -> how many (table, vpn, PTE) links
        self.writable = {}              # guest page number -> {(table, vpn)} mapping it writable
        self.pt_pages = set()           # guest pages holding page tables: write-protected
        self.flood = {}                 # guest page -> trapped writes since it was last walked
        self.mxr = False
        self.flushes = self.zaps = 0

    # --- tables ------------------------------------------------------------------------------

    def table(self, satp, view):
        """The shadow table for guest ``satp`` seen in ``view`` (made empty if new)."""
        key = (satp & 0x3FFFFF if satp & SATP_MODE else None, view)
        t = self.tables.get(key)
        if t is not None:
            self.tables.move_to_end(key)
            return t
        while len(self.tables) >= MAX_TABLES:
            self.drop(next(iter(self.tables.values())))
        try:
            t = ShadowTable(key, self.pool, self.bus)
        except PoolEmpty:
            self.flush()
            t = ShadowTable(key, self.pool, self.bus)
        self.tables[key] = t
        return t

    def drop(self, table):
        for vpn in list(table.leaves):
            self._forget(table, vpn)
        table.release()
        del self.tables[table.key]
        self.tlb_flush()

    def flush(self):
        """Throw every shadow away (the guest's pool ran out, or MXR changed)."""
        for table in list(self.tables.values()):
            self.drop(table)
        self.pt_pages.clear()
        self.flood.clear()
        self.flushes += 1

    # --- hidden page faults ------------------------------------------------------------------

    def fill(self, table, satp, va, access, view):
        """Serve a host page fault at ``va`` in ``table``.

        Returns ``('filled', gpa)`` (run the instruction again), ``('pt-write', gpa)`` (a
        store to a write-protected guest page table: the caller emulates it and calls
        ``written``), or ``('not-ram', gpa)`` (a device or nothing: the caller decides).
        Raises ``GuestFault`` when the guest's own table refuses, ``PoolEmpty`` when the
        guest's shadow frames are used up.
        """
        t = translate(self.mem, satp, va, access, view, self.mxr)
        self.count('page_walk_step', len(t.ptes))
        gpa = t.gpa
        if not self.mem.contains(gpa):
            return 'not-ram', gpa
        page = gpa >> 12
        for addr in t.ptes:
            self._protect(addr >> 12)
            self.flood.pop(addr >> 12, None)
        if access == STORE and page in self.pt_pages:
            if self.page_users.get(page):
                writes = self.flood[page] = self.flood.get(page, 0) + 1
                if writes <= FLOOD_LIMIT:
                    return 'pt-write', gpa
                self._zap(page)                 # written again and again, never walked
            self.pt_pages.discard(page)         # nothing depends on it any more
        rules = _rules(table.key[1], self.mxr)
        priv = U if table.key[1] == 'U' else S
        flags = PTE_V | PTE_U | PTE_A | PTE_D
        leaf = t.leaf
        if leaf is None:                        # paging off: all of RAM, as the hardware
            flags |= PTE_R | PTE_W | PTE_X
        else:
            for bit, kind in ((PTE_R, LOAD), (PTE_X, FETCH)):
                if _leaf_problem(rules, kind, priv, leaf, 1 if len(t.ptes) == 1 else 0) is None:
                    flags |= bit
            want = PTE_A | (PTE_D if access == STORE else 0)
            if leaf & want != want:             # the hardware's A/D update, done by the VMM
                leaf |= want
                self.mem.write(t.leaf_addr, 4, leaf)
            if (leaf & PTE_D and _leaf_problem(rules, STORE, priv, leaf,
                                               1 if len(t.ptes) == 1 else 0) is None):
                flags |= PTE_W
        if page in self.pt_pages:
            flags &= ~PTE_W
        vpn = va >> 12
        if vpn in table.leaves:
            self._forget(table, vpn)
        table.set(vpn, (self.mem.host_pa(gpa & ~0xFFF) >> 12) << 10 | flags)
        key = (table, vpn)
        self.sources[key] = (t.ptes, page if flags & PTE_W else None)
        for addr in t.ptes:
            self.users.setdefault(addr, set()).add(key)
            self.page_users[addr >> 12] = self.page_users.get(addr >> 12, 0) + 1
        if flags & PTE_W:
            self.writable.setdefault(page, set()).add(key)
        self.count('shadow_fill')
        return 'filled', gpa

    def _protect(self, page):
        """Guest page ``page`` holds a page table: no shadow may map it writable."""
        if page in self.pt_pages:
            return
        self.pt_pages.add(page)
        maps = self.writable.pop(page, ())
        for table, vpn in list(maps):
            self._forget(table, vpn)
        if maps:
            self.tlb_flush()

    def _zap(self, page):
        """Drop every shadow entry built from guest page ``page`` (it is being rewritten,
        most likely reused as plain memory: shadowing it any longer costs a trap a store)."""
        for addr in range(page << 12, (page + 1) << 12, 4):
            for table, vpn in list(self.users.get(addr, ())):
                self._forget(table, vpn)
        self.flood.pop(page, None)
        self.zaps += 1
        self.tlb_flush()

    def _forget(self, table, vpn):
        key = (table, vpn)
        ptes, page = self.sources.pop(key, ((), None))
        for addr in ptes:
            users = self.users.get(addr)
            if users is not None:
                users.discard(key)
                if not users:
                    del self.users[addr]
            self.page_users[addr >> 12] -= 1
        if page is not None:
            maps = self.writable.get(page)
            if maps is not None:
                maps.discard(key)
        table.clear(vpn)

    # --- coherence -----------------------------------------------------------------------------

    def written(self, gpa, size):
        """The guest wrote ``size`` bytes at ``gpa`` in a page table (emulated by the VMM):
        drop every shadow entry built from the entries written."""
        dropped = False
        for addr in range(gpa & ~3, gpa + size, 4):
            for table, vpn in list(self.users.get(addr, ())):
                self._forget(table, vpn)
                dropped = True
        if dropped:
            self.tlb_flush()
        self.count('shadow_update')

    def set_mxr(self, mxr):
        """``sstatus.MXR`` changed: what a load may read changed in every view."""
        if mxr != self.mxr:
            self.mxr = mxr
            self.flush()

    def stats(self):
        return {'tables': len(self.tables), 'entries': len(self.sources),
                'protected_pages': len(self.pt_pages), 'frames': self.pool.in_use,
                'flushes': self.flushes, 'unshadowed': self.zaps}
