"""The KVM-like API (vmlib.hypervisor.kvm), its user-space VMM, and technique ``hw``.

Grouped as the issue asks: the API's calls and their errors; the exits a small guest makes,
one of each kind; dirty logging; the hw technique running every workload with the guest's own
output (the same as trap-and-emulate's); isolation between a guest and the rest of host RAM.
"""

import pytest
from hypothesis import given, settings, strategies as st

from vmlib.asm import assemble
from vmlib.guest import ALL_WORKLOADS
from vmlib.hypervisor.hypervisor import run as hv_run
from vmlib.hypervisor.kvm import (
    Kvm, EINVAL, EEXIST, ENOENT, EFAULT, EOPNOTSUPP, KVM_EXIT_MMIO, KVM_EXIT_RISCV_SBI,
    KVM_EXIT_SYSTEM_EVENT, KVM_EXIT_INTR, KVM_EXIT_HLT, KVM_SYSTEM_EVENT_SHUTDOWN,
    KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY)

BASE = 0x80000000


def guest(source, size=1 << 20, flags=0):
    """A KVM VM with one slot of ``size`` bytes at 0x80000000 holding ``source``; its vCPU
    at the program's entry. Returns (kvm, vm, vcpu, memory)."""
    program = assemble(source)
    kvm = Kvm()
    vm = kvm.create_vm()
    ram = kvm.mmap(size)
    for section in program.sections:
        ram.write(section.address - BASE, section.data)
    vm.set_user_memory_region(0, BASE, ram, flags)
    vcpu = vm.create_vcpu(0)
    vcpu.set_one_reg('pc', program.entry)
    return kvm, vm, vcpu, ram


POWER_OFF = '''
    li a0, 0
    li a1, 0
    li a7, 0x53525354
    li a6, 0
    ecall
'''


# --- the API and its errors ------------------------------------------------------------------

def test_memory_regions_must_be_aligned_and_must_not_overlap():
    kvm = Kvm()
    vm = kvm.create_vm()
    ram = kvm.mmap(2 << 12)
    with pytest.raises(EINVAL):
        vm.set_user_memory_region(0, BASE + 8, ram)
    vm.set_user_memory_region(0, BASE, ram)
    with pytest.raises(EEXIST):
        vm.set_user_memory_region(1, BASE + 4096, kvm.mmap(4096))
    with pytest.raises(EINVAL):
        vm.set_user_memory_region(2, BASE + (1 << 20), ram, flags=0x80)
    vm.set_user_memory_region(1, BASE + (1 << 20), kvm.mmap(4096))
    assert sorted(vm.slots) == [0, 1]


def test_memory_must_be_the_hosts():
    vm = Kvm().create_vm()
    with pytest.raises(EFAULT):
        vm.set_user_memory_region(0, BASE, Kvm().mmap(4096))


def test_one_vcpu_per_vm_and_errors_by_name():
    kvm, vm, vcpu, _ = guest(POWER_OFF)
    with pytest.raises(EEXIST):
        vm.create_vcpu(0)
    with pytest.raises(EINVAL):
        kvm.create_vm().create_vcpu(1)
    with pytest.raises(ENOENT):
        vcpu.get_one_reg('mtvec')
    with pytest.raises(ENOENT):
        vcpu.set_regs({'zero': 1})
    assert EINVAL.errno_value == 22 and isinstance(EINVAL('x'), OSError)


def test_registers_are_the_guests_view():
    kvm, vm, vcpu, _ = guest(POWER_OFF)
    vcpu.set_regs({'a0': 7, 'x11': 9})
    vcpu.set_one_reg('stvec', 0x80001000)
    vcpu.set_one_reg('satp', 0x80000123)
    regs = vcpu.get_regs()
    assert (regs['a0'], regs['a1']) == (7, 9)
    assert vcpu.get_one_reg('stvec') == 0x80001000
    assert vcpu.get_one_reg('satp') == 0x80000123
    assert vcpu.get_one_reg('mode') == 1


# --- one exit of each kind --------------------------------------------------------------------

