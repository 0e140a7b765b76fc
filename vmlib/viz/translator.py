"""Chapter 06: watch the binary translator's block cache grow, one event at a time.

Three layers, as in the stepper of chapter 03:

- **pure views** of a :class:`vmlib.course.ch06.TranslationLog` at its event number ``n``
  (numbered from 1, as the event table, the slider and the status line number them):
  :func:`event_text` (plain text, what notebooks print and nbval compares) and
  :func:`event_html` (the widget's panels); :func:`side_by_side_html` (a block's guest code
  beside its Python) and :func:`growth_svg` (blocks in cache against instructions retired, with
  the current event marked);
- figures: :func:`draw_cache_growth` (several runs' growth curves) and :func:`draw_speed` (the
  interpreter against the translator, from :func:`vmlib.course.ch06.compare_engines`);
- :class:`CacheHistoryView`: the ipywidgets front end -- a program dropdown, Prev/Next buttons
  and a slider over the run's cache events.

Stable CSS classes: ``vm-dbt`` (the whole widget), ``vm-dbt-program`` (dropdown),
``vm-dbt-prev``, ``vm-dbt-next`` (buttons), ``vm-dbt-slider``; panels ``vm-dbt-status``,
``vm-dbt-counters`` (each counter ``vm-dbt-counter`` with ``data-name``), ``vm-dbt-growth``,
``vm-dbt-cache`` (each block ``vm-dbt-cached`` with ``data-pc``; the event's own block also
``vm-dbt-current``; dropped blocks ``vm-dbt-dropped``) and ``vm-dbt-block`` (rows
``vm-dbt-row``).
"""
from __future__ import annotations

import html
from typing import Callable

from ..course.ch06 import source_rows, TranslationLog
from ..course.text import fit

MONO = ('font-family:SFMono-Regular,Menlo,Consolas,DejaVu Sans Mono,monospace; font-size:12px; '
        'line-height:1.35')
NEW_BG, DROP_BG = '#d8f5d0', '#ffd9d9'
ENGINE_COLORS = {'interp': '#DD8452', 'dbt': '#4C72B0'}


def _e(text) -> str:
    return html.escape(str(text))


# ---------------------------------------------------------------------------------------------
# pure views


def _clamp(log: TranslationLog, n: int) -> int:
    """Event number ``n`` (from 1) brought into the run's 1..len(events)."""
    if not log.events:
        raise ValueError(f'{log.name or "the run"}: the translator made no block')
    return max(1, min(n, len(log.events)))


def counters_text(counters: dict) -> str:
    return ' · '.join(f'{name} {value:,}' for name, value in counters.items())


def event_text(log: TranslationLog, n: int, source: bool = True) -> str:
    """What the widget shows at event number ``n`` (from 1), as plain text."""
    n = _clamp(log, n)
    e = log.events[n - 1]
    out = [fit(f'{log.name}: event {n} of {len(log.events)}, at instruction {e.instret:,} '
               f'(the run: {log.instructions:,} instructions, {log.ending})'),
           e.summary(),
           fit(counters_text(e.counters)),
           f'cache ({len(e.live)} block{"s" if len(e.live) != 1 else ""}):']
    current = {b.key for b in e.added}
    for b in e.live:
        first, last = b.span
        out.append(f'  {"*" if b.key in current else " "} {b.label():<28} '
                   f'0x{first:08x}-0x{last:08x}')
    for b in e.removed:
        out.append(f'  - {b.label():<28} dropped')
    block = e.block
    if source and block is not None:
        from ..course.ch06 import side_by_side
        out.append('')
        out.append(side_by_side(block.source))
    return '\n'.join(out)


def side_by_side_html(source: str) -> str:
    """A table: each guest instruction beside the Python it became (class ``vm-dbt-rows``)."""
    rows = []
    for i, (guest, python) in enumerate(source_rows(source)):
        bg = '#f6f8fa' if i % 2 else '#ffffff'
        rows.append(f"<tr class='vm-dbt-row' style='background:{bg}; vertical-align:top'>"
                    f"<td style='padding:1px 10px 1px 4px; white-space:pre; color:#1a4f8a'>"
                    f"{_e(guest)}</td><td style='padding:1px 4px; white-space:pre'>"
                    f"{_e(chr(10).join(python))}</td></tr>")
    return (f"<table class='vm-dbt-rows' style='border-collapse:collapse; {MONO}'>"
            "<tr style='color:#666; text-align:left'><th style='padding:1px 10px 1px 4px'>"
            "guest RV32 instruction</th><th style='padding:1px 4px'>Python it became</th></tr>"
            + ''.join(rows) + '</table>')


