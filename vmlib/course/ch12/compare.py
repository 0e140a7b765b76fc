"""Chapter 12's measurements: the same guest kernel under trap-and-emulate and under hardware
assistance (with and without nested paging), exits by reason; and the console's three paths.

Every number is the hypervisor's report (``vmlib.hypervisor``): exits counted as they happen,
cycles from the cost model (``vmlib.hypervisor.costs``, each default with its source) -- a
model of where the time goes, not a measurement of any real machine.
"""

from __future__ import annotations

from functools import lru_cache

from ... import guest
from ...hypervisor import Hypervisor
from ..text import table

__all__ = ['TECHNIQUES', 'WORKLOADS', 'GENERATION_WORKLOADS', 'run', 'exits_by_reason',
           'exits_text', 'console_rows', 'console_text', 'generation_rows', 'generation_text',
           'USER_EXITS', 'PAGING_EXITS']

#: the ways chapter 12 runs the guest kernel: name -> (technique, nested paging)
TECHNIQUES = {'trap': ('trap', True), 'hw': ('hw', True),
              'hw, no nested paging': ('hw', False)}
WORKLOADS = ('demo', 'syscall', 'io', 'csr', 'pgfault', 'ptemod', 'forkwait', 'compute', 'blk')
GENERATION_WORKLOADS = ('pgfault', 'ptemod', 'forkwait', 'compute')
#: the exits that go to the user-space VMM (the rest KVM serves in the kernel)
USER_EXITS = ('KVM_EXIT_MMIO', 'KVM_EXIT_RISCV_SBI', 'KVM_EXIT_SYSTEM_EVENT')
#: the exits that virtualizing memory costs, by the names the techniques report them under
PAGING_EXITS = ('hidden_page_fault', 'page_table_write', 'satp', 'sfence_vma',
                'guest_page_fault')
#: the console's paths: name -> build options of the guest kernel
CONSOLES = {'SBI putchar (a call per byte)': {},
            'SBI debug console (a call per write)': {'dbcn': True},
            'virtio console (a ring)': {'virtio': True}}


@lru_cache(maxsize=None)
def run(name, workload, console=None):
    """One run's report (cached): ``workload`` under ``name`` (a key of ``TECHNIQUES``),
    with the console path ``console`` (a key of ``CONSOLES``; default: the kernel's own)."""
    technique, nested = TECHNIQUES[name]
    options = CONSOLES[console] if console else {}
    program = guest.program(workload, **options)
    devices = guest.devices if options.get('virtio') or workload in guest.VIRTIO_WORKLOADS \
        else None
    return Hypervisor(technique, [program], workload=workload, devices=devices,
                      nested_paging=nested).run()


def exits_by_reason(workload='demo'):
    """{technique name: {exit reason: count}} for one workload."""
    return {name: dict(run(name, workload)['guests'][0]['exits']) for name in TECHNIQUES}


def exits_text(workload='demo'):
    """The exits of one workload by reason, a column per technique."""
    exits = exits_by_reason(workload)
    reasons = sorted({r for e in exits.values() for r in e},
                     key=lambda r: (-max(e.get(r, 0) for e in exits.values()), r))
    rows = [('exit reason', *TECHNIQUES)]
    rows += [(r, *(f'{exits[t].get(r, 0):,}' if exits[t].get(r) else '-' for t in TECHNIQUES))
             for r in reasons]
    rows.append(('all exits', *(f'{sum(e.values()):,}' for e in exits.values())))
    return table(rows, 'l' + 'r' * len(TECHNIQUES))


def console_rows(workload='demo'):
    """The same workload under hw with each console path: its exits to user space, those
    for the console, and the cost model's cycles."""
    rows = []
    for console in CONSOLES:
        report = run('hw', workload, console)
        g = report['guests'][0]
        exits = g['exits']
        console_exits = exits.get('KVM_EXIT_RISCV_SBI', 0) + exits.get('KVM_EXIT_MMIO', 0)
        rows.append({'console': console, 'output': g['console'],
                     'user exits': sum(exits.get(e, 0) for e in USER_EXITS),
                     'console exits': console_exits, 'cycles': report['cycles']['total']})
    return rows


def console_text(rows):
    """The console paths side by side; the output compared with the first path's (the
    virtio build adds its drivers' two probe lines, ``virtio: ...``)."""
    def printed(r):
        return [line for line in r['output'].splitlines() if not line.startswith('virtio: ')]

    def same(r):
        if r['output'] == rows[0]['output']:
            return 'the same'
        return '+ probe lines' if printed(r) == printed(rows[0]) else 'DIFFERS'
    head = ('console path', 'console exits', 'exits to user space', 'cycles', 'output')
    body = [(r['console'], f"{r['console exits']:,}", f"{r['user exits']:,}",
             f"{r['cycles']:,}", same(r)) for r in rows]
    return table([head, *body], 'lrrrl')


def generation_rows(workloads=GENERATION_WORKLOADS):
    """Per workload: exits, memory-virtualization exits and cycles under hw with nested
    paging (second generation) and without (first generation), and trap for reference."""
    rows = []
    for w in workloads:
        row = {'workload': w}
        for name in TECHNIQUES:
            report = run(name, w)
            exits = report['guests'][0]['exits']
            memory = sum(n for r, n in exits.items() if r in PAGING_EXITS)
            row[name] = {'exits': sum(exits.values()), 'memory': memory,
                         'cycles': report['cycles']['total']}
        rows.append(row)
    return rows


def generation_text(rows):
    """First generation (no nested paging) against second (nested paging), per workload."""
    first, second = 'hw, no nested paging', 'hw'
    head = ('workload', 'exits 1st gen', 'of which paging', 'exits 2nd gen', 'cycles 1st',
            'cycles 2nd', '2nd/1st')
    body = [(r['workload'], f"{r[first]['exits']:,}", f"{r[first]['memory']:,}",
             f"{r[second]['exits']:,}", f"{r[first]['cycles']:,}", f"{r[second]['cycles']:,}",
             f"{r[second]['cycles'] / r[first]['cycles']:.2f}") for r in rows]
    return table([head, *body], 'lrrrrrr')
