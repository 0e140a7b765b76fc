"""Chapter 01: abstraction vs virtualization, with a disk you can look inside.

Three pieces, each small enough to read in one sitting:

``BlockDevice``  -- the *block interface*: ``read_block(n) -> bytes`` and ``write_block(n, data)``
                    on fixed-size blocks. ``Disk`` is the "real" one (a byte array standing in for
                    platters).
``FileSystem``   -- an *abstraction* on top of any BlockDevice: named files you ``open``, ``read``
                    and ``write`` at byte offsets. The blocks, the allocation table and the
                    directory are hidden behind that simpler interface (a tiny FAT file system).
``VirtualDisk``  -- *virtualization*: it implements the very same BlockDevice interface, but its
                    blocks live in an *image file* on a host (any object with ``read_at``,
                    ``write_at`` and ``size``: a file of a host FileSystem, or a ``MemoryImage``).
                    It can be ``raw`` (block n at offset n * block_size) or ``thin`` (a block gets
                    space in the image only when first written with something other than zeros,
                    like qcow2 or VMDK sparse images).

The same, unmodified FileSystem code runs on a Disk and on a VirtualDisk and cannot tell the
difference -- that is the point of chapter 01, and a property the tests check.

Every layer can report what it does to a shared ``Tracer`` (indented by depth), which is how the
notebook shows what a single ``f.write(...)`` turns into on each layer below.
"""
from __future__ import annotations

import struct
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass, field

from .exercises import Exercise

__all__ = ["Tracer", "BlockDevice", "Disk", "MemoryImage", "VirtualDisk", "FileSystem",
           "FileHandle", "FSError", "DiskError", "run_example", "EXAMPLE_SCRIPT", "Stack",
           "build_stack", "ImageOffset", "AbstractionOrVirtualization"]


class DiskError(Exception):
    """A block operation the device cannot do (out of range, wrong size, host full)."""


class FSError(Exception):
    """A file-system operation that cannot be done (no such file, disk full, ...)."""


# --------------------------------------------------------------------------------------------
# tracing
# --------------------------------------------------------------------------------------------
@dataclass
class TraceEntry:
    depth: int
    layer: str
    call: str
    result: str = ""

    def __str__(self):
        res = f" -> {self.result}" if self.result else ""
        return f"{'  ' * self.depth}{self.layer}: {self.call}{res}"


@dataclass
class Tracer:
    """Collects calls from every layer, in order, with their nesting depth."""

    entries: list = field(default_factory=list)
    depth: int = 0
    enabled: bool = True

    @contextmanager
    def span(self, layer: str, call: str):
        if not self.enabled:
            yield None
            return
        e = TraceEntry(self.depth, layer, call)
        self.entries.append(e)
        self.depth += 1
        try:
            yield e
        finally:
            self.depth -= 1

    def note(self, layer: str, text: str):
        """Record a fact (no call below it), e.g. a translation a layer made."""
        if self.enabled:
            self.entries.append(TraceEntry(self.depth, layer, text))

    def clear(self):
        self.entries.clear()

    def lines(self, max_depth: int | None = None) -> list[str]:
        return [str(e) for e in self.entries if max_depth is None or e.depth <= max_depth]

    def count(self, layer: str, prefix: str = "") -> int:
        return sum(1 for e in self.entries if e.layer == layer and e.call.startswith(prefix))


def _short(data: bytes, n: int = 12) -> str:
    """A short, readable summary of a block's bytes: text if it looks like text, else hex."""
    if not any(data):
        return f"{len(data)} zero bytes"
    tail = "..." if len(data) > n else ""
    head = bytes(data[:n])
    text = head.rstrip(b"\0")
    if text and all(32 <= c < 127 for c in text):
        return f"{head!r}{tail}"
    return "hex " + head[:8].hex(" ") + ("..." if len(data) > 8 else "")


class _NoTrace:
    @contextmanager
    def span(self, layer, call):
        yield None

    def note(self, layer, text):
        pass


_NO_TRACE = _NoTrace()


