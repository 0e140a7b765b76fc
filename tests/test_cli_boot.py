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
