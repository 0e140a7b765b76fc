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
    """A titled panel of a widget: a thin-bordered column (``layout``: e.g. ``width='48%'``)."""
    import ipywidgets as w

    return w.VBox(children, layout=w.Layout(border='1px solid #ddd', padding='4px', **layout))


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


def smallest_text(fig: Figure, shown_width_px: int = SHOWN_WIDTH_PX) -> tuple[float, str]:
    """The smallest text of ``fig`` as a reader sees it, in CSS pixels, and that text.

    A notebook saves a figure as a PNG of its tight bounding box at the figure's dpi; JupyterLab
    shrinks it to the output's width when it is wider. A label of ``s`` points then shows
    ``s * dpi / 72 * min(1, shown / png_width)`` pixels tall (the em size), which is what
    chapter figures are held to (:data:`MIN_TEXT_PX`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    width = fig.get_tightbbox(renderer).width * fig.dpi
    scale = min(1.0, shown_width_px / width)
    sizes = [(t.get_fontsize() * fig.dpi / 72 * scale, t.get_text())
             for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
             and t.get_window_extent(renderer).width > 0]
    return min(sizes, default=(float('inf'), ''))
