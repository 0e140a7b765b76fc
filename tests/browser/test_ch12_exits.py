"""Chapter 12's exit widget in JupyterLab: the technique toggle and the workload dropdown redraw
the bars (a bar per exit reason, coloured by who serves it, and the total), and the widget
fits an output 848 px wide (JupyterLab at 1280 px with the file browser open).

The notebook is made here (one cell), so the test checks the widget whatever the chapter around
it contains; the numbers it expects come from the same report the widget draws.
"""

from __future__ import annotations

import re
from pathlib import Path

from vmlib.course.ch12 import exits_by_reason
from vmlib.viz._course_common import SHOWN_WIDTH_PX

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

EXITS_NOTEBOOK = [
    ("markdown", "# Exits by reason"),
    ("code", "from vmlib.viz.kvm_exits import ExitsWidget\nExitsWidget(workload='syscall')"),
]


def _technique(cell, name):
    """The toggle button of technique ``name``."""
    return cell.locator(".vm-kvm-exits-technique button",
                        has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")).first


def _total(lab_page, cell):
    return lab_page.widget(cell, ".vm-kvm-exits-total")


def _wait_total(lab_page, cell, total):
    """Wait until the widget shows ``total`` exits (the HTML is replaced on every redraw)."""
    lab_page.wait_text(_total(lab_page, cell), re.compile(rf"^{total:,} exits"), timeout=30_000)
    assert _total(lab_page, cell).get_attribute("data-total") == str(total)


def test_the_exit_widget_redraws_for_technique_and_workload(lab_page, jupyter_lab,
                                                            make_notebook, tmp_path):
    path = jupyter_lab.add_notebook(make_notebook(tmp_path / "ch12_exits.ipynb",
                                                  EXITS_NOTEBOOK))
    lab_page.open(path)
    lab_page.run_all()
    assert lab_page.errors() == []
    cell, area = lab_page.widget_output("ExitsWidget(", SHOWN_WIDTH_PX)

    syscall = exits_by_reason('syscall')
    _wait_total(lab_page, cell, sum(syscall['hw'].values()))
    bars = cell.locator(".vm-kvm-exits-bar")
    assert {bars.nth(i).get_attribute("data-where") for i in range(bars.count())} == \
        {"user", "kernel"}

    # trap-and-emulate: thirty times the exits, all the VMM's
    _technique(cell, "trap").click()
    _wait_total(lab_page, cell, sum(syscall['trap'].values()))
    bars = cell.locator(".vm-kvm-exits-bar")
    assert {bars.nth(i).get_attribute("data-where") for i in range(bars.count())} == {"vmm"}
    first = bars.nth(0)
    assert first.get_attribute("data-reason") == "privileged_instruction"
    assert first.get_attribute("title").startswith("a CSR access")

    # another workload, the first generation: the page-table exits come back
    lab_page.widget(cell, ".vm-kvm-exits-workload select").select_option("pgfault")
    _technique(cell, "hw, no nested paging").click()
    pgfault = exits_by_reason('pgfault')['hw, no nested paging']
    _wait_total(lab_page, cell, sum(pgfault.values()))
    reasons = {cell.locator(".vm-kvm-exits-bar").nth(i).get_attribute("data-reason")
               for i in range(cell.locator(".vm-kvm-exits-bar").count())}
    assert {"hidden_page_fault", "page_table_write", "satp"} <= reasons

    widget = lab_page.widget(cell, ".vm-kvm-exits")
    assert widget.bounding_box()["width"] <= area.bounding_box()["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "test_ch12_exits.png"))
