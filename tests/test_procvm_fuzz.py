"""Fuzzing the process VM: damaged ELFs and random system calls never make a Python exception
escape, nor an internal error: every run ends as a program run ends (exit, signal, budget) or,
for a file that cannot be loaded, with a one-line reason and status 2."""

import os
import struct
import tempfile

from hypothesis import HealthCheck, given, settings, strategies as st

from vmlib.procvm import run_program
from vmlib.procvm.memory import STACK_TOP
from vmlib.procvm.syscalls import HANDLERS
from test_procvm import elf_bytes

GOOD = elf_bytes('mmap')
ENDINGS = {'exit', 'signal', 'budget', 'deadlock', 'load-error'}
SMALL_RAM = 4 << 20
EXAMPLES = int(os.environ.get('PROCVM_FUZZ_EXAMPLES', 300))    # 5000 each pass too (90 s)

mutation = st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255))


def check(result):
    assert result.reason in ENDINGS, result.message
    assert isinstance(result.exit_status, int) and 0 <= result.exit_status <= 255
    assert '\n' not in result.message


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=8), st.integers(0, len(GOOD)))
def test_mutated_elfs_run_or_are_refused_cleanly(mutations, length):
    data = bytearray(GOOD)
    for offset, value in mutations:
        data[offset] = value
    with tempfile.TemporaryDirectory() as root:
        result = run_program(bytes(data[:length]), ['fuzz'], root=root, capture=True,
                             max_steps=20_000, ram_size=SMALL_RAM)
    check(result)


def test_the_unmutated_program_runs():
    result = run_program(GOOD, ['mmap'], capture=True)
    assert (result.reason, result.exit_status) == ('exit', 0)


# --- random system calls ---------------------------------------------------------------------

SYSCALLS = elf_bytes('syscalls')
interesting = st.sampled_from([0, 1, 2, 3, 7, 16, 64, 100, 4096, 0x10000, 0x10010, 0x7FFFFFFF,
                               0x80000000, 0xFFFFFFFF, 0xFFFFFF9C, 0xFFFFF000,
                               STACK_TOP - 16, STACK_TOP - 4096, STACK_TOP - 200,
                               0x7F000000, 0x6F000000])
argument = st.one_of(interesting, st.integers(0, 0xFFFFFFFF), st.integers(0, 300))
number = st.one_of(st.sampled_from(sorted(HANDLERS)), st.integers(0, 500))
call = st.tuples(number, argument, argument, argument, argument, argument, argument)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(call, min_size=1, max_size=12))
def test_random_system_calls_never_break_the_vm(calls):
    stdin = b''.join(struct.pack('<7I', *c) for c in calls)
    with tempfile.TemporaryDirectory() as root:
        result = run_program(SYSCALLS, ['syscalls'], root=root, stdin=stdin, capture=True,
                             max_steps=100_000, ram_size=SMALL_RAM)
    check(result)
    assert result.reason != 'budget'
