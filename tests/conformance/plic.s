# plic.s -- the PLIC of QEMU virt (SiFive layout at 0x0C000000) and the UART's interrupt (IRQ 10).
# Priorities are 3 bits (a write keeps the low bits), source 0 and sources past 95 have none;
# enable words per context (0: hart 0 M, 1: hart 0 S); thresholds; pending bits read-only; claim
# with nothing pending reads 0; unimplemented offsets read 0. The UART: IIR 0x01 with FIFOs off,
# IER keeps 4 bits, ETBEI set while THR is empty raises THRE (IIR 0x02, 0xC2 with FIFOs on),
# reading IIR clears it. The line sets the PLIC's pending bit; MEIP follows pending, enable and
# threshold; claim returns 10 and clears it. A THRE interrupt taken in M (mcause 0x8000000b) and
# one delegated to S through context 1 (mideleg.SEI, scause 0x80000009); sip.SEIP; mip.SEIP is
# software-writable, and csrrs on mip leaves it alone. A received byte wakes wfi (IIR 0xC4; the
# input is plic.stdin, "kk": QEMU may drop a byte that arrived before the FIFOs are enabled).
# Not checked here (QEMU 7.2 departs from the PLIC spec, see spec.s): MEIP/SEIP following an
# enable write at once (QEMU waits for the next PLIC event: each enable write here is followed
# by a threshold write), a source whose line is still high at completion, and completion by a
# context without the source enabled. Every claim is completed with the UART's line low.

    .equ UART, 0x10000000
    .equ TESTDEV, 0x00100000
    .equ CLINT_MSIP, 0x02000000
    .equ CLINT_MTIMECMP, 0x02004000
    .equ CLINT_MTIME, 0x0200BFF8
    .equ PLIC, 0x0C000000
    .equ PLIC_PENDING, 0x0C001000
    .equ PLIC_ENABLE0, 0x0C002000
    .equ PLIC_ENABLE1, 0x0C002080
    .equ PLIC_THRESHOLD0, 0x0C200000
    .equ PLIC_CLAIM0, 0x0C200004
    .equ PLIC_THRESHOLD1, 0x0C201000
    .equ PLIC_CLAIM1, 0x0C201004
    .equ TR_SAVE, 0
    .equ TR_CAUSE, 4
    .equ TR_EPC, 8
    .equ TR_TVAL, 12
    .equ TR_STATUS, 16
    .equ TR_COUNT, 20
    .equ TR_RESUME, 24

    .text
    .globl _start
_start:
    la sp, stack_top
    la t0, trap_m
    csrw mtvec, t0
    la t0, trap_s
    csrw stvec, t0
    li t0, -1                   # open PMP (QEMU denies S/U accesses otherwise)
    csrw pmpaddr0, t0
    li t0, 0x1f                 # NAPOT, R W X
    csrw pmpcfg0, t0

    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    li t0, CLINT_MTIMECMP       # no timer interrupt
    li t1, -1
    sw t1, 4(t0)
    sw t1, 0(t0)
    li s2, PLIC
    li s3, UART
    la a0, 9f
    call say
    .section .rodata
9:  .string "== PLIC registers =="
    .text
    li t0, -1
    sw t0, 40(s2)               # priority[10] = 0xffffffff
    lw a1, 40(s2)
    li a2, 0x00000007
    la a0, 9f
    call check
    .section .rodata
9:  .string "priority[10] after writing 0xffffffff"
    .text
    li t0, 9
    sw t0, 40(s2)
    lw a1, 40(s2)
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "priority[10] after writing 9"
    .text
    li t0, 5
    sw t0, 0(s2)
    lw a1, 0(s2)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "priority[0] (no source 0)"
    .text
    li t0, 5
    sw t0, 380(s2)              # source 95
    lw a1, 380(s2)
    li a2, 0x00000005
    la a0, 9f
    call check
    .section .rodata
9:  .string "priority[95]"
    .text
    sw zero, 380(s2)
    li t0, 5
    sw t0, 384(s2)              # source 96: a register, though no enable bit
    lw a1, 384(s2)
    li a2, 0x00000005
    la a0, 9f
    call check
    .section .rodata
