# sv32_ad.s -- Sv32 accessed and dirty bits, set by the hardware.
# PTEs start with A = D = 0; after an S-mode load A is set (not D), after a store or AMO A and D,
# after an instruction fetch A; the same for a megapage; pointer PTEs are not touched; a faulting
# store (read-only page) or load (U page from S) leaves A and D clear. M reads the PTEs back.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    call zero_tables
    la a0, pt_root
    li a1, 0x200
    li a2, 0x80000000
    li a3, 0xcf         # identity megapage for RAM
    call map
    la a0, pt_root
    li a1, 0x100
    la a2, pt_l0
    li a3, 0x1         # 0x40000000: second-level table
    call map
    la a0, pt_root
    li a1, 0x101
    li a2, 0x80000000
    li a3, 0x7         # 0x40400000: megapage, A = D = 0
    call map
    la a0, pt_l0
    li a1, 0x0
    la a2, page_a
    li a3, 0x7         # 0x40000000: A = D = 0
    call map
    la a0, pt_l0
    li a1, 0x1
    la a2, page_a
    li a3, 0x47         # 0x40001000: A = 1, D = 0
    call map
    la a0, pt_l0
    li a1, 0x2
    la a2, page_a
    li a3, 0x3         # 0x40002000: read-only, A = 0
    call map
    la a0, pt_l0
    li a1, 0x3
    la a2, vcode
    li a3, 0x9         # 0x40003000: execute-only, A = 0
    call map
    la a0, pt_l0
    li a1, 0x4
    la a2, page_a
    li a3, 0x7         # 0x40004000: A = D = 0
    call map
    la a0, pt_l0
    li a1, 0x5
    la a2, page_a
    li a3, 0x7         # 0x40005000: A = D = 0
    call map
    la a0, pt_l0
    li a1, 0x6
    la a2, page_a
    li a3, 0x3         # 0x40006000: read-only, A = 0
    call map
    la a0, pt_l0
    li a1, 0x7
    la a2, page_a
    li a3, 0x17         # 0x40007000: U page, A = D = 0
    call map
    la t0, pt_root
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0               # Sv32, ASID 0, root = pt_root
    sfence.vma zero, zero
    la a0, 9f
    call say
    .section .rodata
9:  .string "== A and D set by the hardware (PTE flags read back by M) =="
    .text
    la t0, pt_l0
    lw a1, 0(t0)
    andi a1, a1, 0xff
    CHECKED 0x00000007, "0x40000000 before"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000000
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, pt_l0
    lw a1, 0(t0)
    andi a1, a1, 0xff
    CHECKED 0x00000047, "0x40000000 after a load: A"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000000
    sw s2, 4(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, pt_l0
    lw a1, 0(t0)
    andi a1, a1, 0xff
    CHECKED 0x000000c7, "0x40000000 after a store: A D"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40001000
    sb s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, pt_l0
    lw a1, 4(t0)
    andi a1, a1, 0xff
    CHECKED 0x000000c7, "0x40001000 (A=1) after a store: D"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40002000
    lhu s2, 2(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, pt_l0
    lw a1, 8(t0)
    andi a1, a1, 0xff
    CHECKED 0x00000043, "0x40002000 read-only after a load: A"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40003000
    jalr ra, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, pt_l0
    lw a1, 12(t0)
    andi a1, a1, 0xff
    CHECKED 0x00000049, "0x40003000 execute-only after a fetch: A"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40004000
    sw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, pt_l0
    lw a1, 16(t0)
    andi a1, a1, 0xff
    CHECKED 0x000000c7, "0x40004000 (A=D=0) after a store: A D"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40005000
    amoadd.w s2, s2, (t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, pt_l0
    lw a1, 20(t0)
    andi a1, a1, 0xff
    CHECKED 0x000000c7, "0x40005000 after an AMO: A D"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40400000
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, pt_root
    lw a1, 1028(t0)
    andi a1, a1, 0xff
    CHECKED 0x00000047, "megapage 0x40400000 after a load: A"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40400000
    lw s2, 0(t0)
    sw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, pt_root
    lw a1, 1028(t0)
    andi a1, a1, 0xff
    CHECKED 0x000000c7, "megapage 0x40400000 after a store: A D"
    la t0, pt_root
    lw a1, 1024(t0)
    andi a1, a1, 0xff
    CHECKED 0x00000001, "pointer PTE 0x40000000 untouched"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== no A/D update when the access faults =="
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40006000
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "store to read-only 0x40006000: mcause"
    la t0, pt_l0
    lw a1, 24(t0)
    andi a1, a1, 0xff
    CHECKED 0x00000003, "0x40006000 still A = 0"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40007000
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "S load from U page 0x40007000 (SUM=0): mcause"
    la t0, pt_l0
    lw a1, 28(t0)
    andi a1, a1, 0xff
    CHECKED 0x00000017, "0x40007000 still A = D = 0"
    csrw satp, zero
    sfence.vma zero, zero
    j finish

# map: table a0, entry a1 := PTE for physical address a2 with flags a3.
map:
    srli a2, a2, 12
    slli a2, a2, 10
    or a2, a2, a3
    slli a1, a1, 2
    add a0, a0, a1
    sw a2, 0(a0)
    ret

# zero_tables: clear the page tables (pt_root, pt_l0: two pages).
zero_tables:
    la t0, pt_root
    li t1, 2048
1:  sw zero, 0(t0)
    addi t0, t0, 4
    addi t1, t1, -1
    bnez t1, 1b
    ret

    .balign 4096
# vcode: one page of code, mapped execute-only at 0x40003000.
vcode:
    auipc a2, 0
    li a1, 0x77
    ret
    .balign 4096

    .bss
    .balign 4096
pt_root:    .space 4096
pt_l0:      .space 4096
page_a:     .space 4096
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
