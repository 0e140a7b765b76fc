"""Chapter 09: Popek & Goldberg's instruction map, RV32 beside the non-virtualizable variant.

Every row of :func:`vmlib.hypervisor.popek.instruction_map` -- each instruction of the decode
table, the CSR instructions once per CSR class -- is a coloured cell, by what the machine
*measured* (executing it in U-mode and in M-mode) and what it does:

- **privileged and sensitive** (blue): traps in U-mode, so a trap-and-emulate VMM emulates it;
- **sensitive, NOT privileged** (red): runs in U-mode unseen by the VMM -- what breaks the
  theorem; on the variant the ``sstatus`` row of the CSR matrix turns red;
- **traps in every mode** (yellow): ``ecall``, ``ebreak``, writes to read-only counters --
  innocuous in the theorem's sense, the VMM receives each one anyway;
- **innocuous** (green): runs directly on the hardware.

Rows whose measured behaviour differs between the two CPUs (``popek.differences``) carry the
class ``vm-popek-changed`` on the variant. Robin & Irvine's x86 list sits beside the map, as
data (``popek.ROBIN_IRVINE``).

:class:`InstructionMapWidget`: a toggle RV32 / variant, a dropdown to inspect one row, the
theorem's verdict. :meth:`InstructionMapWidget.text` is the same view as text
(:func:`map_text`).

CSS classes for tests: ``vm-popek`` (the widget), ``vm-popek-variant`` (the toggle),
``vm-popek-verdict`` (``data-holds`` = ``yes``/``no``), ``vm-popek-map`` (``data-variant``),
``vm-popek-cell`` (each row: ``data-name``, ``data-kind``; one of the kind classes
``vm-popek-privileged``, ``vm-popek-offender``, ``vm-popek-traps``, ``vm-popek-innocuous``,
and ``vm-popek-changed``), ``vm-popek-pick`` (dropdown), ``vm-popek-detail``,
``vm-popek-x86`` (Robin & Irvine's list), ``vm-popek-legend``.
"""
from __future__ import annotations

import html

from ..hypervisor import popek

MONO = ('font-family:SFMono-Regular,Menlo,Consolas,DejaVu Sans Mono,monospace; font-size:12px; '
        'line-height:1.35')

#: kind -> (label, background, border, text mark for the text view)
KINDS = {
    'privileged': ('privileged and sensitive: traps, the VMM emulates it', '#d1e5f0',
                   '#4575b4', 'P'),
    'offender': ('sensitive, NOT privileged: runs unseen by the VMM', '#f4a582', '#b2182b',
                 '!'),
    'traps': ('traps in every mode: the VMM receives it', '#fee090', '#bf812d', 'T'),
    'innocuous': ('innocuous: runs directly on the hardware', '#e6f5d0', '#7fbc41', ' '),
}
VARIANT_LABELS = {'rv32': 'RV32', 'nonvirt': 'non-virtualizable variant'}

#: groups of the map: (title, decode-table categories)
GROUPS = [
    ('arithmetic (alu, mul/div)', ('alu', 'muldiv')),
    ('memory', ('load', 'store', 'amo', 'fence')),
    ('control flow', ('branch', 'jump')),
    ('traps on purpose', ('system',)),
    ('privileged operations', ('privileged',)),
    ('the hypervisor extension (H)', ('hypervisor',)),
]
CSR_ORDER = ('csrr', 'csrrw', 'csrrs', 'csrrc', 'csrrwi', 'csrrsi', 'csrrci')


def kind_of(row) -> str:
    """The map's colour for one row of ``popek.instruction_map``."""
    if row.sensitive and not row.privileged:
        return 'offender'
    if row.privileged:
        return 'privileged'
    if row.in_user != 'runs':
        return 'traps'
    return 'innocuous'


def changed_names() -> set:
    """Rows whose measured behaviour differs between RV32 and the variant."""
    return {a.name for a, _ in popek.differences()}


def _rows(variant):
    return popek.instruction_map(variant)


def _csr_matrix(rows):
    """{(csr class, instruction): row} for the CSR instructions."""
    return {(r.csr_class, r.instruction): r for r in rows if r.category == 'csr'}


# --- text ----------------------------------------------------------------------------------

