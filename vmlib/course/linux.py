"""A real operating system on the course machine (chapter 08) and as a guest (chapter 12).

Everything here runs the kernels `make linux` built (``vmlib.guest.linux``). Where they are
not built, the functions say so and show the **recorded** run (``linux_recorded.json``, made
by ``python -m vmlib.course.linux --record`` from a real boot) labelled as recorded: nothing
is presented as live that is not.
"""

import json
import sys
from pathlib import Path

from ..guest import linux
from ..guest.linux import Session, boot_profile, available, LinuxNotBuilt
from .text import WIDTH, fit, table

RECORDED = Path(__file__).with_name('linux_recorded.json')
COMMANDS = ('uname', 'cat /proc/cpuinfo', 'cat /proc/interrupts', 'count 100000')

# What the boot's busiest functions do (the profile's groups), by name.
GROUPS = {
    'page array set-up': ('memmap_init_range', '__init_single_page', '__free_pages_core',
                          '__free_pages_ok', 'free_area_init', 'memblock_free_all',
                          'mm_core_init', '__free_one_page', 'init_page_count'),
    'memset / memcpy': ('memset', 'memcpy', 'memmove', '__memset', '__memcpy'),
    'string functions': ('strlen', 'strcmp', 'strncmp', 'memcmp', 'strscpy', 'strchr'),
    'printk': ('vsnprintf', 'format_decode', 'number', 'string_nocheck', 'vprintk_store',
               'console_flush_all', 'printk_get_next_message', 'prb_read_valid',
               '_prb_read_valid', 'record_print_text', 'serial8250_console_putchar',
               'serial8250_console_write', 'uart_console_write', 'wait_for_lsr',
               'serial8250_early_out', 'early_serial8250_write', 'io_serial_out',
               'mem_serial_out', 'mem_serial_in', 'widen_string'),
    'random-pool mixing': ('blake2s_compress_generic', 'blake2s_update', 'blake2s_final',
                           'chacha_permute', 'chacha_block_generic', 'add_device_randomness'),
    'device tree': ('fdt_offset_ptr', 'fdt32_ld', 'fdt_next_tag', 'fdt_next_node',
                    'fdt_get_property_by_offset_', 'unflatten_dt_nodes', 'populate_node',
                    '__of_find_property', 'of_find_property', 'parse_prop_cells',
                    'of_get_property', 'of_device_is_compatible', '__of_device_is_compatible'),
    'memory allocator': ('__slab_alloc_node.constprop.0', 'slab_alloc_node.isra.0',
                         '__kmalloc_noprof', 'kmem_cache_alloc_noprof', 'memblock_alloc_try_nid',
                         'get_page_from_freelist', '__alloc_pages_noprof'),
    'sysfs and devices': ('kernfs_link_sibling', 'kernfs_name_hash', 'kernfs_add_one',
                          '__kernfs_new_node', 'idr_get_free', 'idr_alloc_u32',
                          'add_uevent_var', 'device_initialize'),
}


def group_of(function):
    """What a function is for; a helper charged to its caller ("memset (from f)") is for
    what ``f`` is for, when that is known."""
    if ' (from ' in function:
        helper, caller = function[:-1].split(' (from ')
        group = group_of(caller)
        return group if group != 'other' else group_of(helper)
    return next((g for g, names in GROUPS.items() if function in names), 'other')


def device_tree_text(nodes=('cpus', 'serial')):
    """What chapter 08 shows of the device tree: where a1 points, and some of its nodes as
    source text."""
    from ..machine import Machine
    from ..machine.bus import RAM_BASE
    from ..machine.fdt import machine_tree, to_dts, find
    m = Machine(device_tree=True)
    tree = machine_tree(RAM_BASE, m.bus.ram_size, m.bus.devices)
    return '\n'.join([f'a1 = 0x{m.reg("a1"):08x}: {len(m.dtb):,} bytes of device tree at the '
                      'top of RAM'] + [to_dts(find(tree, name)) + '\n' for name in nodes])


def recorded():
    """The recorded run: ``{'recorded': how, 'console': boot text, 'answers': {...}, ...}``."""
    return json.loads(RECORDED.read_text())


def boot(build='bare', engine='dbt', stream=True):
    """Boot Linux to its shell, the console streamed as it is written; returns the ``Session``
    (None where the kernel is not built: then the recorded run is shown, labelled)."""
    if not available(build):
        show_recorded()
        return None
    session = Session(build, engine=engine, output=Terminal() if stream else None)
    session.booted = session.boot()
    return session


class Terminal:
    """Console text to stdout as a terminal of ``columns`` columns shows it: a long line
    continues on the next (the notebook's outputs are read at 100 columns)."""

    def __init__(self, columns=WIDTH):
        self.columns, self.column = columns, 0

    def __call__(self, text):
        out = []
        for ch in text.replace('\r', ''):
            if ch == '\n':
                self.column = 0
            elif self.column == self.columns:
                out.append('\n')
                self.column = 1
            else:
                self.column += 1
            out.append(ch)
        sys.stdout.write(''.join(out))
        sys.stdout.flush()


def show_recorded():
    """The recorded boot, with why it is not live and how to make it live."""
    try:
        linux.image('bare')
    except LinuxNotBuilt as e:
        print(fit(f'[RECORDED, not live. {e}]'))
    r = recorded()
    print(fit(f'[recorded {r["recorded"]}]'))
    Terminal()(r['console'])


