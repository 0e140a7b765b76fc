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
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "lb +0"
    .text
    la s2, mem_word
    lbu a1, 0(s2)
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "lbu +0"
    .text
    la s2, mem_word
    lb a1, 1(s2)
    li a2, 0x0000007f
    la a0, 9f
    call check
    .section .rodata
9:  .string "lb +1"
    .text
    la s2, mem_word
    lbu a1, 1(s2)
    li a2, 0x0000007f
    la a0, 9f
    call check
    .section .rodata
9:  .string "lbu +1"
    .text
    la s2, mem_word
    lb a1, 2(s2)
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "lb +2"
    .text
    la s2, mem_word
    lbu a1, 2(s2)
    li a2, 0x000000ff
    la a0, 9f
    call check
    .section .rodata
9:  .string "lbu +2"
    .text
    la s2, mem_word
    lb a1, 3(s2)
    li a2, 0xffffff80
    la a0, 9f
    call check
    .section .rodata
9:  .string "lb +3"
    .text
    la s2, mem_word
    lbu a1, 3(s2)
    li a2, 0x00000080
    la a0, 9f
    call check
    .section .rodata
9:  .string "lbu +3"
    .text
    la s2, mem_word
    lh a1, 0(s2)
    li a2, 0x00007f01
    la a0, 9f
    call check
    .section .rodata
9:  .string "lh +0"
    .text
    la s2, mem_word
    lhu a1, 0(s2)
    li a2, 0x00007f01
    la a0, 9f
    call check
    .section .rodata
9:  .string "lhu +0"
    .text
    la s2, mem_word
    lh a1, 2(s2)
    li a2, 0xffff80ff
    la a0, 9f
    call check
    .section .rodata
9:  .string "lh +2"
    .text
    la s2, mem_word
    lhu a1, 2(s2)
    li a2, 0x000080ff
    la a0, 9f
    call check
    .section .rodata
9:  .string "lhu +2"
    .text
    la s2, mem_word
    lw a1, 0(s2)
    li a2, 0x80ff7f01
    la a0, 9f
    call check
    .section .rodata
9:  .string "lw"
    .text
    la s2, mem_word
    addi s2, s2, 4
    lw a1, -4(s2)
    li a2, 0x80ff7f01
    la a0, 9f
    call check
    .section .rodata
9:  .string "lw -4(past)"
    .text
    la s2, mem_word
    addi s2, s2, -2044
    lw a1, 2044(s2)
    li a2, 0x80ff7f01
    la a0, 9f
    call check
    .section .rodata
9:  .string "lw 2044 offset"
    .text
    la s2, mem_word
    addi s2, s2, 2047
    addi s2, s2, 1
    lw a1, -2048(s2)
    li a2, 0x80ff7f01
    la a0, 9f
    call check
    .section .rodata
9:  .string "lw -2048 offset"
    .text
    la s2, mem_word + 4
    lw a1, 0(s2)
    li a2, 0x12345678
    la a0, 9f
    call check
    .section .rodata
9:  .string "la sym + 4"
    .text
    la s2, mem_word
    li a1, 0x55
    lw x0, 0(s2)
    add a1, a1, x0
    li a2, 0x00000055
    la a0, 9f
    call check
    .section .rodata
9:  .string "lw into x0"
    .text
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
    li a2, 0x0000ab00
    la a0, 9f
    call check
    .section .rodata
9:  .string "sb +1"
    .text
    la s2, mem_buf
    li s3, 0x7777cdef
    sh s3, 2(s2)
    lw a1, 0(s2)
    li a2, 0xcdefab00
    la a0, 9f
    call check
    .section .rodata
9:  .string "sh +2"
    .text
    la s2, mem_buf
    li s3, -1
    sb s3, 0(s2)
    lw a1, 0(s2)
    li a2, 0xcdefabff
    la a0, 9f
    call check
    .section .rodata
