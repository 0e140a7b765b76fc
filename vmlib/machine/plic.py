"""The platform-level interrupt controller: SiFive's PLIC, as on QEMU's ``virt`` board.

Devices do not touch ``mip`` themselves. Each one holds an ``IrqLine``, a wire to one PLIC
*source*, and sets its level; the PLIC decides which hart *context* hears about it and drives
that context's bit of ``mip``: context 0 is hart 0 in M-mode (MEIP), context 1 hart 0 in
S-mode (SEIP) -- QEMU virt's ``hart-config`` "MS". The register layout (offsets from
``PLIC_BASE``) is the one the RISC-V PLIC specification and QEMU's ``hw/intc/sifive_plic.c``
share:

========================  =========================================================
``+4*s``                  priority of source s (1..95; 0 never interrupts)
``+0x1000``               pending bits, 32 sources a word (read-only)
``+0x2000 + 0x80*c``      enable bits of context c
``+0x20_0000 + 0x1000*c`` priority threshold of context c
``+0x20_0004 + 0x1000*c`` claim (read) / complete (write) of context c
========================  =========================================================

A context's output is high while some source is pending, enabled for it and of a priority
above its threshold; a *claim* returns the best such source (highest priority, ties to the
lowest id) and clears its pending bit; a *complete* ends the handling. In between, the
source's *gateway* forwards no new request; at completion a level-triggered source whose line
is still high is pending again (PLIC spec, "Interrupt Gateways"). A request once forwarded is
not retracted when the line drops before the claim (the spec again, and QEMU 7.2 alike).
"""

from .traps import Trap, LOAD_ACCESS, STORE_ACCESS, MEI, SEI

PLIC_BASE, PLIC_SIZE = 0x0C00_0000, 0x400_0000     # the spec's map: up to 15872 contexts
NUM_SOURCES = 96            # QEMU virt's VIRT_IRQCHIP_NUM_SOURCES: pending/enable bits 0..95
PRIORITIES = NUM_SOURCES + 1    # QEMU 7.2 has priority registers for sources 1..96 (measured)
PRIORITY_MASK = 7           # VIRT_IRQCHIP_NUM_PRIO_BITS = 3: priorities 0..7
CONTEXT_IRQS = (MEI, SEI)   # the mip bit each context drives (context 0: M, context 1: S)

PENDING, ENABLE, ENABLE_STRIDE = 0x1000, 0x2000, 0x80
CONTEXT, CONTEXT_STRIDE, CLAIM = 0x20_0000, 0x1000, 4
WORDS = (NUM_SOURCES + 31) // 32                    # words of pending or enable bits


class IrqLine:
    """One interrupt wire from a device to a PLIC source: call it with the new level.

    This is all a device knows of interrupts: the UART holds line 10, a virtio-mmio slot
    line 1 + n. Setting the level it already has does nothing."""

    __slots__ = ('plic', 'source', 'level')

    def __init__(self, plic, source):
        if not 0 < source < NUM_SOURCES:
            raise ValueError(f'PLIC source {source} does not exist (1..{NUM_SOURCES - 1})')
        self.plic, self.source, self.level = plic, source, False

    def __call__(self, level):
        level = bool(level)
        if level != self.level:
            self.level = level
            self.plic.set_level(self.source, level)

    def __repr__(self):
        return f'IrqLine({self.source}, {"high" if self.level else "low"})'


