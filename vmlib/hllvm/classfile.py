"""The class file: a compiled Tiny program as bytes, the unit that both platforms run.

Like a JVM ``.class`` file it starts with a magic number and a version, holds a constant pool
(here: strings, for function names, local-variable names and printed text) and a table of
functions, each with its arity, its number of locals, the operand-stack depth it needs and
its code. The byte order is fixed (little-endian) by the format, not by the machine that reads
it: that is what lets one file run on any platform.

Layout (all integers little-endian)::

    offset  size  field
    0       4     magic: the bytes 'TINY' (54 49 4e 59)
    4       2     version: 1
    6       2     entry: index of the function to run ('main')
    8       2     constant count C
    10      2     function count F
    12      4     code size S (bytes)
    16      ...   C constants, each: u16 length, then that many bytes of UTF-8
    ...     16*F  function records:
                    u16 name (constant index)   u8 arity         u8 locals (parameters first)
                    u16 max_stack               u16 code length  u32 code offset (into the code)
                    u16 first local's name (constant index; the others follow; 0xFFFF: none)
                    u16 reserved (0)
    ...     S     code: the functions' bytecode, one after the other

``from_bytes`` checks every size and index and raises ``ClassFormatError`` naming what is
wrong; then it runs the verifier (``verifier.py``), which raises ``VerifyError`` for unsafe
code. Only then is a class file handed to a VM.
"""

import struct
from dataclasses import dataclass

from .errors import ClassFormatError
from .opcodes import format_instruction, instructions

MAGIC = b'TINY'
VERSION = 1
HEADER = struct.Struct('<4sHHHHI')
RECORD = struct.Struct('<HBBHHIHH')
NO_NAMES = 0xFFFF
MAX_CONSTANTS = 4096        # the RV32 VM's class loader has tables of these sizes
MAX_FUNCTIONS = 1024
assert HEADER.size == 16 and RECORD.size == 16


@dataclass(frozen=True)
class Function:
    """One function of a class file. Names are constant-pool indices, as in the file."""

    name: int               # constant index of the function's name
    arity: int              # parameters: the first ``arity`` locals
    nlocals: int            # local-variable slots, parameters included
    max_stack: int          # the deepest the operand stack gets (the verifier checks it)
    code: bytes
    local_names: int = NO_NAMES     # constant index of local 0's name; the others follow


@dataclass(frozen=True)
class ClassFile:
    constants: tuple        # str
    functions: tuple        # Function
    entry: int              # index of the function that runs first

    # --- names -----------------------------------------------------------------------------

    def function_name(self, index):
        return self.constants[self.functions[index].name]

    def local_name(self, fn, slot):
        if fn.local_names == NO_NAMES:
            return None
        return self.constants[fn.local_names + slot]

    def function_index(self, name):
        for i, fn in enumerate(self.functions):
            if self.constants[fn.name] == name:
                return i
        raise KeyError(name)

    # --- bytes -----------------------------------------------------------------------------

    def to_bytes(self):
        """The class file as bytes (the format in this module's docstring)."""
        pool = b''.join(struct.pack('<H', len(b)) + b
                        for b in (s.encode('utf-8') for s in self.constants))
        records, code = b'', b''
        for fn in self.functions:
            records += RECORD.pack(fn.name, fn.arity, fn.nlocals, fn.max_stack, len(fn.code),
                                   len(code), fn.local_names, 0)
            code += fn.code
        header = HEADER.pack(MAGIC, VERSION, self.entry, len(self.constants),
                             len(self.functions), len(code))
        return header + pool + records + code

    @classmethod
    def from_bytes(cls, data, verify=True):
        """Read and check a class file; ``verify=False`` skips the verifier (for experiments
        that want to see a VM meet bad code)."""
        cf = _read(bytes(data))
        if verify:
            from .verifier import verify as check
            check(cf)
        return cf

    def save(self, path):
        with open(path, 'wb') as f:
            f.write(self.to_bytes())

    @classmethod
    def load(cls, path, verify=True):
        with open(path, 'rb') as f:
            return cls.from_bytes(f.read(), verify)

    # --- looking inside --------------------------------------------------------------------

    def listing(self):
        """A ``dis``-like listing: the constant pool, then each function's code with byte
        offsets, the bytes, the instruction and what its operand refers to."""
        out = [f'class file: {len(self.to_bytes())} bytes, version {VERSION}, '
               f'{len(self.constants)} constants, {len(self.functions)} functions, '
               f'entry {self.function_name(self.entry)}',
               'constants:']
        out += [f'  #{i:<3} {s!r}' for i, s in enumerate(self.constants)]
        for fn in self.functions:
            out.append('')
            out += self.function_listing(fn)
        return '\n'.join(out)

    def function_listing(self, fn):
        if isinstance(fn, (int, str)):
            fn = self.functions[fn if isinstance(fn, int) else self.function_index(fn)]
        params = ', '.join(self.local_name(fn, i) or f'#{i}' for i in range(fn.arity))
        out = [f'func {self.constants[fn.name]}({params}): locals {fn.nlocals}, '
               f'max stack {fn.max_stack}, {len(fn.code)} bytes']
        code = instructions(fn.code)
        targets = {ins.args[0] for ins in code if 'target' in ins.op.operands}
        for ins in code:
            raw = fn.code[ins.pc:ins.next_pc].hex(' ')
            mark = '>>' if ins.pc in targets else '  '
            out.append(f'  {mark} {ins.pc:4}  {raw:<15} '
                       f'{format_instruction(ins, self._comment(fn, ins))}'.rstrip())
        return out

    def _comment(self, fn, ins):
        kinds = ins.op.operands
        if not kinds:
            return ''
        value = ins.args[0]
        if kinds[0] == 'local':
            return self.local_name(fn, value) or ''
        if kinds[0] == 'func':
            f = self.functions[value]
            return f'{self.constants[f.name]}/{f.arity}'
        if kinds[0] == 'const':
            return repr(self.constants[value])
        return ''


