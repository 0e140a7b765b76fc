"""Technique 2, trap-and-emulate: the guest runs on the hardware, deprivileged.

Popek and Goldberg's construction (1974), on this machine. The guest kernel, which believes
it runs in S-mode, runs in host **U-mode**; its processes too. Almost every instruction --
arithmetic, loads, stores, branches -- executes directly on the host hart, at full speed.
The few that would let the guest see or change the machine's configuration are privileged,
so in U-mode they trap, and the trap comes to the VMM (``Hart.trap_hook``, in Python here --
the VMM is the host's most privileged software). The VMM then does what the instruction
would have done, to the guest's *virtual* state (``vcpu.VirtualHart``), and resumes the
guest after it. What traps and what the VMM does:

==============================  ==============================================================
trap (host cause)               the VMM
==============================  ==============================================================
illegal instruction (2)         CSR access, ``sret``, ``sfence.vma``, ``wfi``: emulated when
                                the guest is in virtual S-mode (``privileged_instruction``);
                                otherwise the guest itself would have trapped: reflected
``ecall`` (8)                   from the guest kernel: an SBI call, served (``sbi``); from a
                                guest process: reflected to the guest kernel
page fault (12, 13, 15)         the shadow table lacks the entry: walk the guest's table and
                                fill it (``hidden_page_fault``), or reflect the guest's own
                                page fault, or emulate a store to a guest page table
                                (``page_table_write``) or an access to a device (``mmio``)
anything else                   reflected to the guest kernel (``guest_exception``), or, when
                                its firmware would not delegate it, the guest is stopped as
                                the firmware would stop it (``guest_fault``)
==============================  ==============================================================

Virtual timer interrupts are injected: the VMM runs the guest for exactly the instructions
left until its virtual timer fires, then enters the guest kernel's trap handler as the
hardware would. Several guests share the hart round-robin, in slices of instructions that
end with the VMM's own timer (``timer`` exits): a guest that spins with interrupts off
loses nothing but its own time.

Under the non-virtualizable variant of the CPU (``--variant nonvirt``) the guest kernel's
``sstatus`` accesses do not trap: they read the host's real ``sstatus`` and their writes are
lost -- trap-and-emulate silently computes something else (chapter 09).
"""

from functools import lru_cache

from ..isa import decode, reg_name, disassemble
from ..isa.table import AMO_OPS
from ..machine.hart import csr_access
from ..machine.mmu import FETCH, LOAD, STORE
from ..machine.traps import (INTERRUPT, STI, M, S, U, cause_name, ILLEGAL_INSTRUCTION,
                             FETCH_ACCESS, LOAD_ACCESS, STORE_ACCESS, ECALL_FROM_U)
from . import sbi
from .shadow import ShadowMMU, GuestFault, PoolEmpty, translate, view_of
from .technique import Technique, register
from .vcpu import VirtualHart
from .vm import VirtualClint, VmmEvent

M32 = 0xFFFFFFFF
FAULT_STORM_LIMIT = 64      # exceptions reflected in a row without one guest instruction retiring
REPEAT_LIMIT = 8            # the same hidden fault served again and again: a VMM bug
ACCESS = {12: FETCH, 13: LOAD, 15: STORE}
ACCESS_FAULT = {FETCH: FETCH_ACCESS, LOAD: LOAD_ACCESS, STORE: STORE_ACCESS}
# What vmlib/guest/firmware.s (fw_panic) prints before it powers off with status 1 when a trap
# it does not serve reaches M-mode; the VMM, in the firmware's place, does the same.
FIRMWARE_PANIC = ('firmware: unexpected trap to M-mode, mcause 0x{:08x} mepc 0x{:08x} '
                  'mtval 0x{:08x}\n')


decode = lru_cache(maxsize=4096)(decode)   # the same few privileged words trap again and again


class _Stop(Exception):
    """The guest was stopped while the VMM served its trap."""


