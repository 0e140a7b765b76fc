# exit_code.s -- the SiFive test device's failure code.
# Writes (3 << 16) | 0x3333 to 0x100000: the run ends with exit status 3 and nothing printed
# after it. (Every other program ends with 0x5555, exit status 0, when its checks pass.)

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

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
