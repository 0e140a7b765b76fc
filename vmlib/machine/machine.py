"""The whole computer: RAM, devices, one hart, a loader, and a way to run and watch it.

    >>> m = Machine.from_source('li a0, 0x5555\\n lui t0, 0x100\\n sw a0, 0(t0)')
    >>> m.run().reason
    'poweroff'

``engine`` chooses what runs the instructions: ``'interp'`` (the interpreter, ``interp.py``)
or ``'dbt'`` (the dynamic binary translator, ``dbt.py``); the results are the same.

``nonvirt=True`` makes the CPU the *non-virtualizable variant* of Popek & Goldberg's theorem
(``vmlib.hypervisor.popek``): in U-mode the CSR instructions on ``sstatus`` do not trap -- a
read returns the real ``sstatus``, a write is silently ignored, as x86's ``PUSHF``/``POPF``.
It is ``hart.nonvirt`` and may be switched at any time.

``ram=`` gives the machine a buffer of ``ram_size`` bytes to use as its RAM instead of a fresh
one, and ``uart=`` a UART of its own: the hypervisor's ``emulate`` technique runs a guest on
its slice of host memory, with the VM's console, this way.
"""

from ..isa import disassemble, decode, reg_name, CSR_NUMBERS
from .bus import Bus, RAM_BASE, DEFAULT_RAM_SIZE
from .devices import (Uart16550, Clint, SifiveTest, UART_BASE, UART_SIZE, CLINT_BASE,
                      CLINT_SIZE, TEST_BASE, TEST_SIZE)
from .hart import Hart
from .plic import Plic, PLIC_BASE, PLIC_SIZE
from .virtio import RamDma, attach
from .loader import parse_elf, raw_image, LoadedProgram, ElfError
from .fdt import machine_dtb
from .trace import Retired, Faulted, RegWrite, MemWrite, Halted, TrapTaken
from .traps import M, PRIV_NAMES, MEI, SEI
from . import csr as _csr

DEFAULT_MAX_STEPS = 100_000_000
UART_IRQ = 10                               # the UART's PLIC source on QEMU virt
EXTERNAL = 1 << MEI | 1 << SEI


def fdt_address(ram_base, ram_size, size):
    """Where the device tree goes: QEMU's ``riscv_compute_fdt_addr`` (hw/riscv/boot.c) puts
    it at the top of RAM (below 3 GiB) rounded down to 2 MiB, out of a kernel's way; a RAM
    too small for that gets it at its last 8-aligned bytes."""
    top = min(ram_base + ram_size, 3 << 30) if ram_base < 3 << 30 else ram_base + ram_size
    address = (top - size) & ~(2 * 1024 * 1024 - 1)
    return address if address >= ram_base else (ram_base + ram_size - size) & ~7


class RunResult:
    """Why a run stopped, with the exit status when the program chose one."""

    def __init__(self, reason, exit_status, instructions, message=''):
        self.reason = reason                # 'poweroff', 'htif', 'budget', 'wfi', 'trap-loop', 'reset'
        self.exit_status = exit_status
        self.instructions = instructions
        self.message = message

    def __repr__(self):
        status = '' if self.exit_status is None else f', exit_status={self.exit_status}'
        return f'RunResult({self.reason!r}{status}, instructions={self.instructions})'


