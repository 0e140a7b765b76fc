# alu.s -- RV32I computational instructions.
# Register-register ALU (add sub sll srl sra slt sltu xor or and) with overflow, sign and
# shift-amount masking cases; register-immediate (addi slti sltiu xori ori andi slli srli srai)
# with extreme immediates; lui, auipc (pc-relative value), writes to x0 discarded; the
# pseudo-instructions li neg not mv seqz snez sltz sgtz nop and assembler constant expressions.
# Each line: name: value ok (or FAIL expected ...). Exit status: number of failed checks.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    la a0, 9f
    call say
    .section .rodata
9:  .string "== RV32I register-register =="
    .text
    li s2, 0x00000005
    li s3, 0x00000007
    add a1, s2, s3
    li a2, 0x0000000c
    la a0, 9f
    call check
    .section .rodata
9:  .string "add 0x00000005, 0x00000007"
    .text
    li s2, 0x7fffffff
    li s3, 0x00000001
    add a1, s2, s3
    li a2, 0x80000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "add 0x7fffffff, 0x00000001"
    .text
    li s2, 0xffffffff
    li s3, 0x00000001
    add a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "add 0xffffffff, 0x00000001"
    .text
    li s2, 0x80000000
    li s3, 0x80000000
    add a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "add 0x80000000, 0x80000000"
    .text
    li s2, 0x00000005
    li s3, 0x00000007
    sub a1, s2, s3
    li a2, 0xfffffffe
    la a0, 9f
    call check
    .section .rodata
9:  .string "sub 0x00000005, 0x00000007"
    .text
    li s2, 0x80000000
    li s3, 0x00000001
    sub a1, s2, s3
    li a2, 0x7fffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "sub 0x80000000, 0x00000001"
    .text
    li s2, 0x00000000
    li s3, 0xffffffff
    sub a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "sub 0x00000000, 0xffffffff"
    .text
    li s2, 0x00000001
    li s3, 0x0000001f
    sll a1, s2, s3
    li a2, 0x80000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sll 0x00000001, 0x0000001f"
    .text
    li s2, 0x12345678
    li s3, 0x00000004
    sll a1, s2, s3
    li a2, 0x23456780
    la a0, 9f
    call check
    .section .rodata
9:  .string "sll 0x12345678, 0x00000004"
    .text
    li s2, 0x12345678
    li s3, 0x00000020
    sll a1, s2, s3
    li a2, 0x12345678
    la a0, 9f
    call check
    .section .rodata
9:  .string "sll 0x12345678, 0x00000020"
    .text
    li s2, 0x000000ff
    li s3, 0xffffffe4
    sll a1, s2, s3
    li a2, 0x00000ff0
    la a0, 9f
    call check
    .section .rodata
9:  .string "sll 0x000000ff, 0xffffffe4"
    .text
    li s2, 0x80000000
    li s3, 0x0000001f
    srl a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "srl 0x80000000, 0x0000001f"
    .text
    li s2, 0xf0000000
    li s3, 0x00000004
    srl a1, s2, s3
    li a2, 0x0f000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "srl 0xf0000000, 0x00000004"
    .text
    li s2, 0x12345678
    li s3, 0x00000021
    srl a1, s2, s3
    li a2, 0x091a2b3c
    la a0, 9f
    call check
    .section .rodata
9:  .string "srl 0x12345678, 0x00000021"
    .text
    li s2, 0x80000000
    li s3, 0x0000001f
    sra a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "sra 0x80000000, 0x0000001f"
    .text
    li s2, 0xf0000000
    li s3, 0x00000004
    sra a1, s2, s3
    li a2, 0xff000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sra 0xf0000000, 0x00000004"
    .text
    li s2, 0x70000000
    li s3, 0x00000004
    sra a1, s2, s3
    li a2, 0x07000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sra 0x70000000, 0x00000004"
    .text
    li s2, 0x80000000
    li s3, 0x00000021
    sra a1, s2, s3
    li a2, 0xc0000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sra 0x80000000, 0x00000021"
    .text
    li s2, 0xffffffff
    li s3, 0x00000000
    slt a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "slt 0xffffffff, 0x00000000"
    .text
    li s2, 0x00000000
    li s3, 0xffffffff
    slt a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "slt 0x00000000, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    slt a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "slt 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    slt a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "slt 0x00000005, 0x00000005"
    .text
    li s2, 0xffffffff
    li s3, 0x00000000
    sltu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sltu 0xffffffff, 0x00000000"
    .text
    li s2, 0x00000000
    li s3, 0xffffffff
    sltu a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "sltu 0x00000000, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x7fffffff
    sltu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sltu 0x80000000, 0x7fffffff"
    .text
    li s2, 0x00000005
    li s3, 0x00000005
    sltu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sltu 0x00000005, 0x00000005"
    .text
    li s2, 0xff00ff00
    li s3, 0x0ff00ff0
    xor a1, s2, s3
    li a2, 0xf0f0f0f0
    la a0, 9f
    call check
    .section .rodata
