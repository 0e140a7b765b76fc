"""``python -m vmlib boot``: output, exit statuses, and bad input refused in one line."""

import struct
import subprocess
import sys

import pytest

from vmlib.asm import assemble
from vmlib.machine import parse_elf, ElfError

HELLO = """
    .globl _start
_start:
    la a0, msg
    li t0, 0x10000000
1:  lbu t1, 0(a0)
    beqz t1, 2f
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
2:  li t0, 0x100000
    li t1, (3 << 16) | 0x3333
    sw t1, 0(t0)
    .data
msg: .asciz "hello, world\\n"
"""


def vmlib(*args, stdin=b''):
    return subprocess.run([sys.executable, '-m', 'vmlib', *map(str, args)], input=stdin,
                          capture_output=True, timeout=120)


@pytest.fixture(scope='module')
def hello_elf(tmp_path_factory):
    path = tmp_path_factory.mktemp('boot') / 'hello.elf'
    path.write_bytes(assemble(HELLO).to_elf())
    return path


def test_boot_prints_the_uart_and_returns_the_exit_status(hello_elf):
    p = vmlib('boot', hello_elf)
    assert p.stdout == b'hello, world\n'
    assert p.returncode == 3
    assert p.stderr == b''


def test_boot_assembles_a_source_file(tmp_path):
    src = tmp_path / 'hello.s'
    src.write_text(HELLO)
    p = vmlib('boot', src)
    assert (p.stdout, p.returncode) == (b'hello, world\n', 3)


def test_boot_reports_an_assembly_error_with_line_and_column(tmp_path):
    src = tmp_path / 'bad.s'
    src.write_text('    li a0, 1\n    addi a0, a0, q0\n')
    p = vmlib('boot', src)
    assert p.returncode == 2
    assert b'bad.s:2:' in p.stderr and b'Traceback' not in p.stderr
    assert p.stdout == b''


def test_step_budget_exit_status_and_message(tmp_path):
    src = tmp_path / 'spin.s'
    src.write_text('1: j 1b\n')
    p = vmlib('boot', src, '--max-steps', 1000)
    assert p.returncode == 124
    assert b'step budget' in p.stderr


def test_stats_and_trace_go_to_stderr(hello_elf):
    p = vmlib('boot', hello_elf, '--stats', '--trace')
    assert p.stdout == b'hello, world\n'
    err = p.stderr.decode()
    assert 'M 0x80000000:' in err and 'instructions retired' in err


