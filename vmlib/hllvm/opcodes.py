"""The instruction set of the Tiny VM: one table, read by everything else.

A JVM instruction is one opcode byte followed by its operands; so is ours. The table below is
the single place an instruction is defined. From it come

- the bytecode assembler and disassembler (``encode``, ``decode``, ``format_instruction``),
- the compiler's emitter (it names instructions, the table gives the bytes),
- the verifier (stack effects and control flow),
- the Python VM's dispatch (method ``op_<name>`` for each row), and
- the RV32 VM's dispatch table (a ``.word op_<name>`` per opcode, generated into the assembly).

Add a row here, write ``op_<name>`` in both VMs, and the rest follows; a test checks that
every row is implemented on both platforms.

    >>> encode('const', 7).hex(' ')
    '01 07 00 00 00'
    >>> decode(bytes.fromhex('300500'), 0)
    Instr(pc=0, op=Op(jmp), args=(5,), size=3)
"""

from typing import NamedTuple, Optional

# Operand kinds: how many bytes each takes (little-endian) and whether it is signed.
OPERAND_KINDS = {
    'i32': (4, True),       # an integer constant
    'local': (1, False),    # a local-variable slot (parameters first)
    'target': (2, False),   # a jump target: byte offset from the start of the function's code
    'func': (2, False),     # an index into the function table
    'const': (2, False),    # an index into the constant pool (a string)
}


class Op(NamedTuple):
    """One instruction: number, mnemonic, operand kinds, stack effect, control flow.

    ``pops``/``pushes`` say how many values the instruction takes from and leaves on the
    operand stack; ``pops is None`` means "the callee's arity" (only ``call``). ``flow`` is
    ``'next'`` (falls through), ``'jump'`` (always goes to its target), ``'branch'`` (target or
    next), ``'call'`` (runs a function, then falls through) or ``'return'``.
    """

    code: int
    name: str
    operands: tuple
    pops: Optional[int]
    pushes: int
    flow: str
    doc: str

    @property
    def size(self):
        """Bytes taken by the instruction: the opcode plus its operands."""
        return 1 + sum(OPERAND_KINDS[k][0] for k in self.operands)

    @property
    def effect(self):
        """The stack effect as the JVM specification writes it, e.g. ``'a, b -> a+b'``."""
        return STACK_PICTURES[self.name]

    def __repr__(self):
        return f'Op({self.name})'


TABLE = [
    #   code  name      operands      pops  pushes flow      what it does
    Op(0x01, 'const',  ('i32',),     0,    1,     'next',   'push a 32-bit integer constant'),
    Op(0x02, 'load',   ('local',),   0,    1,     'next',   'push a local variable'),
    Op(0x03, 'store',  ('local',),   1,    0,     'next',   'pop into a local variable'),
    Op(0x04, 'pop',    (),           1,    0,     'next',   'discard the top of the stack'),
    Op(0x10, 'add',    (),           2,    1,     'next',   'a + b, wrapping to 32 bits'),
    Op(0x11, 'sub',    (),           2,    1,     'next',   'a - b, wrapping to 32 bits'),
    Op(0x12, 'mul',    (),           2,    1,     'next',   'a * b, the low 32 bits'),
    Op(0x13, 'div',    (),           2,    1,     'next',   'a / b, truncated toward zero'),
    Op(0x14, 'rem',    (),           2,    1,     'next',   'a % b, the sign of a'),
    Op(0x15, 'neg',    (),           1,    1,     'next',   '-a, wrapping to 32 bits'),
    Op(0x16, 'not',    (),           1,    1,     'next',   '1 if a == 0 else 0'),
    Op(0x20, 'eq',     (),           2,    1,     'next',   '1 if a == b else 0'),
    Op(0x21, 'ne',     (),           2,    1,     'next',   '1 if a != b else 0'),
    Op(0x22, 'lt',     (),           2,    1,     'next',   '1 if a < b else 0'),
    Op(0x23, 'le',     (),           2,    1,     'next',   '1 if a <= b else 0'),
    Op(0x24, 'gt',     (),           2,    1,     'next',   '1 if a > b else 0'),
    Op(0x25, 'ge',     (),           2,    1,     'next',   '1 if a >= b else 0'),
    Op(0x30, 'jmp',    ('target',),  0,    0,     'jump',   'continue at the target'),
    Op(0x31, 'jz',     ('target',),  1,    0,     'branch', 'pop; continue at the target if it was 0'),
    Op(0x32, 'jnz',    ('target',),  1,    0,     'branch', 'pop; continue at the target if not 0'),
    Op(0x40, 'call',   ('func',),    None, 1,     'call',   'call a function with its arguments'),
    Op(0x41, 'ret',    (),           1,    0,     'return', 'return the top of the stack'),
    Op(0x50, 'print',  (),           1,    0,     'next',   'pop and print an integer'),
    Op(0x51, 'prints', ('const',),   0,    0,     'next',   'print a string constant'),
]

