"""Technique 2, trap-and-emulate: the guest runs on the hardware, deprivileged.

Popek and Goldberg's construction (1974), on this machine. The guest kernel, which believes
it runs in S-mode, runs in host **U-mode**; its processes too. Almost every instruction --
arithmetic, loads, stores, branches -- executes directly on the host hart, at full speed.
The few that would let the guest see or change the machine's configuration are privileged,
so in U-mode they trap, and the trap comes to the VMM (the hart's trap hook, in Python here:
the VMM is the host's most privileged software). The VMM turns it into an exit
(``exits.exit_reason``) and serves it through the hypervisor's one handler table
(``vmlib.hypervisor.exits``), in place, without leaving the run loop -- KVM's in-kernel fast
path: the instruction is emulated on the guest's *virtual* CPU, an exception is reflected to
the guest kernel, a shadow page-table entry is filled -- then resumes the guest after it.

This module is what trap-and-emulate adds around those handlers:

- the **world switch**: the host hart takes the guest's registers and its shadow page table
  (``shadow.ShadowMMU``: one view per virtual privilege and SUM), and the guest's run is
  bounded by the VMM's timer;
- **virtual timer interrupts**: the VMM runs the guest for exactly the instructions left until
  its virtual timer fires (a ``timer`` exit), then injects the interrupt into the guest kernel
  as the hardware would. Several guests share the hart round-robin, in slices that end with
  the VMM's own timer too: a guest that spins with interrupts off loses nothing but its time.

Under the non-virtualizable variant of the CPU (``--variant nonvirt``) the guest kernel's
``sstatus`` accesses do not trap: they read the host's real ``sstatus`` and their writes are
lost -- trap-and-emulate silently computes something else (chapter 09).
"""

from ...machine.exit import Exit
from ...machine.traps import INTERRUPT, STI, U
from ..exits import exit_reason, inject_due_interrupt
from ..shadow import ShadowMMU, view_of
from ..technique import Technique
from ..vcpu import VirtualCpu
from ..vm import VirtualClint

#: why the VMM ends a run of the guest early (``hart.exit_now``), after serving an exit: the
#: emulated instructions used up the slice, the guest waits, it stopped, or the run must be
#: sized again (the virtual timer moved earlier, or the step budget is near). A run that ends
#: by itself ('budget') ended at the VMM's timer.
SLICE, YIELD, STOPPED, RESIZE = 'slice', 'wfi', 'stopped', 'resize'


