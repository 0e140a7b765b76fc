"""The architectural state of a RISC-V hart, and the privileged spec's rules that act on it.

Two things in this course are harts in the architectural sense: the machine's own ``Hart``
(``hart.py``), and a hypervisor's virtual CPU, the hart a guest kernel believes it has
(``vmlib.hypervisor.vcpu``). Both are an ``ArchState``: registers, pc, privilege level and
the CSR fields, plus the rules that read and write them the same way whoever owns them --

- trap entry with delegation (``take_trap``) and ``mret``/``sret`` (``trap_return``);
- which interrupt is taken now (``interrupt_due``);
- the Zicsr instructions (``csr_access``, through the CSR table of ``csr.py``).

What differs between owners is supplied by overriding a few hooks, so that a write's
consequences are explicit: ``translation_changed`` (satp, or mstatus bits that change what an
address means: the hart flushes its TLBs, a VMM switches shadow views), ``set_priv``,
``mip`` (where pending interrupts come from: the CLINT, or a virtual timer), ``retired`` and
``time`` (the counters). ``snapshot``/``restore`` copy exactly the fields of
``ARCH_FIELDS``: what a VM snapshot, a migration or a report reads.
"""

from ..isa.csrs import is_read_only, min_privilege
from .csr import (CSR_TABLE, RMW_READ, MIE, SIE, MPIE, SPIE, SPP, MPP, MPP_SHIFT, MPRV, TVM,
                  TRANSLATION_BITS)
from .traps import INTERRUPT, INTERRUPT_PRIORITY, M, S, U

M32 = 0xFFFFFFFF
M64 = (1 << 64) - 1

#: the scalar fields of the architectural state, in the order a snapshot keeps them
ARCH_FIELDS = ('pc', 'priv', 'mstatus', 'mtvec', 'stvec', 'mscratch', 'sscratch', 'mepc',
               'sepc', 'mcause', 'scause', 'mtval', 'stval', 'medeleg', 'mideleg', 'mie',
               'mip_soft', 'mcounteren', 'scounteren', 'menvcfg', 'menvcfgh', 'senvcfg',
               'mcountinhibit', 'satp', 'reservation', 'waiting')


class ArchState:
    """Registers, pc, privilege and CSR fields of one hart, real or virtual."""

    def __init__(self):
        self.x = [0] * 33               # x0..x31, and a scratch slot 32 that writes to x0 hit
        self.pc = 0
        self.priv = M
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
        self.counter_offset = {'cycle': 0, 'instret': 0}
        self.reservation = None         # the address an lr.w reserved
        self.waiting = False            # in wfi

    # --- the hooks an owner overrides ----------------------------------------------------------

    def translation_changed(self):
        """satp, or an mstatus bit in TRANSLATION_BITS, changed: cached translations are stale."""

    def set_priv(self, new):
        self.priv = new

    def mip(self, n=None):
        """Pending interrupts (the bits of mip): here only the software-set ones."""
        return self.mip_soft

    def retired(self):
        """Instructions retired so far (minstret; one per cycle, so mcycle too)."""
        return 0

    def time(self):
        """The time CSR: the platform's timer, in ticks."""
        return 0

    def fence_vma(self):
        """``sfence.vma`` (allowed at this privilege): cached translations must go."""
        self.translation_changed()

    def csr_refused(self, name, rd, number):
        """A CSR access not allowed at this privilege: True if the CPU did something instead
        of trapping (the hart's non-virtualizable variant does); False: it traps."""
        return False

    def instruction_word(self, pc):
        """The word of the instruction at ``pc``, for an illegal-instruction trap's tval."""
        return 0

    # --- fields whose writes have consequences ---------------------------------------------------

    def set_mstatus(self, value):
        changed = self.mstatus ^ value
        self.mstatus = value
        if changed & TRANSLATION_BITS:
            self.translation_changed()

    def set_satp(self, value):
        self.satp = value & M32
        self.translation_changed()

    def counter(self, name):
        if name == 'time':
            return self.time() & M64
        return (self.retired() + self.counter_offset[name]) & M64

    # --- traps and interrupts (privileged spec, "Machine-Level ISA" and "Supervisor-Level ISA") --

    def interrupt_due(self, n=None):
        """The interrupt to take now, or None: pending and enabled in mie, and enabled at the
        current privilege (M-level ones always below M; S-level ones below S, or in S with
        sstatus.SIE)."""
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

    def enter_trap(self, cause, tval):
        """The hardware's trap entry, with delegation: save pc, cause and tval in the
        handling level's CSRs, stack the interrupt enables and previous privilege in mstatus,
        jump to its trap vector. Returns ``(epc, old privilege, new privilege)``; the caller
        switches privilege (``set_priv``), so that it can tell the world in between."""
        interrupt = bool(cause & INTERRUPT)
        code = cause & ~INTERRUPT
        self.reservation = None
        deleg = self.mideleg if interrupt else self.medeleg
        epc, old = self.pc, self.priv
        st = self.mstatus
        if old <= S and deleg >> code & 1:
            self.sepc, self.scause, self.stval = epc, cause, tval & M32
            self.mstatus = (st & ~(SPIE | SPP | SIE) | (SPIE if st & SIE else 0)
                            | (SPP if old == S else 0))
            base, mode, new = self.stvec & ~3, self.stvec & 3, S
        else:
            self.mepc, self.mcause, self.mtval = epc, cause, tval & M32
            self.mstatus = st & ~(MPIE | MPP | MIE) | (MPIE if st & MIE else 0) | old << MPP_SHIFT
            base, mode, new = self.mtvec & ~3, self.mtvec & 3, M
        self.pc = base + 4 * code if interrupt and mode == 1 else base
        return epc, old, new

    def take_trap(self, cause, tval):
        """Take a trap: ``enter_trap``, then switch privilege."""
        self.set_priv(self.enter_trap(cause, tval)[2])

    def trap_return(self, name):
        """``mret`` or ``sret`` (already allowed at this privilege): restore the interrupt
        enable and privilege stacked in mstatus, jump to mepc/sepc. Returns the new pc."""
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
        self.mstatus = st           # (set_priv re-selects the TLBs MPRV and MPP choose)
        self.returning(name, new)
        self.set_priv(new)
        return self.pc

    def returning(self, name, new):
        """Hook: an ``mret``/``sret`` is about to switch to privilege ``new`` (for traces)."""

    # --- snapshots -----------------------------------------------------------------------------

    def snapshot(self):
        """The architectural state as plain data (a dict), to compare or restore."""
        state = {f: getattr(self, f) for f in ARCH_FIELDS}
        state.update(x=self.x[:32], pmpcfg=list(self.pmpcfg), pmpaddr=list(self.pmpaddr),
                     counter_offset=dict(self.counter_offset))
        return state

    def restore(self, state):
        """Load a ``snapshot``; what was derived from the old state is dropped."""
        for f in ARCH_FIELDS:
            setattr(self, f, state[f])
        self.x[:32] = state['x']
        self.x[32] = 0
        self.pmpcfg[:] = state['pmpcfg']
        self.pmpaddr[:] = state['pmpaddr']
        self.counter_offset = dict(state['counter_offset'])
        self.set_priv(self.priv)
        self.translation_changed()


def counter_allowed(state, number):
    """May ``state`` read CSR ``number`` at its privilege? Only the counters (cycle/time/
    instret and the hpm counters) have a rule: below M, ``mcounteren`` must allow them; in U,
    ``scounteren`` too."""
    if not 0xC00 <= number <= 0xC1F and not 0xC80 <= number <= 0xC9F:
        return True
    bit = 1 << (number & 0x1F)
    if state.priv < M and not state.mcounteren & bit:
        return False
    return not (state.priv == U and not state.scounteren & bit)


def csr_access(state, name, rd, rs1, number):
    """Execute one Zicsr instruction (``csrrw``/``csrrs``/``csrrc`` and their ``i`` forms) on
    ``state``: False when the access is not allowed at ``state.priv`` (the caller traps), else
    the CSR is read and written as the spec says and ``rd`` set. ``rd`` 32 is the sink.
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
        if op != 'w':
            base = RMW_READ[number](state, number) if number in RMW_READ else old
            new = base | source if op == 's' else base & ~source
        else:
            new = source
        write(state, number, new & M32)
    R[rd] = old
    R[32] = 0
    return True


def _highest(bits):
    for i in INTERRUPT_PRIORITY:
        if bits >> i & 1:
            return i
