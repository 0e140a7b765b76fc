"""Unit tests of the assembler: syntax, expressions, instructions, pseudo-instructions,
directives, the default link, the ELF writer, the command line and the error messages."""

import argparse
import io
import struct

import pytest

from vmlib.asm import AsmError, Program, assemble, assemble_file
from vmlib.asm.directives import map_section, riscv_nops
from vmlib.asm.errors import MAX_ERRORS
from vmlib.asm.expr import hi20, lo12
from vmlib.isa import BY_NAME, CSR_NUMBERS

BASE = 0x8000_0000


def enc(name, **fields):
    return BY_NAME[name].encode(**fields)


def words(source, section='.text', **kw):
    """The words of ``section`` after assembling ``source``."""
    data = assemble(source, **kw).section(section).data
    return [int.from_bytes(data[i:i + 4], 'little') for i in range(0, len(data), 4)]


def data_of(source, section='.data'):
    """The bytes of ``section``; ``source`` starts in that section."""
    return assemble(f'{section}\n{source}').section(section).data


def error(source, filename='prog.s'):
    """The message of the first error that ``source`` raises (its first line)."""
    return error_lines(source, filename)[0]


def error_lines(source, filename='prog.s'):
    """The lines of the AsmError that ``source`` raises: one per error, in source order."""
    with pytest.raises(AsmError) as info:
        assemble(source, filename)
    return str(info.value).split('\n')


# --- lexical syntax -------------------------------------------------------------------------

class TestLexical:
    def test_comments_and_separators(self):
        src = '''# a comment line
        nop  # trailing comment
        /* a block
           comment over lines */ nop ; nop
        '''
        assert words(src) == [enc('addi')] * 3

    def test_line_numbers_survive_block_comments(self):
        assert error('/* one\ntwo */\n  qqq') == \
            "prog.s:3:3: error: unknown instruction 'qqq'"

    @pytest.mark.parametrize('text,value', [
        ('42', 42), ('0x2a', 42), ('0X2A', 42), ('0b101010', 42), ('052', 42), ('0', 0),
        ("'*'", 42), ("'*", 42), (r"'\n'", 10), (r"'\t'", 9), (r"'\\'", 92), (r"'\''", 39),
        (r"'\0'", 0), (r"'\x41'", 65), (r"'\101'", 65), ("'a' - 10", 87),
    ])
    def test_numbers_and_characters(self, text, value):
        assert words(f'.word {text}') == [value]

    def test_strings_and_escapes(self):
        assert data_of(r'.ascii "a\tb\n\"q\"\\ \x41\101\0"') == b'a\tb\n"q"\\ AA\0'

    def test_mnemonics_are_case_insensitive(self):
        assert words('ADDI a0, a0, 1') == [enc('addi', rd=10, rs1=10, imm=1)]

    def test_register_names(self):
        assert words('add x1, fp, s0') == [enc('add', rd=1, rs1=8, rs2=8)]
        assert words('add zero, ra, t6') == [enc('add', rd=0, rs1=1, rs2=31)]


# --- expressions ----------------------------------------------------------------------------

class TestExpressions:
    @pytest.mark.parametrize('text,value', [
        ('1 + 2 * 3', 7), ('(1 + 2) * 3', 9), ('(1 << 8) | 3', 259), ('1 << 8 | 3', 259),
        ('7 / 2', 3), ('-7 / 2', -3), ('-7 % 2', -1), ('7 % -2', 1), ('~0 & 0xff', 255),
        ('3 - 1 - 1', 1), ('100 / 10 / 2', 5), ('-(-5)', 5), ('+4', 4), ('~~7', 7),
        ('0xF0 ^ 0xFF', 0x0F), ('1 << 31', 1 << 31), ('8 >> 1', 4), ('6 & 3 ^ 1', 3),
        ('2 * 3 % 4', 2), ('5 - 3 + 1', 3),
    ])
    def test_c_semantics(self, text, value):
        assert words(f'.word {text}') == [value & 0xFFFFFFFF]

    @pytest.mark.parametrize('text', ['1 + 2 << 3', '1 << 2 + 3', '1 | 2 & 3', '4 & 1 + 1',
                                      '1 ^ 2 - 1', '2 << 1 * 3'])
    def test_gnu_and_c_disagree_so_parentheses_are_required(self, text):
        assert 'add parentheses' in error(f'.word {text}')

    def test_equ_names_labels_and_dot(self):
        src = '''
            .equ VPAGE, 0x40000000
            .set FOUR, 4
        start:
            .word (VPAGE >> 22) * FOUR, start, . , end - start, FOUR * 2
        end:
        '''
        assert words(src) == [0x400, BASE, BASE + 8, 20, 8]

    def test_set_can_be_redefined_and_each_use_sees_its_value(self):
        src = '.set i, 1\n.word i\n.set i, i + 1\n.word i\n.set i, i * 10\n.word i'
        assert words(src) == [1, 2, 20]

    def test_name_equals_expression(self):
        assert words('X = 3\n.word X + 1') == [4]

    def test_forward_references(self):
        src = '.word later, K\n.equ K, J + 1\n.equ J, 41\nlater: nop'
        assert words(src)[:2] == [BASE + 8, 42]

    def test_numeric_local_labels_are_reusable(self):
        src = '''
        1:  j 1f
        1:  j 1b
            j 2f
        2:  j 1b
        '''
        assert words(src) == [enc('jal', rd=0, imm=4), enc('jal', rd=0, imm=0),
                              enc('jal', rd=0, imm=4), enc('jal', rd=0, imm=-8)]

    @pytest.mark.parametrize('value', [0, 1, 0x7FF, 0x800, 0xFFF, 0x1000, 0x12345678,
                                       0x7FFFF800, 0x80000000, 0xFFFFF800, 0xFFFFFFFF])
    def test_hi_lo_carry_rule(self, value):
        assert ((hi20(value) << 12) + lo12(value)) & 0xFFFFFFFF == value
        src = f'''.equ V, {value}
        lui a0, %hi(V)
        addi a0, a0, %lo(V)'''
        assert words(src) == [enc('lui', rd=10, imm=hi20(value) << 12),
                              enc('addi', rd=10, rs1=10, imm=lo12(value))]

    def test_hi_lo_of_a_label_and_in_offsets(self):
        src = '''
            lui a0, %hi(msg)
            lw a1, %lo(msg)(a0)
            sw a1, %lo(msg)(a0)
            .data
        msg: .word 7
        '''
        prog = assemble(src)
        msg = prog.symbols['msg']
        assert words(src) == [enc('lui', rd=10, imm=hi20(msg) << 12),
                              enc('lw', rd=11, rs1=10, imm=lo12(msg)),
                              enc('sw', rs1=10, rs2=11, imm=lo12(msg))]

    def test_pcrel_hi_and_lo(self):
        src = '''
        1:  auipc a0, %pcrel_hi(msg)
            addi a0, a0, %pcrel_lo(1b)
            .data
        msg: .word 7
        '''
        prog = assemble(src)
        offset = prog.symbols['msg'] - BASE
        assert words(src) == [enc('auipc', rd=10, imm=hi20(offset) << 12),
                              enc('addi', rd=10, rs1=10, imm=lo12(offset))]

    def test_pcrel_lo_must_name_an_auipc(self):
        assert '%pcrel_lo needs the label of an earlier auipc' in \
            error('x: nop\naddi a0, a0, %pcrel_lo(x)')

    def test_arithmetic_errors(self):
        assert error('.word 1 / 0') == 'prog.s:1:9: error: division by zero'
        assert error('.word 1 % (2 - 2)') == 'prog.s:1:9: error: division by zero'
        assert error('.word 1 << 64') == 'prog.s:1:9: error: shift count 64 out of range 0..63'
        assert 'right shift of a negative number (-8)' in error('.word -8 >> 1')
        assert words('.word (-8 & 0xffffffff) >> 1') == [0x7FFFFFFC]

    def test_nesting_is_bounded(self):
        assert 'nested more than' in error('.word ' + '(' * 100 + '1' + ')' * 100)
        assert 'nested more than' in error('.word ' + '-' * 100 + '1')
        assert 'expression too long' in error('.word ' + '+'.join(['1'] * 500))

    def test_values_wrap_to_64_bits_like_gnu_as(self):
        assert words('.dword 0xFFFFFFFFFFFFFFFF + 2', ) == [1, 0]
        assert 'does not fit in 64 bits' in error('.word 0x10000000000000000')

    def test_registers_are_not_expressions(self):
        assert error('addi a0, a0, a1') == \
            "prog.s:1:14: error: expected an immediate, found register 'a1'"


