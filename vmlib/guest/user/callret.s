# callret.s -- the "callret" microbenchmark: calls and returns, fib(n) by the naive recursion,
# first in user mode (counting the calls), then in the kernel (kfib): a binary translator runs
# the process's code directly but translates the kernel's, and must look up every return's
# target there.

    .equ CALLRET_N, 16

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    li s1, 0                        # calls made
    li a0, CALLRET_N
    call fib
    mv s2, a0
    la a0, callret_fib
    call print
    li a0, CALLRET_N
    call print_dec
    la a0, callret_is
    call print
    mv a0, s2
    call print_dec
    la a0, newline
    call print
    la a0, callret_calls
    mv a1, s1
    la a2, empty
    call print_line
    li a0, CALLRET_N
    li a7, SYS_KFIB
    ecall
    mv a1, a0
    la a0, callret_kernel
    la a2, empty
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# fib: a0 = fib(a0), the slow way; counts itself in s1.
fib:
    addi s1, s1, 1
    li t0, 2
    bltu a0, t0, 1f
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw a0, 4(sp)
    addi a0, a0, -1
    call fib
    mv s0, a0
    lw a0, 4(sp)
    addi a0, a0, -2
    call fib
    add a0, a0, s0
    lw s0, 8(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
1:  ret

callret_fib:    .string "callret: fib("
callret_is:     .string ") = "
callret_calls:  .string "callret: calls made: "
callret_kernel: .string "callret: fib(16) in the kernel = "
    .balign 4
