"""Instructions: a mnemonic and its operands to machine words, driven by the decode table.

Nothing here knows an encoding. A real instruction is read by the operand syntax of its table
row (``Spec.syntax``) and encoded by ``Spec.encode``, with each operand checked against
``Spec.format.ranges``. What this module adds is the list of *pseudo-instructions*, written
below as text in the assembler's own syntax (``bgt rs, rt, target = blt rt, rs, target``): a
pseudo-instruction is expanded by putting the programmer's operand tokens in place of the
names on the right, and the result is read as real instructions, so errors still point at the
programmer's columns. Only the few pseudo-instructions that compute something (``li``, ``la``,
``call``, ``tail``, loads and stores of a symbol) are Python functions.

A mnemonic may have several *forms* (``jalr a0``, ``jalr ra, a0``, ``jalr ra, 4(a0)``,
``jalr ra, a0, 4``). Forms are tried in order among those with the right number of operands;
when none fits, the error that got furthest into the line is reported.

Everything is decided in pass 1 (which form, how many words); pass 2 only evaluates
expressions and checks ranges. A pseudo-instruction's size therefore never depends on a value
that pass 1 cannot know: ``li`` with a value defined later always takes ``lui`` + ``addi``.
"""

import difflib

from ..isa import BY_NAME, SPECS
from .errors import AsmError, error_at
from .expr import hi20, lo12
from .lexer import Token, tokenize
from .operands import (read_address, read_csr, read_expression, read_fence_set,
                       read_memory, read_register, split_operands)

M32 = 0xFFFFFFFF
AQRL_SUFFIXES = {'.aq': 2, '.rl': 1, '.aqrl': 3}


def sext32(v):
    return ((v & M32) ^ 0x80000000) - 0x80000000


# --- emissions: what pass 1 leaves for pass 2 -----------------------------------------------

class Fixed:
    """Words already known in pass 1."""

    def __init__(self, words):
        self.words, self.size = words, 4 * len(words)

    def emit(self, asm, pc):
        return self.words


class Deferred:
    """``size`` bytes whose words ``fn(asm, pc)`` computes in pass 2."""

    def __init__(self, size, fn):
        self.size, self.fn = size, fn

    def emit(self, asm, pc):
        return self.fn(asm, pc)


class Sequence:
    """Several emissions, one after the other (a pseudo-instruction's expansion)."""

    def __init__(self, parts):
        self.parts, self.size = parts, sum(p.size for p in parts)

    def emit(self, asm, pc):
        words = []
        for part in self.parts:
            words += part.emit(asm, pc + 4 * len(words))
        return words


def _check(value, bounds, tok, what):
    lo, hi = bounds
    if not lo <= value <= hi:
        raise error_at(tok, f'{what} {value} out of range {lo}..{hi}')
    return value


class Real:
    """One real instruction: a table row and its operands as read in pass 1."""

    def __init__(self, spec, ops, aqrl=0):
        self.spec, self.ops, self.aqrl, self.size = spec, ops, aqrl, 4

    def emit(self, asm, pc):
        spec = self.spec
        ranges = spec.format.ranges
        fields = {'aqrl': self.aqrl} if 'aqrl' in spec.format.fields else {}
        for part, op in zip(spec.syntax.split(', '), self.ops):
            if part in ('rd', 'rs1', 'rs2', '(rs1)', 'pred', 'succ'):
                fields[part.strip('()')] = op.value
            elif part == 'imm':
                what = 'shift amount' if spec.format.name == 'SH' else 'immediate'
                fields['imm'] = _check(asm.value(op.value, pc), ranges['imm'], op.tok, what)
            elif part == 'imm(rs1)':
                node, fields['rs1'] = op.value
                value = 0 if node is None else asm.value(node, pc)
                fields['imm'] = _check(value, ranges['imm'], op.tok, 'offset')
            elif part == 'target':
                fields['imm'] = _branch_offset(spec, asm.value(op.value, pc), pc, op.tok)
            elif part == 'hi20':
                value = _check(asm.value(op.value, pc), (0, 0xFFFFF), op.tok,
                               'upper immediate')
                fields['imm'] = value << 12
            elif part == 'csr':
                value = op.value if isinstance(op.value, int) else asm.value(op.value, pc)
                fields['csr'] = _check(value, ranges['csr'], op.tok, 'CSR number')
            elif part == 'uimm':
                fields['rs1'] = _check(asm.value(op.value, pc), ranges['rs1'], op.tok,
                                       'immediate')
            else:  # pragma: no cover - a syntax word the table grew and this module lacks
                raise AssertionError(part)
        return [spec.encode(**fields)]


