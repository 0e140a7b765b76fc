"""Chapter 07, high-level-language VMs: what the chapter computes, and its seeded exercises.

The chapter follows one small Tiny program (:data:`DEMO_SOURCE`) the way a Java program travels:
compiled once to a class file (:func:`hex_dump` labels every byte of it), checked by the
verifier (:func:`demo_corruptions` shows hand-damaged copies it rejects, and
:func:`unverified_run` what a VM would do with them without it), then run on two platforms
(:func:`run_on_both`), with the work each does counted (:func:`rv32_profile`: RV32
instructions per bytecode, by opcode). It ends with CPython's own bytecode
(:func:`family_table`) and the price of interpretation (:func:`loop_costs`).

    >>> cf = demo_classfile()
    >>> [(r.platform, r.output, r.bytecodes) for r in run_on_both(cf)]
    [('python', 'sum of squares 1..3 = 14\\n', 68), ('rv32', 'sum of squares 1..3 = 14\\n', 68)]

Exercises (OSTEP style: a seed makes the problem, ``show_answer=True`` prints the worked
solution, ``check(answer)`` says what is wrong); every answer comes from the code the VMs run:

- :class:`StackAfter`: which values are on the operand stack after a few bytecodes (the
  Python VM runs them);
- :class:`MaxStackDepth`: how deep the operand stack gets for an expression (the verifier's
  analysis, which the compiler uses for ``max_stack``);
- :class:`VerifierVerdict`: which instruction of a damaged function the verifier rejects, and
  why (the class loader and verifier every VM uses).
"""
from __future__ import annotations

import dataclasses
import re
import struct
from typing import NamedTuple

from ..hllvm import (ClassFile, PythonVM, StepLimit, TinyError, compile_source, example_source,
                     EXAMPLES)
from ..hllvm.classfile import HEADER, NO_NAMES, RECORD
from ..hllvm.opcodes import BY_NAME, TABLE, encode, format_instruction, instructions
from ..hllvm.verifier import max_stack_depths, stack_depth
from .exercises import Exercise
from .text import fit

__all__ = ['DEMO_SOURCE', 'demo_classfile', 'square', 'sum_of_squares', 'Field',
           'classfile_fields', 'hex_dump', 'file_map', 'listing', 'Corruption',
           'demo_corruptions', 'Verdict', 'verdict', 'unverified_run', 'corruption_table',
           'PlatformRun', 'run_on_both', 'platform_table', 'examples_table', 'Profile',
           'rv32_profile', 'dispatch_loop_source', 'python_opcode_counts', 'profile_table',
           'FAMILIES', 'tiny_family', 'python_family', 'family_table', 'loop_source',
           'compiled_loop_source', 'loop_costs', 'main_classfile', 'StackAfter',
           'MaxStackDepth', 'VerifierVerdict', 'REASONS']


# ---------------------------------------------------------------------------------------------
# the chapter's program, and the same program in Python (for ``dis``)

DEMO_SOURCE = '''\
func square(x) {
    return x * x;
}

var n = 1;
var total = 0;
while (n <= 3) {
    total = total + square(n);
    n = n + 1;
}
print("sum of squares 1..3 =", total);
'''


def demo_classfile() -> ClassFile:
    """:data:`DEMO_SOURCE`, compiled."""
    return compile_source(DEMO_SOURCE, filename='demo.tiny')


def square(x):
    return x * x


def sum_of_squares():
    n = 1
    total = 0
    while n <= 3:
        total = total + square(n)
        n = n + 1
    print("sum of squares 1..3 =", total)


# ---------------------------------------------------------------------------------------------
# the class file, byte by byte


class Field(NamedTuple):
    """A run of bytes of a class file and what it means."""

    offset: int
    size: int
    section: str        # 'header', 'constant pool', 'function table', 'code'
    label: str


def classfile_fields(data: bytes) -> list[Field]:
    """Every byte of class file ``data``, in order, as labelled fields. The layout is read with
    the same ``struct`` formats the class loader uses (``classfile.HEADER``/``RECORD``); the
    file is checked by the loader first (``ClassFormatError`` if it is not one)."""
    data = bytes(data)
    cf = ClassFile.from_bytes(data, verify=False)
    magic, version, entry, nconst, nfunc, code_size = HEADER.unpack_from(data)
    out = [Field(0, 4, 'header', f'magic {magic.decode("ascii")!r}'),
           Field(4, 2, 'header', f'version {version}'),
           Field(6, 2, 'header', f'entry: function #{entry} ({cf.function_name(entry)})'),
           Field(8, 2, 'header', f'{nconst} constants'),
           Field(10, 2, 'header', f'{nfunc} functions'),
           Field(12, 4, 'header', f'code size {code_size} bytes')]
    at = HEADER.size
    for i, text in enumerate(cf.constants):
        n = len(text.encode('utf-8'))
        out.append(Field(at, 2 + n, 'constant pool', f'#{i} {text!r} (a u16 length {n}, '
                                                       f'then the bytes)'))
        at += 2 + n
    names = ('name', 'arity', 'locals', 'max_stack', 'code length', 'code offset',
             'local names', 'reserved')
    sizes = [struct.calcsize('<' + c) for c in RECORD.format.lstrip('<')]
    for fn in cf.functions:
        fname = cf.constants[fn.name]
        values = RECORD.unpack_from(data, at)
        for field, size, value in zip(names, sizes, values):
            label = f'{fname}: {field} {value}'
            if field == 'name':
                label += f' ({fname!r})'
            elif field == 'local names':
                label = (f'{fname}: local names: none' if value == NO_NAMES else
                         f'{fname}: local names from #{value} ('
                         + ', '.join(cf.local_name(fn, s) for s in range(fn.nlocals)) + ')')
            out.append(Field(at, size, 'function table', label))
            at += size
    code_at = at
    offset = 0
    for fn in cf.functions:
        fname = cf.constants[fn.name]
        for ins in instructions(fn.code):
            out.append(Field(code_at + offset + ins.pc, ins.size, 'code',
                             f'{fname} pc {ins.pc}: {format_instruction(ins)}'))
        offset += len(fn.code)
    assert sum(f.size for f in out) == len(data)
    return out


