"""The shared ring in motion: a virtio console's transmit queue, step by step.

A driver written here in Python -- what the guest kernel's driver does -- sends a few lines
through the machine's real virtio device model (``vmlib.machine.virtio``): it writes a
descriptor for each buffer, publishes it in the available ring, and notifies the device (under
the ``pv`` technique a hypercall, under trap-and-emulate a trapped store). The device takes the
chain, prints the buffer, returns it in the used ring and interrupts the driver -- unless one
side asked the other not to: **notification suppression**. Without ``VIRTIO_RING_F_EVENT_IDX``
the driver sets ``NO_INTERRUPT`` when it will poll; with it, each side writes the index it
wants to hear about next (the driver ``used_event``, the device ``avail_event``) and the other
side tests it with ``need_event`` (Linux's ``vring_need_event``).

``RingDemo(...).steps`` is the whole run, one ``RingStep`` per thing one side did, each with
the ring as it stood afterwards (``RingState``): what the chapter's widget shows and
``text(step)`` prints.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ...machine.virtio import Console, RamDma, VirtioMmio, Virtqueue
from ...machine.virtio.mmio import ACKNOWLEDGE, DRIVER, DRIVER_OK, F_EVENT_IDX, F_VERSION_1, \
    FEATURES_OK
from ...machine.virtio.queue import AVAIL_NO_INTERRUPT, need_event

RAM = 0x8000_0000
DESC, AVAIL, USED, BUFFERS = RAM + 0x000, RAM + 0x100, RAM + 0x200, RAM + 0x400
TRANSMIT = 1


@dataclass
class RingState:
    """The ring as it stands: the descriptor table, the available ring (the driver's), the used
    ring (the device's), where the device is, and what happened so far."""
    descriptors: list           # (addr, length, flags, next) per entry
    avail_flags: int
    avail_idx: int
    avail_ring: list
    used_event: int
    used_flags: int
    used_idx: int
    used_ring: list             # (id, length) per entry
    avail_event: int
    device_next: int            # the next available entry the device will take
    printed: str
    notifications: int
    notifications_saved: int
    interrupts: int
    interrupts_saved: int


@dataclass
class RingStep:
    """One thing one side did: ``who`` ('driver' or 'device'), ``what`` in words, ``parts``
    the names of what it touched (for the widget's highlights), ``state`` afterwards."""
    who: str
    what: str
    parts: tuple
    state: RingState = field(repr=False)


class _Memory:
    def __init__(self):
        self.ram = bytearray(0x2000)

    def index(self, pa):
        i = pa - RAM
        return i if 0 <= i < len(self.ram) else None


class _RecordingQueue(Virtqueue):
    """The device's side of the queue, telling the demo what it does."""

    demo = None

    def pop(self):
        chain = super().pop()
        if chain is not None:
            head, buffers = chain
            text = b''.join(self.dma.read(b.addr, b.length) for b in buffers).decode()
            self.demo.step('device', f'takes available entry {(self.last_avail - 1) % 65536} '
                                     f'-> descriptor {head}: {text!r}', ('avail', 'desc'))
        return chain

    def push(self, head, written):
        super().push(head, written)
        self.demo.step('device', f'returns descriptor {head} in the used ring: used.idx = '
                                 f'{self.used_idx}', ('used',))

    def want_notifications(self):
        super().want_notifications()
        if self.event_idx:
            self.demo.step('device', f'asks to be notified when avail.idx passes '
                                     f'{self.last_avail}: avail_event = {self.last_avail}',
                           ('avail_event',))


class RingDemo:
    """Send ``lines`` through a virtio console's transmit ring of ``size`` entries, making
    ``batch`` of them available before each notification; ``event_idx``: with
    ``VIRTIO_RING_F_EVENT_IDX``; ``poll``: the driver polls the used ring and asks for no
    interrupts (``NO_INTERRUPT``, or ``used_event`` far away)."""

    def __init__(self, lines=('hello\n', 'from the\n', 'shared ring\n', 'again\n'), size=4,
                 batch=1, event_idx=False, poll=False):
        if not 1 <= batch <= size or size & (size - 1):
            raise ValueError('size a power of 2, 1 <= batch <= size')
        self.lines, self.size, self.batch = list(lines), size, batch
        self.event_idx, self.poll = event_idx, poll
        self.steps: list[RingStep] = []
        self.console = Console(output=lambda data: None)
        self.memory = _Memory()
        self.dma = RamDma(self.memory.ram, self.memory.index)
        self.slot = VirtioMmio(self.console, self.dma, self._interrupt)
        self.counts = dict(notifications=0, notifications_saved=0, interrupts=0,
                           interrupts_saved=0)
        self._setup()
        self._run()

    # --- the driver ---------------------------------------------------------------------------

    def _reg(self, offset, value):
        self.slot.write(offset, 4, value)

    def _setup(self):
        features = F_VERSION_1 | (F_EVENT_IDX if self.event_idx else 0)
        self._reg(0x070, ACKNOWLEDGE | DRIVER)
        for sel in (0, 1):
            self._reg(0x024, sel)
            self._reg(0x020, features >> 32 * sel & 0xFFFF_FFFF)
        self._reg(0x070, ACKNOWLEDGE | DRIVER | FEATURES_OK)
        self._reg(0x030, TRANSMIT)
        self._reg(0x038, self.size)
        for offset, address in ((0x080, DESC), (0x090, AVAIL), (0x0a0, USED)):
            self._reg(offset, address)
        self._reg(0x044, 1)
        self._reg(0x070, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK)
        setup = self.slot.setups[TRANSMIT]
        queue = _RecordingQueue(self.dma, self.size, DESC, AVAIL, USED, self.event_idx)
        queue.demo, setup.queue = self, queue
        self.queue = queue
        if self.poll:
            if self.event_idx:          # "interrupt me when used.idx passes" -- never soon
                self._put16(AVAIL + 4 + 2 * self.size, 0xFFFF)
            else:
                self._put16(AVAIL, AVAIL_NO_INTERRUPT)
        self.step('driver', 'sets the queue up: ' + (
            'it will poll, and asks for no interrupts' if self.poll else
            'interrupts wanted') + (', with event indices' if self.event_idx else ''),
            ('avail_flags', 'used_event'))

    def _run(self):
        next_desc, avail_idx, buffer = 0, 0, BUFFERS
        for start in range(0, len(self.lines), self.batch):
            old_idx = avail_idx
            for line in self.lines[start:start + self.batch]:
                data = line.encode()
                self.dma.write(buffer, data)
                self.dma.write(DESC + 16 * next_desc, struct.pack('<QIHH', buffer, len(data),
                                                                  0, 0))
                self.step('driver', f'writes descriptor {next_desc}: {len(data)} bytes at '
                                    f'0x{buffer:08x}, device-readable: {line!r}', ('desc',))
                slot = avail_idx % self.size
                self._put16(AVAIL + 4 + 2 * slot, next_desc)
                avail_idx = (avail_idx + 1) & 0xFFFF
                self._put16(AVAIL + 2, avail_idx)
                self.step('driver', f'publishes it: avail.ring[{slot}] = {next_desc}, avail.idx '
                                    f'= {avail_idx}', ('avail',))
                next_desc = (next_desc + 1) % self.size
                buffer += 0x40
            self._notify(old_idx, avail_idx)

    def _notify(self, old, new):
        """Notify the device unless it asked not to be (NO_NOTIFY, or avail_event)."""
        if self.event_idx:
            event = self._get16(USED + 4 + 8 * self.size)
            wanted = need_event(event, new, old)
            why = f'avail_event = {event}, the index went {old} -> {new}'
        else:
            wanted = not self._get16(USED) & 1
            why = 'the device has not set NO_NOTIFY'
        if not wanted:
            self.counts['notifications_saved'] += 1
            self.step('driver', f'does not notify: {why}', ('avail_event',))
            return
        self.counts['notifications'] += 1
        self.step('driver', f'notifies the device (a hypercall under pv): {why}', ('notify',))
        before = self.counts['interrupts']
        self.slot.notify(TRANSMIT)
        if self.counts['interrupts'] == before:
            self.counts['interrupts_saved'] += 1
            self.step('device', 'does not interrupt: ' + (
                f'used_event = {self._get16(AVAIL + 4 + 2 * self.size)}' if self.event_idx
                else 'the driver set NO_INTERRUPT'), ('used_event', 'avail_flags'))
        self.slot.write(0x064, 4, 1)            # the driver acknowledges
        if self.event_idx and not self.poll:    # and re-arms (Linux's virtqueue_enable_cb)
            used = self._get16(USED + 2)
            self._put16(AVAIL + 4 + 2 * self.size, used)
            self.step('driver', f'takes the used buffers and asks for an interrupt at the next '
                                f'one: used_event = {used}', ('used_event',))

    def _interrupt(self, level):
        if level:
            self.counts['interrupts'] += 1
            self.step('device', 'interrupts the driver: used buffers', ('interrupt',))

    # --- memory and states ----------------------------------------------------------------------

    def _get16(self, pa):
        return struct.unpack('<H', self.dma.read(pa, 2))[0]

    def _put16(self, pa, value):
        self.dma.write(pa, struct.pack('<H', value))

    def state(self) -> RingState:
        desc = [struct.unpack('<QIHH', self.dma.read(DESC + 16 * i, 16)) for i in range(self.size)]
        used = [struct.unpack('<II', self.dma.read(USED + 4 + 8 * i, 8)) for i in range(self.size)]
        return RingState(
            descriptors=[(a, n, f, x) for a, n, f, x in desc],
            avail_flags=self._get16(AVAIL), avail_idx=self._get16(AVAIL + 2),
            avail_ring=[self._get16(AVAIL + 4 + 2 * i) for i in range(self.size)],
            used_event=self._get16(AVAIL + 4 + 2 * self.size),
            used_flags=self._get16(USED), used_idx=self._get16(USED + 2), used_ring=used,
            avail_event=self._get16(USED + 4 + 8 * self.size),
            device_next=getattr(self, 'queue', None) and self.queue.last_avail or 0,
            printed=self.console.text(), **self.counts)

    def step(self, who, what, parts):
        self.steps.append(RingStep(who, what, tuple(parts), self.state()))

    # --- the text twin --------------------------------------------------------------------------

    def text(self, n=None) -> str:
        """Step ``n`` (1-based; default the last) and the ring after it, as text."""
        n = len(self.steps) if n is None else n
        if not 1 <= n <= len(self.steps):
            raise ValueError(f'step {n}: the demo has steps 1..{len(self.steps)}')
        step, s = self.steps[n - 1], self.steps[n - 1].state
        lines = [f'step {n} of {len(self.steps)}: the {step.who} {step.what}', '',
                 'descriptor table          available ring (driver)    used ring (device)']
        for i in range(self.size):
            addr, length, flags, nxt = s.descriptors[i]
            d = f'{i}: 0x{addr:08x} {length:>3} B' if length else f'{i}: -'
            used_id, used_len = s.used_ring[i]
            lines.append(f'  {d:<24}[{i}] -> {s.avail_ring[i]:<18}[{i}] id {used_id} len '
                         f'{used_len}')
        lines += [f'  {"":<24}idx {s.avail_idx}, flags {s.avail_flags:<13}idx {s.used_idx}, '
                  f'flags {s.used_flags}',
                  f'  {"":<24}used_event {s.used_event:<15}avail_event {s.avail_event}',
                  f'notifications {s.notifications} (saved {s.notifications_saved}), '
                  f'interrupts {s.interrupts} (saved {s.interrupts_saved})',
                  f'printed {s.printed!r}']
        return '\n'.join(lines)
