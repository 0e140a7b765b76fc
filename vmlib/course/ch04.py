"""Chapter 04, ABI and API: one ``printf`` followed from the C source to the instructions.

A C program (``guests/src/printf_one.c``) calls ``printf``: that is the **API**, a library
call in the source. The C library (musl, linked into the static ELF) formats the text and
hands the bytes to the operating system with ``ecall``: that is the **ABI**, the user ISA plus
the system calls. Everything on the user side runs as RV32 **instructions** on the hart: the
ISA. :func:`follow` runs a guest in the process VM one instruction at a time and records where
control crosses between the layers::

    >>> j = follow('printf_one')
    >>> j.counts['program'], j.counts['libc'], j.ecalls
    (18, 4194, 4)
    >>> [s.name for s in j.syscalls]
    ['set_tid_address', 'ioctl', 'writev', 'exit_group']

How the program's own code is told from the C library's in a *stripped* binary (no symbols):
musl's start-up code ``_start_c`` ends with a tail call
``__libc_start_main(main, argc, argv, _init, _fini, 0)``, and the calling convention puts
those arguments in ``a0``-``a5``. So at that jump ``a0`` is the address of ``main`` and ``a3``
that of ``_init``. The linker lays out ``crt1.o`` (``_start``, ``_start_c``), then the
program's object files, then ``crti.o`` (``_init``), then the C library: the program's code is
what lies between the end of ``_start_c`` and ``_init``. (Checked for every committed guest.)

Also here: the calling-convention and system-call tables (:data:`CALLING_CONVENTION`),
:func:`assign_arguments` (which register gets which argument, by the RISC-V psABI for ilp32),
:func:`elf_summary` (the ELF header and program headers, read with pyelftools), and the
chapter's seeded exercises.
"""
from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..isa import decode, disassemble, reg_name
from ..procvm import ProcessVM
from ..procvm import linux as L
from ..procvm.strace import SyscallRecord, format_result
from .text import WIDTH
from .exercises import Classify, Exercise
from .guest_programs import GUESTS, guest      # re-exported: notebooks import them from here

__all__ = ['GUESTS', 'guest', 'PROGRAMS', 'CALLING_CONVENTION', 'CALLEE_SAVED', 'ARG_REGS',
           'SYSCALL_REGS', 'follow', 'Journey', 'Crossing', 'Segment', 'LibcStart',
           'assign_arguments', 'elf_summary', 'program_headers_text', 'convention_text',
           'code_listing', 'preserved_across', 'matching_return', 'function_names',
           'source_calls', 'LAYERS',
           'SyscallRegisters', 'WhichSyscall', 'CountEcalls', 'ArgumentRegisters',
           'INTERFACE_ITEMS', 'PlaceTheInterface']

#: the guests a learner can follow, with the arguments the chapter uses by default
PROGRAMS = {
    'printf_one': [],
    'hello': [],
    'args': ['3', 'hello world'],
}

DEFAULT_MAX_STEPS = 2_000_000


# ---------------------------------------------------------------------------------------------
# the calling convention (RISC-V psABI, integer registers)

#: (registers, ABI names, role, who preserves it across a call)
CALLING_CONVENTION = [
    ('x0', 'zero', 'always zero', '-'),
    ('x1', 'ra', 'return address', 'caller'),
    ('x2', 'sp', 'stack pointer (16-byte aligned at a call)', 'callee'),
    ('x3', 'gp', 'global pointer', '-'),
    ('x4', 'tp', 'thread pointer', '-'),
    ('x5-x7', 't0-t2', 'temporaries', 'caller'),
    ('x8', 's0/fp', 'saved register / frame pointer', 'callee'),
    ('x9', 's1', 'saved register', 'callee'),
    ('x10-x11', 'a0-a1', 'arguments 1-2 / return value', 'caller'),
    ('x12-x17', 'a2-a7', 'arguments 3-8', 'caller'),
    ('x18-x27', 's2-s11', 'saved registers', 'callee'),
    ('x28-x31', 't3-t6', 'temporaries', 'caller'),
]
CALLEE_SAVED = ['sp'] + [f's{i}' for i in range(12)]
ARG_REGS = [f'a{i}' for i in range(8)]
#: the Linux system-call convention on RISC-V
SYSCALL_REGS = {'number': 'a7', 'arguments': ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'],
                'result': 'a0'}


def convention_text() -> str:
    """The two conventions side by side, as a table."""
    lines = [f"{'register':<9} {'ABI name':<7} {'role':<42} preserved by",
             '-' * 72]
    for regs, names, role, saver in CALLING_CONVENTION:
        lines.append(f'{regs:<9} {names:<7} {role:<42} {saver}')
    lines += ['', 'function call (the calling convention, beside the ABI): arguments in a0-a7,',
              '    result in a0 (a1 for 64 bits), ra = return address',
              'system call (the ABI, Linux RV32): a7 = number, arguments in a0-a5, ecall,',
              '    result in a0 (-4095..-1 = -errno)']
    return '\n'.join(lines)


