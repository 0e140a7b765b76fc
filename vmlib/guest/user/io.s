# io.s -- the "io" microbenchmark (Adams & Agesen's in/out): device register accesses.
# The program prints through uart_write, for which the kernel drives the UART itself: for
# every byte it reads the line status register (is the transmitter ready?) and writes the
# transmit holding register. Under a hypervisor each of those accesses is a trap into the
# VMM's model of the UART.

    .equ IO_LINES, 12

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, io_hello
    call print
    li s0, 1                        # line number
1:  la a0, io_line                  # "io: line NN through the kernel's UART driver\n"
    call io_uart_print
    addi sp, sp, -16                # the number, two digits, on the stack
    li t0, 10
    divu t1, s0, t0
    remu t2, s0, t0
    addi t1, t1, '0'
    addi t2, t2, '0'
    sb t1, 0(sp)
    sb t2, 1(sp)
    mv a0, sp
    li a1, 2
    li a7, SYS_UART_WRITE
    ecall
    addi sp, sp, 16
    bltz a0, write_failed
    la a0, io_rest
    call io_uart_print
    addi s0, s0, 1
    li t0, IO_LINES
    bleu s0, t0, 1b
    la a0, io_done
    li a1, IO_LINES
    la a2, io_lines
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# io_uart_print: the string at a0 through uart_write.
io_uart_print:
    mv t0, a0
1:  lbu t1, 0(t0)
    beqz t1, 2f
    addi t0, t0, 1
    j 1b
2:  sub a1, t0, a0
    li a7, SYS_UART_WRITE
    ecall
    bltz a0, write_failed
    ret

io_hello:   .string "io: the kernel writes the next lines to the UART registers itself\n"
io_line:    .string "io: line "
io_rest:    .string ": LSR read, THR written, byte by byte\n"
io_done:    .string "io: "
io_lines:   .string " lines written through the device registers"
    .balign 4
