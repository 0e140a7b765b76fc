"""One RISC-V hart: its architectural state, the engine that runs it, and its slow paths.

The architectural state and the privileged spec's rules are an ``ArchState`` (``state.py``),
shared with a hypervisor's virtual CPU. A ``Hart`` adds the machine around them: the bus and
the CLINT, the MMU and its TLBs, the decoded-instruction cache, and an *engine* that executes
instructions -- the interpreter (``engines.Interpreter``, the generated loop of ``interp.py``)
or the dynamic binary translator (``dbt.Translator``). The engines call back here for the rare
and complicated things: taking a trap, deciding whether an interrupt is due, the ``system``
instructions (executed by ``execute.py``, the one instruction emulator), and loads and stores
the TLB cannot serve (device registers, misaligned accesses, TLB misses).

A run (``run``) ends with an ``Exit``: the budget was used up, the machine stopped
(``halted``: power-off, reset, a ``wfi`` nothing can wake, a trap loop), or a trap hook asked
for an exit (``exit_now``): how a hypervisor takes the hart back from a guest.
"""

from ..isa import decode
from ..isa.csrs import CSR_NUMBERS
from ..isa.table import OP_DECODE
from .csr import CSR_TABLE, MPP_SHIFT, MPRV, MPV
from .dbt import Translator
from .engines import Interpreter
from .execute import SYSTEM
from .exit import Exit
from .mmu import Mmu
from .state import ArchState
from .sv32 import FETCH, LOAD, STORE, ACCESS_FAULT
from .trace import TrapTaken, TrapReturn, PrivilegeChange
from .traps import (Trap, INTERRUPT, FETCH_ACCESS, FETCH_PAGE_FAULT, MISALIGNED_FETCH, MSI,
                    MTI, M, S, U, VU, VS)

M32 = 0xFFFFFFFF
DECODE_SLOT = (OP_DECODE, 0, 0, 0, 0)
SSTATUS = CSR_NUMBERS['sstatus']
TRAP_LOOP_LIMIT = 64        # traps in a row without one instruction retiring: a broken handler
FETCH_FAULTS = (MISALIGNED_FETCH, FETCH_ACCESS, FETCH_PAGE_FAULT)

#: the engines a hart can run on, by name
ENGINES = {'interp': Interpreter, 'dbt': Translator}