# --- real instructions: every operand syntax of the table -----------------------------------

class TestInstructions:
    @pytest.mark.parametrize('text,name,fields', [
        ('add a0, a1, a2', 'add', dict(rd=10, rs1=11, rs2=12)),
        ('sub t0, t1, t2', 'sub', dict(rd=5, rs1=6, rs2=7)),
        ('mulhsu s0, s1, s2', 'mulhsu', dict(rd=8, rs1=9, rs2=18)),
        ('addi sp, sp, -16', 'addi', dict(rd=2, rs1=2, imm=-16)),
        ('sltiu a0, a1, 2047', 'sltiu', dict(rd=10, rs1=11, imm=2047)),
        ('xori a0, a1, -2048', 'xori', dict(rd=10, rs1=11, imm=-2048)),
        ('srai a0, a1, 31', 'srai', dict(rd=10, rs1=11, imm=31)),
        ('lw a0, 8(sp)', 'lw', dict(rd=10, rs1=2, imm=8)),
        ('lbu a0, (a1)', 'lbu', dict(rd=10, rs1=11, imm=0)),
        ('lh a0, -2(a1)', 'lh', dict(rd=10, rs1=11, imm=-2)),
        ('sw ra, 12(sp)', 'sw', dict(rs1=2, rs2=1, imm=12)),
        ('sb a0, (a1)', 'sb', dict(rs1=11, rs2=10, imm=0)),
        ('lui a0, 0x12345', 'lui', dict(rd=10, imm=0x12345000)),
        ('auipc t0, 0xfffff', 'auipc', dict(rd=5, imm=0xFFFFF000)),
        ('jalr ra, 4(a0)', 'jalr', dict(rd=1, rs1=10, imm=4)),
        ('jal ra, .', 'jal', dict(rd=1, imm=0)),
        ('beq a0, a1, . + 8', 'beq', dict(rs1=10, rs2=11, imm=8)),
        ('bgeu a0, a1, . - 4096', 'bgeu', dict(rs1=10, rs2=11, imm=-4096)),
        ('csrrw a0, mstatus, a1', 'csrrw', dict(rd=10, rs1=11, csr=0x300)),
        ('csrrs a0, 0x341, zero', 'csrrs', dict(rd=10, rs1=0, csr=0x341)),
        ('csrrci a0, mie, 31', 'csrrci', dict(rd=10, rs1=31, csr=0x304)),
        ('lr.w a0, (a1)', 'lr.w', dict(rd=10, rs1=11)),
        ('sc.w a0, a2, (a1)', 'sc.w', dict(rd=10, rs1=11, rs2=12)),
        ('amoswap.w a0, a2, 0(a1)', 'amoswap.w', dict(rd=10, rs1=11, rs2=12)),
        ('fence rw, w', 'fence', dict(pred=0b0011, succ=0b0001)),
        ('fence iorw, io', 'fence', dict(pred=15, succ=12)),
        ('fence.i', 'fence.i', {}),
        ('ecall', 'ecall', {}), ('ebreak', 'ebreak', {}), ('mret', 'mret', {}),
        ('sret', 'sret', {}), ('wfi', 'wfi', {}),
        ('sfence.vma a0, a1', 'sfence.vma', dict(rs1=10, rs2=11)),
    ])
    def test_operand_syntax(self, text, name, fields):
        assert words(text) == [enc(name, **fields)]

    @pytest.mark.parametrize('suffix,bits', [('', 0), ('.aq', 2), ('.rl', 1), ('.aqrl', 3)])
    def test_amo_ordering_suffixes(self, suffix, bits):
        assert words(f'amoadd.w{suffix} a0, a1, (a2)') == \
            [enc('amoadd.w', rd=10, rs1=12, rs2=11, aqrl=bits)]
        assert words(f'lr.w{suffix} a0, (a2)') == [enc('lr.w', rd=10, rs1=12, aqrl=bits)]

    def test_suffixes_only_on_atomics(self):
        assert "unknown instruction 'add.aq'" in error('add.aq a0, a1, a2')

    def test_every_csr_name(self):
        for name, number in CSR_NUMBERS.items():
            assert words(f'csrr a0, {name}') == [enc('csrrs', rd=10, rs1=0, csr=number)]

    def test_branches_to_labels_backward_and_forward(self):
        src = 'top: beq a0, a1, bottom\n nop\nbottom: bne a0, a1, top'
        assert words(src) == [enc('beq', rs1=10, rs2=11, imm=8), enc('addi'),
                              enc('bne', rs1=10, rs2=11, imm=-8)]

    def test_absolute_numeric_targets(self):
        assert words('j 0x80000010') == [enc('jal', rd=0, imm=16)]


