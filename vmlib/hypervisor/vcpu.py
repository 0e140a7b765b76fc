"""A virtual CPU: the hart a guest kernel believes it has.

Under trap-and-emulate the guest's instructions run on the host hart, but its privileged
state cannot live there: the host's CSRs belong to the VMM. So the guest's whole architectural
state -- registers, pc, its *virtual* privilege, every CSR it sees -- is a ``VirtualCpu``: an
``ArchState`` (``vmlib.machine.state``) like the hart's own. When a guest instruction traps,
the VMM executes it on this object with **the machine's own instruction emulator**
(``vmlib.machine.execute``) and CSR table: the rules of what each instruction and CSR does
exist once, and the virtual CPU obeys them exactly as the real one does.

What differs from the hart is only where the hooks lead: time is the guest's own (guest
instructions retired / 10, the machine's ratio ``INSTRUCTIONS_PER_TICK``, plus the time it
skipped waiting), the timer interrupt comes from the SBI timer (``timecmp``), and
``sfence.vma`` flushes the host's TLB (the shadow tables themselves are kept coherent on every
write). What the firmware would have set up (it does not run under the hypervisor) is fixed
here: the delegation of exceptions and S interrupts to the kernel, and ``mcounteren`` (the
kernel may read ``time``).
"""

from ..machine.csr import S_INTERRUPTS, SIE, MXR
from ..machine.devices import INSTRUCTIONS_PER_TICK
from ..machine.state import ArchState
from ..machine.traps import STI, S

M64 = (1 << 64) - 1
# What vmlib/guest/firmware.s delegates (DELEGATED_EXCEPTIONS, DELEGATED_INTERRUPTS) and
# allows (MCOUNTEREN_TM): the VMM plays the firmware's part.
FIRMWARE_MEDELEG = sum(1 << c for c in (0, 2, 3, 4, 6, 8, 12, 13, 15))
FIRMWARE_MIDELEG = S_INTERRUPTS
FIRMWARE_MCOUNTEREN = 1 << 1


class VirtualCpu(ArchState):
    """One guest's hart, as the VMM keeps it.

    ``clock`` is a callable giving the guest instructions retired so far (the VMM counts them:
    the host hart executes some, the VMM emulates the others); ``flush_tlb`` flushes the host
    hart's TLB (the guest's ``sfence.vma``).
    """

    hypervisor = False      # no H extension offered to the guest: no nested virtualization

    def __init__(self, clock, flush_tlb=lambda: None):
        super().__init__()
        self.priv = S
        self.mideleg = FIRMWARE_MIDELEG
        self.medeleg = FIRMWARE_MEDELEG
        self.mcounteren = FIRMWARE_MCOUNTEREN
        self.timecmp = M64              # the SBI timer (set_timer), in ticks
        self.time_offset = 0            # ticks skipped while the guest waited (wfi)
        self.clock, self.flush_tlb = clock, flush_tlb

    # --- the hooks of ArchState ----------------------------------------------------------------

    def retired(self):
        return self.clock()

    def time(self):
        return (self.clock() // INSTRUCTIONS_PER_TICK + self.time_offset) & M64

    def mip(self, n=None):
        """Pending interrupts: the software-set bits, and STIP while time >= timecmp (what the
        firmware's timer handler and ``set_timer`` maintain on the bare machine)."""
        value = self.mip_soft
        if self.time() >= self.timecmp:
            value |= 1 << STI
        return value

    def fence_vma(self):
        self.flush_tlb()

    # --- the timer -----------------------------------------------------------------------------

    def timer_deadline(self):
        """Guest instructions retired at which the timer becomes pending, or None."""
        if self.timecmp >= M64:
            return None
        return max(0, (self.timecmp - self.time_offset) * INSTRUCTIONS_PER_TICK)

    def interrupt_due(self, n=None):
        # the enabling rules first: mip() needs the clock, and most exits have SIE clear
        if not self.mie & self.mideleg or (self.priv == S and not self.mstatus & SIE):
            return None
        return super().interrupt_due(n)

    @property
    def mxr(self):
        return bool(self.mstatus & MXR)
