"""Shared hypothesis strategies: instructions, programs and register values for RV32.

Everything is derived from the decode table (``vmlib.isa.SPECS``): a strategy never lists
instructions or encodings of its own, so a row added to the table is covered at once.

    from strategies import instruction_words, alu_programs, register_values

- ``fields_for(spec)``: legal operand fields for one table row (what ``Spec.encode`` takes);
- ``instructions(...)``: ``(spec, fields)`` pairs; ``instruction_words(...)``: their words;
- ``alu_programs(...)``: straight-line programs of register/immediate arithmetic (words);
- ``register_values()``: 32-bit values with the edge cases (0, 1, -1, INT_MIN ...) weighted up;
- ``programs()``, ``expression_programs()``, ``ints``: random Tiny programs for the
  high-level-language VM (``vmlib.hllvm``);
- ``assembly_lines()``: single lines of valid assembly (instructions, labels, directives),
  for fuzzing and round-trip tests of the assembler.
"""

from hypothesis import strategies as st

from vmlib.isa import SPECS, disassemble

M32 = 0xFFFFFFFF

EDGE_VALUES = (0, 1, 2, 0x7FF, 0x800, 0xFFF, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE,
               0xFFFFFFFF)


def register_values():
    """A 32-bit register value (unsigned), edge cases about half of the time."""
    return st.one_of(st.sampled_from(EDGE_VALUES), st.integers(0, M32))


