"""Chapter 09: one guest system call bouncing through the VMM under trap-and-emulate.

:func:`draw_bounce` draws a :class:`vmlib.course.ch09.Bounce` on three lanes: the guest's
process (virtual U), the guest kernel (virtual S -- on the host it runs in U-mode too) and the
VMM. Each stretch the hardware ran directly is a bar on its guest lane; each trap is a drop to
the VMM lane, a bar there for the VMM's work, and a climb back. Two x axes tell two stories:
**guest instructions** (the VMM's work takes no guest instructions: the kernel's path looks
as on bare hardware) and **cycles** from the cost model (the VMM's visits are nearly all of
the time). :func:`draw_causes` compares workloads' cycles: run directly, and the VMM's work
by cause.

:class:`TrapTimelineWidget`: pick a system call, step through it (Prev / Next), switch the
axis, change what one exit costs (trap + return) and watch the totals.
:meth:`TrapTimelineWidget.text` is the same view as text.

CSS classes for tests: ``vm-trapt`` (the widget), ``vm-trapt-call`` (dropdown),
``vm-trapt-prev``, ``vm-trapt-next`` (buttons), ``vm-trapt-axis`` (toggle),
``vm-trapt-cost`` (slider: cycles of one trap and return), ``vm-trapt-status``
(``data-step``, ``data-steps``), ``vm-trapt-figure`` (PNG), ``vm-trapt-steps`` (the list:
each step a ``div`` of class ``vm-trapt-step`` with ``data-index``, ``data-kind`` ``vmm`` or
``direct``; the current one also ``vm-trapt-current``), ``vm-trapt-totals``.
"""
from __future__ import annotations

import html

from ..hypervisor import CostModel
from ..hypervisor.vm import CAUSES
from ._course_common import new_figure, png_bytes, live_box

MONO = ('font-family:SFMono-Regular,Menlo,Consolas,DejaVu Sans Mono,monospace; font-size:12px; '
        'line-height:1.35')
LANES = {'U': 2, 'S': 1, 'VMM': 0}
LANE_LABELS = {'U': 'guest process\n(virtual U)', 'S': 'guest kernel\n(virtual S, host U)',
               'VMM': 'VMM'}
COLORS = {'U': '#1b9e77', 'S': '#2166ac', 'VMM': '#b2182b', 'current': '#fdb863'}
#: the system calls the widget offers: label -> (workload, system call number, which one)
CALLS = {
    'getpid (syscall workload)': ('syscall', 172, 3),
    'write: a line of text (syscall workload)': ('syscall', 64, 0),
    'mmap: a page-table write (ptemod workload)': ('ptemod', 222, 2),
}
AXES = ('guest instructions', 'cycles (cost model)')


def bounce_of(label: str):
    """The :class:`~vmlib.course.ch09.Bounce` for one of :data:`CALLS`."""
    from ..course.ch09 import vmm_log
    workload, number, k = CALLS[label]
    return vmm_log(workload).bounce(k, number=number)


#: what one trap and its return cost by default (the cost model's classic trap round trip)
DEFAULT_EXIT_COST = CostModel().trap + CostModel().trap_return


def exit_costs(cost: float) -> CostModel:
    """The default model with one trap into the VMM and the return costing ``cost`` cycles
    together (split evenly between ``trap`` and ``trap_return``)."""
    return CostModel().replace(trap=cost / 2, trap_return=cost / 2)


def _spans(bounce, axis, costs):
    """(step, lane, x0, width) for each step; VMM visits in instruction mode get a sliver."""
    out, x = [], 0.0
    by_cycles = axis == AXES[1]
    for s in bounce.steps():
        if by_cycles:
            width = float(s.cycles(costs))
        else:               # an emulated instruction is a guest instruction too
            width = float(s.instructions)
        lane = s.priv if s.kind == 'direct' else 'VMM'
        out.append((s, lane, x, width))
        x += width
    return out, x


