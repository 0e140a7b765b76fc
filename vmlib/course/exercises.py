"""Seeded exercises in the OSTEP style, shared by every chapter.

An exercise is a small class. A **seed** generates a problem; the answer is computed from the
problem by the same code that :meth:`Exercise.check` compares against, so the worked solution a
learner sees with ``show_answer=True`` can never disagree with the checker.

Writing one (four methods, two of them optional)::

    from vmlib.course.exercises import Exercise

    class AddressSplit(Exercise):
        chapter = 3
        title = "Split a virtual address"

        def generate(self, rng):                 # rng: random.Random(seed); return plain data
            return {"va": rng.randrange(1 << 32)}

        def solve(self, p):                      # the answer, from the problem alone
            return {"vpn1": p["va"] >> 22, "vpn0": (p["va"] >> 12) & 0x3FF,
                    "offset": p["va"] & 0xFFF}

        def question(self, p):                   # what the learner reads
            return f"Split va = {p['va']:#010x} into vpn1, vpn0 and offset (a dict)."

        def explain(self, p, answer):            # optional: the worked solution
            return f"vpn1 = va >> 22 = {answer['vpn1']} ..."

        def diagnose(self, p, given):            # optional: recognise known mistakes
            if given == {...}:
                return ["You swapped vpn1 and vpn0: vpn1 is the top 10 bits."]
            return []

Using one in a notebook::

    ex = AddressSplit(seed=4)        # as a cell's last value it shows the question
    ex.check({"vpn1": 1, ...})       # "Correct." or a list of what is wrong
    AddressSplit(seed=4, show_answer=True)   # question, worked solution and answer

Answers are plain Python data: numbers, strings, lists/tuples, sets and dicts of those.
:meth:`Exercise.compare` walks them structurally and says *where* a given answer differs
(a missing key, a wrong item, too large a number) without printing the expected value;
``diagnose`` adds hints for mistakes the author anticipated (set ``hints_replace_generic`` to
show only those hints when there are any). Floats compare with
``rel_tol``/``abs_tol`` (whole numbers exactly); strings ignore case and surrounding blanks unless ``strict_strings``.

Every subclass is registered in :data:`REGISTRY` (by ``chapter`` and class name), so the test
suite can check, for many seeds, that each checker accepts its own solution and rejects the
wrong answers the subclass lists in :meth:`Exercise.wrong_answers`.
"""
from __future__ import annotations

import math
import numbers
import random
from dataclasses import dataclass, field

from .text import fit

__all__ = ["Exercise", "Classify", "Feedback", "REGISTRY", "exercises_for_chapter"]

#: every Exercise subclass with a ``title``, in definition order: ``{"ClassName": cls}``
REGISTRY: dict[str, type] = {}


def exercises_for_chapter(chapter: int) -> list[type]:
    """The registered exercise classes of one chapter (the chapter's module must be imported)."""
    return [cls for cls in REGISTRY.values() if cls.chapter == chapter]


@dataclass
class Feedback:
    """The result of :meth:`Exercise.check`: truthy when the answer is right.

    ``messages`` says what is wrong (or "Correct."); its text is what a notebook shows.
    """

    ok: bool
    messages: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return fit("\u2713 " + (" ".join(self.messages) or "Correct."))
        lines = ["\u2717 Not yet:"] + [f"  - {m}" for m in self.messages]
        return fit("\n".join(lines))

    __repr__ = __str__


def _is_number(x) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


def _plain(x):
    """Turn numpy scalars/arrays, tuples and frozensets into plain ints/floats/lists/sets."""
    if hasattr(x, "tolist") and callable(x.tolist):  # numpy scalar or array
        return _plain(x.tolist())
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        return float(x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (set, frozenset)):
        return {_plain(v) for v in x}
    return x


def _kind(x) -> str:
    if isinstance(x, bool):
        return "True/False"
    if isinstance(x, numbers.Integral):
        return "a whole number"
    if _is_number(x):
        return "a number"
    if isinstance(x, str):
        return "a string"
    if isinstance(x, dict):
        return "a dict"
    if isinstance(x, (list, tuple)):
        return "a list"
    if isinstance(x, (set, frozenset)):
        return "a set"
    return f"a {type(x).__name__}"