def growth_svg(log: TranslationLog, n: int | None = None, width: int = 420,
               height: int = 150) -> str:
    """Blocks in cache (y) against instructions retired (x) as an inline SVG step line, with
    event number ``n`` (from 1) marked."""
    xs, ys = log.growth()
    left, right, top, bottom = 34, 10, 10, 24
    x_max = max(xs[-1], 1)
    y_max = max(max(ys), 1)

    def px(x):
        return left + (width - left - right) * x / x_max

    def py(y):
        return height - bottom - (height - top - bottom) * y / y_max
    points = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        if i:
            points.append(f'{px(x):.1f},{py(ys[i - 1]):.1f}')
        points.append(f'{px(x):.1f},{py(y):.1f}')
    parts = [f"<svg class='vm-dbt-growth-svg' viewBox='0 0 {width} {height}' width='100%' "
             f"xmlns='http://www.w3.org/2000/svg' style='max-width:{width}px; "
             "font-family:sans-serif; font-size:11px'>",
             f"<line x1='{left}' y1='{py(0)}' x2='{width - right}' y2='{py(0)}' stroke='#999'/>",
             f"<line x1='{left}' y1='{top}' x2='{left}' y2='{py(0)}' stroke='#999'/>",
             f"<text x='{left - 4}' y='{py(y_max) + 4}' text-anchor='end'>{y_max}</text>",
             f"<text x='{left - 4}' y='{py(0) + 4}' text-anchor='end'>0</text>",
             f"<text x='{width - right}' y='{height - 6}' text-anchor='end'>{x_max:,} "
             "instructions retired</text>",
             f"<text x='{left + 4}' y='{top + 8}' fill='#555'>blocks in cache</text>",
             f"<polyline fill='none' stroke='#4C72B0' stroke-width='1.8' "
             f"points='{' '.join(points)}'/>"]
    if n is not None and log.events:
        e = log.events[_clamp(log, n) - 1]
        color = '#1a7f37' if e.kind == 'translated' else '#b00020'
        parts.append(f"<circle class='vm-dbt-marker' cx='{px(e.instret):.1f}' "
                     f"cy='{py(e.counters['blocks in cache']):.1f}' r='4.5' fill='{color}'/>")
    parts.append('</svg>')
    return ''.join(parts)


def event_html(log: TranslationLog, n: int) -> dict[str, str]:
    """The widget's panels at event number ``n`` (from 1): {'status', 'counters', 'growth',
    'cache', 'block'}."""
    n = _clamp(log, n)
    e = log.events[n - 1]
    color = '#1a7f37' if e.kind == 'translated' else '#b00020'
    status = (f"<div class='vm-dbt-status' style='{MONO}'>"
              f"<b>{_e(log.name)}</b>: event <span class='vm-dbt-index'>{n}</span> of "
              f"{len(log.events)}, at instruction <span class='vm-dbt-instret'>{e.instret:,}"
              f"</span> &nbsp;<span class='vm-dbt-what' style='color:{color}'>"
              f"{_e(e.summary())}</span></div>")
    counters = ''.join(
        f"<div class='vm-dbt-counter' data-name='{_e(name)}' style='white-space:nowrap'>"
        f"<span style='color:#666'>{_e(name)}</span> <b>{value:,}</b></div>"
        for name, value in e.counters.items())
    counters = (f"<div class='vm-dbt-counters' style='display:grid; grid-template-columns:"
                f"repeat(2, auto); gap:1px 14px; {MONO}'>{counters}</div>")
    current = {b.key for b in e.added}
    items = []
    for b in e.live:
        first, last = b.span
        new = b.key in current
        cls = 'vm-dbt-cached vm-dbt-current' if new else 'vm-dbt-cached'
        bg = f'background:{NEW_BG};' if new else ''
        items.append(f"<div class='{cls}' data-pc='0x{b.pc:08x}' style='{bg} padding:0 4px'>"
                     f"{_e(b.label())} <span style='color:#888'>0x{first:08x}-0x{last:08x}"
                     "</span></div>")
    for b in e.removed:
        items.append(f"<div class='vm-dbt-dropped' data-pc='0x{b.pc:08x}' style='background:"
                     f"{DROP_BG}; text-decoration:line-through; padding:0 4px'>"
                     f"{_e(b.label())}</div>")
    cache = (f"<div class='vm-dbt-cache' style='{MONO}'><div style='color:#666'>block cache: "
             f"{len(e.live)} block(s)</div>{''.join(items)}</div>")
    block = e.block
    if block is None:
        body = '<i>no block</i>'
    else:
        verb = 'translated' if e.kind == 'translated' else 'dropped'
        body = (f"<div style='color:#666; {MONO}'>the block {verb} at this event: "
                f"{_e(block.label())}</div>" + side_by_side_html(block.source))
    return {'status': status, 'counters': counters,
            'growth': f"<div class='vm-dbt-growth'>{growth_svg(log, n)}</div>",
            'cache': cache, 'block': f"<div class='vm-dbt-block'>{body}</div>"}


