"""Chapter 10's exercises: their answers come from the translator and the cost model."""

import pytest

from vmlib.course.ch10 import TreatEachInstruction, TranslateOrTrap, REGIONS
from vmlib.course.ch10.translation import kernel_instructions
from vmlib.hypervisor.costs import CostModel


@pytest.mark.parametrize('cls', [TreatEachInstruction, TranslateOrTrap])
def test_exercises_accept_their_own_answers_and_reject_the_wrong_ones(cls):
    for seed in range(8):
        ex = cls(seed=seed)
        assert ex.check(ex.solution())
        for wrong in ex.wrong_answers(ex.params, ex.solution()):
            assert not ex.check(wrong)
        assert 'Answer:' in ex.text(show_answer=True)
        assert all(len(line) <= 96 for line in ex.text(show_answer=True).splitlines())


def test_every_region_is_real_kernel_code_with_more_than_one_treatment():
    for symbol, skip, count in REGIONS:
        rows = kernel_instructions(symbol, skip, count)
        assert len(rows) == count and len({kind for _, _, kind in rows}) >= 2
        assert [pc for pc, _, _ in rows] == list(range(rows[0][0], rows[0][0] + 4 * count, 4))


def test_a_call_is_chained_and_a_ret_is_looked_up():
    kinds = {text.split()[0]: kind for _, text, kind in kernel_instructions('kfib', 0, 9)}
    assert kinds['jalr'] == 'chained'                   # auipc + jalr: a direct call
    assert kernel_instructions('kputc_sbi', 0, 4)[-1][1:] == ('ret', 'lookup')


def test_the_treatment_exercise_says_which_items_and_why():
    ex = TreatEachInstruction(seed=2)                   # sys_sie_write: two CSR writes
    assert ex.params['symbol'] == 'sys_sie_write'
    wrong = ['ident' if kind == 'callout' else kind for kind in ex.solution()]
    feedback = str(ex.check(wrong))
    assert 'Item(s) d), e)' in feedback and 'sensitive' in feedback


def test_translate_or_trap_prices_the_path_with_the_cost_model():
    ex = TranslateOrTrap(seed=5)
    p, c = ex.params, CostModel()
    per_trap = c.trap + c.csr_emulation + c.trap_return
    plain = p['runs'] * (p['length'] - p['sensitive'])
    assert ex.solution() == {
        'trap': plain + p['runs'] * p['sensitive'] * per_trap,
        'bt': plain + p['runs'] * (p['sensitive'] * c.callout + p['returns'] * c.tc_lookup)
        + p['length'] * c.translation}
    no_translation = dict(ex.solution(), bt=ex.solution()['bt'] - p['length'] * c.translation)
    assert 'Translating is not free' in str(ex.check(no_translation))
