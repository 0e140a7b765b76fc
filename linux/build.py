#!/usr/bin/env python3
"""Build Linux for the course machine: `make linux` runs this (after installing what it needs).

    python linux/build.py            # both builds: build/linux/bare and build/linux/guest
    python linux/build.py bare       # one of them
    python linux/build.py --jobs 4

Nothing built here is committed. The recipe is: Debian's kernel source (package
linux-source-6.12, a tarball in /usr/src) built with Debian's cross compiler
(gcc-riscv64-linux-gnu) from `make tinyconfig`, then arch/riscv/configs/32-bit.config and the
project's fragments in this folder (common.config and bare.config or guest.config), with an
initramfs holding one program, /init: the course's shell (linux/init/shell.c, compiled with
zig's clang and musl as a static position-independent executable, which both kernels load).

  bare    M-mode, no MMU: Linux alone on the machine, the way QEMU's `-bios none` runs it
  guest   S-mode with Sv32 paging and SBI calls: under the course firmware or a hypervisor

Each build leaves vmlinux (ELF, with symbols), Image (the raw bytes QEMU's -kernel loads),
System.map and .config in build/linux/BUILD/. The build is reproducible for a given source and
compiler: the version line's user, host and date are fixed (KBUILD_BUILD_*).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = REPO / 'build' / 'linux'
VERSION = '6.12'
TARBALL = Path(f'/usr/src/linux-source-{VERSION}.tar.xz')
CROSS = 'riscv64-linux-gnu-'
BUILDS = ('bare', 'guest')
TOOLS = {f'{CROSS}gcc': 'gcc-riscv64-linux-gnu', 'flex': 'flex', 'bison': 'bison', 'bc': 'bc'}
PACKAGES = [f'linux-source-{VERSION}', *TOOLS.values()]
# the version line reads the same on every build of the same source and compiler
REPRODUCIBLE = {'KBUILD_BUILD_USER': 'course', 'KBUILD_BUILD_HOST': 'vmlib',
                'KBUILD_BUILD_TIMESTAMP': 'Thu Jan  1 00:00:00 UTC 2026',
                'KBUILD_BUILD_VERSION': '1'}
INIT_FLAGS = ['-target', 'riscv32-linux-musl', '-mcpu=generic_rv32+m+a', '-fPIE',
              '-Os', '-s', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables',
              '-Wl,--build-id=none', '-Wl,-z,stack-size=16384']


def missing():
    """The Debian packages this machine lacks for the build."""
    need = [pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None]
    return ([f'linux-source-{VERSION}'] if not TARBALL.exists() else []) + need


def source():
    """The kernel source, unpacked once into build/linux/src."""
    src = OUT / 'src'
    if (src / 'Makefile').exists():
        return src
    print(f'== unpacking {TARBALL}')
    tmp = OUT / 'src.tmp'
    shutil.rmtree(tmp, ignore_errors=True)
    with tarfile.open(TARBALL) as tar:
        if hasattr(tarfile, 'tar_filter'):      # Python 3.12+ (and 3.11.4+): say what we allow
            tar.extractall(tmp, filter='tar')
        else:
            tar.extractall(tmp)
    (top,) = tmp.iterdir()
    shutil.rmtree(src, ignore_errors=True)
    top.rename(src)
    tmp.rmdir()
    return src


def init():
    """/init: the course shell, compiled once for both builds."""
    out = OUT / 'init'
    shell = HERE / 'init' / 'shell.c'
    if out.exists() and out.stat().st_mtime > shell.stat().st_mtime:
        return out
    print('== compiling /init (linux/init/shell.c) with zig cc')
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, '-m', 'ziglang', 'cc', *INIT_FLAGS, '-o', str(out),
                    'shell.c'], cwd=shell.parent, check=True)
    return out


def build(name, src, init_path, jobs):
    out = OUT / name
    work = out / 'obj'
    work.mkdir(parents=True, exist_ok=True)
    (work / 'initramfs.list').write_text(
        'dir /dev 0755 0 0\n'
        'nod /dev/console 0600 0 0 c 5 1\n'
        'dir /proc 0755 0 0\n'
        'dir /sys 0755 0 0\n'
        f'file /init {init_path} 0755 0 0\n')
    fragment = work / 'initramfs.config'
    fragment.write_text(f'CONFIG_INITRAMFS_SOURCE="{work / "initramfs.list"}"\n')
    make = ['make', '-s', 'ARCH=riscv', f'CROSS_COMPILE={CROSS}', f'O={work}']
    env = {**os.environ, **REPRODUCIBLE}
    print(f'== configuring {name}: tinyconfig + 32-bit.config + common.config + {name}.config')
    subprocess.run([*make, 'tinyconfig'], cwd=src, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(['scripts/kconfig/merge_config.sh', '-m', '-O', str(work),
                    str(work / '.config'), 'arch/riscv/configs/32-bit.config',
                    str(HERE / 'common.config'), str(HERE / f'{name}.config'), str(fragment)],
                   cwd=src, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*make, 'olddefconfig'], cwd=src, env=env, check=True)
    check_config(work / '.config', [HERE / 'common.config', HERE / f'{name}.config'])
    print(f'== building {name} (make -j{jobs} vmlinux Image)')
    subprocess.run([*make, f'-j{jobs}', 'vmlinux', 'Image'], cwd=src, env=env, check=True)
    for path in ('vmlinux', 'System.map', '.config', 'arch/riscv/boot/Image'):
        shutil.copy2(work / path, out / Path(path).name)
    print(f'== {out / "vmlinux"}: {(out / "Image").stat().st_size:,} bytes of kernel image')


def check_config(config, fragments):
    """Every option a fragment sets must survive olddefconfig (a dependency it lacks would
    drop it silently, and the kernel would build without, say, its console)."""
    have = set(config.read_text().splitlines())
    lost = [line for f in fragments for line in f.read_text().splitlines()
            if line.startswith('CONFIG_') and line not in have]
    if lost:
        sys.exit('linux/build.py: these options did not survive olddefconfig: ' + ', '.join(lost))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('builds', nargs='*', metavar='BUILD', help='bare, guest (default: both)')
    parser.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--install', action='store_true',
                        help='install the missing Debian packages with apt-get first')
    args = parser.parse_args(argv)
    unknown = set(args.builds) - set(BUILDS)
    if unknown:
        parser.error(f'unknown build {", ".join(sorted(unknown))} (bare or guest)')
    need = missing()
    if need and args.install and shutil.which('apt-get'):
        sudo = [] if os.geteuid() == 0 else ['sudo']
        print('== apt-get install ' + ' '.join(need))
        env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
        subprocess.run([*sudo, 'apt-get', 'update', '-q'], env=env, check=True)
        subprocess.run([*sudo, 'apt-get', 'install', '-y', '-q', *need], env=env, check=True)
        need = missing()
    if need:
        sys.exit('linux/build.py: this machine lacks ' + ', '.join(need) + '.\n'
                 'On Debian 12 or newer: sudo apt-get install ' + ' '.join(PACKAGES) + '\n'
                 '(`make linux` installs them itself where apt-get is available). Elsewhere '
                 '(macOS, Windows) build in a Debian container or VM, or read chapter 08\'s '
                 'recorded boot.')
    src = source()
    init_path = init()
    for name in args.builds or BUILDS:
        build(name, src, init_path, args.jobs)


if __name__ == '__main__':
    main()
