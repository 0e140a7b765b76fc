"""The guest kernel's DBCN console build (``vmlib.guest.program(workload, dbcn=True)``): the SBI
debug console (EID 0x4442434E) writes a whole buffer, given by its physical address, in one
call. The build prints exactly what the console_putchar build prints -- bare, under every
technique and on QEMU -- with one SBI call per write() chunk and kernel message instead of one
per byte (under hw: one KVM_EXIT_RISCV_SBI each); the firmware serves DBCN in M-mode and
refuses a buffer outside RAM with SBI_ERR_INVALID_PARAM, as the VMM does."""

import shutil
import subprocess
from collections import Counter

import pytest

from vmlib import guest
from vmlib.hypervisor import Hypervisor, miniguest
from vmlib.machine.trace import TrapTaken

DBCN = 0x4442434E
SBI_CONSOLE_PUTCHAR = 0x01
SYS_WRITE = 64
KBUF_SIZE = 128
A2, A6, A7 = 12, 16, 17
ECALL_U, ECALL_S = 8, 9
MEASURED = ('demo', 'io', 'syscall', 'forkwait')

needs_qemu = pytest.mark.skipif(shutil.which('qemu-system-riscv32') is None,
                                reason='qemu-system-riscv32 not installed (qemu-system-misc)')
needs_gnu_as = pytest.mark.skipif(shutil.which('riscv64-unknown-elf-as') is None,
                                  reason='riscv64-unknown-elf-as not installed '
                                         '(binutils-riscv64-unknown-elf)')


