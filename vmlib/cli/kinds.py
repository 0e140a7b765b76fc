"""Which command a RISC-V ELF is for: ``boot`` (a bare-metal program) or ``run`` (Linux).

The two kinds look alike -- both static RV32 executables, usually with the same OSABI (System
V) and no interpreter -- but they are linked for different memories: a bare-metal program for
the machine's RAM at 0x80000000, where reset starts it, a Linux program for user addresses
(from 0x10000 up, far below the kernel). So the addresses tell them apart. Given the other
kind, ``boot`` and ``run`` fail to load it with a reason about addresses that does not say what
to do; ``misfit`` says which command fits instead.
"""

import shlex

from ..machine.bus import RAM_BASE
from ..machine.loader import ElfError, parse_elf
from ..procvm.memory import MIN_ADDR, MMAP_BASE

#: command -> (the kind of program it runs, where such a program is linked)
KINDS = {'boot': ('bare-metal', "in the machine's RAM"),
         'run': ('Linux', 'a user address')}


def command_for(program):
    """``'boot'`` for a bare-metal program (a ``LoadedProgram``), ``'run'`` for a Linux one,
    None when its addresses fit neither (the loader then says why it cannot load it)."""
    spans = [(address, address + memsz) for address, _, memsz in program.segments]

    def within(low, high):
        return low <= program.entry < high and all(low <= a and b <= high for a, b in spans)
    if within(RAM_BASE, 1 << 32):
        return 'boot'
    if within(MIN_ADDR, MMAP_BASE):
        return 'run'
    return None


def misfit(path, command):
    """A one-line reason when the file at ``path`` is a program for the other command than
    ``command``; None when it is not, or is no ELF this machine reads (the loader's reason
    then stands)."""
    try:
        with open(path, 'rb') as f:
            program = parse_elf(f.read())
    except (OSError, ElfError):
        return None
    fits = command_for(program)
    if fits is None or fits == command:
        return None
    kind, where = KINDS[fits]
    lowest = min(address for address, _, _ in program.segments)
    return (f'{path} is a {kind} program (linked at 0x{lowest:08x}, {where}), not a '
            f'{KINDS[command][0]} one; {fits} it with: python -m vmlib {fits} '
            f'{shlex.quote(str(path))}')