def test_exits_mmio_sbi_and_system_event_are_completed_by_the_next_run():
    kvm, vm, vcpu, _ = guest('''
        li t0, 0x10000000
        li t1, 'H'
        sb t1, 0(t0)            # a device register: KVM_EXIT_MMIO, a store
        lbu t2, 5(t0)           # and a load, whose data the VMM gives
        li a0, 'i'
        li a7, 1
        ecall                   # legacy console putchar: KVM_EXIT_RISCV_SBI
        mv s1, a0
    ''' + POWER_OFF)
    run = vcpu.run()
    assert run.exit_reason == KVM_EXIT_MMIO
    assert (run.mmio.phys_addr, run.mmio.data, run.mmio.len, run.mmio.is_write) == \
        (0x10000000, b'H', 1, True)
    run = vcpu.run()
    assert run.exit_reason == KVM_EXIT_MMIO and not run.mmio.is_write
    assert run.mmio.phys_addr == 0x10000005
    run.mmio.data = b'\x60'
    run = vcpu.run()
    assert run.exit_reason == KVM_EXIT_RISCV_SBI
    assert (run.riscv_sbi.extension_id, run.riscv_sbi.args[0]) == (1, ord('i'))
    run.riscv_sbi.ret[0] = 42
    run = vcpu.run()
    assert run.exit_reason == KVM_EXIT_SYSTEM_EVENT
    assert run.system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN
    regs = vcpu.get_regs()
    assert regs['t2'] == 0x60 and regs['s1'] == 42
    with pytest.raises(EINVAL):
        vcpu.run()


def test_the_timer_and_wfi_stay_in_the_kernel():
    """The guest arms its timer (SBI TIME), enables it and waits: KVM halts the vCPU, time
    passes, the interrupt comes through hvip.VSTIP to the guest's own handler. No exit but
    the system event reaches user space."""
    kvm, vm, vcpu, _ = guest('''
        la t0, handler
        csrw stvec, t0
        rdtime a0
        addi a0, a0, 50
        li a1, 0
        li a7, 0x54494D45
        li a6, 0
        ecall                   # set_timer(now + 50)
        li t0, 1 << 5
        csrs sie, t0            # STIE
        csrsi sstatus, 2        # SIE
    1:  wfi
        j 1b
    handler:
        csrr s2, scause
        rdtime s3
    ''' + POWER_OFF)
    run = vcpu.run()
    assert run.exit_reason == KVM_EXIT_SYSTEM_EVENT
    assert vcpu.get_regs()['s2'] == 0x80000005         # a supervisor timer interrupt
    assert vcpu.get_regs()['s3'] >= 50
    assert vcpu.stat['sbi_time'] == 1 and vcpu.stat['wfi'] >= 1
    assert set(vcpu.stat) == {'sbi_time', 'wfi', 'halt_wakeup', 'KVM_EXIT_SYSTEM_EVENT'}


def test_a_wfi_nothing_can_wake_is_a_halt():
    kvm, vm, vcpu, _ = guest('1: wfi\n j 1b\n')
    run = vcpu.run()
    assert run.exit_reason == KVM_EXIT_HLT and 'could wake it' in run.internal


def test_the_budget_ends_a_run_with_intr_and_the_guest_goes_on():
    kvm, vm, vcpu, _ = guest('li t0, 3000\n1: addi t0, t0, -1\n bnez t0, 1b\n' + POWER_OFF)
    run = vcpu.run(1000)
    assert run.exit_reason == KVM_EXIT_INTR and vcpu.instructions == 1000
    assert vcpu.run().exit_reason == KVM_EXIT_SYSTEM_EVENT


def test_a_fetch_outside_memory_fails_the_run():
    kvm, vm, vcpu, _ = guest('li t0, 0x40000000\n jr t0\n')
    with pytest.raises(EOPNOTSUPP, match='fetched'):
        vcpu.run()