def hex_dump(data: bytes, width: int = 8) -> str:
    """Class file ``data`` as a hex dump, one labelled field per line (long fields wrap after
    ``width`` bytes), a heading before each section."""
    data = bytes(data)
    out, section = [f'{"offset":<6}  {"bytes":<{3 * width - 1}}  meaning'], None
    for f in classfile_fields(data):
        if f.section != section:
            section = f.section
            size = sum(g.size for g in classfile_fields(data) if g.section == section)
            out.append(f'-- {section} ({size} bytes) --')
        chunk = data[f.offset:f.offset + f.size]
        for i in range(0, len(chunk), width):
            cells = chunk[i:i + width].hex(' ')
            label = f.label if i == 0 else ''
            out.append(f'{f.offset + i:04x}    {cells:<{3 * width - 1}}  {label}'.rstrip())
    return '\n'.join(out)


def file_map(data: bytes) -> str:
    """One line per section of the class file: where it starts and how big it is."""
    sections: dict[str, list[int]] = {}
    for f in classfile_fields(data):
        start_end = sections.setdefault(f.section, [f.offset, 0])
        start_end[1] += f.size
    return '\n'.join(f'{name:<15} at {start:4}  {size:4} bytes'
                     for name, (start, size) in sections.items())


def listing(cf: ClassFile, function) -> str:
    """One function's code like ``ClassFile.function_listing``, but safe for damaged code:
    operands that point nowhere get no comment instead of an error."""
    index = function if isinstance(function, int) else cf.function_index(function)
    fn = cf.functions[index]
    params = ', '.join(cf.local_name(fn, i) or f'#{i}' for i in range(fn.arity))
    out = [f'func {cf.constants[fn.name]}({params}): locals {fn.nlocals}, '
           f'max stack {fn.max_stack}, {len(fn.code)} bytes']
    for ins in instructions(fn.code):
        kind, value = (ins.op.operands[0], ins.args[0]) if ins.args else (None, None)
        comment = ''
        if kind == 'local' and value < fn.nlocals:
            comment = cf.local_name(fn, value) or ''
        elif kind == 'func' and value < len(cf.functions):
            other = cf.functions[value]
            comment = f'{cf.constants[other.name]}/{other.arity}'
        elif kind == 'const' and value < len(cf.constants):
            comment = repr(cf.constants[value])
        raw = fn.code[ins.pc:ins.next_pc].hex(' ')
        out.append(f'  {ins.pc:4}  {raw:<15} {format_instruction(ins, comment)}'.rstrip())
    return '\n'.join(out)


# ---------------------------------------------------------------------------------------------
# the verifier: verdicts on damaged class files

#: the verifier's (and class loader's) reasons, each recognised by the words of its message
REASONS = {
    'stack underflow': r'needs \d+ value\(s\) on the stack',
    'no such local': r'local \d+ does not exist',
    'bad jump target': r'jump target \d+ is not the start of an instruction',
    'no such function': r'function #\d+ does not exist',
    'no such constant': r'constant #\d+ does not exist',
    'runs off the end': r'control runs off the end',
    'depth mismatch': r'the stack depth is \d+ one way and \d+ another',
    'max_stack too small': r'but max_stack is',
    'bad instruction': r'bad opcode|cut off by the end',
}


class Verdict(NamedTuple):
    """Why the loader or the verifier refused a class file."""

    stage: str                  # 'loader' (ClassFormatError) or 'verifier' (VerifyError)
    function: str | None        # the function, when the verifier names one
    pc: int | None              # the instruction, when the verifier names one
    reason: str                 # a key of REASONS ('' for a loader error)
    message: str                # the error exactly as the VM reports it


def verdict(data: bytes) -> Verdict | None:
    """Load ``data`` as every VM does (``ClassFile.from_bytes``: class loader, then verifier);
    ``None`` if it is accepted, else why not."""
    from ..hllvm import ClassFormatError, VerifyError
    try:
        ClassFile.from_bytes(bytes(data))
    except ClassFormatError as e:
        return Verdict('loader', None, None, '', f'ClassFormatError: {e}')
    except VerifyError as e:
        text = str(e)
        m = re.match(r'(?P<fn>[^,:]+)(, pc (?P<pc>\d+))?: ', text)
        reason = next((k for k, rx in REASONS.items() if re.search(rx, text)), '')
        return Verdict('verifier', m and m['fn'], int(m['pc']) if m and m['pc'] else None,
                       reason, f'VerifyError: {text}')
    return None


class Corruption(NamedTuple):
    """A hand-damaged copy of a class file, and what was done to it."""

    name: str
    what: str                   # the edit, in words
    data: bytes


