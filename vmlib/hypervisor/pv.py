"""Paravirtualization's contract: the hypercalls a PV guest kernel makes and the shared vCPU
page, served by the VMM (``vmlib/guest/pv.s`` is the guest's side and has the table).

The hypercalls are rows of the SBI table (``sbi.py``) under one vendor extension, ``PV_EID``;
a VM that is not run by the ``pv`` technique has no ``PvState`` and gets "not supported" (-2),
as the firmware answers: a PV kernel can tell it is not on its hypervisor.

Everything a guest hands over is checked before it is used, and a refusal is answered, not
raised: a shared page or a buffer outside its RAM, an address space whose root is not its RAM,
a page-table update to a word outside its RAM or mapping a frame outside it (``mmu_update``
applies the entries in order up to the first it refuses and returns how many it applied, as
Xen's does), an unknown virtio slot. ``vm.note`` says what was refused.
"""

from ..machine.traps import S
from ..machine.virtio import slot_of
from .sbi import A0, A1, A6, A7, ERR_NOT_SUPPORTED, M32, sbi_call

PV_EID = 0x0950_5600
REGISTER, SET_TRAP_TABLE, SWITCH_SPACE, TRAP_RETURN, MMU_UPDATE, CONSOLE_WRITE, NOTIFY = range(7)
ERR_INVALID = -3                        # SBI_ERR_INVALID_PARAM
MAX_UPDATES = 512                       # entries one mmu_update may carry
MAX_CONSOLE = 4096                      # bytes one console_write may carry
TP = 4
# the shared page (offsets; vmlib/guest/pv.s names them PV_*)
SIE, PENDING, SCAUSE, SEPC, STVAL, SAVED_TP, TIME_LO, TIME_HI = range(0, 32, 4)
RET_PC, RET_PRIV, RET_SCRATCH, RET_A6, RET_A7 = range(32, 52, 4)
SIE_MASK = 0x222                        # what a guest's sie holds: SSIE, STIE, SEIE
SUM = 1 << 18
PTE_V = 1


class PvState:
    """What the VMM keeps for a PV guest: where its shared page is (None before
    ``register_shared``), and what its hypercalls did."""

    def __init__(self):
        self.shared = None
        self.calls = {}                 # hypercall name -> times
        self.updates = 0                # page-table entries applied by mmu_update

    def word(self, vm, offset):
        return vm.mem.read(self.shared + offset, 4)

    def put(self, vm, offset, value):
        vm.mem.write(self.shared + offset, 4, value & M32)


def pv_call(fid, name):
    """A PV hypercall: served when the VM is paravirtualized, else "not supported"."""
    def register(fn):
        def serve(vm, R):
            state = getattr(vm, 'pv', None)
            if state is None or (state.shared is None and fid != REGISTER):
                R[A0] = ERR_NOT_SUPPORTED & M32
                return
            state.calls[name] = state.calls.get(name, 0) + 1
            fn(vm, state, R)
        return sbi_call(PV_EID, name, fid)(serve)
    return register


def refuse(vm, R, what):
    vm.note(f'pv: {what}: refused')
    R[A0] = ERR_INVALID & M32


# --- the hypercalls ---------------------------------------------------------------------------

@pv_call(REGISTER, 'register_shared')
def _register(vm, state, R):
    page = R[A0]
    if page & 0xFFF or not vm.mem.contains(page, 4096):
        return refuse(vm, R, f'register_shared(0x{page:08x}): not a page of its RAM')
    state.shared = page
    v = vm.vcpu
    v.mstatus |= SUM                    # a PV kernel reaches user memory without opening it
    sync_sie(vm)
    R[A0] = 0


@pv_call(SET_TRAP_TABLE, 'set_trap_table')
def _set_trap_table(vm, state, R):
    vm.vcpu.stvec = R[A0] & ~3
    R[A0] = 0


@pv_call(SWITCH_SPACE, 'switch_space')
def _switch_space(vm, state, R):
    satp = R[A0]
    if satp >> 31 and not vm.mem.contains((satp & 0x3FFFFF) << 12, 4096):
        return refuse(vm, R, f'switch_space(0x{satp:08x}): the root table is not in its RAM')
    v = vm.vcpu
    v.satp = satp
    v.translation_changed()
    v.fence_vma()
    R[A0] = 0


