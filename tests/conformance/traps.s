# traps.s -- exceptions from M, S and U; mret and sret; privilege checks.
# ecall (mcause 11/9/8), ebreak (3; mtval 0 or the pc, the spec allows both, QEMU 7.2 writes 0)
# and illegal instruction (2, mtval = the word) from each mode, with mepc and mstatus.MPP.
# mret: MIE <- MPIE, MPIE <- 1, MPP <- U, MPRV kept when returning to M. (Not checked: priv spec
# 1.12 has mret/sret to S/U clear MPRV; QEMU 7.2 does not.) sret: SIE <- SPIE, SPIE <- 1,
# SPP <- U, from S and from M. Privilege: M CSRs and mret from S, S CSRs / sret / mret /
# sfence.vma from U are illegal; mstatus.TVM (satp, sfence.vma), TSR (sret) and TW (wfi) in S;
# mcounteren / scounteren gating of cycle for S and U. Last section: wfi in U-mode is illegal on
# QEMU (the spec allows this when S-mode exists).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    la a0, 9f
    call say
    .section .rodata
9:  .string "== traps from M-mode =="
    .text
    csrsi mstatus, 8            # MIE = 1 (mie = 0: nothing can interrupt)
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  ecall
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "M ecall: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000b, "M ecall: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "M ecall: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00000000, "M ecall: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000003, "M ecall: mstatus.MPP"
    lw a1, TR_STATUS(s6)
    andi a1, a1, 0x88
    CHECKED 0x00000080, "M ecall: MIE 1 -> MPIE 1, MIE 0"
    csrr a1, mstatus
    andi a1, a1, 0x8
    CHECKED 0x00000008, "M ecall: mret restored MIE = 1"
    csrci mstatus, 8
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  ebreak
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "M ebreak: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "M ebreak: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "M ebreak: mepc - insn"
    lw t1, TR_TVAL(s6)
    lw t2, TR_EPC(s6)
    seqz a1, t1
    sub t3, t1, t2
    seqz t3, t3
    or a1, a1, t3
    CHECKED 0x00000001, "M ebreak: mtval is 0 or the pc"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  .word 0xffffffff
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "M illegal: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "M illegal: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "M illegal: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xffffffff, "M illegal: mtval"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== mret =="
    .text
    li t0, 0x007e19aa
    csrc mstatus, t0
    li t0, 0x00001880
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr s2, mstatus
    li t0, 0x20000
    csrc mstatus, t0            # MPRV off again
    li t0, 0x007e19aa
    and a1, s2, t0
    CHECKED 0x00000088, "mret to M, MPIE=1 MIE=0: MIE=1 MPIE=1 MPP=U"
    li t0, 0x007e19aa
    csrc mstatus, t0
    li t0, 0x00001808
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr s2, mstatus
    li t0, 0x20000
    csrc mstatus, t0            # MPRV off again
    li t0, 0x007e19aa
    and a1, s2, t0
    CHECKED 0x00000080, "mret to M, MPIE=0 MIE=1: MIE=0 MPIE=1 MPP=U"
    li t0, 0x007e19aa
    csrc mstatus, t0
    li t0, 0x00021880
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr s2, mstatus
    li t0, 0x20000
    csrc mstatus, t0            # MPRV off again
    li t0, 0x007e19aa
    and a1, s2, t0
    CHECKED 0x00020088, "mret to M keeps MPRV"
    li t0, 0x007e19aa
    csrc mstatus, t0
    li t0, 0x00880                # MPP = S, MPIE = 1
    csrs mstatus, t0
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000009, "mret to S: ecall from S mcause"
    lw a1, TR_STATUS(s6)
    andi a1, a1, 0x88
    CHECKED 0x00000080, "mret to S: MIE from MPIE"
    li t0, 0x20000
    csrc mstatus, t0
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000008, "mret to U: ecall from U mcause"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== traps from S-mode =="
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  ecall
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000009, "S ecall: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S ecall: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00000000, "S ecall: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S ecall: mstatus.MPP"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  ebreak
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "S ebreak: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S ebreak: mepc - insn"
    lw t1, TR_TVAL(s6)
    lw t2, TR_EPC(s6)
    seqz a1, t1
    sub t3, t1, t2
    seqz t3, t3
    or a1, a1, t3
    CHECKED 0x00000001, "S ebreak: mtval is 0 or the pc"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S ebreak: mstatus.MPP"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  .word 0x00000000
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "S illegal word: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S illegal word: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00000000, "S illegal word: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S illegal word: mstatus.MPP"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, mstatus
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "S csrr mstatus: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S csrr mstatus: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x300025f3, "S csrr mstatus: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S csrr mstatus: mstatus.MPP"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrw mscratch, a1
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "S csrw mscratch: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S csrw mscratch: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x34059073, "S csrw mscratch: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S csrw mscratch: mstatus.MPP"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  mret
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "S mret: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S mret: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x30200073, "S mret: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S mret: mstatus.MPP"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, sstatus
4:  ecall
6:  la s6, tr_area
    lw a1, TR_EPC(s6)
    la t0, 4b
    sub a1, a1, t0
    CHECKED 0x00000000, "S csrr sstatus: no trap (next trap is the ecall)"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrw sscratch, a1
