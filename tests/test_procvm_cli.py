"""``python -m vmlib run``: statuses, messages, --strace, --stats, the environment, bad input."""

import struct
import subprocess
import sys

import pytest

from test_procvm import elf_bytes, write_elf, crash_pc


def vmlib_run(*args, stdin=b'', cwd=None, env=None):
    return subprocess.run([sys.executable, '-m', 'vmlib', 'run', *map(str, args)], input=stdin,
                          capture_output=True, timeout=120, cwd=cwd, env=env)


@pytest.fixture(scope='module')
def elfs(tmp_path_factory):
    d = tmp_path_factory.mktemp('elfs')
    return {name: write_elf(d, name) for name in
            ('hello', 'cat', 'stack', 'segv', 'illegal', 'spin', 'enosys', 'files', 'open')}


def test_hello(elfs):
    p = vmlib_run(elfs['hello'])
    assert (p.stdout, p.stderr, p.returncode) == (b'hello, world!\n', b'', 0)


def test_stdin_passes_through(elfs):
    p = vmlib_run(elfs['cat'], stdin=b'line 1\nline 2\n')
    assert (p.stdout, p.returncode) == (b'line 1\nline 2\n', 0)


def test_arguments_after_the_program_belong_to_it(elfs):
    p = vmlib_run('--env-clear', elfs['stack'], '--strace', '-x', 'two words')
    assert p.stdout.decode().split('\n') == [str(elfs['stack']), '--strace', '-x', 'two words',
                                             '']
    assert (p.stderr, p.returncode) == (b'', 0)


def test_the_environment_is_the_hosts_unless_changed(elfs):
    # (LANG is set so that Python does not coerce the C locale by adding LC_CTYPE: PEP 538)
    host = {'LANG': 'C.UTF-8', 'ONE': '1', 'TWO': '2'}
    p = vmlib_run(elfs['stack'], env=host)
    assert p.stdout.decode().split('\n')[1:-1] == ['LANG=C.UTF-8', 'ONE=1', 'TWO=2']
    p = vmlib_run('-U', 'ONE', '-E', 'THREE=3', '-E', 'TWO=zwei', elfs['stack'], env=host)
    assert p.stdout.decode().split('\n')[1:-1] == ['LANG=C.UTF-8', 'TWO=zwei', 'THREE=3']
    p = vmlib_run('--env-clear', '-E', 'LANG=C', elfs['stack'])
    assert p.stdout.decode().split('\n')[1:-1] == ['LANG=C']


def test_a_segfault_is_reported_like_a_shell_does(elfs):
    p = vmlib_run(elfs['segv'])
    assert p.returncode == 139
    assert p.stderr.decode() == ('vmlib run: segmentation fault (SIGSEGV): store to unmapped '
                                 f'address 0x00000000 at pc=0x{crash_pc("segv"):08x}\n')


def test_an_illegal_instruction_is_sigill(elfs):
    p = vmlib_run(elfs['illegal'])
    assert p.returncode == 132
    assert p.stderr.startswith(b'vmlib run: illegal instruction (SIGILL)')


def test_the_step_budget(elfs):
    p = vmlib_run('--max-steps', 1000, elfs['spin'])
    assert p.returncode == 124
    assert p.stderr.decode().startswith('vmlib run: step budget exhausted: 1,000 instructions')


def test_strace_prints_each_call(elfs):
    p = vmlib_run('--strace', elfs['hello'])
    assert p.stdout == b'hello, world!\n'
    assert p.stderr.decode() == 'write(1, "hello, world!\\n", 14) = 14\nexit(0) = ?\n'


def test_strace_shows_errors_and_unknown_calls_once(elfs, tmp_path):
    p = vmlib_run('--strace', '--root', tmp_path, elfs['open'], '/missing')
    assert p.returncode == 2
    assert p.stderr.decode().splitlines() == [
        'openat(AT_FDCWD, "/missing", O_RDONLY) = -1 ENOENT (No such file or directory)',
        'exit(2) = ?']
    p = vmlib_run('--strace', elfs['enosys'])
    lines = p.stderr.decode().splitlines()
    assert p.returncode == 38 and len(lines) == 4
    assert lines[1].startswith('--- syscall_500 (system call 500) is not implemented')


def test_strace_shows_file_calls(elfs, tmp_path):
    p = vmlib_run('--strace', '--root', tmp_path, elfs['files'])
    assert p.stdout == b'data\n'
    lines = p.stderr.decode().splitlines()
    assert lines[0] == 'openat(AT_FDCWD, "data.txt", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3'
    assert lines[1] == 'write(3, "some data\\n", 10) = 10'
    assert lines[4] == '_llseek(3, 5, [5], SEEK_SET) = 0'
    assert lines[5].startswith('read(3, "data\\n", 32) = 5')