def _code_offset(cf: ClassFile, function: str, pc: int) -> int:
    """Where byte ``pc`` of ``function``'s code sits in ``cf.to_bytes()``."""
    data = cf.to_bytes()
    code_at = len(data) - sum(len(f.code) for f in cf.functions)
    index = cf.function_index(function)
    return code_at + sum(len(f.code) for f in cf.functions[:index]) + pc


def _record_offset(cf: ClassFile, function: str, field: str) -> int:
    for f in classfile_fields(cf.to_bytes()):
        if f.section == 'function table' and f.label.startswith(f'{function}: {field} '):
            return f.offset
    raise KeyError((function, field))


def _patched(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new):]


def demo_corruptions(cf: ClassFile | None = None) -> list[Corruption]:
    """Hand edits of the demo class file (:data:`DEMO_SOURCE`), one or two bytes each, that the
    class loader or the verifier must refuse. Offsets are found from the code, not hard-coded:
    the edits say which instruction they change."""
    cf = cf or demo_classfile()
    data = cf.to_bytes()
    main = {format_instruction(i): i.pc for i in instructions(cf.functions[cf.entry].code)}
    loop_store = max(pc for text, pc in main.items() if text == 'store 0')   # n = n + 1
    jump_back = next(pc for text, pc in main.items() if text.startswith('jmp'))
    call = next(pc for text, pc in main.items() if text.startswith('call'))
    top = instructions(cf.functions[cf.entry].code)
    target = next(i.args[0] for i in top if i.op.name == 'jmp')
    sq = lambda pc: _code_offset(cf, 'square', pc)              # noqa: E731
    return [
        Corruption('not a class file', "the magic number replaced by Java's, CA FE BA BE",
                   _patched(data, 0, bytes.fromhex('cafebabe'))),
        Corruption('truncated', 'the last byte cut off (a download that stopped early)',
                   data[:-1]),
        Corruption('no such local', 'square: load 0 -> load 5 (a local that does not exist)',
                   _patched(data, sq(1), bytes([5]))),
        Corruption('stack underflow', 'square: the second load 0 -> store 0 (one byte, 02 -> 03)',
                   _patched(data, sq(2), encode('store', 0)[:1])),
        Corruption('runs off the end', 'square: ret -> print (no return at the end)',
                   _patched(data, sq(5), encode('print'))),
        Corruption('bad jump target', f'main: jmp {target} -> jmp {target + 1} (into the middle '
                   f'of an instruction)',
                   _patched(data, _code_offset(cf, 'main', jump_back + 1),
                            (target + 1).to_bytes(2, 'little'))),
        Corruption('depth mismatch', f'main: store 0 at pc {loop_store} -> load 0 (the loop '
                   f'leaves two values behind each time round)',
                   _patched(data, _code_offset(cf, 'main', loop_store), encode('load', 0)[:1])),
        Corruption('no such function', 'main: call 1 -> call 7',
                   _patched(data, _code_offset(cf, 'main', call + 1), (7).to_bytes(2, 'little'))),
        Corruption('max_stack too small', "square's record: max_stack 2 -> 1",
                   _patched(data, _record_offset(cf, 'square', 'max_stack'),
                            (1).to_bytes(2, 'little'))),
    ]


def unverified_run(data: bytes, platform: str = 'rv32', max_steps: int = 200_000) -> str:
    """What a VM does with ``data`` when nobody checked it first (``verify=False``), in one
    line: its output and exit status, or how it stopped. The RV32 VM trusts the verifier
    completely, and the machine under it has no trap handler: the first trap (a load or store
    outside memory, a jump to nowhere) is a crash, reported with the VM routine that caused it.
    The Python VM's handlers assume verified code too, so bad code can reach a Python
    exception inside them (reported here, not raised)."""
    from ..hllvm.classfile import ClassFormatError
    try:
        if platform == 'rv32':
            return _rv32_unverified(data, max_steps)
        cf = ClassFile.from_bytes(data, verify=False)
        output, status, _ = PythonVM(cf, max_steps=max_steps).run()
    except StepLimit:
        return f'still running after {max_steps:,} steps: stopped by the step budget'
    except ClassFormatError as e:
        return f'refused by the class loader: {e}'
    except TinyError as e:
        return f'{type(e).__name__}: {e}'
    except Exception as e:          # a handler met code it assumed impossible
        return f'a Python exception inside the VM: {type(e).__name__}: {e}'
    return f'exit status {status}, output {output!r}'


def _rv32_unverified(data: bytes, max_steps: int) -> str:
    from ..hllvm.rv32 import machine_for
    from ..machine.traps import cause_name
    m = machine_for(data, verify=False)
    crash = []

    def first_trap(cause, tval):
        crash.append((cause, tval, m.hart.pc))
        m.hart.halt('crash', None, 'a trap, and no handler')
        return True

    m.hart.trap_hook = first_trap
    result = m.run(max_steps)
    if crash:
        cause, tval, pc = crash[0]
        labels = [(a, n) for n, a in m.symbols.items() if 0x8000_0000 <= a <= pc]
        where = (f"in the VM's {max(labels)[1]}" if labels else
                 f'at pc 0x{pc:08x}, outside the VM')
        return (f'the machine crashed: {cause_name(cause)} at address 0x{tval:08x}, {where} '
                f'(and no trap handler)')
    if result.reason == 'budget':
        return f'still running after {max_steps:,} steps: stopped by the step budget'
    return f'exit status {result.exit_status}, output {m.output!r}'


