"""Chapter 13's two-dimensional walk widget in JupyterLab: Next steps through the eight
references of a load (the current one marked, those before it done), the pages dropdown
rebuilds the walk with fewer references, an unmapped address ends in the guest's page fault,
and the widget fits an output 848 px wide (JupyterLab at 1280 px with the file browser open).

The notebook is made here (one cell), so the test checks the widget whatever the chapter around
it contains.
"""

from __future__ import annotations

import re
from pathlib import Path

from vmlib.viz._course_common import SHOWN_WIDTH_PX

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

WALK_NOTEBOOK = [
    ("markdown", "# The two-dimensional walk"),
    ("code", "from vmlib.viz.walk2d import Walk2dWidget\nWalk2dWidget()"),
]


def _status(lab_page, cell):
    return lab_page.widget(cell, ".vm-walk2d-status")


def _states(cell):
    refs = cell.locator(".vm-walk2d-ref")
    return {refs.nth(i).get_attribute("data-number"): refs.nth(i).get_attribute("data-state")
            for i in range(refs.count())}


def test_the_walk_steps_reference_by_reference(lab_page, jupyter_lab, make_notebook, tmp_path):
    path = jupyter_lab.add_notebook(make_notebook(tmp_path / "ch13_walk.ipynb", WALK_NOTEBOOK))
    lab_page.open(path)
    lab_page.run_all()
    assert lab_page.errors() == []
    cell, area = lab_page.widget_output("Walk2dWidget(", SHOWN_WIDTH_PX)

    lab_page.wait_text(_status(lab_page, cell), re.compile(r"8 memory references to make"))
    assert set(_states(cell).values()) == {"todo"}
    for n in range(1, 4):
        lab_page.button("Next", cell).click()
        lab_page.wait_text(_status(lab_page, cell), re.compile(rf"^reference {n} of 8"))
    states = _states(cell)
    assert states["3"] == "current" and states["1"] == states["2"] == "done"
    assert states["4"] == "todo"
    assert "VS level 1 PTE" in _status(lab_page, cell).inner_text()
    stage = cell.locator(".vm-walk2d-ref[data-number='3']").get_attribute("data-stage")
    assert stage == "VS"
    lab_page.slider_keys(lab_page.widget(cell, ".vm-walk2d-step"), "ArrowRight", 5)
    text = lab_page.wait_text(_status(lab_page, cell), re.compile(r"^reference 8 of 8"))
    assert "host-physical 0x80803abc" in text

    # megapages in both stages: three references
    lab_page.widget(cell, ".vm-walk2d-pages select").select_option("megapages in both")
    lab_page.wait_text(_status(lab_page, cell), re.compile(r"3 memory references to make"))
    assert len(_states(cell)) == 3

    # an address the guest never mapped: its own page fault, found at the sixth reference
    lab_page.widget(cell, ".vm-walk2d-pages select").select_option("4 KiB pages everywhere")
    lab_page.widget(cell, ".vm-walk2d-va select").select_option("unmapped 4 KiB page")
    lab_page.wait_text(_status(lab_page, cell), re.compile(r"6 memory references to make"))
    lab_page.slider_keys(lab_page.widget(cell, ".vm-walk2d-step"), "ArrowRight", 6)
    text = lab_page.wait_text(_status(lab_page, cell), re.compile(r"^reference 6 of 6"))
    assert "load page fault (cause 13)" in text

    widget = lab_page.widget(cell, ".vm-walk2d")
    assert widget.bounding_box()["width"] <= area.bounding_box()["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "test_ch13_walk.png"))
