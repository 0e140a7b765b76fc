"""Popek & Goldberg's three properties of a VMM, measured on the guest kernel under
trap-and-emulate: **equivalence** (console and exit status bare / emulated / trap-and-emulate),
**resource control** (a guest spinning with interrupts off beside a working one),
**efficiency** (the share of instructions run directly, cycles by event from the cost model,
any cost changeable with ``CostModel().replace(...)``); and what keeping **shadow page
tables** costs each workload.
"""
from __future__ import annotations

import subprocess
import sys
from functools import lru_cache

from ... import guest
from ...hypervisor import CostModel, EVENTS, Hypervisor
from .log import _fmt, vmm_log

__all__ = ['WORKLOADS', 'bare_run', 'emulate_report', 'hv_run', 'equivalence_rows',
           'equivalence_text', 'hv_command', 'resource_control', 'resource_control_text',
           'cycles_by_event', 'efficiency_rows', 'efficiency_text', 'cycles_text',
           'SHADOW_WORKLOADS', 'shadow_rows', 'shadow_text']

#: the workloads the chapter runs (all of them: every one is short)
WORKLOADS = tuple(guest.WORKLOADS)


@lru_cache(maxsize=None)
def bare_run(workload: str):
    """The guest kernel with ``workload`` on the bare machine: (console, exit status,
    instructions)."""
    console, result = guest.run(workload)
    return console, result.exit_status, result.instructions


@lru_cache(maxsize=None)
def emulate_report(workload: str) -> dict:
    """The hypervisor's report for ``workload`` under emulation (technique 1)."""
    return hv_run(workload, 'emulate')


def equivalence_rows(workloads=WORKLOADS) -> list[dict]:
    """Equivalence, measured: each workload's console text and exit status on the bare
    machine, under emulation and under trap-and-emulate."""
    rows = []
    for w in workloads:
        console, status, instructions = bare_run(w)
        em = emulate_report(w)['guests'][0]
        tr = vmm_log(w).report['guests'][0]
        rows.append({'workload': w, 'bare instructions': instructions, 'exit status': status,
                     'console lines': console.count('\n'),
                     'emulate': (em['console'], em['exit_status']) == (console, status),
                     'trap': (tr['console'], tr['exit_status']) == (console, status),
                     'trap exits': vmm_log(w).report['vmm']['traps']})
    return rows


def equivalence_text(rows) -> str:
    lines = [f"{'workload':<10} {'bare: instructions':>18} {'exit':>5} {'lines':>6}   "
             f"{'emulate':<9} {'trap':<9} {'VMM exits (trap)':>16}", '-' * 84]
    for r in rows:
        lines.append(f"{r['workload']:<10} {r['bare instructions']:>18,} {r['exit status']:>5} "
                     f"{r['console lines']:>6}   {_same(r['emulate']):<9} {_same(r['trap']):<9} "
                     f"{r['trap exits']:>16,}")
    same = sum(r['emulate'] and r['trap'] for r in rows)
    lines.append(f'{same} of {len(rows)} workloads print exactly the same text and exit with the '
                 'same status bare, emulated and under trap-and-emulate.')
    return '\n'.join(lines)


def _same(ok):
    return 'same' if ok else 'DIFFERS'


def hv_run(workload: str, technique: str = 'trap', variant: str | None = None,
           **kw) -> dict:
    """One hypervisor run of the guest kernel with ``workload``: its report."""
    return Hypervisor(technique, [guest.program(workload)], variant=variant,
                      workload=workload, **kw).run()


