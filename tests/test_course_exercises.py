"""The exercise machinery (vmlib.course.exercises) and every registered exercise's checker."""
import importlib

import pytest
from hypothesis import given, settings, strategies as st

from vmlib.course import exercises
from vmlib.course.exercises import Exercise, Feedback, REGISTRY

# importing every module of vmlib.course registers every chapter's exercises, so the generic
# test at the end covers all of them (chapters 00-02 here and every later chapter's too)
import pkgutil
import vmlib.course

for _info in pkgutil.iter_modules(vmlib.course.__path__):
    importlib.import_module(f"vmlib.course.{_info.name}")


class Split(Exercise):
    chapter = 99
    title = "Split an address (test exercise)"

    def generate(self, rng):
        return {"va": rng.randrange(1 << 32)}

    def solve(self, p):
        return {"vpn": p["va"] >> 12, "offset": p["va"] & 0xFFF}

    def question(self, p):
        return f"Split {p['va']:#010x}."

    def explain(self, p, a):
        return f"vpn = va >> 12 = {a['vpn']}"

    def diagnose(self, p, given):
        if isinstance(given, dict) and given.get("vpn") == p["va"] & 0xFFF:
            return ["You swapped the two parts."]
        return []

    def wrong_answers(self, p, a):
        return [{"vpn": a["offset"], "offset": a["vpn"]}, {"vpn": a["vpn"]}]


def test_same_seed_same_problem_and_different_seeds_differ():
    assert Split(seed=3).params == Split(seed=3).params
    assert len({Split(seed=s).params["va"] for s in range(20)}) > 15


def test_registry_contains_subclasses_with_a_title():
    assert REGISTRY["Split"] is Split
    assert Split in exercises.exercises_for_chapter(99)
    assert Exercise not in REGISTRY.values()


def test_check_accepts_solution_in_any_container_flavour():
    ex = Split(seed=1)
    a = ex.solution()
    assert ex.check(a)
    assert ex.check(dict(a)).ok
    assert str(ex.check(a)).startswith("\u2713")


def test_check_explains_what_is_wrong_without_giving_away_the_answer():
    ex = Split(seed=1)
    a = ex.solution()
    fb = ex.check({"vpn": a["vpn"] + 1, "offset": a["offset"]})
    assert not fb
    text = str(fb)
    assert "'vpn' is too large" in text
    assert str(a["vpn"]) not in text
    fb = ex.check({"vpn": a["vpn"]})
    assert "missing the key(s) 'offset'" in str(fb)
    fb = ex.check({"vpn": a["offset"], "offset": a["vpn"]})
    assert fb.messages[0] == "You swapped the two parts."
    assert "should be a dict" in str(ex.check(5))


def test_show_answer_uses_the_solution():
    ex = Split(seed=7, show_answer=True)
    text = repr(ex)
    assert "seed 7" in text and "Solution:" in text
    assert "Answer: " + repr(ex.solution()) in text
    assert "Solution:" not in repr(Split(seed=7))


@pytest.mark.parametrize("expected,good,bad,msg", [
    (3, 3.0, 4, "too large"),
    (0.5, 0.5000000001, 0.4, "too small"),
    ("Peak", " peak ", "p95", "is wrong"),
    ([1, 2, 3], (1, 2, 3), [1, 2], "should have 3 item(s)"),
    ({1, 2}, [2, 1], {1, 2, 5}, "do not belong"),
    ({"a": [1, {"b": 2}]}, {"a": (1, {"b": 2})}, {"a": [1, {"b": 3}]}, "'b' is too large"),
    (7, 7, 7.5, "whole number"),
    (7, 7, "7", "should be a whole number"),
])
def test_structural_compare(expected, good, bad, msg):
    ex = Split(seed=0)
    assert ex.compare(exercises._plain(expected), exercises._plain(good)) == []
    problems = ex.compare(exercises._plain(expected), exercises._plain(bad))
    assert problems and any(msg in p for p in problems), problems


def test_numpy_values_are_plain():
    np = pytest.importorskip("numpy")
    assert exercises._plain(np.int64(3)) == 3 and type(exercises._plain(np.int64(3))) is int
    assert exercises._plain(np.array([1, 2])) == [1, 2]


def test_feedback_is_falsy_when_wrong():
    assert not Feedback(False, ["x"])
    assert "Not yet" in str(Feedback(False, ["x"]))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_every_registered_exercise_accepts_its_solution_and_rejects_its_wrong_answers(seed):
    assert len(REGISTRY) >= 2
    for name, cls in REGISTRY.items():
        ex = cls(seed=seed)
        answer = ex.solution()
        assert ex.check(answer), (name, seed)
        assert repr(cls(seed=seed)) == repr(ex)  # deterministic question
        shown = repr(cls(seed=seed, show_answer=True))
        assert "Solution:" in shown and "\nAnswer: " in shown
        for wrong in ex.wrong_answers(ex.params, answer):
            if exercises._plain(wrong) == answer:
                continue  # the mistake happens to give the right answer for this seed
            fb = ex.check(wrong)
            assert not fb, (name, seed, wrong)
            assert fb.messages, (name, seed, wrong)


def test_format_answer_hook():
    class HexSplit(Split):
        title = ""  # not registered

        def format_answer(self, answer):
            return "{" + ", ".join(f"{k}: {v:#x}" for k, v in answer.items()) + "}"

    ex = HexSplit(seed=2, show_answer=True)
    assert f"Answer: {{vpn: {ex.solution()['vpn']:#x}" in repr(ex)
    assert "HexSplit" not in REGISTRY


def test_whole_numbers_are_compared_exactly():
    """An address off by 4 is wrong, however large the address (no relative tolerance)."""
    from vmlib.course.exercises import Exercise
    ex = Exercise.__new__(Exercise)
    ex.rel_tol, ex.abs_tol = 1e-6, 1e-9
    assert ex.compare(0x80001000, 0x80001000) == []
    assert ex.compare(0x80001000, 0x80001004) != []
    assert ex.compare(0.5, 0.5 + 1e-12) == []


ALL_EXERCISES = sorted(REGISTRY.values(), key=lambda c: (c.chapter, c.__name__))


@pytest.mark.parametrize("cls", ALL_EXERCISES, ids=lambda c: f"ch{c.chapter:02d}-{c.__name__}")
def test_each_exercise_on_fixed_seeds(cls):
    """What every chapter's exercise owes the learner, checked on seeds 0-29 (the chapters'
    own tests add what is particular to each: that the answers agree with the machine): the
    same seed gives the same problem, different seeds different problems, the checker accepts
    the solution and rejects each listed mistake and a nonsense answer with a message, and
    ``show_answer`` prints the worked solution."""
    assert cls(seed=11).text(True) == cls(seed=11).text(True)
    assert len({repr(cls(seed=s).params) for s in range(30)}) > 5
    for seed in range(30):
        ex = cls(seed=seed)
        answer = ex.solution()
        assert ex.check(answer), seed
        for wrong in ex.wrong_answers(ex.params, answer):
            if exercises._plain(wrong) == answer:
                continue  # the mistake happens to give the right answer for this seed
            fb = ex.check(wrong)
            assert not fb and fb.messages, (seed, wrong)
        assert not ex.check(None) and not ex.check("nonsense")
        shown = repr(cls(seed=seed, show_answer=True))
        assert "Solution:" in shown and "\nAnswer: " in shown
        assert "Solution:" not in repr(cls(seed=seed))
