"""Chapter 09's widgets in JupyterLab: the instruction map's RV32 / variant toggle turns the
sstatus row red (and back), a row can be inspected; the trap timeline steps through a getpid.

The widgets update their status parts last (the verdict line, the status line), so waiting
for those to change is enough to see the whole new state.
"""

from __future__ import annotations

import re

from vmlib.hypervisor import popek


def offenders(cell):
    return cell.locator(".vm-popek-cell.vm-popek-offender")


def test_instruction_map_toggles_and_the_bounce_steps(lab_page):
    lab_page.open("notebooks/09_trap_and_emulate.ipynb")
    lab_page.run_all(timeout=300_000)
    assert lab_page.errors() == []

    # --- the instruction map --------------------------------------------------------------
    cell = lab_page.cell_with("InstructionMapWidget()")
    verdict = lab_page.widget(cell, ".vm-popek-verdict")
    lab_page.wait_text(verdict, re.compile(r"the theorem holds"))     # rendered
    assert verdict.get_attribute("data-holds") == "yes"
    assert cell.locator(".vm-popek-cell").count() == len(popek.instruction_map())
    assert offenders(cell).count() == 0
    assert cell.locator(".vm-popek-map").first.get_attribute("data-variant") == "rv32"
    assert "POPF" in lab_page.widget(cell, ".vm-popek-x86").inner_text()

    toggle = lab_page.widget(cell, ".vm-popek-variant")
    toggle.locator("button", has_text="non-virtualizable variant").click()
    lab_page.wait_text(verdict, re.compile(r"7 sensitive instructions are NOT privileged"))
    assert lab_page.widget(cell, ".vm-popek-verdict").get_attribute("data-holds") == "no"
    red = offenders(cell)
    assert red.count() == 7
    for i in range(7):
        assert red.nth(i).get_attribute("data-name").endswith("sstatus")
        assert "vm-popek-changed" in red.nth(i).get_attribute("class")
    detail = lab_page.widget(cell, ".vm-popek-detail")
    assert "SENSITIVE BUT RUNS" in detail.inner_text()
    lab_page.screenshot("popek-variant")

    lab_page.widget(cell, ".vm-popek-pick select").select_option("sret")
    lab_page.wait_text(detail, re.compile(r"sret .*traps: the VMM emulates it", re.S))

    toggle.locator("button", has_text="RV32").click()
    lab_page.wait_text(lab_page.widget(cell, ".vm-popek-verdict"), re.compile(r"theorem holds"))
    assert offenders(cell).count() == 0

    # --- one system call through the VMM ---------------------------------------------------
    cell = lab_page.cell_with("TrapTimelineWidget()")
    status = lab_page.widget(cell, ".vm-trapt-status")
    lab_page.wait_text(status, re.compile(r"step 1 of 17: U: TRAP \(ecall\)"))
    assert status.get_attribute("data-step") == "1"
    figure = lab_page.widget(cell, ".vm-trapt-figure")
    assert figure.evaluate("img => img.naturalWidth") > 400
    for step in (2, 3, 4):
        lab_page.button("Next", cell).click()
        lab_page.wait_text(lab_page.widget(cell, ".vm-trapt-status"),
                           re.compile(rf"step {step} of 17"))
    current = lab_page.widget(cell, ".vm-trapt-current")
    assert current.get_attribute("data-index") == "3"
    assert current.get_attribute("data-kind") == "vmm"
    assert "csrr t0, sscratch" in current.inner_text()
    before = figure.get_attribute("src")
    lab_page.widget(cell, ".vm-trapt-axis").locator("button", has_text="cycles").click()
    lab_page.page.wait_for_function(
        "([sel, old]) => { const img = document.querySelector(sel);"
        " return img && img.getAttribute('src') !== old; }",
        arg=[".vm-trapt-figure", before], timeout=15_000)
    totals = lab_page.widget(cell, ".vm-trapt-totals")
    assert "the whole call: 11 traps" in totals.inner_text()
    lab_page.screenshot("trap-timeline-cycles")