class Plic:
    name = 'plic'

    def __init__(self, on_change=None):
        self.on_change = on_change          # callable(mip bits): the machine sets the hart's
        self.priority = [0] * PRIORITIES
        self.pending = 0                    # bit s: source s has a request waiting
        self.in_flight = 0                  # bit s: forwarded, not yet completed
        self.lines = 0                      # bit s: source s's line is high
        self.enable = [0] * len(CONTEXT_IRQS)
        self.threshold = [0] * len(CONTEXT_IRQS)
        self.outputs = 0                    # the mip bits (MEIP, SEIP) driven now

    def line(self, source):
        """A new ``IrqLine`` to ``source``, to hand to a device."""
        return IrqLine(self, source)

    # --- the gateways ------------------------------------------------------------------------

    def set_level(self, source, level):
        """A device's line changed: high forwards a request unless one is in flight."""
        bit = 1 << source
        if level:
            self.lines |= bit
            if not self.in_flight & bit:
                self.in_flight |= bit
                self.pending |= bit
                self._update()
        else:
            self.lines &= ~bit

    def best(self, context):
        """The source a claim by ``context`` would get now (0: none)."""
        candidates = self.pending & self.enable[context]
        best, best_priority = 0, self.threshold[context]
        while candidates:
            low = candidates & -candidates
            source = low.bit_length() - 1
            if self.priority[source] > best_priority:
                best, best_priority = source, self.priority[source]
            candidates ^= low
        return best

    def claim(self, context):
        source = self.best(context)
        if source:
            self.pending &= ~(1 << source)
            self._update()
        return source

    def complete(self, context, source):
        """End the handling of ``source``; ignored unless it is enabled for ``context`` and
        in flight (PLIC spec, "Interrupt Completion"; QEMU 7.2 does not check the enable)."""
        bit = 1 << source
        if not (0 < source < NUM_SOURCES and self.enable[context] & bit
                and self.in_flight & bit and not self.pending & bit):
            return
        self.in_flight &= ~bit
        if self.lines & bit:                # level-triggered: still high, a new request
            self.set_level(source, True)

    def _update(self):
        outputs = 0
        for context, irq in enumerate(CONTEXT_IRQS):
            if self.best(context):
                outputs |= 1 << irq
        if outputs != self.outputs:
            self.outputs = outputs
            if self.on_change is not None:
                self.on_change(outputs)

    # --- registers ---------------------------------------------------------------------------

    def read(self, offset, size):
        if size != 4:                       # QEMU: 32-bit accesses only
            raise Trap(LOAD_ACCESS, offset)
        if offset < 4 * PRIORITIES:
            return self.priority[offset >> 2]
        if PENDING <= offset < PENDING + 4 * WORDS:
            return self.pending >> 8 * (offset - PENDING) & 0xFFFF_FFFF
        context, word = self._enable_word(offset)
        if context is not None:
            return self.enable[context] >> 32 * word & 0xFFFF_FFFF
        context, register = self._context_register(offset)
        if register == 0:
            return self.threshold[context]
        if register == CLAIM:
            return self.claim(context)
        return 0                            # unimplemented: reads 0, as on QEMU

    def write(self, offset, size, value):
        if size != 4:
            raise Trap(STORE_ACCESS, offset)
        if 4 <= offset < 4 * PRIORITIES:    # WARL: the high bits are dropped, as QEMU does
            self.priority[offset >> 2] = value & PRIORITY_MASK
            self._update()
            return
        context, word = self._enable_word(offset)
        if context is not None:
            shift = 32 * word
            self.enable[context] = (self.enable[context] & ~(0xFFFF_FFFF << shift)
                                    | value << shift)
            self._update()
            return
        context, register = self._context_register(offset)
        if register == 0:
            self.threshold[context] = value & PRIORITY_MASK
            self._update()
        elif register == CLAIM:
            self.complete(context, value)
        # the pending bits and everything unimplemented ignore writes

    def _enable_word(self, offset):
        rel = offset - ENABLE
        context, word = divmod(rel, ENABLE_STRIDE) if rel >= 0 else (-1, 0)
        if 0 <= context < len(CONTEXT_IRQS) and word < 4 * WORDS:
            return context, word >> 2
        return None, None

    def _context_register(self, offset):
        rel = offset - CONTEXT
        context, register = divmod(rel, CONTEXT_STRIDE) if rel >= 0 else (-1, 0)
        if 0 <= context < len(CONTEXT_IRQS):
            return context, register
        return None, None
