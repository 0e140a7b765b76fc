"""The flattened device tree: how the machine tells a kernel what hardware it has.

A kernel is not built for one board; it reads a *device tree blob* (DTB) the firmware leaves
in memory and finds RAM, the harts, the interrupt controllers and the devices there. This
module writes one (Devicetree Specification v0.4, chapter 5) and describes the course machine
from its device map, in the shape of QEMU's ``virt`` board (``hw/riscv/virt.c``), so a guest
written for QEMU finds the same nodes here. Adding a device to the map changes the tree.

    >>> root = Node('', {'model': 'tiny'}, [Node('chosen', {'bootargs': 'quiet'})])
    >>> dtb = to_dtb(root)
    >>> dtb[:4].hex(), int.from_bytes(dtb[4:8], 'big') == len(dtb)     # magic, totalsize
    ('d00dfeed', True)
"""

import hashlib
import struct

from .devices import Uart16550, Clint, SifiveTest
from .plic import Plic, NUM_SOURCES
from .traps import MSI, MTI, SEI, MEI
from .virtio.mmio import VirtioMmio

MAGIC, VERSION, LAST_COMP_VERSION = 0xD00DFEED, 17, 16
BEGIN_NODE, END_NODE, PROP, END = 1, 2, 3, 9
HEADER = struct.Struct('>10I')


class Phandle:
    """A reference to the node labelled ``label``, written as one cell: nodes refer to each
    other (a device to its interrupt controller) by number, and the numbers exist only once
    the whole tree is known, so they are given out at write time (1, 2, 3... in tree order)."""

    def __init__(self, label):
        self.label = label

    def __repr__(self):
        return f'Phandle({self.label!r})'


class Node:
    """One node: ``name`` ('' for the root, ``'serial@10000000'``), ``props`` (a dict; a
    value is an int for one cell, ints and ``Phandle``s for cells, a str, strs for a string
    list, bytes, or True/empty for a flag), ``children``; ``label`` lets cells refer to it."""

    def __init__(self, name, props=None, children=(), label=None):
        self.name, self.props, self.children = name, dict(props or {}), list(children)
        self.label = label

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def kind(value):
    """What a property value is, as ``(kind, items)``: ``'flag'`` (empty), ``'bytes'``,
    ``'strings'`` or ``'cells'`` (ints and ``Phandle``s); the blob and the source text both
    write from it."""
    if value is True or value in ((), [], b''):
        return 'flag', ()
    if isinstance(value, (bytes, bytearray)):
        return 'bytes', bytes(value)
    items = [value] if isinstance(value, (int, Phandle, str)) else list(value)
    return ('strings' if all(isinstance(v, str) for v in items) else 'cells'), items


def encode(value, phandles):
    """The bytes of one property value (big-endian cells, NUL-terminated strings)."""
    what, items = kind(value)
    if what == 'strings':
        return b''.join(v.encode() + b'\0' for v in items)
    if what == 'cells':
        cells = [phandles[v.label] if isinstance(v, Phandle) else v for v in items]
        return struct.pack(f'>{len(cells)}I', *cells)
    return bytes(items)


def to_dts(root):
    """The tree as device-tree source (what ``dtc -I dtb -O dts`` prints, with labels kept
    and references written ``<&label>``): to read, and for ``dtc`` to compile."""
    def value(v):
        what, items = kind(v)
        if what == 'flag':
            return None
        if what == 'bytes':
            return '[' + ' '.join(f'{b:02x}' for b in items) + ']'
        if what == 'strings':
            return ', '.join(f'"{x}"' for x in items)
        return '<' + ' '.join(f'&{x.label}' if isinstance(x, Phandle) else f'0x{x:x}'
                              for x in items) + '>'

    def node(n, depth):
        pad = '\t' * depth
        label = f'{n.label}: ' if n.label else ''
        lines = [f'{pad}{label}{n.name or "/"} {{']
        for name, v in n.props.items():
            text = value(v)
            lines.append(f'{pad}\t{name};' if text is None else f'{pad}\t{name} = {text};')
        for child in n.children:
            lines += [''] + node(child, depth + 1)
        return lines + [f'{pad}}};']
    body = node(root, 0)
    return '\n'.join(['/dts-v1/;', ''] + body) + '\n' if root.name == '' else '\n'.join(body)


def find(root, prefix):
    """The first node under ``root`` (depth first) whose name starts with ``prefix``."""
    return next(n for n in root.walk() if n.name.startswith(prefix))


def _pad(data):
    return data + bytes(-len(data) % 4)


