"""``Kvm`` (the module on one host machine) and ``KvmVm`` (one VM: slots, G-stage, vCPU)."""

from ...machine import Machine
from ...machine.csr import S_INTERRUPTS, H_DELEGABLE_EXCEPTIONS
from ...machine.exit import Exit
from ...machine.frames import FramePool
from ...machine.hcsr import VTW
from ...machine.bus import RAM_BASE
from ...machine.sv32 import PAGE
from .api import (EINVAL, EEXIST, ENOENT, EFAULT, HEDELEG, HIDELEG, KVM_MEM_LOG_DIRTY_PAGES,
                  KVM_MEM_READONLY, GUEST_COUNTERS)
from ..memory import GuestMemory
from ..shadow import ShadowMMU
from .memory import HostMemory, MemorySlot, GStage
from .vcpu import KvmVcpu

class Kvm:
    """The KVM module on one host machine with the H extension.

    Standalone (``Kvm()``) it makes its host: ``ram_size`` bytes of RAM, the first ``KVM_AREA``
    for its own page tables, the rest handed out by ``mmap``. A hypervisor passes its own
    ``host`` and gives each VM its ``frames``."""

    KVM_AREA = 1 << 20

    def __init__(self, host=None, ram_size=32 << 20):
        self.host = host if host is not None else Machine(ram_size=ram_size)
        self.bus, self.hart = self.host.bus, self.host.hart
        self.frames = FramePool(self.bus, 0, self.KVM_AREA)
        self.next_mmap = self.KVM_AREA
        self.vms = []
        self.loaded = None                  # the vCPU whose state the hart holds
        h = self.hart
        h.medeleg = H_DELEGABLE_EXCEPTIONS  # every exception from a guest mode reaches HS...
        h.mideleg = S_INTERRUPTS
        h.hedeleg, h.hideleg = HEDELEG, HIDELEG     # ...unless the guest takes it itself
        h.hstatus |= VTW                    # a guest's wfi exits: KVM halts the vCPU
        h.mcounteren = 7                    # HS-mode reads every counter; a guest, what
        h.hcounteren = GUEST_COUNTERS       # its vCPU allows
        h.trap_hook = self._on_trap
        self.machine_exit = None

    def mmap(self, size):
        """Anonymous memory for the VMM: ``size`` bytes of host RAM (page-aligned)."""
        size = (size + PAGE - 1) & ~(PAGE - 1)
        if self.next_mmap + size > self.bus.ram_size:
            raise EFAULT(f'no host memory left for {size:,} bytes')
        memory = HostMemory(self.bus, self.next_mmap, size)
        self.next_mmap += size
        return memory

    def create_vm(self, frames=None, nested=True, count=None):
        """A new VM (``frames``: where its page tables go; default KVM's own area).
        ``nested`` False: the first generation of hardware assistance, without nested
        paging: KVM keeps shadow page tables (``count(event, n)`` hears their cost-model
        events)."""
        vm = KvmVm(self, len(self.vms) + 1, frames or self.frames, nested, count)
        self.vms.append(vm)
        return vm

    def _on_trap(self, cause, tval):
        """The hart's trap hook: a trap the guest takes itself (delegated to VS by hedeleg or
        hideleg) is the hardware's business; any other is an exit -- the hardware enters
        HS-mode and the run stops there, for KVM."""
        h = self.hart
        if h.virt and (cause >> 31 or h.hedeleg >> cause & 1):
            return False
        h.exit_now(Exit('exit', cause, tval, h.pc))
        return False


