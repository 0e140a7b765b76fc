# ptemod.s -- the "ptemod" microbenchmark: page-table entry updates. mprotect rewrites the
# entry of one page (read-only, then writable again); mmap and munmap create and remove
# entries. The kernel flushes the TLB entry (sfence.vma) after each change. Under a
# hypervisor with shadow page tables, each of these writes must reach the shadow.

    .equ PTE_ROUNDS, 40
    .equ PTE_MAPS, 20
    .equ PTE_PAGE, 0x00700000

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, pte_hello
    call print
    li s0, PTE_PAGE
    mv a0, s0
    li a7, SYS_MMAP
    ecall
    bne a0, s0, pte_failed
    li s1, PTE_ROUNDS
1:  mv a0, s0                       # read-only ...
    li a1, 0
    li a7, SYS_MPROTECT
    ecall
    bnez a0, pte_failed
    lw s2, 0(s0)
    mv a0, s0                       # ... writable again
    li a1, PROT_WRITE
    li a7, SYS_MPROTECT
    ecall
    bnez a0, pte_failed
    addi s2, s2, 1
    sw s2, 0(s0)
    addi s1, s1, -1
    bnez s1, 1b
    mv a0, s0
    li a7, SYS_MUNMAP
    ecall
    bnez a0, pte_failed
    la a0, pte_counter
    mv a1, s2
    la a2, empty
    call print_line

    li s1, 0                        # mmap, use, munmap: PTE_MAPS different pages
    li s3, 0                        # checksum
2:  slli a0, s1, 12
    add a0, a0, s0
    mv s2, a0
    li a7, SYS_MMAP
    ecall
    bne a0, s2, pte_failed
    lw t0, 8(s2)                    # zero: a fresh page
    add t0, t0, s1
    sw t0, 8(s2)
    lw t0, 8(s2)
    add s3, s3, t0
    mv a0, s2
    li a7, SYS_MUNMAP
    ecall
    bnez a0, pte_failed
    addi s1, s1, 1
    li t0, PTE_MAPS
    bltu s1, t0, 2b
    la a0, pte_maps
    li a1, PTE_MAPS
    la a2, pte_maps_end
    call print_line
    la a0, pte_sum
    mv a1, s3
    la a2, empty
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

pte_failed:
    la a0, pte_error
    call print
    li a0, 1
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

pte_hello:      .string "ptemod: 40 rounds of mprotect read-only / writable on one page\n"
pte_counter:    .string "ptemod: the page's counter reached "
pte_maps:       .string "ptemod: "
pte_maps_end:   .string " pages mapped, written and unmapped"
pte_sum:        .string "ptemod: checksum: "
pte_error:      .string "ptemod: a page-table call failed\n"
    .balign 4