def corruption_table(corruptions=None, platform: str = 'rv32') -> str:
    """Each damaged file: the edit, what loading it says, and what an unverified VM does."""
    out = []
    for c in corruptions or demo_corruptions():
        v = verdict(c.data)
        out.append(f'{c.name}: {c.what}')
        out.append(f'    refused: {v.message if v else "(accepted!)"}')
        if v is not None and v.stage == 'verifier':
            out.append(f'    without the verifier, {platform}: {unverified_run(c.data, platform)}')
    return fit('\n'.join(out), hang=4)


# ---------------------------------------------------------------------------------------------
# one class file, two platforms


class PlatformRun(NamedTuple):
    platform: str           # 'python' or 'rv32'
    output: str
    status: int
    bytecodes: int          # bytecode instructions executed
    native: int | None      # instructions of the host machine (RV32), where we can count them


def run_on_both(cf: ClassFile, max_steps: int = 2_000_000) -> list[PlatformRun]:
    """Run ``cf`` on the Python VM and on the RV32 VM (counting its dispatches)."""
    py = PythonVM(cf, max_steps=max_steps).run()
    prof = rv32_profile(cf, max_steps=max_steps)
    return [PlatformRun('python', py.output, py.status, py.steps, None),
            PlatformRun('rv32', prof.output, prof.status, prof.bytecodes, prof.total)]


def platform_table(runs) -> str:
    out = [f'{"platform":<9} {"exit":>4} {"bytecodes":>10} {"RV32 instructions":>18}  output']
    for r in runs:
        native = f'{r.native:,}' if r.native is not None else '-'
        out.append(f'{r.platform:<9} {r.status:>4} {r.bytecodes:>10,} {native:>18}  '
                   f'{r.output.splitlines()[-1] if r.output else ""!r}')
    same = len({(r.output, r.status) for r in runs}) == 1
    out.append('same output and exit status on both: ' + ('yes' if same else 'NO'))
    return '\n'.join(out)


def examples_table(names=EXAMPLES) -> str:
    """Every example class file on both platforms: size, bytecodes executed (Python VM),
    RV32 instructions (RV32 VM), their ratio, and whether the outputs agree."""
    from ..hllvm import run_rv32
    out = [f'{"example":<10} {"bytes":>5} {"bytecodes":>10} {"RV32 instr.":>12} '
           f'{"per bytecode":>12}  same output']
    for name in names:
        cf = ClassFile.from_bytes(compile_source(example_source(name)).to_bytes())
        py = PythonVM(cf).run()
        rv = run_rv32(cf)
        same = (py.output, py.status) == (rv.output, rv.status)
        out.append(f'{name:<10} {len(cf.to_bytes()):>5} {py.steps:>10,} '
                   f'{rv.instructions:>12,} {rv.instructions / py.steps:>12.1f}  '
                   f'{"yes" if same else "NO"}')
    return '\n'.join(out)


class Profile(NamedTuple):
    """Where the RV32 VM's instructions went while it ran one class file."""

    output: str
    status: int
    total: int              # RV32 instructions retired
    bytecodes: int          # times the interpreter loop dispatched a bytecode
    startup: int            # instructions before the first dispatch: the class loader
    dispatch: int           # instructions of the fetch-and-dispatch sequence (label ``next``)
    by_opcode: dict         # opcode name -> (times executed, RV32 instructions in its handler)


def rv32_profile(cf: ClassFile, max_steps: int = 2_000_000) -> Profile:
    """Run ``cf`` on the RV32 VM one RV32 instruction at a time and charge each instruction to
    the bytecode being interpreted: the dispatch sequence at label ``next`` (fetch the opcode,
    jump through the table) and the handler it jumps to. Arrivals at ``next`` count the
    bytecodes executed; the opcode is the byte at the VM's pc register (``s0``)."""
    from ..hllvm.rv32 import machine_for
    m = machine_for(cf)
    nxt, first_handler = m.symbols['next'], m.symbols['op_const']
    by_opcode: dict[str, list[int]] = {}
    current, startup, dispatch, bytecodes = None, 0, 0, 0
    for _ in range(max_steps):
        pc = m.pc
        if pc == nxt:
            bytecodes += 1
            op = TABLE_BY_CODE.get(m.read_memory(m.reg('s0'), 1)[0])
            current = by_opcode.setdefault(op.name if op else '(bad opcode)', [0, 0])
            current[0] += 1
        if nxt <= pc < first_handler:
            dispatch += 1
        elif current is None:
            startup += 1
        else:
            current[1] += 1
        result = m.run(1)
        if m.hart.halted:
            break
    else:
        raise StepLimit(f'the RV32 VM did not finish in {max_steps:,} instructions')
    total = m.hart.instret
    assert total == startup + dispatch + sum(c[1] for c in by_opcode.values())
    order = {op.name: i for i, op in enumerate(TABLE)}
    return Profile(m.output, result.exit_status, total, bytecodes, startup, dispatch,
                   {k: tuple(v) for k, v in sorted(by_opcode.items(),
                                                   key=lambda kv: order.get(kv[0], 999))})


TABLE_BY_CODE = {op.code: op for op in TABLE}


def dispatch_loop_source() -> str:
    """The RV32 VM's interpreter loop (label ``next`` up to its ``jr``), as written in
    ``vm_rv32.s``: the instructions every bytecode pays for."""
    from ..hllvm.rv32 import VM_SOURCE
    with open(VM_SOURCE) as f:
        lines = f.read().splitlines()
    start = lines.index('next:')
    end = next(i for i in range(start, len(lines)) if lines[i].split()[:1] == ['jr'])
    return '\n'.join(lines[start:end + 1])