9:  .string "xor 0xff00ff00, 0x0ff00ff0"
    .text
    li s2, 0xff00ff00
    li s3, 0x0ff00ff0
    or a1, s2, s3
    li a2, 0xfff0fff0
    la a0, 9f
    call check
    .section .rodata
9:  .string "or 0xff00ff00, 0x0ff00ff0"
    .text
    li s2, 0xff00ff00
    li s3, 0x0ff00ff0
    and a1, s2, s3
    li a2, 0x0f000f00
    la a0, 9f
    call check
    .section .rodata
9:  .string "and 0xff00ff00, 0x0ff00ff0"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== RV32I register-immediate =="
    .text
    li s2, 0x00000001
    addi a1, s2, -1
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "addi 0x00000001, -1"
    .text
    li s2, 0x7fffffff
    addi a1, s2, 1
    li a2, 0x80000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "addi 0x7fffffff, 1"
    .text
    li s2, 0x00000000
    addi a1, s2, -2048
    li a2, 0xfffff800
    la a0, 9f
    call check
    .section .rodata
9:  .string "addi 0x00000000, -2048"
    .text
    li s2, 0x00000000
    addi a1, s2, 2047
    li a2, 0x000007ff
    la a0, 9f
    call check
    .section .rodata
9:  .string "addi 0x00000000, 2047"
    .text
    li s2, 0x80000000
    addi a1, s2, -1
    li a2, 0x7fffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "addi 0x80000000, -1"
    .text
    li s2, 0xffffffff
    slti a1, s2, 0
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "slti 0xffffffff, 0"
    .text
    li s2, 0x00000000
    slti a1, s2, -1
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "slti 0x00000000, -1"
    .text
    li s2, 0xfffff800
    slti a1, s2, -2048
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "slti 0xfffff800, -2048"
    .text
    li s2, 0x000007ff
    slti a1, s2, 2047
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "slti 0x000007ff, 2047"
    .text
    li s2, 0x00000000
    sltiu a1, s2, 1
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "sltiu 0x00000000, 1"
    .text
    li s2, 0x00000005
    sltiu a1, s2, 1
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sltiu 0x00000005, 1"
    .text
    li s2, 0xfffffffe
    sltiu a1, s2, -1
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "sltiu 0xfffffffe, -1"
    .text
    li s2, 0xffffffff
    sltiu a1, s2, -1
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sltiu 0xffffffff, -1"
    .text
    li s2, 0x12345678
    xori a1, s2, -1
    li a2, 0xedcba987
    la a0, 9f
    call check
    .section .rodata
9:  .string "xori 0x12345678, -1"
    .text
    li s2, 0x0000ffff
    xori a1, s2, 240
    li a2, 0x0000ff0f
    la a0, 9f
    call check
    .section .rodata
9:  .string "xori 0x0000ffff, 240"
    .text
    li s2, 0x12340000
    ori a1, s2, -2048
    li a2, 0xfffff800
    la a0, 9f
    call check
    .section .rodata
9:  .string "ori 0x12340000, -2048"
    .text
    li s2, 0x00000000
    ori a1, s2, 1365
    li a2, 0x00000555
    la a0, 9f
    call check
    .section .rodata
9:  .string "ori 0x00000000, 1365"
    .text
    li s2, 0x12345678
    andi a1, s2, -16
    li a2, 0x12345670
    la a0, 9f
    call check
    .section .rodata
9:  .string "andi 0x12345678, -16"
    .text
    li s2, 0xffffffff
    andi a1, s2, 2047
    li a2, 0x000007ff
    la a0, 9f
    call check
    .section .rodata
