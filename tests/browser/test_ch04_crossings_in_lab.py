"""Chapter 04's crossings explorer in JupyterLab: Next/Prev walk the crossings of one printf,
the detail panel shows the registers of each, and another program can be chosen."""

from __future__ import annotations

import re


def test_crossings_explorer_steps_through_printf(lab_page):
    lab_page.open("notebooks/04_abi_and_api.ipynb")
    lab_page.run_all(timeout=180_000)
    assert lab_page.errors() == []

    cell = lab_page.cell_with("CrossingsExplorer(")
    detail = lab_page.widget(cell, ".vm-crossings-detail")
    lab_page.wait_text(detail, re.compile(r"crossing 5 of 8: ecall: a7 = 66 \(writev\)"))
    figure = lab_page.widget(cell, ".vm-crossings-figure")
    assert figure.evaluate("img => img.naturalWidth") > 400      # the drawing is there
    before = figure.get_attribute("src")

    lab_page.button("Prev", cell).click()
    text = lab_page.wait_text(detail, re.compile(r"crossing 4 of 8"))
    assert figure.get_attribute("src") != before                # redrawn, another arrow in red
    assert "4" in lab_page.widget(cell, ".vm-crossings-index").inner_text()
    assert "ioctl" in text and "ENOTTY" in text
    lab_page.button("Prev", cell).click()
    text = lab_page.wait_text(detail, re.compile(r"crossing 3 of 8: call printf"))
    assert '-> "Hello, %s! %d + %d = %d\\n"' in text and '-> "RISC-V"' in text
    lab_page.screenshot("crossings-call-printf")

    lab_page.widget(cell, ".vm-crossings-program select").select_option("hello")
    text = lab_page.wait_text(detail, re.compile(r"crossing 1 of 25: ecall"))
    assert "set_tid_address" in text
    assert "9 calls from main" in lab_page.widget(cell, ".vm-crossings-summary").inner_text()
    lab_page.button("Next", cell).click()
    lab_page.wait_text(detail, re.compile(r"crossing 2 of 25: main\(argc=1"))
