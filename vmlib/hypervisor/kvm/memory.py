"""Memory as KVM sees it: the VMM's (``HostMemory``), its memory slots, and the G-stage table
that maps them for a guest (nested paging)."""

from dataclasses import dataclass, field

from ...machine.bus import RAM_BASE
from ...machine.hcsr import HGATP_MODE
from ...machine.sv32 import PTE_V, PTE_W
from .api import GUEST_RAM_PTE

# --- memory --------------------------------------------------------------------------------

class HostMemory:
    """``size`` bytes of the host's RAM from RAM index ``base``: what ``mmap`` gives a VMM
    (and what a hypervisor's ``GuestMemory`` slice is too: anything with ``bus``, ``base``
    and ``size`` will do)."""

    def __init__(self, bus, base, size):
        self.bus, self.base, self.size = bus, base, size

    def view(self):
        return memoryview(self.bus.ram)[self.base:self.base + self.size]

    def write(self, offset, data):
        """The VMM writes its memory (a kernel image...); through the bus, so that the
        host's decoded-instruction caches hear of it."""
        if not 0 <= offset <= self.size - len(data):
            raise ValueError(f'{len(data)} bytes at offset {offset:#x} do not fit in '
                             f'{self.size:#x}')
        self.bus.load_bytes(RAM_BASE + self.base + offset, bytes(data))


@dataclass
class MemorySlot:
    slot: int
    guest_phys_addr: int
    memory: object
    flags: int
    dirty: set = field(default_factory=set)     # pages written since the last get_dirty_log

    @property
    def size(self):
        return self.memory.size

    def contains(self, gpa):
        return 0 <= gpa - self.guest_phys_addr < self.size


class GStage:
    """The G-stage page table (Sv32x4) KVM keeps for one VM: 4 KiB leaves, each guest page
    of a memory slot onto the host frame behind it, all U=1 (G-stage accesses are user
    ones); W left out where writes must exit (a read-only slot) or be seen (dirty logging)."""

    def __init__(self, bus, frames):
        self.bus, self.ram32, self.frames = bus, bus.ram32, frames
        self.root = frames.alloc_aligned(4, 16 << 10)       # 16 KiB, 16 KiB aligned
        self.l0 = {}                                        # root index -> RAM index

    @property
    def hgatp(self):
        return HGATP_MODE | (RAM_BASE + self.root) >> 12

    def _slot_of(self, gpa):
        hi = gpa >> 22 & 0xFFF
        l0 = self.l0.get(hi)
        if l0 is None:
            l0 = self.l0[hi] = self.frames.alloc()
            self.ram32[(self.root >> 2) + hi] = (RAM_BASE + l0) >> 12 << 10 | PTE_V
        return (l0 >> 2) + (gpa >> 12 & 0x3FF)

    def map(self, gpa, host_index, writable):
        self.ram32[self._slot_of(gpa)] = ((RAM_BASE + host_index) >> 12 << 10 | GUEST_RAM_PTE
                                          | (PTE_W if writable else 0))

    def unmap(self, gpa):
        self.ram32[self._slot_of(gpa)] = 0

    def set_writable(self, gpa, writable):
        i = self._slot_of(gpa)
        self.ram32[i] = self.ram32[i] & ~PTE_W | (PTE_W if writable else 0)
