"""Technique 1, hardware emulation: the whole guest machine interpreted in software.

The reference technique (QEMU without KVM, Bochs): every guest instruction -- firmware,
kernel and processes, each at its true privilege -- is executed by an interpreter, and every
device is a model. Nothing the guest does can reach the host, because nothing the guest does
runs on the host: it is all data to the emulator. The price is that *no* instruction runs
directly: efficiency 0 by construction, and every instruction costs an
``emulated_instruction`` in the cost model.

Here each guest is a complete ``vmlib.machine.Machine`` -- the machine of the earlier
chapters, firmware included -- whose RAM is the guest's slice of host RAM (so the memory
layout, and what isolation means, are the same as for the other techniques).
"""

from ..isa import reg_name
from ..machine import Machine
from .technique import Technique, register


@register
class Emulate(Technique):
    name = 'emulate'
    order = 1
    summary = ('hardware emulation: the whole guest machine (firmware too) interpreted at '
               'its true privilege; the reference')

    def setup(self, vm):
        # the emulated machine's RAM is the guest's slice of host memory
        m = Machine(ram_size=vm.mem.size, ram=vm.mem.view(), nonvirt=self.hv.nonvirt)
        vm.mem.load_program(vm.program)
        m.program, m.symbols = vm.program, vm.program.symbols
        m.reset(vm.program.entry)       # the firmware's reset vector, in M-mode
        m.bus.trace = lambda event, vm=vm: vm.events.update(device_access=1)
        vm.machine = m
        vm.uart = m.uart                # the guest's console is its emulated UART

    def run_slice(self, vm, budget):
        h = vm.machine.hart
        before = h.instret
        h.run(budget)
        done = h.instret - before
        vm.guest_instructions = h.instret
        vm.count('emulated_instruction', done)
        if h.halted:
            reason, status, message = h.halted
            vm.finish(reason, status, message)

    def registers(self, vm):
        h = vm.machine.hart
        regs = {reg_name(i): (h.x[i] if i else 0) for i in range(32)}
        regs['pc'] = h.pc
        return regs
