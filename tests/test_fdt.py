"""The device-tree writer: the blob's layout (Devicetree Specification v0.4, chapter 5), and
the course machine's tree as dtc, the reference compiler, reads it back."""

import re
import shutil
import struct
import subprocess

import pytest

from vmlib.machine.bus import RAM_BASE
from vmlib.machine.devices import (Clint, SifiveTest, Uart16550, CLINT_BASE, CLINT_SIZE,
                                   TEST_BASE, TEST_SIZE, UART_BASE, UART_SIZE)
from vmlib.machine.fdt import (RNG_SEED, Node, Phandle, machine_dtb, machine_tree, to_dtb,
                               to_dts)
from vmlib.machine.machine import Machine
from vmlib.machine.plic import Plic, PLIC_BASE, PLIC_SIZE
from vmlib.machine.virtio import Block, DiskImage, VirtioMmio, slot_address

DTC = shutil.which('dtc')
needs_dtc = pytest.mark.skipif(DTC is None, reason='dtc (device-tree-compiler) is not on PATH')
MiB = 1 << 20


def header(dtb):
    names = ('magic totalsize off_dt_struct off_dt_strings off_mem_rsvmap version '
             'last_comp_version boot_cpuid_phys size_dt_strings size_dt_struct').split()
    return dict(zip(names, struct.unpack_from('>10I', dtb)))


def dtc(data, source='dtb', target='dts'):
    """dtc's output; a warning or an error fails the test."""
    run = subprocess.run([DTC, '-I', source, '-O', target], input=data, capture_output=True)
    assert run.returncode == 0 and not run.stderr, run.stderr.decode()
    return run.stdout


def nodes(dts):
    """``{path: {property: value text}}`` of a decompiled tree: order-free, for comparing."""
    tree, path = {}, []
    for line in dts.decode().splitlines():
        line = line.strip()
        if line.endswith('{'):
            path.append(line[:-1].strip().split(':')[-1].strip())
            tree[_path(path)] = {}
        elif line == '};':
            path.pop()
        elif line.endswith(';') and path:
            name, _, value = line[:-1].partition(' = ')
            tree[_path(path)][name] = value
    return tree


def _path(names):
    return '/' + '/'.join(names[1:])


def board(*extra, ram_size=128 * MiB):
    """The four devices every course machine has, plus ``extra`` windows."""
    plic = Plic()
    uart = Uart16550(irq=plic.line(10))
    return [(UART_BASE, UART_SIZE, uart), (CLINT_BASE, CLINT_SIZE, Clint()),
            (PLIC_BASE, PLIC_SIZE, plic), (TEST_BASE, TEST_SIZE, SifiveTest()), *extra]


# --- the writer ------------------------------------------------------------------------------

def test_the_header_describes_an_aligned_version_17_blob():
    dtb = to_dtb(Node('', {'model': 'm'}, [Node('chosen', {'bootargs': 'quiet'})]))
    h = header(dtb)
    assert h['magic'] == 0xD00DFEED and h['totalsize'] == len(dtb)
    assert (h['version'], h['last_comp_version'], h['boot_cpuid_phys']) == (17, 16, 0)
    assert h['off_mem_rsvmap'] % 8 == 0 and h['off_dt_struct'] % 4 == 0
    assert dtb[h['off_mem_rsvmap']:h['off_mem_rsvmap'] + 16] == bytes(16)   # the end entry
    assert h['off_dt_strings'] == h['off_dt_struct'] + h['size_dt_struct']
    assert h['totalsize'] == h['off_dt_strings'] + h['size_dt_strings']
    structure = dtb[h['off_dt_struct']:h['off_dt_strings']]
    assert len(structure) % 4 == 0
    assert structure[:4] == struct.pack('>I', 1)                 # FDT_BEGIN_NODE of the root
    assert structure[-8:] == struct.pack('>2I', 2, 9)           # its FDT_END_NODE, FDT_END


def test_values_are_cells_strings_and_padded_bytes():
    dtb = to_dtb(Node('', {'a': 7, 'b': [1, 2], 'c': 'xy', 'd': ['p', 'q'], 'e': b'\1',
                           'f': True}))
    h = header(dtb)
    structure = dtb[h['off_dt_struct']:h['off_dt_strings']]
    for value in (b'\0\0\0\7', b'\0\0\0\1\0\0\0\2', b'xy\0\0', b'p\0q\0', b'\1\0\0\0'):
        assert value in structure
    assert struct.pack('>4I', 3, 0, 10, 2) in structure      # f: empty, then the node ends


def test_property_names_are_stored_once():
    tree = Node('', {'compatible': 'x'}, [Node(f'n{i}', {'compatible': 'y', 'reg': i})
                                          for i in range(5)])
    dtb = to_dtb(tree)
    h = header(dtb)
    strings = dtb[h['off_dt_strings']:h['totalsize']]
    assert strings == b'compatible\0reg\0'


def test_phandles_are_given_in_tree_order_and_refs_must_resolve():
    tree = Node('', {}, [Node('b', {'x': 1}, label='b'),
                         Node('a', {'ref': [Phandle('a'), 5, Phandle('b')]}, label='a')])
    dtb = to_dtb(tree)
    assert struct.pack('>3I', 2, 5, 1) in dtb          # b=1, a=2
    with pytest.raises(ValueError, match='nowhere'):
        to_dtb(Node('', {'p': Phandle('nowhere')}))


