"""Engines: the run loops that execute the guest's user code for a process VM.

The process VM is an operating system written in Python; an *engine* is the CPU it runs user
code on. Both engines of the course drive the same ``Machine``/``Hart`` state (registers, pc,
``instret``, the Sv32 TLB), so the process VM does not care which one runs:

- ``interp``: the machine's own decode-and-dispatch interpreter (``vmlib.machine.interp``);
- ``dbt``: a dynamic binary translator (being written; see ``register_engine``).

The contract an engine keeps (``Engine.run``): execute user code from ``hart.pc`` until
``hart.halted`` is set or ``budget`` more instructions have retired, counting them in
``hart.instret``; every trap goes through ``hart.take_trap(cause, tval)`` with ``hart.pc`` at
the trapping instruction and ``hart.instret`` up to date (that is where the process VM's
``trap_hook`` serves system calls and page faults); after a served trap, go on at
``hart.pc``, and assume registers, memory and page tables may have changed (re-read the TLBs).

What the process VM tells an engine: writes to RAM from system calls and from frame reuse go
through ``bus.load_bytes`` (so ``bus.on_ram_write`` sees them, as it sees the guest's slow-path
stores); and ``invalidate(start, end)`` is called whenever the mappings of the virtual range
[start, end) change (munmap, mprotect, mremap, MAP_FIXED over old pages, madvise), since code
translated from a virtual address may no longer be what is mapped there.
"""


class EngineUnavailable(Exception):
    """The engine asked for does not exist (yet)."""


class Engine:
    """Base class: one engine bound to one machine."""

    name = '?'

    def __init__(self, machine):
        self.machine = machine
        self.hart = machine.hart

    def run(self, budget):
        """Run user code until the hart halts or ``budget`` instructions retire."""
        raise NotImplementedError

    def invalidate(self, start, end):
        """The mappings of virtual addresses [start, end) changed: drop what was derived
        from them. (The interpreter keys its decoded-instruction cache by physical frame, and
        the process VM drops a frame's entry when it frees the frame, so it needs nothing.)"""

    def stats(self):
        """Engine counters for ``--stats`` (name -> number), e.g. blocks translated."""
        return {}


class InterpEngine(Engine):
    """The machine's interpreter loop (fast path: decoded-instruction cache and TLB)."""

    name = 'interp'

    def run(self, budget):
        self.hart.run(budget)


_ENGINES = {'interp': InterpEngine}


def register_engine(name, cls):
    """Make ``cls`` (an ``Engine`` subclass taking the machine) available as ``name``.

    The translator registers itself as ``'dbt'`` when its module is imported; ``get_engine``
    imports ``vmlib.machine.dbt`` the first time ``'dbt'`` is asked for.
    """
    _ENGINES[name] = cls


def engine_names():
    return ['interp', 'dbt']


def get_engine(name):
    """The engine class called ``name``; EngineUnavailable with a one-line reason if none."""
    if name not in _ENGINES and name == 'dbt':
        from ..machine import dbt  # noqa: F401  (registers itself)
    if name not in _ENGINES:
        raise EngineUnavailable(f'unknown engine {name!r} (choose from '
                                f'{", ".join(engine_names())})')
    return _ENGINES[name]
