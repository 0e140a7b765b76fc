"""Text that fits where the course shows it.

A chapter is read in JupyterLab at a laptop's 1280 px with the file browser open, where an
output line longer than about 100 characters wraps mid-word (a table then splits every row).
Whatever the course prints is therefore kept to :data:`WIDTH` columns: tables are designed for
it, and prose-like lines (questions, feedback, explanations) go through :func:`fit`.
"""
from __future__ import annotations

import re
import textwrap

#: the widest output line a chapter shows (tests/test_notebook_presentation.py holds it)
WIDTH = 96

# a line's indentation and, when it is a list item, its marker: "  - ", "  3. ", "b) ", "#2 "
_LEAD = re.compile(r"^(\s*)((?:[-*\u2022]|\d+[.)]|[a-z]\)|#\d+)\s+)?")


def fit(text: str, width: int = WIDTH, hang: int = 0) -> str:
    """``text`` with every line longer than ``width`` wrapped at spaces; continuation lines are
    indented under the line's text (past a list marker such as ``- `` or ``3. ``), and ``hang``
    columns more (a long strace line: ``hang=4``).

    >>> print(fit("  - one two three four", width=14))
      - one two
        three four
    >>> print(fit("write(1, buf, 20) = 20", width=12, hang=4))
    write(1,
        buf, 20)
        = 20
    """
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        lead = _LEAD.match(line)
        indent = " " * (len(lead.group(0)) + hang)
        out += textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                             break_on_hyphens=False, drop_whitespace=True) or [line]
    return "\n".join(out)


def hanging(prefix: str, text: str, width: int = WIDTH, extra: int = 2) -> str:
    """``prefix`` then ``text``, wrapped to ``width``; continuation lines start under the text,
    ``extra`` columns further in (a numbered log line whose message is long).

    >>> print(hanging('  8,891  ', 'S -> M  SBI call from kernel', width=24))
      8,891  S -> M  SBI
               call from
               kernel
    """
    return textwrap.fill(text, width, initial_indent=prefix,
                         subsequent_indent=' ' * (len(prefix) + extra),
                         break_long_words=False, break_on_hyphens=False)


def columns(rows, widths, gap: int = 2) -> str:
    """A table whose cells wrap inside their columns (``widths``, the last may be None: what is
    left of :data:`WIDTH`), so a row of long cells takes several lines instead of a wide one.

    >>> print(columns([('a', 'one two three', 'x')], (1, 7, None)))
    a  one two  x
       three
    """
    widths = list(widths)
    if widths[-1] is None:
        widths[-1] = WIDTH - sum(widths[:-1]) - gap * (len(widths) - 1)
    out = []
    for row in rows:
        cells = [textwrap.wrap(str(c), w, break_long_words=False, break_on_hyphens=False) or ['']
                 for c, w in zip(row, widths)]
        for k in range(max(map(len, cells))):
            parts = [(c[k] if k < len(c) else '').ljust(w) for c, w in zip(cells, widths)]
            out.append((' ' * gap).join(parts).rstrip())
    return '\n'.join(out)


def table(rows, align):
    """Rows of cells (strings) in columns as wide as their widest cell, aligned left (``l``)
    or right (``r``), one letter per column."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return '\n'.join('  '.join(cell.ljust(w) if a == 'l' else cell.rjust(w)
                               for cell, w, a in zip(row, widths, align)).rstrip()
                     for row in rows)
