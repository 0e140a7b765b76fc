"""Chapter 13's measurements: shadow page tables against nested paging, with a bounded TLB.

Three ways to virtualize a guest's memory on the course machine, each measured with the TLB
model (``vmlib.machine.tlb``) so that walks cost what their references cost:

- ``shadow (trap)``: chapter 09's trap-and-emulate, the VMM's shadow tables in the host satp;
- ``shadow (hw)``: hardware assistance without nested paging (chapter 12's first generation):
  the same shadow code, the tables in ``vsatp``;
- ``nested (hw)``: the G-stage (``hgatp``, Sv32x4): the guest's tables are its own, every TLB
  miss walks both dimensions.

Numbers are the hypervisor's report: exits counted, TLB hits and misses and walk references
counted by the model, cycles from the cost model -- a model of where the time goes.
"""

from __future__ import annotations

from functools import lru_cache

from ...hypervisor.hypervisor import run as hv_run
from ..ch12.compare import PAGING_EXITS
from ..text import table

__all__ = ['WAYS', 'WORKLOADS', 'TLB_SIZES', 'measure', 'paging_rows', 'paging_text',
           'tlb_rows', 'tlb_text', 'PAGING_EXITS']

#: name -> (technique, nested paging)
WAYS = {'shadow (trap)': ('trap', True), 'shadow (hw)': ('hw', False),
        'nested (hw)': ('hw', True)}
WORKLOADS = ('pgfault', 'ptemod', 'forkwait', 'compute', 'tlb')
TLB_SIZES = (8, 16, 32, 48, 64, 96, 128)


@lru_cache(maxsize=None)
def measure(way, workload, tlb_entries=64):
    """One run (cached): its exits, the memory ones, TLB misses, walk references, cycles."""
    technique, nested = WAYS[way]
    report = hv_run(workload, technique, nested_paging=nested, tlb_entries=tlb_entries)
    g = report['guests'][0]
    exits = g['exits']
    return {'exits': sum(exits.values()),
            'paging exits': sum(n for r, n in exits.items() if r in PAGING_EXITS),
            'misses': report['tlb']['misses'], 'references': report['tlb']['walk_references'],
            'cycles': report['cycles']['total'], 'console': g['console']}


def paging_rows(workloads=WORKLOADS, tlb_entries=64):
    """Per workload and way: the figures of ``measure``."""
    return [{'workload': w, **{way: measure(way, w, tlb_entries) for way in WAYS}}
            for w in workloads]


def paging_text(rows):
    """A block per workload: a line per way."""
    head = ('workload', 'way', 'exits', 'of which paging', 'TLB misses', 'walk refs',
            'refs/miss', 'cycles')
    body = []
    for r in rows:
        for k, way in enumerate(WAYS):
            m = r[way]
            body.append((r['workload'] if k == 0 else '', way, f"{m['exits']:,}",
                         f"{m['paging exits']:,}", f"{m['misses']:,}", f"{m['references']:,}",
                         f"{m['references'] / m['misses']:.1f}" if m['misses'] else '-',
                         f"{m['cycles']:,}"))
    return table([head, *body], 'llrrrrrr')


def tlb_rows(workload='tlb', sizes=TLB_SIZES):
    """Per TLB size: shadow (hw) and nested (hw) misses, references and cycles."""
    return [{'entries': n, **{way: measure(way, workload, n)
                              for way in ('shadow (hw)', 'nested (hw)')}} for n in sizes]


def tlb_text(rows):
    head = ('TLB entries', 'misses shadow', 'nested', 'cycles shadow', 'nested', 'cheaper')
    body = []
    for r in rows:
        s, n = r['shadow (hw)'], r['nested (hw)']
        body.append((str(r['entries']), f"{s['misses']:,}", f"{n['misses']:,}",
                     f"{s['cycles']:,}", f"{n['cycles']:,}",
                     'nested' if n['cycles'] < s['cycles'] else 'shadow'))
    return table([head, *body], 'rrrrrl')
