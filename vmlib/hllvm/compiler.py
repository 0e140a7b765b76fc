"""The compiler: a Tiny syntax tree to a class file of stack bytecode, in one walk.

A stack machine makes code generation almost mechanical: to compute ``a + b * c``, emit code
that leaves ``a`` on the stack, then code that leaves ``b * c`` on it, then ``add``. Each
expression leaves exactly one value; each statement leaves the stack as it found it (empty).

Control flow becomes jumps to labels, patched once the label's place is known::

    while (c) { body }          top:  <c>  jz end  <body>  jmp top  end:

``and``/``or`` short-circuit as in Java and give 0 or 1. A function whose last statement is
not a ``return`` gets ``const 0; ret``. Then the verifier (the same check a loaded class file
gets) computes each function's ``max_stack``.

Names are resolved here, with errors that point at the source: variables are local to their
function (parameters first, then each ``var`` in the order written), and a function may be
called before or after its definition.
"""

from .classfile import NO_NAMES, ClassFile, Function, MAX_CONSTANTS, MAX_FUNCTIONS
from .errors import CompileError
from .nodes import (Assign, Binary, Call, ExprStmt, Function as FunctionNode, If, Num, Print,
                    Return, Unary, Var, VarDecl, While)
from .opcodes import BY_NAME, encode
from .parser import parse
from .verifier import stack_depth

OPERATORS = {'+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'rem',
             '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge'}
MAX_LOCALS = 255
MAX_CODE = 0xFFFF


def compile_source(source, filename='<input>'):
    """Compile Tiny ``source`` to a ``ClassFile``; raise CompileError (with line:column)."""
    return compile_program(parse(source, filename), source, filename)


def compile_program(program, source=None, filename='<input>'):
    """Compile a syntax tree (``nodes.Program``) to a ``ClassFile``."""
    return Compiler(source, filename).program(program)


class Label:
    """A place in the code that jumps may refer to before it is known."""

    def __init__(self):
        self.pc = None
        self.uses = []      # offsets of jump operands to patch


class Compiler:
    def __init__(self, source=None, filename='<input>'):
        self.source, self.filename = source, filename
        self.constants, self.pool = [], {}
        self.signatures = {}        # function name -> (index, arity)

    def error(self, message, pos):
        return CompileError(message, pos[0], pos[1], self.source, self.filename)

    def constant(self, text, pos=(0, 0), shared=True):
        """The index of string ``text`` in the constant pool (added if new)."""
        if shared and text in self.pool:
            return self.pool[text]
        if len(self.constants) >= MAX_CONSTANTS:
            raise self.error(f'too many constants (at most {MAX_CONSTANTS})', pos)
        if len(text.encode('utf-8')) > 0xFFFF:
            raise self.error('a string of more than 65535 bytes does not fit in a constant', pos)
        self.constants.append(text)
        if shared:
            self.pool[text] = len(self.constants) - 1
        return len(self.constants) - 1

    def program(self, program):
        functions = list(program.functions)
        mains = [f for f in functions if f.name == 'main']
        if mains and program.main:
            raise self.error('main is the program\'s top-level statements; a function '
                             'cannot have that name too', mains[0].pos)
        if not mains:
            functions.insert(0, FunctionNode('main', (), program.main, (1, 1)))
        if len(functions) > MAX_FUNCTIONS:
            raise self.error(f'too many functions (at most {MAX_FUNCTIONS})', functions[-1].pos)
        for i, f in enumerate(functions):
            if f.name in self.signatures:
                raise self.error(f'function {f.name} is defined twice', f.pos)
            self.signatures[f.name] = (i, len(f.params))
            self.constant(f.name)
        compiled = [FunctionCompiler(self, f).compile() for f in functions]
        entry = self.signatures['main'][0]
        cf = ClassFile(tuple(self.constants), tuple(compiled), entry)
        # max_stack: the deepest the operand stack gets, found by the verifier's analysis
        sized = tuple(Function(f.name, f.arity, f.nlocals, stack_depth(cf, i), f.code,
                               f.local_names) for i, f in enumerate(compiled))
        return ClassFile(cf.constants, sized, entry)