def hv_command(*args) -> str:
    """``python -m vmlib hv ARGS``, run as a learner would: what it prints. (Its exit status
    is the guest's; a usage error -- status 2 -- raises, with the command's message.)"""
    cmd = [sys.executable, '-m', 'vmlib', 'hv', *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode not in (0, 1) or not proc.stdout:
        raise RuntimeError(f'vmlib hv failed (exit {proc.returncode}): '
                           f'{proc.stderr.strip() or proc.stdout[:200]}')
    return proc.stdout


def resource_control(slice_size: int = 5000, max_steps: int = 400_000, every: int = 10,
                     worker: str = 'compute') -> dict:
    """Two guests on one hart under trap-and-emulate: a kernel that disables interrupts and
    spins forever (``miniguest`` 'spin'), and the guest kernel running ``worker``.

    Returns the report, the worker's bare console, and ``progress``: every ``every`` slices,
    the instructions each guest has executed -- the spinner cannot keep the hart, because the
    VMM's own timer (the host's, which no guest can disable) ends every slice."""
    from ...hypervisor import miniguest
    hv = Hypervisor('trap', [miniguest.example('spin'), guest.program(worker)],
                    max_steps=max_steps, slice_size=slice_size,
                    names=['spinner', worker], workload=f'spin + {worker}')
    progress = [(0, 0, 0)]
    while any(vm.alive for vm in hv.vms):
        hv.run(max_turns=every)
        progress.append((hv.turns, *(vm.guest_instructions for vm in hv.vms)))
    return {'report': hv.report(), 'progress': progress, 'worker': worker,
            'bare': bare_run(worker)}


def resource_control_text(rc: dict, rows: int = 6) -> str:
    report, progress = rc['report'], rc['progress']
    spin, work = report['guests']
    done = next(t for t, _, w in progress if w == work['guest_instructions'])
    lines = [f"{'slices':>6}  {'spinner (interrupts off)':>24}  {rc['worker'] + ' guest':>16}",
             '-' * 52]
    step = max(1, len(progress) // rows)
    shown = progress[::step] + ([progress[-1]] if (len(progress) - 1) % step else [])
    for turns, s, w in shown:
        lines.append(f'{turns:>6}  {s:>24,}  {w:>16,}')
    same = (work['console'], work['exit_status']) == rc['bare'][:2]
    lines += ['',
              f"{rc['worker']} guest: {work['reason']}, exit status {work['exit_status']}, "
              f"after {done} slices; its console is "
              f"{'identical to' if same else 'DIFFERENT from'} the bare run's.",
              f"spinner: {spin['reason']} -- {spin['message']}",
              f"VMM: {report['vmm']['exits'].get('timer', 0)} timer exits took the hart back."]
    return '\n'.join(lines)


def cycles_by_event(report: dict, costs: CostModel | None = None) -> dict:
    """The cost model's cycles by event for a run's counts (the report's ``events``: the
    instructions the hardware ran directly are ``guest_instruction``), under ``costs``."""
    return (costs or CostModel()).cycles(report['events'])


def efficiency_rows(workloads=WORKLOADS, costs: CostModel | None = None) -> list[dict]:
    """Efficiency, measured: the share of guest instructions the hardware ran without the
    VMM, and the cost model's cycles under trap-and-emulate against the bare machine."""
    costs = costs or CostModel()
    rows = []
    for w in workloads:
        report = vmm_log(w).report
        g = report['guests'][0]
        cycles = cycles_by_event(report, costs)
        total = sum(cycles.values())
        bare = costs.total({'guest_instruction': bare_run(w)[2]})
        rows.append({'workload': w, 'guest instructions': g['guest_instructions'],
                     'direct': g['direct_instructions'], 'efficiency': report['efficiency'],
                     'exits': report['vmm']['traps'], 'cycles': total, 'bare cycles': bare,
                     'slowdown': total / bare if bare else float('inf'),
                     'by event': cycles})
    return rows


def efficiency_text(rows) -> str:
    lines = [f"{'workload':<10} {'guest instr.':>12} {'direct':>8} {'efficiency':>10} "
             f"{'VMM exits':>9} {'cycles (trap)':>14} {'cycles (bare)':>14} {'slowdown':>9}",
             '-' * 93]
    for r in rows:
        lines.append(f"{r['workload']:<10} {r['guest instructions']:>12,} {r['direct']:>8,} "
                     f"{r['efficiency']:>10.1%} {r['exits']:>9,} {_fmt(r['cycles']):>14} "
                     f"{_fmt(r['bare cycles']):>14} {r['slowdown']:>8.1f}x")
    return '\n'.join(lines)


def cycles_text(rows, costs: CostModel | None = None) -> str:
    """Cycles by event for some workloads side by side (rows of :func:`efficiency_rows`),
    each with its share of the total; events no workload used are left out."""
    costs = costs or CostModel()
    defaults = CostModel()
    used = [e for e in EVENTS if any(r['by event'][e] for r in rows)]
    head = f"{'event':<20} {'cost':>6}  " + ''.join(f"{r['workload']:>22}" for r in rows)
    lines = [head, '-' * len(head)]
    for e in used:
        cost = getattr(costs, e)
        mark = '*' if cost != getattr(defaults, e) else ' '
        cells = ''.join(f"{_fmt(r['by event'][e]):>14} {r['by event'][e] / r['cycles']:>6.1%} "
                        for r in rows)
        lines.append(f'{e:<20} {_fmt(cost):>5}{mark}  {cells}')
    lines.append(f"{'total':<20} {'':>6}  " + ''.join(f"{_fmt(r['cycles']):>14} {'':>7}"
                                                      for r in rows))
    if any(getattr(costs, e) != getattr(defaults, e) for e in EVENTS):
        lines.append('* changed from the default')
    return '\n'.join(lines)


SHADOW_WORKLOADS = ('compute', 'pgfault', 'ptemod', 'forkwait')


def shadow_rows(workloads=SHADOW_WORKLOADS) -> list[dict]:
    """What keeping shadow page tables cost each workload under trap-and-emulate."""
    rows = []
    for w in workloads:
        log = vmm_log(w)
        r = log.report
        cycles = cycles_by_event(r)
        total = sum(cycles.values())
        shadow = sum(cycles[e] for e in ('shadow_fill', 'shadow_update', 'page_walk_step'))
        exits = r['vmm']['exits']
        rows.append({'workload': w, 'hidden page faults': exits.get('hidden_page_fault', 0),
                     'page-table writes': exits.get('page_table_write', 0),
                     'guest page faults': sum(1 for e in log.exits
                                              if e.reason == 'guest_exception'
                                              and e.cause in (12, 13, 15)),
                     'shadow fills': r['events']['shadow_fill'],
                     'shadow updates': r['events']['shadow_update'],
                     'share of cycles': shadow / total if total else 0.0})
    return rows


def shadow_text(rows) -> str:
    cols = [('hidden page faults', 'hidden faults'), ('shadow fills', 'fills'),
            ('guest page faults', 'guest faults'), ('page-table writes', 'PT writes'),
            ('shadow updates', 'updates'), ('share of cycles', 'share of cycles')]
    head = f"{'workload':<10}" + ''.join(f'{short:>16}' for _, short in cols)
    lines = [head, '-' * len(head)]
    for r in rows:
        lines.append(f"{r['workload']:<10}" + ''.join(
            f'{r[c]:>16.1%}' if c == 'share of cycles' else f'{r[c]:>16,}' for c, _ in cols))
    lines += ['hidden faults: the VMM filled a shadow entry (fills); guest faults: page faults the '
              'guest itself takes,',
              'reflected to its kernel; PT writes: stores to a guest page table, trapped and '
              'emulated (updates).']
    return '\n'.join(lines)