def assign_arguments(kinds, variadic_from=None):
    """Where the RISC-V ilp32 calling convention puts each integer argument.

    ``kinds``: a list of ``'int'`` (also pointers, char, short: one 32-bit register) and
    ``'long long'`` (64 bits: two registers, low word first). ``variadic_from``: the index of
    the first argument that goes through ``...`` (for ``printf`` that is 1), or None.

    The rules (psABI, "Integer Calling Convention"): arguments take ``a0``-``a7`` in order;
    a 64-bit argument takes two consecutive registers, and if only ``a7`` is left it is split
    between ``a7`` and the stack; a *variadic* 64-bit argument takes an **aligned** pair
    (``a0/a1``, ``a2/a3``...), skipping a register if needed; once an argument went on the
    stack, the rest do too. Returns a list with one entry per argument: a register name
    (``'a1'``), a pair (``'a2:a3'``, low word first), ``'a7:stack'`` or ``'stack'``.
    """
    out, nxt, stacked = [], 0, False
    for i, kind in enumerate(kinds):
        if kind not in ('int', 'long long'):
            raise ValueError(f"unknown argument kind {kind!r} (use 'int' or 'long long')")
        variadic = variadic_from is not None and i >= variadic_from
        if stacked:
            out.append('stack')
            continue
        if kind == 'int':
            if nxt < 8:
                out.append(f'a{nxt}')
                nxt += 1
            else:
                out.append('stack')
                stacked = True
            continue
        if variadic and nxt % 2:
            nxt += 1
        if nxt <= 6:
            out.append(f'a{nxt}:a{nxt + 1}')
            nxt += 2
        elif nxt == 7 and not variadic:
            out.append('a7:stack')
            nxt, stacked = 8, True
        else:
            out.append('stack')
            nxt, stacked = 8, True
    return out


# ---------------------------------------------------------------------------------------------
# the ELF file


def elf_summary(path) -> dict:
    """The ELF header fields a loader reads and the program headers, with pyelftools."""
    from elftools.elf.elffile import ELFFile
    with open(path, 'rb') as f:
        elf = ELFFile(f)
        h = elf.header
        segments = []
        for s in elf.iter_segments():
            p = s.header
            flags = ''.join(c if p.p_flags & bit else '-' for c, bit in (('R', 4), ('W', 2),
                                                                          ('X', 1)))
            segments.append({'type': p.p_type, 'offset': p.p_offset, 'vaddr': p.p_vaddr,
                             'filesz': p.p_filesz, 'memsz': p.p_memsz, 'flags': flags,
                             'align': p.p_align})
        sections = [s.name for s in elf.iter_sections() if s.name]
        return {'class': h.e_ident.EI_CLASS, 'data': h.e_ident.EI_DATA, 'type': h.e_type,
                'machine': h.e_machine, 'entry': h.e_entry, 'flags': h.e_flags,
                'phnum': h.e_phnum, 'segments': segments, 'sections': sections,
                'interpreter': any(s['type'] == 'PT_INTERP' for s in segments)}


def program_headers_text(summary: dict) -> str:
    """``readelf -l`` style: one line per program header."""
    lines = [f"{'type':<20} {'offset':>8} {'vaddr':>10} {'filesz':>8} {'memsz':>9} flags align"]
    for s in summary['segments']:
        lines.append(f"{s['type']:<20} 0x{s['offset']:06x} 0x{s['vaddr']:08x} "
                     f"0x{s['filesz']:06x} 0x{s['memsz']:07x} {s['flags']:<5} "
                     f"0x{s['align']:x}")
    return '\n'.join(lines)


# ---------------------------------------------------------------------------------------------
# following a run across the layers

LAYERS = ('program', 'libc', 'kernel')
LAYER_TITLES = {'program': 'the program: main()', 'libc': 'the C library (musl)',
                'kernel': 'the kernel (here: the process VM)'}


@dataclass(frozen=True)
class LibcStart:
    """What ``_start_c`` hands ``__libc_start_main`` (read from a0-a4 at the jump)."""

    pc: int          # the jump from _start_c into __libc_start_main
    target: int      # __libc_start_main
    main: int
    argc: int
    argv: int
    init: int
    fini: int

    @property
    def program_code(self) -> tuple[int, int]:
        """[start, end) of the program's own code: after crt1.o, before crti.o's _init."""
        return (self.pc + 4, self.init) if self.pc + 4 <= self.main < self.init \
            else (self.main, self.main + 4)


