"""The guest kernel (vmlib.guest) on the bare machine: every workload's console output and exit
status, independence from the time slice, preemption, killed processes, the SUM discipline,
the step budget, both engines, and the same source through GNU as and QEMU when installed."""

import shutil
import subprocess

import pytest

from vmlib import guest
from vmlib.asm import assemble

BANNER = 'kernel: booting in S-mode, Sv32 paging on, starting init'
INIT_EXIT_0 = 'kernel: init exited with status 0'

# What each workload prints between the kernel's banner and init's exit (all exit status 0).
PRINTS = {
    'demo': [
        'demo: init (pid 1) forks worker 2 (counts primes) and worker 3 (spins forever)',
        'demo: worker 2 has finished',
        'demo: it found 168 primes below 1000',
        'demo: init meanwhile added the squares of 1..1000: 333833500',
        'demo: worker 3 is still spinning: the timer took the CPU away from it',
    ],
    'syscall': [
        'syscall: pid 1 calls getpid in a loop',
        'syscall: 500 getpid calls',
        'syscall: sum of the pids returned: 500',
    ],
    'io': [
        'io: the kernel writes the next lines to the UART registers itself',
        'io: line 01: LSR read, THR written, byte by byte',
        'io: line 02: LSR read, THR written, byte by byte',
        'io: line 03: LSR read, THR written, byte by byte',
        'io: line 04: LSR read, THR written, byte by byte',
        'io: line 05: LSR read, THR written, byte by byte',
        'io: line 06: LSR read, THR written, byte by byte',
        'io: line 07: LSR read, THR written, byte by byte',
        'io: line 08: LSR read, THR written, byte by byte',
        'io: line 09: LSR read, THR written, byte by byte',
        'io: line 10: LSR read, THR written, byte by byte',
        'io: line 11: LSR read, THR written, byte by byte',
        'io: line 12: LSR read, THR written, byte by byte',
        'io: 12 lines written through the device registers',
    ],
    'csr': [
        'csr: 10 system calls, each writing sie 100 times in the kernel',
        'csr: 1000 writes of the sie CSR',
    ],
    'callret': [
        'callret: fib(16) = 987',
        'callret: calls made: 3193',
        'callret: fib(16) in the kernel = 987',
    ],
    'pgfault': [
        'pgfault: 8 rounds: touch 8 heap pages, then unmap them',
        'pgfault: 64 page faults served by the kernel',
        'pgfault: checksum of the values read back: 2080',
        'kernel: killed pid 2: load page fault at pc 0x004001c4, address 0x00640000',
        'pgfault: child 2 read past the heap',
        'pgfault: its exit status (128 + scause): 141',
    ],
    'exception': [
        'exception: 100 illegal instructions, each delivered to a handler',
        'exception: the handler ran 100 times',
        'exception: sum of the causes it was given: 200',
        'kernel: killed pid 2: illegal instruction at pc 0x00400174',
        'exception: child 2 had no handler',
        'exception: its exit status (128 + scause): 130',
    ],
    'ptemod': [
        'ptemod: 40 rounds of mprotect read-only / writable on one page',
        "ptemod: the page's counter reached 40",
        'ptemod: 20 pages mapped, written and unmapped',
        'ptemod: checksum: 190',
    ],
    'forkwait': [
        'forkwait: fork a child, wait for it; 16 times',
        'forkwait: 16 children created and reaped',
        'forkwait: sum of their exit statuses (their pids): 152',
    ],
    'compute': [
        'compute: Collatz steps for 1..4000: 299275',
        'compute: the longest sequence has 237 steps',
        'compute: the first one that long starts at 3711',
    ],
}
EXPECTED = {w: '\n'.join([BANNER, *lines, INIT_EXIT_0]) + '\n' for w, lines in PRINTS.items()}

BUDGET = 3_000_000            # the contract: every workload ends within 3M instructions (the
                              # most: compute, 2.35M; demo's spinner has one 1M-instruction slice)
QUANTA = (25, 60, 137, 400, 1000, 3000)     # mtime ticks: 250 .. 30,000 instructions

