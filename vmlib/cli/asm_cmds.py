"""``python -m vmlib asm`` and ``python -m vmlib disasm``: the assembler and disassembler.

    asm FILE.s [-o FILE.elf] [--base ADDR] [--listing]
        like ``riscv64-unknown-elf-as`` + ``ld``: assemble, link at 0x80000000 (or ADDR) and
        write a static ELF. Assembly errors print ``file:line:col: error: ...`` on stderr, a
        line for each (up to 20), and exit with status 1; no ELF is written.

    disasm FILE.elf
        like ``objdump -d``: every executable section, one ``address:  word  instruction``
        line per word, with ``<symbol>:`` headers. A file that is not a static RV32 ELF is
        refused with a one-line reason on stderr and exit status 2.
"""

import os
import sys

from .options import add_assembler_options, address, assembler_options

EXIT_ASM_ERROR = 1
EXIT_BAD_ELF = 2


def add_parsers(subparsers):
    """Register the ``asm`` and ``disasm`` subcommands on an argparse subparsers object."""
    p = subparsers.add_parser('asm', help='assemble a .s file into a RISC-V ELF executable',
                              description='Assemble GNU-syntax RV32IMA+Zicsr assembly and '
                                          'link it into a static ELF.')
    p.add_argument('source', metavar='FILE.s', help='assembly source')
    p.add_argument('-o', '--output', metavar='FILE.elf',
                   help='output ELF (default: the source name with .elf)')
    p.add_argument('--base', type=address, default=0x8000_0000, metavar='ADDR',
                   help='address of .text (default 0x80000000)')
    p.add_argument('-l', '--listing', action='store_true',
                   help='also print a listing (address, word, instruction, source line)')
    add_assembler_options(p)
    p.set_defaults(func=cmd_asm)

    d = subparsers.add_parser('disasm', help='disassemble a RISC-V ELF (like objdump -d)',
                              description='Disassemble the executable sections of an RV32 ELF.')
    d.add_argument('elf', metavar='FILE.elf', help='an RV32 ELF executable')
    d.set_defaults(func=cmd_disasm)


def cmd_asm(args):
    """Assemble ``args.source`` into ``args.output``; 0 on success, 1 on an assembly error."""
    from ..asm import AsmError, assemble_file
    output = args.output or os.path.splitext(args.source)[0] + '.elf'
    try:
        program = assemble_file(args.source, base=getattr(args, 'base', 0x8000_0000),
                                **assembler_options(args))
    except AsmError as e:
        print(str(e), file=sys.stderr)
        return EXIT_ASM_ERROR
    except (OSError, UnicodeError) as e:
        print(f'vmlib asm: cannot read {args.source}: {getattr(e, "strerror", None) or e}',
              file=sys.stderr)
        return EXIT_ASM_ERROR
    try:
        with open(output, 'wb') as f:
            f.write(program.to_elf())
    except OSError as e:
        print(f'vmlib asm: cannot write {output}: {e.strerror or e}', file=sys.stderr)
        return EXIT_ASM_ERROR
    if getattr(args, 'listing', False):
        print(program.listing())
    return 0


def disassemble_elf(data, what='file'):
    """The ``objdump -d``-style listing of an ELF's executable code, as a string.

    Raises ``vmlib.machine.loader.ElfError`` (a ValueError) with a one-line reason when
    ``data`` is not a static RV32 RISC-V executable.
    """
    import io

    from elftools.elf.elffile import ELFFile

    from ..isa import disassemble
    from ..machine.loader import ElfError, parse_elf

    loaded = parse_elf(data, what)              # checks magic, class, machine, type, segments
    names = loaded.symbol_names()
    try:
        elf = ELFFile(io.BytesIO(data))
        chunks = []                             # (title, address, bytes)
        for section in elf.iter_sections():
            if section['sh_flags'] & 0x4 and section['sh_type'] == 'SHT_PROGBITS':
                chunks.append((f'section {section.name}', section['sh_addr'], section.data()))
        if not chunks:                          # no section headers: the executable segments
            for seg in elf.iter_segments():
                if seg['p_type'] == 'PT_LOAD' and seg['p_flags'] & 1:
                    chunks.append((f'segment at 0x{seg["p_vaddr"]:x}', seg['p_vaddr'],
                                   seg.data()))
    except ElfError:
        raise
    except Exception as e:
        raise ElfError(f'{what}: corrupt or truncated ELF ({type(e).__name__})') from None
    out = [f'{what}:     file format elf32-littleriscv']
    for title, base, code in chunks:
        out += ['', '', f'Disassembly of {title}:']
        for offset in range(0, len(code) - len(code) % 4, 4):
            address = base + offset
            if address in names:
                out += ['', f'{address:08x} <{names[address]}>:']
            word = int.from_bytes(code[offset:offset + 4], 'little')
            out.append(f'{address:8x}:\t{word:08x}\t{disassemble(word, address, names)}')
        if len(code) % 4:
            address = base + len(code) - len(code) % 4
            tail = code[len(code) - len(code) % 4:]
            out.append(f'{address:8x}:\t{tail.hex():<8}\t.byte '
                       + ', '.join(f'0x{b:02x}' for b in tail))
    return '\n'.join(out)


def cmd_disasm(args):
    """Print the disassembly of ``args.elf``; 0 on success, 2 when the file is not usable."""
    from ..machine.loader import ElfError
    try:
        with open(args.elf, 'rb') as f:
            data = f.read()
    except OSError as e:
        print(f'vmlib disasm: cannot read {args.elf}: {e.strerror or e}', file=sys.stderr)
        return EXIT_BAD_ELF
    try:
        text = disassemble_elf(data, args.elf)
    except ElfError as e:
        print(f'vmlib disasm: {e}', file=sys.stderr)
        return EXIT_BAD_ELF
    print(text)
    return 0
