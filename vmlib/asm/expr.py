"""Constant expressions: parse tokens into a small tree, evaluate it in a scope.

Values are integers (64-bit two's complement, wrapped after every operation, as GNU ``as``
keeps them), built from numbers, character constants, symbols (labels and ``.equ`` names),
``.`` (the current location), the operators ``+ - * / % << >> & | ^ ~`` and parentheses, the
comparisons ``== != <> < > <= >=`` and ``&& ||`` (for ``.if``), and the RISC-V relocation
functions ``%hi %lo %pcrel_hi %pcrel_lo``. A comparison is -1 when true and 0 when false, and
``&&``/``||`` give 1 or 0, as in GNU ``as`` (C's comparisons give 1). ``/`` and ``%`` truncate
toward zero, as in C and GNU ``as``. ``>>`` of a negative number is refused: C shifts in
copies of the sign bit, GNU ``as`` shifts the 64-bit pattern as unsigned.

Precedence is C's. GNU ``as`` has its own (``|`` ``&`` ``^`` bind tighter than ``+``, and
``<<`` ``>>`` as tight as ``*``), so ``1 + 2 << 3`` is 24 in C and 17 in GNU ``as``. The course
promises that a ``.s`` file means the same to both assemblers, so wherever the two orders
would group an unparenthesized expression differently we refuse it and ask for parentheses;
every expression we accept has one meaning in C, in Python and in GNU ``as``.

Two passes read expressions. In pass 1 label addresses are not known yet, only each label's
section and offset (``Rel``): ``end - start`` in one section is already a number, ``start + 4``
is still a ``Rel``, and anything else raises ``Unknown`` so the caller picks a size that does
not depend on the value. In pass 2 every symbol is a number.
"""

from ..isa.regs import reg_number
from .errors import error_at

# Binding strength of the binary operators: C's ranks, and GNU as's for the ambiguity check.
COMPARISONS = ('==', '!=', '<>', '<', '>', '<=', '>=')
C_RANK = {'||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<>': 6,
          '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9,
          '*': 10, '/': 10, '%': 10}
GNU_RANK = {'||': 0, '&&': 0, '|': 2, '^': 2, '&': 2, '<<': 3, '>>': 3, '+': 1, '-': 1,
            '*': 3, '/': 3, '%': 3, **dict.fromkeys(COMPARISONS, 1)}
UNARY = ('-', '+', '~')
FUNCTIONS = ('hi', 'lo', 'pcrel_hi', 'pcrel_lo')
MAX_NESTING = 32        # parentheses and unary operators inside each other
MAX_DEPTH = 200         # height of the tree; keeps evaluation far from Python's stack limit


class Unknown(Exception):
    """Pass 1: the value depends on something not placed yet."""


class Rel:
    """Pass 1: an address known only as an offset into a section."""

    __slots__ = ('section', 'offset')

    def __init__(self, section, offset):
        self.section, self.offset = section, offset

    def __eq__(self, other):
        return (isinstance(other, Rel) and self.section == other.section
                and self.offset == other.offset)

    def __hash__(self):
        return hash((self.section, self.offset))

    def __repr__(self):
        return f'Rel({self.section}+{self.offset})'


class Node:
    """One node of an expression tree; ``tok`` is where errors about it point."""

    __slots__ = ('kind', 'tok', 'value', 'a', 'b', 'depth')

    def __init__(self, kind, tok, value=None, a=None, b=None):
        self.kind, self.tok, self.value, self.a, self.b = kind, tok, value, a, b
        self.depth = 1 + max(a.depth if a else 0, b.depth if b else 0)

    def symbols(self):
        """The symbol names this expression uses."""
        if self.kind == 'sym':
            yield self.value[0]
        for child in (self.a, self.b):
            if child is not None:
                yield from child.symbols()


def wrap64(v):
    """``v`` as a signed 64-bit integer."""
    return ((v + (1 << 63)) & ((1 << 64) - 1)) - (1 << 63)


def hi20(value):
    """``%hi``: the upper 20 bits, rounded so that ``(hi << 12) + lo`` gives ``value`` back."""
    return ((value + 0x800) >> 12) & 0xFFFFF


