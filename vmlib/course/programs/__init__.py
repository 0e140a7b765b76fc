"""Assembly programs the chapters run, kept as readable ``.s`` files next to this module.

They are plain GNU-syntax sources: vmlib's assembler builds them at run time, and
``riscv64-unknown-elf-as`` builds the same files (the tests use that to cross-check).

    >>> from vmlib.course import programs
    >>> programs.names()
    ['tour.s']
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

GNU_AS = 'riscv64-unknown-elf-as'
GNU_LD = 'riscv64-unknown-elf-ld'


def names() -> list[str]:
    """The programs available, by file name."""
    return sorted(p.name for p in HERE.glob('*.s'))


def path(name: str) -> Path:
    """The file of program ``name`` (``'tour.s'`` or ``'tour'``)."""
    if not name.endswith('.s'):
        name += '.s'
    p = HERE / name
    if not p.is_file():
        raise FileNotFoundError(f'no program {name!r}; there are: {", ".join(names())}')
    return p


def source(name: str) -> str:
    """The text of program ``name``."""
    return path(name).read_text()


def machine(name: str, **kw):
    """A :class:`vmlib.machine.Machine` with program ``name`` assembled (by vmlib) and loaded."""
    from ...machine import Machine
    return Machine.from_source(source(name), filename=path(name).name, **kw)


def gnu_available() -> bool:
    return shutil.which(GNU_AS) is not None and shutil.which(GNU_LD) is not None


def gnu_elf(name: str) -> bytes:
    """Program ``name`` built with GNU binutils (``.text`` at 0x80000000, no relaxation),
    as ELF bytes. For cross-checking vmlib's assembler; needs binutils-riscv64-unknown-elf."""
    if not gnu_available():
        raise FileNotFoundError(f'{GNU_AS} / {GNU_LD} not found (Debian: binutils-riscv64-unknown-elf)')
    with tempfile.TemporaryDirectory() as tmp:
        obj, elf = Path(tmp) / 'prog.o', Path(tmp) / 'prog.elf'
        subprocess.run([GNU_AS, '-march=rv32ima_zicsr', '-mabi=ilp32', str(path(name)),
                        '-o', str(obj)], check=True, capture_output=True)
        subprocess.run([GNU_LD, '-m', 'elf32lriscv', '--no-relax', '-Ttext=0x80000000',
                        str(obj), '-o', str(elf)], check=True, capture_output=True)
        return elf.read_bytes()
