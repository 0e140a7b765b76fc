"""Chapter 07's models (vmlib.course.ch07): the labelled class file, the damaged copies and the
verifier's verdicts, one class file on two platforms with the RV32 VM's work counted, CPython's
bytecode families, and the price of interpretation."""

import dis
import re

import pytest
from hypothesis import HealthCheck, given, settings

from vmlib.hllvm import (EXAMPLES, ClassFile, PythonVM, compile_program, compile_source,
                         example_source, run_rv32)
from vmlib.hllvm.opcodes import TABLE, instructions
from vmlib.course import ch07
from vmlib.course.ch07 import (REASONS, classfile_fields, demo_classfile,
                               demo_corruptions, family_table, hex_dump, listing, loop_costs,
                               python_family, python_opcode_counts, run_on_both, rv32_profile,
                               tiny_family, unverified_run, verdict)
from vmlib.viz.stackvm import draw_profile

from strategies import programs


# --- the demo program ----------------------------------------------------------------------------

def test_demo_program_and_its_python_twin_print_the_same(capsys):
    cf = demo_classfile()
    assert PythonVM(cf).run().output == 'sum of squares 1..3 = 14\n'
    ch07.sum_of_squares()
    assert capsys.readouterr().out == 'sum of squares 1..3 = 14\n'
    assert ch07.square(7) == 49


# --- the class file, labelled byte by byte --------------------------------------------------------

def check_fields(data):
    fields = classfile_fields(data)
    at = 0
    for f in fields:                        # contiguous, every byte once, in file order
        assert f.offset == at and f.size > 0
        at += f.size
    assert at == len(data)
    sections = [f.section for f in fields]
    order = ['header', 'constant pool', 'function table', 'code']
    assert [s for i, s in enumerate(sections) if i == 0 or sections[i - 1] != s] == \
        [s for s in order if s in sections]
    return fields


@pytest.mark.parametrize('name', EXAMPLES)
def test_fields_cover_every_byte_of_the_examples(name):
    cf = compile_source(example_source(name))
    fields = check_fields(cf.to_bytes())
    code = [f for f in fields if f.section == 'code']
    assert len(code) == sum(len(instructions(fn.code)) for fn in cf.functions)
    assert sum(f.section == 'function table' for f in fields) == 8 * len(cf.functions)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_fields_cover_every_byte_of_random_programs(tree):
    check_fields(compile_program(tree).to_bytes())


def test_hex_dump_labels_the_demo():
    data = demo_classfile().to_bytes()
    text = hex_dump(data)
    assert text.splitlines()[2] == "0000    54 49 4e 59              magic 'TINY'"
    assert '-- header (16 bytes) --' in text and '-- code (69 bytes) --' in text
    assert re.search(r"^0010    04 00 6d 61 69 6e\s+#0 'main'", text, re.M)
    assert "main: local names from #4 (n, total)" in text
    assert re.search(r'^00a9    12\s+square pc 4: mul$', text, re.M)
    # the dump's bytes, read back, are the file
    dumped = ''.join(line[8:31] for line in text.splitlines()
                     if re.match(r'^[0-9a-f]{4}    ', line))
    assert bytes.fromhex(dumped.replace(' ', '')) == data
    assert 'code            at  102    69 bytes' in ch07.file_map(data)


def test_listing_of_damaged_code_does_not_fail_and_matches_the_class_files_own():
    cf = demo_classfile()
    assert listing(cf, 'main').splitlines()[0] == cf.function_listing('main')[0]
    own = [re.sub(r'\s+', ' ', line.replace('>>', '')).strip()
           for line in cf.function_listing('main')[1:]]
    mine = [re.sub(r'\s+', ' ', line).strip() for line in listing(cf, 'main').splitlines()[1:]]
    assert own == mine
    bad = ClassFile.from_bytes(demo_corruptions()[7].data, verify=False)     # call 7
    assert 'call 7' in listing(bad, 'main') and '// ' not in \
        [line for line in listing(bad, 'main').splitlines() if 'call 7' in line][0]


# --- the verifier's verdicts ----------------------------------------------------------------------

def test_every_demo_corruption_is_refused_for_the_reason_it_names():
    good = demo_classfile().to_bytes()
    assert verdict(good) is None
    seen = set()
    for c in demo_corruptions():
        assert len(c.data) in (len(good), len(good) - 1)
        changed = sum(a != b for a, b in zip(c.data, good))
        assert changed <= 4, c.name
        v = verdict(c.data)
        assert v is not None, c.name
        if c.name in REASONS:
            assert (v.stage, v.reason) == ('verifier', c.name), v
            assert v.message.startswith('VerifyError: ')
        else:
            assert v.stage == 'loader' and v.message.startswith('ClassFormatError: ')
        seen.add(c.name)
    assert len(seen) == 9


def test_verdict_names_function_and_pc():
    v = verdict(demo_corruptions()[3].data)         # square: load 0 -> store 0
    assert v == ch07.Verdict('verifier', 'square', 4, 'stack underflow',
                             'VerifyError: square, pc 4: mul needs 2 value(s) on the stack, '
                             'there are 0')
    v = verdict(demo_corruptions()[-1].data)        # max_stack 2 -> 1: no pc
    assert (v.function, v.pc, v.reason) == ('square', None, 'max_stack too small')