def boot_figures(session):
    """One line: instructions to the prompt, virtual time, host seconds."""
    b = session.booted
    ticks = session.m.clint.mtime()
    return fit(f'prompt reached after {b.instructions:,} instructions '
               f'({ticks / 10_000_000:.3f} s of the machine\'s time at its 10 MHz timebase), '
               f'{b.seconds:.1f} s on this computer')


def compare_text(session):
    """The course kernel beside Linux: how big, how long to boot, how much it says."""
    from .. import guest
    program = guest.program('demo')
    course_bytes = sum(len(section.data) for section in program.sections)
    ours = guest.run('demo')[0]
    kernel = linux.image('bare', 'Image').stat().st_size
    rows = [('', 'course kernel (demo)', 'Linux (bare build)'),
            ('image in RAM (bytes)', f'{course_bytes:,}', f'{kernel:,}'),
            ('instructions to the first process', f'{guest.boot_length("demo"):,}',
             f'{session.booted.instructions:,} (to the prompt)'),
            ('console lines at boot', f'{len(ours.splitlines()):,} (whole run)',
             f'{len(session.booted.console.splitlines()):,}'),
            ('finds its devices', 'knows them (assembled in)', 'from the device tree')]
    return table(rows, 'lll')


class Profile:
    """Where a boot's instructions go: the pc sampled every ``every`` instructions from reset to
    the prompt (as ``perf record`` samples), each sample charged to the kernel function holding
    it (System.map), each function to what it is for (``GROUPS``)."""

    def __init__(self, build='bare', every=5000):
        self.every = every
        self.counts, self.samples = boot_profile(build, every=every)

    def share(self, n):
        return 100 * n / self.samples

    def rows(self, top=12):
        """``(function, what it is for, share %)``, busiest first."""
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [(name, group_of(name), self.share(n)) for name, n in ranked]

    def groups(self):
        """``{what it is for: share %}``, biggest first."""
        totals = {}
        for name, n in self.counts.items():
            totals[group_of(name)] = totals.get(group_of(name), 0) + n
        return {g: self.share(n) for g, n in sorted(totals.items(), key=lambda kv: -kv[1])}

    def text(self, top=12):
        lines = [f'{self.samples:,} samples, one every {self.every:,} instructions from reset '
                 'to the prompt:', '',
                 table([('function', 'what it is for', 'share')]
                       + [(f, g, f'{p:.1f}%') for f, g, p in self.rows(top)], 'llr'),
                 '', 'by what it is for:']
        lines += [f'  {g:<20} {p:5.1f}%' for g, p in self.groups().items()]
        return '\n'.join(lines)


def record(path=RECORDED):
    """Boot the bare build, run ``COMMANDS``, and store the transcript (for machines that
    cannot build the kernel)."""
    import datetime
    s = Session('bare', engine='dbt')
    b = s.boot()
    answers = {c: s.command(c) for c in COMMANDS}
    version = answers['uname'].strip()
    data = {'recorded': f'{datetime.date.today()} by `python -m vmlib.course.linux --record` '
                        f'from the bare build ({version})',
            'instructions': b.instructions, 'console': b.console, 'answers': answers}
    path.write_text(json.dumps(data, indent=1) + '\n')
    return data


if __name__ == '__main__':
    if sys.argv[1:] == ['--record']:
        print(record()['recorded'])
    else:
        sys.exit('usage: python -m vmlib.course.linux --record')


# --- chapter 12: Linux as a guest ---------------------------------------------------------

def guest_run(technique, build='guest'):
    """Linux's guest build under ``technique``: boot to the prompt, ``uname``, power off.
    Returns ``(report of the guest, instructions to the prompt)``."""
    from ..hypervisor.linux import GuestShell
    shell = GuestShell(technique, build=build)
    booted = shell.boot()
    shell.command('uname')
    shell.poweroff()
    return shell.hv.report()['guests'][0], booted.instructions


def guest_exit_rows(techniques=('trap', 'hw')):
    """For each technique, the course kernel's ``demo`` and Linux side by side:
    ``{technique: {'course kernel': report, 'Linux': report}}``."""
    from ..hypervisor.hypervisor import run
    rows = {}
    for technique in techniques:
        linux_report, _ = guest_run(technique)
        rows[technique] = {'course kernel (demo)': run('demo', technique)['guests'][0],
                           'Linux (boot, uname, poweroff)': linux_report}
    return rows


def guest_exit_text(rows):
    """Exits by reason, each technique's two guests side by side, and exits per thousand
    instructions."""
    out = []
    for technique, guests in rows.items():
        names = list(guests)
        reasons = sorted({r for g in guests.values() for r in g['exits']},
                         key=lambda r: -max(g['exits'].get(r, 0) for g in guests.values()))
        body = [(f'{technique}: exit reason', *names)]
        body += [(r, *(f"{g['exits'].get(r, 0):,}" for g in guests.values())) for r in reasons]
        body.append(('all exits', *(f"{sum(g['exits'].values()):,}" for g in guests.values())))
        body.append(('guest instructions',
                     *(f"{g['guest_instructions']:,}" for g in guests.values())))
        body.append(('exits per 1,000 instructions',
                     *(f"{1000 * sum(g['exits'].values()) / g['guest_instructions']:.2f}"
                       for g in guests.values())))
        out.append(table(body, 'lrr'))
    return '\n\n'.join(out)
