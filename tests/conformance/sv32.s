# sv32.s -- Sv32 address translation and the three page faults.
# Two-level tables built at run time: an identity megapage for RAM, a megapage alias at
# 0xC0000000, 4 KiB pages (RW, R, X-only, two VAs for one page) under 0x40000000. In S-mode:
# loads, stores and instruction fetch through 4 KiB pages and megapages (auipc sees the virtual
# pc), satp = Bare. Faults taken in M with mepc and mtval = the virtual address: load (13),
# store/AMO (15), fetch (12, mepc = mtval = the target) for unmapped pages, missing R/W/X, a
# misaligned megapage, W without R, a pointer PTE at the last level; access faults (5, 7, 1)
# through a valid PTE to absent memory; page faults delegated to S (scause, sepc, stval). sfence.vma (all, and by address) after changing a PTE.

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
    li a1, 0x300
    li a2, 0x80000000
    li a3, 0xcf         # 0xC0000000: megapage alias of RAM
    call map
    la a0, pt_root
    li a1, 0x100
    la a2, pt_l0
    li a3, 0x1         # 0x40000000: second-level table
    call map
    la a0, pt_root
    li a1, 0x101
    li a2, 0x80001000
    li a3, 0xc7         # 0x40400000: misaligned megapage
    call map
    la a0, pt_root
    li a1, 0x102
    li a2, 0x80000000
    li a3, 0xc5         # 0x40800000: W without R (reserved)
    call map
    la a0, pt_root
    li t0, 0x200000CE           # 0x40C00000: V = 0, all other permission bits set
    sw t0, 0x103 * 4(a0)
    la a0, pt_l0
    li a1, 0x0
    la a2, page_a
    li a3, 0xc7         # 0x40000000 -> page_a, RW
    call map
    la a0, pt_l0
    li a1, 0x1
    la a2, page_b
    li a3, 0x43         # 0x40001000 -> page_b, R
    call map
    la a0, pt_l0
    li a1, 0x3
    la a2, vcode
    li a3, 0x49         # 0x40003000 -> vcode, X only
    call map
    la a0, pt_l0
    li a1, 0x4
    la a2, page_a
    li a3, 0xc7         # 0x40004000 -> page_a again
    call map
    la a0, pt_l0
    li a1, 0x5
    la a2, page_b
    li a3, 0x1         # 0x40005000: pointer PTE at the last level
    call map
    la a0, pt_l0
    li a1, 0x6
    li a2, 0x90000000
    li a3, 0xcf         # 0x40006000 -> 0x90000000: no memory there
    call map
    la t0, page_a
    li t1, 0xaaaa0000
    sw t1, 0(t0)
    li t1, 0xaaaa0010
    sw t1, 16(t0)
    la t0, page_b
    li t1, 0xbbbb0000
    sw t1, 0(t0)
    la a0, 9f
    call say
    .section .rodata
