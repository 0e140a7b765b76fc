"""Chapter 13: the TLB's size decides between shadow paging and nested paging.

:class:`TlbSizeWidget` -- a slider over TLB sizes: for one workload, shadow paging (hardware
assistance without nested paging) and nested paging, their TLB misses, walk references and
cycles as bars (``vmlib.course.ch13.tlb_rows``: the hypervisor's report with the TLB model).

CSS classes for tests: ``vm-tlb-size`` (the widget), ``vm-tlb-size-slider``,
``vm-tlb-size-bars``, ``vm-tlb-size-bar`` (``data-way``, ``data-cycles``, ``data-misses``),
``vm-tlb-size-verdict`` (``data-cheaper``).
"""

from __future__ import annotations

import html

from ..course.ch13.compare import TLB_SIZES, tlb_rows

COLOURS = {'shadow (hw)': '#edae49', 'nested (hw)': '#00798c'}
BAR_PX = 420


def bars_html(row, top):
    """Bars of one ``tlb_rows`` row, scaled to ``top`` cycles."""
    parts = []
    for way in COLOURS:
        m = row[way]
        width = max(2, round(BAR_PX * m['cycles'] / top))
        refs = m['references'] / m['misses'] if m['misses'] else 0
        parts.append(
            f"<div class='vm-tlb-size-bar' data-way='{way}' data-cycles='{m['cycles']}' "
            f"data-misses='{m['misses']}' style='display:flex; align-items:center; gap:8px; "
            "margin:3px 0'><span style='width:100px; text-align:right'>"
            f"{html.escape(way)}</span><span style='display:inline-block; height:16px; "
            f"width:{width}px; background:{COLOURS[way]}'></span><span style='font-family:"
            f"monospace; font-size:12px'>{m['cycles']:,} cycles; {m['misses']:,} misses x "
            f"{refs:.1f} refs</span></div>")
    s, n = row['shadow (hw)']['cycles'], row['nested (hw)']['cycles']
    cheaper = 'nested' if n < s else 'shadow'
    parts.append(f"<div class='vm-tlb-size-verdict' data-cheaper='{cheaper}' "
                 f"style='margin-top:4px'>{row['entries']} entries: <b>{cheaper} paging</b> "
                 f"is cheaper, by {abs(s - n):,} cycles</div>")
    return f"<div class='vm-tlb-size-bars' style='font-size:13px'>{''.join(parts)}</div>"


class TlbSizeWidget:
    """A TLB-size slider over ``sizes`` for ``workload``."""

    def __init__(self, workload='tlb', sizes=TLB_SIZES, entries=None):
        import ipywidgets as w
        from ._course_common import live_box
        self.rows = {r['entries']: r for r in tlb_rows(workload, sizes)}
        self.top = max(r[way]['cycles'] for r in self.rows.values() for way in COLOURS)
        self.size = w.SelectionSlider(options=list(sizes), value=entries or sizes[0],
                                      description='TLB entries',
                                      layout=w.Layout(width='460px'))
        self.size.add_class('vm-tlb-size-slider')
        self.bars = w.HTML()
        self.size.observe(lambda change: self.show(), names='value')
        self.widget = live_box([self.size, self.bars], f'TLB size: {workload}')
        self.widget.add_class('vm-tlb-size')
        self.show()

    def show(self):
        self.bars.value = bars_html(self.rows[self.size.value], self.top)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return repr(self.widget)
