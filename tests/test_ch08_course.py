"""Chapter 08's model: the privilege timeline of a guest-kernel run, checked against the
machine's own single steps and statistics, the program's symbols and the kernel's processes;
hardware emulation gives the same run; the comparison with chapter 05's process VM."""
from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings, strategies as st

from vmlib import guest
from vmlib.course import ch08
from vmlib.course.ch08 import TrapEvent
from vmlib.machine.trace import Retired, TrapTaken
from vmlib.machine.traps import U, S, M

WORKLOADS = [w for w in ('demo', 'syscall', 'pgfault', 'exception', 'forkwait', 'io')
             if w in guest.WORKLOADS]


def test_every_instruction_gets_the_privilege_single_stepping_sees():
    """The timeline is recorded at full speed from trap events only; Machine.step() reports
    each instruction's privilege itself. Boot, first process and the first timer interrupts
    (a tick every 2,000 instructions, so that several come early)."""
    tl = ch08.record('demo', quantum=200)
    m = guest.machine('demo', quantum=200)
    limit = 9000
    traps = []
    n = 0
    while n < limit:
        for e in m.step():
            if isinstance(e, Retired):
                assert tl.at(e.index).priv == e.priv, e
                n = e.index + 1
            elif isinstance(e, TrapTaken):
                traps.append((m.hart.instret, e.cause, e.from_priv, e.to_priv))
    mine = [(t.index, t.cause, t.from_priv, t.to_priv) for t in tl.traps() if t.index < n]
    assert mine == [t for t in traps if t[0] < n]
    assert any(t.kind == 'timer (M)' for t in tl.traps() if t.index < n)


@pytest.mark.parametrize('workload', WORKLOADS)
def test_trap_counts_match_the_machines_statistics(workload):
    tl = ch08.timeline(workload)
    assert Counter(t.cause for t in tl.traps()) == Counter(tl.trap_stats)
    assert tl.instructions == tl.result.instructions
    assert sum(tl.counts().values()) == tl.instructions
    assert sum(tl.by_who().values()) == tl.instructions
    assert tl.result.reason == 'poweroff' and tl.result.exit_status == 0


def test_the_boot_sequence():
    tl = ch08.timeline('demo')
    first = tl.segments[0]
    assert (first.start, first.priv, first.who) == (0, M, 'firmware')
    returns = tl.returns()
    assert returns[0].instruction == 'mret' and returns[0].to_priv == S
    assert returns[0].pc == tl.symbols.labels['kernel_entry']
    assert returns[0].target_name == 'kernel_entry'
    sret = next(r for r in returns if r.to_priv == U)
    assert sret.instruction == 'sret' and sret.who == 'pid 1'
    assert sret.target_name == 'user_start'
    assert tl.at(sret.index).who == 'pid 1'
    text = ch08.boot_text(tl)
    assert text.splitlines()[0].endswith('reset: firmware starts in M-mode at _start')
    assert "'kernel: booting in S-mode" in text and text.endswith('(pid 1)')
    medeleg, mideleg = tl.delegation
    assert medeleg >> 8 & 1 and not medeleg >> 9 & 1      # ecall from U -> S, from S -> M
    assert mideleg >> 5 & 1 and not mideleg >> 7 & 1      # STI delegated, MTI not


@pytest.mark.parametrize('workload', WORKLOADS)
def test_who_agrees_with_the_pc_and_the_symbols(workload):
    tl = ch08.timeline(workload)
    sym = tl.symbols
    region = {M: 'firmware', S: 'kernel', U: 'user'}
    for e in tl.events:
        if isinstance(e, TrapEvent):
            assert sym.region(e.epc) == region[e.from_priv], e
            assert e.handler_name == {S: 'trap_entry', M: 'fw_trap'}[e.to_priv]
            assert (e.who == 'firmware') == (e.from_priv == M)
            assert (e.who == 'kernel') == (e.from_priv == S)
        else:
            assert sym.region(e.pc) == region[e.to_priv], e
            assert e.instruction == ('mret' if e.from_priv == M else 'sret')
    kinds = {(t.kind, t.from_priv, t.to_priv) for t in tl.traps()}
    for kind, frm, to in kinds:
        assert {'system call': (U, S), 'SBI call': (S, M), 'timer (S)': (U, S),
                'page fault': (U, S), 'exception': (U, S)}.get(kind, (frm, M)) == (frm, to)


def test_processes_have_their_own_address_spaces():
    tl = ch08.timeline('demo')
    satps = {}
    for s in tl.segments:
        if s.priv == U:
            satps.setdefault(s.who, set()).add(s.satp)
    assert sorted(satps) == ['pid 1', 'pid 2', 'pid 3']
    assert tl.address_spaces() == {who: sorted(v) for who, v in satps.items()}
    assert all(len(v) == 1 for v in satps.values())
    assert len(set().union(*satps.values())) == 3
    pids = {s.who for s in ch08.timeline('forkwait').segments if s.priv == U}
    assert len(pids) == 17                                  # init and 16 children


def test_both_engines_give_the_same_timeline():
    assert ch08.ENGINE == 'dbt'                     # the chapter's (the faster one)
    for workload in ('syscall', 'demo'):
        interp, dbt = (ch08.record(workload, engine=e) for e in ('interp', 'dbt'))
        assert interp.segments == dbt.segments == ch08.timeline(workload).segments
        assert [e.text for e in interp.events] == [e.text for e in dbt.events]


