"""``python -m vmlib boot``: run a bare-metal program on the whole machine.

UART output goes to stdout as it is written; UART input comes from stdin. The exit status is
the one the program gives the test device or HTIF. When the machine stops for another
reason, a one-line explanation goes to stderr and the status says which:

    124  the step budget ran out (like ``timeout``)
    125  the machine cannot go on: wfi with nothing to wake it, or a trap loop (a trap with no
         handler installed, or a handler that faults itself); the message names the first trap
    2    the file cannot be loaded (bad ELF, assembly error), or it is a Linux program, which
         ``run`` runs
"""

import contextlib
import os
import select
import sys
import time

try:                                       # POSIX terminals; Windows runs without
    import termios
    import tty
except ImportError:                        # pragma: no cover
    termios = tty = None

from ..asm import AsmError
from ..machine import Machine, ElfError, DEFAULT_MAX_STEPS, cause_name
from ..machine.loader import raw_image
from ..machine.trace import Retired, Faulted, RegWrite, TrapTaken, TrapReturn, PageWalk
from ..machine.traps import PRIV_NAMES
from ..machine.virtio import Block, Console, DiskError, DiskImage
from ..guest.linux import LinuxNotBuilt
from ..isa import reg_name
from .kinds import misfit
from .options import add_assembler_options, assembler_options, at_least
from .stats import print_stats

EXIT_BUDGET, EXIT_STUCK, EXIT_LOAD = 124, 125, 2


def add_parser(sub):
    p = sub.add_parser('boot', help='run a bare-metal program (ELF, .s or raw image)',
                       description=__doc__.split('\n\n')[0])
    p.add_argument('file', nargs='?', help='an RV32 ELF executable, an assembly source (.s), '
                                           'or a raw image (.bin, loaded at 0x80000000)')
    p.add_argument('--guest', nargs='?', const='demo', metavar='WORKLOAD',
                   help='boot the course\'s guest kernel (vmlib.guest) with this workload '
                        '(default demo): ' + ', '.join(_guest_workloads()))
    p.add_argument('--linux', nargs='?', const='bare', choices=['bare', 'guest'],
                   help='boot the Linux that `make linux` built (default bare: M-mode, no '
                        'MMU) to its shell, the terminal attached as with QEMU\'s -nographic')
    p.add_argument('--max-steps', type=at_least(1), default=DEFAULT_MAX_STEPS, metavar='N',
                   help=f'stop after N instructions (default {DEFAULT_MAX_STEPS:,})')
    p.add_argument('--trace', action='store_true',
                   help='print every instruction, register write and trap to stderr')
    p.add_argument('--stats', action='store_true', help='print run statistics to stderr')
    p.add_argument('--engine', choices=['interp', 'dbt'], default='interp',
                   help='what executes the instructions: the interpreter (default) or the '
                        'dynamic binary translator; the run is the same')
    p.add_argument('--drive', action='append', default=[], metavar='FILE[,readonly]',
                   help='attach a disk image (whole 512-byte sectors) as a virtio-blk device, '
                        'like QEMU\'s -drive; slots fill from the top, in order')
    p.add_argument('--virtio-console', action='store_true',
                   help='attach a virtio console after the drives; its output goes to stdout, '
                        'like the UART\'s')
    add_assembler_options(p)
    p.set_defaults(func=run_boot)


def virtio_devices(args):
    """The virtio devices the options ask for; raises DiskError with a one-line reason."""
    devices = []
    for spec in args.drive:
        path, _, option = spec.partition(',')
        if option not in ('', 'readonly'):
            raise DiskError(f'--drive {spec}: unknown option {option!r} (FILE or '
                            'FILE,readonly)')
        devices.append(Block(DiskImage(path, readonly=option == 'readonly')))
    if args.virtio_console:
        devices.append(Console(input_source=stdin_source()))     # output: with the UART's
    return devices


def _guest_workloads():
    from ..guest import ALL_WORKLOADS
    return list(ALL_WORKLOADS)


def stdin_source():
    """Read stdin lazily, when the guest asks for input; after end of file, nothing more.

    A pipe or a file is read as the guest polls (blocking: the same input gives the same run).
    A terminal is only polled, as QEMU does: when nothing has been typed the UART says "no
    data" and the guest goes on -- a guest that merely checks the status register must not
    wait for a key press.
    """
    state = {'eof': False}
    try:
        fd = sys.stdin.fileno()
        interactive = os.isatty(fd)
    except (OSError, ValueError, AttributeError):
        fd, interactive = None, False

    def source():
        if state['eof'] or fd is None:
            return b''
        if interactive and not select.select([fd], [], [], 0)[0]:
            return b''
        try:
            data = os.read(fd, 4096)
        except (OSError, ValueError):
            data = b''
        if not data:
            state['eof'] = True
        return data
    return source


def load_machine(path, defsym=None, include_dirs=(), **kw):
    """A machine with ``path`` loaded; raises ElfError with a one-line reason, or AsmError.
    (``defsym`` and ``include_dirs``: for a ``.s``, as the assembler takes them.)"""
    if path.endswith('.s') or path.endswith('.S'):
        # (bytes that are not UTF-8 become U+FFFD, which the assembler points at, as asm does)
        with open(path, encoding='utf-8', errors='replace') as f:
            source = f.read()
        return Machine.from_source(source, path, defsym, include_dirs, **kw)
    with open(path, 'rb') as f:
        data = f.read()
    if path.endswith('.bin'):
        m = Machine(**kw)
        m.load(raw_image(data))
        return m
    return Machine.from_elf(data, what=path, **kw)


