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


# The map is drawn top to bottom (a chapter's prerequisites above it), in inches: a row per
# prerequisite depth, chapters of one depth side by side, so that titles are written out at a
# size that stays readable where a chapter shows the figure (no wider than about 8.5 inches).
_SX, _SY = 2.35, 0.72      # inches between neighbours in a row, between rows
_BW, _BH = 2.15, 0.48      # box size
_FONT = 8                  # points: titles; "coming" and the legend line are no smaller


def _map_positions() -> dict[int, tuple[float, float]]:
    """Box centres in inches: :func:`~vmlib.course.chapters.layout` turned a quarter clockwise
    (its columns become rows, its 'higher' becomes 'further right')."""
    return {n: (y * _SX, -x * _SY) for n, (x, y) in layout().items()}


def _crosses(p0, p1, boxes, steps: int = 60) -> bool:
    """Whether the segment p0-p1 passes through one of ``boxes`` ((x0, y0, x1, y1) each)."""
    for k in range(1, steps):
        t = k / steps
        x, y = p0[0] + t * (p1[0] - p0[0]), p0[1] + t * (p1[1] - p0[1])
        if any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes):
            return True
    return False


def draw_course_map(track: str = "all", target: int | None = None):
    """The map as a matplotlib Figure, read top to bottom: boxes for chapters (dashed =
    coming), arrows from a chapter to the chapters that need it, colour for the track; the
    selection is bright, the rest faded; the reading path to ``target`` is drawn bold."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    _check(track, target)
    pos = _map_positions()
    path = (prerequisites(target) | {target}) if target is not None else set()
    boxes = {n: (x - _BW / 2, y - _BH / 2, x + _BW / 2, y + _BH / 2) for n, (x, y) in pos.items()}
    left = min(b[0] for b in boxes.values()) - 0.22       # lanes for arrows that skip rows
    right = max(b[2] for b in boxes.values()) + 0.22
    bottom = min(b[1] for b in boxes.values())
    top = max(b[3] for b in boxes.values())
    head_h = 0.62                                          # the title's two lines
    fig = new_figure(right - left + 0.1, top - bottom + 0.1 + head_h)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(left - 0.05, right + 0.05)
    ax.set_ylim(bottom - 0.05, top + 0.05 + head_h)
    ax.axis("off")

    for r, n in map_edges():
        (x, y), (rx, ry) = pos[n], pos[r]
        on_path = n in path and r in path
        bright = _selected(track, n) and _selected(track, r)
        style = dict(arrowstyle="-|>,head_length=0.5,head_width=0.25",
                     lw=2.6 if on_path else 1.0,
                     color="#222222" if on_path else "#888888",
                     alpha=1.0 if (bright or on_path) else 0.3, shrinkA=0, shrinkB=0,
                     mutation_scale=12)
        # leave the bottom edge and arrive on the top edge towards the other end's side
        lean = max(-_BW / 3, min(_BW / 3, 0.35 * (x - rx)))
        start, end = (rx + lean, ry - _BH / 2), (x - lean, y + _BH / 2)
        others = [b for k, b in boxes.items() if k not in (r, n)]
        if not _crosses(start, end, others):
            ax.add_patch(FancyArrowPatch(start, end, **style))
            continue
        # an arrow that would cross other chapters goes round them, down the side lane next
        # to its target, and enters the target from that side
        lane = left if x <= (left + right) / 2 else right
        side = x - _BW / 2 if lane == left else x + _BW / 2
        start, mid = (rx, ry - _BH / 2), ry - _BH / 2 - 0.09
        verts = [start, (rx, mid), (lane, mid), (lane, y), (side, y)]
        route = Path(verts, [Path.MOVETO] + [Path.LINETO] * (len(verts) - 1))
        ax.add_patch(FancyArrowPatch(path=route, joinstyle="round", **style))

    for n, c in CHAPTERS.items():
        x, y = pos[n]
        sel = _selected(track, n)
        color = COLORS[track_of(n)]
        ax.add_patch(FancyBboxPatch((x - _BW / 2, y - _BH / 2), _BW, _BH,
                                    boxstyle="round,pad=0.01,rounding_size=0.08",
                                    facecolor=color, alpha=0.9 if sel else 0.18,
                                    edgecolor="#111111" if n in path else color,
                                    linewidth=2.8 if n in path else 1.2,
                                    linestyle="-" if c.ready else "--"))
        ink = "white" if sel else "#555555"
        weight = "bold" if n in path or c.ready else "normal"
        # the number (and "coming") in a column at the left, the title centred beside it
        ax.text(x - _BW / 2 + 0.08, y if c.ready else y + 0.09, f"{n:02d}", ha="left",
                va="center", fontsize=_FONT + 1, color=ink, fontweight="bold")
        if not c.ready:
            ax.text(x - _BW / 2 + 0.08, y - 0.1, "coming", ha="left", va="center",
                    fontsize=_FONT - 0.5, color=ink, style="italic")
        ax.text(x + 0.25, y, _wrap(c.title, 22 if c.ready else 19), ha="center", va="center",
                fontsize=_FONT, color=ink, fontweight=weight, linespacing=1.15)
    title = f"Course map - track: {track}"
    if target is not None:
        title += f" - reading path to {target:02d} in bold"
    ytop = top + 0.05 + head_h
    ax.text((left + right) / 2, ytop - 0.04, title, ha="center", va="top", fontsize=11)
    ax.text((left + right) / 2, ytop - 0.30,
            "read top to bottom: an arrow leads to the chapters that need a chapter   "
            "(blue: beginner, orange: advanced, dashed: coming)",
            ha="center", va="top", fontsize=_FONT, color="#444444")
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
