# syscall.s -- the "syscall" microbenchmark: the cheapest system call, many times.
# Each getpid is an ecall into the kernel (a trap from U to S: save the registers, dispatch,
# restore, sret) and back.

    .equ SYSCALL_ROUNDS, 500

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, syscall_hello
    call print
    li s0, SYSCALL_ROUNDS
    li s1, 0                        # the sum of the pids
1:  li a7, SYS_GETPID
    ecall
    add s1, s1, a0
    addi s0, s0, -1
    bnez s0, 1b
    la a0, syscall_result
    li a1, SYSCALL_ROUNDS
    la a2, syscall_sum
    call print_line
    la a0, syscall_done
    mv a1, s1
    la a2, empty
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

syscall_hello:  .string "syscall: pid 1 calls getpid in a loop\n"
syscall_result: .string "syscall: "
syscall_sum:    .string " getpid calls"
syscall_done:   .string "syscall: sum of the pids returned: "
    .balign 4