# --- pseudo-instructions --------------------------------------------------------------------

class TestPseudoInstructions:
    @pytest.mark.parametrize('text,expected', [
        ('nop', [('addi', {})]),
        ('mv a0, a1', [('addi', dict(rd=10, rs1=11))]),
        ('not a0, a1', [('xori', dict(rd=10, rs1=11, imm=-1))]),
        ('neg a0, a1', [('sub', dict(rd=10, rs2=11))]),
        ('seqz a0, a1', [('sltiu', dict(rd=10, rs1=11, imm=1))]),
        ('snez a0, a1', [('sltu', dict(rd=10, rs2=11))]),
        ('sltz a0, a1', [('slt', dict(rd=10, rs1=11))]),
        ('sgtz a0, a1', [('slt', dict(rd=10, rs2=11))]),
        ('beqz a0, .', [('beq', dict(rs1=10))]),
        ('bnez a0, .', [('bne', dict(rs1=10))]),
        ('blez a0, .', [('bge', dict(rs2=10))]),
        ('bgez a0, .', [('bge', dict(rs1=10))]),
        ('bltz a0, .', [('blt', dict(rs1=10))]),
        ('bgtz a0, .', [('blt', dict(rs2=10))]),
        ('bgt a0, a1, .', [('blt', dict(rs1=11, rs2=10))]),
        ('ble a0, a1, .', [('bge', dict(rs1=11, rs2=10))]),
        ('bgtu a0, a1, .', [('bltu', dict(rs1=11, rs2=10))]),
        ('bleu a0, a1, .', [('bgeu', dict(rs1=11, rs2=10))]),
        ('j .', [('jal', {})]),
        ('jal .', [('jal', dict(rd=1))]),
        ('jr a0', [('jalr', dict(rs1=10))]),
        ('jr 8(a0)', [('jalr', dict(rs1=10, imm=8))]),
        ('jalr a0', [('jalr', dict(rd=1, rs1=10))]),
        ('jalr 8(a0)', [('jalr', dict(rd=1, rs1=10, imm=8))]),
        ('jalr t0, a1', [('jalr', dict(rd=5, rs1=11))]),
        ('jalr t0, a1, -4', [('jalr', dict(rd=5, rs1=11, imm=-4))]),
        ('ret', [('jalr', dict(rs1=1))]),
        ('fence', [('fence', dict(pred=15, succ=15))]),
        ('sfence.vma', [('sfence.vma', {})]),
        ('sfence.vma a0', [('sfence.vma', dict(rs1=10))]),
        ('csrr a0, mepc', [('csrrs', dict(rd=10, csr=0x341))]),
        ('csrw mtvec, a0', [('csrrw', dict(rs1=10, csr=0x305))]),
        ('csrs mstatus, a0', [('csrrs', dict(rs1=10, csr=0x300))]),
        ('csrc mstatus, a0', [('csrrc', dict(rs1=10, csr=0x300))]),
        ('csrwi mstatus, 8', [('csrrwi', dict(rs1=8, csr=0x300))]),
        ('csrsi mstatus, 8', [('csrrsi', dict(rs1=8, csr=0x300))]),
        ('csrci mstatus, 8', [('csrrci', dict(rs1=8, csr=0x300))]),
        ('csrw mstatus, 8', [('csrrwi', dict(rs1=8, csr=0x300))]),
        ('csrs mie, 1 << 3', [('csrrsi', dict(rs1=8, csr=0x304))]),
        ('csrrw a0, mstatus, 5', [('csrrwi', dict(rd=10, rs1=5, csr=0x300))]),
        ('rdcycle a0', [('csrrs', dict(rd=10, csr=0xC00))]),
        ('rdtime a0', [('csrrs', dict(rd=10, csr=0xC01))]),
        ('unimp', [('csrrw', dict(csr=0xC00))]),
        ('sgt a0, a1, a2', [('slt', dict(rd=10, rs1=12, rs2=11))]),
        ('zext.b a0, a1', [('andi', dict(rd=10, rs1=11, imm=255))]),
    ])
    def test_expansions(self, text, expected):
        assert words(text) == [enc(name, **fields) for name, fields in expected]

    @pytest.mark.parametrize('value,expected', [
        (0, [('addi', dict(rd=10, imm=0))]),
        (-2048, [('addi', dict(rd=10, imm=-2048))]),
        (2047, [('addi', dict(rd=10, imm=2047))]),
        (0xFFFFFFFF, [('addi', dict(rd=10, imm=-1))]),
        (0x1000, [('lui', dict(rd=10, imm=0x1000))]),
        (0x80000000, [('lui', dict(rd=10, imm=0x80000000))]),
        (-0x80000000, [('lui', dict(rd=10, imm=0x80000000))]),
        (2048, [('lui', dict(rd=10, imm=0x1000)), ('addi', dict(rd=10, rs1=10, imm=-2048))]),
        (0x12345678, [('lui', dict(rd=10, imm=0x12345000)),
                      ('addi', dict(rd=10, rs1=10, imm=0x678))]),
        (0x7FFFF800, [('lui', dict(rd=10, imm=0x80000000)),
                      ('addi', dict(rd=10, rs1=10, imm=-2048))]),
        (0xDEADBEEF, [('lui', dict(rd=10, imm=0xDEADC000)),
                      ('addi', dict(rd=10, rs1=10, imm=-273))]),
    ])
    def test_li_picks_the_shortest_sequence(self, value, expected):
        assert words(f'li a0, {value}') == [enc(n, **f) for n, f in expected]

    def test_li_with_a_value_known_only_later_takes_two_words(self):
        src = 'li a0, N\nli a1, later - start\nstart: nop\nlater:\n.equ N, 5'
        assert words(src) == [enc('lui', rd=10), enc('addi', rd=10, rs1=10, imm=5),
                              enc('lui', rd=11), enc('addi', rd=11, rs1=11, imm=4),
                              enc('addi')]

    def test_li_with_a_known_label_difference_is_short(self):
        assert words('start: nop\nend:\nli a0, end - start') == \
            [enc('addi'), enc('addi', rd=10, imm=4)]

    def test_li_range(self):
        assert error('li a0, 0x100000000') == \
            'prog.s:1:8: error: li value 4294967296 does not fit in 32 bits'
        assert 'does not fit in 32 bits' in error('li a0, -0x80000001')

    def test_la_call_tail_and_symbol_loads_are_pc_relative(self):
        src = '''
            la a0, msg
            lla a1, msg
            call fn
            call t0, fn
            tail fn
            lw a2, msg
            lbu a3, msg
            sw a2, msg, t1
        fn: ret
            .data
        msg: .word 0
        '''
        prog = assemble(src)
        msg, fn = prog.symbols['msg'], prog.symbols['fn']

        def pair(pc, target, first_rd, second):
            off = target - pc
            return [enc('auipc', rd=first_rd, imm=hi20(off) << 12), second(lo12(off))]
        expected = (
            pair(BASE, msg, 10, lambda lo: enc('addi', rd=10, rs1=10, imm=lo))
            + pair(BASE + 8, msg, 11, lambda lo: enc('addi', rd=11, rs1=11, imm=lo))
            + pair(BASE + 16, fn, 1, lambda lo: enc('jalr', rd=1, rs1=1, imm=lo))
            + pair(BASE + 24, fn, 5, lambda lo: enc('jalr', rd=5, rs1=5, imm=lo))
            + pair(BASE + 32, fn, 6, lambda lo: enc('jalr', rd=0, rs1=6, imm=lo))
            + pair(BASE + 40, msg, 12, lambda lo: enc('lw', rd=12, rs1=12, imm=lo))
            + pair(BASE + 48, msg, 13, lambda lo: enc('lbu', rd=13, rs1=13, imm=lo))
            + pair(BASE + 56, msg, 6, lambda lo: enc('sw', rs1=6, rs2=12, imm=lo))
            + [enc('jalr', rs1=1)])
        assert words(src) == expected

    def test_la_reaches_any_address(self):
        prog = assemble('la a0, 0x1000', base=0x80000000)
        off = 0x1000 - BASE
        assert words('la a0, 0x1000') == [enc('auipc', rd=10, imm=hi20(off) << 12),
                                          enc('addi', rd=10, rs1=10, imm=lo12(off))]
        assert prog.section('.text').size == 8


