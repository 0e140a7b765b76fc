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
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "beq 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    beq s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "beq 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    beq s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "beq 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    beq s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "beq 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    beq s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "beq 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bne 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bne 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bne 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bne 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    bne s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bne 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "blt 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "blt 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "blt 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "blt 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    blt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "blt 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bge 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bge 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bge 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bge 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    bge s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bge 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bltu 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bltu 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bltu 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bltu 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    bltu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bltu 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgeu 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgeu 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgeu 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgeu 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    bgeu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgeu 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgt 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgt 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgt 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgt 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    bgt s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgt 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "ble 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "ble 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "ble 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "ble 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    ble s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "ble 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgtu 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgtu 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgtu 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgtu 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    bgtu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgtu 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bleu 0x00000005, 0x00000005"
    .text
    li s2, 0x00000005
    li s3, 0x00000006
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bleu 0x00000005, 0x00000006"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bleu 0xffffffff, 0x00000001"
    .text
    li s2, 0x00000001
    li s3, 0xffffffff
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bleu 0x00000001, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    bleu s2, s3, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bleu 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000000
    beqz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "beqz 0x00000000"
    .text
    li s2, 0x00000001
    beqz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "beqz 0x00000001"
    .text
    li s2, 0xffffffff
    beqz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "beqz 0xffffffff"
    .text
    li s2, 0x00000000
    bnez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bnez 0x00000000"
    .text
    li s2, 0x00000001
    bnez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bnez 0x00000001"
    .text
    li s2, 0xffffffff
    bnez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bnez 0xffffffff"
    .text
    li s2, 0x00000000
    blez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "blez 0x00000000"
    .text
    li s2, 0x00000001
    blez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "blez 0x00000001"
    .text
    li s2, 0xffffffff
    blez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "blez 0xffffffff"
    .text
    li s2, 0x00000000
    bgez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgez 0x00000000"
    .text
    li s2, 0x00000001
    bgez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgez 0x00000001"
    .text
    li s2, 0xffffffff
    bgez s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgez 0xffffffff"
    .text
    li s2, 0x00000000
    bltz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bltz 0x00000000"
    .text
    li s2, 0x00000001
    bltz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bltz 0x00000001"
    .text
    li s2, 0xffffffff
    bltz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bltz 0xffffffff"
    .text
    li s2, 0x00000000
    bgtz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgtz 0x00000000"
    .text
    li s2, 0x00000001
    bgtz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgtz 0x00000001"
    .text
    li s2, 0xffffffff
    bgtz s2, 1f
    li a1, 1
    j 2f
1:  li a1, 2
2:  nop
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "bgtz 0xffffffff"
    .text
    li s2, 10
    li a1, 0
1:  add a1, a1, s2
    addi s2, s2, -1
    bnez s2, 1b
    li a2, 0x00000037
    la a0, 9f
    call check
    .section .rodata
9:  .string "backward branch loop: sum 1..10"
    .text
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
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "jal: link = next instruction"
    .text
    li a1, 5
    jal x0, 1f
    li a1, 99
1:  nop
    li a2, 0x00000005
    la a0, 9f
    call check
    .section .rodata
9:  .string "jal: skipped instruction"
    .text
    li a1, 0
    j 2f
1:  addi a1, a1, 1
    j 3f
2:  addi a1, a1, 10
    jal zero, 1b
3:  nop
    li a2, 0x0000000b
    la a0, 9f
    call check
    .section .rodata
9:  .string "jal backward"
    .text
    la s2, 1f
    jalr s4, 0(s2)
2:  li a1, 99
1:  la t0, 2b
    sub a1, s4, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "jalr: target and link"
    .text
    la s2, 1f
    addi s2, s2, -12
    li a1, 7
    jalr s4, 12(s2)
    li a1, 99
1:  nop
    li a2, 0x00000007
    la a0, 9f
    call check
    .section .rodata
9:  .string "jalr: offset"
    .text
    la s2, 1f
    addi s2, s2, 16
    li a1, 8
    jalr zero, -16(s2)
    li a1, 99
1:  nop
    li a2, 0x00000008
    la a0, 9f
    call check
    .section .rodata
9:  .string "jalr: negative offset"
    .text
    la s2, 1f
    addi s2, s2, 1
    li a1, 9
    jalr s4, 0(s2)
    li a1, 99
1:  nop
    li a2, 0x00000009
    la a0, 9f
    call check
    .section .rodata
9:  .string "jalr: bit 0 of the target cleared"
    .text
    la s2, 1f
    jalr s2, 0(s2)
2:  li s2, 0
1:  la t0, 2b
    sub a1, s2, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "jalr rd = rs1"
    .text
    li a0, 20
    call add_one
    mv a1, a0
    li a2, 0x00000015
    la a0, 9f
    call check
    .section .rodata
9:  .string "call / ret"
    .text
    la s2, 1f
    li a1, 4
    jr s2
    li a1, 99
1:  nop
    li a2, 0x00000004
    la a0, 9f
    call check
    .section .rodata
9:  .string "jr"
    .text
    li a0, 1
    jal ra, add_one
    la s2, add_one
    jalr ra, 0(s2)
    mv a1, a0
    li a2, 0x00000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "jal ra, label / jalr ra"
    .text
    li a0, 5
    call tail_twice
    mv a1, a0
    li a2, 0x00000007
    la a0, 9f
    call check
    .section .rodata
9:  .string "tail"
    .text
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
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "jalr misaligned: mcause"
    .text
    lw a1, TR_EPC(s6)
    sub a1, a1, s7
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "jalr misaligned: mepc - jalr"
    .text
    lw a1, TR_TVAL(s6)
    sub a1, a1, s8
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "jalr misaligned: mtval - target"
    .text
    mv a1, s4
    li a2, 0x00001234
    la a0, 9f
    call check
    .section .rodata
9:  .string "jalr misaligned: rd not written"
    .text
    la t0, 3f
    la t1, tr_area
    sw t0, TR_RESUME(t1)
2:  .word 0x00600a6f            # jal s4, .+6
    nop
    nop
    nop
3:  la s7, 2b
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "jal misaligned: mcause"
    .text
    lw a1, TR_EPC(s6)
    sub a1, a1, s7
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "jal misaligned: mepc - jal"
    .text
    mv a1, s4
    li a2, 0x00001234
    la a0, 9f
    call check
    .section .rodata
9:  .string "jal misaligned: rd not written"
    .text
    la t0, 3f
    la t1, tr_area
    sw t0, TR_RESUME(t1)
2:  .word 0x00000363            # beq zero, zero, .+6
    nop
    nop
    nop
3:  la s7, 2b
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "beq misaligned taken: mcause"
    .text
    lw a1, TR_EPC(s6)
    sub a1, a1, s7
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "beq misaligned taken: mepc - beq"
    .text
    lw a1, TR_COUNT(s6)
    li a2, 0x00000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "trap count so far"
    .text
    .word 0x00001363            # bne zero, zero, .+6: not taken, no trap
    nop
    lw a1, TR_COUNT(s6)
    li a2, 0x00000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "bne misaligned not taken: no trap"
    .text
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
