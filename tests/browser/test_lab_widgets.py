"""The browser fixtures themselves: JupyterLab runs a notebook and its widgets answer clicks.

The notebook is made here (a slider and a button that change a label), so this test checks the
pipeline every chapter's widget test relies on, whatever the chapters contain.
"""

from __future__ import annotations

import re

WIDGETS_NOTEBOOK = [
    ("markdown", "# Widgets in a real browser"),
    ("code", "import ipywidgets as w\n"
             "slider = w.IntSlider(value=3, min=0, max=10, description='n')\n"
             "label = w.Label(value='clicked 0 times').add_class('check-label')\n"
             "button = w.Button(description='Click me')\n"
             "clicks = []\n"
             "def on_click(_):\n"
             "    clicks.append(1)\n"
             "    label.value = f'clicked {len(clicks)} times, n = {slider.value}'\n"
             "button.on_click(on_click)\n"
             "w.VBox([slider, button, label])"),
    ("code", "print('squares:', [i * i for i in range(5)])"),
]


def test_widgets_answer_clicks_in_jupyterlab(lab_page, jupyter_lab, make_notebook, tmp_path):
    path = jupyter_lab.add_notebook(make_notebook(tmp_path / "widgets_check.ipynb", WIDGETS_NOTEBOOK))
    lab_page.open(path)
    lab_page.run_all()
    assert lab_page.errors() == []

    printed = lab_page.output(lab_page.cell_with("squares")).inner_text()
    assert "squares: [0, 1, 4, 9, 16]" in printed

    cell = lab_page.cell_with("IntSlider")
    slider = lab_page.widget(cell, ".widget-slider")
    readout = slider.locator(".widget-readout")
    assert readout.inner_text().strip() == "3"
    lab_page.slider_keys(slider, "ArrowRight", times=2)
    lab_page.wait_text(readout, "5")

    label = lab_page.widget(cell, ".check-label")
    assert label.inner_text() == "clicked 0 times"
    lab_page.button("Click me", cell).click()
    lab_page.wait_text(label, "clicked 1 times, n = 5")
    lab_page.button(re.compile("Click"), cell).click()
    lab_page.wait_text(label, re.compile(r"clicked 2 times"))
    shot = lab_page.screenshot("after-clicks")
    assert shot.stat().st_size > 0
