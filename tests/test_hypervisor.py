"""The hypervisor: every workload of the guest kernel gives the same console and exit status on
the bare machine and under every technique; misbehaving guests are stopped (or contained)
with a stated reason while the others run on; the report adds up.

The random-program properties (isolation, equivalence) are in test_hypervisor_properties.py,
the command line in test_hypervisor_cli.py.
"""

import pytest

from vmlib import guest
from vmlib.hypervisor import (Hypervisor, CostModel, EVENTS, TECHNIQUES, Technique, register,
                              technique_names, get_technique, miniguest)
from vmlib.hypervisor.memory import GUEST_RAM_SIZE, host_ram_size, vmm_area_size
from vmlib.hypervisor.exits import FAULT_STORM_LIMIT
from vmlib.hypervisor.vm import CAUSES
from vmlib.hypervisor.techniques.trap import TrapAndEmulate

TECHNIQUE_NAMES = ('emulate', 'trap')


def bare(program, max_steps=guest.MAX_STEPS):
    """Console, exit status and stop reason of ``program`` on a bare machine with a guest's RAM."""
    m = miniguest.machine(program)
    r = m.run(max_steps)
    return m.output, r.exit_status, r.reason


def hv_run(technique, programs, **kw):
    return Hypervisor(technique, programs, **kw).run()


# --- equivalence: the guest kernel, unchanged, bare and virtualized ---------------------------

@pytest.mark.parametrize('workload', list(guest.WORKLOADS))
def test_every_workload_is_the_same_bare_and_under_every_technique(workload):
    program = guest.program(workload)
    console, status, reason = bare(program)
    assert reason == 'poweroff' and status == 0, (workload, reason, console)
    for technique in TECHNIQUE_NAMES:
        g = hv_run(technique, [program], workload=workload)['guests'][0]
        assert (g['console'], g['exit_status'], g['reason']) == (console, status, 'poweroff'), \
            (technique, g['message'])


@pytest.mark.parametrize('technique', TECHNIQUE_NAMES)
def test_both_engines_give_the_same_report(technique):
    """The interpreter and the translator run the guests' instructions the same way, exit
    for exit: every workload's whole report is identical, several guests side by side too."""
    for workload in guest.WORKLOADS:
        program = guest.program(workload)
        assert hv_run(technique, [program], engine='interp') == \
            hv_run(technique, [program], engine='dbt'), workload
    programs = [guest.program(w) for w in ('demo', 'ptemod', 'syscall')]
    assert hv_run(technique, programs, slice_size=1500) == \
        hv_run(technique, programs, slice_size=1500, engine='dbt')


@pytest.mark.parametrize('workload', ['demo', 'forkwait'])
@pytest.mark.parametrize('quantum', [20, 300])
def test_timer_preemption_at_any_rate_changes_nothing_visible(workload, quantum):
    """The kernel's time slice (its data word ``quantum``) patched small or large: virtual
    timer interrupts come at other moments (hundreds of injections, or a few), the output not."""
    program = guest.program(workload)
    console = bare(program)[0]
    for technique in TECHNIQUE_NAMES:
        hv = Hypervisor(technique, [program])
        hv.vms[0].mem.write(program.symbols['quantum'], 4, quantum)
        report = hv.run()
        assert report['guests'][0]['console'] == console, technique
        if technique == 'trap' and quantum == 20:
            assert report['events']['interrupt_injection'] > 50


def test_the_guest_kernel_boots_on_a_bare_machine_with_only_its_own_ram():
    assert guest.GUEST_RAM_SIZE == GUEST_RAM_SIZE
    console, status, _ = bare(guest.program('compute'))
    assert guest.run('compute')[0] == console and status == 0


@pytest.mark.parametrize('technique', TECHNIQUE_NAMES)
def test_several_guests_each_see_their_own_machine(technique):
    program = guest.program('demo')
    console, status, _ = bare(program)
    report = hv_run(technique, [program] * 3, slice_size=3000)
    assert [(g['console'], g['exit_status']) for g in report['guests']] == [(console, status)] * 3
    assert report['vmm']['turns'] > 3           # they took turns


