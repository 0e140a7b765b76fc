"""How a run of a hart ends, as a value: KVM's ``kvm_run.exit_reason`` and the data with it.

``Hart.run(budget)`` returns one. Its ``reason`` is ``'budget'`` (the instructions asked for
have retired), ``'halted'`` (the machine itself stopped: power-off, reset, a ``wfi`` nothing
can wake, a trap loop -- ``hart.halted`` says which) or whatever a trap hook asked for with
``hart.exit_now(Exit(...))``: a hypervisor's exit reasons (``vmlib.hypervisor.exits``).
"""

from typing import NamedTuple, Optional


class Exit(NamedTuple):
    reason: str
    cause: Optional[int] = None     # the trap's mcause, when a trap is why
    tval: int = 0                   # ... and its mtval
    pc: int = 0                     # the guest's pc: the trapping instruction, or the next one
    retired: int = 0                # instructions the run retired before it ended