# --- directives -----------------------------------------------------------------------------

class TestDirectives:
    def test_integer_data(self):
        data = data_of('.byte 1, -1, 255\n.half 0x1234, -2\n.short 5\n.2byte 6\n'
                       '.word 0xdeadbeef\n.long 1\n.int 2\n.4byte 3\n.dword 0x0102030405060708'
                       '\n.quad -1\n.8byte 9')
        assert data == (b'\x01\xff\xff' + struct.pack('<hhhh', 0x1234, -2, 5, 6)
                        + struct.pack('<IIII', 0xdeadbeef, 1, 2, 3)
                        + struct.pack('<QqQ', 0x0102030405060708, -1, 9))

    def test_integer_ranges(self):
        assert error('.byte 256') == \
            'prog.s:1:7: error: value 256 does not fit in .byte (1 byte: -128..255)'
        assert 'does not fit in .half' in error('.half -32769')
        assert 'does not fit in .word' in error('.word 0x100000000')

    def test_strings(self):
        assert data_of('.ascii "ab", "cd"\n.asciz "x"\n.string "y", "z"') == b'abcdx\0y\0z\0'

    def test_space_zero_fill_skip(self):
        assert data_of('.space 3\n.space 2, 0xff\n.zero 2\n.skip 1, 7\n.fill 2, 2, 0x102') == \
            b'\0\0\0\xff\xff\0\0\x07\x02\x01\x02\x01'

    def test_space_needs_a_constant(self):
        assert 'must be a constant known at this point' in error('.space later\nlater:')
        assert 'must be a constant known at this point' in error('.space N\n.equ N, 4')
        assert words('.equ N, 8\n.space N\nnop') == [0, 0, enc('addi')]

    def test_align_in_code_pads_with_nops_like_gnu_as(self):
        assert data_of('.byte 1\n.align 3', '.text') == \
            b'\x01\x00\x01\x00' + b'\x13\x00\x00\x00'
        assert data_of('.half 1\n.balign 8\nnop', '.text') == \
            b'\x01\x00\x01\x00' + b'\x13\x00\x00\x00' * 3     # the end padded to 8 too
        assert data_of('nop\n.p2align 4', '.text') == b'\x13\x00\x00\x00' * 4

    def test_code_sections_end_padded_to_their_alignment_like_gnu_as(self):
        assert data_of('nop\n.byte 7', '.text') == b'\x13\0\0\0\x07\0\x01\0'
        assert data_of('.balign 16\nnop', '.text') == b'\x13\0\0\0' * 4
        assert data_of('.byte 7', '.data') == b'\x07'

    def test_align_in_data_pads_with_zeros_or_the_fill(self):
        assert data_of('.byte 1\n.align 2\n.byte 2\n.balign 4, 0xee') == \
            b'\x01\0\0\0\x02\xee\xee\xee'

    def test_align_max_skip(self):
        assert data_of('.byte 1\n.balign 8, 0, 3\n.byte 2') == b'\x01\x02'
        assert data_of('.byte 1\n.p2align 3, 0, 7\n.byte 2') == \
            b'\x01' + bytes(7) + b'\x02'

    def test_align_argument_checks(self):
        assert 'not a power of two' in error('.balign 3')
        assert 'out of range 0..31' in error('.align 32')

    def test_riscv_nops(self):
        assert riscv_nops(0) == b''
        assert riscv_nops(1) == b'\0'
        assert riscv_nops(3) == b'\0\x01\0'
        assert riscv_nops(7) == b'\0\x01\0\x13\0\0\0'

    def test_org(self):
        assert data_of('.byte 1\n.org 4\n.byte 2') == b'\x01\0\0\0\x02'
        assert 'cannot move back' in error('.word 1\n.org 2')

    def test_globl_and_ignored_directives(self):
        src = '''
            .file "x.c"
            .option norelax
            .option push
            .attribute arch, "rv32i2p1_m2p0"
            .globl main, other
            .global _start
            .type main, @function
            .size main, .-main
            .ident "GCC"
            .local helper
            .cfi_startproc
            .hidden x
        _start:
        main: nop
            .cfi_endproc
        '''
        prog = assemble(src)
        assert prog.globals == {'main', '_start'}
        assert words(src) == [enc('addi')]

    def test_rvc_is_refused(self):
        assert 'compressed instructions' in error('.option rvc')
        assert 'compressed instructions' in error('.option arch, +c')
        assert words('.option arch, +zicsr\n.option norvc\nnop') == [enc('addi')]

    def test_unknown_directive(self):
        assert error('  .wrod 1') == \
            "prog.s:1:3: error: unknown directive '.wrod'; did you mean '.word'?"
        assert "unknown directive '.macrox'" in error('.macrox m')

    def test_equ_and_equiv(self):
        assert words('.equ A, 1\n.equ A, 2\n.word A') == [2]
        assert '.equiv does not redefine' in error('.equ A, 1\n.equiv A, 2')
        assert "'A' is already a label" in error('A: nop\n.equ A, 1')
        assert 'duplicate label' in error('.equ A, 1\nA: nop')

    def test_end_stops_reading(self):
        assert words('nop\n.end\nthis is not assembly') == [enc('addi')]