9:  .string "priority[96]"
    .text
    sw zero, 384(s2)
    li t0, 5
    sw t0, 388(s2)              # source 97: none
    lw a1, 388(s2)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "priority[97] (no such source)"
    .text
    li t0, PLIC_ENABLE0
    li t1, -1
    sw t1, 0(t0)
    sw t1, 4(t0)
    sw t1, 8(t0)
    sw t1, 12(t0)
    lw a1, 8(t0)
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "context 0 enable word 2 (sources 64..95)"
    .text
    li t0, PLIC_ENABLE0
    lw a1, 12(t0)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "context 0 enable word 3 (none)"
    .text
    li t0, PLIC_ENABLE1
    lw a1, 0(t0)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "context 1 enable word 0 (its own)"
    .text
    li t0, PLIC_ENABLE0
    sw zero, 0(t0)
    sw zero, 4(t0)
    sw zero, 8(t0)
    li t0, PLIC_THRESHOLD0
    li t1, 0xff
    sw t1, 0(t0)
    lw a1, 0(t0)
    li a2, 0x00000007
    la a0, 9f
    call check
    .section .rodata
9:  .string "context 0 threshold after writing 0xff"
    .text
    li t0, PLIC_THRESHOLD1
    li t1, 9
    sw t1, 0(t0)
    lw a1, 0(t0)
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "context 1 threshold after writing 9"
    .text
    li t0, PLIC_THRESHOLD0
    sw zero, 0(t0)
    li t0, PLIC_THRESHOLD1
    sw zero, 0(t0)
    li t0, PLIC_THRESHOLD0 + 0x2000     # context 2: none
    li t1, 3
    sw t1, 0(t0)
    lw a1, 0(t0)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "context 2 threshold (none)"
    .text
    li t0, PLIC_THRESHOLD0
    lw a1, 8(t0)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "unimplemented offset 0x200008"
    .text
    li t0, PLIC_PENDING
    li t1, -1
    sw t1, 0(t0)
    lw a1, 0(t0)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "pending word 0 is read-only"
    .text
    li t0, PLIC_CLAIM0
    lw a1, 0(t0)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "claim with nothing pending"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== NS16550A IER and IIR =="
    .text
    lbu a1, 2(s3)
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "IIR, FIFOs off, nothing pending"
    .text
    li t0, 0xfe                 # all but ERBFI (input may have arrived on QEMU)
    sb t0, 1(s3)
    lbu s4, 1(s3)               # IER
    lbu s5, 2(s3)               # IIR: THRE
    lbu s6, 2(s3)               # IIR: cleared by the read before
    li t0, 1 << 10
    li t1, PLIC_PENDING
    lw s7, 0(t1)
    and s7, s7, t0              # the UART's line set pending bit 10
    sb zero, 1(s3)
    mv a1, s4
    li a2, 0x0000000e
    la a0, 9f
    call check
    .section .rodata
9:  .string "IER after writing 0xfe"
    .text
    mv a1, s5
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "IIR with ETBEI set, THR empty"
    .text
    mv a1, s6
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "IIR read again"
    .text
    mv a1, s7
    li a2, 0x00000400
    la a0, 9f
    call check
    .section .rodata
9:  .string "PLIC pending bit 10"
    .text
    li t0, PLIC_CLAIM0
    lw a1, 0(t0)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "claim by context 0, source 10 not enabled"
    .text
    li t0, 1
    sb t0, 2(s3)                # FCR: FIFOs on
    lbu s4, 2(s3)
    li t0, 2
    sb t0, 1(s3)
    lbu s5, 2(s3)
    lbu s6, 2(s3)
    sb zero, 1(s3)
    mv a1, s4
    li a2, 0x000000c1
    la a0, 9f
    call check
    .section .rodata
9:  .string "IIR, FIFOs on, nothing pending"
    .text
    mv a1, s5
    li a2, 0x000000c2
    la a0, 9f
    call check
    .section .rodata
9:  .string "IIR, FIFOs on, THRE"
    .text
    mv a1, s6
    li a2, 0x000000c1
    la a0, 9f
    call check
    .section .rodata
9:  .string "IIR read again"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== claim, complete, MEIP =="
    .text
    li t0, 1
    sw t0, 40(s2)               # priority[10] = 1
    li t0, PLIC_ENABLE0
    li t1, 1 << 10
    sw t1, 0(t0)                # context 0 enables source 10 (pending from above)
    li t0, PLIC_THRESHOLD0
    sw zero, 0(t0)              # (QEMU 7.2 re-evaluates MEIP on this write, not the enable's)
    csrr s4, mip
    li t0, PLIC_THRESHOLD0
    li t1, 1
    sw t1, 0(t0)                # threshold 1: priority 1 is not above it
    csrr s5, mip
    lw s6, 4(t0)                # claim: nothing
    sw zero, 0(t0)
    csrr s7, mip
    li t0, PLIC_ENABLE1
    lw s8, 0(t0)
    li t0, PLIC_CLAIM0
    lw s9, 0(t0)                # claim: 10
    csrr s10, mip
    li t1, PLIC_PENDING
    lw s11, 0(t1)
    sw s9, 0(t0)                # complete (the line is low)
    li t0, 0x800
    and s4, s4, t0
    and s5, s5, t0
    and s7, s7, t0
    and s10, s10, t0
    mv a1, s4
    li a2, 0x00000800
    la a0, 9f
    call check
    .section .rodata