class Hart(ArchState):
    def __init__(self, bus, clint):
        super().__init__()
        self.bus, self.clint = bus, clint
        self.instret = 0                # instructions retired: also the clock (see devices.py)
        self.halted = None              # (reason, exit_status, message) once the machine stops
        self.exit_request = None        # the Exit a trap hook asked for (exit_now)
        self.single_step = False        # stop as soon as a trap is taken (Machine.step)
        self.trapped = False
        self.trace = None
        self.trap_hook = None           # callable(cause, tval) -> True when the host served it
        self.stats_traps = {}           # cause -> count
        self.stats_returns = 0          # mret and sret executed
        self._trap_streak = (0, -1, None)   # (traps in a row, instret then, the first trap)
        self.mmu = Mmu(self)
        self.icache = {}                # RAM page number -> list of 1024 decoded slots
        self.code_written = None        # callable(index, size): the translator's RAM watch
        self.nonvirt = False            # the non-virtualizable variant (see csr_refused)
        self.external = 0               # MEIP/SEIP as the interrupt controller drives them
        self.idle = None                # callable(mie): a wfi is about to sleep (see service)
        self._select_tlbs()
        self._engines = {}
        self.engine = self.use_engine('interp')

    # --- engines -------------------------------------------------------------------------------

    def use_engine(self, engine):
        """Run on ``engine`` from now on -- a name of ``ENGINES`` ('interp' or 'dbt'), or an
        ``Engine`` subclass of your own -- and return it. A hart keeps each engine it made
        (a translator keeps its block cache)."""
        if isinstance(engine, str) and engine not in ENGINES:
            raise ValueError(f'unknown engine {engine!r} (choose from {", ".join(ENGINES)})')
        made = self._engines.get(engine)
        if made is None:
            made = self._engines[engine] = (ENGINES[engine] if isinstance(engine, str)
                                            else engine)(self)
        self.engine = made
        return made

    def translator(self):
        """This hart's dynamic binary translator (made on first use; not switched to)."""
        engine = self._engines.get('dbt')
        return engine if engine is not None else self._engines.setdefault('dbt', Translator(self))

    def run(self, budget):
        """Execute up to ``budget`` instructions on the engine; return the ``Exit``."""
        start = self.instret
        self.exit_request = None
        self.engine.run(budget)
        retired = self.instret - start
        exit, self.exit_request = self.exit_request, None
        if exit is not None:
            return exit._replace(retired=retired)
        return Exit('halted' if self.halted else 'budget', pc=self.pc, retired=retired)

    def reset_trap_streak(self):
        """A hypervisor served the trap that ended a run and resumes the guest: traps after
        this are not the echo of that one (see ``TRAP_LOOP_LIMIT``)."""
        self._trap_streak = (0, -1, None)

    def exit_now(self, exit):
        """From a trap hook: end the run as soon as the trap is taken, with ``exit``."""
        self.exit_request = exit

    def halt(self, reason, exit_status=None, message=''):
        self.halted = (reason, exit_status, message)

    # --- privilege and the TLBs it selects ---------------------------------------------

    def _select_tlbs(self):
        """Point the fast path at the TLBs for the current fetch and data mode (M-mode's
        loads and stores with mstatus.MPRV act in mstatus.MPP's mode, and MPV's V)."""
        mode = data_mode = self.mode
        if self.priv == M and self.mstatus & MPRV:
            data_mode = self.mstatus >> MPP_SHIFT & 3
            if data_mode != M and self.mstatus & MPV:
                data_mode |= 4
        self.rtlb, self.wtlb, _ = self.mmu.tlbs[data_mode]
        self.xtlb = self.mmu.tlbs[mode][2]
        self.data_mode, self.selected_mode = data_mode, mode

    def set_priv(self, new):
        """Switch to privilege ``new`` (V already set by the trap or return)."""
        old = self.selected_mode
        self.priv = new
        self._select_tlbs()
        if self.trace and self.selected_mode != old:
            self.trace(PrivilegeChange(old, self.selected_mode))

    def translation_changed(self):
        self.mmu.flush(fence=False)
        self._select_tlbs()

    def fence_vma(self):
        self.mmu.flush()

    # --- time and interrupts -------------------------------------------------------------------

    def retired(self):
        return self.instret

    def time(self):
        return self.clint.mtime(self.instret)

    def mip(self, n=None):
        """The software-written bits, ORed with the lines of the CLINT and the PLIC: for SEIP
        the privileged spec wants exactly that OR (``mip_soft`` keeps the software's bit);
        and the VS-level interrupts a hypervisor injects (``hvip``)."""
        n = self.instret if n is None else n
        value = self.mip_soft | self.external | self.hvip
        if self.clint.msip:
            value |= 1 << MSI
        if self.clint.mtime(n) >= self.clint.mtimecmp:
            value |= 1 << MTI
        return value

    def set_external(self, bits):
        """The interrupt controller's outputs changed (MEIP, SEIP). Called from a device
        access: the engines re-check interrupts after every device write (``stop_at``), so an
        interrupt a write raises is taken before the next instruction. A read can raise one
        too (input arriving at the UART's LSR): it is taken at the next stop -- a system
        instruction, a device write, the timer, ``wfi`` -- as if the input came a little later."""
        self.external = bits

    def stop_at(self, n, end):
        """Where the fast loop must next stop: budget end, a timer deadline, or now."""
        if (self.halted or self.waiting or self.exit_request or self.interrupt_due(n) is not None
                or (self.single_step and self.trapped)):
            return n
        if self.mie & (1 << MTI) or self.waiting:
            due = self.clint.timer_due_at()
            if n < due < end:
                return due
        return end

    def service(self, end):
        """At a stop: wake from wfi, take a due interrupt. False when the run is over.

        A ``wfi`` with an enabled interrupt pending (``mip & mie``, whatever mstatus says)
        goes on at once. Otherwise the devices get a chance to receive input (``idle``: the
        machine polls them when an external interrupt is enabled), then time jumps to the
        timer's deadline; with neither, nothing can ever wake the hart and the run ends."""
        n = self.instret
        if self.halted or self.exit_request or (self.single_step and self.trapped):
            return False
        if self.waiting:
            if not self.mip(n) & self.mie and self.idle is not None:
                self.idle(self.mie)         # input that could wake it arrives now, if any
            if not self.mip(n) & self.mie:
                if self.mie & (1 << MTI) and self.clint.mtimecmp < (1 << 64) - 1:
                    self.clint.offset += self.clint.mtimecmp - self.clint.mtime(n)
                else:
                    self.halt('wfi', None, 'wfi with no interrupt enabled that could wake it')
                    return False
            self.waiting = False
        if n >= end:
            return False
        cause = self.interrupt_due(n)
        if cause is not None:
            self.take_trap(cause | INTERRUPT, 0)
        return True

    # --- traps -----------------------------------------------------------------------------

    def take_trap(self, cause, tval, tval2=0, gva=None):
        """Enter the trap handler: the privileged spec's trap entry (``enter_trap``).

        A ``trap_hook`` may serve the trap instead (it sees ``self.pc`` = the trapping
        instruction and sets ``self.pc`` to where execution goes on): that is how a process
        VM runs user code on this hart while Python plays the operating system, and how a
        hypervisor's VMM gets the traps of a deprivileged guest.
        """
        self.stats_traps[cause] = self.stats_traps.get(cause, 0) + 1
        if self.trap_hook is not None and self.trap_hook(cause, tval):
            return              # served outside the machine
        self.trapped = True
        count, since, first = self._trap_streak
        count = count + 1 if since == self.instret else 1
        if count > TRAP_LOOP_LIMIT:
            self.halt('trap-loop', None,
                      _trap_loop_message(count, first, Trap(cause, tval), self.pc))
            return
        epc, old, new = self.enter_trap(cause, tval, tval2, gva)
        if count == 1:      # the trap that started it all, and the vector that sent it on
            vector = {S: 'stvec', VS: 'vstvec'}.get(new, 'mtvec')
            first = (Trap(cause, tval), epc, vector, getattr(self, vector), self.pc)
        self._trap_streak = (count, self.instret, first)
        if self.trace:
            self.trace(TrapTaken(cause, tval & M32, epc, old, new, self.pc))
        self.set_priv(new & 3)

    def returning(self, name, new):
        self.stats_returns += 1
        if self.trace:
            self.trace(TrapReturn(name, self.mode, new, self.pc))

    # --- instruction fetch -----------------------------------------------------------------

    def fetch_page(self, pc):
        """For the fast loop: (virtual page base, decoded slots, RAM index of the page)."""
        vbase = pc & ~0xFFF
        delta = self.xtlb.get(pc >> 12)
        if delta is None:
            i = self.bus.ram_index(self.mmu.translate(pc, FETCH, self.mode) & ~0xFFF)
            if i is None:
                raise Trap(FETCH_ACCESS, pc)
            delta = i - vbase
        index = vbase + delta
        page = self.icache.get(index >> 12)
        if page is None:
            page = self.icache[index >> 12] = [DECODE_SLOT] * 1024
            self.mmu.forget_stores_to(index >> 12)
        return vbase, page, index

    def ram_written(self, index, size):
        """RAM changed at ``index``: forget decoded instructions there (self-modifying code)."""
        if self.code_written is not None:
            self.code_written(index, size)
        page = self.icache.get(index >> 12)
        if page is not None:
            for slot in range((index & 0xFFF) >> 2, ((index & 0xFFF) + size + 3) >> 2):
                if slot < 1024:
                    page[slot] = DECODE_SLOT
                else:                                        # the write ran into the next page
                    self.ram_written((index & ~0xFFF) + 4096, size - (4096 - (index & 0xFFF)))
                    break

    def fetch_word(self, pc):
        """The instruction word at ``pc``, translated without side effects (for tools)."""
        return self.bus.read(self.mmu.peek(pc, FETCH, self.mode), 4, fault=FETCH_ACCESS)

    def instruction_word(self, pc):
        """The word an illegal-instruction trap at ``pc`` reports in tval (0 if unreadable)."""
        try:
            return self.fetch_word(pc)
        except Trap:
            return 0

    # --- loads and stores the TLB could not serve -------------------------------------------

    def load_slow(self, va, size, n):
        self.instret = n
        if va & (size - 1):
            return sum(self.load_slow((va + i) & M32, 1, n) << 8 * i for i in range(size))
        return self.load(va, size)

    def store_slow(self, va, size, value, n):
        self.instret = n
        if va & (size - 1):
            for i in range(size):
                self.store_slow((va + i) & M32, 1, value >> 8 * i & 0xFF, n)
            return
        self.store(va, size, value)

    def load(self, va, size, access=LOAD, mode=None):
        """Read ``size`` aligned bytes at virtual ``va`` as this hart's data accesses do
        (``access`` STORE: an AMO's read, which faults as a store), or as the guest's in
        ``mode`` (a hypervisor load: VS or VU)."""
        mode = self.data_mode if mode is None else mode
        pa = self.mmu.translate(va, access, mode)
        try:
            return self.bus.read(pa, size, fault=ACCESS_FAULT[access])
        except Trap as t:
            raise Trap(t.cause, va, gva=mode >= VU or None) from None

    def store(self, va, size, value, mode=None):
        mode = self.data_mode if mode is None else mode
        pa = self.mmu.translate(va, STORE, mode)
        try:
            self.bus.write(pa, size, value)
        except Trap as t:
            raise Trap(t.cause, va, gva=mode >= VU or None) from None

    # --- system instructions ---------------------------------------------------------------

    def exec_system(self, op, rd, rs1, rs2, imm, pc):
        """Execute a ``system``-kind instruction; return the next pc. May raise ``Trap``."""
        return SYSTEM[op](self, self, op, rd, rs1, rs2, imm, pc)

    def csr_refused(self, name, rd, number):
        """A CSR access this privilege may not make: the plain CPU traps (False). The
        non-virtualizable variant (Popek & Goldberg, chapter 09) does not for ``sstatus`` in
        U-mode: like x86's PUSHF/POPF, a read gets the real sstatus view and a write is
        silently dropped -- so a trap-and-emulate VMM never sees the instruction."""
        if not (self.nonvirt and number == SSTATUS and self.priv == U):
            return False
        self.x[rd] = CSR_TABLE[SSTATUS][0](self, SSTATUS)
        self.x[32] = 0
        return True

    # --- for people and tools ----------------------------------------------------------------

    def decoded_at(self, pc):
        """The decoded instruction at ``pc`` (or None), without side effects."""
        try:
            return decode(self.fetch_word(pc))
        except Trap:
            return None


def _trap_loop_message(count, first, last, last_pc):
    """Why a trap loop stopped the machine, told from the trap that started it.

    The traps after the first are only its echo (the handler's own fault, again and again),
    so the message names the first one, its pc and tval, and what became of it: most often
    there was no handler at all -- the vector CSR still 0, or pointing where nothing can be
    fetched -- which the later traps show as fetch faults at the handler's address.
    """
    trap, epc, vector, value, handler = first
    loop = (f'{count} traps in a row without an instruction completing (last: {last} at '
            f'pc=0x{last_pc:08x})')
    if last.cause in FETCH_FAULTS and last_pc == handler:
        where = ('0' if value == 0 else
                 f'0x{value:08x}, which points at memory that cannot be executed')
        return (f'{trap} at pc=0x{epc:08x} with no trap handler installed ({vector} = '
                f'{where}): {loop}')
    return (f'{trap} at pc=0x{epc:08x}; its trap handler at 0x{handler:08x} ({vector}) '
            f'itself faults: {loop}')