@needs_dtc
def test_the_writer_says_what_dtc_says_for_the_same_source():
    dts = b'''/dts-v1/;
    / {
        #address-cells = <2>; #size-cells = <2>; model = "tiny";
        chosen { bootargs = "console=ttyS0"; };
        intc: ic { interrupt-controller; #interrupt-cells = <1>; #address-cells = <0>; };
        dev@1000 { reg = <0 0x1000 0 0x100>; compatible = "a", "b";
                   interrupts-extended = <&intc 3>; blob = [01 02 03]; };
    };'''
    ours = to_dtb(Node('', {'#address-cells': 2, '#size-cells': 2, 'model': 'tiny'}, [
        Node('chosen', {'bootargs': 'console=ttyS0'}),
        Node('ic', {'interrupt-controller': True, '#interrupt-cells': 1, '#address-cells': 0},
             label='intc'),
        Node('dev@1000', {'reg': [0, 0x1000, 0, 0x100], 'compatible': ['a', 'b'],
                          'interrupts-extended': [Phandle('intc'), 3], 'blob': b'\1\2\3'})]))
    assert nodes(dtc(ours)) == nodes(dtc(dtc(dts, 'dts', 'dtb')))


# --- the course machine ----------------------------------------------------------------------

@needs_dtc
def test_dtc_reads_the_machines_tree_without_a_warning():
    m = Machine()
    text = dtc(machine_dtb(RAM_BASE, m.bus.ram_size, m.bus.devices, 'console=ttyS0 quiet'))
    tree = nodes(text)
    assert tree['/memory@80000000']['reg'] == '<0x00 0x80000000 0x00 0x8000000>'
    chosen = tree['/chosen']
    assert chosen.pop('rng-seed').count('0x') == 8          # 32 bytes, as QEMU gives
    assert chosen == {'stdout-path': '"/soc/serial@10000000"',
                      'bootargs': '"console=ttyS0 quiet"'}
    cpu = tree['/cpus/cpu@0']
    assert cpu['riscv,isa'] == '"rv32ima_zicntr_zicsr_zifencei"' and cpu['mmu-type'] == '"riscv,sv32"'
    assert tree['/cpus']['timebase-frequency'] == '<0x989680>'
    serial = tree['/soc/serial@10000000']
    assert serial['interrupts'] == '<0x0a>' and serial['compatible'] == '"ns16550a"'
    plic = tree['/soc/plic@c000000']
    assert serial['interrupt-parent'] == plic['phandle']
    intc = tree['/cpus/cpu@0/interrupt-controller']['phandle'][1:-1]
    assert plic['interrupts-extended'] == f'<{intc} 0x0b {intc} 0x09>'
    assert tree['/soc/clint@2000000']['interrupts-extended'] == f'<{intc} 0x03 {intc} 0x07>'
    assert tree['/poweroff']['regmap'] == tree['/soc/test@100000']['phandle']
    assert tree['/reboot']['value'] == '<0x7777>'
    assert not any(re.search(r'rtc|flash|pci|fw-cfg', path) for path in tree)


def test_chosen_has_no_bootargs_unless_given():
    root = machine_tree(RAM_BASE, 128 * MiB, board())
    assert root.children[0].props == {'stdout-path': '/soc/serial@10000000',
                                      'rng-seed': RNG_SEED}


@needs_dtc
def test_reserved_ranges_become_no_map_nodes():
    text = dtc(machine_dtb(RAM_BASE, 32 * MiB, board(), reserved=[(RAM_BASE, 4 * MiB)]))
    node = nodes(text)['/reserved-memory/mmode_resv0@80000000']
    assert node == {'reg': '<0x00 0x80000000 0x00 0x400000>', 'no-map': ''}


@needs_dtc
def test_each_virtio_slot_on_the_bus_is_a_node():
    """A Machine always has QEMU's eight slots (empty ones too, as QEMU lists them); a slot
    added to a device map is one more node, at its address, on its PLIC source."""
    def slots(devices):
        tree = nodes(dtc(machine_dtb(RAM_BASE, 128 * MiB, devices)))
        return {p.split('@')[1]: v['interrupts'] for p, v in tree.items() if 'virtio_mmio' in p}

    plic = Plic()
    disk = Block(DiskImage.from_bytes(bytes(4096)))
    slot = (slot_address(7), 0x1000, VirtioMmio(disk, irq=plic.line(8)))
    assert slots(board()) == {}
    assert slots(board(slot)) == {'10008000': '<0x08>'}
    m = Machine(virtio=[disk])
    assert slots(m.bus.devices) == {f'{slot_address(n):x}': f'<0x{n + 1:02x}>' for n in range(8)}
    assert m.virtio[7].device is disk


@needs_dtc
def test_the_source_text_compiles_to_the_same_tree():
    root = machine_tree(RAM_BASE, 32 * MiB, board(), 'console=ttyS0', [(RAM_BASE, 4 * MiB)])
    compiled = subprocess.run(['dtc', '-I', 'dts', '-O', 'dtb'], input=to_dts(root).encode(),
                              capture_output=True, check=True)
    ours, theirs = nodes(dtc(to_dtb(root))), nodes(dtc(compiled.stdout))
    # dtc numbers phandles its own way: compare the rest, then where the references lead
    refs = {'phandle', 'regmap', 'interrupt-parent', 'interrupts-extended'}

    def plain(tree):
        return {path: {k: v for k, v in props.items() if k not in refs}
                for path, props in tree.items()}
    assert plain(ours) == plain(theirs)
    for tree in (ours, theirs):
        plic = tree['/soc/plic@c000000']['phandle']
        assert tree['/soc/serial@10000000']['interrupt-parent'] == plic
        assert tree['/poweroff']['regmap'] == tree['/soc/test@100000']['phandle']


def test_a_node_alone_prints_without_the_file_header():
    from vmlib.machine.fdt import find
    serial = to_dts(find(machine_tree(RAM_BASE, 128 * MiB, board()), 'serial'))
    assert serial.startswith('serial@10000000 {\n\tcompatible = "ns16550a";')
    assert serial.endswith('};') and '/dts-v1/' not in serial
