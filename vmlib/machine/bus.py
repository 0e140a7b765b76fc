"""Physical memory: RAM at 0x8000_0000 and the MMIO windows of the devices.

RAM is one anonymous ``mmap`` (the operating system hands out zeroed pages only when they are
touched, so a 128 MiB machine costs nothing to create) with two typed views (16- and 32-bit
little-endian words) that the interpreter's fast paths index directly. Everything else — device registers, addresses
where nothing is mapped — goes through ``read``/``write`` here, which raise the access fault
the hardware would.
"""

import mmap
import sys

from .devicemap import DeviceMap
from .traps import Trap

RAM_BASE = 0x8000_0000
DEFAULT_RAM_SIZE = 128 << 20

assert sys.byteorder == 'little', 'the RAM views assume a little-endian host'


class Bus:
    def __init__(self, ram_size=DEFAULT_RAM_SIZE, devices=(), ram=None):
        """``devices``: a ``DeviceMap`` (or ``(base, size, device)`` triples to make one).
        ``ram``: a writable buffer of ``ram_size`` bytes to use as RAM (a hypervisor gives
        an emulated guest its slice of host memory this way); by default a fresh one."""
        if ram is None:
            ram = mmap.mmap(-1, ram_size)
        elif len(memoryview(ram)) != ram_size:
            raise ValueError(f'the RAM buffer has {len(memoryview(ram)):,} bytes, '
                             f'not {ram_size:,}')
        self.ram = ram
        self.ram16 = memoryview(ram).cast('B').cast('H')
        self.ram32 = memoryview(ram).cast('B').cast('I')
        self.ram_size = ram_size
        self.devices = devices if isinstance(devices, DeviceMap) else DeviceMap(devices)
        self.trace = None                   # set by the machine
        self.on_ram_write = None            # callable(index, size): code and HTIF watch

    def ram_index(self, pa):
        """Index into ``ram`` for physical address ``pa``, or None when it is not RAM."""
        i = pa - RAM_BASE
        return i if 0 <= i < self.ram_size else None

    def device_at(self, pa):
        return self.devices.find(pa)

    def read(self, pa, size, fault=5):
        """Read ``size`` bytes at physical ``pa``; raise access fault ``fault`` if unmapped."""
        i = self.ram_index(pa)
        if i is not None and i + size <= self.ram_size:
            return int.from_bytes(self.ram[i:i + size], 'little')
        base, dev = self.device_at(pa)
        if dev is None:
            raise Trap(fault, pa)
        value = dev.read(pa - base, size) & ((1 << 8 * size) - 1)
        if self.trace:
            from .trace import DeviceAccess
            self.trace(DeviceAccess(dev.name, pa - base, size, value, False))
        return value

    def write(self, pa, size, value, fault=7):
        i = self.ram_index(pa)
        if i is not None and i + size <= self.ram_size:
            self.ram[i:i + size] = (value & ((1 << 8 * size) - 1)).to_bytes(size, 'little')
            if self.on_ram_write:
                self.on_ram_write(i, size)
            return
        base, dev = self.device_at(pa)
        if dev is None:
            raise Trap(fault, pa)
        if self.trace:
            from .trace import DeviceAccess
            self.trace(DeviceAccess(dev.name, pa - base, size, value, True))
        dev.write(pa - base, size, value & ((1 << 8 * size) - 1))

    def load_bytes(self, pa, data):
        """Place ``data`` in RAM at physical ``pa`` (the loader's path); raise ValueError."""
        i = self.ram_index(pa)
        if i is None or i + len(data) > self.ram_size:
            raise ValueError(f'0x{pa:08x}..0x{pa + len(data):08x} is outside RAM '
                             f'(0x{RAM_BASE:08x}..0x{RAM_BASE + self.ram_size:08x})')
        self.ram[i:i + len(data)] = data
        if self.on_ram_write:
            self.on_ram_write(i, len(data))