@contextlib.contextmanager
def terminal_attached():
    """When stdin is a terminal, hand it to the guest as QEMU's -nographic does: keys go to
    the guest as they are typed, and the guest echoes them (no line editing or echo by the
    host's terminal); Ctrl-C still stops vmlib. Restored however the run ends."""
    try:
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd) if termios and os.isatty(fd) else None
    except (OSError, ValueError, AttributeError):
        saved = None
    if saved is None:
        yield
        return
    tty.setcbreak(fd)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _write_stdout(data):
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def format_event(e):
    """One line of ``--trace`` output for an event (None for events it does not show)."""
    if isinstance(e, Retired):
        return f'{PRIV_NAMES[e.priv]} 0x{e.pc:08x}: {e.word:08x}  {e.text}'
    if isinstance(e, Faulted):         # it raised an exception: the trap line follows
        return f'{PRIV_NAMES[e.priv]} 0x{e.pc:08x}: {e.word:08x}  {e.text}  (not retired)'
    if isinstance(e, RegWrite):
        return f'{"":14}{reg_name(e.reg)} = 0x{e.new:08x}'
    if isinstance(e, TrapTaken):
        return (f'{"":14}trap: {cause_name(e.cause)} (tval=0x{e.tval:08x}) '
                f'{PRIV_NAMES[e.from_priv]}->{PRIV_NAMES[e.to_priv]}, handler 0x{e.handler:08x}')
    if isinstance(e, TrapReturn):
        return (f'{"":14}{e.instruction}: {PRIV_NAMES[e.from_priv]}->'
                f'{PRIV_NAMES[e.to_priv]} at 0x{e.pc:08x}')
    if isinstance(e, PageWalk):
        where = f'0x{e.pa:08x}' if e.pa is not None else cause_name(e.fault)
        return f'{"":14}walk {e.access} 0x{e.va:08x} -> {where} ({len(e.steps)} PTE reads)'
    return None


def run_boot(args):
    if sum(x is not None for x in (args.file, args.guest, args.linux)) != 1:
        print('vmlib boot: give a FILE, --guest WORKLOAD or --linux (one of them)',
              file=sys.stderr)
        return EXIT_LOAD
    try:
        devices = dict(uart_output=_write_stdout, uart_input_source=stdin_source(),
                       engine=args.engine)
        if args.guest is None:              # QEMU's virt: the device tree in a1 (not for the
            devices['device_tree'] = True   # course kernel: its firmware passes none)
        if args.drive or args.virtio_console:
            devices['virtio'] = virtio_devices(args)
        if args.guest is not None:
            from .. import guest
            m = guest.machine(args.guest, **devices)
        elif args.linux is not None:
            from ..guest import linux
            source = devices.pop('uart_input_source')
            m = linux.machine(args.linux, **devices)
            m.uart.input_source = linux.held_until_listening(m.uart, source)
            args.file = str(linux.image(args.linux))
        else:
            m = load_machine(args.file, **devices, **assembler_options(args))
    except AsmError as e:                  # file:line:col: error: ..., a line per error
        print(e, file=sys.stderr)
        return EXIT_LOAD
    except DiskError as e:
        print(f'vmlib boot: {e}', file=sys.stderr)
        return EXIT_LOAD
    except LinuxNotBuilt as e:              # its message says how to build it
        print(f'vmlib boot: {e}', file=sys.stderr)
        return EXIT_LOAD
    except OSError as e:
        print(f'vmlib boot: cannot read {e.filename or args.file}: {e.strerror or e}',
              file=sys.stderr)
        return EXIT_LOAD
    except ValueError as e:                # a bad ELF (ElfError), an unknown guest workload
        hint = isinstance(e, ElfError) and args.file and misfit(args.file, 'boot')
        print(f'vmlib boot: {hint or e}', file=sys.stderr)
        return EXIT_LOAD
    if args.trace:
        def show(event):
            line = format_event(event)
            if line:
                print(line, file=sys.stderr)
        m.trace = show
    started = time.perf_counter()
    with terminal_attached():
        result = m.run(args.max_steps)
    elapsed = time.perf_counter() - started
    if args.stats:
        print_stats(stats_rows(m, result, elapsed))
    if result.reason in ('poweroff', 'htif'):
        return result.exit_status
    if result.reason == 'reset':
        print('vmlib boot: the program asked for a reset; stopping', file=sys.stderr)
        return 0
    print(f'vmlib boot: {result.message}', file=sys.stderr)
    return EXIT_BUDGET if result.reason == 'budget' else EXIT_STUCK


def stats_rows(m, result, elapsed):
    """The ``--stats`` report as (key, value) rows: the run, the traps by cause, the engine."""
    h = m.hart
    rows = [('instructions retired:', f'{result.instructions:,}'),
            ('mtime ticks:', f'{m.clint.mtime():,}'),
            ('stopped because:', result.reason),
            ('page-table walks:', f'{h.mmu.walks:,}'),
            ('UART bytes out:', f'{len(m.uart.output):,}'),
            ('traps taken:', f'{sum(h.stats_traps.values()):,}')]
    rows += [(f'  {cause_name(cause)}', f'{count:,}')
             for cause, count in sorted(h.stats_traps.items())]
    rows += [(key + ':', f'{value:,}') for key, value in h.engine.stats().items()]
    rate = result.instructions / elapsed / 1e6 if elapsed else 0
    rows.append(('host time:', f'{elapsed:.3f} s ({rate:.2f} M instructions/s)'))
    return rows