def to_dtb(root):
    """The DTB of the tree under ``root``: header, an empty memory reservation block,
    structure block, strings block. Labelled nodes get a ``phandle`` property."""
    labelled = [n for n in root.walk() if n.label is not None]
    phandles = {n.label: i for i, n in enumerate(labelled, 1)}
    if len(phandles) != len(labelled):
        raise ValueError('two nodes have the same label')
    strings = {}                            # property name -> offset: each name stored once

    def node(n):
        out = struct.pack('>I', BEGIN_NODE) + _pad(n.name.encode() + b'\0')
        props = dict(n.props, **({'phandle': phandles[n.label]} if n.label else {}))
        for name, value in props.items():
            try:
                data = encode(value, phandles)
            except KeyError as e:
                raise ValueError(f'{n.name or "/"}: {name} refers to no node {e}') from None
            offset = strings.setdefault(name, sum(len(s) + 1 for s in strings))
            out += struct.pack('>3I', PROP, len(data), offset) + _pad(data)
        return out + b''.join(node(c) for c in n.children) + struct.pack('>I', END_NODE)

    structure = node(root) + struct.pack('>I', END)
    names = b''.join(s.encode() + b'\0' for s in strings)
    rsvmap = bytes(16)                      # no reserved regions: only the terminating entry
    off_rsvmap = HEADER.size                # 40: already 8-aligned, as the spec wants
    off_struct = off_rsvmap + len(rsvmap)
    off_strings = off_struct + len(structure)
    total = off_strings + len(names)
    header = HEADER.pack(MAGIC, total, off_struct, off_strings, off_rsvmap, VERSION,
                         LAST_COMP_VERSION, 0, len(names), len(structure))
    return header + rsvmap + structure + names


# --- the course machine, as QEMU virt describes itself ---------------------------------------

ADDRESS_CELLS = SIZE_CELLS = 2              # QEMU virt uses 2/2 on rv32 as on rv64
# The hart's extensions, as the ISA string and as the list Linux 6.12 reads first (it ignores
# the string unless built with RISCV_ISA_FALLBACK). M, S and U modes, Sv32; misa's H is not
# offered to a kernel; zicntr: cycle, time and instret.
EXTENSIONS = ('i', 'm', 'a', 'zicntr', 'zicsr', 'zifencei')
ISA = 'rv32' + ''.join(e for e in EXTENSIONS if len(e) == 1) + ''.join(
    '_' + e for e in EXTENSIONS if len(e) > 1)
# QEMU's 10 MHz. The course's mtime advances one tick per INSTRUCTIONS_PER_TICK (10) retired
# instructions (devices.py), so a guest reading this believes the hart runs 100 M instr/s.
TIMEBASE = 10_000_000
UART_CLOCK = 0x38_4000                      # QEMU's 3.6864 MHz: the divisor latch's base
# /chosen/rng-seed: QEMU gives a kernel 32 random bytes to seed its random-number generator
# (without them Linux 6.12 re-derives its key from the entropy pool on every request until it
# has gathered enough: 14% of a boot's instructions). Ours are fixed, so every boot is the same
# run; a model's choice, and no secret.
RNG_SEED = hashlib.sha256(b'vmlib: the same boot every time').digest()


def reg(base, size):
    """A ``reg`` value: ``base`` and ``size`` split into the bus's cells."""
    return (*_cells(base, ADDRESS_CELLS), *_cells(size, SIZE_CELLS))


def _cells(value, n):
    return tuple(value >> 32 * i & 0xFFFF_FFFF for i in reversed(range(n)))


def _interrupts(device):
    """A device's line to the PLIC, when it has one: its ``IrqLine`` knows the source."""
    source = getattr(device.irq, 'source', None)
    return {} if source is None else {'interrupt-parent': Phandle('plic'), 'interrupts': source}


DESCRIBE = {}                               # device class -> function yielding (where, Node)


def describes(cls):
    """Register a function that turns a device of ``cls`` at ``base`` into nodes."""
    def register(fn):
        DESCRIBE[cls] = fn
        return fn
    return register


@describes(Uart16550)
def _serial(base, size, uart):
    yield 'soc', Node(f'serial@{base:x}', {'compatible': 'ns16550a', 'reg': reg(base, size),
                                           'clock-frequency': UART_CLOCK, **_interrupts(uart)})


@describes(Clint)
def _clint(base, size, clint):
    intc = Phandle('cpu0_intc')
    yield 'soc', Node(f'clint@{base:x}', {
        'compatible': ['sifive,clint0', 'riscv,clint0'], 'reg': reg(base, size),
        'interrupts-extended': [intc, MSI, intc, MTI]})