def test_different_workloads_side_by_side():
    names = ['syscall', 'pgfault', 'io']
    report = hv_run('trap', [guest.program(n) for n in names], names=names, slice_size=2000)
    for name, g in zip(names, report['guests']):
        assert g['name'] == name
        assert g['console'] == bare(guest.program(name))[0]


PAGING = r"""
# Sv32 as a guest kernel sees it: what shadow paging must reproduce exactly
    la t0, handler
    csrw stvec, t0
    la s0, kroot
    li t0, (0x80000000 >> 2) | 0xCF         # RAM: identity megapage, V R W X A D, U = 0
    li t1, 0x200 * 4
    add t1, s0, t1
    sw t0, 0(t1)
    la s1, l0                               # VA 0x00400000..: a level-0 table
    srli t0, s1, 12
    slli t0, t0, 10
    ori t0, t0, 1
    sw t0, 4(s0)
    la s2, page_a                           # 0x400000: user data, V R W U (no A, no D)
    srli t0, s2, 12
    slli t0, t0, 10
    ori t0, t0, 0x17
    sw t0, 0(s1)
    la s3, page_b                           # 0x401000: kernel data, V R W (no A, no D)
    srli t0, s3, 12
    slli t0, t0, 10
    ori t0, t0, 0x07
    sw t0, 4(s1)
    la t2, ucode                            # 0x402000: user code, V R X U A
    srli t0, t2, 12
    slli t0, t0, 10
    ori t0, t0, 0x5B
    sw t0, 8(s1)
    li t0, 0x11111111
    sw t0, 0(s2)
    li t0, 0x22222222
    sw t0, 0(s3)
    srli t0, s0, 12
    li t1, 1 << 31
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    li s4, 0x00400000
    li s5, 0x00401000
    lw a0, 0(s5)                            # 1. kernel page: 22222222
    call show
    li a0, 0
    lw a0, 0(s4)                            # 2. user page, SUM = 0: load page fault
    call show
    call show_fault
    li t0, 1 << 18
    csrs sstatus, t0
    lw a0, 0(s4)                            # 3. with SUM = 1: 11111111
    call show
    li t0, 1 << 18
    csrc sstatus, t0
    lw a0, 4(s1)                            # 4. A set by the load, D not yet
    andi a0, a0, 0xFF
    call show
    li t0, 0x33333333
    sw t0, 0(s5)                            # 5. a store sets D
    lw a0, 4(s1)
    andi a0, a0, 0xFF
    call show
    srli t0, s2, 12                         # 6. remap 0x401000 to page_a, sfence.vma
    slli t0, t0, 10
    ori t0, t0, 0xC7
    sw t0, 4(s1)
    sfence.vma s5
    lw a0, 0(s5)
    call show
    li t0, 0x44444444                       # ... and write through the new mapping
    sw t0, 0(s5)
    lw a0, 0(s2)
    call show
    li t0, 1 << 18                          # 7. S never executes a U page, even with SUM
    csrs sstatus, t0
    li t0, 0x00402000
    jalr t0
    call show_fault
    li t0, 1 << 18
    csrc sstatus, t0
    sw zero, 4(s1)                          # 8. unmapped: store page fault
    sfence.vma s5
    sw t0, 0(s5)
    call show_fault
    la ra, back_from_user                   # 9. U-mode: read its page, touch the kernel's, ecall
    li t0, 0x00402000
    csrw sepc, t0
    li t0, 1 << 8
    csrc sstatus, t0
    li a1, 0
    sret
back_from_user:
    mv a0, a1
    call show
    call show_fault
    la s6, kroot2                           # 10. a second address space: 0x400000 -> page_b
    li t0, (0x80000000 >> 2) | 0xCF
    li t1, 0x200 * 4
    add t1, s6, t1
    sw t0, 0(t1)
    la s7, l0b
    srli t0, s7, 12
    slli t0, t0, 10
    ori t0, t0, 1
    sw t0, 4(s6)
    srli t0, s3, 12
    slli t0, t0, 10
    ori t0, t0, 0xC7
    sw t0, 0(s7)
    srli t0, s6, 12
    li t1, 1 << 31
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    lw a0, 0(s4)
    call show
    csrw satp, zero                         # 11. paging off again: physical addresses
    sfence.vma
    lw a0, 0(s3)
    call show
    li a0, 0
    call mini_exit

show:                                       # print a0 in hex and a newline
    mv t3, a0
    mv t4, ra
    li t2, 28
1:  srl a0, t3, t2
    andi a0, a0, 15
    li t1, 10
    blt a0, t1, 2f
    addi a0, a0, 'a' - 10 - '0'
2:  addi a0, a0, '0'
    li a7, SBI_CONSOLE_PUTCHAR
    ecall
    addi t2, t2, -4
    bgez t2, 1b
    li a0, '\n'
    li a7, SBI_CONSOLE_PUTCHAR
    ecall
    mv ra, t4
    ret

show_fault:                                 # print the last trap's scause and stval
    mv s8, ra
    la t0, last
    lw a0, 0(t0)
    call show
    la t0, last
    lw a0, 4(t0)
    call show
    mv ra, s8
    ret

handler:
    csrr t6, scause
    la t5, last
    sw t6, 0(t5)
    csrr t6, stval
    sw t6, 4(t5)
    csrr t6, scause
    li t5, 12
    beq t6, t5, 1f
    li t5, 8
    beq t6, t5, 2f
    csrr t6, sepc
    addi t6, t6, 4
    csrw sepc, t6
    sret
1:  csrw sepc, ra                           # a fetch fault: return to the caller
    sret
2:  csrw sepc, ra                           # ecall from U: back to the kernel, in S-mode
    li t6, 1 << 8
    csrs sstatus, t6
    sret

    .balign 4096
ucode:
    lw a1, 0(s4)
    lw a2, 0(s5)
    ecall
    .balign 4096

    .bss
    .balign 4096
kroot:  .space 4096
kroot2: .space 4096
l0:     .space 4096
l0b:    .space 4096
page_a: .space 4096
page_b: .space 4096
last:   .space 8
"""