# --- sections and the default link ----------------------------------------------------------

class TestLink:
    SRC = '''
        .text
        .globl _start
    _start: nop
        .data
    d:  .byte 1
        .rodata
    r:  .word 2
        .bss
    b:  .space 16
        .data
        .align 3
    tohost: .dword 0
        .text
    more: nop
    '''

    def test_default_layout(self):
        prog = assemble(self.SRC)
        names = [(s.name, s.address, s.size) for s in prog.sections]
        assert names == [('.text', BASE, 8), ('.data', BASE + 8, 16),
                         ('.rodata', BASE + 24, 4), ('.bss', BASE + 28, 16)]
        assert prog.symbols == {'_start': BASE, 'd': BASE + 8, 'tohost': BASE + 16,
                                'r': BASE + 24, 'b': BASE + 28, 'more': BASE + 4}
        assert prog.entry == BASE
        assert prog.section('.bss').data == bytes(16) and prog.section('.bss').nobits

    def test_sections_are_aligned(self):
        prog = assemble('nop\n.data\n.byte 1\n.rodata\n.align 4\n.word 1\n.bss\n.space 1')
        addresses = {s.name: s.address for s in prog.sections}
        assert addresses == {'.text': BASE, '.data': BASE + 4, '.rodata': BASE + 16,
                             '.bss': BASE + 20}

    def test_base_and_entry(self):
        prog = assemble('nop\nmain: nop\n.globl _start\n_start: j main', base=0x1000)
        assert prog.section('.text').address == 0x1000
        assert prog.entry == 0x1008
        assert prog.image()[8:12] == enc('jal', imm=-4).to_bytes(4, 'little')
        assert assemble('nop').entry == BASE

    def test_image_is_flat_from_the_lowest_address(self):
        prog = assemble('nop\n.data\n.align 3\n.byte 9')
        assert prog.image() == b'\x13\0\0\0' + bytes(4) + b'\x09'

    @pytest.mark.parametrize('name,flags,expected', [
        ('.text', None, '.text'), ('.text.init', '"ax"', '.text'), ('.text.startup', None,
                                                                   '.text'),
        ('.rodata.str1.1', '"aMS"', '.rodata'), ('.srodata', None, '.rodata'),
        ('.sdata', None, '.data'), ('.data.rel.ro', None, '.data'), ('.sbss', None, '.bss'),
        ('.bss.stack', None, '.bss'), ('.tohost', 'aw', '.data'), ('.mycode', 'ax', '.text'),
        ('.myconst', 'a', '.rodata'), ('.mybss', 'aw', '.data'), ('.note.GNU-stack', '',
                                                                  '.discard'),
        ('.other', None, '.data'),
    ])
    def test_section_name_mapping(self, name, flags, expected):
        assert map_section(name, flags if flags is None else flags.strip('"')) == expected

    def test_section_directive_push_pop_previous(self):
        src = '''
            .section .text.init, "ax", @progbits
            nop
            .pushsection .tohost, "aw", @progbits
        tohost: .word 0
            .popsection
            nop
            .section .rodata
            .word 5
            .previous
            nop
            .section .note.GNU-stack, "", @progbits
            .section .mybss, "aw", @nobits
            .space 4
        '''
        prog = assemble(src)
        assert [s.name for s in prog.sections] == ['.text', '.data', '.rodata', '.bss']
        assert prog.section('.text').size == 12
        assert 'tohost' in prog.symbols

    def test_non_allocated_sections_are_left_out(self):
        prog = assemble('nop\n.section .comment, ""\n.ascii "note"')
        assert [s.name for s in prog.sections] == ['.text']

    def test_bss_holds_only_zeros(self):
        assert '.bss holds only zeros' in error('.bss\n.byte 1')
        assert 'instructions cannot go in .bss' in error('.bss\nnop')
        assert assemble('.bss\n.word 0\n.zero 4').section('.bss').size == 8

    def test_line_map_and_listing(self):
        src = 'start:\n  li a0, 0x12345678\n  .data\n  .word 7\n  .text\n  ret\n'
        prog = assemble(src)
        assert prog.line_map == {BASE: 2, BASE + 4: 2, BASE + 8: 6, BASE + 12: 4}
        listing = prog.listing()
        assert '80000000 <start>:' in listing
        assert 'lui a0, 0x12345' in listing and 'li a0, 0x12345678' in listing
        assert '07 00 00 00' in listing

    def test_numeric_and_dot_l_labels_are_not_symbols_in_elf(self):
        prog = assemble('1: nop\n.L2: nop\nvisible: j 1b')
        assert prog.symbols == {'.L2': BASE + 4, 'visible': BASE + 8}

    def test_assemble_file_names_the_file(self, tmp_path):
        path = tmp_path / 'prog.s'
        path.write_text('nop\n  addi a0, a0\n')
        with pytest.raises(AsmError) as info:
            assemble_file(path)
        assert str(info.value) == f"{path}:2:14: error: missing operand: expected " \
                                  "'addi rd, rs1, imm'"
        assert info.value.source_line == '  addi a0, a0'
        assert info.value.context().splitlines()[-1] == '    ' + ' ' * 13 + '^'
        path.write_text('nop\n')
        assert isinstance(assemble_file(path), Program)

    def test_program_does_not_fit(self):
        assert assemble('nop', base=0xFFFFFFFC).section('.text').end == 1 << 32
        with pytest.raises(AsmError) as info:
            assemble('.space 8', base=0xFFFFFFFC)
        assert 'beyond the 32-bit address space' in str(info.value)

    def test_misaligned_base(self):
        with pytest.raises(AsmError):
            assemble('nop', base=0x80000002)