class FunctionCompiler:
    """Code for one function: its locals, its bytes, its labels."""

    def __init__(self, compiler, node):
        self.c, self.node = compiler, node
        self.locals, self.declared_at = {}, {}
        self.code = bytearray()
        for p in node.params:
            self.declare(p, node.pos)

    # --- emitting ---------------------------------------------------------------------------

    def emit(self, name, *args):
        self.code += encode(name, *args)

    def jump(self, name, label):
        """Emit a jump to ``label``: a backward jump knows its target, a forward one is
        patched when ``place`` is called."""
        if label.pc is not None:
            self.emit(name, label.pc)
            return
        self.code.append(BY_NAME[name].code)
        label.uses.append(len(self.code))
        self.code += b'\0\0'

    def place(self, label):
        label.pc = len(self.code)
        for at in label.uses:
            self.code[at:at + 2] = label.pc.to_bytes(2, 'little')

    # --- names ------------------------------------------------------------------------------

    def declare(self, name, pos):
        if name in self.locals:
            line = self.declared_at[name][0]
            raise self.c.error(f'{name} is already declared in this function (line {line})', pos)
        if len(self.locals) >= MAX_LOCALS:
            raise self.c.error(f'too many local variables (at most {MAX_LOCALS})', pos)
        self.locals[name] = len(self.locals)
        self.declared_at[name] = pos
        return self.locals[name]

    def slot(self, name, pos):
        if name not in self.locals:
            raise self.c.error(f'undefined variable {name} (declare it first: var {name} = ...;)',
                               pos)
        return self.locals[name]

    # --- the function -------------------------------------------------------------------------

    def compile(self):
        node = self.node
        self.block(node.body)
        if not (node.body and isinstance(node.body[-1], Return)):
            self.emit('const', 0)
            self.emit('ret')
        if len(self.code) > MAX_CODE:
            raise self.c.error(f'function {node.name} is too long ({len(self.code)} bytes of '
                               f'code, at most {MAX_CODE})', node.pos)
        # the locals' names, for listings and debuggers: one run of constants, local 0 first
        indices = [self.c.constant(n, node.pos, shared=False) for n in self.locals]
        return Function(self.c.constant(node.name), len(node.params), len(indices), 0,
                        bytes(self.code), indices[0] if indices else NO_NAMES)

    # --- statements: each leaves the stack as it found it ------------------------------------

    def block(self, statements):
        for s in statements:
            self.statement(s)

    def statement(self, s):
        if isinstance(s, VarDecl):
            self.expr(s.value)                      # the value first: var x = x; is an error
            self.emit('store', self.declare(s.name, s.pos))
        elif isinstance(s, Assign):
            slot = self.slot(s.name, s.pos)
            self.expr(s.value)
            self.emit('store', slot)
        elif isinstance(s, If):
            orelse, end = Label(), Label()
            self.expr(s.cond)
            self.jump('jz', orelse)
            self.block(s.then)
            if s.orelse:
                self.jump('jmp', end)
            self.place(orelse)
            self.block(s.orelse)
            self.place(end)
        elif isinstance(s, While):
            top, end = Label(), Label()
            self.place(top)
            self.expr(s.cond)
            self.jump('jz', end)
            self.block(s.body)
            self.jump('jmp', top)
            self.place(end)
        elif isinstance(s, Return):
            if s.value is None:
                self.emit('const', 0)
            else:
                self.expr(s.value)
            self.emit('ret')
        elif isinstance(s, Print):
            self.print_items(s.items, s.pos)
        elif isinstance(s, ExprStmt):
            self.expr(s.expr)
            self.emit('pop')
        else:
            raise TypeError(f'not a statement: {s!r}')

    def print_items(self, items, pos):
        """``print(a, "b", c)`` prints the items separated by spaces, then a newline. Runs of
        text become one string constant: ``load a; print; prints " b "; load c; ...``."""
        pieces = []
        for i, item in enumerate(items):
            if i:
                pieces.append(' ')
            pieces.append(item)
        pieces.append('\n')
        text = ''
        for piece in pieces:
            if isinstance(piece, str):
                text += piece
                continue
            if text:
                self.emit('prints', self.c.constant(text, pos))
                text = ''
            self.expr(piece)
            self.emit('print')
        self.emit('prints', self.c.constant(text, pos))

    # --- expressions: each leaves exactly one value ---------------------------------------------

    def expr(self, e):
        if isinstance(e, Num):
            self.emit('const', e.value)
        elif isinstance(e, Var):
            self.emit('load', self.slot(e.name, e.pos))
        elif isinstance(e, Unary):
            self.expr(e.operand)
            self.emit('neg' if e.op == '-' else 'not')
        elif isinstance(e, Binary) and e.op in ('and', 'or'):
            self.logic(e)
        elif isinstance(e, Binary):
            self.expr(e.left)
            self.expr(e.right)
            self.emit(OPERATORS[e.op])
        elif isinstance(e, Call):
            if e.name not in self.c.signatures:
                raise self.c.error(f'undefined function {e.name}', e.pos)
            index, arity = self.c.signatures[e.name]
            if len(e.args) != arity:
                raise self.c.error(f'{e.name} takes {arity} argument{"s" * (arity != 1)}, '
                                   f'got {len(e.args)}', e.pos)
            for a in e.args:
                self.expr(a)
            self.emit('call', index)
        else:
            raise TypeError(f'not an expression: {e!r}')

    def logic(self, e):
        """``a and b``: 1 if both are non-zero, and ``b`` is not evaluated when ``a`` is 0.
        ``a or b``: 1 if either is non-zero, and ``b`` is not evaluated when ``a`` is not 0."""
        decided, end = Label(), Label()
        test = 'jz' if e.op == 'and' else 'jnz'
        self.expr(e.left)
        self.jump(test, decided)
        self.expr(e.right)
        self.jump(test, decided)
        self.emit('const', 1 if e.op == 'and' else 0)
        self.jump('jmp', end)
        self.place(decided)
        self.emit('const', 0 if e.op == 'and' else 1)
        self.place(end)
