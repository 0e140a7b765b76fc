"""Small helpers shared by the course's widgets: figures off pyplot, PNG bytes, escaped text,
the stepping controls and bordered panels."""
from __future__ import annotations

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
