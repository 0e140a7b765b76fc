"""The live widgets of chapters 00-02 in JupyterLab: each control changes the picture and text.

Each test opens a chapter, runs all its cells, moves the chapter's main control (found by the
CSS classes vmlib.viz gives them) and checks that the text view and the image change.
"""

from __future__ import annotations

import re


def _src(locator):
    return locator.get_attribute("src")


def test_course_map_track_and_target(lab_page):
    lab_page.open("notebooks/00_welcome.ipynb")
    lab_page.run_all()
    assert lab_page.errors() == []
    cell = lab_page.cell_with("course_map_widget(")
    text = lab_page.widget(cell, ".vm-course-map-text")
    img = lab_page.widget(cell, ".vm-course-map-plot")
    assert "track: beginner" in text.inner_text()
    before = _src(img)
    lab_page.widget(cell, ".vm-course-map-track").locator("button", has_text="advanced").click()
    lab_page.wait_text(text, re.compile(r"track: advanced"))
    target = lab_page.widget(cell, ".vm-course-map-target select")
    target.select_option(label="12 Hardware assistance and KVM")
    lab_page.wait_text(text, re.compile(r"reading path to 12: 00 -> 01 -> 03"))
    assert _src(img) != before
    lab_page.screenshot("course-map-advanced-12")


def test_layers_toggle_and_step(lab_page):
    lab_page.open("notebooks/01_abstraction_vs_virtualization.ipynb")
    lab_page.run_all()
    assert lab_page.errors() == []
    cell = lab_page.cell_with("layers_widget(")
    text = lab_page.widget(cell, ".vm-layers-text")
    img = lab_page.widget(cell, ".vm-layers-plot")
    assert "Mode: virtualized" in text.inner_text()
    before = _src(img)
    lab_page.widget(cell, ".vm-layers-mode").locator("button", has_text="abstracted").click()
    lab_page.wait_text(text, re.compile(r"Mode: abstracted"))
    lab_page.slider_keys(lab_page.widget(cell, ".vm-layers-step"), "ArrowRight", times=1)
    lab_page.wait_text(text, re.compile(r"Step 2 of 5"))
    assert _src(img) != before
    lab_page.screenshot("layers-abstracted-step2")


def test_consolidation_slider(lab_page):
    lab_page.open("notebooks/02_why_virtualize.ipynb")
    lab_page.run_all()
    assert lab_page.errors() == []
    cell = lab_page.cell_with("consolidation_widget(")
    summary = lab_page.widget(cell, ".vm-consolidation-summary")
    img = lab_page.widget(cell, ".vm-consolidation-plot")
    assert summary.inner_text().startswith("30 VMs")
    before = _src(img)
    lab_page.slider_keys(lab_page.widget(cell, ".vm-consolidation-vms"), "ArrowRight", times=2)
    lab_page.wait_text(summary, re.compile(r"^32 VMs"))
    lab_page.wait_text(img, lambda _: _src(img) != before)
    lab_page.widget(cell, ".vm-consolidation-policy").locator("button", has_text="peak").click()
    lab_page.wait_text(summary, re.compile(r"Hosts under peak packing"))
    lab_page.screenshot("consolidation-32-peak")