def test_the_guests_own_traps_never_exit():
    """A system call from VU-mode and an illegal instruction go straight to the guest kernel
    (hedeleg); a hypervisor CSR exits (virtual instruction) and KVM hands it back as an
    illegal instruction (redirect)."""
    kvm, vm, vcpu, _ = guest('''
        la t0, handler
        csrw stvec, t0
        li s1, 0
        .word 0                 # illegal: straight to the handler
        csrr t0, hstatus        # a hypervisor CSR: virtual instruction, KVM redirects it
        li t0, 1 << 8
        csrc sstatus, t0        # SPP = U
        la t0, user
        csrw sepc, t0
        sret                    # into VU-mode
    user:
        ecall                   # a system call: straight to the guest kernel
    handler:
        addi s1, s1, 1
        csrr t0, scause
        li t1, 8
        beq t0, t1, done
        csrr t0, sepc
        addi t0, t0, 4
        csrw sepc, t0
        sret
    done:
    ''' + POWER_OFF)
    assert vcpu.run().exit_reason == KVM_EXIT_SYSTEM_EVENT
    assert vcpu.get_regs()['s1'] == 3
    assert vcpu.stat['virtual_instruction'] == 1 and 'KVM_EXIT_MMIO' not in vcpu.stat


# --- dirty logging and read-only memory ---------------------------------------------------------

def test_dirty_log_names_the_pages_written_since_the_last_call():
    src = '''
        li t0, 0x80010000
        li t1, 0x80012000
        sw t0, 0(t0)            # page 16
        sw t0, 0(t1)            # page 18
        li a7, 0x4442434E       # an SBI call to stop at (DBCN write_byte)
        li a6, 2
        li a0, '.'
        ecall
        sw t0, 4(t1)            # page 18 again
    ''' + POWER_OFF
    kvm, vm, vcpu, ram = guest(src, flags=KVM_MEM_LOG_DIRTY_PAGES)
    assert vcpu.run().exit_reason == KVM_EXIT_RISCV_SBI
    pages = lambda log: [i for i in range(len(log) * 8) if log[i // 8] >> i % 8 & 1]
    assert pages(vm.get_dirty_log(0)) == [16, 18]
    assert pages(vm.get_dirty_log(0)) == []
    assert vcpu.run().exit_reason == KVM_EXIT_SYSTEM_EVENT
    assert pages(vm.get_dirty_log(0)) == [18]
    assert ram.view()[0x10000:0x10004].tobytes() == (0x80010000).to_bytes(4, 'little')
    with pytest.raises(ENOENT):
        kvm.create_vm().get_dirty_log(0)


def test_a_write_to_read_only_memory_is_mmio():
    kvm, vm, vcpu, _ = guest('li t0, 0x80001000\n li t1, 5\n sw t1, 8(t0)\n' + POWER_OFF,
                             flags=KVM_MEM_READONLY)
    run = vcpu.run()
    assert run.exit_reason == KVM_EXIT_MMIO and run.mmio.is_write
    assert run.mmio.phys_addr == 0x80001008 and run.mmio.data == (5).to_bytes(4, 'little')


# --- technique hw: every workload, the guest's own output ---------------------------------------

IN_KERNEL = {'sbi_time', 'wfi', 'redirect'}
SHADOW_EXITS = {'hidden_page_fault', 'page_table_write', 'guest_page_fault', 'satp',
                'sfence_vma'}


@pytest.mark.parametrize('nested', [True, False], ids=['nested', 'shadow'])
@pytest.mark.parametrize('workload', list(ALL_WORKLOADS))
def test_hw_runs_every_workload_as_trap_and_emulate_does(workload, nested):
    trap = hv_run(workload, 'trap')['guests'][0]
    report = hv_run(workload, 'hw', nested_paging=nested)
    hw = report['guests'][0]
    assert hw['reason'] == 'poweroff' and hw['exit_status'] == trap['exit_status'] == 0
    assert hw['console'] == trap['console']
    assert hw['direct_instructions'] > 0.9 * hw['guest_instructions']
    user = {'KVM_EXIT_MMIO', 'KVM_EXIT_RISCV_SBI', 'KVM_EXIT_SYSTEM_EVENT'}
    assert set(hw['exits']) <= user | IN_KERNEL | (set() if nested else SHADOW_EXITS)
    assert hw['exits']['KVM_EXIT_SYSTEM_EVENT'] == 1
    assert report['vmm']['traps'] == sum(hw['exits'].values())
    assert report['vmm']['nested_paging'] == nested


def test_shadow_paging_exits_where_nested_paging_does_not():
    """pgfault and ptemod change page tables all the time: without nested paging every
    change is a trapped write and every new mapping a hidden fault; with it, none exits."""
    for workload in ('pgfault', 'ptemod', 'forkwait'):
        nested = hv_run(workload, 'hw')['guests'][0]['exits']
        shadow = hv_run(workload, 'hw', nested_paging=False)['guests'][0]['exits']
        assert not SHADOW_EXITS & set(nested)
        assert shadow['page_table_write'] > 100 and shadow['hidden_page_fault'] > 100
        assert shadow['satp'] >= 2 and shadow['sfence_vma'] >= 2


def test_nested_paging_off_is_a_choice_of_hw_only():
    with pytest.raises(ValueError, match='hw'):
        hv_run('demo', 'trap', nested_paging=False)


def test_hw_on_the_translator_and_with_several_guests():
    a = hv_run('demo', 'hw', guests=3, engine='dbt')
    b = hv_run('demo', 'trap')
    assert [g['console'] for g in a['guests']] == [b['guests'][0]['console']] * 3


def test_the_io_workload_exits_per_uart_byte_and_blk_per_virtio_register():
    io = hv_run('io', 'hw')['guests'][0]['exits']
    blk = hv_run('blk', 'hw')['guests'][0]['exits']
    assert io['KVM_EXIT_MMIO'] > 1000 and blk['KVM_EXIT_MMIO'] < 200


# --- isolation ----------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, (1 << 32) - 4), st.integers(0, (1 << 32) - 1)),
                min_size=1, max_size=6),
       st.integers(0, (1 << 32) - 1), st.integers(0, (1 << 32) - 1))
