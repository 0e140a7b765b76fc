"""A process's address space, the way a small kernel keeps one: regions, frames and page tables.

The guest runs in U-mode with Sv32 paging on, so every address it uses goes through page
tables that this module builds in the machine's own RAM:

- **frames**: RAM is cut into 4 KiB frames; the machine's ``FramePool`` hands them out (page
  tables and guest pages alike) and takes them back. The guest never maps the frames holding
  page tables.
- **regions** (Linux calls them VMAs): the ranges of virtual addresses the process may use, each
  with its permissions and a label (``text``, ``heap``, ``stack``, ``mmap``...). A region
  promises memory; a page of it gets a frame only when it is first touched (**demand paging**):
  the hart raises a page fault, the process VM finds the region, takes a zeroed frame, writes
  the PTE and lets the instruction run again.
- **page tables**: a root table and one second-level table per 4 MiB, written by the
  machine's ``sv32.PageTable``; leaf PTEs carry the region's R/W/X bits, U, and A/D set up
  front (so the hardware never has to update them).

A fault outside every region, or against a region's permissions, is the program's bug: the
process VM turns it into SIGSEGV. ``read``/``write`` give the system calls the same view of
memory the program has (demand paging included), raising ``GuestFault`` where Linux's
``copy_from_user``/``copy_to_user`` would return ``EFAULT``.
"""

from ..machine.bus import RAM_BASE
from ..machine.frames import FramePool
from ..machine.sv32 import PAGE, PageTable, PTE_R, PTE_W, PTE_X, PTE_U, PTE_V, PTE_A, PTE_D, leaf
from .linux import PROT_READ, PROT_WRITE, PROT_EXEC

PAGE_MASK = PAGE - 1

# The user half of the 32-bit address space (the other half is, notionally, the kernel's).
TASK_SIZE = 0x8000_0000
MIN_ADDR = 0x1000                               # page 0 stays unmapped: NULL faults
STACK_TOP = TASK_SIZE                           # the stack grows down from here
STACK_SIZE = 8 << 20                            # like the default RLIMIT_STACK
MMAP_BASE = STACK_TOP - STACK_SIZE - (8 << 20)  # mmap hands out addresses below this


def page_down(x):
    return x & ~PAGE_MASK


def page_up(x):
    return (x + PAGE_MASK) & ~PAGE_MASK


def prot_text(prot):
    return ''.join(c if prot & bit else '-' for c, bit in
                   (('r', PROT_READ), ('w', PROT_WRITE), ('x', PROT_EXEC)))


def page_pieces(va, size):
    """Split ``[va, va + size)`` at page boundaries: ``(va, offset in its page, length)`` for
    each piece, so a copy can look up one frame per page."""
    while size > 0:
        off = va & PAGE_MASK
        n = min(PAGE - off, size)
        yield va, off, n
        va += n
        size -= n


class GuestFault(Exception):
    """A system call touched memory the process cannot access (the call fails with EFAULT)."""

    def __init__(self, address):
        super().__init__(f'bad address 0x{address:08x}')
        self.address = address


class Region:
    """A range of virtual addresses [start, end) with permissions: one VMA."""

    __slots__ = ('start', 'end', 'prot', 'kind')

    def __init__(self, start, end, prot, kind):
        self.start, self.end, self.prot, self.kind = start, end, prot, kind

    def __repr__(self):
        return f'{self.start:08x}-{self.end:08x} {prot_text(self.prot)} {self.kind}'

    @property
    def size(self):
        return self.end - self.start


