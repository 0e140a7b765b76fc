# csr.s -- Zicsr and machine CSRs.
# Reset state (a0 = mhartid = 0, misa = RV32 AHIMSU). csrrw csrrs csrrc csrrwi csrrsi csrrci with
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
    CHECKED 0x00000000, "a0 at entry (hart id)"
    csrr a1, mhartid
    CHECKED 0x00000000, "mhartid"
    csrr a1, misa
    CHECKED 0x40141181, "misa (RV32 A H I M S U)"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== the six CSR instructions on mscratch =="
    .text
    li s2, 0x11111111
    csrw mscratch, s2
    li s3, 0x22222222
    csrrw a1, mscratch, s3
    CHECKED 0x11111111, "csrrw: old"
    csrr a1, mscratch
    CHECKED 0x22222222, "csrrw: new"
    li s3, 0x0000ffff
    csrrs a1, mscratch, s3
    CHECKED 0x22222222, "csrrs: old"
    csrr a1, mscratch
    CHECKED 0x2222ffff, "csrrs: new"
    li s3, 0x00ff00ff
    csrrc a1, mscratch, s3
    CHECKED 0x2222ffff, "csrrc: old"
    csrr a1, mscratch
    CHECKED 0x2200ff00, "csrrc: new"
    csrrwi a1, mscratch, 0x15
    CHECKED 0x2200ff00, "csrrwi: old"
    csrr a1, mscratch
    CHECKED 0x00000015, "csrrwi: new"
    csrrsi a1, mscratch, 0x0a
    CHECKED 0x00000015, "csrrsi: old"
    csrr a1, mscratch
    CHECKED 0x0000001f, "csrrsi: new"
    csrrci a1, mscratch, 0x11
    CHECKED 0x0000001f, "csrrci: old"
    csrr a1, mscratch
    CHECKED 0x0000000e, "csrrci: new"
    csrrs a1, mscratch, x0
    csrr a1, mscratch
    CHECKED 0x0000000e, "csrrs rs1=x0 does not write"
    li s3, -1
    csrrw x0, mscratch, s3
    csrr a1, mscratch
    CHECKED 0xffffffff, "csrrw rd=x0 writes"
    li s3, 0xf0000000
    csrc mscratch, s3
    csrr a1, mscratch
    CHECKED 0x0fffffff, "csrc"
    li s3, 0x80000000
    csrs mscratch, s3
    csrr a1, mscratch
    CHECKED 0x8fffffff, "csrs"
    csrwi mscratch, 31
    csrr a1, mscratch
    CHECKED 0x0000001f, "csrwi"
    csrwi mscratch, 0
    csrsi mscratch, 6
    csrr a1, mscratch
    CHECKED 0x00000006, "csrsi"
    csrci mscratch, 2
    csrr a1, mscratch
    CHECKED 0x00000004, "csrci"
    li s3, 0x5a5a
    csrw 0x340, s3
    csrr a1, 0x340
    CHECKED 0x00005a5a, "CSR by number (0x340)"
    li s3, 0x1111
    csrw mscratch, s3
    li s2, 0x2222
    csrrw s2, mscratch, s2
    csrr a1, mscratch
    add a1, a1, s2
    CHECKED 0x00003333, "rd = rs1"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== machine CSRs read back =="
    .text
    csrr s2, mtvec
    la a1, trap_m
    sub a1, a1, s2
    CHECKED 0x00000000, "mtvec"
    li s2, 0x80001234
    csrw mepc, s2
    csrr a1, mepc
    CHECKED 0x80001234, "mepc"
    li s2, 0x8000000b
    csrw mcause, s2
    csrr a1, mcause
    CHECKED 0x8000000b, "mcause"
    li s2, 0xdeadbeef
    csrw mtval, s2
    csrr a1, mtval
    CHECKED 0xdeadbeef, "mtval"
    li s2, 0x00000100
    csrw medeleg, s2
    csrr a1, medeleg
    CHECKED 0x00000100, "medeleg"
    li s2, 0x00000222
    csrw mideleg, s2
    csrr a1, mideleg            # with H, VSSI VSTI VSEI (and, in QEMU, SGEI) read as one
    CHECKED 0x00001666, "mideleg"
    li s2, 0x00000aaa
    csrw mie, s2
    csrr a1, mie
    CHECKED 0x00000aaa, "mie"
    li s2, 0x12345678
    csrw sscratch, s2
    csrr a1, sscratch
    CHECKED 0x12345678, "sscratch"
    li s2, 0x80004320
    csrw sepc, s2
    csrr a1, sepc
    CHECKED 0x80004320, "sepc"
    li s2, 0x00000001
    csrw stval, s2
    csrr a1, stval
    CHECKED 0x00000001, "stval"
    li s2, 0x0000000d
    csrw scause, s2
    csrr a1, scause
    CHECKED 0x0000000d, "scause"
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    csrr s2, minstret
    nop
    nop
    csrr s3, minstret
    sltu a1, s2, s3
    CHECKED 0x00000001, "minstret counts"
    csrr s2, mcycle
    nop
    nop
    csrr s3, mcycle
    sltu a1, s2, s3
    CHECKED 0x00000001, "mcycle counts"
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
    CHECKED 0x00000000, "csrrs mhartid, x0: no trap"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    csrrsi a1, mhartid, 0
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000000, "csrrsi mhartid, 0: no trap"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    csrrci a1, mhartid, 0
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000000, "csrrci mhartid, 0: no trap"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    csrr a1, mvendorid
    csrr a1, marchid
    csrr a1, mimpid
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000000, "csrr mvendorid marchid mimpid: no trap"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrw mhartid, s3
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrw mhartid: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrw mhartid: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrw mhartid: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xf1499073, "csrw mhartid: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrwi a1, mhartid, 0
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrrwi mhartid, 0: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrrwi mhartid, 0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrrwi mhartid, 0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xf14055f3, "csrrwi mhartid, 0: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrsi a1, mhartid, 1
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrrsi mhartid, 1: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrrsi mhartid, 1: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrrsi mhartid, 1: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xf140e5f3, "csrrsi mhartid, 1: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrw cycle, s3
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrw cycle: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrw cycle: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrw cycle: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xc0099073, "csrw cycle: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrc a1, mimpid, a2
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrrc mimpid, a2: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrrc mimpid, a2: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrrc mimpid, a2: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xf13635f3, "csrrc mimpid, a2: mtval"
    li a1, 0x77
    csrrw a1, mhartid, zero
    CHECKED 0x00000077, "rd not written by a trapping csrrw"
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
    CHECKED 0x00000001, "csrr 0x800: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrr 0x800: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrr 0x800: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x800025f3, "csrr 0x800: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrw 0x7c0, s3
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrw 0x7c0: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrw 0x7c0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrw 0x7c0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x7c099073, "csrw 0x7c0: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrwi a1, 0xfff, 3
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrrwi 0xfff: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrrwi 0xfff: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrrwi 0xfff: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xfff1d5f3, "csrrwi 0xfff: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrr a1, 0x5c0
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrr 0x5c0: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrr 0x5c0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrr 0x5c0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x5c0025f3, "csrr 0x5c0: mtval"
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
    CHECKED 0x00000001, "word 0x00000000: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x00000000: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x00000000: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00000000, "word 0x00000000: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0xffffffff
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0xffffffff: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0xffffffff: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0xffffffff: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xffffffff, "word 0xffffffff: mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x0000707b
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0x0000707b (custom-3): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x0000707b (custom-3): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x0000707b (custom-3): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x0000707b, "word 0x0000707b (custom-3): mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x04005033
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0x02005033 (funct7 bad): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x02005033 (funct7 bad): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x02005033 (funct7 bad): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x04005033, "word 0x02005033 (funct7 bad): mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x00003003
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0x00003003 (ld: RV64 only): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x00003003 (ld: RV64 only): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x00003003 (ld: RV64 only): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00003003, "word 0x00003003 (ld: RV64 only): mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x00007053
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0x00007053 (F: absent): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x00007053 (F: absent): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x00007053 (F: absent): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00007053, "word 0x00007053 (F: absent): mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0xf800202f
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0x0000202f (amo funct5 bad): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x0000202f (amo funct5 bad): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x0000202f (amo funct5 bad): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xf800202f, "word 0x0000202f (amo funct5 bad): mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x40007033
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0x40007033 (Zbb andn: absent): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x40007033 (Zbb andn: absent): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x40007033 (Zbb andn: absent): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40007033, "word 0x40007033 (Zbb andn: absent): mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x60001013
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0x60001013 (Zbb clz: absent): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x60001013 (Zbb clz: absent): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x60001013 (Zbb clz: absent): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x60001013, "word 0x60001013 (Zbb clz: absent): mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x28001033
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0x28001033 (Zbs bset: absent): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x28001033 (Zbs bset: absent): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x28001033 (Zbs bset: absent): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x28001033, "word 0x28001033 (Zbs bset: absent): mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0x00004073
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "word 0x00004073 (csr funct3 4): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "word 0x00004073 (csr funct3 4): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "word 0x00004073 (csr funct3 4): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00004073, "word 0x00004073 (csr funct3 4): mtval"
    lw a1, TR_COUNT(s6)
    CHECKED 0x00000015, "traps counted"
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