class Branch(Real):
    """A conditional branch to a label: 4 bytes, or 8 when the label is out of its reach or in
    another section: the opposite branch over the next word, then ``jal zero, label``, as GNU
    ``as`` relaxes it. Which branches are long is the assembler's to say (``long_branches``,
    by their order in the source); a short one that does not reach asks for another round."""

    def __init__(self, spec, ops, asm):
        super().__init__(spec, ops)
        self.ordinal, self.section = asm.branches, asm.sec.name
        asm.branches += 1
        self.size = 8 if self.ordinal in asm.long_branches else 4

    def emit(self, asm, pc):
        rs1, rs2, target = self.ops
        address = asm.value(target.value, pc)
        if self.size == 4:
            lo, hi = self.spec.format.ranges['imm']
            offset = sext32(address - pc)
            elsewhere = {asm.section_of(name) for name in target.value.symbols()} - {None}
            if (lo <= offset <= hi or offset & 1) and elsewhere <= {self.section}:
                return super().emit(asm, pc)
            asm.too_short.add(self.ordinal)
            return [0]
        opposite = BY_NAME[OPPOSITE[self.spec.name]]
        return [opposite.encode(rs1=rs1.value, rs2=rs2.value, imm=8),
                JAL.encode(rd=0, imm=_branch_offset(JAL, address, pc + 4, target.tok))]


OPPOSITE = {'beq': 'bne', 'bne': 'beq', 'blt': 'bge', 'bge': 'blt', 'bltu': 'bgeu', 'bgeu': 'bltu'}


def _symbolic(node):
    """A target GNU ``as`` relaxes: one that names a label (or ``.``), not a bare number."""
    return any(True for _ in node.symbols()) or _uses_dot(node)


def _branch_offset(spec, target, pc, tok):
    offset = sext32(target - pc)
    kind = 'jump' if spec.format.name == 'J' else 'branch'
    if offset & 1:
        raise error_at(tok, f'misaligned {kind} target 0x{target & M32:x}: '
                            f'the offset {offset} from 0x{pc:x} is odd')
    lo, hi = spec.format.ranges['imm']
    if not lo <= offset <= hi:
        raise error_at(tok, f'{kind} target 0x{target & M32:x} out of range: offset {offset} '
                            f'from 0x{pc:x} is not in {lo}..{hi}')
    return offset


# --- forms ----------------------------------------------------------------------------------

SHOWN = {'imm(rs1)': 'offset(rs1)', 'mem': 'offset(rs)', 'hi20': 'imm20', 'symbol': 'symbol'}
EXPRESSION_WHAT = {'imm': 'an immediate', 'uimm': 'an immediate 0..31',
                   'hi20': 'an upper immediate 0..0xfffff',
                   'target': 'a branch target (a label or an address)',
                   'symbol': 'a symbol'}


def read_operand(param, toks, asm):
    """Read one operand by its syntax word (table syntax, or a pseudo-instruction's name)."""
    if param in ('rd', 'rs1', 'rs2', 'rs', 'rt'):
        return read_register(toks)
    if param in EXPRESSION_WHAT:
        return read_expression(toks, asm.resolve_local, EXPRESSION_WHAT[param])
    if param in ('imm(rs1)', 'mem'):
        return read_memory(toks, asm.resolve_local)
    if param == '(rs1)':
        return read_address(toks)
    if param == 'csr':
        return read_csr(toks, asm.resolve_local)
    if param in ('pred', 'succ'):
        return read_fence_set(toks)
    raise AssertionError(param)  # pragma: no cover


class Form:
    """One way to write a mnemonic: its operand names and how to read them into an emission."""

    def __init__(self, name, params):
        self.name, self.params = name, params

    @property
    def usage(self):
        return ' '.join([self.name, ', '.join(SHOWN.get(p, p) for p in self.params)]).strip()


