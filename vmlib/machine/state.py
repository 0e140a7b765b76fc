"""The architectural state of a RISC-V hart, and the privileged spec's rules that act on it.

Two things in this course are harts in the architectural sense: the machine's own ``Hart``
(``hart.py``), and a hypervisor's virtual CPU, the hart a guest kernel believes it has
(``vmlib.hypervisor.vcpu``). Both are an ``ArchState``: registers, pc, privilege level and
the CSR fields, plus the rules that read and write them the same way whoever owns them --

- trap entry with delegation (``take_trap``) and ``mret``/``sret`` (``trap_return``);
- which interrupt is taken now (``interrupt_due``);
- the Zicsr instructions (``csr_access``, through the CSR table of ``csr.py``).

The machine's hart has the hypervisor extension (``hypervisor`` True): the V bit (``virt``)
beside ``priv`` makes S and U the guest's VS and VU modes, traps go to M, HS or VS by
``medeleg``/``hedeleg`` (and the interrupt registers), S-mode CSR accesses reach the VS
copies, and what a guest may not do raises a virtual-instruction exception (the CSRs:
``hcsr.py``). ``mode`` is ``priv`` + 4 when V=1: what traces and TLBs are keyed by.

What differs between owners is supplied by overriding a few hooks, so that a write's
consequences are explicit: ``translation_changed`` (satp, or mstatus bits that change what an
address means: the hart flushes its TLBs, a VMM switches shadow views), ``set_priv``,
``mip`` (where pending interrupts come from: the CLINT, or a virtual timer), ``retired`` and
``time`` (the counters). ``snapshot``/``restore`` copy exactly the fields of
``ARCH_FIELDS``: what a VM snapshot, a migration or a report reads.
"""

from ..isa.csrs import is_read_only, min_privilege
from .csr import (CSR_TABLE, RMW_READ, MIE, SIE, MPIE, SPIE, SPP, MPP, MPP_SHIFT, MPRV, TVM,
                  TRANSLATION_BITS, VS_INTERRUPTS, MPV, GVA_M)
from .hcsr import H_ONLY, VS_SUBSTITUTES, MIDELEG_FIXED, GVA, SPV, SPVP, VTVM
from .traps import (INTERRUPT, INTERRUPT_PRIORITY, ILLEGAL_INSTRUCTION, VIRTUAL_INSTRUCTION,
                    ADDRESS_CAUSES, M, S, U)

M32 = 0xFFFFFFFF
M64 = (1 << 64) - 1

#: the scalar fields of the architectural state, in the order a snapshot keeps them
ARCH_FIELDS = ('pc', 'priv', 'mstatus', 'mtvec', 'stvec', 'mscratch', 'sscratch', 'mepc',
               'sepc', 'mcause', 'scause', 'mtval', 'stval', 'medeleg', 'mideleg', 'mie',
               'mip_soft', 'mcounteren', 'scounteren', 'menvcfg', 'menvcfgh', 'senvcfg',
               'mcountinhibit', 'satp', 'reservation', 'waiting',
               # the hypervisor extension's
               'virt', 'hstatus', 'hedeleg', 'hideleg', 'hvip', 'hgeie', 'htval', 'htinst',
               'hgatp', 'hcounteren', 'htimedelta', 'henvcfg', 'mtval2', 'mtinst',
               'vsstatus', 'vstvec', 'vsscratch', 'vsepc', 'vscause', 'vstval', 'vsatp')

