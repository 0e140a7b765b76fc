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

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

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

    la t0, trap_s
    csrw stvec, t0

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
    CHECKED 0x00000007, "priority[10] after writing 0xffffffff"
    li t0, 9
    sw t0, 40(s2)
    lw a1, 40(s2)
    CHECKED 0x00000001, "priority[10] after writing 9"
    li t0, 5
    sw t0, 0(s2)
    lw a1, 0(s2)
    CHECKED 0x00000000, "priority[0] (no source 0)"
    li t0, 5
    sw t0, 380(s2)              # source 95
    lw a1, 380(s2)
    CHECKED 0x00000005, "priority[95]"
    sw zero, 380(s2)
    li t0, 5
    sw t0, 384(s2)              # source 96: a register, though no enable bit
    lw a1, 384(s2)
    CHECKED 0x00000005, "priority[96]"
    sw zero, 384(s2)
    li t0, 5
    sw t0, 388(s2)              # source 97: none
    lw a1, 388(s2)
    CHECKED 0x00000000, "priority[97] (no such source)"
    li t0, PLIC_ENABLE0
    li t1, -1
    sw t1, 0(t0)
    sw t1, 4(t0)
    sw t1, 8(t0)
    sw t1, 12(t0)
    lw a1, 8(t0)
    CHECKED 0xffffffff, "context 0 enable word 2 (sources 64..95)"
    li t0, PLIC_ENABLE0
    lw a1, 12(t0)
    CHECKED 0x00000000, "context 0 enable word 3 (none)"
    li t0, PLIC_ENABLE1
    lw a1, 0(t0)
    CHECKED 0x00000000, "context 1 enable word 0 (its own)"
    li t0, PLIC_ENABLE0
    sw zero, 0(t0)
    sw zero, 4(t0)
    sw zero, 8(t0)
    li t0, PLIC_THRESHOLD0
    li t1, 0xff
    sw t1, 0(t0)
    lw a1, 0(t0)
    CHECKED 0x00000007, "context 0 threshold after writing 0xff"
    li t0, PLIC_THRESHOLD1
    li t1, 9
    sw t1, 0(t0)
    lw a1, 0(t0)
    CHECKED 0x00000001, "context 1 threshold after writing 9"
    li t0, PLIC_THRESHOLD0
    sw zero, 0(t0)
    li t0, PLIC_THRESHOLD1
    sw zero, 0(t0)
    li t0, PLIC_THRESHOLD0 + 0x2000     # context 2: none
    li t1, 3
    sw t1, 0(t0)
    lw a1, 0(t0)
    CHECKED 0x00000000, "context 2 threshold (none)"
    li t0, PLIC_THRESHOLD0
    lw a1, 8(t0)
    CHECKED 0x00000000, "unimplemented offset 0x200008"
    li t0, PLIC_PENDING
    li t1, -1
    sw t1, 0(t0)
    lw a1, 0(t0)
    CHECKED 0x00000000, "pending word 0 is read-only"
    li t0, PLIC_CLAIM0
    lw a1, 0(t0)
    CHECKED 0x00000000, "claim with nothing pending"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== NS16550A IER and IIR =="
    .text
    lbu a1, 2(s3)
    CHECKED 0x00000001, "IIR, FIFOs off, nothing pending"
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
    CHECKED 0x0000000e, "IER after writing 0xfe"
    mv a1, s5
    CHECKED 0x00000002, "IIR with ETBEI set, THR empty"
    mv a1, s6
    CHECKED 0x00000001, "IIR read again"
    mv a1, s7
    CHECKED 0x00000400, "PLIC pending bit 10"
    li t0, PLIC_CLAIM0
    lw a1, 0(t0)
    CHECKED 0x00000000, "claim by context 0, source 10 not enabled"
    li t0, 1
    sb t0, 2(s3)                # FCR: FIFOs on
    lbu s4, 2(s3)
    li t0, 2
    sb t0, 1(s3)
    lbu s5, 2(s3)
    lbu s6, 2(s3)
    sb zero, 1(s3)
    mv a1, s4
    CHECKED 0x000000c1, "IIR, FIFOs on, nothing pending"
    mv a1, s5
    CHECKED 0x000000c2, "IIR, FIFOs on, THRE"
    mv a1, s6
    CHECKED 0x000000c1, "IIR read again"
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
    CHECKED 0x00000800, "mip.MEIP: pending, enabled, priority 1 > threshold 0"
    mv a1, s5
    CHECKED 0x00000000, "mip.MEIP with threshold 1"
    mv a1, s6
    CHECKED 0x00000000, "claim with threshold 1"
    mv a1, s7
    CHECKED 0x00000800, "mip.MEIP with threshold 0 again"
    mv a1, s8
    CHECKED 0x00000000, "context 1 enables untouched"
    mv a1, s9
    CHECKED 0x0000000a, "claim"
    mv a1, s10
    CHECKED 0x00000000, "mip.MEIP after the claim"
    mv a1, s11
    CHECKED 0x00000000, "pending after the claim"
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
    CHECKED 0x00000800, "ETBEI: mip.MEIP"
    mv a1, s5
    CHECKED 0x00000000, "source disabled: mip.MEIP"
    mv a1, s6
    CHECKED 0x00000400, "...pending"
    mv a1, s7
    CHECKED 0x0000000a, "claim"
    mv a1, s8
    CHECKED 0x000000c2, "IIR in the handler"
    mv a1, s9
    CHECKED 0x000000c1, "IIR after"
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
    CHECKED 0x8000000b, "MEI: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "...mepc = the next instruction"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "...one trap"
    mv a1, s4
    CHECKED 0x0000000a, "...claim"
    mv a1, s5
    CHECKED 0x000000c2, "...IIR"
    mv a1, s7
    CHECKED 0x00000000, "...claim after complete"
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
    CHECKED 0x00000200, "mip.SEIP from context 1"
    mv a1, s5
    CHECKED 0x00000200, "sip.SEIP"
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
    CHECKED 0x80000009, "SEI in S: scause"
    lw a1, TR_EPC(s6)
    la t0, 5b
    sub a1, a1, t0
    CHECKED 0x00000000, "...sepc = the next instruction"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "...one trap in S"
    la t0, tr_area
    lw a1, TR_CAUSE(t0)
    CHECKED 0x00000009, "...then the ecall in M: mcause"
    mv a1, s4
    CHECKED 0x0000000a, "...claim by context 1"
    mv a1, s5
    CHECKED 0x000000c2, "...IIR"
    mv a1, s7
    CHECKED 0x00000000, "...mip.SEIP after complete"
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
    CHECKED 0x00000200, "csrs mip.SEIP"
    mv a1, s5
    CHECKED 0x00000000, "csrc mip.SEIP"
    mv a1, s6
    CHECKED 0x0000000a, "claim"
    mv a1, s7
    CHECKED 0x00000002, "csrsi mip, SSIP while the PLIC drove SEIP: SEIP, SSIP"
    mv a1, s8
    CHECKED 0x0000000a, "claim"
    mv a1, s9
    CHECKED 0x00000200, "software SEIP survives the PLIC line"
    mv a1, s10
    CHECKED 0x00000000, "csrc mip.SEIP"
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
    CHECKED 0x0000000a, "claim"
    mv a1, s5
    CHECKED 0x000000c4, "IIR & 0xc4: received data"
    mv a1, s6
    CHECKED 0x0000006b, "RBR"
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