def test_no_guest_address_or_vsatp_reaches_outside_its_memory(stores, vsatp, hgatp):
    """Whatever the guest writes to vsatp (and tries to write to hgatp: a virtual-instruction
    exception), and wherever it stores, only its slot changes: the G-stage maps nothing else
    (everything outside is an exit, and KVM's and the VMM's RAM stay as they were)."""
    body = ''.join(f'li t0, {a & ~3}\n li t1, {v}\n sw t1, 0(t0)\n' for a, v in stores)
    body += f'li t0, {hgatp}\n csrw hgatp, t0\n'     # not the guest's: a virtual instruction
    kvm, vm, vcpu, ram = guest(f'''
        la t0, handler
        csrw stvec, t0
        li t0, {vsatp}
        csrw satp, t0
        sfence.vma
        {body}
    handler:
    ''' + POWER_OFF, size=64 << 10)
    before = bytes(kvm.bus.ram)
    for _ in range(50):
        try:
            run = vcpu.run(20_000)
        except EOPNOTSUPP:
            break
        if run.exit_reason != KVM_EXIT_MMIO:
            break
    after = bytes(kvm.bus.ram)
    lo, hi = ram.base, ram.base + ram.size
    outside = [i for i in range(0, len(after), 4096)
               if not lo <= i < hi and after[i:i + 4096] != before[i:i + 4096]
               and not kvm.frames.base <= i < kvm.frames.limit]
    assert outside == []
    assert kvm.hart.hgatp & ~(0x7F << 22) == vm.gstage.hgatp      # still KVM's G-stage


# --- steal time (SBI STA) ---------------------------------------------------------------------

STA_GUEST = '''
    la a0, sta
    li a1, 0
    li a2, 0
    li a7, 0x535441
    li a6, 0
    ecall                   # set_shmem(sta): KVM keeps the record up to date
    mv s1, a0
    la a0, sta + 4          # misaligned: SBI_ERR_INVALID_PARAM
    li a7, 0x535441
    ecall
    mv s2, a0
    li a0, 0x40000000       # not the guest's memory: SBI_ERR_INVALID_ADDRESS
    li a7, 0x535441
    ecall
    mv s3, a0
1:  addi s4, s4, 1
    j 1b
    .balign 64
sta: .zero 64
'''


