"""The exit handlers: what the VMM does for each reason a guest's run stops, in one table.

Like KVM's ``kvm_vmx_exit_handlers[]`` (and kvmtool's ``switch`` on ``exit_reason``), every
exit reason has one handler, registered with ``@handler(reason)``; the hypervisor calls it
through ``Hypervisor.handle(vm, exit)``, which logs the exit first. A handler takes
``(hv, vm, exit)`` and returns True when the guest may go on running, False when its run
must end (it stopped, or it waits); it stops a guest with ``vm.stop(...)``. It counts the exit
under what it turned out to be (``vm.exit(kind)``: the report's ``vmm.exits``) and the
cost-model events of the work it did.

The reasons (``Exit.reason``):

==========================  =================================================================
``privileged_instruction``  an illegal-instruction trap: a privileged instruction of the
                            guest kernel, emulated on its virtual CPU (``emulator.py``) --
                            or the guest's own illegal instruction, reflected to it
``ecall``                   from the guest kernel, an SBI call (``sbi.py``); from a guest
                            process, a system call: reflected to the guest kernel
``page_fault``              the shadow page table lacks the entry (a *hidden* page fault:
                            filled), a store to a write-protected guest page table (emulated,
                            the shadows updated), a device register (MMIO, emulated), or the
                            guest's own page fault (reflected)
``access_fault``            the host hart touched what the shadow does not map: a VMM bug
``exception``               any other exception of the guest: reflected to its kernel
``timer``                   the VMM's timer: the slice is over, or the guest's virtual timer
                            is due (the technique injects it)
``halted``                  an emulated machine stopped itself (power-off, reset, wfi...)
==========================  =================================================================

Also here, the VMM's generic actions on a guest: ``reflect`` (deliver an exception to the
guest kernel as the hardware would), ``inject_due_interrupt``, ``firmware_panic``, and
``describe`` (an exit in a few words, for logs).
"""

from ..isa import decode, disassemble
from ..machine.frames import OutOfFrames
from ..machine.sv32 import FETCH, LOAD, STORE
from ..machine.traps import (Trap, INTERRUPT, ILLEGAL_INSTRUCTION, ECALL_FROM_U, FETCH_ACCESS,
                             LOAD_ACCESS, STORE_ACCESS, STI, S, cause_name)
from . import sbi
from .emulator import emulate
from .pv import CONSOLE_WRITE, MMU_UPDATE, NOTIFY, PV_EID
from .shadow import GuestFault, translate, view_of

M32 = 0xFFFFFFFF
FAULT_STORM_LIMIT = 64      # exceptions reflected in a row without one guest instruction retiring
REPEAT_LIMIT = 8            # the same hidden fault served again and again: a VMM bug
ACCESS = {12: FETCH, 13: LOAD, 15: STORE}
ACCESS_FAULTS = (FETCH_ACCESS, LOAD_ACCESS, STORE_ACCESS)
ACCESS_FAULT = {FETCH: FETCH_ACCESS, LOAD: LOAD_ACCESS, STORE: STORE_ACCESS}
# What vmlib/guest/firmware.s (fw_panic) prints before it powers off with status 1 when a trap
# it does not serve reaches M-mode; the VMM, in the firmware's place, does the same.
FIRMWARE_PANIC = ('firmware: unexpected trap to M-mode, mcause 0x{:08x} mepc 0x{:08x} '
                  'mtval 0x{:08x}\n')

#: exit reason -> handler(hv, vm, exit) -> bool
EXIT_HANDLERS = {}


def handler(*reasons):
    """Register the decorated function as the handler of ``reasons``."""
    def register(fn):
        for reason in reasons:
            EXIT_HANDLERS[reason] = fn
        return fn
    return register


def exit_reason(cause):
    """The exit reason of a host trap taken while a deprivileged guest ran."""
    if cause == ILLEGAL_INSTRUCTION:
        return 'privileged_instruction'
    if cause == ECALL_FROM_U:
        return 'ecall'
    if cause in ACCESS:
        return 'page_fault'
    if cause in ACCESS_FAULTS:
        return 'access_fault'
    return 'exception'


