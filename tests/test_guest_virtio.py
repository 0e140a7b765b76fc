"""The guest kernel's virtio drivers (``vmlib/guest/virtio.s``, built with VIRTIO=1): the
``blk`` workload prints what QEMU printed for the same ELF with the same devices
(tests/conformance/guests.json, recorded by record_guests.py), on both engines and under every
hypervisor technique; without a disk it fails cleanly; the other workloads' builds do not
change."""

import json
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from vmlib import guest
from vmlib.hypervisor import hypervisor

SUITE = Path(__file__).parent / 'conformance'
RECORDED = json.loads((SUITE / 'guests.json').read_text())
needs_qemu = pytest.mark.skipif(shutil.which('qemu-system-riscv32') is None,
                                reason='qemu-system-riscv32 not installed (qemu-system-misc)')


def bare(workload, **kw):
    m = guest.machine(workload, **kw)
    result = m.run(guest.MAX_STEPS)
    return m.uart.text(), result.exit_status


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
@pytest.mark.parametrize('workload', sorted(RECORDED))
def test_the_bare_machine_prints_what_qemu_printed(workload, engine):
    assert bare(workload, engine=engine) == (RECORDED[workload]['stdout'],
                                             RECORDED[workload]['exit_status'])


@pytest.mark.parametrize('technique', ['emulate', 'trap'])
@pytest.mark.parametrize('workload', sorted(RECORDED))
def test_every_technique_prints_the_same(workload, technique):
    report = hypervisor.run(workload, technique)
    g = report['guests'][0]
    assert (g['console'], g['exit_status']) == (RECORDED[workload]['stdout'],
                                                RECORDED[workload]['exit_status'])


@needs_qemu
@pytest.mark.parametrize('workload', sorted(RECORDED))
def test_qemu_still_agrees(workload):
    sys.path.insert(0, str(SUITE))
    import record_guests
    assert record_guests.run_qemu(workload) == (RECORDED[workload]['stdout'],
                                                RECORDED[workload]['exit_status'])


def test_without_a_disk_the_calls_fail_with_enodev():
    console, status = bare('blk', virtio=[])
    assert 'blk: the disk failed: -19' in console and status == 1
    assert 'virtio:' not in console


def disk_after_blk():
    """guest.disk() after blk wrote sectors 8-11: byte i of sector n is (13n + 5i) & 0xff."""
    disk = bytearray(guest.disk())
    for n in range(8, 12):
        disk[512 * n:512 * (n + 1)] = bytes((13 * n + 5 * i) & 0xFF for i in range(512))
    return bytes(disk)


def test_the_disk_keeps_what_the_guest_wrote():
    from vmlib.machine.virtio import Block, Console, DiskImage
    image = DiskImage.from_bytes(guest.disk())
    bare('blk', virtio=[Block(image), Console()])
    assert image.data == disk_after_blk()


def test_builds_without_virtio_have_no_driver():
    assert 'virtio_probe' not in guest.program('syscall').symbols
    assert 'virtio_probe' in guest.program('syscall', virtio=True).symbols


def test_a_virtio_console_takes_a_line_per_notification():
    """syscall's output, through the SBI console (a call per byte) and through the virtio
    console (a notification per write): the same text, far fewer exits."""
    sbi = hypervisor.run('syscall', 'trap')['guests'][0]
    hv = hypervisor.Hypervisor('trap', [guest.program('syscall', virtio=True)],
                               devices=lambda: guest.devices()[1:])   # the console alone
    vio = hv.run()['guests'][0]
    found = 'virtio: console at 0x10008000\n'          # (the kernel's own lines stay on SBI)
    assert vio['console'].replace(found, '') == sbi['console']
    user = sum(len(line) + 1 for line in sbi['console'].splitlines()
               if line.startswith('syscall:'))
    assert sbi['exits']['sbi'] - vio['exits']['sbi'] == user - len(found) == 73
    writes = hv.vms[0].devices.device('virtio7').stats['notifications']
    assert writes == 8          # one per write() of some bytes (an empty one sends nothing)


# --- a guest that writes nonsense into its ring ---------------------------------------------

