"""Chapter 08's seeded exercises: the solutions agree with what the recorded runs show (where
traps land, who runs an instruction, how many switches a system call makes). What every exercise
owes -- determinism, the checker, show_answer -- is tested for all chapters in
test_course_exercises.py."""
from __future__ import annotations

from vmlib.course import ch08
from vmlib.course.ch08 import SwitchesPerSyscall, WhereDoesTrapLand, WhoRunsAt
from vmlib.course.exercises import exercises_for_chapter
from vmlib.machine.traps import PRIV_NAMES

CLASSES = (WhereDoesTrapLand, WhoRunsAt, SwitchesPerSyscall)


def test_registered_for_chapter_8():
    assert set(CLASSES) <= set(exercises_for_chapter(8))


def _land(mode, event, deleg=None):
    medeleg, mideleg = deleg or ch08.timeline('syscall').delegation
    ex = WhereDoesTrapLand(seed=0)
    return ex.solve({'mode': mode, 'event': event, 'medeleg': medeleg, 'mideleg': mideleg})


def test_where_traps_land_in_the_guest_system():
    events = {text.split(' (')[0]: i for i, (text, _, _) in enumerate(ch08._EVENTS)}
    ecall, mti, sti = (events['executes ecall'],
                       events['runs while the machine timer interrupt'],
                       events['runs while the supervisor timer interrupt'])
    assert _land('U', ecall) == 'S'            # system call: the kernel
    assert _land('S', ecall) == 'M'            # SBI call: the firmware
    assert _land('U', mti) == 'M' and _land('S', mti) == 'M'
    assert _land('M', mti) == 'pending'        # the firmware runs with MIE = 0
    assert _land('U', sti) == 'S'
    assert _land('S', sti) == 'pending'        # the kernel never sets SIE
    assert _land('M', sti) == 'pending'
    assert _land('U', ecall, (0, 0)) == 'M'    # nothing delegated: everything to M


def test_the_recorded_runs_agree_with_the_exercise():
    """Every trap of a run lands where WhereDoesTrapLand says it lands."""
    index = {('system call', 'U'): 0, ('SBI call', 'S'): 0, ('timer (M)', 'U'): 4,
             ('timer (M)', 'S'): 4, ('timer (S)', 'U'): 5, ('page fault', 'U'): 1,
             ('exception', 'U'): 2}
    seen = set()
    for w in ('demo', 'pgfault', 'exception'):       # (a fast tick: timers in every mode)
        for t in ch08.record(w, quantum=200).traps():
            key = (t.kind, PRIV_NAMES[t.from_priv])
            assert _land(key[1], index[key]) == PRIV_NAMES[t.to_priv], t
            seen.add(key)
    assert len(seen) == len(index)


def test_who_runs_accepts_plain_answers():
    ex = WhoRunsAt(seed=3)
    a = ex.solution()
    loose = {'mode': a['mode'].lower() + '-mode', 'who': a['who'].upper()}
    if a['who'].startswith('pid'):
        loose['who'] = int(a['who'].split()[1])
    assert ex.check(loose)
    tl = ch08.timeline(ex.params['workload'])
    assert tl.at(ex.params['n']).who == a['who']


def test_switches_per_syscall_follow_the_rule():
    seen = set()
    for seed in range(25):
        ex = SwitchesPerSyscall(seed=seed)
        tl, trap = ex._trap(ex.params)
        answer = ex.solution()
        if trap.detail == 'write':
            assert answer == 2 + 2 * trap.args[3]     # one SBI console call per byte
        elif trap.detail in ('getpid', 'mmap', 'munmap', 'mprotect', 'sie_write'):
            assert answer == 2
        seen.add(trap.detail)
        hint = ex.check(2)
        if answer > 2:
            assert 'SBI call' in str(hint)
    assert {'write', 'getpid'} <= seen
