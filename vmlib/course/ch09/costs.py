"""What trap-and-emulate costs, and what for: Popek & Goldberg's efficiency, measured.

Every workload runs under trap-and-emulate (its report: ``log.vmm_log(w).report``) and on the
bare machine (``properties.bare_run``); the cost model (``vmlib.hypervisor.costs``) prices the
events counted, under default costs or any ``CostModel().replace(...)``. Three views:

- :func:`efficiency_rows`: the share of instructions run directly, the cycles against the bare
  machine's, the **slowdown** of the whole run and its **steady-state** slowdown: the run
  apart from start-up (the boot, up to the first process: ``guest.boot_length``), which a
  short run pays in full and a long one not at all;
- :func:`causes_text` / :func:`cause_detail_text`: where the cycles go, **by cause**
  (``vmlib.hypervisor.vm.CauseLedger``): the instructions run directly, and the VMM's work
  for boot, the console, the timer, the page tables and the workload itself;
- :func:`exit_cost_text`, :func:`cost_sources_text`: what one exit costs, and where each
  number comes from.

The bare machine is charged its instructions (one cycle each): the work a trap does there
-- saving registers, dispatching -- is instructions of the guest's own kernel and firmware.
"""
from __future__ import annotations

import textwrap

from ... import guest
from ...hypervisor import CostModel, EVENTS
from ...hypervisor.costs import SOURCES
from ...hypervisor.vm import CAUSES
from .log import _fmt, vmm_log
from .properties import WORKLOADS, bare_run

__all__ = ['cycles_by_event', 'efficiency_rows', 'efficiency_text', 'cycles_text',
           'causes_text', 'cause_detail_text', 'exit_cost_text', 'cost_sources_text',
           'SHADOW_WORKLOADS', 'shadow_rows', 'shadow_text']

def cycles_by_event(report: dict, costs: CostModel | None = None) -> dict:
    """The cost model's cycles by event for a run's counts (the report's ``events``: the
    instructions the hardware ran directly are ``guest_instruction``), under ``costs``."""
    return (costs or CostModel()).cycles(report['events'])


def _split(events, costs):
    """(cycles of the directly run instructions, cycles of the VMM's work) of some events."""
    direct = costs.total({'guest_instruction': events.get('guest_instruction', 0)})
    return direct, costs.total(events) - direct


def efficiency_rows(workloads=WORKLOADS, costs: CostModel | None = None) -> list[dict]:
    """Efficiency, measured: the share of guest instructions the hardware ran without the
    VMM, and the cost model's cycles under trap-and-emulate against the bare machine, for
    the whole run and apart from start-up (``steady``), and by cause (``by cause``: cause ->
    ``{'exits', 'direct', 'vmm'}``, cycles of the instructions run directly and of the VMM's
    work)."""
    costs = costs or CostModel()
    rows = []
    for w in workloads:
        report = vmm_log(w).report
        g = report['guests'][0]
        cycles = cycles_by_event(report, costs)
        total = sum(cycles.values())
        bare = costs.total({'guest_instruction': bare_run(w)[2]})
        bare_boot = costs.total({'guest_instruction': guest.boot_length(w)})
        by_cause = {}
        for cause in CAUSES:
            part = report['by_cause'][cause]
            direct, vmm = _split(part['events'], costs)
            by_cause[cause] = {'exits': part['exits'], 'direct': direct, 'vmm': vmm}
        steady = total - by_cause['boot']['direct'] - by_cause['boot']['vmm']
        rows.append({'workload': w, 'guest instructions': g['guest_instructions'],
                     'direct': g['direct_instructions'], 'efficiency': report['efficiency'],
                     'exits': report['vmm']['traps'], 'cycles': total, 'bare cycles': bare,
                     'slowdown': total / bare if bare else float('inf'),
                     'steady cycles': steady, 'bare steady cycles': bare - bare_boot,
                     'steady': steady / (bare - bare_boot),
                     'by event': cycles, 'by cause': by_cause})
    return rows


def efficiency_text(rows) -> str:
    """The rows as a table narrow enough for a slide: the share run directly, the exits,
    the cycles and the slowdowns."""
    lines = [f"{'workload':<10}{'direct':>8}{'exits':>7}{'cycles (trap)':>15}"
             f"{'cycles (bare)':>15}{'slowdown':>9}{'steady':>8}", '-' * 72]
    for r in rows:
        lines.append(f"{r['workload']:<10}{r['efficiency']:>8.1%}{r['exits']:>7,}"
                     f"{_fmt(r['cycles']):>15}{_fmt(r['bare cycles']):>15}"
                     f"{r['slowdown']:>8.2f}x{r['steady']:>7.2f}x")
    lines += ['direct: the share of guest instructions run without the VMM;',
              'slowdown: the whole run against the bare machine;',
              'steady: the same apart from start-up (the boot, up to the first process)']
    return '\n'.join(lines)


