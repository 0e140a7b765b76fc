# smc.s -- self-modifying code and fence.i.
# A function's first instruction rewritten by stores, then fence.i: calls see the new
# instruction (once and ten times in a loop); an instruction later in the running block and one
# already executed in a loop are rewritten and then execute in their new form; a byte store
# changes an immediate. (Without fence.i the spec gives no guarantee: not tested.)

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    la a0, 9f
    call say
    .section .rodata
9:  .string "== stores to code become visible to fetch after fence.i =="
    .text
    la s2, patch_site
    li a1, 0
    jalr ra, 0(s2)
    CHECKED 0x00000001, "patch_site as built"
    li t0, 0x00200593
    sw t0, 0(s2)
    fence.i
    jalr ra, 0(s2)
    CHECKED 0x00000002, "patched to addi a1, zero, 2"
    li s3, 1
    li s4, 0
    li s5, 0x00000593
1:  slli t0, s3, 20
    or t0, t0, s5
    sw t0, 0(s2)
    fence.i
    jalr ra, 0(s2)
    add s4, s4, a1
    addi s3, s3, 1
    li t0, 10
    ble s3, t0, 1b
    mv a1, s4
    CHECKED 0x00000037, "patched 10 times in a loop (sum 1..10)"
    la t0, 1f
    li t1, 0x00700593
    li a1, 0
    sw t1, 0(t0)
    fence.i
1:  addi a1, zero, 3
    CHECKED 0x00000007, "patch the next instruction of the running block"
    li s3, 0
    li s4, 0
    la s6, 2f
    li s7, 0x00500593
1:  nop
2:  addi a1, zero, 1
    add s4, s4, a1
    sw s7, 0(s6)
    fence.i
    addi s3, s3, 1
    li t0, 3
    blt s3, t0, 1b
    mv a1, s4
    CHECKED 0x0000000b, "patch an instruction already executed in this loop"
    la t0, 1f
    li t1, 0x90
    sb t1, 2(t0)
    fence.i
1:  addi a1, zero, 5
    CHECKED 0x00000009, "patch one byte of an immediate (sb)"
    j finish

# patch_site: a one-instruction function the program rewrites (RAM is writable).
    .balign 4
patch_site:
    addi a1, zero, 1
    ret
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