class AddressSpace:
    """Regions, the frames behind their pages, and the Sv32 page tables that map them."""

    def __init__(self, machine):
        self.machine = machine
        self.bus = machine.bus
        self.hart = machine.hart
        self.frames = FramePool(self.bus)
        self.table = PageTable(self.bus.ram32, self.frames)
        self.pages = {}                 # vpn -> RAM index of the frame behind the page
        self.regions = []               # sorted by start, never overlapping
        self.page_faults = 0            # demand-paging faults served
        self.brk_start = self.brk = 0
        self.on_change = None           # callable(start, end): mappings changed (engines drop
                                        # what they derived from [start, end))

    # --- the hart's side ---------------------------------------------------------------------

    @property
    def satp(self):
        return self.table.satp

    def activate(self):
        """Point the hart at these page tables."""
        self.hart.satp = self.satp
        self.hart.mmu.flush()

    def flush(self, start=0, end=TASK_SIZE):
        """Forget cached translations after PTEs of [start, end) changed or went away
        (sfence.vma), and tell the engine."""
        self.hart.mmu.flush()
        if self.on_change is not None:
            self.on_change(start, end)

    # --- regions -------------------------------------------------------------------------------

    def region_at(self, va):
        for r in self.regions:
            if r.start <= va < r.end:
                return r
            if r.start > va:
                break
        return None

    def is_free(self, start, end):
        if start < MIN_ADDR or end > TASK_SIZE or start >= end:
            return False
        return not any(r.start < end and start < r.end for r in self.regions)

    def add_region(self, start, end, prot, kind):
        """A new region over [start, end), which must be free (page-aligned)."""
        region = Region(start, end, prot, kind)
        self.regions.append(region)
        self.regions.sort(key=lambda r: r.start)
        for page in self._present(start, end):      # frames moved here by mremap
            self._write_pte(page)
        return region

    def _present(self, start, end):
        """The page numbers in [start, end) that have frames, in order."""
        first, last = start >> 12, end >> 12
        if last - first <= len(self.pages):
            return [p for p in range(first, last) if p in self.pages]
        return sorted(p for p in self.pages if first <= p < last)

    def _split(self, at):
        """Make ``at`` a boundary between regions (no-op when none straddles it)."""
        for i, r in enumerate(self.regions):
            if r.start < at < r.end:
                self.regions.insert(i + 1, Region(at, r.end, r.prot, r.kind))
                r.end = at
                return

    def remove_range(self, start, end):
        """Unmap [start, end): regions shrink or split, frames go back, PTEs are cleared."""
        self._split(start)
        self._split(end)
        self.regions = [r for r in self.regions if not (start <= r.start and r.end <= end)]
        for page in self._present(start, end):
            frame = self.pages.pop(page)
            if frame is not None:
                self._set_pte(page, 0)
                self.hart.icache.pop(frame >> 12, None)
                self.frames.release(frame)
        self.flush(start, end)

    def protect_range(self, start, end, prot):
        """Change the permissions of [start, end); False if part of it is not mapped."""
        covered = start
        for r in self.regions:
            if r.end <= covered:
                continue
            if r.start > covered:
                break
            covered = r.end
            if covered >= end:
                break
        if covered < end:
            return False
        self._split(start)
        self._split(end)
        for r in self.regions:
            if start <= r.start and r.end <= end:
                r.prot = prot
        for page in self._present(start, end):
            self._write_pte(page)
        self.flush(start, end)
        return True

    def find_free(self, length, hint=0):
        """An address for ``length`` bytes: ``hint`` when that range is free, else the
        highest free range below ``MMAP_BASE`` (top-down, as Linux places mmaps); or None."""
        if hint and not hint & PAGE_MASK and self.is_free(hint, hint + length):
            return hint
        top = MMAP_BASE
        for r in reversed(self.regions):
            if r.start >= top:
                continue
            if r.end <= top - length:
                break
            top = min(top, r.start)
        start = top - length
        return start if start >= max(MIN_ADDR, page_up(self.brk)) else None

    # --- pages and page tables -------------------------------------------------------------

    def _set_pte(self, vpn, pte):
        if pte:
            self.table.set(vpn, pte)
        else:
            self.table.clear(vpn)

    def _write_pte(self, vpn):
        """The leaf PTE for a present page, from its region's permissions."""
        r = self.region_at(vpn << 12)
        prot = r.prot if r else 0
        if not prot & (PROT_READ | PROT_WRITE | PROT_EXEC):
            self._set_pte(vpn, 0)              # PROT_NONE: the frame stays, access faults
            return
        bits = PTE_V | PTE_U | PTE_A | PTE_D
        if prot & (PROT_READ | PROT_WRITE):    # Sv32 has no write-only pages: W implies R
            bits |= PTE_R
        if prot & PROT_WRITE:
            bits |= PTE_W
        if prot & PROT_EXEC:
            bits |= PTE_X
        self._set_pte(vpn, leaf(RAM_BASE + self.pages[vpn], bits))

    def map_page(self, vpn):
        """Give page ``vpn`` (inside a region) a zeroed frame; return the frame's RAM index."""
        frame = self.frames.alloc()
        self.pages[vpn] = frame
        self._write_pte(vpn)
        return frame

    def populate(self, start, data):
        """Place ``data`` at ``start`` (inside regions), giving pages frames as needed."""
        pos = 0
        for va, off, n in page_pieces(start, len(data)):
            frame = self.pages.get(va >> 12)
            if frame is None:
                frame = self.map_page(va >> 12)
            self.bus.load_bytes(RAM_BASE + frame + off, data[pos:pos + n])
            pos += n

    def handle_fault(self, va, need):
        """A page fault at ``va`` needing permission ``need`` (PROT_*): serve it by demand
        paging and return None, or return why it cannot be served ('unmapped' / 'denied')."""
        r = self.region_at(va)
        if r is None:
            return 'unmapped'
        if not r.prot & need and not (need == PROT_READ and r.prot & PROT_WRITE):
            return 'denied'
        if (va >> 12) in self.pages:
            return 'denied'                     # present, yet the hardware said no
        self.map_page(va >> 12)
        self.page_faults += 1
        return None

    # --- the kernel's view: copy to and from the process -------------------------------------

    def _frame(self, vpn, need):
        frame = self.pages.get(vpn)
        r = self.region_at(vpn << 12)
        if r is None or not (r.prot & need or (need == PROT_READ and r.prot & PROT_WRITE)):
            raise GuestFault(vpn << 12)
        if frame is None:
            frame = self.map_page(vpn)
            self.page_faults += 1
        return frame

    def read(self, va, size):
        """``size`` bytes at ``va`` as the process sees them; GuestFault if not readable."""
        if va < 0 or va + size > 1 << 32:
            raise GuestFault(va)
        out = bytearray()
        ram = self.bus.ram
        for piece, off, n in page_pieces(va, size):
            frame = self._frame(piece >> 12, PROT_READ)
            out += ram[frame + off:frame + off + n]
        return bytes(out)

    def write(self, va, data):
        """Store ``data`` at ``va`` as the process would; GuestFault if not writable."""
        if va < 0 or va + len(data) > 1 << 32:
            raise GuestFault(va)
        pos = 0
        for piece, off, n in page_pieces(va, len(data)):
            frame = self._frame(piece >> 12, PROT_WRITE)
            self.bus.load_bytes(RAM_BASE + frame + off, data[pos:pos + n])  # code stays fresh
            pos += n

    def check(self, va, size, need):
        """GuestFault unless all of [va, va+size) is accessible with ``need``."""
        if va < 0 or va + size > 1 << 32:
            raise GuestFault(va)
        for vpn in range(va >> 12, (va + size + PAGE_MASK) >> 12):
            self._frame(vpn, need)

    def check_regions(self, va, size, need):
        """GuestFault unless [va, va+size) lies in regions that allow ``need`` (no paging in:
        a system call checks a buffer before filling it)."""
        if va + size > 1 << 32 or (size and va < MIN_ADDR):
            raise GuestFault(va)
        end = va + size
        while va < end:
            r = self.region_at(va)
            if r is None or not (r.prot & need or (need == PROT_READ and r.prot & PROT_WRITE)):
                raise GuestFault(va)
            va = r.end

    def read_u32(self, va):
        return int.from_bytes(self.read(va, 4), 'little')

    def write_u32(self, va, value):
        self.write(va, (value & 0xFFFFFFFF).to_bytes(4, 'little'))

    def read_cstring(self, va, limit=4096):
        """The NUL-terminated string at ``va`` (bytes, without the NUL); GuestFault if it runs
        into inaccessible memory, ValueError if longer than ``limit``."""
        out = bytearray()
        while len(out) <= limit:
            chunk = self.read(va, PAGE - (va & PAGE_MASK))
            end = chunk.find(b'\0')
            if end >= 0:
                out += chunk[:end]
                if len(out) > limit:
                    break
                return bytes(out)
            out += chunk
            va += len(chunk)
        raise ValueError('string too long')

    def peek(self, va, size):
        """Bytes at ``va`` for display only: no demand paging, no faults (None if absent)."""
        out = bytearray()
        ram = self.bus.ram
        for piece, off, n in page_pieces(va, size):
            frame = self.pages.get(piece >> 12)
            r = self.region_at(piece)
            if frame is None or r is None or not r.prot & (PROT_READ | PROT_WRITE):
                return None if not out else bytes(out)
            out += ram[frame + off:frame + off + n]
        return bytes(out)

    def peek_cstring(self, va, limit):
        """Up to ``limit`` bytes of the string at ``va`` and whether it ended (display only)."""
        data = self.peek(va, limit + 1) or b''
        if not data and va & PAGE_MASK:
            data = self.peek(va, PAGE - (va & PAGE_MASK)) or b''
        end = data.find(b'\0')
        if end >= 0 and end <= limit:
            return data[:end], True
        return (data[:limit], False) if data else (None, False)

    # --- for people ----------------------------------------------------------------------------

    def memory_map(self):
        """The regions like ``/proc/self/maps``: one line each, with resident pages."""
        lines = []
        for r in self.regions:
            resident = sum(1 for p in range(r.start >> 12, r.end >> 12) if p in self.pages)
            lines.append(f'{r.start:08x}-{r.end:08x} {prot_text(r.prot)}p '
                         f'{r.size // 1024:>7} KiB {resident:>6} pages resident  [{r.kind}]')
        return '\n'.join(lines)

    def translate(self, va):
        """Physical address of ``va`` according to these page tables, or None."""
        frame = self.pages.get(va >> 12)
        return None if frame is None else RAM_BASE + frame + (va & PAGE_MASK)
