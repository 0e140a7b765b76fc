"""Chapter 10's measurements: binary translation against trap-and-emulate, on the same guest.

Every number is the hypervisor's report (``vmlib.hypervisor``): instructions counted as they
run (translated kernel code, direct user code, callouts), cycles from the cost model
(``vmlib.hypervisor.costs``, each default with its source) -- a model of where the time goes,
not a measurement of VMware's monitor.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from ... import guest
from ...hypervisor import Hypervisor
from ...hypervisor.hypervisor import guest_kernel
from ..ch09.properties import bare_run
from ..text import table

__all__ = ['COST_WORKLOADS', 'ADAPTIVE_WORKLOADS', 'run', 'split_rows', 'split_text',
           'cost_rows', 'cost_summary_text', 'cost_events_text', 'adaptive_rows',
           'adaptive_text', 'nonvirt_rows', 'nonvirt_text']

#: Adams & Agesen's microbenchmarks that binary translation changes most
COST_WORKLOADS = ('syscall', 'csr', 'ptemod', 'callret')
#: the workloads whose kernels keep storing to their page tables
ADAPTIVE_WORKLOADS = ('ptemod', 'forkwait')


@lru_cache(maxsize=None)
def run(technique, workload, adaptive=True, variant=None):
    """One run's report (cached): ``workload`` under ``technique`` on the CPU ``variant``
    (None: RV32; ``'nonvirt'``: chapter 09's non-virtualizable CPU); ``adaptive=False``
    switches binary translation's adaptive retranslation off, to compare."""
    program, devices = guest_kernel(workload, technique)
    hv = Hypervisor(technique, [program], variant, workload=workload, devices=devices)
    if not adaptive:
        hv.technique.adapt_after = None
    return hv.run()


def split_rows(workloads=tuple(guest.WORKLOADS)):
    """Per workload under bt: guest instructions, and who ran them -- the hart from the
    translation cache (kernel code), the hart directly (user code), the VMM (callouts) --
    with what translating cost: instructions translated, blocks."""
    rows = []
    for w in workloads:
        report = run('bt', w)
        g, t = report['guests'][0], report['vmm']['translation']['guest 0']
        kernel = t['instructions run translated']
        rows.append({'workload': w, 'guest': g['guest_instructions'], 'translated': kernel,
                     'direct': g['direct_instructions'] - kernel,
                     'callouts': sum(g['callouts'].values()),
                     'instructions translated': t['instructions translated'],
                     'blocks': t['blocks translated'], 'exits': sum(g['exits'].values())})
    return rows


def split_text(rows):
    """Translated against direct instructions, a line per workload."""
    head = ('workload', 'guest instrs', 'kernel (BT)', 'user (direct)', 'callouts',
            'share BT', 'instrs transl', 'blocks')
    body = [(r['workload'], f"{r['guest']:,}", f"{r['translated']:,}", f"{r['direct']:,}",
             f"{r['callouts']:,}", f"{r['translated'] / r['guest']:.1%}",
             f"{r['instructions translated']:,}", f"{r['blocks']:,}") for r in rows]
    return table([head, *body], 'lrrrrrrr')


def cost_rows(workloads=COST_WORKLOADS):
    """Per workload, under trap and under bt: exits, callouts, cycles in all and by event."""
    rows = []
    for w in workloads:
        row = {'workload': w}
        for technique in ('trap', 'bt'):
            report = run(technique, w)
            g = report['guests'][0]
            row[technique] = {'exits': sum(g['exits'].values()),
                              'callouts': sum(g.get('callouts', {}).values()),
                              'cycles': report['cycles']['total'],
                              'by event': report['cycles']['by_event']}
        rows.append(row)
    return rows


def cost_summary_text(rows):
    """Exits, callouts and cycles under each technique, a line per workload."""
    head = ('workload', 'exits trap', 'exits bt', 'callouts bt', 'cycles trap', 'cycles bt',
            'bt/trap')
    body = [(r['workload'], f"{r['trap']['exits']:,}", f"{r['bt']['exits']:,}",
             f"{r['bt']['callouts']:,}", f"{r['trap']['cycles']:,}", f"{r['bt']['cycles']:,}",
             f"{r['bt']['cycles'] / r['trap']['cycles']:.2f}") for r in rows]
    return table([head, *body], 'lrrrrrr')


def cost_events_text(rows):
    """Cycles by event, a pair of columns (trap, bt) per workload; events that cost nothing
    in any of the runs left out."""
    events = [e for e in rows[0]['trap']['by event']
              if any(r[t]['by event'].get(e) for r in rows for t in ('trap', 'bt'))]
    head1 = ('', *(x for r in rows for x in (r['workload'], '')))
    head2 = ('cycles by event', *(t for _ in rows for t in ('trap', 'bt')))
    body = [(e, *(f"{r[t]['by event'].get(e, 0):,}" if r[t]['by event'].get(e) else '-'
                  for r in rows for t in ('trap', 'bt'))) for e in events]
    body.append(('total', *(f"{r[t]['cycles']:,}" for r in rows for t in ('trap', 'bt'))))
    return table([head1, head2, *body], 'l' + 'r' * 2 * len(rows))


#: the ways adaptive_rows runs a workload: name -> (technique, adaptive)
WAYS = {'trap': ('trap', True), 'bt, no adaptation': ('bt', False), 'bt, adaptive': ('bt', True)}


def adaptive_rows(workloads=ADAPTIVE_WORKLOADS):
    """Per workload and way: the guest's page-table stores that trapped and those called out,
    the retranslations (and reversions back to ident), cycles."""
    rows = []
    for w in workloads:
        for way, (technique, adaptive) in WAYS.items():
            report = run(technique, w, adaptive)
            g = report['guests'][0]
            t = report['vmm'].get('translation', {}).get('guest 0', {})
            rows.append({'workload': w, 'way': way,
                         'trapped': g['exits'].get('page_table_write', 0),
                         'called out': g.get('callouts', {}).get('page_table_write', 0),
                         'retranslations': t.get('adaptive retranslations', 0),
                         'reversions': t.get('adaptive reversions', 0),
                         'cycles': report['cycles']['total']})
    return rows


def adaptive_text(rows):
    head = ('workload', 'way', 'PTE stores trapped', 'called out', 'retranslated',
            'reverted', 'cycles')
    body = [(r['workload'] if k % len(WAYS) == 0 else '', r['way'], f"{r['trapped']:,}",
             f"{r['called out']:,}", f"{r['retranslations']:,}", f"{r['reversions']:,}",
             f"{r['cycles']:,}") for k, r in enumerate(rows)]
    return table([head, *body], 'llrrrrr')


def nonvirt_rows(workload='syscall'):
    """The guest on the bare machine, then under trap and bt on RV32 and on the
    non-virtualizable CPU: exit status, console, and whether the console is the bare one."""
    console, status, _ = bare_run(workload)
    rows = [{'run': 'bare machine', 'status': status, 'console': console, 'same': True}]
    for technique in ('trap', 'bt'):
        for variant in (None, 'nonvirt'):
            g = run(technique, workload, variant=variant)['guests'][0]
            rows.append({'run': f"{technique}, {variant or 'RV32'}", 'status': g['exit_status'],
                         'console': g['console'],
                         'same': (g['console'], g['exit_status']) == (console, status)})
    return rows


def nonvirt_text(rows):
    """A line per run; then the console lines any run lost or gained against the bare one."""
    head = ('run', 'exit status', 'console lines', 'console')
    body = [(r['run'], str(r['status']), str(r['console'].count('\n')),
             'as on the bare machine' if r['same'] else 'DIFFERS') for r in rows]
    lines = [table([head, *body], 'lrrl')]
    bare = rows[0]['console'].splitlines()
    for r in rows[1:]:
        if r['same']:
            continue
        lines += ['', f"{r['run']}, against the bare machine:"]
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
                a=bare, b=r['console'].splitlines(), autojunk=False).get_opcodes():
            if tag != 'equal':
                lines += [f'- {x}' for x in bare[i1:i2]]
                lines += [f'+ {x}' for x in r['console'].splitlines()[j1:j2]]
    return '\n'.join(lines)
