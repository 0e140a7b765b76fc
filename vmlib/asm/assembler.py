"""The assembler proper: two passes over the statements, then the default link.

Pass 1 reads every statement once, in order: labels get a place (section and offset),
instructions and directives are parsed and *sized*, and what remains to be computed is kept
as a list of actions. Sizes never depend on values that are unknown at that point, so after
pass 1 every section has its final size and every label its final offset.

The link is then trivial and happens here: ``.text`` at ``base``, then ``.data``, ``.rodata``
and ``.bss``, each aligned. Pass 2 replays the actions in source order with all addresses
known, evaluates the expressions, checks ranges and writes the bytes.

``.set`` may give a symbol a new value; both passes replay the assignments in source order, so
every use sees the value of the last assignment before it (a use before any assignment sees
the final one, as forward references do).

Before pass 1, the reader (``reader.py``) does what GNU ``as`` does while it reads: includes,
conditions, macros and repeats; pass 1 sees plain statements.

*Branch relaxation*, as GNU ``as`` does it: a conditional branch to a label that is too far
for its 12-bit offset (or in another section) becomes the opposite branch over a ``jal``
(8 bytes). Which branches need it is known only once addresses are, so ``assemble`` starts
again with those branches long until none is found short of its target; sizes only grow, so
this ends, at the same smallest layout GNU ``as`` reaches.

An error does not end the assembly: the statement (pass 1) or the emission (pass 2) in error is
left out, the error noted, and the assembler goes on with the next one, so that one run shows
a learner every mistake it can find. At the end the errors are raised together, as one
``AsmError`` (see ``errors.py``); after ``MAX_ERRORS`` the assembler stops early.
"""

from ..isa.regs import reg_number
from .directives import Data, Directives, riscv_nops
from .errors import MAX_ERRORS, AsmError, combined, error_at
from .expr import Rel, Scope, Unknown, evaluate, lo12
from .instructions import read_instruction, suggest
from .lexer import Source, tokenize
from .operands import split_operands
from .program import Program, Section
from .reader import Reader
from .sections import MAX_SECTION_SIZE, SECTION_ORDER

DEFAULT_BASE = 0x8000_0000


class _Section:
    """A section being assembled: how far it has grown and how it must be aligned."""

    def __init__(self, name):
        self.name, self.size, self.align, self.address = name, 0, 1, 0
        self.code = False
        self.data = None


class _Symbol:
    """A label (``value`` a ``Rel``) or an ``.equ`` name (its last definition)."""

    def __init__(self, kind, name, display, tok, value=None, node=None, dot=None):
        self.kind, self.name, self.display, self.tok = kind, name, display, tok
        self.value, self.node, self.dot = value, node, dot


class _Action:
    """Something pass 2 must do: emit bytes at a place, or assign a symbol."""

    __slots__ = ('section', 'offset', 'size', 'emission', 'line', 'code', 'name', 'node', 'tok')
    # line: of the assembled file (for an included or expanded statement, the line that led
    # to it), for the program's line map and the order of errors

    def __init__(self, section=None, offset=0, size=0, emission=None, line=0, code=False,
                 name=None, node=None, tok=None):
        self.section, self.offset, self.size, self.emission = section, offset, size, emission
        self.line, self.code, self.name, self.node, self.tok = line, code, name, node, tok


class _TooManyErrors(Exception):
    """Raised by ``Assembler.note`` when ``MAX_ERRORS`` errors have been noted."""


class _Relax(Exception):
    """Raised at the end of pass 2 when short branches did not reach their targets: the
    ordinals of those branches (``assemble`` starts again with them long)."""

    def __init__(self, branches):
        super().__init__(branches)
        self.branches = branches