def test_stats(elfs):
    p = vmlib_run('--stats', elfs['hello'])
    lines = p.stderr.decode().splitlines()
    assert lines[0] == 'vmlib stats: instructions retired:       7'
    assert 'vmlib stats:   write                     1' in lines
    assert any(line.startswith('vmlib stats: page faults served:') for line in lines)
    assert p.returncode == 0


def test_the_translator_engine_gives_the_same_run(elfs):
    plain = vmlib_run('--stats', elfs['hello'])
    fast = vmlib_run('--engine', 'dbt', '--stats', elfs['hello'])
    assert fast.returncode == plain.returncode
    assert fast.stdout == plain.stdout and fast.stdout
    count = [l for l in plain.stderr.decode().splitlines() if 'instructions' in l]
    assert count and count[0] in fast.stderr.decode()


def test_an_unknown_engine_is_a_usage_error(elfs):
    p = vmlib_run('--engine', 'jit', elfs['hello'])
    assert p.returncode == 2 and p.stdout == b''
    assert b"invalid choice: 'jit'" in p.stderr and b'Traceback' not in p.stderr


# --- bad input: one line, status 2 ---------------------------------------------------------

def _patched(data, offset, fmt, value):
    data = bytearray(data)
    struct.pack_into(fmt, data, offset, value)
    return bytes(data)


def _bad_files():
    good = elf_bytes('hello')
    phoff = struct.unpack_from('<I', good, 28)[0]
    return {
        'truncated': (good[:40], 'truncated'),
        'empty': (b'', 'not an ELF'),
        'text': (b'#!/bin/sh\necho hi\n', 'not an ELF'),
        '64-bit': (_patched(good, 4, 'B', 2), '64-bit'),
        'x86': (_patched(good, 18, '<H', 3), 'not RISC-V'),
        'big-endian': (_patched(good, 5, 'B', 2), 'big-endian'),
        'dynamic': (_patched(good, phoff, '<I', 3), 'dynamically linked'),
        'shared-object': (_patched(good, 16, '<H', 3), 'not a static executable'),
        'cut-segment': (good[:0x1010], 'truncated'),
        'kernel-address': (_patched(_patched(good, phoff + 8, '<I', 0xC0000000), phoff + 12, '<I',
                                    0xC0000000), 'outside user memory'),
    }


@pytest.mark.parametrize('kind', sorted(_bad_files()))
def test_bad_files_are_refused_in_one_line(kind, tmp_path):
    data, reason = _bad_files()[kind]
    path = tmp_path / 'bad.elf'
    path.write_bytes(data)
    p = vmlib_run(path)
    assert p.returncode == 2, p.stderr
    text = p.stderr.decode()
    assert text.startswith('vmlib run: ') and text.count('\n') == 1, text
    assert reason in text
    assert 'Traceback' not in text


def test_a_missing_file_is_refused(tmp_path):
    p = vmlib_run(tmp_path / 'none.elf')
    assert p.returncode == 2
    assert p.stderr.decode().startswith('vmlib run: ') and p.stderr.count(b'\n') == 1


def test_a_missing_root_is_refused(elfs, tmp_path):
    p = vmlib_run('--root', tmp_path / 'nowhere', elfs['hello'])
    assert p.returncode == 2 and p.stderr.count(b'\n') == 1


def test_without_a_program_the_usage_says_what_is_needed():
    p = vmlib_run()
    assert (p.returncode, p.stdout) == (2, b'')
    assert p.stderr.decode().splitlines() == [
        'usage: python -m vmlib run [OPTIONS] PROG.elf [ARGS ...]',
        'python -m vmlib run: error: the following arguments are required: PROG.elf']


def test_a_bare_metal_program_is_sent_to_boot(repo_root):
    alu = repo_root / 'tests' / 'conformance' / 'alu.elf'
    p = vmlib_run(alu)
    assert (p.returncode, p.stdout) == (2, b'')
    assert p.stderr.decode() == (
        f"vmlib run: {alu} is a bare-metal program (linked at 0x80000000, in the machine's "
        f'RAM), not a Linux one; boot it with: python -m vmlib boot {alu}\n')


@pytest.mark.parametrize('args, message', [
    (['--memory', '100000'], 'argument --memory: 100,000 is out of range (1..2,048)'),
    (['--max-steps', '0'], 'argument --max-steps: 0 is out of range (at least 1)'),
    (['--max-steps', 'many'], "argument --max-steps: 'many' is not a whole number"),
])
def test_bad_numbers_are_usage_errors(elfs, args, message):
    p = vmlib_run(*args, elfs['hello'])
    assert p.returncode == 2 and p.stdout == b''
    assert p.stderr.decode().splitlines()[-1] == f'python -m vmlib run: error: {message}'
