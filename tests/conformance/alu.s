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
    CHECKED 0x0000000c, "add 0x00000005, 0x00000007"
    li s2, 0x7fffffff
    li s3, 0x00000001
    add a1, s2, s3
    CHECKED 0x80000000, "add 0x7fffffff, 0x00000001"
    li s2, 0xffffffff
    li s3, 0x00000001
    add a1, s2, s3
    CHECKED 0x00000000, "add 0xffffffff, 0x00000001"
    li s2, 0x80000000
    li s3, 0x80000000
    add a1, s2, s3
    CHECKED 0x00000000, "add 0x80000000, 0x80000000"
    li s2, 0x00000005
    li s3, 0x00000007
    sub a1, s2, s3
    CHECKED 0xfffffffe, "sub 0x00000005, 0x00000007"
    li s2, 0x80000000
    li s3, 0x00000001
    sub a1, s2, s3
    CHECKED 0x7fffffff, "sub 0x80000000, 0x00000001"
    li s2, 0x00000000
    li s3, 0xffffffff
    sub a1, s2, s3
    CHECKED 0x00000001, "sub 0x00000000, 0xffffffff"
    li s2, 0x00000001
    li s3, 0x0000001f
    sll a1, s2, s3
    CHECKED 0x80000000, "sll 0x00000001, 0x0000001f"
    li s2, 0x12345678
    li s3, 0x00000004
    sll a1, s2, s3
    CHECKED 0x23456780, "sll 0x12345678, 0x00000004"
    li s2, 0x12345678
    li s3, 0x00000020
    sll a1, s2, s3
    CHECKED 0x12345678, "sll 0x12345678, 0x00000020"
    li s2, 0x000000ff
    li s3, 0xffffffe4
    sll a1, s2, s3
    CHECKED 0x00000ff0, "sll 0x000000ff, 0xffffffe4"
    li s2, 0x80000000
    li s3, 0x0000001f
    srl a1, s2, s3
    CHECKED 0x00000001, "srl 0x80000000, 0x0000001f"
    li s2, 0xf0000000
    li s3, 0x00000004
    srl a1, s2, s3
    CHECKED 0x0f000000, "srl 0xf0000000, 0x00000004"
    li s2, 0x12345678
    li s3, 0x00000021
    srl a1, s2, s3
    CHECKED 0x091a2b3c, "srl 0x12345678, 0x00000021"
    li s2, 0x80000000
    li s3, 0x0000001f
    sra a1, s2, s3
    CHECKED 0xffffffff, "sra 0x80000000, 0x0000001f"
    li s2, 0xf0000000
    li s3, 0x00000004
    sra a1, s2, s3
    CHECKED 0xff000000, "sra 0xf0000000, 0x00000004"
    li s2, 0x70000000
    li s3, 0x00000004
    sra a1, s2, s3
    CHECKED 0x07000000, "sra 0x70000000, 0x00000004"
    li s2, 0x80000000
    li s3, 0x00000021
    sra a1, s2, s3
    CHECKED 0xc0000000, "sra 0x80000000, 0x00000021"
    li s2, 0xffffffff
    li s3, 0x00000000
    slt a1, s2, s3
    CHECKED 0x00000001, "slt 0xffffffff, 0x00000000"
    li s2, 0x00000000
    li s3, 0xffffffff
    slt a1, s2, s3
    CHECKED 0x00000000, "slt 0x00000000, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    slt a1, s2, s3
    CHECKED 0x00000001, "slt 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    slt a1, s2, s3
    CHECKED 0x00000000, "slt 0x00000005, 0x00000005"
    li s2, 0xffffffff
    li s3, 0x00000000
    sltu a1, s2, s3
    CHECKED 0x00000000, "sltu 0xffffffff, 0x00000000"
    li s2, 0x00000000
    li s3, 0xffffffff
    sltu a1, s2, s3
    CHECKED 0x00000001, "sltu 0x00000000, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x7fffffff
    sltu a1, s2, s3
    CHECKED 0x00000000, "sltu 0x80000000, 0x7fffffff"
    li s2, 0x00000005
    li s3, 0x00000005
    sltu a1, s2, s3
    CHECKED 0x00000000, "sltu 0x00000005, 0x00000005"
    li s2, 0xff00ff00
    li s3, 0x0ff00ff0
    xor a1, s2, s3
    CHECKED 0xf0f0f0f0, "xor 0xff00ff00, 0x0ff00ff0"
    li s2, 0xff00ff00
    li s3, 0x0ff00ff0
    or a1, s2, s3
    CHECKED 0xfff0fff0, "or 0xff00ff00, 0x0ff00ff0"
    li s2, 0xff00ff00
    li s3, 0x0ff00ff0
    and a1, s2, s3
    CHECKED 0x0f000f00, "and 0xff00ff00, 0x0ff00ff0"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== RV32I register-immediate =="
    .text
    li s2, 0x00000001
    addi a1, s2, -1
    CHECKED 0x00000000, "addi 0x00000001, -1"
    li s2, 0x7fffffff
    addi a1, s2, 1
    CHECKED 0x80000000, "addi 0x7fffffff, 1"
    li s2, 0x00000000
    addi a1, s2, -2048
    CHECKED 0xfffff800, "addi 0x00000000, -2048"
    li s2, 0x00000000
    addi a1, s2, 2047
    CHECKED 0x000007ff, "addi 0x00000000, 2047"
    li s2, 0x80000000
    addi a1, s2, -1
    CHECKED 0x7fffffff, "addi 0x80000000, -1"
    li s2, 0xffffffff
    slti a1, s2, 0
    CHECKED 0x00000001, "slti 0xffffffff, 0"
    li s2, 0x00000000
    slti a1, s2, -1
    CHECKED 0x00000000, "slti 0x00000000, -1"
    li s2, 0xfffff800
    slti a1, s2, -2048
    CHECKED 0x00000000, "slti 0xfffff800, -2048"
    li s2, 0x000007ff
    slti a1, s2, 2047
    CHECKED 0x00000000, "slti 0x000007ff, 2047"
    li s2, 0x00000000
    sltiu a1, s2, 1
    CHECKED 0x00000001, "sltiu 0x00000000, 1"
    li s2, 0x00000005
    sltiu a1, s2, 1
    CHECKED 0x00000000, "sltiu 0x00000005, 1"
    li s2, 0xfffffffe
    sltiu a1, s2, -1
    CHECKED 0x00000001, "sltiu 0xfffffffe, -1"
    li s2, 0xffffffff
    sltiu a1, s2, -1
    CHECKED 0x00000000, "sltiu 0xffffffff, -1"
    li s2, 0x12345678
    xori a1, s2, -1
    CHECKED 0xedcba987, "xori 0x12345678, -1"
    li s2, 0x0000ffff
    xori a1, s2, 240
    CHECKED 0x0000ff0f, "xori 0x0000ffff, 240"
    li s2, 0x12340000
    ori a1, s2, -2048
    CHECKED 0xfffff800, "ori 0x12340000, -2048"
    li s2, 0x00000000
    ori a1, s2, 1365
    CHECKED 0x00000555, "ori 0x00000000, 1365"
    li s2, 0x12345678
    andi a1, s2, -16
    CHECKED 0x12345670, "andi 0x12345678, -16"
    li s2, 0xffffffff
    andi a1, s2, 2047
    CHECKED 0x000007ff, "andi 0xffffffff, 2047"
    li s2, 0x12345678
    slli a1, s2, 0
    CHECKED 0x12345678, "slli 0x12345678, 0"
    li s2, 0x12345678
    slli a1, s2, 31
    CHECKED 0x00000000, "slli 0x12345678, 31"
    li s2, 0x00000003
    slli a1, s2, 30
    CHECKED 0xc0000000, "slli 0x00000003, 30"
    li s2, 0x80000001
    srli a1, s2, 31
    CHECKED 0x00000001, "srli 0x80000001, 31"
    li s2, 0x80000001
    srli a1, s2, 1
    CHECKED 0x40000000, "srli 0x80000001, 1"
    li s2, 0x12345678
    srli a1, s2, 0
    CHECKED 0x12345678, "srli 0x12345678, 0"
    li s2, 0x80000001
    srai a1, s2, 31
    CHECKED 0xffffffff, "srai 0x80000001, 31"
    li s2, 0x80000001
    srai a1, s2, 1
    CHECKED 0xc0000000, "srai 0x80000001, 1"
    li s2, 0x40000000
    srai a1, s2, 30
    CHECKED 0x00000001, "srai 0x40000000, 30"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== lui, auipc, x0 =="
    .text
    lui a1, 0xfffff
    CHECKED 0xfffff000, "lui 0xfffff"
    lui a1, 0x12345
    addi a1, a1, 0x678
    CHECKED 0x12345678, "lui 0x12345 + addi"
    lui a1, %hi(0x8badf00d)
    addi a1, a1, %lo(0x8badf00d)
    CHECKED 0x8badf00d, "lui %hi/%lo of 0x8badf00d"
