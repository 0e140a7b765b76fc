"""Chapter 03: an Sv32 page walk, drawn step by step.

The walk itself is ``vmlib.course.pagewalk`` (``walk_steps``: the machine's own walk, told).
Three views of a walk, one source:

- ``walk_text(walk)`` (in ``vmlib.course.pagewalk``): plain text (what static readers and
  nbval see);
- ``walk_html(walk)``: an HTML table (CSS class ``vm-pagewalk-table``);
- ``draw_walk(walk)``: a matplotlib figure (virtual address split, the two tables, the page).

``pagewalk_widget(machine, presets)`` drives them from a dropdown of interesting addresses,
a free text box, the access type and the privilege level.
"""
from __future__ import annotations

import html
import textwrap

from ..course.pagewalk import (ACCESSES, FLAG_NAMES, FLAG_BITS, Walk, parse_address,
                               split_va, walk_steps)
from ..machine.sv32 import LOAD
from ..machine.traps import cause_name

_CELL = "style='padding:2px 8px; border:1px solid #ccc; text-align:left; font-family:monospace'"


def _flags_html(pte: int) -> str:
    parts = []
    for n, b in zip(FLAG_NAMES, FLAG_BITS):
        on = bool(pte & b)
        color = '#1a7f37' if on else '#bbb'
        parts.append(f"<span style='color:{color}; font-weight:{'bold' if on else 'normal'}'>"
                     f"{n if on else '-'}</span>")
    return ' '.join(parts)


def walk_html(w: Walk) -> str:
    """The walk as an HTML table (class ``vm-pagewalk-table``), one row per step."""
    vpn1, vpn0, off = split_va(w.va)
    e = html.escape
    head = (f"<div class='vm-pagewalk-title' style='font-family:monospace; margin-bottom:4px'>"
            f"va <b>0x{w.va:08x}</b> ({e(w.access)} in {e(w.priv)}-mode): "
            f"vpn1 <b style='color:#4C72B0'>{vpn1}</b> | vpn0 <b style='color:#DD8452'>{vpn0}</b>"
            f" | offset <b style='color:#55A868'>0x{off:03x}</b></div>")
    rows = [f"<tr><th {_CELL}>step</th><th {_CELL}>address</th><th {_CELL}>value</th>"
            f"<th {_CELL}>flags</th><th {_CELL}>meaning</th></tr>"]
    if not w.translated:
        rows.append(f"<tr><td {_CELL}>-</td><td {_CELL} colspan='4'>{e(w.reason)}</td></tr>")
    else:
        rows.append(f"<tr><td {_CELL}>satp</td><td {_CELL}>-</td><td {_CELL}>0x{w.satp:08x}</td>"
                    f"<td {_CELL}>MODE=Sv32</td><td {_CELL}>root table at "
                    f"0x{(w.satp & 0x3FFFFF) << 12:08x}</td></tr>")
        for s in w.steps:
            rows.append(f"<tr><td {_CELL}>level {s.level}</td>"
                        f"<td {_CELL}>0x{s.table:08x} + {s.index}*4 = 0x{s.addr:08x}</td>"
                        f"<td {_CELL}>0x{s.pte:08x}</td><td {_CELL}>{_flags_html(s.pte)}</td>"
                        f"<td {_CELL}>{e(s.meaning)}</td></tr>")
    if w.ok:
        result = f"pa <b>0x{w.pa:08x}</b>"
        if w.sets:
            result += f" (the access sets {' and '.join(w.sets)})"
        color = '#e6f4ea'
    else:
        result = f"<b>{e(cause_name(w.fault))}</b> (cause {w.fault}), tval 0x{w.va:08x}: {e(w.reason)}"
        color = '#fde7e9'
    rows.append(f"<tr style='background:{color}'><td {_CELL}>result</td>"
                f"<td {_CELL} colspan='4' class='vm-pagewalk-result'>{result}</td></tr>")
    return (f"<div class='vm-pagewalk' style='line-height:1.35'>{head}<table class='vm-pagewalk-table' "
            f"style='border-collapse:collapse; font-size:12px'>{''.join(rows)}</table></div>")


