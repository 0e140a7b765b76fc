"""Split virtqueues (virtio 1.1, section 2.6): the rings a driver and a device share in memory.

Three parts, each placed by the driver anywhere in guest RAM:

- the **descriptor table**, ``size`` entries of 16 bytes: ``addr`` (u64), ``len`` (u32),
  ``flags`` (u16: ``NEXT`` 1, ``WRITE`` 2 -- the device writes this buffer), ``next`` (u16);
- the **available ring**, written by the driver: ``flags`` (u16: ``NO_INTERRUPT`` 1), ``idx``
  (u16, free-running), ``ring[size]`` (u16 heads of descriptor chains), ``used_event`` (u16);
- the **used ring**, written by the device: ``flags`` (u16: ``NO_NOTIFY`` 1), ``idx``,
  ``ring[size]`` of ``(id u32, len u32)``, ``avail_event`` (u16).

Every index and length comes from the guest and is checked before it is used: a chain that is
longer than the queue (a loop), an index past the table, a buffer outside RAM or a buffer the
device may not write where it must each raise ``RingError`` with the reason, and the device then
stops using the queue (``DEVICE_NEEDS_RESET``), as the spec lets it. Nothing a guest writes into
a ring makes the host fail.

*Notification suppression* (2.6.7, 2.6.10), both ways. Without ``VIRTIO_RING_F_EVENT_IDX`` the
driver's ``NO_INTERRUPT`` flag asks for no interrupt and the device's ``NO_NOTIFY`` for no
notification; with it, the driver's ``used_event`` says "interrupt me when the used index passes
this", and the device's ``avail_event`` "notify me when the available index passes this", tested
by ``need_event`` (the same arithmetic as Linux's ``vring_need_event``).
"""

import struct

DESC_NEXT, DESC_WRITE, DESC_INDIRECT = 1, 2, 4
AVAIL_NO_INTERRUPT, USED_NO_NOTIFY = 1, 1
DESC_SIZE = 16
MAX_BUFFER = 1 << 20        # the longest single buffer a device takes (1 MiB)


class RingError(Exception):
    """The guest broke the ring's rules; the message says which rule, where."""


def need_event(event, new, old):
    """True when moving an index from ``old`` to ``new`` passes ``event`` (mod 2**16)."""
    return (new - event - 1) & 0xFFFF < (new - old) & 0xFFFF


class Buffer:
    """One descriptor of a chain: guest-physical ``addr``, ``length``, and whether the device
    writes it (``writable``) or reads it."""

    __slots__ = ('addr', 'length', 'writable')

    def __init__(self, addr, length, writable):
        self.addr, self.length, self.writable = addr, length, writable

    def __repr__(self):
        return f"Buffer(0x{self.addr:x}, {self.length}, {'w' if self.writable else 'r'})"


class Virtqueue:
    """The device's side of one split virtqueue in guest memory ``dma`` (``read(pa, n)`` ->
    bytes, ``write(pa, data)``, both refusing anything outside RAM with ``RingError``)."""

    def __init__(self, dma, size, desc, avail, used, event_idx=False):
        self.dma, self.size, self.event_idx = dma, size, event_idx
        self.desc, self.avail, self.used = desc, avail, used
        self.last_avail = 0         # the next available entry the device takes
        self.used_idx = 0           # what the device last published as used.idx

    # --- reading the driver's side ------------------------------------------------------------

    def u16(self, pa):
        return struct.unpack('<H', self.dma.read(pa, 2))[0]

    def avail_idx(self):
        return self.u16(self.avail + 2)

    def pending(self):
        """How many chains the driver has made available and the device not taken yet."""
        count = (self.avail_idx() - self.last_avail) & 0xFFFF
        if count > self.size:
            raise RingError(f'available index {self.avail_idx()} is {count} entries ahead of '
                            f'the device, more than the queue holds ({self.size})')
        return count

    def pop(self):
        """The next available chain: ``(head, [Buffer, ...])``, or None when there is none."""
        if not self.pending():
            return None
        slot = self.last_avail % self.size
        head = self.u16(self.avail + 4 + 2 * slot)
        self.last_avail = (self.last_avail + 1) & 0xFFFF
        return head, self.chain(head)

    def chain(self, head):
        buffers, index, seen_writable = [], head, False
        for _ in range(self.size):
            if index >= self.size:
                raise RingError(f'descriptor index {index} is past the table '
                                f'({self.size} entries)')
            addr, length, flags, nxt = struct.unpack(
                '<QIHH', self.dma.read(self.desc + DESC_SIZE * index, DESC_SIZE))
            if flags & DESC_INDIRECT:
                raise RingError(f'descriptor {index} is indirect; VIRTIO_F_INDIRECT_DESC '
                                'was not offered')
            if length > MAX_BUFFER:
                raise RingError(f'descriptor {index} is {length:,} bytes long, more than '
                                f'the {MAX_BUFFER:,} a buffer may be')
            writable = bool(flags & DESC_WRITE)
            if seen_writable and not writable:
                raise RingError(f'descriptor {index} is read-only after a writable one '
                                '(the device-readable part comes first)')
            seen_writable |= writable
            buffers.append(Buffer(addr, length, writable))
            if not flags & DESC_NEXT:
                return buffers
            index = nxt
        raise RingError(f'the chain from descriptor {head} is longer than the queue '
                        f'({self.size}): a loop')

    # --- writing the device's side ------------------------------------------------------------

    def push(self, head, written):
        """Return chain ``head`` to the driver, having written ``written`` bytes into it."""
        slot = self.used_idx % self.size
        self.dma.write(self.used + 4 + 8 * slot, struct.pack('<II', head, written))
        self.used_idx = (self.used_idx + 1) & 0xFFFF
        self.dma.write(self.used + 2, struct.pack('<H', self.used_idx))

    def should_interrupt(self, old_used):
        """After publishing used entries from ``old_used`` on: does the driver want an
        interrupt?"""
        if self.event_idx:
            used_event = self.u16(self.avail + 4 + 2 * self.size)
            return need_event(used_event, self.used_idx, old_used)
        return not self.u16(self.avail) & AVAIL_NO_INTERRUPT

    def want_notifications(self):
        """Tell the driver which notification the device wants next: with event indices,
        one as soon as anything new is made available."""
        if self.event_idx:
            self.dma.write(self.used + 4 + 8 * self.size, struct.pack('<H', self.last_avail))
