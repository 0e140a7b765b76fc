# htif.s -- HTIF: the program defines tohost and writes (42 << 1) | 1 to it.
# On a machine with HTIF (vmlib, Spike) the run ends there with exit status 42. QEMU's virt
# board has no HTIF, so this program's expected result is written by hand (htif.expected,
# expected.json); under QEMU it goes on and exits through the test device with status 99.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    la a0, 9f
    call say
    .section .rodata
9:  .string "htif: writing tohost = (42 << 1) | 1"
    .text
    la t0, tohost
    li t1, (42 << 1) | 1
    sw t1, 0(t0)                # HTIF: the run ends here with exit status 42
    sw zero, 4(t0)
    la a0, 9f                   # QEMU's virt board has no HTIF: it gets here
    call say
    .section .rodata
9:  .string "htif: tohost not honoured (no HTIF), exiting through the test device with 99"
    .text
    li t0, TESTDEV
    li t1, (99 << 16) | 0x3333
    sw t1, 0(t0)
1:  j 1b

    .data
    .balign 8
    .globl tohost
tohost:     .word 0, 0
    .globl fromhost
fromhost:   .word 0, 0
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