9:  .string "== satp =="
    .text
    la t0, pt_root
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0
    csrr a1, satp
    sub a1, a1, t0
    CHECKED 0x00000000, "satp reads back (Sv32, root PPN)"
    la t0, pt_root
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0               # Sv32, ASID 0, root = pt_root
    sfence.vma zero, zero
    li t0, 0x40000000
    la t1, page_a
    lw a1, 0(t1)
    CHECKED 0xaaaa0000, "M-mode is not translated"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== translation in S-mode =="
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000000
    lw s2, 0(t0)
    lw s3, 16(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0xaaaa0000, "S lw 0x40000000 (4 KiB page -> page_a)"
    mv a1, s3
    CHECKED 0xaaaa0010, "S lw 0x40000010"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "...back in M with ebreak"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40001000
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0xbbbb0000, "S lw 0x40001000 (read-only page -> page_b)"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40004008
    li t1, 0x12344321
    sw t1, 0(t0)
    li t0, 0x40000008
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0x12344321, "S sw 0x40004008, lw 0x40000008 (two VAs, one page)"
    la t0, page_a
    lw a1, 8(t0)
    CHECKED 0x12344321, "...seen by M at page_a + 8"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    la t0, page_b
    li t1, 0x40000000
    add t0, t0, t1
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0xbbbb0000, "S lw through the megapage alias"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40003000
    jalr ra, 0(t0)
    mv s2, a1
    mv s3, a2
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0x00000077, "S executes at 0x40003000 (X-only page)"
    mv a1, s3
    CHECKED 0x40003000, "...auipc there sees the virtual pc"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    la t0, vcode
    li t1, 0x40000000
    add t0, t0, t1
    jalr ra, 0(t0)
    mv s3, a2
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, vcode
    sub a1, s3, t0
    CHECKED 0x40000000, "S executes through the megapage alias: auipc - vcode"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    csrw satp, zero
    la t0, page_b
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0xbbbb0000, "S with satp = Bare: physical"
    la t0, pt_root
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0               # Sv32, ASID 0, root = pt_root
    sfence.vma zero, zero
    la a0, 9f
    call say
    .section .rodata
9:  .string "== page faults taken in M: mcause, mepc, mtval =="
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40002010
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "lw unmapped 0x40002010: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "lw unmapped 0x40002010: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40002010, "lw unmapped 0x40002010: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40002020
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "sw unmapped 0x40002020: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "sw unmapped 0x40002020: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40002020, "sw unmapped 0x40002020: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40001009
7:  sb s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "sb read-only 0x40001009: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "sb read-only 0x40001009: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40001009, "sb read-only 0x40001009: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40003004
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "lw X-only 0x40003004: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "lw X-only 0x40003004: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40003004, "lw X-only 0x40003004: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40003008
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "sw X-only 0x40003008: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "sw X-only 0x40003008: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40003008, "sw X-only 0x40003008: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40001010
7:  amoadd.w s2, s2, (t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "amoadd.w read-only 0x40001010: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "amoadd.w read-only 0x40001010: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40001010, "amoadd.w read-only 0x40001010: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40002000
7:  lr.w s2, (t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "lr.w unmapped 0x40002000: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "lr.w unmapped 0x40002000: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40002000, "lr.w unmapped 0x40002000: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40002000
7:  jalr ra, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000c, "fetch unmapped 0x40002000: mcause"
    lw a1, TR_EPC(s6)
    CHECKED 0x40002000, "fetch unmapped 0x40002000: mepc"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40002000, "fetch unmapped 0x40002000: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000000
7:  jalr ra, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000c, "fetch RW page (no X) 0x40000000: mcause"
    lw a1, TR_EPC(s6)
    CHECKED 0x40000000, "fetch RW page (no X) 0x40000000: mepc"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40000000, "fetch RW page (no X) 0x40000000: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x00001000
7:  jr t0
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000c, "fetch unmapped 0x00001000: mcause"
    lw a1, TR_EPC(s6)
    CHECKED 0x00001000, "fetch unmapped 0x00001000: mepc"
    lw a1, TR_TVAL(s6)
    CHECKED 0x00001000, "fetch unmapped 0x00001000: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40400004
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "lw misaligned megapage 0x40400004: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "lw misaligned megapage 0x40400004: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40400004, "lw misaligned megapage 0x40400004: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40800000
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "lw W-without-R 0x40800000: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "lw W-without-R 0x40800000: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40800000, "lw W-without-R 0x40800000: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40800004
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "sw W-without-R 0x40800004: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "sw W-without-R 0x40800004: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40800004, "sw W-without-R 0x40800004: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40C00000
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "lw invalid PTE with bits 0x40C00000: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "lw invalid PTE with bits 0x40C00000: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40c00000, "lw invalid PTE with bits 0x40C00000: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40005000
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "lw pointer PTE at level 0 0x40005000: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "lw pointer PTE at level 0 0x40005000: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40005000, "lw pointer PTE at level 0 0x40005000: mtval"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== access faults through a valid mapping to no memory =="
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40006004
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000005, "lw 0x40006004 -> 0x90000004: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "lw 0x40006004 -> 0x90000004: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40006004, "lw 0x40006004 -> 0x90000004: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40006008
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000007, "sw 0x40006008 -> 0x90000008: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "sw 0x40006008 -> 0x90000008: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40006008, "sw 0x40006008 -> 0x90000008: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40006000
7:  jalr ra, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000001, "fetch 0x40006000 -> 0x90000000: mcause"
    lw a1, TR_EPC(s6)
    CHECKED 0x40006000, "fetch 0x40006000 -> 0x90000000: mepc"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40006000, "fetch 0x40006000 -> 0x90000000: mtval"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== page faults delegated to S: scause, sepc, stval =="
    .text
    la t0, trap_s
    csrw stvec, t0
    li t0, (1 << 12) | (1 << 13) | (1 << 15)
    csrw medeleg, t0
    la s5, st_area
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    la t0, 3f
    la t1, st_area
    sw t0, TR_RESUME(t1)
    li t0, 0x40002abc
7:  lw s2, 0(t0)
3:  ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x0000000d, "S lw unmapped 0x40002abc: scause"
    lw a1, TR_EPC(s5)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S lw unmapped 0x40002abc: sepc - insn"
    lw a1, TR_TVAL(s5)
    CHECKED 0x40002abc, "S lw unmapped 0x40002abc: stval"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "S lw unmapped 0x40002abc: then ebreak to M"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    la t0, 3f
    la t1, st_area
    sw t0, TR_RESUME(t1)
    li t0, 0x40001ffe
7:  sh s2, 0(t0)
3:  ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x0000000f, "S sh read-only 0x40001ffe: scause"
    lw a1, TR_EPC(s5)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S sh read-only 0x40001ffe: sepc - insn"
    lw a1, TR_TVAL(s5)
    CHECKED 0x40001ffe, "S sh read-only 0x40001ffe: stval"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "S sh read-only 0x40001ffe: then ebreak to M"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    la t0, 3f
    la t1, st_area
    sw t0, TR_RESUME(t1)
    li t0, 0x40002008
7:  jr t0
3:  ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s5)
    CHECKED 0x0000000c, "S fetch unmapped 0x40002008: scause"
    lw a1, TR_EPC(s5)
    CHECKED 0x40002008, "S fetch unmapped 0x40002008: sepc"
    lw a1, TR_TVAL(s5)
    CHECKED 0x40002008, "S fetch unmapped 0x40002008: stval"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "S fetch unmapped 0x40002008: then ebreak to M"
    csrw medeleg, zero
    la a0, 9f
    call say
    .section .rodata
9:  .string "== sfence.vma makes a changed PTE visible =="
    .text
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
    mv a1, s2
    CHECKED 0xaaaa0000, "S lw 0x40000000 before"
    la a0, pt_l0
    li a1, 0x0
    la a2, page_b
    li a3, 0xc7         # remap 0x40000000 -> page_b
    call map
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    sfence.vma zero, zero
    li t0, 0x40000000
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0xbbbb0000, "S lw 0x40000000 after sfence.vma"
    la a0, pt_l0
    li a1, 0
    li a2, 0
    li a3, 0
    call map              # unmap 0x40000000
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000000
    sfence.vma t0, zero
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "S lw after unmapping + sfence.vma addr: mcause"
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
# vcode: one page of code mapped X-only at 0x40003000.
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
page_b:     .space 4096
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