# --- the handlers ------------------------------------------------------------------------------

@handler('privileged_instruction')
def privileged_instruction(hv, vm, exit):
    """Emulate the instruction (``exit.tval``: its word) on the virtual CPU at the guest's
    virtual privilege -- the hardware's rules decide, as they would on the guest's own hart:
    allowed (a CSR access, ``sret``, ``sfence.vma``, ``wfi`` in virtual S) it is emulated;
    not allowed (a process's CSR access, ``mret``, a word that is no instruction) the guest
    itself would trap, and the trap is reflected to its kernel."""
    v = vm.vcpu
    try:
        emulate(vm, exit.tval)
    except Trap as trap:
        return guest_trap(vm, trap, exit.tval)
    go_on = True
    if v.waiting:                       # wfi: the guest idles
        v.waiting = False
        go_on = wait_for_interrupt(vm)
    vm.exit('privileged_instruction')
    if not vm.callout:                  # (a translator decoded it once, at translation)
        vm.count('csr_emulation')
    vm.retire()
    return go_on


@handler('ecall')
def ecall(hv, vm, exit):
    """From the guest kernel: an SBI call, served here. From a guest process: a system
    call, which the guest kernel serves: reflected."""
    v = vm.vcpu
    if v.priv != S:
        vm.exit('guest_exception')
        reflect(vm, ECALL_FROM_U, 0)
        return True
    vm.exit('sbi')
    vm.count('sbi_call')
    v.pc = (v.pc + 4) & M32
    name = sbi.serve(vm, v.x)
    if name.startswith('unknown'):
        vm.note(f'SBI call {name} at pc=0x{(v.pc - 4) & M32:08x}: answered -2 (not supported)')
    vm.retire()
    return True


@handler('page_fault')
def page_fault(hv, vm, exit):
    """Ask the guest's MMU virtualization what the fault was, and act on it."""
    v = vm.vcpu
    access, va = ACCESS[exit.cause], exit.tval
    mmu = vm.mmu
    try:
        kind, gpa = mmu.fill(mmu.current, v.satp, va, access, view_of(v.priv, v.mstatus))
    except GuestFault as fault:         # the guest's own fault: a loop of those is its own
        vm.last_fault = (None, 0)       # (reflect's fault-storm limit stops it)
        return guest_fault(vm, fault)
    except OutOfFrames:                 # out of shadow frames: start again from nothing
        vm.exit('hidden_page_fault')
        mmu.flush()
        return True
    key = (v.retired(), v.pc, va, access)
    repeats = vm.last_fault[1] + 1 if vm.last_fault[0] == key else 0
    vm.last_fault = (key, repeats)
    if repeats > REPEAT_LIMIT:          # served, yet the hart faults again: the VMM's bug
        vm.stop('error', None, f'VMM: the {access} fault at 0x{va:08x} '
                               f'(pc=0x{v.pc:08x}) was served but repeats')
    if kind == 'filled':
        vm.exit('hidden_page_fault')
    elif kind == 'pt-write':
        vm.exit('page_table_write')
        return emulate_access(vm)
    elif kind == 'code-write':          # translated code (technique bt): the store drops it
        vm.exit('code_write')
        return emulate_access(vm)
    elif access != FETCH and vm.devices.find(gpa)[1] is not None:
        vm.exit('mmio')
        return emulate_access(vm)
    else:
        vm.exit('guest_fault')
        firmware_panic(vm, ACCESS_FAULT[access], va)
    return True