def python_opcode_counts(cf: ClassFile, max_steps: int = 2_000_000) -> dict[str, int]:
    """How often the Python VM executed each opcode (from its step snapshots)."""
    counts: dict[str, int] = {}
    for step in PythonVM(cf, max_steps=max_steps).steps():
        counts[step.opcode] = counts.get(step.opcode, 0) + 1
    order = {op.name: i for i, op in enumerate(TABLE)}
    return dict(sorted(counts.items(), key=lambda kv: order.get(kv[0], 999)))


def profile_table(profile: Profile, python_counts: dict | None = None) -> str:
    """The profile as a table: per opcode, how often it ran and what it cost on RV32
    (its handler, plus its share of the dispatch sequence: the same for every bytecode)."""
    per_dispatch = profile.dispatch / profile.bytecodes if profile.bytecodes else 0
    head = f'{"opcode":<8} {"executed":>8}'
    if python_counts is not None:
        head += f' {"(python)":>8}'
    out = [head + f' {"handler":>8} {"+dispatch":>9} {"RV32 per bytecode":>18}']
    for name, (count, handler) in profile.by_opcode.items():
        row = f'{name:<8} {count:>8}'
        if python_counts is not None:
            row += f' {python_counts.get(name, 0):>8}'
        out.append(row + f' {handler:>8} {count * per_dispatch:>9.0f} '
                         f'{handler / count + per_dispatch:>18.1f}')
    out.append(f'class loader and start-up: {profile.startup} RV32 instructions')
    out.append(f'{profile.bytecodes} bytecodes in {profile.total:,} RV32 instructions: '
               f'{(profile.total - profile.startup) / profile.bytecodes:.1f} per bytecode, '
               f'{per_dispatch:.0f} of them fetch and dispatch')
    return '\n'.join(out)


# ---------------------------------------------------------------------------------------------
# CPython's bytecode, by family (the instruction names change between Python versions; the
# families do not)

#: operation families, in the order the comparison lists them
FAMILIES = ('push a constant', 'load a local', 'store a local', 'binary operation', 'compare',
            'conditional jump', 'call', 'return')

_TINY_FAMILY = {'const': 'push a constant', 'load': 'load a local', 'store': 'store a local',
                'jz': 'conditional jump', 'jnz': 'conditional jump', 'jmp': 'jump',
                'call': 'call', 'ret': 'return', 'pop': 'pop', 'print': 'print',
                'prints': 'print', 'neg': 'unary operation', 'not': 'unary operation'}


def tiny_family(name: str) -> str:
    """The family of a Tiny opcode."""
    op = BY_NAME[name]
    if name in _TINY_FAMILY:
        return _TINY_FAMILY[name]
    return 'compare' if 0x20 <= op.code < 0x30 else 'binary operation'


def python_family(opname: str) -> str | None:
    """The family of a CPython instruction name (3.8 to 3.13 spell them differently:
    ``BINARY_MULTIPLY`` became ``BINARY_OP``, ``CALL_FUNCTION`` became ``CALL``...);
    ``None`` for bookkeeping that has no Tiny counterpart (``RESUME``, ``PUSH_NULL``...)."""
    rules = [(r'^LOAD_CONST$|^LOAD_SMALL_INT$', 'push a constant'),
             (r'^LOAD_FAST', 'load a local'), (r'^STORE_FAST', 'store a local'),
             (r'^(BINARY_|INPLACE_)', 'binary operation'), (r'^COMPARE_OP$', 'compare'),
             (r'^(POP_JUMP_|JUMP_IF_)', 'conditional jump'),
             (r'^(JUMP_ABSOLUTE|JUMP_FORWARD|JUMP_BACKWARD|JUMP)$', 'jump'),
             (r'^(CALL|PRECALL)', 'call'), (r'^RETURN_', 'return'), (r'^POP_TOP$', 'pop'),
             (r'^(LOAD_GLOBAL|LOAD_NAME)$', 'load a global')]
    for rx, family in rules:
        if re.search(rx, opname):
            return family
    return None


def family_table(tiny_function: str = 'main', python_function=sum_of_squares,
                 cf: ClassFile | None = None) -> str:
    """For each family of :data:`FAMILIES`: the Tiny opcodes of ``tiny_function`` in it, and
    whether CPython's bytecode for ``python_function`` has that family too. Prints no CPython
    instruction names, so the table is the same on every Python version."""
    import dis
    cf = cf or demo_classfile()
    fn = cf.functions[cf.function_index(tiny_function)]
    tiny: dict[str, list[str]] = {}
    for ins in instructions(fn.code):
        names = tiny.setdefault(tiny_family(ins.op.name), [])
        if ins.op.name not in names:
            names.append(ins.op.name)
    cpython = {python_family(i.opname) for i in dis.get_instructions(python_function)}
    out = [f'{"family":<18} {"Tiny (" + tiny_function + ")":<22} CPython '
           f'({python_function.__name__})']
    for family in FAMILIES:
        out.append(f'{family:<18} {" ".join(tiny.get(family, [])) or "-":<22} '
                   f'{"yes" if family in cpython else "no"}')
    return '\n'.join(out)


# ---------------------------------------------------------------------------------------------
# the price of interpretation: the same loop interpreted, and compiled by hand


