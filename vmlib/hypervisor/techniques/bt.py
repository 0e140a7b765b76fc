"""Technique 4, binary translation: the guest kernel's code is translated, its processes run.

VMware's monitor (1999; Bugnion et al., TOCS 2012) on this machine. The guest's processes run
directly on the host hart, deprivileged, as under trap-and-emulate (``trap.py``: the same
world switch, virtual timer, shadow page tables and handler table). Its kernel never runs
directly: each block of kernel code is translated before it first runs (``..bt``), sensitive
instructions become **callouts** into the VMM -- no trap, no exit -- and the translations run
from a translation cache, chained to each other.

What this class adds to trap-and-emulate:

- the **engine switch**: the host hart runs the guest's processes on the hypervisor's engine and
  its kernel from the kernel's ``KernelTranslator``; a run ends (``must_switch``) when the
  virtual privilege changes (a system call reflected, an ``sret`` called out);
- the **callout** (``callout``): translated code calls the VMM, which serves the instruction
  through the same handler table as a trap (``vm.callout`` set: counted as a callout, not an
  exit, without the trap's transitions);
- **traces on code**: a guest page with translations is write-protected in the shadows, so a
  store to it comes to the VMM (``code_write``), which performs it and drops the translations
  made from the bytes written;
- **adaptive translation**: the trap of a kernel load or store for a device register, a page
  table or translated code is reported to the translator, which makes the instruction a
  callout once it keeps trapping and copies it back once its callouts find plain memory
  (``KernelTranslator.trapped``/``called_out``; Adams & Agesen, ASPLOS 2006).
"""

from collections import Counter

from ...machine.dbt import Translator
from ...machine.exit import Exit
from ...machine.sv32 import FETCH
from ...machine.traps import BREAKPOINT, ECALL_FROM_U, ILLEGAL_INSTRUCTION, S, Trap
from ...isa import decode
from ..bt import ADAPT_AFTER, KernelTranslator
from ..memory import GUEST_RAM_BASE
from .trap import TrapAndEmulate

#: the services whose traps at a kernel load or store count towards adapting it
ADAPTIVE_EXITS = ('mmio', 'page_table_write', 'code_write')


class BinaryTranslation(TrapAndEmulate):
    name = 'bt'
    order = 4
    summary = ('binary translation: the guest kernel is translated block by block, its '
               'sensitive instructions become callouts into the VMM; its processes run directly')

    def __init__(self, hv):
        super().__init__(hv)
        self.direct = self.hart.engine      # what runs the guest's processes
        self.translators = {}               # guest index -> its kernel's KernelTranslator
        self.in_kernel = False              # the current run is translated kernel code
        self.translated_run = Counter()     # guest index -> instructions run from the cache
        self.adapt_after = ADAPT_AFTER      # None: no adaptive translation (to compare)

    def setup(self, vm):
        super().setup(vm)
        self.translators[vm.index] = KernelTranslator(
            self.hart, self.callout, vm.count,
            lambda block, made, vm=vm: self.watch(vm, block, made))
        watchers = [t for t in [self.direct] if isinstance(t, Translator)]
        for t in self.translators.values():
            watchers += [t, t.stepper]
        self.hart.code_written = lambda index, size: [w.code_written(index, size)
                                                      for w in watchers]

    def translator(self, vm):
        """The translation cache of guest ``vm``'s kernel (a ``KernelTranslator``)."""
        return self.translators[vm.index]

    # --- running -----------------------------------------------------------------------------

    def execute(self, vm, n):
        h = self.hart
        self.in_kernel = vm.vcpu.priv == S
        h.engine = self.translators[vm.index] if self.in_kernel else self.direct
        try:
            return h.run(n)
        finally:
            h.engine = self.direct

    def must_switch(self, vm):
        return (vm.vcpu.priv == S) != self.in_kernel

    def count_direct(self, vm):
        if self.in_kernel:
            self.translated_run[vm.index] += self.hart.instret - self.run_start
        super().count_direct(vm)

    def callout(self, word, pc):
        """Translated kernel code at ``pc`` calls the VMM for the instruction ``word``: served
        by the handler table as its trap would be, but without one. Returns the next pc."""
        vm, h = self.vm, self.hart
        v = vm.vcpu
        v.pc = pc
        v.reservation = h.reservation
        self.count_direct(vm)
        exit = callout_exit(word, pc)
        index = self.code_index(pc) if exit.reason == 'memory_access' else None
        vm.callout = True
        try:
            go_on = self.hv.handle(vm, exit)
        finally:
            vm.callout = False
        if index is not None and vm.alive:
            self.translators[vm.index].called_out(index, vm.last_exit == 'memory')
        self.after_service(vm, go_on, resume=False)
        return h.pc

    def code_index(self, pc):
        """Where in host RAM the instruction at ``pc`` of the running guest is (None if
        nowhere): translations and adaptive decisions are kept by that place."""
        h = self.hart
        try:
            return h.bus.ram_index(h.mmu.peek(pc, FETCH, h.mode))
        except Trap:
            return None

    def on_trap(self, cause, tval):
        """A trap while the guest ran: served as under trap-and-emulate; a kernel load or
        store that keeps trapping for a service is retranslated as a callout."""
        vm, h = self.vm, self.hart
        index = self.code_index(h.pc) if self.in_kernel else None
        served = super().on_trap(cause, tval)
        if index is not None and vm.last_exit in ADAPTIVE_EXITS:
            self.translators[vm.index].trapped(index, self.adapt_after)
        return served

    def watch(self, vm, block, made):
        """Write-protect the guest page a translation comes from while any does."""
        page = block.index >> 12
        gpage = (page << 12) - vm.mem.base + GUEST_RAM_BASE >> 12
        if made:
            vm.mmu.protect_code(gpage)      # (flushes the hart's TLB if it was writable)
        elif not self.translators[vm.index].holds(page):
            vm.mmu.unprotect_code(gpage)

    # --- the report ---------------------------------------------------------------------------

    def stats(self):
        stats = super().stats()
        callouts = Counter()
        for vm in self.hv.vms:
            callouts.update(vm.callouts)
        stats['callouts'] = dict(sorted(callouts.items()))
        stats['translation'] = {
            vm.name: dict(self.translators[vm.index].counters(),
                          **{'instructions run translated': self.translated_run[vm.index],
                             'adaptive instructions': len(self.translators[vm.index].adaptive)})
            for vm in self.hv.vms}
        return stats


def callout_exit(word, pc):
    """The exit a callout for ``word`` at ``pc`` is served as: what its trap would have been
    on the deprivileged hart (a load or store translated adaptively: ``memory_access``)."""
    ins = decode(word)
    if ins is not None and ins.spec.kind in ('load', 'store'):
        return Exit('memory_access', None, word, pc)
    if ins is not None and ins.spec.name == 'ecall':
        return Exit('ecall', ECALL_FROM_U, 0, pc)
    if ins is not None and ins.spec.name == 'ebreak':
        return Exit('exception', BREAKPOINT, pc, pc)
    return Exit('privileged_instruction', ILLEGAL_INSTRUCTION, word, pc)