9:  .string "andi 0xffffffff, 2047"
    .text
    li s2, 0x12345678
    slli a1, s2, 0
    li a2, 0x12345678
    la a0, 9f
    call check
    .section .rodata
9:  .string "slli 0x12345678, 0"
    .text
    li s2, 0x12345678
    slli a1, s2, 31
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "slli 0x12345678, 31"
    .text
    li s2, 0x00000003
    slli a1, s2, 30
    li a2, 0xc0000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "slli 0x00000003, 30"
    .text
    li s2, 0x80000001
    srli a1, s2, 31
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "srli 0x80000001, 31"
    .text
    li s2, 0x80000001
    srli a1, s2, 1
    li a2, 0x40000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "srli 0x80000001, 1"
    .text
    li s2, 0x12345678
    srli a1, s2, 0
    li a2, 0x12345678
    la a0, 9f
    call check
    .section .rodata
9:  .string "srli 0x12345678, 0"
    .text
    li s2, 0x80000001
    srai a1, s2, 31
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "srai 0x80000001, 31"
    .text
    li s2, 0x80000001
    srai a1, s2, 1
    li a2, 0xc0000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "srai 0x80000001, 1"
    .text
    li s2, 0x40000000
    srai a1, s2, 30
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "srai 0x40000000, 30"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== lui, auipc, x0 =="
    .text
    lui a1, 0xfffff
    li a2, 0xfffff000
    la a0, 9f
    call check
    .section .rodata
9:  .string "lui 0xfffff"
    .text
    lui a1, 0x12345
    addi a1, a1, 0x678
    li a2, 0x12345678
    la a0, 9f
    call check
    .section .rodata
9:  .string "lui 0x12345 + addi"
    .text
    lui a1, %hi(0x8badf00d)
    addi a1, a1, %lo(0x8badf00d)
    li a2, 0x8badf00d
    la a0, 9f
    call check
    .section .rodata
9:  .string "lui %hi/%lo of 0x8badf00d"
    .text
1:  auipc a1, 0x12345
    la t0, 1b
    sub a1, a1, t0
    li a2, 0x12345000
    la a0, 9f
    call check
    .section .rodata
9:  .string "auipc 0x12345 - pc"
    .text
1:  auipc a1, 0
    la t0, 1b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "auipc 0 - pc"
    .text
    li s2, 5
    add x0, s2, s2
    addi x0, x0, 7
    lui x0, 1
    mv a1, x0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "add x0 discarded"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== pseudo-instructions =="
    .text
    li a1, 0x80000000
    li a2, 0x80000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "li 0x80000000"
    .text
    li a1, -2048
    li a2, 0xfffff800
    la a0, 9f
    call check
    .section .rodata
9:  .string "li -2048"
    .text
    li a1, 0x7ffff800
    li a2, 0x7ffff800
    la a0, 9f
    call check
    .section .rodata
9:  .string "li 0x7ffff800"
    .text
    li a1, (1 << 8) | 3
    li a2, 0x00000103
    la a0, 9f
    call check
    .section .rodata
9:  .string "li (1 << 8) | 3"
    .text
    li a1, 'a' - 10
    li a2, 0x00000057
    la a0, 9f
    call check
    .section .rodata
9:  .string "li 'a' - 10"
    .text
    li s2, 5
    neg a1, s2
    li a2, 0xfffffffb
    la a0, 9f
    call check
    .section .rodata
9:  .string "neg 5"
    .text
    li s2, 0x0f0f0f0f
    not a1, s2
    li a2, 0xf0f0f0f0
    la a0, 9f
    call check
    .section .rodata
9:  .string "not 0x0f0f0f0f"
    .text
    li s2, 0xcafe
    mv a1, s2
    li a2, 0x0000cafe
    la a0, 9f
    call check
    .section .rodata
9:  .string "mv"
    .text
    li s2, 0
    seqz a1, s2
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "seqz 0"
    .text
    li s2, 9
    seqz a1, s2
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "seqz 9"
    .text
    li s2, 9
    snez a1, s2
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "snez 9"
    .text
    li s2, -1
    sltz a1, s2
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "sltz -1"
    .text
    li s2, -1
    sgtz a1, s2
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sgtz -1"
    .text
    li s2, 1
    sgtz a1, s2
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "sgtz 1"
    .text
    li a1, 77
    nop
    li a2, 0x0000004d
    la a0, 9f
    call check
    .section .rodata
9:  .string "nop leaves registers"
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
