"""Host memory cut up for virtual machines: the VMM's own frames, and one slice per guest.

The host machine has one RAM (``vmlib.machine.bus``). The hypervisor divides it once, when it
starts, and never changes the division:

    host RAM 0x8000_0000 +----------------------------+
                         | VMM: shadow page tables,   |  VMM_POOL_SIZE per guest (a FramePool),
                         | one pool of frames per VM  |  mapped by no guest: out of its reach
                         +----------------------------+  (everything else the VMM keeps is
                         | guest 0: GUEST_RAM_SIZE    |  Python, outside the machine)
                         +----------------------------+
                         | guest 1 ...                |
                         +----------------------------+

Each guest sees its slice as guest-physical ``0x8000_0000 .. 0x8000_0000 + GUEST_RAM_SIZE``,
exactly the RAM of the bare machine it believes it has. ``GuestMemory`` turns guest-physical
addresses into host ones; any address outside the slice is *not RAM* for that guest, so no
guest can name a byte of another guest or of the VMM.
"""

from ..machine.bus import RAM_BASE
from ..machine.virtio import RamDma

GUEST_RAM_BASE = RAM_BASE           # where a guest's RAM starts, guest-physical
GUEST_RAM_SIZE = 4 << 20            # the guest kernel's contract: 4 MiB (vmlib.guest)
VMM_POOL_SIZE = 512 << 10           # shadow page-table frames per guest (128 pages)
ALIGN = 4 << 20                     # guest slices start on 4 MiB boundaries


def host_ram_size(guests, guest_ram=GUEST_RAM_SIZE):
    """The host RAM a hypervisor with ``guests`` guests needs (VMM area + guest slices)."""
    return vmm_area_size(guests) + guests * guest_ram


def vmm_area_size(guests):
    size = max(guests, 1) * VMM_POOL_SIZE
    return (size + ALIGN - 1) // ALIGN * ALIGN


class GuestMemory:
    """One guest's physical memory: ``size`` bytes of host RAM starting at host index ``base``.

    ``index(gpa)`` is the position in the host's RAM (``bus.ram``) of guest-physical ``gpa``,
    or None when ``gpa`` is not this guest's RAM. Writes go through the host bus so that the
    host's decoded-instruction cache hears about them (a VMM write may overwrite code).
    """

    def __init__(self, bus, base, size=GUEST_RAM_SIZE):
        self.bus, self.base, self.size = bus, base, size

    def index(self, gpa):
        offset = gpa - GUEST_RAM_BASE
        return self.base + offset if 0 <= offset < self.size else None

    def contains(self, gpa, size=1):
        offset = gpa - GUEST_RAM_BASE
        return 0 <= offset and offset + size <= self.size

    def host_pa(self, gpa):
        """The host-physical address of guest-physical ``gpa`` (which must be RAM)."""
        return RAM_BASE + self.index(gpa)

    def read(self, gpa, size):
        i = self.index(gpa)
        return int.from_bytes(self.bus.ram[i:i + size], 'little')

    def write(self, gpa, size, value):
        self.bus.write(self.host_pa(gpa), size, value)

    def load(self, gpa, data):
        """Place ``data`` at guest-physical ``gpa``; ValueError if it does not fit."""
        if not self.contains(gpa, len(data)):
            raise ValueError(f'0x{gpa:08x}..0x{gpa + len(data):08x} is outside the guest\'s '
                             f'RAM (0x{GUEST_RAM_BASE:08x}..'
                             f'0x{GUEST_RAM_BASE + self.size:08x})')
        self.bus.load_bytes(self.host_pa(gpa), bytes(data))

    def load_program(self, program):
        """Place an assembled ``vmlib.asm.Program``'s sections (``.bss`` is zeros)."""
        for section in program.sections:
            self.load(section.address, section.data)

    def dma(self, written=None):
        """This memory as a guest's virtio device reaches it (``virtio.RamDma``): its RAM only;
        the host's code caches hear of every write, as of the VMM's own, and so does
        ``written(gpa, size)`` (the shadow MMU, should a device write a page table)."""
        bus = self.bus

        def on_write(i, n):
            if bus.on_ram_write:
                bus.on_ram_write(i, n)
            if written is not None:
                written(i - self.base + GUEST_RAM_BASE, n)
        return RamDma(bus.ram, self.index, on_write)

    def view(self):
        """A memoryview of the whole slice (for an emulated machine's RAM, or snapshots)."""
        return memoryview(self.bus.ram)[self.base:self.base + self.size]

    def snapshot(self):
        return bytes(self.view())
