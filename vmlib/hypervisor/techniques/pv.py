"""Technique 3, paravirtualization: a guest kernel ported to its hypervisor.

Xen's answer (Barham et al., "Xen and the Art of Virtualization", SOSP 2003): instead of
trapping every privileged instruction of an unmodified kernel, change the kernel so that it
asks. The port (``vmlib/guest/pv.s`` and the ``.if PV`` parts of ``kernel.s`` and
``virtio.s``) replaces the kernel's privileged instructions by hypercalls and by plain loads
and stores of a page it shares with the VMM (``vmlib.hypervisor.pv``): a system call's eleven
exits under trap-and-emulate become two (the reflected ecall, and ``trap_return``), a batch of
page-table updates one ``mmu_update``, a line of console output one notification.

Underneath it is trap-and-emulate (``trap.py``): the guest kernel still runs deprivileged and
anything it did not port still traps and is emulated; shadow page tables still translate.
What this class adds is the PV state per guest, the trap delivery that fills the shared page,
and reading the guest's interrupt mask from that page before deciding what to deliver.
"""

from ..pv import PvState, delivered, sync_sie
from .trap import TrapAndEmulate


class Paravirt(TrapAndEmulate):
    name = 'pv'
    order = 3
    summary = ('paravirtualization: a ported guest kernel asks by hypercall and shares a '
               'page with the VMM; trap-and-emulate underneath for the rest')

    def setup(self, vm):
        super().setup(vm)
        vm.pv = PvState()
        vm.delivered = delivered

    def sync(self, vm):
        sync_sie(vm)
        super().sync(vm)

    def stats(self):
        stats = super().stats()
        stats['pv'] = {vm.name: {'hypercalls': dict(sorted(vm.pv.calls.items())),
                                 'page_table_updates': vm.pv.updates} for vm in self.hv.vms}
        return stats
