"""The hypervisor: one host machine, N guests, a technique, a scheduler, an exit log, a report.

    >>> from vmlib.hypervisor import Hypervisor
    >>> hv = Hypervisor('trap', [program, program])          # doctest: +SKIP
    >>> report = hv.run()                                     # doctest: +SKIP
    >>> report['guests'][0]['console'], report['efficiency']  # doctest: +SKIP

It follows KVM and kvmtool. For each guest's turn on the host hart the loop is

    exit = technique.run(vm, budget)            # KVM_RUN: run the vCPU until an exit
    hv.handle(vm, exit)                         # log it, then EXIT_HANDLERS[exit.reason]

and a technique serves the exits it can on the way without leaving (KVM's in-kernel fast
path) through the same ``handle``: one handler table (``exits.py``), one exit log. What the
hypervisor does, whatever the technique:

- builds the host machine (``vmlib.machine.Machine``) with RAM for the VMM and one
  ``GUEST_RAM_SIZE`` slice per guest (``memory.py``), and a ``VM`` per guest (``vm.py``);
- **schedules** the guests round-robin on the one host hart, about ``slice_size`` guest
  instructions at a time (a slice may run a little longer when the VMM emulates some of its
  instructions), until every guest has stopped; each guest has its own **step budget**
  (``max_steps`` instructions, exactly), so every run ends;
- **serves exits** (``handle``) and, with ``log=True``, keeps the **exit log** (``log``:
  ``exitlog.ExitLog``), in order, each exit with what it changed: what the chapters draw;
- **reports**: per guest its console, exit status, instructions and why it stopped; for the
  VMM its traps, exits by reason and hypercalls; the cost model's cycles by event
  (``costs.CostModel``) and the **efficiency**: the fraction of all guest instructions the
  hardware ran without the VMM.

A guest that misbehaves is stopped (or contained) with a stated reason; the others run on.
"""

from collections import Counter

from ..isa import reg_name
from ..machine import Machine, ENGINES
from ..machine.frames import FramePool
from ..machine.tlb import TlbModel
from .costs import CostModel, EVENTS
from .exitlog import ExitLog
from .exits import EXIT_HANDLERS, cause_of, describe
from .memory import GuestMemory, GUEST_RAM_SIZE, VMM_POOL_SIZE, host_ram_size, vmm_area_size
from .techniques import get_technique
from .vm import VM, CAUSES, GuestStopped

DEFAULT_MAX_STEPS = 5_000_000       # per guest
DEFAULT_SLICE = 1_000_000           # guest instructions per turn on the hart: 10 ms of the
                                    # modelled 100 MHz hart, the tick of Xen's credit scheduler
STALL_LIMIT = 1000                  # turns in a row without progress: the guest is stuck
VARIANTS = (None, 'nonvirt')
MAX_GUESTS = 8


