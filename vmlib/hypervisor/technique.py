"""Techniques: the ways a hypervisor can run a guest, behind one interface and one registry.

A technique decides how a guest's instructions get executed (interpreted, run directly with
the privileged ones trapping, translated, ...). The hypervisor around it is the same for all:
it carves the memory, schedules the guests round-robin in instruction slices, enforces the
step budgets and writes the report. So adding a technique is one class:

    @register
    class MyTechnique(Technique):
        name = 'mine'
        summary = 'one line for --help and the report'
        order = 7

        def setup(self, vm): ...              # load the guest, make its virtual CPU
        def run_slice(self, vm, budget): ...  # run it for about ``budget`` instructions

``run_slice`` keeps ``vm.guest_instructions`` (all instructions the guest retired) and
``vm.direct_instructions`` (those the hardware ran without the VMM) up to date, counts
cost-model events on the VM, and ends the VM (``vm.finish``) when the guest stops. It must
make progress or end the guest: the hypervisor's loop relies on it.
"""

TECHNIQUES = {}


def register(cls):
    """Make the technique class ``cls`` available by its ``name``."""
    TECHNIQUES[cls.name] = cls
    return cls


def technique_names():
    """The technique names in the course's order (``Technique.order``)."""
    _load_builtin()
    return sorted(TECHNIQUES, key=lambda n: (TECHNIQUES[n].order, n))


def get_technique(name):
    """The technique class called ``name``; ValueError listing the choices if none."""
    _load_builtin()
    if name not in TECHNIQUES:
        raise ValueError(f'unknown technique {name!r} (choose from '
                         f'{", ".join(technique_names())})')
    return TECHNIQUES[name]


def _load_builtin():
    from . import emulate, trap     # noqa: F401  (they register themselves)


class Technique:
    """Base class: one technique serving all the guests of one hypervisor."""

    name = '?'
    summary = ''
    order = 99                  # place in listings: the course's numbering of the techniques

    def __init__(self, hv):
        self.hv = hv
        self.host = hv.host

    def setup(self, vm):
        raise NotImplementedError

    def run_slice(self, vm, budget):
        raise NotImplementedError

    def registers(self, vm):
        """The guest's x0..x31 and pc, for people looking in (a dict)."""
        raise NotImplementedError

    def stats(self):
        """Technique-specific numbers for the report (a dict)."""
        return {}