9:  .string "mip.MEIP: pending, enabled, priority 1 > threshold 0"
    .text
    mv a1, s5
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mip.MEIP with threshold 1"
    .text
    mv a1, s6
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "claim with threshold 1"
    .text
    mv a1, s7
    li a2, 0x00000800
    la a0, 9f
    call check
    .section .rodata
9:  .string "mip.MEIP with threshold 0 again"
    .text
    mv a1, s8
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "context 1 enables untouched"
    .text
    mv a1, s9
    li a2, 0x0000000a
    la a0, 9f
    call check
    .section .rodata
9:  .string "claim"
    .text
    mv a1, s10
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mip.MEIP after the claim"
    .text
    mv a1, s11
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "pending after the claim"
    .text
    li t0, 2
    sb t0, 1(s3)                # ETBEI again: THRE, the line goes high
    csrr s4, mip
    li t0, PLIC_ENABLE0
    sw zero, 0(t0)              # disabled: MEIP drops, pending stays
    li t1, PLIC_THRESHOLD0
    sw zero, 0(t1)              # (for QEMU 7.2, as above)
    csrr s5, mip
    li t1, PLIC_PENDING
    lw s6, 0(t1)
    li t1, 1 << 10
    sw t1, 0(t0)
    li t0, PLIC_CLAIM0
    lw s7, 0(t0)
    lbu s8, 2(s3)               # IIR: THRE, cleared
    sb zero, 1(s3)
    sw s7, 0(t0)
    lbu s9, 2(s3)
    li t0, 0x800
    and s4, s4, t0
    and s5, s5, t0
    mv a1, s4
    li a2, 0x00000800
    la a0, 9f
    call check
    .section .rodata
9:  .string "ETBEI: mip.MEIP"
    .text
    mv a1, s5
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "source disabled: mip.MEIP"
    .text
    mv a1, s6
    li a2, 0x00000400
    la a0, 9f
    call check
    .section .rodata
9:  .string "...pending"
    .text
    mv a1, s7
    li a2, 0x0000000a
    la a0, 9f
    call check
    .section .rodata
9:  .string "claim"
    .text
    mv a1, s8
    li a2, 0x000000c2
    la a0, 9f
    call check
    .section .rodata
9:  .string "IIR in the handler"
    .text
    mv a1, s9
    li a2, 0x000000c1
    la a0, 9f
    call check
    .section .rodata
9:  .string "IIR after"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== THRE interrupt in M-mode =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    li t0, 1 << 11
    csrw mie, t0                # MEIE
    li t0, 2
    sb t0, 1(s3)                # ETBEI: MEIP, not taken while mstatus.MIE = 0
    csrsi mstatus, 8
8:  csrci mstatus, 8
    li t0, PLIC_CLAIM0
    lw s4, 0(t0)
    lbu s5, 2(s3)
    sb zero, 1(s3)
    sw s4, 0(t0)
    lw s7, 0(t0)
    lw a1, TR_CAUSE(s6)
    li a2, 0x8000000b
    la a0, 9f
    call check
    .section .rodata
9:  .string "MEI: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "...mepc = the next instruction"
    .text
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "...one trap"
    .text
    mv a1, s4
    li a2, 0x0000000a
    la a0, 9f
    call check
    .section .rodata
9:  .string "...claim"
    .text
    mv a1, s5
    li a2, 0x000000c2
    la a0, 9f
    call check
    .section .rodata
9:  .string "...IIR"
    .text
    mv a1, s7
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "...claim after complete"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== delegated to S through context 1 =="
    .text
    li t0, PLIC_ENABLE0
    sw zero, 0(t0)
    li t0, PLIC_ENABLE1
    li t1, 1 << 10
    sw t1, 0(t0)                # context 1 (S) enables source 10
    li t0, 1 << 9
    csrw mideleg, t0            # SEI to S
    csrw mie, t0                # SEIE
    li t0, 2
    sb t0, 1(s3)                # ETBEI: SEIP
    csrr s4, mip
    csrr s5, sip
    li t0, 0x200
    and s4, s4, t0
    and s5, s5, t0
    mv a1, s4
    li a2, 0x00000200
    la a0, 9f
    call check
    .section .rodata
9:  .string "mip.SEIP from context 1"
    .text
    mv a1, s5
    li a2, 0x00000200
    la a0, 9f
    call check
    .section .rodata
9:  .string "sip.SEIP"
    .text
    la s6, st_area
    lw s10, TR_COUNT(s6)
    la a0, 7f
    li a1, 1
    la a2, 6f
    j run_in