def map_text(variant: str = 'rv32') -> str:
    """The map as text: the groups, then the CSR matrix; a mark per cell (see the legend)."""
    rows = _rows(variant)
    marks = {k: v[3] for k, v in KINDS.items()}
    changed = changed_names() if variant == 'nonvirt' else set()
    lines = [popek.theorem_text(variant), '']
    for title, cats in GROUPS:
        cells = [f'[{marks[kind_of(r)]}] {r.name}' for r in rows if r.category in cats]
        lines.append(f'{title}:')
        line = ' '
        for c in cells:
            if len(line) + len(c) + 2 > 96:
                lines.append(line)
                line = ' '
            line += ' ' + c
        lines.append(line)
    m = _csr_matrix(rows)
    lines += ['', 'CSR instructions by the class of the CSR they name:',
              (f"  {'':<14}" + ''.join(f'{i:<9}' for i in CSR_ORDER)).rstrip()]
    for cls in popek.CSR_CLASSES:
        cells = []
        for ins in CSR_ORDER:
            r = m[(cls, ins)]
            cells.append(f'[{marks[kind_of(r)]}]' + ('*' if r.name in changed else ''))
        lines.append((f'  {cls:<14}' + ''.join(f'{c:<9}' for c in cells)).rstrip())
    lines += ['', 'legend:'] + [f'  [{v[3]}] {v[0]}' for v in KINDS.values()]
    if changed:
        lines.append('* measured differently from RV32')
    return '\n'.join(lines)


# --- HTML ----------------------------------------------------------------------------------

def _e(x) -> str:
    return html.escape(str(x))


def cell_html(row, changed: bool = False, label: str | None = None) -> str:
    kind = kind_of(row)
    _, bg, border, _ = KINDS[kind]
    width = '3px' if kind == 'offender' or changed else '1px'
    classes = f'vm-popek-cell vm-popek-{kind}' + (' vm-popek-changed' if changed else '')
    title = (f'{row.name}: in U {row.in_user}, in M {row.in_machine}; '
             f'{"privileged" if row.privileged else "not privileged"}, '
             f'{"+".join(row.sensitive) + "-sensitive" if row.sensitive else "innocuous"}. '
             f'{row.why}')
    return (f"<span class='{classes}' data-name='{_e(row.name)}' data-kind='{kind}' "
            f"title='{_e(title)}' style='display:inline-block; margin:2px; padding:1px 5px; "
            f"background:{bg}; border:{width} solid {border}; border-radius:3px; "
            f"white-space:nowrap'>{_e(label or row.name)}</span>")


def map_html(variant: str = 'rv32') -> str:
    """The map as HTML: groups of cells, then the CSR matrix."""
    rows = _rows(variant)
    changed = changed_names() if variant == 'nonvirt' else set()
    parts = [f"<div class='vm-popek-map' data-variant='{variant}' style='{MONO}'>"]
    for title, cats in GROUPS:
        cells = ''.join(cell_html(r, r.name in changed) for r in rows if r.category in cats)
        # groups side by side where they fit (short ones share a line: the map fits a slide)
        parts.append(f"<div style='display:inline-block; vertical-align:top; margin:0 14px "
                     f"4px 0'><b>{_e(title)}</b><br>{cells}</div>")
    m = _csr_matrix(rows)
    head = ''.join(f"<th style='padding:1px 4px'>{i}</th>" for i in CSR_ORDER)
    body = []
    for cls, (csr, what) in popek.CSR_CLASSES.items():
        cells = ''.join(f"<td>{cell_html(m[(cls, i)], m[(cls, i)].name in changed, i)}</td>"
                        for i in CSR_ORDER)
        body.append(f"<tr><th style='text-align:left; padding-right:6px' title='{_e(what)}'>"
                    f"{_e(cls)}</th>{cells}</tr>")
    parts.append("<div><b>CSR instructions, by the class of the CSR they name</b>"
                 f"<table style='border-collapse:collapse'><tr><th></th>{head}</tr>"
                 f"{''.join(body)}</table></div></div>")
    return ''.join(parts)


def legend_html() -> str:
    items = ''.join(
        f"<span style='margin-right:12px; white-space:nowrap'>"      # an item never splits
        f"<span style='display:inline-block; width:12px; "
        f"height:12px; background:{bg}; border:1px solid {border}; vertical-align:middle'>"
        f"</span> {_e(label)}</span>" for label, bg, border, _ in KINDS.values())
    return f"<div class='vm-popek-legend' style='{MONO}; margin:4px 0'>{items}</div>"


