"""Directives: sections, symbols, data and alignment, as GNU ``as`` reads them for RISC-V.

Every directive is sized in pass 1. Counts and alignments must therefore be known when the
directive is read (``.space N`` with ``N`` a number or an earlier ``.equ``); data values may
use labels defined anywhere (``.word later``), they are evaluated in pass 2.

Sections: the output has ``.text``, ``.data``, ``.rodata`` and ``.bss``. Other names are mapped
by their prefix (``.text.init`` -> ``.text``, ``.rodata.str1.1`` -> ``.rodata``, ``.sdata`` ->
``.data``, ``.sbss`` -> ``.bss``) or else by their flags (``"ax"`` code, ``"aw"`` data,
``"a"`` read-only); a section without the ``a`` (allocate) flag, such as GCC's
``.note.GNU-stack``, is assembled and then left out of the program.

Directives that describe things this machine has no use for (``.option``, ``.attribute``,
``.type``, ``.size``, ``.file``, ``.ident``, ``.cfi_*`` ...) are accepted and ignored, so that
compiler output assembles; any other unknown directive is an error, because silently skipping
one would change the program.
"""

from .errors import error_at
from .instructions import suggest
from .operands import read_expression, split_operands
from .sections import MAX_SECTION_SIZE, SECTION_ORDER

IGNORED = {'.option', '.attribute', '.type', '.size', '.file', '.ident', '.loc', '.local',
           '.hidden', '.protected', '.internal', '.addrsig', '.addrsig_sym', '.variant_cc',
           '.func', '.endfunc'}


def map_section(name, flags=None, nobits=False):
    """The output section that a ``.section NAME, "flags"`` goes to."""
    for std in SECTION_ORDER:
        if name == std or name.startswith(std + '.'):
            return std
    for prefixes, std in ((('.sdata', '.tdata', '.data'), '.data'),
                          (('.srodata',), '.rodata'), (('.sbss', '.tbss'), '.bss'),
                          (('.init', '.fini', '.text'), '.text')):
        if name.startswith(prefixes):
            return std
    if flags is not None:
        if 'a' not in flags:
            return '.discard'
        if 'x' in flags:
            return '.text'
        if 'w' in flags:
            return '.bss' if nobits else '.data'
        return '.rodata'
    return '.data'


