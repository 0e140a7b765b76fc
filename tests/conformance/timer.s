# timer.s -- the CLINT timer and wfi.
# mtime advances; the time CSR lies between two mtime reads; mtimecmp reads back; MTIP follows
# mtime >= mtimecmp. wfi wakes on a pending enabled timer with mstatus.MIE = 0 (no trap); setting
# MIE then takes it at once (mcause 0x80000007, mepc = next instruction, MPIE/MIE/MPP). A timer
# interrupt ends a wfi loop with MIE = 1; one interrupts a U-mode loop with MIE = 0 (M interrupts
# are always enabled below M); with mie.MTIE = 0 nothing is taken. Only timing-independent facts
# are printed (QEMU's mtime is real time).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    call disarm_timer
    la a0, 9f
    call say
    .section .rodata
9:  .string "== CLINT mtime and mtimecmp =="
    .text
    li t0, CLINT_MTIME
    lw s2, 0(t0)
    li s3, 1000000
1:  lw t1, 0(t0)
    bne t1, s2, 2f
    addi s3, s3, -1
    bnez s3, 1b
2:  snez a1, s3
    CHECKED 0x00000001, "mtime advances"
    li t0, CLINT_MTIME
    lw s2, 0(t0)
    csrr s3, time
    lw s4, 0(t0)
    sltu t1, s3, s2
    sltu t2, s4, s3
    or t1, t1, t2
    seqz a1, t1
    CHECKED 0x00000001, "time CSR between two mtime reads"
    li t0, CLINT_MTIMECMP
    li t1, 0x12345678
    sw t1, 0(t0)
    li t1, 0x7fffffff
    sw t1, 4(t0)
    lw a1, 0(t0)
    lw t2, 4(t0)
    xor a1, a1, t2
    CHECKED 0x6dcba987, "mtimecmp reads back"
    call disarm_timer
    csrr a1, mip
    andi a1, a1, 0x80
    CHECKED 0x00000000, "mtimecmp far ahead: mip.MTIP clear"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== wfi wakes on a pending timer even with mstatus.MIE = 0 =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    csrci mstatus, 8
    li t0, 0x80
    csrw mie, t0                # MTIE
    li a0, 1000
    call arm_timer
    wfi
    csrr a1, mip
    andi a1, a1, 0x80
    CHECKED 0x00000080, "after wfi: mip.MTIP"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000000, "...no trap taken"
    csrsi mstatus, 8            # MIE = 1: the pending timer interrupt is taken now
8:  csrci mstatus, 8
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000007, "MIE = 1 with MTIP pending: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "...mepc = the next instruction"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00000000, "...mtval"
    lw a1, TR_STATUS(s6)
    li t0, 0x1888
    and a1, a1, t0
    CHECKED 0x00001880, "...mstatus MPIE=1 MIE=0 MPP=M"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "...one trap"
    csrr a1, mip
    andi a1, a1, 0x80
    CHECKED 0x00000080, "MTIP stays pending until mtimecmp moves"
    call disarm_timer
    csrr a1, mip
    andi a1, a1, 0x80
    CHECKED 0x00000000, "mtimecmp moved: MTIP clear"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== timer interrupt while waiting in wfi, MIE = 1 =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    la t0, 3f
    sw t0, TR_RESUME(s6)
    li t0, 0x80
    csrw mie, t0
    li a0, 1000
    call arm_timer
    csrsi mstatus, 8
1:  wfi
    j 1b
3:  csrci mstatus, 8
    csrw mie, zero
    call disarm_timer
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000007, "timer interrupt taken: mcause"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "...one trap"
    lw a1, TR_STATUS(s6)
    li t0, 0x1888
    and a1, a1, t0
    CHECKED 0x00001880, "...mstatus MPIE=1 MIE=0 MPP=M"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== timer interrupt in U-mode with mstatus.MIE = 0 =="
    .text
    csrci mstatus, 8
    li t0, 0x80
    csrw mie, t0
    li a0, 1000
    call arm_timer
    la a0, 7f
    li a1, 0
    la a2, 6f
    j run_in
7:  j 7b                        # U-mode: spin (the interrupt may come at any time: mepc is this)
6:  la s6, tr_area
    csrw mie, zero
    call disarm_timer
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000007, "U spinning: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "...mepc = the loop"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "...mstatus.MPP"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== a pending timer with mie.MTIE = 0 is not taken =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    csrw mie, zero
    li a0, 0
    call arm_timer              # mtimecmp = mtime: pending at once
    csrsi mstatus, 8
    nop
    nop
    csrci mstatus, 8
    csrr a1, mip
    andi a1, a1, 0x80
    CHECKED 0x00000080, "MTIP pending"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000000, "...no trap"
    call disarm_timer
    j finish

# arm_timer: mtimecmp = mtime + a0 (64-bit, written so that no early match can happen).
arm_timer:
    li t0, CLINT_MTIME
1:  lw t2, 4(t0)
    lw t1, 0(t0)
    lw t3, 4(t0)
    bne t2, t3, 1b
    add t1, t1, a0
    sltu t4, t1, a0
    add t2, t2, t4
    li t0, CLINT_MTIMECMP
    li t3, -1
    sw t3, 4(t0)
    sw t1, 0(t0)
    sw t2, 4(t0)
    ret

# disarm_timer: mtimecmp = all ones (never).
disarm_timer:
    li t0, CLINT_MTIMECMP
    li t3, -1
    sw t3, 4(t0)
    sw t3, 0(t0)
    ret
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