@dataclass(frozen=True)
class Crossing:
    """Control passing from one layer to another.

    ``kind``: ``'call'`` (a function call, ``jal``/``jalr`` with ``rd = ra``), ``'return'``
    (``ret``), ``'jump'`` (any other jump, e.g. a tail call), or ``'syscall'`` (``ecall``:
    into the kernel and back). ``registers`` are a0-a7, ra and sp on arrival (for a system
    call: just before the ``ecall``); ``syscall`` is the system call's record.
    """

    index: int
    kind: str
    source: str
    dest: str
    instret: int          # instructions retired before the crossing instruction
    pc: int               # the crossing instruction
    target: int           # where control arrives (for a system call: the next instruction)
    instruction: str      # its disassembly
    registers: dict
    label: str
    syscall: SyscallRecord | None = None
    strings: dict = field(default_factory=dict)    # register -> the C string it points to

    @property
    def number(self) -> int:
        """The crossing's number, from 1, as the table and the widget show it."""
        return self.index + 1

    def text(self) -> str:
        """One row of the table (the crossing instruction on a line of its own when the row
        would not fit in :data:`vmlib.course.text.WIDTH` columns)."""
        arrow = f'{self.source} -> {self.dest}'
        if self.kind == 'syscall':
            arrow = f'{self.source} -> kernel -> {self.source}'
        row = f'#{self.number:<3} @{self.instret:>6}  {arrow:<23} {self.label}'
        where = f'[0x{self.pc:05x}: {self.instruction}]'
        if len(row) + 3 + len(where) <= WIDTH:
            return f'{row}   {where}'
        return f'{row}\n{"":<38}{where}'


@dataclass
class Segment:
    """A run of consecutive instructions in one layer (``count`` of them, from ``start``)."""

    layer: str
    start: int
    count: int = 0
    syscalls: list = field(default_factory=list)     # indexes into Journey.crossings


@dataclass
class Journey:
    """One run, with every crossing between the program, the C library and the kernel."""

    program: str
    argv: list
    start: LibcStart
    crossings: list
    segments: list
    counts: Counter           # instructions per layer ('program', 'libc')
    mix: dict                 # layer -> Counter of instruction categories (load, store...)
    syscalls: list            # SyscallRecord, in order
    instructions: int         # retired (an ecall traps, so it does not retire)
    exit_status: int
    stdout: bytes
    stderr: bytes
    main_entry: dict | None = None     # registers on arrival in main
    calls_from_main: list = field(default_factory=list)
    names: dict = field(default_factory=dict)    # address -> function name, where known

    def name(self, address: int) -> str:
        """A function's name when known (see :func:`function_names`), else its address."""
        return self.names.get(address, f'0x{address:05x}')

    @property
    def ecalls(self) -> int:
        return len(self.syscalls)

    @property
    def phases(self) -> dict:
        """C-library instructions before main, inside calls made by the program, and after
        main returned."""
        out = {'before main': 0, 'called by the program': 0, 'after main': 0}
        seen_program = False
        last_program = max((i for i, s in enumerate(self.segments) if s.layer == 'program'),
                           default=-1)
        for i, s in enumerate(self.segments):
            if s.layer == 'program':
                seen_program = True
            elif not seen_program:
                out['before main'] += s.count
            elif i > last_program:
                out['after main'] += s.count
            else:
                out['called by the program'] += s.count
        return out

    def summary(self) -> str:
        """The crossing counts in a few lines."""
        c = self.counts
        by_name = Counter(s.name for s in self.syscalls)
        names = ', '.join(f'{n} x{k}' if k > 1 else n for n, k in by_name.items())
        calls = Counter(x.target for x in self.calls_from_main)
        ph = self.phases
        lines = [
            f'{self.program} {" ".join(self.argv[1:])}'.rstrip() +
            f': {self.instructions} instructions retired, exit status {self.exit_status}',
            f'  API  (program -> C library): {_plural(len(self.calls_from_main), "call")} '
            f'from main to {_plural(len(calls), "library function")}',
            f'  ISA  instructions in the program (main): {c["program"]:>6}',
            f'       instructions in the C library:      {c["libc"]:>6}',
            f'         (before main {ph["before main"]}, in calls from main '
            f'{ph["called by the program"]}, after main {ph["after main"]})',
            f'  ABI  (C library -> kernel): {_plural(self.ecalls, "ecall")}: {names}',
        ]
        return '\n'.join(lines)

    def table(self) -> str:
        """Every crossing, one line each."""
        return '\n'.join(x.text() for x in self.crossings)


def _all_regs(h):
    return {reg_name(i): (h.x[i] if i else 0) for i in range(32)}


def follow(program: str = 'printf_one', args=None, env=(), stdin=b'',
           max_steps: int = DEFAULT_MAX_STEPS) -> Journey:
    """Run a guest one instruction at a time and record the crossings between its layers.

    ``program``: a guest name (``'printf_one'``) or a path to a static musl ELF. ``args``:
    the arguments after ``argv[0]`` (default: :data:`PROGRAMS`'s); ``argv[0]`` is
    ``guests/NAME.elf`` as in the recordings. ``env`` is empty by default, so the counts do not
    depend on the machine (the start-up code walks the environment).
    """
    path = guest(program) if '/' not in str(program) and not str(program).endswith('.elf') \
        else Path(program)
    name = path.stem
    if args is None:
        args = PROGRAMS.get(name, [])
    argv = [f'guests/{name}.elf', *args]
    with tempfile.TemporaryDirectory(prefix='vmlib-follow-') as root:   # files it writes
        return _follow(path, name, argv, env, stdin, root, max_steps)


