"""The nbval sanitize file hides Python object ids and timestamps, and nothing the course shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nbval.plugin import get_sanitize_patterns

CFG = Path(__file__).with_name("nbval_sanitize.cfg")


def sanitize(text: str) -> str:
    for regex, replace in get_sanitize_patterns(CFG.read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_nbval_reads_every_pattern():
    assert len(get_sanitize_patterns(CFG.read_text())) == CFG.read_text().count("\nregex: ")


@pytest.mark.parametrize("run1, run2", [
    ("<vmlib.machine.Machine object at 0x7f3a5c1e2d90>", "<vmlib.machine.Machine object at 0x7f00aa11bb22>"),
    ("[<matplotlib.lines.Line2D at 0x55d2c3a4b5c6>]", "[<matplotlib.lines.Line2D at 0x7fffe0001234>]"),
    ("built 2026-11-23 19:20:01", "built 2027-01-02T03:04:05.678+00:00"),
])
def test_run_to_run_noise_is_hidden(run1, run2):
    assert sanitize(run1) == sanitize(run2)


@pytest.mark.parametrize("text", [
    "pc = 0x80000000", "<Trap illegal_instruction at 0x80000004>", "mtval=0x00000000",
    "tohost at 0x80001000>", "mtime = 0x000000000000c350", "UART at 0x10000000",
])
def test_course_content_is_compared(text):
    assert sanitize(text) == text
