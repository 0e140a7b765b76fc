"""Techniques: the ways a hypervisor can run a guest, behind one interface.

A technique decides how a guest's instructions get executed (interpreted, run directly with
the privileged ones trapping, translated, ...). The hypervisor around it is the same for all:
it carves the memory, schedules the guests round-robin in instruction slices, serves the
exits (``exits.py``), keeps the exit log and writes the report. So adding a technique is one
class, listed in ``techniques/__init__.py`` (or passed to ``register``):

    class MyTechnique(Technique):
        name = 'mine'
        summary = 'one line for --help and the report'
        order = 7

        def setup(self, vm): ...              # make its vCPU, load it, register its devices
        def run(self, vm, budget): ...        # KVM_RUN: run it, return the Exit that ended it
        def stats(self): ...                  # technique-specific numbers for the report

``run`` runs the guest for up to ``budget`` guest instructions and returns the ``Exit`` that
ended the run: ``'budget'`` (the slice is used up), or an exit for the hypervisor to serve
(``'halted'``...). Exits it serves on the way without leaving (KVM's in-kernel fast path)
go through ``hv.handle(vm, exit)`` all the same: one handler table, one log. It keeps
``vm.guest_instructions`` (all instructions the guest retired) and ``vm.direct_instructions``
(those the hardware ran without the VMM) up to date and counts cost-model events on the VM.
It must make progress or end the guest: the hypervisor's loop relies on it. What it keeps per
guest beyond the ``VM``'s own parts it keeps in its own objects.
"""


class Technique:
    """Base class: one technique serving all the guests of one hypervisor."""

    name = '?'
    summary = ''
    order = 99                  # place in listings: the course's numbering of the techniques
    attributes = False          # True: it keeps each guest's CauseLedger (the report shows it)

    def __init__(self, hv):
        self.hv = hv
        self.host = hv.host

    def setup(self, vm):
        raise NotImplementedError

    def run(self, vm, budget):
        raise NotImplementedError

    def stats(self):
        """Technique-specific numbers for the report (a dict)."""
        return {}
