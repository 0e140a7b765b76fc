"""virtio: the paravirtual devices of KVM and QEMU, on the course machine.

A *transport* (``mmio.VirtioMmio``: registers at QEMU virt's addresses) carries a *device*
(``block.Block``, ``console.Console``) whose data moves through *split virtqueues*
(``queue.Virtqueue``) in guest memory. The same rings serve the paravirtual guest of chapter 11,
which notifies by hypercall instead of an MMIO store.
"""

from .block import Block, DiskError, DiskImage
from .console import Console
from .mmio import (VIRTIO_BASE, VIRTIO_SLOTS, VIRTIO_STRIDE, RamDma, VirtioMmio, attach,
                   slot_address, slot_of)
from .queue import RingError, Virtqueue

__all__ = ['Block', 'Console', 'DiskError', 'DiskImage', 'RamDma', 'RingError', 'VirtioMmio',
           'Virtqueue', 'VIRTIO_BASE', 'VIRTIO_SLOTS', 'VIRTIO_STRIDE', 'attach', 'slot_address',
           'slot_of']
