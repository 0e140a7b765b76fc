"""Popek & Goldberg's first two properties of a VMM, measured on the guest kernel under
trap-and-emulate: **equivalence** (console and exit status bare / emulated /
trap-and-emulate) and **resource control** (a guest spinning with interrupts off beside a
working one). The third, **efficiency**, and what the cycles go to, are in ``costs.py``.
"""
from __future__ import annotations

import subprocess
import sys
from functools import lru_cache

from ... import guest
from ...hypervisor import Hypervisor
from ..text import fit
from .log import ENGINE, vmm_log

__all__ = ['WORKLOADS', 'bare_run', 'emulate_report', 'hv_run', 'equivalence_rows',
           'equivalence_text', 'hv_command', 'resource_control', 'resource_control_text']

#: the workloads the chapter runs (all of them: every one is short)
WORKLOADS = tuple(guest.WORKLOADS)


@lru_cache(maxsize=None)
def bare_run(workload: str):
    """The guest kernel with ``workload`` on the bare machine: (console, exit status,
    instructions)."""
    console, result = guest.run(workload, engine=ENGINE)
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
    return fit('\n'.join(lines))


def _same(ok):
    return 'same' if ok else 'DIFFERS'


def hv_run(workload: str, technique: str = 'trap', variant: str | None = None,
           **kw) -> dict:
    """One hypervisor run of the guest kernel with ``workload``: its report."""
    kw.setdefault('engine', ENGINE)
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


def resource_control(slice_size: int = 100_000, max_steps: int = 3_000_000, every: int = 5,
                     worker: str = 'compute') -> dict:
    """Two guests on one hart under trap-and-emulate: a kernel that disables interrupts and
    spins forever (``miniguest`` 'spin'), and the guest kernel running ``worker``.

    Returns the report, the worker's bare console, and ``progress``: every ``every`` slices,
    the instructions each guest has executed -- the spinner cannot keep the hart, because the
    VMM's own timer (the host's, which no guest can disable) ends every slice."""
    from ...hypervisor import miniguest
    hv = Hypervisor('trap', [miniguest.example('spin'), guest.program(worker)],
                    max_steps=max_steps, slice_size=slice_size, engine=ENGINE,
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
    return fit('\n'.join(lines))
