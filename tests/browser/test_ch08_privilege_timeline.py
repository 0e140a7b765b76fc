"""Chapter 08's privilege-timeline widget in JupyterLab: the notebook runs, the widget shows the
first page fault of `pgfault`; then another workload, a jump to the next machine timer
interrupt, the slider, a narrower window and the mret/sret switch each change what it shows.

Drives the widget through the CSS classes vmlib.viz.privilege_timeline gives it.
"""

from __future__ import annotations

import re
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _window(text):
    m = re.search(r"instructions ([\d,]+) \.\. ([\d,]+) of", text)
    assert m, text
    return tuple(int(g.replace(",", "")) for g in m.groups())


def test_privilege_timeline_widget(lab_page):
    lab_page.open("notebooks/08_system_vms_hardware_emulation.ipynb")
    lab_page.run_all(timeout=240_000)
    assert lab_page.errors() == []

    cell = lab_page.cell_with("PrivilegeTimelineWidget(")
    status = lab_page.widget(cell, ".vm-privtl-status")
    traps = lab_page.widget(cell, ".vm-privtl-traps")
    figure = lab_page.widget(cell, "img.vm-privtl-figure")
    # the cell jumped to pgfault's first page fault: it is in the list, U -> S, to trap_entry
    lab_page.wait_text(status, re.compile(r"^pgfault: instructions"))
    fault = cell.locator(".vm-privtl-trap[data-kind='page fault']").first
    assert re.search(r"U → S\s+page fault: store/AMO page fault at 0x00600000",
                     fault.inner_text())
    assert "handler trap_entry" in fault.inner_text()
    assert "page faults served" in lab_page.widget(cell, ".vm-privtl-console").inner_text()
    src = figure.get_attribute("src")

    # another workload: demo, from its start (the firmware's mret into the kernel is listed)
    lab_page.widget(cell, ".vm-privtl-workload select").select_option("demo")
    text = lab_page.wait_text(status, re.compile(r"^demo: instructions"))
    assert _window(text)[0] == 0
    lab_page.wait_text(traps, re.compile(r"mret to kernel_entry \(kernel\)"))
    assert figure.get_attribute("src") != src

    # jump to the next machine timer interrupt
    lab_page.widget(cell, ".vm-privtl-kind select").select_option("timer (M)")
    lab_page.button("next trap", cell).click()
    text = lab_page.wait_text(status, lambda t: t.startswith("demo") and _window(t)[0] > 0)
    start, end = _window(text)
    tick = cell.locator(".vm-privtl-trap[data-kind='timer (M)']").first
    tick.wait_for(timeout=15_000)
    span = end - start + 1                             # the cell made a 500-instruction window
    assert int(tick.get_attribute("data-index")) == start + span // 4
    assert "handler fw_trap" in tick.inner_text()
    lab_page.screenshot("ch08-timer-interrupt")

    # the slider moves the window
    src = figure.get_attribute("src")       # (before the move: the picture may change fast)
    lab_page.slider_keys(lab_page.widget(cell, ".vm-privtl-start"), "ArrowRight", 2)
    text = lab_page.wait_text(status, lambda t: _window(t)[0] > start)
    moved, moved_end = _window(text)
    assert moved_end - moved + 1 == span
    lab_page.page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                                    arg=[figure.element_handle(), src], timeout=15_000)

    # a narrower window, and without the returns
    lab_page.widget(cell, ".vm-privtl-width select").select_option("100")
    text = lab_page.wait_text(status, lambda t: (lambda a, b: b - a == 99)(*_window(t)))
    lab_page.widget(cell, ".vm-privtl-returns input").uncheck()
    lab_page.wait_text(traps, lambda t: "mret" not in t and "sret" not in t)
    assert cell.locator(".vm-privtl-return").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    lab_page.widget(cell, ".vm-privtl").screenshot(
        path=str(ARTIFACTS / "test_ch08_privilege_timeline.png"))
