"""``python -m vmlib``: the command line, one subcommand per tool people already know.

    boot FILE.elf|FILE.s   the whole-system machine (like qemu-system-riscv32 -M virt)
    asm FILE.s -o FILE.elf the assembler (like riscv64-unknown-elf-as + ld)
    disasm FILE.elf        the disassembler (like objdump -d)
    run PROG.elf [ARGS]    the process VM (like qemu-riscv32)
    hv --technique T       the guest kernel in VMs under a hypervisor

``--version`` prints vmlib's version. A user's mistake (a bad file, a wrong option) gets its
reason on stderr -- one line, or a ``file:line:col`` line per assembly error -- and a non-zero
exit status, never a Python traceback.
"""

import argparse
import sys

from .. import __version__
from . import asm_cmds, boot, run, hv


def build_parser():
    parser = argparse.ArgumentParser(
        prog='python -m vmlib',
        description='A small RISC-V (RV32IMA) computer, its tools, and virtual machines.')
    parser.add_argument('--version', action='version', version=f'vmlib {__version__}')
    sub = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    boot.add_parser(sub)
    run.add_parser(sub)
    hv.add_parser(sub)
    asm_cmds.add_parsers(sub)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        status = 130
    except BrokenPipeError:
        status = 0
    return status


if __name__ == '__main__':
    sys.exit(main())
