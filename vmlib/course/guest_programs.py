"""The committed guest programs: the static RISC-V Linux ELFs in ``guests/`` that the chapters
run (built from ``guests/src`` by ``guests/build.py``).

Chapter 04 follows them instruction by instruction, chapter 05 runs them in the process VM and
compares with the recordings in ``guests/expected``, chapter 08 measures one. Finding them is
not any one chapter's subject, so it lives here, below the chapters: chapter 05 no longer has
to import chapter 04 for it (chapter 04 uses chapter 05's ``run_guest``, so that made a circle).
"""
from __future__ import annotations

from pathlib import Path

__all__ = ['GUESTS', 'guest']

#: the folder of committed guest programs, at the top of the repository
GUESTS = Path(__file__).resolve().parents[2] / 'guests'


def guest(name: str) -> Path:
    """The committed ELF ``guests/NAME.elf``."""
    path = GUESTS / f'{name}.elf'
    if not path.is_file():
        raise FileNotFoundError(f'no guest program {name!r} (looked for {path})')
    return path
