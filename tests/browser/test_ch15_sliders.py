"""Chapter 15's cost sliders in JupyterLab: moving a cost changes the winner shown exactly
where the crossover says (``vmlib.course.ch15.crossovers``), the reset brings the defaults
back, the 2006 contest narrows the table to Adams & Agesen's two VMMs, and the widget fits an
output 848 px wide (JupyterLab at 1280 px with the file browser open).

The notebook is made here (one cell), so the test checks the widget whatever the chapter around
it contains.
"""

from __future__ import annotations

from pathlib import Path

from vmlib.course.ch15 import WORKLOADS, crossovers
from vmlib.viz._course_common import SHOWN_WIDTH_PX
from vmlib.viz.side_by_side import CONTESTS, RANGES

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
HW1 = 'hw, no nested paging'

NOTEBOOK = [
    ("markdown", "# Cost sliders"),
    ("code", "from vmlib.viz.side_by_side import CostSliders\nCostSliders()"),
]


def _winner(lab_page, cell, workload):
    return lab_page.widget(cell, f".vm-sbs-row[data-workload='{workload}']")


def _wait_winner(lab_page, cell, workload, way, changed):
    row = cell.locator(f".vm-sbs-row[data-workload='{workload}'][data-winner='{way}']"
                       f"[data-changed='{str(changed).lower()}']")
    row.wait_for(timeout=15_000)
    return row


def test_moving_a_cost_changes_the_winner_where_the_lines_cross(lab_page, jupyter_lab,
                                                                 make_notebook, tmp_path):
    path = jupyter_lab.add_notebook(make_notebook(tmp_path / "ch15_sliders.ipynb", NOTEBOOK))
    lab_page.open(path)
    lab_page.run_all()
    assert lab_page.errors() == []
    cell, area = lab_page.widget_output("CostSliders(", SHOWN_WIDTH_PX)

    _wait_winner(lab_page, cell, 'io', 'bt', False)
    _wait_winner(lab_page, cell, 'syscall', 'hw', False)

    # a VM exit and entry cheaper than the crossover: the hardware takes io from the translator
    (_, first), (cut, second) = crossovers('io', 'VM exit + entry')
    assert (first, second) == ('hw', 'bt')
    top, step = RANGES['VM exit + entry']
    presses = (2000 - int(cut)) // step + 1              # from the default 2,000 to below it
    lab_page.slider_keys(lab_page.widget(cell, ".vm-sbs-knob-0"), "ArrowLeft", presses)
    row = _wait_winner(lab_page, cell, 'io', 'hw', True)
    assert '(was bt)' in row.inner_text()
    _wait_winner(lab_page, cell, 'syscall', 'hw', False)    # (hw only got cheaper there)

    lab_page.button("Default costs", cell).click()
    _wait_winner(lab_page, cell, 'io', 'bt', False)

    # Adams & Agesen's contest: a dearer callout hands the workloads to the hardware VMM one
    # by one, each at its own crossover
    lab_page.widget(cell, ".vm-sbs-contest select").select_option(list(CONTESTS)[1])
    _wait_winner(lab_page, cell, 'syscall', HW1, False)
    ways = ('bt', HW1)
    cuts = sorted((crossovers(w, 'callout', ways=ways)[1][0], w) for w in WORKLOADS
                  if len(crossovers(w, 'callout', ways=ways)) > 1)
    (cut, first), (later, second) = cuts[:2]
    _wait_winner(lab_page, cell, first, 'bt', False)
    presses = (int(cut) - 40) // RANGES['callout'][1] + 1
    assert 40 + presses * RANGES['callout'][1] < later
    lab_page.slider_keys(lab_page.widget(cell, ".vm-sbs-knob-2"), "ArrowRight", presses)
    _wait_winner(lab_page, cell, first, HW1, True)
    _wait_winner(lab_page, cell, second, 'bt', False)
    assert cell.locator(".vm-sbs-row").count() == 12

    widget = lab_page.widget(cell, ".vm-sbs")
    assert widget.bounding_box()["width"] <= area.bounding_box()["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "test_ch15_sliders.png"))