def calls(workload, dbcn):
    """Boot ``workload`` bare, counting its ecalls: ``chunks`` (the write() system calls'
    chunks of up to KBUF_SIZE bytes) and the SBI calls by (EID, FID). Returns (console,
    result, counter)."""
    m = guest.machine(workload, dbcn=dbcn)
    count = Counter()

    def watch(event):
        if isinstance(event, TrapTaken) and event.cause in (ECALL_U, ECALL_S):
            x = m.hart.x
            if event.cause == ECALL_U and x[A7] == SYS_WRITE:
                count['chunks'] += -(-x[A2] // KBUF_SIZE)
            elif event.cause == ECALL_S:
                count[x[A7], x[A6]] += 1
    m.hart.trace = watch
    result = m.run(guest.MAX_STEPS)
    return m.output, result, count


def hv_console(technique, program, workload):
    devices = guest.devices if guest.with_virtio(workload) else None
    return Hypervisor(technique, [program], workload=workload, devices=devices).run()['guests'][0]


# --- the build -----------------------------------------------------------------------------------

def test_the_plain_build_has_no_dbcn_code_and_the_option_builds_it():
    plain, dbcn = guest.program('syscall'), guest.program('syscall', dbcn=True)
    assert 'dbcn_write' not in plain.symbols and 'dbcn_write' in dbcn.symbols
    assert guest.build_flags('syscall') == {'VIRTIO': 0, 'PV': 0}
    assert guest.build_flags('syscall', dbcn=True) == {'VIRTIO': 0, 'PV': 0, 'DBCN': 1}
    assert guest.program('syscall', dbcn=True) is dbcn
    assert plain.symbols['kernel_entry'] == dbcn.symbols['kernel_entry']
    assert guest.elf('syscall', dbcn=True) == dbcn.to_elf()


@needs_gnu_as
def test_gnu_as_accepts_the_dbcn_build(tmp_path):
    src = tmp_path / 'g.s'
    src.write_text(guest.source('demo'))
    p = subprocess.run(['riscv64-unknown-elf-as', '-march=rv32ima_zicsr_zifencei', '-mabi=ilp32',
                        '-mno-relax', '--defsym', 'DBCN=1', str(src), '-o', str(tmp_path / 'g.o')],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


# --- bare: the same console, a call per chunk ----------------------------------------------------

@pytest.mark.parametrize('workload', list(guest.ALL_WORKLOADS))
def test_the_dbcn_build_prints_what_the_putchar_build_prints_bare(workload):
    plain, r1 = guest.run(workload)
    out, r2 = guest.run(workload, dbcn=True)
    assert (r2.reason, r2.exit_status) == (r1.reason, r1.exit_status) == ('poweroff', 0)
    assert out == plain


@pytest.mark.parametrize('workload', MEASURED)
def test_one_dbcn_write_per_chunk_and_per_kernel_message(workload):
    """The kernel's own messages here: the banner, and at init's exit its text, the status
    (kputdec: one string) and a newline (write_byte)."""
    out, _, plain = calls(workload, dbcn=False)
    _, _, count = calls(workload, dbcn=True)
    assert plain[SBI_CONSOLE_PUTCHAR, 0] > 100 and (DBCN, 0) not in plain
    assert (SBI_CONSOLE_PUTCHAR, 0) not in count            # no byte-by-byte console left
    assert count[DBCN, 0] == plain['chunks'] + 3
    assert count[DBCN, 2] == 1


def test_kernel_messages_with_numbers_go_whole():
    """A killed process's message (kputs, kputdec, kputhex) is a few calls, not a call a byte."""
    out, _, count = calls('pgfault', dbcn=True)
    assert 'kernel: killed pid 2: load page fault at pc 0x004001c4, address 0x00640000\n' in out
    _, _, plain = calls('pgfault', dbcn=False)
    assert count[DBCN, 0] + count[DBCN, 2] < plain[SBI_CONSOLE_PUTCHAR, 0] / 10


# --- virtualized: the same console everywhere, an exit per write under hw -----------------------

@pytest.mark.parametrize('workload', MEASURED + ('blk',))
def test_under_hw_the_sbi_exits_drop_from_one_per_byte_to_one_per_write(workload):
    plain = hv_console('hw', guest.program(workload), workload)
    dbcn = hv_console('hw', guest.program(workload, dbcn=True), workload)
    assert (dbcn['reason'], dbcn['exit_status']) == ('poweroff', 0), dbcn['message']
    assert dbcn['console'] == plain['console']
    _, _, count = calls(workload, dbcn=True)
    assert dbcn['exits']['KVM_EXIT_RISCV_SBI'] == count[DBCN, 0] + count[DBCN, 2]
    assert dbcn['exits']['KVM_EXIT_RISCV_SBI'] * 10 < plain['exits']['KVM_EXIT_RISCV_SBI']
    assert dbcn['exits'].get('KVM_EXIT_MMIO') == plain['exits'].get('KVM_EXIT_MMIO')


@pytest.mark.parametrize('technique', ['emulate', 'trap', 'hw'])
def test_the_dbcn_build_boots_the_same_under_every_technique(technique):
    """emulate runs the firmware (which serves DBCN), hw's VMM serves it; where the SBI
    answers -2 (not supported) the kernel goes back to console_putchar: the same console."""
    for workload in ('syscall', 'pgfault'):
        plain, _ = guest.run(workload)
        g = hv_console(technique, guest.program(workload, dbcn=True), workload)
        assert (g['reason'], g['exit_status'], g['console']) == ('poweroff', 0, plain)


# --- the firmware: DBCN in M-mode, bad buffers refused ------------------------------------------

# Each case: a DBCN call and the (a0, a1) it must return; the firmware (bare, emulate) and the
# VMM (hw) must agree. "hi" is base_addr_hi; a buffer must lie wholly in the guest's RAM.
DBCN_PROBE = r"""
    .macro dbcn_call fid, n, hi, err, val
    li a0, \n
    li a2, \hi
    li a6, \fid
    li a7, SBI_EXT_DBCN
    ecall
    li t1, \err
    bne a0, t1, fail
    li t1, \val
    bne a1, t1, fail
    addi s0, s0, 1
    .endm
    li s0, 0                            # cases passed
    la a1, text
    dbcn_call 0, 6, 0, 0, 6             # write: "DBCN: "
    li a1, 0x1000
    dbcn_call 0, 4, 0, -3, 0            # below RAM
    li a1, 0x803ffffc
    dbcn_call 0, 8, 0, -3, 0            # past the end of RAM
    li a1, 0x803ffffc
    dbcn_call 0, 4, 0, 0, 4             # RAM's last 4 bytes (zeroes: nothing visible)
    li a1, 0x80400000
    dbcn_call 0, 1, 0, -3, 0            # the first byte after RAM
    la a1, text
    dbcn_call 0, 1, 1, -3, 0            # base_addr_hi = 1: above 4 GiB
    la a1, text
    dbcn_call 0, -1, 0, -3, 0           # num_bytes wraps around
    la a1, text
    dbcn_call 0, 0, 0, 0, 0             # nothing to write
    li a1, 0
    dbcn_call 2, 'o', 0, 0, 0           # write_byte
    dbcn_call 2, 'k', 0, 0, 0
    dbcn_call 1, 4, 0, -2, 0            # read: not served
    li a0, '\n'
    li a7, SBI_CONSOLE_PUTCHAR
    ecall
    li a0, 0
    call mini_exit
fail:
    la a0, msg_fail
    call mini_puts
    addi a0, s0, '0'
    li a7, SBI_CONSOLE_PUTCHAR
    ecall
    li a0, 1
    call mini_exit
    .section .rodata
text:     .string "DBCN: "
msg_fail: .string "DBCN: unexpected answer in case "
"""
PROBE_OUTPUT = 'DBCN: ' + '\0' * 4 + 'ok\n'


def test_the_firmware_serves_dbcn_and_refuses_buffers_outside_ram():
    program = miniguest.program(DBCN_PROBE, filename='dbcn-probe.s')
    m = miniguest.machine(program)
    r = m.run(100_000)
    assert (m.output, r.exit_status) == (PROBE_OUTPUT, 0)
    for technique in ('emulate', 'hw'):
        g = Hypervisor(technique, [program]).run()['guests'][0]
        assert (g['console'], g['exit_status']) == (PROBE_OUTPUT, 0), technique


# --- QEMU runs vmlib's firmware (-bios none): the same console ---------------------------------

QEMU = ['qemu-system-riscv32', '-M', 'virt', '-cpu',
        'rv32,c=off,f=off,d=off,h=off,sstc=off,zba=off,zbb=off,zbc=off,zbs=off',
        '-bios', 'none', '-nographic', '-m', '128M', '-monitor', 'none', '-serial', 'stdio']


@needs_qemu
@pytest.mark.parametrize('workload', ['demo', 'syscall', 'pgfault'])
def test_qemu_prints_the_same_with_the_dbcn_build(workload, tmp_path):
    elf = tmp_path / 'g.elf'
    elf.write_bytes(guest.elf(workload, dbcn=True))
    p = subprocess.run(QEMU + ['-kernel', str(elf)], capture_output=True, timeout=60)
    assert (p.stdout.decode(), p.returncode) == (guest.run(workload)[0], 0)


@needs_qemu
def test_qemu_runs_the_firmware_probe_the_same(tmp_path):
    elf = tmp_path / 'probe.elf'
    elf.write_bytes(miniguest.program(DBCN_PROBE, filename='dbcn-probe.s').to_elf())
    p = subprocess.run(QEMU + ['-kernel', str(elf)], capture_output=True, timeout=60)
    assert (p.stdout.decode(), p.returncode) == (PROBE_OUTPUT, 0)