# --- errors: file:line:col, what was expected ------------------------------------------------

class TestErrors:
    @pytest.mark.parametrize('source,message', [
        ('add a0, a1, 42', "prog.s:1:13: error: expected a register, found '42'"),
        ('  addi a0, a0, 5000',
         'prog.s:1:16: error: immediate 5000 out of range -2048..2047'),
        ('slli a0, a0, 32', 'prog.s:1:14: error: shift amount 32 out of range 0..31'),
        ('lw a0, 4096(sp)', 'prog.s:1:8: error: offset 4096 out of range -2048..2047'),
        ('lui a0, 0x100000', 'prog.s:1:9: error: upper immediate 1048576 out of range '
                             '0..1048575'),
        ('csrrwi a0, mstatus, 32', 'prog.s:1:21: error: immediate 32 out of range 0..31'),
        ('csrr a0, 0x1000', 'prog.s:1:10: error: CSR number 4096 out of range 0..4095'),
        ('addd a0, a1, a2',
         "prog.s:1:1: error: unknown instruction 'addd'; did you mean 'add' or 'addi'?"),
        ('nop\n\tj nowhere', "prog.s:2:4: error: undefined symbol 'nowhere'"),
        ('loop: nop\nj lop', "prog.s:2:3: error: undefined symbol 'lop'; did you mean "
                             "'loop'?"),
        ('x: nop\nx: nop', "prog.s:2:1: error: duplicate label 'x': already defined as a "
                           "label on line 1"),
        ('add a0, a1, a9', "prog.s:1:13: error: expected a register, found 'a9'"),
        ('add a0, a1', "prog.s:1:11: error: missing operand: expected 'add rd, rs1, rs2'"),
        ('add a0, a1, a2, a3',
         "prog.s:1:17: error: too many operands: expected 'add rd, rs1, rs2'"),
        ('add a0, , a2', "prog.s:1:9: error: expected an operand, found ','"),
        ('add a0, a1,', "prog.s:1:12: error: expected an operand, found end of line"),
        ('addi a0, a0, 1 2', "prog.s:1:16: error: unexpected '2' after the expression"),
        ('add a0, a1, a2 junk', "prog.s:1:16: error: unexpected 'junk' after register 'a2'"),
        ('beq a0, a1, 0x80000001', 'prog.s:1:13: error: misaligned branch target '
                                   '0x80000001: the offset 1 from 0x80000000 is odd'),
        ('beq a0, a1, 0x80001390',      # a number: not relaxed (a label would be)
         'prog.s:1:13: error: branch target 0x80001390 out of range: offset 5008 from '
         '0x80000000 is not in -4096..4094'),
        ('j 0x80200000', 'prog.s:1:3: error: jump target 0x80200000 out of range: offset '
                         '2097152 from 0x80000000 is not in -1048576..1048574'),
        ('lw a0, 4(a9)', "prog.s:1:10: error: expected a register, found 'a9'"),
        ('lw a0, 8', "prog.s:1:8: error: expected offset(register), such as 8(sp) or (a0), "
                     "found '8'"),
        ('amoadd.w a0, a1, 4(a2)',
         "prog.s:1:18: error: expected (register), such as (a0), found '4'"),
        ('fence rwx, r', "prog.s:1:7: error: expected a fence set such as 'rw' or 'iorw', "
                         "found 'rwx'"),
        ('ret a0', "prog.s:1:5: error: too many operands: expected 'ret'"),
        ('42', "prog.s:1:1: error: expected an instruction, a directive or a label, "
               "found '42'"),
        ('nop\n1: j 2b', "prog.s:2:6: error: '2b' refers back to a label '2:' but there is "
                         "none before it"),
        ('j 3f', "prog.s:1:3: error: '3f' refers forward to a label '3:' but there is none "
                 "after it"),
        ('a0: nop', "prog.s:1:1: error: 'a0' is a register name; it cannot be a label"),
        ('.word 0x', "prog.s:1:7: error: invalid number '0x'"),
        ('.word 09', "prog.s:1:7: error: invalid number '09'"),
        ('.word (1 + 2', "prog.s:1:13: error: expected ')', found end of line"),
        ('.word "s"', 'prog.s:1:7: error: expected an expression, found a string'),
        ('.ascii "abc', 'prog.s:1:8: error: unterminated string: missing closing \'"\''),
        ('/* abc', 'prog.s:1:1: error: unterminated comment: missing "*/"'),
        ("'", "prog.s:1:1: error: expected a character after \"'\""),
        ('.equ a, b\n.equ b, a\n.word a',
         "prog.s:1:9: error: symbol 'b' is defined in terms of itself"),
        ('addi a0, a0, %foo(x)', "prog.s:1:14: error: unknown relocation function '%foo' "
                                 "(known: %hi %lo %pcrel_hi %pcrel_lo)"),
        ('.text\n.half 1\nnop', 'prog.s:3:1: error: instruction at offset 0x2 of .text is not '
                                '4-byte aligned; add ".align 2" before it'),
        ('.text 1', 'prog.s:1:7: error: .text takes no operands (subsections are not '
                    'supported)'),
        ('.popsection', 'prog.s:1:1: error: .popsection without a .pushsection before it'),
        ('.space 100000000', 'prog.s:1:1: error: section .text grows beyond 16 MiB'),
        ('.space -1', 'prog.s:1:8: error: size -1 is negative'),
        ('.word 1,', 'prog.s:1:9: error: expected an expression, found end of line'),
        ('.globl 3', "prog.s:1:8: error: expected a symbol name, found '3'"),
        ('.equ 3, 4', "prog.s:1:6: error: expected a symbol name, found '3'"),
        ('.equ X', "prog.s:1:7: error: missing operand: expected .equ name, value"),
    ])
    def test_messages(self, source, message):
        assert error(source) == message

    def test_default_filename(self):
        with pytest.raises(AsmError) as info:
            assemble('bogus')
        assert str(info.value).startswith('<input>:1:1: error:')
        assert info.value.line == 1 and info.value.column == 1

    def test_the_first_error_leads_and_nothing_is_returned(self):
        with pytest.raises(AsmError) as info:
            assemble('nop\nbad1\nbad2', 'p.s')
        assert info.value.line == 2
        assert [e.line for e in info.value.errors] == [2, 3]

    def test_an_unclosed_memory_operand_says_what_is_missing(self):
        assert error('lw t0, 3(t1') == "prog.s:1:12: error: expected ')', found end of line"
        assert error('sw t0, 4(sp  # store') == ("prog.s:1:12: error: expected ')', found end "
                                                 'of line')
        assert error('lw t0, 3(t1))') == ("prog.s:1:13: error: unexpected ')' without a '(' "
                                          'before it')

    def test_every_error_is_reported_in_source_order(self):
        """Each bad statement is skipped and assembly goes on: pass 1's errors (syntax) and
        pass 2's (symbols, ranges) come together, sorted by line."""
        source = ('    j   missing\n'              # pass 2: undefined symbol
                  '    lw  t0, 3(t1\n'             # pass 1: no ')'
                  '    nop\n'
                  '    addd a0, a1, a2\n'          # pass 1: unknown instruction
                  '    .ascii "open\n'             # the lexer: unterminated string
                  '    addi a0, a0, 5000\n')       # pass 2: out of range
        with pytest.raises(AsmError) as info:
            assemble(source, 'prog.s')
        assert str(info.value).split('\n') == [
            "prog.s:1:9: error: undefined symbol 'missing'",
            "prog.s:2:17: error: expected ')', found end of line",
            "prog.s:4:5: error: unknown instruction 'addd'; did you mean 'add' or 'addi'?",
            'prog.s:5:12: error: unterminated string: missing closing \'"\'',
            'prog.s:6:18: error: immediate 5000 out of range -2048..2047']
        first = info.value
        assert (first.line, first.column, first.message) == (1, 9, "undefined symbol 'missing'")
        assert not first.stopped
        assert [e.source_line for e in first.errors] == source.splitlines()[:2] + \
            source.splitlines()[3:]
        context = first.context().splitlines()
        assert context[:3] == ["prog.s:1:9: error: undefined symbol 'missing'",
                               '        j   missing', '            ^']
        assert len(context) == 15

    def test_a_statement_in_error_is_left_out_and_the_rest_is_checked(self):
        """A bad .equ leaves its symbol undefined, which its uses then say."""
        text = error_lines('.equ N, 1 +\n.word N\nli a0, N\n')
        assert text == ['prog.s:1:12: error: expected an expression, found end of line',
                        "prog.s:2:7: error: undefined symbol 'N'",
                        "prog.s:3:8: error: undefined symbol 'N'"]

    def test_the_same_error_reached_twice_is_shown_once(self):
        assert error_lines('.equ a, b\n.equ b, a\n.word a') == [
            "prog.s:1:9: error: symbol 'b' is defined in terms of itself",
            "prog.s:2:9: error: symbol 'a' is defined in terms of itself"]

    def test_after_max_errors_the_assembler_stops(self):
        lines = error_lines(''.join(f'bad{i} a0\n' for i in range(MAX_ERRORS + 10)))
        assert len(lines) == MAX_ERRORS + 1
        assert lines[0].startswith("prog.s:1:1: error: unknown instruction 'bad0'")
        assert lines[MAX_ERRORS - 1].startswith(f'prog.s:{MAX_ERRORS}:1: error: ')
        assert lines[-1] == f'prog.s: too many errors; stopped after the first {MAX_ERRORS}'
        assert len(error_lines('bad a0\n' * MAX_ERRORS)) == MAX_ERRORS + 1
        assert len(error_lines('bad a0\n' * (MAX_ERRORS - 1))) == MAX_ERRORS - 1

    def test_lexical_errors_count_towards_the_limit(self):
        lines = error_lines("'\n" * (MAX_ERRORS + 5))
        assert len(lines) == MAX_ERRORS + 1 and lines[-1].startswith('prog.s: too many errors')