def test_shadow_paging_reproduces_sv32_exactly():
    """A guest kernel exercising Sv32 -- SUM, A and D bits, remapping with sfence.vma, an
    unmapped page, S never executing U pages, U-mode, two address spaces, paging off again --
    prints the same under shadow paging as on the hardware."""
    program = miniguest.program(PAGING)
    console, status, reason = bare(program)
    assert reason == 'poweroff' and status == 0
    assert console.split() == [
        '22222222', '00000000', '0000000d', '00400000', '11111111', '00000047', '000000c7',
        '11111111', '44444444', '0000000c', '00402000', '0000000f', '00401000', '44444444',
        '00000008', '00000000', '33333333', '33333333']
    for technique in TECHNIQUE_NAMES:
        report = hv_run(technique, [program])
        g = report['guests'][0]
        assert (g['console'], g['exit_status']) == (console, status), technique
    exits = report['vmm']['exits']               # (trap) the shadow did its work
    assert exits['hidden_page_fault'] > 5 and exits['page_table_write'] >= 2


def test_a_page_table_reused_as_plain_memory_stops_trapping():
    """forkwait frees each child's page tables and the kernel clears the pages for their next
    use: after a few trapped writes with no walk in between, the VMM unshadows the page."""
    report = hv_run('trap', [guest.program('forkwait')])
    assert report['guests'][0]['console'] == bare(guest.program('forkwait'))[0]
    assert report['vmm']['shadow']['guest 0']['unshadowed'] > 10
    assert report['vmm']['exits']['page_table_write'] < 500     # (7,727 without the rule)


# --- the non-virtualizable variant --------------------------------------------------------------

def test_the_nonvirt_variant_breaks_trap_and_emulate_only():
    program = guest.program('syscall')
    console, status, _ = bare(program)
    emulated = hv_run('emulate', [program], variant='nonvirt')['guests'][0]
    assert (emulated['console'], emulated['exit_status']) == (console, status)
    broken = hv_run('trap', [program], variant='nonvirt')['guests'][0]
    assert broken['exit_status'] == 1 and broken['console'] != console
    assert 'init exited with status 14' in broken['console']     # EFAULT: SUM was never set
    normal = hv_run('trap', [program])['guests'][0]
    assert normal['console'] == console


