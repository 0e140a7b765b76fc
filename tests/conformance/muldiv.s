# muldiv.s -- the M extension.
# mul mulh mulhsu mulhu on sign-boundary operands; div divu rem remu with rounding towards zero,
# division by zero (quotient all ones, remainder the dividend) and signed overflow
# (0x80000000 / -1 = 0x80000000, remainder 0), with rd = rs1 = rs2 and rd = x0.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    la a0, 9f
    call say
    .section .rodata
9:  .string "== multiply =="
    .text
    li s2, 0x00000007
    li s3, 0x00000003
    mul a1, s2, s3
    CHECKED 0x00000015, "mul 0x00000007, 0x00000003"
    li s2, 0xfffffff9
    li s3, 0x00000003
    mul a1, s2, s3
    CHECKED 0xffffffeb, "mul 0xfffffff9, 0x00000003"
    li s2, 0x80000000
    li s3, 0x80000000
    mul a1, s2, s3
    CHECKED 0x00000000, "mul 0x80000000, 0x80000000"
    li s2, 0xffffffff
    li s3, 0xffffffff
    mul a1, s2, s3
    CHECKED 0x00000001, "mul 0xffffffff, 0xffffffff"
    li s2, 0x12345678
    li s3, 0x9abcdef0
    mul a1, s2, s3
    CHECKED 0x242d2080, "mul 0x12345678, 0x9abcdef0"
    li s2, 0x7fffffff
    li s3, 0x80000000
    mul a1, s2, s3
    CHECKED 0x80000000, "mul 0x7fffffff, 0x80000000"
    li s2, 0x00000000
    li s3, 0xffffffff
    mul a1, s2, s3
    CHECKED 0x00000000, "mul 0x00000000, 0xffffffff"
    li s2, 0x00000007
    li s3, 0x00000003
    mulh a1, s2, s3
    CHECKED 0x00000000, "mulh 0x00000007, 0x00000003"
    li s2, 0xfffffff9
    li s3, 0x00000003
    mulh a1, s2, s3
    CHECKED 0xffffffff, "mulh 0xfffffff9, 0x00000003"
    li s2, 0x80000000
    li s3, 0x80000000
    mulh a1, s2, s3
    CHECKED 0x40000000, "mulh 0x80000000, 0x80000000"
    li s2, 0xffffffff
    li s3, 0xffffffff
    mulh a1, s2, s3
    CHECKED 0x00000000, "mulh 0xffffffff, 0xffffffff"
    li s2, 0x12345678
    li s3, 0x9abcdef0
    mulh a1, s2, s3
    CHECKED 0xf8cc93d6, "mulh 0x12345678, 0x9abcdef0"
    li s2, 0x7fffffff
    li s3, 0x80000000
    mulh a1, s2, s3
    CHECKED 0xc0000000, "mulh 0x7fffffff, 0x80000000"
    li s2, 0x00000000
    li s3, 0xffffffff
    mulh a1, s2, s3
    CHECKED 0x00000000, "mulh 0x00000000, 0xffffffff"
    li s2, 0x00000007
    li s3, 0x00000003
    mulhsu a1, s2, s3
    CHECKED 0x00000000, "mulhsu 0x00000007, 0x00000003"
    li s2, 0xfffffff9
    li s3, 0x00000003
    mulhsu a1, s2, s3
    CHECKED 0xffffffff, "mulhsu 0xfffffff9, 0x00000003"
    li s2, 0x80000000
    li s3, 0x80000000
    mulhsu a1, s2, s3
    CHECKED 0xc0000000, "mulhsu 0x80000000, 0x80000000"
    li s2, 0xffffffff
    li s3, 0xffffffff
    mulhsu a1, s2, s3
    CHECKED 0xffffffff, "mulhsu 0xffffffff, 0xffffffff"
    li s2, 0x12345678
    li s3, 0x9abcdef0
    mulhsu a1, s2, s3
    CHECKED 0x0b00ea4e, "mulhsu 0x12345678, 0x9abcdef0"
    li s2, 0x7fffffff
    li s3, 0x80000000
    mulhsu a1, s2, s3
    CHECKED 0x3fffffff, "mulhsu 0x7fffffff, 0x80000000"
    li s2, 0x00000000
    li s3, 0xffffffff
    mulhsu a1, s2, s3
    CHECKED 0x00000000, "mulhsu 0x00000000, 0xffffffff"
    li s2, 0x00000007
    li s3, 0x00000003
    mulhu a1, s2, s3
    CHECKED 0x00000000, "mulhu 0x00000007, 0x00000003"
    li s2, 0xfffffff9
    li s3, 0x00000003
    mulhu a1, s2, s3
    CHECKED 0x00000002, "mulhu 0xfffffff9, 0x00000003"
    li s2, 0x80000000
    li s3, 0x80000000
    mulhu a1, s2, s3
    CHECKED 0x40000000, "mulhu 0x80000000, 0x80000000"
    li s2, 0xffffffff
    li s3, 0xffffffff
    mulhu a1, s2, s3
    CHECKED 0xfffffffe, "mulhu 0xffffffff, 0xffffffff"
    li s2, 0x12345678
    li s3, 0x9abcdef0
    mulhu a1, s2, s3
    CHECKED 0x0b00ea4e, "mulhu 0x12345678, 0x9abcdef0"
    li s2, 0x7fffffff
    li s3, 0x80000000
    mulhu a1, s2, s3
    CHECKED 0x3fffffff, "mulhu 0x7fffffff, 0x80000000"
    li s2, 0x00000000
    li s3, 0xffffffff
    mulhu a1, s2, s3
    CHECKED 0x00000000, "mulhu 0x00000000, 0xffffffff"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== divide =="
    .text
    li s2, 0x00000007
    li s3, 0x00000003
    div a1, s2, s3
    CHECKED 0x00000002, "div 0x00000007, 0x00000003"
    li s2, 0xfffffff9
    li s3, 0x00000003
    div a1, s2, s3
    CHECKED 0xfffffffe, "div 0xfffffff9, 0x00000003"
    li s2, 0x00000007
    li s3, 0xfffffffd
    div a1, s2, s3
    CHECKED 0xfffffffe, "div 0x00000007, 0xfffffffd"
    li s2, 0xfffffff9
    li s3, 0xfffffffd
    div a1, s2, s3
    CHECKED 0x00000002, "div 0xfffffff9, 0xfffffffd"
    li s2, 0x00000014
    li s3, 0x00000005
    div a1, s2, s3
    CHECKED 0x00000004, "div 0x00000014, 0x00000005"
    li s2, 0x80000000
    li s3, 0xffffffff
    div a1, s2, s3
    CHECKED 0x80000000, "div 0x80000000, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x00000001
    div a1, s2, s3
    CHECKED 0x80000000, "div 0x80000000, 0x00000001"
    li s2, 0x00000005
    li s3, 0x00000000
    div a1, s2, s3
    CHECKED 0xffffffff, "div 0x00000005, 0x00000000"
    li s2, 0xfffffffb
    li s3, 0x00000000
    div a1, s2, s3
    CHECKED 0xffffffff, "div 0xfffffffb, 0x00000000"
    li s2, 0x00000000
    li s3, 0x00000000
    div a1, s2, s3
    CHECKED 0xffffffff, "div 0x00000000, 0x00000000"
    li s2, 0xffffffff
    li s3, 0x00000002
    div a1, s2, s3
    CHECKED 0x00000000, "div 0xffffffff, 0x00000002"
    li s2, 0x00000007
    li s3, 0x00000003
    divu a1, s2, s3
    CHECKED 0x00000002, "divu 0x00000007, 0x00000003"
    li s2, 0xfffffff9
    li s3, 0x00000003
    divu a1, s2, s3
    CHECKED 0x55555553, "divu 0xfffffff9, 0x00000003"
    li s2, 0x00000007
    li s3, 0xfffffffd
    divu a1, s2, s3
    CHECKED 0x00000000, "divu 0x00000007, 0xfffffffd"
    li s2, 0xfffffff9
    li s3, 0xfffffffd
    divu a1, s2, s3
    CHECKED 0x00000000, "divu 0xfffffff9, 0xfffffffd"
    li s2, 0x00000014
    li s3, 0x00000005
    divu a1, s2, s3
    CHECKED 0x00000004, "divu 0x00000014, 0x00000005"
    li s2, 0x80000000
    li s3, 0xffffffff
    divu a1, s2, s3
    CHECKED 0x00000000, "divu 0x80000000, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x00000001
    divu a1, s2, s3
    CHECKED 0x80000000, "divu 0x80000000, 0x00000001"
    li s2, 0x00000005
    li s3, 0x00000000
    divu a1, s2, s3
    CHECKED 0xffffffff, "divu 0x00000005, 0x00000000"
    li s2, 0xfffffffb
    li s3, 0x00000000
    divu a1, s2, s3
    CHECKED 0xffffffff, "divu 0xfffffffb, 0x00000000"
    li s2, 0x00000000
    li s3, 0x00000000
    divu a1, s2, s3
    CHECKED 0xffffffff, "divu 0x00000000, 0x00000000"
    li s2, 0xffffffff
    li s3, 0x00000002
    divu a1, s2, s3
    CHECKED 0x7fffffff, "divu 0xffffffff, 0x00000002"
    li s2, 0x00000007
    li s3, 0x00000003
    rem a1, s2, s3
    CHECKED 0x00000001, "rem 0x00000007, 0x00000003"
    li s2, 0xfffffff9
    li s3, 0x00000003
    rem a1, s2, s3
    CHECKED 0xffffffff, "rem 0xfffffff9, 0x00000003"
    li s2, 0x00000007
    li s3, 0xfffffffd
    rem a1, s2, s3
    CHECKED 0x00000001, "rem 0x00000007, 0xfffffffd"
    li s2, 0xfffffff9
    li s3, 0xfffffffd
    rem a1, s2, s3
    CHECKED 0xffffffff, "rem 0xfffffff9, 0xfffffffd"
    li s2, 0x00000014
    li s3, 0x00000005
    rem a1, s2, s3
    CHECKED 0x00000000, "rem 0x00000014, 0x00000005"
    li s2, 0x80000000
    li s3, 0xffffffff
    rem a1, s2, s3
    CHECKED 0x00000000, "rem 0x80000000, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x00000001
    rem a1, s2, s3
    CHECKED 0x00000000, "rem 0x80000000, 0x00000001"
    li s2, 0x00000005
    li s3, 0x00000000
    rem a1, s2, s3
    CHECKED 0x00000005, "rem 0x00000005, 0x00000000"
    li s2, 0xfffffffb
    li s3, 0x00000000
    rem a1, s2, s3
    CHECKED 0xfffffffb, "rem 0xfffffffb, 0x00000000"
    li s2, 0x00000000
    li s3, 0x00000000
    rem a1, s2, s3
    CHECKED 0x00000000, "rem 0x00000000, 0x00000000"
    li s2, 0xffffffff
    li s3, 0x00000002
    rem a1, s2, s3
    CHECKED 0xffffffff, "rem 0xffffffff, 0x00000002"
    li s2, 0x00000007
    li s3, 0x00000003
    remu a1, s2, s3
    CHECKED 0x00000001, "remu 0x00000007, 0x00000003"
    li s2, 0xfffffff9
    li s3, 0x00000003
    remu a1, s2, s3
    CHECKED 0x00000000, "remu 0xfffffff9, 0x00000003"
    li s2, 0x00000007
    li s3, 0xfffffffd
    remu a1, s2, s3
    CHECKED 0x00000007, "remu 0x00000007, 0xfffffffd"
    li s2, 0xfffffff9
    li s3, 0xfffffffd
    remu a1, s2, s3
    CHECKED 0xfffffff9, "remu 0xfffffff9, 0xfffffffd"
    li s2, 0x00000014
    li s3, 0x00000005
    remu a1, s2, s3
    CHECKED 0x00000000, "remu 0x00000014, 0x00000005"
    li s2, 0x80000000
    li s3, 0xffffffff
    remu a1, s2, s3
    CHECKED 0x80000000, "remu 0x80000000, 0xffffffff"
    li s2, 0x80000000
    li s3, 0x00000001
    remu a1, s2, s3
    CHECKED 0x00000000, "remu 0x80000000, 0x00000001"
    li s2, 0x00000005
    li s3, 0x00000000
    remu a1, s2, s3
    CHECKED 0x00000005, "remu 0x00000005, 0x00000000"
    li s2, 0xfffffffb
    li s3, 0x00000000
    remu a1, s2, s3
    CHECKED 0xfffffffb, "remu 0xfffffffb, 0x00000000"
    li s2, 0x00000000
    li s3, 0x00000000
    remu a1, s2, s3
    CHECKED 0x00000000, "remu 0x00000000, 0x00000000"
    li s2, 0xffffffff
    li s3, 0x00000002
    remu a1, s2, s3
    CHECKED 0x00000001, "remu 0xffffffff, 0x00000002"
    li s2, 0x10001
    mul s2, s2, s2
    mv a1, s2
    CHECKED 0x00020001, "mul rd = rs1 = rs2"
    li a1, 3
    li s2, 7
    div x0, s2, a1
    CHECKED 0x00000003, "div to x0"
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
