"""A cost model: what virtualization costs, in cycles, event by event.

The hypervisor runs on a Python interpreter, so its wall-clock time says little about what the
same design costs on real hardware. Instead it *counts events* (a guest instruction executed
directly, a trap into the VMM, a CSR access emulated, a shadow page-table entry filled, ...) and
this module turns the counts into cycles with named per-event costs. The learner can change any
cost and watch the verdict change -- that is the point of Adams & Agesen's comparison: which
technique wins depends on what each event costs on a given processor.

    >>> model = CostModel()
    >>> model.total({'guest_instruction': 1000, 'trap': 2, 'csr_emulation': 2, 'world_switch': 2})
    5300
    >>> CostModel().replace(trap=500).trap
    500

The events are **additive**: one trapped privileged instruction under trap-and-emulate counts
one ``trap`` (guest -> VMM), one ``csr_emulation`` (the VMM's software work) and one
``world_switch`` (VMM -> guest). The defaults model a first-generation hardware-assisted x86
(Intel VT-x, 2005-2008) running a classic VMM, because that is the machine the course's
references measured; each default says where it comes from and which numbers are estimates
(most VMM software costs are: papers report whole microbenchmarks, not their parts).

References (cited below by their short name):

- **Adams & Agesen 2006**: K. Adams, O. Agesen, "A Comparison of Software and Hardware
  Techniques for x86 Virtualization", ASPLOS 2006.
- **Agesen et al. 2012**: O. Agesen, J. Mattson, R. Rugina, J. Sheldon, "Software Techniques
  for Avoiding Hardware Virtualization Exits", USENIX ATC 2012 (exits are expensive; handling
  clusters of exiting instructions at once saves transitions).
- **Bugnion et al. 2012**: E. Bugnion, S. Devine, M. Rosenblum, J. Sugerman, E. Y. Wang,
  "Bringing Virtualization to the x86 Architecture with the Original VMware Workstation",
  ACM TOCS 30(4), 2012.
- **Intel 2009**: Intel Software Network blog, "Virtualization and Performance: Understanding
  VM Exits" (June 2009): the steps of an exit and "hundreds or thousands of cycles" per
  transition.
- **VMware 2009**: S. Drummonds, "Newer processors and virtualization performance", VMware
  communities blog (June 2009): VMEXIT latency by Intel generation.
- **LKML 2020**: KVM/SVM patch discussion on linux-kernel, December 2020 (cycle counts of
  one ``KVM_RUN`` round trip: ~1,350 cycles across VMRUN and the exit, ~2,530 for the ioctl).
- **Sugerman et al. 2001**: J. Sugerman, G. Venkitachalam, B.-H. Lim, "Virtualizing I/O
  Devices on VMware Workstation's Hosted Virtual Machine Monitor", USENIX ATC 2001.
- **Mihocka & Shwartsman 2008**: D. Mihocka, S. Shwartsman, "Virtualization Without Direct
  Execution or Jitting: Designing a Portable Virtual Machine Infrastructure" (the Bochs
  interpreter), ISCA 2008 workshop (AMAS-BT).
- **Smith & Nair 2005**: J. E. Smith, R. Nair, *Virtual Machines: Versatile Platforms for
  Systems and Processes*, Morgan Kaufmann 2005, ch. 2 (interpretation costs).
"""
from __future__ import annotations

import dataclasses
import numbers
import textwrap
from dataclasses import dataclass

__all__ = ['EVENTS', 'CostModel', 'SOURCES']

#: event name -> what one occurrence is. The hypervisor counts events by exactly these names.
EVENTS = {
    'guest_instruction': 'a guest instruction executed directly by the hardware',
    'emulated_instruction': 'a guest instruction executed by the software emulator',
    'trap': 'a hardware trap from the guest into the VMM (a VM exit)',
    'world_switch': 'the VMM resumes a guest, or switches from one VM to another (a VM entry)',
    'csr_emulation': 'one privileged instruction emulated against virtual state '
                     '(CSR access, sret, sfence.vma, wfi)',
    'sbi_call': "one SBI call served by the VMM (this machine's hypercall)",
    'shadow_fill': 'a hidden page fault: the VMM walks the guest table and fills a shadow entry',
    'shadow_update': 'a trapped write to a guest page-table page, emulated and reflected '
                     'into the shadow',
    'page_walk_step': 'one page-table entry read by a software walker',
    'device_access': 'one emulated device register access',
    'interrupt_injection': 'a virtual interrupt delivered to the guest kernel',
    'exception_injection': 'a guest trap reflected to the guest kernel',
}

