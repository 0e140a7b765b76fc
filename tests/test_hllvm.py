"""The high-level-language VM (vmlib.hllvm): compile once, run on two platforms.

Groups: the examples on both platforms; the language (parser and compiler errors with
line:column); run-time errors, identical on both platforms; the class file (round trip,
rejection of damaged files); the verifier; the instruction table driving both VMs, the
emitter and the listing; the step hook; the command line. Property tests (random programs
on all three implementations, damaged class files) are in test_hllvm_properties.py.
"""

import dataclasses
import doctest
import importlib
import re
from fractions import Fraction

import pytest

from vmlib.hllvm import (EXAMPLES, ClassFile, ClassFormatError, CompileError, PythonVM,
                         StepLimit, TinySyntaxError, VerifyError, compile_source,
                         example_source, parse, run, run_python, run_rv32, rv32_source,
                         table_text)
from vmlib.hllvm.classfile import HEADER, MAGIC, RECORD, Function
from vmlib.hllvm.interp import evaluate
from vmlib.hllvm.opcodes import (BY_CODE, BY_NAME, TABLE, BytecodeError, decode, encode,
                                 instructions)
from vmlib.hllvm.runtime import HEADER_WORDS, STACK_WORDS
from vmlib.hllvm import rv32 as rv32_host

INT_MIN, INT_MAX = -2**31, 2**31 - 1


def both(source_or_cf):
    """Run on both platforms; assert they agree; return (output, status)."""
    cf = compile_source(source_or_cf) if isinstance(source_or_cf, str) else source_or_cf
    py = PythonVM(cf).run()
    rv = run_rv32(cf)
    assert (rv.output, rv.status) == (py.output, py.status)
    return py.output, py.status


# --- the examples: the same class file, the same output, on both platforms ---------------------

EXPECTED_LINES = {
    'factorial': ['factorial 5 = 120', 'factorial 12 = 479001600',
                  'factorial 13 = 1932053504'],
    'fibonacci': ['fib 20 = 6765', 'recursive fib 12 = 144', 'fib 47 wraps around: -1323752223'],
    'gcd': ['gcd(1071, 462) = 21', 'gcd(462, 1071) = 21', 'gcd(-48, 18) = 6', 'lcm(21, 6) = 42'],
    'primes': ['97', 'twins: 71 73'],
    'collatz': ['27 takes 111 steps', 'the longest below 31 starts at 27 with 111 steps'],
}


def test_the_five_examples_exist():
    assert set(EXAMPLES) >= set(EXPECTED_LINES)


@pytest.mark.parametrize('name', sorted(EXPECTED_LINES))
def test_example_runs_identically_on_both_platforms(name):
    source = example_source(name)
    cf = ClassFile.from_bytes(compile_source(source).to_bytes())      # through the bytes
    py = PythonVM(cf).run()
    rv = run_rv32(cf)
    assert py.status == rv.status == 0
    assert py.output == rv.output
    assert (py.output, 0) == evaluate(parse(source))                  # and the reference
    lines = py.output.splitlines()
    for line in EXPECTED_LINES[name]:
        assert line in lines
    assert rv.instructions < 400_000, 'examples stay small: about 1 s on the RV32 platform'


def test_primes_prints_the_first_25_primes():
    lines = run_python(compile_source(example_source('primes'))).splitlines()
    assert [int(x) for x in lines[:25]] == [p for p in range(2, 100)
                                            if all(p % d for d in range(2, p))]


def test_run_with_platform_name():
    cf = compile_source('print(6 * 7);')
    assert run(cf, 'python')[:2] == run(cf, 'rv32')[:2] == ('42\n', 0)
    with pytest.raises(ValueError, match='unknown platform'):
        run(cf, 'jvm')


# --- the language ----------------------------------------------------------------------------

