"""A KVM-like API on the course machine: what Linux's KVM offers a user-space VMM, by name.

Real KVM is a kernel module; a VMM (QEMU, kvmtool, Firecracker) drives it with ioctls on file
descriptors. Here the same calls are Python methods, with the same shape:

    kvm = Kvm()                                     # open("/dev/kvm")
    vm = kvm.create_vm()                            # KVM_CREATE_VM
    ram = kvm.mmap(4 << 20)                         # mmap(): the VMM's memory for the guest
    vm.set_user_memory_region(0, 0x80000000, ram)   # KVM_SET_USER_MEMORY_REGION
    vcpu = vm.create_vcpu(0)                        # KVM_CREATE_VCPU
    vcpu.set_one_reg('pc', entry)                   # KVM_SET_ONE_REG
    run = vcpu.run()                                # KVM_RUN -> struct kvm_run
    run.exit_reason == KVM_EXIT_MMIO                # ...the VMM emulates, and runs again

Underneath is the machine's **H extension**, used as RISC-V KVM uses it. The guest kernel runs
in VS-mode, its processes in VU-mode; the guest-physical memory of the memory slots is mapped
by a G-stage table (``hgatp``, Sv32x4) that KVM builds in host RAM; traps the guest handles
itself go straight to it (``hedeleg``: system calls, page faults, breakpoints; ``hideleg``: its
interrupts), so they cost no exit at all. What does exit comes to HS-mode, as on real
hardware (``scause``, ``stval``, ``htval``, ``hstatus.SPV``...), and KVM either serves it in
the kernel -- the timer (SBI TIME, ``hvip.VSTIP``), ``wfi`` as a halt (``hstatus.VTW``), dirty
logging, SBI BASE, IPI and RFENCE, steal time (SBI STA), an exception redirected to the guest,
and without nested paging the shadow page tables -- counted in ``vcpu.stat`` but not
returned; or returns to user space: ``KVM_EXIT_MMIO`` (a load or store outside the memory
slots: the VMM's devices), ``KVM_EXIT_RISCV_SBI`` (SBI calls KVM forwards: the legacy console,
DBCN), ``KVM_EXIT_SYSTEM_EVENT`` (SBI system reset: shutdown or reset), ``KVM_EXIT_INTR`` (a
signal for the VMM: here, the end of the VMM's time slice), ``KVM_EXIT_HLT`` (x86's: the vCPU
waits and nothing can wake it; RISC-V KVM would sleep, a one-hart model cannot).
A user-space exit is completed by the next ``run()``: a load's data goes to its register, an
SBI call's return values to a0/a1, and the guest goes on after the instruction.

Misuse gets the error real KVM gives, as an exception named after it: ``EINVAL`` (a region
not page-aligned, a second vCPU, running a vCPU after shutdown), ``EEXIST`` (overlapping
slots, a vCPU id twice), ``ENOENT`` (an unknown register), ``EFAULT`` (memory that is not the
host's), ``EOPNOTSUPP`` (a guest fetch or atomic outside its memory: KVM_RUN fails).

Constants have Linux's values (``include/uapi/linux/kvm.h``).
"""

from .api import (KvmError, EINVAL, EEXIST, ENOENT, EFAULT, EOPNOTSUPP, KvmRun, Mmio, RiscvSbi,
                  SystemEvent, EXIT_NAMES, KVM_EXIT_UNKNOWN, KVM_EXIT_HLT, KVM_EXIT_MMIO,
                  KVM_EXIT_FAIL_ENTRY, KVM_EXIT_INTR, KVM_EXIT_INTERNAL_ERROR,
                  KVM_EXIT_SYSTEM_EVENT, KVM_EXIT_RISCV_SBI, KVM_SYSTEM_EVENT_SHUTDOWN,
                  KVM_SYSTEM_EVENT_RESET, KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY,
                  SBI_CONSOLE_PUTCHAR, SBI_CONSOLE_GETCHAR, SBI_DBCN, SBI_ERR_NOT_SUPPORTED)
from .memory import HostMemory, MemorySlot, GStage
from .vcpu import KvmVcpu, VcpuState
from .vm import Kvm, KvmVm

__all__ = ['Kvm', 'KvmVm', 'KvmVcpu', 'VcpuState', 'HostMemory', 'MemorySlot', 'GStage',
           'KvmRun', 'Mmio', 'RiscvSbi', 'SystemEvent', 'KvmError', 'EINVAL', 'EEXIST',
           'ENOENT', 'EFAULT', 'EOPNOTSUPP', 'EXIT_NAMES', 'KVM_EXIT_UNKNOWN', 'KVM_EXIT_HLT',
           'KVM_EXIT_MMIO', 'KVM_EXIT_FAIL_ENTRY', 'KVM_EXIT_INTR', 'KVM_EXIT_INTERNAL_ERROR',
           'KVM_EXIT_SYSTEM_EVENT', 'KVM_EXIT_RISCV_SBI', 'KVM_SYSTEM_EVENT_SHUTDOWN',
           'KVM_SYSTEM_EVENT_RESET', 'KVM_MEM_LOG_DIRTY_PAGES', 'KVM_MEM_READONLY',
           'SBI_CONSOLE_PUTCHAR', 'SBI_CONSOLE_GETCHAR', 'SBI_DBCN', 'SBI_ERR_NOT_SUPPORTED']
