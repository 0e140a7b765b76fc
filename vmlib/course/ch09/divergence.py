"""The non-virtualizable variant: where trap-and-emulate silently goes wrong.

The same guest under trap-and-emulate on RV32 and on the variant, exit by exit
(:func:`divergence`), to the ``sstatus`` write the VMM never saw and the ``EFAULT`` it
becomes; :func:`consoles_text` prints the outputs side by side.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from ... import guest
from ...guest import port
from .log import VmmLog, describe, vmm_log, _change_text
from ..text import hanging
from .properties import bare_run

__all__ = ['Divergence', 'divergence', 'divergence_text', 'consoles_text', 'kernel_excerpt']

@dataclass(frozen=True)
class Divergence:
    """The same guest under trap-and-emulate on RV32 and on the variant, exit by exit.

    ``agreed``: the exits both runs took alike (same guest instruction, pc, trap, reason),
    the sensitive instructions the variant let through unseen left out; ``unseen``: those
    instructions (RV32 exits the variant never took) with what the VMM did on RV32;
    ``rv32_next``/``variant_next``: the first exits after the runs part ways.
    """
    workload: str
    bare: tuple
    rv32: VmmLog
    variant: VmmLog
    agreed: int
    unseen: tuple
    rv32_next: tuple
    variant_next: tuple

    @property
    def lost(self) -> tuple:
        """The unseen instructions whose emulation on RV32 changed the guest's state."""
        return tuple(e for e in self.unseen if e.changes)


def _key(e):
    return e.instret, e.pc, e.cause, e.reason


def divergence(workload: str = 'syscall', show: int = 4, show_variant: int = 8) -> Divergence:
    """Walk the RV32 and variant logs of ``workload`` side by side to where they part."""
    a, b = vmm_log(workload).exits, vmm_log(workload, 'nonvirt').exits
    i = j = agreed = 0
    unseen = []
    while i < len(a) and j < len(b):
        if _key(a[i]) == _key(b[j]):
            agreed += a[i].is_exit
            i, j = i + 1, j + 1
        elif _sstatus_access(a[i]):
            unseen.append(a[i])
            i += 1
        else:
            break
    return Divergence(workload, bare_run(workload)[:2], vmm_log(workload),
                      vmm_log(workload, 'nonvirt'), agreed, tuple(unseen),
                      tuple(a[i:i + show]), tuple(b[j:j + show_variant]))


def _sstatus_access(e):
    return e.reason == 'privileged_instruction' and 'sstatus' in e.instruction


def divergence_text(d: Divergence) -> str:
    lines = [f'{d.agreed} VMM exits agree, exit for exit, on RV32 and on the variant. On the way,',
             'the variant let these sstatus instructions of the guest kernel run without a trap',
             '-- the VMM never saw them:', '']
    for e in d.unseen:
        effect = ('on RV32 the VMM changed ' + ', '.join(_change_text(*c) for c in e.changes)
                  if e.changes else 'on RV32 the VMM changed nothing: harmless')
        lines.append(hanging(f'  guest #{e.instret:<6} {e.where:<18} {e.instruction:<19} ',
                             effect, extra=0))
    lines += ['', 'From there the runs part. RV32 (the VMM saw the write: sstatus.SUM = 1):']
    lines += [_trail(e) for e in d.rv32_next]
    lines += ['The variant (sstatus.SUM still 0 in the virtual CPU the VMM keeps):']
    lines += [_trail(e) for e in d.variant_next]
    return '\n'.join(lines)


def _trail(e):
    return hanging(f'  guest #{e.instret:<6} {e.where:<18} {e.instruction or "-":<19} ',
                   describe(e, short=True), extra=0)


def consoles_text(d: Divergence) -> str:
    """The console of each run, bare / trap on RV32 / trap on the variant, line by line:
    ``=`` printed by all three, ``-`` missing on the variant, ``+`` only on the variant."""
    bare, status = d.bare
    runs = [('bare machine', bare, status), ('trap, RV32', d.rv32.console, d.rv32.exit_status),
            ('trap, variant', d.variant.console, d.variant.exit_status)]
    lines = [f'{name:<14} exit status {s}, {c.count(chr(10))} lines'
             + ('  (identical to the bare machine)' if (c, s) == (bare, status) and i else '')
             for i, (name, c, s) in enumerate(runs)]
    lines.append('')
    ref, var = bare.splitlines(), d.variant.console.splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ref, b=var, autojunk=False).get_opcodes():
        if tag == 'equal':
            lines += [f'= {x}' for x in ref[i1:i2]]
        else:
            lines += [f'- {x}' for x in ref[i1:i2]] + [f'+ {x}' for x in var[j1:j2]]
    return '\n'.join(lines)


def kernel_excerpt(label: str, before: int = 2, after: int = 12) -> str:
    """Lines of ``vmlib/guest/kernel.s`` around ``label:``, with their line numbers, as the
    unmodified kernel has them: the paravirtual port's lines (``.if PV``, chapter 11) left
    out, ``before`` and ``after`` counting the lines shown."""
    text = (guest.HERE / 'kernel.s').read_text(encoding='utf-8').splitlines()
    shown = [n for n, side in enumerate(port.classify(text)) if side != 'pv']
    at = next((k for k, n in enumerate(shown) if text[n].startswith(f'{label}:')), None)
    if at is None:
        raise KeyError(f'kernel.s has no label {label}')
    lo, hi = max(0, at - before), min(len(shown), at + after + 1)
    return '\n'.join(f'{n + 1:>5}  {text[n]}' for n in shown[lo:hi])
