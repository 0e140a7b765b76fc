"""Property tests of the high-level-language VM: random programs, three implementations.

The shared strategies (``tests/strategies.py``) build random *syntax trees* of well-formed
Tiny programs (every name declared, every loop bounded, functions calling only earlier
functions, so every program ends). Each tree is printed as source, parsed back (it must give the same tree), compiled once, and run on
the Python VM, on the RV32 VM and by the reference interpreter that walks the tree; all three
must print the same text and end with the same status (the VMs' ``at f (pc N)`` line after a
run-time error is theirs alone: a tree has no pc).

The RV32 runs cost about a second per few hundred thousand instructions on the Python-hosted
machine, so that test runs fewer examples than the others.
"""

import dataclasses
import re

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from vmlib.hllvm import (ClassFile, ClassFormatError, PythonVM, StepLimit, VerifyError,
                         compile_program, compile_source, example_source, parse, run_rv32)
from vmlib.hllvm.interp import evaluate
from vmlib.hllvm.nodes import to_source
from vmlib.hllvm.opcodes import BY_NAME, TABLE, decode, encode, instructions

from strategies import INT_MAX, INT_MIN, expression_programs, ints, programs

TRACE = re.compile(r'^    at \w+ \(pc \d+\)\n', re.M)


def reference(tree):
    try:
        return evaluate(tree, max_steps=50_000)
    except StepLimit:
        assume(False)


def compiled(tree):
    """Print the tree, parse it back (the same tree), compile the text."""
    source = to_source(tree)
    assert parse(source) == tree, source
    return source, compile_source(source)


# --- three implementations agree ---------------------------------------------------------------

@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(expression_programs())
def test_expressions_python_vm_matches_the_reference(tree):
    expected = reference(tree)
    source, cf = compiled(tree)
    run = PythonVM(cf).run()
    assert (TRACE.sub('', run.output), run.status) == expected, source


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.filter_too_much])
@given(programs())
def test_programs_python_vm_matches_the_reference(tree):
    expected = reference(tree)
    source, cf = compiled(tree)
    run = PythonVM(cf).run()
    assert (TRACE.sub('', run.output), run.status) == expected, source
    assert compile_program(tree) == cf                      # the tree compiles as its text does


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow,
                                                  HealthCheck.filter_too_much])
@given(programs())
def test_programs_agree_on_python_vm_rv32_vm_and_the_reference(tree):
    expected = reference(tree)
    source, cf = compiled(tree)
    data = cf.to_bytes()                                    # compile once ...
    py = PythonVM(ClassFile.from_bytes(data)).run()         # ... run on two platforms
    rv = run_rv32(data)
    assert (rv.output, rv.status) == (py.output, py.status), source
    assert (TRACE.sub('', py.output), py.status) == expected, source


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(expression_programs())
def test_expressions_agree_on_both_platforms(tree):
    cf = compile_program(tree)
    py = PythonVM(cf).run()
    assert tuple(run_rv32(cf))[:2] == (py.output, py.status)


# --- bytecode and class files ------------------------------------------------------------------

@settings(max_examples=300)
@given(st.sampled_from(TABLE).flatmap(lambda op: st.tuples(st.just(op), st.tuples(*[
    st.integers(INT_MIN, INT_MAX) if kind == 'i32' else
    st.integers(0, 255) if kind == 'local' else st.integers(0, 0xFFFF)
    for kind in op.operands]))))
def test_encode_decode_round_trip(op_args):
    op, args = op_args
    raw = encode(op.name, *args)
    ins = decode(b'\x00' + raw, 1)
    assert (ins.op, ins.args, ins.size, ins.next_pc) == (op, args, len(raw), 1 + len(raw))


SAMPLE = compile_source(example_source('gcd')).to_bytes()

mutations = st.one_of(
    st.tuples(st.just('set'), st.integers(0, len(SAMPLE) - 1), st.integers(0, 255)),
    st.tuples(st.just('cut'), st.integers(0, len(SAMPLE) - 1), st.just(0)),
    st.tuples(st.just('insert'), st.integers(0, len(SAMPLE)), st.integers(0, 255)),
    st.tuples(st.just('delete'), st.integers(0, len(SAMPLE) - 1), st.just(0)),
)


def mutate(data, changes):
    data = bytearray(data)
    for kind, at, value in changes:
        at = min(at, len(data) - 1) if kind != 'insert' else min(at, len(data))
        if kind == 'set' and data:
            data[at] = value
        elif kind == 'cut':
            del data[at:]
        elif kind == 'insert':
            data[at:at] = bytes([value])
        elif kind == 'delete' and data:
            del data[at]
    return bytes(data)


def load_or_reject(data):
    """A class file, or None when the loader refused it with its own error (nothing else)."""
    try:
        return ClassFile.from_bytes(data)
    except (ClassFormatError, VerifyError):
        return None


@settings(max_examples=400)
@given(st.lists(mutations, min_size=1, max_size=3))
def test_damaged_class_files_are_refused_or_run_safely(changes):
    cf = load_or_reject(mutate(SAMPLE, changes))
    if cf is not None:              # it loaded: verified code runs without a Python error
        try:
            PythonVM(cf, max_steps=20_000).run()
        except StepLimit:
            pass


SAMPLE_CF = ClassFile.from_bytes(SAMPLE)
SWAPS = [('add', 'sub', 'mul', 'div', 'rem', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'),
         ('neg', 'not'), ('jz', 'jnz', 'jmp'), ('print', 'pop')]


@st.composite
def code_edits(draw):
    """Edit one instruction of SAMPLE_CF so that the class file stays well formed: a new
    operand in its legal range, or an opcode swapped for another of the same shape."""
    index = draw(st.integers(0, len(SAMPLE_CF.functions) - 1))
    fn = SAMPLE_CF.functions[index]
    ins = draw(st.sampled_from(instructions(fn.code)))
    name, args = ins.op.name, list(ins.args)
    group = next((g for g in SWAPS if name in g), None)
    if group and (not args or draw(st.booleans())):
        name = draw(st.sampled_from([n for n in group if len(BY_NAME[n].operands) == len(args)]))
    elif args:
        kind = ins.op.operands[0]
        args[0] = draw(
            ints if kind == 'i32' else
            st.integers(0, fn.nlocals - 1) if kind == 'local' else
            st.sampled_from([i.pc for i in instructions(fn.code)]) if kind == 'target' else
            st.integers(0, len(SAMPLE_CF.functions) - 1) if kind == 'func' else
            st.integers(0, len(SAMPLE_CF.constants) - 1))
    return index, ins.pc, encode(name, *args)


def apply_edits(cf, edits):
    functions = list(cf.functions)
    for index, pc, raw in edits:
        fn = functions[index]
        functions[index] = dataclasses.replace(fn, code=fn.code[:pc] + raw + fn.code[pc + len(raw):])
    return dataclasses.replace(cf, functions=tuple(functions))


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow,
                                                  HealthCheck.filter_too_much])
@given(st.lists(code_edits(), min_size=1, max_size=3))
def test_verified_edited_code_behaves_the_same_on_both_platforms(edits):
    """Whatever the verifier accepts runs the same on both platforms: the RV32 VM's
    unchecked fast paths are safe exactly because the verifier ran."""
    cf = load_or_reject(apply_edits(SAMPLE_CF, edits).to_bytes())
    assume(cf is not None)
    try:
        py = PythonVM(cf, max_steps=20_000).run()
    except StepLimit:
        assume(False)
    rv = run_rv32(cf, max_steps=5_000_000)
    assert (rv.output, rv.status) == (py.output, py.status)