def test_java_int_arithmetic():
    out, status = both('''
        print(2147483647 + 1, -2147483648 - 1, 65536 * 65536, 46341 * 46341);
        print(7 / 2, -7 / 2, 7 / -2, -7 / -2, 7 % 3, -7 % 3, 7 % -3, -7 % -3);
        print(-2147483648 / -1, -2147483648 % -1, -(-2147483648), -2147483648);
        print(1 < 2, 2 < 1, 1 <= 1, 1 > 1, 1 >= 1, 1 == 1, 1 != 1, not 0, not 5);
        print(3 and 4, 3 and 0, 0 or 0, 0 or -1, not (1 == 2) and 2 > 1);
    ''')
    assert status == 0
    assert out.splitlines() == [
        '-2147483648 2147483647 0 -2147479015',
        '3 -3 -3 3 1 -1 1 -1',
        '-2147483648 0 -2147483648 -2147483648',
        '1 0 1 0 1 1 0 1 0',
        '1 0 0 1 1',
    ]


def test_precedence_is_javas():
    out, _ = both('print(1 + 2 * 3, (1 + 2) * 3, 10 - 4 - 3, 100 / 10 / 5, -2 * -3, '
                  '1 + 2 == 3, 1 == 1 and 2 == 3 or 4 == 4);')
    assert out == '7 9 3 2 6 1 1\n'


def test_short_circuit_skips_the_right_side():
    out, status = both('''
        func loud(x) { print("evaluated", x); return x; }
        print(0 and loud(1));
        print(1 or loud(2));
        print(1 and loud(3));
    ''')
    assert status == 0
    assert out == '0\n1\nevaluated 3\n1\n'


def test_functions_recursion_and_locals_are_per_call():
    out, _ = both('''
        func ack(m, n) {
            if (m == 0) { return n + 1; }
            if (n == 0) { return ack(m - 1, 1); }
            return ack(m - 1, ack(m, n - 1));
        }
        func count(n) { var x = n * 10; if (n > 0) { count(n - 1); } print(x); }
        print(ack(2, 3));
        count(3);
        print(count(0));
    ''')
    assert out == '9\n0\n10\n20\n30\n0\n0\n'


def test_else_if_chains_while_and_return_from_main():
    out, _ = both('''
        func sign(x) {
            if (x < 0) { return -1; } else if (x == 0) { return 0; } else { return 1; }
        }
        var i = -2;
        while (1) {
            print(sign(i));
            if (i == 2) { return; }
            i = i + 1;
        }
        print("never");
    ''')
    assert out == '-1\n-1\n0\n1\n1\n'


def test_print_forms():
    out, _ = both('print(); print("a \\"quoted\\" tab\\there"); print("x", 1, "y", -2); '
                  'print("non-ASCII: \u00e9\u4e2d");')
    assert out == '\na "quoted" tab\there\nx 1 y -2\nnon-ASCII: \u00e9\u4e2d\n'


def test_a_function_called_main_is_the_entry_when_there_is_no_top_level_code():
    assert both('func helper() { return 5; } func main() { print(helper()); }') == ('5\n', 0)
    assert both('') == ('', 0)


SYNTAX_ERRORS = [
    ('print(1 +);', 1, 10, "expected an expression, found ')'"),
    ('var x = 1\nprint(x);', 2, 1, "expected ';' after the statement, found 'print'"),
    ('print(1 < 2 < 3);', 1, 13, 'comparisons do not chain'),
    ('print(2147483648);', 1, 7, 'too large for an int'),
    ('print("open);', 1, 7, 'unterminated string'),
    ('var x = 1 @ 2;', 1, 11, "unexpected character '@'"),
    ('if (1) { func f() { } }', 1, 10, 'functions are defined at the top level'),
    ('while (1) {\n  print(1);\n', 3, 1, "expected '}' to end the block, found end of input"),
    ('var if = 3;', 1, 5, "expected a variable name after var, found the keyword 'if'"),
    ('x + 1;', 1, 3, "expected '=' or '(' after x, found '+'"),
    ('print("a" + 1);', 1, 11, "expected ')' after the items to print, found '+'"),
    ('var s = "text";', 1, 9, 'a string can only be printed'),
    ('print("bad \\q");', 1, 12, 'unknown escape \\q'),
    ('func f(a b) { }', 1, 10, "expected ')' after the parameters, found 'b'"),
]


@pytest.mark.parametrize('source,line,column,message', SYNTAX_ERRORS)
def test_syntax_errors_name_line_and_column(source, line, column, message):
    with pytest.raises(TinySyntaxError) as e:
        compile_source(source)
    assert (e.value.line, e.value.column) == (line, column)
    assert message in e.value.message