def _elf_variants(good):
    truncated = good[:len(good) // 3]
    wrong_machine = good[:18] + struct.pack('<H', 62) + good[20:]            # x86-64
    elf64 = good[:4] + b'\x02' + good[5:]
    # turn the first program header into PT_INTERP (a dynamically linked program)
    phoff = struct.unpack_from('<I', good, 28)[0]
    dynamic = good[:phoff] + struct.pack('<I', 3) + good[phoff + 4:]
    return {'truncated': (truncated, 'truncated'),
            'wrong machine': (wrong_machine, 'not RISC-V'),
            '64-bit': (elf64, '64-bit'),
            'dynamic': (dynamic, 'dynamically linked'),
            'not an ELF': (b'#!/bin/sh\necho hi\n', 'not an ELF')}


@pytest.mark.parametrize('kind', ['truncated', 'wrong machine', '64-bit', 'dynamic',
                                  'not an ELF'])
def test_bad_elf_is_refused_with_one_line_and_status_2(kind, tmp_path):
    data, reason = _elf_variants(assemble(HELLO).to_elf())[kind]
    with pytest.raises(ElfError, match=reason):
        parse_elf(data)
    path = tmp_path / 'bad.elf'
    path.write_bytes(data)
    p = vmlib('boot', path)
    assert p.returncode == 2
    lines = p.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and reason in lines[0]


# --- a trap with no handler: the first trap is the news ------------------------------------

@pytest.mark.parametrize('engine', ['interp', 'dbt'])
@pytest.mark.parametrize('source, first', [
    ('    nop\n    .word 0xffffffff\n',
     'illegal instruction (tval=0xffffffff) at pc=0x80000004'),
    ('    nop\n    ecall\n', 'environment call from M-mode (tval=0x00000000) at pc=0x80000004'),
])
def test_a_trap_without_a_handler_names_the_first_trap(source, first, engine, tmp_path):
    src = tmp_path / 'trap.s'
    src.write_text(source)
    p = vmlib('boot', '--engine', engine, src)
    assert p.returncode == 125 and p.stdout == b''
    message = p.stderr.decode()
    assert message == (f'vmlib boot: {first} with no trap handler installed (mtvec = 0): 65 '
                       'traps in a row without an instruction completing (last: instruction '
                       'access fault (tval=0x00000000) at pc=0x00000000)\n')


def test_a_trap_vector_into_nothing_is_no_handler_either(tmp_path):
    src = tmp_path / 'trap.s'
    src.write_text('    li t0, 0x10000000\n    csrw mtvec, t0\n    ecall\n')
    p = vmlib('boot', src)
    assert p.returncode == 125
    assert p.stderr.decode().startswith(
        'vmlib boot: environment call from M-mode (tval=0x00000000) at pc=0x80000008 with no '
        'trap handler installed (mtvec = 0x10000000, which points at memory that cannot be '
        'executed): 65 traps in a row')


# --- a Linux program is for run ----------------------------------------------------------

def test_a_linux_program_is_sent_to_run(repo_root):
    p = vmlib('boot', repo_root / 'guests' / 'hello.elf')
    assert (p.returncode, p.stdout) == (2, b'')
    assert p.stderr.decode() == (
        f'vmlib boot: {repo_root}/guests/hello.elf is a Linux program (linked at 0x00010000, '
        "a user address), not a bare-metal one; run it with: python -m vmlib run "
        f'{repo_root}/guests/hello.elf\n')


def test_trace_names_an_instruction_that_raised_an_exception(tmp_path):
    """--trace shows the faulting instruction on its own line, marked not retired, before its
    trap: not under the instruction before it."""
    src = tmp_path / 't.s'
    src.write_text('li a0, 7\necall\n')
    out = subprocess.run([sys.executable, '-m', 'vmlib', 'boot', str(src), '--trace',
                          '--max-steps', '3'], capture_output=True, text=True).stderr  # (the trace)
    lines = out.splitlines()
    k = lines.index('M 0x80000004: 00000073  ecall  (not retired)')
    assert lines[k + 1].strip().startswith('trap: environment call from M-mode')
    assert 'M 0x00000000: 00000000  (no instruction: its fetch faulted)  (not retired)' in lines


def test_bad_drives_are_refused_in_one_line(hello_elf, tmp_path):
    odd = tmp_path / 'odd.img'
    odd.write_bytes(bytes(1000))
    for args, message in [
        (['--drive', tmp_path / 'none.img'], 'no such disk image'),
        (['--drive', odd], '1,000 bytes: a disk image holds whole sectors of 512 bytes'),
        (['--drive', f'{odd},snapshot'], "unknown option 'snapshot'"),
    ]:
        p = vmlib('boot', hello_elf, *args)
        assert p.returncode == 2 and p.stdout == b''
        assert message in p.stderr.decode() and len(p.stderr.splitlines()) == 1


def test_a_drive_is_attached_in_the_top_slot(tmp_path):
    disk = tmp_path / 'disk.img'
    disk.write_bytes(bytes(4096))
    source = tmp_path / 'probe.s'       # exit status = slot 7's device ID, then slot 6's
    source.write_text('_start: li t0, 0x10008000\n lw a0, 8(t0)\n li t0, 0x10007000\n'
                      ' lw a1, 8(t0)\n slli a0, a0, 4\n or a0, a0, a1\n slli a0, a0, 16\n'
                      ' li t1, 0x3333\n or a0, a0, t1\n li t0, 0x100000\n sw a0, 0(t0)\n')
    assert vmlib('boot', source, '--drive', disk, '--virtio-console').returncode == 0x23
    assert vmlib('boot', source, '--drive', f'{disk},readonly').returncode == 0x20
    assert vmlib("boot", source).returncode == 0    # no devices: both slots say 0
