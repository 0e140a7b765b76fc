"""Technique 1, hardware emulation: the whole guest machine interpreted in software.

The reference technique (QEMU without KVM, Bochs): every guest instruction -- firmware,
kernel and processes, each at its true privilege -- is executed by an interpreter, and every
device is a model. Nothing the guest does can reach the host, because nothing the guest does
runs on the host: it is all data to the emulator. The price is that *no* instruction runs
directly: efficiency 0 by construction, and every instruction costs an
``emulated_instruction`` in the cost model.

Here each guest is a complete ``vmlib.machine.Machine`` -- the machine of the earlier
chapters, firmware included -- whose RAM is the guest's slice of host RAM (so the memory
layout, and what isolation means, are the same as for the other techniques) and whose UART is
the VM's console. Its hart is the guest's vCPU; when the machine stops itself, the run ends
with a ``halted`` exit.
"""

from ...machine import Machine
from ..technique import Technique


class Emulate(Technique):
    name = 'emulate'
    order = 1
    summary = ('hardware emulation: the whole guest machine (firmware too) interpreted at '
               'its true privilege; the reference')

    def __init__(self, hv):
        super().__init__(hv)
        self.machines = {}              # guest index -> its emulated Machine

    def machine(self, vm):
        """The emulated machine of guest ``vm`` (to watch it: ``machine.trace = ...``)."""
        return self.machines[vm.index]

    def setup(self, vm):
        reserved = getattr(vm.program, 'reserved', None)   # Linux: it reads a device tree
        m = self.machines[vm.index] = Machine(ram_size=vm.mem.size, ram=vm.mem.view(),
                                              nonvirt=self.hv.nonvirt, engine=self.hv.engine,
                                              uart=vm.uart, virtio=vm.virtio,
                                              reserved=reserved or (),
                                              device_tree=reserved is not None)
        vm.mem.load_program(vm.program)
        m.program, m.symbols = vm.program, vm.program.symbols
        m.reset(vm.program.entry)       # the firmware's reset vector, in M-mode
        m.bus.trace = lambda event, vm=vm: vm.events.update(device_access=1)
        vm.vcpu, vm.devices = m.hart, m.bus.devices

    def run(self, vm, budget):
        exit = vm.vcpu.run(budget)
        vm.guest_instructions = vm.vcpu.instret
        vm.count('emulated_instruction', exit.retired)
        return exit
