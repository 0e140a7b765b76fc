"""Loading programs: static RV32 ELF executables (with pyelftools) and raw images.

A broken ELF is refused with ``ElfError`` and a one-line reason a person can act on —
never a traceback from deep inside the parser.
"""

import io

from elftools.elf.elffile import ELFFile

EM_RISCV = 243


class ElfError(ValueError):
    """A file that cannot be loaded, with the reason in one line."""


class LoadedProgram:
    """What a loader found: segments to place, the entry point, and the symbols."""

    def __init__(self, entry, segments, symbols):
        self.entry = entry
        self.segments = segments            # [(physical address, bytes, memsz)]
        self.symbols = symbols              # name -> address

    def symbol_names(self):
        """address -> name, for disassembly listings (first name wins)."""
        names = {}
        for name, addr in sorted(self.symbols.items()):
            names.setdefault(addr, name)
        return names


def parse_elf(data, what='file'):
    """Check and read a static RV32 RISC-V executable; raise ElfError with the reason."""
    if len(data) < 4 or data[:4] != b'\x7fELF':
        raise ElfError(f'{what}: not an ELF file (bad magic number)')
    if len(data) < 52:
        raise ElfError(f'{what}: truncated ELF header ({len(data)} bytes)')
    if data[4] == 2:
        raise ElfError(f'{what}: 64-bit ELF; this machine runs RV32 (ELFCLASS32) programs')
    if data[4] != 1:
        raise ElfError(f'{what}: unknown ELF class {data[4]}')
    if data[5] != 1:
        raise ElfError(f'{what}: big-endian ELF; RISC-V is little-endian')
    try:
        elf = ELFFile(io.BytesIO(data))
        if elf['e_machine'] != 'EM_RISCV':
            raise ElfError(f"{what}: built for {elf['e_machine']}, not RISC-V (EM_RISCV)")
        if elf['e_type'] != 'ET_EXEC':
            raise ElfError(f"{what}: {elf['e_type']} is not a static executable (ET_EXEC)")
        segments = []
        shift = None                        # virtual - physical, when paddr 0 means "unset"
        for seg in elf.iter_segments():
            kind = seg['p_type']
            if kind in ('PT_INTERP', 'PT_DYNAMIC'):
                raise ElfError(f'{what}: dynamically linked ({kind}); '
                               'only static executables run here')
            if kind != 'PT_LOAD' or seg['p_memsz'] == 0:
                continue
            if seg['p_offset'] + seg['p_filesz'] > len(data):
                raise ElfError(f'{what}: truncated (a segment ends at byte '
                               f"{seg['p_offset'] + seg['p_filesz']} of {len(data)})")
            if seg['p_filesz'] > seg['p_memsz']:
                raise ElfError(f'{what}: corrupt segment (file size larger than memory size)')
            content = seg.data()
            if seg['p_offset'] == 0:
                # the segment maps the ELF and program headers too (GNU ld does this): they
                # are not part of the program, so they count as padding
                headers = elf['e_phoff'] + elf['e_phnum'] * elf['e_phentsize']
                content = bytes(min(headers, len(content))) + content[headers:]
            if shift is None:
                # A Linux vmlinux has physical addresses relative to where it is loaded (its
                # linker script's AT(ADDR - LOAD_OFFSET): 0 for the first segment); a no-MMU
                # kernel runs where it is linked, so its virtual addresses are where it goes.
                # (QEMU 7.2 loads at p_paddr and refuses it; it boots the kernel's Image.)
                shift = seg['p_vaddr'] - seg['p_paddr'] if seg['p_paddr'] == 0 else 0
            segments.append((seg['p_paddr'] + shift, content, seg['p_memsz']))
        if not segments:
            raise ElfError(f'{what}: no loadable segment')
        symbols = {}
        symtab = elf.get_section_by_name('.symtab')
        if symtab is not None and hasattr(symtab, 'iter_symbols'):
            for sym in symtab.iter_symbols():
                # labels only: not constants (SHN_ABS, from .equ) and not the assembler's
                # mapping symbols ($x..., $d)
                if (sym.name and not sym.name.startswith('$')
                        and sym['st_info']['type'] in ('STT_NOTYPE', 'STT_FUNC', 'STT_OBJECT')
                        and sym['st_shndx'] not in ('SHN_UNDEF', 'SHN_ABS')):
                    symbols.setdefault(sym.name, sym['st_value'])
        return LoadedProgram(elf['e_entry'], segments, symbols)
    except ElfError:
        raise
    except Exception as e:      # pyelftools fails in many ways on a damaged file
        raise ElfError(f'{what}: corrupt or truncated ELF ({type(e).__name__}: '
                       f'{str(e).splitlines()[0] if str(e) else "unreadable"})') from None


def raw_image(data, base=0x8000_0000):
    """A flat binary: loaded at ``base``, which is also the entry point."""
    return LoadedProgram(base, [(base, bytes(data), len(data))], {})