# ---------------------------------------------------------------------------------------------
# figures


def draw_cache_growth(logs, title: str = 'the block cache while the program runs'):
    """A matplotlib Figure: blocks in cache against instructions retired, one line per log
    (invalidations marked with a red x)."""
    from ._course_common import new_figure

    logs = list(logs)
    fig = new_figure(8.3, 2.8 * len(logs) if len(logs) > 1 else 3.0)
    for i, log in enumerate(logs):
        ax = fig.add_subplot(len(logs), 1, i + 1)
        xs, ys = log.growth()
        ax.step(xs, ys, where='post', color='#4C72B0', lw=1.6)
        ax.plot(xs[1:-1], ys[1:-1], '.', color='#4C72B0', ms=4)
        drops = [(e.instret, e.counters['blocks in cache']) for e in log.events
                 if e.kind != 'translated']
        if drops:
            ax.plot(*zip(*drops), 'x', color='#b00020', ms=8, mew=2, label='invalidated')
            ax.legend(loc='lower right', fontsize=8)
        ax.set_ylabel('blocks in cache')
        ax.set_ylim(0, max(ys) * 1.15 + 1)
        ax.set_xlim(0, xs[-1] * 1.01 + 1)
        ax.set_title(f'{log.name}: {log.stats["blocks translated"]} blocks translated, '
                     f'{log.instructions:,} instructions', fontsize=10)
        ax.grid(alpha=0.3)
    fig.axes[-1].set_xlabel('instructions retired')
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def draw_speed(comparisons, title: str = 'interpreter vs translator (CPU time, this machine)'):
    """A matplotlib Figure: million guest instructions per CPU second for each program on each
    engine, with the translator's speed-up written over its bar."""
    from ._course_common import new_figure

    comparisons = list(comparisons)
    fig = new_figure(8.3, 3.4)
    ax = fig.add_subplot(1, 1, 1)
    width = 0.38
    top = 0.0
    for j, engine in enumerate(('interp', 'dbt')):
        rates = [getattr(c, engine).instructions / max(getattr(c, engine).seconds, 1e-9) / 1e6
                 for c in comparisons]
        top = max([top, *rates])
        xs = [i + (j - 0.5) * width for i in range(len(comparisons))]
        ax.bar(xs, rates, width, color=ENGINE_COLORS[engine],
               label={'interp': 'interpreter', 'dbt': 'translator'}[engine])
        if engine == 'dbt':
            for x, rate, c in zip(xs, rates, comparisons):
                ax.annotate(f'{c.speedup:.1f}x', (x, rate), xytext=(0, 3),
                            textcoords='offset points', ha='center', fontsize=9)
    ax.set_xticks(range(len(comparisons)), [c.name for c in comparisons], fontsize=9)
    ax.set_ylim(0, top * 1.15 + 0.1)                 # room for the labels over the bars
    ax.set_ylabel('million instructions\nper CPU second')
    ax.set_title(title, fontsize=10, loc='left')
    # above the plot, beside the title: never over a bar or its label, whatever the timings
    ax.legend(fontsize=9, ncol=2, loc='lower right', bbox_to_anchor=(1.0, 1.0), frameon=False,
              borderaxespad=0.1)
    ax.grid(axis='y', alpha=0.3)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------------------