class Assembler(Directives, Scope):
    """Assemble one source file. Use ``assemble()``; this class is the machinery."""

    def __init__(self, filename='<input>', base=DEFAULT_BASE, defsym=None, include_dirs=(),
                 long_branches=frozenset()):
        self.filename, self.base = filename, base
        self.defsym = dict(defsym or {})
        self.reader = Reader(self, include_dirs)
        self.long_branches = long_branches  # ordinals of the branches assembled long
        self.branches = 0                   # pass 1: conditional branches seen so far
        self.too_short = set()              # pass 2: short branches that did not reach
        self.sections = {name: _Section(name) for name in SECTION_ORDER + ('.discard',)}
        self.sec = self.sections['.text']
        self.previous = self.sec
        self.section_stack = []
        self.symbols = {}
        self.local_counts = {}
        self.global_names = {}
        self.actions = []
        self.pass_no = 1
        self.dot = Rel('.text', 0)
        self.current = {}           # pass 2: .set values in force at this point
        self.finals = {}            # pass 2: each symbol's final value
        self.resolving = []         # pass 2: symbols whose final value is being computed
        self.pcrel = {}             # pass 2: address of a %pcrel_hi -> its offset
        self.ended = False
        self.errors = []            # the AsmErrors noted so far

    # --- driving --------------------------------------------------------------------------

    def run(self, source):
        """Assemble ``source``: the ``Program``, or the errors raised as one ``AsmError``."""
        try:
            self.define_symbols()
            for statement in self.reader.statements(source, self.filename):
                if self.ended:
                    break
                self.attempt(self.statement, statement)
            if self.attempt(self.layout):       # without addresses there is no pass 2
                self.pass2()
        except _TooManyErrors:
            raise combined(self.errors, stopped=True) from None
        if self.too_short:
            raise _Relax(self.too_short)
        if self.errors:
            raise combined(self.errors)
        return self.program(source)

    def attempt(self, step, *args, line=None):
        """Do one step (a statement, an emission): True if it went well. An ``AsmError`` is
        noted instead of raised, so that the assembler goes on with the next step -- unless
        ``MAX_ERRORS`` are noted already. ``line``: the assembled file's line of the step."""
        if len(self.errors) >= MAX_ERRORS:
            raise _TooManyErrors
        try:
            step(*args)
        except AsmError as e:
            self.note(e, self.reader.top_line if line is None else line)
            return False
        return True

    def note(self, error, top_line):
        """Keep ``error`` for the end (``top_line``: the assembled file's line that led to it)."""
        if error.top_line is None:
            error.top_line = top_line
        self.errors.append(error)
        if len(self.errors) >= MAX_ERRORS:
            raise _TooManyErrors

    def define_symbols(self):
        """``--defsym NAME=VALUE``: each an assignment read before the source."""
        for name, value in self.defsym.items():
            text = f'{name} = {value}'
            src = Source('--defsym', text)
            statements = tokenize(text, self.errors, src)
            for toks in statements:
                if toks[0].kind != 'name' or toks[1].text != '=':
                    self.note(AsmError(f'--defsym {text!r}: expected NAME=VALUE'), 0)
                else:
                    self.attempt(self.statement, toks, line=0)

    def defined(self, name):
        """``.ifdef``: a label or a symbol set before this point."""
        return name in self.symbols

    def statement(self, toks):
        i = 0
        while (toks[i].kind != 'eol' and toks[i + 1].kind == 'op' and toks[i + 1].text == ':'
               and (toks[i].kind == 'name' or (toks[i].kind == 'num' and toks[i].text.isdigit()))):
            self.define_label(toks[i])
            i += 2
        tok = toks[i]
        if tok.kind == 'eol':
            return
        if tok.kind != 'name':
            raise error_at(tok, 'expected an instruction, a directive or a label, '
                                f'found {tok.describe()}')
        after = toks[i + 1]
        if after.kind == 'op' and after.text == '=':
            operands = split_operands(toks[i + 2:])
            return self.assign(tok, operands[0] if len(operands) == 1 else None, toks[i + 2:])
        if tok.text.startswith('.') and tok.text != '.':
            return self.directive(tok, toks[i + 1:])
        if tok.text == '.':
            raise error_at(tok, "expected an instruction, found '.'")
        self.instruction(tok, toks[i + 1:])

    def instruction(self, mnemonic, rest):
        sec = self.sec
        if sec.name in ('.bss', '.discard'):
            raise error_at(mnemonic, f'instructions cannot go in {sec.name} '
                                     '(it has no contents in the file); use .text')
        if sec.size % 4:
            raise error_at(mnemonic, f'instruction at offset 0x{sec.size:x} of {sec.name} is '
                                     'not 4-byte aligned; add ".align 2" before it')
        self.dot = Rel(sec.name, sec.size)
        emission = read_instruction(self, mnemonic, split_operands(rest))
        sec.code = True
        sec.align = max(sec.align, 4)
        self.add(emission, mnemonic, code=True)

    def add(self, emission, tok, code=False):
        """Place ``emission`` at the current location (pass 1) and remember it for pass 2."""
        sec = self.sec
        self.actions.append(_Action(sec, sec.size, emission.size, emission, self.reader.top_line,
                                    code, tok=tok))
        sec.size += emission.size
        if sec.size > MAX_SECTION_SIZE:
            raise error_at(tok, f'section {sec.name} grows beyond {MAX_SECTION_SIZE >> 20} MiB')

    # --- symbols --------------------------------------------------------------------------

    def resolve_local(self, tok):
        """``1b``/``1f`` -> the internal name of the nearest ``1:`` before/after this point."""
        n, direction = tok.value
        count = self.local_counts.get(n, 0)
        if direction == 'b':
            if count == 0:
                raise error_at(tok, f"'{tok.text}' refers back to a label '{n}:' "
                                    'but there is none before it')
            return f'{n}^{count}'
        return f'{n}^{count + 1}'

    def define_label(self, tok):
        where = Rel(self.sec.name, self.sec.size)
        if tok.kind == 'num':
            n = tok.value
            self.local_counts[n] = self.local_counts.get(n, 0) + 1
            name = f'{n}^{self.local_counts[n]}'
            self.symbols[name] = _Symbol('label', name, f'{n}', tok, where)
            return
        name = tok.text
        if reg_number(name) is not None:
            raise error_at(tok, f'{name!r} is a register name; it cannot be a label')
        old = self.symbols.get(name)
        if old is not None:
            what = 'label' if old.kind == 'label' else 'symbol (set by .equ/.set)'
            raise error_at(tok, f'duplicate label {name!r}: already defined as a {what} '
                                f'on line {old.tok.line}')
        self.symbols[name] = _Symbol('label', name, name, tok, where)

    def assign(self, name_tok, operand, rest, directive='='):
        """``.equ``/``.set``/``name = expr``: give a symbol a value (again, for ``.set``)."""
        name = name_tok.text
        if operand is None or operand[0].kind == 'eol':
            raise error_at(rest[0] if operand is None else operand[0],
                           f'expected {name} = value or {directive} name, value')
        if reg_number(name) is not None or name == '.':
            raise error_at(name_tok, f'{name!r} cannot be the name of a symbol')
        from .operands import read_expression
        node = read_expression(operand, self.resolve_local).value
        old = self.symbols.get(name)
        if old is not None and old.kind == 'label':
            raise error_at(name_tok, f'{name!r} is already a label (line {old.tok.line}); '
                                     'it cannot also be set')
        if old is not None and directive == '.equiv':
            raise error_at(name_tok, f'{name!r} is already defined (line {old.tok.line}); '
                                     '.equiv does not redefine')
        dot = Rel(self.sec.name, self.sec.size)
        value = self.value1(node, dot)
        self.symbols[name] = _Symbol('equ', name, name, name_tok, value, node, dot)
        self.actions.append(_Action(name=name, node=node, tok=name_tok, section=self.sec,
                                    offset=self.sec.size))

    def value1(self, node, dot=None):
        """Pass 1: the value if it is known already (an int or a ``Rel``), else None."""
        saved = self.dot
        self.dot = dot if dot is not None else Rel(self.sec.name, self.sec.size)
        try:
            return evaluate(node, self)
        except Unknown:
            return None
        finally:
            self.dot = saved

    def constant1(self, op, what):
        """Pass 1: a number that must be known here (sizes, counts, alignments)."""
        value = self.value1(op.value)
        if not isinstance(value, int):
            raise error_at(op.tok, f'{what} must be a constant known at this point '
                                   '(not a label address or a symbol defined later)')
        return value

    def value(self, node, pc):
        """Pass 2: the value of ``node`` with ``.`` at ``pc``."""
        saved = self.dot
        self.dot = pc
        try:
            return evaluate(node, self)
        finally:
            self.dot = saved

    # Scope: how expressions see symbols.
    def symbol(self, node):
        name, display = node.value
        if self.pass_no == 1:
            sym = self.symbols.get(name)
            if sym is None or sym.value is None:
                raise Unknown
            return sym.value
        if name in self.current and not self.resolving:
            return self.current[name]
        return self.final(name, node)

    def final(self, name, node):
        """Pass 2: the final value of a symbol (labels: their address)."""
        if name in self.finals:
            return self.finals[name]
        sym = self.symbols.get(name)
        display = node.value[1]
        if sym is None:
            if '^' in name:
                raise error_at(node.tok, f"'{display}' refers forward to a label "
                                         f"'{display[:-1]}:' but there is none after it")
            named = [s for s in self.symbols if '^' not in s]
            raise error_at(node.tok, f'undefined symbol {display!r}' + suggest(display, named))
        if sym.kind == 'label':
            value = self.address(sym.value)
        elif sym.value is not None:
            value = self.address(sym.value)
        else:
            if name in self.resolving:
                raise error_at(node.tok, f'symbol {display!r} is defined in terms of itself')
            self.resolving.append(name)
            try:
                value = self.address(self.value(sym.node, self.address(sym.dot)))
            finally:
                self.resolving.pop()
        self.finals[name] = value
        return value

    def section_of(self, name):
        """The section of label ``name`` (None for a symbol set by ``.equ``/``.set``)."""
        sym = self.symbols.get(name)
        return sym.value.section if sym is not None and sym.kind == 'label' else None

    def address(self, value):
        if isinstance(value, Rel):
            return self.sections[value.section].address + value.offset
        return value

    def pcrel_hi(self, offset):
        self.pcrel[self.dot] = offset

    def pcrel_lo(self, address, node):
        if address not in self.pcrel:
            raise error_at(node.tok, '%pcrel_lo needs the label of an earlier auipc that '
                                     f'uses %pcrel_hi; there is none at 0x{address:x}')
        return lo12(self.pcrel[address])

    # --- link and pass 2 ------------------------------------------------------------------

    def layout(self):
        text = self.sections['.text']
        align = max(text.align, 4)
        if text.size % align:       # like GNU as: code sections end padded to their alignment
            pad = -text.size % align
            self.actions.append(_Action(text, text.size, pad, Data(pad, riscv_nops(pad)), 0))
            text.size += pad
        if self.base % align:
            raise AsmError(f'base 0x{self.base:x} is not aligned as .text needs '
                           f'({align} bytes)')
        address = self.base
        for name in SECTION_ORDER:
            sec = self.sections[name]
            sec.align = max(sec.align, 4)
            sec.address = -(-address // sec.align) * sec.align
            address = sec.address + sec.size
        if address > 1 << 32:
            raise AsmError(f'the program ends at 0x{address:x}, beyond the 32-bit address space')

    def pass2(self):
        self.pass_no = 2
        for sec in self.sections.values():
            sec.data = bytearray(sec.size)
        for action in self.actions:
            self.attempt(self.replay, action, line=action.line)

    def replay(self, action):
        """Pass 2 for one action: assign its symbol, or write its bytes."""
        sec = action.section
        pc = sec.address + action.offset
        if action.name is not None:
            self.current[action.name] = self.value(action.node, pc)
            return
        out = action.emission.emit(self, pc)
        if action.code:
            out = b''.join(w.to_bytes(4, 'little') for w in out)
        assert len(out) == action.size, (action.emission, len(out), action.size)
        if sec.name == '.bss' and any(out):
            raise AsmError('.bss holds only zeros (it has no contents in the file); '
                           'put initialized data in .data', action.line)
        sec.data[action.offset:action.offset + action.size] = out

    def program(self, source):
        sections = [Section(s.name, s.address, bytes(s.data))
                    for s in (self.sections[n] for n in SECTION_ORDER) if s.size]
        symbols, constants = {}, {}
        for name, sym in self.symbols.items():
            if '^' in name:
                continue
            if sym.kind == 'label':
                if sym.value.section != '.discard':
                    symbols[name] = self.address(sym.value)
            else:
                constants[name] = self.current.get(name, self.finals.get(name))
                if constants[name] is None:
                    constants[name] = self.address(sym.value)
        globals_ = {n for n in self.global_names if n in symbols}
        entry = symbols.get('_start', self.sections['.text'].address)
        line_map, records = {}, []
        for action in self.actions:
            if action.name is not None or not action.size or action.section.name == '.discard':
                continue
            address = action.section.address + action.offset
            records.append((address, action.size, action.line, action.code))
            if not action.line:         # the padding GNU-style at the end of .text
                continue
            for i in range(0, action.size, 4) if action.code else (0,):
                line_map[address + i] = action.line
        records.sort()
        return Program(sections, symbols, constants, globals_, entry, line_map, records,
                       self.filename, source,
                       {s.name: s.align for s in self.sections.values()})


def assemble(source, filename='<input>', base=DEFAULT_BASE, defsym=None, include_dirs=()):
    """Assemble GNU-syntax RISC-V ``source`` and link it at ``base``: a ``Program``.

    ``defsym`` (``{'PV': 1}``) sets symbols before the source, like ``as --defsym PV=1``;
    ``.include`` looks in ``include_dirs`` (``as -I``). Raises ``AsmError`` (with file, line and
    column): the first error, carrying every error found in ``errors`` (see ``errors.py``).
    """
    long_branches = frozenset()
    while True:
        asm = Assembler(filename, base, defsym, include_dirs, long_branches)
        try:
            return asm.run(source)
        except _Relax as relax:
            long_branches |= relax.branches
        except AsmError as error:
            lines = source.splitlines()
            for e in error.errors:
                if e.filename is None:
                    e.filename = filename
                    if 0 < e.line <= len(lines):
                        e.source_line = lines[e.line - 1]
            raise error from None


def assemble_file(path, base=DEFAULT_BASE, defsym=None, include_dirs=()):
    """Assemble the file at ``path`` (its name appears in error messages)."""
    with open(path, encoding='utf-8', errors='replace') as f:
        source = f.read()
    return assemble(source, str(path), base, defsym, include_dirs)
