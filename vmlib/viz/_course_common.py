"""Small helpers shared by the course's widgets: figures off pyplot, PNG bytes, escaped text,
the stepping controls and bordered panels."""
from __future__ import annotations

import functools
import html
import io

from matplotlib.figure import Figure


def new_figure(w: float, h: float, dpi: int = 100) -> Figure:
    """A figure that does not go through pyplot (no global state, nothing shown by accident)."""
    return Figure(figsize=(w, h), dpi=dpi)


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (no timestamps or software tags that would change between runs)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def pre(text: str) -> str:
    """Text for an HTML widget, kept monospaced and escaped."""
    return ("<pre style='font-size:12px; line-height:1.3; margin:0'>"
            f"{html.escape(text)}</pre>")


def step_controls(prefix: str, unit: str, run_n: int, max_n: int, reset_tooltip: str,
                  step, reset):
    """The stepping widgets' controls: **Step**, **Run N**, the count N and **Reset**, with
    the CSS classes ``vm-<prefix>-step``, ``-run``, ``-n``, ``-reset`` (the browser tests find
    them by these), wired to ``step(count)`` and ``reset()``. ``unit`` names what one step
    executes ('instruction', 'bytecode'). Returns ``(step_button, run_button, n, reset_button)``.
    """
    import ipywidgets as w

    step_button = w.Button(description='Step', tooltip=f'execute one {unit}',
                           icon='step-forward')
    run_button = w.Button(description='Run N', tooltip=f'execute N {unit}s', icon='forward')
    n = w.BoundedIntText(value=run_n, min=1, max=max_n, description='N',
                         layout=w.Layout(width='140px'))
    reset_button = w.Button(description='Reset', tooltip=reset_tooltip, icon='undo')
    for wdg, part in ((step_button, 'step'), (run_button, 'run'), (n, 'n'),
                      (reset_button, 'reset')):
        wdg.add_class(f'vm-{prefix}-{part}')
    step_button.on_click(lambda _: step(1))
    run_button.on_click(lambda _: step(n.value))
    reset_button.on_click(lambda _: reset())
    return step_button, run_button, n, reset_button


def panel_box(children, **layout):
    """A titled panel of a widget: a thin-bordered column (``layout``: e.g. ``width='48%'``,
    or ``flex='0 0 auto'`` for a panel as wide as its content inside :func:`panel_row`)."""
    import ipywidgets as w

    return w.VBox(children, layout=w.Layout(border='1px solid #ddd', padding='4px', **layout))


def panel_row(children):
    """Panels side by side that are never squeezed: give each ``flex='0 0 auto'`` (as wide as
    its content) or ``flex='1 0 auto'`` (that, and the room left); a row too wide for the
    output wraps, its last panels going under the first, rather than clip a panel's content.
    (A panel with a percentage width is cut to that width, and its box clips what does not
    fit: at 1280 px with the file browser open an output is only 848 px wide.)"""
    import ipywidgets as w

    return w.HBox(children, layout=w.Layout(flex_flow='row wrap', width='100%'))


def live_text(what: str) -> str:
    """The plain text a course widget shows where widgets are not drawn."""
    return f"[{what}: a live widget -- run this cell in JupyterLab to use it]"


@functools.cache
def _live_box_class():
    import ipywidgets as w

    class LiveBox(w.VBox):
        """A VBox whose plain text (its repr) names the widget instead of listing its children."""

        def __repr__(self):
            return live_text(self.what)

    return LiveBox


def live_box(children, what: str, **kwargs):
    """The outer box of a course widget. A notebook opened before its cells run, a page on
    GitHub or a text export shows a widget's plain text, which ipywidgets makes its Python repr
    (``VBox(children=(HBox(...``); this box's plain text says what it is and how to use it."""
    box = _live_box_class()(children, **kwargs)
    box.what = what
    return box


