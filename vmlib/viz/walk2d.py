"""Chapter 13: the two-dimensional page walk, one memory reference at a time.

:class:`Walk2dWidget` steps through ``vmlib.course.walk2d_demo.demo_walk``: a guest load in
VS-mode translated by the guest's Sv32 tables and, for every guest-physical address on the way,
the hypervisor's Sv32x4 tables. The grid has a row per guest-physical address translated (the
VS root PTE's, the VS level-0 PTE's, the data's) and a column per kind of reference (G-stage
level 1, G-stage level 0, then the VS-stage read itself), so the walk fills it left to right and
top to bottom, as Bhargava et al. draw it (ASPLOS 2008). Megapages in either stage remove cells.

CSS classes for tests: ``vm-walk2d`` (the widget), ``vm-walk2d-pages`` (dropdown),
``vm-walk2d-va`` (dropdown), ``vm-walk2d-step`` (slider), ``vm-walk2d-grid``,
``vm-walk2d-ref`` (each reference: ``data-number``, ``data-stage``, ``data-state`` = ``done``,
``current`` or ``todo``), ``vm-walk2d-status`` (``data-step``, ``data-total``).
"""

from __future__ import annotations

import html

from ..course.walk2d_demo import DEMO_VAS, demo_walk

PAGES = {'4 KiB pages everywhere': False, 'VS-stage megapages': 'VS',
         'G-stage megapages': 'G', 'megapages in both': True}
ROWS = ("VS root PTE's address", "VS level-0 PTE's address", "the data's address")
COLUMNS = ('G-stage level 1', 'G-stage level 0', 'the read itself')
COLOURS = {'G': '#d1e5f0', 'VS': '#fde0c5'}


def layout(walk):
    """(row, column) of each reference of ``walk``: the row is the guest-physical address
    being translated (VS root PTE, VS level-0 PTE, data), the column the G-stage level or the
    VS read. A VS megapage has no level-0 row; a G megapage no level-0 column."""
    cells, row = [], 0
    for ref in walk.references:
        if ref.stage == 'VS':
            cells.append((row, 2))
            # a pointer leads to the level-0 PTE; a leaf (a 4 KiB page, or a megapage at the
            # root) to the data, whose G-stage walk is the last row
            row = 2 if ref.meaning.startswith('leaf') else row + 1
        else:
            cells.append((row, 0 if ref.level == 1 else 1))
    return cells


def grid_html(walk, step):
    """The grid with references 1..``step`` done (``step`` the current one)."""
    cells = dict(zip(layout(walk), walk.references))
    head = ''.join(f"<th style='padding:2px 8px; font-weight:normal'>{c}</th>" for c in COLUMNS)
    body = []
    for r, name in enumerate(ROWS):
        tds = []
        for c in range(3):
            ref = cells.get((r, c))
            if ref is None:
                tds.append("<td style='padding:3px'><div style='width:150px; height:46px'>"
                           "</div></td>")
                continue
            state = ('current' if ref.number == step else
                     'done' if ref.number < step else 'todo')
            style = {'current': f'background:{COLOURS[ref.stage]}; border:2px solid #b2182b',
                     'done': f'background:{COLOURS[ref.stage]}; border:1px solid #777',
                     'todo': 'background:#f4f4f4; border:1px dashed #aaa; color:#999'}[state]
            value = '' if state == 'todo' or ref.value is None else f'-> 0x{ref.value:08x}'
            tds.append(
                f"<td style='padding:3px'><div class='vm-walk2d-ref' data-number='{ref.number}'"
                f" data-stage='{ref.stage}' data-state='{state}' title='{html.escape(ref.purpose)}'"
                " style='width:150px; height:46px; box-sizing:border-box; padding:3px 5px; "
                "border-radius:4px; font-family:monospace; font-size:12px; line-height:1.4; "
                f"{style}'>"
                f"<b>{ref.number}</b> {ref.stage} 0x{ref.address:08x}<br>{value}</div></td>")
        body.append(f"<tr><th style='text-align:right; padding-right:8px; font-weight:normal'>"
                    f"{html.escape(name)}</th>{''.join(tds)}</tr>")
    return (f"<table class='vm-walk2d-grid' style='border-collapse:collapse; font-size:13px'>"
            f"<tr><th></th>{head}</tr>{''.join(body)}</table>")


def status_text(walk, step):
    """What reference ``step`` does (0: before the walk; past the last: the outcome)."""
    total = len(walk.references)
    if step == 0:
        return (f'va 0x{walk.va:08x}, a load in VS-mode: {total} memory references to make '
                f"({walk.counts()['G']} G-stage, {walk.counts()['VS']} VS-stage)")
    ref = walk.references[step - 1]
    read = 'no memory there' if ref.value is None else f'0x{ref.value:08x}'
    line = (f'reference {step} of {total}: {ref.purpose}: read 0x{ref.address:08x} -> {read}'
            f' ({ref.meaning})')
    if step == total:
        line += (f'. Outcome: host-physical 0x{walk.pa:08x}' if walk.ok
                 else f'. Outcome: {walk.outcome}')
    return line


class Walk2dWidget:
    """A slider over the references of one two-dimensional walk, and its grid."""

    def __init__(self, va='data', pages='4 KiB pages everywhere'):
        import ipywidgets as w
        from ._course_common import live_box
        self.pages = w.Dropdown(options=list(PAGES), value=pages, description='pages',
                                layout=w.Layout(width='300px'))
        self.va = w.Dropdown(options=list(DEMO_VAS), value=va, description='address',
                             layout=w.Layout(width='300px'))
        self.step = w.IntSlider(min=0, max=1, value=0, description='reference',
                                layout=w.Layout(width='420px'))
        self.next = w.Button(description='Next', layout=w.Layout(width='80px'))
        self.grid = w.HTML()
        self.status = w.HTML()
        for wdg, cls in ((self.pages, 'vm-walk2d-pages'), (self.va, 'vm-walk2d-va'),
                         (self.step, 'vm-walk2d-step'), (self.next, 'vm-walk2d-next')):
            wdg.add_class(cls)
        self.pages.observe(lambda change: self.rebuild(), names='value')
        self.va.observe(lambda change: self.rebuild(), names='value')
        self.step.observe(lambda change: self.show(), names='value')
        self.next.on_click(lambda button: self.forward())
        self.widget = live_box([w.HBox([self.pages, self.va]), w.HBox([self.step, self.next]),
                                self.grid, self.status], 'The two-dimensional walk')
        self.widget.add_class('vm-walk2d')
        self.rebuild()

    def rebuild(self):
        self.walk = demo_walk(DEMO_VAS[self.va.value], megapages=PAGES[self.pages.value])
        self.step.max = len(self.walk.references)
        self.step.value = 0
        self.show()

    def forward(self):
        if self.step.value < self.step.max:
            self.step.value += 1

    def show(self):
        step, total = self.step.value, len(self.walk.references)
        self.grid.value = grid_html(self.walk, step)
        self.status.value = (f"<div class='vm-walk2d-status' data-step='{step}' "
                             f"data-total='{total}' style='font-family:monospace; "
                             f"font-size:13px; max-width:820px'>"
                             f"{html.escape(status_text(self.walk, step))}</div>")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return repr(self.widget)
