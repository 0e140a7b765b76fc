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
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ecall: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x0000000b
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ecall: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ecall: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ecall: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ecall: mstatus.MPP"
    .text
    lw a1, TR_STATUS(s6)
    andi a1, a1, 0x88
    li a2, 0x00000080
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ecall: MIE 1 -> MPIE 1, MIE 0"
    .text
    csrr a1, mstatus
    andi a1, a1, 0x8
    li a2, 0x00000008
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ecall: mret restored MIE = 1"
    .text
    csrci mstatus, 8
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  ebreak
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ebreak: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ebreak: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ebreak: mepc - insn"
    .text
    lw t1, TR_TVAL(s6)
    lw t2, TR_EPC(s6)
    seqz a1, t1
    sub t3, t1, t2
    seqz t3, t3
    or a1, a1, t3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "M ebreak: mtval is 0 or the pc"
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
9:  .string "M illegal: traps"
    .text
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "M illegal: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "M illegal: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "M illegal: mtval"
    .text
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
    li a2, 0x00000088
    la a0, 9f
    call check
    .section .rodata
9:  .string "mret to M, MPIE=1 MIE=0: MIE=1 MPIE=1 MPP=U"
    .text
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
    li a2, 0x00000080
    la a0, 9f
    call check
    .section .rodata
9:  .string "mret to M, MPIE=0 MIE=1: MIE=0 MPIE=1 MPP=U"
    .text
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
    li a2, 0x00020088
    la a0, 9f
    call check
    .section .rodata
9:  .string "mret to M keeps MPRV"
    .text
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
    li a2, 0x00000009
    la a0, 9f
    call check
    .section .rodata
9:  .string "mret to S: ecall from S mcause"
    .text
    lw a1, TR_STATUS(s6)
    andi a1, a1, 0x88
    li a2, 0x00000080
    la a0, 9f
    call check
    .section .rodata
9:  .string "mret to S: MIE from MPIE"
    .text
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
    li a2, 0x00000008
    la a0, 9f
    call check
    .section .rodata
9:  .string "mret to U: ecall from U mcause"
    .text
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
    li a2, 0x00000009
    la a0, 9f
    call check
    .section .rodata
9:  .string "S ecall: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S ecall: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S ecall: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S ecall: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  ebreak
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "S ebreak: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S ebreak: mepc - insn"
    .text
    lw t1, TR_TVAL(s6)
    lw t2, TR_EPC(s6)
    seqz a1, t1
    sub t3, t1, t2
    seqz t3, t3
    or a1, a1, t3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S ebreak: mtval is 0 or the pc"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S ebreak: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  .word 0x00000000
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "S illegal word: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S illegal word: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S illegal word: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S illegal word: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, mstatus
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr mstatus: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr mstatus: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x300025f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr mstatus: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr mstatus: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  csrw mscratch, a1
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrw mscratch: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrw mscratch: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x34059073
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrw mscratch: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrw mscratch: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  mret
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "S mret: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S mret: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x30200073
    la a0, 9f
    call check
    .section .rodata
9:  .string "S mret: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S mret: mstatus.MPP"
    .text
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
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr sstatus: no trap (next trap is the ecall)"
    .text
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
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrw sscratch: no trap (next trap is the ecall)"
    .text
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
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S sfence.vma (TVM=0): no trap (next trap is the ecall)"
    .text
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
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr satp (TVM=0): no trap (next trap is the ecall)"
    .text
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
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr satp, TVM=1: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr satp, TVM=1: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x180025f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr satp, TVM=1: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr satp, TVM=1: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  sfence.vma zero, zero
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "S sfence.vma, TVM=1: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S sfence.vma, TVM=1: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x12000073
    la a0, 9f
    call check
    .section .rodata
9:  .string "S sfence.vma, TVM=1: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S sfence.vma, TVM=1: mstatus.MPP"
    .text
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
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "S sret, TSR=1: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S sret, TSR=1: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x10200073
    la a0, 9f
    call check
    .section .rodata
