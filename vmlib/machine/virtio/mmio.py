"""The virtio-mmio transport, version 2 (virtio 1.1, section 4.2.2), as QEMU ``virt`` places it.

Eight slots of 0x1000 bytes from ``0x1000_1000``, slot ``n`` on PLIC source ``1 + n``. QEMU fills
them from the top: the first ``-device`` on its command line lands in slot 7, so a driver probes
all eight, as Linux does. An empty slot still answers the magic value, the version and device
ID 0 ("nothing here").

The registers (32-bit accesses; the device's configuration space from 0x100 any width):

=======  ==========================  =======  ===================================
0x000    MagicValue ``"virt"``       0x050    QueueNotify (W)
0x004    Version (2)                 0x060    InterruptStatus (R): 1 used, 2 config
0x008    DeviceID (2 block, 3 cons)  0x064    InterruptACK (W)
0x00c    VendorID                    0x070    Status
0x010    DeviceFeatures              0x080    QueueDescLow/High (0x084)
0x014    DeviceFeaturesSel           0x090    QueueDriverLow/High: the available ring
0x020    DriverFeatures              0x0a0    QueueDeviceLow/High: the used ring
0x024    DriverFeaturesSel           0x0fc    ConfigGeneration
0x030    QueueSel                    0x100    the device's configuration space
0x034    QueueNumMax                 0x038    QueueNum
0x044    QueueReady
=======  ==========================  =======  ===================================

The device works when the driver notifies a queue (a store to QueueNotify: on a bare machine an
MMIO write, under a hypervisor one exit), at once and to the end of what is available; that
keeps every run deterministic. What a guest gets wrong in a ring sets ``DEVICE_NEEDS_RESET``
and is kept in ``error``; the slot then ignores its queues until the driver resets it.
"""

from .queue import RingError, Virtqueue

VIRTIO_BASE, VIRTIO_STRIDE, VIRTIO_SLOTS = 0x1000_1000, 0x1000, 8
MAGIC, VERSION, VENDOR = 0x7472_6976, 2, 0x554D_4551     # "virt", 2, "QEMU" (as QEMU answers)
F_EVENT_IDX, F_VERSION_1 = 1 << 29, 1 << 32
ACKNOWLEDGE, DRIVER, DRIVER_OK, FEATURES_OK, NEEDS_RESET, FAILED = 1, 2, 4, 8, 64, 128
INT_USED, INT_CONFIG = 1, 2


def slot_address(n):
    """Where slot ``n`` is; its PLIC source is ``1 + n``."""
    return VIRTIO_BASE + VIRTIO_STRIDE * n


class RamDma:
    """Guest memory as a device reaches it (DMA): RAM only. ``ram`` is the buffer that holds
    it, ``index(pa)`` where physical ``pa`` lies in it (None: not RAM); ``on_write(i, n)`` is
    told of every write, so that code caches see what a device writes."""

    def __init__(self, ram, index, on_write=None):
        self.ram, self.index, self.on_write = ram, index, on_write

    @classmethod
    def of_bus(cls, bus):
        """DMA into a machine's RAM (its bus tells the code caches)."""
        return cls(bus.ram, bus.ram_index,
                   lambda i, n: bus.on_ram_write and bus.on_ram_write(i, n))

    def locate(self, pa, n):
        i = self.index(pa)
        if i is None or (n and self.index(pa + n - 1) != i + n - 1):
            raise RingError(f'0x{pa:08x}..0x{pa + n:08x} is not guest RAM')
        return i

    def read(self, pa, n):
        i = self.locate(pa, n)
        return bytes(self.ram[i:i + n])

    def write(self, pa, data):
        i = self.locate(pa, len(data))
        self.ram[i:i + len(data)] = data
        if self.on_write:
            self.on_write(i, len(data))


class _QueueSetup:
    """What the driver wrote about one queue before making it ready."""

    def __init__(self):
        self.num, self.ready, self.desc, self.avail, self.used = 0, False, 0, 0, 0
        self.queue = None


