"""Chapter 10: the translation cache filling as the guest runs, change by change.

:class:`TranslationCacheWidget` -- a workload and a slider over the changes of its kernel's
translation cache (``vmlib.course.ch10.cache_history``): the instructions translated against
the guest instructions retired (an inline SVG step line, the change shown marked) and, at that
change, who had run the guest's instructions so far: the translation cache (kernel code), the
hart directly (user code), the VMM (callouts). :func:`point_text` is the same view as text.

CSS classes for tests: ``vm-tcache`` (the widget), ``vm-tcache-workload`` (dropdown),
``vm-tcache-slider``, ``vm-tcache-status`` (``data-change``, ``data-guest``,
``data-instructions``), ``vm-tcache-plot``, ``vm-tcache-split`` (parts ``vm-tcache-part``
with ``data-part``, ``data-count``).
"""

from __future__ import annotations

import html

from ..course.ch10.cache import FILLING_WORKLOADS, cache_history

#: who ran the guest's instructions -> colour
PARTS = {'kernel (translated)': '#4C72B0', 'user (direct)': '#55A868', 'callouts': '#DD8452'}
WIDTH_PX, HEIGHT_PX = 520, 170


def points(workload):
    """The run's cache changes, then its end: what the slider moves over."""
    h = cache_history(workload)
    return list(h.points) + [h.end]


def point_text(workload, n):
    """What the widget shows at change number ``n`` (from 1; the last is the run's end)."""
    ps = points(workload)
    n = max(1, min(n, len(ps)))
    p = ps[n - 1]
    where = 'the end of the run' if n == len(ps) else f'cache change {n} of {len(ps) - 1}'
    parts = {'kernel (translated)': p.translated_run, 'user (direct)': p.direct,
             'callouts': p.callouts}
    return '\n'.join([
        f'{workload}: {where}, after {p.guest:,} guest instructions',
        f'translated so far: {p.blocks:,} blocks, {p.instructions:,} instructions; '
        f'{p.live:,} blocks in the cache',
        'run so far: ' + ' · '.join(f'{k} {v:,}' for k, v in parts.items())])


def plot_svg(workload, n):
    """Instructions translated (y) against guest instructions (x), change ``n`` marked."""
    ps = points(workload)
    p = ps[max(1, min(n, len(ps))) - 1]
    left, right, top, bottom = 44, 12, 24, 28
    x_max, y_max = max(ps[-1].guest, 1), max(ps[-1].instructions, 1)

    def px(x):
        return left + (WIDTH_PX - left - right) * x / x_max

    def py(y):
        return HEIGHT_PX - bottom - (HEIGHT_PX - top - bottom) * y / y_max
    colour = PARTS['kernel (translated)']
    line = [f'{px(0):.1f},{py(0):.1f}']
    for a, b in zip(ps, ps[1:] + [ps[-1]]):
        line += [f'{px(a.guest):.1f},{py(a.instructions):.1f}',
                 f'{px(b.guest):.1f},{py(a.instructions):.1f}']
    return (f"<svg class='vm-tcache-plot' viewBox='0 0 {WIDTH_PX} {HEIGHT_PX}' width='100%' "
            f"xmlns='http://www.w3.org/2000/svg' style='max-width:{WIDTH_PX}px; "
            "font-family:sans-serif; font-size:11px'>"
            f"<line x1='{left}' y1='{py(0)}' x2='{WIDTH_PX - right}' y2='{py(0)}' stroke='#999'/>"
            f"<line x1='{left}' y1='{top}' x2='{left}' y2='{py(0)}' stroke='#999'/>"
            f"<text x='{left - 4}' y='{py(y_max) + 4}' text-anchor='end'>{y_max:,}</text>"
            f"<text x='{left - 4}' y='{py(0) + 4}' text-anchor='end'>0</text>"
            f"<text x='{WIDTH_PX - right}' y='{HEIGHT_PX - 12}' text-anchor='end'>"
            f"{x_max:,} guest instructions</text>"
            f"<text x='{left}' y='12'>instructions translated</text>"
            f"<polyline points='{' '.join(line)}' fill='none' stroke='{colour}' stroke-width='2'/>"
            f"<line x1='{px(p.guest):.1f}' y1='{top}' x2='{px(p.guest):.1f}' y2='{py(0)}' "
            "stroke='#d1495b' stroke-dasharray='4 3'/>"
            f"<circle cx='{px(p.guest):.1f}' cy='{py(p.instructions):.1f}' r='4' "
            "fill='#d1495b'/></svg>")


def split_html(p):
    """A bar of the guest's instructions so far, by who ran them."""
    counts = {'kernel (translated)': p.translated_run, 'user (direct)': p.direct,
              'callouts': p.callouts}
    total = max(sum(counts.values()), 1)
    bar = ''.join(f"<span class='vm-tcache-part' data-part='{k}' data-count='{v}' "
                  f"title='{html.escape(k)}: {v:,}' style='display:inline-block; height:14px; "
                  f"width:{100 * v / total:.2f}%; background:{PARTS[k]}'></span>"
                  for k, v in counts.items())
    legend = ' &nbsp; '.join(f"<span style='color:{PARTS[k]}'>&#9632;</span> "
                             f"{html.escape(k)} {v:,}" for k, v in counts.items())
    return (f"<div class='vm-tcache-split' style='font-size:12px; max-width:{WIDTH_PX}px'>"
            f"<div style='display:flex; width:100%; background:#eee'>{bar}</div>"
            f"<div style='margin-top:3px'>{legend}</div></div>")


class TranslationCacheWidget:
    """A workload (dropdown) and a slider over its translation cache's changes."""

    def __init__(self, workload='demo', change=None, workloads=FILLING_WORKLOADS):
        import ipywidgets as w
        from ._course_common import live_box
        self.workload = w.Dropdown(options=list(workloads), value=workload,
                                   description='workload', layout=w.Layout(width='220px'))
        self.slider = w.IntSlider(value=1, min=1, max=1, description='change',
                                  continuous_update=False, layout=w.Layout(width='520px'))
        self.status, self.plot, self.split = w.HTML(), w.HTML(), w.HTML()
        for wdg, cls in ((self.workload, 'vm-tcache-workload'),
                         (self.slider, 'vm-tcache-slider')):
            wdg.add_class(cls)
        self.workload.observe(lambda change: self.choose(), names='value')
        self.slider.observe(lambda change: self.show(), names='value')
        self.widget = live_box([self.workload, self.slider, self.status, self.plot, self.split],
                               'Translation cache filling')
        self.widget.add_class('vm-tcache')
        self.choose(change)

    def choose(self, change=None):
        """Show the chosen workload's run, at change number ``change`` (default: the end)."""
        last = len(points(self.workload.value))
        self.slider.max = last
        value = last if change is None else max(1, min(change, last))
        if self.slider.value == value:
            self.show()
        self.slider.value = value

    def text(self):
        """What the widget shows now, as text (for readers without widgets)."""
        return point_text(self.workload.value, self.slider.value)

    def show(self):
        workload, n = self.workload.value, self.slider.value
        p = points(workload)[n - 1]
        lines = [html.escape(line) for line in point_text(workload, n).split('\n')]
        self.status.value = (f"<div class='vm-tcache-status' data-change='{n}' "
                             f"data-guest='{p.guest}' data-instructions='{p.instructions}' "
                             f"style='font-family:monospace; font-size:12px'>"
                             f"{'<br>'.join(lines)}</div>")
        self.plot.value = plot_svg(workload, n)
        self.split.value = split_html(p)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return repr(self.widget)
