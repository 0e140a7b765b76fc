"""How big the paravirtual port is, measured from the source as Barham et al. measured
Xen's port of Linux ("Xen and the Art of Virtualization", SOSP 2003, Table 2: 2,995 lines,
1.36% of Linux's x86 code).

The port is ``pv.s`` and the ``.if PV`` branches of the kernel's other files; what it
replaces are their ``.else`` branches and the ``.ifeq PV`` blocks. A line counts when it holds
code or a directive (not a blank line, not only a comment).

    >>> from vmlib.guest import port
    >>> p = port.measure()
    >>> p.added > 0 and p.replaced > 0 and p.changed < p.total
    True
"""

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
KERNEL_FILES = ('kernel.s', 'virtio.s', 'pv.s')     # the guest kernel (the firmware is not)


def code(line):
    """The line without its comment, stripped ('' for a blank or comment-only line)."""
    out, quoted = [], False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        if ch == '#' and not quoted:
            break
        out.append(ch)
    return ''.join(out).strip()


def classify(lines):
    """Each line's side: 'pv' (assembled only with PV=1), 'native' (only with PV=0: the
    ``.else`` branch of an ``.if PV``, and an ``.elseif`` after it, such as the debug
    console's), or 'both'. Conditions on other symbols are followed only to keep the nesting
    right."""
    sides, stack = [], []           # stack: (is a PV condition, PV side of the open branch)
    for line in lines:
        words = code(line).split()
        word = words[0].lower() if words else ''
        about_pv = len(words) > 1 and words[1] in ('PV', '!PV')
        if word in ('.if', '.ifeq', '.ifdef', '.ifndef', '.ifne'):
            side = ('native' if word == '.ifeq' or words[1] == '!PV' else 'pv') \
                if about_pv and word in ('.if', '.ifeq', '.ifne') else None
            stack.append(side)
            sides.append('pv' if side else current(stack[:-1]))
            continue
        if word == '.elseif' and stack:         # .if PV ... .elseif X: X only without PV,
            sides.append('pv' if stack[-1] else current(stack))     # and so is the .else
            stack[-1] = {'pv': 'native for good'}.get(stack[-1], stack[-1])
            continue
        if word == '.else' and stack:
            flipped = {'pv': 'native', 'native': 'pv'}.get(stack[-1])
            sides.append('pv' if stack[-1] else current(stack))
            stack[-1] = flipped or stack[-1]
            continue
        if word == '.endif' and stack:
            side = stack.pop()
            sides.append('pv' if side else current(stack))
            continue
        sides.append(current(stack))
    return sides


def current(stack):
    for side in reversed(stack):
        if side:
            return side.split()[0]
    return 'both'


@dataclass
class PortSize:
    added: int          # lines only the PV build has (pv.s included), with their directives
    replaced: int       # lines only the native build has
    total: int          # lines of the kernel (kernel.s, virtio.s, pv.s)

    @property
    def changed(self):
        return self.added + self.replaced

    @property
    def share(self):
        return self.changed / self.total

    def text(self):
        return (f'the paravirtual port: {self.added} lines added, {self.replaced} replaced, '
                f'of {self.total} lines of kernel ({100 * self.share:.1f}% changed)')


def measure(files=KERNEL_FILES):
    """The size of the port (a ``PortSize``)."""
    added = replaced = total = 0
    for name in files:
        lines = (HERE / name).read_text(encoding='utf-8').splitlines()
        for line, side in zip(lines, classify(lines)):
            if not code(line):
                continue
            total += 1
            added += side == 'pv' or name == 'pv.s'
            replaced += side == 'native'
    return PortSize(added, replaced, total)