7:  csrsi sstatus, 2            # S: SIE = 1, the interrupt is taken in S
5:  ecall                       # back to M
6:  la s6, st_area
    li t0, PLIC_CLAIM1
    lw s4, 0(t0)
    lbu s5, 2(s3)
    sb zero, 1(s3)
    sw s4, 0(t0)
    csrr s7, mip
    li t0, 0x200
    and s7, s7, t0
    lw a1, TR_CAUSE(s6)
    li a2, 0x80000009
    la a0, 9f
    call check
    .section .rodata
9:  .string "SEI in S: scause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 5b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "...sepc = the next instruction"
    .text
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "...one trap in S"
    .text
    la t0, tr_area
    lw a1, TR_CAUSE(t0)
    li a2, 0x00000009
    la a0, 9f
    call check
    .section .rodata
9:  .string "...then the ecall in M: mcause"
    .text
    mv a1, s4
    li a2, 0x0000000a
    la a0, 9f
    call check
    .section .rodata
9:  .string "...claim by context 1"
    .text
    mv a1, s5
    li a2, 0x000000c2
    la a0, 9f
    call check
    .section .rodata
9:  .string "...IIR"
    .text
    mv a1, s7
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "...mip.SEIP after complete"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== mip.SEIP: software bit ORed with the PLIC =="
    .text
    csrw mie, zero
    csrw mideleg, zero
    li t0, 0x200
    csrs mip, t0
    csrr s4, mip
    csrc mip, t0
    csrr s5, mip
    li t0, 2
    sb t0, 1(s3)                # PLIC's SEIP up
    csrsi mip, 2                # csrrs on mip with SEIP up from the PLIC: SSIP only
    li t0, PLIC_CLAIM1
    lw s6, 0(t0)                # SEIP from the PLIC drops
    sb zero, 1(s3)
    sw s6, 0(t0)
    csrr s7, mip
    csrci mip, 2
    li t0, 0x200
    csrs mip, t0                # software SEIP set, then the PLIC's rises and falls
    li t0, 2
    sb t0, 1(s3)
    li t0, PLIC_CLAIM1
    lw s8, 0(t0)
    sb zero, 1(s3)
    sw s8, 0(t0)
    csrr s9, mip
    li t0, 0x200
    csrc mip, t0
    csrr s10, mip
    li t0, 0x202
    and s4, s4, t0
    and s5, s5, t0
    and s7, s7, t0
    and s9, s9, t0
    and s10, s10, t0
    mv a1, s4
    li a2, 0x00000200
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrs mip.SEIP"
    .text
    mv a1, s5
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrc mip.SEIP"
    .text
    mv a1, s6
    li a2, 0x0000000a
    la a0, 9f
    call check
    .section .rodata
9:  .string "claim"
    .text
    mv a1, s7
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrsi mip, SSIP while the PLIC drove SEIP: SEIP, SSIP"
    .text
    mv a1, s8
    li a2, 0x0000000a
    la a0, 9f
    call check
    .section .rodata
9:  .string "claim"
    .text
    mv a1, s9
    li a2, 0x00000200
    la a0, 9f
    call check
    .section .rodata
9:  .string "software SEIP survives the PLIC line"
    .text
    mv a1, s10
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrc mip.SEIP"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== received data wakes wfi =="
    .text
    li t0, PLIC_ENABLE1
    sw zero, 0(t0)
    li t0, PLIC_ENABLE0
    li t1, 1 << 10
    sw t1, 0(t0)
    li t0, 1 << 11
    csrw mie, t0                # MEIE, mstatus.MIE = 0: wfi wakes, nothing is taken
    li t0, 1
    sb t0, 1(s3)                # ERBFI
1:  wfi
    li t0, PLIC_CLAIM0
    lw s4, 0(t0)
    beqz s4, 1b                 # (a wfi may return early: wait for the claim)
    lbu s5, 2(s3)
    andi s5, s5, 0xc4           # data (0xc4) or QEMU's character timeout (0xcc)
    lbu s6, 0(s3)
    sb zero, 1(s3)
2:  lbu t1, 5(s3)               # drain the rest
    andi t1, t1, 1
    beqz t1, 3f
    lbu t1, 0(s3)
    j 2b
3:  sw s4, 0(t0)
    csrw mie, zero
    mv a1, s4
    li a2, 0x0000000a
    la a0, 9f
    call check
    .section .rodata
9:  .string "claim"
    .text
    mv a1, s5
    li a2, 0x000000c4
    la a0, 9f
    call check
    .section .rodata
9:  .string "IIR & 0xc4: received data"
    .text
    mv a1, s6
    li a2, 0x0000006b
    la a0, 9f
    call check
    .section .rodata
9:  .string "RBR"
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
