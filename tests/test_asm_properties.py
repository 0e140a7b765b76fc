"""Property tests of the assembler.

(a) round trips: every legal instruction of the decode table, disassembled (with and without
    the aliases objdump prints), assembles back to the same word at the same pc;
(b) robustness: random text, and random mutations of valid programs, either assemble into a
    complete program or raise ``AsmError`` — never anything else;
(c) expressions: the evaluator agrees with Python (with C's ``/`` and ``%``) on random
    expressions, and whatever it accepts without parentheses means the same under GNU as's
    precedence rules.
"""

import itertools
import re

import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from strategies import assembly_lines, fields_for, instruction_words
from vmlib.asm import AsmError, assemble
from vmlib.asm.errors import MAX_ERRORS
from vmlib.isa import SPECS, disassemble

M32 = 0xFFFFFFFF


def assembled_word(text, pc):
    data = assemble(text, base=pc).section('.text').data
    assert len(data) == 4, (text, data.hex())
    return int.from_bytes(data, 'little')


# --- (a) round trips ------------------------------------------------------------------------

def biased_fields(spec):
    """Like ``fields_for`` but often picking the values that make objdump print an alias
    (x0, ra, imm 0/1/-1, all fence bits), so every alias is exercised."""
    fmt = spec.format.name

    def one(name, lo, hi):
        base = fields_for(spec).map(lambda f: f[name])
        if name in ('rd', 'rs1', 'rs2'):
            special = st.sampled_from([0, 1, 2, 10])
        elif name in ('pred', 'succ'):
            special = st.sampled_from([0, 15, 3])
        elif name == 'imm' and fmt not in ('U', 'J', 'B'):
            special = st.sampled_from([v for v in (0, 1, -1) if lo <= v <= hi])
        else:
            return base
        return st.one_of(special, base)
    return st.fixed_dictionaries({n: one(n, lo, hi) for n, (lo, hi) in
                                  spec.format.ranges.items()})


pcs = st.integers(0, (M32 >> 2) - 1).map(lambda v: v * 4)


@pytest.mark.parametrize('spec', SPECS, ids=lambda s: s.name)
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_disassembly_assembles_back_to_the_same_word(spec, data):
    fields = data.draw(biased_fields(spec), label='fields')
    pc = data.draw(st.one_of(st.just(0x8000_0000), pcs), label='pc')
    word = spec.encode(**fields)
    for aliases in (True, False):
        text = disassemble(word, pc, aliases=aliases)
        assert assembled_word(text, pc) == word, text


SMALL = {'rd': (0, 1, 10), 'rs1': (0, 1, 11), 'rs2': (0, 1, 12), 'aqrl': (0, 3),
         'pred': (0, 3, 15), 'succ': (0, 15), 'csr': (0x300, 0xC00)}


def small_field_sets(spec):
    """Every combination of a few telling values per field (x0, ra, 0, 1, -1 ...)."""
    names, choices = [], []
    for name, (lo, hi) in spec.format.ranges.items():
        names.append(name)
        if name == 'imm':
            step = 4096 if spec.format.name == 'U' else 2 if spec.format.name in 'BJ' else 1
            choices.append(sorted({v for v in (0, step, -step, lo, hi) if lo <= v <= hi}))
        elif spec.format.name == 'CSRI' and name == 'rs1':
            choices.append((0, 1, 31))
        else:
            choices.append(SMALL[name])
    for combo in itertools.product(*choices):
        yield dict(zip(names, combo))


def test_every_alias_of_the_disassembler_round_trips():
    """Exhaustive over small field values: each alias text the disassembler can print (and
    each plain form) assembles back, and every alias of the course list is met."""
    seen = set()
    for spec in SPECS:
        for fields in small_field_sets(spec):
            word = spec.encode(**fields)
            for aliases in (True, False):
                text = disassemble(word, 0x8000_0000, aliases=aliases)
                seen.add(text.split()[0])
                assert assembled_word(text, 0x8000_0000) == word, text
    expected = set('nop li mv not neg seqz snez sltz sgtz j jal jr jalr ret beqz bnez blez '
                   'bgez bltz bgtz csrr csrw csrs csrc csrwi csrsi csrci fence '
                   'sfence.vma'.split())
    assert expected <= seen, expected - seen


@settings(max_examples=300)
@given(instruction_words(), pcs)
def test_random_legal_words_round_trip(word, pc):
    for aliases in (True, False):
        assert assembled_word(disassemble(word, pc, aliases=aliases), pc) == word


# --- (b) robustness -------------------------------------------------------------------------

