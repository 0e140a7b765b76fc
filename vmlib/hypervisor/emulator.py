"""The VMM's instruction emulator: a trapped guest instruction, executed against the guest's
virtual CPU and the guest's memory.

The semantics are the machine's (``vmlib.machine.execute``): the same executor that runs a
CSR access, an ``sret`` or an atomic on the hart runs it here on the guest's ``VirtualCpu``.
What this module adds is the *memory* that executor needs, as the guest sees it: a virtual
address goes through the guest's own page tables (the machine's Sv32 walk, with the guest's
privilege, SUM and MXR; A and D set as the hardware would), then to the guest's RAM -- where
a store to one of its page tables also updates the shadows made from it -- or to the device
that answers there in the guest's device map (its UART, its CLINT, its test device).

Whoever asks gets the same answer: a privileged-instruction exit, a store that hit a
write-protected page table, an MMIO access, and (later) a binary translator's callout.
"""

from ..machine.execute import emulate as execute_word
from ..machine.sv32 import LOAD, STORE, ACCESS_FAULT, ad_bits
from .shadow import GuestFault, translate, view_of
from .vm import GuestStopped

M32 = 0xFFFFFFFF


class GuestVirtualMemory:
    """Guest-virtual memory as ``vm``'s vCPU reaches it now (its satp, privilege, SUM, MXR):
    the ``load``/``store`` an executor of ``vmlib.machine.execute`` calls. Faults are the
    guest's own (``GuestFault``: a page fault or an access fault, with the virtual address)."""

    def __init__(self, vm):
        self.vm = vm
        v = vm.vcpu
        self.view, self.mxr = view_of(v.priv, v.mstatus), v.mxr

    def place(self, va, access):
        """The guest-physical address of ``va`` for ``access`` (A/D set in the guest's PTE)."""
        vm = self.vm
        t = translate(vm.mem, vm.vcpu.satp, va, access, self.view, self.mxr)
        vm.count('page_walk_step', len(t.ptes))
        if t.leaf is not None:
            want = ad_bits(access)
            if t.leaf & want != want:
                vm.mem.write(t.leaf_addr, 4, t.leaf | want)
        return t.pa

    def load(self, va, size, access=LOAD):
        if va & (size - 1):
            return sum(self.load((va + i) & M32, 1, access) << 8 * i for i in range(size))
        vm = self.vm
        gpa = self.place(va, access)
        if vm.mem.contains(gpa, size):
            return vm.mem.read(gpa, size)
        base, device = vm.devices.find(gpa)
        if device is None:
            raise GuestFault(ACCESS_FAULT[access], va)
        vm.count('device_access')
        return device.read(gpa - base, size) & ((1 << 8 * size) - 1)

    def store(self, va, size, value):
        if va & (size - 1):
            for i in range(size):
                self.store((va + i) & M32, 1, value >> 8 * i & 0xFF)
            return
        vm = self.vm
        gpa = self.place(va, STORE)
        if vm.mem.contains(gpa, size):
            vm.mem.write(gpa, size, value)
            if vm.mmu is not None:
                vm.mmu.written_ram(gpa, size)
            return
        base, device = vm.devices.find(gpa)
        if device is None:
            raise GuestFault(ACCESS_FAULT[STORE], va)
        vm.count('device_access')
        device.write(gpa - base, size, value)
        if not vm.alive:                    # the test device switched the guest off
            vm.retire()
            raise GuestStopped(vm.message)


def emulate(vm, word):
    """Execute the guest instruction ``word`` at the vCPU's pc on its virtual CPU and memory;
    the pc moves on as the instruction says. Raises ``Trap`` (``GuestFault`` included) when
    the instruction would trap on the guest's own hart."""
    v = vm.vcpu
    v.pc = execute_word(v, GuestVirtualMemory(vm), word, v.pc)
