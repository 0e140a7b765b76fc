"""Chapter 03's tour program: M-mode -> U-mode -> ecall -> page fault -> power off.

The tour is built with vmlib's assembler (what the notebook does) and, when GNU binutils are
installed, with GNU as/ld too: both must behave the same; and on QEMU when it is installed.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from vmlib.course import programs
from vmlib.course.ch03 import (tour_machine, tour_symbols, tour_regions, tour_timeline,
                               privilege_probe, USER_CODE_VA, USER_DATA_VA, UNMAPPED_VA)
from vmlib.machine import Machine
from vmlib.machine.trace import TrapTaken, TrapReturn, Halted, Retired, PageWalk, MemWrite
from vmlib.machine.traps import M, U

EXPECTED_OUTPUT = 'M: hello\nU: 42\nM: mcause=13 mtval=0x00402004\n'


def traced_run(machine, max_steps=5000):
    events = []
    machine.trace = events.append
    result = machine.run(max_steps)
    return result, events


def control_flow(events):
    """The traps and returns, without addresses that depend on the link."""
    out = []
    for e in events:
        if isinstance(e, TrapTaken):
            out.append(('trap', e.cause, e.epc, e.tval, e.from_priv, e.to_priv))
        elif isinstance(e, TrapReturn):
            out.append((e.instruction, e.from_priv, e.to_priv, e.pc))
    return out


@pytest.fixture(scope='module')
def tour_run():
    m = tour_machine()
    result, events = traced_run(m)
    return m, result, events


def test_the_tour_powers_off_with_status_0_and_its_output(tour_run):
    m, result, _ = tour_run
    assert result.reason == 'poweroff'
    assert result.exit_status == 0
    assert m.output == EXPECTED_OUTPUT
    assert 200 <= result.instructions <= 450, 'short enough to step through'


def test_untraced_run_is_the_same(tour_run):
    _, traced, _ = tour_run
    m = tour_machine()
    result = m.run(5000)
    assert (result.reason, result.exit_status, result.instructions) == \
        (traced.reason, traced.exit_status, traced.instructions)
    assert m.output == EXPECTED_OUTPUT


def test_mret_enters_u_mode_at_the_user_program(tour_run):
    _, _, events = tour_run
    first = next(e for e in events if isinstance(e, TrapReturn))
    assert (first.instruction, first.from_priv, first.to_priv, first.pc) == ('mret', M, U,
                                                                             USER_CODE_VA)
    # from then on U-mode instructions are fetched through the page table
    after = events[events.index(first):]
    walk = next(e for e in after if isinstance(e, PageWalk))
    assert (walk.va, walk.access, walk.fault) == (USER_CODE_VA, 'fetch', None)
    assert any(isinstance(e, Retired) and e.priv == U for e in after)


def test_ecalls_are_served_and_return_past_the_ecall(tour_run):
    m, _, events = tour_run
    flow = control_flow(events)
    ecalls = [f for f in flow if f[0] == 'trap' and f[1] == 8]
    assert len(ecalls) == 6                                 # 'U', ':', ' ', '4', '2', '\n'
    for trap in ecalls:
        _, cause, epc, tval, from_priv, to_priv = trap
        assert (from_priv, to_priv, tval) == (U, M, 0)
        assert USER_CODE_VA <= epc < USER_CODE_VA + 4096
        back = flow[flow.index(trap) + 1]
        assert back == ('mret', M, U, epc + 4)


def test_the_store_lands_in_the_user_data_page(tour_run):
    m, _, events = tour_run
    store = next(e for e in events if isinstance(e, MemWrite) and e.addr == USER_DATA_VA)
    assert (store.size, store.value) == (4, 42)
    pa = m.program.symbols['user_data']
    assert m.read_memory(pa, 4) == (42).to_bytes(4, 'little')
    walk = next(e for e in events if isinstance(e, PageWalk) and e.access == 'store')
    assert walk.pa == pa


def test_the_load_from_the_unmapped_page_is_a_load_page_fault(tour_run):
    m, _, events = tour_run
    faults = [e for e in events if isinstance(e, TrapTaken) and e.cause != 8]
    assert len(faults) == 1
    fault = faults[0]
    assert (fault.cause, fault.tval, fault.from_priv, fault.to_priv) == (13, UNMAPPED_VA + 4, U, M)
    lw = fault.epc - USER_CODE_VA + m.program.symbols['user_code']
    assert m.read_memory(lw, 4) == (0x004b2b83).to_bytes(4, 'little')      # lw s7, 4(s6)
    assert fault.handler == m.program.symbols['trap_handler']
    assert (m.csr('mcause'), m.csr('mtval'), m.csr('mepc')) == (13, UNMAPPED_VA + 4, fault.epc)
    walk = [e for e in events if isinstance(e, PageWalk) and e.fault is not None]
    assert len(walk) == 1 and walk[0].steps[-1].level == 0 and walk[0].steps[-1].pte == 0
    assert isinstance(events[-1], Halted) and events[-1].exit_status == 0


def test_a_store_to_the_unmapped_page_is_reported_as_cause_15():
    src = programs.source('tour').replace('lw      s7, 4(s6)', 'sw      s7, 4(s6)')
    assert src != programs.source('tour')
    m = Machine.from_source(src, filename='tour-store.s')
    result = m.run(5000)
    assert result.exit_status == 0
    assert m.output.endswith('M: mcause=15 mtval=0x00402004\n')


def test_forgetting_mepc_plus_4_calls_forever():
    src = programs.source('tour').replace('addi    t0, t0, 4               # return', 'nop #')
    m = Machine.from_source(src, filename='tour-loop.s')
    result = m.run(2000)
    assert result.reason == 'budget'
    assert set(m.output[len('M: hello\n'):]) == {'U'}


def test_timeline_rows_and_symbols_and_regions():
    events, rows = tour_timeline()
    assert rows[0].split()[1:5] == ['M', '->', 'U', 'mret']
    assert 'load page fault (cause 13)' in rows[-2]
    assert rows[-1].endswith('halt: poweroff, exit status 0')
    m = tour_machine()
    names = tour_symbols(m)
    assert names[m.program.symbols['_start']] == '_start'
    assert names[USER_CODE_VA] == 'user_code'
    assert 'UART' not in names.values()                     # .equ constants are not labels
    regions = tour_regions(m)
    assert all(m.bus.ram_index(a) is not None for a, _ in regions.values())


@pytest.mark.parametrize('instruction, expected', [
    ('add t1, t2, t3', {'U': 'runs', 'S': 'runs', 'M': 'runs'}),
    ('csrr t0, satp', {'U': 'illegal instruction', 'S': 'runs', 'M': 'runs'}),
    ('csrr t0, mstatus', {'U': 'illegal instruction', 'S': 'illegal instruction', 'M': 'runs'}),
    ('ecall', {'U': 'environment call from U-mode', 'S': 'environment call from S-mode',
               'M': 'environment call from M-mode'}),
])
def test_privilege_probe(instruction, expected):
    assert {mode: privilege_probe(instruction, mode) for mode in 'USM'} == expected


@pytest.mark.skipif(not programs.gnu_available(), reason='GNU binutils for RISC-V not installed')
def test_gnu_as_build_behaves_the_same(tour_run):
    m_vm, result_vm, events_vm = tour_run
    m = Machine.from_elf(programs.gnu_elf('tour'))
    result, events = traced_run(m)
    assert m.output == EXPECTED_OUTPUT
    assert (result.reason, result.exit_status, result.instructions) == \
        (result_vm.reason, result_vm.exit_status, result_vm.instructions)
    # the same .text layout (data may sit elsewhere), so the same path, address for address
    assert control_flow(events) == control_flow(events_vm)
    assert [e.pc for e in events if isinstance(e, Retired)] == \
        [e.pc for e in events_vm if isinstance(e, Retired)]


@pytest.mark.skipif(shutil.which('qemu-system-riscv32') is None,
                    reason='qemu-system-riscv32 not installed')
def test_qemu_runs_vmlibs_build_the_same(tmp_path):
    from vmlib.asm import assemble
    elf = tmp_path / 'tour.elf'
    elf.write_bytes(assemble(programs.source('tour'), filename='tour.s').to_elf())
    run = subprocess.run(['qemu-system-riscv32', '-M', 'virt', '-bios', 'none', '-nographic',
                          '-kernel', str(elf)], capture_output=True, timeout=60)
    assert run.returncode == 0
    assert run.stdout.decode().replace('\r\n', '\n') == EXPECTED_OUTPUT
