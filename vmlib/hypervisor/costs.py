"""A cost model: what virtualization costs, in cycles, event by event.

The hypervisor runs on a Python interpreter, so its wall-clock time says little about what the
same design costs on real hardware. Instead it *counts events* (a guest instruction executed
directly, a trap into the VMM, a CSR access emulated, a shadow page-table entry filled, ...) and
this module turns the counts into cycles with named per-event costs. The learner can change any
cost and watch the verdict change -- that is the point of Adams & Agesen's comparison: which
technique wins depends on what each event costs on a given processor.

    >>> model = CostModel()
    >>> model.total({'guest_instruction': 1000, 'trap': 2, 'csr_emulation': 2, 'trap_return': 2})
    1840
    >>> CostModel().replace(trap=500).trap
    500

The events are **additive**: one trapped privileged instruction under trap-and-emulate counts
one ``trap`` (guest -> VMM), one ``csr_emulation`` (the VMM's software work) and one
``trap_return`` (VMM -> guest). Two kinds of transition are kept apart, because they cost very
different things: a **classic trap** (``trap``/``trap_return``: an ordinary exception into the
most privileged mode and the return from it, which is all trap-and-emulate needs on a
classically virtualizable CPU) and a **hardware VM exit** (``vm_exit``/``vm_entry``: the
world switch of Intel VT-x, AMD-V or the RISC-V H extension, chapter 12). The modelled
processor is the course machine: RISC-V, 100 MHz, one instruction per cycle. Each default says
where it comes from and which numbers are estimates (most VMM software costs are: papers
report whole microbenchmarks, not their parts).

References (cited below by their short name):

- **Adams & Agesen 2006**: K. Adams, O. Agesen, "A Comparison of Software and Hardware
  Techniques for x86 Virtualization", ASPLOS 2006.
- **Agesen et al. 2012**: O. Agesen, J. Mattson, R. Rugina, J. Sheldon, "Software Techniques
  for Avoiding Hardware Virtualization Exits", USENIX ATC 2012 (exits are expensive; handling
  clusters of exiting instructions at once saves transitions).
- **Bugnion et al. 2012**: E. Bugnion, S. Devine, M. Rosenblum, J. Sugerman, E. Y. Wang,
  "Bringing Virtualization to the x86 Architecture with the Original VMware Workstation",
  ACM TOCS 30(4), 2012.
- **Landau et al. 2011**: A. Landau, M. Ben-Yehuda, A. Gordon, "SplitX: Split Guest/Hypervisor
  Execution on Multi-Core", WIOV 2011 (the direct cost of a KVM exit and entry on a Xeon
  X5570, Nehalem: 2,000 cycles).
- **VMware 2009**: S. Drummonds, "Newer processors and virtualization performance", VMware
  communities blog (June 2009): VMEXIT latency by Intel generation.
- **LKML 2020**: KVM/SVM patch discussion on linux-kernel, December 2020 (cycle counts of
  one ``KVM_RUN`` round trip: ~1,350 cycles across VMRUN and the exit, ~2,530 for the ioctl).
- **LKML 2024**: J. Zhang, A. Blanchard, "riscv: Improve exception and system call latency",
  linux-kernel, June 2024 (null system call latency on a SiFive U74, VisionFive 2: 189.87 ns
  before the patch, 176.76 ns after).
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
    'trap': 'a classic trap from the deprivileged guest into the VMM (an ordinary exception)',
    'trap_return': 'the VMM returns into the deprivileged guest (xRET)',
    'vm_exit': 'a hardware VM exit (VT-x, AMD-V, the RISC-V H extension)',
    'vm_entry': 'a hardware VM entry',
    'world_switch': 'the hart goes from one VM to another (registers, address space)',
    'csr_emulation': 'one privileged instruction emulated against virtual state '
                     '(CSR access, sret, sfence.vma, wfi)',
    'sbi_call': "one SBI call served by the VMM (this machine's hypercall)",
    'shadow_fill': 'a hidden page fault: the VMM walks the guest table and fills a shadow entry',
    'shadow_update': 'a trapped write to a guest page-table page, emulated and reflected '
                     'into the shadow',
    'page_walk_step': 'one page-table entry read by a software walker',
    'walk_reference': 'one page-table entry read by the hardware walker on a TLB miss '
                      '(counted when the hypervisor measures with a TLB model)',
    'device_access': 'one emulated device register access',
    'interrupt_injection': 'a virtual interrupt delivered to the guest kernel',
    'exception_injection': 'a guest trap reflected to the guest kernel',
    'callout': "translated guest-kernel code does a sensitive instruction's work without a "
               'trap: an inline sequence or a call into the VMM (binary translation)',
    'tc_lookup': 'an indirect jump or return in translated code finds its target in the '
                 'translation cache',
    'translation': 'one guest-kernel instruction translated into the translation cache',
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
        'Half of a classic trap round trip, 135 of 270 cycles: the hardware\'s exception entry '
        'plus the handler\'s save of the interrupted registers and its dispatch -- the path '
        'of any kernel\'s system call. LKML 2024 measured a null system call on a RISC-V '
        'SiFive U74 (VisionFive 2, 1.5 GHz) at 177-190 ns: 265-285 cycles. A classic VMM\'s '
        'trap path does the same work. On the bare machine this work is instructions of the '
        'guest\'s own kernel and firmware, counted as instructions.',
    'trap_return':
        'The other half of that round trip, 135: restore the registers and xRET into the '
        'guest (LKML 2024).',
    'vm_exit':
        'Half of a hardware exit + entry round trip of 2,000 cycles, as Landau et al. 2011 '
        'measured for KVM on a Xeon X5570 (Nehalem): the hardware saves the guest\'s state in '
        'memory and loads the host\'s. Earlier generations were slower (VMware 2009 plots the '
        'latency falling from Prescott to Merom/Penryn to Nehalem; Adams & Agesen 2006 blame '
        'the first one\'s "high VMM/guest transition costs"), later ones faster: a 2020 AMD '
        'processor needed ~1,350 cycles across VMRUN and the exit (LKML 2020), hence try '
        'vm_exit=700, vm_entry=700.',
    'vm_entry':
        'The other half of that round trip (Landau et al. 2011): load the guest\'s state.',
    'world_switch':
        'Estimate, 1,000: the hart goes to another VM -- its registers, its address space '
        '(satp, a TLB flush) and the VMM\'s scheduling bookkeeping, about what a process '
        'context switch costs a kernel. Charged when the guest on the hart changes, not per '
        'exit.',
    'csr_emulation':
        'Estimate, 150: the VMM decodes the trapped instruction and updates virtual state in '
        'software (a few dozen instructions plus cache misses on the vCPU structure); the '
        'transitions are charged as trap + trap_return.',
    'sbi_call':
        'Estimate, 200: dispatch on the SBI extension and function and do the work (a '
        'console character, a timer compare); the transitions are charged separately.',
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
    'walk_reference':
        'Estimate, 10: a TLB miss costs the hardware a walk, one memory reference per level '
        '(two for Sv32; up to eight for Sv32 under Sv32x4, where each guest page-table '
        'reference is itself translated). The walker\'s reads mostly hit in the data caches '
        '(L1 ~ 4 cycles, L2 ~ 12 on Core-era processors, as for page_walk_step), without '
        'page_walk_step\'s software loop around them.',
    'device_access':
        'Estimate, 300: decode the faulting access and run the device model (a UART '
        'register); Bugnion et al. 2012 and Sugerman et al. 2001 show emulated I/O '
        'as a leading VMM cost, higher still in a hosted VMM that must switch to the host OS.',
    'interrupt_injection':
        'Estimate, 200: write the virtual scause/sepc/sstatus, pick the guest handler '
        '(virtual stvec) and switch to the virtual S view; the transitions are charged '
        'separately.',
    'exception_injection':
        'Estimate, 200: as interrupt_injection, for a guest exception (Adams & Agesen '
        "2006's divzero microbenchmark is this path).",
    'callout':
        'Adams & Agesen 2006, 35 cycles: VMware\'s translator turns a %cr8 write into "a '
        'short sequence of simple instructions", 35 cycles, four times faster than the native '
        'write. Rounded to 40 here. It replaces a trap, its return and csr_emulation (the '
        'instruction was decoded once, at translation); the VMM work a service needs besides '
        '(sbi_call, device_access, shadow_update) is charged as under a trap -- their ptemod, '
        'a PTE store translated into "a small program that is cheaper than a trap but still '
        'quite costly", took 391 cycles (callout + shadow_update: 440 here).',
    'tc_lookup':
        'Adams & Agesen 2006, 40 cycles: "BT slows down indirect control flow": a call/return '
        'pair took 11 cycles natively and under the hardware VMM, 51 under the software VMM -- '
        '"an average penalty of 40 cycles" for the return, whose target must be looked up. '
        'Direct branches are chained in the cache and cost nothing extra.',
    'translation':
        'Estimate, 100 per guest instruction: decode, classify, emit and link, done once per '
        'block while it stays in the cache (a software translator runs some hundred host '
        'instructions per guest instruction it translates; the papers give no per-instruction '
        'figure). Paid again after an invalidation or an adaptive retranslation.',
}


@dataclass(frozen=True)
class CostModel:
    """Per-event costs in cycles. Frozen: change one with :meth:`replace`.

    Each field is one event of :data:`EVENTS`; :data:`SOURCES` says where its default
    comes from.
    """
    guest_instruction: float = 1
    emulated_instruction: float = 40
    trap: float = 135
    trap_return: float = 135
    vm_exit: float = 1000
    vm_entry: float = 1000
    world_switch: float = 1000
    csr_emulation: float = 150
    sbi_call: float = 200
    shadow_fill: float = 400
    shadow_update: float = 400
    page_walk_step: float = 20
    walk_reference: float = 10
    device_access: float = 300
    interrupt_injection: float = 200
    exception_injection: float = 200
    callout: float = 40
    tc_lookup: float = 40
    translation: float = 100

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
