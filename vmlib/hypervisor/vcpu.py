"""A virtual CPU: the registers and privileged state a guest believes its hart has.

Under trap-and-emulate the guest's instructions run on the host hart, but its privileged
state cannot live there: the host's CSRs belong to the VMM. So every privileged register the
guest kernel sees is a field of a ``VirtualHart``, and when a guest CSR instruction traps,
the VMM applies **the machine's own CSR table** (``vmlib.machine.csr.CSR_TABLE``) to this
object instead of to the hart: the rules of what each CSR reads as and which bits a write
changes exist once, and the virtual hart obeys them exactly as the real one does.

What the firmware would have set up (it does not run under the hypervisor) is fixed here:
the delegation of exceptions and S interrupts to the kernel, and ``mcounteren`` (the kernel
may read ``time``). The virtual clock is the guest's own: ``time`` = guest instructions
retired / 10, the machine's ratio (``vmlib.machine.devices.INSTRUCTIONS_PER_TICK``).
"""

from ..machine.csr import S_INTERRUPTS, SIE, SPIE, SPP, SUM, MXR
from ..machine.devices import INSTRUCTIONS_PER_TICK
from ..machine.traps import INTERRUPT, INTERRUPT_PRIORITY, STI, S, U

M64 = (1 << 64) - 1
# What vmlib/guest/firmware.s delegates (DELEGATED_EXCEPTIONS, DELEGATED_INTERRUPTS) and
# allows (MCOUNTEREN_TM): the VMM plays the firmware's part.
FIRMWARE_MEDELEG = sum(1 << c for c in (0, 2, 3, 4, 6, 8, 12, 13, 15))
FIRMWARE_MIDELEG = S_INTERRUPTS
FIRMWARE_MCOUNTEREN = 1 << 1


class _SatpWatch:
    """Stands in for the hart's MMU: the CSR table calls ``flush()`` after a ``satp`` write
    (and ``set_mstatus`` after SUM/MXR changes); the VMM looks at the new state itself."""

    def flush(self):
        pass


class VirtualHart:
    """Registers, pc, virtual privilege and virtual CSRs of one guest.

    ``retired`` is a callable giving the guest instructions retired so far (the VMM counts
    them: the host hart executes some, the VMM emulates the others).
    """

    def __init__(self, retired):
        self.x = [0] * 33               # as the hart's: x0..x31 and the x0 write sink
        self.pc = 0
        self.priv = S
        self.retired = retired
        self.mstatus = 0                # only the sstatus bits mean anything here
        self.mie = 0
        self.mideleg = FIRMWARE_MIDELEG
        self.medeleg = FIRMWARE_MEDELEG
        self.mcounteren = FIRMWARE_MCOUNTEREN
        self.mip_soft = 0
        self.stvec = self.sscratch = self.sepc = self.scause = self.stval = 0
        self.satp = 0
        self.scounteren = self.senvcfg = 0
        self.counter_offset = {'cycle': 0, 'instret': 0}
        self.timecmp = M64              # the SBI timer (set_timer), in ticks
        self.time_offset = 0            # ticks skipped while the guest waited (wfi)
        self.mmu = _SatpWatch()

    # --- what machine.csr calls -------------------------------------------------------------

    def set_mstatus(self, value):
        self.mstatus = value

    def mip(self, n=None):
        """Pending interrupts: the software-set bits, and STIP while time >= timecmp (what the
        firmware's timer handler and ``set_timer`` maintain on the bare machine)."""
        value = self.mip_soft
        if self.time() >= self.timecmp:
            value |= 1 << STI
        return value

    def counter(self, name):
        if name == 'time':
            return self.time()
        return (self.retired() + self.counter_offset[name]) & M64

    # --- time and interrupts ------------------------------------------------------------------

    def time(self):
        return (self.retired() // INSTRUCTIONS_PER_TICK + self.time_offset) & M64

    def timer_deadline(self):
        """Guest instructions retired at which the timer becomes pending, or None."""
        if self.timecmp >= M64:
            return None
        return max(0, (self.timecmp - self.time_offset) * INSTRUCTIONS_PER_TICK)

    def interrupt_due(self):
        """The virtual interrupt to deliver now, or None (the spec's rules for S-level
        interrupts: enabled in sie, and the guest in U-mode or in S-mode with SIE set)."""
        enabled = self.mie & self.mideleg
        if not enabled or (self.priv == S and not self.mstatus & SIE):
            return None                 # (checked first: mip() needs the clock)
        pending = self.mip() & enabled
        if not pending:
            return None
        for i in INTERRUPT_PRIORITY:
            if pending >> i & 1:
                return i | INTERRUPT
        return None

    def enter_trap(self, cause, tval):
        """The hardware's trap entry into (virtual) S-mode; returns the handler's pc."""
        code = cause & ~INTERRUPT
        self.sepc, self.scause, self.stval = self.pc, cause, tval & 0xFFFFFFFF
        st = self.mstatus
        self.mstatus = (st & ~(SPIE | SPP | SIE) | (SPIE if st & SIE else 0)
                        | (SPP if self.priv == S else 0))
        self.priv = S
        base, mode = self.stvec & ~3, self.stvec & 3
        self.pc = base + 4 * code if cause & INTERRUPT and mode == 1 else base
        return self.pc

    def sret(self):
        """The hardware's ``sret``: back to the privilege in SPP, interrupts as in SPIE."""
        st = self.mstatus
        self.priv = S if st & SPP else U
        self.mstatus = st & ~(SIE | SPP) | (SIE if st & SPIE else 0) | SPIE
        self.pc = self.sepc
        return self.pc

    @property
    def sum(self):
        return bool(self.mstatus & SUM)

    @property
    def mxr(self):
        return bool(self.mstatus & MXR)