#: event name -> where its default cost comes from (and whether it is an estimate).
SOURCES = {
    'guest_instruction':
        'The unit: about one cycle per simple instruction on a pipelined core (CPI ~ 1). '
        'Direct execution is what a VMM wants most instructions to get.',
    'emulated_instruction':
        'Estimate, 40, inside the 20-100 host instructions per guest instruction usually '
        'quoted for interpreters (fetch, decode, dispatch, operands, state update): Smith & '
        'Nair 2005 ch. 2 compare decode-and-dispatch with threaded interpretation, and '
        'Mihocka & Shwartsman 2008 show how the Bochs interpreter cuts that cost.',
    'trap':
        'Half of a VM exit + VM entry round trip of ~2,000 cycles (an estimate for the '
        'first VT-x generation, Pentium 4 / early Core, the machine of Adams & Agesen 2006, '
        'whose abstract blames "high VMM/guest transition costs"). Anchors: Intel 2009 says '
        '"hundreds or thousands of cycles" per transition; VMware 2009 plots the VMEXIT '
        'latency falling from Prescott to Merom/Penryn to Nehalem; on a 2020 AMD processor '
        'KVM developers measured ~1,350 cycles from just before VMRUN to just after the exit '
        '(LKML 2020): try trap=700, world_switch=700 for a recent processor.',
    'world_switch':
        'The other half of the round trip (VM entry: load guest state from the VMCS), as '
        'for trap. Switching between two VMs also reloads the address space, which this '
        'machine charges through the shadow events instead.',
    'csr_emulation':
        'Estimate, 150: the VMM decodes the trapped instruction and updates virtual state in '
        'software (a few dozen instructions plus cache misses on the vCPU structure); the '
        'exit itself is charged as trap + world_switch.',
    'sbi_call':
        'Estimate, 200: dispatch on the SBI extension and function and do the work (a '
        'console character, a timer compare); the exit is charged separately.',
    'shadow_fill':
        'Estimate, 400: the bookkeeping of a hidden page fault (check the guest PTE, '
        'allocate and write the shadow PTE, maybe a reverse map); the walk is charged per '
        'PTE read (page_walk_step). Adams & Agesen 2006 show hidden faults and PTE writes '
        '(their pgfault and ptemod microbenchmarks) dominating VMM overhead.',
    'shadow_update':
        'Estimate, 400: decode the trapped store, emulate it on the guest page table and '
        'fix the shadow entry (Adams & Agesen 2006 ptemod; Bugnion et al. 2012 describe '
        'the traces that make these writes trap).',
    'page_walk_step':
        'Estimate, 20: one PTE load that hits in the data cache plus the software loop '
        'around it (L1 ~ 4 cycles, L2 ~ 12 on Core-era processors).',
    'device_access':
        'Estimate, 300: decode the faulting access and run the device model (a UART '
        'register); Bugnion et al. 2012 and Sugerman et al. 2001 show emulated I/O '
        'as a leading VMM cost, higher still in a hosted VMM that must switch to the host OS.',
    'interrupt_injection':
        'Estimate, 200: write the virtual scause/sepc/sstatus, pick the guest handler '
        '(virtual stvec) and switch to the virtual S view; the exit is charged separately.',
    'exception_injection':
        'Estimate, 200: as interrupt_injection, for a guest exception (Adams & Agesen '
        "2006's divzero microbenchmark is this path).",
}


@dataclass(frozen=True)
class CostModel:
    """Per-event costs in cycles. Frozen: change one with :meth:`replace`.

    Each field is one event of :data:`EVENTS`; :data:`SOURCES` says where its default
    comes from.
    """
    guest_instruction: float = 1
    emulated_instruction: float = 40
    trap: float = 1000
    world_switch: float = 1000
    csr_emulation: float = 150
    sbi_call: float = 200
    shadow_fill: float = 400
    shadow_update: float = 400
    page_walk_step: float = 20
    device_access: float = 300
    interrupt_injection: float = 200
    exception_injection: float = 200

    def __post_init__(self):
        for name in EVENTS:
            value = getattr(self, name)
            if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                    or value != value or value < 0 or value == float('inf')):
                raise ValueError(f'cost of {name!r} must be a finite number of cycles >= 0, '
                                 f'not {value!r}')

    def replace(self, **overrides):
        """A copy with some costs changed: ``CostModel().replace(trap=500)``."""
        unknown = [name for name in overrides if name not in EVENTS]
        if unknown:
            raise ValueError(f'unknown event(s) {", ".join(map(repr, unknown))}; '
                             f'events are: {", ".join(EVENTS)}')
        return dataclasses.replace(self, **overrides)

    def cost(self, event):
        """The cost of one ``event`` in cycles."""
        _check_event(event)
        return getattr(self, event)

    def as_dict(self):
        """``{event: cycles}`` in the order of :data:`EVENTS`."""
        return {name: getattr(self, name) for name in EVENTS}

    def cycles(self, counts):
        """Cycles by event for ``counts`` (``{event: how many}``): every event of
        :data:`EVENTS`, in order, zero when not counted (so reports have a fixed shape)."""
        counts = _check_counts(counts)
        return {name: _tidy(counts.get(name, 0) * getattr(self, name)) for name in EVENTS}

    def total(self, counts):
        """All cycles for ``counts``."""
        return _tidy(sum(self.cycles(counts).values()))

    def rows(self):
        """The model as data for a notebook: a list of ``{event, cycles, meaning, source}``."""
        return [{'event': name, 'cycles': getattr(self, name), 'meaning': EVENTS[name],
                 'source': SOURCES[name]} for name in EVENTS]

    def table(self, sources=False):
        """The model as text, one event a line (with ``sources=True``, where each comes from)."""
        width = max(map(len, EVENTS))
        lines = [f'{"event":<{width}}  {"cycles":>7}  meaning', '-' * (width + 60)]
        defaults = CostModel()
        for name in EVENTS:
            value = getattr(self, name)
            mark = '' if value == getattr(defaults, name) else '  (changed)'
            lines.append(f'{name:<{width}}  {_fmt(value):>7}  {EVENTS[name]}{mark}')
            if sources:
                lines.extend(_wrap(SOURCES[name], ' ' * (width + 11), 96))
        return '\n'.join(lines)

    def __str__(self):
        return self.table()


def _check_event(event):
    if event not in EVENTS:
        raise ValueError(f'unknown event {event!r}; events are: {", ".join(EVENTS)}')


def _check_counts(counts):
    counts = dict(counts)
    for name, n in counts.items():
        _check_event(name)
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise ValueError(f'count of {name!r} must be a whole number >= 0, not {n!r}')
    return counts


def _tidy(x):
    """Whole numbers as int (so JSON and text show 5300, not 5300.0)."""
    if isinstance(x, numbers.Integral):
        return int(x)
    return int(x) if float(x).is_integer() else x


def _fmt(x):
    return str(_tidy(x))


def _wrap(text, indent, width):
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent)
