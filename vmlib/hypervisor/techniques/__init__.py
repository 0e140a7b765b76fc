"""The techniques, by name: ``TECHNIQUES`` (see ``..technique`` for the interface).

1. ``emulate`` (``emulate.py``): the whole guest machine interpreted, the reference;
2. ``trap`` (``trap.py``): trap-and-emulate, the guest deprivileged, shadow page tables;
3. ``pv`` (``pv.py``): paravirtualization, a ported guest kernel on trap-and-emulate;
4. ``bt`` (``bt.py``): binary translation of the guest kernel, its processes direct;
5. ``hw`` (``hw.py``): hardware assistance, the H extension driven through a KVM-like API.

``register`` adds one of your own.
"""

from .bt import BinaryTranslation
from .emulate import Emulate
from .hw import HardwareAssisted
from .pv import Paravirt
from .trap import TrapAndEmulate

TECHNIQUES = {t.name: t for t in (Emulate, TrapAndEmulate, Paravirt, BinaryTranslation,
                                         HardwareAssisted)}


def register(cls):
    """Make the technique class ``cls`` available by its ``name``."""
    TECHNIQUES[cls.name] = cls
    return cls


def technique_names():
    """The technique names in the course's order (``Technique.order``)."""
    return sorted(TECHNIQUES, key=lambda n: (TECHNIQUES[n].order, n))


def get_technique(name):
    """The technique class called ``name``; ValueError listing the choices if none."""
    if name not in TECHNIQUES:
        raise ValueError(f'unknown technique {name!r} (choose from '
                         f'{", ".join(technique_names())})')
    return TECHNIQUES[name]