@pv_call(TRAP_RETURN, 'trap_return')
def _trap_return(vm, state, R):
    """Xen's iret: back to the process (or to the kernel, after a fault it fixed up), with
    sscratch and the a6/a7 the call used as the shared page says: sret's work."""
    v = vm.vcpu
    v.sepc = state.word(vm, RET_PC) & ~1
    to_s = state.word(vm, RET_PRIV) == 1
    v.mstatus = v.mstatus | (1 << 8) if to_s else v.mstatus & ~(1 << 8)    # SPP
    v.sscratch = state.word(vm, RET_SCRATCH)
    R[A6], R[A7] = state.word(vm, RET_A6), state.word(vm, RET_A7)
    sync_sie(vm)
    v.trap_return('sret')               # pc, privilege, SIE from SPIE: the instruction's rules


@pv_call(MMU_UPDATE, 'mmu_update')
def _mmu_update(vm, state, R):
    table, count = R[A0], R[A1]
    if count > MAX_UPDATES or not vm.mem.contains(table, 8 * count):
        return refuse(vm, R, f'mmu_update(0x{table:08x}, {count}): the list is not in its RAM'
                             f' (or longer than {MAX_UPDATES})')
    done = 0
    for i in range(count):
        where, value = vm.mem.read(table + 8 * i, 4), vm.mem.read(table + 8 * i + 4, 4)
        frame = (value >> 10) << 12
        if where & 3 or not vm.mem.contains(where, 4):
            vm.note(f'pv: mmu_update entry {i}: 0x{where:08x} is not a word of its RAM')
            break
        if value & PTE_V and not vm.mem.contains(frame, 4096):
            vm.note(f'pv: mmu_update entry {i}: maps frame 0x{frame:08x}, not its RAM')
            break
        vm.mem.write(where, 4, value)
        vm.mmu.written_ram(where, 4)
        done += 1
    state.updates += done
    vm.vcpu.fence_vma()
    R[A0] = done


@pv_call(CONSOLE_WRITE, 'console_write')
def _console_write(vm, state, R):
    text, n = R[A0], R[A1]
    if n and (n > MAX_CONSOLE or not vm.mem.contains(text, n)):
        return refuse(vm, R, f'console_write(0x{text:08x}, {n}): not in its RAM')
    if n:
        i = vm.mem.index(text)
        vm.uart.emit(bytes(vm.mem.bus.ram[i:i + n]))
    R[A0] = 0


@pv_call(NOTIFY, 'notify')
def _notify(vm, state, R):
    slot_base, queue = R[A0], R[A1]
    base, slot = vm.devices.find(slot_base)
    if slot is None or base != slot_base or not hasattr(slot, 'notify') or slot.device is None:
        return refuse(vm, R, f'notify(0x{slot_base:08x}, {queue}): no virtio device there')
    before = slot.interrupt
    slot.notify(queue)
    if slot.interrupt & ~before & 1:   # a used buffer: an event in the shared page
        state.put(vm, PENDING, state.word(vm, PENDING) | 1 << slot_of(slot_base))
    R[A0] = 0


# --- the shared page, as the VMM keeps it -------------------------------------------------------

def sync_sie(vm):
    """The guest's sie is the word in its shared page: it may have changed without an exit."""
    state = vm.pv
    if state is not None and state.shared is not None:
        v = vm.vcpu
        v.mie = v.mie & ~SIE_MASK | state.word(vm, SIE) & SIE_MASK


def delivered(vm):
    """A trap was just delivered to the PV kernel (``take_trap`` done): write its registers
    and the time into the shared page, and swap tp with sscratch as the kernel's first
    instruction would have (the previous tp goes to PV_SAVED_TP; sscratch becomes 0)."""
    state = vm.pv
    if state is None or state.shared is None or vm.vcpu.priv != S:
        return
    v = vm.vcpu
    state.put(vm, SCAUSE, v.scause)
    state.put(vm, SEPC, v.sepc)
    state.put(vm, STVAL, v.stval)
    now = v.time()
    state.put(vm, TIME_LO, now)
    state.put(vm, TIME_HI, now >> 32)
    old = v.x[TP]
    v.x[TP], v.sscratch = v.sscratch, 0
    state.put(vm, SAVED_TP, old)
