"""Chapter 04's seeded exercises: the answers agree with the machine (real runs) and the psABI.
(What every exercise owes -- determinism, the checker, show_answer -- is tested for all chapters
in test_course_exercises.py.)"""
from __future__ import annotations

import pytest

from vmlib.course.ch04 import (SyscallRegisters, WhichSyscall, CountEcalls, ArgumentRegisters,
                               assign_arguments)
from vmlib.course.ch05 import run_guest
from vmlib.course.exercises import exercises_for_chapter
from vmlib.procvm import linux as L

CLASSES = (SyscallRegisters, WhichSyscall, CountEcalls, ArgumentRegisters)


def test_registered_for_chapter_4():
    assert set(CLASSES) <= set(exercises_for_chapter(4))


def test_syscall_registers_put_the_number_in_a7():
    for seed in range(40):
        ex = SyscallRegisters(seed=seed)
        answer = ex.solution()
        assert answer['a7'] == L.SYSCALL_NUMBERS[ex.params['name']]
        assert len(answer) == 1 + len(ex.params['args'])
    ex = next(SyscallRegisters(seed=s) for s in range(100)
              if SyscallRegisters(seed=s).params['name'] == 'openat')
    given = dict(ex.solution(), a0=-100)                 # AT_FDCWD written as a negative number
    assert ex.check(given)
    swapped = dict(ex.solution())
    swapped['a0'] = swapped.pop('a7')
    assert any('a7' in m for m in ex.check(swapped).messages)


def test_which_syscall_comes_from_a_real_run():
    for seed in range(10):
        ex = WhichSyscall(seed=seed)
        record = ex._record(ex.params)
        assert L.syscall_name(record.number) == ex.solution()['name']
        assert f'a7={record.number}' in repr(ex)


def test_count_ecalls_agrees_with_a_plain_run():
    for seed in range(6):
        ex = CountEcalls(seed=seed)
        run = run_guest('args', ex.params['args'])
        assert sum(ex.solution().values()) == len(run.syscalls)
        assert ex.solution()['writev'] == 3          # argc line, stderr line, the rest at exit


def test_argument_registers_hint_for_an_unaligned_variadic_pair():
    for seed in range(200):
        ex = ArgumentRegisters(seed=seed)
        if not ex.params['variadic']:
            continue
        kinds = ex._kinds(ex.params)
        plain = assign_arguments(kinds)
        if plain != ex.solution():
            assert any('aligned' in m for m in ex.check(plain).messages)
            return
    pytest.fail('no seed gives a variadic call with a 64-bit argument')
