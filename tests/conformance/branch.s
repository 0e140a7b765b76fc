# branch.s -- control transfer.
# beq bne blt bge bltu bgeu and the pseudo-branches (bgt ble bgtu bleu beqz bnez blez bgez bltz
# bgtz) taken and not taken on signed/unsigned boundaries; a backward loop; jal and jalr link
# values, offsets, jalr clearing bit 0, rd = rs1; call ret jr tail. Misaligned targets (no C
# extension): jalr, jal and a taken branch raise instruction-address-misaligned (mcause 0) with
# mepc = the jump, without writing rd; a not-taken branch does not trap. mtval (= the target)
# is checked for jalr only: QEMU 7.2 reports a stale mtval for a misaligned jal or branch (fixed
# upstream in 2023, "target/riscv: Fix target address to update badaddr").

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    la a0, 9f
    call say
    .section .rodata
9:  .string "== conditional branches: 2 = taken, 1 = not taken =="
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    beq s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "beq 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    beq s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "beq 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    beq s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "beq 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    beq s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "beq 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    beq s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "beq 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bne 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bne 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bne 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bne 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bne 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "blt 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "blt 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "blt 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "blt 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "blt 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bge 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bge 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bge 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bge 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bge 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bltu 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bltu 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bltu 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bltu 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bltu 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bgeu 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgeu 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bgeu 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgeu 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bgeu 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgt 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgt 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgt 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bgt 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgt 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "ble 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "ble 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "ble 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "ble 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "ble 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgtu 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgtu 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bgtu 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgtu 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bgtu 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bleu 0x00000005, 0x00000005"
    li s2, 0x00000005
    li s3, 0x00000006
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bleu 0x00000005, 0x00000006"
    li s2, 0xffffffff
    li s3, 0x00000001
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bleu 0xffffffff, 0x00000001"
    li s2, 0x00000001
    li s3, 0xffffffff
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bleu 0x00000001, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bleu 0x80000000, 0x7fffffff"
    li s2, 0x00000000
    beqz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "beqz 0x00000000"
    li s2, 0x00000001
    beqz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "beqz 0x00000001"
    li s2, 0xffffffff
    beqz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "beqz 0xffffffff"
    li s2, 0x00000000
    bnez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bnez 0x00000000"
    li s2, 0x00000001
    bnez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bnez 0x00000001"
    li s2, 0xffffffff
    bnez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bnez 0xffffffff"
    li s2, 0x00000000
    blez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "blez 0x00000000"
    li s2, 0x00000001
    blez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "blez 0x00000001"
    li s2, 0xffffffff
    blez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "blez 0xffffffff"
    li s2, 0x00000000
    bgez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bgez 0x00000000"
    li s2, 0x00000001
    bgez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bgez 0x00000001"
    li s2, 0xffffffff
    bgez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgez 0xffffffff"
    li s2, 0x00000000
    bltz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bltz 0x00000000"
    li s2, 0x00000001
    bltz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bltz 0x00000001"
    li s2, 0xffffffff
    bltz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bltz 0xffffffff"
    li s2, 0x00000000
    bgtz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgtz 0x00000000"
    li s2, 0x00000001
    bgtz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000002, "bgtz 0x00000001"
    li s2, 0xffffffff
    bgtz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    CHECKED 0x00000001, "bgtz 0xffffffff"
    li s2, 10
    li a1, 0
1:  add a1, a1, s2
    addi s2, s2, -1
    bnez s2, 1b
    CHECKED 0x00000037, "backward branch loop: sum 1..10"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== jal / jalr =="
    .text
    li a1, 0
    jal s4, 1f
2:  li a1, 99
1:  la t0, 2b
    sub a1, s4, t0
    add a1, a1, a1
    CHECKED 0x00000000, "jal: link = next instruction"
    li a1, 5
    jal x0, 1f
    li a1, 99
1:  nop
    CHECKED 0x00000005, "jal: skipped instruction"
    li a1, 0
    j 2f
