"""The RV32IMA + Zicsr instruction set: one decode table and what is derived from it."""

from .table import SPECS, BY_NAME, Spec
from .decode import decode, decode_for_execution, find_spec, Instruction
from .disasm import disassemble
from .regs import reg_name, reg_number
from .csrs import CSR_NUMBERS, CSR_NAMES, csr_name

__all__ = ['SPECS', 'BY_NAME', 'Spec', 'decode', 'decode_for_execution', 'find_spec',
           'Instruction', 'disassemble', 'reg_name', 'reg_number', 'CSR_NUMBERS', 'CSR_NAMES',
           'csr_name']