def _follow(path, name, argv, env, stdin, root, max_steps):
    vm = ProcessVM(path, argv, list(env), root=root, capture=True, trace=True,
                   stdin=stdin.encode() if isinstance(stdin, str) else stdin)
    h = vm.hart
    argc, argv_at = len(argv), vm.stack_layout['argv']
    decoded = {}

    def ins_at(pc):
        d = decoded.get(pc)
        if d is None:
            try:
                word = h.fetch_word(pc)
            except Exception:           # not mapped: the step will fault, the VM says why
                return None, '(no instruction here)'
            d = decoded[pc] = (decode(word), disassemble(word, pc))
        return d

    start = None            # known once _start_c jumps into __libc_start_main
    lo = hi = 0
    segments = [Segment('libc', 0)]
    counts = Counter({'libc': 0, 'program': 0})
    mix = {'program': Counter(), 'libc': Counter()}
    crossings = []
    calls_from_main = []
    stack = []          # open crossings (call kinds), to name the returns
    main_entry = None

    def layer(pc):
        return 'program' if lo <= pc < hi else 'libc'

    def retire(ipc, ins, text, new_pc, n):
        nonlocal main_entry
        here = layer(ipc)
        counts[here] += 1
        mix[here][ins.spec.category if ins is not None else '?'] += 1
        if segments[-1].layer != here:
            segments.append(Segment(here, n))
        segments[-1].count += 1
        there = layer(new_pc)
        if there == here:
            return
        if ins is not None and ins.spec.name in ('jal', 'jalr') and ins.rd == 1:
            kind = 'call'
        elif ins is not None and ins.spec.name == 'jalr' and ins.rd == 0 and ins.rs1 == 1:
            kind = 'return'
        else:
            kind = 'jump'
        regs = _all_regs(h)
        if kind == 'call' and here == 'libc' and new_pc == start.main and main_entry is None:
            label = f'main(argc={regs["a0"]}, argv=0x{regs["a1"]:08x}, envp=0x{regs["a2"]:08x})'
            main_entry = regs
            stack.append('main')
        elif kind == 'call' and here == 'program':
            label = f'call 0x{new_pc:05x}'
            stack.append('api')
        elif kind == 'call':
            label = f'the library calls back into the program at 0x{new_pc:05x}'
            stack.append('callback')
        elif kind == 'return':
            opened = stack.pop() if stack else None
            if opened == 'main':
                label = f'main returns {regs["a0"]}: back in the C library (exit)'
            elif opened == 'api':
                label = f'the library function returns a0 = {_signed(regs["a0"])}'
            else:
                label = 'return'
        else:
            label = f'jump to 0x{new_pc:05x}'
        crossing = Crossing(len(crossings), kind, here, there, n, ipc, new_pc, text, regs, label,
                            strings=_strings(vm.space, regs) if kind == 'call' else {})
        crossings.append(crossing)
        if kind == 'call' and here == 'program':
            calls_from_main.append(crossing)

    # each step retires one instruction, or serves an ecall and retires the next one too
    steps = 0
    while not h.halted and steps < max_steps:
        pc, n, k = h.pc, h.instret, len(vm.trace)
        ins, text = ins_at(pc)
        is_ecall = ins is not None and ins.spec.name == 'ecall'
        before = _all_regs(h) if is_ecall else None
        # _start_c's tail call __libc_start_main(main, argc, argv, _init, _fini, 0)
        found = start is None and ins is not None and ins.spec.name in ('jal', 'jalr') and \
            (h.x[11], h.x[12]) == (argc, argv_at)
        if found:
            args = (h.x[10], h.x[13], h.x[14])
        vm.engine.run(1)
        steps += 1
        if len(vm.trace) > k:
            record = vm.trace[k]
            where = layer(pc)
            result = format_result(record.name, record.result).split(' (')[0]  # -1 ENOTTY
            label = (f'ecall: a7 = {record.number} ({record.name}) -> {result}')
            crossing = Crossing(len(crossings), 'syscall', where, 'kernel', n, pc, pc + 4,
                                text, before or _all_regs(h), label, record)
            crossings.append(crossing)
            if segments[-1].layer != where:
                segments.append(Segment(where, n))
            segments[-1].syscalls.append(crossing.index)
            if h.instret > n:                   # the instruction after the ecall ran too
                nxt = pc + 4
                ins2, text2 = ins_at(nxt)
                retire(nxt, ins2, text2, h.pc, n)
        elif h.instret > n:
            retire(pc, ins, text, h.pc, n)
        if found:
            start = LibcStart(pc, h.pc, args[0], argc, argv_at, args[1], args[2])
            lo, hi = start.program_code
    if start is None:
        raise ValueError(f'{name}: no call to __libc_start_main(main, argc, argv, ...) found: '
                         'is it a static musl program?')
    if not h.halted:
        raise RuntimeError(f'{name}: still running after {max_steps} steps')
    result = vm.run(0)
    journey = Journey(name, argv, start, crossings, segments, counts, mix, list(vm.trace),
                      h.instret, result.exit_status, vm.stdout, vm.stderr, main_entry,
                      calls_from_main)
    journey.names = function_names(journey)
    if len(journey.names) > 1:
        from dataclasses import replace
        for i, c in enumerate(crossings):
            if c.kind == 'call' and c.source == 'program' and c.target in journey.names:
                label = f'call {journey.names[c.target]} (0x{c.target:05x})'
                crossings[i] = replace(c, label=label)
        journey.calls_from_main = [crossings[c.index] for c in calls_from_main]
    return journey


