"""One RISC-V hart: its architectural state and everything that is not on the fast path.

The fast path — fetching, decoding and executing ordinary instructions — is the generated
loop in ``interp.py``. It calls back here for the rare and complicated things, which are
written plainly, after the privileged spec: taking a trap, deciding whether an interrupt is
due, ``mret``/``sret``/``wfi``/``sfence.vma``, CSR instructions, atomics, and loads and
stores the TLB cannot serve (device registers, misaligned accesses, TLB misses).
"""

from ..isa import SPECS, decode
from ..isa.csrs import CSR_NUMBERS, is_read_only, min_privilege
from ..isa.table import AMO_OPS, OP_DECODE, OP_MISALIGNED_TARGET, SNIPPET_GLOBALS
from .csr import (CSR_TABLE, MIE, SIE, MPIE, SPIE, SPP, MPP, MPP_SHIFT, MPRV, TVM, TW, TSR,
                  TRANSLATION_BITS)
from .mmu import Mmu, FETCH, LOAD, STORE
from .trace import TrapTaken, TrapReturn, PrivilegeChange
from .traps import (Trap, INTERRUPT, INTERRUPT_PRIORITY, ILLEGAL_INSTRUCTION, BREAKPOINT,
                    MISALIGNED_LOAD, MISALIGNED_STORE, FETCH_ACCESS, MSI, MTI, M, S, U)
from . import interp

M32 = 0xFFFFFFFF
DECODE_SLOT = (OP_DECODE, 0, 0, 0, 0)
ECALL_CAUSE = {U: 8, S: 9, M: 11}
SSTATUS = CSR_NUMBERS['sstatus']
TRAP_LOOP_LIMIT = 64        # traps in a row without one instruction retiring: a broken handler


def counter_allowed(state, number):
    """May ``state`` (anything with ``priv``, ``mcounteren``, ``scounteren``: the hart, or a
    hypervisor's virtual CPU) read CSR ``number``? Only the counters (cycle/time/instret and the
    hpm counters) have a rule: below M, ``mcounteren`` must allow them; in U, ``scounteren``
    too."""
    if not 0xC00 <= number <= 0xC1F and not 0xC80 <= number <= 0xC9F:
        return True
    bit = 1 << (number & 0x1F)
    if state.priv < M and not state.mcounteren & bit:
        return False
    return not (state.priv == U and not state.scounteren & bit)


def csr_access(state, name, rd, rs1, number):
    """Execute one Zicsr instruction (``csrrw``/``csrrs``/``csrrc`` and their ``i`` forms) on
    ``state`` -- the hart, or a hypervisor's virtual CPU, which emulates the instruction with the
    very same rules: False when the access is not allowed at ``state.priv`` (the caller traps),
    else the CSR is read and written as the spec says and ``rd`` set. ``rd`` 32 is the sink.
    """
    R = state.x
    source = rs1 if name.endswith('i') else R[rs1]
    op = name[4] if name.endswith('i') else name[-1]        # 'w', 's' or 'c'
    writes = op == 'w' or rs1 != 0
    reads = op != 'w' or rd != 32
    entry = CSR_TABLE.get(number)
    if (entry is None or state.priv < min_privilege(number)
            or (writes and is_read_only(number)) or not counter_allowed(state, number)
            or (number == 0x180 and state.priv == S and state.mstatus & TVM)):
        return False
    read, write = entry
    old = read(state, number) if reads else 0
    if writes:
        new = source if op == 'w' else (old | source if op == 's' else old & ~source)
        write(state, number, new & M32)
    R[rd] = old
    R[32] = 0
    return True


