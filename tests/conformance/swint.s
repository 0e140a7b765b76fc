# swint.s -- the CLINT software interrupt and interrupt priorities.
# msip reads back (bit 0 only) and drives mip.MSIP, which csrs/csrc on mip cannot change. A
# pending MSI waits while mstatus.MIE = 0 (wfi returns at once) and is taken when MIE is set
# (mcause 0x80000003, mepc = next instruction). MSI is taken before MTI; a non-delegated SSI
# traps to M. An MSI interrupts U-mode with MIE = 0. Not checked: SSI/STI pending together with
# MSI/MTI (the spec orders MEI MSI MTI SEI SSI STI; QEMU 7.2 without AIA takes the lowest-numbered
# pending interrupt first, so SSI would win).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    li s9, CLINT_MSIP
    sw zero, 0(s9)
    li t0, CLINT_MTIMECMP
    li t1, -1
    sw t1, 4(t0)
    sw t1, 0(t0)
    la a0, 9f
    call say
    .section .rodata
9:  .string "== CLINT msip and mip.MSIP =="
    .text
    li t0, 1
    sw t0, 0(s9)
    lw a1, 0(s9)
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "msip = 1 reads back"
    .text
    csrr a1, mip
    andi a1, a1, 8
    li a2, 0x00000008
    la a0, 9f
    call check
    .section .rodata
9:  .string "...mip.MSIP"
    .text
    csrci mip, 8
    csrr a1, mip
    andi a1, a1, 8
    li a2, 0x00000008
    la a0, 9f
    call check
    .section .rodata
9:  .string "mip.MSIP is read-only (csrc mip)"
    .text
    sw zero, 0(s9)
    csrr a1, mip
    andi a1, a1, 8
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "msip = 0: mip.MSIP clear"
    .text
    csrsi mip, 8
    csrr a1, mip
    andi a1, a1, 8
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mip.MSIP is read-only (csrs mip)"
    .text
    li t0, -1
    sw t0, 0(s9)
    lw a1, 0(s9)
    sw zero, 0(s9)
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "msip keeps bit 0 only"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== software interrupt =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    li t0, 8
    csrw mie, t0                # MSIE
    li t0, 1
    sw t0, 0(s9)                # msip = 1 while MIE = 0: pending, not taken
    csrr a1, mip
    andi a1, a1, 8
    lw t0, TR_COUNT(s6)
    sub t0, t0, s10
    or a1, a1, t0
    li a2, 0x00000008
    la a0, 9f
    call check
    .section .rodata
9:  .string "pending with MIE = 0: no trap"
    .text
    wfi                         # returns: an enabled interrupt is pending
    csrsi mstatus, 8            # MIE = 1: taken now
8:  csrci mstatus, 8
    lw a1, TR_CAUSE(s6)
    li a2, 0x80000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "MSI: mcause"
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
    lw a1, TR_TVAL(s6)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "...mtval"
    .text
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "...one trap"
    .text
    sw zero, 0(s9)
    la a0, 9f
    call say
    .section .rodata
9:  .string "== priority: MSI before MTI; then MTI; then SSI =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    li t0, CLINT_MTIMECMP
    sw zero, 4(t0)
    sw zero, 0(t0)              # mtimecmp = 0: MTIP pending
    li t0, 1
    sw t0, 0(s9)                # MSIP pending
    li t0, 0x88
    csrw mie, t0                # MSIE MTIE
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    lw a1, TR_CAUSE(s6)
    li a2, 0x80000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "MSI + MTI pending: first mcause"
    .text
    sw zero, 0(s9)
    li t0, 0x80
    csrw mie, t0                # MTIE
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    lw a1, TR_CAUSE(s6)
    li a2, 0x80000007
    la a0, 9f
    call check
    .section .rodata
9:  .string "MTI pending: mcause"
    .text
    li t0, CLINT_MTIMECMP
    li t1, -1
    sw t1, 4(t0)
    sw t1, 0(t0)
    li t0, 0x2
    csrs mip, t0                # SSIP pending
    csrw mie, t0                # SSIE
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    lw a1, TR_CAUSE(s6)
    li a2, 0x80000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "SSI (not delegated) in M: mcause"
    .text
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "...three traps"
    .text
    csrci mip, 2
    la a0, 9f
    call say
    .section .rodata
9:  .string "== software interrupt in U-mode, MIE = 0 =="
    .text
    li t0, 8
    csrw mie, t0
    li t0, 1
    sw t0, 0(s9)
    la a0, 7f
    li a1, 0
    la a2, 6f
    j run_in
7:  j 7b                        # U-mode: the interrupt is taken at once
6:  la s6, tr_area
    sw zero, 0(s9)
    csrw mie, zero
    lw a1, TR_CAUSE(s6)
    li a2, 0x80000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "U: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "...mepc"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "...mstatus.MPP"
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
