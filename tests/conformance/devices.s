# devices.s -- the memory map: UART status, the end of RAM, access faults.
# The UART's LSR says the transmitter is ready and no input is waiting; RAM ends at 0x88000000
# (128 MiB, as QEMU -m 128M); loads, stores and fetches outside every device raise access
# faults (mcause 5, 7, 1) with mtval = the address (fetch: mepc = mtval = the target).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    la a0, 9f
    call say
    .section .rodata
9:  .string "== NS16550A UART =="
    .text
    li t0, UART
    lbu a1, 5(t0)
    andi a1, a1, 0x21
    CHECKED 0x00000020, "LSR: transmitter ready, no input (& 0x21)"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== memory map: RAM is 128 MiB at 0x80000000 =="
    .text
    li t0, 0x87fffffc
    li t1, 0x600d600d
    sw t1, 0(t0)
    lw a1, 0(t0)
    CHECKED 0x600d600d, "last word of RAM"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== access faults outside the memory map =="
    .text
    li s3, 0x88000000
    li s4, 0xf0000000
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  lw a1, 0(s3)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "lw 0x88000000: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000005, "lw 0x88000000: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "lw 0x88000000: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x88000000, "lw 0x88000000: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  sw a1, 0(s3)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "sw 0x88000000: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000007, "sw 0x88000000: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "sw 0x88000000: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x88000000, "sw 0x88000000: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  lw a1, 0(s4)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "lw 0xf0000000: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000005, "lw 0xf0000000: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "lw 0xf0000000: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xf0000000, "lw 0xf0000000: mtval"
    la s6, tr_area
    la t0, 3f
    sw t0, TR_RESUME(s6)
    jr s3
3:  nop
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000001, "fetch 0x88000000: mcause"
    lw a1, TR_EPC(s6)
    CHECKED 0x88000000, "...mepc"
    lw a1, TR_TVAL(s6)
    CHECKED 0x88000000, "...mtval"
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