# --------------------------------------------------------------------------------------------
# the block interface and a real disk
# --------------------------------------------------------------------------------------------
class BlockDevice:
    """The block interface. Subclasses implement ``_read(n)`` and ``_write(n, data)``.

    ``read_block``/``write_block`` check the block number and the data size, count the
    operations in ``reads``/``writes`` and report to the tracer: everything a caller can rely on
    is here, so any subclass is interchangeable with any other.
    """

    kind = "block device"

    def __init__(self, num_blocks: int, block_size: int = 64, name: str = "disk",
                 tracer: Tracer | None = None):
        if num_blocks <= 0 or block_size <= 0:
            raise ValueError("num_blocks and block_size must be positive")
        self.num_blocks = num_blocks
        self.block_size = block_size
        self.name = name
        self.tracer = tracer or _NO_TRACE
        self.reads = 0
        self.writes = 0

    @property
    def capacity(self) -> int:
        """Size in bytes, as the user of the interface sees it."""
        return self.num_blocks * self.block_size

    def _check(self, n: int):
        if not isinstance(n, int) or not 0 <= n < self.num_blocks:
            raise DiskError(f"{self.name}: block {n!r} out of range 0..{self.num_blocks - 1}")

    def read_block(self, n: int) -> bytes:
        self._check(n)
        with self.tracer.span(self.name, f"read_block({n})") as e:
            data = bytes(self._read(n))
            if e is not None:
                e.result = _short(data)
        self.reads += 1
        return data

    def write_block(self, n: int, data: bytes) -> None:
        self._check(n)
        if len(data) != self.block_size:
            raise DiskError(f"{self.name}: a block is {self.block_size} bytes, got {len(data)}")
        with self.tracer.span(self.name, f"write_block({n}, {_short(bytes(data))})"):
            self._write(n, bytes(data))
        self.writes += 1

    def _read(self, n: int) -> bytes:
        raise NotImplementedError

    def _write(self, n: int, data: bytes) -> None:
        raise NotImplementedError

    def __repr__(self):
        return (f"{type(self).__name__}({self.name!r}: {self.num_blocks} blocks x "
                f"{self.block_size} bytes)")


class Disk(BlockDevice):
    """A "physical" disk: the blocks are a bytearray (the platters)."""

    kind = "physical disk"

    def __init__(self, num_blocks: int = 256, block_size: int = 64, name: str = "disk",
                 tracer: Tracer | None = None):
        super().__init__(num_blocks, block_size, name, tracer)
        self.platters = bytearray(num_blocks * block_size)

    def _read(self, n):
        b = self.block_size
        return self.platters[n * b:(n + 1) * b]

    def _write(self, n, data):
        b = self.block_size
        self.platters[n * b:(n + 1) * b] = data


class MemoryImage:
    """The simplest host for a virtual disk's image: a growable byte array with the same
    ``read_at/write_at/size`` calls as a host file."""

    def __init__(self, name: str = "image", tracer: Tracer | None = None):
        self.name = name
        self.data = bytearray()
        self.tracer = tracer or _NO_TRACE

    def size(self) -> int:
        return len(self.data)

    def read_at(self, offset: int, n: int) -> bytes:
        with self.tracer.span(self.name, f"read_at({offset}, {n})"):
            out = bytes(self.data[offset:offset + n])
        return out + bytes(n - len(out))

    def write_at(self, offset: int, data: bytes) -> None:
        with self.tracer.span(self.name, f"write_at({offset}, {len(data)} bytes)"):
            end = offset + len(data)
            if end > len(self.data):
                self.data.extend(bytes(end - len(self.data)))
            self.data[offset:end] = data


# --------------------------------------------------------------------------------------------
# virtualization: a block device whose blocks live in a file
# --------------------------------------------------------------------------------------------
_VMAGIC = b"VDSK"
_VHEAD = struct.Struct("<4sHIHH")  # magic, block_size, num_blocks, header_blocks, allocated


