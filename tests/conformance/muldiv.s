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
    li a2, 0x00000015
    la a0, 9f
    call check
    .section .rodata
9:  .string "mul 0x00000007, 0x00000003"
    .text
    li s2, 0xfffffff9
    li s3, 0x00000003
    mul a1, s2, s3
    li a2, 0xffffffeb
    la a0, 9f
    call check
    .section .rodata
9:  .string "mul 0xfffffff9, 0x00000003"
    .text
    li s2, 0x80000000
    li s3, 0x80000000
    mul a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mul 0x80000000, 0x80000000"
    .text
    li s2, 0xffffffff
    li s3, 0xffffffff
    mul a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "mul 0xffffffff, 0xffffffff"
    .text
    li s2, 0x12345678
    li s3, 0x9abcdef0
    mul a1, s2, s3
    li a2, 0x242d2080
    la a0, 9f
    call check
    .section .rodata
9:  .string "mul 0x12345678, 0x9abcdef0"
    .text
    li s2, 0x7fffffff
    li s3, 0x80000000
    mul a1, s2, s3
    li a2, 0x80000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mul 0x7fffffff, 0x80000000"
    .text
    li s2, 0x00000000
    li s3, 0xffffffff
    mul a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mul 0x00000000, 0xffffffff"
    .text
    li s2, 0x00000007
    li s3, 0x00000003
    mulh a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulh 0x00000007, 0x00000003"
    .text
    li s2, 0xfffffff9
    li s3, 0x00000003
    mulh a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulh 0xfffffff9, 0x00000003"
    .text
    li s2, 0x80000000
    li s3, 0x80000000
    mulh a1, s2, s3
    li a2, 0x40000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulh 0x80000000, 0x80000000"
    .text
    li s2, 0xffffffff
    li s3, 0xffffffff
    mulh a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulh 0xffffffff, 0xffffffff"
    .text
    li s2, 0x12345678
    li s3, 0x9abcdef0
    mulh a1, s2, s3
    li a2, 0xf8cc93d6
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulh 0x12345678, 0x9abcdef0"
    .text
    li s2, 0x7fffffff
    li s3, 0x80000000
    mulh a1, s2, s3
    li a2, 0xc0000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulh 0x7fffffff, 0x80000000"
    .text
    li s2, 0x00000000
    li s3, 0xffffffff
    mulh a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulh 0x00000000, 0xffffffff"
    .text
    li s2, 0x00000007
    li s3, 0x00000003
    mulhsu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhsu 0x00000007, 0x00000003"
    .text
    li s2, 0xfffffff9
    li s3, 0x00000003
    mulhsu a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhsu 0xfffffff9, 0x00000003"
    .text
    li s2, 0x80000000
    li s3, 0x80000000
    mulhsu a1, s2, s3
    li a2, 0xc0000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhsu 0x80000000, 0x80000000"
    .text
    li s2, 0xffffffff
    li s3, 0xffffffff
    mulhsu a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhsu 0xffffffff, 0xffffffff"
    .text
    li s2, 0x12345678
    li s3, 0x9abcdef0
    mulhsu a1, s2, s3
    li a2, 0x0b00ea4e
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhsu 0x12345678, 0x9abcdef0"
    .text
    li s2, 0x7fffffff
    li s3, 0x80000000
    mulhsu a1, s2, s3
    li a2, 0x3fffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhsu 0x7fffffff, 0x80000000"
    .text
    li s2, 0x00000000
    li s3, 0xffffffff
    mulhsu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhsu 0x00000000, 0xffffffff"
    .text
    li s2, 0x00000007
    li s3, 0x00000003
    mulhu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhu 0x00000007, 0x00000003"
    .text
    li s2, 0xfffffff9
    li s3, 0x00000003
    mulhu a1, s2, s3
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhu 0xfffffff9, 0x00000003"
    .text
    li s2, 0x80000000
    li s3, 0x80000000
    mulhu a1, s2, s3
    li a2, 0x40000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhu 0x80000000, 0x80000000"
    .text
    li s2, 0xffffffff
    li s3, 0xffffffff
    mulhu a1, s2, s3
    li a2, 0xfffffffe
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhu 0xffffffff, 0xffffffff"
    .text
    li s2, 0x12345678
    li s3, 0x9abcdef0
    mulhu a1, s2, s3
    li a2, 0x0b00ea4e
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhu 0x12345678, 0x9abcdef0"
    .text
    li s2, 0x7fffffff
    li s3, 0x80000000
    mulhu a1, s2, s3
    li a2, 0x3fffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhu 0x7fffffff, 0x80000000"
    .text
    li s2, 0x00000000
    li s3, 0xffffffff
    mulhu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mulhu 0x00000000, 0xffffffff"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== divide =="
    .text
    li s2, 0x00000007
    li s3, 0x00000003
    div a1, s2, s3
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0x00000007, 0x00000003"
    .text
    li s2, 0xfffffff9
    li s3, 0x00000003
    div a1, s2, s3
    li a2, 0xfffffffe
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0xfffffff9, 0x00000003"
    .text
    li s2, 0x00000007
    li s3, 0xfffffffd
    div a1, s2, s3
    li a2, 0xfffffffe
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0x00000007, 0xfffffffd"
    .text
    li s2, 0xfffffff9
    li s3, 0xfffffffd
    div a1, s2, s3
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0xfffffff9, 0xfffffffd"
    .text
    li s2, 0x00000014
    li s3, 0x00000005
    div a1, s2, s3
    li a2, 0x00000004
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0x00000014, 0x00000005"
    .text
    li s2, 0x80000000
    li s3, 0xffffffff
    div a1, s2, s3
    li a2, 0x80000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0x80000000, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x00000001
    div a1, s2, s3
    li a2, 0x80000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0x80000000, 0x00000001"
    .text
    li s2, 0x00000005
    li s3, 0x00000000
    div a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0x00000005, 0x00000000"
    .text
    li s2, 0xfffffffb
    li s3, 0x00000000
    div a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0xfffffffb, 0x00000000"
    .text
    li s2, 0x00000000
    li s3, 0x00000000
    div a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0x00000000, 0x00000000"
    .text
    li s2, 0xffffffff
    li s3, 0x00000002
    div a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "div 0xffffffff, 0x00000002"
    .text
    li s2, 0x00000007
    li s3, 0x00000003
    divu a1, s2, s3
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0x00000007, 0x00000003"
    .text
    li s2, 0xfffffff9
    li s3, 0x00000003
    divu a1, s2, s3
    li a2, 0x55555553
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0xfffffff9, 0x00000003"
    .text
    li s2, 0x00000007
    li s3, 0xfffffffd
    divu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0x00000007, 0xfffffffd"
    .text
    li s2, 0xfffffff9
    li s3, 0xfffffffd
    divu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0xfffffff9, 0xfffffffd"
    .text
    li s2, 0x00000014
    li s3, 0x00000005
    divu a1, s2, s3
    li a2, 0x00000004
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0x00000014, 0x00000005"
    .text
    li s2, 0x80000000
    li s3, 0xffffffff
    divu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0x80000000, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x00000001
    divu a1, s2, s3
    li a2, 0x80000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0x80000000, 0x00000001"
    .text
    li s2, 0x00000005
    li s3, 0x00000000
    divu a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0x00000005, 0x00000000"
    .text
    li s2, 0xfffffffb
    li s3, 0x00000000
    divu a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0xfffffffb, 0x00000000"
    .text
    li s2, 0x00000000
    li s3, 0x00000000
    divu a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0x00000000, 0x00000000"
    .text
    li s2, 0xffffffff
    li s3, 0x00000002
    divu a1, s2, s3
    li a2, 0x7fffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "divu 0xffffffff, 0x00000002"
    .text
    li s2, 0x00000007
    li s3, 0x00000003
    rem a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0x00000007, 0x00000003"
    .text
    li s2, 0xfffffff9
    li s3, 0x00000003
    rem a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0xfffffff9, 0x00000003"
    .text
    li s2, 0x00000007
    li s3, 0xfffffffd
    rem a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0x00000007, 0xfffffffd"
    .text
    li s2, 0xfffffff9
    li s3, 0xfffffffd
    rem a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0xfffffff9, 0xfffffffd"
    .text
    li s2, 0x00000014
    li s3, 0x00000005
    rem a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0x00000014, 0x00000005"
    .text
    li s2, 0x80000000
    li s3, 0xffffffff
    rem a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0x80000000, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x00000001
    rem a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0x80000000, 0x00000001"
    .text
    li s2, 0x00000005
    li s3, 0x00000000
    rem a1, s2, s3
    li a2, 0x00000005
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0x00000005, 0x00000000"
    .text
    li s2, 0xfffffffb
    li s3, 0x00000000
    rem a1, s2, s3
    li a2, 0xfffffffb
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0xfffffffb, 0x00000000"
    .text
    li s2, 0x00000000
    li s3, 0x00000000
    rem a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0x00000000, 0x00000000"
    .text
    li s2, 0xffffffff
    li s3, 0x00000002
    rem a1, s2, s3
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "rem 0xffffffff, 0x00000002"
    .text
    li s2, 0x00000007
    li s3, 0x00000003
    remu a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0x00000007, 0x00000003"
    .text
    li s2, 0xfffffff9
    li s3, 0x00000003
    remu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0xfffffff9, 0x00000003"
    .text
    li s2, 0x00000007
    li s3, 0xfffffffd
    remu a1, s2, s3
    li a2, 0x00000007
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0x00000007, 0xfffffffd"
    .text
    li s2, 0xfffffff9
    li s3, 0xfffffffd
    remu a1, s2, s3
    li a2, 0xfffffff9
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0xfffffff9, 0xfffffffd"
    .text
    li s2, 0x00000014
    li s3, 0x00000005
    remu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0x00000014, 0x00000005"
    .text
    li s2, 0x80000000
    li s3, 0xffffffff
    remu a1, s2, s3
    li a2, 0x80000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0x80000000, 0xffffffff"
    .text
    li s2, 0x80000000
    li s3, 0x00000001
    remu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0x80000000, 0x00000001"
    .text
    li s2, 0x00000005
    li s3, 0x00000000
    remu a1, s2, s3
    li a2, 0x00000005
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0x00000005, 0x00000000"
    .text
    li s2, 0xfffffffb
    li s3, 0x00000000
    remu a1, s2, s3
    li a2, 0xfffffffb
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0xfffffffb, 0x00000000"
    .text
    li s2, 0x00000000
    li s3, 0x00000000
    remu a1, s2, s3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0x00000000, 0x00000000"
    .text
    li s2, 0xffffffff
    li s3, 0x00000002
    remu a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "remu 0xffffffff, 0x00000002"
    .text
    li s2, 0x10001
    mul s2, s2, s2
    mv a1, s2
    li a2, 0x00020001
    la a0, 9f
    call check
    .section .rodata
9:  .string "mul rd = rs1 = rs2"
    .text
    li a1, 3
    li s2, 7
    div x0, s2, a1
    li a2, 0x00000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "div to x0"
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
