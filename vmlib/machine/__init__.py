"""The course computer: an RV32IMA + Zicsr hart with M/S/U modes and Sv32, on a QEMU-virt map."""

from .engines import Engine
from .exit import Exit
from .hart import ENGINES
from .machine import Machine, RunResult, DEFAULT_MAX_STEPS
from .loader import ElfError, parse_elf
from .traps import Trap, cause_name
from . import trace

__all__ = ['Machine', 'RunResult', 'DEFAULT_MAX_STEPS', 'ElfError', 'parse_elf', 'Trap',
           'cause_name', 'trace', 'Engine', 'ENGINES', 'Exit']
