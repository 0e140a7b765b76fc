# deleg.s -- delegation to S-mode.
# medeleg: ecall from U and S, illegal instruction from U and S go to stvec with scause, sepc,
# stval, sstatus.SPP/SPIE/SIE; a non-delegated ebreak still goes to M; exceptions in M are never
# delegated. sie/sip show only delegated interrupts, mip.SSIP/STIP writable by M, sstatus is a
# view of mstatus without MIE/MPIE/MPP. mideleg: a delegated SSI is not taken in M, is taken in
# S with SIE=1 and in U regardless of SIE, waits in S with SIE=0; STI from mip.STIP; SSI before
# STI; a non-delegated SSI traps to M from S even with mstatus.MIE=0.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    csrw mideleg, zero
    la t0, trap_s
    csrw stvec, t0
    li t0, (1 << 2) | (1 << 8) | (1 << 9)   # illegal instruction, ecall from U, ecall from S
    csrw medeleg, t0
    la s5, st_area
    la a0, 9f
    call say
    .section .rodata
9:  .string "== exceptions delegated to S (medeleg) =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    csrsi mstatus, 2            # SIE = 1 before the trap
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  ecall
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x00000008, "U ecall -> S: scause"
    lw a1, TR_EPC(s5)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U ecall -> S: sepc - insn"
    lw a1, TR_TVAL(s5)
    CHECKED 0x00000000, "U ecall -> S: stval"
    lw a1, TR_STATUS(s5)
    srli a1, a1, 8
    andi a1, a1, 1
    CHECKED 0x00000000, "U ecall -> S: sstatus.SPP"
    lw a1, TR_STATUS(s5)
    andi a1, a1, 0x22
    CHECKED 0x00000020, "U ecall -> S: sstatus SPIE, SIE"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "...then ebreak (not delegated) -> M"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000011, "U ecall: traps to M, to S"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  ecall
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x00000009, "S ecall -> S: scause"
    lw a1, TR_EPC(s5)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S ecall -> S: sepc - insn"
    lw a1, TR_TVAL(s5)
    CHECKED 0x00000000, "S ecall -> S: stval"
    lw a1, TR_STATUS(s5)
    srli a1, a1, 8
    andi a1, a1, 1
    CHECKED 0x00000001, "S ecall -> S: sstatus.SPP"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000011, "S ecall: traps to M, to S"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  .word 0xffffffff
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x00000002, "U illegal -> S: scause"
    lw a1, TR_EPC(s5)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U illegal -> S: sepc - insn"
    lw a1, TR_TVAL(s5)
    CHECKED 0xffffffff, "U illegal -> S: stval"
    lw a1, TR_STATUS(s5)
    srli a1, a1, 8
    andi a1, a1, 1
    CHECKED 0x00000000, "U illegal -> S: sstatus.SPP"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000011, "U illegal: traps to M, to S"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, mstatus
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x00000002, "S csrr mstatus -> S: scause"
    lw a1, TR_EPC(s5)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S csrr mstatus -> S: sepc - insn"
    lw a1, TR_TVAL(s5)
    CHECKED 0x300025f3, "S csrr mstatus -> S: stval"
    lw a1, TR_STATUS(s5)
    srli a1, a1, 8
    andi a1, a1, 1
    CHECKED 0x00000001, "S csrr mstatus -> S: sstatus.SPP"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000011, "S illegal: traps to M, to S"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "U ebreak (not delegated): mcause"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000010, "U ebreak: traps to M, to S"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== exceptions in M are never delegated =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x00000000
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "M illegal with medeleg[2] = 1: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "M illegal with medeleg[2] = 1: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "M illegal with medeleg[2] = 1: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00000000, "M illegal with medeleg[2] = 1: mtval"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000010, "M illegal: traps to M, to S"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  ecall
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "M ecall: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000b, "M ecall: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "M ecall: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00000000, "M ecall: mtval"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000010, "M ecall: traps to M, to S"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== sie / sip / sstatus are views =="
    .text
    csrw medeleg, zero
    li t0, 0x2
    csrw mideleg, t0
    li t0, 0x222
    csrw sie, t0
    csrr a1, sie
    CHECKED 0x00000002, "mideleg = SSI: sie after writing 0x222"
    csrr a1, mie
    CHECKED 0x00000002, "...mie"
    li t0, 0xaaa
    csrw mie, t0
    csrr a1, sie
    CHECKED 0x00000002, "mie = 0xaaa: sie shows delegated only"
    csrw mie, zero
    csrsi mip, 2
    csrr a1, sip
    CHECKED 0x00000002, "mip.SSIP set by M: sip"
    csrci sip, 2
    csrr a1, mip
    andi a1, a1, 0x222
    CHECKED 0x00000000, "sip.SSIP cleared through sip: mip"
    li t0, 0x20
    csrs mip, t0
    csrr a1, sip
    CHECKED 0x00000000, "mip.STIP set by M, not delegated: sip"
    csrr a1, mip
    andi a1, a1, 0x222
    CHECKED 0x00000020, "...mip"
    li t0, 0x20
    csrc mip, t0
    csrw mideleg, zero
    li t0, 0x7E19AA
    csrc mstatus, t0
    li t0, 0x19A8               # MPP = M, SPP, MPIE, SPIE, MIE
    csrs mstatus, t0
    csrr a1, sstatus
    li t0, 0x19AA
    and a1, a1, t0
    CHECKED 0x00000120, "sstatus hides MIE MPIE MPP"
    li t0, 0x1888
    csrc sstatus, t0
    csrr a1, mstatus
    li t0, 0x19AA
    and a1, a1, t0
    CHECKED 0x000019a8, "sstatus write leaves them"
    li t0, 0xC0002
    csrs sstatus, t0
    csrr a1, mstatus
    li t0, 0xC19AA
    and a1, a1, t0
    CHECKED 0x000c19aa, "sstatus writes SIE SUM MXR"
    li t0, 0x7E19AA
    csrc mstatus, t0
    la a0, 9f
    call say
    .section .rodata
