"""Chapter 07's stack-machine widget in JupyterLab: Step and Run N move the VM, the views follow.

Opens the chapter, runs all its cells, then drives the StackVM widget (found by the CSS classes
vmlib.viz.stackvm gives it): the next instruction, the operand stack, the frames and the output
must answer each click. The widget updates its status line last, so waiting for the status line
(pc, state) to change is enough to see the whole new state.
"""

from __future__ import annotations

import re
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def slots(stack) -> list[str]:
    """The operand stack's values as the page shows them, top first."""
    return [t.strip() for t in stack.locator(".vm-stackvm-slot").all_inner_texts()]


def test_stack_widget_steps_through_a_call(lab_page):
    lab_page.open("notebooks/07_high_level_language_vms.ipynb")
    lab_page.run_all()
    assert lab_page.errors() == []

    cell = lab_page.cell_with("StackVM(DEMO_SOURCE")
    pc = lab_page.widget(cell, ".vm-stackvm-pc")
    instr = lab_page.widget(cell, ".vm-stackvm-instr")
    stack = lab_page.widget(cell, ".vm-stackvm-stack")
    assert pc.inner_text().strip() == "main pc 0"
    assert instr.inner_text().strip() == "const 1"
    assert stack.get_attribute("data-depth") == "0"
    assert lab_page.widget(cell, ".vm-stackvm-empty").is_visible()
    assert "const 1" in lab_page.widget(cell, ".vm-stackvm-current").inner_text()

    # one bytecode: const 1 pushes 1, highlighted as new
    lab_page.button("Step", cell).click()
    lab_page.wait_text(pc, "main pc 5")
    assert stack.get_attribute("data-depth") == "1"
    assert slots(stack) == ["1"]
    assert lab_page.widget(cell, ".vm-stackvm-pushed").inner_text().strip() == "1"
    assert instr.inner_text().strip() == "store 0"
    # the store empties the stack into the local n (highlighted in the frame)
    lab_page.button("Step", cell).click()
    lab_page.wait_text(pc, "main pc 7")
    assert stack.get_attribute("data-depth") == "0"
    changed = lab_page.widget(cell, ".vm-stackvm-changed")
    assert changed.get_attribute("data-name") == "n"
    assert re.fullmatch(r"\s*n = 1\s*", changed.inner_text())
    lab_page.screenshot("stackvm-after-two-steps")

    # Run N (8) to the call: total and n wait on the stack, top first
    count = lab_page.widget(cell, ".vm-stackvm-n input")
    count.fill("8")
    count.press("Enter")
    lab_page.button("Run N", cell).click()
    lab_page.wait_text(instr, "call 1")
    assert slots(stack) == ["1", "0"]
    # Step into square: a second frame, its local x holds the argument, its stack is empty
    lab_page.button("Step", cell).click()
    lab_page.wait_text(pc, "square pc 0")
    frames = lab_page.widget(cell, ".vm-stackvm-frames")
    assert [f.get_attribute("data-function") for f in frames.locator(".vm-stackvm-frame").all()] \
        == ["square", "main"]
    assert "x = 1" in frames.inner_text() and "waiting on its stack: [0]" in frames.inner_text()
    assert stack.get_attribute("data-depth") == "0"
    # load, load, mul, ret: back in main with the result on top of total
    count.fill("4")
    count.press("Enter")
    lab_page.button("Run N", cell).click()
    lab_page.wait_text(pc, "main pc 32")
    assert slots(stack) == ["1", "0"] and instr.inner_text().strip() == "add"
    widget = lab_page.widget(cell, ".vm-stackvm")
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "test_ch07_stackvm-widget-after-return.png"))

    # to the end: the output panel shows what the program printed; Step is disabled
    count.fill("100")
    count.press("Enter")
    lab_page.button("Run N", cell).click()
    # (the panel, not the status line inside it: that is replaced while the kernel answers)
    status = lab_page.widget(cell, ".vm-stackvm-status-panel")
    lab_page.wait_text(status, re.compile("ended, exit status 0"))
    assert "sum of squares 1..3 = 14" in lab_page.widget(cell, ".vm-stackvm-output").inner_text()
    assert lab_page.button("Step", cell).is_disabled()

    # Reset: back before the first instruction
    lab_page.button("Reset", cell).click()
    lab_page.wait_text(pc, "main pc 0")
    assert stack.get_attribute("data-depth") == "0"
    assert not lab_page.button("Step", cell).is_disabled()
