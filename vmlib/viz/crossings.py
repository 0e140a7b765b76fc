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
from ._course_common import new_figure, png_bytes, live_box

LANE_Y = {'program': 3.0, 'libc': 2.0, 'kernel': 1.0}
LANE_H = 0.56
COLORS = {'program': '#4C72B0', 'libc': '#55A868', 'kernel': '#C44E52'}
HIGHLIGHT = '#d62728'
SYSCALL_STEP = 0.9


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


def layout(journey):
    """x positions: for each segment (x, width), for each boundary crossing its arrow's x,
    and for each system call its x; plus the total width and whether labels are full."""
    boundary = _boundary(journey)
    full = len(boundary) <= FULL_LABELS_UP_TO
    xs, arrow_x, sys_x, x = [], {}, {}, 0.0
    for k, seg in enumerate(journey.segments):
        w = 1.0 + SYSCALL_STEP * len(seg.syscalls)
        xs.append((x, w))
        for j, i in enumerate(seg.syscalls):
            sys_x[i] = x + 0.5 + SYSCALL_STEP * (j + 0.5)
        x += w
        if k < len(boundary):
            gap = max(0.55, 0.13 * len(arrow_label(journey, boundary[k], full))) if full \
                else 0.55
            arrow_x[boundary[k].index] = x + gap / 2
            x += gap
    return xs, arrow_x, sys_x, x, full


def draw_crossings(journey, highlight: int | None = None, title: str | None = None):
    """A matplotlib Figure of the journey; ``highlight``: a crossing number (from 1, as in the
    table) to draw in red.
    Arrows are numbered like :meth:`Journey.table` (1 = the first crossing)."""
    xs, arrow_x, sys_x, width, full = layout(journey)
    fig = new_figure(min(14.0, 2.6 + 0.5 * width), 4.0)
    ax = fig.add_subplot(1, 1, 1)
    left = -3.0
    ax.set_xlim(left, width + 0.1)
    ax.set_ylim(-0.1, 3.4)
    ax.axis('off')
    # lanes and the interfaces between them
    for lane, y in LANE_Y.items():
        ax.text(left, y, {'program': 'program\n(main)', 'libc': 'C library\n(musl)',
                          'kernel': 'kernel\n(process VM)'}[lane],
                va='center', ha='left', fontsize=9, color=COLORS[lane], weight='bold')
    for y, name, text in ((2.5, 'API', 'call / ret\na0-a7, ra'),
                          (1.5, 'ABI', 'ecall\na7 = number')):
        ax.plot([-0.15, width + 0.1], [y, y], ls=(0, (4, 3)), color='#999', lw=0.8)
        ax.text(-0.25, y, f'{name}: {text}', ha='right', va='center', fontsize=7,
                color='#555', style='italic')
    # ISA band
    ax.add_patch(Rectangle((left, 0.02), width - left + 0.1, 0.4, color='#eee', lw=0))
    sc = journey.ecalls
    ax.text(left + 0.08, 0.22,
            f'ISA: {journey.instructions:,} RV32 instructions retired on the hart '
            f'(program {journey.counts["program"]:,}, C library {journey.counts["libc"]:,}); '
            f'{sc} ecall{"s" if sc != 1 else ""} trap into the kernel (here: Python)',
            va='center', ha='left', fontsize=8, color='#333')
    # boxes
    for seg, (x, w) in zip(journey.segments, xs):
        y = LANE_Y[seg.layer]
        ax.add_patch(Rectangle((x, y - LANE_H / 2), w, LANE_H, facecolor=COLORS[seg.layer],
                               alpha=0.22, edgecolor=COLORS[seg.layer], lw=1))
        ax.text(x + 0.5 if seg.syscalls else x + w / 2, y + (0.12 if seg.syscalls else 0),
                f'{seg.count:,}', ha='center', va='center', fontsize=8)
    # crossings between segments, then system calls
    for c in _boundary(journey):
        if c.index not in arrow_x:
            continue
        x1 = arrow_x[c.index]
        y0, y1 = LANE_Y[c.source], LANE_Y[c.dest]
        down = y1 < y0
        hot = highlight == c.index + 1
        color = HIGHLIGHT if hot else '#333'
        ax.add_patch(FancyArrowPatch((x1, y0 + (-1 if down else 1) * LANE_H / 2),
                                     (x1, y1 + (1 if down else -1) * LANE_H / 2),
                                     arrowstyle='-|>', mutation_scale=10, color=color,
                                     lw=2.2 if hot else 1.0))
        ax.text(x1, (y0 + y1) / 2, arrow_label(journey, c, full), fontsize=7, color=color,
                ha='center', va='center', weight='bold' if hot else 'normal',
                bbox=dict(boxstyle='round,pad=0.15', fc='white', ec='none'))
    for c in journey.crossings:
        if c.kind != 'syscall':
            continue
        x = sys_x[c.index]
        hot = highlight == c.index + 1
        color = HIGHLIGHT if hot else '#333'
        yk = LANE_Y['kernel']
        ax.add_patch(Rectangle((x - 0.4, yk - LANE_H / 2), 0.8, LANE_H,
                               facecolor=COLORS['kernel'], alpha=0.45 if hot else 0.22,
                               edgecolor=HIGHLIGHT if hot else COLORS['kernel'],
                               lw=2 if hot else 1))
        name = c.syscall.name
        ax.text(x, yk, f'{c.index + 1}\n' + (name.replace('_', '_\n', 1) if len(name) > 8
                                              else name),
                ha='center', va='center', fontsize=6.5, color=color,
                weight='bold' if hot else 'normal')
        ytop = LANE_Y[c.source] - LANE_H / 2
        ax.add_patch(FancyArrowPatch((x - 0.14, ytop), (x - 0.14, yk + LANE_H / 2),
                                     arrowstyle='-|>', mutation_scale=8, color=color,
                                     lw=2 if hot else 0.8))
        if c.syscall.result is not None:
            ax.add_patch(FancyArrowPatch((x + 0.14, yk + LANE_H / 2), (x + 0.14, ytop),
                                         arrowstyle='-|>', mutation_scale=8, color=color,
                                         lw=2 if hot else 0.8, ls='--'))
    ax.set_title(title or f'{" ".join([journey.program] + journey.argv[1:])}: '
                 'crossings between the layers (in the boxes: instructions)', fontsize=10)
    fig.tight_layout()
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
        raise ValueError(f'{journey.name} has crossings 1..{len(journey.crossings)}, '
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
    return '\n'.join(head + [f'  registers {when}:'] + [f'    {x}' for x in
                                                          _reg_lines(c, journey)])


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