def loop_source(n: int) -> str:
    """The demo's loop, summing the squares of 1..n."""
    return DEMO_SOURCE.replace('n <= 3', f'n <= {n}').replace('1..3', f'1..{n}')


def compiled_loop_source(n: int) -> str:
    """The same loop as a compiler would write it in RV32 assembly (``square`` inlined): what a
    JIT compiler makes of the hot loop. It stores the sum at ``result`` and powers off."""
    return f'''\
        li      t0, 1               # n
        li      t1, 0               # total
        li      t2, {n}
1:      bgt     t0, t2, 2f          # while (n <= {n})
        mul     t3, t0, t0          #   square(n), inlined
        add     t1, t1, t3          #   total = total + ...
        addi    t0, t0, 1           #   n = n + 1
        j       1b
2:      la      t4, result
        sw      t1, 0(t4)
        li      t5, 0x100000        # the test device: power off
        li      t6, 0x5555
        sw      t6, 0(t5)
        .data
result: .word 0
'''


def loop_costs(n1: int = 200, n2: int = 300) -> dict:
    """RV32 instructions per loop iteration, interpreted (the Tiny loop on the RV32 VM) and
    compiled (:func:`compiled_loop_source`), from two runs of ``n1`` and ``n2`` iterations
    (the difference cancels start-up and printing). Also the bytecodes per iteration."""
    from ..hllvm import run_rv32
    from ..machine import Machine

    def interpreted(n):
        cf = compile_source(loop_source(n))
        rv = run_rv32(cf)
        expected = sum(i * i for i in range(1, n + 1))
        assert rv.output.split()[-1] == str(expected), rv.output
        return rv.instructions, PythonVM(cf).run().steps

    def compiled(n):
        m = Machine.from_source(compiled_loop_source(n), filename='loop.s', ram_size=1 << 16)
        r = m.run(10_000_000)
        got = int.from_bytes(m.read_memory(m.symbols['result'], 4), 'little')
        assert got == sum(i * i for i in range(1, n + 1)), got
        return r.instructions

    (i1, b1), (i2, b2) = interpreted(n1), interpreted(n2)
    c1, c2 = compiled(n1), compiled(n2)
    per = lambda a, b: (b - a) / (n2 - n1)                      # noqa: E731
    return {'bytecodes per iteration': per(b1, b2),
            'interpreted: RV32 instructions per iteration': per(i1, i2),
            'compiled: RV32 instructions per iteration': per(c1, c2),
            'slowdown': per(i1, i2) / per(c1, c2)}


# ---------------------------------------------------------------------------------------------
# building small class files from bytecode (for the exercises)


def main_classfile(code: list[tuple], local_names=('a', 'b')) -> ClassFile:
    """A class file whose only function, ``main``, runs ``code`` (a list of ``(name, *args)``)
    with the locals ``local_names`` (all 0 at the start); ``max_stack`` from the verifier."""
    from ..hllvm.classfile import Function
    constants = ('main',) + tuple(local_names)
    fn = Function(0, 0, len(local_names), 0, b''.join(encode(*ins) for ins in code),
                  1 if local_names else NO_NAMES)
    cf = ClassFile(constants, (fn,), 0)
    return ClassFile(constants, (dataclasses.replace(fn, max_stack=stack_depth(cf, 0)),), 0)


def _text(ins: tuple) -> str:
    return ' '.join(str(x) for x in ins)


# ---------------------------------------------------------------------------------------------
# exercise 1: what is on the stack?

_BINARY = ['add', 'sub', 'mul', 'div', 'rem', 'lt', 'gt', 'eq']


class _DividesByZero(Exception):
    """A generated problem that stops with ArithmeticException: draw another."""


class StackAfter(Exercise):
    """Run a few bytecodes by hand: what is on the operand stack afterwards?"""

    chapter = 7
    title = 'What is on the stack?'

    def generate(self, rng):
        while True:
            code, depth, stored = [], 0, set()
            for _ in range(rng.randrange(6, 10)):
                choices = ['const', 'const']
                if stored:
                    choices.append('load')
                if depth >= 1:
                    choices += ['store', 'neg']
                if depth >= 2:
                    choices += _BINARY + _BINARY
                kind = rng.choice(choices)
                if kind == 'const':
                    code.append(('const', rng.randrange(-5, 13)))
                    depth += 1
                elif kind == 'load':
                    code.append(('load', rng.choice(sorted(stored))))
                    depth += 1
                elif kind == 'store':
                    slot = rng.randrange(2)
                    code.append(('store', slot))
                    stored.add(slot)
                    depth -= 1
                elif kind == 'neg':
                    code.append(('neg',))
                else:
                    code.append((kind,))
                    depth -= 1
            if depth >= 1 and any(c[0] in _BINARY for c in code):
                problem = {'code': [list(c) for c in code]}
                try:
                    self._trace(problem)
                except _DividesByZero:
                    continue
                return problem

    def _trace(self, p):
        """The Python VM's snapshots: the state before each instruction, and after the last
        (before the ``ret`` appended to make the code a function)."""
        code = [tuple(c) for c in p['code']]
        vm = PythonVM(main_classfile(code + [('ret',)]))
        steps = list(vm.steps())
        if vm.status != 0:
            raise _DividesByZero(vm.output)
        return steps[:len(code) + 1]

    def solve(self, p):
        return list(self._trace(p)[-1].stack)

    def question(self, p):
        lines = '\n'.join(f'  {_text(tuple(c))}' for c in p['code'])
        return ("A function with two locals, a and b (slots 0 and 1, both 0 at the start), runs "
                "these\nbytecodes, starting with an empty operand stack:\n"
                f"{lines}\n"
                "What is on the operand stack afterwards? Answer a list, bottom first (the value "
                "pushed\nfirst comes first), e.g. [3, -1]. (sub, div, rem, lt, gt: a is the value "
                "below b;\ndiv truncates toward zero, rem takes the sign of a, comparisons give "
                "1 or 0.)")

    def explain(self, p, answer):
        steps = self._trace(p)
        rows = [f'  {"instruction":<14}{"stack afterwards (bottom first)":<34}locals']
        for c, after in zip(p['code'], steps[1:]):
            stack = '[' + ', '.join(map(str, after.stack)) + ']'
            names = ' '.join(f'{k}={v}' for k, v in after.locals.items())
            rows.append(f'  {_text(tuple(c)):<14}{stack:<34}{names}')
        return '\n'.join(rows)

    def diagnose(self, p, given):
        answer = self.solve(p)
        if not isinstance(given, list):
            return ['Answer with a list of integers, bottom of the stack first.']
        if given == answer[::-1] and answer != answer[::-1]:
            return ['The order is reversed: list the bottom of the stack first.']
        if len(given) < len(answer) and given == answer[-len(given):]:
            return ['Values below the top stay on the stack: an instruction takes only what '
                    'it pops.']
        return []

    def wrong_answers(self, p, answer):
        out = [answer + [0], answer[:-1] + [answer[-1] + 1]]
        if answer != answer[::-1]:
            out.append(answer[::-1])
        return out