class VirtioMmio:
    """One virtio-mmio slot holding ``device`` (a ``Block``, a ``Console``; None: empty).

    ``dma`` reaches guest memory (``RamDma``), ``irq`` is the slot's interrupt line. ``stats``
    counts what chapter 11 compares: notifications received, interrupts raised, chains done."""

    def __init__(self, device=None, dma=None, irq=None, name='virtio'):
        self.device, self.dma, self.irq, self.name = device, dma, irq, name
        self.stats = {'notifications': 0, 'interrupts': 0, 'chains': 0}
        self.reset()

    def reset(self):
        self.status, self.interrupt = 0, 0
        self.device_sel = self.driver_sel = self.queue_sel = 0
        self.driver_features = 0
        self.error = None
        count = self.device.queues if self.device else 0
        self.setups = [_QueueSetup() for _ in range(count)]
        if self.irq is not None:
            self.irq(False)

    @property
    def features(self):
        return (self.device.features | F_VERSION_1 | F_EVENT_IDX) if self.device else 0

    # --- registers ----------------------------------------------------------------------------

    def read(self, offset, size):
        if offset >= 0x100:
            return self.device.config(offset - 0x100, size) if self.device else 0
        if size != 4 or offset & 3:
            return 0                # QEMU: "wrong size access to register", ignored
        setup = self.setups[self.queue_sel] if self.queue_sel < len(self.setups) else None
        if offset == 0x000:
            return MAGIC
        if offset == 0x004:
            return VERSION
        if offset == 0x008:
            return self.device.device_id if self.device else 0
        if offset == 0x00c:
            return VENDOR
        if not self.device:
            return 0
        if offset == 0x010:
            window = self.features >> 32 * self.device_sel
            return window & 0xFFFF_FFFF if self.device_sel < 2 else 0
        if offset == 0x034:
            return self.device.queue_max if setup else 0
        if offset == 0x044:
            return int(setup.ready) if setup else 0
        if offset == 0x060:
            return self.interrupt
        if offset == 0x070:
            return self.status
        if offset == 0x0fc:
            return 0
        return 0

    def write(self, offset, size, value):
        if not self.device or offset >= 0x100 or size != 4 or offset & 3:
            return                  # no device; read-only configuration; wrong size
        setup = self.setups[self.queue_sel] if self.queue_sel < len(self.setups) else None
        if offset == 0x014:
            self.device_sel = value
        elif offset == 0x020:
            if self.driver_sel < 2 and not self.status & FEATURES_OK:
                shift = 32 * self.driver_sel
                self.driver_features = (self.driver_features & ~(0xFFFF_FFFF << shift)
                                        | value << shift)
        elif offset == 0x024:
            self.driver_sel = value
        elif offset == 0x030:
            self.queue_sel = value
        elif offset == 0x050:
            self.notify(value)
        elif offset == 0x064:
            self.interrupt &= ~value
            self._line()
        elif offset == 0x070:
            self.set_status(value)
        elif setup is not None and not setup.ready:
            self._queue_register(setup, offset, value)
        elif setup is not None and offset == 0x044 and not value:
            setup.ready, setup.queue = False, None

    def _queue_register(self, setup, offset, value):
        if offset == 0x038:
            setup.num = value
        elif offset == 0x044 and value:
            self.make_ready(setup)
        else:
            field = {0x080: 'desc', 0x090: 'avail', 0x0a0: 'used'}.get(offset & ~4)
            if field is not None:
                old = getattr(setup, field)
                high = offset & 4
                setattr(setup, field, (old & 0xFFFF_FFFF) | value << 32 if high
                        else (old & ~0xFFFF_FFFF) | value)

    def set_status(self, value):
        if value == 0:
            return self.reset()
        if value & FEATURES_OK and not self.status & FEATURES_OK:
            if self.driver_features & ~self.features or not self.driver_features & F_VERSION_1:
                value &= ~FEATURES_OK   # refused: the driver reads the status back and sees it
        self.status = value | (self.status & NEEDS_RESET)

    def make_ready(self, setup):
        num = setup.num
        if not 0 < num <= self.device.queue_max or num & (num - 1):
            return self.fail(f'queue size {num} is not a power of 2 up to '
                             f'{self.device.queue_max}')
        if setup.desc & 15 or setup.avail & 1 or setup.used & 3:
            return self.fail('a ring is misaligned (descriptors 16, available 2, used 4 bytes)')
        setup.ready = True
        setup.queue = Virtqueue(self.dma, num, setup.desc, setup.avail, setup.used,
                                bool(self.driver_features & F_EVENT_IDX))

    # --- the device at work -------------------------------------------------------------------

    def notify(self, index):
        self.stats['notifications'] += 1
        self.run_queue(index)

    def run_queue(self, index):
        """Do what is available on queue ``index`` (if the driver is ready and so is it)."""
        if not self.status & DRIVER_OK or self.status & NEEDS_RESET:
            return
        if index >= len(self.setups) or not self.setups[index].ready:
            return
        queue = self.setups[index].queue
        old_used = queue.used_idx
        try:
            self.stats['chains'] += self.device.serve(index, queue)
            queue.want_notifications()
            if queue.used_idx != old_used and queue.should_interrupt(old_used):
                self.raise_interrupt(INT_USED)
        except RingError as e:
            self.fail(f'queue {index}: {e}')

    def poll(self):
        """The hart is about to sleep: a device with outside input (the console) gets it."""
        if hasattr(self.device, 'poll') and self.status & DRIVER_OK:
            for index in self.device.poll():
                self.run_queue(index)

    def raise_interrupt(self, reason):
        self.interrupt |= reason
        self.stats['interrupts'] += 1
        self._line()

    def _line(self):
        if self.irq is not None:
            self.irq(self.interrupt != 0)

    def fail(self, reason):
        """The guest broke a rule: keep why, and tell the driver the device needs a reset."""
        self.error = reason
        self.status |= NEEDS_RESET
        self.raise_interrupt(INT_CONFIG)


def attach(devices, device_map, dma, irq=None, sink=None):
    """Give a machine its eight slots: ``devices`` from the top slot down, as QEMU places its
    ``-device`` options, each slot registered in ``device_map``. ``dma`` reaches the guest's
    memory, ``irq(n)`` is slot ``n``'s interrupt line (None: no interrupt controller), ``sink``
    where a console with no output of its own writes (the UART's, as QEMU's mux chardev joins
    them). The slots, slot 0 first."""
    from .console import Console
    slots = []
    for n in range(VIRTIO_SLOTS):
        top = VIRTIO_SLOTS - 1 - n
        device = devices[top] if top < len(devices) else None
        if isinstance(device, Console) and device.sink is None:
            device.sink = sink
        slot = VirtioMmio(device, dma, irq(1 + n) if irq else None, f'virtio{n}')
        device_map.register(slot_address(n), VIRTIO_STRIDE, slot)
        slots.append(slot)
    return slots


def slot_of(address):
    """The slot number whose registers start at ``address``, or None."""
    n, rest = divmod(address - VIRTIO_BASE, VIRTIO_STRIDE)
    return n if not rest and 0 <= n < VIRTIO_SLOTS else None


def config_bytes(layout, offset, size):
    """Read ``size`` bytes at ``offset`` of a configuration space given as bytes."""
    chunk = layout[offset:offset + size]
    return int.from_bytes(chunk.ljust(size, b'\0'), 'little') if offset < len(layout) else 0
