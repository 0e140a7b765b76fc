"""Small helpers shared by the course-chapter widgets (chapters 00-02)."""
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
