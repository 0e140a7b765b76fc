"""Technique 5, hardware assistance: the guest kernel runs in VS-mode, KVM and a user-space VMM
serve what exits.

The host hart has the H extension, so the guest kernel runs unmodified at the privilege it was
written for -- VS-mode, a real supervisor mode whose CSR accesses, ``sret``, ``sfence.vma`` and
traps stay in the guest, on the VS registers -- and its processes in VU-mode. The guest's
memory is mapped by the G-stage table (nested paging: ``hgatp``), so its page tables are its
own business too. What still exits is what the hardware cannot do for a guest: a device
register (no device is mapped), an SBI call, ``wfi``, an exception the guest kernel does not
take itself.

The work is split as with Linux: ``vmlib.hypervisor.kvm`` is KVM (in-kernel: the timer, halts,
SBI TIME and BASE, redirected exceptions), ``vmlib.hypervisor.vmm`` is the user-space VMM
(kvmtool: the devices of the device map, the forwarded SBI console); this module plugs them
into the hypervisor's loop: one KVM VM per guest, its memory slot the guest's slice of host
RAM, its G-stage table in the guest's pool of VMM frames. Exits are reported by what they
became: ``KVM_EXIT_*`` (to user space) and KVM's in-kernel reasons.
"""

from collections import Counter

from ...machine.exit import Exit
from ...machine.traps import (FETCH_ACCESS, LOAD_ACCESS, STORE_ACCESS, FETCH_GUEST_PAGE_FAULT,
                              FETCH_PAGE_FAULT)
from ..exits import firmware_panic
from ..kvm import (Kvm, KvmError, EOPNOTSUPP, KVM_EXIT_SYSTEM_EVENT, KVM_EXIT_HLT,
                   KVM_EXIT_INTERNAL_ERROR, KVM_SYSTEM_EVENT_RESET)
from ..memory import GUEST_RAM_BASE
from ..technique import Technique
from ..vm import VirtualClint, GuestStopped
from ..vmm import UserVmm

#: in-kernel exits whose work is an SBI call
SBI_STATS = ('sbi_time', 'sbi_base', 'sbi_unsupported')


