"""The devices of the QEMU ``virt`` subset: NS16550A UART, CLINT, SiFive test device (the
PLIC is ``plic.py``).

Each device answers ``read(offset, size)`` and ``write(offset, size, value)`` for its own
register window; the bus routes physical addresses to them. A device that interrupts holds an
``irq`` callable (a ``plic.IrqLine``) and sets its level; one whose input arrives from outside
has ``poll()``, which the machine calls when the hart would sleep in ``wfi``.
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
    """An NS16550A as QEMU models it (``hw/char/serial.c``): transmit is always ready, input
    comes from a queue, and the interrupt line (``irq``, an ``IrqLine``: PLIC source 10 on
    the machine) follows IER and IIR.

    Two interrupts are modelled, in QEMU's order of priority: *received data* (IER.ERBFI,
    while input is queued) and *transmitter holding register empty* (IER.ETBEI). A byte
    written to THR leaves at once, so THR is empty again at once and the THRE interrupt is
    pending after every write to THR; it is also pending when ETBEI becomes set (THR is
    always empty), and reading IIR while it is the reported one clears it -- as QEMU does.
    Input arrives from ``input_source`` when the guest looks for it (LSR, RBR), when it sets
    ERBFI, and when it waits in ``wfi`` (``poll``): deterministic, yet an interrupt-driven
    guest gets its input.

    The rest of the register file reads as QEMU's: IER keeps its low four bits, MCR five,
    MCR starts with OUT2 set and MSR with DCD, DSR and CTS (no modem is attached, so they never
    change); in loopback (MCR.LOOP) MSR shows the modem outputs and a byte written to THR
    arrives in RBR instead of leaving (tests/conformance/uart.s, recorded on QEMU).
    """

    name = 'uart'
    LSR_DR, LSR_THRE, LSR_TEMT = 0x01, 0x20, 0x40
    IER_ERBFI, IER_ETBEI = 0x01, 0x02
    MCR_OUT2, MCR_LOOP = 0x08, 0x10
    MSR_RESET = 0xB0                        # DCD, DSR, CTS
    IIR_NONE, IIR_THRE, IIR_DATA, IIR_TIMEOUT, IIR_FIFO = 0x01, 0x02, 0x04, 0x0C, 0xC0
    FIFO_LEVELS = (1, 4, 8, 14)             # FCR bits 7:6: the receive trigger level

    def __init__(self, output=None, input_source=None, irq=None):
        self.output = bytearray()
        self.sink = output                  # optional callable(bytes), e.g. stdout
        self.input = deque()
        self.input_source = input_source    # optional callable() -> bytes, asked when empty
        self.irq = irq                      # optional callable(level): the interrupt line
        self.regs = [0] * 8                 # IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR
        self.regs[4], self.regs[6] = self.MCR_OUT2, self.MSR_RESET
        self.divisor = 0
        self.fcr = 0                        # FIFO control: bit 0 FIFOs on, bits 7:6 level
        self.thr_ipending = False           # the THRE interrupt is pending

    def feed(self, data):
        """Queue bytes for the guest to read."""
        self.input.extend(data)
        self._update()

    def _refill(self):
        if not self.input and self.input_source is not None:
            self.input.extend(self.input_source() or b'')
            self._update()

    def poll(self):
        """The hart is about to sleep in wfi: let input arrive if it could interrupt."""
        if self.regs[1] & self.IER_ERBFI:
            self._refill()

    def iir(self):
        """The Interrupt Identification Register: the highest-priority pending interrupt."""
        ier, reason = self.regs[1], self.IIR_NONE
        if ier & self.IER_ERBFI and self.input:
            # With FIFOs on and fewer bytes than the trigger level QEMU reports a character
            # timeout after four character times; here the timeout is immediate.
            enough = not self.fcr & 1 or len(self.input) >= self.FIFO_LEVELS[self.fcr >> 6]
            reason = self.IIR_DATA if enough else self.IIR_TIMEOUT
        elif ier & self.IER_ETBEI and self.thr_ipending:
            reason = self.IIR_THRE
        return reason | (self.IIR_FIFO if self.fcr & 1 else 0)

    def _update(self):
        if self.irq is not None:
            self.irq(not self.iir() & self.IIR_NONE)

    def read(self, offset, size):
        dlab = self.regs[3] & 0x80
        if offset == 0:
            if dlab:
                return self.divisor & 0xFF
            self._refill()
            value = self.input.popleft() if self.input else 0
            self._update()
            return value
        if offset == 1:
            return self.divisor >> 8 if dlab else self.regs[1]
        if offset == 2:
            value = self.iir()
            if value & 0x0F == self.IIR_THRE:
                self.thr_ipending = False
                self._update()
            return value
        if offset == 5:
            self._refill()
            return self.LSR_THRE | self.LSR_TEMT | (self.LSR_DR if self.input else 0)
        if offset == 6 and self.regs[4] & self.MCR_LOOP:    # outputs wired to inputs
            mcr = self.regs[4]
            return (mcr & 0x0C) << 4 | (mcr & 0x02) << 3 | (mcr & 0x01) << 5
        return self.regs[offset] if offset < 8 else 0

    def write(self, offset, size, value):
        value &= 0xFF
        dlab = self.regs[3] & 0x80
        if offset == 0:
            if dlab:
                self.divisor = self.divisor & 0xFF00 | value
            elif self.regs[4] & self.MCR_LOOP:
                self.feed(bytes((value,)))  # looped back to the receiver
                self.thr_ipending = True
                self._update()
            else:
                self.output.append(value)
                if self.sink:
                    self.sink(bytes((value,)))
                self.thr_ipending = True    # sent at once: THR is empty again
                self._update()
        elif offset == 1:
            if dlab:
                self.divisor = self.divisor & 0xFF | value << 8
                return
            changed, self.regs[1] = (self.regs[1] ^ value) & 0x0F, value & 0x0F
            if changed & self.IER_ETBEI:    # QEMU: ETBEI set while THR is empty
                self.thr_ipending = bool(value & self.IER_ETBEI)
            if changed & value & self.IER_ERBFI:
                self._refill()
            self._update()
        elif offset == 2:                   # FCR: FIFO enable, receive clear, trigger level
            if value & 0x02:
                self.input.clear()
            self.fcr = value & 0xC1
            self._update()
        elif offset == 4:
            self.regs[4] = value & 0x1F
        elif offset in (3, 7):              # LCR, SCR (LSR and MSR are read-only)
            self.regs[offset] = value

    def text(self):
        return self.output.decode('utf-8', errors='replace')

    def emit(self, data):
        """Another device's output joining this one's, in order (a virtio console on the same
        terminal, as QEMU's multiplexed ``stdio`` chardev joins them)."""
        self.output += data
        if self.sink:
            self.sink(bytes(data))


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
