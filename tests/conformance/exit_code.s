# exit_code.s -- the SiFive test device's failure code.
# Writes (3 << 16) | 0x3333 to 0x100000: the run ends with exit status 3 and nothing printed
# after it. (Every other program ends with 0x5555, exit status 0, when its checks pass.)

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
9:  .string "exit_code: every line so far printed, now the test device gets (3 << 16) | 0x3333"
    .text
    li t0, TESTDEV
    li t1, (3 << 16) | 0x3333
    sw t1, 0(t0)
    la a0, 9f
    call say                    # never printed: the machine is off
    .section .rodata
9:  .string "exit_code: FAIL, still running after the test device write"
    .text
1:  j 1b
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