9:  .string "sb +0"
    .text
    la s2, mem_buf
    li s3, 0xa1b2c3d4
    sw s3, 4(s2)
    lbu a1, 7(s2)
    li a2, 0x000000a1
    la a0, 9f
    call check
    .section .rodata
9:  .string "sw -> lbu +3"
    .text
    la s2, mem_buf
    lhu a1, 6(s2)
    li a2, 0x0000a1b2
    la a0, 9f
    call check
    .section .rodata
9:  .string "sw -> lhu +2"
    .text
    la s2, mem_buf
    lh a1, 4(s2)
    li a2, 0xffffc3d4
    la a0, 9f
    call check
    .section .rodata
9:  .string "sw -> lh +0"
    .text
    la s2, mem_buf
    addi s2, s2, 12
    li s3, 0x600df00d
    sw s3, -4(s2)
    lw a1, -4(s2)
    li a2, 0x600df00d
    la a0, 9f
    call check
    .section .rodata
9:  .string "sw negative offset"
    .text
    la s2, mem_buf
    lw a1, 12(s2)
    li a2, 0x5a5a5a5a
    la a0, 9f
    call check
    .section .rodata
9:  .string "neighbours untouched"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== data directives =="
    .text
    la s2, d_bytes
    lw a1, 0(s2)
    li a2, 0x04030201
    la a0, 9f
    call check
    .section .rodata
9:  .string ".byte 1, 2, 3, 4"
    .text
    la s2, d_halves
    lw a1, 0(s2)
    li a2, 0xabcd1234
    la a0, 9f
    call check
    .section .rodata
9:  .string ".half 0x1234, 0xabcd"
    .text
    la s2, d_ascii
    lw a1, 0(s2)
    li a2, 0x00434241
    la a0, 9f
    call check
    .section .rodata
9:  .string ".ascii AB .asciz C"
    .text
    la s2, d_string
    lw a1, 0(s2)
    li a2, 0x007a7978
    la a0, 9f
    call check
    .section .rodata
9:  .string ".string xyz"
    .text
    la s2, d_chars
    lhu a1, 0(s2)
    li a2, 0x0000410a
    la a0, 9f
    call check
    .section .rodata
9:  .string ".byte char literals"
    .text
    la s2, d_words
    lw a1, 0(s2)
    li a2, 0x00000006
    la a0, 9f
    call check
    .section .rodata
9:  .string ".word label - label"
    .text
    la s2, d_words
    lw a1, 4(s2)
    li a2, 0x00000c00
    la a0, 9f
    call check
    .section .rodata
9:  .string ".word expression"
    .text
    la s2, d_words
    lw a1, 8(s2)
    la t0, d_bytes
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string ".word label is its address"
    .text
    li a1, K_EQU + K_SET
    li a2, 0x00000132
    la a0, 9f
    call check
    .section .rodata
9:  .string ".equ / .set constants"
    .text
    la a1, d_after_space
    la t0, d_space
    sub a1, a1, t0
    li a2, 0x00000004
    la a0, 9f
    call check
    .section .rodata
9:  .string ".space 3 then .balign 4"
    .text
    la a1, d_align8
    andi a1, a1, 7
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string ".align 3 is 8-byte aligned"
    .text
    la s2, d_zero
    lw a1, 0(s2)
    lw t0, 4(s2)
    or a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string ".zero 8 is zero"
    .text
    la s2, d_bss
    lw a1, 0(s2)
    lw t0, 60(s2)
    or a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string ".bss is zero"
    .text
    lui s2, %hi(mem_word)
    lw a1, %lo(mem_word)(s2)
    li a2, 0x80ff7f01
    la a0, 9f
    call check
    .section .rodata
9:  .string "%hi/%lo load"
    .text
    lui s2, %hi(mem_buf)
    li s3, 0x3c3c3c3c
    sw s3, %lo(mem_buf)(s2)
    la t0, mem_buf
    lw a1, 0(t0)
    li a2, 0x3c3c3c3c
    la a0, 9f
    call check
    .section .rodata
9:  .string "%hi/%lo store"
    .text
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