def riscv_nops(count):
    """Code padding as GNU as writes it without relaxation: a zero byte to reach an even
    address, at most one 2-byte ``c.nop`` (0x0001), then 4-byte ``nop``s."""
    out = bytearray()
    if count % 2:
        out.append(0)
    if (count - len(out)) % 4 == 2:
        out += b'\x01\x00'
    out += b'\x13\x00\x00\x00' * ((count - len(out)) // 4)
    return bytes(out)


class Data:
    """Bytes known in pass 1 (``content`` is a bytes object or a callable making one)."""

    def __init__(self, size, content):
        self.size, self.content = size, content

    def emit(self, asm, pc):
        return self.content() if callable(self.content) else self.content


class Computed:
    """``size`` bytes that ``fn(asm, pc)`` computes in pass 2."""

    def __init__(self, size, fn):
        self.size, self.fn = size, fn

    def emit(self, asm, pc):
        return self.fn(asm, pc)


def _int_data(width):
    lo, hi, mask = -(1 << (8 * width - 1)), (1 << (8 * width)) - 1, (1 << (8 * width)) - 1

    def handler(self, tok, rest):
        ops = [read_expression(t, self.resolve_local) for t in split_operands(rest)]

        def emit(asm, pc):
            out = bytearray()
            for i, op in enumerate(ops):
                value = asm.value(op.value, pc + width * i)
                if not lo <= value <= hi:
                    raise error_at(op.tok, f'value {value} does not fit in {tok.text} '
                                           f'({width} byte{"s" if width > 1 else ""}: '
                                           f'{lo}..{hi})')
                out += (value & mask).to_bytes(width, 'little')
            return bytes(out)
        self.add(Computed(width * len(ops), emit), tok)
    return handler


def _string_data(terminate):
    def handler(self, tok, rest):
        ops = split_operands(rest)
        if not ops:
            raise error_at(rest[0], 'expected a string in double quotes, found end of line')
        out = b''
        for toks in ops:
            if toks[0].kind != 'str':
                raise error_at(toks[0], 'expected a string in double quotes, '
                                        f'found {toks[0].describe()}')
            if toks[1].kind != 'eol':
                raise error_at(toks[1], f'unexpected {toks[1].describe()} after the string')
            out += toks[0].value + (b'\0' if terminate else b'')
        self.add(Data(len(out), out), tok)
    return handler


def _align(power_of_two):
    def handler(self, tok, rest):
        ops = self.operands(tok, rest, 1, 3, f'{tok.text} alignment[, fill[, max]]',
                            allow_empty=True)
        n = self.constant1(read_expression(ops[0], self.resolve_local), 'the alignment')
        if power_of_two:
            if not 0 <= n <= 31:
                raise error_at(ops[0][0], f'alignment exponent {n} out of range 0..31')
            align = 1 << n
        else:
            if n <= 0 or n & (n - 1) or n > 1 << 31:
                raise error_at(ops[0][0], f'alignment {n} is not a power of two')
            align = n
        fill = maxskip = None
        if len(ops) > 1 and ops[1][0].kind != 'eol':
            fill = self.constant1(read_expression(ops[1], self.resolve_local), 'the fill')
            if not -128 <= fill <= 255:
                raise error_at(ops[1][0], f'fill value {fill} does not fit in a byte')
        if len(ops) > 2:
            maxskip = self.constant1(read_expression(ops[2], self.resolve_local),
                                     'the maximum skip')
        sec = self.sec
        pad = -sec.size % align
        if maxskip is not None and pad > maxskip:
            return
        sec.align = max(sec.align, align)
        if fill is None and sec.name == '.text':
            self.add(Data(pad, lambda: riscv_nops(pad)), tok)
        else:
            self.add(Data(pad, lambda: bytes([(fill or 0) & 0xFF]) * pad), tok)
    return handler


class Directives:
    """The directive half of the assembler (mixed into ``Assembler``)."""

    def directive(self, tok, rest):
        name = tok.text.lower()
        handler = DIRECTIVES.get(name)
        if handler is not None:
            return handler(self, tok, rest)
        if name == '.option':
            for i, t in enumerate(rest[:-1]):
                if t.text.lower() == 'rvc' or (t.text == '+' and rest[i + 1].text.lower() == 'c'
                                               and rest[i + 2].kind == 'eol'):
                    raise error_at(t, 'compressed instructions (RVC) are not part of this '
                                      'machine (RV32IMA); remove this .option')
            return
        if name in IGNORED or name.startswith('.cfi_'):
            return
        raise error_at(tok, f'unknown directive {tok.text!r}'
                            + suggest(name, sorted(DIRECTIVES) + sorted(IGNORED)))

    def operands(self, tok, rest, lo, hi, usage, allow_empty=False):
        """Split a directive's operands and check how many there are."""
        ops = split_operands(rest)
        if len(ops) < lo:
            raise error_at(ops[-1][-1] if ops else rest[0], f'missing operand: expected {usage}')
        if len(ops) > hi:
            raise error_at(ops[hi][0], f'too many operands: expected {usage}')
        for toks in ops[:1] if allow_empty else ops:
            if toks[0].kind == 'eol':
                raise error_at(toks[0], f'expected an operand, found {toks[0].describe()}')
        return ops

    # sections

    def switch(self, name):
        self.previous, self.sec = self.sec, self.sections[name]

    def d_standard_section(self, tok, rest):
        if rest[0].kind != 'eol':
            raise error_at(rest[0], f'{tok.text} takes no operands (subsections are not '
                                    'supported)')
        self.switch(tok.text.lower())

    def d_section(self, tok, rest):
        ops = split_operands(rest)
        if not ops or ops[0][0].kind not in ('name', 'str'):
            where = ops[0][0] if ops else rest[0]
            raise error_at(where, f'expected a section name, found {where.describe()}')
        first = ops[0][0]
        if first.kind == 'str':
            name = first.value.decode('utf-8', 'replace')
        else:       # names such as .note.GNU-stack are split by the lexer; join them back
            name = ''.join(t.text for t in ops[0][:-1])
        flags = None
        if len(ops) > 1 and ops[1][0].kind == 'str':
            flags = ops[1][0].value.decode('utf-8', 'replace')
        nobits = any(t.text == 'nobits' for toks in ops[1:] for t in toks)
        self.switch(map_section(name, flags, nobits))

    def d_pushsection(self, tok, rest):
        self.section_stack.append((self.sec, self.previous))
        self.d_section(tok, rest)

    def d_popsection(self, tok, rest):
        if not self.section_stack:
            raise error_at(tok, '.popsection without a .pushsection before it')
        self.sec, self.previous = self.section_stack.pop()

    def d_previous(self, tok, rest):
        self.sec, self.previous = self.previous, self.sec

    # symbols

    def d_globl(self, tok, rest):
        for toks in self.operands(tok, rest, 1, 1 << 30, f'{tok.text} name[, name...]'):
            if toks[0].kind != 'name' or toks[1].kind != 'eol':
                raise error_at(toks[0], f'expected a symbol name, found {toks[0].describe()}')
            self.global_names.setdefault(toks[0].text, toks[0])

    def d_equ(self, tok, rest):
        ops = self.operands(tok, rest, 2, 2, f'{tok.text} name, value')
        name = ops[0][0]
        if name.kind != 'name' or ops[0][1].kind != 'eol':
            raise error_at(name, f'expected a symbol name, found {name.describe()}')
        self.assign(name, ops[1], rest, tok.text.lower())

    def d_end(self, tok, rest):
        self.ended = True

    # data

    def d_space(self, tok, rest):
        hi = 1 if tok.text.lower() == '.zero' else 2
        ops = self.operands(tok, rest, 1, hi, f'{tok.text} size' + (', fill' if hi == 2 else ''))
        n = self.constant1(read_expression(ops[0], self.resolve_local), 'the size')
        if n < 0:
            raise error_at(ops[0][0], f'size {n} is negative')
        fill = 0
        if len(ops) == 2:
            fill = self.constant1(read_expression(ops[1], self.resolve_local), 'the fill')
            if not -128 <= fill <= 255:
                raise error_at(ops[1][0], f'fill value {fill} does not fit in a byte')
        self.check_room(tok, n)
        self.add(Data(n, lambda: bytes([fill & 0xFF]) * n), tok)

    def d_fill(self, tok, rest):
        ops = self.operands(tok, rest, 1, 3, '.fill repeat[, size[, value]]')
        repeat = self.constant1(read_expression(ops[0], self.resolve_local), 'the repeat count')
        size = 1
        if len(ops) > 1:
            size = self.constant1(read_expression(ops[1], self.resolve_local), 'the size')
        if repeat < 0 or not 0 <= size <= 8:
            raise error_at(ops[0][0] if repeat < 0 else ops[1][0],
                           '.fill needs repeat >= 0 and a size of 0..8 bytes')
        self.check_room(tok, repeat * size)
        value = read_expression(ops[2], self.resolve_local) if len(ops) > 2 else None

        def emit(asm, pc):
            v = 0 if value is None else asm.value(value.value, pc)
            return (v & ((1 << (8 * size)) - 1)).to_bytes(size, 'little') * repeat
        self.add(Computed(repeat * size, emit), tok)

    def d_org(self, tok, rest):
        ops = self.operands(tok, rest, 1, 2, '.org offset[, fill]')
        op = read_expression(ops[0], self.resolve_local)
        target = self.value1(op.value)
        if hasattr(target, 'section'):
            if target.section != self.sec.name:
                raise error_at(op.tok, '.org must stay in the current section')
            target = target.offset
        if not isinstance(target, int):
            raise error_at(op.tok, 'the .org offset must be known at this point')
        if target < self.sec.size:
            raise error_at(op.tok, f'.org cannot move back (from offset {self.sec.size} '
                                   f'to {target})')
        fill = 0
        if len(ops) > 1:
            fill = self.constant1(read_expression(ops[1], self.resolve_local), 'the fill')
        n = target - self.sec.size
        self.check_room(tok, n)
        self.add(Data(n, lambda: bytes([fill & 0xFF]) * n), tok)

    def check_room(self, tok, n):
        if self.sec.size + n > MAX_SECTION_SIZE:
            raise error_at(tok, f'section {self.sec.name} grows beyond '
                                f'{MAX_SECTION_SIZE >> 20} MiB')


DIRECTIVES = {
    '.text': Directives.d_standard_section, '.data': Directives.d_standard_section,
    '.rodata': Directives.d_standard_section, '.bss': Directives.d_standard_section,
    '.section': Directives.d_section, '.pushsection': Directives.d_pushsection,
    '.popsection': Directives.d_popsection, '.previous': Directives.d_previous,
    '.globl': Directives.d_globl, '.global': Directives.d_globl, '.weak': Directives.d_globl,
    '.equ': Directives.d_equ, '.set': Directives.d_equ, '.equiv': Directives.d_equ,
    '.byte': _int_data(1), '.half': _int_data(2), '.short': _int_data(2),
    '.2byte': _int_data(2), '.word': _int_data(4), '.long': _int_data(4),
    '.int': _int_data(4), '.4byte': _int_data(4), '.dword': _int_data(8),
    '.quad': _int_data(8), '.8byte': _int_data(8),
    '.ascii': _string_data(False), '.asciz': _string_data(True), '.string': _string_data(True),
    '.space': Directives.d_space, '.skip': Directives.d_space, '.zero': Directives.d_space,
    '.fill': Directives.d_fill, '.org': Directives.d_org,
    '.align': _align(True), '.p2align': _align(True), '.balign': _align(False),
    '.end': Directives.d_end,
}