1:  addi a1, a1, 1
    j 3f
2:  addi a1, a1, 10
    jal zero, 1b
3:  nop
    CHECKED 0x0000000b, "jal backward"
    la s2, 1f
    jalr s4, 0(s2)
2:  li a1, 99
1:  la t0, 2b
    sub a1, s4, t0
    CHECKED 0x00000000, "jalr: target and link"
    la s2, 1f
    addi s2, s2, -12
    li a1, 7
    jalr s4, 12(s2)
    li a1, 99
1:  nop
    CHECKED 0x00000007, "jalr: offset"
    la s2, 1f
    addi s2, s2, 16
    li a1, 8
    jalr zero, -16(s2)
    li a1, 99
1:  nop
    CHECKED 0x00000008, "jalr: negative offset"
    la s2, 1f
    addi s2, s2, 1
    li a1, 9
    jalr s4, 0(s2)
    li a1, 99
1:  nop
    CHECKED 0x00000009, "jalr: bit 0 of the target cleared"
    la s2, 1f
    jalr s2, 0(s2)
2:  li s2, 0
1:  la t0, 2b
    sub a1, s2, t0
    CHECKED 0x00000000, "jalr rd = rs1"
    li a0, 20
    call add_one
    mv a1, a0
    CHECKED 0x00000015, "call / ret"
    la s2, 1f
    li a1, 4
    jr s2
    li a1, 99
1:  nop
    CHECKED 0x00000004, "jr"
    li a0, 1
    jal ra, add_one
    la s2, add_one
    jalr ra, 0(s2)
    mv a1, a0
    CHECKED 0x00000003, "jal ra, label / jalr ra"
    li a0, 5
    call tail_twice
    mv a1, a0
    CHECKED 0x00000007, "tail"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== misaligned jump targets (no C extension): instruction-address-misaligned =="
    .text
    la s2, 1f
    addi s2, s2, 2
    li s4, 0x1234
    la t0, 3f
    la t1, tr_area
    sw t0, TR_RESUME(t1)
2:  jalr s4, 0(s2)
1:  nop
    nop
    nop
3:  la s6, tr_area
    la s7, 2b
    la s8, 1b
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000000, "jalr misaligned: mcause"
    lw a1, TR_EPC(s6)
    sub a1, a1, s7
    CHECKED 0x00000000, "jalr misaligned: mepc - jalr"
    lw a1, TR_TVAL(s6)
    sub a1, a1, s8
    CHECKED 0x00000002, "jalr misaligned: mtval - target"
    mv a1, s4
    CHECKED 0x00001234, "jalr misaligned: rd not written"
    la t0, 3f
    la t1, tr_area
    sw t0, TR_RESUME(t1)
2:  .word 0x00600a6f            # jal s4, .+6
    nop
    nop
    nop
3:  la s7, 2b
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000000, "jal misaligned: mcause"
    lw a1, TR_EPC(s6)
    sub a1, a1, s7
    CHECKED 0x00000000, "jal misaligned: mepc - jal"
    mv a1, s4
    CHECKED 0x00001234, "jal misaligned: rd not written"
    la t0, 3f
    la t1, tr_area
    sw t0, TR_RESUME(t1)
2:  .word 0x00000363            # beq zero, zero, .+6
    nop
    nop
    nop
3:  la s7, 2b
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000000, "beq misaligned taken: mcause"
    lw a1, TR_EPC(s6)
    sub a1, a1, s7
    CHECKED 0x00000000, "beq misaligned taken: mepc - beq"
    lw a1, TR_COUNT(s6)
    CHECKED 0x00000003, "trap count so far"
    .word 0x00001363            # bne zero, zero, .+6: not taken, no trap
    nop
    lw a1, TR_COUNT(s6)
    CHECKED 0x00000003, "bne misaligned not taken: no trap"
    j finish

add_one:
    addi a0, a0, 1
    ret
tail_twice:
    addi a0, a0, 1
    tail add_one
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
