"""A KVM vCPU: its guest context (``VcpuState``) and ``run()``, KVM_RUN: the world switch
into VS-mode, the exits KVM serves in the kernel, and those it returns to user space."""

from collections import Counter

from ...isa import decode
from ...isa.csrs import CSR_NUMBERS
from ...isa.regs import reg_name, reg_number
from ...machine.csr import CSR_TABLE, SIE, SPIE, SPP, SUM, MXR, S_INTERRUPTS
from ...machine.devices import INSTRUCTIONS_PER_TICK
from ...machine.hcsr import SPV, SPVP
from ...machine.state import ArchState, stack_s
from ...machine.frames import OutOfFrames
from ...machine.hcsr import VTVM
from ...machine.state import csr_access
from ...machine.sv32 import HLVX, PAGE, FETCH, LOAD, STORE
from ..shadow import GuestFault, view_of
from ...machine.traps import (Trap, S, U, VU, VS, SSI, STI, SEI, VSSI, VSTI, VSEI,
                              ILLEGAL_INSTRUCTION, ECALL_FROM_VS, VIRTUAL_INSTRUCTION,
                              FETCH_GUEST_PAGE_FAULT, LOAD_GUEST_PAGE_FAULT,
                              STORE_GUEST_PAGE_FAULT, FETCH_PAGE_FAULT, LOAD_PAGE_FAULT,
                              STORE_PAGE_FAULT)
from .api import (M32, M64, A0, A1, A6, A7, EINVAL, ENOENT, EOPNOTSUPP, HEDELEG, HIDELEG,
                  KvmRun, Mmio,
                  RiscvSbi, SystemEvent, SBI_SET_TIMER, SBI_TIME, SBI_BASE, SBI_SRST,
                  SBI_SHUTDOWN, SBI_DBCN, SBI_STA, SBI_IPI, SBI_RFENCE, FORWARDED,
                  SBI_ERR_NOT_SUPPORTED,
                  SBI_ERR_INVALID_PARAM, SBI_ERR_INVALID_ADDRESS, NS_PER_TICK, A2,
                  GUEST_COUNTERS,
                  KVM_EXIT_MMIO, KVM_EXIT_INTR, KVM_EXIT_HLT, KVM_EXIT_INTERNAL_ERROR,
                  KVM_EXIT_SYSTEM_EVENT, KVM_EXIT_RISCV_SBI, KVM_SYSTEM_EVENT_SHUTDOWN,
                  KVM_SYSTEM_EVENT_RESET, KVM_MEM_LOG_DIRTY_PAGES)

class VcpuState(ArchState):
    """A KVM vCPU's guest context while it is not on the hart: the guest's registers and its
    supervisor CSRs *as the guest sees them* (its sstatus, satp, sepc... which on the hart
    are the VS registers), its privilege (S or U: VS or VU), its timer. Reports, the exit log
    and ``get_one_reg`` read it like any ``ArchState``."""

    hypervisor = False

    def __init__(self, vcpu):
        super().__init__()
        self.vcpu = vcpu
        self.priv = S
        self.mideleg = S_INTERRUPTS
        self.timecmp = M64                 # the SBI timer (set_timer), guest time
        self.time_offset = 0               # (what a CLINT model's mtime write would move)

    def retired(self):
        return self.vcpu.retired()

    def time(self):
        return self.vcpu.guest_time()

    def mip(self, n=None):
        value = self.mip_soft
        if self.time() >= self.timecmp:
            value |= 1 << STI
        if self.vcpu.vm.lines:
            value |= 1 << SEI
        return value


#: guest CSR (the guest's name) <-> the hart's VS register, for the world switch
SWAPPED = (('stvec', 'vstvec'), ('sscratch', 'vsscratch'), ('sepc', 'vsepc'),
           ('scause', 'vscause'), ('stval', 'vstval'), ('satp', 'vsatp'),
           ('scounteren', 'scounteren'), ('senvcfg', 'senvcfg'))