class RealForm(Form):
    def __init__(self, spec):
        super().__init__(spec.name, spec.syntax.split(', ') if spec.syntax else [])
        self.spec = spec

    def read(self, asm, mnemonic, operands, aqrl=0):
        ops = [read_operand(p, t, asm) for p, t in zip(self.params, operands)]
        if self.spec.format.name == 'B' and _symbolic(ops[2].value):
            return Branch(self.spec, ops, asm)
        return Real(self.spec, ops, aqrl)


class TemplateForm(Form):
    """A pseudo-instruction written as text: ``name params = real; real ...``."""

    def __init__(self, name, params, body):
        super().__init__(name, params)
        self.body = body        # [(real mnemonic, [operand token lists, each ending in eol])]

    def read(self, asm, mnemonic, operands, aqrl=0):
        given = dict(zip(self.params, operands))
        parts = []
        for real, templates in self.body:
            ops = []
            for template in templates:
                toks = []
                for t in template[:-1]:
                    if t.kind == 'name' and t.text in given:
                        toks += given[t.text][:-1]
                    else:
                        toks.append(t.at(mnemonic))
                last = template[-2]
                end = (given[last.text][-1] if last.kind == 'name' and last.text in given
                       else Token('eol', '', None, mnemonic.line, mnemonic.col, mnemonic.src))
                ops.append(toks + [end])
            parts.append(RealForm(BY_NAME[real]).read(asm, mnemonic, ops))
        return parts[0] if len(parts) == 1 else Sequence(parts)


class CustomForm(Form):
    def __init__(self, name, params, fn):
        super().__init__(name, params)
        self.fn = fn

    def read(self, asm, mnemonic, operands, aqrl=0):
        ops = [read_operand(p, t, asm) for p, t in zip(self.params, operands)]
        return self.fn(asm, mnemonic, ops)


# The pseudo-instructions, in the assembler's own syntax. Names on the left are operands;
# everything else on the right is literal. The real instruction of a mnemonic is tried first.
PSEUDO = r'''
nop                       = addi zero, zero, 0
mv rd, rs                 = addi rd, rs, 0
not rd, rs                = xori rd, rs, -1
neg rd, rs                = sub rd, zero, rs
seqz rd, rs               = sltiu rd, rs, 1
snez rd, rs               = sltu rd, zero, rs
sltz rd, rs               = slt rd, rs, zero
sgtz rd, rs               = slt rd, zero, rs
sgt rd, rs, rt            = slt rd, rt, rs
sgtu rd, rs, rt           = sltu rd, rt, rs
zext.b rd, rs             = andi rd, rs, 255
beqz rs, target           = beq rs, zero, target
bnez rs, target           = bne rs, zero, target
blez rs, target           = bge zero, rs, target
bgez rs, target           = bge rs, zero, target
bltz rs, target           = blt rs, zero, target
bgtz rs, target           = blt zero, rs, target
bgt rs, rt, target        = blt rt, rs, target
ble rs, rt, target        = bge rt, rs, target
bgtu rs, rt, target       = bltu rt, rs, target
bleu rs, rt, target       = bgeu rt, rs, target
j target                  = jal zero, target
jal target                = jal ra, target
jr rs                     = jalr zero, 0(rs)
jr mem                    = jalr zero, mem
jalr rs                   = jalr ra, 0(rs)
jalr mem                  = jalr ra, mem
jalr rd, rs               = jalr rd, 0(rs)
jalr rd, rs, imm          = jalr rd, imm(rs)
ret                       = jalr zero, 0(ra)
fence                     = fence iorw, iorw
sfence.vma                = sfence.vma zero, zero
sfence.vma rs             = sfence.vma rs, zero
hfence.vvma               = hfence.vvma zero, zero
hfence.vvma rs            = hfence.vvma rs, zero
hfence.gvma               = hfence.gvma zero, zero
hfence.gvma rs            = hfence.gvma rs, zero
csrr rd, csr              = csrrs rd, csr, zero
csrw csr, rs              = csrrw zero, csr, rs
csrs csr, rs              = csrrs zero, csr, rs
csrc csr, rs              = csrrc zero, csr, rs
csrw csr, uimm            = csrrwi zero, csr, uimm
csrs csr, uimm            = csrrsi zero, csr, uimm
csrc csr, uimm            = csrrci zero, csr, uimm
csrwi csr, uimm           = csrrwi zero, csr, uimm
csrsi csr, uimm           = csrrsi zero, csr, uimm
csrci csr, uimm           = csrrci zero, csr, uimm
csrrw rd, csr, uimm       = csrrwi rd, csr, uimm
csrrs rd, csr, uimm       = csrrsi rd, csr, uimm
csrrc rd, csr, uimm       = csrrci rd, csr, uimm
rdcycle rd                = csrrs rd, cycle, zero
rdcycleh rd               = csrrs rd, cycleh, zero
rdtime rd                 = csrrs rd, time, zero
rdtimeh rd                = csrrs rd, timeh, zero
rdinstret rd              = csrrs rd, instret, zero
rdinstreth rd             = csrrs rd, instreth, zero
unimp                     = csrrw zero, cycle, zero
'''