def test_steal_time_is_the_time_other_vcpus_had_the_hart():
    kvm = Kvm()
    vcpus = []
    for _ in range(2):
        program = assemble(STA_GUEST)
        vm = kvm.create_vm()
        ram = kvm.mmap(64 << 10)
        for section in program.sections:
            ram.write(section.address - BASE, section.data)
        vm.set_user_memory_region(0, BASE, ram)
        vcpu = vm.create_vcpu(0)
        vcpu.set_one_reg('pc', program.entry)
        vcpus.append((vm, vcpu, program.symbols['sta']))
    for _ in range(4):
        for vm, vcpu, _ in vcpus:
            assert vcpu.run(10_000).exit_reason == KVM_EXIT_INTR
    for vm, vcpu, sta in vcpus:
        regs = vcpu.get_regs()
        assert (regs['s1'], regs['s2'], regs['s3']) == (0, (-3) & 0xFFFFFFFF, (-5) & 0xFFFFFFFF)
        record = vm.read_guest(sta, 16)
        sequence, steal = int.from_bytes(record[:4], 'little'), int.from_bytes(record[8:], 'little')
        assert sequence % 2 == 0 and steal == vcpu.steal_ns
    # after its first run each waited 3 times while the other ran 10,000 instructions:
    # 1,000 ticks of 100 ns each time (10 instructions per tick of the 10 MHz timebase)
    assert [v.steal_ns for _, v, _ in vcpus] == [3 * 100_000, 3 * 100_000]


def test_an_interrupt_line_reaches_the_guest_as_its_external_interrupt():
    """vm.irq_line: while a line is high the guest has VSEIP pending (KVM_INTERRUPT's role
    without an in-kernel interrupt controller); its handler sees scause 0x80000009."""
    kvm, vm, vcpu, _ = guest('''
        la t0, handler
        csrw stvec, t0
        li t0, 1 << 9
        csrs sie, t0            # SEIE
        csrsi sstatus, 2        # SIE
        li a7, 0x4442434E       # stop: an SBI call the VMM sees (DBCN write_byte)
        li a6, 2
        li a0, '.'
        ecall
    1:  j 1b
    handler:
        csrr s2, scause
    ''' + POWER_OFF)
    assert vcpu.run().exit_reason == KVM_EXIT_RISCV_SBI
    vm.irq_line(5, 1)
    assert vcpu.run().exit_reason == KVM_EXIT_SYSTEM_EVENT
    assert vcpu.get_regs()['s2'] == 0x80000009


def test_the_hv_command_runs_hw_with_and_without_nested_paging(capsys):
    import json
    from vmlib.__main__ import main
    assert main(['hv', '--technique', 'hw', '--no-nested-paging', '--workload', 'ptemod',
                 '--json']) == 0
    report = json.loads(capsys.readouterr().out)
    assert report['technique'] == 'hw' and report['vmm']['nested_paging'] is False
    assert report['guests'][0]['exits']['page_table_write'] > 0
    assert main(['hv', '--technique', 'trap', '--no-nested-paging']) == 2
    assert '(--no-nested-paging) is a choice of technique hw' in capsys.readouterr().err


def test_ipis_and_remote_fences_stay_in_the_kernel():
    """SBI IPI to its own hart: a supervisor software interrupt for the guest (hvip.VSSIP);
    SBI RFENCE: a local fence. Both served by KVM, counted, never returned."""
    kvm, vm, vcpu, _ = guest('''
        la t0, handler
        csrw stvec, t0
        li t0, 1 << 1
        csrs sie, t0            # SSIE
        li a0, 0                # remote sfence.vma on every hart
        li a1, -1
        li a2, 0
        li a3, -1
        li a7, 0x52464E43
        li a6, 1
        ecall
        li a0, 1                # send_ipi(mask 1, base 0): to itself
        li a1, 0
        li a7, 0x735049
        li a6, 0
        ecall
        csrsi sstatus, 2        # SIE: the interrupt is taken now
    1:  j 1b
    handler:
        csrr s2, scause
        csrci sip, 2            # acknowledge
    ''' + POWER_OFF)
    assert vcpu.run().exit_reason == KVM_EXIT_SYSTEM_EVENT
    assert vcpu.get_regs()['s2'] == 0x80000001
    assert vcpu.stat['sbi_ipi'] == vcpu.stat['sbi_rfence'] == 1