# ---------------------------------------------------------------------------------------------
# exercise 2: how deep does the stack get?


def _expression(rng, depth):
    """A random expression over a, b and small numbers, fully parenthesised below the top."""
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(['a', 'b', str(rng.randrange(1, 10))])
    left, right = _expression(rng, depth - 1), _expression(rng, depth - 1)
    wrap = lambda e: e if re.fullmatch(r'\w+', e) else f'({e})'    # noqa: E731
    return f'{wrap(left)} {rng.choice("+-*")} {wrap(right)}'


class MaxStackDepth(Exercise):
    """How many values does the operand stack hold at most while an expression is computed?"""

    chapter = 7
    title = 'How deep does the stack get?'

    def generate(self, rng):
        while True:
            expr = _expression(rng, rng.randrange(2, 5))
            if expr.count('(') >= 1:
                return {'a': rng.randrange(1, 10), 'b': rng.randrange(1, 10), 'expr': expr}

    def program(self, p):
        return f"var a = {p['a']};\nvar b = {p['b']};\nprint({p['expr']});\n"

    def solve(self, p):
        return max_stack_depths(compile_source(self.program(p)))['main']

    def question(self, p):
        return ("The Tiny compiler turns this program into stack bytecode:\n\n"
                + ''.join(f'    {line}\n' for line in self.program(p).splitlines())
                + "\nHow many values does main's operand stack hold at most (its max_stack)? "
                  "Answer a number.\n(Each operand is pushed, each operator pops two values "
                  "and pushes one; left operand first.)")

    def explain(self, p, answer):
        cf = compile_source(self.program(p))
        rows = ['instruction     depth afterwards']
        vm = PythonVM(cf)
        steps = list(vm.steps())
        for before, after in zip(steps, steps[1:]):
            rows.append(f'  {before.instruction:<14}{len(after.stack):>2} '
                        + '#' * len(after.stack))
        rows.append(f'  {steps[-1].instruction:<14} 0')
        rows.append(f'The deepest point: {answer} values; the verifier computes the same by '
                    'following every path (verifier.max_stack_depths).')
        return '\n'.join(rows)

    def diagnose(self, p, given):
        leaves = len(re.findall(r'\b\w+\b', p['expr']))
        if given == leaves and given != self.solve(p):
            return ["That is the number of operands. The stack holds only the values waiting "
                    "at the same time: an operator replaces its two operands by one result as "
                    "soon as it runs."]
        return []

    def wrong_answers(self, p, answer):
        leaves = len(re.findall(r'\b\w+\b', p['expr']))
        return sorted({answer + 1, max(0, answer - 1), leaves} - {answer})


# ---------------------------------------------------------------------------------------------
# exercise 3: which instruction does the verifier reject?

_PROGRAMS = [
    '''func count_down(n) {
    var steps = 0;
    while (n > 0) {
        n = n - 2;
        steps = steps + 1;
    }
    return steps;
}
print("steps:", count_down(9));
''',
    '''func max(a, b) {
    if (a > b) {
        return a;
    }
    return b;
}
print("max is", max(3, 8));
''',
    '''func power(base, e) {
    var result = 1;
    while (e > 0) {
        result = result * base;
        e = e - 1;
    }
    return result;
}
print(power(2, 10));
''',
    '''func gcd(a, b) {
    while (b != 0) {
        var t = a % b;
        a = b;
        b = t;
    }
    return a;
}
print("gcd", gcd(84, 36));
''',
]
_KINDS = ('no such local', 'bad jump target', 'no such function', 'no such constant',
          'stack underflow', 'runs off the end', 'depth mismatch')


def _with_code(cf: ClassFile, index: int, code: bytes) -> ClassFile:
    functions = list(cf.functions)
    functions[index] = dataclasses.replace(functions[index], code=code)
    return ClassFile(cf.constants, tuple(functions), cf.entry)