@register
class TrapAndEmulate(Technique):
    name = 'trap'
    order = 2
    summary = ('trap-and-emulate: the guest kernel runs deprivileged in U-mode; privileged '
               'instructions trap to the VMM, which emulates them on virtual state')

    def __init__(self, hv):
        super().__init__(hv)
        h = self.hart = self.host.hart
        h.trap_hook = self.on_trap
        h.mie = h.medeleg = h.mideleg = 0
        h.mcounteren = h.scounteren = 0     # counters trap: the guest reads its own clock
        h.set_priv(U)                        # the host hart never leaves U: the VMM is Python
        self.vm = None                       # the guest on the hart now
        self.run_end = None                  # host instret at which the current run stops
        self.target = None                   # guest instructions retired when the slice ends

    # --- setting a guest up -------------------------------------------------------------------

    def setup(self, vm):
        entry = vm.program.symbols.get('kernel_entry')
        if entry is None:
            raise ValueError(f'{vm.name}: trap-and-emulate starts the guest kernel at its '
                             '"kernel_entry" symbol (the firmware does not run), and the '
                             'program has none')
        vm.mem.load_program(vm.program)
        v = vm.vcpu = VirtualHart(retired=lambda vm=vm: self.retired(vm))
        v.pc, v.priv = entry, S             # where the firmware's mret would go; a0 = a1 = 0
        vm.shadow = ShadowMMU(vm.mem, vm.pool, self.host.bus, vm.count, self.hart.mmu.flush)
        vm.device_map = vm.devices(VirtualClint(v))
        vm.on_stop = lambda: self.hart.halt('vmm', None, 'guest stopped')
        vm.run_start = None                 # host instret when its current run began
        vm.emulated = 0                     # guest instructions the VMM executed for it
        vm.table = None                     # the shadow table the host satp points at
        vm.view = None                      # (guest satp, view) it was chosen for
        vm.timer = None                     # the virtual timer as the current run knows it
        vm.streak = (0, -1)                 # (exceptions reflected in a row, at instret)
        vm.last_fault = (None, 0)

    def retired(self, vm):
        """Guest instructions retired so far: run by the hart, plus emulated by the VMM."""
        n = vm.direct_instructions + vm.emulated
        if vm.run_start is not None:
            n += self.hart.instret - vm.run_start
        return n

    def registers(self, vm):
        regs = {reg_name(i): (vm.vcpu.x[i] if i else 0) for i in range(32)}
        regs['pc'] = vm.vcpu.pc
        return regs

    # --- running a slice ----------------------------------------------------------------------

    def run_slice(self, vm, budget):
        h, v = self.hart, vm.vcpu
        self.vm = vm
        h.x = v.x                           # world switch: the hart takes the guest's registers
        target = self.target = self.retired(vm) + budget
        if self.hv.trace:
            self.event(vm, 'enter', v.pc, v.priv, f'{vm.name} gets the hart')
        try:
            self.sync(vm)
            while vm.alive:
                now = self.retired(vm)
                n = target - now
                deadline = v.timer_deadline()
                if deadline is not None and deadline > now and v.mie & (1 << STI):
                    n = min(n, deadline - now)      # stop when the virtual timer fires
                if n <= 0:
                    break
                h.pc = v.pc
                vm.run_start, self.run_end = h.instret, h.instret + n
                vm.timer = (v.timecmp, v.time_offset, v.mie)
                vm.count('world_switch')            # VMM -> guest
                h.run(n)
                vm.direct_instructions += h.instret - vm.run_start
                vm.count('guest_instruction', h.instret - vm.run_start)
                vm.run_start = self.run_end = None
                v.pc = h.pc
                if h.halted:                        # the VMM stopped the run from a trap
                    why = h.halted[1]
                    h.halted = None
                    if why in ('yield', 'slice'):
                        break
                    continue
                vm.exit('timer')                    # the VMM's timer: slice or virtual timer
                if self.hv.trace:
                    self.event(vm, 'timer', v.pc, v.priv, 'the VMM\'s timer')
                self.sync(vm)
        except Exception as e:      # a VMM bug: stop this guest with the reason, never raise
            vm.finish('error', None, f'internal error of the VMM: {type(e).__name__}: {e}')
        finally:
            vm.run_start = self.run_end = None
            vm.guest_instructions = self.retired(vm)
            self.vm = None

    def stop(self, vm, reason, status, message):
        vm.finish(reason, status, message)
        self.hart.halt('vmm', None, message)
        raise _Stop()

    # --- the VMM's entry: every trap of the host hart -----------------------------------------

    def on_trap(self, cause, tval):
        vm, h = self.vm, self.hart
        v = vm.vcpu
        v.pc = h.pc
        vm.last_exit = None
        if self.hv.trace:
            before = (self.retired(vm), v.pc, v.priv, self.describe(vm, cause, tval))
        try:
            if cause & INTERRUPT:           # the host takes none; be safe
                return True
            if cause == ILLEGAL_INSTRUCTION:
                self.illegal_instruction(vm, tval)
            elif cause == ECALL_FROM_U:
                if v.priv == S:
                    self.sbi_call(vm)
                else:
                    vm.exit('guest_exception')
                    self.reflect(vm, ECALL_FROM_U, 0)
            elif cause in ACCESS:
                self.page_fault(vm, ACCESS[cause], tval)
            elif cause in (FETCH_ACCESS, LOAD_ACCESS, STORE_ACCESS):
                vm.exit('guest_fault')
                self.stop(vm, 'error', None, f'VMM: host {cause_name(cause)} at '
                                             f'0x{tval:08x}: the shadow maps only guest RAM')
            else:
                vm.exit('guest_exception')
                self.reflect(vm, cause, tval)
            self.sync(vm)
            done = self.retired(vm)
            if done >= self.target:                 # emulated instructions end slices too
                h.halt('vmm', 'slice', 'the slice is used up')
            elif self.run_end is not None and done + self.run_end - h.instret > vm.max_steps:
                h.halt('vmm', 'budget', 'the run would pass the step budget: size it again')
            if not h.halted:
                vm.count('world_switch')    # back into the guest, in the same run
        except _Stop:
            pass
        except Exception as e:
            vm.finish('error', None, f'internal error of the VMM: {type(e).__name__}: {e}')
            h.halt('vmm', None, 'error')
        h.pc = v.pc
        if self.hv.trace and vm.last_exit:
            n, pc, priv, detail = before
            self.hv.trace(VmmEvent(vm.index, n, vm.last_exit, pc, priv, v.pc, v.priv, detail))
        return True

    def describe(self, vm, cause, tval):
        """What a trap is about, in a few words (for ``VmmEvent.detail``)."""
        v = vm.vcpu
        if cause == ILLEGAL_INSTRUCTION:
            return disassemble(tval, v.pc)
        if cause == ECALL_FROM_U and v.priv == S:
            return 'ecall: SBI ' + sbi.call_name(v.x[sbi.A7], v.x[sbi.A6])
        if cause == ECALL_FROM_U:
            return f'ecall: system call {v.x[17]}'
        return f'{cause_name(cause)} at 0x{tval & M32:08x}'

    def event(self, vm, kind, pc, priv, detail):
        v = vm.vcpu
        self.hv.trace(VmmEvent(vm.index, self.retired(vm), kind, pc, priv, v.pc, v.priv, detail))

    def sync(self, vm):
        """After the VMM changed virtual state: deliver a due virtual interrupt, point the
        host satp at the shadow table for the guest's address space and view, and make sure
        the current run stops when the virtual timer fires."""
        v, h = vm.vcpu, self.hart
        cause = v.interrupt_due()
        if cause is not None:
            pc, priv = v.pc, v.priv
            v.enter_trap(cause, 0)
            vm.count('interrupt_injection')
            if self.hv.trace:
                self.event(vm, 'interrupt_injection', pc, priv, cause_name(cause))
        vm.shadow.set_mxr(v.mxr)
        key = (v.satp, view_of(v.priv, v.mstatus))
        table = vm.table
        if key != vm.view or table is None or vm.shadow.tables.get(table.key) is not table:
            table = vm.table = vm.shadow.table(*key)
            vm.view = key
        if h.satp != table.satp:
            h.satp = table.satp
            h.mmu.flush()
        timer = (v.timecmp, v.time_offset, v.mie)
        if self.run_end is not None and timer != vm.timer:
            vm.timer = timer
            deadline = v.timer_deadline()
            now = self.retired(vm)
            if (deadline is not None and deadline > now and v.mie & (1 << STI)
                    and deadline - now < self.run_end - h.instret):
                h.halt('vmm', 'timer', 'the virtual timer fires before this run ends')

    # --- reflecting traps to the guest kernel -------------------------------------------------

    def reflect(self, vm, cause, tval):
        """Deliver an exception to the guest kernel as the hardware would (via the virtual
        stvec), or stop the guest if its firmware would not have delegated it."""
        v = vm.vcpu
        if not v.medeleg >> cause & 1:
            self.firmware_panic(vm, cause, tval)
        now = self.retired(vm)
        count, at = vm.streak
        count = count + 1 if at == now else 1
        vm.streak = (count, now)
        if count > FAULT_STORM_LIMIT:
            self.stop(vm, 'fault-storm', None,
                      f'fault storm: {count} exceptions in a row without an instruction '
                      f'completing (last: {cause_name(cause)} at pc=0x{v.pc:08x}, '
                      f'handler 0x{v.stvec:08x}); the guest is stopped')
        v.enter_trap(cause, tval)
        vm.count('exception_injection')

    def firmware_panic(self, vm, cause, tval):
        """A trap the guest's firmware does not delegate: it prints a line and powers off
        with status 1 (fw_panic); the VMM does the same in its place."""
        v = vm.vcpu
        for byte in FIRMWARE_PANIC.format(cause, v.pc, tval & M32).encode():
            vm.uart.write(0, 1, byte)
        self.stop(vm, 'guest-fault', 1,
                  f'{cause_name(cause)} at pc=0x{v.pc:08x} (tval=0x{tval & M32:08x}): a trap '
                  'its firmware does not serve; stopped as the firmware would (status 1)')

    # --- illegal instructions: the privileged ones are emulated -------------------------------

    def illegal_instruction(self, vm, word):
        v = vm.vcpu
        ins = decode(word)
        name = ins.name if ins is not None else None
        done = False
        if ins is None:
            pass
        elif ins.spec.category == 'csr':
            done = self.csr(vm, ins)
        elif v.priv == S and name in ('sret', 'sfence.vma', 'wfi'):
            done = True
            if name == 'sret':
                v.sret()
                v.pc -= 4                   # (the common step below adds it back)
            elif name == 'sfence.vma':
                self.hart.mmu.flush()       # shadows are kept coherent on every write
            else:
                self.wfi(vm)
        if not done:
            vm.exit('guest_exception')
            self.reflect(vm, ILLEGAL_INSTRUCTION, word)
            return
        vm.exit('privileged_instruction')
        vm.count('csr_emulation')
        self.retire(vm)

    def retire(self, vm):
        vm.vcpu.pc = (vm.vcpu.pc + 4) & M32
        vm.emulated += 1
        vm.streak = (0, -1)

    def csr(self, vm, ins):
        """A CSR instruction, executed on the virtual hart with the hardware's rules at the
        guest's virtual privilege; False when the guest itself would trap."""
        return csr_access(vm.vcpu, ins.name, ins.rd or 32, ins.rs1, ins.csr)

    def wfi(self, vm):
        """Wait for an interrupt: the guest is idle, so its virtual time jumps to its timer
        (as the bare machine's clock does) and the rest of its slice goes to the others."""
        v = vm.vcpu
        if not v.mip() & v.mie:
            if v.timecmp >= (1 << 64) - 1 or v.time() >= v.timecmp:
                self.stop(vm, 'wfi', None, 'wfi with no interrupt enabled that could wake it')
            v.time_offset += v.timecmp - v.time()
        self.hart.halt('vmm', 'yield', 'wfi: the guest waits')

    # --- SBI ----------------------------------------------------------------------------------

    def sbi_call(self, vm):
        v = vm.vcpu
        vm.exit('sbi')
        vm.count('sbi_call')

        def power_off(status, message):
            self.retire(vm)
            self.stop(vm, 'poweroff', status, message)
        name = sbi.serve(v.x, v, vm.uart, power_off)
        if name.startswith('unknown'):
            vm.note(f'SBI call {name} at pc=0x{v.pc:08x}: answered -2 (not supported)')
        self.retire(vm)

    # --- page faults: hidden, reflected, page-table writes, device registers ------------------

    def page_fault(self, vm, access, va):
        v = vm.vcpu
        key = (self.retired(vm), v.pc, va, access)
        repeats = vm.last_fault[1] + 1 if vm.last_fault[0] == key else 0
        vm.last_fault = (key, repeats)
        if repeats > REPEAT_LIMIT:
            self.stop(vm, 'error', None, f'VMM: the {access} fault at 0x{va:08x} '
                                         f'(pc=0x{v.pc:08x}) was served but repeats')
        try:
            kind, gpa = vm.shadow.fill(vm.table, v.satp, va, access,
                                       view_of(v.priv, v.mstatus))
        except GuestFault as f:
            self.guest_fault(vm, f)
            return
        except PoolEmpty:                   # out of shadow frames: start again from nothing
            vm.exit('hidden_page_fault')
            vm.shadow.flush()
            vm.table = None
            return
        if kind == 'filled':
            vm.exit('hidden_page_fault')
        elif kind == 'pt-write':
            vm.exit('page_table_write')
            self.emulate_access(vm)
        elif access != FETCH and self.device_at(vm, gpa)[1] is not None:
            vm.exit('mmio')
            self.emulate_access(vm)
        else:
            vm.exit('guest_fault')
            self.firmware_panic(vm, ACCESS_FAULT[access], va)

    def guest_fault(self, vm, fault):
        """The guest's own translation refuses: its page fault (or access fault)."""
        if fault.cause in (FETCH_ACCESS, LOAD_ACCESS, STORE_ACCESS):
            vm.exit('guest_fault')
            self.firmware_panic(vm, fault.cause, fault.tval)
        vm.exit('guest_exception')
        self.reflect(vm, fault.cause, fault.tval)

    def device_at(self, vm, gpa):
        for base, size, dev in vm.device_map:
            if base <= gpa < base + size:
                return base, dev
        return None, None

    def emulate_access(self, vm):
        """Execute the load, store or atomic at the guest's pc in the VMM: every byte goes
        through the guest's translation to its RAM (keeping shadows coherent) or devices."""
        v, R = vm.vcpu, vm.vcpu.x
        view = view_of(v.priv, v.mstatus)
        try:
            t = translate(vm.mem, v.satp, v.pc, FETCH, view, v.mxr)
            word = vm.mem.read(t.gpa, 4) if vm.mem.contains(t.gpa, 4) else 0
            ins = decode(word)
            kind = ins.spec.kind if ins is not None else None
            if kind == 'load':
                size, signed = ins.spec.semantics
                value = self.load(vm, (R[ins.rs1] + ins.imm) & M32, size, view)
                if signed and value >> (8 * size - 1):
                    value = (value - (1 << 8 * size)) & M32
                R[ins.rd or 32] = value
            elif kind == 'store':
                size = ins.spec.semantics[0]
                self.store(vm, (R[ins.rs1] + ins.imm) & M32, size,
                           R[ins.rs2] & ((1 << 8 * size) - 1), view)
            elif ins is not None and ins.spec.category == 'amo':
                self.atomic(vm, ins, view)
            else:
                self.stop(vm, 'error', None, f'VMM: a memory fault at pc=0x{v.pc:08x} by '
                                             f'an instruction it cannot emulate ({word:#010x})')
        except GuestFault as f:
            self.guest_fault(vm, f)
            return
        R[32] = 0
        self.retire(vm)

    def atomic(self, vm, ins, view):
        R, h = vm.vcpu.x, self.hart
        addr = R[ins.rs1]
        if ins.name == 'lr.w':
            R[ins.rd or 32] = self.load(vm, addr, 4, view)
            h.reservation = addr
        elif ins.name == 'sc.w':
            ok = h.reservation == addr
            if ok:
                self.store(vm, addr, 4, R[ins.rs2], view)
            h.reservation = None
            R[ins.rd or 32] = 0 if ok else 1
        else:
            old = self.load(vm, addr, 4, view, STORE)
            self.store(vm, addr, 4, AMO_OPS[ins.name](old, R[ins.rs2]), view)
            R[ins.rd or 32] = old

    def _place(self, vm, va, access, view):
        """Guest-physical address of ``va`` for ``access`` (A/D set as the hardware would)."""
        v = vm.vcpu
        t = translate(vm.mem, v.satp, va, access, view, v.mxr)
        vm.count('page_walk_step', len(t.ptes))
        if t.leaf is not None:
            want = 0x40 | (0x80 if access == STORE else 0)
            if t.leaf & want != want:
                vm.mem.write(t.leaf_addr, 4, t.leaf | want)
        return t.gpa

    def load(self, vm, va, size, view, access=LOAD):
        if va & (size - 1):
            return sum(self.load(vm, (va + i) & M32, 1, view, access) << 8 * i
                       for i in range(size))
        gpa = self._place(vm, va, access, view)
        if vm.mem.contains(gpa, size):
            return vm.mem.read(gpa, size)
        base, dev = self.device_at(vm, gpa)
        if dev is None:
            raise GuestFault(ACCESS_FAULT[access], va)
        vm.count('device_access')
        return dev.read(gpa - base, size) & ((1 << 8 * size) - 1)

    def store(self, vm, va, size, value, view):
        if va & (size - 1):
            for i in range(size):
                self.store(vm, (va + i) & M32, 1, value >> 8 * i & 0xFF, view)
            return
        gpa = self._place(vm, va, STORE, view)
        if vm.mem.contains(gpa, size):
            vm.mem.write(gpa, size, value)
            if gpa >> 12 in vm.shadow.pt_pages:
                vm.shadow.written(gpa, size)
            return
        base, dev = self.device_at(vm, gpa)
        if dev is None:
            raise GuestFault(STORE_ACCESS, va)
        vm.count('device_access')
        dev.write(gpa - base, size, value)
        if not vm.alive:                    # the test device switched the guest off
            self.retire(vm)
            raise _Stop()

    def stats(self):
        return {'shadow': {vm.name: vm.shadow.stats() for vm in self.hv.vms}}
