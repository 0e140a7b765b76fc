"""Chapter 08: who runs at which privilege, over time, and where each trap goes.

:func:`draw_timeline` draws a window of a recorded run (``vmlib.course.ch08.Timeline``) as
three lanes, M (firmware), S (kernel) and U (the processes, one colour per pid), with each
trap as an arrow from the lane it leaves to the lane it enters (coloured by kind: system
call, SBI call, timer, page fault, exception) and each ``mret``/``sret`` as a grey dashed
arrow back. Wide windows, with too many switches for arrows, get a tick per trap instead.

:class:`PrivilegeTimelineWidget`: pick a workload, a window width and its position (a
slider), jump to the previous / next trap of a kind; the trap list below says for each
switch its cause, from, to and handler. :meth:`PrivilegeTimelineWidget.text` is the same view
as text (``Timeline.lanes_text`` and ``Timeline.event_lines``).

CSS classes for tests: ``vm-privtl`` (the widget), ``vm-privtl-workload``,
``vm-privtl-width``, ``vm-privtl-start`` (slider), ``vm-privtl-kind``, ``vm-privtl-prev``,
``vm-privtl-next`` (buttons), ``vm-privtl-returns`` (checkbox), ``vm-privtl-status``,
``vm-privtl-figure`` (the PNG), ``vm-privtl-traps`` (the list: each switch a ``div`` of class
``vm-privtl-trap`` or ``vm-privtl-return`` with ``data-kind`` and ``data-index``),
``vm-privtl-console``.
"""
from __future__ import annotations

import html

from matplotlib.patches import Patch
from matplotlib.lines import Line2D

from ..course.ch08 import KINDS, TrapEvent, timeline
from ..machine.traps import PRIV_NAMES, U, S, M
from ._course_common import new_figure, png_bytes, live_box

MONO = ('font-family:SFMono-Regular,Menlo,Consolas,DejaVu Sans Mono,monospace; font-size:12px; '
        'line-height:1.35')
LANE_Y = {M: 2, S: 1, U: 0}
LANE_LABEL = {M: 'M  firmware', S: 'S  kernel', U: 'U  processes'}
WHO_COLORS = {'firmware': '#b2182b', 'kernel': '#2166ac'}
PROCESS_COLORS = ('#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#a6761d')
KIND_COLORS = {'system call': '#1a9850', 'SBI call': '#762a83', 'timer (M)': '#f46d43',
               'timer (S)': '#fdae61', 'page fault': '#d6604d', 'exception': '#8c510a',
               'interrupt': '#4d4d4d', 'return': '#999999'}
ARROW_LIMIT = 120           # more switches than this in a window: ticks instead of arrows
WIDTHS = [('100', 100), ('500', 500), ('2,000', 2000), ('10,000', 10_000), ('50,000', 50_000),
          ('whole run', 0)]


def who_color(who: str) -> str:
    if who in WHO_COLORS:
        return WHO_COLORS[who]
    pid = who.split()[-1]
    return PROCESS_COLORS[(int(pid) - 1) % len(PROCESS_COLORS)] if pid.isdigit() else '#777'


def draw_timeline(tl, start: int = 0, end: int | None = None, show_returns: bool = True,
                  width: float = 8.3, height: float = 2.9):
    """A window of ``tl`` (instructions ``start`` .. ``end - 1``) as a matplotlib Figure,
    ``width`` x ``height`` inches (the default shows at full size in a chapter)."""
    end = tl.instructions if end is None else min(end, tl.instructions)
    start = max(0, min(start, end - 1))
    fig = new_figure(width, height)
    # in inches: the lane names at the left, the legend at the right
    ax = fig.add_axes([1.05 / width, 0.2, 1 - (1.05 + 1.4) / width, 0.68])
    segs, events = tl.window(start, end)
    bars = {}
    for s in segs:
        bars.setdefault((s.priv, s.who), []).append((s.start, len(s)))
    for (priv, who), spans in bars.items():
        ax.broken_barh(spans, (LANE_Y[priv] - 0.3, 0.6), facecolors=who_color(who),
                       edgecolor='none')
    kinds = []
    if not show_returns:
        events = [e for e in events if isinstance(e, TrapEvent)]
    if len(events) <= ARROW_LIMIT:
        for e in events:
            color = KIND_COLORS.get(e.kind, '#444')
            y0, y1 = LANE_Y[e.from_priv], LANE_Y[e.to_priv]
            shrink = 0.32
            y0 += shrink if y1 > y0 else -shrink
            y1 -= shrink if y1 > y0 else -shrink
            ax.annotate('', xy=(e.index, y1), xytext=(e.index, y0),
                        arrowprops=dict(arrowstyle='-|>', color=color, lw=1.3,
                                        ls='--' if e.kind == 'return' else '-',
                                        shrinkA=0, shrinkB=0, mutation_scale=9))
            kinds.append(e.kind)
    else:                       # too many for arrows: a rug of ticks above the lanes
        by_kind = {}
        for e in events:
            if isinstance(e, TrapEvent):
                by_kind.setdefault(e.kind, []).append(e.index)
        for k, xs in by_kind.items():
            ax.vlines(xs, 2.42, 2.78, colors=KIND_COLORS.get(k, '#444'), lw=0.7)
            kinds.append(k)
        ax.text(start, 2.82, ' traps', fontsize=8, color='#555', va='bottom')
    ax.set_yticks([LANE_Y[p] for p in (U, S, M)], [LANE_LABEL[p] for p in (U, S, M)])
    ax.set_ylim(-0.6, 3.05)
    ax.set_xlim(start, end)
    ax.ticklabel_format(axis='x', style='plain', useOffset=False)
    ax.set_xlabel('instruction number (minstret)')
    c = tl.counts(start, end)
    ax.set_title(f'{tl.workload}: instructions {start:,} .. {end - 1:,}   '
                 f'(M {c["M"]:,}, S {c["S"]:,}, U {c["U"]:,}; '
                 f'{len(tl.window(start, end)[1])} switches)', fontsize=10)
    for side in ('top', 'right'):
        ax.spines[side].set_visible(False)
    handles = [Patch(color=who_color(w), label=w) for w in sorted({s.who for s in segs},
                                                                  key=_who_order)]
    handles += [Line2D([], [], color=KIND_COLORS.get(k, '#444'), lw=1.5,
                       ls='--' if k == 'return' else '-',
                       label='mret/sret' if k == 'return' else k)
                for k in [*KINDS, 'interrupt', 'return'] if k in kinds]
    ax.legend(handles=handles, loc='upper left', bbox_to_anchor=(1.01, 1.05), fontsize=8,
              frameon=False)
    return fig


