"""Chapter 04: the crossings between API, ABI and ISA, drawn; and a widget to step through them.

:func:`draw_crossings` draws a :class:`vmlib.course.ch04.Journey` as three lanes -- the program
(``main``), the C library, the kernel -- with one box per run of instructions (its count inside)
and an arrow for each crossing: calls and returns across the **API** line, ``ecall`` across
the **ABI** line. The **ISA** band underneath says how many RV32 instructions all of it took.

:class:`CrossingsExplorer` is the live version: pick a program, step through its crossings one
at a time (Prev / Next or the slider); the drawing highlights the current crossing and a panel
shows the registers at that moment (the calling convention or the system-call convention at
work). :func:`crossing_detail_text` is the same panel as text, for static readers.

CSS classes for tests: ``vm-crossings`` (the widget), ``vm-crossings-program`` (dropdown),
``vm-crossings-prev``, ``vm-crossings-next`` (buttons), ``vm-crossings-index`` (slider: the
crossing's number, from 1 as in ``Journey.table``),
``vm-crossings-figure`` (the image), ``vm-crossings-detail`` (the panel),
``vm-crossings-summary``.
"""
from __future__ import annotations

import html

from matplotlib.patches import FancyArrowPatch, Rectangle

from ..procvm.strace import quote
from ..course.text import fit
from ._course_common import new_figure, png_bytes, live_box

LANE_Y = {'program': 3.0, 'libc': 2.0, 'kernel': 1.0}
LANE_H = 0.56
COLORS = {'program': '#4C72B0', 'libc': '#55A868', 'kernel': '#C44E52'}
HIGHLIGHT = '#d62728'
# The drawing is laid out in inches, at the size a chapter shows it (at most about 8.3 inches
# wide, so that its 8-point labels stay readable); a longer journey shows a window of it.
FONT = 8                  #: points: labels, counts, system calls
LEFT = 1.15               #: inches: the column of lane and interface names
WIDTH = 8.25              #: inches: the widest figure
SEGMENT_MIN = 0.45        #: inches: the narrowest run of instructions
GAP = 0.3                 #: inches: between two runs (where the crossing's arrow is)
SYSCALL_PAD = 0.06        #: inches between two system-call boxes


def short_label(journey, c) -> str:
    """A few words for the arrow of crossing ``c``."""
    if c.kind == 'syscall':
        return c.syscall.name
    if c.kind == 'call' and c.dest == 'program' and c.target == journey.start.main:
        return 'main(argc, argv, envp)'
    if c.kind == 'call' and c.source == 'program':
        return f'call {journey.names.get(c.target, hex(c.target))}'
    if c.kind == 'return' and c.source == 'program' and c.label.startswith('main returns'):
        return f'main returns {c.registers["a0"]}'
    if c.kind == 'return':
        return f'ret (a0 = {_signed(c.registers["a0"])})'
    return c.kind


def _signed(x):
    return x - (1 << 32) if x & 0x8000_0000 else x


FULL_LABELS_UP_TO = 6     # more boundary crossings than this: arrows carry their number only


def _boundary(journey):
    return [c for c in journey.crossings if c.kind != 'syscall']


def arrow_label(journey, c, full: bool) -> str:
    return f'{c.index + 1}: {short_label(journey, c)}' if full else f'{c.index + 1}'


def _text_width(text: str, size: float = FONT, weight: str = 'normal') -> float:
    """How wide ``text`` is drawn, in inches (its widest line)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    prop = FontProperties(size=size, weight=weight)
    return max(TextPath((0, 0), line or ' ', prop=prop).get_extents().width
               for line in text.split('\n')) / 72


def syscall_label(c) -> str:
    """The text in a system call's box: its number, and its name on one or two lines (split
    at the underscore that makes the lines most even)."""
    name = c.syscall.name
    if len(name) > 8 and '_' in name:
        cuts = [i for i, ch in enumerate(name) if ch == '_']
        cut = min(cuts, key=lambda i: max(i + 1, len(name) - i - 1))
        name = name[:cut + 1] + '\n' + name[cut + 1:]
    return f'{c.index + 1}\n{name}'


def _syscall_width(c) -> float:
    return max(0.5, _text_width(syscall_label(c), weight='bold') + 0.1)


def layout(journey):
    """x positions, in inches: for each segment (x, width), for each boundary crossing its
    arrow's x, and for each system call its x; plus the total width and whether the arrows
    carry full labels (a few crossings) or their numbers (many). Runs are as wide as their
    count and their system calls need, and two arrows' labels never overlap."""
    boundary = _boundary(journey)
    full = len(boundary) <= FULL_LABELS_UP_TO
    xs, arrow_x, sys_x, x = [], {}, {}, 0.0
    last = None                                       # (x, half width) of the last label
    for k, seg in enumerate(journey.segments):
        count_w = _text_width(f'{seg.count:,}') + 0.12
        if seg.syscalls:
            w = count_w
            for i in seg.syscalls:
                sw = _syscall_width(journey.crossings[i])
                sys_x[i] = x + w + sw / 2
                w += sw + SYSCALL_PAD
            w += 0.04
        else:
            w = max(SEGMENT_MIN, count_w)
        xs.append((x, w))
        x += w
        if k < len(boundary):
            half = (_text_width(arrow_label(journey, boundary[k], full)) + 0.12) / 2
            ax_ = x + GAP / 2
            if last is not None and ax_ - half < last[0] + last[1] + 0.2:
                ax_ = last[0] + last[1] + 0.2 + half   # push the arrow right of its neighbour
            arrow_x[boundary[k].index] = ax_
            last = (ax_, half)
            x = ax_ + GAP / 2
    return xs, arrow_x, sys_x, x, full


