"""The syntax tree of a Tiny program: what the parser builds and the compiler walks.

Every node is a small frozen dataclass. ``pos`` (line, column) is kept for error messages and
left out of comparisons, so two trees are equal when they mean the same program; the tests use
this to check that ``parse(to_source(tree)) == tree``.
"""

from dataclasses import dataclass, field

POS = field(default=(0, 0), compare=False, repr=False)


# --- expressions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Num:
    value: int
    pos: tuple = POS


@dataclass(frozen=True)
class Var:
    name: str
    pos: tuple = POS


@dataclass(frozen=True)
class Unary:
    op: str                 # '-' or 'not'
    operand: object
    pos: tuple = POS


@dataclass(frozen=True)
class Binary:
    op: str                 # + - * / % == != < <= > >= and or
    left: object
    right: object
    pos: tuple = POS


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    pos: tuple = POS


# --- statements ------------------------------------------------------------------------------

@dataclass(frozen=True)
class VarDecl:              # var name = value;
    name: str
    value: object
    pos: tuple = POS


@dataclass(frozen=True)
class Assign:               # name = value;
    name: str
    value: object
    pos: tuple = POS


@dataclass(frozen=True)
class If:
    cond: object
    then: tuple
    orelse: tuple = ()
    pos: tuple = POS


@dataclass(frozen=True)
class While:
    cond: object
    body: tuple
    pos: tuple = POS


@dataclass(frozen=True)
class Return:
    value: object = None    # None: return 0
    pos: tuple = POS


@dataclass(frozen=True)
class Print:                # print(item, ...); items are expressions or str
    items: tuple
    pos: tuple = POS


@dataclass(frozen=True)
class ExprStmt:             # f(x);  (the result is discarded)
    expr: object
    pos: tuple = POS


# --- the program --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Function:
    name: str
    params: tuple
    body: tuple
    pos: tuple = POS


@dataclass(frozen=True)
class Program:
    functions: tuple        # Function nodes, in source order
    main: tuple             # the top-level statements: the body of the entry function 'main'


# --- back to text ---------------------------------------------------------------------------

def to_source(program):
    """Tiny source for a tree (every binary expression parenthesized), so that
    ``parse(to_source(tree)) == tree``: the property tests generate trees and print them."""
    out = []
    for f in program.functions:
        out.append(f'func {f.name}({", ".join(f.params)}) {{')
        _statements(f.body, 1, out)
        out.append('}')
    _statements(program.main, 0, out)
    return '\n'.join(out) + '\n'


def expr_source(e):
    if isinstance(e, Num):
        return str(e.value) if e.value >= 0 else f'({e.value})'
    if isinstance(e, Var):
        return e.name
    if isinstance(e, Unary):
        return f'-({expr_source(e.operand)})' if e.op == '-' else f'(not ({expr_source(e.operand)}))'
    if isinstance(e, Binary):
        return f'({expr_source(e.left)} {e.op} {expr_source(e.right)})'
    if isinstance(e, Call):
        return f'{e.name}({", ".join(expr_source(a) for a in e.args)})'
    raise TypeError(f'not an expression: {e!r}')


def _string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') \
                  .replace('\t', '\\t') + '"'


def _statements(body, depth, out):
    pad = '    ' * depth
    for s in body:
        if isinstance(s, VarDecl):
            out.append(f'{pad}var {s.name} = {expr_source(s.value)};')
        elif isinstance(s, Assign):
            out.append(f'{pad}{s.name} = {expr_source(s.value)};')
        elif isinstance(s, If):
            out.append(f'{pad}if ({expr_source(s.cond)}) {{')
            _statements(s.then, depth + 1, out)
            if s.orelse:
                out.append(f'{pad}}} else {{')
                _statements(s.orelse, depth + 1, out)
            out.append(f'{pad}}}')
        elif isinstance(s, While):
            out.append(f'{pad}while ({expr_source(s.cond)}) {{')
            _statements(s.body, depth + 1, out)
            out.append(f'{pad}}}')
        elif isinstance(s, Return):
            out.append(f'{pad}return;' if s.value is None else f'{pad}return {expr_source(s.value)};')
        elif isinstance(s, Print):
            items = ', '.join(_string(i) if isinstance(i, str) else expr_source(i) for i in s.items)
            out.append(f'{pad}print({items});')
        elif isinstance(s, ExprStmt):
            out.append(f'{pad}{expr_source(s.expr)};')
        else:
            raise TypeError(f'not a statement: {s!r}')