def verdict_html(variant: str = 'rv32') -> str:
    c = popek.counts(variant)
    holds = popek.theorem_holds(variant)
    color = '#1a7f37' if holds else '#b2182b'
    words = ('every sensitive instruction is privileged: the theorem holds, trap-and-emulate '
             'can virtualize this CPU' if holds else
             f'{c["sensitive, not privileged"]} sensitive instructions are NOT privileged: the '
             'theorem fails, trap-and-emulate cannot virtualize this CPU')
    return (f"<div class='vm-popek-verdict' data-holds='{'yes' if holds else 'no'}' "
            f"style='{MONO}; color:{color}; font-weight:bold'>{_e(VARIANT_LABELS[variant])}: "
            f"{c['rows']} rows, {c['privileged']} privileged, {c['sensitive']} sensitive, "
            f"{c['innocuous']} innocuous -- {_e(words)}</div>")


def detail_html(row) -> str:
    kind = kind_of(row)
    return (f"<div style='{MONO}'><b>{_e(row.name)}</b> (probe: <code>{_e(row.example)}</code>)"
            f"<br>executed in U-mode: {_e(row.in_user)}; in M-mode: {_e(row.in_machine)} "
            f"&rarr; {'privileged' if row.privileged else 'not privileged'}"
            f"<br>{_e('+'.join(row.sensitive) + '-sensitive' if row.sensitive else 'innocuous')}"
            f": {_e(row.why)}<br>verdict: <b style='color:{KINDS[kind][2]}'>"
            f"{_e(row.verdict)}</b></div>")


def x86_html() -> str:
    """Robin & Irvine's x86 list as a table (data from ``popek.ROBIN_IRVINE``)."""
    rows = ''.join(f"<tr><td style='padding:1px 6px; white-space:nowrap'><b>{_e(m)}</b></td>"
                   f"<td style='padding:1px 6px; color:#555'>{_e(why)}</td></tr>"
                   for m, _, why in popek.ROBIN_IRVINE)
    return (f"<div class='vm-popek-x86' style='{MONO}; font-size:11px'><b>x86 (Pentium): "
            "sensitive but not privileged</b><br><span style='color:#555'>Robin &amp; Irvine, "
            f"USENIX Security 2000</span><table>{rows}</table></div>")


class InstructionMapWidget:
    """The instruction map with a toggle RV32 / variant. Display it as a cell's last value."""

    def __init__(self, variant: str = 'rv32'):
        import ipywidgets as w

        from ._course_common import live_box

        self.variant = w.ToggleButtons(options=[(VARIANT_LABELS[v], v) for v in popek.VARIANTS],
                                       value=variant, description='CPU',
                                       style={'button_width': 'auto'})   # labels in full
        self.pick = w.Dropdown(options=[], description='inspect', layout=w.Layout(width='300px'))
        self.verdict = w.HTML()
        self.map = w.HTML(layout=w.Layout(width='62%'))
        self.detail = w.HTML()
        self.x86 = w.HTML(x86_html(), layout=w.Layout(width='36%', max_height='520px',
                                                      overflow='auto'))
        legend = w.HTML(legend_html())
        for wdg, cls in ((self.variant, 'vm-popek-variant'), (self.pick, 'vm-popek-pick'),
                         (self.verdict, 'vm-popek-verdict-box'), (self.map, 'vm-popek-map-box'),
                         (self.detail, 'vm-popek-detail'), (self.x86, 'vm-popek-x86-box')):
            wdg.add_class(cls)
        self.variant.observe(lambda ch: self.redraw(), names='value')
        self.pick.observe(lambda ch: self.show_detail(), names='value')
        self.widget = live_box([self.variant, self.verdict, legend,
                              w.HBox([self.map, self.x86]), self.pick, self.detail], "Popek & Goldberg's instruction map")
        self.widget.add_class('vm-popek')
        self.redraw()

    def rows(self):
        return _rows(self.variant.value)

    def redraw(self):
        v = self.variant.value
        self.map.value = map_html(v)
        names = [r.name for r in self.rows()]
        offenders = [r.name for r in popek.offenders(v)]
        keep = self.pick.value if self.pick.value in names else None
        self.pick.options = names
        self.pick.value = keep or (offenders[0] if offenders else 'csrrw sstatus')
        self.show_detail()
        self.verdict.value = verdict_html(v)    # last: a page waiting on it sees the rest

    def show_detail(self):
        by_name = {r.name: r for r in self.rows()}
        row = by_name.get(self.pick.value)
        self.detail.value = detail_html(row) if row is not None else ''

    def text(self) -> str:
        """The same view as text."""
        return map_text(self.variant.value)

    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)
