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

The same code serves hardware assistance without nested paging (technique ``hw
--no-nested-paging``, the first generation of VT-x and AMD-V): there the guest kernel runs in
VS-mode and the hardware checks U, SUM and MXR itself, so a ``native`` shadow keeps the
guest's own permission bits and needs no views -- one table per guest address space (and, with
paging off, one per privilege).
"""

from collections import OrderedDict

from ..machine.csr import SUM
from ..machine.frames import OutOfFrames
from ..machine.sv32 import (FETCH, LOAD, STORE, PTE_R, PTE_W, PTE_X, PTE_U, PTE_V, PTE_A, PTE_D,
                            SATP_MODE, SATP_PPN, PageTable, Translation, WalkFault, ad_bits,
                            leaf, leaf_problem, walk)
from ..machine.traps import Trap, S, U

MAX_TABLES = 16             # shadow tables kept per guest (LRU): address spaces x views
FLOOD_LIMIT = 8             # trapped writes to a page table never walked in between: unshadow it
VIEWS = ('U', 'S', 'S+SUM')


class GuestFault(Trap):
    """The guest's own translation fails: the trap the guest would take (cause, tval), and
    ``why`` in words."""

    def __init__(self, cause, tval, why=''):
        super().__init__(cause, tval)
        self.why = why


def view_of(priv, mstatus):
    """The shadow view a guest at virtual privilege ``priv`` needs."""
    if priv == U:
        return 'U'
    return 'S+SUM' if mstatus & SUM else 'S'


def translate(mem, satp, va, access, view, mxr=False):
    """Walk the guest's Sv32 table (guest-physical, in ``mem``) as the hardware would for
    ``access`` in ``view`` -- the machine's own walk (``sv32.walk``). Returns an
    ``sv32.Translation`` whose ``pa`` is guest-physical; raises ``GuestFault``. Changes
    nothing (A/D bits are the caller's business)."""
    if not satp & SATP_MODE:
        return Translation(va, (), None, None, None)
    try:
        return walk(lambda a: mem.read(a, 4) if mem.contains(a, 4) else None, satp, va,
                    access, U if view == 'U' else S, view == 'S+SUM', mxr)
    except WalkFault as f:
        raise GuestFault(f.cause, va, f.reason) from None


class ShadowTable(PageTable):
    """One host Sv32 table: one guest address space (``root``, None = paging off) in one
    view, in the VMM's frames. ``leaves`` are the virtual page numbers it maps."""

    def __init__(self, key, pool, ram32):
        super().__init__(ram32, pool)
        self.key = key
        self.leaves = set()

    def set(self, vpn, pte):
        super().set(vpn, pte)
        self.leaves.add(vpn)

    def clear(self, vpn):
        super().clear(vpn)
        self.leaves.discard(vpn)

    def release(self):
        super().release()
        self.leaves.clear()


class ShadowMMU:
    """All the shadow tables of one guest, and the bookkeeping that keeps them coherent.

    ``count(event, n=1)`` receives the cost-model events (``shadow_fill``,
    ``page_walk_step``...); ``tlb_flush()`` is called whenever an entry the host hart may
    have cached changes (the host's ``sfence.vma``).
    """

    def __init__(self, mem, pool, bus, count, tlb_flush, native=False):
        self.mem, self.pool, self.bus = mem, pool, bus
        self.native = native            # the guest runs at its own privilege (H extension)
        self.count, self.tlb_flush = count, tlb_flush
        self.tables = OrderedDict()     # (root, view) -> ShadowTable, least recently used first
        self.sources = {}               # (table, vpn) -> (PTE addresses it came from, page or None)
        self.users = {}                 # guest PTE address -> {(table, vpn)} built from it
        self.page_users = {}            # guest page number -> how many (table, vpn, PTE) links
        self.writable = {}              # guest page number -> {(table, vpn)} mapping it writable
        self.pt_pages = set()           # guest pages holding page tables: write-protected
        self.code_pages = set()         # guest pages a binary translator translated: too
        self.flood = {}                 # guest page -> trapped writes since it was last walked
        self.mxr = False
        self.current = None             # the table the host satp points at, and its key
        self.current_key = None
        self.flushes = self.zaps = 0

    def activate(self, satp, view):
        """The shadow table for the guest's ``satp`` in ``view`` (kept while it is current)."""
        table = self.current
        if ((satp, view) != self.current_key or table is None
                or self.tables.get(table.key) is not table):
            table = self.current = self.table(satp, view)
            self.current_key = (satp, view)
        return table

    # --- tables ------------------------------------------------------------------------------

    def table(self, satp, view):
        """The shadow table for guest ``satp`` seen in ``view`` (made empty if new)."""
        if self.native and satp & SATP_MODE:
            view = 'native'
        key = (satp & SATP_PPN if satp & SATP_MODE else None, view)
        t = self.tables.get(key)
        if t is not None:
            self.tables.move_to_end(key)
            return t
        while len(self.tables) >= MAX_TABLES:
            self.drop(next(iter(self.tables.values())))
        try:
            t = ShadowTable(key, self.pool, self.bus.ram32)
        except OutOfFrames:
            self.flush()
            t = ShadowTable(key, self.pool, self.bus.ram32)
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
        self.current = self.current_key = None
        self.pt_pages.clear()
        self.flood.clear()
        self.flushes += 1

    # --- hidden page faults ------------------------------------------------------------------

    def fill(self, table, satp, va, access, view):
        """Serve a host page fault at ``va`` in ``table``.

        Returns ``('filled', gpa)`` (run the instruction again), ``('pt-write', gpa)`` (a
        store to a write-protected guest page table: the caller emulates it and calls
        ``written``), ``('code-write', gpa)`` (a store to translated code: the caller
        emulates it and drops the translations), or ``('not-ram', gpa)`` (a device or nothing: the caller decides).
        Raises ``GuestFault`` when the guest's own table refuses, ``OutOfFrames`` when the
        guest's shadow frames are used up.
        """
        t = translate(self.mem, satp, va, access, view, self.mxr)
        self.count('page_walk_step', len(t.ptes))
        gpa = t.pa
        if not self.mem.contains(gpa):
            return 'not-ram', gpa
        page = gpa >> 12
        for addr in t.ptes:
            self._protect(addr >> 12)
            self.flood.pop(addr >> 12, None)
        if access == STORE and page in self.code_pages:
            return 'code-write', gpa
        if access == STORE and page in self.pt_pages and self.still_traced(page):
            return 'pt-write', gpa
        view = table.key[1]
        priv, sum_ = (U if view == 'U' else S), view == 'S+SUM'
        user = not self.native or view == 'U'   # (trap-and-emulate: the host runs in U-mode)
        flags = PTE_V | PTE_A | PTE_D | (PTE_U if user else 0)
        pte = t.leaf
        if pte is None:                         # paging off: all of RAM, as the hardware
            flags |= PTE_R | PTE_W | PTE_X
        else:
            if view == 'native':                # the hardware checks the guest's own bits
                flags = PTE_V | PTE_A | PTE_D | pte & (PTE_R | PTE_X | PTE_U)
            else:
                for bit, kind in ((PTE_R, LOAD), (PTE_X, FETCH)):
                    if leaf_problem(kind, priv, pte, t.level, sum_, self.mxr) is None:
                        flags |= bit
            want = ad_bits(access)
            if pte & want != want:              # the hardware's A/D update, done by the VMM
                pte |= want
                self.mem.write(t.leaf_addr, 4, pte)
            if pte & PTE_D and (pte & PTE_W if view == 'native' else
                                leaf_problem(STORE, priv, pte, t.level, sum_, self.mxr) is None):
                flags |= PTE_W
        if page in self.pt_pages or page in self.code_pages:
            flags &= ~PTE_W
        vpn = va >> 12
        if vpn in table.leaves:
            self._forget(table, vpn)
        table.set(vpn, leaf(self.mem.host_pa(gpa & ~0xFFF), flags))
        key = (table, vpn)
        self.sources[key] = (t.ptes, page if flags & PTE_W else None)
        for addr in t.ptes:
            self.users.setdefault(addr, set()).add(key)
            self.page_users[addr >> 12] = self.page_users.get(addr >> 12, 0) + 1
        if flags & PTE_W:
            self.writable.setdefault(page, set()).add(key)
        self.count('shadow_fill')
        return 'filled', gpa

    def still_traced(self, page):
        """A store is about to hit page-table page ``page``: True when it stays traced (the
        VMM performs the store and the shadows follow); False when it stops being watched --
        nothing depends on it any more, or it was written ``FLOOD_LIMIT`` times without being
        walked in between (its shadow entries are dropped first)."""
        if self.page_users.get(page):
            writes = self.flood[page] = self.flood.get(page, 0) + 1
            if writes <= FLOOD_LIMIT:
                return True
            self._zap(page)                     # written again and again, never walked
        self.pt_pages.discard(page)             # nothing depends on it any more
        return False

    def _protect(self, page):
        """Guest page ``page`` holds a page table: no shadow may map it writable."""
        if page in self.pt_pages:
            return
        self.pt_pages.add(page)
        self._write_protect(page)

    def protect_code(self, page):
        """Guest page ``page`` holds code a binary translator translated: its stores must
        come to the VMM (``fill`` says ``'code-write'``) so that the translations follow."""
        if page not in self.code_pages:
            self.code_pages.add(page)
            self._write_protect(page)

    def unprotect_code(self, page):
        """No translation comes from guest page ``page`` any more: stores may go ahead."""
        self.code_pages.discard(page)

    def _write_protect(self, page):
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

    def written_ram(self, gpa, size):
        """The VMM stored ``size`` bytes at guest-physical ``gpa`` for the guest: if that is
        one of its page tables, the shadows made from it must follow (``written``)."""
        if gpa >> 12 in self.pt_pages:
            self.written(gpa, size)

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
            if not self.native:                 # (native shadows: the hardware applies it)
                self.flush()

    def stats(self):
        return {'tables': len(self.tables), 'entries': len(self.sources),
                'protected_pages': len(self.pt_pages), 'code_pages': len(self.code_pages),
                'frames': self.pool.in_use,
                'flushes': self.flushes, 'unshadowed': self.zaps}