class KvmVm:
    """One VM: its memory slots, its G-stage table, its vCPU, its interrupt lines."""

    def __init__(self, kvm, vmid, frames, nested=True, count=None):
        self.kvm, self.vmid, self.frames, self.nested = kvm, vmid, frames, nested
        self.count = count or (lambda event, n=1: None)
        self.slots = {}
        self.gstage = GStage(kvm.bus, frames)
        self.shadow = None                  # without nested paging: the ShadowMMU
        self.vcpus = {}
        self.lines = set()                  # interrupt lines held high (irq_line)

    def set_user_memory_region(self, slot, guest_phys_addr, memory, flags=0):
        """Map ``memory`` (from ``kvm.mmap``) at ``guest_phys_addr``; size 0 deletes the slot."""
        old = self.slots.get(slot)
        if guest_phys_addr & (PAGE - 1) or memory.size & (PAGE - 1) or memory.base & (PAGE - 1):
            raise EINVAL('memory regions must be page-aligned (address and size)')
        if flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY):
            raise EINVAL(f'unknown flags 0x{flags:x}')
        if getattr(memory, 'bus', None) is not self.kvm.bus:
            raise EFAULT("that memory is not the host's (use kvm.mmap)")
        if old is not None:
            for page in range(0, old.size, PAGE):
                self.gstage.unmap(old.guest_phys_addr + page)
            del self.slots[slot]
        if memory.size == 0:
            self._flush()
            return
        new = MemorySlot(slot, guest_phys_addr, memory, flags)
        for other in self.slots.values():
            if (new.guest_phys_addr < other.guest_phys_addr + other.size
                    and other.guest_phys_addr < new.guest_phys_addr + new.size):
                raise EEXIST(f'slot {slot} overlaps slot {other.slot}')
        if guest_phys_addr + memory.size > 1 << 34:
            raise EINVAL('guest-physical addresses end at 16 GiB (Sv32x4)')
        if not self.nested:
            if self.slots or guest_phys_addr != RAM_BASE or flags:
                raise EINVAL('without nested paging this KVM shadows one plain memory slot, '
                             f'at 0x{RAM_BASE:08x}')
            self.shadow = ShadowMMU(GuestMemory(self.kvm.bus, memory.base, memory.size),
                                    self.frames, self.kvm.bus, self.count,
                                    self.kvm.hart.mmu.flush, native=True)
        self.slots[slot] = new
        writable = not flags & (KVM_MEM_READONLY | KVM_MEM_LOG_DIRTY_PAGES)
        for page in range(0, memory.size, PAGE):
            self.gstage.map(guest_phys_addr + page, memory.base + page, writable)
        self._flush()

    def get_dirty_log(self, slot):
        """``KVM_GET_DIRTY_LOG``: a bitmap (bit i: page i of the slot written since the last
        call), as bytes; the pages are write-protected again."""
        s = self.slots.get(slot)
        if s is None or not s.flags & KVM_MEM_LOG_DIRTY_PAGES:
            raise ENOENT(f'slot {slot} does not exist or does not log dirty pages')
        bits = bytearray((s.size // PAGE + 7) // 8)
        for page in s.dirty:
            bits[page // 8] |= 1 << page % 8
            self.gstage.set_writable(s.guest_phys_addr + page * PAGE, False)
        s.dirty.clear()
        self._flush()
        return bytes(bits)

    def create_vcpu(self, vcpu_id):
        if vcpu_id in self.vcpus:
            raise EEXIST(f'vCPU {vcpu_id} exists')
        if self.vcpus or vcpu_id != 0:
            raise EINVAL('this machine has one hart: one vCPU per VM, id 0')
        vcpu = self.vcpus[vcpu_id] = KvmVcpu(self, vcpu_id)
        return vcpu

    def irq_line(self, irq, level):
        """Raise (``level`` 1) or lower an interrupt line: while any is high the guest has a
        supervisor external interrupt pending (``hvip.VSEIP``)."""
        (self.lines.add if level else self.lines.discard)(irq)

    def read_guest(self, gpa, size):
        """``size`` bytes of guest-physical memory (what the VMM sees through its mapping),
        or None when they are not all in one memory slot."""
        slot = self.slot_of(gpa)
        if slot is None or not slot.contains(gpa + size - 1):
            return None
        i = slot.memory.base + gpa - slot.guest_phys_addr
        return bytes(self.kvm.bus.ram[i:i + size])

    def write_guest(self, gpa, data):
        """Write guest-physical memory (False if it is not all in one memory slot)."""
        slot = self.slot_of(gpa)
        if slot is None or not slot.contains(gpa + len(data) - 1):
            return False
        self.kvm.bus.load_bytes(RAM_BASE + slot.memory.base + gpa - slot.guest_phys_addr,
                                bytes(data))
        return True

    def slot_of(self, gpa):
        return next((s for s in self.slots.values() if s.contains(gpa)), None)

    def _flush(self):
        """The G-stage changed: ``hfence.gvma`` (the hart's TLB keeps guest translations)."""
        self.kvm.hart.mmu.flush()