def draw_bounce(bounce, axis: str = AXES[0], costs: CostModel | None = None,
                current: int | None = None, width: float = 8.3, height: float = 2.9):
    """The bounce as a matplotlib Figure (``current``: a step index to highlight), ``width``
    x ``height`` inches (the default shows at full size in a chapter's output)."""
    costs = costs or CostModel()
    spans, total = _spans(bounce, axis, costs)
    fig = new_figure(width, height)
    ax = fig.add_axes([1.45 / width, 0.2, 1 - 1.6 / width, 0.68])   # lane names: 1.45 in
    sliver = max(total, 1) * 0.004
    # the process: it executes the ecall at the start and continues after the sret at the end
    for x, text, align in ((0, 'ecall', 'left'), (total, 'back after sret', 'right')):
        ax.broken_barh([(x - sliver if align == 'right' else x, sliver)], (LANES['U'] - 0.3, 0.6),
                       facecolors=COLORS['U'])
        ax.text(x, LANES['U'] + 0.38, text, ha=align, fontsize=8, color=COLORS['U'])
    prev_lane = 'U'
    for i, (s, lane, x0, w) in enumerate(spans):
        y = LANES[lane]
        drawn = max(w, sliver)
        color = COLORS['current'] if i == current else COLORS[lane]
        edge = 'black' if i == current else ('white' if lane == 'VMM' else 'none')
        ax.broken_barh([(x0, drawn)], (y - 0.3, 0.6), facecolors=color, edgecolors=edge,
                       linewidth=1 if i == current else 0.5)
        if prev_lane != lane:
            ax.plot([x0, x0], [LANES[prev_lane], y], color='#777', linewidth=0.6)
        prev_lane = lane
    ax.plot([total, total], [LANES[prev_lane], LANES['U']], color='#777', linewidth=0.6)
    ax.set_yticks(list(LANES.values()), [LANE_LABELS[k] for k in LANES], fontsize=8)
    ax.set_ylim(-0.6, 2.6)
    ax.set_xlim(0, max(total, 1) * 1.01)
    unit = 'guest instructions' if axis == AXES[0] else 'cycles (cost model)'
    ax.set_xlabel(unit, fontsize=8)
    ax.tick_params(axis='x', labelsize=8)
    c = bounce.counts()
    ax.set_title(f'{bounce.call}: {c["exits"]} traps into the VMM, {bounce.instructions} guest '
                 f'instructions, {_fmt(bounce.cycles(costs))} cycles', fontsize=9)
    for side in ('top', 'right'):
        ax.spines[side].set_visible(False)
    return fig


CAUSE_COLORS = {'run directly': '#7fbc41', 'boot': '#bababa', 'console': '#c51b7d',
                'timer': '#ef8a62', 'page tables': '#2166ac', 'workload': '#b2182b'}


def draw_causes(rows, width: float = 8.3, height: float = 3.2):
    """Workloads' cycles under trap-and-emulate (rows of
    :func:`vmlib.course.ch09.efficiency_rows`) as horizontal bars of shares: the instructions
    run directly, then the VMM's work by cause; the slowdowns beside. ``width`` x ``height``
    inches (the default shows at full size in a chapter)."""
    fig = new_figure(width, height)
    # in inches: the workloads' names, the bars, the slowdowns (two lines), the legend
    names_w, slow_w, legend_w = 0.85, 1.25, 1.35
    bars_w = width - names_w - slow_w - legend_w
    ax = fig.add_axes([names_w / width, 0.6 / height, bars_w / width, (height - 0.85) / height])
    for y, r in enumerate(rows):
        parts = [('run directly', sum(p['direct'] for p in r['by cause'].values()))]
        parts += [(c, r['by cause'][c]['vmm']) for c in CAUSES]
        left = 0.0
        for name, cycles in parts:
            share = cycles / r['cycles'] if r['cycles'] else 0.0
            ax.barh(y, share, left=left, color=CAUSE_COLORS[name],
                    label=name if y == 0 else None)
            left += share
        ax.text(1 + 0.08 / bars_w, y, f"{r['slowdown']:.2f}x whole\n{r['steady']:.2f}x steady",
                va='center', fontsize=10, linespacing=1.1)
    ax.set_yticks(range(len(rows)), [r['workload'] for r in rows], fontsize=10)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel('share of the cycles under trap-and-emulate', fontsize=10)
    ax.tick_params(axis='x', labelsize=9)
    ax.legend(fontsize=9, loc='upper left', bbox_to_anchor=(1 + slow_w / bars_w, 1.04),
              frameon=False)
    return fig


def _fmt(x) -> str:
    x = float(x)
    return f'{int(x):,}' if x.is_integer() else f'{x:,.1f}'


def _e(x) -> str:
    return html.escape(str(x))


def step_text(step, short: bool = False) -> str:
    """One step of a bounce in a line (``short``: a few words for the list)."""
    from ..course.ch09 import describe
    if step.kind == 'direct':
        return (f'{step.priv}: {step.instructions} instruction'
                f'{"s" if step.instructions != 1 else ""} run directly'
                f'{"" if short else " on the hardware"}, {step.start} .. {step.end}')
    e = step.exit
    ins = f' [{e.instruction}]' if e.instruction else ''
    if short:
        return f'{e.priv}: {e.where}{ins}: {"TRAP, " if e.is_exit else ""}{describe(e, True)}'
    head = f'TRAP ({e.trap_name}) at {e.where}' if e.is_exit else f'at {e.where}'
    return f'{e.priv}: {head}{ins}: the VMM {describe(e)}'


