# demo.s -- the default workload: three processes share the CPU round-robin.
# init (pid 1) forks two workers. Worker 2 counts primes and exits with the count; worker 3
# spins forever and never makes a system call, so only the timer interrupt can take the CPU
# away from it. init adds up squares meanwhile, then waits for worker 2 and reports. That
# init gets to finish at all shows the preemption. Only init prints, and only after wait,
# so the output does not depend on when the timer fires.

    .equ DEMO_PRIMES_BELOW, 1000
    .equ DEMO_SQUARES, 1000

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, demo_hello
    call print
    li a7, SYS_FORK
    ecall
    beqz a0, demo_count_primes
    mv s0, a0                       # worker 2's pid
    li a7, SYS_FORK
    ecall
    beqz a0, demo_spin
    mv s1, a0                       # worker 3's pid

    li t0, 1                        # init's own work: 1^2 + 2^2 + ... + 1000^2
    li s2, 0
1:  mul t1, t0, t0
    add s2, s2, t1
    addi t0, t0, 1
    li t1, DEMO_SQUARES
    bleu t0, t1, 1b

    mv a0, s0                       # wait for worker 2
    li a7, SYS_WAIT
    ecall
    mv s3, a1
    la a0, demo_worker
    mv a1, s0
    la a2, demo_counted
    call print_line
    la a0, demo_primes
    mv a1, s3
    la a2, demo_primes_end
    call print_line
    la a0, demo_squares
    mv a1, s2
    la a2, empty
    call print_line
    la a0, demo_worker
    mv a1, s1
    la a2, demo_spinning
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# demo_count_primes: worker 2: exit(the number of primes below DEMO_PRIMES_BELOW).
demo_count_primes:
    li s0, 2                        # candidate
    li s1, 0                        # primes found
1:  li t0, 2                        # trial divisor
2:  mul t1, t0, t0
    bgtu t1, s0, 3f                 # no divisor up to the square root: prime
    remu t1, s0, t0
    beqz t1, 4f
    addi t0, t0, 1
    j 2b
3:  addi s1, s1, 1
4:  addi s0, s0, 1
    li t0, DEMO_PRIMES_BELOW
    bltu s0, t0, 1b
    mv a0, s1
    li a7, SYS_EXIT
    ecall

# demo_spin: worker 3: never yields, never traps.
demo_spin:
1:  j 1b

demo_hello:      .string "demo: init (pid 1) forks worker 2 (counts primes) and worker 3 (spins forever)\n"
demo_worker:     .string "demo: worker "
demo_counted:    .string " has finished"
demo_primes:     .string "demo: it found "
demo_primes_end: .string " primes below 1000"
demo_squares:    .string "demo: init meanwhile added the squares of 1..1000: "
demo_spinning:   .string " is still spinning: the timer took the CPU away from it"
    .balign 4