4:  ecall
6:  la s6, tr_area
    lw a1, TR_EPC(s6)
    la t0, 4b
    sub a1, a1, t0
    CHECKED 0x00000000, "S csrw sscratch: no trap (next trap is the ecall)"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  sfence.vma zero, zero
4:  ecall
6:  la s6, tr_area
    lw a1, TR_EPC(s6)
    la t0, 4b
    sub a1, a1, t0
    CHECKED 0x00000000, "S sfence.vma (TVM=0): no trap (next trap is the ecall)"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, satp
4:  ecall
6:  la s6, tr_area
    lw a1, TR_EPC(s6)
    la t0, 4b
    sub a1, a1, t0
    CHECKED 0x00000000, "S csrr satp (TVM=0): no trap (next trap is the ecall)"
    li t0, 0x100000
    csrs mstatus, t0            # TVM = 1
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, satp
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "S csrr satp, TVM=1: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S csrr satp, TVM=1: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x180025f3, "S csrr satp, TVM=1: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S csrr satp, TVM=1: mstatus.MPP"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  sfence.vma zero, zero
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "S sfence.vma, TVM=1: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S sfence.vma, TVM=1: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x12000073, "S sfence.vma, TVM=1: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S sfence.vma, TVM=1: mstatus.MPP"
    li t0, 0x100000
    csrc mstatus, t0
    li t0, 0x400000
    csrs mstatus, t0            # TSR = 1
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  sret
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "S sret, TSR=1: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S sret, TSR=1: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x10200073, "S sret, TSR=1: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S sret, TSR=1: mstatus.MPP"
    li t0, 0x400000
    csrc mstatus, t0
    li t0, 0x200000
    csrs mstatus, t0            # TW = 1
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  wfi
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "S wfi, TW=1: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S wfi, TW=1: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x10500073, "S wfi, TW=1: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S wfi, TW=1: mstatus.MPP"
    li t0, 0x200000
    csrc mstatus, t0
    csrw mcounteren, zero
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, cycle
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "S csrr cycle, mcounteren=0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S csrr cycle, mcounteren=0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xc00025f3, "S csrr cycle, mcounteren=0: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "S csrr cycle, mcounteren=0: mstatus.MPP"
    csrwi mcounteren, 1
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, cycle
4:  ecall
6:  la s6, tr_area
    lw a1, TR_EPC(s6)
    la t0, 4b
    sub a1, a1, t0
    CHECKED 0x00000000, "S csrr cycle, mcounteren.CY=1: no trap (next trap is the ecall)"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== traps from U-mode =="
    .text
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  ecall
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000008, "U ecall: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U ecall: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00000000, "U ecall: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U ecall: mstatus.MPP"
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  ebreak
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "U ebreak: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U ebreak: mepc - insn"
    lw t1, TR_TVAL(s6)
    lw t2, TR_EPC(s6)
    seqz a1, t1
    sub t3, t1, t2
    seqz t3, t3
    or a1, a1, t3
    CHECKED 0x00000001, "U ebreak: mtval is 0 or the pc"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U ebreak: mstatus.MPP"
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  .word 0xffffffff
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U illegal word: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U illegal word: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xffffffff, "U illegal word: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U illegal word: mstatus.MPP"
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, sstatus
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U csrr sstatus: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U csrr sstatus: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x100025f3, "U csrr sstatus: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U csrr sstatus: mstatus.MPP"
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, mhartid
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U csrr mhartid: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U csrr mhartid: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xf14025f3, "U csrr mhartid: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U csrr mhartid: mstatus.MPP"
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  sret
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U sret: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U sret: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x10200073, "U sret: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U sret: mstatus.MPP"
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  mret
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U mret: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U mret: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x30200073, "U mret: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U mret: mstatus.MPP"
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  sfence.vma zero, zero
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U sfence.vma: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U sfence.vma: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x12000073, "U sfence.vma: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U sfence.vma: mstatus.MPP"
    csrwi mcounteren, 1
    csrwi scounteren, 0
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, cycle
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U csrr cycle, scounteren=0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U csrr cycle, scounteren=0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xc00025f3, "U csrr cycle, scounteren=0: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U csrr cycle, scounteren=0: mstatus.MPP"
    csrwi mcounteren, 0
    csrwi scounteren, 1
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, cycle
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U csrr cycle, mcounteren=0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U csrr cycle, mcounteren=0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xc00025f3, "U csrr cycle, mcounteren=0: mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U csrr cycle, mcounteren=0: mstatus.MPP"
    csrwi mcounteren, 1
    csrwi scounteren, 1
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, cycle
4:  ecall
6:  la s6, tr_area
    lw a1, TR_EPC(s6)
    la t0, 4b
    sub a1, a1, t0
    CHECKED 0x00000000, "U csrr cycle, both CY=1: no trap (next trap is the ecall)"
    csrwi mcounteren, 0
    csrwi scounteren, 0
    la a0, 9f
    call say
    .section .rodata