@handler('memory_access')
def memory_access(hv, vm, exit):
    """A load, store or atomic that a binary translator turned into a callout because it
    kept trapping (adaptive translation, technique ``bt``): executed in the VMM, through the
    guest's translation, whatever it reaches -- a device register (``mmio``), one of the
    guest's page tables (``page_table_write``: the shadows follow), translated code
    (``code_write``) or plain RAM (``memory``)."""
    v = vm.vcpu
    ins = decode(exit.tval)
    va = v.x[ins.rs1] + (0 if ins.spec.category == 'amo' else ins.imm) & M32
    access = LOAD if ins.spec.kind == 'load' else STORE
    try:
        gpa = translate(vm.mem, v.satp, va, access, view_of(v.priv, v.mstatus), v.mxr).pa
    except GuestFault:
        gpa = None                      # (the emulation takes the guest's fault)
    if gpa is not None and not vm.mem.contains(gpa):
        kind = 'mmio'
    elif gpa is not None and vm.mmu is not None and gpa >> 12 in vm.mmu.code_pages:
        kind = 'code_write' if access == STORE else 'memory'
    elif (gpa is not None and access == STORE and vm.mmu is not None
          and gpa >> 12 in vm.mmu.pt_pages and vm.mmu.still_traced(gpa >> 12)):
        kind = 'page_table_write'
    else:
        kind = 'memory'
    vm.exit(kind)
    return emulate_access(vm)


@handler('access_fault')
def access_fault(hv, vm, exit):
    vm.exit('guest_fault')
    vm.stop('error', None, f'VMM: host {cause_name(exit.cause)} at 0x{exit.tval:08x}: the '
                           'shadow maps only guest RAM')


@handler('exception')
def exception(hv, vm, exit):
    vm.exit('guest_exception')
    reflect(vm, exit.cause, exit.tval)
    return True


@handler('timer')
def timer(hv, vm, exit):
    """The VMM's own timer took the hart back (its slice is over, or its virtual timer is
    due: the technique injects it when it resumes the guest)."""
    vm.exit('timer')
    return True


@handler('halted')
def halted(hv, vm, exit):
    """An emulated machine stopped itself: the guest ends the way its machine did."""
    vm.finish(*vm.vcpu.halted)
    return False


# --- the VMM's actions on a guest ----------------------------------------------------------------

def emulate_access(vm):
    """Execute the load, store or atomic at the guest's pc in the VMM: every byte goes
    through the guest's translation to its RAM (keeping shadows coherent) or devices."""
    v = vm.vcpu
    try:
        t = translate(vm.mem, v.satp, v.pc, FETCH, view_of(v.priv, v.mstatus), v.mxr)
        word = vm.mem.read(t.pa, 4) if vm.mem.contains(t.pa, 4) else 0
        ins = decode(word)
        if ins is None or (ins.spec.kind not in ('load', 'store')
                           and ins.spec.category != 'amo'):
            vm.stop('error', None, f'VMM: a memory fault at pc=0x{v.pc:08x} by an '
                                   f'instruction it cannot emulate ({word:#010x})')
        emulate(vm, word)
    except Trap as trap:
        return guest_trap(vm, trap, word)
    vm.retire()
    return True


def guest_trap(vm, trap, word):
    """An instruction the VMM emulated traps, as it would on the guest's own hart: the
    guest's fault (``guest_fault``), or any other exception reflected to its kernel (an
    illegal instruction reports its ``word``)."""
    if isinstance(trap, GuestFault):
        return guest_fault(vm, trap)
    vm.exit('guest_exception')
    reflect(vm, trap.cause, word if trap.cause == ILLEGAL_INSTRUCTION else trap.tval)
    return True


def guest_fault(vm, fault):
    """The guest's own translation refuses: its page fault (or access fault)."""
    if fault.cause in ACCESS_FAULTS:
        vm.exit('guest_fault')
        firmware_panic(vm, fault.cause, fault.tval)
    vm.exit('guest_exception')
    reflect(vm, fault.cause, fault.tval)
    return True


