"""One virtual machine: its memory, its devices, how it ended, and what it cost.

A ``VM`` is what the hypervisor keeps per guest whatever the technique: the guest-physical
memory carved from host RAM (``memory.GuestMemory``), the VMM's frames for it
(``memory.FramePool``), the device models the guest's console and power switch are
(``devices()``), the counts of cost-model events (names of ``costs.EVENTS``) and of exits
by reason, and, once it has stopped, why. The technique adds its own part (a virtual hart
for trap-and-emulate, a whole emulated machine for emulation).
"""

from collections import Counter
from typing import NamedTuple

from ..machine.devices import (Uart16550, SifiveTest, UART_BASE, UART_SIZE, CLINT_BASE,
                               CLINT_SIZE, TEST_BASE, TEST_SIZE)
from .costs import EVENTS


class VM:
    """A guest: ``index`` (0, 1, ...), the assembled ``program`` it boots, its memory.

    ``reason`` is None while it can run; then one of ``'poweroff'`` (the guest switched
    itself off: ``exit_status`` is its status), ``'budget'`` (its step budget ran out),
    ``'guest-fault'`` (it did what its firmware would stop it for), ``'fault-storm'``,
    ``'wfi'`` (waiting with nothing that could wake it), ``'trap-loop'`` or ``'reset'``
    (from an emulated machine), ``'error'`` (a VMM bug, reported, never raised).
    ``message`` says it in a sentence.
    """

    def __init__(self, index, program, mem, pool, max_steps, name=None):
        self.index, self.program, self.mem, self.pool = index, program, mem, pool
        self.name = name or f'guest {index}'
        self.max_steps = max_steps
        self.uart = Uart16550()
        self.events = Counter()         # cost-model event -> count
        self.exits = Counter()          # why the guest left for the VMM -> count
        self.notes = []                 # contained misbehaviour, in sentences
        self.reason = None
        self.exit_status = None
        self.message = ''
        self.guest_instructions = 0     # kept up to date by the technique
        self.direct_instructions = 0    # of which run by the hardware without the VMM

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

    def exit(self, why):
        """One trap into the VMM, for ``why`` (a name in the report's ``vmm.exits``)."""
        self.exits[why] += 1
        self.events['trap'] += 1
        self.last_exit = why

    def note(self, text):
        if len(self.notes) < 20:
            self.notes.append(text)
        elif len(self.notes) == 20:
            self.notes.append('(further notes left out)')

    def finish(self, reason, exit_status=None, message=''):
        if self.reason is None:
            self.reason, self.exit_status, self.message = reason, exit_status, message

    def devices(self, clint):
        """The guest's device models at their guest-physical addresses: its own UART (the
        console), the CLINT the technique supplies, and a SiFive test device (power off)."""
        test = SifiveTest(on_request=self._power_request)
        return [(UART_BASE, UART_SIZE, self.uart), (CLINT_BASE, CLINT_SIZE, clint),
                (TEST_BASE, TEST_SIZE, test)]

    on_stop = None                      # callable() the technique sets: stop running it now
    last_exit = None

    def _power_request(self, reason, status):
        if reason == 'reset':
            self.finish('reset', None, 'test device: reset requested')
        else:
            self.finish('poweroff', status, f'test device: power off, status {status}')
        if self.on_stop:
            self.on_stop()

    def report(self):
        """This guest's part of the JSON report."""
        return {'name': self.name, 'console': self.console, 'exit_status': self.exit_status,
                'reason': self.reason or 'running', 'message': self.message,
                'guest_instructions': self.guest_instructions,
                'direct_instructions': self.direct_instructions,
                'exits': dict(sorted(self.exits.items())),
                'events': {e: self.events[e] for e in EVENTS if self.events[e]},
                'notes': list(self.notes)}


class VmmEvent(NamedTuple):
    """One thing the VMM did, for timelines (``Hypervisor(trace=callable)``): in guest
    ``guest`` after ``retired`` of its instructions, ``kind`` (an exit reason of the report,
    ``'interrupt_injection'`` or ``'enter'``: the guest gets the hart), at guest ``pc`` in
    virtual privilege ``priv`` (0 U, 1 S); the guest went on at ``to_pc`` in ``to_priv``;
    ``detail`` says what it was (the instruction, the SBI call, the fault...)."""

    guest: int
    retired: int
    kind: str
    pc: int
    priv: int
    to_pc: int
    to_priv: int
    detail: str


class VirtualClint:
    """The CLINT as one guest sees it: ``mtime`` is its virtual time and ``mtimecmp`` its
    virtual timer (the same one SBI ``set_timer`` sets), both kept in its ``VirtualHart``."""

    name = 'clint'
    MSIP, MTIMECMP, MTIME = 0x0, 0x4000, 0xBFF8
    M64 = (1 << 64) - 1

    def __init__(self, vcpu):
        self.vcpu = vcpu
        self.msip = 0                   # stored; nothing in M-mode would take it

    def read(self, offset, size):
        v = self.vcpu
        if offset == self.MSIP:
            return self.msip
        if self.MTIMECMP <= offset < self.MTIMECMP + 8:
            return v.timecmp >> 8 * (offset - self.MTIMECMP) & (1 << 8 * size) - 1
        if self.MTIME <= offset < self.MTIME + 8:
            return v.time() >> 8 * (offset - self.MTIME) & (1 << 8 * size) - 1
        return 0

    def write(self, offset, size, value):
        v = self.vcpu
        if offset == self.MSIP:
            self.msip = value & 1
        elif self.MTIMECMP <= offset < self.MTIMECMP + 8:
            v.timecmp = _merge(v.timecmp, offset - self.MTIMECMP, size, value)
        elif self.MTIME <= offset < self.MTIME + 8:
            now = v.time()
            v.time_offset += _merge(now, offset - self.MTIME, size, value) - now


def _merge(old, byte_offset, size, value):
    shift, mask = 8 * byte_offset, (1 << 8 * size) - 1
    return old & ~(mask << shift) & ((1 << 64) - 1) | (value & mask) << shift
