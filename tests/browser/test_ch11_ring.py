"""Chapter 11's shared-ring widget in JupyterLab: Next steps the driver and the device through
the virtio console's transmit ring, the available ring's idx grows when the driver publishes,
"event index" runs a new demo from step 1 with the event indices shown, and the widget fits
an output 848 px wide (JupyterLab at 1280 px with the file browser open).

The notebook is made here (one cell: ``RingWidget()``), so the test checks the widget whatever
the chapter around it contains. Drives the widget through the CSS classes vmlib.viz.ring gives
it; the widget updates its status line last, so waiting on it is enough to see the whole step.
"""

from __future__ import annotations

import re
from pathlib import Path

from vmlib.viz._course_common import SHOWN_WIDTH_PX

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

RING_NOTEBOOK = [
    ("markdown", "# The shared ring"),
    ("code", "from vmlib.viz.ring import RingWidget\nRingWidget()"),
]

# What sticks out or scrolls sideways inside the widget (as test_chapters_at_1280 measures).
OVERFLOWS = r"""
root => [...root.querySelectorAll('*')].filter(el => {
  if (!(el instanceof HTMLElement) || el.offsetParent === null) return false;
  const r = el.getBoundingClientRect(), box = root.getBoundingClientRect();
  const ov = getComputedStyle(el).overflowX;
  return (ov !== 'visible' && el.scrollWidth > el.clientWidth + 1) || r.right > box.right + 1;
}).map(el => el.tagName + '.' + [...el.classList].join('.'))
"""


def _status(lab_page, cell):
    return lab_page.widget(cell, ".vm-ring-status")


def _step(status) -> int:
    return int(status.get_attribute("data-step"))


def test_the_ring_steps_and_rebuilds(lab_page, jupyter_lab, make_notebook, tmp_path):
    path = jupyter_lab.add_notebook(make_notebook(tmp_path / "ch11_ring.ipynb", RING_NOTEBOOK))
    lab_page.open(path)
    lab_page.run_all()
    assert lab_page.errors() == []

    # the output as wide as a chapter's at 1280 px: with the file browser open
    cell, area = lab_page.widget_output("RingWidget(", SHOWN_WIDTH_PX)
    status = _status(lab_page, cell)
    lab_page.wait_text(status, re.compile(r"^step 1 of 25: the driver sets the queue up"))
    assert status.get_attribute("data-who") == "driver"
    avail = lab_page.widget(cell, ".vm-ring-avail")
    assert avail.get_attribute("data-avail-idx") == "0"
    assert cell.locator(".vm-ring-avail [data-field='used_event']").count() == 0
    assert cell.locator(".vm-ring-used [data-field='avail_event']").count() == 0

    # Next: the driver writes descriptor 0, then publishes it (avail.idx 0 -> 1)
    lab_page.button("Next", cell).click()
    text = lab_page.wait_text(_status(lab_page, cell), re.compile(r"^step 2 of 25"))
    assert "writes descriptor 0" in text
    assert "0x80000400" in lab_page.widget(cell, ".vm-ring-desc [data-slot='0']").inner_text()
    lab_page.button("Next", cell).click()
    text = lab_page.wait_text(_status(lab_page, cell), re.compile(r"^step 3 of 25"))
    assert "publishes it: avail.ring[0] = 0, avail.idx = 1" in text
    assert lab_page.widget(cell, ".vm-ring-avail").get_attribute("data-avail-idx") == "1"
    assert cell.locator(".vm-ring-avail .vm-ring-pending[data-slot='0']").count() == 1
    assert lab_page.widget(cell, ".vm-ring-avail").get_attribute("data-touched") == "yes"

    # ... notifies; the device takes the entry, returns it and interrupts
    for n in (4, 5, 6, 7):
        lab_page.button("Next", cell).click()
        lab_page.wait_text(_status(lab_page, cell), re.compile(rf"^step {n} of 25"))
    status = _status(lab_page, cell)
    assert status.get_attribute("data-who") == "device"
    assert "interrupts the driver" in status.inner_text()
    assert lab_page.widget(cell, ".vm-ring-used").get_attribute("data-used-idx") == "1"
    counts = lab_page.widget(cell, ".vm-ring-counts").inner_text()
    assert "notifications 1 (saved 0), interrupts 1 (saved 0)" in counts
    assert "hello" in lab_page.widget(cell, ".vm-ring-printed").inner_text()

    # the slider goes back one step (the keyboard moves it as a learner's arrow keys do)
    lab_page.slider_keys(lab_page.widget(cell, ".vm-ring-step"), "ArrowLeft", 1)
    lab_page.wait_text(_status(lab_page, cell), re.compile(r"^step 6 of 25: the device returns"))
    assert _step(_status(lab_page, cell)) == 6
    lab_page.screenshot("ring-step-6")

    # event index: a new demo from step 1, the event indices shown
    lab_page.widget(cell, ".vm-ring-event-idx input").check()
    lab_page.wait_text(_status(lab_page, cell),
                       re.compile(r"^step 1 of 33: the driver sets the queue up: interrupts "
                                  r"wanted, with event indices"))
    assert lab_page.widget(cell, ".vm-ring-avail").get_attribute("data-avail-idx") == "0"
    used_event = lab_page.widget(cell, ".vm-ring-avail [data-field='used_event']")
    assert re.search(r"used_event\s+0", used_event.inner_text())
    avail_event = lab_page.widget(cell, ".vm-ring-used [data-field='avail_event']")
    assert re.search(r"avail_event\s+0", avail_event.inner_text())
    # the device asks to hear of avail.idx passing 1 (step 7)
    lab_page.button("Run", cell).click()
    lab_page.wait_text(_status(lab_page, cell), re.compile(r"^step 33 of 33"))
    lab_page.button("Reset", cell).click()
    lab_page.wait_text(_status(lab_page, cell), re.compile(r"^step 1 of 33"))
    lab_page.slider_keys(lab_page.widget(cell, ".vm-ring-step"), "ArrowRight", 6)
    lab_page.wait_text(_status(lab_page, cell),
                       re.compile(r"^step 7 of 33: the device asks to be notified"))
    avail_event = lab_page.widget(cell, ".vm-ring-used [data-field='avail_event']")
    assert re.search(r"avail_event\s+1", avail_event.inner_text())
    assert "vm-ring-touched" in avail_event.get_attribute("class")

    # compact: nothing scrolls sideways or sticks out; the three panels side by side
    widget = lab_page.widget(cell, ".vm-ring")
    assert widget.evaluate(OVERFLOWS) == []
    tops = [lab_page.widget(cell, f".vm-ring-{k}").bounding_box()["y"]
            for k in ("desc", "avail", "used")]
    assert max(tops) - min(tops) < 2, tops
    assert widget.bounding_box()["width"] <= area.bounding_box()["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "test_ch11_ring.png"))
