"""The port, shown: a part of the kernel's source with the paravirtual lines marked, and the
port's size (``vmlib.guest.port``)."""

from __future__ import annotations

import html

from ...guest import port

__all__ = ['PortExcerpt', 'port_excerpt', 'port_size_text']


class PortExcerpt:
    """Lines of a kernel source file around a label: ``+`` a line only the paravirtual build
    assembles, ``-`` one only the unmodified build does, `` `` both. Shown coloured in a
    notebook (``_repr_html_``), as a diff in text."""

    def __init__(self, rows, name):
        self.rows, self.name = rows, name       # (line number, mark, text)

    def __repr__(self):
        return '\n'.join(f'{n:>5} {mark} {text}'.rstrip() for n, mark, text in self.rows)

    def _repr_html_(self):
        colour = {'+': '#e6f4ea', '-': '#fde7e9', ' ': 'transparent'}
        lines = [f"<div style='background:{colour[mark]}'>{n:>5} {mark} {html.escape(text)}"
                 "</div>" for n, mark, text in self.rows]
        return ("<div class='vm-port-excerpt' style='font-family:monospace; font-size:12px; "
                f"white-space:pre; line-height:1.3'>{''.join(lines)}</div>")


def port_excerpt(label, after=40, name='kernel.s'):
    """``after`` lines of ``vmlib/guest/<name>`` from ``label:`` on, the port marked."""
    lines = (port.HERE / name).read_text(encoding='utf-8').splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith(f'{label}:')), None)
    if at is None:
        raise KeyError(f'{name} has no label {label}')
    marks = {'pv': '+', 'native': '-', 'both': ' '}
    sides = port.classify(lines)
    rows = [(i + 1, marks[sides[i]], lines[i]) for i in range(at, min(len(lines), at + after))]
    return PortExcerpt(rows, name)


def port_size_text():
    p = port.measure()
    return (f"{p.text()}\n"
            "Xen's port of Linux (Barham et al. 2003, Table 2): 2,995 lines, 1.36% of its x86 "
            "code base")