9:  .string "== sret =="
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  li t0, 0x122
    csrc sstatus, t0
    li t0, 0x120                # SPP = S, SPIE = 1, SIE = 0
    csrs sstatus, t0
    la t0, 3f
    csrw sepc, t0
    sret
3:  csrr s2, sstatus
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000009, "sret to S: ecall from S"
    andi a1, s2, 0x122
    CHECKED 0x00000022, "sret: SIE=1 SPIE=1 SPP=U"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  li t0, 0x122
    csrc sstatus, t0
    li t0, 0x002                # SPP = U, SPIE = 0, SIE = 1
    csrs sstatus, t0
    la t0, 3f
    csrw sepc, t0
    sret
3:  ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000008, "sret to U: ecall from U"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "sret to U: MPP at the trap"
    csrr a1, sstatus
    andi a1, a1, 0x122
    CHECKED 0x00000020, "sret: SIE=0 SPIE=1 SPP=U"
    li t0, 0x100
    csrs mstatus, t0            # SPP = S
    la t0, 5f
    csrw sepc, t0
    la t0, tr_area
    la t1, 6f
    sw t1, TR_RESUME(t0)
    sret                        # from M-mode
5:  ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000009, "sret in M-mode to S: ecall from S"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== QEMU choices the spec permits =="
    .text
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  wfi
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U wfi is illegal (S-mode present): mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "U wfi is illegal (S-mode present): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x10500073, "U wfi is illegal (S-mode present): mtval"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000000, "U wfi is illegal (S-mode present): mstatus.MPP"
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
