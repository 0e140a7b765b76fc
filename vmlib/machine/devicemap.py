"""The device map: which device answers at which physical address (kvmtool's
``kvm__register_mmio``).

A device registers its register window once; every path that reaches a device register then
finds it here: the machine's bus, a hypervisor's instruction emulator (an MMIO access a guest
made), a KVM-style user-space loop. A device is any object with ``name``, ``read(offset,
size)`` and ``write(offset, size, value)``.
"""


class DeviceMap:
    def __init__(self, devices=()):
        self.windows = []                   # (base, size, device), in registration order
        for base, size, device in devices:
            self.register(base, size, device)

    def register(self, base, size, device):
        """Map ``device`` at physical ``base`` for ``size`` bytes; ValueError on overlap."""
        for b, s, d in self.windows:
            if base < b + s and b < base + size:
                raise ValueError(f'{device.name} at 0x{base:08x} overlaps {d.name} '
                                 f'at 0x{b:08x}')
        self.windows.append((base, size, device))

    def find(self, pa):
        """``(base, device)`` of the window holding ``pa``, or ``(None, None)``."""
        for base, size, device in self.windows:
            if base <= pa < base + size:
                return base, device
        return None, None

    def device(self, name):
        """The device registered under ``name`` (KeyError if none)."""
        for _, _, device in self.windows:
            if device.name == name:
                return device
        raise KeyError(name)

    def __iter__(self):
        return iter(self.windows)