COMPILE_ERRORS = [
    ('print(y);', 1, 7, 'undefined variable y'),
    ('y = 1;', 1, 1, 'undefined variable y'),
    ('var x = x;', 1, 9, 'undefined variable x'),
    ('var x = 1;\nvar x = 2;', 2, 1, 'x is already declared in this function (line 1)'),
    ('func f(a, a) { }', 1, 1, 'a is already declared'),
    ('print(g(1));', 1, 7, 'undefined function g'),
    ('func f(a) { return a; }\nprint(f(1, 2));', 2, 7, 'f takes 1 argument, got 2'),
    ('func f() { }\nfunc f() { }', 2, 1, 'function f is defined twice'),
    ('func main() { }\nprint(1);', 1, 1, 'main is the program'),
]


@pytest.mark.parametrize('source,line,column,message', COMPILE_ERRORS)
def test_compile_errors_name_line_and_column(source, line, column, message):
    with pytest.raises(CompileError) as e:
        compile_source(source)
    assert (e.value.line, e.value.column) == (line, column)
    assert message in e.value.message


def test_error_text_shows_the_line_and_a_caret():
    with pytest.raises(CompileError) as e:
        compile_source('var a = 1;\nprint(a +* 2);\n', filename='prog.tiny')
    assert str(e.value) == ("prog.tiny:2:10: expected an expression, found '*'\n"
                            "    print(a +* 2);\n"
                            "             ^")


def test_a_string_too_long_for_a_constant_is_a_compile_error():
    with pytest.raises(CompileError, match='more than 65535 bytes') as e:
        compile_source('print(1);\nprint("' + 'x' * 70000 + '");')
    assert (e.value.line, e.value.column) == (2, 1)


def test_too_many_locals_is_a_compile_error():
    source = 'func f() {\n' + ''.join(f'var v{i} = {i};\n' for i in range(256)) + '}'
    with pytest.raises(CompileError, match='too many local variables') as e:
        compile_source(source)
    assert e.value.line == 257


# --- run-time errors: the same words and status on both platforms ------------------------------

RUNTIME_ERRORS = [
    ('print(1);\nprint(7 / (3 - 3));\nprint(2);',
     '1\nArithmeticException: / by zero\n    at main (pc 25)\n'),
    ('func g(a, b) { return a % b; }\nprint(g(-7, 2));\nprint(g(5, 0));',
     '-1\nArithmeticException: / by zero\n    at g (pc 4)\n'),
    ('func f(n) { return f(n + 1) + 1; }\nprint(f(0));',
     'StackOverflowError\n    at f (pc 8)\n'),
    ('print("half", 1, 1 / 0);',            # items print as they come; the error starts a line
     'half 1 \nArithmeticException: / by zero\n    at main (pc 22)\n'),
]


@pytest.mark.parametrize('source,expected', RUNTIME_ERRORS)
def test_runtime_errors_are_identical_on_both_platforms(source, expected):
    assert both(source) == (expected, 1)
    assert evaluate(parse(source))[0] == expected.split('\n    at')[0] + '\n'


def test_stack_overflow_strikes_at_the_same_depth():
    """Frames cost nlocals + HEADER_WORDS + max_stack words of STACK_WORDS on both VMs."""
    source = 'func down(n) { print(n); return down(n + 1); }\ndown(1);'
    out, status = both(source)
    assert status == 1
    deepest = int(out.splitlines()[-3])
    cf = compile_source(source)
    main, down = cf.functions[cf.entry], cf.functions[cf.function_index('down')]
    first = main.nlocals + HEADER_WORDS              # down's frame 1: main's pushed argument
    frame = down.nlocals + HEADER_WORDS + down.max_stack
    step = down.nlocals + HEADER_WORDS               # + the pushed argument - the overlap
    # frame k (k = 1, 2, ...) starts at first + (k - 1) * step and must end <= STACK_WORDS
    assert deepest == (STACK_WORDS - frame - first) // step + 1 == 3275