def _edits(cf: ClassFile, index: int, kind: str, rng) -> list[bytes]:
    """Candidate damaged copies of function ``index``'s code for ``kind`` (size-preserving)."""
    fn = cf.functions[index]
    code = fn.code
    ins = instructions(code)
    starts = {i.pc for i in ins}
    out = []

    def put(pc, new):
        out.append(code[:pc] + new + code[pc + len(new):])

    for i in ins:
        name = i.op.name
        if kind == 'no such local' and name in ('load', 'store'):
            put(i.pc + 1, bytes([fn.nlocals + rng.randrange(4)]))
        elif kind == 'bad jump target' and name in ('jmp', 'jz', 'jnz'):
            inside = [p for p in range(1, len(code)) if p not in starts]
            bad = rng.choice(inside + [len(code) + rng.randrange(1, 20)])
            put(i.pc + 1, bad.to_bytes(2, 'little'))
        elif kind == 'no such function' and name == 'call':
            put(i.pc + 1, (len(cf.functions) + rng.randrange(5)).to_bytes(2, 'little'))
        elif kind == 'no such constant' and name == 'prints':
            put(i.pc + 1, (len(cf.constants) + rng.randrange(5)).to_bytes(2, 'little'))
        elif kind == 'stack underflow' and name == 'load':
            put(i.pc, encode('store', i.args[0])[:1])
        elif kind == 'runs off the end' and name == 'ret' and i.next_pc == len(code):
            put(i.pc, encode(rng.choice(['print', 'pop'])))
        elif kind == 'depth mismatch' and name == 'store':
            put(i.pc, encode('load', i.args[0])[:1])
    rng.shuffle(out)
    return out


class VerifierVerdict(Exercise):
    """A class file damaged by hand: which instruction does the verifier reject, and why?"""

    chapter = 7
    title = 'Which bytecode does the verifier reject?'

    def generate(self, rng):
        while True:
            source = rng.randrange(len(_PROGRAMS))
            cf = compile_source(_PROGRAMS[source])
            index = rng.randrange(len(cf.functions))
            kind = rng.choice(_KINDS)
            for code in _edits(cf, index, kind, rng):
                v = verdict(_with_code(cf, index, code).to_bytes())
                if v is not None and v.reason == kind and v.pc is not None:
                    return {'program': source, 'function': index, 'code': code.hex()}

    def damaged(self, p) -> ClassFile:
        cf = compile_source(_PROGRAMS[p['program']])
        return _with_code(cf, p['function'], bytes.fromhex(p['code']))

    def solve(self, p):
        v = verdict(self.damaged(p).to_bytes())
        return {'pc': v.pc, 'reason': v.reason}

    def question(self, p):
        cf = self.damaged(p)
        name = cf.function_name(p['function'])
        return (f"This program was compiled, and then someone edited bytes of function {name}:\n\n"
                + ''.join(f'    {line}\n' for line in _PROGRAMS[p['program']].splitlines())
                + f"\nThe class file has {len(cf.functions)} functions (#0..#"
                  f"{len(cf.functions) - 1}) and {len(cf.constants)} constants. "
                  f"Function {name} is now:\n\n{listing(cf, p['function'])}\n\n"
                  "The verifier rejects it. At which pc, and why? Answer a dict {'pc': ..., "
                  "'reason': ...}\nwith the reason one of:\n"
                + '  ' + ', '.join(map(repr, _KINDS[:4])) + ',\n  '
                + ', '.join(map(repr, _KINDS[4:])) + '.'
                + '\n(The verifier checks every operand first, then follows each path with '
                  'the stack depth;\na depth mismatch is reported where two paths meet.)')

    def explain(self, p, answer):
        v = verdict(self.damaged(p).to_bytes())
        original = compile_source(_PROGRAMS[p['program']]).functions[p['function']].code
        damaged = bytes.fromhex(p['code'])
        changed = [i for i in range(len(original)) if original[i] != damaged[i]]
        before = {i.pc: format_instruction(i) for i in instructions(original)}
        after = {i.pc: format_instruction(i) for i in instructions(damaged)}
        edits = [f'pc {pc}: {before[pc]} -> {after[pc]}' for pc in sorted(before)
                 if before[pc] != after.get(pc)]
        return (f'The edit ({len(changed)} byte(s)): {"; ".join(edits)}.\n'
                f'The verifier says: {v.message}')

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, dict) and isinstance(given.get('reason'), str):
            given = dict(given, reason=given['reason'].strip().lower().replace('_', ' '))
        return given

    def diagnose(self, p, given):
        if not isinstance(given, dict):
            return []
        answer = self.solve(p)
        hints = []
        if given.get('reason') not in _KINDS and 'reason' in given:
            hints.append('The reason should be one of: ' + ', '.join(_KINDS) + '.')
        if given.get('reason') == answer['reason'] == 'depth mismatch' \
                and given.get('pc') != answer['pc']:
            hints.append('A depth mismatch is reported where two paths meet (a jump target), '
                         'not where the extra value was pushed.')
        if given.get('reason') == answer['reason'] == 'stack underflow' \
                and given.get('pc') != answer['pc']:
            hints.append('Report the instruction that finds too few values, not the one that '
                         'took them away.')
        return hints

    def wrong_answers(self, p, answer):
        other = next(k for k in _KINDS if k != answer['reason'])
        return [dict(answer, reason=other), dict(answer, pc=answer['pc'] + 1), {'pc': answer['pc']}]
