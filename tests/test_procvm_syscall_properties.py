"""Every implemented system call, driven from a guest program with valid and invalid arguments:
the run never ends in an internal error, and every call returns a number or -errno in Linux's
range. (qemu-user asserts on some random calls; the process VM must not.)

The guest reads its calls from stdin (seven words each: a7, a0..a5) before making any, so a
call that closes fd 0 cannot cut the list short. Arguments are drawn for the kinds each call
declares (``@syscall(name, *kinds)``, the kinds ``--strace`` uses): a valid value of the kind
(an open descriptor, a buffer in mapped memory, a path of the sandbox, a flag Linux knows), or
anything at all. Half of the calls get valid arguments only, so that they pass their checks
and do their work; ``test_valid_arguments_get_every_call_through`` makes sure they can.
"""

import errno
import os
import random
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from vmlib.asm import assemble
from vmlib.procvm import ProcessVM
from vmlib.procvm import linux as L
from vmlib.procvm.memory import STACK_TOP
from vmlib.procvm.syscalls import HANDLERS

EXAMPLES = int(os.environ.get('PROCVM_FUZZ_EXAMPLES', 300))
SCRATCH = 0x4000_0000               # 64 KiB the first call maps: the buffers of the calls
SCRATCH_SIZE = 0x1_0000
AT_FDCWD = L.AT_FDCWD & 0xFFFFFFFF
MAX_CALLS = 128                     # what the guest reads of stdin, setup included
PATHS = ['file.txt', '/file.txt', 'dir', 'dir/inner.txt', 'inner.txt', 'empty', 'link',
         'dangling', 'escape', 'escape/outside.txt', 'new', 'dir/new', 'new/sub', '/', '.',
         '..', '', '/dev/null', '/dev/zero', 'file.txt/x', 'x' * 300]

PROGRAM = f"""
    .globl _start
_start:
    li t0, {28 * MAX_CALLS}
    sub sp, sp, t0
    mv s0, sp                       # the calls, read from stdin first
    li s1, 0
1:  li a0, 0
    add a1, s0, s1
    li a2, {28 * MAX_CALLS}
    sub a2, a2, s1
    beqz a2, 2f
    li a7, 63
reading:
    ecall
    blez a0, 2f
    add s1, s1, a0
    j 1b
2:  add s2, s0, s1
3:  addi t0, s0, 28
    bgtu t0, s2, 4f
    lw a7, 0(s0)
    lw a0, 4(s0)
    lw a1, 8(s0)
    lw a2, 12(s0)
    lw a3, 16(s0)
    lw a4, 20(s0)
    lw a5, 24(s0)
    ecall
    addi s0, s0, 28
    j 3b
4:  li a0, 0
    li a7, 93
    ecall
    .balign 8
iovecs: .word {SCRATCH}, 16, {SCRATCH + 0x100}, 32
sleep:  .dword 0, 1000
times:  .dword 1000, 5, 2000, 7
special: .dword 0, {L.UTIME_NOW}, 0, {L.UTIME_OMIT}
omitted: .dword 0, {L.UTIME_OMIT}, 0, {L.UTIME_OMIT}
""" + ''.join(f'path{i}: .asciz "{p}"\n' for i, p in enumerate(PATHS))
ASSEMBLED = assemble(PROGRAM, base=0x10000)
ELF = ASSEMBLED.to_elf()
SYMBOLS = ASSEMBLED.symbols


def buffers(*offsets):
    return [SCRATCH + off for off in offsets]