def _parse_templates(text):
    forms = []
    for line in text.strip().splitlines():
        left, right = line.split('=')
        name, _, params = left.strip().partition(' ')
        params = [p.strip() for p in params.split(',')] if params.strip() else []
        body = []
        for statement in tokenize(right):
            real = statement[0].text
            assert real in BY_NAME, real
            body.append((real, split_operands(statement[1:])))
        forms.append(TemplateForm(name, params, body))
    return forms


# --- the pseudo-instructions that compute --------------------------------------------------

ADDI, LUI, AUIPC, JALR, JAL = (BY_NAME[n] for n in ('addi', 'lui', 'auipc', 'jalr', 'jal'))
RA, T1 = 1, 6


def li_words(rd, value):
    """The shortest ``li``: ``addi``, ``lui``, or ``lui`` + ``addi`` (``value`` is 32-bit)."""
    value = sext32(value)
    if -2048 <= value < 2048:
        return [ADDI.encode(rd=rd, rs1=0, imm=value)]
    words = [LUI.encode(rd=rd, imm=hi20(value) << 12)]
    if lo12(value):
        words.append(ADDI.encode(rd=rd, rs1=rd, imm=lo12(value)))
    return words


def _li_value(value, tok):
    if not -(1 << 31) <= value <= M32:
        raise error_at(tok, f'li value {value} does not fit in 32 bits')
    return value


def _li(asm, mnemonic, ops):
    rd, imm = ops
    known = asm.value1(imm.value)
    if isinstance(known, int):
        return Fixed(li_words(rd.value, _li_value(known, imm.tok)))

    def emit(asm, pc):      # not known in pass 1: always the two-word form
        value = sext32(_li_value(asm.value(imm.value, pc), imm.tok))
        return [LUI.encode(rd=rd.value, imm=hi20(value) << 12),
                ADDI.encode(rd=rd.value, rs1=rd.value, imm=lo12(value))]
    return Deferred(8, emit)


def _pc_relative(node, temp, second):
    """``auipc temp, %pcrel_hi(node)`` and ``second(lo)``: reaches any 32-bit address."""
    def emit(asm, pc):
        offset = (asm.value(node, pc) - pc) & M32
        return [AUIPC.encode(rd=temp, imm=hi20(offset) << 12), second(lo12(offset))]
    return Deferred(8, emit)


def _la(asm, mnemonic, ops):
    rd, symbol = ops
    return _pc_relative(symbol.value, rd.value,
                        lambda lo: ADDI.encode(rd=rd.value, rs1=rd.value, imm=lo))


def _call(asm, mnemonic, ops):
    rd, target = ops if len(ops) == 2 else (None, ops[0])
    reg = RA if rd is None else rd.value
    return _pc_relative(target.value, reg, lambda lo: JALR.encode(rd=reg, rs1=reg, imm=lo))


def _tail(asm, mnemonic, ops):
    return _pc_relative(ops[0].value, T1, lambda lo: JALR.encode(rd=0, rs1=T1, imm=lo))


