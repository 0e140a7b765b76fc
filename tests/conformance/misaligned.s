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
    li a2, 0x55443322
    la a0, 9f
    call check
    .section .rodata
9:  .string "lw +1"
    .text
    la s2, mis_data
    lw a1, 2(s2)
    li a2, 0x66554433
    la a0, 9f
    call check
    .section .rodata
9:  .string "lw +2"
    .text
    la s2, mis_data
    lw a1, 3(s2)
    li a2, 0x77665544
    la a0, 9f
    call check
    .section .rodata
9:  .string "lw +3"
    .text
    la s2, mis_data
    lh a1, 1(s2)
    li a2, 0x00003322
    la a0, 9f
    call check
    .section .rodata
9:  .string "lh +1"
    .text
    la s2, mis_data
    lh a1, 3(s2)
    li a2, 0x00005544
    la a0, 9f
    call check
    .section .rodata
9:  .string "lh +3"
    .text
    la s2, mis_data
    lhu a1, 1(s2)
    li a2, 0x00003322
    la a0, 9f
    call check
    .section .rodata
9:  .string "lhu +1"
    .text
    la s2, mis_data
    lhu a1, 3(s2)
    li a2, 0x00005544
    la a0, 9f
    call check
    .section .rodata
9:  .string "lhu +3"
    .text
    la s2, mis_buf
    sw zero, 0(s2)
    sw zero, 4(s2)
    li t0, 0xa1b2c3d4
    sw t0, 1(s2)
    lw a1, 0(s2)
    li a2, 0xb2c3d400
    la a0, 9f
    call check
    .section .rodata
9:  .string "sw +1"
    .text
    lw a1, 4(s2)
    li a2, 0x000000a1
    la a0, 9f
    call check
    .section .rodata
9:  .string "...next word"
    .text
    li t0, 0xeeff
    sh t0, 3(s2)
    lw a1, 0(s2)
    li a2, 0xffc3d400
    la a0, 9f
    call check
    .section .rodata
9:  .string "sh +3"
    .text
    lw a1, 4(s2)
    li a2, 0x000000ee
    la a0, 9f
    call check
    .section .rodata
9:  .string "...next word"
    .text
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
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "amoadd.w +2: traps"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "amoadd.w +2: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    sub a1, a1, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "amoadd.w +2: mtval - address"
    .text
    la s3, mis_data
    addi s3, s3, 1
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  amoswap.w a1, a1, (s3)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "amoswap.w +1: traps"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "amoswap.w +1: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    sub a1, a1, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "amoswap.w +1: mtval - address"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  lr.w a1, (s3)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "lr.w +1: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000004
    la a0, 9f
    call check
    .section .rodata
9:  .string "lr.w +1: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "lr.w +1: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    sub a1, a1, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "lr.w +1: mtval - address"
    .text
    la s2, mis_data
    lw a1, 0(s2)
    lw t0, 4(s2)
    xor a1, a1, t0
    li a2, 0xcc444444
    la a0, 9f
    call check
    .section .rodata
9:  .string "memory unchanged by the trapping AMOs"
    .text
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
