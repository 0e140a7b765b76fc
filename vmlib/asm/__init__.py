"""The assembler: GNU-syntax RISC-V assembly (RV32IMA + Zicsr) to a linked program or ELF.

    >>> from vmlib.asm import assemble
    >>> prog = assemble('''
    ...     .globl _start
    ... _start:
    ...     li   a0, 42
    ...     j    _start
    ... ''')
    >>> hex(prog.entry), prog.section('.text').data.hex()
    ('0x80000000', '1305a0026ff0dfff')

Instruction encodings come from the decode table (``vmlib.isa``), the same one the decoder
and disassembler read; this package adds the syntax, the pseudo-instructions, the directives,
the default link (COURSE.md section 2) and an ELF writer.
"""

from .assembler import DEFAULT_BASE, assemble, assemble_file
from .errors import AsmError
from .program import Program, Section

__all__ = ['assemble', 'assemble_file', 'AsmError', 'Program', 'Section', 'DEFAULT_BASE']