STACK_PICTURES = {
    'const': '-> n', 'load': '-> value', 'store': 'value ->', 'pop': 'value ->',
    'add': 'a, b -> a+b', 'sub': 'a, b -> a-b', 'mul': 'a, b -> a*b', 'div': 'a, b -> a/b',
    'rem': 'a, b -> a%b', 'neg': 'a -> -a', 'not': 'a -> !a',
    'eq': 'a, b -> a==b', 'ne': 'a, b -> a!=b', 'lt': 'a, b -> a<b', 'le': 'a, b -> a<=b',
    'gt': 'a, b -> a>b', 'ge': 'a, b -> a>=b',
    'jmp': '->', 'jz': 'cond ->', 'jnz': 'cond ->',
    'call': 'arg1, ..., argN -> result', 'ret': 'result -> (to the caller)',
    'print': 'n ->', 'prints': '->',
}

BY_NAME = {op.name: op for op in TABLE}
BY_CODE = {op.code: op for op in TABLE}
assert len(BY_NAME) == len(BY_CODE) == len(TABLE), 'opcode numbers and names must be unique'
assert all(0 < op.code < 256 for op in TABLE), 'an opcode is one byte; 0 stays invalid'
assert set(STACK_PICTURES) == set(BY_NAME)


class BytecodeError(ValueError):
    """Bytes that are not a well-formed instruction (unknown opcode, cut-off operand)."""


class Instr(NamedTuple):
    """A decoded instruction: where it is, what it is, its operand values, its length."""

    pc: int
    op: Op
    args: tuple
    size: int

    @property
    def next_pc(self):
        return self.pc + self.size


def encode(name, *args):
    """The bytes of one instruction, e.g. ``encode('jz', 12)``."""
    op = BY_NAME[name]
    if len(args) != len(op.operands):
        raise BytecodeError(f'{name} takes {len(op.operands)} operand(s), got {len(args)}')
    out = bytearray([op.code])
    for kind, value in zip(op.operands, args):
        size, signed = OPERAND_KINDS[kind]
        lo, hi = (-(1 << 8 * size - 1), (1 << 8 * size - 1) - 1) if signed else (0, (1 << 8 * size) - 1)
        if not lo <= value <= hi:
            raise BytecodeError(f'{name}: operand {value} does not fit in a {kind} ({lo}..{hi})')
        out += value.to_bytes(size, 'little', signed=signed)
    return bytes(out)


def decode(code, pc):
    """Decode the instruction at ``code[pc]``; raise BytecodeError if it is not one."""
    op = BY_CODE.get(code[pc])
    if op is None:
        raise BytecodeError(f'bad opcode {code[pc]} at pc {pc}')
    if pc + op.size > len(code):
        raise BytecodeError(f'{op.name} at pc {pc} is cut off by the end of the code')
    args, at = [], pc + 1
    for kind in op.operands:
        size, signed = OPERAND_KINDS[kind]
        args.append(int.from_bytes(code[at:at + size], 'little', signed=signed))
        at += size
    return Instr(pc, op, tuple(args), op.size)


def instructions(code):
    """Decode a function's code from start to end: a list of ``Instr``."""
    out, pc = [], 0
    while pc < len(code):
        ins = decode(code, pc)
        out.append(ins)
        pc = ins.next_pc
    return out


def format_instruction(ins, comment=''):
    """``'jz 12'``-style text for one instruction, with an optional ``// comment``."""
    text = ins.op.name + ''.join(f' {a}' for a in ins.args)
    return f'{text:<14}// {comment}' if comment else text


def table_text():
    """The instruction set as a table (for the chapter and the docs)."""
    rows = [f'{"code":>5}  {"name":<7} {"operands":<10} {"stack":<28} description']
    for op in TABLE:
        rows.append(f'0x{op.code:02x}   {op.name:<7} {" ".join(op.operands) or "-":<10} '
                    f'{op.effect:<28} {op.doc}')
    return '\n'.join(rows)
