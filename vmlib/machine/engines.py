"""Engines: what executes a hart's instructions.

A hart runs on one engine at a time (``Hart.use_engine``): the interpreter below, or the
dynamic binary translator (``dbt.Translator``). The machine, the process VM and the hypervisor
choose one the same way, by name (``vmlib.machine.ENGINES``), and cannot tell them apart by
results: both keep the hart's state, instruction for instruction.

The contract an engine keeps (``run``): execute from ``hart.pc`` until ``budget`` more
instructions have retired, the machine halts, or a trap hook asks for an exit
(``hart.exit_now``), counting them in ``hart.instret``; every trap goes through
``hart.take_trap(cause, tval)`` with ``hart.pc`` at the trapping instruction and
``hart.instret`` up to date; after a trap, go on at ``hart.pc`` and assume that registers
(``hart.x`` may even be another list), memory and page tables changed. ``invalidate(start,
end)`` is told when the mappings of virtual [start, end) change (the process VM's munmap,
mprotect...), ``stats()`` returns counters for ``--stats``.
"""

from .interp import run_loop


class Engine:
    """Base class: one engine bound to one hart."""

    name = '?'

    def __init__(self, hart):
        self.hart = hart

    def run(self, budget):
        raise NotImplementedError

    def invalidate(self, start, end):
        """The mappings of virtual [start, end) changed: drop what was derived from them.
        (The interpreter keys its decoded-instruction cache by physical frame: nothing.)"""

    def stats(self):
        """Counters (name -> number) for ``--stats``: e.g. blocks translated."""
        return {}


class Interpreter(Engine):
    """The generated decode-and-dispatch loop (``interp.py``) over pre-decoded slots."""

    name = 'interp'

    def __init__(self, hart):
        super().__init__(hart)
        self.loop = run_loop()

    def run(self, budget):
        self.loop(self.hart, budget)