def test_deep_but_finite_recursion_is_fine():
    assert both('func sum(n) { if (n == 0) { return 0; } return n + sum(n - 1); }\n'
                'print(sum(1000));') == ('500500\n', 0)


def _patched(cf, index=None, **changes):
    index = cf.entry if index is None else index
    fns = list(cf.functions)
    fns[index] = dataclasses.replace(fns[index], **changes)
    return dataclasses.replace(cf, functions=tuple(fns))


def test_bad_opcode_is_a_runtime_error_on_both_platforms_without_the_verifier():
    cf = compile_source('print(1);\nprint(2);')
    code = cf.functions[0].code
    assert decode(code, 14).op.name == 'print'
    bad = _patched(cf, code=code[:14] + b'\xee' + code[15:])
    with pytest.raises(VerifyError, match='bad opcode 238 at pc 14'):
        ClassFile.from_bytes(bad.to_bytes())
    expected = '1\nInternalError: bad opcode 238\n    at main (pc 14)\n'
    assert PythonVM(bad).run()[:2] == (expected, 1)
    assert run_rv32(bad.to_bytes(), verify=False)[:2] == (expected, 1)


def test_a_frame_too_big_for_the_stack_fails_on_entry():
    cf = _patched(compile_source('print(1);'), max_stack=STACK_WORDS)
    expected = 'StackOverflowError\n    at main (pc 0)\n'
    assert PythonVM(cf).run()[:2] == (expected, 1)
    assert run_rv32(cf)[:2] == (expected, 1)


def test_endless_loops_hit_the_step_limit():
    cf = compile_source('while (1) { }')
    with pytest.raises(StepLimit):
        PythonVM(cf, max_steps=1000).run()
    with pytest.raises(StepLimit):
        run_rv32(cf, max_steps=5000)


def test_rv32_loader_rejects_what_the_python_loader_rejects():
    data = compile_source('print(1);').to_bytes()
    bad_magic = b'CAFE' + data[4:]
    bad_version = data[:4] + b'\x07\x00' + data[6:]
    for damaged, message in ((bad_magic, 'bad magic number'),
                             (bad_version, 'unsupported version')):
        with pytest.raises(ClassFormatError, match=message):
            ClassFile.from_bytes(damaged)
        out, status, _ = run_rv32(damaged, verify=False)
        assert (out, status) == (f'ClassFormatError: {message}\n', 1)


# --- the class file ----------------------------------------------------------------------------

def test_class_file_layout():
    cf = compile_source('func twice(x) { return 2 * x; }\nprint("twice 21 is", twice(21));')
    data = cf.to_bytes()
    magic, version, entry, nconst, nfunc, code_size = HEADER.unpack_from(data)
    assert (magic, version, entry, nfunc) == (b'TINY', 1, 0, 2)
    assert nconst == len(cf.constants) and code_size == sum(len(f.code) for f in cf.functions)
    assert data.endswith(cf.functions[0].code + cf.functions[1].code)
    records_at = len(data) - code_size - RECORD.size * nfunc
    name, arity, nlocals, max_stack, length, offset, names, reserved = \
        RECORD.unpack_from(data, records_at + RECORD.size)
    assert (cf.constants[name], arity, nlocals, max_stack) == ('twice', 1, 1, 2)
    assert (length, offset, reserved) == (len(cf.functions[1].code), len(cf.functions[0].code), 0)
    assert cf.constants[names] == 'x'


def test_round_trip_through_bytes_and_files(tmp_path):
    for name in EXAMPLES:
        cf = compile_source(example_source(name))
        assert ClassFile.from_bytes(cf.to_bytes()) == cf
        path = tmp_path / f'{name}.tclass'
        cf.save(path)
        assert ClassFile.load(path) == cf
        assert path.read_bytes()[:4] == MAGIC


def test_every_truncation_is_rejected():
    data = compile_source(example_source('gcd')).to_bytes()
    for n in range(len(data)):
        with pytest.raises(ClassFormatError, match='truncated'):
            ClassFile.from_bytes(data[:n])


