"""What the assembler returns: a linked program, ready to load, list or write as ELF.

The assembler links as it assembles (the course's default link: ``.text`` at the base,
then ``.data``, ``.rodata``, ``.bss``), so a ``Program`` holds final addresses and bytes; there
are no relocations left. The machine can load it directly (``sections`` or ``image()``), a
notebook can show it (``listing()``), and ``to_elf()`` writes the same bytes as a static ELF
for QEMU, objdump and ``python -m vmlib boot``.
"""

from typing import NamedTuple

from .elf import write_elf
from .sections import SECTION_KINDS


class Section(NamedTuple):
    """One placed section: its name, start address and contents (zeros for ``.bss``)."""

    name: str
    address: int
    data: bytes

    @property
    def bytes(self):
        """The contents (an alias of ``data``)."""
        return self.data

    @property
    def size(self):
        return len(self.data)

    @property
    def end(self):
        return self.address + len(self.data)

    @property
    def executable(self):
        return SECTION_KINDS[self.name]['executable']

    @property
    def writable(self):
        return SECTION_KINDS[self.name]['writable']

    @property
    def nobits(self):
        """True for ``.bss``: memory to clear, no bytes in the file."""
        return SECTION_KINDS[self.name]['nobits']


class Program:
    """An assembled and linked program.

    ``sections``: the non-empty sections in address order; ``symbols``: label name -> address
    (numeric local labels left out); ``constants``: ``.equ``/``.set`` name -> value;
    ``globals``: the names made global with ``.globl``; ``entry``: ``_start`` if defined, else
    the start of ``.text``; ``line_map``: address -> source line, for every instruction word
    and the start of every data directive.
    """

    def __init__(self, sections, symbols, constants, globals_, entry, line_map, records,
                 filename, source, alignments=None):
        self.sections = sections
        self.symbols = symbols
        self.constants = constants
        self.globals = globals_
        self.entry = entry
        self.line_map = line_map
        self.filename = filename
        self.source = source
        self.alignments = alignments or {}
        self._records = records           # [(address, size, line, is_code)] in address order

    def section(self, name):
        """The section called ``name``, or None when it is empty."""
        for s in self.sections:
            if s.name == name:
                return s
        return None

    @property
    def base(self):
        """The lowest address the program occupies."""
        return min((s.address for s in self.sections), default=self.entry)

    def image(self):
        """The program as one flat block of bytes from its lowest address (gaps and .bss zero)."""
        if not self.sections:
            return b''
        base = self.base
        out = bytearray(max(s.end for s in self.sections) - base)
        for s in self.sections:
            out[s.address - base:s.end - base] = s.data
        return bytes(out)

    def to_elf(self):
        """The program as a static ELF32 RISC-V executable (bytes)."""
        return write_elf(self)

    def symbol_names(self):
        """address -> label (the first name in sorted order wins), for disassembly."""
        names = {}
        for name, address in sorted(self.symbols.items(), key=lambda kv: (kv[1], kv[0])):
            names.setdefault(address, name)
        return names

    def listing(self):
        """An assembler listing: address, bytes or instruction word, disassembly, source line."""
        from ..isa import disassemble
        lines = self.source.splitlines()
        names = self.symbol_names()
        data = {s.name: s for s in self.sections}
        out = []
        for address, size, line, is_code in self._records:
            section = next((s for s in data.values() if s.address <= address < s.end), None)
            if section is None:
                continue
            if address in names:
                out.append(f'{address:08x} <{names[address]}>:')
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ''
            chunk = section.data[address - section.address:address - section.address + size]
            if is_code:
                for i in range(0, size, 4):
                    word = int.from_bytes(chunk[i:i + 4], 'little')
                    out.append(f'{address + i:08x}:  {word:08x}  '
                               f'{disassemble(word, address + i, names):<32} '
                               f'{line:>4}  {text if i == 0 else ""}'.rstrip())
            else:
                shown = chunk[:8].hex(' ') + (' ...' if size > 8 else '')
                out.append(f'{address:08x}:  {shown:<42} {line:>4}  {text}'.rstrip())
        return '\n'.join(out)

    def __repr__(self):
        parts = ', '.join(f'{s.name}@0x{s.address:08x}+{s.size}' for s in self.sections)
        return f'<Program {self.filename}: {parts}; entry 0x{self.entry:08x}>'
