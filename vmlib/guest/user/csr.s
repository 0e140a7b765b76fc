# csr.s -- the "csr" microbenchmark, in the role of Adams & Agesen's cr8wr (writing the x86
# task-priority register): a privileged register the kernel writes often. sie_write(n) makes
# the kernel mask and unmask its timer interrupt in sie n times: 2n CSR writes, each of which
# a trap-and-emulate hypervisor must catch and emulate.

    .equ CSR_CALLS, 10
    .equ CSR_PER_CALL, 50

main:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, csr_hello
    call print
    li s0, CSR_CALLS
    li s1, 0                        # writes done, as the kernel reports them
1:  li a0, CSR_PER_CALL
    li a7, SYS_SIE_WRITE
    ecall
    slli a0, a0, 1
    add s1, s1, a0
    addi s0, s0, -1
    bnez s0, 1b
    la a0, csr_done
    mv a1, s1
    la a2, csr_writes
    call print_line
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

csr_hello:  .string "csr: 10 system calls, each writing sie 100 times in the kernel\n"
csr_done:   .string "csr: "
csr_writes: .string " writes of the sie CSR"
    .balign 4
