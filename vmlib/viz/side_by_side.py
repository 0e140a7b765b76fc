"""Chapter 15: the cost sliders -- move a price, watch which technique wins which workload.

:class:`CostSliders` -- a slider per cost (``vmlib.course.ch15.KNOBS``: a hardware exit and
entry, a classic trap and its return, a callout, a cache lookup, a translated instruction, a
device access, a shadow update) and a choice of contest (every technique, or Adams & Agesen's
two VMMs). The table shows, per workload, each contender's cycles and the winner; a winner
that differs from the default costs' is marked. Nothing re-runs: the counts are measured once
(``vmlib.course.ch15.measure``) and re-priced (``cycles``).

CSS classes for tests: ``vm-sbs`` (the widget), ``vm-sbs-knob`` (each slider, with
``vm-sbs-knob-<n>`` its position in ``KNOBS``), ``vm-sbs-contest``, ``vm-sbs-reset``,
``vm-sbs-table``, ``vm-sbs-row`` (``data-workload``, ``data-winner``, ``data-changed``).
"""

from __future__ import annotations

import html

from ..course.ch15.compare import (CONTENDERS, SHORT, WORKLOADS, cycles, knob_value, measure,
                                   winner, with_knob)
from ..course.text import table
from ..hypervisor import CostModel
from ._course_common import new_figure

COLOURS = {'trap': '#9e9e9e', 'bt': '#d1495b', 'pv': '#edae49', 'hw': '#00798c',
           'hw, no nested paging': '#30638e'}

#: what the sliders reach: knob -> (top, step)
RANGES = {'VM exit + entry': (8000, 50), 'trap + return': (2000, 10), 'callout': (1000, 10),
          'cache lookup': (400, 5), 'translation': (1000, 10), 'device access': (2000, 10),
          'shadow update': (3000, 25)}
#: the contests: name -> the ways that compete
CONTESTS = {'every technique': CONTENDERS,
            'Adams & Agesen 2006: bt vs hw-noNP': ('bt', 'hw, no nested paging')}


def costs_from(values: dict, base: CostModel | None = None) -> CostModel:
    """The cost model with each knob of ``values`` (knob -> cycles) set."""
    costs = base or CostModel()
    for knob, value in values.items():
        costs = with_knob(knob, value, costs)
    return costs


def draw_slowdowns(costs: CostModel | None = None, workloads=WORKLOADS):
    """Per workload, each technique's cycles over the bare machine's (left) and its exits
    (right), both on log scales; emulation (40x and more everywhere, no exits) left out."""
    import numpy as np
    fig = new_figure(8.4, 5.6)
    fig.set_layout_engine('constrained')
    left, right = fig.subplots(1, 2, sharey=True, width_ratios=(1.2, 1))
    y = np.arange(len(workloads))
    height = 0.8 / len(COLOURS)
    for k, way in enumerate(COLOURS):
        offset = y + (k - (len(COLOURS) - 1) / 2) * height
        slow = [cycles(way, w, costs) / cycles('bare', w, costs) for w in workloads]
        exits = [max(1, sum(measure(way, w).exits.values())) for w in workloads]
        left.barh(offset, slow, height, color=COLOURS[way], label=SHORT[way])
        right.barh(offset, exits, height, color=COLOURS[way])
    left.set_xscale('log')
    left.axvline(1, color='black', linewidth=0.8)
    left.set_yticks(y, workloads, fontsize=11)
    left.invert_yaxis()
    left.set_xlabel('cycles / bare machine', fontsize=11)
    right.set_xscale('log')
    right.set_xlabel('exits', fontsize=11)
    for ax in (left, right):
        ax.tick_params(axis='x', labelsize=10)
    fig.suptitle('the same kernel, five ways (cost model; log scales)', fontsize=12)
    fig.legend(fontsize=10, ncols=5, loc='outside lower center', frameon=False)
    return fig


def standings(costs: CostModel, ways=CONTENDERS, workloads=WORKLOADS) -> list[dict]:
    """Per workload: each way's cycles under ``costs``, its winner, and the winner under the
    default costs."""
    out = []
    for w in workloads:
        out.append({'workload': w, 'cycles': {way: cycles(way, w, costs) for way in ways},
                    'winner': winner(w, costs, ways), 'default': winner(w, None, ways)})
    return out