# --- resource control and bad behaviour ----------------------------------------------------------

@pytest.mark.parametrize('technique', TECHNIQUE_NAMES)
def test_a_guest_spinning_with_interrupts_off_does_not_stop_another(technique):
    worker = guest.program('forkwait')
    console, status, _ = bare(worker)
    report = hv_run(technique, [miniguest.example('spin'), worker], max_steps=400_000,
                    slice_size=5000)
    spin, work = report['guests']
    assert (work['console'], work['exit_status'], work['reason']) == (console, status, 'poweroff')
    assert spin['reason'] == 'budget' and spin['guest_instructions'] == 400_000
    assert 'step budget exhausted' in spin['message']


EXPECTED_REASONS = {'emulate': {'nowhere': 'poweroff', 'fault-storm': 'trap-loop',
                                'unknown-sbi': 'poweroff', 'write-outside': 'poweroff',
                                'spin': 'budget'},
                    'trap': {'nowhere': 'guest-fault', 'fault-storm': 'fault-storm',
                             'unknown-sbi': 'poweroff', 'write-outside': 'guest-fault',
                             'spin': 'budget'}}


@pytest.mark.parametrize('technique', TECHNIQUE_NAMES)
@pytest.mark.parametrize('name', ['nowhere', 'fault-storm', 'unknown-sbi', 'write-outside',
                                  'spin'])
def test_a_misbehaving_guest_is_stopped_or_contained_and_the_other_runs_on(technique, name):
    bad, good = miniguest.example(name), miniguest.example('hello')
    console, status = miniguest.expected(name)
    assert bare(bad, 20_000)[:2] == (console, status)
    report = hv_run(technique, [bad, good], max_steps=20_000, slice_size=500)
    b, g = report['guests']
    assert (b['console'], b['exit_status']) == (console, status)
    assert b['reason'] == EXPECTED_REASONS[technique][name]
    assert b['message']                                         # a stated reason
    assert (g['console'], g['exit_status'], g['reason']) == \
        ('hello from a tiny guest kernel\n', 0, 'poweroff')


def test_reasons_name_what_happened():
    report = hv_run('trap', [miniguest.example(n) for n in
                             ('nowhere', 'fault-storm', 'unknown-sbi', 'write-outside')])
    nowhere, storm, sbi_, outside = report['guests']
    assert 'instruction access fault at pc=0x40000000' in nowhere['message']
    assert 'fault storm' in storm['message'] and storm['exit_status'] is None
    assert sbi_['notes'] == [f'SBI call unknown (EID 0xabcdef, FID 7) at pc='
                             f'0x{_pc_of_ecall(miniguest.example("unknown-sbi")):08x}: '
                             'answered -2 (not supported)']
    assert 'store/AMO access fault' in outside['message'] and '0x80400000' in outside['message']


def _pc_of_ecall(program):
    return program.symbols['mini_main'] + 12        # li a7 (2 words), li a6, ecall


@pytest.mark.parametrize('technique', TECHNIQUE_NAMES)
def test_a_store_past_the_guest_ram_does_not_reach_the_next_guest(technique):
    hv = Hypervisor(technique, [miniguest.example('write-outside'), miniguest.example('spin')],
                    max_steps=5000)
    neighbour = hv.vms[1].mem
    before = neighbour.snapshot()
    hv.run()
    assert neighbour.read(0x80000000, 4) != 0x5a5a5a5a
    assert neighbour.snapshot()[:0x1000] == before[:0x1000]     # its code, untouched


def test_a_trap_loop_in_a_guest_is_stopped_quickly():
    report = hv_run('trap', [miniguest.example('fault-storm')], max_steps=1_000_000)
    assert report['guests'][0]['guest_instructions'] < 100
    assert report['events']['exception_injection'] == FAULT_STORM_LIMIT


def test_wfi_with_nothing_to_wake_the_guest_stops_it():
    program = miniguest.program("""
    csrw sie, zero
    wfi
""")
    m = miniguest.machine(program)
    assert m.run(10_000).reason == 'wfi'
    g = hv_run('trap', [program])['guests'][0]
    assert g['reason'] == 'wfi' and 'could wake it' in g['message']