class HardwareAssisted(Technique):
    name = 'hw'
    order = 5
    summary = ('hardware assistance: the unmodified guest kernel runs in VS-mode (H '
               'extension, nested paging); KVM and a user-space VMM serve what exits')

    def __init__(self, hv):
        super().__init__(hv)
        self.host.hart.use_engine(hv.engine)
        self.kvm = Kvm(host=self.host)
        self.vmms = {}                  # guest index -> its UserVmm
        self.counted = {}               # guest index -> the exits already in its report

    def setup(self, vm):
        entry = vm.program.symbols.get('kernel_entry')
        if entry is None:
            raise ValueError(f'{vm.name}: the guest kernel starts at its "kernel_entry" '
                             'symbol (the firmware does not run), and the program has none')
        vm.mem.load_program(vm.program)
        kvm_vm = self.kvm.create_vm(frames=vm.pool, nested=self.hv.nested_paging,
                                    count=vm.count)
        kvm_vm.set_user_memory_region(0, GUEST_RAM_BASE, vm.mem)
        vcpu = kvm_vm.create_vcpu(0)
        vcpu.set_one_reg('pc', entry)
        vm.vcpu = vcpu.state
        vm.add_devices(VirtualClint(vcpu.state))
        vcpu.set_regs({'a1': vm.device_tree()})     # the device tree, when the guest reads one
        self.vmms[vm.index] = UserVmm(kvm_vm, vcpu, vm.devices, vm.uart,
                                      alive=lambda vm=vm: vm.alive,
                                      unassigned=lambda mmio, vm=vm: self.no_device(vm, mmio))
        self.counted[vm.index] = Counter()

    def run(self, vm, budget):
        vmm = self.vmms[vm.index]
        vcpu = vmm.vcpu
        if self.kvm.loaded is not vcpu:
            vm.count('world_switch')
        try:
            run = vmm.run(until=vcpu.retired() + budget)
        except GuestStopped:
            run = None
        except KvmError as e:
            run = None
            self.failed(vm, vcpu, e)
        self.account(vm, vcpu, vmm)
        if run is None or not vm.alive:
            return Exit('stopped', pc=vcpu.state.pc)
        if run.exit_reason == KVM_EXIT_SYSTEM_EVENT:
            a0, a1 = run.system_event.data
            status = 0 if a1 == 0 else 1
            if run.system_event.type == KVM_SYSTEM_EVENT_RESET:
                vm.finish('reset', None, f'SBI system reset (type {a0}): reset requested')
            else:
                vm.finish('poweroff', status, f'SBI system reset (type {a0}, reason {a1}): '
                                              f'power off, status {status}')
        elif run.exit_reason == KVM_EXIT_HLT:
            vm.finish('wfi', None, run.internal)
        elif run.exit_reason == KVM_EXIT_INTERNAL_ERROR:
            vm.finish('guest-fault', None, f'KVM_EXIT_INTERNAL_ERROR: {run.internal}')
        return Exit('budget' if vm.alive else 'stopped', pc=vcpu.state.pc)

    def no_device(self, vm, mmio):
        """An access where the guest has neither memory nor a device: on the bare machine an
        access fault its firmware does not delegate, so the firmware's panic (the VMM plays
        the firmware, as under trap-and-emulate)."""
        cause = STORE_ACCESS if mmio.is_write else LOAD_ACCESS
        firmware_panic(vm, cause, self.vmms[vm.index].vcpu.trap[1])

    @staticmethod
    def failed(vm, vcpu, error):
        """KVM_RUN failed. A fetch outside the guest's memory ends as on the bare machine (an
        instruction access fault: its firmware's panic); anything else with KVM's error."""
        if isinstance(error, EOPNOTSUPP) and vcpu.trap[0] in (FETCH_GUEST_PAGE_FAULT,
                                                              FETCH_PAGE_FAULT):
            try:
                firmware_panic(vm, FETCH_ACCESS, vcpu.trap[1])
            except GuestStopped:
                return
        vm.finish('guest-fault', None, f'KVM_RUN failed: {error}')

    def account(self, vm, vcpu, vmm):
        """The report's view of the run: instructions, exits by reason, cost-model events."""
        vm.guest_instructions = vcpu.retired()
        new = vcpu.instructions - vm.direct_instructions
        vm.direct_instructions, vm.emulated = vcpu.instructions, vcpu.emulated
        vm.count('guest_instruction', new)
        now = Counter(vcpu.stat)
        delta = now - self.counted[vm.index]
        self.counted[vm.index] = now
        for reason, n in delta.items():
            if reason in ('KVM_EXIT_INTR', 'halt_wakeup'):
                continue                        # the VMM's slice ended, or time passed
            vm.exits[reason] += n
            vm.count('vm_exit', n)
            vm.count('vm_entry', n)
            if reason == 'KVM_EXIT_MMIO':
                vm.count('device_access', n)
            elif reason == 'KVM_EXIT_RISCV_SBI' or reason in SBI_STATS:
                vm.count('sbi_call', n)
            elif reason in ('redirect', 'guest_page_fault', 'virtual_instruction'):
                vm.count('exception_injection', n)
        vm.notes[:] = vmm.notes[:20]

    def stats(self):
        stats = {'nested_paging': self.hv.nested_paging,
                 'kvm': {vm.name: dict(sorted(self.vmms[vm.index].vcpu.stat.items()))
                         for vm in self.hv.vms}}
        if not self.hv.nested_paging:
            stats['shadow'] = {vm.name: self.vmms[vm.index].vm.shadow.stats()
                               for vm in self.hv.vms}
        return stats