@describes(Plic)
def _plic(base, size, plic):
    intc = Phandle('cpu0_intc')               # context 0: M-mode, context 1: S-mode (plic.py)
    yield 'soc', Node(f'plic@{base:x}', {
        'compatible': ['sifive,plic-1.0.0', 'riscv,plic0'], 'reg': reg(base, size),
        '#interrupt-cells': 1, '#address-cells': 0, 'interrupt-controller': True,
        'riscv,ndev': NUM_SOURCES - 1,       # the highest source, 95 (QEMU 7.2 writes 96)
        'interrupts-extended': [intc, MEI, intc, SEI]}, label='plic')


@describes(SifiveTest)
def _test(base, size, test):
    """The finisher is also a syscon, so Linux's syscon-poweroff and syscon-reboot drivers can
    write its power-off (0x5555) and reset (0x7777) codes: a guest kernel can stop the machine."""
    yield 'soc', Node(f'test@{base:x}', {
        'compatible': ['sifive,test1', 'sifive,test0', 'syscon'], 'reg': reg(base, size)},
        label='test')
    for name, value in (('poweroff', 0x5555), ('reboot', 0x7777)):
        yield '/', Node(name, {'compatible': f'syscon-{name}', 'regmap': Phandle('test'),
                               'offset': 0, 'value': value})


@describes(VirtioMmio)
def _virtio(base, size, slot):
    yield 'soc', Node(f'virtio_mmio@{base:x}', {'compatible': 'virtio,mmio',
                                                'reg': reg(base, size), **_interrupts(slot)})


def machine_tree(ram_base, ram_size, devices, bootargs=None, reserved=()):
    """The machine's tree: RAM, one hart, and a node for each device in ``devices`` (the bus's
    ``(base, size, device)`` triples) whose class this module describes; others are left out.
    ``reserved``: ``(base, size)`` ranges of RAM a kernel must not touch (the M-mode firmware's,
    which OpenSBI reserves the same way, as ``mmode_resv`` nodes)."""
    placed = {'/': [], 'soc': []}
    for base, size, device in sorted(devices, key=lambda window: window[0]):
        describe = next((DESCRIBE[c] for c in type(device).__mro__ if c in DESCRIBE), None)
        for where, node in describe(base, size, device) if describe else ():
            placed[where].append(node)
    serial = next((n for n in placed['soc'] if n.name.startswith('serial@')), None)
    chosen = {'rng-seed': RNG_SEED}
    if serial:
        chosen['stdout-path'] = f'/soc/{serial.name}'                   # the console
    if bootargs:
        chosen['bootargs'] = bootargs
    intc = Node('interrupt-controller', {
        '#interrupt-cells': 1, '#address-cells': 0,     # dtc's interrupt_provider check
        'interrupt-controller': True, 'compatible': 'riscv,cpu-intc'}, label='cpu0_intc')
    cpu = Node('cpu@0', {'device_type': 'cpu', 'reg': 0, 'status': 'okay', 'compatible': 'riscv',
                         'riscv,isa': ISA, 'riscv,isa-base': 'rv32i',
                         'riscv,isa-extensions': list(EXTENSIONS), 'mmu-type': 'riscv,sv32'},
               [intc])
    return Node('', {'#address-cells': ADDRESS_CELLS, '#size-cells': SIZE_CELLS,
                     'compatible': 'riscv-virtio', 'model': 'riscv-virtio,qemu'}, [
        Node('chosen', chosen),
        Node(f'memory@{ram_base:x}', {'device_type': 'memory', 'reg': reg(ram_base, ram_size)}),
        Node('cpus', {'#address-cells': 1, '#size-cells': 0, 'timebase-frequency': TIMEBASE},
             [cpu]),
        Node('soc', {'#address-cells': ADDRESS_CELLS, '#size-cells': SIZE_CELLS,
                     'compatible': 'simple-bus', 'ranges': True}, placed['soc']),
        *([Node('reserved-memory', {'#address-cells': ADDRESS_CELLS,
                                    '#size-cells': SIZE_CELLS, 'ranges': True},
                [Node(f'mmode_resv{i}@{base:x}', {'reg': reg(base, size), 'no-map': True})
                 for i, (base, size) in enumerate(reserved)])] if reserved else []),
        *placed['/']])


def machine_dtb(ram_base, ram_size, devices, bootargs=None, reserved=()):
    """``machine_tree(...)`` as a DTB, ready to place in guest RAM for a kernel (a1)."""
    return to_dtb(machine_tree(ram_base, ram_size, devices, bootargs, reserved))
