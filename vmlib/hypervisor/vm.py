"""One virtual machine: its memory, its CPU, its devices, how it ended, and what it cost.

A ``VM`` is what the hypervisor keeps per guest whatever the technique (KVM's ``struct kvm``
and its one ``kvm_vcpu``):

- ``mem``: the guest-physical memory carved from host RAM (``memory.GuestMemory``), and
  ``pool``: the VMM's frames for it (a ``FramePool``);
- ``vcpu``: the guest's architectural state, an ``ArchState`` -- a ``VirtualCpu`` under
  trap-and-emulate, the emulated machine's own hart under emulation. Reports, widgets and
  snapshots read it;
- ``mmu``: how its memory is virtualized (``shadow.ShadowMMU`` under trap-and-emulate; None
  when nothing needs it) -- KVM's per-vCPU ``kvm_mmu``;
- ``devices``: its device map (``vmlib.machine.devicemap``): its UART (the console), a CLINT,
  a SiFive test device (power off) and the eight virtio-mmio slots, at the guest-physical
  addresses of the bare machine; ``virtio``: the virtio devices in those slots, top first (a
  disk, a console: the console's output joins the UART's);
- the counts of cost-model events (names of ``costs.EVENTS``) and of exits by reason, the
  guest instructions it retired and how many ran without the VMM, and, once it has stopped,
  why.

A technique keeps whatever else it needs per guest in its own objects.
"""

from collections import Counter

from ..machine.devicemap import DeviceMap
from ..machine.fdt import machine_dtb
from ..machine.machine import fdt_address
from ..machine.devices import (Uart16550, Clint, SifiveTest, UART_BASE, UART_SIZE,
                               CLINT_BASE, CLINT_SIZE, TEST_BASE, TEST_SIZE)
from ..machine.virtio import attach
from .costs import EVENTS
from .memory import GUEST_RAM_BASE


#: what an exit or an event of a guest is charged to (``CauseLedger``)
CAUSES = ('boot', 'console', 'timer', 'page tables', 'workload')


class CauseLedger:
    """One guest's exits and cost-model events by *cause*: what the VMM's work was for.

    - ``boot``: everything until the guest first runs in (virtual) U-mode -- start-up, paid
      once, whatever the guest does later;
    - ``console``: the console's exits (an SBI call per character, a UART register access):
      the artefact of a kernel that prints without a buffer, and what a paravirtual console
      removes (chapter 11);
    - ``timer``: time-slicing: the VMM's own timer, the virtual timer interrupt, its SBI
      ``set_timer`` and every exit while the guest kernel serves a timer interrupt (from the
      injection to its ``sret`` into a process);
    - ``page tables``: shadow paging, hidden page faults and trapped page-table writes (what
      batched updates and nested paging remove, chapters 11 and 13);
    - ``workload``: the rest -- the guest's own system calls, exceptions, privileged
      instructions, and the instructions it runs directly.

    The hypervisor decides (``exits.cause_of``, ``Hypervisor.handle``). ``phase`` is where
    the guest is between exits (``boot``, ``timer`` or ``workload``): its directly executed
    instructions go there; ``charging`` is the counter ``VM.count`` adds events to now. A
    technique that does not attribute (``Technique.attributes = False``) leaves everything
    under ``boot``, and the report leaves the ledger out.
    """

    def __init__(self):
        self.phase = 'boot'
        self.events = {c: Counter() for c in CAUSES}
        self.exits = {c: Counter() for c in CAUSES}
        self.pending = Counter()        # the events of the exit being served, cause unknown yet
        self.last = 'boot'              # the cause of the last exit served
        self.charging = self.events['boot']

    def charge_to(self, cause=None):
        """From now on events go to ``cause`` (None: the guest's phase)."""
        self.charging = self.events[cause or self.phase]

    def serving(self):
        """An exit is being served: hold its events until its cause is known."""
        self.charging = self.pending

    def served(self, cause, kind):
        """The exit just served (``kind``: what it was, or None) was for ``cause``."""
        self.events[cause].update(self.pending)
        self.pending.clear()
        if kind is not None:
            self.exits[cause][kind] += 1
        self.last = cause
        self.charge_to()

    def timer_interrupt(self):
        """A virtual timer interrupt is delivered: the guest kernel now serves it."""
        if self.phase != 'boot':
            self.phase = 'timer'
        self.charge_to()

    def running(self, priv):
        """The guest goes on at virtual privilege ``priv``: back in a process (U), start-up
        and a timer interrupt's service are over."""
        if priv == 0:
            self.phase = 'workload'
        self.charge_to()


class GuestStopped(Exception):
    """Raised by ``VM.stop`` while the VMM serves an exit: the guest is stopped, unwind."""


