"""Chapter 15's measurements: the one guest kernel, every way, on every workload.

Each way runs each workload once (``measure``, cached) and keeps its *counts* -- instructions,
exits, callouts, every cost-model event. Cycles are those counts priced by a ``CostModel``
(``cycles``): the prices are the learner's to change, the counts are the mechanisms' own. So
the sliders of ``vmlib.viz.side_by_side`` re-price without re-running anything, and where a
winner changes is found exactly (``crossovers``: every way's cycles are a straight line in any
one cost).

The kernels are the plain build with the SBI debug console (one SBI call per write, not per
byte: chapter 12), so that printing -- the same few lines under every technique -- does not
swamp the microbenchmarks; ``pv`` runs its own port, whose console is paravirtual. The bare
machine runs the same build, charged one cycle an instruction.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ... import guest
from ...hypervisor import CostModel, Hypervisor
from ..text import table

__all__ = ['WAYS', 'CONTENDERS', 'WORKLOADS', 'Measure', 'measure', 'cycles', 'winner',
           'winners', 'rows', 'table_text', 'top_events', 'KNOBS', 'knob_value', 'with_knob', 'crossovers',
           'crossover_text']

#: the ways of running the guest kernel: name -> (technique, nested paging), None: bare
WAYS = {'bare': None, 'emulate': ('emulate', True), 'trap': ('trap', True),
        'bt': ('bt', True), 'pv': ('pv', True), 'hw': ('hw', True),
        'hw, no nested paging': ('hw', False)}
#: the ways a hypervisor can pick between (all but the bare machine)
CONTENDERS = tuple(WAYS)[1:]
WORKLOADS = tuple(guest.ALL_WORKLOADS)


@dataclass(frozen=True)
class Measure:
    """One run's counts: ``events`` (cost-model event -> count), ``exits`` and ``callouts``
    (by kind), guest ``instructions`` and those run ``direct`` (without the VMM), and what
    the guest printed and its exit status."""
    way: str
    workload: str
    events: dict
    exits: dict
    callouts: dict
    instructions: int
    direct: int
    console: str
    exit_status: int | None

    @property
    def efficiency(self):
        return self.direct / self.instructions if self.instructions else 0.0


@lru_cache(maxsize=None)
def measure(way: str, workload: str) -> Measure:
    """``workload`` run ``way`` (a key of ``WAYS``), cached."""
    if way == 'bare':
        console, result = guest.run(workload, dbcn=True)
        n = result.instructions
        return Measure(way, workload, {'guest_instruction': n}, {}, {}, n, n, console,
                       result.exit_status)
    technique, nested = WAYS[way]
    pv = technique == 'pv'
    program = guest.program(workload, pv=True) if pv else guest.program(workload, dbcn=True)
    devices = guest.devices if pv or workload in guest.VIRTIO_WORKLOADS else None
    report = Hypervisor(technique, [program], workload=workload, devices=devices,
                        nested_paging=nested).run()
    g = report['guests'][0]
    return Measure(way, workload, {e: n for e, n in report['events'].items() if n},
                   g['exits'], g.get('callouts', {}), g['guest_instructions'],
                   g['direct_instructions'], g['console'], g['exit_status'])


def cycles(way: str, workload: str, costs: CostModel | None = None):
    """The cost model's cycles for one run (default costs unless ``costs``)."""
    return (costs or CostModel()).total(measure(way, workload).events)


def winner(workload: str, costs: CostModel | None = None, ways=CONTENDERS) -> str:
    """The way among ``ways`` that runs ``workload`` in the fewest cycles."""
    return min(ways, key=lambda w: (cycles(w, workload, costs), ways.index(w)))


def winners(costs: CostModel | None = None, workloads=WORKLOADS) -> dict:
    """{workload: its winner among the contenders}."""
    return {w: winner(w, costs) for w in workloads}


def rows(costs: CostModel | None = None, workloads=WORKLOADS) -> list[dict]:
    """A row per workload: each way's cycles, exits (callouts apart) and efficiency, and
    the winner."""
    out = []
    for w in workloads:
        row = {'workload': w, 'winner': winner(w, costs)}
        for way in WAYS:
            m = measure(way, w)
            row[way] = {'cycles': cycles(way, w, costs), 'exits': sum(m.exits.values()),
                        'callouts': sum(m.callouts.values()), 'efficiency': m.efficiency}
        out.append(row)
    return out