def test_wfi_waits_for_the_virtual_timer():
    program = miniguest.program("""
    la t0, on_timer
    csrw stvec, t0
    li t0, 1 << 5
    csrw sie, t0                # STIE
    csrsi sstatus, 2            # SIE
    rdtime a0
    addi a0, a0, 1000           # 1000 ticks from now
    li a1, 0
    li a7, SBI_SET_TIMER
    ecall
    wfi
    la a0, late
    call mini_puts
    li a0, 1
    call mini_exit
on_timer:
    rdtime t0
    la a0, woke
    call mini_puts
    li a0, 0
    call mini_exit
    .section .rodata
woke: .string "woken by the timer\\n"
late: .string "wfi returned first\\n"
""")
    console, status, _ = bare(program)
    assert console == 'woken by the timer\n' and status == 0
    for technique in TECHNIQUE_NAMES:
        g = hv_run(technique, [program])['guests'][0]
        assert (g['console'], g['exit_status']) == (console, status), technique
        assert g['guest_instructions'] < 1000       # it waited without spinning


def test_the_virtual_timer_interrupts_a_guest_loop_on_time():
    """A kernel sets the timer 50 ticks (500 instructions) ahead and counts loop turns (two
    instructions each) until the interrupt, then powers off with the count as exit status
    through the test device (an MMIO store). Under trap-and-emulate the guest's clock is its
    own instructions; in the emulated machine the firmware's instructions count too."""
    program = miniguest.program("""
    la t0, on_timer
    csrw stvec, t0
    li t0, 1 << 5
    csrw sie, t0
    rdtime a0
    addi a0, a0, 50
    li a1, 0
    li a7, SBI_SET_TIMER
    ecall
    li s0, 0
    csrsi sstatus, 2
1:  addi s0, s0, 1
    j 1b
on_timer:
    slli a0, s0, 16
    li t0, 0x3333
    or a0, a0, t0
    li t0, TESTDEV
    sw a0, 0(t0)
""")
    turns = {t: hv_run(t, [program])['guests'][0]['exit_status'] for t in TECHNIQUE_NAMES}
    # rdtime runs as instruction 8 (time 0: the timer is due at instruction 500) and the
    # loop starts at instruction 15: the interrupt comes after (500 - 15) / 2 turns, rounded up
    assert turns['trap'] == (500 - 15 + 1) // 2
    assert 200 < turns['emulate'] < turns['trap']           # the firmware's set_timer took time
    assert bare(program)[1] == turns['emulate']


# --- the report and the cost model ----------------------------------------------------------------

def test_the_report_schema_and_its_arithmetic():
    report = hv_run('trap', [guest.program('io')], workload='io')
    assert {'technique', 'workload', 'guests', 'vmm', 'cycles', 'efficiency', 'events',
            'variant'} <= set(report)
    assert report['technique'] == 'trap' and report['workload'] == 'io'
    g = report['guests'][0]
    assert {'console', 'exit_status', 'guest_instructions'} <= set(g)
    vmm = report['vmm']
    assert {'traps', 'exits', 'hypercalls'} <= set(vmm)
    assert vmm['traps'] == sum(vmm['exits'].values()) == report['events']['trap']
    assert vmm['hypercalls'] == report['events']['sbi_call'] == vmm['exits']['sbi']
    assert vmm['exits']['mmio'] == report['events']['device_access'] > 100
    assert set(report['events']) == set(EVENTS)
    assert report['cycles']['by_event'] == CostModel().cycles(report['events'])
    assert report['cycles']['total'] == CostModel().total(report['events'])
    assert report['events']['guest_instruction'] == g['direct_instructions']
    assert 0 < report['efficiency'] < 1
    assert g['direct_instructions'] / g['guest_instructions'] == report['efficiency']


def test_emulation_runs_nothing_directly():
    report = hv_run('emulate', [guest.program('io')])
    assert report['efficiency'] == 0.0 and report['vmm']['traps'] == 0
    events = report['events']
    assert events['emulated_instruction'] == report['guests'][0]['guest_instructions']
    assert events['device_access'] > 100                        # the UART, by the driver


def test_trap_and_emulate_runs_compute_above_95_percent_direct():
    report = hv_run('trap', [guest.program('compute')])
    assert report['efficiency'] > 0.95