def lo12(value):
    """``%lo``: the low 12 bits as the signed number ``addi``/``lw`` will add."""
    return ((value & 0xFFF) ^ 0x800) - 0x800


# --- parsing --------------------------------------------------------------------------------

class _Parser:
    def __init__(self, tokens, resolve_local):
        self.tokens, self.i, self.resolve_local = tokens, 0, resolve_local
        self.nesting = 0

    def peek(self):
        return self.tokens[self.i]

    def take(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def binary(self, min_rank):
        left = self.unary()
        while True:
            tok = self.peek()
            rank = C_RANK.get(tok.text) if tok.kind == 'op' else None
            if rank is None or rank < min_rank:
                return left
            self.take()
            right = self.binary(rank + 1)
            _check_gnu_grouping(tok, left, right)
            left = Node('bin', tok, tok.text, left, right)
            if left.depth > MAX_DEPTH:
                raise error_at(tok, 'expression too long: split it with .equ')

    def nest(self, tok):
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise error_at(tok, f'expression nested more than {MAX_NESTING} deep')

    def unary(self):
        tok = self.peek()
        if tok.kind == 'op' and tok.text in UNARY:
            self.take()
            self.nest(tok)
            node = Node('un', tok, tok.text, self.unary())
            self.nesting -= 1
            return node
        return self.primary()

    def primary(self):
        tok = self.take()
        if tok.kind == 'num':
            if not -(1 << 63) <= tok.value < (1 << 64):
                raise error_at(tok, f'number {tok.text} does not fit in 64 bits')
            return Node('num', tok, wrap64(tok.value))
        if tok.kind == 'badnum':
            raise error_at(tok, f'invalid number {tok.text!r}')
        if tok.kind == 'local':
            return Node('sym', tok, (self.resolve_local(tok), tok.text))
        if tok.kind == 'name':
            if tok.text == '.':
                return Node('dot', tok)
            if reg_number(tok.text) is not None:
                raise error_at(tok, f'expected an expression, found register {tok.text!r}')
            return Node('sym', tok, (tok.text, tok.text))
        if tok.kind == 'op' and tok.text == '(':
            self.nest(tok)
            inner = self.binary(0)
            close = self.take()
            if close.text != ')' or close.kind != 'op':
                raise error_at(close, f"expected ')', found {close.describe()}")
            self.nesting -= 1
            return Node('paren', tok, None, inner)
        if tok.kind == 'func':
            if tok.value not in FUNCTIONS:
                raise error_at(tok, f'unknown relocation function {tok.text!r} '
                               '(known: %hi %lo %pcrel_hi %pcrel_lo)')
            self.nest(tok)
            open_ = self.take()
            if open_.text != '(' or open_.kind != 'op':
                raise error_at(open_, f"expected '(' after {tok.text}, found {open_.describe()}")
            inner = self.binary(0)
            close = self.take()
            if close.text != ')' or close.kind != 'op':
                raise error_at(close, f"expected ')', found {close.describe()}")
            self.nesting -= 1
            return Node('func', tok, tok.value, inner)
        if tok.kind == 'str':
            raise error_at(tok, 'expected an expression, found a string')
        raise error_at(tok, f'expected an expression, found {tok.describe()}')


def _check_gnu_grouping(tok, left, right):
    """Refuse ``a OP b OP c`` when C and GNU as would group it differently (see module doc)."""
    op = tok.text
    for child, on_left in ((left, True), (right, False)):
        if child.kind != 'bin':
            continue
        c, g = GNU_RANK[child.value], GNU_RANK[op]
        if (c >= g) if on_left else (c > g):
            continue
        first, second = (child.value, op) if on_left else (op, child.value)
        raise error_at(tok, f"add parentheses: C and GNU as group {first!r} and {second!r} "
                            "differently here")


def parse_expression(tokens, resolve_local=None):
    """Parse ``tokens`` (ending with an ``eol`` token) as one expression; all must be used."""
    p = _Parser(tokens, resolve_local or _no_locals)
    node = p.binary(0)
    tok = p.peek()
    if tok.kind != 'eol':
        raise error_at(tok, f'unexpected {tok.describe()} after the expression')
    return node


def _no_locals(tok):
    return tok.text


# --- evaluation ---------------------------------------------------------------------------

class Scope:
    """What an expression may ask while it is evaluated. The assembler subclasses it.

    ``dot`` is the value of ``.``; ``symbol(node)`` the value of a symbol (or ``Unknown``);
    ``pcrel_lo(address, node)`` the low part that belongs to the ``%pcrel_hi`` at ``address``.
    """

    dot = 0

    def symbol(self, node):
        raise error_at(node.tok, f'undefined symbol {node.value[1]!r}')

    def pcrel_hi(self, offset):
        """Remember the offset a ``%pcrel_hi`` at ``.`` computed (for its ``%pcrel_lo``)."""

    def pcrel_lo(self, address, node):
        raise error_at(node.tok, '%pcrel_lo needs the label of an auipc with %pcrel_hi')


def evaluate(node, scope):
    """The value of ``node``: an int (or, in pass 1, a ``Rel``); may raise Unknown/AsmError."""
    kind = node.kind
    if kind == 'num':
        return node.value
    if kind == 'sym':
        return scope.symbol(node)
    if kind == 'dot':
        return scope.dot
    if kind == 'paren':
        return evaluate(node.a, scope)
    if kind == 'un':
        v = evaluate(node.a, scope)
        if node.value == '+':
            return v
        if isinstance(v, Rel):
            raise Unknown
        return wrap64(-v if node.value == '-' else ~v)
    if kind == 'bin':
        return _binary(node, evaluate(node.a, scope), evaluate(node.b, scope))
    if kind == 'func':
        name = node.value
        v = evaluate(node.a, scope)
        if name == 'pcrel_lo':
            if isinstance(v, Rel):
                raise Unknown
            return scope.pcrel_lo(v & 0xFFFFFFFF, node)
        if name == 'pcrel_hi':
            if isinstance(v, Rel) or isinstance(scope.dot, Rel):
                raise Unknown
            offset = (v - scope.dot) & 0xFFFFFFFF
            scope.pcrel_hi(offset)
            return hi20(offset)
        if isinstance(v, Rel):
            raise Unknown
        return hi20(v) if name == 'hi' else lo12(v)
    raise AssertionError(kind)  # pragma: no cover


def _binary(node, a, b):
    op = node.value
    if isinstance(a, Rel) or isinstance(b, Rel):
        if op == '+' and not (isinstance(a, Rel) and isinstance(b, Rel)):
            rel, n = (a, b) if isinstance(a, Rel) else (b, a)
            return Rel(rel.section, rel.offset + n)
        if op == '-' and isinstance(a, Rel):
            if not isinstance(b, Rel):
                return Rel(a.section, a.offset - b)
            if a.section == b.section:
                return a.offset - b.offset
        raise Unknown
    if op == '+':
        r = a + b
    elif op == '-':
        r = a - b
    elif op == '*':
        r = a * b
    elif op in ('/', '%'):
        if b == 0:
            raise error_at(node.tok, 'division by zero')
        q = abs(a) // abs(b)
        if (a < 0) != (b < 0):
            q = -q
        r = q if op == '/' else a - b * q
    elif op in ('<<', '>>'):
        if not 0 <= b < 64:
            raise error_at(node.tok, f'shift count {b} out of range 0..63')
        if op == '>>' and a < 0:
            raise error_at(node.tok, f'right shift of a negative number ({a}): C shifts in '
                                     'sign bits, GNU as zeros; mask it first, as in '
                                     '(x & 0xffffffff) >> n')
        r = a << b if op == '<<' else a >> b
    elif op in COMPARISONS:
        r = -int({'==': a == b, '!=': a != b, '<>': a != b, '<': a < b, '>': a > b,
                  '<=': a <= b, '>=': a >= b}[op])
    elif op in ('&&', '||'):
        r = int(bool(a and b) if op == '&&' else bool(a or b))
    elif op == '&':
        r = a & b
    elif op == '|':
        r = a | b
    else:
        r = a ^ b
    return wrap64(r)