def assemble_or_error(text):
    """Assemble ``text``: a complete Program, or an AsmError — nothing else may escape."""
    try:
        prog = assemble(text, 'fuzz.s')
    except AsmError as e:
        lines = str(e).split('\n')         # one line per error, the first error first
        assert lines[0] == f'{e.where()}: error: {e.message}'
        assert len(lines) == len(e.errors) + e.stopped and len(e.errors) <= MAX_ERRORS
        if e.stopped:
            assert lines.pop() == ('fuzz.s: too many errors; stopped after the first '
                                   f'{len(e.errors)}')
        for line in lines:
            assert re.match(r'fuzz\.s(:\d+(:\d+)?)?: error: ', line), line
        return None
    prog.image()
    prog.to_elf()
    prog.listing()
    return prog


TOKENS = ['add', 'addi', 'lw', 'sw', 'li', 'la', 'j', 'beq', 'csrw', 'mstatus', 'a0', 'sp',
          'x5', 'zero', ',', '(', ')', '0', '1', '-1', '0x10', "'a'", '"s"', ':', '1:', '1b',
          '1f', 'lbl', 'lbl:', '.word', '.byte', '.ascii', '.align', '.space', '.equ', '.set',
          '.section', '.text', '.data', '.bss', '%hi', '%lo', '%pcrel_lo', '+', '-', '*', '/',
          '<<', '>>', '&', '|', '^', '~', '.', '#', ';', '\n', ' ', '/*', '*/', '=', '\\',
          '.org', '.fill', '.pushsection', '.popsection', 'amoadd.w.aq', 'fence', 'rw']


@settings(max_examples=400)
@given(st.text())
@example('\x00\n\t\r')
@example('.align 31\n')
@example('.word ' + '(' * 50)
@example('1:' * 50)
def test_random_text_only_raises_asm_error(text):
    assemble_or_error(text)


@settings(max_examples=400)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(' '.join))
def test_random_token_soup_only_raises_asm_error(text):
    assemble_or_error(text)


@st.composite
def mutated_programs(draw):
    lines = draw(st.lists(assembly_lines(), min_size=1, max_size=25))
    text = '\n'.join(lines)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(['delete', 'insert', 'replace', 'duplicate', 'swap']))
        if kind in ('delete', 'insert', 'replace') and text:
            i = draw(st.integers(0, len(text) - 1))
            c = draw(st.sampled_from(list('abx0159 ,()-+:.#"\'\n%') + ['zero', '0x', '1f']))
            text = (text[:i] + (c if kind != 'delete' else '')
                    + text[i + (0 if kind == 'insert' else 1):])
        else:
            rows = text.split('\n')
            i, j = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(rows) - 1))
            if kind == 'duplicate':
                rows.insert(j, rows[i])
            else:
                rows[i], rows[j] = rows[j], rows[i]
            text = '\n'.join(rows)
    return text


@settings(max_examples=200)
@given(mutated_programs())
def test_mutated_programs_only_raise_asm_error(text):
    assemble_or_error(text)


@settings(max_examples=200)
@given(st.lists(assembly_lines(), min_size=1, max_size=25))
def test_generated_programs_mostly_assemble(lines):
    """The lines of ``assembly_lines`` are valid; a program of them fails only for a reason
    the generator cannot avoid (a duplicate label, a label it never defined ...)."""
    text = '\n'.join(lines)
    try:
        assemble(text)
    except AsmError as e:
        assert any(s in e.message for s in ('duplicate', 'undefined symbol', 'refers ',
                                            'not 4-byte aligned', 'cannot go in .bss',
                                            'out of range', 'only zeros', 'already a label',
                                            'must be a constant')), e.message


# --- (c) expressions ------------------------------------------------------------------------

