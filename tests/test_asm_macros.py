"""The assembler as GNU ``as`` reads a two-build kernel: conditions, macros, repeats, includes,
``--defsym`` and branch relaxation -- each byte for byte against GNU ``as`` + ``ld``, and each
error naming its file, line and column (and how the line was reached)."""

import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from test_asm_gnu import needs_binutils, same_as_gnu
from vmlib.asm import AsmError, assemble
from vmlib.asm.reader import MAX_DEPTH, split_arguments, substitute
from vmlib.isa import disassemble


def error(source, **kw):
    with pytest.raises(AsmError) as e:
        assemble(source, 'prog.s', **kw)
    return str(e.value)


MACROS = r'''
.macro m x, y=7
    .word \x
    .word \y
.endm
.macro n a b:req c:vararg
    .word \a, \b
    .word \c
.endm
.macro label p
lbl\p\()x: .word \@
.endm
.macro push reg
    addi sp, sp, -4
    sw   \reg, 0(sp)
.endm
.macro pushall regs:vararg
    .irp r, \regs
    push \r
    .endr
.endm
.macro maybe v
    .ifb \v
    .word 0xbbbb
    .exitm
    .endif
    .word \v
.endm
_start:
    m 1 + 2, 5
    m 3
    m 1 2
    m 1 +2
    m y=9, x=4
    m 1,
    n 1 2 3, 4
    label 5
    label 6
here: push a0
    pushall s0, s1, ra
    maybe
    maybe 12
    .purgem m
.macro m
    .word 0x1234
.endm
    m
    la a0, lbl5x
    j here
.macro say text
    .ascii "\text"
.endm
    say "hi there"
    say "a\"b"
    say plain
    .align 2
'''

CONDITIONS = r'''
    .equ LEVEL, 2
_start:
    .if LEVEL > 2
    .word 3
    .elseif LEVEL == 2
    .word 2
    .if PV
    .word 0x77
    .else
    .word 0x70
    .endif
    .else
    .word 1
    .endif
    .ifdef _start
    .word 0xd1
    .endif
    .ifndef later
    .word 0xd2
    .endif
    .ifdef LEVEL
    .word 0xd3
    .endif
    .ifc abc, abc
    .word 0xc1
    .endif
    .ifnc abc, abd
    .word 0xc2
    .endif
    .ifeq LEVEL - 2
    .word 0xe1
    .endif
    .iflt -1
    .word 0xe2
    .endif
    .ifgt 0
    .word 0xbad
    .endif
    .if 0
    .word 0xbad
    .macro never_read
    .endif
    .if PV
    li a0, 1
    .else
    csrw sstatus, a0
    .endif
    .word (LEVEL < 3), (LEVEL == 2) && (LEVEL >= 1), LEVEL <> 2, (LEVEL - 2 == 0) || 0
later:
    nop
'''

REPEATS = r'''
    .equ N, 3
_start:
    .rept N
    nop
    .endr
    .irp reg, a0, a1, a2
    li \reg, 0
    .rept 2
    addi \reg, \reg, 1
    .endr
    .endr
    .irpc c, 0123
    .byte 0x1\c
    .endr
    .align 2
'''


@needs_binutils
@pytest.mark.parametrize('source', [MACROS, REPEATS], ids=['macros', 'repeats'])
def test_macros_and_repeats_as_gnu(source, tmp_path):
    same_as_gnu(source, tmp_path)


@needs_binutils
@pytest.mark.parametrize('pv', [0, 1])
def test_conditions_as_gnu_with_defsym(pv, tmp_path):
    same_as_gnu(CONDITIONS, tmp_path, defsym={'PV': pv})


