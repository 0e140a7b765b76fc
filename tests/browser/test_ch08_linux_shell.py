"""Chapter 08's Linux shell in JupyterLab: Linux boots in the kernel, a command typed into the
box is answered on the screen, ``poweroff`` switches the machine off and disables the box, and
the widget fits an output 848 px wide (JupyterLab at 1280 px with the file browser open).

Needs the bare kernel (`make linux`); CI builds it first (VMLIB_LINUX=require turns its
absence into a failure), elsewhere the test skips.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from vmlib.guest import linux
from vmlib.viz._course_common import SHOWN_WIDTH_PX

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

SHELL_NOTEBOOK = [
    ("markdown", "# Linux, live"),
    ("code", "from vmlib.course.linux import boot\n"
             "from vmlib.viz.linux_shell import LinuxShellWidget\n"
             "session = boot(stream=False)\n"
             "LinuxShellWidget(session)"),
]


def _status(lab_page, cell):
    return lab_page.widget(cell, ".vm-shell-status")


def test_a_command_typed_in_the_box_is_answered(lab_page, jupyter_lab, make_notebook, tmp_path):
    if not linux.available('bare'):
        if os.environ.get('VMLIB_LINUX') == 'require':
            pytest.fail('Linux bare build missing: run `make linux` (VMLIB_LINUX=require)')
        pytest.skip('Linux bare build missing: run `make linux`')
    path = jupyter_lab.add_notebook(make_notebook(tmp_path / "ch08_shell.ipynb", SHELL_NOTEBOOK))
    lab_page.open(path)
    lab_page.run_all(timeout=240_000)
    assert lab_page.errors() == []
    cell, area = lab_page.widget_output("LinuxShellWidget(", SHOWN_WIDTH_PX)
    status = _status(lab_page, cell)
    assert status.get_attribute("data-state") == "ready"
    booted = int(status.get_attribute("data-instructions"))

    box = lab_page.widget(cell, ".vm-shell-input input")
    box.fill("uname")
    box.press("Enter")
    lab_page.wait_text(lab_page.widget(cell, ".vm-shell-screen"),
                       re.compile(r"# uname\s+Linux 6\.12\.\d+ #1 .* riscv32"), timeout=60_000)
    lab_page.wait_text(status, lambda text: _count(status) > booted, timeout=60_000)
    assert status.get_attribute("data-commands") == "1"

    box.fill("poweroff")
    box.press("Enter")
    lab_page.wait_text(status, re.compile(r"exit status 0"), timeout=60_000)
    assert status.get_attribute("data-state") == "off"
    assert box.is_disabled()

    widget = lab_page.widget(cell, ".vm-shell")
    assert widget.bounding_box()["width"] <= area.bounding_box()["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(ARTIFACTS / "test_ch08_linux_shell.png"))


def _count(status):
    return int(status.get_attribute("data-instructions") or 0)