HOSTILE = r'''
    li s0, 0x10008000               # the disk, slot 7: negotiate, one queue at `ring`
    sw zero, 0x70(s0)
    li t0, 3
    sw t0, 0x70(s0)
    li t0, 1
    sw t0, 0x24(s0)
    sw t0, 0x20(s0)
    sw zero, 0x24(s0)
    sw zero, 0x20(s0)
    li t0, 11
    sw t0, 0x70(s0)
    sw zero, 0x30(s0)
    li t0, 8
    sw t0, 0x38(s0)
    la t1, ring
    sw t1, 0x80(s0)
    sw zero, 0x84(s0)
    addi t2, t1, 128
    sw t2, 0x90(s0)
    sw zero, 0x94(s0)
    addi t2, t1, 256
    sw t2, 0xa0(s0)
    sw zero, 0xa4(s0)
    li t0, 1
    sw t0, 0x44(s0)
    li t0, 15
    sw t0, 0x70(s0)
    sw zero, 0x50(s0)               # notify: the device reads whatever the ring says
    la a0, notified
    call mini_puts
    li a0, 0
    call mini_exit
notified: .string "notified\n"
    .data
    .balign 4096
ring:
'''
PLACES = ['ring', 'ring + 0x200', 'ring + 0x800', '0x80000000', '0x803fffff', '0x80400000',
          '0x10008000', '0x00000000', '0xfffffff0']


@st.composite
def hostile_rings(draw):
    """A descriptor table of eight entries pointing at the guest's own memory (its code
    too), past it, at devices or nowhere; lengths from 0 to past the limit; any flags and
    links, half the time after a well-formed request; an available ring claiming up to 10
    entries; a request header of any type and sector."""
    words, heads = [], [draw(st.integers(0, 9)) for _ in range(8)]
    if draw(st.booleans()):         # a well-formed request at the head, its data anywhere
        heads[0] = 0
        data = draw(st.sampled_from(PLACES))
        words += ['.word ring + 0x200, 0, 16', '.half 1, 1',
                  f'.word {data}, 0, 512', f'.half {draw(st.sampled_from([1, 3]))}, 2',
                  '.word ring + 0x300, 0, 1', '.half 2, 0']
    while len(words) < 16:
        words += [f'.word {draw(st.sampled_from(PLACES))}, 0, '
                  f'{draw(st.sampled_from([0, 1, 15, 16, 512, 513, 4096, 1 << 21]))}',
                  f'.half {draw(st.sampled_from([0, 1, 1, 2, 3, 3, 4]))}, '
                  f'{draw(st.integers(0, 9))}']
    words.append(f'.half 0, {draw(st.sampled_from([1, 1, 2, 3, 9]))}')  # avail: flags, idx
    words.append('.half ' + ', '.join(map(str, heads)))
    words.append('.balign 512')
    words.append(f'.word {draw(st.sampled_from([0, 1, 4, 8, 99]))}, 0, '
                 f'{draw(st.integers(0, 20))}, {draw(st.sampled_from([0, 1]))}')
    return '\n'.join('    ' + w for w in words) + '\n    .space 4096\n'


@pytest.mark.parametrize('technique', ['trap', 'pv'])
@settings(max_examples=20, deadline=None)
@given(ring=hostile_rings())
def test_a_guest_that_corrupts_its_ring_harms_nobody_else(technique, ring):
    """Two guests under trap-and-emulate (or pv, beside the ported kernel), each with its own
    disk: the first writes nonsense into its ring and notifies; the second runs blk. No host
    error, the second prints what QEMU printed, its disk holds exactly what it wrote, and the
    first's disk keeps its size."""
    from vmlib.hypervisor import miniguest
    hostile = miniguest.program(HOSTILE + ring, filename='hostile-ring.s')
    second = guest.program('blk', pv=technique == 'pv')
    hv = hypervisor.Hypervisor(technique, [hostile, second], devices=guest.devices)
    report = hv.run()
    first, second = report['guests']
    assert first['reason'] != 'error' and second['reason'] == 'poweroff', first['message']
    assert (second['console'], second['exit_status']) == (RECORDED['blk']['stdout'], 0)
    assert hv.vms[1].virtio[0].image.data == disk_after_blk()
    assert len(hv.vms[0].virtio[0].image.data) == len(guest.disk())


def test_a_device_write_into_guest_memory_reaches_the_shadow_mmu():
    """DMA into a VM's RAM is told to the shadow MMU (were it one of the guest's page tables,
    the shadows built from it must go), at the guest-physical address written."""
    hv = hypervisor.Hypervisor('trap', [guest.program('blk')], devices=guest.devices)
    vm, seen = hv.vms[0], []
    vm.mmu.written_ram = lambda gpa, size: seen.append((gpa, size))
    dma = vm.devices.device('virtio7').dma
    dma.write(0x8010_0000, b'\x01\x02\x03\x04')
    assert seen == [(0x8010_0000, 4)] and vm.mem.read(0x8010_0000, 4) == 0x04030201
