"""Chapter 06's block-cache view in JupyterLab: Next, Prev, the slider and the program dropdown
move through the translator's cache events, and every panel follows.

Opens the chapter, runs all its cells, then drives the CacheHistoryView widget (found by the CSS
classes vmlib.viz.translator gives it). The events are deterministic (compute.elf translates 18
blocks; the self-modifying loop drops its loop at event 4 of 5), so the test can name them.
"""

from __future__ import annotations

import re
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_cache_history_steps_through_the_translators_events(lab_page):
    lab_page.open("notebooks/06_process_vms_binary_translation.ipynb")
    lab_page.run_all()
    assert lab_page.errors() == []

    cell = lab_page.cell_with("CacheHistoryView(")
    status = lab_page.widget(cell, ".vm-dbt-status")
    cache = lab_page.widget(cell, ".vm-dbt-cache")
    block = lab_page.widget(cell, ".vm-dbt-block")
    assert re.search(r"compute\.elf: event 1 of 18, at instruction 4,042", status.inner_text())
    assert cell.locator(".vm-dbt-cached").count() == 1
    assert "def make(" in block.inner_text()
    assert lab_page.widget(cell, ".vm-dbt-prev button, button.vm-dbt-prev").is_disabled()

    # Next: the second event -- one more block in the cache, a new block shown
    lab_page.button("Next", cell).click()
    lab_page.wait_text(status, re.compile(r"event 2 of 18, at instruction 4,076"))
    lab_page.wait_text(cache, re.compile(r"block cache: 2 block"))
    assert cell.locator(".vm-dbt-current").count() == 1
    assert lab_page.widget(cell, ".vm-dbt-current").get_attribute("data-pc") == "0x0001794c"
    counter = cell.locator(".vm-dbt-counter[data-name='blocks translated']")
    assert re.search(r"blocks translated\s+2", counter.inner_text())
    lab_page.screenshot("cache-history-event-2")

    # the slider, from the keyboard: End jumps to the last event, the 40-instruction CRC loop
    lab_page.slider_keys(lab_page.widget(cell, ".vm-dbt-slider"), "End")
    lab_page.wait_text(status, re.compile(r"event 18 of 18"))
    lab_page.wait_text(block, re.compile(r"loop of 40"))
    assert "for n in range(n, stop - 39, 40):" in block.inner_text()
    assert cell.locator(".vm-dbt-cached").count() == 18
    # Prev goes back one event
    lab_page.button("Prev", cell).click()
    lab_page.wait_text(status, re.compile(r"event 17 of 18"))

    # another program: the self-modifying loop, whose loop is dropped at event 4
    lab_page.widget(cell, ".vm-dbt-program select").select_option(label="self-modifying loop")
    lab_page.wait_text(status, re.compile(r"self-modifying loop: event 1 of 5"))
    for _ in range(3):
        lab_page.button("Next", cell).click()
    lab_page.wait_text(status, re.compile(r"event 4 of 5.*dropped \(its code was written\)", re.S))
    dropped = lab_page.widget(cell, ".vm-dbt-dropped")
    assert dropped.get_attribute("data-pc") == "0x80000018"
    assert re.search(r"invalidations\s+1",
                     cell.locator(".vm-dbt-counter[data-name='invalidations']").inner_text())
    assert "addi a0, a0, 1" in block.inner_text()
    lab_page.button("Next", cell).click()
    lab_page.wait_text(block, re.compile(r"addi a0, a0, 100"))      # translated again, new code
    widget = lab_page.widget(cell, ".vm-dbt")
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "test_ch06_translator-smc-retranslated.png"))