# the widget


class CacheHistoryView:
    """Walk through a run's block-cache events. Display it as a cell's last value.

    ``CacheHistoryView({'name': log_or_callable, ...})``: each value is a
    :class:`TranslationLog` or a function returning one (called when first chosen). Prev, Next
    and the slider move through the events; :meth:`show` does the same from Python.
    """

    def __init__(self, logs: dict, event: int = 1):
        import ipywidgets as w

        from ._course_common import live_box

        self._logs = dict(logs)
        if not self._logs:
            raise ValueError('give at least one run')
        self.name = next(iter(self._logs))
        self.program = w.Dropdown(options=list(self._logs), value=self.name,
                                  description='program', layout=w.Layout(width='360px'))
        self.prev_button = w.Button(description='Prev', icon='step-backward',
                                    tooltip='the previous change of the cache',
                                    layout=w.Layout(width='90px'))
        self.next_button = w.Button(description='Next', icon='step-forward',
                                    tooltip='the next change of the cache',
                                    layout=w.Layout(width='90px'))
        self.slider = w.IntSlider(value=1, min=1, max=1, description='event',
                                  continuous_update=False, layout=w.Layout(width='420px'))
        self.panels = {k: w.HTML() for k in ('status', 'counters', 'growth', 'cache', 'block')}
        for wdg, cls in ((self.program, 'vm-dbt-program'), (self.prev_button, 'vm-dbt-prev'),
                         (self.next_button, 'vm-dbt-next'), (self.slider, 'vm-dbt-slider')):
            wdg.add_class(cls)
        for k, panel in self.panels.items():
            panel.add_class(f'vm-dbt-{k}-panel')
        self.prev_button.on_click(lambda _: self.show(self.event - 1))
        self.next_button.on_click(lambda _: self.show(self.event + 1))
        self.slider.observe(lambda change: self.show(change['new']), names='value')
        self.program.observe(lambda change: self.choose(change['new']), names='value')
        p = self.panels
        box = lambda children, **kw: w.VBox(children, layout=w.Layout(  # noqa: E731
            border='1px solid #ddd', padding='4px', **kw))
        self.widget = live_box([
            w.HBox([self.program, self.prev_button, self.next_button, self.slider]),
            p['status'],
            w.HBox([box([p['growth'], p['counters']], width='48%'),
                    box([p['cache']], width='52%')]),
            box([p['block']]),
        ], 'Block cache of the binary translator')
        self.widget.add_class('vm-dbt')
        self.event = 1                              # the event shown, numbered from 1
        self.choose(self.name, event)

    def log(self, name: str | None = None) -> TranslationLog:
        """The run called ``name`` (default: the one shown), recorded on first use."""
        name = self.name if name is None else name
        value = self._logs[name]
        if callable(value) and not isinstance(value, TranslationLog):
            value = self._logs[name] = value()
        return value

    def choose(self, name: str, event: int = 1):
        """Show the run ``name`` at its event number ``event`` (from 1)."""
        self.name = name
        log = self.log()
        if self.program.value != name:
            self.program.value = name               # (calls back here with the same name)
        self.slider.max = max(len(log.events), 1)
        self.show(event)

    def show(self, n: int):
        """Show event number ``n`` (from 1; clamped to the run)."""
        log = self.log()
        self.event = _clamp(log, n)
        for name, value in event_html(log, self.event).items():
            self.panels[name].value = value
        if self.slider.value != self.event:
            self.slider.value = self.event          # (calls back: show() of the same event)
        self.prev_button.disabled = self.event == 1
        self.next_button.disabled = self.event == len(log.events)

    def text(self, source: bool = True) -> str:
        return event_text(self.log(), self.event, source)

    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)


def history_view(logs: dict[str, TranslationLog | Callable], event: int = 1) -> CacheHistoryView:
    """The chapter's widget (see :class:`CacheHistoryView`)."""
    return CacheHistoryView(logs, event)