_C_WORDS = {'if', 'for', 'while', 'switch', 'return', 'sizeof', 'main', 'do', 'else'}


def source_calls(name: str) -> set[str]:
    """The functions the C source ``guests/src/NAME.c`` calls but does not define."""
    import re
    path = GUESTS / 'src' / f'{name}.c'
    if not path.is_file():
        return set()
    text = re.sub(r'/\*.*?\*/|//[^\n]*|"(\\.|[^"\\])*"', ' ', path.read_text(), flags=re.S)
    called = set(re.findall(r'\b([A-Za-z_]\w*)\s*\(', text)) - _C_WORDS
    defined = set(re.findall(r'^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\([^;]*$', text, re.M))
    return called - defined - _C_WORDS


def function_names(journey) -> dict:
    """Names for addresses in a stripped program: ``main`` (from ``__libc_start_main``'s
    ``a0``) and, when the C source calls exactly one library function and main calls exactly
    one address, that function. (Compilers may swap functions: ``printf("hi\\n")`` becomes
    ``puts("hi")``, so more than one name is never guessed.)"""
    names = {journey.start.main: 'main'}
    targets = {c.target for c in journey.calls_from_main}
    called = source_calls(journey.program)
    if len(targets) == 1 and len(called) == 1:
        names[targets.pop()] = called.pop()
    return names


def _plural(n, word):
    return f'{n} {word}' + ('' if n == 1 else 's')


def _signed(x):
    return x - (1 << 32) if x & 0x8000_0000 else x


def matching_return(journey, number: int):
    """The crossing that returns from the call numbered ``number`` (from 1, as the table
    numbers it): the next return to the same layer at the same stack pointer, or None."""
    call = journey.crossings[number - 1]
    for c in journey.crossings[number:]:
        if c.kind == 'return' and c.dest == call.source and \
                c.registers['sp'] == call.registers['sp']:
            return c
    return None


def preserved_across(journey, number: int) -> list[tuple[str, int, int, str]]:
    """For the call numbered ``number`` (from 1, as the table numbers it) and its return:
    (register, value at the call, value after the return, the convention's verdict) for the
    argument, temporary and saved registers and sp. The convention says: callee-saved
    (s0-s11, sp) must come back unchanged; the others may change, and a0 carries the result."""
    if not 1 <= number <= len(journey.crossings):
        raise ValueError(f'{journey.program} has crossings 1..{len(journey.crossings)}, '
                         f'not {number}')
    call = journey.crossings[number - 1]
    ret = matching_return(journey, number)
    if ret is None:
        raise ValueError(f'crossing {number} ({call.label}) has no return')
    rows = []
    for name in CALLEE_SAVED + ARG_REGS + [f't{i}' for i in range(7)]:
        a, b = call.registers[name], ret.registers[name]
        if name in CALLEE_SAVED:
            verdict = 'kept, as it must be' if a == b else 'CHANGED: the callee broke the rule'
        elif name == 'a0':
            verdict = 'the result' if a != b else 'the result (same value)'
        else:
            verdict = 'changed (allowed)' if a != b else 'unchanged (by chance)'
        rows.append((name, a, b, verdict))
    return rows


def code_listing(program: str, start: int, end: int) -> str:
    """Disassembly of ``[start, end)`` of a guest (read from the ELF's segments)."""
    from .. procvm.loader import read_elf
    path = guest(program) if not str(program).endswith('.elf') else Path(program)
    image = read_elf(path.read_bytes(), str(path))
    lines = []
    for pc in range(start, end, 4):
        for seg in image.segments:
            if seg.vaddr <= pc < seg.vaddr + seg.filesz:
                off = seg.offset + pc - seg.vaddr
                word = int.from_bytes(image.data[off:off + 4], 'little')
                lines.append(f'{pc:08x}:  {word:08x}  {disassemble(word, pc)}')
                break
    return '\n'.join(lines)


def _strings(space, regs, limit=48):
    """The registers among a0-a7 that point to a C string (printable text ending in NUL)."""
    out = {}
    for name in ARG_REGS:
        va = regs.get(name, 0)
        if va < 0x1000:
            continue
        data, ended = space.peek_cstring(va, limit)
        if data and ended and all(32 <= b < 127 or b in (9, 10) for b in data):
            out[name] = data.decode()
    return out


