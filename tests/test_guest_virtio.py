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


def test_the_disk_keeps_what_the_guest_wrote():
    from vmlib.machine.virtio import Block, Console, DiskImage
    image = DiskImage.from_bytes(guest.disk())
    bare('blk', virtio=[Block(image), Console()])
    data, original = image.data, guest.disk()
    assert data[:8 * 512] == original[:8 * 512] and data[12 * 512:] == original[12 * 512:]
    assert data[8 * 512] == (8 * 13) & 0xFF and data != original


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