@needs_binutils
def test_include_as_gnu(tmp_path):
    inc = tmp_path / 'inc'
    inc.mkdir()
    (inc / 'regs.s').write_text('.equ UART, 0x10000000\n.include "putc.s"\n')
    (inc / 'putc.s').write_text('.macro putc ch\n    li t0, UART\n    li t1, \\ch\n'
                                '    sb t1, 0(t0)\n.endm\n')
    source = '.include "regs.s"\n_start:\n    putc 72\n    putc 105\n    j _start\n'
    (tmp_path / 'out').mkdir()
    same_as_gnu(source, tmp_path / 'out', include_dirs=[str(inc)])


RELAX = r'''
_start:
    beq a0, a1, far
    bnez a0, far
    blt a0, a1, near
    bgtu a0, a1, back
    j far
near:
    .space 4080
    bge a0, a1, _start
    bltu a2, a3, other
far:
    nop
back:
    beq a0, a0, . + 8
    .rept 3
    bne a0, a1, _start
    .endr
    .data
other: .word 1
'''


@needs_binutils
def test_branch_relaxation_as_gnu(tmp_path):
    same_as_gnu(RELAX, tmp_path)


def test_a_far_branch_becomes_the_opposite_branch_over_a_jump():
    program = assemble('_start: beq a0, a1, far\n.space 5000\nfar: nop')
    text = program.section('.text').data
    first, second = (int.from_bytes(text[i:i + 4], 'little') for i in (0, 4))
    assert disassemble(first, 0x80000000) == 'bne a0, a1, 0x80000008'
    assert disassemble(second, 0x80000004) == 'j 0x80001390'
    assert program.symbols['far'] == 0x80001390


BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'beqz', 'bgt']


@st.composite
def branchy_programs(draw):
    """Branches among labels with gaps of up to 3 KiB: some reach, some relax, some relax
    because others did."""
    n = draw(st.integers(2, 6))
    lines = ['_start:']
    for i in range(n):
        lines.append(f'L{i}:')
        for _ in range(draw(st.integers(0, 3))):
            op = draw(st.sampled_from(BRANCHES))
            target = f'L{draw(st.integers(0, n - 1))}'
            operands = 'a0, ' if op.endswith('z') else 'a0, a1, '
            lines.append(f'    {op} {operands}{target}')
        lines.append(f'    .space {4 * draw(st.integers(0, 800))}')
    return '\n'.join(lines) + '\n    nop\n'


@needs_binutils
@settings(max_examples=25, deadline=None)
@given(branchy_programs())
def test_relaxation_reaches_gnus_layout(tmp_path_factory, source):
    same_as_gnu(source, tmp_path_factory.mktemp('relax'))


# --- errors: file, line, column, and how the line was reached ------------------------------

def test_an_error_in_a_macro_points_into_its_body_and_names_the_invocation():
    source = '.macro load r\n  lw \\r, 0(a9)\n.endm\n  nop\n  load a0\n'
    assert error(source) == ("prog.s:2:12: error: expected a register, found 'a9' "
                             "(in macro 'load' invoked at prog.s:5)")


def test_an_error_in_an_included_file_names_both_files(tmp_path):
    (tmp_path / 'bad.s').write_text('nop\nfoo a0\n')
    message = error('nop\n.include "bad.s"\n', include_dirs=[tmp_path])
    assert message == (f"{tmp_path / 'bad.s'}:2:1: error: unknown instruction 'foo' "
                       '(included from prog.s:2)')


def test_nested_notes_say_the_whole_way(tmp_path):
    (tmp_path / 'm.s').write_text('.macro bad\n  addi a0, a0, 5000\n.endm\n')
    message = error('.include "m.s"\n  bad\n', include_dirs=[tmp_path])
    assert "immediate 5000 out of range" in message
    assert message.startswith(f"{tmp_path / 'm.s'}:2:")
    assert message.endswith("(in macro 'bad' invoked at prog.s:2)")


