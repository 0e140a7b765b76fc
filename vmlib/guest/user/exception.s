# exception.s -- the "exception" microbenchmark, in the role of Adams & Agesen's divzero (a
# RISC-V division by zero does not trap): an illegal instruction, delivered by the kernel to
# a handler in the program, which skips it and goes on. A child process that has no handler
# is killed by the kernel instead.

    .equ EXC_ROUNDS, 100

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, exc_hello
    call print
    la a0, exc_handler
    li a7, SYS_SET_HANDLER
    ecall
    li s0, EXC_ROUNDS
    li s1, 0                        # exceptions the handler saw
    li s2, 0                        # the sum of their causes
1:  .word 0                         # all zeros: an illegal instruction
    addi s0, s0, -1
    bnez s0, 1b
    la a0, exc_seen
    mv a1, s1
    la a2, exc_seen_end
    call print_line
    la a0, exc_causes
    mv a1, s2
    la a2, empty
    call print_line

    li a7, SYS_FORK                 # a child without a handler
    ecall
    bnez a0, 2f
    li a0, 0
    li a7, SYS_SET_HANDLER
    ecall
    .word 0                         # killed here
    li a7, SYS_EXIT
    ecall
2:  mv s4, a0
    li a7, SYS_WAIT
    ecall
    mv s5, a1
    la a0, exc_child
    mv a1, s4
    la a2, exc_child_end
    call print_line
    la a0, exc_status
    mv a1, s5
    la a2, empty
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# exc_handler: the kernel comes here with a0 = scause, a1 = the faulting pc, a2 = stval.
exc_handler:
    addi s1, s1, 1
    add s2, s2, a0
    addi a1, a1, 4                  # skip the instruction
    jr a1

exc_hello:      .string "exception: 100 illegal instructions, each delivered to a handler\n"
exc_seen:       .string "exception: the handler ran "
exc_seen_end:   .string " times"
exc_causes:     .string "exception: sum of the causes it was given: "
exc_child:      .string "exception: child "
exc_child_end:  .string " had no handler"
exc_status:     .string "exception: its exit status (128 + scause): "
    .balign 4
