# mem.s -- loads and stores of every width, and the data directives.
# lb lbu lh lhu lw at every offset (sign and zero extension, little-endian order), sb sh sw
# partial writes, 12-bit positive and negative offsets, loads into x0; the directives .byte
# .half .word (with labels and expressions) .ascii .asciz .string .space .zero .align .balign
# .equ .set, .bss, %hi/%lo addressing.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    .equ K_EQU, (3 << 4) + 2
    .set K_SET, 0x100
    la a0, 9f
    call say
    .section .rodata
9:  .string "== loads: sign and zero extension =="
    .text
    la s2, mem_word
    lb a1, 0(s2)
    CHECKED 0x00000001, "lb +0"
    la s2, mem_word
    lbu a1, 0(s2)
    CHECKED 0x00000001, "lbu +0"
    la s2, mem_word
    lb a1, 1(s2)
    CHECKED 0x0000007f, "lb +1"
    la s2, mem_word
    lbu a1, 1(s2)
    CHECKED 0x0000007f, "lbu +1"
    la s2, mem_word
    lb a1, 2(s2)
    CHECKED 0xffffffff, "lb +2"
    la s2, mem_word
    lbu a1, 2(s2)
    CHECKED 0x000000ff, "lbu +2"
    la s2, mem_word
    lb a1, 3(s2)
    CHECKED 0xffffff80, "lb +3"
    la s2, mem_word
    lbu a1, 3(s2)
    CHECKED 0x00000080, "lbu +3"
    la s2, mem_word
    lh a1, 0(s2)
    CHECKED 0x00007f01, "lh +0"
    la s2, mem_word
    lhu a1, 0(s2)
    CHECKED 0x00007f01, "lhu +0"
    la s2, mem_word
    lh a1, 2(s2)
    CHECKED 0xffff80ff, "lh +2"
    la s2, mem_word
    lhu a1, 2(s2)
    CHECKED 0x000080ff, "lhu +2"
    la s2, mem_word
    lw a1, 0(s2)
    CHECKED 0x80ff7f01, "lw"
    la s2, mem_word
    addi s2, s2, 4
    lw a1, -4(s2)
    CHECKED 0x80ff7f01, "lw -4(past)"
    la s2, mem_word
    addi s2, s2, -2044
    lw a1, 2044(s2)
    CHECKED 0x80ff7f01, "lw 2044 offset"
    la s2, mem_word
    addi s2, s2, 2047
    addi s2, s2, 1
    lw a1, -2048(s2)
    CHECKED 0x80ff7f01, "lw -2048 offset"
    la s2, mem_word + 4
    lw a1, 0(s2)
    CHECKED 0x12345678, "la sym + 4"
    la s2, mem_word
    li a1, 0x55
    lw x0, 0(s2)
    add a1, a1, x0
    CHECKED 0x00000055, "lw into x0"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== stores of every width =="
    .text
    la s2, mem_buf
    sw zero, 0(s2)
    li s3, 0x1234ab
    sb s3, 1(s2)
    lw a1, 0(s2)
    CHECKED 0x0000ab00, "sb +1"
    la s2, mem_buf
    li s3, 0x7777cdef
    sh s3, 2(s2)
    lw a1, 0(s2)
    CHECKED 0xcdefab00, "sh +2"
    la s2, mem_buf
    li s3, -1
    sb s3, 0(s2)
    lw a1, 0(s2)
    CHECKED 0xcdefabff, "sb +0"
    la s2, mem_buf
    li s3, 0xa1b2c3d4
    sw s3, 4(s2)
    lbu a1, 7(s2)
    CHECKED 0x000000a1, "sw -> lbu +3"
    la s2, mem_buf
    lhu a1, 6(s2)
    CHECKED 0x0000a1b2, "sw -> lhu +2"
    la s2, mem_buf
    lh a1, 4(s2)
    CHECKED 0xffffc3d4, "sw -> lh +0"
    la s2, mem_buf
    addi s2, s2, 12
    li s3, 0x600df00d
    sw s3, -4(s2)
    lw a1, -4(s2)
    CHECKED 0x600df00d, "sw negative offset"
    la s2, mem_buf
    lw a1, 12(s2)
    CHECKED 0x5a5a5a5a, "neighbours untouched"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== data directives =="
    .text
    la s2, d_bytes
    lw a1, 0(s2)
    CHECKED 0x04030201, ".byte 1, 2, 3, 4"
    la s2, d_halves
    lw a1, 0(s2)
    CHECKED 0xabcd1234, ".half 0x1234, 0xabcd"
    la s2, d_ascii
    lw a1, 0(s2)
    CHECKED 0x00434241, ".ascii AB .asciz C"
    la s2, d_string
    lw a1, 0(s2)
    CHECKED 0x007a7978, ".string xyz"
    la s2, d_chars
    lhu a1, 0(s2)
    CHECKED 0x0000410a, ".byte char literals"
    la s2, d_words
    lw a1, 0(s2)
    CHECKED 0x00000006, ".word label - label"
    la s2, d_words
    lw a1, 4(s2)
    CHECKED 0x00000c00, ".word expression"
    la s2, d_words
    lw a1, 8(s2)
    la t0, d_bytes
    sub a1, a1, t0
    CHECKED 0x00000000, ".word label is its address"
    li a1, K_EQU + K_SET
    CHECKED 0x00000132, ".equ / .set constants"
    la a1, d_after_space
    la t0, d_space
    sub a1, a1, t0
    CHECKED 0x00000004, ".space 3 then .balign 4"
    la a1, d_align8
    andi a1, a1, 7
    CHECKED 0x00000000, ".align 3 is 8-byte aligned"
    la s2, d_zero
    lw a1, 0(s2)
    lw t0, 4(s2)
    or a1, a1, t0
    CHECKED 0x00000000, ".zero 8 is zero"
    la s2, d_bss
    lw a1, 0(s2)
    lw t0, 60(s2)
    or a1, a1, t0
    CHECKED 0x00000000, ".bss is zero"
    lui s2, %hi(mem_word)
    lw a1, %lo(mem_word)(s2)
    CHECKED 0x80ff7f01, "%hi/%lo load"
    lui s2, %hi(mem_buf)
    li s3, 0x3c3c3c3c
    sw s3, %lo(mem_buf)(s2)
    la t0, mem_buf
    lw a1, 0(t0)
    CHECKED 0x3c3c3c3c, "%hi/%lo store"
    j finish

    .data
    .balign 4
mem_word:   .word 0x80ff7f01, 0x12345678
mem_buf:    .word 0, 0, 0, 0x5a5a5a5a
d_bytes:    .byte 1, 2, 3, 4
d_halves:   .half 0x1234, 0xabcd
d_ascii:    .ascii "AB"
            .asciz "C"
d_string:   .string "xyz"
d_chars:    .byte '\n', 'a' - 32
            .balign 4
d_words:    .word d_chars - d_ascii - 2, (0xC0000000 >> 22) * 4, d_bytes
d_space:    .space 3
            .balign 4
d_after_space:
            .byte 9
            .align 3
d_align8:   .word 1
d_zero:     .zero 8
    .bss
    .balign 4
d_bss:      .space 64
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
