# misaligned.s -- misaligned data accesses.
# The spec lets an implementation perform misaligned loads and stores or trap; QEMU performs
# them (M-mode, no translation), so do we: lw lh lhu at every misaligned offset, sw and sh
# across a word boundary. Misaligned AMOs trap with mtval = the address and leave memory
# unchanged; a misaligned lr.w raises load-address-misaligned (mcause 4). Not checked: the AMOs'
# mcause (the spec's store/AMO-address-misaligned, 6; QEMU 7.2 reports 4).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    la a0, 9f
    call say
    .section .rodata
9:  .string "== misaligned loads and stores in M-mode (QEMU performs them) =="
    .text
    la s2, mis_data
    lw a1, 1(s2)
    CHECKED 0x55443322, "lw +1"
    la s2, mis_data
    lw a1, 2(s2)
    CHECKED 0x66554433, "lw +2"
    la s2, mis_data
    lw a1, 3(s2)
    CHECKED 0x77665544, "lw +3"
    la s2, mis_data
    lh a1, 1(s2)
    CHECKED 0x00003322, "lh +1"
    la s2, mis_data
    lh a1, 3(s2)
    CHECKED 0x00005544, "lh +3"
    la s2, mis_data
    lhu a1, 1(s2)
    CHECKED 0x00003322, "lhu +1"
    la s2, mis_data
    lhu a1, 3(s2)
    CHECKED 0x00005544, "lhu +3"
    la s2, mis_buf
    sw zero, 0(s2)
    sw zero, 4(s2)
    li t0, 0xa1b2c3d4
    sw t0, 1(s2)
    lw a1, 0(s2)
    CHECKED 0xb2c3d400, "sw +1"
    lw a1, 4(s2)
    CHECKED 0x000000a1, "...next word"
    li t0, 0xeeff
    sh t0, 3(s2)
    lw a1, 0(s2)
    CHECKED 0xffc3d400, "sh +3"
    lw a1, 4(s2)
    CHECKED 0x000000ee, "...next word"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== misaligned atomics trap =="
    .text
    la s3, mis_data
    addi s3, s3, 2
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  amoadd.w a1, a1, (s3)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "amoadd.w +2: traps"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "amoadd.w +2: mepc - insn"
    lw a1, TR_TVAL(s6)
    sub a1, a1, s3
    CHECKED 0x00000000, "amoadd.w +2: mtval - address"
    la s3, mis_data
    addi s3, s3, 1
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  amoswap.w a1, a1, (s3)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "amoswap.w +1: traps"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "amoswap.w +1: mepc - insn"
    lw a1, TR_TVAL(s6)
    sub a1, a1, s3
    CHECKED 0x00000000, "amoswap.w +1: mtval - address"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  lr.w a1, (s3)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "lr.w +1: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000004, "lr.w +1: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "lr.w +1: mepc - insn"
    lw a1, TR_TVAL(s6)
    sub a1, a1, s3
    CHECKED 0x00000000, "lr.w +1: mtval - address"
    la s2, mis_data
    lw a1, 0(s2)
    lw t0, 4(s2)
    xor a1, a1, t0
    CHECKED 0xcc444444, "memory unchanged by the trapping AMOs"
    j finish

    .data
    .balign 4
mis_data:   .word 0x44332211, 0x88776655
mis_buf:    .word 0, 0
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