DAMAGE = [
    (lambda d: b'\xca\xfe\xba\xbe' + d[4:], ClassFormatError, 'bad magic number ca fe ba be'),
    (lambda d: d[:4] + b'\x02\x00' + d[6:], ClassFormatError, 'unsupported version 2'),
    (lambda d: d + b'\x00', ClassFormatError, '1 unexpected bytes after the code'),
    (lambda d: d[:6] + b'\x09\x00' + d[8:], ClassFormatError, 'entry function #9 does not exist'),
    (lambda d: d[:8] + b'\xff\xff' + d[10:], ClassFormatError, 'at most 4096'),
    (lambda d: d[:18] + b'\xff' + d[19:], ClassFormatError, 'not valid UTF-8'),
]


@pytest.mark.parametrize('damage,error,message', DAMAGE)
def test_damaged_class_files_are_rejected_with_a_reason(damage, error, message):
    data = compile_source('print("hello");').to_bytes()
    with pytest.raises(error, match=message):
        ClassFile.from_bytes(damage(data))


def test_function_records_are_checked():
    cf = compile_source('func f(a) { return a; }\nprint(f(1));')
    for changes, message in ((dict(name=99), 'name #99 is not a constant'),
                             (dict(arity=2), '2 parameters but only 1 locals'),
                             (dict(local_names=4000), 'are not constants')):
        with pytest.raises(ClassFormatError, match=message):
            ClassFile.from_bytes(_patched(cf, 1, **changes).to_bytes())
    with pytest.raises(ClassFormatError, match='the entry function takes 1 parameters'):
        ClassFile.from_bytes(dataclasses.replace(cf, entry=1).to_bytes())


# --- the verifier --------------------------------------------------------------------------------

def _one_function(*instrs, nlocals=1, max_stack=4, constants=('main', 's')):
    code = b''.join(encode(*i) for i in instrs)
    return ClassFile(constants, (Function(0, 0, nlocals, max_stack, code),), 0)


VERIFY_ERRORS = [
    ([('pop',), ('const', 0), ('ret',)], 'pop needs 1 value(s) on the stack, there are 0'),
    ([('const', 1), ('jz', 4), ('const', 0), ('ret',)], 'jump target 4 is not the start'),
    ([('const', 1), ('jz', 13), ('const', 5), ('const', 0), ('ret',)],
     'the stack depth is 0 one way and 1 another'),
    ([('const', 1), ('print',)], 'control runs off the end of the code'),
    ([('load', 3), ('ret',)], 'local 3 does not exist'),
    ([('call', 5), ('ret',)], 'function #5 does not exist'),
    ([('prints', 7), ('const', 0), ('ret',)], 'constant #7 does not exist'),
    ([('const', 1), ('const', 2), ('const', 3), ('const', 4), ('const', 5), ('ret',)],
     'the stack reaches 5 values but max_stack is 4'),
    ([('add',), ('ret',)], 'add needs 2 value(s)'),
]


@pytest.mark.parametrize('code,message', VERIFY_ERRORS)
def test_verifier_rejects_unsafe_code(code, message):
    with pytest.raises(VerifyError, match=re.escape(message)):
        ClassFile.from_bytes(_one_function(*code).to_bytes())
    ClassFile.from_bytes(_one_function(*code).to_bytes(), verify=False)     # still well formed


def test_verifier_accepts_loops_with_a_steady_stack_and_computes_max_stack():
    cf = compile_source(example_source('collatz'))
    from vmlib.hllvm.verifier import max_stack_depths
    depths = max_stack_depths(cf)
    assert depths == {cf.constants[f.name]: f.max_stack for f in cf.functions}
    assert depths['steps'] == 2         # 3 * n + 1: const 3, load n, mul, const 1, add


def test_cut_off_and_empty_code_are_verify_errors():
    cf = _one_function(('const', 1), ('ret',))
    cut = _patched(cf, code=cf.functions[0].code[:3])
    with pytest.raises(VerifyError, match='cut off by the end of the code'):
        ClassFile.from_bytes(cut.to_bytes())
    with pytest.raises(VerifyError, match='has no code'):
        ClassFile.from_bytes(_patched(cf, code=b'').to_bytes())


# --- one table drives everything -----------------------------------------------------------------

