"""The process VM: run a static RV32 Linux program on this computer, like ``qemu-riscv32``.

A tiny operating system written in Python on top of the course machine: the program runs in
U-mode with Sv32 paging on the machine's hart; system calls and faults come back to Python as
traps (see ``vm.py``). ``python -m vmlib run PROG.elf [ARGS...]`` is the command line.

    from vmlib.procvm import ProcessVM
    vm = ProcessVM('guests/hello.elf', ['hello'], capture=True, trace=True)
    result = vm.run()
    result.exit_status, vm.stdout, vm.trace[-1]

Modules: ``memory`` (frames, regions, page tables, demand paging), ``loader`` (ELF segments
and the initial stack), ``files`` (the sandbox and the descriptor table), ``syscalls`` (the
calls), ``strace`` (the trace format), ``linux`` (numbers and names). User code runs on one of
the machine's engines (``vmlib.machine.ENGINES``: the interpreter or the translator).
"""

from ..machine.loader import ElfError
from .loader import LaunchError
from .strace import SyscallRecord
from .vm import ProcessVM, ProcessResult, run_program, DEFAULT_MAX_STEPS, DEFAULT_SEED

__all__ = ['ProcessVM', 'ProcessResult', 'SyscallRecord', 'run_program', 'ElfError',
           'LaunchError', 'DEFAULT_MAX_STEPS', 'DEFAULT_SEED']