class TrapAndEmulate(Technique):
    name = 'trap'
    order = 2
    attributes = True
    summary = ('trap-and-emulate: the guest kernel runs deprivileged in U-mode; privileged '
               'instructions trap to the VMM, which emulates them on virtual state')

    def __init__(self, hv):
        super().__init__(hv)
        h = self.hart = self.host.hart
        h.use_engine(hv.engine)
        h.trap_hook = self.on_trap
        h.mie = h.medeleg = h.mideleg = 0
        h.mcounteren = h.scounteren = 0     # counters trap: the guest reads its own clock
        h.set_priv(U)                        # the host hart never leaves U: the VMM is Python
        self.vm = None                       # the guest running on the hart now
        self.on_hart = None                  # the guest whose registers the hart holds
        self.run_start = None                # host instret up to which its instructions are
                                             # counted (the run's start, then each exit)
        self.run_end = None                  # host instret at which its run stops
        self.target = None                   # guest instructions retired when the slice ends
        self.timer = None                    # the virtual timer as the current run knows it

    # --- setting a guest up -------------------------------------------------------------------

    def setup(self, vm):
        entry = vm.program.symbols.get('kernel_entry')
        if entry is None:
            raise ValueError(f'{vm.name}: trap-and-emulate starts the guest kernel at its '
                             '"kernel_entry" symbol (the firmware does not run), and the '
                             'program has none')
        vm.mem.load_program(vm.program)
        v = vm.vcpu = VirtualCpu(clock=lambda vm=vm: self.retired(vm),
                                 flush_tlb=self.hart.mmu.flush)
        v.pc = entry                        # where the firmware's mret would go; a0 = 0,
        vm.mmu = ShadowMMU(vm.mem, vm.pool, self.host.bus, vm.count, self.hart.mmu.flush)
        vm.add_devices(VirtualClint(v))
        v.x[11] = vm.device_tree()          # a1: the device tree, when the guest reads one

    def count_direct(self, vm):
        """Count the instructions the hart ran for ``vm`` since the last count (charged to
        what the guest was doing: its phase)."""
        n = self.hart.instret - self.run_start
        self.run_start = self.hart.instret
        vm.direct_instructions += n
        vm.count('guest_instruction', n)

    def retired(self, vm):
        """Guest instructions retired so far: run by the hart, plus emulated by the VMM."""
        n = vm.direct_instructions + vm.emulated
        if vm is self.vm and self.run_start is not None:
            n += self.hart.instret - self.run_start
        return n

    # --- KVM_RUN ----------------------------------------------------------------------------

    def run(self, vm, budget):
        """Run ``vm`` on the host hart for ``budget`` guest instructions (its slice)."""
        h, v = self.hart, vm.vcpu
        if self.on_hart is not vm:          # world switch: the hart takes the guest's registers
            self.on_hart = vm               # (and, in sync, its address space)
            h.x = v.x
            vm.causes.charge_to('timer' if vm.causes.phase != 'boot' else None)
            vm.count('world_switch')
            vm.causes.charge_to()
        self.vm = vm
        self.target = self.retired(vm) + budget
        try:
            self.sync(vm)
            while vm.alive:
                now = self.retired(vm)
                n = self.target - now
                deadline = v.timer_deadline()
                if deadline is not None and deadline > now and v.mie & (1 << STI):
                    n = min(n, deadline - now)      # stop when the virtual timer fires
                if n <= 0:
                    return Exit('budget', pc=v.pc)
                h.pc = v.pc
                self.run_start, self.run_end = h.instret, h.instret + n
                self.timer = (v.timecmp, v.time_offset, v.mie)
                self.hv.resume(vm)                  # VMM -> guest
                exit = self.execute(vm, n)
                self.count_direct(vm)
                self.run_start = self.run_end = None
                v.pc = h.pc
                if exit.reason == 'budget':
                    # the VMM's timer: the slice's end, or the virtual timer is due
                    self.hv.handle(vm, Exit('timer', pc=v.pc))
                    self.sync(vm)
                elif exit.reason == SLICE:
                    return Exit('budget', pc=v.pc)
                elif exit.reason != RESIZE:
                    return exit                     # YIELD or STOPPED
            return Exit(STOPPED, pc=v.pc)
        finally:
            self.run_start = self.run_end = None
            vm.guest_instructions = self.retired(vm)
            self.vm = None

    def execute(self, vm, n):
        """Run ``vm`` on the host hart for ``n`` instructions: directly, whatever its virtual
        privilege (binary translation translates its kernel instead)."""
        return self.hart.run(n)

    # --- the VMM's entry: every trap of the host hart -----------------------------------------

    def on_trap(self, cause, tval):
        """The host hart trapped while the guest ran: serve the exit in place, then resume
        the guest -- or end its run (``hart.exit_now``) when it stopped, waits, or used up
        its slice."""
        vm, h = self.vm, self.hart
        v = vm.vcpu
        if cause & INTERRUPT:               # the host takes none; be safe
            return True
        v.pc = h.pc
        v.reservation = h.reservation       # an lr.w the guest ran directly
        self.count_direct(vm)
        go_on = self.hv.handle(vm, Exit(exit_reason(cause), cause, tval, h.pc))
        self.after_service(vm, go_on)
        return True

    def after_service(self, vm, go_on, resume=True):
        """After the VMM served ``vm`` in the middle of a run: go on in the same run
        (``resume``: back into the guest, a ``trap_return``) or end it -- it stopped, waits,
        used up its slice, or the run must be sized again."""
        h, v = self.hart, vm.vcpu
        if vm.alive:
            self.sync(vm)
            done = self.retired(vm)
            if not go_on:
                h.exit_now(Exit(YIELD, pc=v.pc))
            elif done >= self.target:       # emulated instructions end slices too
                h.exit_now(Exit(SLICE, pc=v.pc))
            elif done + self.run_end - h.instret > vm.max_steps or self.must_switch(vm):
                h.exit_now(Exit(RESIZE, pc=v.pc))     # past the step budget, or another way
            if h.exit_request is None and resume:
                self.hv.resume(vm)          # back into the guest, in the same run
        else:
            h.exit_now(Exit(STOPPED, pc=v.pc))
        h.reservation = v.reservation
        h.pc = v.pc

    def must_switch(self, vm):
        """Whether the run must end for the guest to go on another way (binary translation:
        its kernel translated, its processes direct)."""
        return False

    def sync(self, vm):
        """After the VMM changed virtual state: deliver a due virtual interrupt, point the
        host satp at the shadow table for the guest's address space and view, and make sure
        the current run stops when the virtual timer fires."""
        v, h = vm.vcpu, self.hart
        inject_due_interrupt(self.hv, vm)
        vm.causes.running(v.priv)
        vm.mmu.set_mxr(v.mxr)
        table = vm.mmu.activate(v.satp, view_of(v.priv, v.mstatus))
        if h.satp != table.satp:
            h.satp = table.satp
            h.mmu.flush()
        timer = (v.timecmp, v.time_offset, v.mie)
        if self.run_end is not None and timer != self.timer:
            self.timer = timer
            deadline = v.timer_deadline()
            now = self.retired(vm)
            if (deadline is not None and deadline > now and v.mie & (1 << STI)
                    and deadline - now < self.run_end - h.instret):
                h.exit_now(Exit(RESIZE, pc=v.pc))     # the virtual timer fires earlier now

    def stats(self):
        return {'shadow': {vm.name: vm.mmu.stats() for vm in self.hv.vms}}