class Hypervisor:
    """Run ``guests`` (assembled ``vmlib.asm.Program`` objects: the guest kernel, one per VM)
    with ``technique`` (a name: ``technique_names()``).

    ``variant``: None, or ``'nonvirt'`` for the non-virtualizable CPU of chapter 09.
    ``costs``: the ``CostModel`` for the report (default: its documented defaults).
    ``names``: a label per guest (default ``guest 0``, ``guest 1``...); ``workload``: a
    label for the report. ``engine``: what runs the guests' instructions on the host
    (``'interp'`` or ``'dbt'``: the same run either way). ``log``: keep the exit log
    (``self.log``). ``devices``: a callable giving each guest its own virtio devices
    (``vmlib.guest.devices``: a disk and a console). ``nested_paging`` False: technique hw
    as the first generation of hardware assistance, with shadow page tables. Raises
    ValueError for a bad argument, never for a guest's deeds.
    ``guest_ram``: each guest's RAM in bytes (default ``GUEST_RAM_SIZE``, the course kernel's;
    Linux needs more).
    ``tlb_entries``: measure with a bounded TLB model of that many entries
    (``vmlib.machine.tlb``): the report gets its hits and misses and the cost model charges
    the hardware's walk references (several times slower).
    """

    def __init__(self, technique, guests, variant=None, costs=None, max_steps=DEFAULT_MAX_STEPS,
                 slice_size=DEFAULT_SLICE, names=None, workload=None, engine='interp',
                 log=False, devices=None, nested_paging=True, tlb_entries=None,
                 guest_ram=GUEST_RAM_SIZE):
        guests = list(guests)
        if not 1 <= len(guests) <= MAX_GUESTS:
            raise ValueError(f'between 1 and {MAX_GUESTS} guests, not {len(guests)}')
        if variant not in VARIANTS:
            raise ValueError(f'unknown CPU variant {variant!r} (None or "nonvirt")')
        if slice_size < 1 or max_steps < 1:
            raise ValueError('slice_size and max_steps must be at least 1')
        if engine not in ENGINES:
            raise ValueError(f'unknown engine {engine!r} (choose from {", ".join(ENGINES)})')
        self.technique_class = get_technique(technique)
        if not nested_paging and technique != 'hw':
            raise ValueError('running without nested paging (--no-nested-paging) is a choice '
                             'of technique hw, whose KVM then keeps shadow page tables')
        self.nested_paging = nested_paging
        if tlb_entries is not None and technique == 'emulate':
            raise ValueError('the TLB model measures the host hart: not for emulate, whose '
                             'guests are machines of their own')
        self.variant = variant
        self.nonvirt = variant == 'nonvirt'
        self.costs = costs if costs is not None else CostModel()
        self.slice_size = slice_size
        self.workload = workload
        self.engine = engine
        self.log = ExitLog() if log else None
        n = len(guests)
        if guest_ram < GUEST_RAM_SIZE or guest_ram % (4 << 20):
            raise ValueError(f'guest RAM is a multiple of 4 MiB, at least {GUEST_RAM_SIZE:,} '
                             f'bytes, not {guest_ram:,}')
        self.host = Machine(ram_size=host_ram_size(n, guest_ram), nonvirt=self.nonvirt)
        self.tlb = TlbModel(tlb_entries) if tlb_entries is not None else None
        self.host.hart.mmu.use_model(self.tlb)
        bus, vmm = self.host.bus, vmm_area_size(n)
        self.vms = []
        for i, program in enumerate(guests):
            mem = GuestMemory(bus, vmm + i * guest_ram, guest_ram)
            pool = FramePool(bus, i * VMM_POOL_SIZE, VMM_POOL_SIZE)
            name = names[i] if names else None
            virtio = devices() if devices else ()
            self.vms.append(VM(i, program, mem, pool, max_steps, name, virtio))
        self.technique = self.technique_class(self)
        self.next_turn = 0              # the guest whose turn on the hart is next
        self.stalls = {vm.index: 0 for vm in self.vms}     # turns in a row without progress
        for vm in self.vms:
            self.technique.setup(vm)
        self.turns = 0

    # --- running ----------------------------------------------------------------------------

    def run(self, max_turns=None):
        """Run every guest until it stops (or its budget runs out); returns ``report()``.

        Round-robin: each live guest in turn gets a slice of ``slice_size`` instructions
        (less if its budget is nearly spent). ``max_turns`` stops after that many slices in
        all (for watching a run step by step); guests left running say ``'running'``, and
        the next call goes on with the guest whose turn is next.
        """
        turns = 0
        while any(vm.alive for vm in self.vms):
            vm = self.vms[self.next_turn]
            self.next_turn = (self.next_turn + 1) % len(self.vms)
            if not vm.alive:
                continue
            if max_turns is not None and turns >= max_turns:
                self.next_turn = vm.index
                break
            left = vm.max_steps - vm.guest_instructions
            if left <= 0:
                vm.finish('budget', None, f'step budget exhausted: {vm.guest_instructions:,}'
                                          ' instructions without the guest powering off')
                continue
            before = vm.guest_instructions
            self.turn(vm, min(self.slice_size, left))
            turns += 1
            self.turns += 1
            self.stalls[vm.index] = 0 if vm.guest_instructions > before else \
                self.stalls[vm.index] + 1
            if vm.alive and self.stalls[vm.index] > STALL_LIMIT:
                vm.finish('error', None, f'no progress in {STALL_LIMIT} turns in a row '
                                         '(a VMM bug)')
        return self.report()

    def turn(self, vm, budget):
        """Give ``vm`` the host hart for ``budget`` guest instructions: KVM_RUN, then serve the
        exit that ended the run when it is one of the handler table's (an emulated machine's
        ``halted``; the technique served the others on the way, or the slice simply ended)."""
        if self.log is not None:
            self.log.end(self.log.begin(vm, 'enter', f'{vm.name} gets the hart'), vm)
        references = self.host.hart.mmu.references
        try:
            exit = self.technique.run(vm, budget)
        except Exception as e:      # a VMM bug: stop this guest with the reason, never raise
            vm.finish('error', None, f'internal error of the VMM: {type(e).__name__}: {e}')
            exit = None
        if self.tlb is not None:    # the hardware's walks for this guest's TLB misses
            vm.count('walk_reference', self.host.hart.mmu.references - references)
        if exit is not None and exit.reason in EXIT_HANDLERS:
            self.handle(vm, exit)
        if self.log is not None:
            self.log.close(vm)

    def resume(self, vm):
        """The VMM returns into ``vm`` after an exit (``trap_return``, charged to that exit's
        cause): the end of its visit."""
        vm.causes.charge_to(vm.causes.last)
        vm.count('trap_return')
        vm.causes.charge_to()
        if self.log is not None:
            self.log.close(vm)

    def handle(self, vm, exit):
        """Serve one exit of ``vm``: log it, then its handler (``exits.EXIT_HANDLERS``).
        True when the guest may go on running."""
        vm.last_exit = None
        record = self.log.begin(vm, exit, describe(vm, exit)) if self.log is not None else None
        vm.causes.serving()
        try:
            go_on = EXIT_HANDLERS[exit.reason](self, vm, exit)
        except GuestStopped:
            go_on = False
        except Exception as e:      # a VMM bug: stop this guest with the reason, never raise
            vm.finish('error', None, f'internal error of the VMM: {type(e).__name__}: {e}')
            go_on = False
        vm.causes.served(cause_of(vm, vm.last_exit), None if vm.callout else vm.last_exit)
        if record is not None:
            self.log.end(record, vm)
        return go_on and vm.alive

    # --- the report -------------------------------------------------------------------------------

    def events(self):
        """Cost-model events of all guests together."""
        total = Counter()
        for vm in self.vms:
            total.update(vm.events)
        return {e: total[e] for e in EVENTS}

    def efficiency(self):
        """Guest instructions the hardware ran without the VMM / all guest instructions."""
        total = sum(vm.guest_instructions for vm in self.vms)
        direct = sum(vm.direct_instructions for vm in self.vms)
        return direct / total if total else 0.0

    def report(self):
        """Everything about the run as one JSON-ready dict (the ``hv --json`` schema)."""
        events = self.events()
        exits = Counter()
        for vm in self.vms:
            exits.update(vm.exits)
        attributes = self.technique_class.attributes
        report = {
            'technique': self.technique_class.name,
            'variant': self.variant or 'rv32',
            'workload': self.workload,
            'guests': [vm.report(by_cause=attributes) for vm in self.vms],
            'vmm': {'traps': events['trap'] + events['vm_exit'],    # classic or hardware
                    'exits': dict(sorted(exits.items())),
                    'hypercalls': events['sbi_call'], 'world_switches': events['world_switch'],
                    'turns': self.turns, **self.technique.stats()},
            'events': events,
            'cycles': {'total': self.costs.total(events), 'by_event': self.costs.cycles(events)},
            'efficiency': self.efficiency(),
        }
        if self.tlb is not None:
            report['tlb'] = dict(self.tlb.stats(), walk_references=events['walk_reference'])
        if attributes:
            report['by_cause'] = self.by_cause()
        return report

    def by_cause(self):
        """Exits and cycles of all guests by cause (``vm.CAUSES``): ``{cause: {'exits': n,
        'cycles': c, 'events': {event: n}}}``."""
        out = {}
        for cause in CAUSES:
            events, exits = Counter(), 0
            for vm in self.vms:
                events.update(vm.causes.events[cause])
                exits += sum(vm.causes.exits[cause].values())
            out[cause] = {'exits': exits, 'cycles': self.costs.total(events),
                          'events': {e: events[e] for e in EVENTS if events[e]}}
        return out

    def registers(self, index=0):
        """Guest ``index``'s registers and pc, from its vCPU."""
        v = self.vms[index].vcpu
        regs = {reg_name(i): (v.x[i] if i else 0) for i in range(32)}
        regs['pc'] = v.pc
        return regs


def guest_kernel(workload, technique):
    """The guest kernel's build of ``workload`` for ``technique`` and the devices each VM gets:
    under ``pv`` the ported build, whose console and disk are virtio's; the virtio build for a
    virtio workload; both with ``vmlib.guest.devices`` -- else the plain build, no devices."""
    from .. import guest
    pv = technique == 'pv'
    devices = guest.devices if pv or guest.with_virtio(workload) else None
    return guest.program(workload, pv=pv), devices


def run(workload='compute', technique='trap', guests=1, variant=None, **kw):
    """Boot the guest kernel (``vmlib.guest``) with ``workload`` in ``guests`` VMs and run
    them; returns the report."""
    program, devices = guest_kernel(workload, technique)
    kw.setdefault('devices', devices)
    hv = Hypervisor(technique, [program] * guests, variant, workload=workload, **kw)
    return hv.run()
