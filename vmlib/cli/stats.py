"""The ``--stats`` report of ``boot`` and ``run``: ``vmlib stats:`` lines, values in one column.

Each line is a key and a value: ``instructions retired: 19,953``, or an indented item of the
line above (``  write  1``, a count per system call or trap cause). The values start in one
column, so that a reader's eye runs down them; the column is at least ``MIN_COLUMN`` wide,
which fits every key either engine reports, so that the reports of an interpreter run and a
translator run line up and ``diff`` shows only what differs.
"""

import re
import sys

PREFIX = 'vmlib stats: '
MIN_COLUMN = 28

# a key ends at its colon, or (an item without one) where two spaces begin
_LINE = re.compile(r'(?P<key>\s*\S.*?(?::|(?=\s\s)))\s*(?P<value>\S.*)')


def split_line(line):
    """``'page faults served:   1'`` -> ``('page faults served:', '1')``; a line without a
    value is all key."""
    m = _LINE.fullmatch(line.rstrip())
    return (m['key'], m['value']) if m else (line.rstrip(), '')


def format_stats(rows):
    """``(key, value)`` rows as the report's lines, each value in the same column."""
    rows = list(rows)
    column = max([MIN_COLUMN] + [len(key) + 1 for key, _ in rows])
    return [f'{PREFIX}{key:<{column}}{value}'.rstrip() for key, value in rows]


def print_stats(rows):
    """Print the report on stderr (stdout is the program's)."""
    sys.stderr.write(''.join(line + '\n' for line in format_stats(rows)))
    sys.stderr.flush()