needs_qemu = pytest.mark.skipif(shutil.which('qemu-system-riscv32') is None,
                                reason='qemu-system-riscv32 not installed (qemu-system-misc)')
needs_gnu_as = pytest.mark.skipif(shutil.which('riscv64-unknown-elf-as') is None,
                                  reason='riscv64-unknown-elf-as not installed '
                                         '(binutils-riscv64-unknown-elf)')


def boot(workload, max_steps=BUDGET, **kw):
    out, result = guest.run(workload, max_steps=max_steps, **kw)
    assert result.reason == 'poweroff', (result.message, out)
    return out, result


def boot_program(user_program, max_steps=BUDGET, quantum=None):
    """Boot the kernel with a user program written for a test."""
    from vmlib.machine import Machine
    m = Machine.from_source(guest.build_source(user_program), filename='test-guest.s')
    if quantum is not None:
        guest.set_quantum(m, quantum)
    result = m.run(max_steps)
    return m.output, result


def test_the_workloads_are_the_contract_s():
    assert list(guest.WORKLOADS) == ['demo', 'syscall', 'io', 'csr', 'callret', 'pgfault',
                                     'exception', 'ptemod', 'forkwait', 'compute']
    assert set(PRINTS) == set(guest.WORKLOADS)


@pytest.mark.parametrize('workload', list(EXPECTED))
def test_workload_output_exit_status_and_budget(workload):
    out, result = boot(workload)
    assert out == EXPECTED[workload]
    assert result.exit_status == 0
    assert result.instructions < BUDGET


@pytest.mark.parametrize('workload', list(EXPECTED))
def test_output_does_not_depend_on_the_time_slice(workload):
    """Under a hypervisor the timer fires at other instruction counts: nothing may change."""
    for ticks in QUANTA:
        out, result = boot(workload, max_steps=8_000_000, quantum=ticks, engine='dbt')
        assert (out, result.exit_status) == (EXPECTED[workload], 0), f'quantum {ticks}'


@pytest.mark.parametrize('workload', list(EXPECTED))
def test_the_translator_gives_the_same_run(workload):
    out, result = boot(workload, engine='dbt')
    _, interp_result = boot(workload)
    assert (out, result.exit_status) == (EXPECTED[workload], 0)
    assert result.instructions == interp_result.instructions


def test_the_kernel_preempts_a_process_that_never_yields():
    """demo's worker 3 spins forever without a system call; init still finishes. Without timer
    interrupts (a quantum longer than the run) the spinner keeps the CPU for good."""
    out, result = boot('demo')
    assert 'worker 3 is still spinning' in out and result.exit_status == 0
    out, result = guest.run('demo', max_steps=BUDGET, quantum=0x7FFF_FFFF)
    assert result.reason == 'budget'
    assert 'worker 2 has finished' not in out


def test_the_timer_really_interrupts_the_processes():
    """A 100 Hz tick: one supervisor timer interrupt every 10 ms, 1,000,000 instructions of
    the modelled 100 MHz hart; a tick of 2,000 instructions (quantum 200) interrupts often."""
    m = guest.machine('compute')
    result = m.run(BUDGET)
    interrupts = m.hart.stats_traps.get((1 << 31) | 5, 0)
    assert interrupts == result.instructions // 1_000_000 == 2, m.hart.stats_traps
    m = guest.machine('compute', quantum=200)
    m.run(BUDGET)
    assert m.hart.stats_traps.get((1 << 31) | 5, 0) > 1000


def test_killed_processes_get_a_kernel_message_and_the_others_run_on():
    out, _ = boot('pgfault')
    assert ('kernel: killed pid 2: load page fault at pc 0x004001c4, address 0x00640000\n'
            'pgfault: child 2 read past the heap\n'
            'pgfault: its exit status (128 + scause): 141\n') in out
    out, _ = boot('exception')
    assert ('kernel: killed pid 2: illegal instruction at pc 0x00400174\n'
            'exception: child 2 had no handler\n'
            'exception: its exit status (128 + scause): 130\n') in out


def test_a_lost_sum_write_makes_write_fail_and_init_exit_14():
    """The SUM discipline: without SUM the kernel's read of the user's buffer faults, write
    returns -EFAULT, and the user library exits with status 14 (what a hypervisor that drops
    the guest's sstatus write, as on the non-virtualizable CPU variant, shows)."""
    m = guest.machine('syscall')
    at = m.symbols['sum_on']
    assert m.read_memory(at, 4) == assemble('csrs sstatus, t1').section('.text').data
    i = m.bus.ram_index(at)
    m.bus.ram[i:i + 4] = assemble('nop').section('.text').data
    result = m.run(BUDGET)
    assert m.output == BANNER + '\nkernel: init exited with status 14\n'
    assert (result.reason, result.exit_status) == ('poweroff', 1)


PROBE = r"""
# A test program: the kernel's answers to bad requests, one number a line.
main:
    addi sp, sp, -16
    sw ra, 12(sp)
    li a0, 3                        # write to an unknown fd: -EBADF
    la a1, probe_text
    li a2, 1
    li a7, SYS_WRITE
    ecall
    call show
    li a0, 1                        # write from kernel memory: -EFAULT
    li a1, 0x80000000
    li a2, 4
    li a7, SYS_WRITE
    ecall
    call show
    li a0, 1                        # write from an unmapped user page: -EFAULT
    li a1, 0x00500000
    li a2, 4
    li a7, SYS_WRITE
    ecall
    call show
    li a0, 1                        # a buffer running past the top of user memory: -EFAULT
    li a1, USER_TOP - 4
    li a2, 8
    li a7, SYS_WRITE
    ecall
    call show
    li a7, 4242                     # an unknown system call: -ENOSYS
    ecall
    call show
    li a0, 0x00700001               # mmap of an unaligned address: -EINVAL
    li a7, SYS_MMAP
    ecall
    call show
    li a0, STACK_VA                 # mmap over the stack (outside the map area): -EINVAL
    li a7, SYS_MMAP
    ecall
    call show
    li a0, 0x00700000               # mmap twice: the address, then -EEXIST
    li a7, SYS_MMAP
    ecall
    call show
    li a0, 0x00700000
    li a7, SYS_MMAP
    ecall
    call show
    li a0, 0x00701000               # munmap of a page never mapped: -EINVAL
    li a7, SYS_MUNMAP
    ecall
    call show
    li a0, 0                        # wait without children: -ECHILD
    li a7, SYS_WAIT
    ecall
    call show
    li a7, SYS_YIELD                # yield alone: 0
    ecall
    call show
    li a0, 0x00700000               # a read-only page: reading works, writing kills
    li a1, 0
    li a7, SYS_MPROTECT
    ecall
    call show
    li t0, 0x00700000
    lw a0, 0(t0)
    call show
    li t0, 0x00700000
probe_store:
    sw zero, 0(t0)
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

show:                               # print a0 as a signed number and a newline
    addi sp, sp, -16
    sw ra, 12(sp)
    sw a0, 8(sp)
    bgez a0, 1f
    la a0, probe_minus
    call print
    lw a0, 8(sp)
    neg a0, a0
1:  call print_dec
    la a0, newline
    call print
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

probe_text:  .string "x"
probe_minus: .string "-"
    .balign 4
"""


def user_address(program, label):
    """Where ``label`` of the user image is in a process's address space."""
    return 0x0040_0000 + program.symbols[label] - program.symbols['user_image']


def test_the_kernel_refuses_bad_requests_with_errno_values():
    out, result = boot_program(PROBE)
    pc = user_address(assemble(guest.build_source(PROBE)), 'probe_store')
    assert out.split('\n')[1:] == [
        '-9', '-14', '-14', '-14', '-38', '-22', '-22', str(0x00700000), '-17', '-22', '-10',
        '0', '0', '0',
        f'kernel: killed pid 1: store page fault at pc 0x{pc:08x}, address 0x00700000',
        'kernel: init exited with status 143', '']
    assert (result.reason, result.exit_status) == ('poweroff', 1)