9:  .string "S sret, TSR=1: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S sret, TSR=1: mstatus.MPP"
    .text
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
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "S wfi, TW=1: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S wfi, TW=1: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x10500073
    la a0, 9f
    call check
    .section .rodata
9:  .string "S wfi, TW=1: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S wfi, TW=1: mstatus.MPP"
    .text
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
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr cycle, mcounteren=0: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr cycle, mcounteren=0: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xc00025f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr cycle, mcounteren=0: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr cycle, mcounteren=0: mstatus.MPP"
    .text
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
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "S csrr cycle, mcounteren.CY=1: no trap (next trap is the ecall)"
    .text
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
    li a2, 0x00000008
    la a0, 9f
    call check
    .section .rodata
9:  .string "U ecall: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U ecall: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U ecall: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U ecall: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  ebreak
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000003
    la a0, 9f
    call check
    .section .rodata
9:  .string "U ebreak: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U ebreak: mepc - insn"
    .text
    lw t1, TR_TVAL(s6)
    lw t2, TR_EPC(s6)
    seqz a1, t1
    sub t3, t1, t2
    seqz t3, t3
    or a1, a1, t3
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "U ebreak: mtval is 0 or the pc"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U ebreak: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  .word 0xffffffff
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "U illegal word: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U illegal word: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xffffffff
    la a0, 9f
    call check
    .section .rodata
9:  .string "U illegal word: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U illegal word: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, sstatus
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr sstatus: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr sstatus: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x100025f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr sstatus: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr sstatus: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  csrr a1, mhartid
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr mhartid: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr mhartid: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xf14025f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr mhartid: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr mhartid: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  sret
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "U sret: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U sret: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x10200073
    la a0, 9f
    call check
    .section .rodata
9:  .string "U sret: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U sret: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  mret
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "U mret: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U mret: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x30200073
    la a0, 9f
    call check
    .section .rodata
9:  .string "U mret: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U mret: mstatus.MPP"
    .text
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  sfence.vma zero, zero
    ecall
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "U sfence.vma: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U sfence.vma: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x12000073
    la a0, 9f
    call check
    .section .rodata
9:  .string "U sfence.vma: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U sfence.vma: mstatus.MPP"
    .text
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
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr cycle, scounteren=0: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr cycle, scounteren=0: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xc00025f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr cycle, scounteren=0: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr cycle, scounteren=0: mstatus.MPP"
    .text
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
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr cycle, mcounteren=0: mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr cycle, mcounteren=0: mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0xc00025f3
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr cycle, mcounteren=0: mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr cycle, mcounteren=0: mstatus.MPP"
    .text
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
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U csrr cycle, both CY=1: no trap (next trap is the ecall)"
    .text
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
    li a2, 0x00000009
    la a0, 9f
    call check
    .section .rodata
9:  .string "sret to S: ecall from S"
    .text
    andi a1, s2, 0x122
    li a2, 0x00000022
    la a0, 9f
    call check
    .section .rodata
9:  .string "sret: SIE=1 SPIE=1 SPP=U"
    .text
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
    li a2, 0x00000008
    la a0, 9f
    call check
    .section .rodata
9:  .string "sret to U: ecall from U"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "sret to U: MPP at the trap"
    .text
    csrr a1, sstatus
    andi a1, a1, 0x122
    li a2, 0x00000020
    la a0, 9f
    call check
    .section .rodata
9:  .string "sret: SIE=0 SPIE=1 SPP=U"
    .text
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
    li a2, 0x00000009
    la a0, 9f
    call check
    .section .rodata
9:  .string "sret in M-mode to S: ecall from S"
    .text
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
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "U wfi is illegal (S-mode present): mcause"
    .text
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U wfi is illegal (S-mode present): mepc - insn"
    .text
    lw a1, TR_TVAL(s6)
    li a2, 0x10500073
    la a0, 9f
    call check
    .section .rodata
9:  .string "U wfi is illegal (S-mode present): mtval"
    .text
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 0x00000000
    la a0, 9f
    call check
    .section .rodata
9:  .string "U wfi is illegal (S-mode present): mstatus.MPP"
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
