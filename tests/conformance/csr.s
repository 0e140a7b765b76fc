# csr.s -- Zicsr and machine CSRs.
# Reset state (a0 = mhartid = 0, misa = RV32 AIMSU). csrrw csrrs csrrc csrrwi csrrsi csrrci with
# their old/new values, rs1 = x0 and uimm = 0 not writing, rd = x0, the pseudo-instructions
# csrr csrw csrs csrc csrwi csrsi csrci, CSRs by number; M/S CSRs reading back what was written;
# minstret/mcycle counting. Read-only CSRs: reads work, the writing forms are illegal (mcause 2,
# mepc, mtval = the instruction word). Unknown CSRs and illegal words (all zeros, all ones,
# RV64/F/Zb*/custom encodings) trap the same way. Not checked: csrrs/csrrc on a read-only CSR with
# rs1 != x0 holding zero (illegal by the spec; QEMU 7.2 lets it through).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    mv s9, a0                   # a0 = hart id at entry
    la a0, 9f
    call say
    .section .rodata
9:  .string "== reset state =="
    .text
    mv a1, s9
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "a0 at entry (hart id)"
    .text
    csrr a1, mhartid
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mhartid"
    .text
    csrr a1, misa
    li a2, 0x40141101
    la a0, 9f
    call check
    .section .rodata
9:  .string "misa (RV32 A I M S U)"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== the six CSR instructions on mscratch =="
    .text
    li s2, 0x11111111
    csrw mscratch, s2
    li s3, 0x22222222
    csrrw a1, mscratch, s3
    li a2, 0x11111111
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrw: old"
    .text
    csrr a1, mscratch
    li a2, 0x22222222
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrw: new"
    .text
    li s3, 0x0000ffff
    csrrs a1, mscratch, s3
    li a2, 0x22222222
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrs: old"
    .text
    csrr a1, mscratch
    li a2, 0x2222ffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrs: new"
    .text
    li s3, 0x00ff00ff
    csrrc a1, mscratch, s3
    li a2, 0x2222ffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrc: old"
    .text
    csrr a1, mscratch
    li a2, 0x2200ff00
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrc: new"
    .text
    csrrwi a1, mscratch, 0x15
    li a2, 0x2200ff00
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi: old"
    .text
    csrr a1, mscratch
    li a2, 0x00000015
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi: new"
    .text
    csrrsi a1, mscratch, 0x0a
    li a2, 0x00000015
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrsi: old"
    .text
    csrr a1, mscratch
    li a2, 0x0000001f
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrsi: new"
    .text
    csrrci a1, mscratch, 0x11
    li a2, 0x0000001f
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrci: old"
    .text
    csrr a1, mscratch
    li a2, 0x0000000e
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrci: new"
    .text
    csrrs a1, mscratch, x0
    csrr a1, mscratch
    li a2, 0x0000000e
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrs rs1=x0 does not write"
    .text
    li s3, -1
    csrrw x0, mscratch, s3
    csrr a1, mscratch
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrw rd=x0 writes"
    .text
    li s3, 0xf0000000
    csrc mscratch, s3
    csrr a1, mscratch
    li a2, 0x0fffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrc"
    .text
    li s3, 0x80000000
    csrs mscratch, s3
    csrr a1, mscratch
    li a2, 0x8fffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrs"
    .text
    csrwi mscratch, 31
    csrr a1, mscratch
    li a2, 0x0000001f
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrwi"
    .text
    csrwi mscratch, 0
    csrsi mscratch, 6
    csrr a1, mscratch
    li a2, 0x00000006
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrsi"
    .text
    csrci mscratch, 2
    csrr a1, mscratch
    li a2, 0x00000004
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrci"
    .text
    li s3, 0x5a5a
    csrw 0x340, s3
    csrr a1, 0x340
    li a2, 0x00005a5a
    la a0, 9f
    call check
    .section .rodata
9:  .string "CSR by number (0x340)"
    .text
    li s3, 0x1111
    csrw mscratch, s3
    li s2, 0x2222
    csrrw s2, mscratch, s2
    csrr a1, mscratch
    add a1, a1, s2
    li a2, 0x00003333
    la a0, 9f
    call check
    .section .rodata
9:  .string "rd = rs1"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== machine CSRs read back =="
    .text
    csrr s2, mtvec
    la a1, trap_m
    sub a1, a1, s2
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "mtvec"
    .text
    li s2, 0x80001234
    csrw mepc, s2
    csrr a1, mepc
    li a2, 0x80001234
    la a0, 9f
    call check
    .section .rodata
9:  .string "mepc"
    .text
    li s2, 0x8000000b
    csrw mcause, s2
    csrr a1, mcause
    li a2, 0x8000000b
    la a0, 9f
    call check
    .section .rodata
9:  .string "mcause"
    .text
    li s2, 0xdeadbeef
    csrw mtval, s2
    csrr a1, mtval
    li a2, 0xdeadbeef
    la a0, 9f
    call check
    .section .rodata
9:  .string "mtval"
    .text
    li s2, 0x00000100
    csrw medeleg, s2
    csrr a1, medeleg
    li a2, 0x00000100
    la a0, 9f
    call check
    .section .rodata
9:  .string "medeleg"
    .text
    li s2, 0x00000222
    csrw mideleg, s2
    csrr a1, mideleg
    li a2, 0x00000222
    la a0, 9f
    call check
    .section .rodata