def _window(journey, arrow_x, sys_x, width, highlight):
    """The part of the journey to draw, (x0, x1) in inches: all of it when it fits, else a
    window as wide as the figure allows around the highlighted crossing (or the start)."""
    room = WIDTH - LEFT - 0.1
    if width <= room:
        return 0.0, width
    centre = 0.0
    if highlight is not None and 1 <= highlight <= len(journey.crossings):
        i = highlight - 1
        centre = arrow_x.get(i, sys_x.get(i, 0.0))
    x0 = max(0.0, min(width - room, centre - room / 2))
    return x0, x0 + room


def draw_crossings(journey, highlight: int | None = None, title: str | None = None):
    """A matplotlib Figure of the journey; ``highlight``: a crossing number (from 1, as in the
    table) to draw in red.
    Arrows are numbered like :meth:`Journey.table` (1 = the first crossing). A journey too long
    for about 8.3 inches shows the window around the highlighted crossing (the title says
    which crossings it shows)."""
    xs, arrow_x, sys_x, width, full = layout(journey)
    x0, x1 = _window(journey, arrow_x, sys_x, width, highlight)
    fig = new_figure(LEFT + (x1 - x0) + 0.1, 3.9)
    ax = fig.add_axes([0, 0, 1, 0.9])
    left = x0 - LEFT
    ax.set_xlim(left, x1 + 0.1)
    ax.set_ylim(-0.05, 3.4)
    ax.axis('off')

    def inside(a, b=None):
        b = a if b is None else b
        return x0 - 1e-9 <= a and b <= x1 + 1e-9

    # lanes and the interfaces between them
    for lane, y in LANE_Y.items():
        ax.text(left, y, {'program': 'program\n(main)', 'libc': 'C library\n(musl)',
                          'kernel': 'kernel\n(process VM)'}[lane],
                va='center', ha='left', fontsize=9, color=COLORS[lane], weight='bold')
    for y, name, text in ((2.5, 'API', 'call / ret\na0-a7, ra'),
                          (1.5, 'ABI', 'ecall\na7 = number')):
        ax.plot([x0 - 0.05, x1 + 0.1], [y, y], ls=(0, (4, 3)), color='#999', lw=0.8)
        ax.text(left, y, f'{name}: {text}', ha='left', va='center', fontsize=FONT,
                color='#555', style='italic')
    # ISA band
    ax.add_patch(Rectangle((left, 0.0), x1 + 0.1 - left, 0.42, color='#eee', lw=0))
    sc = journey.ecalls
    isa = (f'ISA: {journey.instructions:,} RV32 instructions retired on the hart '
           f'(program {journey.counts["program"]:,}, C library {journey.counts["libc"]:,}); '
           f'{sc} ecall{"s" if sc != 1 else ""} trap into the kernel (here: Python)')
    if _text_width(isa) > x1 - left - 0.1:
        isa = isa.replace('; ', ';\n', 1)
    ax.text(left + 0.06, 0.21, isa, va='center', ha='left', fontsize=FONT, color='#333')
    # boxes (a run that the window cuts is drawn cut)
    for seg, (x, w) in zip(journey.segments, xs):
        a, b = max(x, x0), min(x + w, x1)
        if b <= a:
            continue
        y = LANE_Y[seg.layer]
        ax.add_patch(Rectangle((a, y - LANE_H / 2), b - a, LANE_H, facecolor=COLORS[seg.layer],
                               alpha=0.22, edgecolor=COLORS[seg.layer], lw=1))
        count = f'{seg.count:,}'
        cw = _text_width(count)
        cx = x + 0.06 + cw / 2 if seg.syscalls else x + w / 2
        if inside(cx - cw / 2, cx + cw / 2):
            ax.text(cx, y + (0.12 if seg.syscalls else 0), count, ha='center', va='center',
                    fontsize=FONT)
    # crossings between segments, then system calls
    for c in _boundary(journey):
        if c.index not in arrow_x or not inside(arrow_x[c.index]):
            continue
        xa = arrow_x[c.index]
        y0, y1 = LANE_Y[c.source], LANE_Y[c.dest]
        down = y1 < y0
        hot = highlight == c.index + 1
        color = HIGHLIGHT if hot else '#333'
        ax.add_patch(FancyArrowPatch((xa, y0 + (-1 if down else 1) * LANE_H / 2),
                                     (xa, y1 + (1 if down else -1) * LANE_H / 2),
                                     arrowstyle='-|>', mutation_scale=10, color=color,
                                     lw=2.2 if hot else 1.0))
        label = arrow_label(journey, c, full)
        half = _text_width(label) / 2
        if inside(xa - half, xa + half):
            ax.text(xa, (y0 + y1) / 2, label, fontsize=FONT, color=color, ha='center',
                    va='center', weight='bold' if hot else 'normal',
                    bbox=dict(boxstyle='round,pad=0.15', fc='white', ec='none'))
    for c in journey.crossings:
        if c.kind != 'syscall':
            continue
        x, sw = sys_x[c.index], _syscall_width(c)
        if not inside(x - sw / 2, x + sw / 2):
            continue
        hot = highlight == c.index + 1
        color = HIGHLIGHT if hot else '#333'
        yk = LANE_Y['kernel']
        ax.add_patch(Rectangle((x - sw / 2, yk - LANE_H / 2), sw, LANE_H,
                               facecolor=COLORS['kernel'], alpha=0.45 if hot else 0.22,
                               edgecolor=HIGHLIGHT if hot else COLORS['kernel'],
                               lw=2 if hot else 1))
        ax.text(x, yk, syscall_label(c), ha='center', va='center', fontsize=FONT, color=color,
                weight='bold' if hot else 'normal', linespacing=1.1)
        ytop = LANE_Y[c.source] - LANE_H / 2
        ax.add_patch(FancyArrowPatch((x - 0.1, ytop), (x - 0.1, yk + LANE_H / 2),
                                     arrowstyle='-|>', mutation_scale=8, color=color,
                                     lw=2 if hot else 0.8))
        if c.syscall.result is not None:
            ax.add_patch(FancyArrowPatch((x + 0.1, yk + LANE_H / 2), (x + 0.1, ytop),
                                         arrowstyle='-|>', mutation_scale=8, color=color,
                                         lw=2 if hot else 0.8, ls='--'))
    name = " ".join([journey.program] + journey.argv[1:])
    if title is None:
        title = f'{name}: crossings between the layers (in the boxes: instructions)'
        if (x0, x1) != (0.0, width):
            shown = sorted(i + 1 for i, x in {**arrow_x, **sys_x}.items() if inside(x))
            title = (f'{name}: crossings {shown[0]}-{shown[-1]} of {len(journey.crossings)}'
                     ' (in the boxes: instructions)')
    fig.suptitle(title, fontsize=10, y=0.97)
    return fig


# ---------------------------------------------------------------------------------------------
# one crossing in detail


def _reg_lines(c, journey) -> list[str]:
    r = c.registers
    lines = []
    if c.kind == 'syscall':
        s = c.syscall
        lines.append(f'a7 = {r["a7"]:<10} the system-call number: {s.name}')
        for i, v in enumerate(s.args):
            lines.append(f'a{i} = 0x{v:08x} argument {i + 1}')
        lines.append(f'strace: {s}')
        if s.result is not None:
            lines.append(f'a0 after the ecall = {s.result} '
                         f'({"error: -" + s.error if s.error else "the result"})')
        else:
            lines.append('the call does not return: the process ends here')
        return lines
    if c.kind == 'return':
        lines.append(f'a0 = 0x{r["a0"]:08x}  ({_signed(r["a0"])}: the return value)')
    else:
        roles = {}
        if c.dest == 'program' and c.target == journey.start.main:
            roles = {'a0': 'argc', 'a1': 'argv', 'a2': 'envp'}
        for name in ('a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'):
            v = r[name]
            if name in c.strings:
                note = f'  -> {quote(c.strings[name].encode(), limit=60)}'
            else:
                note = f'  ({_signed(v)})'
            if name in roles:
                note += f'  = {roles[name]}'
            lines.append(f'{name} = 0x{v:08x}{note}')
    lines.append(f'ra = 0x{r["ra"]:08x}  (return address)')
    lines.append(f'sp = 0x{r["sp"]:08x}  (stack pointer)')
    return lines