# Valid values for each kind of argument (what a careful program passes)
VALID = {
    'fd': list(range(10)),          # 0-2, then 3: file.txt, 4: dir, 5/6: a pipe (SETUP)
    'dirfd': [AT_FDCWD, 4],
    'path': [SYMBOLS[f'path{i}'] for i in range(len(PATHS))],
    'obuf': buffers(0, 0x100, 0x1000, 0x8000),
    'ibuf': buffers(0, 0x100) + [SYMBOLS['path0'], SYMBOLS['path3']],
    'iov_in': [SYMBOLS['iovecs']],
    'iov_out': [SYMBOLS['iovecs']],
    'p': [0] + buffers(0, 0x1000, 0x2000, 0x8000),
    'statx': buffers(0, 0x200),
    'u64out': buffers(0, 0x10),
    'timespec_out': buffers(0, 0x10),
    'pipefds': buffers(0x40, 0x48),
    'timespec_in': [SYMBOLS['sleep']],
    'utimes': [0, SYMBOLS['times'], SYMBOLS['special'], SYMBOLS['omitted']],
    'u': [0, 1, 2, 8, 16, 88, 256, 4096, 8192],
    'd': [0, 1, 4, 100, 0xFFFFFFFF],
    'pid': [100, 0, 0xFFFFFFFF],
    'x': [0, 1, 3, L.O_NONBLOCK, L.O_APPEND | L.O_NONBLOCK, SCRATCH],
    'off64': [0, 5, 4096],
    'off64hi': [0],
    'skip': [0],
    'whence': [L.SEEK_SET, L.SEEK_CUR, L.SEEK_END],
    'oflags': [L.O_RDONLY, L.O_WRONLY | L.O_CREAT | L.O_TRUNC, L.O_RDWR | L.O_CREAT,
               L.O_RDONLY | L.O_DIRECTORY, L.O_WRONLY | L.O_APPEND | L.O_LARGEFILE,
               L.O_RDWR | L.O_CREAT | L.O_EXCL | L.O_CLOEXEC, L.O_PATH, L.O_RDONLY | L.O_NOFOLLOW],
    'openmode': [0o644, 0o600, 0o755],
    'mode': [0o644, 0o600, 0o755],
    'cloexec': [0, L.O_CLOEXEC],
    'renameflags': [0],
    'pipeflags': [0, L.O_CLOEXEC, L.O_NONBLOCK, L.O_DIRECT, L.O_NONBLOCK | L.O_CLOEXEC],
    'fcntl': [L.F_DUPFD, L.F_GETFD, L.F_SETFD, L.F_GETFL, L.F_SETFL, L.F_SETLK,
              L.F_DUPFD_CLOEXEC],
    'ioctl': [L.TCGETS, L.TIOCGWINSZ, L.FIONREAD],
    'atflags': [0, L.AT_SYMLINK_NOFOLLOW, L.AT_REMOVEDIR, L.AT_SYMLINK_FOLLOW, L.AT_EMPTY_PATH],
    'statxmask': [0x7FF, 0xFFF],
    'accessmode': [0, 1, 2, 4, 7],
    'prot': [L.PROT_NONE, L.PROT_READ, L.PROT_READ | L.PROT_WRITE, L.PROT_READ | L.PROT_EXEC],
    'mflags': [L.MAP_PRIVATE | L.MAP_ANONYMOUS, L.MAP_PRIVATE, L.MAP_SHARED,
               L.MAP_PRIVATE | L.MAP_ANONYMOUS | L.MAP_FIXED,
               L.MAP_PRIVATE | L.MAP_ANONYMOUS | L.MAP_FIXED_NOREPLACE],
    'mremap': [0, L.MREMAP_MAYMOVE],
    'rlimit': [3, 7, 0],
    'futexop': [L.FUTEX_WAKE, L.FUTEX_WAKE | L.FUTEX_PRIVATE_FLAG, L.FUTEX_WAIT],
    'clock': [0, 1, 4, 7],
    'sig': [0, L.SIGCHLD, L.SIGTERM, L.SIGUSR1],
    'sighow': [0, 1, 2],
}

# anything at all: edge values, addresses near things, random words
GARBAGE = st.one_of(
    st.sampled_from([0, 1, 2, 3, 7, 64, 4096, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                     0xFFFFFF9C, 0xFFFFF000, STACK_TOP - 16, STACK_TOP - 4096, SCRATCH - 8,
                     SCRATCH + SCRATCH_SIZE - 8, 1 << 30]),
    st.integers(0, 0xFFFFFFFF), st.integers(0, 300))

# The sandbox's first calls: the scratch buffers, then descriptors 3 to 6 (VALID['fd'])
SETUP = [(222, SCRATCH, SCRATCH_SIZE, 3, L.MAP_PRIVATE | L.MAP_ANONYMOUS | L.MAP_FIXED,
          0xFFFFFFFF, 0),
         (56, AT_FDCWD, SYMBOLS['path0'], L.O_RDWR, 0),
         (56, AT_FDCWD, SYMBOLS['path2'], L.O_RDONLY | L.O_DIRECTORY, 0),
         (59, SCRATCH + 0xFF00, 0),
         (64, 6, SYMBOLS['path3'], 8)]

# calls that may end the run (exit, a signal, a futex wait nothing can wake): last, if at all
ENDING = {'exit', 'exit_group', 'kill', 'tkill', 'tgkill', 'futex_time64'}
NUMBERS = {name: n for n, (name, _, _) in HANDLERS.items()}


def base_kind(kind):
    return kind.split(':')[0]


def valid_values(number):
    return [VALID[base_kind(kind)] for kind in HANDLERS[number][2]]