def _needs_symbol(op):
    node = op.value
    if not any(True for _ in node.symbols()) and not _uses_dot(node):
        raise error_at(op.tok, 'expected offset(register), such as 8(sp) or (a0), '
                               f'or a symbol, found {op.tok.describe()}')


def _uses_dot(node):
    return node is not None and (node.kind == 'dot' or _uses_dot(node.a) or _uses_dot(node.b))


def _load_symbol(spec):
    def expand(asm, mnemonic, ops):
        rd, symbol = ops
        _needs_symbol(symbol)
        return _pc_relative(symbol.value, rd.value,
                            lambda lo: spec.encode(rd=rd.value, rs1=rd.value, imm=lo))
    return expand


def _store_symbol(spec):
    def expand(asm, mnemonic, ops):
        rs2, symbol, temp = ops
        _needs_symbol(symbol)
        return _pc_relative(symbol.value, temp.value,
                            lambda lo: spec.encode(rs1=temp.value, rs2=rs2.value, imm=lo))
    return expand


def _build_forms():
    forms = {}
    for spec in SPECS:
        forms.setdefault(spec.name, []).append(RealForm(spec))
    for form in _parse_templates(PSEUDO):
        forms.setdefault(form.name, []).append(form)
    custom = [CustomForm('li', ['rd', 'imm'], _li),
              CustomForm('la', ['rd', 'symbol'], _la),
              CustomForm('lla', ['rd', 'symbol'], _la),
              CustomForm('call', ['target'], _call),
              CustomForm('call', ['rd', 'target'], _call),
              CustomForm('tail', ['target'], _tail)]
    for spec in SPECS:
        if spec.kind == 'load':
            custom.append(CustomForm(spec.name, ['rd', 'symbol'], _load_symbol(spec)))
        elif spec.kind == 'store':
            custom.append(CustomForm(spec.name, ['rs2', 'symbol', 'rt'], _store_symbol(spec)))
    for form in custom:
        forms.setdefault(form.name, []).append(form)
    return forms


FORMS = _build_forms()
MNEMONICS = sorted(FORMS)


def _lookup(name):
    """The forms of a mnemonic, and the aq/rl bits of an AMO suffix (``amoadd.w.aqrl``)."""
    if name in FORMS:
        return FORMS[name], 0
    for suffix, bits in AQRL_SUFFIXES.items():
        base = name[:-len(suffix)]
        if name.endswith(suffix) and base in BY_NAME and 'aqrl' in BY_NAME[base].format.fields:
            return [f for f in FORMS[base] if isinstance(f, RealForm)], bits
    return None, 0


def suggest(name, choices):
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.7)
    if not close:
        return ''
    quoted = [repr(c) for c in close]
    return '; did you mean ' + (quoted[0] if len(quoted) == 1
                                else ', '.join(quoted[:-1]) + ' or ' + quoted[-1]) + '?'


def read_instruction(asm, mnemonic, operands):
    """Pass 1: choose the form of ``mnemonic`` that fits ``operands``; return its emission."""
    name = mnemonic.text.lower()
    forms, aqrl = _lookup(name)
    if forms is None:
        raise error_at(mnemonic, f'unknown instruction {mnemonic.text!r}'
                                 + suggest(name, MNEMONICS))
    for toks in operands:
        if toks[0].kind == 'eol':
            raise error_at(toks[0], f'expected an operand, found {toks[0].describe()}')
    n = len(operands)
    fitting = [f for f in forms if len(f.params) == n]
    if not fitting:
        usage = ' or '.join(repr(f.usage) for f in forms)
        if any(len(f.params) > n for f in forms):
            end = operands[-1][-1] if operands else mnemonic_end(mnemonic)
            raise error_at(end, f'missing operand: expected {usage}')
        extra = operands[max(len(f.params) for f in forms)][0]
        raise error_at(extra, f'too many operands: expected {usage}')
    errors = []
    for form in fitting:
        try:
            return form.read(asm, mnemonic, operands, aqrl)
        except AsmError as e:
            errors.append(e)
    raise max(errors, key=lambda e: (e.line, e.column))


def mnemonic_end(mnemonic):
    return Token('eol', '', None, mnemonic.line, mnemonic.col + len(mnemonic.text),
                 mnemonic.src)
