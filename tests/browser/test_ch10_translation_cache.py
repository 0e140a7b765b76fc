"""Chapter 10's translation-cache widget in JupyterLab: the slider moves through the cache's
changes (the status, the marker and the bar of who ran the guest's instructions follow), the
workload dropdown loads another run, and the widget fits an output 848 px wide (JupyterLab at
1280 px with the file browser open).

The notebook is made here (one cell), so the test checks the widget whatever the chapter around
it contains; the numbers it expects come from the same run the widget draws.
"""

from __future__ import annotations

import re
from pathlib import Path

from vmlib.viz._course_common import SHOWN_WIDTH_PX
from vmlib.viz.translation_cache import points

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

CACHE_NOTEBOOK = [
    ("markdown", "# The translation cache"),
    ("code", "from vmlib.viz.translation_cache import TranslationCacheWidget\n"
             "TranslationCacheWidget(workload='syscall', change=1)"),
]


def _status(lab_page, cell):
    return lab_page.widget(cell, ".vm-tcache-status")


def test_the_slider_walks_the_cache_filling(lab_page, jupyter_lab, make_notebook, tmp_path):
    path = jupyter_lab.add_notebook(make_notebook(tmp_path / "ch10_cache.ipynb", CACHE_NOTEBOOK))
    lab_page.open(path)
    lab_page.run_all()
    assert lab_page.errors() == []
    cell, area = lab_page.widget_output("TranslationCacheWidget(", SHOWN_WIDTH_PX)

    syscall = points('syscall')
    lab_page.wait_text(_status(lab_page, cell), re.compile(r"cache change 1 of"))
    marker = cell.locator(".vm-tcache-plot circle").first.get_attribute("cx")

    # five changes on: the status, the marker and the guest's count move with the slider
    lab_page.slider_keys(lab_page.widget(cell, ".vm-tcache-slider"), "ArrowRight", 5)
    text = lab_page.wait_text(_status(lab_page, cell), re.compile(r"cache change 6 of"))
    assert f"{syscall[5].blocks} blocks" in text
    assert _status(lab_page, cell).get_attribute("data-guest") == str(syscall[5].guest)
    assert cell.locator(".vm-tcache-plot circle").first.get_attribute("cx") != marker

    # to the end of the run: nearly all of syscall's instructions ran translated
    lab_page.slider_keys(lab_page.widget(cell, ".vm-tcache-slider"), "End", 1)
    text = lab_page.wait_text(_status(lab_page, cell), re.compile(r"the end of the run"))
    assert f"{syscall[-1].guest:,} guest instructions" in text
    kernel = cell.locator(".vm-tcache-part[data-part='kernel (translated)']")
    assert int(kernel.get_attribute("data-count")) == syscall[-1].translated_run

    # another workload: demo's run, shown at its end; user code took over
    lab_page.widget(cell, ".vm-tcache-workload select").select_option("demo")
    demo = points('demo')
    lab_page.wait_text(_status(lab_page, cell), re.compile(rf"{demo[-1].guest:,} guest"))
    user = cell.locator(".vm-tcache-part[data-part='user (direct)']")
    assert int(user.get_attribute("data-count")) == demo[-1].direct

    widget = lab_page.widget(cell, ".vm-tcache")
    assert widget.bounding_box()["width"] <= area.bounding_box()["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "test_ch10_translation_cache.png"))
