"""``python -m vmlib run``: the process VM, like ``qemu-riscv32``.

    python -m vmlib run [OPTIONS] PROG.elf [ARGS...]

Runs a static RV32 Linux program: its arguments, environment, stdin, stdout, stderr and exit
status pass through. As with qemu-riscv32, the options come before the program; everything
after it is the program's own argv. Files are those of a sandbox directory (``--root``,
default the current directory). The environment is the host's, like qemu-user's; ``-E``,
``-U`` and ``--env-clear`` change it (``--env-clear -E LANG=C`` gives a reproducible one).

Runs are reproducible: the clocks count the program's instructions (10 ns each; the real-time
clock starts at 2024-01-01 00:00 UTC), sleeping moves that clock on instead of waiting, and
getrandom() and AT_RANDOM come from --seed.

Exit status: the program's own; 128 + N when signal N killed it (139 SIGSEGV, 132 SIGILL,
135 SIGBUS, 134 SIGABRT), with a one-line explanation on stderr like a shell's; 124 when the
step budget ran out; 125 when the VM cannot go on (a deadlock, an internal error); 2 when
the file cannot be loaded (not a static RV32 RISC-V ELF, or a bare-metal program, which
``boot`` runs).
"""

import argparse
import os
import sys

from ..procvm import ProcessVM, ElfError, LaunchError, DEFAULT_MAX_STEPS
from ..procvm.vm import EXIT_LOAD
from .kinds import misfit
from .options import at_least
from .stats import print_stats, split_line

DESCRIPTION = 'Run a static RV32 Linux program on the course machine, like qemu-riscv32.'
# written out because argparse shows the program's arguments (a REMAINDER) as a bare '...'
USAGE = '%(prog)s [OPTIONS] PROG.elf [ARGS ...]'
MAX_MEMORY = 2048      # MiB: RAM starts at 0x80000000, and addresses end at 4 GiB
EPILOG = '\n\n'.join(__doc__.split('\n\n')[2:]).replace('``', '')


def add_parser(sub):
    p = sub.add_parser('run', help='run a static RV32 Linux program (like qemu-riscv32)',
                       usage=USAGE, description=DESCRIPTION, epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('program', metavar='PROG.elf', help='a static RV32 RISC-V Linux executable')
    program_args = p.add_argument('args', nargs=argparse.REMAINDER, metavar='ARGS',
                                  help="the program's arguments (argv[1:]); argv[0] is PROG "
                                       'as given')
    program_args.required = False   # (argparse counts a REMAINDER as required: "required: ARGS")
    p.add_argument('--root', default='.', metavar='DIR',
                   help='the directory the program sees as / (default: the current directory)')
    p.add_argument('--strace', action='store_true',
                   help='print each system call, with arguments and result, to stderr')
    p.add_argument('--stats', action='store_true',
                   help='print instructions retired, system calls and page faults to stderr')
    p.add_argument('--max-steps', type=at_least(1), default=DEFAULT_MAX_STEPS, metavar='N',
                   help=f'stop after N instructions (default {DEFAULT_MAX_STEPS:,}); status 124')
    p.add_argument('--engine', choices=['interp', 'dbt'], default='interp',
                   help='what executes user code: the interpreter (default) or the dynamic '
                        'binary translator')
    p.add_argument('--seed', type=int, default=0,
                   help='seed for getrandom() and AT_RANDOM (default 0: runs are reproducible)')
    p.add_argument('-E', dest='setenv', action='append', default=[], metavar='VAR=VALUE',
                   help='set an environment variable for the program (repeatable)')
    p.add_argument('-U', dest='unsetenv', action='append', default=[], metavar='VAR',
                   help='remove a variable from the environment (repeatable)')
    p.add_argument('--env-clear', action='store_true',
                   help="start from an empty environment instead of the host's")
    p.add_argument('--memory', type=at_least(1, MAX_MEMORY), default=128, metavar='MIB',
                   help=f"the machine's RAM in MiB (default 128, at most {MAX_MEMORY})")
    p.set_defaults(func=cmd_run)


def environment(args):
    env = {} if args.env_clear else dict(os.environb)
    for name in args.unsetenv:
        env.pop(os.fsencode(name), None)
    for item in args.setenv:
        name, sep, value = item.partition('=')
        if not sep:
            raise ValueError(f'-E {item}: expected VAR=VALUE')
        env[os.fsencode(name)] = os.fsencode(value)
    return [k + b'=' + v for k, v in env.items()]


def _print_stderr(line):
    sys.stderr.write(line + '\n')
    sys.stderr.flush()


def cmd_run(args):
    sys.stdout.flush()
    try:
        env = environment(args)
    except ValueError as e:
        print(f'vmlib run: {e}', file=sys.stderr)
        return EXIT_LOAD
    try:
        vm = ProcessVM(args.program, [args.program] + args.args, env, args.root, args.engine,
                       strace=_print_stderr if args.strace else None, seed=args.seed,
                       ram_size=args.memory << 20)
    except (ElfError, LaunchError) as e:
        hint = isinstance(e, ElfError) and misfit(args.program, 'run')
        print(f'vmlib run: {hint or e}', file=sys.stderr)
        return EXIT_LOAD
    except (MemoryError, OSError) as e:     # the host would not give the machine its RAM
        print(f"vmlib run: cannot allocate the machine's {args.memory:,} MiB of RAM "
              f'({getattr(e, "strerror", None) or "out of memory"})', file=sys.stderr)
        return EXIT_LOAD
    result = vm.run(args.max_steps)
    if args.stats:
        print_stats(split_line(line) for line in vm.stats_lines(result))
    if result.reason != 'exit' and result.signal != 13:      # shells say nothing on SIGPIPE
        _print_stderr(f'vmlib run: {result.message}')
    return result.exit_status