def causes_text(rows) -> str:
    """Where each workload's cycles under trap-and-emulate go: the instructions run directly,
    then the VMM's work by cause, as shares of the run's cycles."""
    widths = [max(len(c), 6) + 2 for c in CAUSES]
    head = f"{'workload':<10}{'direct':>8}" + ''.join(f'{c:>{w}}' for c, w in zip(CAUSES, widths))
    lines = [f"{'':<18}{'the VMM, by cause':^{sum(widths)}}", head, '-' * len(head)]
    for r in rows:
        direct = sum(part['direct'] for part in r['by cause'].values())
        lines.append(f"{r['workload']:<10}{direct / r['cycles']:>8.1%}" + ''.join(
            f"{r['by cause'][c]['vmm'] / r['cycles']:>{w}.1%}" for c, w in zip(CAUSES, widths)))
    lines.append('direct: the instructions the guest ran itself; the rest: the VMM\'s work')
    return '\n'.join(lines)


def cause_detail_text(row) -> str:
    """One workload's cycles by cause: exits, cycles of the VMM's work and of the instructions
    run directly, against the bare machine apart from start-up."""
    lines = [f"{row['workload']}: {_fmt(row['cycles'])} cycles under trap-and-emulate",
             f"{'cause':<12} {'exits':>7} {'VMM cycles':>11} {'direct':>11}", '-' * 44]
    for c in CAUSES:
        part = row['by cause'][c]
        lines.append(f"{c:<12} {part['exits']:>7,} {_fmt(part['vmm']):>11} "
                     f"{_fmt(part['direct']):>11}")
    lines.append(f"apart from start-up: {_fmt(row['steady cycles'])} cycles, bare "
                 f"{_fmt(row['bare steady cycles'])}: {row['steady']:.2f}x")
    return '\n'.join(lines)


def exit_cost_text(costs: CostModel | None = None) -> str:
    """What one exit of trap-and-emulate costs in the model, against a hardware VM exit."""
    costs = costs or CostModel()
    one = costs.trap + costs.csr_emulation + costs.trap_return
    return '\n'.join([
        f'one privileged instruction under trap-and-emulate: {_fmt(one)} cycles (bare: 1)',
        f'  trap {_fmt(costs.trap)} + csr_emulation {_fmt(costs.csr_emulation)} + trap_return '
        f'{_fmt(costs.trap_return)}',
        f'a hardware VM exit and entry instead (chapter 12): '
        f'{_fmt(costs.vm_exit + costs.vm_entry)} cycles',
        f'  vm_exit {_fmt(costs.vm_exit)} + vm_entry {_fmt(costs.vm_entry)}'])


def cost_sources_text(events=('trap', 'vm_exit', 'csr_emulation')) -> str:
    """Where the model's figures come from (``vmlib.hypervisor.costs.SOURCES``), wrapped."""
    lines = []
    for name in events:
        lines += textwrap.wrap(f'{name}: {SOURCES[name]}', 92, subsequent_indent='  ')
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
    """What keeping shadow page tables costs each workload under trap-and-emulate once it
    has booted: the exits and events of the *page tables* cause, and its share of the run's
    cycles (as in :func:`causes_text`)."""
    costs = CostModel()
    rows = []
    for w in workloads:
        log = vmm_log(w)
        r = log.report
        part = r['guests'][0]['by_cause']['page tables']
        total = r['cycles']['total']
        rows.append({'workload': w,
                     'hidden page faults': part['exits'].get('hidden_page_fault', 0),
                     'page-table writes': part['exits'].get('page_table_write', 0),
                     'guest page faults': sum(1 for e in log.exits
                                              if e.reason == 'guest_exception'
                                              and e.cause in (12, 13, 15)),
                     'shadow fills': part['events'].get('shadow_fill', 0),
                     'shadow updates': part['events'].get('shadow_update', 0),
                     'share of cycles': costs.total(part['events']) / total if total else 0.0})
    return rows


def shadow_text(rows) -> str:
    cols = [('hidden page faults', 'hidden faults'), ('shadow fills', 'fills'),
            ('guest page faults', 'guest faults'), ('page-table writes', 'PT writes'),
            ('shadow updates', 'updates'), ('share of cycles', 'share')]
    head = f"{'workload':<9}" + ''.join(f'{short:>{len(short) + 2}}' for _, short in cols)
    lines = [head, '-' * len(head)]
    for r in rows:
        lines.append(f"{r['workload']:<9}" + ''.join(
            f'{r[c]:>{len(short) + 2}.1%}' if c == 'share of cycles' else
            f'{r[c]:>{len(short) + 2},}' for c, short in cols))
    lines += ['After start-up. hidden faults: the VMM filled a shadow entry (fills);',
              'guest faults: the guest\'s own page faults, reflected to its kernel;',
              'PT writes: stores to a guest page table, trapped and emulated (updates);',
              'share: the cycles of these exits in the run (the "page tables" cause).']
    return '\n'.join(lines)
