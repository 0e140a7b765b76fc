"""Chapter 05's syscall-trace widget in JupyterLab: pick a program, type arguments, Run, and
the strace lines, the output and the exit status appear.

Opens the chapter, runs all its cells (the widget cell runs `files` once by itself), then
drives the widget through the CSS classes vmlib.viz.syscall_trace gives it.
"""

from __future__ import annotations

import re
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_strace_widget_runs_programs(lab_page):
    lab_page.open("notebooks/05_process_vms_emulation.ipynb")
    lab_page.run_all(timeout=180_000)
    assert lab_page.errors() == []

    cell = lab_page.cell_with("SyscallTraceWidget(")
    lines = lab_page.widget(cell, ".vm-strace-lines")
    status = lab_page.widget(cell, ".vm-strace-status")
    # the cell ran `files` already: its file calls, a failed open, and the exit
    text = lab_page.wait_text(lines, re.compile(r"exit_group\(0\) = \?"))
    assert 'openat(AT_FDCWD, "files.out", O_WRONLY|O_CREAT|O_TRUNC|O_LARGEFILE, 0644) = 3' in text
    assert cell.locator(".vm-strace-line.vm-strace-error[data-name='openat']").count() == 2
    assert "exit status 0" in status.inner_text()
    stdout = lab_page.widget(cell, ".vm-strace-stdout").inner_text()
    assert "stdin: 2 lines, 5 words, 24 bytes" in stdout

    # another program, other arguments: Run
    lab_page.widget(cell, ".vm-strace-program select").select_option("args")
    args = lab_page.widget(cell, ".vm-strace-args input")
    lab_page.wait_text(status, re.compile(r"args: press Run"))
    args.fill("7 'two words'")
    args.press("Tab")
    lab_page.button("Run", cell).click()
    text = lab_page.wait_text(lines, re.compile(r"exit_group\(7\) = \?"))
    assert re.search(r'writev\(2, \[\{iov_base="args: exit status 7\\n"', text)
    assert cell.locator(".vm-strace-line[data-name='writev']").count() == 3
    lab_page.wait_text(status, re.compile(r"exit status 7 \(exit\)"))
    stdout = lab_page.widget(cell, ".vm-strace-stdout").inner_text()
    assert 'argv[2] = "two words"' in stdout and "argc = 3" in stdout
    assert "args: exit status 7" in lab_page.widget(cell, ".vm-strace-stderr").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    widget = lab_page.widget(cell, ".vm-strace")
    widget.screenshot(path=str(ARTIFACTS / "test_ch05_strace-args.png"))

    # and printf_one: its one printf is one writev
    lab_page.widget(cell, ".vm-strace-program select").select_option("printf_one")
    lab_page.wait_text(status, re.compile(r"printf_one: press Run"))
    lab_page.button("Run", cell).click()
    text = lab_page.wait_text(lines, re.compile(r"exit_group\(0\) = \?"))
    assert 'writev(1, [{iov_base="Hello, RISC-V! 2 + 3 = 5", iov_len=24}' in text
    assert cell.locator(".vm-strace-line").count() == 4
    assert "Hello, RISC-V! 2 + 3 = 5" in lab_page.widget(cell, ".vm-strace-stdout").inner_text()
    lab_page.screenshot("strace-printf-one")
