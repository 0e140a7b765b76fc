"""Example Tiny programs, one per file (``NAME.tiny``); each prints the same text every run.

    >>> from vmlib.hllvm import example_source, compile_source, run_python
    >>> run_python(compile_source(example_source('factorial'))).splitlines()[5]
    'factorial 5 = 120'
"""

import os

HERE = os.path.dirname(__file__)
EXAMPLES = tuple(sorted(f[:-5] for f in os.listdir(HERE) if f.endswith('.tiny')))


def example_path(name):
    if name not in EXAMPLES:
        raise KeyError(f'no example {name!r} (there are: {", ".join(EXAMPLES)})')
    return os.path.join(HERE, name + '.tiny')


def example_source(name):
    """The source text of example ``name`` (see ``EXAMPLES``)."""
    with open(example_path(name)) as f:
        return f.read()