class ArchState:
    """Registers, pc, privilege and CSR fields of one hart, real or virtual."""

    hypervisor = True       # has the H extension (a trap-and-emulate VMM's virtual CPU has not)

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
        # the H extension: V, HS-mode's CSRs, the guest's VS copies of the S CSRs
        self.virt = 0
        self.hstatus = self.hedeleg = self.hideleg = self.hvip = self.hgeie = 0
        self.htval = self.htinst = self.mtval2 = self.mtinst = 0
        self.hgatp = self.hcounteren = self.htimedelta = self.henvcfg = 0
        self.vsstatus = self.vstvec = self.vsscratch = self.vsepc = self.vscause = 0
        self.vstval = self.vsatp = 0

    @property
    def mode(self):
        """The privilege level, + 4 in a guest mode (V=1): U S M VU VS = 0 1 3 4 5."""
        return self.priv | self.virt << 2

    # --- the hooks an owner overrides ----------------------------------------------------------

    def translation_changed(self):
        """satp, or an mstatus bit in TRANSLATION_BITS, changed: cached translations are stale."""

    def set_priv(self, new):
        self.priv = new

    def mip(self, n=None):
        """Pending interrupts (the bits of mip): here only the software-set ones (and the
        hypervisor's, hvip)."""
        return self.mip_soft | self.hvip

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

    def set_hgatp(self, value):
        self.hgatp = value
        self.translation_changed()

    def counter(self, name):
        if name == 'time':          # a guest's clock runs htimedelta ahead
            return (self.time() + (self.htimedelta if self.virt else 0)) & M64
        return (self.retired() + self.counter_offset[name]) & M64

    def delegated_interrupts(self):
        """mideleg as read: with H, the VS-level interrupts (and SGEI) are delegated for good."""
        return self.mideleg | (MIDELEG_FIXED if self.hypervisor else 0)

    # --- traps and interrupts (privileged spec, "Machine-Level ISA" and "Supervisor-Level ISA") --

    def interrupt_due(self, n=None):
        """The interrupt to take now, or None: pending and enabled in mie, and enabled at the
        current mode. M-level ones (not delegated): below M, or in M with mstatus.MIE.
        HS-level ones (delegated by mideleg, not by hideleg): in a guest mode always, below S,
        or in HS with sstatus.SIE. VS-level ones (hideleg too): only in a guest mode, in VU
        or in VS with vsstatus.SIE. Higher modes' interrupts come first."""
        pending = self.mip(n) & self.mie
        if not pending:
            return None
        delegated = self.delegated_interrupts()
        m_level = pending & ~delegated
        if m_level and (self.priv < M or self.mstatus & MIE):
            return _highest(m_level)
        hs_level = pending & delegated & ~self.hideleg
        if hs_level and (self.virt or self.priv < S or (self.priv == S and self.mstatus & SIE)):
            return _highest(hs_level)
        vs_level = pending & delegated & self.hideleg
        if vs_level and self.virt and (self.priv == U or self.vsstatus & SIE):
            return _highest(vs_level)
        return None

    def enter_trap(self, cause, tval, tval2=0, gva=None):
        """The hardware's trap entry, with delegation: save pc, cause and tval in the
        handling mode's CSRs, stack the interrupt enables and previous privilege (and V),
        jump to its trap vector. M-mode takes what medeleg/mideleg keep; HS-mode what they
        delegate, unless the trap came from a guest mode and hedeleg/hideleg delegate it
        further, to VS-mode (where VSSI, VSTI, VSEI arrive as SSI, STI, SEI). ``tval2`` is a
        guest-page fault's guest-physical address >> 2 (htval, mtval2); ``gva`` whether tval
        is a guest virtual address (None: any address a guest-mode trap reports).

        Returns ``(epc, old mode, new mode)``; the caller switches privilege (``set_priv``,
        V is already set), so that it can tell the world in between."""
        interrupt = bool(cause & INTERRUPT)
        code = cause & ~INTERRUPT
        self.reservation = None
        epc, old, virt = self.pc, self.priv, self.virt
        old_mode = self.mode
        if gva is None:
            gva = virt and not interrupt and code in ADDRESS_CAUSES
        if interrupt:
            to_s = old <= S and self.delegated_interrupts() >> code & 1
            to_vs = to_s and virt and self.hideleg >> code & 1
        else:
            to_s = old <= S and self.medeleg >> code & 1
            to_vs = to_s and virt and self.hedeleg >> code & 1
        if to_vs:
            if interrupt and VS_INTERRUPTS >> code & 1:
                code -= 1                               # the guest sees S interrupts
                cause = INTERRUPT | code
            self.vsepc, self.vscause, self.vstval = epc, cause, tval & M32
            self.vsstatus = stack_s(self.vsstatus, old)
            tvec, new = self.vstvec, S
        elif to_s:
            self.sepc, self.scause, self.stval = epc, cause, tval & M32
            self.mstatus = stack_s(self.mstatus, old)
            if self.hypervisor:
                self.htval, self.htinst = tval2, 0
                hs = self.hstatus & ~(SPV | GVA) | (SPV if virt else 0) | (GVA if gva else 0)
                if virt:
                    hs = hs & ~SPVP | (SPVP if old == S else 0)
                self.hstatus = hs
            tvec, new, self.virt = self.stvec, S, 0
        else:
            self.mepc, self.mcause, self.mtval = epc, cause, tval & M32
            st = self.mstatus
            self.mstatus = (st & ~(MPIE | MPP | MIE | MPV | GVA_M) | (MPIE if st & MIE else 0)
                            | old << MPP_SHIFT | (MPV if virt else 0) | (GVA_M if gva else 0))
            if self.hypervisor:
                self.mtval2, self.mtinst = tval2, 0
            tvec, new, self.virt = self.mtvec, M, 0
        self.pc = (tvec & ~3) + 4 * code if interrupt and tvec & 3 == 1 else tvec & ~3
        return epc, old_mode, new | self.virt << 2

    def take_trap(self, cause, tval, tval2=0, gva=None):
        """Take a trap: ``enter_trap``, then switch privilege."""
        self.set_priv(self.enter_trap(cause, tval, tval2, gva)[2] & 3)

    def trap_return(self, name):
        """``mret`` or ``sret`` (already allowed in this mode): restore the interrupt enable
        and privilege stacked in mstatus (in vsstatus for a guest's own sret), and V: mret's
        from mstatus.MPV, HS-mode's sret from hstatus.SPV. Returns the new pc."""
        st = self.mstatus
        virt = self.virt
        if name == 'mret':
            new = st >> MPP_SHIFT & 3
            virt = 1 if st & MPV and new != M else 0
            st = st & ~(MIE | MPP | MPV) | (MIE if st & MPIE else 0) | MPIE     # MPP <- U
            self.pc = self.mepc
        elif virt:                      # a guest's sret: its own, on the VS registers
            new = S if self.vsstatus & SPP else U
            self.vsstatus = unstack_s(self.vsstatus)
            self.pc = self.vsepc
        else:
            new = S if st & SPP else U
            st = unstack_s(st)
            if self.hstatus & SPV:      # back into the guest (and SPV cleared, as QEMU)
                virt = 1
                self.hstatus &= ~SPV
            self.pc = self.sepc
        if new != M:
            st &= ~MPRV
        self.mstatus = st           # (set_priv re-selects the TLBs MPRV and MPP choose)
        self.returning(name, new | virt << 2)
        self.virt = virt
        self.set_priv(new)
        return self.pc

    def returning(self, name, new):
        """Hook: an ``mret``/``sret`` is about to switch to mode ``new`` (for traces)."""

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


