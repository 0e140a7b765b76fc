"""Chapter 09's exercises: Popek & Goldberg classification and trap-and-emulate predictions.
(What every exercise owes -- determinism, the checker, show_answer -- is tested for all chapters
in test_course_exercises.py.)"""
import pytest

from vmlib.course import ch09
from vmlib.course.ch09 import (ClassifyInstruction, TrapUnderTrapAndEmulate,
                               WhichBreakVirtualization, PredictVmmTraps, ShadowEntry)
from vmlib.course.exercises import exercises_for_chapter
from vmlib.hypervisor import popek

EXERCISES = [ClassifyInstruction, TrapUnderTrapAndEmulate, WhichBreakVirtualization,
             PredictVmmTraps, ShadowEntry]


def test_registered_for_chapter_9():
    assert set(exercises_for_chapter(9)) == set(EXERCISES)


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


# --- predict the VMM traps ----------------------------------------------------------------------

def test_predict_traps_counts_a_hand_made_snippet():
    setup = ('csrw sscratch, zero', 'li a1, 5')
    body = ('csrr a3, sepc', 'addi a1, a1, 3', 'csrr a5, sstatus')
    assert ch09.measure_snippet(setup, body, 3, 'rv32') == (7, [1, 0, 0, 3, 0, 3, 0, 0])
    # the variant lets the sstatus read through unseen
    assert ch09.measure_snippet(setup, body, 3, 'nonvirt') == (4, [1, 0, 0, 3, 0, 0, 0, 0])


def _expected_traps(line, variant):
    """Independent prediction from Popek & Goldberg's probes on the bare machine: the line
    traps under trap-and-emulate if it traps in U-mode -- or if it reads a counter, which
    this VMM does not let guests read directly."""
    total = 0
    for part in (p.strip() for p in line.split('\n')):
        if part.startswith('li '):
            continue
        row = popek.classify(part, variant)
        total += row.in_user != 'runs' or row.csr_class == 'user counter'
    return total


@pytest.mark.parametrize('seed', range(0, 60, 3))
def test_predict_traps_measured_matches_the_instruction_map(seed):
    ex = PredictVmmTraps(seed=seed)
    p = ex.params
    per_line = [_expected_traps(x, p['variant']) for x in p['setup']]
    per_line += [0] + [p['rounds'] * _expected_traps(x, p['variant']) for x in p['body']]
    per_line += [0, 0]
    assert ex._measured(p) == (sum(per_line), per_line)
    assert ex.solution() == sum(per_line)


def test_predict_traps_hints_and_explanation():
    ex = next(PredictVmmTraps(seed=s) for s in range(200)
              if any(x.startswith('rdtime') for x in PredictVmmTraps(seed=s).params['body']))
    answer = ex.solution()
    low = ex.check(answer - ex.params['rounds'])
    assert not low and 'counter reads trap' in str(low)
    assert 'counter' not in str(ex.check(answer + 1))
    text = ex.text(True)
    assert 'Per line:' in text and f'Answer: {answer}' in text
    nonvirt = next(PredictVmmTraps(seed=s) for s in range(200)
                   if PredictVmmTraps(seed=s).params['variant'] == 'nonvirt')
    assert 'do not trap' in str(nonvirt.check(nonvirt.solution() + 1))


def test_the_shadow_entry_follows_the_hypervisors_own_memory_layout():
    """The answer's host address is where the hypervisor really puts the guest's RAM: run a
    hypervisor with that many guests and ask its VM's memory."""
    from vmlib.hypervisor.hypervisor import Hypervisor
    from vmlib import guest
    for seed in range(6):
        ex = ShadowEntry(seed=seed)
        p = ex.params
        hv = Hypervisor('trap', [guest.program('compute')] * p['guests'])
        memory = hv.vms[p["guest"]].mem
        assert ex.solution()['host_pa'] == memory.host_pa(p['gpa'] + p['offset'])
        assert True in ex.solution()['must_change'] and False in ex.solution()['must_change']