# ---------------------------------------------------------------------------------------------
# exercises

_FDS = [0, 1, 2, 3, 4]


@lru_cache(maxsize=64)
def _strace(program: str, args: tuple, stdin: str = '') -> tuple:
    """The system calls of one run (deterministic, so remembered): SyscallRecords."""
    from .ch05 import run_guest
    return tuple(run_guest(program, list(args), stdin).syscalls)


def _syscall_problem(rng):
    """A system call a C library might make, with its arguments as register values."""
    buf = rng.randrange(0x10000, 0x20000) & ~3
    choice = rng.choice(['write', 'read', 'openat', 'close', 'exit_group', 'writev', 'getpid',
                         'mmap2'])
    if choice == 'write':
        args = [('fd', rng.choice([1, 2])), ('buf', buf), ('count', rng.randrange(1, 80))]
    elif choice == 'read':
        args = [('fd', rng.choice([0, 3])), ('buf', buf), ('count', rng.choice([64, 1024]))]
    elif choice == 'openat':
        args = [('dirfd', L.AT_FDCWD & 0xFFFFFFFF), ('path', buf),
                ('flags', rng.choice([L.O_RDONLY, L.O_WRONLY | L.O_CREAT]))]
        if args[-1][1] & L.O_CREAT:             # the kernel reads the mode only with O_CREAT
            args.append(('mode', 0o644))
    elif choice == 'close':
        args = [('fd', rng.choice(_FDS[3:]))]
    elif choice == 'exit_group':
        args = [('status', rng.randrange(0, 4))]
    elif choice == 'writev':
        args = [('fd', 1), ('iov', 0x7fffd9c0 + 16 * rng.randrange(4)), ('iovcnt', 2)]
    elif choice == 'mmap2':
        args = [('addr', 0), ('length', 4096 * rng.choice([1, 16, 31])),
                ('prot', L.PROT_READ | L.PROT_WRITE), ('flags', 0x22), ('fd', 0xFFFFFFFF),
                ('pgoffset', 0)]
    else:
        args = []
    return {'name': choice, 'args': args}


class SyscallRegisters(Exercise):
    """Which values go into which registers for a Linux system call on RV32."""

    chapter = 4
    title = 'Registers for a system call'
    rel_tol = abs_tol = 0.0

    def generate(self, rng):
        return _syscall_problem(rng)

    def solve(self, p):
        out = {SYSCALL_REGS['number']: L.SYSCALL_NUMBERS[p['name']]}
        for reg, (_, value) in zip(SYSCALL_REGS['arguments'], p['args']):
            out[reg] = value
        return out

    def question(self, p):
        call = ', '.join('dirfd=AT_FDCWD (-100)' if n == 'dirfd' else
                         f'{n}=0o{v:o} ({v:#x})' if n == 'mode' else
                         f'{n}={v:#x}' if v > 9 else f'{n}={v}' for n, v in p['args'])
        return (f"The C library is about to ask the kernel for\n    {p['name']}({call})\n"
                "Which registers hold what just before its ecall? Answer a dict such as\n"
                "{'a7': ..., 'a0': ...} with every register the call uses (numbers; look the\n"
                "system-call number up in vmlib.procvm.linux.SYSCALL_NUMBERS).")

    def normalize(self, given):
        """Registers hold 32-bit patterns: -100 and 0xffffff9c are the same value."""
        given = super().normalize(given)
        if isinstance(given, dict):
            return {k: v & 0xFFFFFFFF if isinstance(v, int) and not isinstance(v, bool) else v
                    for k, v in given.items()}
        return given

    def explain(self, p, answer):
        return ("The number goes in a7, the arguments in a0, a1, ... in order (at most six), "
                f"then ecall.\n{p['name']} is number {answer['a7']} in the asm-generic table "
                "that RV32 Linux uses.")

    def diagnose(self, p, given):
        hints = []
        if isinstance(given, dict):
            number = L.SYSCALL_NUMBERS[p['name']]
            if given.get('a0') == number:
                hints.append('The number goes in a7, not a0: a0 is the first argument.')
            if p['args'] and given.get('a1') == p['args'][0][1] and 'a0' not in given:
                hints.append('Arguments start at a0.')
        return hints

    def wrong_answers(self, p, answer):
        shifted = {'a0': answer['a7']}
        shifted.update({f'a{i + 1}': v for i, (_, v) in enumerate(p['args'])})
        wrong_number = dict(answer, a7=answer['a7'] + 1)
        return [shifted, wrong_number]