@pytest.mark.parametrize('source, message', [
    ('.if 1\nnop\n', "prog.s:1:1: error: '.if' has no '.endif' before the end of the file"),
    ('.else\n', "prog.s:1:1: error: '.else' without an '.if' before it"),
    ('.if 1\n.else\n.else\n.endif\n',
     "prog.s:3:1: error: '.else' after the '.else' of the '.if' on line 1"),
    ('.endm\n', "prog.s:1:1: error: '.endm' without a '.macro' before it"),
    ('.endr\n', "prog.s:1:1: error: '.endr' without a '.rept', '.irp' or '.irpc' before it"),
    ('.macro m\nnop\n', "prog.s:1:1: error: '.macro' has no '.endm' before the end of the file"),
    ('.rept 2\nnop\n', "prog.s:1:1: error: '.rept' has no '.endr' before the end of the file"),
    ('.if later\n.endif\nlater: nop',
     'prog.s:1:5: error: the condition of .if must be a constant known at this point '
     '(not a label address or a symbol defined later)'),
    ('.macro m a\n.endm\nm 1, 2\n', "prog.s:3:1: error: macro 'm' takes 1 argument, given 2"),
    ('.macro m a:req\n.endm\nm\n',
     "prog.s:3:1: error: macro 'm': missing value for the required parameter 'a'"),
    ('.exitm\n', "prog.s:1:1: error: '.exitm' outside a macro"),
    ('.include "nope.s"\n', "prog.s:1:10: error: cannot open 'nope.s' for reading (looked for "
                            'nope.s; add its folder with -I)'),
])
def test_error_messages(source, message):
    assert error(source) == message


def test_runaway_expansions_end_with_a_reason(tmp_path):
    assert f'macros nest deeper than {MAX_DEPTH}' in error('.macro r\n r\n.endm\n r\n')
    assert 'would make 1,000,000,000 copies' in error('.rept 1000000000\nnop\n.endr\n')
    (tmp_path / 'self.s').write_text('.include "self.s"\n')
    assert 'includes nest deeper' in error('.include "self.s"\n', include_dirs=[tmp_path])


def test_defsym_is_an_assignment_before_the_source():
    program = assemble('.word PV * 2', defsym={'PV': '21'})
    assert program.section('.text').data == (42).to_bytes(4, 'little')
    assert '--defsym' in error('nop', defsym={'X': '1 +'})


def test_line_map_points_at_the_include_or_the_invocation(tmp_path):
    (tmp_path / 'two.s').write_text('nop\nnop\n')
    program = assemble('.macro twice\n nop\n nop\n.endm\n twice\n.include "two.s"\n',
                       include_dirs=[tmp_path])
    assert [program.line_map[0x80000000 + 4 * i] for i in range(4)] == [5, 5, 6, 6]


def test_text_helpers():
    assert split_arguments(' 1 + 2, 5') == ['1 + 2', '5']
    assert split_arguments(' 1 2 "a b" # c') == ['1', '2', 'a b']
    assert split_arguments(r' "a\"b", "x" "y"') == [r'a\"b', 'x', 'y']
    assert split_arguments(' x,') == ['x', '']
    assert substitute(r'lbl\p\()x: .word \@, \q', {'p': '5'}, 7) == r'lbl5x: .word 7, \q'


def test_command_line_defsym_and_include(tmp_path):
    (tmp_path / 'inc').mkdir()
    (tmp_path / 'inc' / 'v.s').write_text('.word VALUE\n')
    (tmp_path / 'p.s').write_text('.include "v.s"\n')
    run = subprocess.run([sys.executable, '-m', 'vmlib', 'asm', str(tmp_path / 'p.s'), '-o',
                          str(tmp_path / 'p.elf'), '--defsym', 'VALUE=0x2a', '-I',
                          str(tmp_path / 'inc')], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / 'p.elf').read_bytes()[:4] == b'\x7fELF'
    bad = subprocess.run([sys.executable, '-m', 'vmlib', 'asm', str(tmp_path / 'p.s'),
                          '--defsym', 'VALUE'], capture_output=True, text=True)
    assert bad.returncode == 2 and "'VALUE' is not NAME=VALUE" in bad.stderr