def test_every_opcode_is_implemented_by_both_vms():
    vm = PythonVM(compile_source(''))
    symbols = rv32_host.vm_program().symbols
    for op in TABLE:
        assert callable(getattr(vm, 'op_' + op.name, None)), f'Python VM lacks op_{op.name}'
        assert vm.dispatch[op.code].__name__ == 'op_' + op.name
        assert 'op_' + op.name in symbols, f'vm_rv32.s lacks op_{op.name}'
    handlers = {name for name in dir(vm) if name.startswith('op_')}
    assert handlers == {'op_' + op.name for op in TABLE}, 'a handler with no table row'
    labels = {name for name in symbols if name.startswith('op_')}
    assert labels == {'op_' + op.name for op in TABLE}, 'an RV32 handler with no table row'


def test_rv32_dispatch_table_is_generated_from_the_table():
    program = rv32_host.vm_program()
    symbols = program.symbols
    rodata = program.section('.rodata')
    at = symbols['dispatch'] - rodata.address
    words = [int.from_bytes(rodata.data[at + 4 * i:at + 4 * i + 4], 'little') for i in range(256)]
    for code, word in enumerate(words):
        op = BY_CODE.get(code)
        assert word == symbols['op_' + op.name if op else 'bad_opcode']
    assert '.equ OP_CALL, 64' in rv32_host.prelude()


def test_every_opcode_is_emitted_by_the_compiler():
    used = set()
    sources = [example_source(n) for n in EXAMPLES]
    sources.append('func f() { return 1; } f(); var z = 1; print(-z / 1 % 1 - 1, z >= 0, '
                   'not (z or 0));')
    for source in sources:
        for fn in compile_source(source).functions:
            used |= {ins.op.name for ins in instructions(fn.code)}
    assert used == set(BY_NAME)


def test_binary_instructions_agree_with_an_independent_model_on_both_platforms():
    edges = [0, 1, -1, 2, -2, 7, -7, INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1, 46341]
    ops = ['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=']
    lines, expected = [], []

    def wrap(n):
        return (n - INT_MIN) % 2**32 + INT_MIN

    model = {'+': lambda a, b: wrap(a + b), '-': lambda a, b: wrap(a - b),
             '*': lambda a, b: wrap(a * b),
             '/': lambda a, b: wrap(int(Fraction(a, b))),                 # toward zero
             '%': lambda a, b: wrap(a - int(Fraction(a, b)) * b),
             '==': lambda a, b: int(a == b), '!=': lambda a, b: int(a != b),
             '<': lambda a, b: int(a < b), '<=': lambda a, b: int(a <= b),
             '>': lambda a, b: int(a > b), '>=': lambda a, b: int(a >= b)}
    for op in ops:
        values = []
        for a in edges:
            for b in edges:
                if op in '/%' and b == 0:
                    continue
                values.append(f'({a}) {op} ({b})')
                expected.append(model[op](a, b))
        lines.append(f'print({", ".join(values)});')
    out, status = both('\n'.join(lines))
    assert status == 0
    assert [int(x) for x in out.split()] == expected


@pytest.mark.parametrize('op', TABLE, ids=lambda op: op.name)
def test_encode_decode_round_trip_for_every_opcode(op):
    args = {0: (), 1: (INT_MIN,) if op.operands == ('i32',) else (1,)}[len(op.operands)]
    raw = encode(op.name, *args)
    assert len(raw) == op.size
    ins = decode(raw, 0)
    assert (ins.op, ins.args, ins.size) == (op, args, op.size)
    with pytest.raises(BytecodeError):
        decode(raw[:-1], 0) if op.size > 1 else decode(b'\x00', 0)


def test_encode_refuses_operands_that_do_not_fit():
    with pytest.raises(BytecodeError, match='does not fit'):
        encode('const', 2**31)
    with pytest.raises(BytecodeError, match='does not fit'):
        encode('load', 256)
    with pytest.raises(BytecodeError, match='takes 1 operand'):
        encode('jmp')


def test_table_text_lists_every_instruction():
    text = table_text()
    for op in TABLE:
        assert f'0x{op.code:02x}   {op.name}' in text