class Machine:
    def __init__(self, ram_size=DEFAULT_RAM_SIZE, uart_output=None, uart_input_source=None,
                 engine='interp', nonvirt=False, ram=None, uart=None, virtio=(), reserved=(),
                 device_tree=False):
        """``virtio``: devices (``virtio.Block``, ``virtio.Console``) for the virtio-mmio slots,
        placed from the top slot down, as QEMU places its ``-device`` options.

        ``device_tree=True``: reset also writes the machine's device tree (``self.dtb``, from
        its device map) to RAM and points a1 at it, as QEMU's ``virt`` board does for the
        program it boots (``python -m vmlib boot`` and Linux ask for it). Off by default: a
        machine that is a part of something else (a process VM, a hypervisor's host, a
        chapter's small demo) keeps the course contract, a1 = 0 and RAM all zeros.
        ``reserved``: ``(base, size)`` ranges of RAM the tree tells a kernel to keep off."""
        self.uart = uart if uart is not None else Uart16550(uart_output, uart_input_source)
        self.clint = Clint()
        self.plic = Plic()
        self.test = SifiveTest(on_request=self._finisher)
        self.bus = Bus(ram_size, [(UART_BASE, UART_SIZE, self.uart),
                                  (CLINT_BASE, CLINT_SIZE, self.clint),
                                  (PLIC_BASE, PLIC_SIZE, self.plic),
                                  (TEST_BASE, TEST_SIZE, self.test)], ram)
        self.hart = Hart(self.bus, self.clint)
        self.plic.on_change = self.hart.set_external
        if self.uart.irq is None:
            self.uart.irq = self.plic.line(UART_IRQ)
        self.hart.idle = self._idle
        self.virtio = attach(virtio, self.bus.devices, RamDma.of_bus(self.bus), self.plic.line,
                             self.uart.emit)    # the eight slots, slot 0 first
        self.hart.use_engine(engine)        # interpreter or binary translator
        self.hart.nonvirt = bool(nonvirt)   # U-mode sstatus access does not trap (chapter 09)
        self.clint.instret = lambda: self.hart.instret
        self.bus.on_ram_write = self._ram_written
        self.dtb = (machine_dtb(RAM_BASE, self.bus.ram_size, self.bus.devices, reserved=reserved)
                    if device_tree else None)
        self.fdt_address = fdt_address(RAM_BASE, self.bus.ram_size, len(self.dtb)) \
            if device_tree else None
        self.tohost = None
        self.program = None
        self.symbols = {}
        self._trace = None
        self.reset(RAM_BASE)

    # --- construction ----------------------------------------------------------------------

    @classmethod
    def from_elf(cls, data, what='program', **kw):
        """A machine with the ELF ``data`` (bytes, or a path) loaded and at its entry."""
        if not isinstance(data, (bytes, bytearray)):
            what = str(data)
            with open(data, 'rb') as f:
                data = f.read()
        m = cls(**kw)
        m.load(parse_elf(bytes(data), what))
        return m

    @classmethod
    def from_source(cls, source, filename='<input>', defsym=None, include_dirs=(), **kw):
        """Assemble ``source`` with vmlib's assembler (``defsym`` and ``include_dirs`` as
        ``vmlib.asm.assemble`` takes them) and load it."""
        from ..asm import assemble
        program = assemble(source, filename, defsym=defsym, include_dirs=include_dirs)
        return cls.from_elf(program.to_elf(), what=filename, **kw)

    @classmethod
    def from_image(cls, data, base=RAM_BASE, **kw):
        m = cls(**kw)
        m.load(raw_image(data, base))
        return m

    def load(self, program: LoadedProgram):
        for addr, data, memsz in program.segments:
            if memsz > self.bus.ram_size:
                raise ElfError(f'a segment of {memsz:,} bytes does not fit in '
                               f'{self.bus.ram_size:,} bytes of RAM')
            data = data + bytes(memsz - len(data))
            if addr < RAM_BASE < addr + len(data) and not any(data[:RAM_BASE - addr]):
                data, addr = data[RAM_BASE - addr:], RAM_BASE      # padding below RAM
            try:
                self.bus.load_bytes(addr, data)
            except ValueError as e:
                raise ElfError(f'segment does not fit in memory: {e}') from None
        self.program = program
        self.symbols = program.symbols
        self.tohost = program.symbols.get('tohost')
        if self.tohost is not None:
            i = self.bus.ram_index(self.tohost)
            if i is not None:
                self.hart.mmu.forget_stores_to(i >> 12)
        self.reset(program.entry)

    def reset(self, entry):
        """Reset state: hart 0 in M-mode at ``entry``, a0 = hart id (0); with a device tree,
        a1 = its address (written again to RAM: QEMU's reset does both)."""
        h = self.hart
        h.x[:] = [0] * 33
        if self.dtb and not self._holds_program(self.fdt_address, len(self.dtb)):
            self.bus.load_bytes(self.fdt_address, self.dtb)
            h.x[11] = self.fdt_address
        h.pc = entry
        h.priv = M
        h.halted = None
        h.waiting = False
        h._select_tlbs()
        self._last_pc, self._last_priv = h.pc, h.priv

    def _holds_program(self, address, size):
        """Does the loaded program occupy any of these bytes? (A small RAM's device tree
        would land inside it: the program wins, and a1 stays 0.)"""
        program = self.program
        if program is None:
            return False
        spans = ([(a, memsz) for a, _, memsz in program.segments] if hasattr(program, 'segments')
                 else [(s.address, len(s.data)) for s in program.sections])   # assembled
        return any(a < address + size and address < a + n for a, n in spans)

    # --- running -------------------------------------------------------------------------

    def run(self, max_steps=DEFAULT_MAX_STEPS):
        """Run until the program stops the machine or ``max_steps`` instructions retire."""
        h = self.hart
        start = h.instret
        if self._trace is None:
            h.run(max_steps)
        else:
            while not h.halted and h.instret - start < max_steps:
                self.step()
        return self._result(h.instret - start)

    def _result(self, count):
        h = self.hart
        if h.halted:
            reason, status, message = h.halted
        else:
            reason, status, message = 'budget', None, (
                f'step budget exhausted: {count} instructions without the program stopping '
                f'the machine (pc=0x{h.pc:08x})')
        return RunResult(reason, status, count, message)

    def step(self):
        """One move, as a debugger's single step: execute one instruction, or take one trap.

        A due interrupt, or an instruction that faults, ends the step at the trap handler's
        entry with nothing retired. Events come in order: the instruction retired (or, when it
        raised an exception, :class:`Faulted`), what happened inside it (page walks, device
        accesses, traps), then the registers and memory it wrote.
        """
        h = self.hart
        events = []
        outer = self._trace
        self._set_hooks(events.append)
        before, n = h.x[:32], h.instret
        word_here = self._word_at(h.pc)       # read now: running it may change privilege
        h.single_step, h.trapped = True, False
        try:
            h.run(1)
        finally:
            self._set_hooks(outer)
            h.single_step = False
        done = []
        if h.instret > n:
            pc, word = self._last_pc, word_here
            done.append(Retired(n, pc, word, disassemble(word, pc, self.symbol_names()),
                                self._last_priv))
            done += [RegWrite(i, before[i], h.x[i]) for i in range(1, 32) if h.x[i] != before[i]]
            ins = decode(word)
            if ins is not None and ins.spec.kind == 'store':
                size = ins.spec.semantics[0]
                done.append(MemWrite((before[ins.rs1] + ins.imm) & 0xFFFFFFFF, size,
                                     before[ins.rs2] & ((1 << 8 * size) - 1)))
        else:
            fault = next((e for e in events if isinstance(e, TrapTaken)
                          and not e.cause >> 31), None)
            if fault is not None:           # an exception: name the instruction that raised it
                text = ('(no instruction: its fetch faulted)' if fault.cause in (0, 1, 12)
                        else disassemble(word_here, fault.epc, self.symbol_names()))
                done.append(Faulted(n, fault.epc, word_here, text, self._last_priv))
        events = done[:1] + events + done[1:]
        if h.halted:
            events.append(Halted(h.halted[0], h.halted[1]))
        self._last_pc, self._last_priv = h.pc, h.priv
        if outer:
            for e in events:
                outer(e)
        return events

    def _word_at(self, pc):
        try:
            return self.hart.fetch_word(pc)
        except Exception:
            return 0

    @property
    def trace(self):
        return self._trace

    @trace.setter
    def trace(self, sink):
        """Set a callable to receive every event; ``run`` then steps one at a time."""
        self._trace = sink
        self._set_hooks(sink)

    def _set_hooks(self, sink):
        self.hart.trace = sink
        self.bus.trace = sink

    def _ram_written(self, index, size):
        self.hart.ram_written(index, size)
        if self.tohost is not None:
            t = self.bus.ram_index(self.tohost)
            if t is not None and index <= t + 3 and t < index + size:
                value = int.from_bytes(self.bus.ram[t:t + 4], 'little')
                if value & 1:
                    self.hart.halt('htif', value >> 1, f'HTIF tohost exit, status {value >> 1}')

    def _idle(self, mie):
        """The hart would sleep in wfi: devices whose input comes from outside get it now,
        when an external interrupt could wake the hart (the run stays deterministic: input
        arrives at the same instruction every run)."""
        if mie & EXTERNAL:
            for _, _, device in self.bus.devices:
                poll = getattr(device, 'poll', None)
                if poll is not None:
                    poll()

    def _finisher(self, reason, status):
        message = 'test device: ' + ('reset requested' if reason == 'reset'
                                     else f'power off, status {status}')
        self.hart.halt(reason, status, message)

    # --- looking inside ----------------------------------------------------------------------

    @property
    def output(self):
        """Everything the program has written to the UART, as text."""
        return self.uart.text()

    def symbol_names(self):
        return self.program.symbol_names() if self.program else {}

    def reg(self, name_or_number):
        from ..isa import reg_number
        n = name_or_number if isinstance(name_or_number, int) else reg_number(name_or_number)
        return self.hart.x[n] if n else 0

    def registers(self):
        """{ABI name: value} for x0..x31."""
        return {reg_name(i): (self.hart.x[i] if i else 0) for i in range(32)}

    def csr(self, name):
        number = CSR_NUMBERS[name]
        read, _ = _csr.CSR_TABLE[number]
        return read(self.hart, number)

    @property
    def pc(self):
        return self.hart.pc

    @property
    def priv(self):
        return PRIV_NAMES[self.hart.priv]

    def read_memory(self, addr, size):
        """Physical memory bytes (RAM only)."""
        i = self.bus.ram_index(addr)
        if i is None:
            raise ValueError(f'0x{addr:08x} is not RAM')
        return bytes(self.bus.ram[i:i + size])