C_RANK = {'|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6}
GNU_RANK = {'|': 2, '^': 2, '&': 2, '<<': 3, '>>': 3, '+': 1, '-': 1, '*': 3, '/': 3, '%': 3}
SYMBOLS = {'A': 5, 'B': -3, 'BIG': 0x12345678, 'Z': 0}


def leaves():
    number = st.integers(0, 5000)
    return st.one_of(
        number.map(lambda v: (str(v), v)),
        number.map(lambda v: (hex(v), v)),
        st.integers(0, 255).map(lambda v: (bin(v).replace('0b', '0b'), v)),
        st.integers(1, 511).map(lambda v: ('0' + oct(v)[2:], v)),
        st.sampled_from('az09 ~!').map(lambda c: (f"'{c}'", ord(c))),
        st.sampled_from(sorted(SYMBOLS)).map(lambda n: (n, SYMBOLS[n])),
    ).map(lambda leaf: ('leaf',) + leaf)


def trees():
    return st.recursive(
        leaves(),
        lambda sub: st.one_of(
            st.tuples(st.just('un'), st.sampled_from('-~+'), sub),
            st.tuples(st.just('bin'), st.sampled_from(sorted(C_RANK)), sub, sub)),
        max_leaves=12)


def render(tree, minimal):
    """Assembler text: fully parenthesized, or with only the parentheses C needs."""
    if tree[0] == 'leaf':
        return tree[1]
    if tree[0] == 'un':
        inner = render(tree[2], minimal)
        return tree[1] + (f'({inner})' if tree[2][0] == 'bin' or inner[0] in '-~+' else inner)
    op, left, right = tree[1], tree[2], tree[3]
    a, b = render(left, minimal), render(right, minimal)
    if not minimal or (left[0] == 'bin' and C_RANK[left[1]] < C_RANK[op]):
        a = f'({a})' if left[0] == 'bin' else a
    if not minimal or (right[0] == 'bin' and C_RANK[right[1]] <= C_RANK[op]):
        b = f'({b})' if right[0] == 'bin' else b
    return f'{a} {op} {b}'


class Invalid(Exception):
    """The expression has no value (division by zero, a shift count outside 0..63) or no
    single one (a negative number shifted right: GNU as and C disagree)."""


def c_div(a, b):
    if b == 0:
        raise Invalid('division by zero')
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def wrap64(v):
    return (v + (1 << 63)) % (1 << 64) - (1 << 63)


def python_value(tree):
    """Python's evaluation of the tree, with C's truncating / and %, each result kept to
    64 bits two's complement (as GNU as keeps values)."""
    if tree[0] == 'leaf':
        return tree[2]
    if tree[0] == 'un':
        v = python_value(tree[2])
        result = {'-': -v, '~': ~v, '+': v}[tree[1]]
    else:
        op, a, b = tree[1], python_value(tree[2]), python_value(tree[3])
        if op in ('<<', '>>') and not 0 <= b < 64:
            raise Invalid('shift count')
        if op == '>>' and a < 0:
            raise Invalid('right shift of a negative number')
        if op == '/':
            result = c_div(a, b)
        elif op == '%':
            result = a - b * c_div(a, b)
        else:
            result = eval(f'a {op} b')          # Python's own operator
    return wrap64(result)


def assembler_value(text):
    source = ''.join(f'.equ {n}, {v}\n' for n, v in SYMBOLS.items()) + f'.dword {text}\n'
    data = assemble(source).section('.text').data
    return int.from_bytes(data, 'little', signed=True)


@settings(max_examples=300)
@given(trees())
def test_expressions_agree_with_python(tree):
    text = render(tree, minimal=False)
    try:
        expected = python_value(tree)
    except Invalid as why:
        with pytest.raises(AsmError) as info:
            assembler_value(text)
        assert str(why) in info.value.message
        return
    assert assembler_value(text) == expected, text


def gnu_value(text):
    """An independent evaluator with GNU as's precedence (for the minimal-parentheses text)."""
    tokens = re.findall(r"<<|>>|'.'|0[xX][0-9a-fA-F]+|0b[01]+|\d+|[A-Z]+|\S", text)
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def primary():
        t = tokens[pos[0]]
        pos[0] += 1
        if t in '-~+':
            v = primary()
            return {'-': -v, '~': ~v, '+': v}[t]
        if t == '(':
            v = binary(0)
            pos[0] += 1
            return v
        if t in SYMBOLS:
            return SYMBOLS[t]
        if t.startswith("'"):
            return ord(t[1])
        if t.startswith(('0x', '0X')):
            return int(t, 16)
        if t.startswith('0b'):
            return int(t[2:], 2)
        return int(t, 8) if t.startswith('0') and len(t) > 1 else int(t)

    def binary(min_rank):
        left = primary()
        while peek() in GNU_RANK and GNU_RANK[peek()] >= min_rank:
            op = tokens[pos[0]]
            pos[0] += 1
            right = binary(GNU_RANK[op] + 1)
            left = python_value(('bin', op, ('leaf', '', left), ('leaf', '', right)))
        return left
    return binary(0)


@settings(max_examples=300)
@given(trees())
def test_unparenthesized_expressions_have_one_meaning(tree):
    """Without extra parentheses the assembler either refuses the expression (C and GNU as
    would group it differently) or gives the value that both C and GNU as give."""
    text = render(tree, minimal=True)
    try:
        expected = python_value(tree)
    except Invalid:
        assume(False)
    try:
        value = assembler_value(text)
    except AsmError as e:
        assert 'add parentheses' in e.message, (text, e.message)
        return
    assert value == expected, text
    assert gnu_value(text) == expected, text