def standings_text(rows) -> str:
    """The standings as text (thousands of cycles; the winner starred, a changed one marked)."""
    ways = list(rows[0]['cycles'])
    head = ['workload', *(SHORT[w] for w in ways), 'winner']
    body = []
    for r in rows:
        cells = [f'{r["cycles"][w] / 1000:,.0f}' + ('*' if w == r['winner'] else '')
                 for w in ways]
        changed = '' if r['winner'] == r['default'] else f' (was {SHORT[r["default"]]})'
        body.append((r['workload'], *cells, SHORT[r['winner']] + changed))
    return table([head] + body, 'l' + 'r' * len(ways) + 'l')


def standings_html(rows) -> str:
    ways = list(rows[0]['cycles'])
    head = ''.join(f"<th style='padding:1px 8px'>{html.escape(SHORT[w])}</th>" for w in ways)
    lines = [f"<tr><th style='text-align:left'>workload</th>{head}"
             "<th style='text-align:left; padding-left:8px'>winner</th></tr>"]
    for r in rows:
        changed = r['winner'] != r['default']
        cells = ''.join(
            f"<td style='text-align:right; padding:1px 8px;"
            f"{' font-weight:bold; background:#d8f0d8' if w == r['winner'] else ''}'>"
            f"{r['cycles'][w] / 1000:,.0f}k</td>" for w in ways)
        note = f" <i>(was {html.escape(SHORT[r['default']])})</i>" if changed else ''
        lines.append(
            f"<tr class='vm-sbs-row' data-workload='{r['workload']}' data-winner="
            f"'{html.escape(r['winner'])}' data-changed='{str(changed).lower()}'>"
            f"<td>{r['workload']}</td>{cells}<td style='padding-left:8px'>"
            f"{html.escape(SHORT[r['winner']])}{note}</td></tr>")
    return ("<table class='vm-sbs-table' style='font-size:13px; border-collapse:collapse'>"
            + ''.join(lines) + '</table>')


class CostSliders:
    """The chapter's cost sliders over every workload's measured counts."""

    def __init__(self, contest='every technique'):
        import ipywidgets as w
        from ._course_common import live_box
        self.sliders = {}
        for i, (knob, (top, step)) in enumerate(RANGES.items()):
            s = w.IntSlider(value=knob_value(knob), min=0, max=top, step=step,
                            description=knob, continuous_update=False,
                            style={'description_width': '110px'},
                            layout=w.Layout(width='400px'))
            s.add_class('vm-sbs-knob')
            s.add_class(f'vm-sbs-knob-{i}')
            s.observe(lambda change: self.show(), names='value')
            self.sliders[knob] = s
        self.contest = w.Dropdown(options=list(CONTESTS), value=contest, description='contest',
                                  layout=w.Layout(width='400px'))
        self.contest.add_class('vm-sbs-contest')
        self.contest.observe(lambda change: self.show(), names='value')
        self.reset_button = w.Button(description='Default costs', icon='undo')
        self.reset_button.add_class('vm-sbs-reset')
        self.reset_button.on_click(lambda _: self.reset())
        self.table = w.HTML()
        knobs = list(self.sliders.values())
        half = (len(knobs) + 1) // 2
        controls = w.HBox([w.VBox(knobs[:half]), w.VBox(knobs[half:] + [self.contest,
                                                                          self.reset_button])])
        self.widget = live_box([controls, self.table], 'Cost sliders: who wins what')
        self.widget.add_class('vm-sbs')
        self.show()

    @property
    def costs(self) -> CostModel:
        return costs_from({k: s.value for k, s in self.sliders.items()})

    def rows(self):
        return standings(self.costs, CONTESTS[self.contest.value])

    def show(self):
        self.table.value = standings_html(self.rows())

    def reset(self):
        for knob, s in self.sliders.items():
            s.value = knob_value(knob)

    def text(self) -> str:
        """What the table shows, as text (for a reader without widgets)."""
        return standings_text(self.rows())

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return repr(self.widget)
