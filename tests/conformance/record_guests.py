#!/usr/bin/env python3
"""Record the course's guest kernel, built with its virtio drivers, under QEMU.

    .venv/bin/python tests/conformance/record_guests.py

The ELF is vmlib's build of ``vmlib.guest`` for each workload in ``VIRTIO_WORKLOADS``; QEMU
boots it with the devices vmlib's guest gets (``vmlib.guest.devices()``): a fresh copy of
``vmlib.guest.disk()`` as a virtio-blk disk in the top slot and a virtio console beside it, the
console sharing standard output with the UART (record.py's ``qemu_command``). The console output
and the exit status go to guests.json, which tests/test_guest_virtio.py holds vmlib to.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
sys.path.insert(0, str(HERE))

import record                                   # noqa: E402
from vmlib import guest                         # noqa: E402


def run_qemu(workload: str) -> tuple[str, int]:
    with tempfile.TemporaryDirectory() as scratch:
        elf, disk = Path(scratch) / f'guest-{workload}.elf', Path(scratch) / 'disk.img'
        elf.write_bytes(guest.elf(workload))
        disk.write_bytes(guest.disk())
        p = subprocess.run(record.qemu_command(elf, disk), capture_output=True,
                           timeout=record.TIMEOUT)
    return p.stdout.decode('latin-1'), p.returncode


def main():
    out = {}
    for workload in guest.VIRTIO_WORKLOADS:
        stdout, status = run_qemu(workload)
        out[workload] = {'exit_status': status, 'stdout': stdout, 'source': record.qemu_version()}
        print(f'guest {workload}: exit {status}, {len(stdout.splitlines())} lines')
    (HERE / 'guests.json').write_text(json.dumps(out, indent=2) + '\n')


if __name__ == '__main__':
    main()
