"""Frames: 4 KiB pieces of a machine's RAM handed out by software that builds page tables.

The process VM (its process's pages and page tables) and a hypervisor (one pool of shadow
page-table frames per guest) both need frames; ``FramePool`` is the one allocator: a bump
pointer over RAM never used before, then a free list. A reused frame is zeroed through the
bus (``load_bytes``), so that whoever caches decoded instructions hears that it changed.
"""

from .bus import RAM_BASE
from .sv32 import PAGE


class OutOfFrames(Exception):
    """The pool has no free frame left."""


class FramePool:
    """Frames of ``bus``'s RAM from RAM index ``base`` for ``size`` bytes (default: the
    rest of RAM). RAM the pool never handed out must be zero (as a new machine's is)."""

    def __init__(self, bus, base=0, size=None):
        self.bus = bus
        self.base = (base + PAGE - 1) & ~(PAGE - 1)
        self.limit = bus.ram_size if size is None else base + size
        self.next = self.base               # frames below have been handed out at least once
        self.free = []
        self.in_use = 0

    @property
    def size(self):
        return self.limit - self.base

    @property
    def available(self):
        return len(self.free) + (self.limit - self.next) // PAGE

    def alloc(self):
        """The RAM index of a zeroed frame; ``OutOfFrames`` when none is left."""
        if self.free:
            index = self.free.pop()
            self.bus.load_bytes(RAM_BASE + index, bytes(PAGE))
        elif self.next + PAGE <= self.limit:
            index = self.next
            self.next += PAGE
        else:
            raise OutOfFrames(f'no free frame left among {(self.limit - self.base) // PAGE:,}')
        self.in_use += 1
        return index

    def alloc_aligned(self, count, align):
        """The RAM index of ``count`` contiguous zeroed frames starting on an ``align``-byte
        boundary, from the part of the pool never handed out (an Sv32x4 root table takes
        four, 16 KiB aligned); the frames skipped to get there go to the free list."""
        start = -(-(RAM_BASE + self.next) // align) * align - RAM_BASE
        if start + count * PAGE > self.limit:
            raise OutOfFrames(f'no {count} contiguous frames left, {align}-byte aligned')
        for skipped in range(self.next, start, PAGE):
            self.free.append(skipped)
        self.next = start + count * PAGE
        self.in_use += count
        return start

    def release(self, index):
        self.in_use -= 1
        self.free.append(index)
