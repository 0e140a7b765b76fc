# atomic.s -- the A extension.
# Every AMO (amoswap amoadd amoxor amoand amoor amomin amomax amominu amomaxu .w): the old value
# in rd and the result in memory, signed and unsigned min/max boundaries, rd = rs2 and rd = x0.
# lr.w/sc.w: success (rd = 0), failure without a reservation (rd = 1, memory unchanged), an
# sc.w to another address fails and drops the reservation, an lr/sc retry loop.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    la a0, 9f
    call say
    .section .rodata
9:  .string "== AMOs: rd gets the old value, memory the result =="
    .text
    la s2, amo_word
    li t0, 0x11111111
    sw t0, 0(s2)
    li s3, 0x22222222
    amoswap.w a1, s3, (s2)
    CHECKED 0x11111111, "amoswap.w mem=0x11111111 reg=0x22222222: old"
    lw a1, 0(s2)
    CHECKED 0x22222222, "amoswap.w mem=0x11111111 reg=0x22222222: new"
    la s2, amo_word
    li t0, 0x7fffffff
    sw t0, 0(s2)
    li s3, 0x00000001
    amoadd.w a1, s3, (s2)
    CHECKED 0x7fffffff, "amoadd.w mem=0x7fffffff reg=0x00000001: old"
    lw a1, 0(s2)
    CHECKED 0x80000000, "amoadd.w mem=0x7fffffff reg=0x00000001: new"
    la s2, amo_word
    li t0, 0xffffffff
    sw t0, 0(s2)
    li s3, 0x00000002
    amoadd.w a1, s3, (s2)
    CHECKED 0xffffffff, "amoadd.w mem=0xffffffff reg=0x00000002: old"
    lw a1, 0(s2)
    CHECKED 0x00000001, "amoadd.w mem=0xffffffff reg=0x00000002: new"
    la s2, amo_word
    li t0, 0xff00ff00
    sw t0, 0(s2)
    li s3, 0x0ff00ff0
    amoxor.w a1, s3, (s2)
    CHECKED 0xff00ff00, "amoxor.w mem=0xff00ff00 reg=0x0ff00ff0: old"
    lw a1, 0(s2)
    CHECKED 0xf0f0f0f0, "amoxor.w mem=0xff00ff00 reg=0x0ff00ff0: new"
    la s2, amo_word
    li t0, 0xff00ff00
    sw t0, 0(s2)
    li s3, 0x0ff00ff0
    amoand.w a1, s3, (s2)
    CHECKED 0xff00ff00, "amoand.w mem=0xff00ff00 reg=0x0ff00ff0: old"
    lw a1, 0(s2)
    CHECKED 0x0f000f00, "amoand.w mem=0xff00ff00 reg=0x0ff00ff0: new"
    la s2, amo_word
    li t0, 0xff00ff00
    sw t0, 0(s2)
    li s3, 0x0ff00ff0
    amoor.w a1, s3, (s2)
    CHECKED 0xff00ff00, "amoor.w mem=0xff00ff00 reg=0x0ff00ff0: old"
    lw a1, 0(s2)
    CHECKED 0xfff0fff0, "amoor.w mem=0xff00ff00 reg=0x0ff00ff0: new"
    la s2, amo_word
    li t0, 0xffffffff
    sw t0, 0(s2)
    li s3, 0x00000001
    amomin.w a1, s3, (s2)
    CHECKED 0xffffffff, "amomin.w mem=0xffffffff reg=0x00000001: old"
    lw a1, 0(s2)
    CHECKED 0xffffffff, "amomin.w mem=0xffffffff reg=0x00000001: new"
    la s2, amo_word
    li t0, 0x00000005
    sw t0, 0(s2)
    li s3, 0x80000000
    amomin.w a1, s3, (s2)
    CHECKED 0x00000005, "amomin.w mem=0x00000005 reg=0x80000000: old"
    lw a1, 0(s2)
    CHECKED 0x80000000, "amomin.w mem=0x00000005 reg=0x80000000: new"
    la s2, amo_word
    li t0, 0x00000003
    sw t0, 0(s2)
    li s3, 0x00000003
    amomin.w a1, s3, (s2)
    CHECKED 0x00000003, "amomin.w mem=0x00000003 reg=0x00000003: old"
    lw a1, 0(s2)
    CHECKED 0x00000003, "amomin.w mem=0x00000003 reg=0x00000003: new"
    la s2, amo_word
    li t0, 0xffffffff
    sw t0, 0(s2)
    li s3, 0x00000001
    amomax.w a1, s3, (s2)
    CHECKED 0xffffffff, "amomax.w mem=0xffffffff reg=0x00000001: old"
    lw a1, 0(s2)
    CHECKED 0x00000001, "amomax.w mem=0xffffffff reg=0x00000001: new"
    la s2, amo_word
    li t0, 0x00000005
    sw t0, 0(s2)
    li s3, 0x80000000
    amomax.w a1, s3, (s2)
    CHECKED 0x00000005, "amomax.w mem=0x00000005 reg=0x80000000: old"
    lw a1, 0(s2)
    CHECKED 0x00000005, "amomax.w mem=0x00000005 reg=0x80000000: new"
    la s2, amo_word
    li t0, 0xffffffff
    sw t0, 0(s2)
    li s3, 0x00000001
    amominu.w a1, s3, (s2)
    CHECKED 0xffffffff, "amominu.w mem=0xffffffff reg=0x00000001: old"
    lw a1, 0(s2)
    CHECKED 0x00000001, "amominu.w mem=0xffffffff reg=0x00000001: new"
    la s2, amo_word
    li t0, 0x00000005
    sw t0, 0(s2)
    li s3, 0x80000000
    amominu.w a1, s3, (s2)
    CHECKED 0x00000005, "amominu.w mem=0x00000005 reg=0x80000000: old"
    lw a1, 0(s2)
    CHECKED 0x00000005, "amominu.w mem=0x00000005 reg=0x80000000: new"
    la s2, amo_word
    li t0, 0xffffffff
    sw t0, 0(s2)
    li s3, 0x00000001
    amomaxu.w a1, s3, (s2)
    CHECKED 0xffffffff, "amomaxu.w mem=0xffffffff reg=0x00000001: old"
    lw a1, 0(s2)
    CHECKED 0xffffffff, "amomaxu.w mem=0xffffffff reg=0x00000001: new"
    la s2, amo_word
    li t0, 0x00000005
    sw t0, 0(s2)
    li s3, 0x80000000
    amomaxu.w a1, s3, (s2)
    CHECKED 0x00000005, "amomaxu.w mem=0x00000005 reg=0x80000000: old"
    lw a1, 0(s2)
    CHECKED 0x80000000, "amomaxu.w mem=0x00000005 reg=0x80000000: new"
    la s2, amo_word
    li t0, 40
    sw t0, 0(s2)
    li s3, 2
    amoadd.w s3, s3, (s2)
    mv a1, s3
    CHECKED 0x00000028, "amoadd.w rd = rs2: old"
    lw a1, 0(s2)
    CHECKED 0x0000002a, "amoadd.w rd = rs2: new"
    li s3, 0x100
    amoor.w x0, s3, (s2)
    lw a1, 0(s2)
    CHECKED 0x0000012a, "amoor.w rd = x0: new"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== lr.w / sc.w =="
    .text
    la s2, amo_word
    li t0, 0x1234
    sw t0, 0(s2)
    lr.w a1, (s2)
    CHECKED 0x00001234, "lr.w value"
    li s3, 0x5678
    sc.w a1, s3, (s2)
    CHECKED 0x00000000, "sc.w after lr.w succeeds (rd=0)"
    lw a1, 0(s2)
    CHECKED 0x00005678, "sc.w stored"
    li s3, 0x9999
    sc.w a1, s3, (s2)
    CHECKED 0x00000001, "second sc.w fails (rd=1)"
    lw a1, 0(s2)
    CHECKED 0x00005678, "failed sc.w stored nothing"
    lr.w t0, (s2)
    la s4, amo_far
    li s3, 0x7777
    sc.w a1, s3, (s4)
    CHECKED 0x00000001, "sc.w to another address fails"
    lw a1, 0(s4)
    CHECKED 0xfeedface, "...and stored nothing there"
    li s3, 0x8888
    sc.w a1, s3, (s2)
    CHECKED 0x00000001, "...and dropped the reservation"
    la s2, amo_word
    li s5, 0
1:  lr.w t0, (s2)
    addi t0, t0, 1
    sc.w t1, t0, (s2)
    addi s5, s5, 1
    bnez t1, 1b
    lw a1, 0(s2)
    CHECKED 0x00005679, "lr.w/sc.w increment loop"
    mv a1, s5
    CHECKED 0x00000001, "...in one attempt"
    j finish

    .data
    .balign 4
amo_word:   .word 0
    .balign 4096
amo_far:    .word 0xfeedface
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
