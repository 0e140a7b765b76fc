"""virtio-mmio, split virtqueues, virtio-blk and virtio-console, driven from Python as a guest
driver would drive them: the registers, the rings, the interrupts and their suppression, and
everything a hostile guest can write into a ring."""

import struct

import pytest
from hypothesis import given, settings, strategies as st

from vmlib.machine.virtio import Block, Console, DiskError, DiskImage, RingError, VirtioMmio
from vmlib.machine.virtio import block, mmio, queue

RAM = 0x8000_0000
DESC, AVAIL, USED, DATA = RAM + 0x1000, RAM + 0x2000, RAM + 0x3000, RAM + 0x8000
QSIZE = 8


class Memory:
    """64 KiB of guest RAM, as a device's DMA sees it."""

    def __init__(self):
        self.ram = bytearray(0x10000)

    def read(self, pa, n):
        i = pa - RAM
        if not 0 <= i <= len(self.ram) - n:
            raise RingError(f'0x{pa:08x} is not guest RAM')
        return bytes(self.ram[i:i + n])

    def write(self, pa, data):
        i = pa - RAM
        if not 0 <= i <= len(self.ram) - len(data):
            raise RingError(f'0x{pa:08x} is not guest RAM')
        self.ram[i:i + len(data)] = data

    def u16(self, pa):
        return struct.unpack('<H', self.read(pa, 2))[0]


class Line:
    def __init__(self):
        self.level, self.raised = False, 0

    def __call__(self, level):
        self.raised += level and not self.level
        self.level = level


class Driver:
    """A minimal virtio driver: negotiate, set up queue ``q`` at DESC/AVAIL/USED, submit."""

    def __init__(self, device, event_idx=False, features=mmio.F_VERSION_1):
        self.mem, self.line = Memory(), Line()
        self.slot = VirtioMmio(device, self.mem, self.line)
        self.next_desc, self.avail_idx = 0, 0
        self.reg(0x070, mmio.ACKNOWLEDGE | mmio.DRIVER)
        features |= mmio.F_EVENT_IDX if event_idx else 0
        for sel in (0, 1):
            self.reg(0x024, sel)
            self.reg(0x020, (features >> 32 * sel) & 0xFFFF_FFFF)
        self.reg(0x070, mmio.ACKNOWLEDGE | mmio.DRIVER | mmio.FEATURES_OK)
        self.ok = bool(self.slot.read(0x070, 4) & mmio.FEATURES_OK)

    def reg(self, offset, value):
        self.slot.write(offset, 4, value)

    def setup(self, q=0):
        self.reg(0x030, q)
        self.reg(0x038, QSIZE)
        for offset, address in ((0x080, DESC), (0x090, AVAIL), (0x0a0, USED)):
            self.reg(offset, address & 0xFFFF_FFFF)
            self.reg(offset + 4, address >> 32)
        self.reg(0x044, 1)
        self.reg(0x070, self.slot.status | mmio.DRIVER_OK)

    def descriptor(self, addr, length, flags=0, nxt=0):
        i = self.next_desc
        self.mem.write(DESC + 16 * i, struct.pack('<QIHH', addr, length, flags, nxt))
        self.next_desc = (i + 1) % QSIZE
        return i

    def submit(self, buffers, q=0, notify=True):
        """``buffers``: [(addr, length, writable)]: chained, made available, notified."""
        first = self.next_desc
        for k, (addr, length, writable) in enumerate(buffers):
            more = k + 1 < len(buffers)
            flags = (queue.DESC_WRITE if writable else 0) | (queue.DESC_NEXT if more else 0)
            self.descriptor(addr, length, flags, (first + k + 1) % QSIZE if more else 0)
        self.mem.write(AVAIL + 4 + 2 * (self.avail_idx % QSIZE), struct.pack('<H', first))
        self.avail_idx += 1
        self.mem.write(AVAIL + 2, struct.pack('<H', self.avail_idx))
        if notify:
            self.reg(0x050, q)

    def used(self, k):
        return struct.unpack('<II', self.mem.read(USED + 4 + 8 * k, 8))

    def block_request(self, kind, sector, data=b'', read_len=0):
        header = DATA
        self.mem.write(header, struct.pack('<IIQ', kind, 0, sector))
        chain = [(header, 16, False)]
        if data:
            self.mem.write(DATA + 0x100, data)
            chain.append((DATA + 0x100, len(data), False))
        if read_len:
            chain.append((DATA + 0x2000, read_len, True))
        chain.append((DATA + 0x1000, 1, True))
        self.submit(chain)
        return self.mem.read(DATA + 0x1000, 1)[0]


