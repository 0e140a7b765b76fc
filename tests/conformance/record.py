#!/usr/bin/env python3
"""Build the conformance programs with GNU binutils and record their results under QEMU.

Uses only Debian's tools (binutils-riscv64-unknown-elf, qemu-system-misc) and the sources in
this folder:

    python3 tests/conformance/record.py            # build + record every program
    python3 tests/conformance/record.py alu csr    # only these
    python3 tests/conformance/record.py --build    # build the ELFs only

For each NAME.s: NAME.elf (assembled with -mno-relax and linked with --no-relax by link.ld,
so the layout is the source's), NAME.expected (QEMU's UART output) and an entry in
expected.json: {"exit_status": N, "source": "qemu-system-riscv32 VERSION"}. A program's UART
input, if it reads any, is NAME.stdin (given on stdin to QEMU, and to vmlib by the tests). A
program with a disk, NAME.img, gets a fresh copy of it as a virtio-blk device and a virtio
console beside it (QEMU: -drive/-device virtio-blk-device/virtconsole; vmlib: --drive and
--virtio-console); the console's output joins the UART's on standard output.

Programs listed in NOT_FROM_QEMU keep their hand-written NAME.expected and JSON entry: htif
(QEMU's virt board has no HTIF; QEMU's own, different, deterministic result is stored under
"qemu" and checked by the live-QEMU test), and spec, hspec and hspec_mem (rules of the
privileged spec, and of its hypervisor extension, that QEMU 7.2 breaks; QEMU's output there is
partly timing-dependent, so only its exit status is noted).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS = ['riscv64-unknown-elf-as', '-march=rv32ima_zicsr_zifencei_h', '-mabi=ilp32', '-mno-relax']
LD = ['riscv64-unknown-elf-ld', '-m', 'elf32lriscv', '--no-relax', '-T', 'link.ld',
      '--no-warn-rwx-segments']
# The QEMU CPU that matches vmlib's machine: RV32IMA + Zicsr + Zifencei, M/S/U, Sv32;
# the hypervisor extension (H); no compressed, no floating point, no Sstc (stimecmp), no
# bit manipulation.
QEMU_CPU = 'rv32,c=off,f=off,d=off,h=true,sstc=off,zba=off,zbb=off,zbc=off,zbs=off'
QEMU = ['qemu-system-riscv32', '-M', 'virt', '-cpu', QEMU_CPU, '-bios', 'none', '-nographic',
        '-m', '128M', '-monitor', 'none', '-serial', 'stdio']
TIMEOUT = 20
DISK_SERIAL = 'vmlib-virtio-blk'     # what virtio-blk's GET_ID answers (vmlib's answer too)
# name -> is QEMU's own output reproducible
NOT_FROM_QEMU = {'htif': True, 'spec': False, 'hspec': False, 'hspec_mem': False}
TAIL = '.include "common.inc"'


def qemu_version() -> str:
    out = subprocess.run(['qemu-system-riscv32', '--version'], capture_output=True, text=True).stdout
    m = re.search(r'version (\S+)', out)
    return f"qemu-system-riscv32 {m.group(1) if m else '?'}"


def check_tails(sources):
    """Every program ends with the common tail, common.inc: say which do not."""
    bad = [src.name for src in sources if not src.read_text().rstrip().endswith(TAIL)]
    if bad:
        sys.exit(f'not ending with {TAIL}: {", ".join(bad)}')


def build(src: Path, out_dir: Path = HERE) -> Path:
    """Assemble and link src into out_dir/NAME.elf (names relative to src's folder, so the ELF
    does not depend on where the repository is checked out)."""
    obj = out_dir / (src.stem + '.o')
    elf = out_dir / (src.stem + '.elf')
    subprocess.run(AS + [src.name, '-o', str(obj)], check=True, cwd=src.parent)
    try:
        subprocess.run(LD + [str(obj), '-o', str(elf)], check=True, cwd=src.parent)
    finally:
        obj.unlink(missing_ok=True)
    return elf


def stdin_of(elf: Path) -> bytes:
    """The UART input of a program: NAME.stdin next to it, else nothing."""
    f = elf.with_suffix('.stdin')
    return f.read_bytes() if f.exists() else b''


def disk_of(elf: Path) -> Path | None:
    """A program's disk, NAME.img next to it, if it has one. It is attached as a virtio-blk
    device in the top virtio-mmio slot, with a virtio console in the next one whose output
    shares standard output with the UART; each run gets a fresh copy (programs write it)."""
    f = elf.with_suffix('.img')
    return f if f.exists() else None


def qemu_command(elf: Path, disk: Path | None) -> list[str]:
    if disk is None:
        return QEMU + ['-kernel', str(elf)]
    serial = QEMU.index('-serial')
    return (QEMU[:serial] + ['-chardev', 'stdio,id=out,mux=on,signal=off', '-serial', 'chardev:out',
                             '-global', 'virtio-mmio.force-legacy=false',
                             '-drive', f'file={disk},if=none,format=raw,id=disk0',
                             '-device', f'virtio-blk-device,drive=disk0,serial={DISK_SERIAL}',
                             '-device', 'virtio-serial-device',
                             '-device', 'virtconsole,chardev=out']
            + QEMU[serial + 2:] + ['-kernel', str(elf)])


def vmlib_options(elf: Path, scratch: Path) -> list[str]:
    """The options of ``python -m vmlib boot`` that attach the same devices as QEMU gets."""
    disk = disk_of(elf)
    if disk is None:
        return []
    copy = scratch / disk.name
    shutil.copyfile(disk, copy)
    return ['--drive', str(copy), '--virtio-console']


def run_qemu(elf: Path) -> tuple[str, int]:
    with tempfile.TemporaryDirectory() as scratch:
        disk = disk_of(elf)
        if disk is not None:
            disk = Path(shutil.copyfile(disk, Path(scratch) / disk.name))
        p = subprocess.run(qemu_command(elf, disk), input=stdin_of(elf),
                           capture_output=True, timeout=TIMEOUT)
    return p.stdout.decode('latin-1'), p.returncode


def main(argv):
    build_only = '--build' in argv
    names = [a for a in argv if not a.startswith('--')]
    sources = sorted(HERE.glob('*.s'))
    check_tails(sources)
    if names:
        sources = [HERE / f'{n}.s' for n in names]
    manifest_path = HERE / 'expected.json'
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    version = None if build_only else qemu_version()
    for src in sources:
        name = src.stem
        elf = build(src)
        if build_only:
            print(f'built {elf.name}')
            continue
        out, status = run_qemu(elf)
        if name in NOT_FROM_QEMU:
            entry = manifest.setdefault(name, {})
            entry['qemu'] = {'exit_status': status, 'source': version}
            if NOT_FROM_QEMU[name]:
                entry['qemu']['stdout'] = out
            else:
                entry['qemu']['note'] = 'QEMU 7.2 breaks the spec here; its output is not compared'
            print(f'{name}: QEMU exit {status} (expected result is hand-written)')
            continue
        (HERE / f'{name}.expected').write_text(out)
        manifest[name] = {'exit_status': status, 'source': version}
        print(f'{name}: exit {status}, {len(out.splitlines())} lines')
    if not build_only:
        manifest = dict(sorted(manifest.items()))
        manifest_path.write_text(json.dumps(manifest, indent=2) + '\n')


if __name__ == '__main__':
    main(sys.argv[1:])