def reflect(vm, cause, tval):
    """Deliver an exception to the guest kernel as the hardware would (via the virtual
    stvec), or stop the guest if its firmware would not have delegated it."""
    v = vm.vcpu
    if not v.medeleg >> cause & 1:
        firmware_panic(vm, cause, tval)
    now = v.retired()
    count, at = vm.streak
    count = count + 1 if at == now else 1
    vm.streak = (count, now)
    if count > FAULT_STORM_LIMIT:
        vm.stop('fault-storm', None,
                f'fault storm: {count} exceptions in a row without an instruction '
                f'completing (last: {cause_name(cause)} at pc=0x{v.pc:08x}, '
                f'handler 0x{v.stvec:08x}); the guest is stopped')
    v.take_trap(cause, tval)
    if vm.delivered is not None:        # a paravirtual kernel reads the trap from memory
        vm.delivered(vm)
    vm.count('exception_injection')


def firmware_panic(vm, cause, tval):
    """A trap the guest's firmware does not delegate: it prints a line and powers off
    with status 1 (fw_panic); the VMM does the same in its place."""
    v = vm.vcpu
    for byte in FIRMWARE_PANIC.format(cause, v.pc, tval & M32).encode():
        vm.uart.write(0, 1, byte)
    vm.stop('guest-fault', 1,
            f'{cause_name(cause)} at pc=0x{v.pc:08x} (tval=0x{tval & M32:08x}): a trap '
            'its firmware does not serve; stopped as the firmware would (status 1)')


def wait_for_interrupt(vm):
    """``wfi``: the guest is idle, so its virtual time jumps to its timer (as the bare
    machine's clock does) and the rest of its slice goes to the others (returns False)."""
    v = vm.vcpu
    if not v.mip() & v.mie:
        if v.timecmp >= (1 << 64) - 1 or v.time() >= v.timecmp:
            vm.stop('wfi', None, 'wfi with no interrupt enabled that could wake it')
        v.time_offset += v.timecmp - v.time()
    return False


def inject_due_interrupt(hv, vm):
    """Deliver the virtual interrupt the guest should take now, if any (logged)."""
    v = vm.vcpu
    cause = v.interrupt_due()
    if cause is None:
        return False
    record = hv.log.begin(vm, 'interrupt_injection', cause_name(cause | INTERRUPT)) \
        if hv.log is not None else None
    v.take_trap(cause | INTERRUPT, 0)
    if vm.delivered is not None:
        vm.delivered(vm)
    if cause == STI:
        vm.causes.timer_interrupt()
    vm.count('interrupt_injection')
    if record is not None:
        hv.log.end(record, vm)
    return True


def cause_of(vm, kind):
    """What the exit just served (``kind``: the report's exit reason) was for: a cause of
    ``vm.CAUSES`` (see ``CauseLedger``). Start-up first: before the guest first ran a
    process everything is ``boot``."""
    phase = vm.causes.phase
    if phase == 'boot':
        return 'boot'
    eid, fid = vm.vcpu.x[sbi.A7], vm.vcpu.x[sbi.A6]
    pv = kind == 'sbi' and eid == PV_EID
    if kind == 'mmio' or (kind == 'sbi' and eid in sbi.CONSOLE) or \
            (pv and fid in (CONSOLE_WRITE, NOTIFY)):
        return 'console'                # (its devices: the UART, the virtio console and disk)
    if kind in ('hidden_page_fault', 'page_table_write') or (pv and fid == MMU_UPDATE):
        return 'page tables'
    if kind == 'timer' or (kind == 'sbi' and eid == sbi.SET_TIMER):
        return 'timer'
    return phase


def describe(vm, exit):
    """What an exit is about, in a few words (for the log's ``detail``)."""
    v = vm.vcpu
    if vm.callout:
        return 'callout: ' + disassemble(exit.tval, v.pc)
    if exit.reason == 'privileged_instruction':
        return disassemble(exit.tval, v.pc)
    if exit.reason == 'ecall' and v.priv == S:
        return 'ecall: SBI ' + sbi.call_name(v.x[sbi.A7], v.x[sbi.A6])
    if exit.reason == 'ecall':
        return f'ecall: system call {v.x[17]}'
    if exit.reason == 'timer':
        return "the VMM's timer"
    if exit.cause is None:
        return exit.reason.replace('_', ' ')
    return f'{cause_name(exit.cause)} at 0x{exit.tval & M32:08x}'
