"""The RV32 VM is real RISC-V code: GNU ``as`` assembles it and QEMU runs it.

``rv32_source(cf)`` (the VM plus a class file as ``.byte`` lines) is assembled and linked by
the GNU toolchain and booted on ``qemu-system-riscv32 -M virt``; its UART output and exit
status must equal vmlib's run of the same class file. So the second platform does not depend
on vmlib's machine being right: the same VM source gives the same result on QEMU. Skipped,
with the reason, when the tools are not installed (``apt-get install
binutils-riscv64-unknown-elf qemu-system-misc``).
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from vmlib.hllvm import compile_source, example_source, run_rv32, rv32_source

AS = shutil.which('riscv64-unknown-elf-as')
LD = shutil.which('riscv64-unknown-elf-ld')
QEMU = shutil.which('qemu-system-riscv32')
LINK = Path(__file__).parent / 'conformance' / 'link.ld'
QEMU_CPU = 'rv32,c=off,f=off,d=off,h=off,sstc=off,zba=off,zbb=off,zbc=off,zbs=off'

pytestmark = pytest.mark.skipif(not (AS and LD and QEMU),
                                reason='needs riscv64-unknown-elf-as/ld '
                                '(binutils-riscv64-unknown-elf) and qemu-system-riscv32 '
                                '(qemu-system-misc)')

PROGRAMS = {name: example_source(name) for name in ('factorial', 'gcd', 'collatz')}
PROGRAMS['div_zero'] = 'func f(a) { return 100 / a; }\nprint(f(4));\nprint("now", f(0));'
PROGRAMS['overflow'] = 'func f(n) { return f(n + 1); }\nf(0);'


def gnu_build(source, tmp_path):
    (tmp_path / 'vm.s').write_text(source)
    subprocess.run([AS, '-march=rv32ima_zicsr', '-mabi=ilp32', '-mno-relax',
                    str(tmp_path / 'vm.s'), '-o', str(tmp_path / 'vm.o')],
                   check=True, capture_output=True, text=True)
    subprocess.run([LD, '-m', 'elf32lriscv', '-nostdlib',
                    '-T', str(LINK), str(tmp_path / 'vm.o'), '-o', str(tmp_path / 'vm.elf')],
                   check=True, capture_output=True, text=True)
    return tmp_path / 'vm.elf'


@pytest.mark.parametrize('name', sorted(PROGRAMS))
def test_rv32_vm_built_by_gnu_runs_the_same_on_qemu(name, tmp_path):
    cf = compile_source(PROGRAMS[name])
    elf = gnu_build(rv32_source(cf), tmp_path)
    p = subprocess.run([QEMU, '-M', 'virt', '-cpu', QEMU_CPU, '-bios', 'none', '-nographic',
                        '-kernel', str(elf)], capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    ours = run_rv32(cf)
    assert (p.stdout.decode('utf-8'), p.returncode) == (ours.output, ours.status)