class WhichSyscall(Exercise):
    """Read a real ecall's registers: which system call is it, did it succeed?"""

    chapter = 4
    title = 'Which system call is this?'

    def generate(self, rng):
        program = rng.choice(['printf_one', 'args', 'files'])
        stdin = 'some text\n' if program == 'files' else ''
        return {'program': program, 'stdin': stdin, 'pick': rng.randrange(1000)}

    def _record(self, p):
        calls = _strace(p['program'], tuple(PROGRAMS.get(p['program'], [])), p['stdin'])
        return calls[p['pick'] % len(calls)]

    def solve(self, p):
        r = self._record(p)
        return {'name': r.name, 'failed': r.error is not None}

    def question(self, p):
        r = self._record(p)
        regs = '  '.join(f'a{i}={v:#x}' for i, v in enumerate(r.args))
        result = 'does not return' if r.result is None else f'a0 = {r.result} afterwards'
        return (f"guests/{p['program']}.elf executes ecall at pc 0x{r.pc:05x} with\n"
                f"    a7={r.number}  {regs}\nand {result}.\n"
                "Which system call is it, and did it fail? Answer {'name': ..., 'failed': "
                "True/False}\n(numbers: vmlib.procvm.linux.SYSCALL_NAMES; a result from -4095 "
                "to -1 is -errno).")

    def explain(self, p, answer):
        r = self._record(p)
        return f'a7 = {r.number} is {r.name}. strace shows it as:\n    {r}'

    def wrong_answers(self, p, answer):
        return [dict(answer, failed=not answer['failed']),
                dict(answer, name='write' if answer['name'] != 'write' else 'read')]


class CountEcalls(Exercise):
    """Predict the system calls of a run of ``args`` (musl's buffering rules decide)."""

    chapter = 4
    title = 'Count the ecalls'
    rel_tol = abs_tol = 0.0

    def generate(self, rng):
        words = rng.sample(['alpha', 'beta', 'gamma', 'delta', 'x y', ''], rng.randrange(0, 4))
        status = rng.randrange(0, 4)
        return {'args': [str(status)] + words if rng.random() < 0.8 else []}

    def solve(self, p):
        return dict(Counter(r.name for r in _strace('args', tuple(p['args']))))

    def question(self, p):
        cmd = ' '.join(['guests/args.elf'] + [repr(a) if ' ' in a or not a else a
                                               for a in p['args']])
        return ("guests/src/args.c prints argc, each argv[i] and three environment variables to "
                "stdout\n(printf), then one line to stderr (fprintf), and returns its first "
                f"argument as the exit status.\nIt runs as\n    {cmd}\nwith an empty "
                "environment and stdout not a terminal. Which system calls does it make,\nand "
                "how many of each? Answer a dict {'name': count, ...}.\nRemember musl: start-up, "
                "the first write to stdout asks ioctl(TIOCGWINSZ) whether it is a\nterminal, "
                "stderr is unbuffered, stdout is flushed at exit, and exit is exit_group.")

    def explain(self, p, answer):
        return 'The strace of the run:\n' + '\n'.join(f'    {r}' for r in
                                                      _strace('args', tuple(p['args'])))

    def wrong_answers(self, p, answer):
        return [dict(answer, writev=answer['writev'] + 1),
                {k: v for k, v in answer.items() if k != 'ioctl'}]


_ARG_POOL = [('int', 'int'), ('char *', 'int'), ('long long', 'long long'), ('unsigned', 'int'),
             ('long', 'int'), ('uint64_t', 'long long')]


class ArgumentRegisters(Exercise):
    """Which register does each argument of a C call go in (ilp32 calling convention)?"""

    chapter = 4
    title = 'Arguments in registers'

    def generate(self, rng):
        variadic = rng.random() < 0.4
        n = rng.randrange(2, 7)
        args = [rng.choice(_ARG_POOL)[0] for _ in range(n)]
        if variadic:
            args[0] = 'const char *'
        return {'args': args, 'variadic': variadic}

    def _kinds(self, p):
        table = dict(_ARG_POOL)
        table['const char *'] = 'int'
        return [table[a] for a in p['args']]

    def solve(self, p):
        return assign_arguments(self._kinds(p), 1 if p['variadic'] else None)

    def question(self, p):
        names = 'abcdeghk'
        decl_arg = lambda t, n: f'{t}{n}' if t.endswith('*') else f'{t} {n}'  # noqa: E731
        if p['variadic']:
            decl = 'int f(const char *fmt, ...);'
            call = 'f(' + ', '.join(['fmt'] + [f'({t}){names[i]}' for i, t in
                                               enumerate(p['args'][1:], 1)]) + ')'
        else:
            decl = 'void f(' + ', '.join(decl_arg(t, names[i]) for i, t in
                                         enumerate(p['args'])) + ');'
            call = 'f(' + ', '.join(names[:len(p['args'])]) + ')'
        return (f"{decl}\n    {call};\nOn RV32 (ilp32: int, long and pointers are 32 bits, long "
                "long 64 bits), where does each\nargument go? Answer a list, one entry per "
                "argument: a register 'a0'..'a7', a pair 'a2:a3'\n(low word first), "
                "'a7:stack' (split) or 'stack'.")

    def explain(self, p, answer):
        why = ["In order, each 32-bit argument takes the next of a0-a7; a 64-bit one takes two "
               "registers (low word first)."]
        if p['variadic']:
            why.append("After '...', a 64-bit argument needs an *aligned* pair (a2:a3, a4:a5...):"
                       " a register may be skipped.")
        why.append('When the registers run out, the rest go on the stack.')
        return ' '.join(why)

    def diagnose(self, p, given):
        if p['variadic'] and isinstance(given, list):
            plain = assign_arguments(self._kinds(p), None)
            if given == plain and plain != self.solution():
                return ["Variadic 64-bit arguments go in an aligned (even-numbered) pair."]
        return []

    def wrong_answers(self, p, answer):
        wrong = [['a' + str(i) for i in range(len(answer))]]
        plain = assign_arguments(self._kinds(p), None)
        if plain != answer:
            wrong.append(plain)
        return [w for w in wrong if w != answer]


