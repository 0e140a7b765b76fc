# branch.s -- control transfer.
# beq bne blt bge bltu bgeu and the pseudo-branches (bgt ble bgtu bleu beqz bnez blez bgez bltz
# bgtz) taken and not taken on signed/unsigned boundaries; a backward loop; jal and jalr link
# values, offsets, jalr clearing bit 0, rd = rs1; call ret jr tail. Misaligned targets (no C
# extension): jalr, jal and a taken branch raise instruction-address-misaligned (mcause 0) with
# mepc = the jump, without writing rd; a not-taken branch does not trap. mtval (= the target)
# is checked for jalr only: QEMU 7.2 reports a stale mtval for a misaligned jal or branch (fixed
# upstream in 2023, "target/riscv: Fix target address to update badaddr").

    .equ UART, 0x10000000
    .equ TESTDEV, 0x00100000
    .equ CLINT_MSIP, 0x02000000
    .equ CLINT_MTIMECMP, 0x02004000
    .equ CLINT_MTIME, 0x0200BFF8
    .equ TR_SAVE, 0
    .equ TR_CAUSE, 4
    .equ TR_EPC, 8
    .equ TR_TVAL, 12
    .equ TR_STATUS, 16
    .equ TR_COUNT, 20
    .equ TR_RESUME, 24

    .text
    .globl _start
_start:
    la sp, stack_top
    la t0, trap_m
    csrw mtvec, t0
    li t0, -1                   # open PMP (QEMU denies S/U accesses otherwise)
    csrw pmpaddr0, t0
    li t0, 0x1f                 # NAPOT, R W X
    csrw pmpcfg0, t0

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
# Common tail: identical in every program of tests/conformance (record.py checks this).
# Trap handlers, printing, checking, the verdict through the SiFive test device.
# ==========================================================================================
    .text
    .balign 4
# trap_m: the M-mode trap handler. Records mcause, mepc, mtval, mstatus in tr_area and counts
# the trap. If tr_area[TR_RESUME] is non-zero it clears it and continues in M-mode at that
# address (t0, t1 clobbered, the trap CSRs kept for inspection). Otherwise it returns with
# mret: past the trapping instruction for an exception, to the interrupted one for an
# interrupt (after clearing mie so that the interrupt does not fire again).
trap_m:
    csrw mscratch, t0
    la t0, tr_area
    sw t1, TR_SAVE(t0)
    csrr t1, mcause
    sw t1, TR_CAUSE(t0)
    csrr t1, mepc
    sw t1, TR_EPC(t0)
    csrr t1, mtval
    sw t1, TR_TVAL(t0)
    csrr t1, mstatus
    sw t1, TR_STATUS(t0)
    lw t1, TR_COUNT(t0)
    addi t1, t1, 1
    sw t1, TR_COUNT(t0)
    lw t1, TR_RESUME(t0)
    beqz t1, 1f
    sw zero, TR_RESUME(t0)
    jr t1
1:  lw t1, TR_CAUSE(t0)
    bltz t1, 2f
    csrr t1, mepc
    addi t1, t1, 4
    csrw mepc, t1
    j 3f
2:  csrw mie, zero
3:  lw t1, TR_SAVE(t0)
    csrr t0, mscratch
    mret

    .balign 4
# trap_s: the S-mode trap handler, the same with scause, sepc, stval, sstatus in st_area.
# With st_area[TR_RESUME] non-zero it returns (sret) to that address instead.
trap_s:
    csrw sscratch, t0
    la t0, st_area
    sw t1, TR_SAVE(t0)
    csrr t1, scause
    sw t1, TR_CAUSE(t0)
    csrr t1, sepc
    sw t1, TR_EPC(t0)
    csrr t1, stval
    sw t1, TR_TVAL(t0)
    csrr t1, sstatus
    sw t1, TR_STATUS(t0)
    lw t1, TR_COUNT(t0)
    addi t1, t1, 1
    sw t1, TR_COUNT(t0)
    lw t1, TR_RESUME(t0)
    beqz t1, 1f
    sw zero, TR_RESUME(t0)
    csrw sepc, t1
    j 3f
1:  lw t1, TR_CAUSE(t0)
    bltz t1, 2f
    csrr t1, sepc
    addi t1, t1, 4
    csrw sepc, t1
    j 3f
2:  csrw sie, zero
3:  lw t1, TR_SAVE(t0)
    csrr t0, sscratch
    sret

# run_in: run the code at a0 in privilege mode a1 (0 = U, 1 = S) from M-mode until it traps
# to trap_m, then continue in M-mode at a2 (the trap's state is in tr_area).
run_in:
    la t0, tr_area
    sw a2, TR_RESUME(t0)
    csrw mepc, a0
    li t0, 0x1800
    csrc mstatus, t0
    slli t0, a1, 11
    csrs mstatus, t0
    mret

# putc: print the character in a0.
putc:
    li t0, UART
    sb a0, 0(t0)
    ret

# puts: print the NUL-terminated string at a0.
puts:
    li t0, UART
1:  lbu t1, 0(a0)
    beqz t1, 2f
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
2:  ret

# puthex: print a0 as 0x and eight hex digits.
puthex:
    li t0, UART
    li t1, '0'
    sb t1, 0(t0)
    li t1, 'x'
    sb t1, 0(t0)
    li t2, 28
1:  srl t1, a0, t2
    andi t1, t1, 15
    li t3, 10
    blt t1, t3, 2f
    addi t1, t1, 'a' - 10 - '0'
2:  addi t1, t1, '0'
    sb t1, 0(t0)
    addi t2, t2, -4
    bgez t2, 1b
    ret

# say: print the string at a0 and a newline.
say:
    addi sp, sp, -16
    sw ra, 12(sp)
    call puts
    li a0, '\n'
    call putc
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# check: print "<string a0>: <a1>", then " ok" if a1 == a2, else " FAIL expected <a2>"
# (and count the failure in fail_count).
check:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    mv s0, a1
    mv s1, a2
    call puts
    la a0, str_colon
    call puts
    mv a0, s0
    call puthex
    beq s0, s1, 1f
    la a0, str_fail
    call puts
    mv a0, s1
    call puthex
    la t0, fail_count
    lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    j 2f
1:  la a0, str_ok
    call puts
2:  li a0, '\n'
    call putc
    lw s1, 4(sp)
    lw s0, 8(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# finish: print the verdict and stop through the SiFive test device: 0x5555 (exit status 0)
# when every check passed, else (failures << 16) | 0x3333 (exit status = failed checks).
finish:
    la sp, stack_top
    la t0, fail_count
    lw s0, 0(t0)
    bnez s0, 1f
    la a0, str_pass
    call say
    li t0, TESTDEV
    li t1, 0x5555
    sw t1, 0(t0)
    j 2f
1:  la a0, str_failed
    call puts
    mv a0, s0
    call puthex
    li a0, '\n'
    call putc
    slli t1, s0, 16
    li t2, 0x3333
    or t1, t1, t2
    li t0, TESTDEV
    sw t1, 0(t0)
2:  j 2b

    .data
    .balign 4
tr_area:    .zero 28
st_area:    .zero 28
fail_count: .word 0
str_colon:  .string ": "
str_ok:     .string " ok"
str_fail:   .string " FAIL expected "
str_pass:   .string "PASS"
str_failed: .string "FAILED checks: "

    .bss
    .balign 16
stack:      .space 4096
stack_top:
