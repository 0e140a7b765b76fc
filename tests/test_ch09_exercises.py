"""Chapter 09's exercises: Popek & Goldberg classification and trap-and-emulate predictions."""
import pytest

from vmlib.course import ch09
from vmlib.course.ch09 import (ClassifyInstruction, TrapUnderTrapAndEmulate,
                               WhichBreakVirtualization, PredictVmmTraps)
from vmlib.course.exercises import exercises_for_chapter
from vmlib.hypervisor import popek

EXERCISES = [ClassifyInstruction, TrapUnderTrapAndEmulate, WhichBreakVirtualization,
             PredictVmmTraps]


def test_registered_for_chapter_9():
    assert set(exercises_for_chapter(9)) == set(EXERCISES)


@pytest.mark.parametrize('cls', EXERCISES)
def test_each_accepts_its_solution_rejects_wrong_ones_and_is_deterministic(cls):
    for seed in range(25):
        ex = cls(seed=seed)
        assert ex.params == cls(seed=seed).params
        answer = ex.solution()
        assert ex.check(answer), (seed, ex)
        for wrong in ex.wrong_answers(ex.params, answer):
            assert not ex.check(wrong), (seed, wrong)
        text = cls(seed=seed, show_answer=True).text(True)
        assert 'Answer:' in text and 'Solution:' in text


def test_the_pools_assemble_and_cover_every_verdict():
    verdicts = set()
    for template in ch09.INSTRUCTIONS + [t for t, _ in ch09.KERNEL_INSTRUCTIONS]:
        text = template.format(r='a0', s='a1', t='a2')
        for variant in popek.VARIANTS:
            verdicts.add(popek.classify(text, variant).verdict)
    assert {'runs directly', 'traps: the VMM emulates it', 'illegal in every mode',
            'traps in every mode: the VMM sees it'} < verdicts
    assert any(v.startswith('SENSITIVE BUT RUNS') for v in verdicts)


def find(cls, **want):
    for seed in range(400):
        ex = cls(seed=seed)
        if all(ex.params.get(k) == v for k, v in want.items()):
            return ex
    raise AssertionError(f'no seed gives {want}')


def test_classify_answers_and_hints():
    ex = find(ClassifyInstruction, instruction='sret')
    assert ex.solution() == {'privileged': True, 'sensitive': True}
    assert ex.check({'privileged': 'yes', 'sensitive': 'yes'})
    ex = find(ClassifyInstruction, instruction='ecall')
    assert ex.solution() == {'privileged': False, 'sensitive': False}
    feedback = ex.check({'privileged': True, 'sensitive': False})
    assert not feedback and 'every mode' in str(feedback)
    ex = next(ClassifyInstruction(seed=s) for s in range(400)
              if ClassifyInstruction(seed=s).params['variant'] == 'nonvirt')
    assert ex.solution() == {'privileged': False, 'sensitive': True}
    assert 'open to U-mode' in str(ex.check({'privileged': True, 'sensitive': True}))


def test_trap_under_trap_and_emulate_on_both_cpus():
    seen = {}
    for seed in range(300):
        ex = TrapUnderTrapAndEmulate(seed=seed)
        p = ex.params
        seen[(p['instruction'], p['variant'])] = ex.solution()
    assert seen[('sret', 'rv32')] == {'traps': True, 'same_as_bare_metal': True}
    assert seen[('sret', 'nonvirt')] == {'traps': True, 'same_as_bare_metal': True}
    assert seen[('csrsi sstatus, 2', 'rv32')] == {'traps': True, 'same_as_bare_metal': True}
    assert seen[('csrsi sstatus, 2', 'nonvirt')] == {'traps': False,
                                                      'same_as_bare_metal': False}
    assert seen[('addi sp, sp, -16', 'nonvirt')] == {'traps': False, 'same_as_bare_metal': True}
    assert seen[('ecall', 'rv32')] == {'traps': True, 'same_as_bare_metal': True}
    ex = find(TrapUnderTrapAndEmulate, instruction='sret')
    assert 'not a failure' in str(ex.check({'traps': True, 'same_as_bare_metal': False}))


def test_which_break_virtualization():
    for seed in range(40):
        ex = WhichBreakVirtualization(seed=seed)
        answer = ex.solution()
        if ex.params['variant'] == 'rv32':
            assert answer == set()
        assert all(name.endswith('sstatus') for name in answer)
        assert ex.check(sorted(answer))                       # a list is accepted too
    ex = next(WhichBreakVirtualization(seed=s) for s in range(100)
              if WhichBreakVirtualization(seed=s).solution())
    assert 'breaks it' in ex.text(True)