@pytest.mark.parametrize('workload', list(guest.WORKLOADS))
def test_exits_and_cycles_add_up_by_cause(workload):
    """Every exit and every event of a run is charged to exactly one cause."""
    report = hv_run('trap', [guest.program(workload)] * 2, slice_size=20_000)
    by = report['by_cause']
    assert list(by) == list(CAUSES)
    assert sum(p['cycles'] for p in by.values()) == report['cycles']['total']
    assert sum(p['exits'] for p in by.values()) == report['vmm']['traps']
    for g in report['guests']:
        kinds = {c: set(p['exits']) for c, p in g['by_cause'].items()}
        assert kinds['console'] <= {'sbi', 'mmio'}
        assert kinds['page tables'] <= {'hidden_page_fault', 'page_table_write'}
        assert kinds['boot'] == {'hidden_page_fault', 'privileged_instruction', 'sbi'}
        assert g['by_cause']['boot'] == report['guests'][0]['by_cause']['boot']   # one boot
        assert sum(sum(p['exits'].values()) for p in g['by_cause'].values()) == \
            sum(g['exits'].values())
    assert 'by_cause' not in hv_run('emulate', [guest.program(workload)])


def test_costs_can_be_changed():
    program = guest.program('syscall')
    cheap = Hypervisor('trap', [program], costs=CostModel().replace(trap=10)).run()
    dear = Hypervisor('trap', [program]).run()
    traps = dear['events']['trap']
    assert dear['cycles']['total'] - cheap['cycles']['total'] == traps * (135 - 10)


def test_runs_are_deterministic():
    for technique in TECHNIQUE_NAMES:
        a = hv_run(technique, [guest.program('demo')] * 2, slice_size=1234)
        b = hv_run(technique, [guest.program('demo')] * 2, slice_size=1234)
        assert a == b


def test_the_slice_size_changes_the_schedule_not_the_result():
    program = guest.program('forkwait')
    results = [hv_run('trap', [program] * 2, slice_size=s) for s in (777, 20_000)]
    assert [g['console'] for g in results[0]['guests']] == \
        [g['console'] for g in results[1]['guests']]
    assert results[0]['vmm']['turns'] > results[1]['vmm']['turns']


def test_watching_turn_by_turn_keeps_the_round_robin_fair():
    """run(max_turns=3) again and again: each call goes on with the guest whose turn is next,
    so two spinning guests stay within a slice of each other."""
    spin = miniguest.example('spin')
    hv = Hypervisor('trap', [spin, spin], slice_size=1000, max_steps=30_000)
    while any(vm.alive for vm in hv.vms):
        hv.run(max_turns=3)
        a, b = (vm.guest_instructions for vm in hv.vms)
        assert abs(a - b) <= 1000 + 100
    assert hv.turns == 60


def test_max_turns_stops_early_and_reports_running_guests():
    hv = Hypervisor('trap', [guest.program('compute')], slice_size=1000)
    report = hv.run(max_turns=3)
    assert report['guests'][0]['reason'] == 'running'
    assert 3000 <= report['guests'][0]['guest_instructions'] < 3200   # (slices are approximate)
    assert hv.run()['guests'][0]['reason'] == 'poweroff'


