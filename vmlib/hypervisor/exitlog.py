"""The exit log: every exit of every guest, in order, with what serving it changed.

The hypervisor keeps it (``Hypervisor(log=True)``: ``hv.log``); the chapters draw it and
never rebuild it. Each ``ExitRecord`` is one visit of the VMM -- an exit, served by its
handler in ``exits.py`` -- or one of the two things the VMM does unasked: ``enter`` (a
guest gets the hart) and ``interrupt_injection`` (a virtual interrupt delivered). It holds
the guest's architectural state before and after (``ArchState.snapshot``), the cost-model
events counted meanwhile, what the guest's console printed, and the instruction word
involved, so that a view can say exactly what happened without looking anywhere else.

A visit lasts until the VMM resumes the guest (``close``: what returning into the guest costs
is part of the visit), or gives the hart to another; an injection made during a visit is its
own record, and its events are not counted twice.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from ..machine.csr import MXR
from ..machine.exit import Exit
from ..machine.sv32 import FETCH
from ..machine.traps import M
from .costs import EVENTS
from .shadow import GuestFault, translate, view_of

#: log entries that are not exits
NOT_EXITS = ('enter', 'interrupt_injection')
#: events of the guest's own execution, never of a visit of the VMM
GUEST_EVENTS = ('guest_instruction', 'emulated_instruction')


@dataclass
class ExitRecord:
    """One visit of the VMM, for guest ``vm`` (its index).

    ``exit`` is the ``Exit`` (None for ``enter`` and ``interrupt_injection``); ``kind`` what
    the VMM made of it (the report's exit reason: ``hidden_page_fault``, ``sbi``...);
    ``instret``/``retired_after`` the guest instructions retired before and after (one more
    when the VMM executed the instruction in the guest's place); ``before``/``after`` the
    guest's ``ArchState.snapshot()``; ``events`` the cost-model events counted while it was
    served; ``word`` the instruction at the guest's pc, when the exit is about one.
    """

    seq: int
    vm: int
    exit: Optional[Exit]
    kind: str
    detail: str
    instret: int
    before: dict
    word: Optional[int] = None
    after: dict = field(default=None, repr=False)
    retired_after: int = 0
    events: dict = field(default_factory=dict)
    output: str = ''

    @property
    def is_exit(self):
        return self.kind not in NOT_EXITS


class ExitLog:
    """The records, in order (``records``), and the bookkeeping of the open ones."""

    def __init__(self):
        self.records = []
        self._open = {}                 # id(record) -> (events, console length) at its start
        self._visit = {}                # guest index -> (the visit not closed yet, events of
                                        #                 the records made during it)

    def __len__(self):
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def begin(self, vm, exit, detail):
        """Open the record of ``exit`` (an ``Exit``, or the name of a non-exit) for ``vm``."""
        v = vm.vcpu
        is_exit = isinstance(exit, Exit)
        kind = exit.reason if is_exit else exit
        word = _word_at(vm) if is_exit and exit.reason != 'timer' else None
        if kind != 'interrupt_injection':
            self.close(vm)
        record = ExitRecord(len(self.records), vm.index, exit if is_exit else None, kind,
                            detail, v.retired(), v.snapshot(), word)
        self.records.append(record)
        self._open[id(record)] = (Counter(vm.events), len(vm.uart.output))
        if kind != 'interrupt_injection':
            self._visit[vm.index] = (record, Counter())
        return record

    def end(self, record, vm):
        """The VMM is done with ``record``: the state after and the output printed (an
        injection's events too; a visit's are counted on until ``close``)."""
        events, printed = self._open[id(record)]
        if record.exit is not None and vm.last_exit:
            record.kind = vm.last_exit
        record.after = vm.vcpu.snapshot()
        record.retired_after = vm.vcpu.retired()
        record.output = vm.uart.output[printed:].decode('utf-8', errors='replace')
        if record.kind == 'interrupt_injection':
            record.events = self._delta(record, vm, Counter())
            visit = self._visit.get(vm.index)
            if visit is not None:
                visit[1].update(record.events)

    def close(self, vm):
        """The VMM resumes ``vm`` (or leaves it): its open visit's events are complete."""
        visit = self._visit.pop(vm.index, None)
        if visit is not None:
            record, nested = visit
            record.events = self._delta(record, vm, nested)

    def _delta(self, record, vm, nested):
        events = self._open.pop(id(record))[0]
        return {e: vm.events[e] - events[e] - nested[e] for e in EVENTS
                if vm.events[e] - events[e] - nested[e] and e not in GUEST_EVENTS}

    def of(self, vm):
        """The records of guest ``vm`` (an index)."""
        return [r for r in self.records if r.vm == vm]


def _word_at(vm):
    """The guest's instruction word at its pc, fetched as its own hart would (None if that
    fails): what the log shows for an exit."""
    v = vm.vcpu
    satp = v.satp if v.priv != M else 0         # (an emulated machine's M-mode: untranslated)
    try:
        t = translate(vm.mem, satp, v.pc, FETCH, view_of(v.priv, v.mstatus),
                      bool(v.mstatus & MXR))
    except GuestFault:
        return None
    return vm.mem.read(t.pa, 4) if vm.mem.contains(t.pa, 4) else None
