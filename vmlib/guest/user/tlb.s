# tlb.s -- the "tlb" workload (chapter 13): a working set larger than a small TLB, swept again
# and again, with almost no page-table changes. The program touches every heap page once (the
# kernel maps each on its first fault: the only page-table changes), then reads one word of
# every page, TLB_SWEEPS times over. A TLB with fewer entries than the working set misses on
# every page of every sweep; one with more hits them all after the first.

    .equ TLB_SWEEPS, 300

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, tlb_hello
    call print
    li s1, 0                        # touch each heap page once: demand paging maps it
1:  slli t0, s1, 12
    li t1, HEAP_VA
    add t0, t0, t1
    addi t2, s1, 1
    sw t2, 0(t0)                    # page n holds n + 1
    addi s1, s1, 1
    li t0, HEAP_PAGES
    bltu s1, t0, 1b
    li s0, 0                        # sweep
    li s3, 0                        # the sum of everything read
2:  li s1, 0
    li s2, HEAP_VA
3:  lw t1, 0(s2)                    # one load per page: one TLB lookup per page
    add s3, s3, t1
    li t0, PAGE_SIZE
    add s2, s2, t0
    addi s1, s1, 1
    li t0, HEAP_PAGES
    bltu s1, t0, 3b
    addi s0, s0, 1
    li t0, TLB_SWEEPS
    bltu s0, t0, 2b
    la a0, tlb_sum
    mv a1, s3
    la a2, empty
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

tlb_hello:      .string "tlb: touch the 64 heap pages, then read a word of each, 300 times over\n"
tlb_sum:        .string "tlb: the sum of all the words read (300 x (1 + ... + 64)): "
    .balign 4
