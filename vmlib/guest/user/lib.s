# lib.s -- the user library: the first page(s) of the user image, shared by every program.
#
# The user image runs in U-mode at USER_VA, not at the address the assembler placed it, so
# everything here is position-independent: `la` and `call` are pc-relative, and no .word
# holds an address. A program has no .data or .bss: its variables live in registers, on its
# stack (one page below USER_TOP) or in pages it asks the kernel for (heap, mmap).
#
# A program defines `main`; user_start calls it and exits with its return value.

    .text
    .balign 4096
user_image:
user_start:
    call main
    li a7, SYS_EXIT
    ecall

# print: write the NUL-terminated string at a0 to stdout. A failed write (the kernel could not
# read the buffer: -EFAULT) ends the program with exit status 14, so it cannot go unnoticed.
print:
    mv a1, a0
    mv t0, a0
1:  lbu t1, 0(t0)
    beqz t1, 2f
    addi t0, t0, 1
    j 1b
2:  sub a2, t0, a1
    li a0, 1
    li a7, SYS_WRITE
    ecall
    bltz a0, write_failed
    ret

write_failed:
    li a0, EFAULT
    li a7, SYS_EXIT
    ecall

# print_dec: a0 (unsigned) in decimal, formatted in a buffer on the stack.
print_dec:
    addi sp, sp, -16
    addi t0, sp, 16                 # digits from the end of the buffer backwards
    li t1, 10
1:  remu t2, a0, t1
    addi t2, t2, '0'
    addi t0, t0, -1
    sb t2, 0(t0)
    divu a0, a0, t1
    bnez a0, 1b
    mv a1, t0
    addi a2, sp, 16
    sub a2, a2, t0
    li a0, 1
    li a7, SYS_WRITE
    ecall
    addi sp, sp, 16
    bltz a0, write_failed
    ret

# print_line: print the string a0, the number a1 in decimal, the string a2 and a newline.
print_line:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw a1, 8(sp)
    sw a2, 4(sp)
    call print
    lw a0, 8(sp)
    call print_dec
    lw a0, 4(sp)
    call print
    la a0, newline
    call print
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

newline:    .string "\n"
empty:      .string ""
    .balign 4