FORK_BOMB = r"""
# Fork until the process table is full: -EAGAIN, and the children still all get reaped.
main:
    addi sp, sp, -16
    sw ra, 12(sp)
    li s0, 0                        # children made
1:  li a7, SYS_FORK
    ecall
    beqz a0, child
    bltz a0, 2f
    addi s0, s0, 1
    j 1b
2:  mv s1, a0                       # the error
    li s2, 0                        # statuses collected
3:  li a0, 0
    li a7, SYS_WAIT
    ecall
    bltz a0, 4f
    add s2, s2, a1
    j 3b
4:  la a0, fb_made
    mv a1, s0
    la a2, empty
    call print_line
    la a0, fb_error
    neg a1, s1
    la a2, empty
    call print_line
    la a0, fb_sum
    mv a1, s2
    la a2, empty
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret
child:
    li a7, SYS_GETPID               # spin a while, so the parent's waits really sleep
    ecall
    li t0, 3000
5:  addi t0, t0, -1
    bnez t0, 5b
    li a7, SYS_EXIT
    ecall

fb_made:  .string "children: "
fb_error: .string "then fork failed with -"
fb_sum:   .string "sum of their statuses: "
    .balign 4
"""


@pytest.mark.parametrize('quantum', [30, 200, 5000])
def test_a_full_process_table_refuses_fork_and_waiting_reaps_every_child(quantum):
    out, result = boot_program(FORK_BOMB, max_steps=2_000_000, quantum=quantum)
    assert out.split('\n')[1:4] == ['children: 3', 'then fork failed with -11',
                                     'sum of their statuses: 9']
    assert result.exit_status == 0


def test_symbols_the_hypervisor_relies_on():
    p = guest.program('syscall')
    assert p.symbols['_start'] == 0x8000_0000 == p.entry
    assert p.symbols['kernel_entry'] % 4096 == 0 and p.symbols['kernel_entry'] > 0x8000_0000
    assert 'quantum' in p.symbols
    end = max(s.end for s in p.sections)
    assert p.symbols['kernel_end'] == end <= 0x8000_0000 + guest.GUEST_RAM_SIZE


def test_unknown_workload_is_refused_with_the_list():
    with pytest.raises(ValueError, match='syscall'):
        guest.source('nope')


def test_program_is_assembled_once():
    assert guest.program('syscall') is guest.program('syscall')


def test_the_docstring_lists_the_syscalls_and_sbi_calls():
    doc = guest.__doc__
    for word in ('sstatus', 'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'sie', 'satp',
                 'sret', 'sfence.vma', 'time', 'set_timer', 'console_putchar', 'SRST'):
        assert word in doc, word
    src = guest.source('syscall')
    for number in guest.SYSCALLS:
        assert f', {number} ' in src, number


@needs_gnu_as
@pytest.mark.parametrize('workload', list(EXPECTED))
def test_gnu_as_accepts_the_source(workload, tmp_path):
    src = tmp_path / 'g.s'
    src.write_text(guest.source(workload))
    p = subprocess.run(['riscv64-unknown-elf-as', '-march=rv32ima_zicsr_zifencei', '-mabi=ilp32',
                        '-mno-relax', str(src), '-o', str(tmp_path / 'g.o')],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


QEMU = ['qemu-system-riscv32', '-M', 'virt', '-cpu',
        'rv32,c=off,f=off,d=off,h=off,sstc=off,zba=off,zbb=off,zbc=off,zbs=off',
        '-bios', 'none', '-nographic', '-m', '128M', '-monitor', 'none', '-serial', 'stdio']


@needs_qemu
@pytest.mark.parametrize('workload', list(EXPECTED))
def test_qemu_prints_the_same(workload, tmp_path):
    """QEMU's timer runs on wall-clock time, so preemption falls elsewhere: the same output."""
    elf = tmp_path / 'g.elf'
    elf.write_bytes(guest.elf(workload))
    p = subprocess.run(QEMU + ['-kernel', str(elf)], capture_output=True, timeout=60)
    assert (p.stdout.decode(), p.returncode) == (EXPECTED[workload], 0)