def test_without_the_verifier_a_vm_goes_wrong_in_ways_it_never_reports():
    by_name = {c.name: c.data for c in demo_corruptions()}
    # a wrong answer, silently: the RV32 VM reads a word that is not the local
    assert unverified_run(by_name['no such local']) == \
        "exit status 0, output 'sum of squares 1..3 = 0\\n'"
    assert unverified_run(by_name['stack underflow']) == (
        "the machine crashed: store/AMO access fault at address 0x00000004, in the VM's "
        "op_store (and no trap handler)")
    assert unverified_run(by_name['no such function']).startswith(
        'the machine crashed: load access fault at address 0x00000000')
    assert 'step budget' in unverified_run(by_name['depth mismatch'], max_steps=50_000)
    # the Python VM's handlers assume verified code too: bad code reaches Python errors
    assert unverified_run(by_name['no such local'], 'python').startswith(
        'a Python exception inside the VM: IndexError')
    # the class loaders still run: the RV32 VM's own (in assembly), and the Python one
    assert unverified_run(by_name['not a class file']) == \
        "exit status 1, output 'ClassFormatError: bad magic number\\n'"
    assert unverified_run(by_name['truncated'], 'python').startswith(
        'refused by the class loader: truncated')
    table = ch07.corruption_table()
    assert table.count('refused: ') == 9 and table.count('without the verifier') == 7


# --- one class file, two platforms ----------------------------------------------------------------

def test_both_platforms_print_the_same_and_execute_the_same_bytecodes():
    py, rv = run_on_both(demo_classfile())
    assert (py.output, py.status) == (rv.output, rv.status) == ('sum of squares 1..3 = 14\n', 0)
    assert py.bytecodes == rv.bytecodes == 68
    assert rv.native == run_rv32(demo_classfile()).instructions
    assert 'same output and exit status on both: yes' in ch07.platform_table([py, rv])


@pytest.mark.parametrize('name', ['factorial', 'gcd'])
def test_rv32_profile_counts_each_opcode_as_often_as_the_python_vm_runs_it(name):
    cf = compile_source(example_source(name))
    prof = rv32_profile(cf)
    counts = python_opcode_counts(cf)
    assert {k: v[0] for k, v in prof.by_opcode.items()} == counts
    assert prof.bytecodes == sum(counts.values()) == PythonVM(cf).run().steps
    assert prof.total == run_rv32(cf).instructions
    assert prof.total == prof.startup + prof.dispatch + sum(h for _, h in prof.by_opcode.values())
    assert prof.dispatch == 7 * prof.bytecodes      # the loop at `next`: 7 instructions
    assert prof.output == PythonVM(cf).run().output


def test_dispatch_loop_is_the_seven_instructions_the_profile_charges():
    text = ch07.dispatch_loop_source()
    lines = text.splitlines()
    assert lines[0] == 'next:' and lines[-1].split()[:2] == ['jr', 't0']
    assert len(lines) == 1 + 7


def test_profile_table_and_figure():
    prof = rv32_profile(demo_classfile())
    text = ch07.profile_table(prof, python_opcode_counts(demo_classfile()))
    assert re.search(r'^add\s+6\s+6\s+42\s+42\s+14\.0$', text, re.M)
    assert '68 bytecodes in 1,651 RV32 instructions' in text
    fig = draw_profile(prof)
    assert len(fig.axes[0].patches) == 2 * len(prof.by_opcode)


def test_examples_table_agrees_everywhere():
    text = ch07.examples_table(['factorial'])
    assert text.splitlines()[1].split() == ['factorial', '173', '1,188', '24,253', '20.4', 'yes']


# --- CPython's bytecode, by family -------------------------------------------------------------

def test_every_tiny_opcode_has_a_family():
    for op in TABLE:
        assert tiny_family(op.name)
    assert tiny_family('le') == 'compare' and tiny_family('mul') == 'binary operation'


@pytest.mark.parametrize('opname,family', [
    ('LOAD_FAST', 'load a local'), ('LOAD_FAST_LOAD_FAST', 'load a local'),
    ('STORE_FAST', 'store a local'), ('LOAD_CONST', 'push a constant'),
    ('BINARY_OP', 'binary operation'), ('BINARY_MULTIPLY', 'binary operation'),
    ('INPLACE_ADD', 'binary operation'), ('COMPARE_OP', 'compare'),
    ('POP_JUMP_IF_FALSE', 'conditional jump'), ('POP_JUMP_BACKWARD_IF_TRUE', 'conditional jump'),
    ('JUMP_BACKWARD', 'jump'), ('CALL', 'call'), ('CALL_FUNCTION', 'call'),
    ('PRECALL', 'call'), ('RETURN_VALUE', 'return'), ('RETURN_CONST', 'return'),
    ('RESUME', None), ('PUSH_NULL', None), ('LOAD_GLOBAL', 'load a global')])
def test_python_families_across_versions(opname, family):
    assert python_family(opname) == family


def test_family_table_is_version_free_and_both_machines_have_every_family():
    text = family_table()
    for op in dis.opmap:                    # no CPython instruction name is printed
        if len(op) > 6:
            assert op not in text
    rows = text.splitlines()[1:]
    assert [r.split()[-1] for r in rows] == ['yes'] * len(ch07.FAMILIES)
    assert 'const' in rows[0] and 'le' in rows[4] and 'jz' in rows[5]


# --- the price of interpretation ------------------------------------------------------------------

def test_loop_costs_are_exact_per_iteration():
    costs = loop_costs()
    assert costs['bytecodes per iteration'] == 18
    assert costs['compiled: RV32 instructions per iteration'] == 5
    assert costs['interpreted: RV32 instructions per iteration'] == 297
    assert costs['slowdown'] == pytest.approx(59.4)
    assert ch07.loop_source(5).count('n <= 5') == 1 and '1..5' in ch07.loop_source(5)


def test_module_doctest():
    import doctest
    assert doctest.testmod(ch07).failed == 0