def test_listing():
    cf = compile_source('func max(a, b) {\n  if (a > b) { return a; }\n  return b;\n}\n'
                        'print("max is", max(3, 8));')
    assert cf.function_listing('max') == [
        'func max(a, b): locals 2, max stack 2, 14 bytes',
        '        0  02 00           load 0        // a',
        '        2  02 01           load 1        // b',
        '        4  24              gt',
        '        5  31 0b 00        jz 11',
        '        8  02 00           load 0        // a',
        '       10  41              ret',
        '  >>   11  02 01           load 1        // b',
        '       13  41              ret',
    ]
    listing = cf.listing()
    assert listing.startswith(f'class file: {len(cf.to_bytes())} bytes, version 1, '
                              f'{len(cf.constants)} constants, 2 functions, entry main')
    assert "#2   'max is '" in listing
    assert 'call 1        // max/2' in listing
    assert "prints 3      // '\\n'" in listing


# --- the step hook: what a notebook animates -------------------------------------------------------

def test_steps_show_the_stack_before_each_instruction():
    vm = PythonVM(compile_source('var x = 2;\nprint(1 + x * 3);'))
    steps = list(vm.steps())
    assert [(s.instruction, s.stack) for s in steps[:7]] == [
        ('const 2', ()), ('store 0', (2,)), ('const 1', ()), ('load 0', (1,)),
        ('const 3', (1, 2)), ('mul', (1, 2, 3)), ('add', (1, 6))]
    assert steps[3].locals == {'x': 2}
    assert steps[6].opcode == 'add' and steps[6].function == 'main' and steps[6].depth == 1
    assert vm.output == '7\n' and vm.status == 0
    assert len(steps) == PythonVM(vm.cf).run().steps


def test_steps_follow_calls_into_new_frames():
    vm = PythonVM(compile_source('func inc(n) { return n + 1; }\nprint(inc(41));'))
    steps = list(vm.steps())
    inside = [s for s in steps if s.function == 'inc']
    assert inside[0].depth == 2 and inside[0].locals == {'n': 41} and inside[0].stack == ()
    assert inside[0].calls == (('main', 8), ('inc', 0))         # main resumes at pc 8
    assert str(inside[2]) == 'inc         7  add          stack [41, 1]  n=41'
    assert steps[-1].output == '42\n'


# --- standalone assembly, command line, doctests -------------------------------------------------

def test_rv32_source_boots_on_its_own():
    from vmlib.machine import Machine
    cf = compile_source(example_source('factorial'))
    m = Machine.from_source(rv32_source(cf), filename='factorial.s')
    result = m.run(2_000_000)
    assert (result.reason, result.exit_status) == ('poweroff', 0)
    assert m.output == run_python(cf)
    assert '.byte 84, 73, 78, 89' in rv32_source(cf)         # 'TINY'


def test_cli(tmp_path, capsys):
    from vmlib.hllvm.cli import main
    src = tmp_path / 'prog.tiny'
    src.write_text('print(6 * 7);\nprint(1 / 0);\n')
    assert main(['compile', str(src)]) == 0
    assert 'prog.tclass' in capsys.readouterr().out
    assert main(['run', str(tmp_path / 'prog.tclass'), '--platform', 'both', '--stats']) == 1
    out, err = capsys.readouterr()
    assert out == '42\nArithmeticException: / by zero\n    at main (pc 25)\n'
    assert 'python: exit status 1' in err and 'rv32: exit status 1' in err
    assert main(['dis', str(src)]) == 0
    assert 'func main()' in capsys.readouterr().out
    assert main(['rv32-source', str(src), '-o', str(tmp_path / 'prog.s')]) == 0
    assert (tmp_path / 'prog.s').read_text().count('.word op_') == len(TABLE)
    src.write_text('print(1 +);')
    assert main(['run', str(src)]) == 2
    assert 'prog.tiny:1:10: expected an expression' in capsys.readouterr().err
    assert main(['table']) == 0


@pytest.mark.parametrize('module', ['vmlib.hllvm', 'vmlib.hllvm.opcodes', 'vmlib.hllvm.lexer',
                                    'vmlib.hllvm.verifier', 'vmlib.hllvm.pyvm',
                                    'vmlib.hllvm.interp', 'vmlib.hllvm.examples'])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
