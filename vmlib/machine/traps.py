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

# interrupts (the bit number in mip/mie, and the cause code without the interrupt bit)
SSI, MSI, STI, MTI, SEI, MEI = 1, 3, 5, 7, 9, 11
INTERRUPT_PRIORITY = (MEI, MSI, MTI, SEI, SSI, STI)

EXCEPTION_NAMES = {
    0: 'instruction address misaligned', 1: 'instruction access fault',
    2: 'illegal instruction', 3: 'breakpoint', 4: 'load address misaligned',
    5: 'load access fault', 6: 'store/AMO address misaligned', 7: 'store/AMO access fault',
    8: 'environment call from U-mode', 9: 'environment call from S-mode',
    11: 'environment call from M-mode', 12: 'instruction page fault', 13: 'load page fault',
    15: 'store/AMO page fault',
}
INTERRUPT_NAMES = {
    1: 'supervisor software interrupt', 3: 'machine software interrupt',
    5: 'supervisor timer interrupt', 7: 'machine timer interrupt',
    9: 'supervisor external interrupt', 11: 'machine external interrupt',
}

PRIV_NAMES = {0: 'U', 1: 'S', 3: 'M'}
U, S, M = 0, 1, 3


def cause_name(cause):
    """A readable name for an mcause value (interrupt bit included)."""
    if cause & INTERRUPT:
        return INTERRUPT_NAMES.get(cause & ~INTERRUPT, f'interrupt {cause & ~INTERRUPT}')
    return EXCEPTION_NAMES.get(cause, f'exception {cause}')


class Trap(Exception):
    """A synchronous exception raised while executing an instruction."""

    def __init__(self, cause, tval=0):
        super().__init__(cause, tval)
        self.cause, self.tval = cause, tval

    def __str__(self):
        return f'{cause_name(self.cause)} (tval=0x{self.tval:08x})'
