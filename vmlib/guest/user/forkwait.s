# forkwait.s -- the "forkwait" microbenchmark: process creation and exit. The parent forks a
# child (a new address space, a copy of the stack page), the child exits at once with its pid
# as status, the parent waits for it (the child's pages and its slot are freed). Many times.

    .equ FW_CHILDREN, 16

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, fw_hello
    call print
    li s0, FW_CHILDREN
    li s1, 0                        # the sum of the children's exit statuses
1:  li a7, SYS_FORK
    ecall
    bltz a0, fw_failed
    bnez a0, 2f
    li a7, SYS_GETPID               # the child: exit(getpid())
    ecall
    li a7, SYS_EXIT
    ecall
2:  mv s2, a0
    li a7, SYS_WAIT                 # the parent: wait for this child
    ecall
    bne a0, s2, fw_failed
    add s1, s1, a1
    addi s0, s0, -1
    bnez s0, 1b
    la a0, fw_done
    li a1, FW_CHILDREN
    la a2, fw_done_end
    call print_line
    la a0, fw_sum
    mv a1, s1
    la a2, empty
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

fw_failed:
    la a0, fw_error
    call print
    li a0, 1
    li a7, SYS_EXIT
    ecall

fw_hello:       .string "forkwait: fork a child, wait for it; 16 times\n"
fw_done:        .string "forkwait: "
fw_done_end:    .string " children created and reaped"
fw_sum:         .string "forkwait: sum of their exit statuses (their pids): "
fw_error:       .string "forkwait: fork or wait failed\n"
    .balign 4