def disk(sectors=8):
    return DiskImage.from_bytes(bytes(range(256)) * 2 * sectors)


# --- the transport ------------------------------------------------------------------------------

def test_an_empty_slot_says_so():
    slot = VirtioMmio()
    assert [slot.read(off, 4) for off in (0, 4, 8, 12)] == [0x74726976, 2, 0, 0x554D4551]
    slot.write(0x070, 4, 1)                 # nothing to set up
    assert slot.read(0x070, 4) == 0


def test_identity_features_and_a_refused_negotiation():
    d = Driver(Block(disk()))
    assert d.slot.read(0x008, 4) == 2 and d.ok
    d.slot.write(0x014, 4, 1)
    assert d.slot.read(0x010, 4) & 1          # VIRTIO_F_VERSION_1 is bit 32
    legacy = Driver(Block(disk()), features=0)
    assert not legacy.ok                      # no VERSION_1: FEATURES_OK does not stick
    assert Driver(Console()).slot.read(0x008, 4) == 3
    assert mmio.slot_address(7) == 0x1000_8000


def test_register_accesses_of_the_wrong_size_are_ignored():
    d = Driver(Block(disk()))
    assert d.slot.read(0x000, 2) == 0 and d.slot.read(0x002, 4) == 0
    assert d.slot.read(0x100, 8) == 8         # capacity, 8 sectors: config is any width


# --- virtio-blk ---------------------------------------------------------------------------------

def test_block_reads_writes_flushes_and_names_itself():
    image = disk()
    d = Driver(Block(image))
    d.setup()
    assert d.block_request(block.IN, 1, read_len=512) == block.OK
    assert d.mem.read(DATA + 0x2000, 512) == image.data[512:1024]
    assert d.used(0) == (0, 513)
    assert d.block_request(block.OUT, 2, data=b'\xAA' * 1024) == block.OK
    assert image.data[1024:2048] == b'\xAA' * 1024
    assert d.block_request(block.FLUSH, 0) == block.OK
    assert d.block_request(block.GET_ID, 0, read_len=20) == block.OK
    assert d.mem.read(DATA + 0x2000, 16) == b'vmlib-virtio-blk'
    assert d.block_request(77, 0) == block.UNSUPP
    assert d.slot.device.requests == {'read': 1, 'write': 1, 'flush': 1, 'id': 1, 'failed': 1}


@pytest.mark.parametrize('kind, sector, data, read_len', [
    (block.OUT, 7, b'x' * 1024, 0),           # past the end
    (block.OUT, 0, b'x' * 100, 0),            # not whole sectors
    (block.IN, 8, b'', 512),
])
def test_a_request_past_the_disk_fails_and_moves_nothing(kind, sector, data, read_len):
    image = disk()
    before = image.data
    d = Driver(Block(image))
    d.setup()
    assert d.block_request(kind, sector, data, read_len) == block.IOERR
    assert image.data == before


def test_a_read_only_disk_refuses_writes():
    image = DiskImage.from_bytes(bytes(1024), readonly=True)
    d = Driver(Block(image))
    assert d.slot.read(0x010, 4) & block.F_RO
    d.setup()
    assert d.block_request(block.OUT, 0, data=b'y' * 512) == block.IOERR
    assert image.data == bytes(1024)


def test_disk_images_that_cannot_be_attached(tmp_path):
    with pytest.raises(DiskError, match='no such disk image'):
        DiskImage(str(tmp_path / 'missing.img'))
    odd = tmp_path / 'odd.img'
    odd.write_bytes(bytes(1000))
    with pytest.raises(DiskError, match='1,000 bytes: a disk image holds whole sectors'):
        DiskImage(str(odd))
    locked = tmp_path / 'locked.img'
    locked.write_bytes(bytes(512))
    locked.chmod(0o444)
    import os
    if not os.access(locked, os.W_OK):        # (root may write anything)
        with pytest.raises(DiskError, match='attach it read-only'):
            DiskImage(str(locked))
    assert DiskImage(str(locked), readonly=True).sectors == 1


def test_a_file_image_keeps_what_the_guest_wrote(tmp_path):
    path = tmp_path / 'disk.img'
    path.write_bytes(bytes(2048))
    image = DiskImage(str(path))
    d = Driver(Block(image))
    d.setup()
    d.block_request(block.OUT, 3, data=b'z' * 512)
    image.close()
    assert path.read_bytes() == bytes(1536) + b'z' * 512


