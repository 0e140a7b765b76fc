# pgfault.s -- the "pgfault" microbenchmark: page faults the kernel serves (demand paging).
# The heap (HEAP_VA, HEAP_PAGES pages) starts empty: the first touch of each page faults,
# the kernel maps a fresh zeroed page and the access runs again. After each round the program
# unmaps its pages (munmap), so the next round faults on them again. At the end a child
# process reads just past the heap: no page can be there, and the kernel kills it.

    .equ PGF_ROUNDS, 8
    .equ PGF_PAGES, 8

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, pgf_hello
    call print
    li s0, 0                        # round
    li s3, 0                        # checksum
1:  li s1, 0                        # page in this round
2:  slli s2, s1, 12                 # s2 = the page's address
    li t0, HEAP_VA
    add s2, s2, t0
    slli t0, s0, 3                  # a value that tells the round and the page apart
    add t0, t0, s1
    addi t0, t0, 1
    sw t0, 0(s2)                    # store page fault: a fresh page appears
    lw t1, 0(s2)
    lw t2, 4(s2)                    # a fresh page is zeroed
    add s3, s3, t1
    add s3, s3, t2
    addi s1, s1, 1
    li t0, PGF_PAGES
    bltu s1, t0, 2b
    li s1, 0                        # give the pages back
3:  slli a0, s1, 12
    li t0, HEAP_VA
    add a0, a0, t0
    li a7, SYS_MUNMAP
    ecall
    bnez a0, pgf_failed
    addi s1, s1, 1
    li t0, PGF_PAGES
    bltu s1, t0, 3b
    addi s0, s0, 1
    li t0, PGF_ROUNDS
    bltu s0, t0, 1b

    li a7, SYS_PFCOUNT
    ecall
    mv a1, a0
    la a0, pgf_faults
    la a2, pgf_faults_end
    call print_line
    la a0, pgf_sum
    mv a1, s3
    la a2, empty
    call print_line

    li a7, SYS_FORK                 # a child that reads where no page can be
    ecall
    bnez a0, 4f
    li t0, HEAP_VA + HEAP_PAGES * PAGE_SIZE
    lw t0, 0(t0)                    # killed here
    li a0, 0
    li a7, SYS_EXIT
    ecall
4:  mv s4, a0
    li a7, SYS_WAIT
    ecall
    mv s5, a1
    la a0, pgf_child
    mv a1, s4
    la a2, pgf_child_end
    call print_line
    la a0, pgf_status
    mv a1, s5
    la a2, empty
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

pgf_failed:
    li a0, 1
    li a7, SYS_EXIT
    ecall

pgf_hello:      .string "pgfault: 8 rounds: touch 8 heap pages, then unmap them\n"
pgf_faults:     .string "pgfault: "
pgf_faults_end: .string " page faults served by the kernel"
pgf_sum:        .string "pgfault: checksum of the values read back: "
pgf_child:      .string "pgfault: child "
pgf_child_end:  .string " read past the heap"
pgf_status:     .string "pgfault: its exit status (128 + scause): "
    .balign 4
