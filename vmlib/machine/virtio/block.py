"""virtio-blk (virtio 1.1, section 5.2): a disk of 512-byte sectors behind one request queue.

A request is one descriptor chain: a header the device reads (``type`` u32: ``IN`` 0 read,
``OUT`` 1 write, ``FLUSH`` 4, ``GET_ID`` 8; a reserved u32; ``sector`` u64), the data, and one
status byte the device writes last (``OK`` 0, ``IOERR`` 1, ``UNSUPP`` 2). A request that
reaches past the disk's end, or whose data is not whole sectors, fails with ``IOERR`` before a
byte moves, so what a guest gets wrong never touches the sectors it did not name.

The disk is a ``DiskImage``: a file (``--drive FILE``, like QEMU's ``-drive``) or bytes in
memory. Its configuration space holds ``capacity`` (u64, in sectors).
"""

import io
import os
import struct

from .mmio import config_bytes
from .queue import RingError

SECTOR = 512
IN, OUT, FLUSH, GET_ID = 0, 1, 4, 8
OK, IOERR, UNSUPP = 0, 1, 2
F_RO, F_FLUSH = 1 << 5, 1 << 9
DISK_ID = b'vmlib-virtio-blk'


class DiskError(Exception):
    """A disk image that cannot be attached; the message says why, in one line."""


class DiskImage:
    """Whole sectors in a file or in memory. ``DiskImage(path)`` opens a file read-write
    (``readonly=True``: read-only); ``DiskImage.from_bytes(data)`` keeps the sectors in memory
    (``image.data`` shows them)."""

    def __init__(self, path=None, readonly=False, *, data=None):
        self.path, self.readonly = path, readonly
        if data is not None:
            self.file, size = io.BytesIO(bytes(data)), len(data)
        else:
            if not os.path.isfile(path):
                raise DiskError(f'{path}: no such disk image')
            size = os.path.getsize(path)
            if not readonly and not os.access(path, os.W_OK):
                raise DiskError(f'{path} is read-only here; attach it read-only (--drive '
                                f'{path},readonly): the guest then sees VIRTIO_BLK_F_RO')
            self.file = open(path, 'rb' if readonly else 'r+b')
        if size % SECTOR or not size:
            raise DiskError(f'{path or "the image"} is {size:,} bytes: a disk image holds '
                            f'whole sectors of {SECTOR} bytes, at least one')
        self.sectors = size // SECTOR

    @classmethod
    def from_bytes(cls, data, readonly=False):
        return cls(readonly=readonly, data=data)

    @property
    def data(self):
        self.file.seek(0)
        return self.file.read()

    def read(self, sector, n):
        self.file.seek(sector * SECTOR)
        return self.file.read(n)

    def write(self, sector, data):
        self.file.seek(sector * SECTOR)
        self.file.write(data)

    def flush(self):
        self.file.flush()

    def close(self):
        self.file.close()


class Block:
    """The virtio-blk device for a ``DiskImage`` (put it in a ``VirtioMmio`` slot)."""

    device_id, queues, queue_max = 2, 1, 128

    def __init__(self, image):
        self.image = image
        self.features = F_FLUSH | (F_RO if image.readonly else 0)
        self.requests = {'read': 0, 'write': 0, 'flush': 0, 'id': 0, 'failed': 0}

    def config(self, offset, size):
        return config_bytes(struct.pack('<Q', self.image.sectors), offset, size)

    def serve(self, index, queue):
        """Do every available request; the number done."""
        done = 0
        while (chain := queue.pop()) is not None:
            head, buffers = chain
            queue.push(head, self.request(queue.dma, buffers))
            done += 1
        return done

    def request(self, dma, buffers):
        """One request: perform it and write its status; the length to report as used."""
        readable = [b for b in buffers if not b.writable]
        writable = [b for b in buffers if b.writable]
        header = b''.join(dma.read(b.addr, b.length) for b in readable)
        if len(header) < 16 or not writable or not writable[-1].length:
            raise RingError('a block request needs a 16-byte header the device reads and a '
                            'status byte it writes')
        kind, _, sector = struct.unpack('<IIQ', header[:16])
        status_at = writable[-1].addr + writable[-1].length - 1
        space = sum(b.length for b in writable) - 1
        status = self.perform(dma, kind, sector, header[16:], writable, space)
        dma.write(status_at, bytes([status]))
        if status != OK:
            self.requests['failed'] += 1
        return space + 1        # QEMU reports every writable byte as written, whatever moved

    def perform(self, dma, kind, sector, data, writable, space):
        if kind == IN:
            self.requests['read'] += 1
            if not self.fits(sector, space):
                return IOERR
            scatter(dma, writable, self.image.read(sector, space))
            return OK
        if kind == OUT:
            self.requests['write'] += 1
            if self.image.readonly or not self.fits(sector, len(data)):
                return IOERR
            self.image.write(sector, data)
            return OK
        if kind == FLUSH:
            self.requests['flush'] += 1
            self.image.flush()
            return OK
        if kind == GET_ID:
            self.requests['id'] += 1
            scatter(dma, writable, DISK_ID[:min(20, space)])
            return OK
        return UNSUPP

    def fits(self, sector, n):
        return n % SECTOR == 0 and sector * SECTOR + n <= self.image.sectors * SECTOR


def scatter(dma, buffers, data):
    """Write ``data`` across the device-writable ``buffers``, in order."""
    at = 0
    for b in buffers:
        if at >= len(data):
            break
        piece = data[at:at + b.length]
        dma.write(b.addr, piece)
        at += len(piece)