def _who_order(who):
    return ({'firmware': 0, 'kernel': 1}.get(who, 2), who)


def _e(x) -> str:
    return html.escape(str(x))


def trap_list_html(tl, start: int, end: int, show_returns: bool = True, limit: int = 200) -> str:
    """The switches in a window as a list: index, from -> to, cause, who, handler / target."""
    _, events = tl.window(start, end)
    if not show_returns:
        events = [e for e in events if isinstance(e, TrapEvent)]
    rows = []
    for e in events[:limit]:
        color = KIND_COLORS.get(e.kind, '#444')
        if isinstance(e, TrapEvent):
            what = f'{e.kind}: {e.detail}' if e.detail else e.kind
            cls = 'vm-privtl-trap'
            text = (f'<b style="color:{color}">{_e(what)}</b> (cause {e.cause & 0x7FFFFFFF}'
                    f'{", interrupt" if e.cause >> 31 else ""}) from {_e(e.who)} at '
                    f'{_e(e.epc_name)} &rarr; handler <b>{_e(e.handler_name)}</b>')
        else:
            cls = 'vm-privtl-return'
            text = (f'<span style="color:#666">{_e(e.instruction)} to {_e(e.target_name)} '
                    f'({_e(e.who)})</span>')
        # a long line wraps under its text (past the index and the modes), never sideways
        rows.append(f"<div class='{cls}' data-kind='{_e(e.kind)}' data-index='{e.index}' "
                    f"style='white-space:pre-wrap; padding-left:18ch; text-indent:-18ch'>"
                    f"{e.index:>9,}  "
                    f"{PRIV_NAMES[e.from_priv]} &rarr; {PRIV_NAMES[e.to_priv]}  {text}</div>")
    if len(events) > limit:
        rows.append(f"<div style='color:#8a6d00'>... {len(events) - limit} more in this window: "
                    "zoom in</div>")
    if not events:
        rows.append("<div style='color:#666'>no privilege switch in this window</div>")
    return (f"<div class='vm-privtl-list' style='{MONO}; max-height:16em; overflow:auto; "
            f"background:#fafafa; border:1px solid #ddd; padding:4px'>{''.join(rows)}</div>")


def status_html(tl, start: int, end: int) -> str:
    c = tl.counts(start, end)
    n = end - start
    parts = ', '.join(f'{m} {v:,} ({v / n:.0%})' for m, v in c.items())
    traps = len([e for e in tl.window(start, end)[1] if isinstance(e, TrapEvent)])
    return (f"<div style='{MONO}; font-weight:bold'>{_e(tl.workload)}: instructions "
            f"{start:,} .. {end - 1:,} of {tl.instructions:,}: {_e(parts)}; {traps} traps "
            f"(exit status {tl.result.exit_status})</div>")


def console_html(tl) -> str:
    return (f"<div style='{MONO}'><div style='color:#666'>console</div><pre style='margin:0; "
            f"background:#111; color:#9f9; padding:4px 6px; max-height:10em; overflow:auto; "
            f"white-space:pre-wrap'>"
            f"{_e(tl.console)}</pre></div>")


