"""Chapter 12's measurements (vmlib.course.ch12), its exercises and its exit widget."""

import re

from vmlib.course.ch12 import (TECHNIQUES, exits_by_reason, exits_text, console_rows,
                               console_text, generation_rows, generation_text, drive_tiny_guest,
                               run_loop_source, steal_demo, WhereIsItServed, CountTheExits)
from vmlib.viz.kvm_exits import ExitsWidget, bars_html


def test_hw_leaves_only_what_the_hardware_cannot_do():
    exits = exits_by_reason('syscall')
    assert exits['trap']['privileged_instruction'] > 5000
    assert set(exits['hw']) == {'KVM_EXIT_RISCV_SBI', 'KVM_EXIT_SYSTEM_EVENT', 'sbi_time'}
    assert sum(exits['hw'].values()) * 25 < sum(exits['trap'].values())
    text = exits_text('syscall')
    assert text.splitlines()[0].split()[:3] == ['exit', 'reason', 'trap']
    assert all(len(line) <= 96 for line in text.splitlines())


def test_a_console_path_that_hands_over_a_buffer_exits_least():
    rows = console_rows('demo')
    putchar, dbcn, virtio = (r['console exits'] for r in rows)
    assert dbcn * 10 < putchar and dbcn < virtio < putchar
    assert rows[0]['output'] == rows[1]['output']
    text = console_text(rows)
    assert text.count('the same') == 2 and '+ probe lines' in text


def test_nested_paging_removes_the_page_table_exits():
    rows = {r['workload']: r for r in generation_rows(('pgfault', 'compute'))}
    first, second = 'hw, no nested paging', 'hw'
    assert rows['pgfault'][first]['memory'] > 400 and rows['pgfault'][second]['memory'] == 0
    assert rows['pgfault'][second]['cycles'] < 0.6 * rows['pgfault'][first]['cycles']
    assert abs(rows['compute'][second]['cycles'] / rows['compute'][first]['cycles'] - 1) < 0.05
    assert 'pgfault' in generation_text(list(rows.values()))


def test_the_tiny_guest_makes_one_exit_of_each_kind():
    lines = drive_tiny_guest().splitlines()
    assert [line.split()[2] for line in lines[:4]] == [
        'KVM_EXIT_MMIO', 'KVM_EXIT_MMIO', 'KVM_EXIT_RISCV_SBI', 'KVM_EXIT_SYSTEM_EVENT']
    assert 'sbi_time 1' in lines[4] and lines[5].endswith('0x60')
    assert 'def run(self, until=None):' in run_loop_source()


def test_steal_time_is_what_the_other_vms_ran():
    _, steal = steal_demo(vms=3, turns=2, slice_size=10_000)
    # each waited once for the two others: 20,000 instructions = 2,000 ticks of 100 ns
    assert steal == {0: 200_000, 1: 200_000, 2: 200_000}


def test_exercises_accept_their_own_answers():
    for cls in (WhereIsItServed, CountTheExits):
        for seed in range(5):
            ex = cls(seed=seed)
            assert ex.check(ex.solution())
    ex = CountTheExits(seed=1)
    wrong = dict(ex.solution(), uart=ex.params['bytes'])
    assert not ex.check(wrong) and 'two device registers' in str(ex.check(wrong))


def test_the_widget_draws_a_bar_per_reason_coloured_by_who_serves_it():
    w = ExitsWidget(workload='syscall', technique='hw')
    bars = re.findall(r"data-reason='([^']+)' data-count='(\d+)' data-where='(\w+)'", w.bars.value)
    assert {r: where for r, _, where in bars} == {
        'KVM_EXIT_RISCV_SBI': 'user', 'KVM_EXIT_SYSTEM_EVENT': 'user', 'sbi_time': 'kernel'}
    w.technique.value = 'trap'
    bars = re.findall(r"data-reason='([^']+)' data-count='(\d+)' data-where='(\w+)'", w.bars.value)
    assert {where for _, _, where in bars} == {'vmm'}
    total = int(re.search(r"data-total='(\d+)'", w.bars.value).group(1))
    trap = exits_by_reason('syscall')['trap']
    assert total == sum(int(n) for _, n, _ in bars) == sum(trap.values())
    assert set(TECHNIQUES) == set(w.technique.options)
    assert bars_html('hw', {}).count('vm-kvm-exits-bar ') == 0
