"""The course map of notebook 00: chapters, prerequisites and tracks, drawn and as a widget.

``course_map_widget()`` returns an ipywidgets container: a track selector
(CSS class ``vm-course-map-track``) and a target-chapter dropdown (``vm-course-map-target``)
drive the drawn map (an image, ``vm-course-map-plot``) and its text (``vm-course-map-text``).
``course_map_text(track, target)`` is the same view as plain text (the static fallback), and
``draw_course_map(track, target)`` the same picture as a matplotlib figure.
"""
from __future__ import annotations

from matplotlib.patches import FancyBboxPatch

from ..course.chapters import CHAPTERS, TRACKS, layout, map_edges, prerequisites, track_of
from ._course_common import new_figure, png_bytes, pre, live_box

TRACK_CHOICES = ("all", "beginner", "advanced")
COLORS = {"beginner": "#4C72B0", "advanced": "#DD8452"}


def _selected(track: str, n: int) -> bool:
    return track == "all" or n in TRACKS[track].chapters


def _check(track, target):
    if track not in TRACK_CHOICES:
        raise ValueError(f"track must be one of {TRACK_CHOICES}, not {track!r}")
    if target is not None and target not in CHAPTERS:
        raise ValueError(f"no chapter {target!r}")


def course_map_text(track: str = "all", target: int | None = None) -> str:
    """The map as text: one line per chapter, marking track, availability and a reading path.

    Markers: ``*`` chapter in the selected track, ``>`` on the reading path to ``target``,
    ``[ready]``/``[coming]`` whether the notebook exists yet.
    """
    _check(track, target)
    path = (prerequisites(target) | {target}) if target is not None else set()
    head = f"Course map - track: {track}"
    if target is not None:
        head += f"; reading path to {target:02d}: " + " -> ".join(f"{n:02d}" for n in sorted(path))
    lines = [head]
    for n, c in sorted(CHAPTERS.items()):
        sel = "*" if _selected(track, n) else " "
        on = ">" if n in path else " "
        req = ", ".join(f"{r:02d}" for r in c.requires) or "-"
        status = "[ready] " if c.ready else "[coming]"
        lines.append(f"{sel}{on} {n:02d} {status} {c.title:<43} {track_of(n):<8} needs {req}")
    ready = sum(c.ready for c in CHAPTERS.values())
    lines.append(f"{ready} of {len(CHAPTERS)} chapters ready; "
                 f"{sum(_selected(track, n) for n in CHAPTERS)} in this selection.")
    return "\n".join(lines)


def _wrap(title: str, width: int = 16) -> str:
    words, lines, cur = title.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur)
    return "\n".join(lines)


def draw_course_map(track: str = "all", target: int | None = None):
    """The map as a matplotlib Figure: boxes for chapters (dashed = coming), arrows for
    prerequisites, colour for the track; the selection is bright, the rest faded; the reading
    path to ``target`` is drawn bold."""
    _check(track, target)
    pos = layout()
    path = (prerequisites(target) | {target}) if target is not None else set()
    fig = new_figure(13, 5.0)
    ax = fig.add_axes([0, 0, 1, 0.92])
    sx, sy = 1.7, 1.3  # spread
    bw, bh = 1.42, 0.92
    for r, n in map_edges():
        x, y = pos[n]
        rx, ry = pos[r]
        on_path = n in path and r in path
        bright = _selected(track, n) and _selected(track, r)
        # arrows that jump over a column bend away from the boxes in between
        rad = 0.0 if x - rx <= 1 else min(0.62, 0.12 * (x - rx)) * (-1 if ry >= y else 1)
        ax.annotate("", xy=(x * sx - bw / 2, y * sy), xytext=(rx * sx + bw / 2, ry * sy),
                    arrowprops=dict(arrowstyle="-|>", lw=2.6 if on_path else 1.0,
                                    color="#222222" if on_path else "#888888",
                                    alpha=1.0 if (bright or on_path) else 0.3,
                                    shrinkA=0, shrinkB=0,
                                    connectionstyle=f"arc3,rad={rad}"))
    for n, c in CHAPTERS.items():
        x, y = pos[n]
        sel = _selected(track, n)
        color = COLORS[track_of(n)]
        box = FancyBboxPatch((x * sx - bw / 2, y * sy - bh / 2), bw, bh,
                             boxstyle="round,pad=0.02,rounding_size=0.12",
                             facecolor=color, alpha=0.9 if sel else 0.18,
                             edgecolor="#111111" if n in path else color,
                             linewidth=2.8 if n in path else 1.2,
                             linestyle="-" if c.ready else "--")
        ax.add_patch(box)
        txt = f"{n:02d}\n{_wrap(c.title)}"
        ax.text(x * sx, y * sy - 0.03, txt, ha="center", va="center", fontsize=6.8,
                color="white" if sel else "#555555",
                fontweight="bold" if n in path or c.ready else "normal")
        if not c.ready:
            ax.text(x * sx + bw / 2 - 0.04, y * sy + bh / 2 - 0.04, "coming", ha="right",
                    va="top", fontsize=5.5, color="white" if sel else "#777777", style="italic")
    xs = [p[0] * sx for p in pos.values()]
    ys = [p[1] * sy for p in pos.values()]
    ax.set_xlim(min(xs) - bw, max(xs) + bw)
    ax.set_ylim(min(ys) - bh, max(ys) + bh + 1.3)  # room for the long arcs above
    ax.set_aspect("equal")
    ax.axis("off")
    title = f"Course map - track: {track}"
    if target is not None:
        title += f" - reading path to {target:02d} in bold"
    fig.suptitle(title + "   (blue: beginner, orange: advanced, dashed: coming)", fontsize=11)
    return fig


def course_map_widget(track: str = "all", target: int | None = None):
    """The live course map: a track selector and a target chapter drive the drawing and text."""
    import ipywidgets as W

    track_w = W.ToggleButtons(options=list(TRACK_CHOICES), value=track, description="Track",
                              style={"button_width": "auto"})
    track_w.add_class("vm-course-map-track")
    options = [("(none)", None)] + [(c.label, n) for n, c in sorted(CHAPTERS.items())]
    target_w = W.Dropdown(options=options, value=target, description="Path to",
                          layout=W.Layout(width="420px"))
    target_w.add_class("vm-course-map-target")
    img = W.Image(format="png", layout=W.Layout(max_width="100%"))
    img.add_class("vm-course-map-plot")
    text = W.HTML()
    text.add_class("vm-course-map-text")

    def update(_=None):
        fig = draw_course_map(track_w.value, target_w.value)
        img.value = png_bytes(fig)
        text.value = pre(course_map_text(track_w.value, target_w.value))

    track_w.observe(update, "value")
    target_w.observe(update, "value")
    update()
    box = live_box([W.HBox([track_w, target_w]), img, text], "Course map")
    box.add_class("vm-course-map")
    return box