def test_preemption_changes_the_timeline_not_the_console():
    fast = ch08.record('demo', quantum=60)
    slow = ch08.timeline('demo')
    assert fast.console == slow.console
    assert len(fast.traps('timer (S)')) > len(slow.traps('timer (S)'))


def test_one_getpid_is_two_switches_one_write_two_per_byte():
    tl = ch08.timeline('syscall')
    getpid = tl.traps('system call')[5]
    assert getpid.detail == 'getpid'
    assert [e.text.split()[3] for e in tl.syscall_switches(getpid)] == ['system', 'sret']
    write = next(t for t in tl.traps('system call') if t.detail == 'write')
    length = write.args[3]
    evs = tl.syscall_switches(write)
    if all(e.kind in ('system call', 'SBI call', 'return') for e in evs):
        assert len(evs) == 2 + 2 * length


@settings(max_examples=40, deadline=None)
@given(a=st.integers(0, 140_000), b=st.integers(1, 20_000), width=st.integers(1, 90))
def test_windows_add_up(a, b, width):
    tl = ch08.timeline('demo')
    start = min(a, tl.instructions - 1)
    end = min(start + b, tl.instructions)
    counts = tl.counts(start, end)
    assert sum(counts.values()) == end - start
    segs, events = tl.window(start, end)
    assert segs[0].start == start and segs[-1].end == end
    assert all(x.end == y.start for x, y in zip(segs, segs[1:]))
    assert all(start <= e.index < end for e in events)
    assert tl.at(start).priv == segs[0].priv
    lines = tl.lanes_text(start, end, width).splitlines()
    assert [line[:3] for line in lines[1:4]] == ['M |', 'S |', 'U |']
    assert len({len(line) for line in lines[1:4]}) == 1
    for lane, mode in zip(lines[1:4], 'MSU'):
        assert (lane.strip('MSU |') != '') == (counts[mode] > 0)


def test_at_rejects_instructions_outside_the_run():
    tl = ch08.timeline('syscall')
    with pytest.raises(IndexError):
        tl.at(tl.instructions)
    with pytest.raises(IndexError):
        tl.at(-1)


def test_kernel_constants_come_from_the_source():
    assert ch08.kernel_constant('USER_VA') == 0x00400000
    assert ch08.kernel_constant('PAGE_SIZE') == 4096
    with pytest.raises(KeyError):
        ch08.kernel_constant('NO_SUCH_CONSTANT')


def test_emulation_runs_the_same_machine_instruction_for_instruction():
    emulated, report = ch08.record_emulated('syscall')
    bare = ch08.timeline('syscall')
    assert emulated.segments == bare.segments
    assert [(e.index, e.kind, e.text) for e in emulated.events] == \
        [(e.index, e.kind, e.text) for e in bare.events]
    assert emulated.console == bare.console
    assert report['efficiency'] == 0.0


def test_emulation_row_and_its_cost():
    row = ch08.emulation_row('syscall')
    assert row['same_console'] and row['same_exit']
    assert row['guest_instructions'] == row['bare_instructions']
    cost = ch08.CostModel()
    assert row['emulate_cycles'] == (row['guest_instructions'] * cost.emulated_instruction
                                     + row['device_access'] * cost.device_access)
    assert row['per_instruction'] >= cost.emulated_instruction
    text = ch08.emulation_text([row])
    assert 'syscall' in text and 'same' in text and 'DIFFERS' not in text
    assert 'emulated_instruction = 40 cycles' in ch08.emulation_cost_text()


def test_hv_json_runs_the_command_line():
    report = ch08.hv_json('syscall')
    assert report['technique'] == 'emulate'
    g = report['guests'][0]
    assert g['guest_instructions'] == ch08.timeline('syscall').instructions
    text = ch08.hv_figures_text(report)
    assert f"{g['guest_instructions']:,} guest instructions" in text
    assert 'emulated_instruction' in text and 'syscall: 500 getpid calls' in text
    with pytest.raises(RuntimeError, match='unknown workload'):
        ch08.hv_json('no-such-workload')


def test_system_vm_and_process_vm_compared():
    use = ch08.system_isa_use('demo')
    assert use['firmware']['mret'] >= 1 and use['kernel']['sret'] >= 1
    assert use['firmware']['csrrw medeleg'] == 1 and use['kernel']['csrrw satp'] >= 1
    assert not any(name.endswith(('mtvec', 'medeleg')) for name in use['kernel'])
    row = ch08.process_vm_row('hello')
    assert set(row['system_instructions']) == {'ecall'}
    assert row['exit_status'] == 0 and row['ecalls'] >= 1
    text = ch08.vm_comparison_text('demo')
    assert 'all in U' in text and 'UART, CLINT timer, test device' in text


def test_privilege_table_over_workloads():
    rows = ch08.privilege_rows(['syscall', 'pgfault'])
    assert [r['workload'] for r in rows] == ['syscall', 'pgfault']
    assert rows[0]['system call'] >= 500 and rows[1]['page fault'] >= 64
    text = ch08.privilege_table_text(rows)
    assert text.splitlines()[0].split()[:5] == ['workload', 'instructions', 'M', '%', 'S']


def test_boot_command_prints_the_console_and_the_status():
    text = ch08.boot_command('syscall')
    lines = text.splitlines()
    assert lines[0] == '$ python -m vmlib boot --guest syscall'
    assert lines[1:-1] == ch08.timeline('syscall').console.rstrip('\n').split('\n')
    assert lines[-1] == '(exit status 0)'