class PrivilegeTimelineWidget:
    """Who runs at which privilege in a guest-kernel run. Display it as a cell's last value.

    ``workloads``: the names offered (default: every ``vmlib.guest.WORKLOADS``). Moving the
    slider, changing the width or the workload redraws; the buttons move the window so that
    the previous / next trap of the chosen kind sits a quarter of the way in.
    """

    def __init__(self, workload: str = 'demo', start: int = 0, width: int = 2000,
                 workloads=None):
        import ipywidgets as w
        from .. import guest

        names = list(workloads or guest.WORKLOADS)
        self.workload = w.Dropdown(options=names, value=workload, description='workload',
                                   layout=w.Layout(width='210px'))
        self.width = w.Dropdown(options=WIDTHS, value=width, description='window',
                                layout=w.Layout(width='190px'))
        self.start = w.IntSlider(value=0, min=0, max=1, step=1, description='start',
                                 continuous_update=False, layout=w.Layout(width='640px'))
        self.kind = w.Dropdown(options=['any trap', *KINDS], value='any trap',
                               description='jump to', layout=w.Layout(width='210px'))
        self.prev_button = w.Button(description='previous trap', icon='step-backward',
                                    tooltip='move the window to the previous trap of this kind')
        self.next_button = w.Button(description='next trap', icon='step-forward',
                                    tooltip='move the window to the next trap of this kind')
        self.returns = w.Checkbox(value=True, description='show mret/sret', indent=False)
        self.status = w.HTML()
        self.figure = w.Image(format='png', layout=w.Layout(max_width='100%'))
        self.traps = w.HTML()
        self.console = w.HTML()
        for wdg, cls in ((self.workload, 'vm-privtl-workload'), (self.width, 'vm-privtl-width'),
                         (self.start, 'vm-privtl-start'), (self.kind, 'vm-privtl-kind'),
                         (self.prev_button, 'vm-privtl-prev'),
                         (self.next_button, 'vm-privtl-next'),
                         (self.returns, 'vm-privtl-returns'), (self.status, 'vm-privtl-status'),
                         (self.figure, 'vm-privtl-figure'), (self.traps, 'vm-privtl-traps'),
                         (self.console, 'vm-privtl-console')):
            wdg.add_class(cls)
        self._busy = False
        self.tl = None
        self.workload.observe(lambda ch: self.choose(ch['new']), names='value')
        self.width.observe(lambda ch: self._rescale(), names='value')
        self.start.observe(lambda ch: self.redraw(), names='value')
        self.returns.observe(lambda ch: self.redraw(), names='value')
        self.prev_button.on_click(lambda _: self.jump(back=True))
        self.next_button.on_click(lambda _: self.jump())
        self.widget = live_box([
            # three short rows: one row of all five controls is wider than a chapter's output
            w.HBox([self.workload, self.width, self.returns]),
            w.HBox([self.kind, self.prev_button, self.next_button]),
            self.start,
            self.status, self.figure,
            w.HTML('<b>privilege switches in the window</b> (index = the first instruction '
                   'at the new privilege)'),
            self.traps, self.console], 'Privilege timeline')
        self.widget.add_class('vm-privtl')
        self.choose(workload, start)

    # -- the window ----------------------------------------------------------------------
    def span(self) -> int:
        return self.width.value or self.tl.instructions

    def bounds(self) -> tuple[int, int]:
        start = self.start.value
        return start, min(start + self.span(), self.tl.instructions)

    def choose(self, workload: str, start: int = 0):
        self.status.value = (f"<div style='{MONO}; color:#555'>recording {_e(workload)}"
                             " ...</div>")
        self.tl = timeline(workload)
        self.console.value = console_html(self.tl)
        self._rescale(start)

    def _rescale(self, start: int | None = None):
        span = self.span()
        top = max(0, self.tl.instructions - span)
        start = self.start.value if start is None else start
        self._busy = True
        try:
            self.start.max = max(top, 1)
            self.start.step = max(1, span // 20)
            self.start.value = max(0, min(start, top))
            self.start.disabled = top == 0
        finally:
            self._busy = False
        self.redraw()

    def show(self, start: int):
        """Put the window at ``start`` (clamped) and redraw."""
        top = max(0, self.tl.instructions - self.span())
        value = max(0, min(int(start), top))
        if value == self.start.value:
            self.redraw()
        else:
            self.start.value = value            # redraws through the observer

    def jump(self, back: bool = False):
        """Move the window to the previous / next trap of the chosen kind (a quarter in)."""
        kind = None if self.kind.value == 'any trap' else self.kind.value
        span = self.span()
        here = self.start.value + span // 4
        e = self.tl.next_event(here, kind, back=back)
        if e is None:
            self.status.value = (f"<div style='{MONO}; color:#8a6d00'>no "
                                 f"{'earlier' if back else 'later'} "
                                 f"{_e(kind or 'trap')} in this run</div>")
            return None
        self.show(e.index - span // 4)
        return e

    def redraw(self):
        if self._busy or self.tl is None:
            return
        start, end = self.bounds()
        fig = draw_timeline(self.tl, start, end, self.returns.value)
        self.figure.value = png_bytes(fig)
        self.status.value = status_html(self.tl, start, end)
        self.traps.value = trap_list_html(self.tl, start, end, self.returns.value)

    def text(self, limit: int = 25) -> str:
        """The same view as text."""
        start, end = self.bounds()
        lines = [self.tl.lanes_text(start, end)]
        lines += self.tl.event_lines(start, end, limit=limit, traps_only=not self.returns.value)
        return '\n'.join(lines)

    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)