9:  .string "== interrupts delegated to S (mideleg) =="
    .text
    li t0, 0x222
    csrw mideleg, t0
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    li t0, 0x2
    csrw mie, t0                # SSIE
    csrs mip, t0                # SSIP pending
    csrsi mstatus, 8            # MIE = 1 in M: a delegated interrupt is not taken in M
    nop
    nop
    csrci mstatus, 8
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000000, "SSI pending in M (delegated): traps to M, to S"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    csrsi mstatus, 2            # SIE = 1
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  nop
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x80000001, "SSI in S, SIE=1: scause"
    lw a1, TR_EPC(s5)
    la t0, 5b
    sub a1, a1, t0
    CHECKED 0x00000000, "SSI in S, SIE=1: sepc - insn"
    lw a1, TR_TVAL(s5)
    CHECKED 0x00000000, "SSI in S, SIE=1: stval"
    lw a1, TR_STATUS(s5)
    srli a1, a1, 8
    andi a1, a1, 1
    CHECKED 0x00000001, "SSI in S, SIE=1: sstatus.SPP"
    lw a1, TR_STATUS(s5)
    andi a1, a1, 0x22
    CHECKED 0x00000020, "SSI in S, SIE=1: sstatus SPIE, SIE"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000011, "SSI in S, SIE=1: traps to M, to S"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    li t0, 0x2
    csrw mie, t0
    csrci mstatus, 2            # SIE = 0
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrr s2, sip
    ebreak
6:  la s6, tr_area
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000010, "SSI in S, SIE=0: not taken: traps to M, to S"
    andi a1, s2, 0x222
    CHECKED 0x00000002, "...sip shows it pending"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  nop
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x80000001, "SSI in U, SIE=0: taken: scause"
    lw a1, TR_EPC(s5)
    la t0, 5b
    sub a1, a1, t0
    CHECKED 0x00000000, "SSI in U, SIE=0: taken: sepc - insn"
    lw a1, TR_TVAL(s5)
    CHECKED 0x00000000, "SSI in U, SIE=0: taken: stval"
    lw a1, TR_STATUS(s5)
    srli a1, a1, 8
    andi a1, a1, 1
    CHECKED 0x00000000, "SSI in U, SIE=0: taken: sstatus.SPP"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000011, "SSI in U: traps to M, to S"
    csrci mip, 2
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    li t0, 0x20
    csrw mie, t0                # STIE
    csrs mip, t0                # STIP set by M
    csrsi mstatus, 2
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  nop
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x80000005, "STI in S (mip.STIP written by M): scause"
    lw a1, TR_EPC(s5)
    la t0, 5b
    sub a1, a1, t0
    CHECKED 0x00000000, "STI in S (mip.STIP written by M): sepc - insn"
    lw a1, TR_TVAL(s5)
    CHECKED 0x00000000, "STI in S (mip.STIP written by M): stval"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000011, "STI in S: traps to M, to S"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    li t0, 0x22
    csrw mie, t0
    csrs mip, t0                # SSIP and STIP
    csrsi mstatus, 2
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  nop
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x80000001, "SSI and STI pending: SSI first: scause"
    lw a1, TR_EPC(s5)
    la t0, 5b
    sub a1, a1, t0
    CHECKED 0x00000000, "SSI and STI pending: SSI first: sepc - insn"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000011, "SSI + STI: traps to M, to S"
    li t0, 0x22
    csrc mip, t0
    la a0, 9f
    call say
    .section .rodata
9:  .string "== S interrupts not delegated go to M =="
    .text
    csrw mideleg, zero
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    lw s11, TR_COUNT(s5)
    li t0, 0x2
    csrw mie, t0
    csrs mip, t0
    csrci mstatus, 8            # MIE = 0: still taken, S is below M
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  nop
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000001, "SSI in S, not delegated: mcause"
    lw a1, TR_EPC(s6)
    la t0, 5b
    sub a1, a1, t0
    CHECKED 0x00000000, "...mepc - first S instruction"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "...mstatus.MPP"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    slli a1, a1, 4
    lw t0, TR_COUNT(s5)
    sub t0, t0, s11
    or a1, a1, t0
    CHECKED 0x00000010, "SSI not delegated: traps to M, to S"
    csrci mip, 2
    csrw mie, zero
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