def top_events(way: str, workload: str, n: int = 3, costs: CostModel | None = None):
    """The ``n`` events that cost one run the most cycles: ``[(event, cycles), ...]``."""
    by = (costs or CostModel()).cycles(measure(way, workload).events)
    return sorted(((e, c) for e, c in by.items() if c), key=lambda ec: (ec[1], ec[0]),
                  reverse=True)[:n]


SHORT = {'bare': 'bare', 'emulate': 'emulate', 'trap': 'trap', 'bt': 'bt', 'pv': 'pv',
         'hw': 'hw', 'hw, no nested paging': 'hw-noNP'}


def table_text(what: str = 'cycles', costs: CostModel | None = None,
               workloads=WORKLOADS) -> str:
    """The table, one workload a line, a column per way: ``what`` is ``'cycles'`` (in
    thousands, the winner starred), ``'slowdown'`` (cycles / the bare machine's),
    ``'exits'`` or ``'efficiency'``."""
    if what not in ('cycles', 'slowdown', 'exits', 'efficiency'):
        raise ValueError(f'what: cycles, slowdown, exits or efficiency, not {what!r}')
    head = ['workload', *(SHORT[w] for w in WAYS)]
    body = []
    for r in rows(costs, workloads):
        cells = []
        for way in WAYS:
            v = r[way]
            if what == 'cycles':
                cells.append(f'{v["cycles"] / 1000:,.0f}' + ('*' if way == r['winner'] else ''))
            elif what == 'slowdown':
                cells.append(f'{v["cycles"] / r["bare"]["cycles"]:.2f}x')
            elif what == 'exits':
                cells.append(f'{v["exits"]:,}' if way != 'bare' else '-')
            else:
                cells.append(f'{v["efficiency"]:.1%}')
        body.append((r['workload'], *cells))
    return table([head] + body, 'l' + 'r' * len(WAYS))


#: the costs the chapter's sliders move: name -> the events it prices (split evenly)
KNOBS = {'VM exit + entry': ('vm_exit', 'vm_entry'), 'trap + return': ('trap', 'trap_return'),
         'callout': ('callout',), 'cache lookup': ('tc_lookup',),
         'translation': ('translation',), 'device access': ('device_access',),
         'shadow update': ('shadow_update',)}


def knob_value(knob: str, costs: CostModel | None = None):
    """What the slider ``knob`` shows under ``costs``: the sum of its events' costs."""
    costs = costs or CostModel()
    return sum(costs.cost(e) for e in KNOBS[knob])


def with_knob(knob: str, value, costs: CostModel | None = None) -> CostModel:
    """``costs`` with ``knob`` set to ``value`` cycles (split evenly between its events)."""
    events = KNOBS[knob]
    return (costs or CostModel()).replace(**{e: value / len(events) for e in events})


def crossovers(workload: str, knob: str, costs: CostModel | None = None, top: float = 10_000,
               ways=CONTENDERS) -> list[tuple]:
    """Where ``workload``'s winner changes as ``knob`` (a key of ``KNOBS``) goes from 0 to
    ``top`` cycles, the other costs held: ``[(from value, winner), ...]``, exact: each way's
    cycles are a straight line in the knob (``fixed + count x value``), the winner the lowest
    line, so the changes are where two lines cross."""
    costs = costs or CostModel()
    events = KNOBS[knob]
    lines = {w: (cycles(w, workload, with_knob(knob, 0, costs)),
                 sum(measure(w, workload).events.get(e, 0) for e in events) / len(events))
             for w in ways}

    def best(value):
        return min(ways, key=lambda w: (lines[w][0] + lines[w][1] * value, ways.index(w)))
    points = {0.0}
    for a in ways:
        for b in ways:
            (fa, na), (fb, nb) = lines[a], lines[b]
            if na != nb and 0 < (fb - fa) / (na - nb) < top:
                points.add((fb - fa) / (na - nb))
    out = []
    for value in sorted(points):
        w = best(value + 1e-6)
        if not out or out[-1][1] != w:
            out.append((value, w))
    return out


def crossover_text(workload: str, knob: str, costs: CostModel | None = None,
                   top: float = 10_000) -> str:
    """``crossovers`` in words, one line a range of the knob."""
    cuts = crossovers(workload, knob, costs, top)
    lines = []
    for i, (value, w) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else top
        lines.append(f'{knob} from {value:>7,.0f} to {end:>7,.0f} cycles: {w} wins {workload}')
    return '\n'.join(lines)
