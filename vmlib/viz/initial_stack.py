"""Chapter 05: the initial stack of a process, drawn (high addresses at the top, ``sp`` at the
bottom), with an arrow from each ``argv``/``envp`` pointer to its string.

Input: the rows of :func:`vmlib.course.ch05.initial_stack`, which reads them from the guest's
memory (so the picture shows what the loader really built).
"""
from __future__ import annotations

from matplotlib.patches import FancyArrowPatch, Rectangle

from ._course_common import new_figure

GROUP_COLORS = {'argc': '#4C72B0', 'argv': '#55A868', 'envp': '#8172B3', 'auxv': '#CCB974',
                'random': '#999999', 'strings': '#C44E52'}


def _value_text(r) -> str:
    if r.group == 'auxv':
        return f'{r.name} = 0x{r.value[1]:x}'
    if r.group == 'argc':
        return f'argc = {r.value}'
    if r.group in ('argv', 'envp'):
        return f'{r.name} = ' + ('NULL' if r.value == 0 else f'0x{r.value:08x}')
    if r.group == 'random':
        return 'AT_RANDOM: 16 bytes'
    return r.name if len(r.name) <= 30 else r.name[:27] + '..."'


def draw_initial_stack(rows, title: str = 'the initial stack'):
    """A matplotlib Figure of the stack rows (one box per item, top = high addresses)."""
    ordered = sorted(rows, key=lambda r: -r.address)
    n = len(ordered)
    fig = new_figure(7.8, 0.27 * n + 1.0)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_xlim(0, 10)
    ax.set_ylim(-1.0, n + 0.2)
    ax.axis('off')
    y_of = {}
    for i, r in enumerate(ordered):
        y = n - 1 - i
        y_of[r.address] = y
        ax.add_patch(Rectangle((2.0, y + 0.06), 3.6, 0.88, facecolor=GROUP_COLORS[r.group],
                               alpha=0.25, edgecolor=GROUP_COLORS[r.group]))
        ax.text(1.9, y + 0.5, f'0x{r.address:08x}', ha='right', va='center', fontsize=7.5,
                family='monospace', color='#555')
        ax.text(2.1, y + 0.5, _value_text(r), ha='left', va='center', fontsize=7.5,
                family='monospace')
    # arrows: pointer -> string
    strings = {r.address: y_of[r.address] for r in ordered if r.group == 'strings'}
    for r in ordered:
        if r.group in ('argv', 'envp') and r.value in strings:
            y0, y1 = y_of[r.address] + 0.5, strings[r.value] + 0.5
            ax.add_patch(FancyArrowPatch((5.6, y0), (5.6, y1), connectionstyle='arc3,rad=0.35',
                                         arrowstyle='-|>', mutation_scale=7, lw=0.7,
                                         color=GROUP_COLORS[r.group]))
    # group labels on the right
    groups = {}
    for r in ordered:
        groups.setdefault(r.group, []).append(y_of[r.address])
    names = {'argc': 'argc', 'argv': 'argv[]: pointers, then NULL',
             'envp': 'envp[]: pointers, then NULL', 'auxv': 'auxv: (type, value) pairs',
             'random': 'AT_RANDOM bytes', 'strings': 'the strings themselves'}
    for g, ys in groups.items():
        ax.text(7.3, (min(ys) + max(ys) + 1) / 2, names[g], ha='left', va='center',
                fontsize=8, color=GROUP_COLORS[g], weight='bold')
    sp = min(r.address for r in rows)
    ax.annotate('sp at _start', xy=(2.0, 0.3), xytext=(0.2, -0.85), fontsize=8,
                arrowprops=dict(arrowstyle='->', lw=0.8))
    ax.text(9.9, -0.85, f'sp = 0x{sp:08x}; higher addresses upwards', ha='right',
            fontsize=7.5, color='#555')
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
