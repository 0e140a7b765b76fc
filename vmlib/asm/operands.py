"""Operands: split a statement at its commas and read each operand by its syntax word.

The syntax words are the decode table's (``rd``, ``imm(rs1)``, ``target``, ``csr`` ...), so an
instruction's operands are read exactly as the disassembler writes them. Reading happens in
pass 1 and keeps expressions as trees (their values may depend on labels not placed yet).
"""

from ..isa.csrs import CSR_NUMBERS
from ..isa.regs import reg_number
from .errors import AsmError, error_at
from .expr import parse_expression
from .lexer import Token

FENCE_LETTERS = 'iorw'


class Operand:
    """One parsed operand: what it is (``value``) and where it started (``tok``)."""

    __slots__ = ('value', 'tok')

    def __init__(self, value, tok):
        self.value, self.tok = value, tok


def split_operands(tokens):
    """Split at top-level commas. Each operand is a token list ending in an ``eol`` token.

    The end token of an operand sits where the comma (or the end of the line) is, so an empty
    or truncated operand can be reported at the right column.
    """
    operands, current, depth = [], [], 0
    if tokens[0].kind == 'eol':
        return []
    for tok in tokens:
        if tok.kind == 'op' and tok.text == '(':
            depth += 1
        elif tok.kind == 'op' and tok.text == ')':
            depth -= 1
        if tok.kind == 'eol' or (tok.kind == 'op' and tok.text == ',' and depth <= 0):
            current.append(Token('eol', tok.text, None, tok.line, tok.col, tok.src))
            operands.append(current)
            current = []
        else:
            current.append(tok)
    return operands


def _expect_end(toks, i, after):
    tok = toks[i]
    if tok.kind != 'eol':
        raise error_at(tok, f'unexpected {tok.describe()} after {after}')


def read_register(toks):
    """A register name (``a0``, ``x10``, ``zero``, ``fp``): its number."""
    tok = toks[0]
    if tok.kind == 'name':
        number = reg_number(tok.text)
        if number is not None:
            _expect_end(toks, 1, f'register {tok.text!r}')
            return Operand(number, tok)
    raise error_at(tok, f'expected a register, found {tok.describe()}')


def read_expression(toks, resolve_local, what='an expression'):
    """An expression tree (evaluated later)."""
    tok = toks[0]
    if tok.kind == 'eol':
        raise error_at(tok, f'expected {what}, found {tok.describe()}')
    if tok.kind == 'name' and reg_number(tok.text) is not None and toks[1].kind == 'eol':
        raise error_at(tok, f'expected {what}, found register {tok.text!r}')
    return Operand(parse_expression(toks, resolve_local), tok)


def _base_register(toks):
    """If ``toks`` ends with ``( register )``, the index of the '(' ; else None.

    An operand whose parentheses do not pair up is an error here, where it is known what was
    written: ``3(t1`` needs a ')', and saying so beats "expected offset(register)".
    """
    depth = 0
    for tok in toks:
        if tok.kind == 'op' and tok.text in '()':
            depth += 1 if tok.text == '(' else -1
            if depth < 0:
                raise error_at(tok, "unexpected ')' without a '(' before it")
    if depth:               # point just after the operand, not at a comment after it
        last = toks[-2]
        raise AsmError(f"expected ')', found {toks[-1].describe()}", last.line,
                       last.col + len(last.text), src=last.src)
    if (len(toks) >= 4 and toks[-2].kind == 'op' and toks[-2].text == ')'
            and toks[-4].kind == 'op' and toks[-4].text == '('):
        return len(toks) - 4
    return None


def read_memory(toks, resolve_local):
    """``offset(reg)`` or ``(reg)``: (offset expression or None, register number)."""
    tok = toks[0]
    i = _base_register(toks)
    if i is None:
        raise error_at(tok, 'expected offset(register), such as 8(sp) or (a0), '
                            f'found {tok.describe()}')
    reg = toks[i + 1]
    if reg.kind != 'name' or reg_number(reg.text) is None:
        raise error_at(reg, f'expected a register, found {reg.describe()}')
    if i == 0:
        return Operand((None, reg_number(reg.text)), tok)
    offset = toks[:i] + [Token('eol', '(', None, toks[i].line, toks[i].col, toks[i].src)]
    node = read_expression(offset, resolve_local, 'an offset').value
    return Operand((node, reg_number(reg.text)), tok)


def read_address(toks):
    """``(reg)`` (also ``0(reg)``), the address operand of ``lr``/``sc``/AMOs."""
    tok = toks[0]
    i = _base_register(toks)
    if i is None or not (i == 0 or (i == 1 and tok.kind == 'num' and tok.value == 0)):
        raise error_at(tok, f'expected (register), such as (a0), found {tok.describe()}')
    reg = toks[i + 1]
    if reg.kind != 'name' or reg_number(reg.text) is None:
        raise error_at(reg, f'expected a register, found {reg.describe()}')
    return Operand(reg_number(reg.text), tok)


def read_csr(toks, resolve_local):
    """A CSR name (``mstatus``) or a number: an int, or an expression tree."""
    tok = toks[0]
    if tok.kind == 'name' and toks[1].kind == 'eol':
        number = CSR_NUMBERS.get(tok.text.lower())
        if number is not None:
            return Operand(number, tok)
    return read_expression(toks, resolve_local, 'a CSR name or number')


def read_fence_set(toks):
    """``iorw``, ``rw``, ``w`` ... (or ``0``, the empty set): the 4-bit field."""
    tok = toks[0]
    if tok.kind == 'num' and tok.text == '0':
        _expect_end(toks, 1, 'the fence set')
        return Operand(0, tok)
    text = tok.text.lower() if tok.kind == 'name' else ''
    if text and set(text) <= set(FENCE_LETTERS) and len(set(text)) == len(text):
        _expect_end(toks, 1, 'the fence set')
        bits = 0
        for c in text:
            bits |= 8 >> FENCE_LETTERS.index(c)
        return Operand(bits, tok)
    raise error_at(tok, f"expected a fence set such as 'rw' or 'iorw', found {tok.describe()}")