9:  .string "mideleg"
    .text
    li s2, 0x00000aaa
    csrw mie, s2
    csrr a1, mie
    li a2, 0x00000aaa
    la a0, 9f
    call check
    .section .rodata
9:  .string "mie"
    .text
    li s2, 0x12345678
    csrw sscratch, s2
    csrr a1, sscratch
    li a2, 0x12345678
    la a0, 9f
    call check
    .section .rodata
9:  .string "sscratch"
    .text
    li s2, 0x80004320
    csrw sepc, s2
    csrr a1, sepc
    li a2, 0x80004320
    la a0, 9f
    call check
    .section .rodata
9:  .string "sepc"
    .text
    li s2, 0x00000001
    csrw stval, s2
    csrr a1, stval
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "stval"
    .text
    li s2, 0x0000000d
    csrw scause, s2
    csrr a1, scause
    li a2, 0x0000000d
    la a0, 9f
    call check
    .section .rodata
9:  .string "scause"
    .text
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    csrr s2, minstret
    nop
    nop
    csrr s3, minstret
    sltu a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "minstret counts"
    .text
    csrr s2, mcycle
    nop
    nop
    csrr s3, mcycle
    sltu a1, s2, s3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "mcycle counts"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== read-only CSRs: reads fine, writes illegal =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    csrrs a1, mhartid, x0
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrs mhartid, x0: no trap"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    csrrsi a1, mhartid, 0
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrsi mhartid, 0: no trap"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    csrrci a1, mhartid, 0
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrci mhartid, 0: no trap"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    csrr a1, mvendorid
    csrr a1, marchid
    csrr a1, mimpid
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrr mvendorid marchid mimpid: no trap"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrw mhartid, s3
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw mhartid: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw mhartid: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw mhartid: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xf1499073
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw mhartid: mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrwi a1, mhartid, 0
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi mhartid, 0: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi mhartid, 0: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi mhartid, 0: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xf14055f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi mhartid, 0: mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrsi a1, mhartid, 1
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrsi mhartid, 1: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrsi mhartid, 1: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrsi mhartid, 1: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xf140e5f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrsi mhartid, 1: mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrw cycle, s3
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw cycle: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw cycle: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw cycle: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xc0099073
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw cycle: mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrc a1, mimpid, a2
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrc mimpid, a2: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrc mimpid, a2: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrc mimpid, a2: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xf13635f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrc mimpid, a2: mtval"
    .text
    li a1, 0x77
    csrrw a1, mhartid, zero
    li a2, 0x00000077
    la a0, 9f
    call check
    .section .rodata
9:  .string "rd not written by a trapping csrrw"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== unknown CSRs: illegal =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrr a1, 0x800
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrr 0x800: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrr 0x800: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrr 0x800: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x800025f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrr 0x800: mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrw 0x7c0, s3
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw 0x7c0: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw 0x7c0: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw 0x7c0: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x7c099073
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrw 0x7c0: mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrwi a1, 0xfff, 3
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi 0xfff: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi 0xfff: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi 0xfff: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xfff1d5f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrrwi 0xfff: mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrr a1, 0x5c0
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrr 0x5c0: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrr 0x5c0: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrr 0x5c0: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x5c0025f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "csrr 0x5c0: mtval"
    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "== illegal instruction words: mtval = the word =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x00000000
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00000000: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00000000: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00000000: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00000000: mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0xffffffff
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0xffffffff: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0xffffffff: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0xffffffff: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0xffffffff: mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x0000707b
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x0000707b (custom-3): traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x0000707b (custom-3): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x0000707b (custom-3): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x0000707b
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x0000707b (custom-3): mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x04005033
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x02005033 (funct7 bad): traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x02005033 (funct7 bad): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x02005033 (funct7 bad): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x04005033
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x02005033 (funct7 bad): mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x00003003
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00003003 (ld: RV64 only): traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00003003 (ld: RV64 only): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00003003 (ld: RV64 only): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x00003003
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00003003 (ld: RV64 only): mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x00007053
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00007053 (F: absent): traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00007053 (F: absent): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00007053 (F: absent): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x00007053
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00007053 (F: absent): mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0xf800202f
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x0000202f (amo funct5 bad): traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x0000202f (amo funct5 bad): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x0000202f (amo funct5 bad): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xf800202f
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x0000202f (amo funct5 bad): mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x40007033
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x40007033 (Zbb andn: absent): traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x40007033 (Zbb andn: absent): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x40007033 (Zbb andn: absent): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x40007033
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x40007033 (Zbb andn: absent): mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x60001013
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x60001013 (Zbb clz: absent): traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x60001013 (Zbb clz: absent): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x60001013 (Zbb clz: absent): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x60001013
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x60001013 (Zbb clz: absent): mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x28001033
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x28001033 (Zbs bset: absent): traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x28001033 (Zbs bset: absent): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x28001033 (Zbs bset: absent): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x28001033
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x28001033 (Zbs bset: absent): mtval"
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x00004073
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00004073 (csr funct3 4): traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00004073 (csr funct3 4): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00004073 (csr funct3 4): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x00004073
    la a0, 9f
    call check
    .section .rodata
9:  .string "word 0x00004073 (csr funct3 4): mtval"
    .text
    lw a1, TR_COUNT(s6)
    li a2, 0x00000015
    la a0, 9f
    call check
    .section .rodata
9:  .string "traps counted"
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
