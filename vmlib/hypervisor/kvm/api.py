"""The KVM API's constants, its errors and ``struct kvm_run`` (Linux's values and names:
``include/uapi/linux/kvm.h``), and what RISC-V KVM delegates and forwards."""

from dataclasses import dataclass

from ...machine.sv32 import PTE_V, PTE_R, PTE_X, PTE_U, PTE_A, PTE_D
from ...machine.traps import (VSSI, VSTI, VSEI, BREAKPOINT, MISALIGNED_FETCH, ECALL_FROM_U,
                              ILLEGAL_INSTRUCTION,
                              FETCH_PAGE_FAULT, LOAD_PAGE_FAULT, STORE_PAGE_FAULT)

M32 = 0xFFFFFFFF
M64 = (1 << 64) - 1

# struct kvm_run exit reasons
KVM_EXIT_UNKNOWN, KVM_EXIT_HLT, KVM_EXIT_MMIO = 0, 5, 6
KVM_EXIT_FAIL_ENTRY, KVM_EXIT_INTR, KVM_EXIT_INTERNAL_ERROR = 9, 10, 17
KVM_EXIT_SYSTEM_EVENT, KVM_EXIT_RISCV_SBI = 24, 35
EXIT_NAMES = {KVM_EXIT_UNKNOWN: 'KVM_EXIT_UNKNOWN', KVM_EXIT_HLT: 'KVM_EXIT_HLT',
              KVM_EXIT_MMIO: 'KVM_EXIT_MMIO', KVM_EXIT_FAIL_ENTRY: 'KVM_EXIT_FAIL_ENTRY',
              KVM_EXIT_INTR: 'KVM_EXIT_INTR', KVM_EXIT_INTERNAL_ERROR: 'KVM_EXIT_INTERNAL_ERROR',
              KVM_EXIT_SYSTEM_EVENT: 'KVM_EXIT_SYSTEM_EVENT',
              KVM_EXIT_RISCV_SBI: 'KVM_EXIT_RISCV_SBI'}
KVM_SYSTEM_EVENT_SHUTDOWN, KVM_SYSTEM_EVENT_RESET = 1, 2
KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY = 1, 2

#: what RISC-V KVM delegates to the guest (Linux's arch/riscv/kvm, KVM_HEDELEG_DEFAULT and
#: KVM_HIDELEG_DEFAULT; illegal instructions too since 2025): its own traps never exit
HEDELEG = sum(1 << c for c in (MISALIGNED_FETCH, ILLEGAL_INSTRUCTION, BREAKPOINT, ECALL_FROM_U,
                               FETCH_PAGE_FAULT, LOAD_PAGE_FAULT, STORE_PAGE_FAULT))
HIDELEG = sum(1 << i for i in (VSSI, VSTI, VSEI))
#: the counters a guest reads without an exit (hcounteren): time only, as the firmware allows
#: the kernel on the bare machine (mcounteren.TM), so that a guest sees the same machine
GUEST_COUNTERS = 1 << 1

# SBI (the calls KVM serves or forwards; the guest kernel's are legacy ones and SRST)
SBI_SET_TIMER, SBI_CONSOLE_PUTCHAR, SBI_CONSOLE_GETCHAR, SBI_SHUTDOWN = 0x00, 0x01, 0x02, 0x08
SBI_BASE, SBI_TIME, SBI_SRST, SBI_DBCN = 0x10, 0x54494D45, 0x53525354, 0x4442434E
SBI_STA = 0x535441                  # steal-time accounting: a shared page KVM keeps up to date
SBI_IPI, SBI_RFENCE = 0x735049, 0x52464E43      # inter-processor interrupts, remote fences
FORWARDED = (SBI_CONSOLE_PUTCHAR, SBI_CONSOLE_GETCHAR, SBI_DBCN)
SBI_ERR_NOT_SUPPORTED, SBI_ERR_INVALID_PARAM, SBI_ERR_INVALID_ADDRESS = -2, -3, -5
NS_PER_TICK = 100                   # the timebase: 10 MHz (mtime), as QEMU's virt board
A0, A1, A2, A6, A7 = 10, 11, 12, 16, 17
GUEST_RAM_PTE = PTE_V | PTE_R | PTE_X | PTE_U | PTE_A | PTE_D    # (+ W unless protected)


class KvmError(OSError):
    """An ioctl's failure: ``errno`` and the name of the error."""

    errno_value = 0

    def __init__(self, message):
        super().__init__(self.errno_value, f'{type(self).__name__}: {message}')


class EINVAL(KvmError):
    errno_value = 22


class EEXIST(KvmError):
    errno_value = 17


class ENOENT(KvmError):
    errno_value = 2


class EFAULT(KvmError):
    errno_value = 14


class EOPNOTSUPP(KvmError):
    errno_value = 95


# --- struct kvm_run ---------------------------------------------------------------------------

@dataclass
class Mmio:
    """``kvm_run.mmio``: a guest load or store to ``phys_addr``; for a load the VMM fills
    ``data`` (``len`` bytes, little-endian) before the next ``run()``."""
    phys_addr: int
    data: bytes
    len: int
    is_write: bool


@dataclass
class RiscvSbi:
    """``kvm_run.riscv_sbi``: a forwarded SBI call; the VMM sets ``ret`` (a0, a1)."""
    extension_id: int
    function_id: int
    args: list
    ret: list


@dataclass
class SystemEvent:
    """``kvm_run.system_event``: ``type`` SHUTDOWN or RESET, ``data`` (the SBI reason)."""
    type: int
    data: list


@dataclass
class KvmRun:
    """What ``KVM_RUN`` returns: ``exit_reason`` and the part of the union it uses."""
    exit_reason: int
    mmio: Mmio = None
    riscv_sbi: RiscvSbi = None
    system_event: SystemEvent = None
    internal: str = ''                   # KVM_EXIT_INTERNAL_ERROR / HLT: what happened

    @property
    def name(self):
        return EXIT_NAMES[self.exit_reason]