class VM:
    """A guest: ``index`` (0, 1, ...), the assembled ``program`` it boots, its memory.

    ``reason`` is None while it can run; then one of ``'poweroff'`` (the guest switched
    itself off: ``exit_status`` is its status), ``'budget'`` (its step budget ran out),
    ``'guest-fault'`` (it did what its firmware would stop it for), ``'fault-storm'``,
    ``'wfi'`` (waiting with nothing that could wake it), ``'trap-loop'`` or ``'reset'``
    (from an emulated machine), ``'error'`` (a VMM bug, reported, never raised).
    ``message`` says it in a sentence.
    """

    def __init__(self, index, program, mem, pool, max_steps, name=None, virtio=()):
        self.index, self.program, self.mem, self.pool = index, program, mem, pool
        self.name = name or f'guest {index}'
        self.max_steps = max_steps
        self.uart = Uart16550()
        self.virtio = list(virtio)
        self.devices = DeviceMap()
        self.pv = None                  # a paravirtualized guest's PvState (pv technique)
        self.delivered = None           # called after a trap is delivered to the guest kernel
        self.vcpu = None                # the technique's setup makes it
        self.mmu = None
        self.events = Counter()         # cost-model event -> count
        self.exits = Counter()          # why the guest left for the VMM -> count
        self.callouts = Counter()       # what translated code called the VMM for -> count
        self.callout = False            # True while the VMM serves a callout (technique bt)
        self.causes = CauseLedger()     # the same, by what the VMM's work was for
        self.notes = []                 # contained misbehaviour, in sentences
        self.reason = None
        self.exit_status = None
        self.message = ''
        self.guest_instructions = 0     # kept up to date by the technique
        self.direct_instructions = 0    # of which run by the hardware without the VMM
        self.emulated = 0               # of which the VMM executed in the guest's place
        self.streak = (0, -1)           # (exceptions reflected in a row, at guest instruction)
        self.last_fault = (None, 0)     # (the last page fault served, times in a row)
        self.last_exit = None           # what the last exit was served as

    @property
    def alive(self):
        return self.reason is None

    @property
    def console(self):
        return self.uart.text()

    def count(self, event, n=1):
        if event not in EVENTS:
            raise ValueError(f'unknown cost-model event {event!r}')
        self.events[event] += n
        self.causes.charging[event] += n

    def exit(self, why):
        """One trap into the VMM, served as ``why`` (a name in the report's ``vmm.exits``) --
        or, while ``callout`` is set, one call of a binary translator's translated code into
        the VMM for the same service: no trap (``vmm.callouts``)."""
        if self.callout:
            self.callouts[why] += 1
            self.count('callout')
        else:
            self.exits[why] += 1
            self.count('trap')
        self.last_exit = why

    def retire(self):
        """The VMM executed one guest instruction in the guest's place."""
        self.emulated += 1
        self.streak = (0, -1)

    def note(self, text):
        if len(self.notes) < 20:
            self.notes.append(text)
        elif len(self.notes) == 20:
            self.notes.append('(further notes left out)')

    def finish(self, reason, exit_status=None, message=''):
        if self.reason is None:
            self.reason, self.exit_status, self.message = reason, exit_status, message

    def stop(self, reason, exit_status=None, message=''):
        """Stop the guest from inside an exit handler (``finish``, then unwind)."""
        self.finish(reason, exit_status, message)
        raise GuestStopped(message)

    def add_devices(self, clint):
        """Register the guest's devices at their guest-physical addresses: its own UART (the
        console), the CLINT the technique supplies, and a SiFive test device (power off)."""
        self.devices.register(UART_BASE, UART_SIZE, self.uart)
        self.devices.register(CLINT_BASE, CLINT_SIZE, clint)
        self.devices.register(TEST_BASE, TEST_SIZE, SifiveTest(on_request=self._power_request))
        dma = self.mem.dma(lambda gpa, size: self.mmu and self.mmu.written_ram(gpa, size))
        attach(self.virtio, self.devices, dma, sink=self.uart.emit)    # (no PLIC: no lines)

    def device_tree(self):
        """Write the guest's device tree into its RAM when its program reads one (it has
        ``reserved``: Linux), as firmware would, and return its guest-physical address for
        a1; 0 for the course kernel, which reads none (its firmware gives it 0)."""
        reserved = getattr(self.program, 'reserved', None)
        if reserved is None:
            return 0
        dtb = machine_dtb(GUEST_RAM_BASE, self.mem.size, self.devices, reserved=reserved)
        address = fdt_address(GUEST_RAM_BASE, self.mem.size, len(dtb))
        self.mem.load(address, dtb)
        return address

    def _power_request(self, reason, status):
        if reason == 'reset':
            self.finish('reset', None, 'test device: reset requested')
        else:
            self.finish('poweroff', status, f'test device: power off, status {status}')

    def report(self, by_cause=True):
        """This guest's part of the JSON report (``by_cause``: with the cause ledger)."""
        report = {'name': self.name, 'console': self.console, 'exit_status': self.exit_status,
                  'reason': self.reason or 'running', 'message': self.message,
                  'guest_instructions': self.guest_instructions,
                  'direct_instructions': self.direct_instructions,
                  'exits': dict(sorted(self.exits.items())),
                  **({'callouts': dict(sorted(self.callouts.items()))} if self.callouts else {}),
                  'events': {e: self.events[e] for e in EVENTS if self.events[e]},
                  'notes': list(self.notes)}
        if by_cause:
            report['by_cause'] = {
                c: {'exits': dict(sorted(self.causes.exits[c].items())),
                    'events': {e: self.causes.events[c][e] for e in EVENTS
                               if self.causes.events[c][e]}} for c in CAUSES}
        return report


class VirtualClint(Clint):
    """The CLINT as one guest sees it: the machine's CLINT registers, with ``mtime`` its
    virtual time and ``mtimecmp`` its virtual timer (the one SBI ``set_timer`` sets), both
    kept in its ``VirtualCpu``."""

    def __init__(self, vcpu):
        self.vcpu = vcpu
        super().__init__()

    def mtime(self, instret=None):
        return self.vcpu.time()

    mtimecmp = property(lambda self: self.vcpu.timecmp,
                        lambda self, value: setattr(self.vcpu, 'timecmp', value))
    offset = property(lambda self: self.vcpu.time_offset,
                      lambda self, value: setattr(self.vcpu, 'time_offset', value))
