"""The guest kernel (vmlib.guest) on the bare machine: every workload's console output and exit
status, independence from the time slice, preemption, killed processes, the budget, both
engines, and the same source through GNU as and QEMU when they are installed."""

import shutil
import subprocess

import pytest

from vmlib import guest

BANNER = 'kernel: booting in S-mode, Sv32 paging on, starting init\n'
INIT_EXIT_0 = 'kernel: init exited with status 0\n'

EXPECTED = {
    'syscall': (BANNER
                + 'syscall: pid 1 calls getpid in a loop\n'
                + 'syscall: 500 getpid calls\n'
                + 'syscall: sum of the pids returned: 500\n'
                + INIT_EXIT_0, 0),
    'compute': (BANNER
                + 'compute: Collatz steps for 1..300: 14167\n'
                + 'compute: the longest sequence has 127 steps\n'
                + 'compute: the first one that long starts at 231\n'
                + INIT_EXIT_0, 0),
}

BUDGET = 300_000
QUANTA = (25, 60, 137, 1000, 100_000)

needs_qemu = pytest.mark.skipif(shutil.which('qemu-system-riscv32') is None,
                                reason='qemu-system-riscv32 not installed (qemu-system-misc)')
needs_gnu_as = pytest.mark.skipif(shutil.which('riscv64-unknown-elf-as') is None,
                                  reason='riscv64-unknown-elf-as not installed')


def boot(workload, **kw):
    out, result = guest.run(workload, max_steps=BUDGET, **kw)
    assert result.reason == 'poweroff', (result.message, out)
    return out, result


def test_every_contract_workload_exists():
    assert list(guest.WORKLOADS) == list(EXPECTED) or set(EXPECTED) <= set(guest.WORKLOADS)


@pytest.mark.parametrize('workload', list(EXPECTED))
def test_workload_output_and_exit_status(workload):
    out, result = boot(workload)
    want_out, want_status = EXPECTED[workload]
    assert out == want_out
    assert result.exit_status == want_status


@pytest.mark.parametrize('workload', list(EXPECTED))
def test_output_does_not_depend_on_the_time_slice(workload):
    want_out, want_status = EXPECTED[workload]
    for ticks in QUANTA:
        out, result = boot(workload, quantum=ticks)
        assert (out, result.exit_status) == (want_out, want_status), f'quantum {ticks}'


@pytest.mark.parametrize('workload', list(EXPECTED))
def test_the_translator_gives_the_same_run(workload):
    out, result = boot(workload, engine='dbt')
    interp_out, interp_result = boot(workload)
    assert (out, result.exit_status, result.instructions) == (
        interp_out, interp_result.exit_status, interp_result.instructions)


def test_symbols_the_hypervisor_relies_on():
    p = guest.program('syscall')
    assert p.symbols['_start'] == 0x8000_0000 == p.entry
    assert p.symbols['kernel_entry'] % 4096 == 0 and p.symbols['kernel_entry'] > 0x8000_0000
    assert 'quantum' in p.symbols
    end = max(s.end for s in p.sections)
    assert end <= 0x8000_0000 + guest.GUEST_RAM_SIZE
    assert p.symbols['kernel_end'] >= end - 4096


def test_unknown_workload_is_refused_with_the_list():
    with pytest.raises(ValueError, match='syscall'):
        guest.source('nope')


def test_program_is_cached():
    assert guest.program('syscall') is guest.program('syscall')


@needs_gnu_as
@pytest.mark.parametrize('workload', list(EXPECTED))
def test_gnu_as_accepts_the_source(workload, tmp_path):
    src = tmp_path / 'g.s'
    src.write_text(guest.source(workload))
    p = subprocess.run(['riscv64-unknown-elf-as', '-march=rv32ima_zicsr_zifencei', '-mabi=ilp32',
                        '-mno-relax', str(src), '-o', str(tmp_path / 'g.o')],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


QEMU = ['qemu-system-riscv32', '-M', 'virt', '-cpu',
        'rv32,c=off,f=off,d=off,h=off,sstc=off,zba=off,zbb=off,zbc=off,zbs=off',
        '-bios', 'none', '-nographic', '-m', '128M', '-monitor', 'none', '-serial', 'stdio']


@needs_qemu
@pytest.mark.parametrize('workload', list(EXPECTED))
def test_qemu_prints_the_same(workload, tmp_path):
    """QEMU's timer runs on wall-clock time, so preemption falls elsewhere: same output."""
    elf = tmp_path / 'g.elf'
    elf.write_bytes(guest.elf(workload))
    p = subprocess.run(QEMU + ['-kernel', str(elf)], capture_output=True, timeout=60)
    want_out, want_status = EXPECTED[workload]
    assert (p.stdout.decode(), p.returncode) == (want_out, want_status)
