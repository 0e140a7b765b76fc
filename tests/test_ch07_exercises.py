"""Chapter 07's seeded exercises: the answers agree with independent ways of getting them. (What
every exercise owes -- determinism, the checker, show_answer -- is tested for all chapters in
test_course_exercises.py.)"""

import re

from vmlib.course.ch07 import (MaxStackDepth, StackAfter, VerifierVerdict, main_classfile,
                               _KINDS, _PROGRAMS, verdict)
from vmlib.course.exercises import exercises_for_chapter
from vmlib.hllvm import ClassFile, PythonVM, compile_source, run_rv32
from vmlib.hllvm.runtime import BINARY, wrap

CLASSES = (StackAfter, MaxStackDepth, VerifierVerdict)


def test_registered_for_chapter_7():
    assert set(CLASSES) <= set(exercises_for_chapter(7))


# --- what is on the stack ---------------------------------------------------------------------


def simulate(code):
    """An independent reading of the instruction table: a list as the stack, a dict as locals."""
    stack, local = [], {0: 0, 1: 0}
    for name, *args in code:
        if name == 'const':
            stack.append(args[0])
        elif name == 'load':
            stack.append(local[args[0]])
        elif name == 'store':
            local[args[0]] = stack.pop()
        elif name == 'neg':
            stack.append(wrap(-stack.pop()))
        else:
            b, a = stack.pop(), stack.pop()
            stack.append(BINARY[name](a, b))
    return stack


def test_stack_answers_match_an_independent_simulation():
    for seed in range(150):
        ex = StackAfter(seed=seed)
        assert ex.solution() == simulate(ex.params['code']), seed
        assert ex.solution(), seed                   # never an empty stack
        assert 6 <= len(ex.params['code']) <= 9


def test_stack_hints():
    ex = next(StackAfter(seed=s) for s in range(100) if len(StackAfter(seed=s).solution()) >= 2
              and StackAfter(seed=s).solution() != StackAfter(seed=s).solution()[::-1])
    answer = ex.solution()
    assert 'bottom of the stack first' in str(ex.check(answer[::-1]))
    assert 'Values below the top stay' in str(ex.check(answer[-1:]))


def test_main_classfile_runs_straight_line_code_on_both_platforms():
    cf = main_classfile([('const', 6), ('const', 7), ('mul',), ('print',), ('const', 0),
                         ('ret',)])
    cf = ClassFile.from_bytes(cf.to_bytes())               # the loader and verifier accept it
    assert cf.functions[0].max_stack == 2
    assert PythonVM(cf).run().output == run_rv32(cf).output == '42'


# --- how deep does the stack get --------------------------------------------------------------


def depth_of(expr):
    """Independent: the depth a stack machine needs for a fully parenthesised expression
    (Ershov-style: left first, so the right operand needs one more slot)."""
    def parse(tokens):
        def atom():
            tok = tokens.pop(0)
            if tok == '(':
                node = binary()
                assert tokens.pop(0) == ')'
                return node
            return tok

        def binary():
            left = atom()
            while tokens and tokens[0] in '+-*':
                op = tokens.pop(0)
                left = (op, left, atom())
            return left
        return binary()

    def need(node):
        if isinstance(node, str):
            return 1
        return max(need(node[1]), 1 + need(node[2]))
    return need(parse(re.findall(r'\w+|[()+\-*]', expr)))


def test_depth_answers_match_an_independent_count():
    for seed in range(150):
        ex = MaxStackDepth(seed=seed)
        assert ex.solution() == depth_of(ex.params['expr']), (seed, ex.params)


def test_depth_answers_are_what_the_vm_really_reaches():
    for seed in range(20):
        ex = MaxStackDepth(seed=seed)
        deepest = max(len(s.stack) for s in PythonVM(compile_source(ex.program(ex.params))).steps())
        # a snapshot is taken before each instruction: the last push is seen by the next one
        assert deepest == ex.solution()


def test_depth_hint_for_counting_operands():
    ex = next(MaxStackDepth(seed=s) for s in range(100)
              if len(re.findall(r'\w+', MaxStackDepth(seed=s).params['expr']))
              != MaxStackDepth(seed=s).solution())
    leaves = len(re.findall(r'\w+', ex.params['expr']))
    assert 'number of operands' in str(ex.check(leaves))


# --- which bytecode does the verifier reject ------------------------------------------------------


def test_verifier_exercises_cover_every_kind_and_are_one_small_edit():
    kinds = set()
    for seed in range(120):
        ex = VerifierVerdict(seed=seed)
        p = ex.params
        original = compile_source(_PROGRAMS[p['program']]).functions[p['function']].code
        damaged = bytes.fromhex(p['code'])
        assert len(damaged) == len(original)
        assert 1 <= sum(a != b for a, b in zip(original, damaged)) <= 2
        answer = ex.solution()
        kinds.add(answer['reason'])
        v = verdict(ex.damaged(p).to_bytes())
        assert (v.pc, v.reason) == (answer['pc'], answer['reason'])
        assert f'pc {answer["pc"]}' in v.message
    assert kinds == set(_KINDS)


def test_verifier_answers_accept_loose_spelling_and_explain_the_edit():
    ex = next(VerifierVerdict(seed=s) for s in range(200)
              if VerifierVerdict(seed=s).solution()['reason'] == 'depth mismatch')
    answer = ex.solution()
    assert ex.check({'pc': answer['pc'], 'reason': ' Depth_Mismatch '})
    feedback = ex.check({'pc': answer['pc'] + 2, 'reason': 'depth mismatch'})
    assert not feedback and 'where two paths meet' in str(feedback)
    assert 'store' in ex.text(True) and 'load' in ex.text(True)
    assert 'should be one of' in str(ex.check({'pc': 0, 'reason': 'bad'}))
