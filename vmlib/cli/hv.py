"""``python -m vmlib hv``: run the guest kernel in virtual machines under a hypervisor.

Each guest boots the course's guest kernel (``vmlib.guest``) with one workload; all guests
share the one host hart, scheduled round-robin. The consoles and a summary (exits, cycles by
the cost model and by cause, efficiency) go to stdout; ``--json`` prints one JSON object
instead. The exit status is 0 when every guest powered off with status 0, else the first
guest's non-zero status (the guest kernel's is 1, the SBI reset reason "system failure",
whatever init's status was); when a guest did not power off:

    124  a guest's step budget ran out (like ``timeout``)
    125  a guest was stopped for misbehaving (fault storm, wfi forever, a VMM error)
    2    bad arguments (unknown technique, workload or event)
"""

import argparse
import json
import sys
import textwrap

from ..hypervisor import (Hypervisor, CostModel, EVENTS, DEFAULT_MAX_STEPS, DEFAULT_SLICE,
                          technique_names, get_technique)
from ..hypervisor.hypervisor import MAX_GUESTS, guest_kernel
from ..machine import ENGINES
from ..guest.linux import GuestImage, LinuxNotBuilt, held_until_listening
from .boot import stdin_source

EXIT_BUDGET, EXIT_STOPPED, EXIT_USAGE = 124, 125, 2
LINUX_MAX_STEPS = 200_000_000       # Linux boots in about 9 M; its shell then waits for stdin

# The guest kernel's exit status is not init's: the kernel ends the system with an SBI system
# reset, whose reason is all the firmware passes on -- 0 for none, 1 for "system failure".
FAILURE_NOTE = ("exit status {status} is the SBI reset reason 'system failure', which the guest "
                "kernel gives when init fails or it panics; init's own status is on the "
                'console')
# On the non-virtualizable CPU, guest code run directly touches sstatus without a trap (a read
# sees the real one, a write is dropped), so the VMM cannot emulate it: the run differs from
# the bare machine's, silently -- and the fewer traps, the better its efficiency looks.
NONVIRT_NOTE = ("on the non-virtualizable CPU (--variant nonvirt) the guest's U-mode sstatus "
                'accesses do not trap, so the VMM never emulates them: the run is not '
                'equivalent to the bare machine (compare the console of --technique emulate), '
                'and its efficiency says nothing about correctness')


def add_parser(sub):
    p = sub.add_parser('hv', help='run the guest kernel in VMs under a hypervisor',
                       description=__doc__.split('\n', 2)[2],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--technique', default='trap', metavar='NAME',
                   help='how the guests run: ' + '; '.join(
                       f'{n} ({get_technique(n).summary.split(":")[0]})'
                       for n in technique_names()) + ' (default trap)')
    p.add_argument('--variant', choices=['nonvirt'], default=None,
                   help='nonvirt: the non-virtualizable CPU (U-mode sstatus access does not '
                        'trap), where trap-and-emulate silently goes wrong')
    p.add_argument('--workload', default='demo', metavar='NAME',
                   help='the guest kernel workload (default demo): ' + _workload_names())
    p.add_argument('--guests', type=int, default=1, metavar='N',
                   help=f'number of VMs, each booting the same workload (1-{MAX_GUESTS})')
    p.add_argument('--max-steps', type=int, default=None, metavar='N',
                   help=f'step budget per guest, in instructions (default {DEFAULT_MAX_STEPS:,}; '
                        f'with --linux {LINUX_MAX_STEPS:,})')
    p.add_argument('--engine', choices=list(ENGINES), default='interp',
                   help='what runs the guests\' instructions on the host: the interpreter or '
                        'the dynamic binary translator (the same report either way)')
    p.add_argument('--slice', type=int, default=DEFAULT_SLICE, metavar='N',
                   help=f'instructions per turn on the host hart (default {DEFAULT_SLICE:,})')
    p.add_argument('--cost', action='append', default=[], metavar='EVENT=CYCLES',
                   help='change one cost of the cost model (repeatable), e.g. --cost trap=500')
    p.add_argument('--no-nested-paging', dest='nested_paging', action='store_false',
                   help='with --technique hw: the first generation of hardware assistance, '
                        'without nested paging (KVM keeps shadow page tables)')
    p.add_argument('--linux', action='store_true',
                   help='boot the guest build of Linux (`make linux`) instead of the course '
                        'kernel, with 32 MiB of RAM; stdin goes to the first guest\'s shell, so '
                        'end it with poweroff (e.g. printf "uname\\npoweroff\\n" | ...)')
    p.add_argument('--json', action='store_true', help='print the report as one JSON object')
    p.set_defaults(func=run_hv)


