# uart_input.s -- UART input.
# Polls the NS16550A's LSR (data ready, bit 0) and reads RBR until a newline, echoing each
# character (a-z in upper case); then checks the count and the sum of the codes and that no more
# data is waiting. Its input is uart_input.stdin ("hello, RISC-V!" and a newline), given to
# QEMU and to vmlib on stdin.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    la a0, 9f
    call say
    .section .rodata
9:  .string "uart_input: reading a line from the UART"
    .text
    li s2, UART
    li s3, 0                    # characters read
    li s4, 0                    # their sum
1:  lbu t0, 5(s2)               # LSR
    andi t0, t0, 1              # data ready?
    beqz t0, 1b
    lbu s5, 0(s2)               # RBR
    addi s3, s3, 1
    add s4, s4, s5
    li t0, '\n'
    beq s5, t0, 2f
    li t0, 'a'                  # echo, lower case made upper case
    blt s5, t0, 3f
    li t0, 'z'
    bgt s5, t0, 3f
    addi s5, s5, 'A' - 'a'
3:  mv a0, s5
    call putc
    j 1b
2:  li a0, '\n'
    call putc
    mv a1, s3
    CHECKED 0x0000000f, "characters read"
    mv a1, s4
    CHECKED 0x0000043f, "sum of their codes"
    lbu a1, 5(s2)
    andi a1, a1, 1
    CHECKED 0x00000000, "LSR after the line: no more data (& 0x01)"
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