def crossing_detail_text(journey, number: int) -> str:
    """Crossing ``number`` (from 1, as the table and the widget number them): where, which
    instruction, and the registers at that moment."""
    if not 1 <= number <= len(journey.crossings):
        raise ValueError(f'{journey.program} has crossings 1..{len(journey.crossings)}, '
                         f'not {number}')
    c = journey.crossings[number - 1]
    if c.kind == 'syscall':
        where = f'{c.source} -> kernel -> {c.source}  (the ABI)'
    else:
        where = f'{c.source} -> {c.dest}  ({"the API" if "program" in (c.source, c.dest) else ""})'
    head = [f'crossing {number} of {len(journey.crossings)}: {c.label}',
            f'  {where}',
            f'  after {c.instret:,} instructions; at 0x{c.pc:05x}: {c.instruction}']
    when = 'just before the ecall' if c.kind == 'syscall' else 'on arrival'
    return fit('\n'.join(head + [f'  registers {when}:'] + [f'    {x}' for x in
                                                              _reg_lines(c, journey)]), hang=4)


# ---------------------------------------------------------------------------------------------
# the widget


class CrossingsExplorer:
    """Pick a program, step through its crossings; the drawing follows. Display it as a
    cell's last value. ``programs``: names of guests (default: ``ch04.PROGRAMS``)."""

    def __init__(self, programs=None, program: str = 'printf_one', crossing: int = 1):
        import ipywidgets as w
        from ..course import ch04

        self._ch04 = ch04
        self.programs = list(programs or ch04.PROGRAMS)
        self.journeys = {}
        self.program = w.Dropdown(options=self.programs, value=program, description='program')
        self.prev = w.Button(description='Prev', icon='step-backward',
                             tooltip='the previous crossing')
        self.next = w.Button(description='Next', icon='step-forward', tooltip='the next crossing')
        self.index = w.IntSlider(value=1, min=1, max=1, description='crossing',
                                 continuous_update=False)     # numbered from 1, like the table
        self.figure = w.Image(format='png', layout=w.Layout(max_width='100%'))
        self.detail = w.HTML()
        self.summary = w.HTML()
        for wdg, cls in ((self.program, 'vm-crossings-program'), (self.prev, 'vm-crossings-prev'),
                         (self.next, 'vm-crossings-next'), (self.index, 'vm-crossings-index'),
                         (self.figure, 'vm-crossings-figure'),
                         (self.detail, 'vm-crossings-detail'),
                         (self.summary, 'vm-crossings-summary')):
            wdg.add_class(cls)
        self.prev.on_click(lambda _: self.show(self.current - 1))
        self.next.on_click(lambda _: self.show(self.current + 1))
        self.index.observe(lambda ch: self.show(ch['new']), names='value')
        self.program.observe(lambda ch: self.choose(ch['new']), names='value')
        self.widget = live_box([w.HBox([self.program, self.prev, self.next, self.index]),
                                 self.summary, self.figure, self.detail], "Crossings")
        self.widget.add_class('vm-crossings')
        self._busy = False
        self.choose(program, crossing)

    def journey(self, name=None):
        name = name or self.program.value
        if name not in self.journeys:
            self.journeys[name] = self._ch04.follow(name)
        return self.journeys[name]

    def choose(self, name, crossing: int = 1):
        """Show program ``name`` at its crossing number ``crossing`` (from 1)."""
        j = self.journey(name)
        self._busy = True
        self.index.max = len(j.crossings)
        self.index.value = max(1, min(crossing, len(j.crossings)))
        self._busy = False
        self.summary.value = _pre(j.summary())
        self.show(self.index.value, force=True)

    @property
    def current(self) -> int:
        """The number (from 1, as on the screen) of the crossing shown."""
        return self.index.value

    def show(self, number: int, force: bool = False):
        """Show crossing ``number`` (from 1; clamped to the program's crossings)."""
        if self._busy and not force:
            return
        j = self.journey()
        number = max(1, min(number, len(j.crossings)))
        if self.index.value != number:
            self._busy = True
            self.index.value = number
            self._busy = False
        self.prev.disabled = number == 1
        self.next.disabled = number == len(j.crossings)
        self.figure.value = png_bytes(draw_crossings(j, highlight=number))
        self.detail.value = _pre(crossing_detail_text(j, number))

    def text(self) -> str:
        return crossing_detail_text(self.journey(), self.current)

    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)


def _pre(text: str) -> str:
    return ("<pre style='font-size:12px; line-height:1.3; margin:0; white-space:pre'>"
            f"{html.escape(text)}</pre>")
