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
    CHECKED 0x00000001, "msip = 1 reads back"
    csrr a1, mip
    andi a1, a1, 8
    CHECKED 0x00000008, "...mip.MSIP"
    csrci mip, 8
    csrr a1, mip
    andi a1, a1, 8
    CHECKED 0x00000008, "mip.MSIP is read-only (csrc mip)"
    sw zero, 0(s9)
    csrr a1, mip
    andi a1, a1, 8
    CHECKED 0x00000000, "msip = 0: mip.MSIP clear"
    csrsi mip, 8
    csrr a1, mip
    andi a1, a1, 8
    CHECKED 0x00000000, "mip.MSIP is read-only (csrs mip)"
    li t0, -1
    sw t0, 0(s9)
    lw a1, 0(s9)
    sw zero, 0(s9)
    CHECKED 0x00000001, "msip keeps bit 0 only"
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
    CHECKED 0x00000008, "pending with MIE = 0: no trap"
    wfi                         # returns: an enabled interrupt is pending
    csrsi mstatus, 8            # MIE = 1: taken now
8:  csrci mstatus, 8
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000003, "MSI: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "...mepc = the next instruction"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00000000, "...mtval"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "...one trap"
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
    CHECKED 0x80000003, "MSI + MTI pending: first mcause"
    sw zero, 0(s9)
    li t0, 0x80
    csrw mie, t0                # MTIE
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000007, "MTI pending: mcause"
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
    CHECKED 0x80000001, "SSI (not delegated) in M: mcause"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000003, "...three traps"
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
    CHECKED 0x80000003, "U: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "...mepc"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "...mstatus.MPP"
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