STATUS_BITS = SIE | SPIE | SPP | SUM | MXR
#: without nested paging the guest's satp is KVM's to keep (vsatp holds the shadow's)
SWAPPED_SHADOWED = tuple(pair for pair in SWAPPED if pair[0] != 'satp')
SHADOW_ACCESS = {FETCH_PAGE_FAULT: FETCH, LOAD_PAGE_FAULT: LOAD, STORE_PAGE_FAULT: STORE}
PAGE_FAULTS = sum(1 << c for c in SHADOW_ACCESS)
SATP = CSR_NUMBERS['satp']
EXIT_STORM_LIMIT = 64       # exits served in a row without the guest retiring an instruction
#: the registers get_one_reg/set_one_reg know: the core ones and the guest's CSRs
CORE_REGS = ('pc', 'mode')
CSR_REGS = ('sstatus', 'sie', 'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'sip', 'satp',
            'scounteren', 'senvcfg')
TIMER_REGS = ('time', 'compare')


class KvmVcpu:
    """A vCPU: ``run()`` is ``KVM_RUN``. ``stat`` counts its exits by what KVM made of them
    (as KVM's statistics do): the in-kernel ones and the returns to user space."""

    def __init__(self, vm, vcpu_id):
        self.vm, self.id, self.kvm = vm, vcpu_id, vm.kvm
        self.hart = self.kvm.hart
        self.state = VcpuState(self)
        self.htimedelta = -self.hart.time() & M64       # the guest's clock starts at 0
        self.stat = Counter()
        self.instructions = 0               # guest instructions the hardware ran
        self.emulated = 0                   # ... and those KVM or the VMM did in its place
        self.pending = None                 # a user-space exit to complete at the next run
        self.powered_off = False
        self.halted = False                 # in wfi
        self.run_struct = None
        self.trap = None                    # the last exit's (scause, stval, htval)
        self.trace = None                   # a list, to record every exit (``count``)
        self.counters = GUEST_COUNTERS      # hcounteren: the counters it reads itself
        self._entered = None                # the hart's instret when the guest was entered
        self.left_at = None                 # host time when another vCPU took the hart
        self.steal_ns = 0                   # time it could have run but others had the hart
        self.sta = None                     # the guest-physical address of its STA page
        self.pc = self.priv = None

    def count(self, reason):
        """One exit (or in-kernel event) of kind ``reason``; with ``trace`` a list, it is
        appended there too (Linux's ``kvm:kvm_exit`` tracepoint): ``(guest instructions
        retired, reason, pc)``."""
        self.stat[reason] += 1
        if self.trace is not None:
            self.trace.append((self.retired(), reason, self.pc))

    # --- registers ------------------------------------------------------------------------

    def get_regs(self):
        """``KVM_GET_REGS``: pc and x1..x31 by ABI name."""
        regs = {'pc': self.state.pc}
        regs.update({reg_name(i): self.state.x[i] for i in range(1, 32)})
        return regs

    def set_regs(self, regs):
        """``KVM_SET_REGS`` (any subset, by ABI name or ``x5``)."""
        for name, value in regs.items():
            if name == 'pc':
                self.state.pc = value & M32
            else:
                i = reg_number(name)
                if i is None or i == 0:
                    raise ENOENT(f'no register {name!r}')
                self.state.x[i] = value & M32

    def get_one_reg(self, name):
        """``KVM_GET_ONE_REG``: a core register, one of the guest's CSRs, or its timer."""
        s = self.state
        if name == 'pc':
            return s.pc
        if name == 'mode':
            return s.priv
        if name in CSR_REGS:
            number = CSR_NUMBERS[name]
            return CSR_TABLE[number][0](s, number)
        if name == 'time':
            return s.time()
        if name == 'compare':
            return s.timecmp
        raise ENOENT(f'no register {name!r} (core: pc mode; CSRs: {" ".join(CSR_REGS)}; '
                     'timer: time compare)')

    def set_one_reg(self, name, value):
        s = self.state
        if name == 'pc':
            s.pc = value & M32
        elif name == 'mode':
            if value not in (S, U):
                raise EINVAL('mode is S (1) or U (0)')
            s.priv = value
        elif name in CSR_REGS:
            number = CSR_NUMBERS[name]
            CSR_TABLE[number][1](s, number, value & M32)
        elif name == 'compare':
            s.timecmp = value & M64
        elif name == 'time':
            self.htimedelta = (value - self.hart.time()) & M64
        else:
            raise ENOENT(f'no register {name!r}')

    # --- time ----------------------------------------------------------------------------

    def guest_time(self):
        """The guest's clock: the host's plus ``htimedelta`` (wall-clock time: it runs on
        while other VMs have the hart, which is why guests want steal time)."""
        return (self.hart.time() + self.htimedelta) & M64

    def retired(self):
        """Guest instructions retired: run by the hardware (so far in this run too), or done
        by KVM or the VMM in the guest's place."""
        n = self.instructions + self.emulated
        if self.kvm.loaded is self and self._entered is not None:
            n += self.hart.instret - self._entered
        return n

    def timer_due_in(self):
        """Host instructions until the guest's timer fires (0: due), or None."""
        cmp = self.state.timecmp
        if cmp >= M64:
            return None
        now = self.guest_time()
        return 0 if now >= cmp else (cmp - now) * INSTRUCTIONS_PER_TICK

    # --- KVM_RUN -------------------------------------------------------------------------

    def run(self, budget=None):
        """Run the guest until an exit KVM cannot serve itself, or until ``budget`` host
        instructions have run (then ``KVM_EXIT_INTR``: the VMM's timer signal)."""
        if self.powered_off:
            raise EINVAL('the vCPU is powered off (SBI system reset): create a new VM')
        self._complete()
        h = self.hart
        end = None if budget is None else h.instret + budget
        self._load()
        try:
            run = self._run(h, end)
            self.count(run.name)            # the exits to user space, by their name
            self.run_struct = run
            return run
        finally:
            self._save()

    def _run(self, h, end):
        streak = (0, -1)                # exits in a row without the guest retiring anything
        while True:
            result = self._wake_or_wait()
            if result is not None:
                return result
            n = 1 << 62 if end is None else end - h.instret
            if n <= 0:
                return KvmRun(KVM_EXIT_INTR)
            due = self.timer_due_in()
            if due is not None and due > 0 and not self.state.mip() & (1 << STI):
                n = min(n, due)
            self._enter()
            exit = h.run(n)
            self._left()
            if exit.reason == 'halted':
                reason, _, message = h.halted
                h.halted = None
                return KvmRun(KVM_EXIT_INTERNAL_ERROR, internal=f'{reason}: {message}')
            if exit.reason == 'exit':
                now = self.retired()
                streak = (streak[0] + 1 if streak[1] == now else 1, now)
                if streak[0] > EXIT_STORM_LIMIT:
                    return KvmRun(KVM_EXIT_INTERNAL_ERROR, internal=(
                        f'{streak[0]} exits in a row without an instruction completing (last: '
                        f'scause {h.scause} at pc=0x{self.pc:08x}, stval=0x{h.stval:08x})'))
                result = self._handle(h.scause)
                if result is not None:
                    return result

    def _load(self):
        """The world switch in: the hart takes this vCPU's guest context and its VM's
        G-stage table (``hgatp``, with the VMID)."""
        kvm, h, s = self.kvm, self.hart, self.state
        previous = kvm.loaded
        if previous is not self:
            if previous is not None:            # it leaves the hart while it could run
                previous._save()
                previous.left_at = h.time()
            if self.left_at is not None:        # ... as this one did: time stolen from it
                self._steal(h.time() - self.left_at)
                self.left_at = None
        kvm.loaded = self
        h.x = s.x
        h.vsstatus = s.mstatus & STATUS_BITS
        for guest, vs in self._swapped():
            setattr(h, vs, getattr(s, guest))
        h.mie = h.mie & ~HIDELEG | (s.mie & S_INTERRUPTS) << 1
        h.htimedelta = self.htimedelta
        h.hcounteren = self.counters
        if self.vm.nested:
            hgatp = self.vm.gstage.hgatp | (self.vm.vmid & 0x7F) << 22
            h.hedeleg, h.hstatus = HEDELEG, h.hstatus & ~VTVM
        else:                               # the guest's satp stays in its context (VTVM)
            hgatp, h.hedeleg, h.hstatus = 0, HEDELEG & ~PAGE_FAULTS, h.hstatus | VTVM
            h.vsatp = 0
        if h.hgatp != hgatp:
            h.set_hgatp(hgatp)
        self.priv, self.pc = s.priv, s.pc

    def _save(self):
        """The guest context back from the hart (the world switch out)."""
        if self.kvm.loaded is not self:
            return
        h, s = self.hart, self.state
        s.mstatus = s.mstatus & ~STATUS_BITS | h.vsstatus & STATUS_BITS
        for guest, vs in self._swapped():
            setattr(s, guest, getattr(h, vs))
        s.mie = s.mie & ~S_INTERRUPTS | (h.mie & HIDELEG) >> 1
        s.mip_soft = s.mip_soft & ~(1 << SSI) | (h.hvip >> 1 & 1 << SSI)
        s.priv, s.pc = self.priv, self.pc

    def _swapped(self):
        return SWAPPED if self.vm.nested else SWAPPED_SHADOWED

    def _enter(self):
        """Into the guest the way KVM does it: ``sret`` from HS-mode with ``hstatus.SPV``
        (and SPVP, sstatus.SPP) saying where to. Without nested paging ``vsatp`` first gets
        the shadow of the guest's address space."""
        h = self.hart
        if not self.vm.nested:
            table = self.vm.shadow.activate(self.state.satp, view_of(self.priv, h.vsstatus))
            if h.vsatp != table.satp:
                h.vsatp = table.satp
                h.mmu.flush()
        h.set_priv(S)
        h.virt = 0
        h.hvip = (h.hvip & (1 << VSSI) | (1 << VSTI if self.state.mip() & (1 << STI) else 0)
                  | (1 << VSEI if self.vm.lines else 0))
        h.hstatus = h.hstatus & ~SPVP | SPV | (SPVP if self.priv == S else 0)
        h.mstatus = h.mstatus & ~SPP | (SPP if self.priv == S else 0)
        h.sepc = self.pc
        h.reset_trap_streak()
        h.trap_return('sret')
        self._entered = h.instret

    def _left(self):
        """Back in KVM (HS-mode, or still in the guest when the budget ended the run)."""
        h = self.hart
        self.instructions += h.instret - self._entered
        self._entered = None
        if h.virt:                          # the run ended inside the guest: park it
            self.priv, self.pc = h.priv, h.pc
            h.virt = 0
            h.set_priv(S)
        else:                               # a trap brought the hart to HS-mode
            self.priv = S if h.hstatus & SPVP else U
            self.pc = h.sepc

    # --- the exits KVM serves itself ---------------------------------------------------------

    def _handle(self, cause):
        h = self.hart
        self.trap = (cause, h.stval, h.htval)   # (KVM's struct kvm_cpu_trap, for debugging)
        if cause == ECALL_FROM_VS:
            return self._sbi()
        if cause == VIRTUAL_INSTRUCTION:
            ins = decode(h.stval)
            if ins is not None and ins.name == 'wfi':
                self.count('wfi')
                self._retire()
                self.halted = True
                return None
            if ins is not None and not self.vm.nested and (
                    ins.name == 'sfence.vma' or ins.fields.get('csr') == SATP):
                return self._shadow_instruction(ins)
            self.count('virtual_instruction')
            return self._redirect(ILLEGAL_INSTRUCTION, h.stval)
        if cause in (LOAD_GUEST_PAGE_FAULT, STORE_GUEST_PAGE_FAULT, FETCH_GUEST_PAGE_FAULT):
            return self._gstage_fault(cause)
        if cause in SHADOW_ACCESS and not self.vm.nested:
            return self._shadow_fault(SHADOW_ACCESS[cause])
        self.count('redirect')          # the guest's own: hand it back (KVM's redirect)
        return self._redirect(cause, h.stval)

    def _retire(self):
        """KVM did the instruction at pc in the guest's place: the guest goes on after it."""
        self.emulated += 1
        self.pc = (self.pc + 4) & M32

    def _redirect(self, cause, tval):
        """Deliver an exception to the guest kernel as the hardware would have (VS-mode):
        ``kvm_riscv_vcpu_trap_redirect``."""
        h = self.hart
        h.vsstatus = stack_s(h.vsstatus, self.priv)
        h.vscause, h.vstval, h.vsepc = cause, tval & M32, self.pc
        self.pc, self.priv = h.vstvec & ~3, S
        return None

    def _gstage_fault(self, cause):
        """A guest-page fault: a page being dirty-logged (made writable, logged, retried), or
        an access outside the memory slots: MMIO, for the VMM."""
        h = self.hart
        gpa = h.htval << 2 | h.stval & 3
        slot = self.vm.slot_of(gpa)
        if slot is not None and cause == STORE_GUEST_PAGE_FAULT and \
                slot.flags & KVM_MEM_LOG_DIRTY_PAGES:
            page = (gpa - slot.guest_phys_addr) // PAGE
            slot.dirty.add(page)
            self.vm.gstage.set_writable(slot.guest_phys_addr + page * PAGE, True)
            self.vm._flush()
            self.count('dirty_log')
            return None
        if cause == FETCH_GUEST_PAGE_FAULT:
            fetched_outside(h.stval, gpa)
        word, ins = self._instruction()
        return self._mmio(gpa, word, ins, STORE if cause == STORE_GUEST_PAGE_FAULT else LOAD)

    def _mmio(self, gpa, word, ins, access):
        """A load or store outside the guest's memory: ``KVM_EXIT_MMIO`` for the VMM."""
        kind = ins.spec.kind if ins is not None else None
        if kind not in ('load', 'store'):
            raise EOPNOTSUPP(f'a {access} at guest-physical 0x{gpa:09x} by '
                             f'{ins.name if ins else hex(word)}: not a load or store (MMIO)')
        size, signed = ins.spec.semantics
        if kind == 'store':
            value = self.state.x[ins.fields['rs2']] & ((1 << 8 * size) - 1)
            self.pending = ('mmio_store',)
            return KvmRun(KVM_EXIT_MMIO, mmio=Mmio(gpa, value.to_bytes(size, 'little'), size,
                                                   True))
        self.pending = ('mmio_load', ins.fields['rd'], size, signed)
        return KvmRun(KVM_EXIT_MMIO, mmio=Mmio(gpa, bytes(size), size, False))

    # --- without nested paging: the shadow page tables ----------------------------------------

    def _shadow_fault(self, access):
        """A page fault in the guest: the shadow lacks the entry (a hidden fault: filled), a
        store hit a write-protected guest page table (emulated, the shadows follow), the
        guest's own table refuses (handed to the guest), or a device (MMIO)."""
        h, shadow = self.hart, self.vm.shadow
        va, view = h.stval, view_of(self.priv, h.vsstatus)
        shadow.set_mxr(bool(h.vsstatus & MXR))
        try:
            kind, gpa = shadow.fill(shadow.activate(self.state.satp, view), self.state.satp,
                                    va, access, view)
        except GuestFault as fault:
            self.count('guest_page_fault')
            return self._redirect(fault.cause, fault.tval)
        except OutOfFrames:
            shadow.flush()
            self.count('hidden_page_fault')
            return None
        if kind == 'filled':
            self.count('hidden_page_fault')
            return None
        if access == FETCH:
            fetched_outside(va, gpa)
        word, ins = self._instruction()
        if kind == 'pt-write':
            if ins is None or ins.spec.kind != 'store':
                raise EOPNOTSUPP(f'a write to a guest page table by {word:#010x}: not a store')
            self.count('page_table_write')
            size = ins.spec.semantics[0]
            shadow.mem.write(gpa, size, self.state.x[ins.fields['rs2']] & ((1 << 8 * size) - 1))
            shadow.written(gpa, size)
            self._retire()
            return None
        return self._mmio(gpa, word, ins, access)

    def _shadow_instruction(self, ins):
        """The guest's satp accesses and sfence.vma exit (hstatus.VTVM): KVM keeps the guest's
        satp and points vsatp at its shadow (``_enter``); a fence flushes the hart's TLB
        (the shadows themselves are kept coherent by write protection)."""
        if ins.name == 'sfence.vma':
            self.count('sfence_vma')
            self.hart.mmu.flush()
        else:
            self.count('satp')
            s = self.state
            s.priv = S
            f = ins.fields
            if csr_access(s, ins.name, f['rd'] or 32, f['rs1'], SATP) is not None:
                return self._redirect(ILLEGAL_INSTRUCTION, ins.word)
        self._retire()
        return None

    def _instruction(self):
        """The word and decoded instruction at the guest's pc, read as KVM does (HLVX)."""
        try:
            word = self.hart.load(self.pc, 4, HLVX, VS if self.priv == S else VU)
        except Trap as t:
            raise EOPNOTSUPP(f'cannot read the instruction at 0x{self.pc:08x}: {t}') from None
        return word, decode(word)

    def _sbi(self):
        """An SBI call (ecall from VS-mode): KVM serves TIME, BASE, IPI, RFENCE, STA and the
        legacy timer; SRST and legacy shutdown become a system event; the console calls and
        DBCN go to the VMM; anything else is answered 'not supported'."""
        R = self.state.x
        eid, fid = R[A7], R[A6]
        if eid in (SBI_SET_TIMER, SBI_TIME):
            self.count('sbi_time')
            self.state.timecmp = R[A1] << 32 | R[A0]
            R[A0] = 0
            if eid == SBI_TIME:
                R[A1] = 0
        elif eid == SBI_BASE:
            self.count('sbi_base')
            R[A0], R[A1] = 0, self._base(fid, R[A0])
        elif eid == SBI_IPI and fid == 0:   # send_ipi(hart_mask, hart_mask_base): to itself
            self.count('sbi_ipi')
            if self._names_hart_0(R[A0], R[A1]):
                self.hart.hvip |= 1 << VSSI
            R[A0], R[A1] = 0, 0
        elif eid == SBI_RFENCE and fid <= 2:    # fence.i, sfence.vma(_asid): on its one hart
            self.count('sbi_rfence')
            if fid and self._names_hart_0(R[A0], R[A1]):
                self.hart.mmu.flush()
            R[A0], R[A1] = 0, 0
        elif eid in (SBI_SRST, SBI_SHUTDOWN):
            self._retire()
            self.powered_off = True
            kind = KVM_SYSTEM_EVENT_RESET if eid == SBI_SRST and R[A0] in (1, 2) else \
                KVM_SYSTEM_EVENT_SHUTDOWN
            data = [R[A0], R[A1]] if eid == SBI_SRST else [0, 0]
            return KvmRun(KVM_EXIT_SYSTEM_EVENT, system_event=SystemEvent(kind, data))
        elif eid == SBI_STA and fid == 0:
            self.count('sbi_sta')
            R[A0], R[A1] = self._set_sta(R[A0], R[A1], R[A2]) & M32, 0
        elif eid in FORWARDED:
            self.pending = ('sbi',)
            return KvmRun(KVM_EXIT_RISCV_SBI, riscv_sbi=RiscvSbi(eid, fid, list(R[A0:A0 + 6]),
                                                                 [R[A0], R[A1]]))
        else:
            self.count('sbi_unsupported')
            R[A0] = SBI_ERR_NOT_SUPPORTED & M32
        self._retire()
        return None

    @staticmethod
    def _names_hart_0(mask, base):
        """Whether an SBI hart mask names hart 0, this VM's one hart (base -1: all harts)."""
        return base == M32 or (base == 0 and mask & 1)

    @staticmethod
    def _base(fid, arg):
        """SBI BASE: version 2.0, KVM's implementation id (3), probe_extension."""
        if fid == 0:
            return 2 << 24
        if fid == 1:
            return 3
        if fid == 3:
            return int(arg in (SBI_BASE, SBI_TIME, SBI_SRST, SBI_DBCN, SBI_STA, SBI_IPI,
                               SBI_RFENCE))
        return 0

    # --- steal time (SBI STA) ------------------------------------------------------------------

    def _set_sta(self, lo, hi, flags):
        """``sbi_steal_time_set_shmem``: the guest names a 64-byte page KVM keeps up to date
        (all ones: stop). Returns the SBI error (0: done)."""
        if lo == hi == M32:
            self.sta = None
            return 0
        if flags or lo & 63:
            return SBI_ERR_INVALID_PARAM
        if hi or self.vm.slot_of(lo) is None or self.vm.slot_of(lo + 63) is None:
            return SBI_ERR_INVALID_ADDRESS
        self.sta = lo
        self._steal(0)
        return 0

    def _steal(self, ticks):
        """Account ``ticks`` of stolen time, and write the guest's STA record as the spec's
        protocol wants it seen: sequence (even: consistent), flags, steal (ns), preempted."""
        self.steal_ns += ticks * NS_PER_TICK
        if self.sta is not None:
            sequence = int.from_bytes(self.vm.read_guest(self.sta, 4), 'little') + 2 & ~1
            record = (sequence.to_bytes(4, 'little') + bytes(4)
                      + self.steal_ns.to_bytes(8, 'little') + bytes(48))
            self.vm.write_guest(self.sta, record)

    def _complete(self):
        """Finish the user-space exit the VMM has served: the load's value into its
        register, the SBI call's results into a0/a1; the guest goes on after it."""
        pending, self.pending = self.pending, None
        if pending is None:
            return
        R, run = self.state.x, self.run_struct
        if pending[0] == 'mmio_load':
            _, rd, size, signed = pending
            value = int.from_bytes(run.mmio.data[:size], 'little')
            if signed and value >> (8 * size - 1):
                value = (value - (1 << 8 * size)) & M32
            R[rd] = value
            R[0] = 0
        elif pending[0] == 'sbi':
            R[A0], R[A1] = run.riscv_sbi.ret[0] & M32, run.riscv_sbi.ret[1] & M32
        self.emulated += 1
        self.state.pc = (self.state.pc + 4) & M32

    def _wake_or_wait(self):
        """A halted vCPU (wfi) wakes when an interrupt it enabled is pending; until then time
        passes (the host's clock jumps to the guest's timer). Nothing could wake it: HLT."""
        if not self.halted:
            return None
        s = self.state
        self._save()
        if s.mip() & s.mie:
            self.halted = False
            return None
        if s.timecmp >= M64 or not s.mie & (1 << STI):
            return KvmRun(KVM_EXIT_HLT, internal='wfi with no interrupt enabled that could '
                                                 'wake it')
        self.count('halt_wakeup')
        self.hart.clint.offset += s.timecmp - self.guest_time()     # time passes: it sleeps
        self.halted = False
        return None


def fetched_outside(va, gpa):
    """The guest fetched an instruction where it has no memory: KVM cannot emulate a fetch
    (the technique ends the guest as its firmware would: ``HardwareAssisted.failed``)."""
    raise EOPNOTSUPP(f'the guest fetched an instruction at 0x{va:08x}: '
                     f'guest-physical 0x{gpa:09x} is outside its memory')