def _field(spec, name, lo, hi):
    fmt = spec.format.name
    if name == 'imm' and fmt in ('B', 'J'):           # branch/jump offsets are even
        return st.integers(lo // 2, hi // 2).map(lambda v: v * 2)
    if name == 'imm' and fmt == 'U':                  # upper immediates: multiples of 4096
        return st.integers(0, 0xFFFFF).map(lambda v: v << 12)
    return st.integers(lo, hi)


def fields_for(spec):
    """Legal operand fields for ``spec``: a dict for ``spec.encode(**fields)``.

    Ranges come from ``spec.format.ranges``; B/J offsets are even and U immediates are
    multiples of 4096, as the encodings require.
    """
    return st.fixed_dictionaries({name: _field(spec, name, lo, hi)
                                  for name, (lo, hi) in spec.format.ranges.items()})


def _select(names=None, kinds=None, categories=None):
    specs = [s for s in SPECS
             if (names is None or s.name in names)
             and (kinds is None or s.kind in kinds)
             and (categories is None or s.category in categories)]
    if not specs:
        raise ValueError('no instruction matches the selection')
    return specs


def instructions(names=None, kinds=None, categories=None):
    """``(spec, fields)`` for a random legal instruction, optionally restricted by table
    names (``{'add', 'lw'}``), kinds (``{'alu', 'load'}``) or categories (``{'csr'}``)."""
    return st.sampled_from(_select(names, kinds, categories)).flatmap(
        lambda spec: st.tuples(st.just(spec), fields_for(spec)))


def instruction_words(names=None, kinds=None, categories=None):
    """A random *legal* instruction word (it decodes back to the same row and fields)."""
    return instructions(names, kinds, categories).map(lambda sf: sf[0].encode(**sf[1]))


def alu_programs(min_size=1, max_size=20, with_muldiv=True, with_upper=True):
    """A straight-line program: a list of words of ``kind == 'alu'`` instructions only.

    No loads, stores, branches, jumps or system instructions, so it runs from its first word
    to its last; ``x0`` may be a destination (writes to it must vanish). ``with_muldiv`` adds
    the M extension, ``with_upper`` adds ``lui``/``auipc`` (``auipc`` results depend on where
    the program is placed). Append your own way of stopping (an ``ecall``, a test-device
    write) and compare the registers with a reference model.
    """
    specs = [s for s in SPECS if s.kind == 'alu'
             and (with_muldiv or s.category != 'muldiv')
             and (with_upper or s.format.name != 'U')]
    ins = st.sampled_from(specs).flatmap(lambda spec: fields_for(spec).map(
        lambda fields: spec.encode(**fields)))
    return st.lists(ins, min_size=min_size, max_size=max_size)


LABELS = ('start', 'loop', 'done', 'data', 'tohost', '_start', 'buf')
DIRECTIVE_LINES = ('.text', '.data', '.rodata', '.bss', '.align 2', '.balign 4', '.word 1, 2',
                   '.half 3', '.byte 4, 5', '.ascii "ab"', '.asciz "hi\\n"', '.space 8',
                   '.zero 4', '.globl start', '.equ N, 10', '.set M, N * 2',
                   '.section .rodata', '.p2align 3', '.string "x"', '.word loop - start')


def assembly_lines():
    """One line of valid assembly: an instruction (from the disassembler, so it assembles
    back to the same word), a label definition, a reference to a label, or a directive."""
    instruction = instruction_words(kinds={'alu', 'load', 'store', 'system', 'nop'}).map(
        lambda w: disassemble(w))
    return st.one_of(
        instruction,
        st.sampled_from(LABELS).map(lambda n: f'{n}:'),
        st.sampled_from(('j', 'call', 'la a0,', 'beqz a1,', 'tail')).flatmap(
            lambda op: st.sampled_from(LABELS).map(lambda n: f'{op} {n}')),
        st.sampled_from(DIRECTIVE_LINES),
        st.sampled_from(('1:', 'j 1b', 'j 1f', 'li a0, N', 'li t0, 0x12345678',
                         'lui a0, %hi(data)', 'addi a0, a0, %lo(data)', 'nop', 'ret')),
    )


# --- whole programs with control flow, traps and self-modification --------------------------

# Registers ``control_programs`` reserves, and what the harness must put in them first.
DATA_BASE_REG = 3           # gp: base of the data region (loads and stores use imm(gp))
CODE_BASE_REG = 25          # s9: address of the program's first word (self-modifying stores)
SMC_VALUE_REG = 24          # s8: the word a self-modifying store writes
JUMP_BASE_REG = 26          # s10: auipc result that a jalr jumps from
LOOP_COUNT_REG = 27         # s11: the counter of bounded loops
RESERVED_REGS = frozenset({DATA_BASE_REG, 22, 23, SMC_VALUE_REG, CODE_BASE_REG, JUMP_BASE_REG,
                           LOOP_COUNT_REG})
FREE_REGS = tuple(r for r in range(32) if r not in RESERVED_REGS)
ILLEGAL_WORDS = (0x00000000, 0xFFFFFFFF, 0x0000007F)


def _spec(name):
    return next(s for s in SPECS if s.name == name)


def _fields_with(spec, **fixed):
    return fields_for(spec).map(lambda f: {**f, **fixed})


@st.composite
def _alu_word(draw, rds=FREE_REGS):
    spec = draw(st.sampled_from([s for s in SPECS if s.kind == 'alu']))
    fields = draw(fields_for(spec))
    if 'rd' in fields:
        fields['rd'] = draw(st.sampled_from(rds))
    return spec.encode(**fields)


@st.composite
def _memory_piece(draw, wild=False):
    spec = draw(st.sampled_from([s for s in SPECS if s.kind in ('load', 'store')]))
    size = spec.semantics[0]
    if wild:            # any register as the base: mostly an access or page fault
        fields = {'rs1': draw(st.sampled_from(FREE_REGS)), 'imm': draw(st.integers(-2048, 2047))}
    else:
        offset = draw(st.one_of(st.integers(0, 255).map(lambda v: v * size),   # aligned
                                st.integers(0, 2040)))                         # anything
        fields = {'rs1': DATA_BASE_REG, 'imm': offset}
    if spec.kind == 'load':
        fields['rd'] = draw(st.sampled_from(FREE_REGS))
    else:
        fields['rs2'] = draw(st.integers(0, 31))
    return [('word', spec.encode(**fields))]


def _hi_lo(value):
    lo = ((value & 0xFFF) ^ 0x800) - 0x800
    return (value - lo) & M32, lo


@st.composite
def _piece(draw, in_loop=False):
    kinds = ['alu', 'alu', 'alu', 'mem', 'mem', 'mem', 'wild', 'smc', 'branch', 'jal']
    if not in_loop:
        kinds += ['branch', 'jalr', 'ecall', 'illegal', 'loop', 'system']
    kind = draw(st.sampled_from(kinds))
    if kind == 'alu':
        return [('word', draw(_alu_word()))]
    if kind in ('mem', 'wild'):
        return draw(_memory_piece(wild=kind == 'wild'))
    if kind == 'branch':
        spec = draw(st.sampled_from([s for s in SPECS if s.kind == 'branch']))
        return [('branch', spec, draw(st.integers(0, 31)), draw(st.integers(0, 31)),
                 draw(st.integers(1, 12)), draw(st.sampled_from((0, 0, 0, 0, 2))))]
    if kind == 'jal':
        return [('jal', draw(st.sampled_from(FREE_REGS)), draw(st.integers(1, 12)),
                 draw(st.sampled_from((0, 0, 0, 0, 2))))]
    if kind == 'jalr':
        return [('auipc',), ('jalr', draw(st.sampled_from(FREE_REGS)), draw(st.integers(1, 12)),
                             draw(st.sampled_from((0, 0, 1, 2))))]
    if kind == 'ecall':
        return [('word', _spec(draw(st.sampled_from(('ecall', 'ebreak')))).encode())]
    if kind == 'system':
        # mscratch, mepc, mstatus (MPP, MPRV: privilege changes), counters, mhartid, mip
        csr = draw(st.sampled_from((0x340, 0x341, 0x300, 0xB00, 0xB02, 0xC00, 0xC02, 0xF14,
                                    0x344)))
        name = draw(st.sampled_from(('csrrw', 'csrrs', 'csrrc')))
        return [('word', _spec(name).encode(rd=draw(st.sampled_from(FREE_REGS)), csr=csr,
                                            rs1=draw(st.sampled_from((0, 0, 5, 6)))))]
    if kind == 'illegal':
        return [('word', draw(st.sampled_from(ILLEGAL_WORDS)))]
    if kind == 'smc':
        new = draw(st.one_of(_alu_word(), st.sampled_from(ILLEGAL_WORDS),
                             st.just(_spec('addi').encode(rd=0, rs1=0, imm=0))))
        hi, lo = _hi_lo(new)
        return [('word', _spec('lui').encode(rd=SMC_VALUE_REG, imm=hi)),
                ('word', _spec('addi').encode(rd=SMC_VALUE_REG, rs1=SMC_VALUE_REG, imm=lo)),
                ('smc', draw(st.integers(0, 60)))]
    # a bounded loop: s11 = K; body; s11 -= 1; loop while 0 < s11. A forward branch or jal
    # in the body goes at most to the decrement, or past the loop's end (never to the blt,
    # which would skip the decrement)
    body = [p for piece in draw(st.lists(_piece(in_loop=True), min_size=1, max_size=6))
            for p in piece]
    for i, item in enumerate(body):
        if item[0] in ('branch', 'jal'):
            to_decrement = len(body) - i
            k = item[-2]
            if item[0] == 'jal' or k <= to_decrement + 1:
                k = min(k, to_decrement)        # jal always stays in: the loop loops
            body[i] = item[:-2] + (k, item[-1])
    count = draw(st.integers(2, 8))
    return ([('word', _spec('addi').encode(rd=LOOP_COUNT_REG, rs1=0, imm=count)), ('mark',)]
            + body
            + [('word', _spec('addi').encode(rd=LOOP_COUNT_REG, rs1=LOOP_COUNT_REG, imm=-1)),
               ('back', len(body) + 1)])


@st.composite
def control_programs(draw, min_pieces=1, max_pieces=24):
    """A random program (a list of words) with control flow, memory, traps and self-modifying
    stores, that always terminates or is stopped by a step budget.

    Conventions (the harness sets them up before the first word): ``gp`` (x3) points to a
    data region of at least 4 KiB; ``s9`` (x25) holds the address of the first word;
    ``s8``, ``s10``, ``s11`` and x22, x23 are reserved (the program writes them only for its own
    purposes). It contains ALU instructions; loads and stores (aligned and misaligned) at
    ``gp + 0..2047``, and some through other registers (mostly faulting); forward branches,
    ``jal`` and ``jalr`` (some to misaligned targets, which trap when taken); ``ecall`` and
    ``ebreak``; CSR accesses (some illegal, some changing ``mstatus``); illegal words; bounded
    loops (counter ``s11``, at most 8 iterations; there is no other backward jump); and stores
    of new instruction words into the program itself. A trap handler that skips the trapping
    instruction (``mepc += 4``) keeps it going; after the last word, the harness's own
    epilogue runs.
    """
    pieces = draw(st.lists(_piece(), min_size=min_pieces, max_size=max_pieces))
    items = [p for piece in pieces for p in piece]
    positions, pos = [], 0
    for item in items:
        positions.append(pos)
        pos += item[0] != 'mark'
    end = pos
    words = []
    for i, item in enumerate(items):
        here, tag = positions[i], item[0]
        if tag == 'mark':
            continue
        if tag == 'word':
            words.append(item[1])
        elif tag == 'branch':
            _, spec, rs1, rs2, k, odd = item
            words.append(spec.encode(rs1=rs1, rs2=rs2, imm=4 * min(k, end - here) + odd))
        elif tag == 'jal':
            words.append(_spec('jal').encode(rd=item[1],
                                             imm=4 * min(item[2], end - here) + item[3]))
        elif tag == 'auipc':
            words.append(_spec('auipc').encode(rd=JUMP_BASE_REG, imm=0))
        elif tag == 'jalr':
            _, rd, k, misalign = item
            target = min(here + k, end)                 # relative to the auipc before it
            words.append(_spec('jalr').encode(rd=rd, rs1=JUMP_BASE_REG,
                                              imm=4 * (target - here + 1) + misalign))
        elif tag == 'smc':
            words.append(_spec('sw').encode(rs1=CODE_BASE_REG, rs2=SMC_VALUE_REG,
                                            imm=4 * min(item[1], end - 1)))
        elif tag == 'back':
            words.append(_spec('blt').encode(rs1=0, rs2=LOOP_COUNT_REG, imm=-4 * (item[1])))
    return words

# --- Tiny programs (the high-level-language VM, vmlib.hllvm) ------------------------------------
#
# Random *syntax trees* of well-formed Tiny programs: every name declared, every loop bounded,
# functions calling only earlier functions, so every program ends. ``programs()`` draws whole
# programs, ``expression_programs()`` straight-line ones with deep expressions; ``ints`` are
# Tiny's 32-bit values with the edge cases weighted up.

from vmlib.hllvm.nodes import (Assign, Binary, Call, ExprStmt, Function, If, Num,  # noqa: E402
                               Print, Program, Return, Unary, Var, VarDecl, While)

INT_MIN, INT_MAX = -2**31, 2**31 - 1
TINY_EDGE = (0, 1, -1, 2, -2, 3, 7, -7, 10, 100, 46341, 65536, INT_MAX, INT_MIN, INT_MAX - 1,
        INT_MIN + 1)
BINARY_OPS = ('+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', 'and', 'or')

ints = st.one_of(st.sampled_from(TINY_EDGE), st.integers(-20, 20), st.integers(INT_MIN, INT_MAX))
texts = st.text(alphabet='ab =-:"\\\n\u00e9', max_size=6)


class ProgramMaker:
    """Draws a well-formed program, keeping track of names in scope as it goes."""

    def __init__(self, draw, max_functions=3, max_depth=2, max_block=5, max_loop=4):
        self.draw = draw
        self.count = 0
        self.max_depth, self.max_block, self.max_loop = max_depth, max_block, max_loop
        self.max_functions = max_functions

    def fresh(self, prefix):
        self.count += 1
        return f'{prefix}{self.count}'

    def program(self):
        functions = []
        for _ in range(self.draw(st.integers(0, self.max_functions))):
            params = tuple(self.fresh('p') for _ in range(self.draw(st.integers(0, 3))))
            callable_ = [(f.name, len(f.params)) for f in functions]
            body = self.block(list(params), list(params), callable_, self.max_depth)
            body.append(Return(self.expr(list(params), callable_, 2)))
            functions.append(Function(self.fresh('f'), params, tuple(body)))
        callable_ = [(f.name, len(f.params)) for f in functions]
        main = self.block([], [], callable_, self.max_depth, size=(2, self.max_block + 3))
        return Program(tuple(functions), tuple(main))

    def block(self, readable, assignable, funcs, depth, size=None):
        lo, hi = size or (1, self.max_block)
        readable, assignable = list(readable), list(assignable)    # names die with the block
        body = []
        for _ in range(self.draw(st.integers(lo, hi))):
            body += self.statement(readable, assignable, funcs, depth)
        return body

    def statement(self, readable, assignable, funcs, depth):
        kinds = ['var', 'print', 'print']
        if assignable:
            kinds += ['assign', 'assign']
        if depth > 0:
            kinds += ['if', 'while']
        if funcs:
            kinds.append('call')
        kind = self.draw(st.sampled_from(kinds))
        if self.draw(st.integers(0, 60)) == 0:
            kind = 'return'
        if kind == 'var':
            value = self.expr(readable, funcs, 2)
            name = self.fresh('v')
            readable.append(name)
            assignable.append(name)
            return [VarDecl(name, value)]
        if kind == 'assign':
            return [Assign(self.draw(st.sampled_from(assignable)), self.expr(readable, funcs, 2))]
        if kind == 'print':
            items = self.draw(st.lists(st.one_of(texts, st.just(None)), max_size=3))
            return [Print(tuple(self.expr(readable, funcs, 2) if i is None else i
                                for i in items))]
        if kind == 'if':
            cond = self.expr(readable, funcs, 2)
            then = self.block(readable, assignable, funcs, depth - 1)
            orelse = self.block(readable, assignable, funcs, depth - 1) \
                if self.draw(st.booleans()) else []
            return [If(cond, tuple(then), tuple(orelse))]
        if kind == 'while':     # var c = 0; while (c < K [and e]) { ...; c = c + 1; }
            counter = self.fresh('c')
            cond = Binary('<', Var(counter), Num(self.draw(st.integers(0, self.max_loop))))
            if self.draw(st.booleans()):
                cond = Binary('and', cond, self.expr(readable + [counter], funcs, 1))
            body = self.block(readable + [counter], assignable, funcs, depth - 1)
            body.append(Assign(counter, Binary('+', Var(counter), Num(1))))
            readable.append(counter)                    # readable after the loop, not writable
            return [VarDecl(counter, Num(0)), While(cond, tuple(body))]
        if kind == 'call':
            return [ExprStmt(self.call(readable, funcs, 1))]
        return [Return(self.expr(readable, funcs, 1) if self.draw(st.booleans()) else None)]

    def call(self, readable, funcs, depth):
        name, arity = self.draw(st.sampled_from(funcs))
        return Call(name, tuple(self.expr(readable, funcs, depth) for _ in range(arity)))

    def expr(self, readable, funcs, depth):
        kinds = ['num'] + ['var'] * 2 * bool(readable)
        if depth > 0:
            kinds += ['unary', 'binary', 'binary', 'binary'] + ['call'] * bool(funcs)
        kind = self.draw(st.sampled_from(kinds))
        if kind == 'num':
            return Num(self.draw(ints))
        if kind == 'var':
            return Var(self.draw(st.sampled_from(readable)))
        if kind == 'unary':
            return Unary(self.draw(st.sampled_from(('-', 'not'))),
                         self.expr(readable, funcs, depth - 1))
        if kind == 'call':
            return self.call(readable, funcs, depth - 1)
        op = self.draw(st.sampled_from(BINARY_OPS))
        left = self.expr(readable, funcs, depth - 1)
        if op in '/%' and self.draw(st.booleans()):     # dividing by zero: sometimes
            right = Num(self.draw(ints.filter(bool)))
        else:
            right = self.expr(readable, funcs, depth - 1)
        return Binary(op, left, right)


@st.composite
def programs(draw, **kw):
    return ProgramMaker(draw, **kw).program()


@st.composite
def expression_programs(draw):
    """Straight-line programs: a few variables, then prints of deep random expressions."""
    m = ProgramMaker(draw)
    names = [f'x{i}' for i in range(draw(st.integers(0, 3)))]
    body = [VarDecl(n, Num(draw(ints))) for n in names]
    body += [Print(tuple(m.expr(names, [], 4) for _ in range(draw(st.integers(1, 3)))))
             for _ in range(draw(st.integers(1, 3)))]
    return Program((), tuple(body))