class Hart:
    def __init__(self, bus, clint):
        self.bus, self.clint = bus, clint
        self.x = [0] * 33               # x0..x31, and a scratch slot 32 that writes to x0 hit
        self.pc = 0
        self.priv = M
        self.instret = 0                # instructions retired: also the clock (see devices.py)
        self.counter_offset = {'cycle': 0, 'instret': 0}
        self.mstatus = 0
        self.mtvec = self.stvec = 0
        self.mscratch = self.sscratch = 0
        self.mepc = self.sepc = self.mcause = self.scause = self.mtval = self.stval = 0
        self.medeleg = self.mideleg = 0
        self.mie = 0
        self.mip_soft = 0               # the software-writable part of mip (SSIP, STIP, SEIP)
        self.mcounteren = self.scounteren = 0
        self.menvcfg = self.menvcfgh = self.senvcfg = self.mcountinhibit = 0
        self.satp = 0
        self.pmpcfg = [0] * 4
        self.pmpaddr = [0] * 16
        self.reservation = None
        self.waiting = False            # in wfi
        self.halted = None              # (reason, exit_status) once the machine stops
        self.single_step = False        # stop as soon as a trap is taken (Machine.step)
        self.trapped = False
        self.trace = None
        self.trap_hook = None           # callable(cause, tval) -> True when the host served it
        self.stats_traps = {}           # cause -> count
        self._trap_streak = (0, -1)     # (traps in a row, instret when the streak started)
        self.mmu = Mmu(self)
        self.icache = {}                # RAM page number -> list of 1024 decoded slots
        self.code_written = None        # callable(index, size): the translator's RAM watch
        self.engine = 'interp'          # which run loop executes: 'interp' or 'dbt'
        self.nonvirt = False            # the non-virtualizable variant (see csr_instruction)
        self._translator = None
        self._select_tlbs()
        self._run = interp.run_loop()

    # --- privilege and the TLBs it selects ---------------------------------------------

    def _select_tlbs(self):
        """Point the fast path at the TLBs for the current fetch and data privilege."""
        data_priv = self.priv
        if self.priv == M and self.mstatus & MPRV:
            data_priv = self.mstatus >> MPP_SHIFT & 3
        self.rtlb, self.wtlb, _ = self.mmu.tlbs[data_priv]
        self.xtlb = self.mmu.tlbs[self.priv][2]
        self.data_priv = data_priv

    def set_priv(self, new):
        if new != self.priv:
            if self.trace:
                self.trace(PrivilegeChange(self.priv, new))
            self.priv = new
        self._select_tlbs()

    def set_mstatus(self, value):
        changed = self.mstatus ^ value
        self.mstatus = value
        if changed & TRANSLATION_BITS:
            self.mmu.flush()
        self._select_tlbs()

    # --- running -------------------------------------------------------------------------

    def run(self, budget):
        """Execute up to ``budget`` instructions (fewer if the machine halts).

        ``self.engine`` picks the run loop: the interpreter (``interp.py``) or the dynamic
        binary translator (``dbt.py``); both keep the same state, instruction for instruction.
        """
        if self.engine == 'interp':
            self._run(self, budget)
        elif self.engine == 'dbt':
            self.translator().run(budget)
        else:
            raise ValueError(f'unknown engine {self.engine!r} (interp or dbt)')

    def translator(self):
        """This hart's dynamic binary translator (made on first use)."""
        if self._translator is None:
            from .dbt import Translator
            self._translator = Translator(self)
        return self._translator

    def stop_at(self, n, end):
        """Where the fast loop must next stop: budget end, a timer deadline, or now."""
        if (self.halted or self.waiting or self.interrupt_due(n) is not None
                or (self.single_step and self.trapped)):
            return n
        if self.mie & (1 << MTI) or self.waiting:
            due = self.clint.timer_due_at()
            if n < due < end:
                return due
        return end

    def service(self, end):
        """At a stop: wake from wfi, take a due interrupt. False when the run is over."""
        n = self.instret
        if self.halted or (self.single_step and self.trapped):
            return False
        if self.waiting:
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

    def halt(self, reason, exit_status=None, message=''):
        self.halted = (reason, exit_status, message)

    # --- interrupts ----------------------------------------------------------------------

    def mip(self, n=None):
        n = self.instret if n is None else n
        value = self.mip_soft
        if self.clint.msip:
            value |= 1 << MSI
        if self.clint.mtime(n) >= self.clint.mtimecmp:
            value |= 1 << MTI
        return value

    def interrupt_due(self, n):
        """The interrupt to take now, or None (the privileged spec's enabling rules)."""
        pending = self.mip(n) & self.mie
        if not pending:
            return None
        m_level = pending & ~self.mideleg
        if m_level and (self.priv < M or self.mstatus & MIE):
            return _highest(m_level)
        s_level = pending & self.mideleg
        if s_level and (self.priv < S or (self.priv == S and self.mstatus & SIE)):
            return _highest(s_level)
        return None

    # --- traps -----------------------------------------------------------------------------

    def take_trap(self, cause, tval):
        """Enter the trap handler: the privileged spec's trap entry, with delegation.

        A ``trap_hook`` may serve the trap instead (it sees ``self.pc`` = the trapping
        instruction and sets ``self.pc`` to where execution goes on): that is how a process
        VM runs user code on this hart while Python plays the operating system.
        """
        interrupt = bool(cause & INTERRUPT)
        code = cause & ~INTERRUPT
        self.stats_traps[cause] = self.stats_traps.get(cause, 0) + 1
        if self.trap_hook is not None and self.trap_hook(cause, tval):
            return              # served outside the machine (a process VM's system calls)
        self.trapped = True
        count, since = self._trap_streak
        count = count + 1 if since == self.instret else 1
        self._trap_streak = (count, self.instret)
        if count > TRAP_LOOP_LIMIT:
            self.halt('trap-loop', None, f'{count} traps in a row without an instruction '
                      f'completing (last: {Trap(cause, tval)} at pc=0x{self.pc:08x}); '
                      'the trap handler itself faults')
            return
        self.reservation = None
        deleg = self.mideleg if interrupt else self.medeleg
        epc, old = self.pc, self.priv
        if self.priv <= S and deleg >> code & 1:
            self.sepc, self.scause, self.stval = epc, cause, tval & M32
            st = self.mstatus
            st = st & ~(SPIE | SPP | SIE) | (SPIE if st & SIE else 0) | (SPP if old == S else 0)
            self.mstatus = st
            base, mode = self.stvec & ~3, self.stvec & 3
            new = S
        else:
            self.mepc, self.mcause, self.mtval = epc, cause, tval & M32
            st = self.mstatus
            st = st & ~(MPIE | MPP | MIE) | (MPIE if st & MIE else 0) | old << MPP_SHIFT
            self.mstatus = st
            base, mode = self.mtvec & ~3, self.mtvec & 3
            new = M
        self.pc = base + 4 * code if interrupt and mode == 1 else base
        if self.trace:
            self.trace(TrapTaken(cause, tval & M32, epc, old, new, self.pc))
        self.set_priv(new)

    def _trap_return(self, name):
        st = self.mstatus
        if name == 'mret':
            new = st >> MPP_SHIFT & 3
            st = st & ~(MIE | MPP) | (MIE if st & MPIE else 0) | MPIE     # MPP <- U
            self.pc = self.mepc
        else:
            new = S if st & SPP else U
            st = st & ~(SIE | SPP) | (SIE if st & SPIE else 0) | SPIE
            self.pc = self.sepc
        if new != M:
            st &= ~MPRV
        old = self.priv
        self.mstatus = st
        if self.trace:
            self.trace(TrapReturn(name, old, new, self.pc))
        self.set_priv(new)
        return self.pc

    # --- instruction fetch -----------------------------------------------------------------

    def fetch_page(self, pc):
        """For the fast loop: (virtual page base, decoded slots, RAM index of the page)."""
        vbase = pc & ~0xFFF
        delta = self.xtlb.get(pc >> 12)
        if delta is None:
            pa = self.mmu.translate(pc, FETCH, self.priv)
            if self.bus.ram_index(pa) is None:
                raise Trap(FETCH_ACCESS, pc)
            delta = self.xtlb[pc >> 12]
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
        pa = pc
        if self.priv != M and self.satp >> 31:
            pa = self.mmu.walk(pc, FETCH, self.priv, self.satp, update=False)
        return self.bus.read(pa, 4, fault=FETCH_ACCESS)

    # --- loads and stores the TLB could not serve -------------------------------------------

    def load_slow(self, va, size, n):
        self.instret = n
        if va & (size - 1):
            return sum(self.load_slow((va + i) & M32, 1, n) << 8 * i for i in range(size))
        pa = self.mmu.translate(va, LOAD, self.data_priv)
        try:
            return self.bus.read(pa, size)
        except Trap as t:
            raise Trap(t.cause, va) from None

    def store_slow(self, va, size, value, n):
        self.instret = n
        if va & (size - 1):
            for i in range(size):
                self.store_slow((va + i) & M32, 1, value >> 8 * i & 0xFF, n)
            return
        pa = self.mmu.translate(va, STORE, self.data_priv)
        try:
            self.bus.write(pa, size, value)
        except Trap as t:
            raise Trap(t.cause, va) from None

    # --- system instructions ---------------------------------------------------------------

    def exec_system(self, op, rd, rs1, rs2, imm, pc):
        """Execute a ``system``-kind instruction; return the next pc. May raise ``Trap``."""
        R = self.x
        if op == OP_MISALIGNED_TARGET:
            return self._misaligned_target(rd, rs1, rs2, imm, pc)
        name = SPECS[op].name
        if name == 'ecall':
            raise Trap(ECALL_CAUSE[self.priv], 0)
        if name == 'ebreak':
            raise Trap(BREAKPOINT, pc)
        if SPECS[op].category == 'csr':
            self.csr_instruction(name, rd, rs1, imm, pc)
        elif SPECS[op].category == 'amo':
            self.atomic(name, rd, R[rs1], R[rs2])
        elif name == 'mret' or name == 'sret':
            if self.priv < (M if name == 'mret' else S) or \
                    (name == 'sret' and self.priv == S and self.mstatus & TSR):
                raise self.illegal(pc)
            return self._trap_return(name)
        elif name == 'wfi':
            if self.priv == U or (self.priv == S and self.mstatus & TW):
                raise self.illegal(pc)
            self.waiting = True
        elif name == 'sfence.vma':
            if self.priv == U or (self.priv == S and self.mstatus & TVM):
                raise self.illegal(pc)
            self.mmu.flush()
        return (pc + 4) & M32

    def _misaligned_target(self, op, rs1, rs2, imm, pc):
        """A branch or jal whose target is not 4-byte aligned: it traps if taken."""
        spec = SPECS[op]
        if spec.kind == 'jump' or _CONDITIONS[op](self.x, rs1, rs2):
            raise Trap(0, (pc + imm) & M32)
        return (pc + 4) & M32

    def illegal(self, pc):
        """The illegal-instruction trap for the instruction at ``pc`` (tval = its word)."""
        try:
            word = self.fetch_word(pc)
        except Trap:
            word = 0
        return Trap(ILLEGAL_INSTRUCTION, word)

    def csr_instruction(self, name, rd, rs1, number, pc):
        if csr_access(self, name, rd, rs1, number):
            return
        if self.nonvirt and number == SSTATUS and self.priv == U:
            # The non-virtualizable variant (Popek & Goldberg, chapter 09): like x86's
            # PUSHF/POPF, sstatus is sensitive but not privileged here. From U-mode a
            # read gets the real sstatus view and a write is silently dropped: no trap,
            # so a trap-and-emulate VMM never sees the instruction.
            self.x[rd] = CSR_TABLE[SSTATUS][0](self, SSTATUS)
            self.x[32] = 0
            return
        raise self.illegal(pc)

    def counter(self, name):
        if name == 'time':
            return self.clint.mtime(self.instret)
        return (self.instret + self.counter_offset[name]) & ((1 << 64) - 1)

    def atomic(self, name, rd, addr, value):
        R = self.x
        if name == 'lr.w':
            if addr & 3:
                raise Trap(MISALIGNED_LOAD, addr)
            R[rd] = self.load_slow(addr, 4, self.instret)
            self.reservation = addr
        elif addr & 3:
            raise Trap(MISALIGNED_STORE, addr)
        elif name == 'sc.w':
            ok = self.reservation == addr
            if ok:
                self.store_slow(addr, 4, value, self.instret)
            self.reservation = None
            R[rd] = 0 if ok else 1
        else:
            pa = self.mmu.translate(addr, STORE, self.data_priv)   # AMOs fault as stores
            try:
                old = self.bus.read(pa, 4, fault=7)
                self.bus.write(pa, 4, AMO_OPS[name](old, value))
            except Trap as t:
                raise Trap(t.cause, addr) from None
            R[rd] = old
        R[32] = 0

    # --- for people and tools ----------------------------------------------------------------

    def decoded_at(self, pc):
        """The decoded instruction at ``pc`` (or None), without side effects."""
        try:
            return decode(self.fetch_word(pc))
        except Trap:
            return None


_CONDITIONS = {s.op: eval(f'lambda R, rs1, rs2: {s.semantics}', dict(SNIPPET_GLOBALS))
               for s in SPECS if s.kind == 'branch'}


def _highest(bits):
    for i in INTERRUPT_PRIORITY:
        if bits >> i & 1:
            return i
