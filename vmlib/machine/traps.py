"""Trap causes (the privileged spec's mcause table) and the exception that carries one.

A ``Trap`` is raised by the slow paths of the hart (a page fault in a walk, an illegal CSR,
an ecall) and caught by the run loop, which then *takes* the trap the way hardware does:
save pc to xepc, the cause to xcause, the faulting value to xtval, and jump to xtvec.
"""

INTERRUPT = 1 << 31

# synchronous exceptions
MISALIGNED_FETCH = 0
FETCH_ACCESS = 1
ILLEGAL_INSTRUCTION = 2
BREAKPOINT = 3
MISALIGNED_LOAD = 4
LOAD_ACCESS = 5
MISALIGNED_STORE = 6
STORE_ACCESS = 7
ECALL_FROM_U = 8
ECALL_FROM_S = 9
ECALL_FROM_M = 11
FETCH_PAGE_FAULT = 12
LOAD_PAGE_FAULT = 13
STORE_PAGE_FAULT = 15
ECALL_FROM_VS = 10
# the hypervisor extension's: faults of the G-stage (guest-physical -> physical) translation,
# and instructions that are legal but that a guest (V=1) may not execute by itself
FETCH_GUEST_PAGE_FAULT = 20
LOAD_GUEST_PAGE_FAULT = 21
VIRTUAL_INSTRUCTION = 22
STORE_GUEST_PAGE_FAULT = 23
#: the exceptions whose tval is an address (a guest virtual one when taken from V=1: GVA)
ADDRESS_CAUSES = frozenset((0, 1, 3, 4, 5, 6, 7, 12, 13, 15, 20, 21, 23))

# interrupts (the bit number in mip/mie, and the cause code without the interrupt bit);
# VS*: the virtual supervisor's (H extension), SGEI: a guest external interrupt for HS-mode
SSI, VSSI, MSI, STI, VSTI, MTI, SEI, VSEI, MEI, SGEI = 1, 2, 3, 5, 6, 7, 9, 10, 11, 12
INTERRUPT_PRIORITY = (MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI)

EXCEPTION_NAMES = {
    0: 'instruction address misaligned', 1: 'instruction access fault',
    2: 'illegal instruction', 3: 'breakpoint', 4: 'load address misaligned',
    5: 'load access fault', 6: 'store/AMO address misaligned', 7: 'store/AMO access fault',
    8: 'environment call from U-mode', 9: 'environment call from S-mode',
    10: 'environment call from VS-mode', 11: 'environment call from M-mode',
    12: 'instruction page fault', 13: 'load page fault', 15: 'store/AMO page fault',
    20: 'instruction guest-page fault', 21: 'load guest-page fault',
    22: 'virtual instruction', 23: 'store/AMO guest-page fault',
}
INTERRUPT_NAMES = {
    1: 'supervisor software interrupt', 2: 'virtual supervisor software interrupt',
    3: 'machine software interrupt', 5: 'supervisor timer interrupt',
    6: 'virtual supervisor timer interrupt', 7: 'machine timer interrupt',
    9: 'supervisor external interrupt', 10: 'virtual supervisor external interrupt',
    11: 'machine external interrupt', 12: 'supervisor guest external interrupt',
}

# Privilege levels, and the *modes* a hart runs in: the level, plus 4 when virtualized
# (V=1, the H extension's guest modes). Traces and TLBs are keyed by mode.
U, S, M = 0, 1, 3
VU, VS = 4, 5
PRIV_NAMES = {0: 'U', 1: 'S', 3: 'M', 4: 'VU', 5: 'VS'}


def cause_name(cause):
    """A readable name for an mcause value (interrupt bit included)."""
    if cause & INTERRUPT:
        return INTERRUPT_NAMES.get(cause & ~INTERRUPT, f'interrupt {cause & ~INTERRUPT}')
    return EXCEPTION_NAMES.get(cause, f'exception {cause}')


class Trap(Exception):
    """A synchronous exception raised while executing an instruction. A guest-page fault
    also carries the guest-physical address >> 2 (``tval2``: htval or mtval2); ``gva`` says
    whether tval is a guest virtual address (None: the trap entry decides from the mode)."""

    def __init__(self, cause, tval=0, tval2=0, gva=None):
        super().__init__(cause, tval)
        self.cause, self.tval, self.tval2, self.gva = cause, tval, tval2, gva

    def __str__(self):
        return f'{cause_name(self.cause)} (tval=0x{self.tval:08x})'
