# compute.s -- the "compute" workload: user-mode arithmetic only, no system calls until the
# end. Under trap-and-emulate nearly every instruction runs directly on the hardware; only the
# timer interrupts bring the kernel (and the VMM) in.
#
# It sums the lengths of the Collatz sequences of 1 .. COMPUTE_N (n -> n/2 or 3n+1 until 1):
# about 2.3 million instructions, 23 ms of the modelled 100 MHz hart, so that its three lines
# of output are a small part of it, as for any program that computes for a living.

    .equ COMPUTE_N, 4000

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    li s0, 1                        # n
    li s1, 0                        # total steps
    li s3, 0                        # the longest sequence
    li s4, 0                        # ... and where it starts
1:  mv t0, s0
    li t1, 0                        # steps for this n
2:  li t2, 1
    beq t0, t2, 4f
    andi t2, t0, 1
    beqz t2, 3f
    slli t2, t0, 1                  # odd: 3n + 1
    add t0, t0, t2
    addi t0, t0, 1
    addi t1, t1, 1
    j 2b
3:  srli t0, t0, 1                  # even: n / 2
    addi t1, t1, 1
    j 2b
4:  add s1, s1, t1
    bleu t1, s3, 5f
    mv s3, t1
    mv s4, s0
5:  addi s0, s0, 1
    li t2, COMPUTE_N
    bleu s0, t2, 1b
    la a0, compute_total
    mv a1, s1
    la a2, empty
    call print_line
    la a0, compute_longest
    mv a1, s3
    la a2, compute_steps
    call print_line
    la a0, compute_starts
    mv a1, s4
    la a2, empty
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

compute_total:   .string "compute: Collatz steps for 1..4000: "
compute_longest: .string "compute: the longest sequence has "
compute_steps:   .string " steps"
compute_starts:  .string "compute: the first one that long starts at "
    .balign 4