#: (what is defined, where it belongs): 'ISA', 'ABI' (here: the system-call half; the user
#: ISA is the ISA's), 'API', or 'convention' (beside the ABI: calling convention, file format)
INTERFACE_ITEMS = [
    ("mul t0, t1, t2 multiplies two registers and keeps the low 32 bits", "ISA"),
    ("the encoding of addi: opcode 0010011, funct3 000", "ISA"),
    ("a store to a page whose PTE has W = 0 raises a store page fault (cause 15)", "ISA"),
    ("registers x0-x31 are 32 bits wide and x0 always reads 0", "ISA"),
    ("sret returns from S-mode to the privilege saved in sstatus.SPP", "ISA"),
    ("system call number 64 is write on RISC-V Linux", "ABI"),
    ("the system call's number goes in a7 and its result, or -errno, comes back in a0", "ABI"),
    ("openat takes (dirfd, path, flags, mode) and O_CREAT is 0x40", "ABI"),
    ("the layout of the struct statx the kernel fills in", "ABI"),
    ("exit_group ends every thread of the process with a status", "ABI"),
    ("printf(const char *fmt, ...) is declared in <stdio.h>", "API"),
    ("fopen returns a FILE * that fread and fclose take", "API"),
    ("malloc(n) returns memory that free() gives back", "API"),
    ("Python's open() returns a file object with read() and write()", "API"),
    ("a function's first argument goes in a0 and its return address in ra", "convention"),
    ("s0-s11 and sp come back from a function call as they were", "convention"),
    ("an ELF program header of type PT_LOAD says which bytes of the file go where",
     "convention"),
    ("a long long argument takes two registers, low word first", "convention"),
]

_PLACES = ('ISA', 'ABI', 'API', 'convention')


class PlaceTheInterface(Classify):
    """Which interface defines it: ISA, ABI, API -- or a convention beside the ABI?"""

    chapter = 4
    title = "Place the interface"
    ITEMS = INTERFACE_ITEMS
    KINDS = _PLACES
    EXTRA = 2

    def question(self, p):
        lines = ["Which interface defines each item? Answer 'ISA' (the processor's: user and "
                 "system instructions,", "registers, traps, page tables), 'ABI' (what a "
                 "compiled program asks of the operating system: the",
                 "system calls -- the ABI's other half is the user ISA), 'API' (a library's, "
                 "used from source)", "or 'convention' (agreed beside the ABI by compilers, "
                 "linkers and loaders: the calling", "convention and the file format)."]
        lines += self.lettered(p)
        lines.append("Answer with a list, e.g. ['ISA', 'API', ...].")
        return "\n".join(lines)

    def explain(self, p, answer):
        why = {"ISA": "the processor defines it, whatever runs on it",
               "ABI": "the operating system's system-call interface defines it",
               "API": "a library defines it, for source code",
               "convention": "the calling convention: caller and callee agree on it; neither "
                             "the kernel nor a process VM ever sees it",
               "file format": "the file format: compiler, linker and loader agree on it; the "
                              "loader (the kernel's exec, or a process VM's) reads it before "
                              "the program runs, and the running program never asks for it"}
        return "\n".join(
            f"  {self.letter(k)} {a}: "
            + why["file format" if "ELF" in INTERFACE_ITEMS[i][0] else a]
            for k, (i, a) in enumerate(zip(p["items"], answer)))

    def diagnose(self, p, given):
        if not isinstance(given, list) or len(given) != len(p["items"]):
            return []
        hints = []
        for k, (g, a) in enumerate(zip(given, self.solve(p))):
            if a == "convention" and g == "ABI":
                hints.append(f"Item {chr(ord('a') + k)}): does a running program ask the "
                             "kernel for it at an ecall? Only the system calls do.")
            elif a == "ABI" and g == "API":
                hints.append(f"Item {chr(ord('a') + k)}): it is defined by numbers and "
                             "registers at the ecall, not by a function in source.")
        return hints

    def wrong_answers(self, p, answer):
        return [["ABI" if a == "convention" else a for a in answer],
                ["ISA"] * len(answer), answer[:-1]]
