"""Chapter 03's machine stepper in JupyterLab: Step and Run N move the machine, the view follows.

Opens the chapter, runs all its cells, then drives the stepper widget (found by the CSS classes
vmlib.viz.stepper gives it): the pc, the changed registers, the privilege badge and the code
panel must answer each click.
"""

from __future__ import annotations

import re
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_stepper_steps_into_user_mode(lab_page):
    lab_page.open("notebooks/03_the_machine.ipynb")
    lab_page.run_all()
    assert lab_page.errors() == []

    cell = lab_page.cell_with("Stepper(tour_machine")
    pc = lab_page.widget(cell, ".vm-stepper-pc")
    priv = lab_page.widget(cell, ".vm-stepper-priv")
    assert pc.inner_text().strip() == "pc 80000000"
    assert priv.inner_text().strip() == "M"
    assert cell.locator(".vm-reg-changed").count() == 0
    assert "auipc a0" in lab_page.widget(cell, ".vm-disasm-current").inner_text()

    # one instruction: auipc a0 -> pc moves on by 4 and a0 is highlighted with its new value
    lab_page.button("Step", cell).click()
    lab_page.wait_text(pc, "pc 80000004")
    changed = lab_page.widget(cell, ".vm-reg-changed")
    assert changed.get_attribute("data-reg") == "a0"
    assert re.fullmatch(r"\s*a0\s*800[0-9a-f]{5}\s*", changed.inner_text())   # auipc: pc + 0x1000s
    assert re.search(r"#0\s+M 80000000\s+auipc a0", lab_page.widget(cell, ".vm-stepper-events").inner_text())
    lab_page.screenshot("stepper-after-one-step")

    # Run N up to the mret (94 instructions in all), then one Step into U-mode
    count = lab_page.widget(cell, ".vm-stepper-n input")
    count.fill("93")
    count.press("Enter")
    lab_page.button("Run N", cell).click()
    lab_page.wait_text(pc, "pc 800000b4")
    assert "mret" in lab_page.widget(cell, ".vm-disasm-current").inner_text()
    lab_page.button("Step", cell).click()
    lab_page.wait_text(pc, "pc 00400000")
    lab_page.wait_text(priv, "U")
    assert "li s0, 6" in lab_page.widget(cell, ".vm-disasm-current").inner_text()
    assert "last return" in lab_page.widget(cell, ".vm-stepper-trap").inner_text()
    lab_page.screenshot("stepper-in-user-mode")
    # Run N again: through the first ecall, into the M-mode handler
    count.fill("10")
    count.press("Enter")
    lab_page.button("Run N", cell).click()
    lab_page.wait_text(priv, "M")
    trap = lab_page.widget(cell, ".vm-stepper-trap")
    lab_page.wait_text(trap, re.compile(r"environment call from U-mode \(8\)"))
    assert "TRAP environment call from U-mode" in lab_page.widget(cell, ".vm-stepper-events").inner_text()
    widget = lab_page.widget(cell, ".vm-stepper")
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "test_ch03_stepper-widget-after-ecall.png"))

    # Reset: back to the first instruction
    lab_page.button("Reset", cell).click()
    lab_page.wait_text(pc, "pc 80000000")
    lab_page.wait_text(priv, "M")