# --- ELF --------------------------------------------------------------------------------------

class TestElf:
    SRC = TestLink.SRC

    def elf(self, src=None):
        from elftools.elf.elffile import ELFFile
        data = assemble(src or self.SRC).to_elf()
        return data, ELFFile(io.BytesIO(data))

    def test_header(self):
        data, elf = self.elf()
        assert elf.elfclass == 32 and elf.little_endian
        assert elf['e_machine'] == 'EM_RISCV' and elf['e_type'] == 'ET_EXEC'
        assert elf['e_flags'] == 0 and elf['e_entry'] == BASE

    def test_segments(self):
        data, elf = self.elf()
        loads = [(s['p_vaddr'], s['p_filesz'], s['p_memsz'], s['p_flags'])
                 for s in elf.iter_segments() if s['p_type'] == 'PT_LOAD']
        assert loads == [(BASE, 8, 8, 5), (BASE + 8, 16, 16, 6), (BASE + 24, 4, 4, 4),
                         (BASE + 28, 0, 16, 6)]
        for seg in elf.iter_segments():
            assert seg['p_offset'] % 0x1000 == seg['p_vaddr'] % 0x1000
        assert next(elf.iter_segments()).data() == assemble(self.SRC).section('.text').data

    def test_sections_and_symbols(self):
        data, elf = self.elf()
        names = [s.name for s in elf.iter_sections()]
        assert names == ['', '.text', '.data', '.rodata', '.bss', '.symtab', '.strtab',
                         '.shstrtab']
        assert elf.get_section_by_name('.bss')['sh_type'] == 'SHT_NOBITS'
        assert elf.get_section_by_name('.text')['sh_flags'] == 6
        symbols = {s.name: (s['st_value'], s['st_info']['bind'])
                   for s in elf.get_section_by_name('.symtab').iter_symbols() if s.name}
        assert symbols == {'_start': (BASE, 'STB_GLOBAL'), 'd': (BASE + 8, 'STB_LOCAL'),
                           'tohost': (BASE + 16, 'STB_LOCAL'), 'r': (BASE + 24, 'STB_LOCAL'),
                           'b': (BASE + 28, 'STB_LOCAL'), 'more': (BASE + 4, 'STB_LOCAL')}
        tohost = elf.get_section_by_name('.symtab').get_symbol_by_name('tohost')[0]
        assert elf.get_section(tohost['st_shndx']).name == '.data'

    def test_the_machine_loader_reads_it(self):
        from vmlib.machine.loader import parse_elf
        loaded = parse_elf(assemble(self.SRC).to_elf())
        assert loaded.entry == BASE
        assert loaded.symbols['tohost'] == BASE + 16
        assert [(a, len(d), m) for a, d, m in loaded.segments] == \
            [(BASE, 8, 8), (BASE + 8, 16, 16), (BASE + 24, 4, 4), (BASE + 28, 0, 16)]

    def test_empty_program(self):
        data, elf = self.elf('# nothing')
        assert elf['e_entry'] == BASE and elf.num_segments() == 0