class Exercise:
    """Base class of a seeded exercise. See the module docstring for how to write one.

    Parameters
    ----------
    seed:
        Generates the problem. ``None`` draws a fresh seed (shown in the question, so the
        learner can come back to the same problem).
    show_answer:
        When true, the exercise's text (its ``repr``, what a notebook cell shows) includes the
        worked solution and the answer, computed by :meth:`solve` -- the same code path that
        :meth:`check` compares against.
    """

    chapter: int = -1
    title: str = ""
    #: tolerances for floats
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9
    #: compare strings exactly (otherwise: ignoring case and surrounding blanks)
    strict_strings: bool = False
    #: when ``diagnose`` recognises a mistake, show only its hints (not the generic messages)
    hints_replace_generic: bool = False

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.__dict__.get("title"):
            REGISTRY[cls.__name__] = cls

    def __init__(self, seed: int | None = None, show_answer: bool = False):
        if seed is None:
            seed = random.SystemRandom().randrange(1_000_000)
        self.seed = int(seed)
        self.show_answer = bool(show_answer)
        self.params = self.generate(random.Random(self.seed))

    # ---- what subclasses write -------------------------------------------------------
    def generate(self, rng: random.Random):
        """Return the problem's parameters (plain data) drawn from ``rng``."""
        raise NotImplementedError

    def solve(self, params):
        """Return the answer to the problem ``params``."""
        raise NotImplementedError

    def question(self, params) -> str:
        """Return the question text for ``params``."""
        raise NotImplementedError

    def explain(self, params, answer) -> str:
        """Return a worked solution (default: none beyond the answer itself)."""
        return ""

    def diagnose(self, params, given) -> list[str]:
        """Return hints for anticipated mistakes in ``given`` (already normalised)."""
        return []

    def wrong_answers(self, params, answer) -> list:
        """Plausible wrong answers; the test suite checks that each one is rejected."""
        return []

    def normalize(self, given):
        """Bring a learner's answer to plain data before comparing (override to parse)."""
        return _plain(given)

    def format_answer(self, answer) -> str:
        """How the answer is printed after "Answer:" (override, e.g. to show hex)."""
        return repr(answer)

    # ---- what learners call ------------------------------------------------------------
    def solution(self):
        """The answer, computed from the problem (the same value :meth:`check` expects)."""
        return _plain(self.solve(self.params))

    def check(self, answer) -> Feedback:
        """Compare ``answer`` with the solution and say what, if anything, is wrong."""
        expected = self.solution()
        given = self.normalize(answer)
        problems = self.compare(expected, given)
        if not problems:
            return Feedback(True, ["Correct."])
        hints = [h for h in self.diagnose(self.params, given) if h]
        if hints and self.hints_replace_generic:
            return Feedback(False, hints)
        return Feedback(False, hints + problems)

    def show(self, show_answer: bool | None = None) -> None:
        """Print the question (and the solution when ``show_answer``)."""
        print(self.text(self.show_answer if show_answer is None else show_answer))

    def text(self, show_answer: bool = False) -> str:
        head = f"{self.title} (chapter {self.chapter:02d}, seed {self.seed})"
        parts = [head, "-" * len(head), self.question(self.params).rstrip()]
        if show_answer:
            answer = self.solution()
            worked = self.explain(self.params, answer)
            parts.append("")
            parts.append("Solution:")
            if worked:
                parts.append(worked.rstrip())
            parts.append(f"Answer: {self.format_answer(answer)}")
        return fit("\n".join(parts))

    def __repr__(self) -> str:
        return self.text(self.show_answer)

    # ---- structural comparison -----------------------------------------------------------
    def compare(self, expected, given, where: str = "the answer") -> list[str]:
        """What is wrong with ``given`` (empty if nothing), without revealing ``expected``."""
        if _is_number(expected):
            if not _is_number(given):
                return [f"{where} should be {_kind(expected)}, not {_kind(given)} ({given!r})."]
            if isinstance(expected, numbers.Integral) and isinstance(given, float) \
                    and not given.is_integer():
                return [f"{where} should be a whole number; {given!r} is not."]
            if isinstance(expected, numbers.Integral) and isinstance(given, numbers.Integral):
                if expected == given:               # whole numbers (addresses...) are exact
                    return []
            elif math.isclose(expected, given, rel_tol=self.rel_tol, abs_tol=self.abs_tol):
                return []
            return [f"{where} is too {'large' if given > expected else 'small'}."]
        if isinstance(expected, bool) or expected is None:
            return [] if given == expected else [f"{where} is wrong."]
        if isinstance(expected, str):
            if not isinstance(given, str):
                return [f"{where} should be a string, not {_kind(given)}."]
            if self.strict_strings:
                same = given == expected
            else:
                same = given.strip().lower() == expected.strip().lower()
            return [] if same else [f"{where} is wrong."]
        if isinstance(expected, dict):
            if not isinstance(given, dict):
                return [f"{where} should be a dict with keys {sorted(map(str, expected))}, "
                        f"not {_kind(given)}."]
            out = []
            missing = [k for k in expected if k not in given]
            extra = [k for k in given if k not in expected]
            if missing:
                out.append(f"{where} is missing the key(s) {', '.join(map(repr, missing))}.")
            if extra:
                out.append(f"{where} has unexpected key(s) {', '.join(map(repr, extra))}.")
            for k in expected:
                if k in given:
                    out += self.compare(expected[k], given[k], f"{k!r}")
            return out
        if isinstance(expected, set):
            if not isinstance(given, (set, list)):
                return [f"{where} should be a set, not {_kind(given)}."]
            given = set(given)
            out = []
            extra = given - expected
            missing = expected - given
            if extra:
                out.append(f"{where} contains {len(extra)} item(s) that do not belong: "
                           f"{sorted(extra, key=repr)}.")
            if missing:
                out.append(f"{where} is missing {len(missing)} item(s).")
            return out
        if isinstance(expected, list):
            if not isinstance(given, list):
                return [f"{where} should be a list of {len(expected)} item(s), not {_kind(given)}."]
            if len(given) != len(expected):
                return [f"{where} should have {len(expected)} item(s), not {len(given)}."]
            out = []
            for i, (e, g) in enumerate(zip(expected, given), 1):   # counted as people count
                out += self.compare(e, g, f"item {i} of {where}" if where != "the answer"
                                    else f"item {i}")
            return out
        return [] if given == expected else [f"{where} is wrong."]