#: how wide a chapter shows a figure, in CSS pixels: JupyterLab at 1280 px with the file
#: browser open gives an output 848 px wide (tests/browser/test_chapters_at_1280.py measures it)
SHOWN_WIDTH_PX = 848
#: the smallest text a figure may show at that width, in CSS pixels
MIN_TEXT_PX = 10


def drawn_texts(fig: Figure):
    """The texts a reader sees in ``fig``: ``(text, bbox)`` for every :class:`~matplotlib.text.Text`
    that drawing the figure really draws (tick labels outside the view limits, the labels of an
    axis turned off and empty strings left out), ``bbox`` in display pixels, and the renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    seen: list = []
    draw = Text.draw

    def recording_draw(self, renderer):
        if self.get_visible() and self.get_text().strip() and self.figure is fig:
            seen.append(self)
        return draw(self, renderer)

    Text.draw = recording_draw
    try:
        canvas.draw()
    finally:
        Text.draw = draw
    renderer = canvas.get_renderer()
    out = []
    for t in dict.fromkeys(seen):            # in drawing order, each once
        bbox = t.get_window_extent(renderer)
        if bbox.width > 0:
            out.append((t, bbox))
    return out, renderer


def png_width_px(fig: Figure, renderer=None) -> float:
    """The width of :func:`png_bytes`' PNG of ``fig``: its tight bounding box and the padding."""
    import matplotlib as mpl

    if renderer is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        renderer = canvas.get_renderer()
    pad = mpl.rcParams["savefig.pad_inches"]
    return (fig.get_tightbbox(renderer).width + 2 * pad) * fig.dpi


def smallest_text(fig: Figure, shown_width_px: int = SHOWN_WIDTH_PX) -> tuple[float, str]:
    """The smallest text of ``fig`` as a reader sees it, in CSS pixels, and that text.

    A notebook saves a figure as a PNG of its tight bounding box at the figure's dpi; JupyterLab
    shrinks it to the output's width when it is wider. A label of ``s`` points then shows
    ``s * dpi / 72 * min(1, shown / png_width)`` pixels tall (the em size), which is what
    chapter figures are held to (:data:`MIN_TEXT_PX`). Only texts that are drawn count."""
    texts, renderer = drawn_texts(fig)
    scale = min(1.0, shown_width_px / png_width_px(fig, renderer))
    sizes = [(float(t.get_fontsize() * fig.dpi / 72 * scale), t.get_text())
             for t, _ in texts]
    return min(sizes, default=(float('inf'), ''))


def text_collisions(fig: Figure, tolerance_px: float = 1.0) -> list[str]:
    """What makes ``fig`` cluttered, one line each (empty when nothing): two drawn texts that
    overlap, a text over a legend it is not part of, and a text placed in one axes (a label,
    an annotation) that runs into another axes. ``tolerance_px``: overlaps this thin pass."""
    texts, renderer = drawn_texts(fig)
    problems = []

    def hit(a, b):
        return (min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance_px
                and min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance_px)

    for i, (a, ba) in enumerate(texts):
        for b, bb in texts[i + 1:]:
            if hit(ba, bb):
                problems.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    legends = [lg for ax in fig.axes for lg in ([ax.get_legend()] if ax.get_legend() else [])]
    legends += list(fig.legends)
    for lg in legends:
        own = set(lg.get_texts()) | {lg.get_title()}
        box = lg.get_window_extent(renderer)
        for t, bt in texts:
            if t not in own and hit(bt, box):
                problems.append(f"{t.get_text()!r} runs into a legend")
    drawn = {t for t, _ in texts}
    for ax in fig.axes:
        for t in ax.texts:
            if t not in drawn:
                continue
            bt = t.get_window_extent(renderer)
            for other in fig.axes:
                if other is not ax and other.get_visible() and other.axison and \
                        hit(bt, other.get_window_extent(renderer)):
                    problems.append(f"{t.get_text()!r} runs into another axes")
    return problems
