"""A guest-kernel region and its translation, side by side.

The region is read from the translation cache of a real run (``KernelTranslator.listing``):
each guest instruction with its treatment (``TREATMENTS``) beside the Python its block became.
``kernel_instructions`` gives any stretch of the kernel the same way, for the exercise that
asks for the treatments: the answer comes from the translator itself.
"""

from __future__ import annotations

from functools import lru_cache

from ... import guest
from ...hypervisor import Hypervisor
from ..ch06 import source_rows
from ..text import WIDTH

__all__ = ['TREATMENTS', 'translated_region', 'translation_text', 'kernel_instructions']

#: what the translator does with an instruction of guest-kernel code
TREATMENTS = {'ident': 'copied as it is',
              'callout': 'a call into the VMM, which does its work: no trap',
              'chained': 'a direct branch, jump or call (auipc + jalr): linked to its target',
              'lookup': 'any other jalr (ret): its target looked up in the cache at run time'}


@lru_cache(maxsize=None)
def _translator(workload):
    """The translation cache of ``workload``'s guest kernel after a run under bt."""
    hv = Hypervisor('bt', [guest.program(workload)], workload=workload)
    hv.run()
    return hv.technique.translator(hv.vms[0])


def translated_region(symbol='sys_sie_write', blocks=4, workload='csr'):
    """The blocks from kernel ``symbol`` on, as ``workload``'s run left them (each block the
    one the last falls into): ``[(rows, source)]``, a row ``(pc, instruction, treatment)``
    per guest instruction and ``source`` the Python of the block."""
    tc = _translator(workload)
    return tc.listing(guest.program(workload).symbols[symbol], blocks=blocks)


def _split(line, width):
    """A Python line of ``a; b`` statements too wide for ``width``, over several lines."""
    if len(line) <= width or '; ' not in line:
        return [line]
    indent = line[:len(line) - len(line.lstrip())]
    return [indent + part for part in line.strip().split('; ')]


def translation_text(symbol='sys_sie_write', blocks=4, workload='csr', first=1):
    """Each block: its guest instructions with their treatment (left) beside the Python each
    became (right); the block's head and tail (registers loaded into locals and stored back,
    the ``return`` to the next block) on lines of their own. ``first``: the first block shown
    (1: from ``symbol``), so a long region can be shown in parts."""
    out = []
    region = translated_region(symbol, blocks, workload)
    width = max(len(text) for rows, _ in region for _, text, _ in rows)
    left = 12 + width + 2 + 9               # pc, instruction, treatment
    for k, (rows, source) in enumerate(region):
        if k + 1 < first:
            continue
        kinds = {pc: kind for pc, _, kind in rows}
        head = f'block {k + 1}: {len(rows)} guest instruction{"s" * (len(rows) > 1)}'
        out += [''] * (k + 1 > first) + [f"{head:<{left}}Python it became", '-' * WIDTH]
        for label, python in source_rows(source):
            if label:
                pc, _, text = label.partition('  ')
                label = f'{pc}  {text:<{width + 2}}{kinds[int(pc, 16)]}'
            lines = [part for line in python or [''] for part in _split(line, WIDTH - left)]
            for i, line in enumerate(lines):
                out.append(f'{label if i == 0 else "":<{left}}{line}'.rstrip())
    return '\n'.join(out)


@lru_cache(maxsize=None)
def kernel_instructions(symbol, skip=0, count=8, workload='syscall'):
    """``count`` instructions of the guest kernel from ``symbol`` (``skip`` instructions in),
    as the disassembler shows them, with the treatment the translator of ``workload``'s run
    gives them (translating them now if they never ran): ``((pc, text, treatment), ...)``."""
    tc = _translator(workload)
    pc = guest.program(workload).symbols[symbol] + 4 * skip
    rows = []
    while len(rows) < count:
        block, _ = tc.listing(pc + 4 * len(rows))[0]
        rows += block
    return tuple(rows[:count])