class Classify(Exercise):
    """An exercise that sorts lettered items into kinds: the answer is a list, one kind per item.

    A subclass sets ``ITEMS`` (``(text, kind, ...)`` tuples), ``KINDS`` (every kind, in order),
    ``CHOOSE`` (how many kinds one problem draws, one item each; None: every kind) and ``EXTRA``
    (how many more items, of any kind), and writes :meth:`question` (``lettered`` gives the
    items as ``a) ...`` lines). :meth:`answer_of` is what a learner writes for a kind (default:
    the kind itself) and :meth:`aliases` other spellings it accepts; case and spacing never
    matter. The checker names the items that are wrong (``WRONG``) -- kinds are not quantities,
    so it never says an answer is "too small".
    """

    ITEMS: tuple = ()
    KINDS: tuple = ()
    CHOOSE: int | None = None
    EXTRA: int = 0
    WRONG = "Item(s) {} belong elsewhere."

    def generate(self, rng):
        kinds = list(self.KINDS) if self.CHOOSE is None else rng.sample(list(self.KINDS),
                                                                         self.CHOOSE)
        picks = [rng.choice([i for i, item in enumerate(self.ITEMS) if item[1] == kind])
                 for kind in kinds]
        if self.EXTRA:
            picks += rng.sample([i for i in range(len(self.ITEMS)) if i not in picks],
                                self.EXTRA)
        if self.CHOOSE is None or self.EXTRA:     # (kinds drawn by rng.sample: random order)
            rng.shuffle(picks)
        return {"items": picks}

    def answer_of(self, kind):
        return kind

    def aliases(self) -> dict:
        return {}

    def solve(self, p):
        return [self.answer_of(self.ITEMS[i][1]) for i in p["items"]]

    @staticmethod
    def letter(k: int) -> str:
        return chr(ord('a') + k) + ')'

    def explain(self, p, answer):
        """The kinds, item by item (``a) kind``)."""
        return "\n".join(f"  {self.letter(k)} {kind}" for k, kind in enumerate(answer))

    def lettered(self, p) -> list[str]:
        return [fit(f"  {self.letter(k)} {self.ITEMS[i][0]}") for k, i in enumerate(p["items"])]

    def normalize(self, given):
        given = super().normalize(given)
        if not isinstance(given, list):
            return given
        known = {str(self.answer_of(k)).lower(): self.answer_of(k) for k in self.KINDS}
        known.update({str(a).lower(): v for a, v in self.aliases().items()})

        def canonical(g):
            if not isinstance(g, str):
                return g
            return known.get(' '.join(g.lower().replace(',', ', ').split()).replace(' ,', ','),
                             g)
        return [canonical(g) for g in given]

    def compare(self, expected, given, where="the answer"):
        if not isinstance(given, list) or len(given) != len(expected):
            return super().compare(expected, given, where)
        wrong = [self.letter(k) for k, (e, g) in enumerate(zip(expected, given)) if e != g]
        return [self.WRONG.format(', '.join(wrong))] if wrong else []