class VirtualDisk(BlockDevice):
    """A BlockDevice whose blocks are stored in an image file on a host.

    ``backing`` is anything with ``read_at(offset, n)``, ``write_at(offset, data)`` and
    ``size()``: a :class:`FileHandle` of a host :class:`FileSystem` (the usual case: a disk
    image is a file), or a :class:`MemoryImage`.

    ``thin=False`` (raw image): guest block n is at image offset ``n * block_size``; the image
    is made as large as the whole disk when the VirtualDisk is created.
    ``thin=True`` (sparse image): the image starts with ``header_blocks`` blocks of header -- a
    magic word, the geometry and the *allocation list*: entry i says which guest block is stored
    in slot i, and slot i is at offset ``(header_blocks + i) * block_size``. A guest block gets a
    slot the first time it is written with something other than zeros; reading a block that has
    no slot returns zeros without touching the image. So the image grows with what the guest
    stores, not with the size of the disk it was promised.

    ``translate(n)`` says where guest block ``n`` lives; ``translations`` records each
    translation made (the log the notebook prints).
    """

    kind = "virtual disk"

    def __init__(self, backing, num_blocks: int, block_size: int = 64, name: str = "vdisk",
                 thin: bool = False, header_blocks: int = 1, tracer: Tracer | None = None):
        super().__init__(num_blocks, block_size, name, tracer)
        self.backing = backing
        self.thin = thin
        self.header_blocks = header_blocks if thin else 0
        self.slots: dict[int, int] = {}  # guest block -> slot (thin images)
        self.translations: list[str] = []
        if thin:
            self.max_slots = (header_blocks * block_size - _VHEAD.size) // 4
            if self.max_slots < 1:
                raise ValueError("the header has no room for the allocation list: "
                                 "use more header_blocks")
            if backing.size() >= _VHEAD.size:
                self._load_header()
            else:
                self._save_header()
        elif backing.size() < self.capacity:  # a raw image is as large as the disk it holds
            backing.write_at(backing.size(), bytes(self.capacity - backing.size()))

    # -- thin image header ------------------------------------------------------------------
    def _load_header(self):
        raw = self.backing.read_at(0, self.header_blocks * self.block_size)
        magic, bs, nb, hb, count = _VHEAD.unpack_from(raw)
        if magic != _VMAGIC or bs != self.block_size or nb != self.num_blocks \
                or hb != self.header_blocks:
            raise DiskError(f"{self.name}: the image's header does not match this disk")
        for i in range(count):
            (vb,) = struct.unpack_from("<I", raw, _VHEAD.size + 4 * i)
            self.slots[vb] = i

    def _save_header(self, new_slot: int | None = None):
        if new_slot is None:  # a fresh image: the whole header
            raw = bytearray(self.header_blocks * self.block_size)
            _VHEAD.pack_into(raw, 0, _VMAGIC, self.block_size, self.num_blocks,
                             self.header_blocks, 0)
            self.backing.write_at(0, bytes(raw))
            return
        vb = next(v for v, s in self.slots.items() if s == new_slot)
        self.backing.write_at(_VHEAD.size + 4 * new_slot, struct.pack("<I", vb))
        self.backing.write_at(0, _VHEAD.pack(_VMAGIC, self.block_size, self.num_blocks,
                                             self.header_blocks, len(self.slots)))

    # -- translation ------------------------------------------------------------------------
    def translate(self, n: int) -> int | None:
        """The image offset of guest block ``n`` (``None``: a thin block never written)."""
        self._check(n)
        if not self.thin:
            return n * self.block_size
        slot = self.slots.get(n)
        if slot is None:
            return None
        return (self.header_blocks + slot) * self.block_size

    @property
    def image_size(self) -> int:
        return self.backing.size()

    @property
    def allocated_blocks(self) -> int:
        return len(self.slots) if self.thin else self.num_blocks

    def _log(self, text: str):
        self.translations.append(text)
        self.tracer.note(self.name, "translate: " + text)

    def _read(self, n):
        off = self.translate(n)
        if off is None:
            self._log(f"read  block {n}: not allocated, zeros")
            return bytes(self.block_size)
        self._log(f"read  block {n} -> image offset {off}")
        return self.backing.read_at(off, self.block_size)

    def _write(self, n, data):
        off = self.translate(n)
        if off is None:
            if not any(data):
                self._log(f"write block {n}: zeros to an unallocated block, nothing stored")
                return
            if len(self.slots) >= self.max_slots:
                raise DiskError(f"{self.name}: image header full ({self.max_slots} slots)")
            slot = len(self.slots)
            self.slots[n] = slot
            off = self.translate(n)
            self._log(f"write block {n} -> image offset {off} (new slot {slot})")
            self.backing.write_at(off, data)
            self._save_header(slot)
            return
        self._log(f"write block {n} -> image offset {off}")
        self.backing.write_at(off, data)


# --------------------------------------------------------------------------------------------
# abstraction: a tiny FAT file system over any BlockDevice
# --------------------------------------------------------------------------------------------
_MAGIC = b"TFS1"
_SUPER = struct.Struct("<4sHIHHHHH")  # magic, bs, nblocks, fat_start, fat_blocks, dir_start,
#                                       dir_blocks, data_start
_DIRENT = struct.Struct("<20sIHH4x")  # name, size, first block, used flag  (32 bytes)
FREE, END, RESERVED = 0x0000, 0xFFFF, 0xFFFE
NAME_MAX = 20