def access_refused(state, number, writes):
    """Why ``state`` may not access CSR ``number`` in its mode: None (it may), or the
    exception's cause -- illegal instruction, or virtual instruction when a guest mode (V=1)
    tries what HS-mode would be allowed (the hypervisor emulates it, or refuses it for the
    guest). The rules: the privilege level the number encodes (HS-mode counts as level 2, the
    hypervisor's), read-only numbers, the counter enables (mcounteren; hcounteren for guests;
    scounteren for U), and the satp/hgatp traps (mstatus.TVM for HS, hstatus.VTVM for VS)."""
    if (number not in CSR_TABLE or (writes and is_read_only(number))
            or (number in H_ONLY and not state.hypervisor)):
        return ILLEGAL_INSTRUCTION
    priv, virt = state.priv, state.virt
    guest_or_illegal = VIRTUAL_INSTRUCTION if virt else ILLEGAL_INSTRUCTION
    need = min_privilege(number)
    if priv < need and (need == 3 or priv == U or virt):
        return ILLEGAL_INSTRUCTION if need == 3 else guest_or_illegal
    if 0xC00 <= number <= 0xC1F or 0xC80 <= number <= 0xC9F:
        bit = 1 << (number & 0x1F)
        if priv < M and not state.mcounteren & bit:
            return ILLEGAL_INSTRUCTION
        if virt and not state.hcounteren & bit:
            return VIRTUAL_INSTRUCTION
        if priv == U and not state.scounteren & bit:
            return guest_or_illegal
    if priv == S and number == 0x180:
        if virt and state.hstatus & VTVM:
            return VIRTUAL_INSTRUCTION
        if not virt and state.mstatus & TVM:
            return ILLEGAL_INSTRUCTION
    if priv == S and number == 0x680 and state.mstatus & TVM:
        return ILLEGAL_INSTRUCTION
    return None


def csr_access(state, name, rd, rs1, number):
    """Execute one Zicsr instruction (``csrrw``/``csrrs``/``csrrc`` and their ``i`` forms) on
    ``state``: when the access is not allowed in ``state``'s mode, return the cause of the
    exception it raises (``access_refused``; the caller traps); else read and write the CSR
    as the spec says -- in a guest mode an S-mode CSR number reaches its VS copy --, set
    ``rd`` and return None. ``rd`` 32 is the sink.
    """
    R = state.x
    source = rs1 if name.endswith('i') else R[rs1]
    op = name[4] if name.endswith('i') else name[-1]        # 'w', 's' or 'c'
    writes = op == 'w' or rs1 != 0
    reads = op != 'w' or rd != 32
    refused = access_refused(state, number, writes)
    if refused is not None:
        return refused
    if state.virt:
        number = VS_SUBSTITUTES.get(number, number)
    read, write = CSR_TABLE[number]
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
    return None


def stack_s(status, old):
    """sstatus/vsstatus at a trap into that S-mode: SPIE <- SIE, SIE <- 0, SPP <- the old
    privilege (S or U)."""
    return (status & ~(SPIE | SPP | SIE) | (SPIE if status & SIE else 0)
            | (SPP if old == S else 0))


def unstack_s(status):
    """sstatus/vsstatus at an sret: SIE <- SPIE, SPIE <- 1, SPP <- U."""
    return status & ~(SIE | SPP) | (SIE if status & SPIE else 0) | SPIE


def _highest(bits):
    for i in INTERRUPT_PRIORITY:
        if bits >> i & 1:
            return i
