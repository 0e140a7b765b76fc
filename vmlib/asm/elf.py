"""The ELF writer: a linked ``Program`` as a static ELF32 RISC-V executable.

What is written, and why:

- an ELF header for ``ET_EXEC``, ``EM_RISCV`` (243), little-endian, 32-bit, with ``e_flags``
  0 (no compressed instructions, soft-float ABI), entry at ``Program.entry``;
- one ``PT_LOAD`` program header per non-empty section, with the section's permissions
  (``.text`` R+X, ``.data`` R+W, ``.rodata`` R, ``.bss`` R+W with a file size of 0 and a memory
  size of its length), so a loader (QEMU, vmlib, a kernel) needs nothing else;
- section headers with ``.symtab``/``.strtab`` holding every label, local and global, so that
  ``objdump -d`` and vmlib's disassembler show names (and a test harness finds ``tohost``);
  as GNU ``as`` does, ``.L`` labels stay out of the symbol table.

File offsets are congruent to addresses modulo the 4 KiB page (``p_align``), as the ELF
specification asks of loadable segments; segments share file pages, so the file stays small.
"""

import struct

from .sections import SECTION_KINDS

EM_RISCV = 243
ET_EXEC = 2
PT_LOAD = 1
PF_X, PF_W, PF_R = 1, 2, 4
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS = 1, 2, 3, 8
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 1, 2, 4
STB_LOCAL, STB_GLOBAL = 0, 1
STT_NOTYPE, STT_SECTION = 0, 3
SHN_ABS = 0xFFF1
PAGE = 0x1000

EHDR = struct.Struct('<16sHHIIIIIHHHHHH')   # 52 bytes
PHDR = struct.Struct('<IIIIIIII')           # 32 bytes
SHDR = struct.Struct('<IIIIIIIIII')         # 40 bytes
SYM = struct.Struct('<IIIBBH')              # 16 bytes


class _Strings:
    """A string table being built: offset of each name, first byte NUL."""

    def __init__(self):
        self.data, self.offsets = bytearray(b'\0'), {}

    def add(self, name):
        if name not in self.offsets:
            self.offsets[name] = len(self.data)
            self.data += name.encode('utf-8') + b'\0'
        return self.offsets[name]


def _flags(name):
    kind = SECTION_KINDS[name]
    section = SHF_ALLOC | (SHF_EXECINSTR if kind['executable'] else 0) \
        | (SHF_WRITE if kind['writable'] else 0)
    segment = PF_R | (PF_X if kind['executable'] else 0) | (PF_W if kind['writable'] else 0)
    return section, segment


def write_elf(program):
    """The bytes of a static ELF32 executable holding ``program``."""
    sections = sorted(program.sections, key=lambda s: s.address)
    shstr, strtab = _Strings(), _Strings()

    # file layout: headers, then each section's bytes at an offset congruent to its address
    phnum = len(sections)
    offset = EHDR.size + PHDR.size * phnum
    placed = []
    for s in sections:
        offset += (s.address - offset) % PAGE
        placed.append((s, offset))
        if not s.nobits:
            offset += s.size
    body = bytearray(offset)
    for s, off in placed:
        if not s.nobits:
            body[off:off + s.size] = s.data

    # section header indexes: 0 null, then the program's sections, then the tables
    index = {s.name: i + 1 for i, s in enumerate(sections)}

    # symbols: the null symbol, a section symbol per section, locals, then globals
    symbols = [SYM.pack(0, 0, 0, 0, 0, 0)]
    for s in sections:
        symbols.append(SYM.pack(0, s.address, 0, STB_LOCAL << 4 | STT_SECTION, 0, index[s.name]))

    def shndx(address):
        for s in sections:
            if s.address <= address < s.end or (address == s.end and not s.size):
                return index[s.name]
        for s in sections:              # a label just past the end of a section
            if address == s.end:
                return index[s.name]
        return SHN_ABS

    named = sorted((a, n) for n, a in program.symbols.items() if not n.startswith('.L'))
    local = [(a, n) for a, n in named if n not in program.globals]
    global_ = [(a, n) for a, n in named if n in program.globals]
    for binding, group in ((STB_LOCAL, local), (STB_GLOBAL, global_)):
        for address, name in group:
            symbols.append(SYM.pack(strtab.add(name), address, 0, binding << 4 | STT_NOTYPE, 0,
                                    shndx(address)))
    first_global = len(symbols) - len(global_)

    def table(data, align):
        nonlocal body
        body += bytes(-len(body) % align)
        start = len(body)
        body += data
        return start

    symtab_offset = table(b''.join(symbols), 4)
    strtab_offset = table(bytes(strtab.data), 1)
    headers = [SHDR.pack(*[0] * 10)]
    for s, off in placed:
        flags, _ = _flags(s.name)
        kind = SHT_NOBITS if s.nobits else SHT_PROGBITS
        headers.append(SHDR.pack(shstr.add(s.name), kind, flags, s.address, off, s.size, 0, 0,
                                 program.alignments.get(s.name, 4), 0))
    symtab_index = len(headers)
    headers.append(SHDR.pack(shstr.add('.symtab'), SHT_SYMTAB, 0, 0, symtab_offset,
                             len(symbols) * SYM.size, symtab_index + 1, first_global, 4,
                             SYM.size))
    headers.append(SHDR.pack(shstr.add('.strtab'), SHT_STRTAB, 0, 0, strtab_offset,
                             len(strtab.data), 0, 0, 1, 0))
    shstrndx = len(headers)
    name = shstr.add('.shstrtab')
    shstrtab_offset = table(bytes(shstr.data), 1)
    headers.append(SHDR.pack(name, SHT_STRTAB, 0, 0, shstrtab_offset, len(shstr.data), 0, 0,
                             1, 0))
    shoff = table(b''.join(headers), 4)

    ident = b'\x7fELF' + bytes([1, 1, 1, 0]) + bytes(8)     # 32-bit, little-endian, SYSV
    header = EHDR.pack(ident, ET_EXEC, EM_RISCV, 1, program.entry, EHDR.size, shoff, 0,
                       EHDR.size, PHDR.size, phnum, SHDR.size, len(headers), shstrndx)
    phdrs = b''
    for s, off in placed:
        _, perms = _flags(s.name)
        filesz = 0 if s.nobits else s.size
        phdrs += PHDR.pack(PT_LOAD, off, s.address, s.address, filesz, s.size, perms, PAGE)
    body[:len(header) + len(phdrs)] = header + phdrs
    return bytes(body)
