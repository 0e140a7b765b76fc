"""Chapter 11's figures: the same work under trap-and-emulate and paravirtualization, cycles by
cause (rows of ``vmlib.course.ch11.comparison_rows``); and the cost of page-table updates by
batch size (rows of ``vmlib.course.ch11.batching_rows``)."""

from __future__ import annotations

from ..hypervisor.vm import CAUSES
from ._course_common import new_figure

__all__ = ['draw_comparison', 'draw_batching', 'BatchingWidget', 'batching_text']


def draw_comparison(rows):
    """Cycles by cause, trap (left bar) and pv (right bar) for each workload."""
    import numpy as np
    fig = new_figure(8.4, 3.6)
    fig.set_layout_engine('constrained')
    ax = fig.add_subplot()
    x = np.arange(len(rows))
    colours = dict(zip(CAUSES, ('#9e9e9e', '#d1495b', '#edae49', '#00798c', '#30638e')))
    for k, technique in enumerate(('trap', 'pv')):
        bottom = np.zeros(len(rows))
        for cause in CAUSES:
            values = np.array([r[technique]['by cause'][cause][1] / 1e6 for r in rows])
            ax.bar(x + (k - 0.5) * 0.38, values, 0.36, bottom=bottom, color=colours[cause],
                   label=cause if k == 0 else None, edgecolor='white', linewidth=0.5)
            bottom += values
        for i, top in enumerate(bottom):
            ax.text(x[i] + (k - 0.5) * 0.38, top, technique, ha='center', va='bottom',
                    fontsize=10)
    ax.set_xticks(x, [r['workload'] for r in rows], fontsize=11)
    ax.set_ylabel('cycles (millions, cost model)', fontsize=11)
    ax.set_title('the same work: trap-and-emulate (left) and the paravirtual port (right)',
                 fontsize=12)
    ax.legend(title='cycles by cause', fontsize=10, title_fontsize=10, ncols=5,
              loc='upper center', bbox_to_anchor=(0.5, -0.13), frameon=False)
    ax.margins(y=0.12)
    return fig


def draw_batching(rows):
    """Cycles against the batch size (log scale)."""
    fig = new_figure(6.4, 3.2)
    fig.set_layout_engine('constrained')
    ax = fig.add_subplot()
    ax.plot([r['batch'] for r in rows], [r['cycles'] for r in rows], 'o-', color='#30638e',
            label='64 page-table updates, then a read of each page')
    ax.set_xscale('log', base=2)
    ax.set_xlabel('page-table updates per mmu_update', fontsize=11)
    ax.set_ylabel('cycles (cost model)', fontsize=11)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=10)
    ax.tick_params(labelsize=10)
    return fig


def _marked_batching(rows, batch):
    fig = draw_batching(rows)
    ax = fig.axes[0]
    row = next(r for r in rows if r['batch'] == batch)
    ax.plot([batch], [row['cycles']], 'o', ms=12, mfc='none', mec='#d1495b', mew=2.5)
    return fig


def batching_text(row, first):
    """One row of ``batching_rows`` in words, against one update per hypercall (``first``)."""
    return (f"{row['batch']} update(s) per mmu_update: {row['hypercalls']} hypercalls, "
            f"{row['exits']} exits, {row['cycles']:,} cycles "
            f"({row['cycles'] / first['cycles']:.0%} of one update per hypercall)")


class BatchingWidget:
    """A slider over the batch sizes of ``rows`` (``vmlib.course.ch11.batching_rows``): the
    curve with the chosen size marked, and its hypercalls, exits and cycles in words. CSS
    classes: ``vm-batching`` (the widget), ``vm-batching-size`` (the slider),
    ``vm-batching-figure``, ``vm-batching-text``."""

    def __init__(self, rows, batch=None):
        import ipywidgets as w
        from ._course_common import live_box, png_bytes
        self.rows, self._png = rows, png_bytes
        sizes = [r['batch'] for r in rows]
        self.size = w.SelectionSlider(options=sizes, value=batch or sizes[0],
                                      description='updates per mmu_update',
                                      style={'description_width': 'initial'},
                                      layout=w.Layout(width='420px'))
        self.figure = w.Image(format='png')
        self.text = w.HTML()
        for wdg, cls in ((self.size, 'vm-batching-size'), (self.figure, 'vm-batching-figure'),
                         (self.text, 'vm-batching-text')):
            wdg.add_class(cls)
        self.size.observe(lambda ch: self.show(), names='value')
        self.widget = live_box([self.size, self.figure, self.text], 'Batching page-table updates')
        self.widget.add_class('vm-batching')
        self.show()

    def show(self):
        import html
        fig = _marked_batching(self.rows, self.size.value)
        self.figure.value = self._png(fig)
        row = next(r for r in self.rows if r['batch'] == self.size.value)
        self.text.value = ("<div style='font-family:monospace; font-size:13px'>"
                           f"{html.escape(batching_text(row, self.rows[0]))}</div>")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return repr(self.widget)