def draw_walk(w: Walk):
    """The walk as a matplotlib Figure: va fields, satp, the tables with the entries used,
    and the page (or the fault)."""
    from matplotlib.patches import FancyArrowPatch, Rectangle
    from ._course_common import new_figure

    fig = new_figure(8.28, 3.8)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 40)
    ax.axis('off')
    vpn1, vpn0, off = split_va(w.va)
    colors = ('#4C72B0', '#DD8452', '#55A868')
    # the virtual address, split
    x = 4
    for (label, value, width), c in zip((('vpn1', f'{vpn1}', 10), ('vpn0', f'{vpn0}', 10),
                                         ('offset', f'0x{off:03x}', 12)), colors):
        ax.add_patch(Rectangle((x, 33), width * 1.2, 5, facecolor=c, alpha=0.25, edgecolor=c))
        ax.text(x + width * 0.6, 35.5, f'{label}\n{value}', ha='center', va='center', fontsize=8.5)
        x += width * 1.2
    ax.text(x + 2, 35.5, f'va 0x{w.va:08x}  ({w.access}, {w.priv}-mode)', va='center', fontsize=9.5,
            family='monospace')

    def arrow(x0, y0, x1, y1, color='#444'):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle='-|>', mutation_scale=10,
                                     color=color, lw=1.2))

    if not w.translated:
        ax.text(50, 18, w.reason + f'\npa = 0x{w.pa:08x}', ha='center', va='center', fontsize=10)
        return fig
    ax.add_patch(Rectangle((2, 18), 14, 6, facecolor='#eee', edgecolor='#444'))
    ax.text(9, 21, f'satp\n0x{w.satp:08x}', ha='center', va='center', fontsize=8.5,
            family='monospace')

    def table(x0, level, step, color):
        ax.add_patch(Rectangle((x0, 3), 20, 26, facecolor='white', edgecolor='#444'))
        ax.text(x0 + 10, 30, f'level-{level} table\n0x{step.table:08x}' if step else
                f'level-{level} table', ha='center', va='bottom', fontsize=8.5, family='monospace')
        if step is None:
            return None
        y = 26 - 20 * step.index / 1023
        fault = not w.ok and step is w.steps[-1]
        ax.add_patch(Rectangle((x0, y - 1.5), 20, 3, facecolor='#fbb' if fault else color,
                               alpha=0.6, edgecolor='#444'))
        ax.text(x0 + 10, y, f'[{step.index}] 0x{step.pte:08x}\n{step.flags}', ha='center',
                va='center', fontsize=7.5, family='monospace')
        return y

    def label(x, y, text):
        ax.text(x, y, text, ha='center', va='bottom', fontsize=7.5, color='#555')

    by_level = {s.level: s for s in w.steps}
    y1 = table(24, 1, by_level.get(1), colors[0])
    arrow(16, 21, 24, y1 if y1 is not None else 21)
    label(20, max(21, y1 or 21) + 1, '+ vpn1*4')
    y0 = None
    if 0 in by_level:
        y0 = table(52, 0, by_level.get(0), colors[1])
        arrow(44, y1, 52, y0)
        label(48, max(y1, y0) + 1, 'ppn*4096\n+ vpn0*4')
    last_y, last_x = (y0, 72) if y0 is not None else (y1, 44)
    if w.ok:
        label((last_x + 80) / 2, max(last_y, 18) + 1, 'ppn*4096\n+ offset')
    if w.ok:
        ax.add_patch(Rectangle((80, 10), 18, 16, facecolor=colors[2], alpha=0.2, edgecolor='#444'))
        kind = '4 KiB page' if w.page_size == 4096 else '4 MiB megapage'
        ax.text(89, 18, f'{kind}\n0x{w.pa & -w.page_size & 0xFFFFFFFF:08x}\n+ offset\n= pa '
                f'0x{w.pa:08x}', ha='center', va='center', fontsize=8, family='monospace')
        arrow(last_x, last_y, 80, 18, color='#1a7f37')
    else:
        reason = textwrap.fill(w.reason, 24)          # inside the page's place (18 units)
        ax.text(89, 18, f'{cause_name(w.fault)}\n(cause {w.fault})\n{reason}', ha='center',
                va='center', fontsize=8, color='#b00020')
        arrow(last_x, last_y, 80, 18, color='#b00020')
    return fig


def walk_png(w: Walk) -> bytes:
    from ._course_common import png_bytes
    return png_bytes(draw_walk(w))


# ---------------------------------------------------------------------------------------------
# the widget


def pagewalk_widget(machine, presets=None, priv='U'):
    """Pick an address (``presets``: [(label, va, access)]) or type one; see the walk.

    CSS classes: ``vm-pagewalk-preset`` (dropdown), ``vm-pagewalk-va`` (text),
    ``vm-pagewalk-access`` and ``vm-pagewalk-priv`` (toggles), ``vm-pagewalk-view`` (HTML),
    ``vm-pagewalk-plot`` (the figure as an image).
    """
    import ipywidgets as widgets

    from ._course_common import live_box

    presets = list(presets or [])
    options = [(label, i) for i, (label, _, _) in enumerate(presets)]
    first_va, first_access = (presets[0][1], presets[0][2]) if presets else (0, LOAD)
    preset = widgets.Dropdown(options=options or [('(none)', -1)], description='address',
                              layout=widgets.Layout(width='420px'))
    va_box = widgets.Text(value=f'0x{first_va:08x}', description='va',
                          layout=widgets.Layout(width='220px'))
    access = widgets.ToggleButtons(options=list(ACCESSES), value=first_access,
                                   style={'button_width': '60px'})
    who = widgets.ToggleButtons(options=['U', 'S', 'M'], value=priv, style={'button_width': '40px'})
    view = widgets.HTML()
    plot = widgets.Image(format='png', layout=widgets.Layout(max_width='100%'))
    for wdg, cls in ((preset, 'vm-pagewalk-preset'), (va_box, 'vm-pagewalk-va'),
                     (access, 'vm-pagewalk-access'), (who, 'vm-pagewalk-priv'),
                     (view, 'vm-pagewalk-view'), (plot, 'vm-pagewalk-plot')):
        wdg.add_class(cls)
    busy = []

    def redraw(*_):
        if busy:
            return
        try:
            va = parse_address(va_box.value)
        except ValueError:
            view.value = f"<span style='color:#b00020'>not an address: {html.escape(va_box.value)}</span>"
            return
        w = walk_steps(machine, va, access.value, who.value)
        view.value = walk_html(w)
        plot.value = walk_png(w)

    def choose(change):
        i = change['new']
        if 0 <= i < len(presets):
            busy.append(1)
            va_box.value = f'0x{presets[i][1]:08x}'
            access.value = presets[i][2]
            busy.pop()
            redraw()

    preset.observe(choose, names='value')
    va_box.observe(redraw, names='value')
    access.observe(redraw, names='value')
    who.observe(redraw, names='value')
    redraw()
    box = live_box([preset, widgets.HBox([va_box, access, who]), view, plot], "Page walk")
    box.add_class('vm-pagewalk-widget')
    return box
