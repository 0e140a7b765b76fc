"""A hypervisor for vmlib's RV32 machine: guests, techniques, Popek & Goldberg, a cost model.

- ``Hypervisor(technique, programs)``: N guests on one host machine, scheduled round-robin;
  ``.run()`` returns the report (``hypervisor.py``); ``run(workload, technique, guests)``
  boots the guest kernel of ``vmlib.guest`` directly;
- the core, shaped like KVM and kvmtool: each guest a ``VM`` (``vm.py``)
  with a vCPU (``vcpu.py``: an ``ArchState`` like the hart's), exits as values served by one
  handler table (``exits.py``), one instruction emulator (``emulator.py``, over the machine's
  own), one exit log (``exitlog.py``);
- techniques (``technique.py``, ``techniques/``): ``emulate``, ``trap`` (trap-and-emulate,
  with shadow page tables in ``shadow.py`` and the SBI in ``sbi.py``) and ``pv``
  (paravirtualization: the ported kernel's hypercalls and shared page, ``pv.py``); each guest's
  virtio devices (``vmlib.machine.virtio``) sit in its device map;
- ``costs.py``: the cost model; ``popek.py``: Popek & Goldberg's instruction map.
"""

from .costs import CostModel, EVENTS
from .exitlog import ExitLog, ExitRecord
from .exits import EXIT_HANDLERS, handler
from .hypervisor import Hypervisor, run, DEFAULT_MAX_STEPS, DEFAULT_SLICE, VARIANTS
from .memory import GUEST_RAM_SIZE
from .technique import Technique
from .techniques import TECHNIQUES, register, get_technique, technique_names

__all__ = ['Hypervisor', 'run', 'CostModel', 'EVENTS', 'TECHNIQUES', 'Technique', 'register',
           'get_technique', 'technique_names', 'DEFAULT_MAX_STEPS', 'DEFAULT_SLICE', 'VARIANTS',
           'GUEST_RAM_SIZE', 'ExitLog', 'ExitRecord', 'EXIT_HANDLERS', 'handler']
