"""The devices of the QEMU ``virt`` subset: NS16550A UART, CLINT, SiFive test device.

Each device answers ``read(offset, size)`` and ``write(offset, size, value)`` for its own
register window; the bus routes physical addresses to them.
"""

from collections import deque

UART_BASE, UART_SIZE = 0x1000_0000, 0x100
CLINT_BASE, CLINT_SIZE = 0x0200_0000, 0x1_0000
TEST_BASE, TEST_SIZE = 0x0010_0000, 0x1000

INSTRUCTIONS_PER_TICK = 10
"""mtime ticks once every 10 retired instructions: a 10 MHz timebase (QEMU virt's
timebase-frequency) for a hart that retires one instruction per cycle at 100 MHz. Time is
derived from the instruction count, so every run of a program is identical."""


class Uart16550:
    """An NS16550A as QEMU models it, minus interrupts: transmit is always ready."""

    name = 'uart'
    LSR_DR, LSR_THRE, LSR_TEMT = 0x01, 0x20, 0x40

    def __init__(self, output=None, input_source=None):
        self.output = bytearray()
        self.sink = output                  # optional callable(bytes), e.g. stdout
        self.input = deque()
        self.input_source = input_source    # optional callable() -> bytes, asked when empty
        self.regs = [0] * 8                 # IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR
        self.divisor = 0

    def feed(self, data):
        """Queue bytes for the guest to read."""
        self.input.extend(data)

    def _refill(self):
        if not self.input and self.input_source is not None:
            self.feed(self.input_source() or b'')

    def read(self, offset, size):
        dlab = self.regs[3] & 0x80
        if offset == 0:
            if dlab:
                return self.divisor & 0xFF
            self._refill()
            return self.input.popleft() if self.input else 0
        if offset == 1 and dlab:
            return self.divisor >> 8
        if offset == 2:
            return 0xC1                     # no interrupt pending, FIFOs enabled
        if offset == 5:
            self._refill()
            return self.LSR_THRE | self.LSR_TEMT | (self.LSR_DR if self.input else 0)
        return self.regs[offset] if offset < 8 else 0

    def write(self, offset, size, value):
        value &= 0xFF
        if offset == 0:
            if self.regs[3] & 0x80:
                self.divisor = self.divisor & 0xFF00 | value
            else:
                self.output.append(value)
                if self.sink:
                    self.sink(bytes((value,)))
        elif offset == 1 and self.regs[3] & 0x80:
            self.divisor = self.divisor & 0xFF | value << 8
        elif offset < 8 and offset not in (2, 5):
            self.regs[offset] = value

    def text(self):
        return self.output.decode('utf-8', errors='replace')


class Clint:
    """Core-local interruptor: msip (software interrupt) and mtime/mtimecmp (timer)."""

    name = 'clint'
    MSIP, MTIMECMP, MTIME = 0x0, 0x4000, 0xBFF8

    def __init__(self):
        self.msip = 0
        self.mtimecmp = (1 << 64) - 1
        self.offset = 0                     # mtime = instret // INSTRUCTIONS_PER_TICK + offset
        self.instret = lambda: 0            # wired to the hart by the machine

    def mtime(self, instret=None):
        n = self.instret() if instret is None else instret
        return (n // INSTRUCTIONS_PER_TICK + self.offset) & ((1 << 64) - 1)

    def timer_due_at(self):
        """The instruction count at which mtime reaches mtimecmp (for the run loop)."""
        return (self.mtimecmp - self.offset) * INSTRUCTIONS_PER_TICK

    def read(self, offset, size):
        if offset == self.MSIP:
            return self.msip
        if self.MTIMECMP <= offset < self.MTIMECMP + 8:
            return self.mtimecmp >> 8 * (offset - self.MTIMECMP) & (1 << 8 * size) - 1
        if self.MTIME <= offset < self.MTIME + 8:
            return self.mtime() >> 8 * (offset - self.MTIME) & (1 << 8 * size) - 1
        return 0

    def write(self, offset, size, value):
        if offset == self.MSIP:
            self.msip = value & 1
        elif self.MTIMECMP <= offset < self.MTIMECMP + 8:
            self.mtimecmp = _merge(self.mtimecmp, offset - self.MTIMECMP, size, value)
        elif self.MTIME <= offset < self.MTIME + 8:
            now = self.mtime()
            self.offset += _merge(now, offset - self.MTIME, size, value) - now


def _merge(old, byte_offset, size, value):
    shift, mask = 8 * byte_offset, (1 << 8 * size) - 1
    return old & ~(mask << shift) & ((1 << 64) - 1) | (value & mask) << shift


class SifiveTest:
    """The finisher: write 0x5555 to power off (status 0), (code << 16) | 0x3333 to fail."""

    name = 'test'

    def __init__(self, on_request=None):
        self.request = None                 # (reason, exit_status) once written
        self.on_request = on_request

    def read(self, offset, size):
        return 0

    def write(self, offset, size, value):
        if offset != 0:
            return
        kind, code = value & 0xFFFF, value >> 16 & 0xFFFF
        if kind == 0x5555:
            self.request = ('poweroff', 0)
        elif kind == 0x3333:
            self.request = ('poweroff', code)
        elif kind == 0x7777:
            self.request = ('reset', None)
        if self.request and self.on_request:
            self.on_request(*self.request)