def _read(data):
    if len(data) < HEADER.size:
        raise ClassFormatError(f'truncated: {len(data)} bytes, but a class file header alone '
                               f'is {HEADER.size}')
    magic, version, entry, nconst, nfunc, code_size = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise ClassFormatError(f'bad magic number {magic.hex(" ")} (a class file starts with '
                               f"{MAGIC.hex(' ')}, 'TINY')")
    if version != VERSION:
        raise ClassFormatError(f'unsupported version {version} (this VM reads version {VERSION})')
    if nconst > MAX_CONSTANTS or nfunc > MAX_FUNCTIONS:
        raise ClassFormatError(f'{nconst} constants and {nfunc} functions: at most '
                               f'{MAX_CONSTANTS} and {MAX_FUNCTIONS}')
    if not entry < nfunc:
        raise ClassFormatError(f'entry function #{entry} does not exist ({nfunc} functions)')
    at, constants = HEADER.size, []
    for i in range(nconst):
        if at + 2 > len(data):
            raise ClassFormatError(f'truncated in the constant pool (constant #{i})')
        (n,) = struct.unpack_from('<H', data, at)
        raw = data[at + 2:at + 2 + n]
        if len(raw) < n:
            raise ClassFormatError(f'truncated in the constant pool (constant #{i})')
        try:
            constants.append(raw.decode('utf-8'))
        except UnicodeDecodeError:
            raise ClassFormatError(f'constant #{i} is not valid UTF-8') from None
        at += 2 + n
    if at + RECORD.size * nfunc > len(data):
        raise ClassFormatError(f'truncated in the function table ({nfunc} records of '
                               f'{RECORD.size} bytes)')
    records = [RECORD.unpack_from(data, at + RECORD.size * i) for i in range(nfunc)]
    code_at = at + RECORD.size * nfunc
    left = len(data) - code_at
    if left < code_size:
        raise ClassFormatError(f'truncated: the code is {code_size} bytes, only {left} left')
    if left > code_size:
        raise ClassFormatError(f'{left - code_size} unexpected bytes after the code')
    functions = []
    for i, (name, arity, nlocals, max_stack, length, offset, names, _) in enumerate(records):
        where = f'function #{i}'
        if name >= nconst:
            raise ClassFormatError(f'{where}: name #{name} is not a constant')
        where = f'function #{i} ({constants[name]!r})'
        if arity > nlocals:
            raise ClassFormatError(f'{where}: {arity} parameters but only {nlocals} locals')
        if offset + length > code_size:
            raise ClassFormatError(f'{where}: code {offset}..{offset + length} lies outside '
                                   f'the {code_size} bytes of code')
        if names != NO_NAMES and names + nlocals > nconst:
            raise ClassFormatError(f'{where}: local names #{names}.. are not constants')
        code = data[code_at + offset:code_at + offset + length]
        functions.append(Function(name, arity, nlocals, max_stack, code, names))
    if functions[entry].arity:
        raise ClassFormatError(f'the entry function takes {functions[entry].arity} parameters '
                               f'(it must take none)')
    return ClassFile(tuple(constants), tuple(functions), entry)