# --- command line ---------------------------------------------------------------------------

def run_cli(argv, capsys):
    from vmlib.cli.asm_cmds import add_parsers
    parser = argparse.ArgumentParser()
    add_parsers(parser.add_subparsers())
    args = parser.parse_args(argv)
    status = args.func(args)
    out, err = capsys.readouterr()
    return status, out, err


class TestCommandLine:
    def test_asm_then_disasm(self, tmp_path, capsys):
        src = tmp_path / 'p.s'
        src.write_text('.globl _start\n_start: li a0, 1\nloop: j loop\n.data\ntohost: .word 0')
        status, out, err = run_cli(['asm', str(src), '-o', str(tmp_path / 'p.elf')], capsys)
        assert (status, out, err) == (0, '', '')
        status, out, err = run_cli(['disasm', str(tmp_path / 'p.elf')], capsys)
        assert status == 0 and err == ''
        assert 'Disassembly of section .text:' in out
        assert '80000000 <_start>:' in out and '80000004 <loop>:' in out
        assert '80000000:\t00100513\tli a0, 1' in out
        assert '80000004:\t0000006f\tj 0x80000004 <loop>' in out

    def test_asm_default_output_and_listing(self, tmp_path, capsys):
        src = tmp_path / 'q.s'
        src.write_text('nop\n')
        status, out, err = run_cli(['asm', str(src), '--listing'], capsys)
        assert status == 0 and (tmp_path / 'q.elf').exists() and 'nop' in out

    def test_asm_error_is_one_line_and_status_1(self, tmp_path, capsys):
        src = tmp_path / 'bad.s'
        src.write_text('nop\n  add a0, a1, 42\n')
        status, out, err = run_cli(['asm', str(src), '-o', str(tmp_path / 'bad.elf')], capsys)
        assert status == 1 and out == ''
        assert err == f"{src}:2:15: error: expected a register, found '42'\n"
        assert not (tmp_path / 'bad.elf').exists()

    def test_asm_missing_file(self, tmp_path, capsys):
        status, out, err = run_cli(['asm', str(tmp_path / 'none.s')], capsys)
        assert status == 1 and err.startswith('vmlib asm: cannot read') and err.count('\n') == 1

    @pytest.mark.parametrize('content,reason', [
        (b'', 'not an ELF file'),
        (b'hello world, this is text', 'not an ELF file'),
        (b'\x7fELF\x02\x01\x01' + bytes(60), '64-bit'),
        (None, 'truncated'),
        ('x86', 'not RISC-V'),
        ('dyn', 'not a static executable'),
    ])
    def test_disasm_refuses_bad_elf(self, tmp_path, capsys, content, reason):
        good = assemble('nop\n.data\n.word 1').to_elf()
        if content is None:
            content = good[:0x1002]
        elif content == 'x86':
            content = good[:18] + struct.pack('<H', 62) + good[20:]
        elif content == 'dyn':
            content = good[:16] + struct.pack('<H', 3) + good[18:]
        path = tmp_path / 'bad.elf'
        path.write_bytes(content)
        status, out, err = run_cli(['disasm', str(path)], capsys)
        assert status == 2 and out == ''
        assert err.count('\n') == 1 and reason in err, err

    def test_python_dash_m(self, tmp_path):
        import subprocess
        import sys
        src = tmp_path / 'm.s'
        src.write_text('add a0, a0\n')
        r = subprocess.run([sys.executable, '-m', 'vmlib', 'asm', str(src)],
                           capture_output=True, text=True)
        if 'invalid choice' in r.stderr:
            pytest.skip('python -m vmlib does not register asm yet')
        assert r.returncode == 1 and r.stderr.strip().endswith("expected 'add rd, rs1, rs2'")

    def test_asm_prints_every_error(self, tmp_path, capsys):
        src = tmp_path / 'bad.s'
        src.write_text('nop\nlw t0, 3(t1\nadd a0, a1\n')
        status, out, err = run_cli(['asm', str(src)], capsys)
        assert (status, out) == (1, '')
        assert err.splitlines() == [
            f"{src}:2:12: error: expected ')', found end of line",
            f"{src}:3:11: error: missing operand: expected 'add rd, rs1, rs2'"]
        assert not (tmp_path / 'bad.elf').exists()