def steps_html(bounce, current: int, costs: CostModel) -> str:
    parts = [f"<div style='{MONO}; max-height:15em; overflow:auto'>"]
    for i, s in enumerate(bounce.steps()):
        cls = 'vm-trapt-step' + (' vm-trapt-current' if i == current else '')
        style = 'background:#fde0b4; font-weight:bold;' if i == current else ''
        color = COLORS['VMM'] if s.kind == 'vmm' else COLORS[s.priv]
        cycles = s.cycles(costs)
        # a long step wraps under its text (past the number and the cycles), never sideways
        parts.append(f"<div class='{cls}' data-index='{i}' data-kind='{s.kind}' "
                     f"style='{style} white-space:pre-wrap; padding-left:20ch; "
                     f"text-indent:-20ch'><span style='color:{color}'>"
                     f"{i + 1:>3} {_fmt(cycles):>7} cycle{'' if cycles == 1 else 's'}</span>  "
                     f"{_e(step_text(s, short=True))}</div>")
    parts.append('</div>')
    return ''.join(parts)


def totals_text(bounce, current: int, costs: CostModel) -> str:
    """Running totals up to and including step ``current``, and for the whole call."""
    steps = bounce.steps()[:current + 1]
    traps = sum(1 for s in steps if s.kind == 'vmm' and s.exit.is_exit)
    guest = sum(s.instructions for s in steps)
    cycles = sum(s.cycles(costs) for s in steps)
    c = bounce.counts()
    return (f'so far: {traps} traps, {guest} guest instructions, {_fmt(cycles)} cycles; '
            f'the whole call: {c["exits"]} traps, {bounce.instructions} guest instructions, '
            f'{_fmt(bounce.cycles(costs))} cycles (bare machine: '
            f'{_fmt(costs.total({"guest_instruction": bounce.instructions}))})')


class TrapTimelineWidget:
    """Step through one system call's bounce through the VMM. Display it as a cell's last
    value."""

    def __init__(self, call: str = 'getpid (syscall workload)',
                 exit_cost: int = DEFAULT_EXIT_COST):
        import ipywidgets as w

        self.call = w.Dropdown(options=list(CALLS), value=call, description='system call',
                               layout=w.Layout(width='420px'))
        self.prev_button = w.Button(description='Prev', icon='step-backward')
        self.next_button = w.Button(description='Next', icon='step-forward')
        self.axis = w.ToggleButtons(options=AXES, value=AXES[0], description='x axis')
        self.cost = w.IntSlider(value=exit_cost, min=0, max=4000, step=10,
                                description='exit cost', continuous_update=False,
                                tooltip='cycles of one trap into the VMM and the return',
                                layout=w.Layout(width='420px'))
        self.status = w.HTML()
        self.figure = w.Image(format='png', layout=w.Layout(max_width='100%'))
        self.steps = w.HTML()
        self.totals = w.HTML()
        for wdg, cls in ((self.call, 'vm-trapt-call'), (self.prev_button, 'vm-trapt-prev'),
                         (self.next_button, 'vm-trapt-next'), (self.axis, 'vm-trapt-axis'),
                         (self.cost, 'vm-trapt-cost'), (self.status, 'vm-trapt-status-box'),
                         (self.figure, 'vm-trapt-figure'), (self.steps, 'vm-trapt-steps'),
                         (self.totals, 'vm-trapt-totals')):
            wdg.add_class(cls)
        self.current = 0
        self.bounce = None
        self.call.observe(lambda ch: self.choose(ch['new']), names='value')
        self.axis.observe(lambda ch: self.redraw(), names='value')
        self.cost.observe(lambda ch: self.redraw(), names='value')
        self.prev_button.on_click(lambda _: self.move(-1))
        self.next_button.on_click(lambda _: self.move(1))
        self.widget = live_box([w.HBox([self.call, self.prev_button, self.next_button]),
                              w.HBox([self.axis, self.cost]), self.figure, self.totals,
                              self.status, self.steps], 'Trap timeline')
        self.widget.add_class('vm-trapt')
        self.choose(call)

    @property
    def costs(self) -> CostModel:
        return exit_costs(self.cost.value)

    def choose(self, label: str):
        self.bounce = bounce_of(label)
        self.current = 0
        self.redraw()

    def move(self, delta: int):
        n = len(self.bounce.steps())
        self.current = max(0, min(n - 1, self.current + delta))
        self.redraw()

    def redraw(self):
        costs, b = self.costs, self.bounce
        steps = b.steps()
        fig = draw_bounce(b, self.axis.value, costs, self.current)
        self.figure.value = png_bytes(fig)
        self.steps.value = steps_html(b, self.current, costs)
        self.totals.value = f"<div style='{MONO}'>{_e(totals_text(b, self.current, costs))}</div>"
        self.prev_button.disabled = self.current == 0
        self.next_button.disabled = self.current == len(steps) - 1
        s = steps[self.current]
        # the status line last: a page waiting on it sees every panel updated
        self.status.value = (f"<div class='vm-trapt-status' data-step='{self.current + 1}' "
                             f"data-steps='{len(steps)}' style='{MONO}'><b>step "
                             f"{self.current + 1} of {len(steps)}</b>: "
                             f"{_e(step_text(s))}</div>")

    def text(self) -> str:
        """The same view as text: the bounce's table under the widget's costs."""
        return self.bounce.text(self.costs)

    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)