def test_the_exit_log_tells_each_exit_and_injection_in_order():
    program = guest.program('syscall')
    hv = Hypervisor('trap', [program], log=True)
    hv.vms[0].mem.write(program.symbols['quantum'], 4, 200)    # a tick every 2,000 instructions
    report = hv.run()
    records = hv.log.records
    kinds = {}
    for r in records:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    exits = report['vmm']['exits']
    assert {k: v for k, v in kinds.items() if k in exits} == exits
    assert kinds['interrupt_injection'] == report['events']['interrupt_injection']
    assert kinds['enter'] == report['vmm']['turns']
    # in order, and the records' events add up to the run's: every event counted belongs to
    # one visit of the VMM, but for the guest's own instructions
    assert [r.seq for r in records] == list(range(len(records)))
    assert all(a.retired_after <= b.instret for a, b in zip(records, records[1:]))
    total = {}
    for r in records:
        for e, n in r.events.items():
            total[e] = total.get(e, 0) + n
    assert total == {e: n for e, n in report['events'].items() if n and e != 'guest_instruction'}
    # one system call (getpid): ecall from (virtual) U reflected to the kernel, its
    # privileged instructions emulated in S, and sret back to U
    start = next(i for i, r in enumerate(records)
                 if r.kind == 'guest_exception' and r.detail == 'ecall: system call 172')
    call = records[start]
    assert (call.before['priv'], call.after['priv']) == (0, 1)
    assert call.exit.reason == 'ecall' and call.exit.cause == 8 and call.word == 0x00000073
    back = next(r for r in records[start:] if r.detail == 'sret')
    assert back.after['priv'] == 0 and back.after['pc'] == call.before['pc'] + 4
    between = records[start + 1:records.index(back)]
    assert all(r.before['priv'] == r.after['priv'] == 1 for r in between)
    assert [r.detail for r in between][:2] == ['csrrw tp, sscratch, tp', 'csrr t0, sscratch']
    assert between[0].after['sscratch'] != between[0].before['sscratch']


def test_keeping_the_log_changes_nothing():
    program = guest.program('ptemod')
    assert Hypervisor('trap', [program], log=True).run() == Hypervisor('trap', [program]).run()


# --- construction --------------------------------------------------------------------------------

def test_memory_layout():
    assert vmm_area_size(1) == 4 << 20 and vmm_area_size(8) == 4 << 20
    assert host_ram_size(2) == (4 << 20) + 2 * GUEST_RAM_SIZE
    hv = Hypervisor('trap', [guest.program('syscall')] * 2)
    a, b = (vm.mem for vm in hv.vms)
    assert a.base + GUEST_RAM_SIZE == b.base and a.base >= vmm_area_size(2)
    assert a.index(0x80000000) == a.base and a.index(0x803FFFFF) == a.base + GUEST_RAM_SIZE - 1
    assert a.index(0x80400000) is None and a.index(0x7FFFFFFF) is None


@pytest.mark.parametrize('kw, message', [
    (dict(technique='nope'), 'unknown technique'),
    (dict(variant='x86'), 'unknown CPU variant'),
    (dict(guests=[]), 'between 1 and 8 guests'),
    (dict(slice_size=0), 'at least 1'),
])
def test_bad_arguments_are_refused_with_a_reason(kw, message):
    args = dict(technique='trap', guests=[guest.program('syscall')])
    args.update(kw)
    with pytest.raises(ValueError, match=message):
        Hypervisor(**args)


def test_trap_and_emulate_needs_a_kernel_entry():
    from vmlib.asm import assemble
    program = assemble('_start: j _start')
    with pytest.raises(ValueError, match='kernel_entry'):
        Hypervisor('trap', [program])
    assert Hypervisor('emulate', [program], max_steps=100).run()['guests'][0]['reason'] == 'budget'


def test_the_registry_takes_new_techniques():
    assert technique_names()[:2] == ['emulate', 'trap']
    assert get_technique('trap') is TrapAndEmulate

    @register
    class Slow(TrapAndEmulate):
        name = 'test-slow'
        summary = 'trap-and-emulate under another name'
    try:
        report = hv_run('test-slow', [guest.program('syscall')])
        assert report['technique'] == 'test-slow'
        assert report['guests'][0]['exit_status'] == 0
    finally:
        del TECHNIQUES['test-slow']
    assert issubclass(Slow, Technique)


@pytest.mark.parametrize('technique', ['trap', 'pv'])
def test_a_page_table_of_garbage_is_the_guests_own_fault_storm(technique):
    """A guest that points satp at its own code (found by the hostile-hypercall test): its
    faults loop through its own handler at 0 -- a fault storm, as on the bare machine's trap
    loop, not a VMM error (the repeat check is for faults the VMM *served*)."""
    text = ('    li a0, 0x80000000 | (0x80000000 >> 12)\n    csrw satp, a0\n'
            '    sfence.vma zero, zero\n    li a0, 0\n    call mini_exit\n')
    g = hv_run(technique, [miniguest.program(text)])['guests'][0]
    assert g['reason'] == 'fault-storm', g['message']