# --- interrupts and their suppression -----------------------------------------------------------

def test_used_buffers_interrupt_until_acknowledged():
    d = Driver(Block(disk()))
    d.setup()
    d.block_request(block.IN, 0, read_len=512)
    assert d.line.level and d.slot.read(0x060, 4) == mmio.INT_USED
    d.reg(0x064, mmio.INT_USED)
    assert not d.line.level


def test_no_interrupt_flag_suppresses_interrupts():
    d = Driver(Block(disk()))
    d.setup()
    d.mem.write(AVAIL, struct.pack('<H', queue.AVAIL_NO_INTERRUPT))
    d.block_request(block.IN, 0, read_len=512)
    assert not d.line.level and d.slot.stats['interrupts'] == 0


def test_event_index_interrupts_only_when_used_event_is_passed():
    d = Driver(Block(disk()), event_idx=True)
    d.setup()
    used_event = AVAIL + 4 + 2 * QSIZE
    d.mem.write(used_event, struct.pack('<H', 2))     # "interrupt me after the third"
    for k in range(3):
        d.block_request(block.IN, k, read_len=512)
        assert d.line.level == (k == 2)
    assert d.mem.u16(USED + 4 + 8 * QSIZE) == 3      # avail_event: notify me at the next one


def test_need_event_is_linux_arithmetic_with_wraparound():
    assert queue.need_event(0, 1, 0) and not queue.need_event(1, 1, 0)
    assert queue.need_event(0xFFFF, 0, 0xFFFF)        # 0xffff -> 0 passes 0xffff


# --- the console --------------------------------------------------------------------------------

def test_console_transmits_a_buffer_per_notification_and_receives_on_poll():
    out = []
    d = Driver(Console(output=out.append, input_source=lambda: b'hi\n'))
    d.setup(1)
    d.mem.write(DATA, b'hello, world\n')
    d.submit([(DATA, 13, False)], q=1)
    assert out == [b'hello, world\n'] and d.slot.stats['notifications'] == 1
    d.setup(0)
    d.submit([(DATA + 0x100, 16, True)], q=0)       # nothing has arrived yet
    d.slot.poll()
    assert d.mem.read(DATA + 0x100, 3) == b'hi\n'


# --- hostile rings ------------------------------------------------------------------------------

@pytest.mark.parametrize('mess, reason', [
    (lambda d: d.descriptor(DATA, 16, queue.DESC_NEXT, 50), 'past the table'),
    (lambda d: d.descriptor(DATA, 16, queue.DESC_NEXT, 0), 'a loop'),
    (lambda d: d.descriptor(0x1000, 16), 'not guest RAM'),
    (lambda d: d.descriptor(DATA, 16, queue.DESC_INDIRECT), 'indirect'),
    (lambda d: d.descriptor(DATA, 1 << 30), 'more than'),
    (lambda d: d.mem.write(AVAIL + 2, struct.pack('<H', 200)), 'ahead of the device'),
])
def test_a_broken_ring_stops_the_device_with_a_reason(mess, reason):
    image = disk()
    before = image.data
    d = Driver(Block(image))
    d.setup()
    mess(d)
    d.mem.write(AVAIL + 4, struct.pack('<H', 0))
    if not d.mem.u16(AVAIL + 2):
        d.mem.write(AVAIL + 2, struct.pack('<H', 1))
    d.reg(0x050, 0)
    assert reason in d.slot.error
    assert d.slot.status & mmio.NEEDS_RESET and d.line.level
    assert image.data == before
    d.reg(0x070, 0)                            # the driver resets: the device works again
    assert d.slot.error is None and not d.slot.status


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=16 * QSIZE, max_size=16 * QSIZE), st.binary(min_size=4 + 2 * QSIZE,
       max_size=4 + 2 * QSIZE), st.lists(st.binary(min_size=16, max_size=16), max_size=4))
def test_random_rings_never_break_the_host(table, avail, headers):
    """Whatever a guest writes into its rings: no exception reaches the host; either the
    device did well-formed requests or it stopped with a reason; the disk keeps its size."""
    image = disk()
    d = Driver(Block(image))
    d.setup()
    d.mem.write(DESC, table)
    d.mem.write(AVAIL, avail)
    for k, h in enumerate(headers):
        d.mem.write(RAM + 0x100 * k, h)
    d.reg(0x050, 0)
    assert len(image.data) == 8 * 512
    assert d.slot.error is None or d.slot.status & mmio.NEEDS_RESET
