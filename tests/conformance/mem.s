# mem.s -- loads and stores of every width, and the data directives.
# lb lbu lh lhu lw at every offset (sign and zero extension, little-endian order), sb sh sw
# partial writes, 12-bit positive and negative offsets, loads into x0; the directives .byte
# .half .word (with labels and expressions) .ascii .asciz .string .space .zero .align .balign
# .equ .set, .bss, %hi/%lo addressing.

    .equ UART, 0x10000000
    .equ TESTDEV, 0x00100000
    .equ CLINT_MSIP, 0x02000000
    .equ CLINT_MTIMECMP, 0x02004000
    .equ CLINT_MTIME, 0x0200BFF8
    .equ TR_SAVE, 0
    .equ TR_CAUSE, 4
    .equ TR_EPC, 8
    .equ TR_TVAL, 12
    .equ TR_STATUS, 16
    .equ TR_COUNT, 20
    .equ TR_RESUME, 24

    .text
    .globl _start
_start:
    la sp, stack_top
    la t0, trap_m
    csrw mtvec, t0
    li t0, -1                   # open PMP (QEMU denies S/U accesses otherwise)
    csrw pmpaddr0, t0
    li t0, 0x1f                 # NAPOT, R W X
    csrw pmpcfg0, t0

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
# Common tail: identical in every program of tests/conformance (record.py checks this).
# Trap handlers, printing, checking, the verdict through the SiFive test device.
# ==========================================================================================
    .text
    .balign 4
# trap_m: the M-mode trap handler. Records mcause, mepc, mtval, mstatus in tr_area and counts
# the trap. If tr_area[TR_RESUME] is non-zero it clears it and continues in M-mode at that
# address (t0, t1 clobbered, the trap CSRs kept for inspection). Otherwise it returns with
# mret: past the trapping instruction for an exception, to the interrupted one for an
# interrupt (after clearing mie so that the interrupt does not fire again).
trap_m:
    csrw mscratch, t0
    la t0, tr_area
    sw t1, TR_SAVE(t0)
    csrr t1, mcause
    sw t1, TR_CAUSE(t0)
    csrr t1, mepc
    sw t1, TR_EPC(t0)
    csrr t1, mtval
    sw t1, TR_TVAL(t0)
    csrr t1, mstatus
    sw t1, TR_STATUS(t0)
    lw t1, TR_COUNT(t0)
    addi t1, t1, 1
    sw t1, TR_COUNT(t0)
    lw t1, TR_RESUME(t0)
    beqz t1, 1f
    sw zero, TR_RESUME(t0)
    jr t1
1:  lw t1, TR_CAUSE(t0)
    bltz t1, 2f
    csrr t1, mepc
    addi t1, t1, 4
    csrw mepc, t1
    j 3f
2:  csrw mie, zero
3:  lw t1, TR_SAVE(t0)
    csrr t0, mscratch
    mret

    .balign 4
# trap_s: the S-mode trap handler, the same with scause, sepc, stval, sstatus in st_area.
# With st_area[TR_RESUME] non-zero it returns (sret) to that address instead.
trap_s:
    csrw sscratch, t0
    la t0, st_area
    sw t1, TR_SAVE(t0)
    csrr t1, scause
    sw t1, TR_CAUSE(t0)
    csrr t1, sepc
    sw t1, TR_EPC(t0)
    csrr t1, stval
    sw t1, TR_TVAL(t0)
    csrr t1, sstatus
    sw t1, TR_STATUS(t0)
    lw t1, TR_COUNT(t0)
    addi t1, t1, 1
    sw t1, TR_COUNT(t0)
    lw t1, TR_RESUME(t0)
    beqz t1, 1f
    sw zero, TR_RESUME(t0)
    csrw sepc, t1
    j 3f
1:  lw t1, TR_CAUSE(t0)
    bltz t1, 2f
    csrr t1, sepc
    addi t1, t1, 4
    csrw sepc, t1
    j 3f
2:  csrw sie, zero
3:  lw t1, TR_SAVE(t0)
    csrr t0, sscratch
    sret

# run_in: run the code at a0 in privilege mode a1 (0 = U, 1 = S) from M-mode until it traps
# to trap_m, then continue in M-mode at a2 (the trap's state is in tr_area).
run_in:
    la t0, tr_area
    sw a2, TR_RESUME(t0)
    csrw mepc, a0
    li t0, 0x1800
    csrc mstatus, t0
    slli t0, a1, 11
    csrs mstatus, t0
    mret

# putc: print the character in a0.
putc:
    li t0, UART
    sb a0, 0(t0)
    ret

# puts: print the NUL-terminated string at a0.
puts:
    li t0, UART
1:  lbu t1, 0(a0)
    beqz t1, 2f
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
2:  ret

# puthex: print a0 as 0x and eight hex digits.
puthex:
    li t0, UART
    li t1, '0'
    sb t1, 0(t0)
    li t1, 'x'
    sb t1, 0(t0)
    li t2, 28
1:  srl t1, a0, t2
    andi t1, t1, 15
    li t3, 10
    blt t1, t3, 2f
    addi t1, t1, 'a' - 10 - '0'
2:  addi t1, t1, '0'
    sb t1, 0(t0)
    addi t2, t2, -4
    bgez t2, 1b
    ret

# say: print the string at a0 and a newline.
say:
    addi sp, sp, -16
    sw ra, 12(sp)
    call puts
    li a0, '\n'
    call putc
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# check: print "<string a0>: <a1>", then " ok" if a1 == a2, else " FAIL expected <a2>"
# (and count the failure in fail_count).
check:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    mv s0, a1
    mv s1, a2
    call puts
    la a0, str_colon
    call puts
    mv a0, s0
    call puthex
    beq s0, s1, 1f
    la a0, str_fail
    call puts
    mv a0, s1
    call puthex
    la t0, fail_count
    lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    j 2f
1:  la a0, str_ok
    call puts
2:  li a0, '\n'
    call putc
    lw s1, 4(sp)
    lw s0, 8(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# finish: print the verdict and stop through the SiFive test device: 0x5555 (exit status 0)
# when every check passed, else (failures << 16) | 0x3333 (exit status = failed checks).
finish:
    la sp, stack_top
    la t0, fail_count
    lw s0, 0(t0)
    bnez s0, 1f
    la a0, str_pass
    call say
    li t0, TESTDEV
    li t1, 0x5555
    sw t1, 0(t0)
    j 2f
1:  la a0, str_failed
    call puts
    mv a0, s0
    call puthex
    li a0, '\n'
    call putc
    slli t1, s0, 16
    li t2, 0x3333
    or t1, t1, t2
    li t0, TESTDEV
    sw t1, 0(t0)
2:  j 2b

    .data
    .balign 4
tr_area:    .zero 28
st_area:    .zero 28
fail_count: .word 0
str_colon:  .string ": "
str_ok:     .string " ok"
str_fail:   .string " FAIL expected "
str_pass:   .string "PASS"
str_failed: .string "FAILED checks: "

    .bss
    .balign 16
stack:      .space 4096
stack_top:
