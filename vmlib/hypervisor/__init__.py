"""A hypervisor for vmlib's RV32 machine: guests, techniques, Popek & Goldberg, a cost model.

- ``Hypervisor(technique, programs)``: N guests on one host machine, scheduled round-robin;
  ``.run()`` returns the report (``hypervisor.py``); ``run(workload, technique, guests)``
  boots the guest kernel of ``vmlib.guest`` directly;
- techniques (``technique.py``, a registry): ``emulate`` (``emulate.py``) and ``trap``
  (trap-and-emulate, ``trap.py``, with virtual CSRs in ``vcpu.py``, shadow page tables in
  ``shadow.py`` and the SBI in ``sbi.py``);
- ``costs.py``: the cost model; ``popek.py``: Popek & Goldberg's instruction map.
"""

from .costs import CostModel, EVENTS
from .hypervisor import Hypervisor, run, DEFAULT_MAX_STEPS, DEFAULT_SLICE, VARIANTS
from .memory import GUEST_RAM_SIZE
from .vm import VmmEvent
from .technique import TECHNIQUES, Technique, register, get_technique, technique_names

__all__ = ['Hypervisor', 'run', 'CostModel', 'EVENTS', 'TECHNIQUES', 'Technique', 'register',
           'get_technique', 'technique_names', 'DEFAULT_MAX_STEPS', 'DEFAULT_SLICE', 'VARIANTS',
           'GUEST_RAM_SIZE', 'VmmEvent']