1:  auipc a1, 0x12345
    la t0, 1b
    sub a1, a1, t0
    CHECKED 0x12345000, "auipc 0x12345 - pc"
1:  auipc a1, 0
    la t0, 1b
    sub a1, a1, t0
    CHECKED 0x00000000, "auipc 0 - pc"
    li s2, 5
    add x0, s2, s2
    addi x0, x0, 7
    lui x0, 1
    mv a1, x0
    CHECKED 0x00000000, "add x0 discarded"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== pseudo-instructions =="
    .text
    li a1, 0x80000000
    CHECKED 0x80000000, "li 0x80000000"
    li a1, -2048
    CHECKED 0xfffff800, "li -2048"
    li a1, 0x7ffff800
    CHECKED 0x7ffff800, "li 0x7ffff800"
    li a1, (1 << 8) | 3
    CHECKED 0x00000103, "li (1 << 8) | 3"
    li a1, 'a' - 10
    CHECKED 0x00000057, "li 'a' - 10"
    li s2, 5
    neg a1, s2
    CHECKED 0xfffffffb, "neg 5"
    li s2, 0x0f0f0f0f
    not a1, s2
    CHECKED 0xf0f0f0f0, "not 0x0f0f0f0f"
    li s2, 0xcafe
    mv a1, s2
    CHECKED 0x0000cafe, "mv"
    li s2, 0
    seqz a1, s2
    CHECKED 0x00000001, "seqz 0"
    li s2, 9
    seqz a1, s2
    CHECKED 0x00000000, "seqz 9"
    li s2, 9
    snez a1, s2
    CHECKED 0x00000001, "snez 9"
    li s2, -1
    sltz a1, s2
    CHECKED 0x00000001, "sltz -1"
    li s2, -1
    sgtz a1, s2
    CHECKED 0x00000000, "sgtz -1"
    li s2, 1
    sgtz a1, s2
    CHECKED 0x00000001, "sgtz 1"
    li a1, 77
    nop
    CHECKED 0x0000004d, "nop leaves registers"
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
