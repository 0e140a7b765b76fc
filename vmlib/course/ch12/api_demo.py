"""The KVM API live: a tiny guest driven call by call, the user-space run loop, steal time.

``TINY_GUEST`` is a few instructions that make one exit of each kind; ``drive_tiny_guest``
runs it with the API's calls, as a VMM's author would, and tells each ``KVM_RUN``; the
run loop the rest of the course uses is ``vmlib.hypervisor.vmm.UserVmm.run``
(``run_loop_source``). ``steal_demo`` runs two small VMs on the one hart and reads the steal
time KVM reports to each through its SBI STA page.
"""

from __future__ import annotations

import inspect

from ...asm import assemble
from ...hypervisor.kvm import (Kvm, KVM_EXIT_MMIO, KVM_EXIT_RISCV_SBI, KVM_EXIT_SYSTEM_EVENT,
                               EXIT_NAMES)
from ...hypervisor.vmm import UserVmm

__all__ = ['TINY_GUEST', 'drive_tiny_guest', 'run_loop_source', 'STA_GUEST', 'steal_demo']

GUEST_RAM = 0x80000000

#: a guest kernel in miniature: a UART byte, a UART status read, an SBI console call, a timer
#: set (served by KVM itself) and a system reset
TINY_GUEST = '''
    li t0, 0x10000000
    li t1, 'K'
    sb t1, 0(t0)            # the UART's data register: no device is mapped there
    lbu t2, 5(t0)           # its line status
    li a0, 'V'
    li a7, 1
    ecall                   # SBI console_putchar (legacy)
    li a0, 1000
    li a1, 0
    li a7, 0
    ecall                   # SBI set_timer (legacy): KVM serves it in the kernel
    li a0, 0                # SBI system reset: shutdown, no reason
    li a1, 0
    li a7, 0x53525354
    li a6, 0
    ecall
'''


def _vm(kvm, source, size=64 << 10):
    """A VM with one memory slot at 0x80000000 holding ``source``, its vCPU at the entry."""
    program = assemble(source)
    vm = kvm.create_vm()
    ram = kvm.mmap(size)
    for section in program.sections:
        ram.write(section.address - GUEST_RAM, section.data)
    vm.set_user_memory_region(0, GUEST_RAM, ram)
    vcpu = vm.create_vcpu(0)
    vcpu.set_one_reg('pc', program.entry)
    return vm, vcpu, program


def drive_tiny_guest():
    """Run ``TINY_GUEST`` with the API, serving each exit by hand; returns what happened, a
    line per ``KVM_RUN``, and what KVM served without returning (``vcpu.stat``)."""
    kvm = Kvm()
    vm, vcpu, _ = _vm(kvm, TINY_GUEST)
    lines = []
    while True:
        run = vcpu.run()
        name = EXIT_NAMES[run.exit_reason]
        if run.exit_reason == KVM_EXIT_MMIO:
            m = run.mmio
            if m.is_write:
                what = f'store of {m.data!r} to 0x{m.phys_addr:08x}'
            else:
                m.data = b'\x60'            # "transmitter empty": what the UART would say
                what = f'load of {m.len} byte at 0x{m.phys_addr:08x}: the VMM answers 0x60'
        elif run.exit_reason == KVM_EXIT_RISCV_SBI:
            s = run.riscv_sbi
            what = (f'SBI extension 0x{s.extension_id:x}, character {chr(s.args[0])!r}: '
                    'the VMM prints it')
            s.ret[0] = 0
        elif run.exit_reason == KVM_EXIT_SYSTEM_EVENT:
            what = f'type {run.system_event.type} (shutdown): the VMM ends the VM'
        else:
            what = run.internal
        lines.append(f'KVM_RUN -> {name:<22} {what}')
        if run.exit_reason not in (KVM_EXIT_MMIO, KVM_EXIT_RISCV_SBI):
            break
    served = ', '.join(f'{k} {v}' for k, v in sorted(vcpu.stat.items()) if not k.startswith('KVM'))
    lines.append(f'served in the kernel, never returned: {served}')
    lines.append(f"the guest's t2 after the run: 0x{vcpu.get_regs()['t2']:02x}")
    return '\n'.join(lines)


def run_loop_source():
    """The user-space VMM's run loop (kvmtool's ``kvm_cpu__start``), as the course runs it."""
    return inspect.getsource(UserVmm.run)


#: a guest that tells KVM where its steal-time record is, then computes forever
STA_GUEST = '''
    la a0, sta
    li a1, 0
    li a2, 0
    li a7, 0x535441         # SBI STA: set_shmem(sta, 0, 0)
    li a6, 0
    ecall
1:  addi s1, s1, 1
    j 1b
    .balign 64
sta: .zero 64
'''


def steal_demo(vms=2, turns=4, slice_size=100_000):
    """``vms`` guests share the hart, ``slice_size`` instructions per turn, ``turns`` rounds;
    returns (lines, {vm: steal in ns read from its own STA record})."""
    kvm = Kvm()
    guests = [_vm(kvm, STA_GUEST) for _ in range(vms)]
    for _ in range(turns):
        for vm, vcpu, _ in guests:
            vcpu.run(slice_size)
    lines, steal = [], {}
    for i, (vm, vcpu, program) in enumerate(guests):
        record = vm.read_guest(program.symbols['sta'], 16)
        ns = int.from_bytes(record[8:16], 'little')
        steal[i] = ns
        ran = vcpu.retired()
        lines.append(f'VM {i}: ran {ran:,} instructions ({ran // 100:,} us at 100 MHz); '
                     f'its STA record says {ns // 1000:,} us stolen')
    return '\n'.join(lines), steal