def _workload_names():
    try:
        from .. import guest
        return ', '.join(guest.ALL_WORKLOADS)
    except ImportError:
        return '(the guest kernel is not available)'


def parse_costs(items):
    """``['trap=500', ...]`` -> a CostModel; ValueError with a one-line reason."""
    overrides = {}
    for item in items:
        name, sep, value = item.partition('=')
        if not sep:
            raise ValueError(f'--cost {item!r}: write EVENT=CYCLES (events: {", ".join(EVENTS)})')
        try:
            overrides[name.strip()] = float(value) if '.' in value else int(value)
        except ValueError:
            raise ValueError(f'--cost {item!r}: {value!r} is not a number') from None
    return CostModel().replace(**overrides)


def run_hv(args):
    try:
        from .. import guest
        if args.workload not in guest.ALL_WORKLOADS:
            raise ValueError(f'unknown workload {args.workload!r} (choose from '
                             f'{", ".join(guest.ALL_WORKLOADS)})')
        costs = parse_costs(args.cost)
        if args.linux:
            program, devices, extra = linux_guest(args)
        else:
            program, devices = guest_kernel(args.workload, args.technique)
            extra = dict(workload=args.workload, max_steps=args.max_steps or DEFAULT_MAX_STEPS)
        hv = Hypervisor(args.technique, [program] * args.guests, args.variant, costs,
                        slice_size=args.slice, engine=args.engine, devices=devices,
                        nested_paging=args.nested_paging, **extra)
    except (ValueError, ImportError, LinuxNotBuilt) as e:
        print(f'vmlib hv: {e}', file=sys.stderr)
        return EXIT_USAGE
    if args.linux:
        uart = hv.vms[0].uart
        uart.input_source = held_until_listening(uart, stdin_source())
    report = hv.run()
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(format_report(report))
    return exit_status(report)


def linux_guest(args):
    """The guest build of Linux as every VM's program, and the Hypervisor options it needs."""
    from ..hypervisor.linux import LINUX_GUEST_RAM
    if args.technique == 'pv':
        raise ValueError('Linux has no port to the paravirtual interface of technique pv '
                         '(chapter 11 ports the course kernel): choose another technique')
    return GuestImage('guest'), None, dict(
        workload='linux', guest_ram=LINUX_GUEST_RAM, max_steps=args.max_steps or LINUX_MAX_STEPS)


def exit_status(report):
    """The command's exit status for a report (see the module docstring)."""
    for g in report['guests']:
        if g['reason'] == 'budget':
            return EXIT_BUDGET
        if g['reason'] != 'poweroff':
            return EXIT_STOPPED
    for g in report['guests']:
        if g['exit_status']:
            return g['exit_status']
    return 0


