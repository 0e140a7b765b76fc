"""How fast is vmlib's machine? Side by side with py65, a pure-Python 6502 emulator.

Both run the same three loop kernels — count down, sum an array, copy memory — in one
process, interleaved, best of several rounds (these machines are noisy; the ratio is what
we report, not absolute times). Times are the process's own CPU time (``process_time``),
which other programs competing for the cores disturb far less than wall-clock time. vmlib runs each kernel twice: in M-mode with paging off,
and in S-mode under Sv32 paging.

Targets (issue 2): at least 3x py65 with paging off, at least 2x with paging on.

    python bench/machine_vs_py65.py [--rounds 5] [--steps 400000]
"""

import argparse
import sys
import time

from py65.devices.mpu6502 import MPU

from vmlib.machine import Machine

# --- the RV32 kernels -------------------------------------------------------------------

KERNELS = {
    'countdown': """
        li a0, 0x7fffffff
    1:  addi a0, a0, -1
        bnez a0, 1b
    """,
    'array sum': """
        li a1, 0x80100000           # 1 MiB of words
        li a2, 0x40000
    1:  lw t0, 0(a1)
        add a0, a0, t0
        addi a1, a1, 4
        addi a2, a2, -1
        bnez a2, 1b
        j kernel
    """,
    'memcpy': """
        li a1, 0x80100000
        li a3, 0x80300000
        li a2, 0x40000
    1:  lw t0, 0(a1)
        sw t0, 0(a3)
        addi a1, a1, 4
        addi a3, a3, 4
        addi a2, a2, -1
        bnez a2, 1b
        j kernel
    """,
}

BARE = """
    .text
    .globl _start
_start:
kernel:
{kernel}
"""

# M-mode sets up one Sv32 root table of identity megapages over RAM (kernel R/W/X,
# accessed and dirty), enters S-mode with paging on, and runs the same kernel there.
PAGED = """
    .equ PTE_FLAGS, 0xCF            # V R W X A D
    .text
    .globl _start
_start:
    la t0, root
    li t1, 0x80000000 >> 22         # VPN[1] of the first RAM megapage
    li t2, 64                       # 64 x 4 MiB = 256 MiB
    slli t3, t1, 2
    add t3, t0, t3
1:  slli t4, t1, 20                 # PPN = VPN for an identity megapage
    ori t4, t4, PTE_FLAGS
    sw t4, 0(t3)
    addi t3, t3, 4
    addi t1, t1, 1
    addi t2, t2, -1
    bnez t2, 1b
    srli t0, t0, 12
    li t1, 1 << 31
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11                  # MPP = S
    csrs mstatus, t0
    la t0, kernel
    csrw mepc, t0
    mret
kernel:
{kernel}
    .bss
    .balign 4096
root:
    .space 4096
"""

# --- the 6502 kernels (hand-assembled; py65 has no label-aware assembler) -----------------

PY65 = {
    # LDX #0; LDY #0; loop: DEX; BNE loop; DEY; BNE loop; JMP $0200
    'countdown': [0xA2, 0x00, 0xA0, 0x00, 0xCA, 0xD0, 0xFD, 0x88, 0xD0, 0xFA,
                  0x4C, 0x00, 0x02],
    # LDY #0; loop: CLC; ADC ($10),Y; INY; BNE loop; JMP $0200   (sum a 256-byte page)
    'array sum': [0xA0, 0x00, 0x18, 0x71, 0x10, 0xC8, 0xD0, 0xFA, 0x4C, 0x00, 0x02],
    # LDY #0; loop: LDA ($10),Y; STA ($12),Y; INY; BNE loop; JMP $0200
    'memcpy': [0xA0, 0x00, 0xB1, 0x10, 0x91, 0x12, 0xC8, 0xD0, 0xF9, 0x4C, 0x00, 0x02],
}


def time_vmlib(source, steps):
    m = Machine.from_source(source)
    m.run(20_000)                           # warm the TLB and the decoded-instruction cache
    start = time.process_time()
    m.run(steps)
    return time.process_time() - start


def time_py65(code, steps):
    mpu = MPU()
    for i, byte in enumerate(code):
        mpu.memory[0x200 + i] = byte
    mpu.memory[0x10:0x14] = [0x00, 0x30, 0x00, 0x40]     # source $3000, destination $4000
    mpu.pc = 0x200
    step = mpu.step
    start = time.process_time()
    for _ in range(steps):
        step()
    return time.process_time() - start


def measure(rounds, steps):
    """Best time per (kernel, engine) over interleaved rounds."""
    best = {}
    for _ in range(rounds):
        for name, kernel in KERNELS.items():
            for engine, run in [('py65', lambda: time_py65(PY65[name], steps // 4)),
                                ('vmlib', lambda: time_vmlib(BARE.format(kernel=kernel), steps)),
                                ('vmlib+sv32',
                                 lambda: time_vmlib(PAGED.format(kernel=kernel), steps))]:
                n = steps // 4 if engine == 'py65' else steps
                rate = n / run()
                best[name, engine] = max(best.get((name, engine), 0), rate)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--steps', type=int, default=400_000)
    args = parser.parse_args(argv)
    best = measure(args.rounds, args.steps)
    print(f'{"kernel":<12} {"py65":>10} {"vmlib":>10} {"ratio":>7} {"vmlib+sv32":>11} {"ratio":>7}')
    ok = True
    for name in KERNELS:
        base = best[name, 'py65']
        bare, paged = best[name, 'vmlib'], best[name, 'vmlib+sv32']
        ok &= bare / base >= 3 and paged / base >= 2
        print(f'{name:<12} {base / 1e6:>8.2f} M {bare / 1e6:>8.2f} M {bare / base:>6.2f}x '
              f'{paged / 1e6:>9.2f} M {paged / base:>6.2f}x')
    print('instructions per CPU second, best of', args.rounds, 'interleaved rounds')
    print('targets: >= 3x py65 paging off, >= 2x paging on:', 'met' if ok else 'NOT met')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