def call_strategy(number):
    """(number, a0..a5): every argument valid, or each valid or garbage."""
    valid = [st.sampled_from(values) for values in valid_values(number)]
    mixed = [st.one_of(v, GARBAGE) for v in valid]
    return st.one_of(st.tuples(*valid), st.tuples(*mixed)).map(lambda args: (number, *args))


MIDDLE = st.one_of([call_strategy(n) for name, n in sorted(NUMBERS.items())
                    if name not in ENDING])
LAST = st.one_of([call_strategy(n) for name, n in sorted(NUMBERS.items()) if name in ENDING])
CALL_LISTS = st.tuples(st.lists(MIDDLE, max_size=12), st.lists(LAST, max_size=1)).map(
    lambda parts: parts[0] + parts[1])


def make_sandbox(top):
    """``top/root`` for the guest, ``top/outside.txt`` that it must never reach."""
    root = top / 'root'
    (root / 'dir').mkdir(parents=True)
    (root / 'empty').mkdir()
    (root / 'file.txt').write_bytes(b'some file contents\n')
    (root / 'dir' / 'inner.txt').write_bytes(b'inner\n')
    (root / 'link').symlink_to('file.txt')
    (root / 'dangling').symlink_to('missing')
    (root / 'escape').symlink_to('..')
    (top / 'outside.txt').write_bytes(b'outside\n')
    return root


def outside_state(top):
    """What the guest must leave alone: the names beside the root, the outside file's bytes
    and its change time (which any write, chmod, utime or link moves)."""
    outside = top / 'outside.txt'
    return sorted(os.listdir(top)), outside.read_bytes(), os.stat(outside).st_ctime_ns


def run_calls(calls, root):
    """Run the SETUP calls and then ``calls`` in the sandbox ``root``: the VM, its result,
    the records of the setup calls and those of ``calls``."""
    assert len(SETUP) + len(calls) <= MAX_CALLS
    stdin = b''.join(struct.pack('<7I', *(list(c) + [0] * 7)[:7]) for c in SETUP + list(calls))
    vm = ProcessVM(ELF, ['calls'], root=root, stdin=stdin, capture=True, trace=True,
                   ram_size=8 << 20)
    result = vm.run(200_000)
    made = [r for r in vm.trace if r.pc != SYMBOLS['reading']]     # not reading the list
    return vm, result, made[:len(SETUP)], made[len(SETUP):]


def check_result(record):
    """A number (non-negative and below 2**31, not to be read as an error) or -errno."""
    result = record.result
    assert type(result) is int, record
    if result < 0:
        assert -4095 <= result and -result in errno.errorcode, str(record)
    else:
        assert result < 1 << 31, str(record)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(CALL_LISTS)
def test_every_call_answers_with_a_number_or_an_errno(calls):
    fds_before = len(os.listdir('/proc/self/fd'))
    with tempfile.TemporaryDirectory() as top:
        top = Path(top)
        root = make_sandbox(top)
        before = outside_state(top)
        vm, result, setup, records = run_calls(calls, root)
        after = outside_state(top)
    assert result.reason in ('exit', 'signal', 'deadlock'), result.message
    assert [r.result for r in setup] == [SCRATCH, 3, 4, 0, 8]
    for record in records:
        if record.result is None:               # the call ended the run
            assert record is vm.trace[-1], str(record)
        else:
            check_result(record)
    assert after == before                      # nothing outside the root changed
    assert len(os.listdir('/proc/self/fd')) == fds_before       # no host file left open


def test_every_argument_kind_has_values():
    kinds = {base_kind(kind) for _, _, kinds in HANDLERS.values() for kind in kinds}
    assert kinds <= set(VALID), f'no values for {sorted(kinds - set(VALID))}'


# Calls no valid arguments can get through in a sandbox whose output is captured
NEVER_THROUGH = {'ioctl': 'TIOCGWINSZ needs a terminal; the rest is ENOTTY'}


@pytest.mark.parametrize('name', sorted(NUMBERS))
def test_valid_arguments_get_every_call_through(name, tmp_path):
    """100 calls with valid arguments (seeded: the same every run): one at least succeeds
    (or ends the run, for exit and the like)."""
    rng = random.Random(name)
    number = NUMBERS[name]
    calls = [(number, *(rng.choice(values) for values in valid_values(number)))
             for _ in range(100)]
    vm, result, _, records = run_calls(calls, make_sandbox(tmp_path))
    assert result.reason != 'error', result.message
    through = [r for r in records if r.number == number and (r.result or 0) >= 0]
    if name in NEVER_THROUGH:
        assert not through
    else:
        assert through, [str(r) for r in records]