def format_report(report):
    """The report as text: each guest's console, then what it cost."""
    lines = []
    many = len(report['guests']) > 1
    for g in report['guests']:
        if many:
            lines.append(f'--- {g["name"]} console ---')
        lines.append(g['console'].rstrip('\n'))
    lines.append('')
    variant = '' if report['variant'] == 'rv32' else f', CPU variant {report["variant"]}'
    paging = '' if report['vmm'].get('nested_paging', True) else ' without nested paging'
    lines.append(f'technique: {report["technique"]}{variant}{paging}; '
                 f'workload: {report["workload"]}')
    for g in report['guests']:
        status = '' if g['exit_status'] is None else f', exit status {g["exit_status"]}'
        share = (f' ({g["direct_instructions"] / g["guest_instructions"]:.1%} direct)'
                 if g['guest_instructions'] else '')
        lines.append(f'{g["name"]}: {g["reason"]}{status}; '
                     f'{g["guest_instructions"]:,} instructions{share}')
        if g['reason'] != 'poweroff':
            lines.append(f'  {g["message"]}')
        elif g['exit_status']:
            lines += _note(FAILURE_NOTE.format(status=g['exit_status']), '  ')
        for note in g['notes']:
            lines += _note(note, '  ')
    vmm = report['vmm']
    exits = ', '.join(f'{k} {v:,}' for k, v in sorted(vmm['exits'].items(),
                                                      key=lambda kv: -kv[1]))
    lines += textwrap.wrap(f'VMM: {_count(vmm["traps"], "trap")} ({exits or "none"}); '
                           f'{_count(vmm["hypercalls"], "hypercall")}; '
                           f'{_count(vmm["world_switches"], "world switch", "world switches")}',
                           96, subsequent_indent=' ' * 5, break_on_hyphens=False)
    if 'translation' in vmm:
        lines += _translation_lines(vmm)
    cycles = report['cycles']
    lines.append(f'cycles: {cycles["total"]:,} by the cost model')
    for event, c in sorted(cycles['by_event'].items(), key=lambda kv: -kv[1]):
        if c:
            lines.append(f'  {event:<22}{c:>14,}  ({report["events"][event]:,} x '
                         f'{c / report["events"][event]:g})')
    if 'by_cause' in report:
        lines.append('cycles by cause (the instructions run directly included):')
        for cause, part in report['by_cause'].items():
            lines.append(f'  {cause:<22}{part["cycles"]:>14,}  ({_count(part["exits"], "exit")})')
    lines.append(f'efficiency: {report["efficiency"]:.2%} of guest instructions ran without '
                 'the VMM')
    if report['variant'] == 'nonvirt' and report['technique'] == 'trap' and \
            any(g['direct_instructions'] for g in report['guests']):
        lines += _note(NONVIRT_NOTE)        # (a pv kernel touches no sstatus: it is not hit)
    return '\n'.join(lines)


def _translation_lines(vmm):
    """Binary translation's own lines: its callouts, and each guest's translation cache."""
    callouts = vmm['callouts']
    kinds = ', '.join(f'{k} {v:,}' for k, v in sorted(callouts.items(), key=lambda kv: -kv[1]))
    lines = textwrap.wrap(f'callouts (no trap): {sum(callouts.values()):,} ({kinds or "none"})',
                          96, subsequent_indent=' ' * 5, break_on_hyphens=False)
    for name, t in vmm['translation'].items():
        lines += textwrap.wrap(
            f'translation cache of {name}: {t["blocks in cache"]:,} blocks '
            f'({t["instructions in cache"]:,} instructions); '
            f'{t["instructions translated"]:,} instructions translated, '
            f'{t["instructions run translated"]:,} run; {t["lookups"]:,} lookups, '
            f'{t["hit rate"]:.1%} hits; {t["invalidations"]:,} invalidated; '
            f'{t["adaptive retranslations"]:,} adaptive retranslations',
            96, subsequent_indent=' ' * 5, break_on_hyphens=False)
    return lines


def _note(text, indent=''):
    """A ``note:`` as lines of at most 96 columns (the course's width, ``vmlib.course.text``),
    continued under its first word."""
    return textwrap.wrap(text, 96, initial_indent=indent + 'note: ',
                         subsequent_indent=indent + ' ' * 6, break_on_hyphens=False)


def _count(n, one, many=None):
    return f'{n:,} {one if n == 1 else many or one + "s"}'
