"""The translation cache filling as the guest runs.

A run under bt with a watcher on the kernel's translation cache (``Translator.on_change``, told
at each block made or dropped) that notes, at each change, how far the guest is and what the
cache holds. Translation is paid when code first runs: the curve climbs while the kernel boots
and its paths are first taken, then flattens -- unless something keeps dropping blocks
(adaptive retranslation flipping one store back and forth, in ``forkwait``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ...hypervisor import Hypervisor
from ...hypervisor.hypervisor import guest_kernel
from ..text import table

__all__ = ['CachePoint', 'CacheHistory', 'cache_history', 'filling_rows', 'filling_text',
           'FILLING_WORKLOADS']

#: the workloads the chapter watches: a boot then a steady state, and a churn of processes
FILLING_WORKLOADS = ('demo', 'syscall', 'forkwait', 'ptemod', 'compute')


class CachePoint(NamedTuple):
    """The guest and its translation cache at one change of the cache."""
    guest: int                  # guest instructions retired
    translated_run: int         # ... of which kernel instructions run from the cache
    direct: int                 # ... of which user instructions run directly
    callouts: int               # ... of which done by the VMM (callouts)
    blocks: int                 # blocks translated so far
    instructions: int           # guest instructions translated so far
    live: int                   # blocks in the cache now


@dataclass(frozen=True)
class CacheHistory:
    """A run's cache changes (``points``, in order) and how the run ended (``end``)."""
    workload: str
    points: tuple
    end: CachePoint

    def at(self, guest: int) -> CachePoint:
        """The last change of the cache by guest instruction ``guest`` (the end if past it);
        what the cache holds is exact there, the guest's own counts are those of the change."""
        if guest >= self.end.guest:
            return self.end
        last = CachePoint(0, 0, 0, 0, 0, 0, 0)
        for p in self.points:
            if p.guest > guest:
                break
            last = p
        return last


@lru_cache(maxsize=None)
def cache_history(workload='demo') -> CacheHistory:
    """Run ``workload`` under bt, noting the translation cache at each of its changes."""
    program, devices = guest_kernel(workload, 'bt')
    hv = Hypervisor('bt', [program], workload=workload, devices=devices)
    bt, vm = hv.technique, hv.vms[0]
    tc = bt.translator(vm)
    points = []

    def note(t):
        kernel, direct = bt.translated_run[vm.index], vm.direct_instructions
        if bt.run_start is not None:            # (the current run, not counted yet)
            kernel += (t.hart.instret - bt.run_start) * bt.in_kernel
            direct += t.hart.instret - bt.run_start
        points.append(CachePoint(bt.retired(vm), kernel, direct - kernel,
                                 sum(vm.callouts.values()),
                                 t.translated, t.instructions_translated, len(t.info)))
    tc.on_change = note
    report = hv.run()
    g, t = report['guests'][0], report['vmm']['translation']['guest 0']
    kernel = t['instructions run translated']
    end = CachePoint(g['guest_instructions'], kernel, g['direct_instructions'] - kernel,
                     sum(g['callouts'].values()), t['blocks translated'],
                     t['instructions translated'], t['blocks in cache'])
    return CacheHistory(workload, tuple(points), end)


def _marks(total):
    """1, 2, 5 times the powers of ten from 1,000 below ``total``, then ``total``."""
    marks, scale = [], 1000
    while True:
        for m in (scale, 2 * scale, 5 * scale):
            if m >= total:
                return marks + [total]
            marks.append(m)
        scale *= 10


def filling_rows(workload='demo', marks=None):
    """``[(mark, point)]``: the cache by guest instruction ``mark`` (default: 1,000, 2,000,
    5,000... and the end)."""
    h = cache_history(workload)
    return [(m, h.at(m)) for m in (marks or _marks(h.end.guest))]


def filling_text(rows):
    """A line per mark: what the translator had done by then."""
    head = ('by guest instr', 'blocks translated', 'instrs translated', 'new since above',
            'blocks in cache')
    body, before = [], 0
    for mark, p in rows:
        body.append((f'{mark:,}', f'{p.blocks:,}', f'{p.instructions:,}',
                     f'+{p.instructions - before:,}', f'{p.live:,}'))
        before = p.instructions
    return table([head, *body], 'rrrrr')