class FileSystem:
    """Named files on a BlockDevice -- an abstraction that hides blocks.

    On-disk layout (block numbers for the defaults): block 0 the superblock; then the *file
    allocation table* (one 16-bit entry per block: 0 free, 0xFFFF end of a file, 0xFFFE
    reserved, otherwise the next block of the same file); then the directory (32-byte entries:
    name, size, first block); then data blocks. Nothing is cached: every call reads and writes
    the device, except what real file systems keep in memory too: the allocation table (read
    once when mounting, written through on every change) and the size and first block of files
    that have been opened (their in-memory *inodes*). So a trace shows everything the
    abstraction hides.

    Use :meth:`mkfs` to format a device, or ``FileSystem(device)`` to mount a formatted one.
    """

    def __init__(self, device: BlockDevice, name: str = "fs", tracer: Tracer | None = None):
        self.dev = device
        self.name = name
        self.tracer = tracer or getattr(device, "tracer", _NO_TRACE)
        sb = device.read_block(0)
        (magic, bs, nb, self.fat_start, self.fat_blocks, self.dir_start, self.dir_blocks,
         self.data_start) = _SUPER.unpack_from(sb)
        if magic != _MAGIC:
            raise FSError(f"{device.name}: no file system (bad magic {magic!r})")
        if bs != device.block_size or nb != device.num_blocks:
            raise FSError(f"{device.name}: file system geometry does not match the device")
        self.block_size = bs
        self.num_blocks = nb
        raw = b"".join(device.read_block(self.fat_start + i) for i in range(self.fat_blocks))
        self.fat = list(struct.unpack_from(f"<{nb}H", raw))  # in-memory allocation table
        self._inodes: dict[int, list] = {}                    # dir index -> [size, first]

    # -- formatting -------------------------------------------------------------------------
    @classmethod
    def mkfs(cls, device: BlockDevice, dir_entries: int = 16, name: str = "fs",
             tracer: Tracer | None = None) -> "FileSystem":
        """Write an empty file system onto ``device`` and mount it."""
        bs, nb = device.block_size, device.num_blocks
        if nb > 0xFFF0:
            raise FSError("at most 65520 blocks")
        fat_blocks = -(-2 * nb // bs)
        dir_blocks = -(-dir_entries * _DIRENT.size // bs)
        data_start = 1 + fat_blocks + dir_blocks
        if data_start >= nb:
            raise FSError(f"{device.name}: too small for a file system")
        tr = tracer or getattr(device, "tracer", _NO_TRACE)
        with tr.span(name, f"mkfs({device.name})"):
            sb = bytearray(bs)
            _SUPER.pack_into(sb, 0, _MAGIC, bs, nb, 1, fat_blocks, 1 + fat_blocks, dir_blocks,
                             data_start)
            device.write_block(0, bytes(sb))
            fat = bytearray(fat_blocks * bs)
            for b in range(data_start):
                struct.pack_into("<H", fat, 2 * b, RESERVED)
            for i in range(fat_blocks):
                device.write_block(1 + i, bytes(fat[i * bs:(i + 1) * bs]))
            for i in range(dir_blocks):
                device.write_block(1 + fat_blocks + i, bytes(bs))
        return cls(device, name=name, tracer=tracer)

    # -- the file allocation table ------------------------------------------------------------
    def _fat_get(self, b: int) -> int:
        return self.fat[b]

    def _fat_set(self, b: int, value: int):
        """Change one entry and write its FAT block through to the device."""
        self.fat[b] = value
        per = self.block_size // 2
        blk = b // per
        entries = self.fat[blk * per:(blk + 1) * per]
        raw = struct.pack(f"<{len(entries)}H", *entries).ljust(self.block_size, b"\0")
        self.dev.write_block(self.fat_start + blk, raw)

    def _alloc(self) -> int:
        for b in range(self.data_start, self.num_blocks):
            if self.fat[b] == FREE:
                self._fat_set(b, END)
                return b
        raise FSError(f"{self.dev.name}: no space left on device")

    def _chain(self, first: int) -> list[int]:
        out = []
        b = first
        while b not in (FREE, END, RESERVED):
            out.append(b)
            b = self._fat_get(b)
            if len(out) > self.num_blocks:
                raise FSError("corrupt allocation table (a loop)")
        return out

    # -- the directory --------------------------------------------------------------------------
    def _entries(self):
        """Yield (index, name, size, first) for used entries."""
        per = self.block_size // _DIRENT.size
        for i in range(self.dir_blocks):
            raw = self.dev.read_block(self.dir_start + i)
            for j in range(per):
                nm, size, first, used = _DIRENT.unpack_from(raw, j * _DIRENT.size)
                if used:
                    yield i * per + j, nm.rstrip(b"\0").decode(), size, first

    def _put_entry(self, index: int, name: str, size: int, first: int, used: int = 1):
        if used:
            self._inodes[index] = [size, first]
        else:
            self._inodes.pop(index, None)
        per = self.block_size // _DIRENT.size
        blk, j = divmod(index, per)
        raw = bytearray(self.dev.read_block(self.dir_start + blk))
        _DIRENT.pack_into(raw, j * _DIRENT.size, name.encode(), size, first, used)
        self.dev.write_block(self.dir_start + blk, bytes(raw))

    def _lookup(self, name: str):
        """One pass over the directory: ``(index, size, first)`` of ``name`` or ``None``, and
        the index of the first free entry (or ``None``)."""
        per = self.block_size // _DIRENT.size
        free = None
        for i in range(self.dir_blocks):
            raw = self.dev.read_block(self.dir_start + i)
            for j in range(per):
                nm, size, first, used = _DIRENT.unpack_from(raw, j * _DIRENT.size)
                if used and nm.rstrip(b"\0").decode() == name:
                    return (i * per + j, size, first), free
                if not used and free is None:
                    free = i * per + j
        return None, free

    # -- the file API ---------------------------------------------------------------------------
    def open(self, name: str, mode: str = "r") -> "FileHandle":
        """Open ``name``: ``"r"`` read, ``"r+"`` read/write, ``"w"`` create or truncate,
        ``"a"`` append (created if missing)."""
        if mode not in ("r", "r+", "w", "a"):
            raise ValueError(f"mode must be r, r+, w or a, not {mode!r}")
        raw_name = name.encode()
        if not name or len(raw_name) > NAME_MAX or "\0" in name:
            raise FSError(f"bad file name {name!r} (1..{NAME_MAX} bytes)")
        with self.tracer.span(self.name, f"open({name!r}, {mode!r})"):
            found, free = self._lookup(name)
            if found is None:
                if mode in ("r", "r+"):
                    raise FSError(f"no such file: {name!r}")
                if free is None:
                    raise FSError("directory full")
                self._put_entry(free, name, 0, END)
                found = (free, 0, END)
            elif mode == "w" and found[1]:
                for b in self._chain(found[2]):
                    self._fat_set(b, FREE)
                self._put_entry(found[0], name, 0, END)
                found = (found[0], 0, END)
        idx, size, first = found
        self._inodes[idx] = [size, first]
        fh = FileHandle(self, name, idx, mode)
        if mode == "a":
            fh.pos = size
        return fh

    def listdir(self) -> list[str]:
        with self.tracer.span(self.name, "listdir()") as e:
            names = sorted(nm for _, nm, _, _ in self._entries())
            if e is not None:
                e.result = repr(names)
        return names

    def stat(self, name: str) -> dict:
        """``{"size": bytes, "blocks": [block numbers of the file, in order]}``."""
        with self.tracer.span(self.name, f"stat({name!r})"):
            found, _ = self._lookup(name)
            if found is None:
                raise FSError(f"no such file: {name!r}")
            return {"size": found[1], "blocks": self._chain(found[2])}

    def stat_quiet(self, name: str) -> dict:
        """:meth:`stat` without reporting to the tracer (for pictures)."""
        saved = getattr(self.tracer, "enabled", None)
        if saved is not None:
            self.tracer.enabled = False
        try:
            return self.stat(name)
        finally:
            if saved is not None:
                self.tracer.enabled = saved

    def remove(self, name: str) -> None:
        with self.tracer.span(self.name, f"remove({name!r})"):
            found, _ = self._lookup(name)
            if found is None:
                raise FSError(f"no such file: {name!r}")
            for b in self._chain(found[2]):
                self._fat_set(b, FREE)
            self._put_entry(found[0], "", 0, 0, used=0)

    def free_blocks(self) -> int:
        return sum(1 for b in range(self.data_start, self.num_blocks) if self.fat[b] == FREE)

    def block_map(self) -> list[str]:
        """What each block of the device holds: ``"super"``, ``"fat"``, ``"dir"``, a file's
        name, or ``"free"`` (read without tracing, for pictures)."""
        roles = ["super"] + ["fat"] * self.fat_blocks + ["dir"] * self.dir_blocks
        roles += ["free"] * (self.num_blocks - len(roles))
        saved = getattr(self.tracer, "enabled", None)
        if saved is not None:
            self.tracer.enabled = False
        try:
            for _, nm, _, first in list(self._entries()):
                for b in self._chain(first):
                    roles[b] = nm
        finally:
            if saved is not None:
                self.tracer.enabled = saved
        return roles

    # used by FileHandle
    def _read_at(self, idx, offset, n):
        size, first = self._meta(idx)
        n = max(0, min(n, size - offset))
        out = bytearray()
        if n == 0:
            return b""
        bs = self.block_size
        chain = self._chain(first)
        pos = offset
        while len(out) < n:
            b = chain[pos // bs]
            data = self.dev.read_block(b)
            take = data[pos % bs: pos % bs + (n - len(out))]
            out += take
            pos += len(take)
        return bytes(out)

    def _write_at(self, idx, name, offset, data):
        size, first = self._meta(idx)
        if offset > size:  # writing past the end: fill the gap with zeros first
            self._write_at(idx, name, size, bytes(offset - size))
            size, first = self._meta(idx)
        bs = self.block_size
        chain = self._chain(first)
        end = offset + len(data)
        need = -(-end // bs)
        new_first = first
        while len(chain) < need:  # grow the file one block at a time
            b = self._alloc()
            if chain:
                self._fat_set(chain[-1], b)
            else:
                new_first = b
            chain.append(b)
        pos = offset
        i = 0
        while i < len(data):
            b = chain[pos // bs]
            o = pos % bs
            take = data[i:i + bs - o]
            if o == 0 and len(take) == bs:
                block = take
            else:
                block = bytearray(self.dev.read_block(b))
                block[o:o + len(take)] = take
            self.dev.write_block(b, bytes(block))
            pos += len(take)
            i += len(take)
        if end > size or new_first != first:
            self._put_entry(idx, name, max(size, end), new_first)

    def _meta(self, idx):
        if idx in self._inodes:
            return tuple(self._inodes[idx])
        per = self.block_size // _DIRENT.size
        blk, j = divmod(idx, per)
        raw = self.dev.read_block(self.dir_start + blk)
        _, size, first, _ = _DIRENT.unpack_from(raw, j * _DIRENT.size)
        return size, first

    def __repr__(self):
        return f"FileSystem({self.name!r} on {self.dev!r})"


class FileHandle:
    """An open file: ``read``, ``write``, ``seek``, ``tell``, ``close``; and ``read_at``,
    ``write_at``, ``size`` -- which is all a :class:`VirtualDisk` needs from its image file."""

    def __init__(self, fs: FileSystem, name: str, idx: int, mode: str):
        self.fs, self.name, self._idx, self.mode = fs, name, idx, mode
        self.pos = 0
        self.closed = False

    def _ok(self, writing: bool):
        if self.closed:
            raise ValueError("I/O on a closed file")
        if writing and self.mode == "r":
            raise FSError(f"{self.name!r} is open read-only")
        if not writing and self.mode in ("w", "a"):
            raise FSError(f"{self.name!r} is open write-only")

    def size(self) -> int:
        return self.fs._meta(self._idx)[0]

    def read(self, n: int = -1) -> bytes:
        self._ok(False)
        with self.fs.tracer.span(self.fs.name, f"read({self.name!r}, {n})") as e:
            if n < 0:
                n = self.size() - self.pos
            data = self.fs._read_at(self._idx, self.pos, n)
            if e is not None:
                e.result = repr(data) if len(data) <= 40 else repr(data[:40]) + "..."
        self.pos += len(data)
        return data

    def write(self, data: bytes) -> int:
        self._ok(True)
        data = bytes(data)
        with self.fs.tracer.span(self.fs.name, f"write({self.name!r}, {_short(data, 24)})"):
            self.fs._write_at(self._idx, self.name, self.pos, data)
        self.pos += len(data)
        return len(data)

    def read_at(self, offset: int, n: int) -> bytes:
        self._ok(False)
        with self.fs.tracer.span(self.fs.name, f"read_at({self.name!r}, {offset}, {n})"):
            data = self.fs._read_at(self._idx, offset, n)
        return data + bytes(n - len(data))

    def write_at(self, offset: int, data: bytes) -> None:
        self._ok(True)
        with self.fs.tracer.span(self.fs.name,
                                 f"write_at({self.name!r}, {offset}, {len(data)} bytes)"):
            self.fs._write_at(self._idx, self.name, offset, bytes(data))

    def seek(self, pos: int) -> int:
        self.pos = pos
        return pos

    def tell(self) -> int:
        return self.pos

    def close(self):
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<file {self.name!r} mode {self.mode!r}>"


# --------------------------------------------------------------------------------------------
# the two stacks of the chapter, and the running example
# --------------------------------------------------------------------------------------------
@dataclass
class Stack:
    """One configuration of the chapter's picture: which layers, top to bottom, and the
    interface each layer offers to the one above."""

    mode: str
    layers: list            #: [(name, what it is)] top to bottom
    interfaces: list        #: interface between layers i and i+1
    fs: FileSystem          #: the file system the example runs on
    tracer: Tracer
    disk: Disk              #: the physical disk at the bottom
    vdisk: VirtualDisk | None = None


    def mapping(self) -> list[tuple]:
        """Where the file system's blocks really are. For each block the (guest) file system
        uses: ``(block, role, image offset or None, disk block)``. Abstracted: the disk block is
        the block itself. Virtualized: guest block -> offset in guest.img -> host disk block."""
        roles = self.fs.block_map()
        out = []
        if self.vdisk is None:
            for b, r in enumerate(roles):
                if r != "free":
                    out.append((b, r, None, b))
            return out
        host_chain = self.host_fs.stat_quiet("guest.img")["blocks"]
        for b, r in enumerate(roles):
            off = self.vdisk.translate(b)
            if off is None or r == "free":
                continue
            out.append((b, r, off, host_chain[off // self.disk.block_size]))
        return out

    @property
    def host_fs(self) -> "FileSystem":
        return self.vdisk.backing.fs


def build_stack(mode: str, thin: bool = True, tracer: Tracer | None = None) -> Stack:
    """``"abstracted"``: an application on a FileSystem on a Disk.
    ``"virtualized"``: a guest FileSystem on a VirtualDisk whose image is a file of a host
    FileSystem on a Disk. Both file systems are freshly formatted (not traced)."""
    tr = tracer or Tracer()
    tr.enabled = False
    if mode == "abstracted":
        disk = Disk(64, 64, name="disk", tracer=tr)
        fs = FileSystem.mkfs(disk, dir_entries=4, name="fs", tracer=tr)
        st = Stack(mode, [("application", "calls open/read/write on named files"),
                          ("fs", "file system: names -> blocks (FAT)"),
                          ("disk", "physical disk: 64 blocks x 64 B")],
                   ["file API: open, read, write, listdir", "block API: read_block, write_block"],
                   fs, tr, disk)
    elif mode == "virtualized":
        disk = Disk(256, 64, name="disk", tracer=tr)
        host = FileSystem.mkfs(disk, dir_entries=4, name="host-fs", tracer=tr)
        host.open("guest.img", "w").close()
        image = host.open("guest.img", "r+")
        vdisk = VirtualDisk(image, num_blocks=64, block_size=64, name="vdisk", thin=thin,
                            tracer=tr)
        fs = FileSystem.mkfs(vdisk, dir_entries=4, name="guest-fs", tracer=tr)
        st = Stack(mode, [("guest-fs", "the SAME file system code, unmodified"),
                          ("vdisk", f"virtual disk: 64 blocks x 64 B, {'thin' if thin else 'raw'}"
                                    " image"),
                          ("host-fs", "host file system: guest.img is an ordinary file"),
                          ("disk", "physical disk: 256 blocks x 64 B")],
                   ["block API: read_block, write_block  (same as a real disk)",
                    "file API: read_at, write_at on guest.img",
                    "block API: read_block, write_block"],
                   fs, tr, disk, vdisk)
    else:
        raise ValueError(f"mode must be 'abstracted' or 'virtualized', not {mode!r}")
    tr.enabled = True
    return st


#: the running example of chapter 01: (label, function of a FileSystem)
EXAMPLE_SCRIPT = [
    ("fs.open('hello.txt', 'w').write(b'Hello, virtual world!')",
     lambda fs: fs.open("hello.txt", "w").write(b"Hello, virtual world!")),
    ("fs.open('hello.txt').read()", lambda fs: fs.open("hello.txt").read()),
    ("fs.open('notes.txt', 'w').write(b'abc' * 30)",
     lambda fs: fs.open("notes.txt", "w").write(b"abc" * 30)),
    ("fs.listdir()", lambda fs: fs.listdir()),
    ("fs.stat('notes.txt')", lambda fs: fs.stat("notes.txt")),
]


@dataclass
class StepResult:
    label: str
    result: object
    trace: list       #: TraceEntry objects of this step
    block_ops: list   #: the block calls the file system made on the device right below it

    def counts(self) -> dict:
        c: dict = {}
        for e in self.trace:
            op = e.call.split("(")[0].split(":")[0]
            c[(e.layer, op)] = c.get((e.layer, op), 0) + 1
        return c


def run_example(mode: str, thin: bool = True, upto: int | None = None
                ) -> tuple[Stack, list[StepResult]]:
    """Run :data:`EXAMPLE_SCRIPT` (its first ``upto + 1`` steps) on the stack of ``mode``;
    return the stack and, per step, the result, the full trace and the block calls the (guest)
    file system made."""
    st = build_stack(mode, thin=thin)
    fs_dev = st.fs.dev.name
    out = []
    script = EXAMPLE_SCRIPT if upto is None else EXAMPLE_SCRIPT[:upto + 1]
    for label, fn in script:
        st.tracer.clear()
        result = fn(st.fs)
        entries = list(st.tracer.entries)
        ops = [e.call for e in entries if e.layer == fs_dev and e.depth == 1]
        out.append(StepResult(label, result, entries, ops))
    st.tracer.clear()
    return st, out


# --------------------------------------------------------------------------------------------
# exercises
# --------------------------------------------------------------------------------------------
class ImageOffset(Exercise):
    """Where in a thin image does a guest block live?"""

    chapter = 1
    title = "Find a guest block in a thin image"
    hints_replace_generic = True

    def generate(self, rng):
        bs = rng.choice([64, 128, 512])
        nblocks = rng.choice([64, 128, 256])
        header = rng.choice([1, 2])
        writes = []
        for _ in range(rng.randint(5, 8)):
            b = rng.randrange(nblocks)
            zero = rng.random() < 0.2
            writes.append((b, zero))
        if all(z for _, z in writes):
            writes[0] = (writes[0][0], False)
        nonzero = [b for b, z in writes if not z]
        target = rng.choice(nonzero)
        return {"block_size": bs, "num_blocks": nblocks, "header_blocks": header,
                "writes": writes, "target": target}

    def _disk(self, p):
        vd = VirtualDisk(MemoryImage(), p["num_blocks"], p["block_size"], thin=True,
                         header_blocks=p["header_blocks"])
        for b, zero in p["writes"]:
            vd.write_block(b, bytes(p["block_size"]) if zero else bytes([b % 255 + 1])
                           * p["block_size"])
        return vd

    def solve(self, p):
        return self._disk(p).translate(p["target"])

    def question(self, p):
        ws = ", ".join(f"{b}{' (zeros)' if z else ''}" for b, z in p["writes"])
        return (f"A thin virtual disk has {p['num_blocks']} blocks of {p['block_size']} bytes; "
                f"its image starts with {p['header_blocks']} header block(s).\n"
                f"The guest writes these blocks, in this order: {ws}.\n"
                "A write of all zeros to a block that has no slot stores nothing.\n"
                f"At which byte offset of the image file is guest block {p['target']} stored?")

    def explain(self, p, answer):
        vd = self._disk(p)
        return ("Slots are handed out in the order of first non-zero writes:\n"
                + "\n".join("  " + t for t in vd.translations)
                + f"\nBlock {p['target']} has slot {vd.slots[p['target']]}, so its offset is "
                  f"({p['header_blocks']} + {vd.slots[p['target']]}) * {p['block_size']}.")

    def diagnose(self, p, given):
        bs, t = p["block_size"], p["target"]
        if not isinstance(given, int):
            return ["Answer with a byte offset (an int)."]
        if given == t * bs:
            return ["That is where the block would be in a raw image (block * block_size); "
                    "this image is thin: blocks are stored in the order they were first written."]
        if given == (t + p["header_blocks"]) * bs:
            return ["Header plus block number is still raw-image thinking: use the slot number, "
                    "the order of first writes."]
        slot = self._disk(p).slots[t]
        if given == slot * bs:
            return ["Right slot, but the image starts with the header: skip it."]
        if given % bs:
            return ["Every slot starts at a multiple of the block size."]
        return []

    def wrong_answers(self, p, answer):
        bs, t = p["block_size"], p["target"]
        slot = self._disk(p).slots[t]
        return [t * bs, slot * bs, answer + 1, (t + p["header_blocks"]) * bs]


#: (statement, "A" or "V", why): abstraction hides detail behind a new, simpler interface;
#: virtualization maps a virtual system's whole interface and resources onto a real system,
#: whose own interface may be the same or different (Smith & Nair 2005).
_STATEMENTS = [
    ("A file system lets programs use named files instead of numbered disk blocks.", "A",
     "named files are a new, simpler interface; the blocks below are hidden"),
    ("The socket API gives a program a reliable byte stream and hides packets, "
     "retransmissions and routing.", "A",
     "a byte stream is a new, simpler interface; packets and routes are hidden"),
    ("printf formats numbers into text and hides the write system call underneath.", "A",
     "formatted printing is a new, simpler interface over write"),
    ("SQL lets you ask for rows by their values and hides how tables are laid out on disk.", "A",
     "queries by value are a new interface; the layout on disk is hidden"),
    ("In the OSI model, the transport layer hides the network layer's packets from "
     "applications.", "A", "each OSI layer offers a new interface and hides the one below"),
    ("A GUI toolkit offers buttons and windows and hides the pixels and the graphics card.", "A",
     "widgets are a new, simpler interface; pixels and the card are hidden"),
    ("A disk image file answers read_block and write_block exactly as a disk would.", "V",
     "a disk's whole interface, mapped onto a file (a different interface below)"),
    ("Each process sees its own address space, used with the same load and store "
     "instructions, mapped by page tables onto part of the real RAM.", "V",
     "a whole memory, mapped onto part of the real one (the same interface below)"),
    ("A hypervisor gives each guest operating system a CPU with the same instruction set "
     "and privileged registers as the real one.", "V",
     "a whole CPU, privileged part included, mapped onto the real CPU of the same kind"),
    ("A loop device (Linux losetup) makes an ordinary file appear as a block device.", "V",
     "a block device's whole interface, mapped onto a file"),
    ("An emulator runs RISC-V programs on an x86 laptop by presenting them a RISC-V CPU.", "V",
     "a whole RISC-V CPU, mapped onto an x86 one: a different interface below is still "
     "virtualization"),
    ("A VLAN makes one physical switch behave, for the machines plugged into it, like several "
     "separate switches.", "V", "several whole switches, mapped onto one real switch"),
]


class AbstractionOrVirtualization(Exercise):
    """Classify statements: abstraction (A) or virtualization (V)?"""

    chapter = 1
    title = "Abstraction or virtualization?"

    def generate(self, rng):
        a = [i for i, (_, k, _) in enumerate(_STATEMENTS) if k == "A"]
        v = [i for i, (_, k, _) in enumerate(_STATEMENTS) if k == "V"]
        picked = rng.sample(a, 3) + rng.sample(v, 2)
        picked.append(rng.choice([i for i in a + v if i not in picked]))
        rng.shuffle(picked)
        return {"items": picked}

    def solve(self, p):
        return [_STATEMENTS[i][1] for i in p["items"]]

    def question(self, p):
        lines = ["For each statement, answer 'A' if it describes abstraction (a different, "
                 "simpler\ninterface that hides the details below it) or 'V' if it describes "
                 "virtualization (a\nvirtual system's whole interface, nothing hidden, mapped "
                 "onto a real system whose\nown interface may be the same or different). "
                 "Answer with a list, e.g. ['A', 'V', ...]."]
        for k, i in enumerate(p["items"]):
            lines.append(textwrap.fill(_STATEMENTS[i][0], 92, initial_indent=f"  {k + 1}. ",
                                       subsequent_indent="     "))
        return "\n".join(lines)

    def explain(self, p, answer):
        return "\n".join(textwrap.fill(f"{a}: {_STATEMENTS[i][2]}.", 92,
                                        initial_indent=f"  {k + 1}. ", subsequent_indent="     ")
                          for k, (i, a) in enumerate(zip(p["items"], answer)))

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, str):
            given = [c for c in given.upper() if c in "AV"]
        if isinstance(given, list):
            given = [g.strip().upper()[:1] if isinstance(g, str) else g for g in given]
        return given

    def diagnose(self, p, given):
        if isinstance(given, list) and len(given) == len(p["items"]):
            wrong = [k for k, (g, a) in enumerate(zip(given, self.solve(p)), 1) if g != a]
            if wrong:
                return [f"Look again at statement(s) {wrong}: is a detail hidden behind a new, "
                        "simpler interface (abstraction), or does the software get the whole "
                        "interface of a real kind of system, mapped onto something else -- "
                        "whatever interface that has (virtualization)?"]
        return []

    def wrong_answers(self, p, answer):
        flipped = ["V" if a == "A" else "A" for a in answer]
        return [flipped, answer[:-1], ["A"] * len(answer)]
