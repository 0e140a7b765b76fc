# sv32_perm.s -- Sv32 permission checks: the U bit, SUM, MXR, MPRV.
# U-mode: loads/stores/fetches on U pages work, on S pages fault (13/15/12), stores to a U
# read-only page fault. S-mode: U pages fault without SUM, loads/stores work with SUM, fetches
# from U pages fault even with SUM. MXR: loads from execute-only pages fault without it, work
# with it (S and U), stores still fault. MPRV: M-mode loads and stores translated and checked as
# MPP (S, U, with SUM), a fault reported to M with mtval; MPP = M means untranslated.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    call zero_tables
    la a0, pt_root
    li a1, 0x200
    li a2, 0x80000000
    li a3, 0xcf         # identity megapage for RAM (not U)
    call map
    la a0, pt_root
    li a1, 0x300
    li a2, 0x80000000
    li a3, 0x5b         # 0xC0000000: RAM for U-mode code (U, R X)
    call map
    la a0, pt_root
    li a1, 0x100
    la a2, pt_l0
    li a3, 0x1         # 0x40000000: second-level table
    call map
    la a0, pt_l0
    li a1, 0x0
    la a2, page_u
    li a3, 0xd7         # 0x40000000: U RW
    call map
    la a0, pt_l0
    li a1, 0x1
    la a2, page_s
    li a3, 0xc7         # 0x40001000: S RW
    call map
    la a0, pt_l0
    li a1, 0x2
    la a2, page_s
    li a3, 0x49         # 0x40002000: S X-only
    call map
    la a0, pt_l0
    li a1, 0x3
    la a2, page_u
    li a3, 0x59         # 0x40003000: U X-only
    call map
    la a0, pt_l0
    li a1, 0x4
    la a2, vcode
    li a3, 0x5b         # 0x40004000: U code
    call map
    la a0, pt_l0
    li a1, 0x5
    la a2, page_u
    li a3, 0x53         # 0x40005000: U R-only
    call map
    la t0, page_u
    li t1, 0x0000aaaa
    sw t1, 0(t0)
    la t0, page_s
    li t1, 0x0000bbbb
    sw t1, 0(t0)
    la t0, pt_root
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0               # Sv32, ASID 0, root = pt_root
    sfence.vma zero, zero
    la a0, 9f
    call say
    .section .rodata
9:  .string "== U-mode and the U bit =="
    .text
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000000
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0x0000aaaa, "U lw U page"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "...returned with ebreak from U"
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000004
    li t1, 0x1234
    sw t1, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    la t0, page_u
    lw a1, 4(t0)
    CHECKED 0x00001234, "U sw U page: seen by M"
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40001000
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "U lw S page: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x40000000, "U lw S page: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40001000, "U lw S page: mtval"
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40001004
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "U sw S page: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x40000000, "U sw S page: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40001004, "U sw S page: mtval"
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40005008
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "U sw U read-only page: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x40000000, "U sw U read-only page: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40005008, "U sw U read-only page: mtval"
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40004000
    jalr ra, 0(t0)
    mv s2, a1
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0x00000077, "U executes U code page"
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40002000
7:  jalr ra, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000c, "U fetch S X page: mcause"
    lw a1, TR_EPC(s6)
    CHECKED 0x40002000, "U fetch S X page: mepc"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40002000, "U fetch S X page: mtval"
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    la t0, 1f
    li t1, 0x40000000
    sub t0, t0, t1
    jr t0
1:  nop
7:  nop
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000c, "U fetch S megapage: mcause"
    lw a1, TR_TVAL(s6)
    lw t0, TR_EPC(s6)
    sub a1, a1, t0
    CHECKED 0x00000000, "U fetch S megapage: mtval = mepc"
    lw a1, TR_TVAL(s6)
    la t0, 1b
    sub a1, a1, t0
    CHECKED 0x00000000, "U fetch S megapage: mtval - 1b"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== S-mode and SUM =="
    .text
    li t0, 0x000e0000
    csrc mstatus, t0
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000000
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "S lw U page, SUM=0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S lw U page, SUM=0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40000000, "S lw U page, SUM=0: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000000
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "S sw U page, SUM=0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S sw U page, SUM=0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40000000, "S sw U page, SUM=0: mtval"
    li t0, 0x000e0000
    csrc mstatus, t0
    li t0, 0x00040000
    csrs mstatus, t0
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000000
    lw s2, 0(t0)
    li t1, 0x5678
    sw t1, 8(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0x0000aaaa, "S lw U page, SUM=1"
    la t0, page_u
    lw a1, 8(t0)
    CHECKED 0x00005678, "S sw U page, SUM=1: seen by M"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40004000
7:  jalr ra, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000c, "S fetch U page, SUM=1: mcause"
    lw a1, TR_EPC(s6)
    CHECKED 0x40004000, "S fetch U page, SUM=1: mepc"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40004000, "S fetch U page, SUM=1: mtval"
    li t0, 0x000e0000
    csrc mstatus, t0
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40004000
7:  jalr ra, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000c, "S fetch U page, SUM=0: mcause"
    lw a1, TR_EPC(s6)
    CHECKED 0x40004000, "S fetch U page, SUM=0: mepc"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40004000, "S fetch U page, SUM=0: mtval"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== MXR =="
    .text
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40002000
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "S lw X-only page, MXR=0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S lw X-only page, MXR=0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40002000, "S lw X-only page, MXR=0: mtval"
    li t0, 0x000e0000
    csrc mstatus, t0
    li t0, 0x00080000
    csrs mstatus, t0
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40002000
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0x0000bbbb, "S lw X-only page, MXR=1"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40002000
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "S sw X-only page, MXR=1: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x00000000, "S sw X-only page, MXR=1: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40002000, "S sw X-only page, MXR=1: mtval"
    li t0, 0x000e0000
    csrc mstatus, t0
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40003000
7:  lw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "U lw U X-only page, MXR=0: mcause"
    lw a1, TR_EPC(s6)
    la t0, 7b
    sub a1, a1, t0
    CHECKED 0x40000000, "U lw U X-only page, MXR=0: mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40003000, "U lw U X-only page, MXR=0: mtval"
    li t0, 0x000e0000
    csrc mstatus, t0
    li t0, 0x00080000
    csrs mstatus, t0
    la a0, 5f
    li t0, 0x40000000
    add a0, a0, t0
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40003000
    lw s2, 0(t0)
7:  nop
    ebreak
6:  la s6, tr_area
    mv a1, s2
    CHECKED 0x0000aaaa, "U lw U X-only page, MXR=1"
    li t0, 0x000e0000
    csrc mstatus, t0
    la a0, 9f
    call say
    .section .rodata
9:  .string "== MPRV: M-mode loads and stores as MPP =="
    .text
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    li t0, 0x40001000
    li t1, 0x00020800
    li s2, 0
    csrs mstatus, t1
8:  lw s2, 0(t0)
    csrc mstatus, t1
    mv a1, s2
    CHECKED 0x0000bbbb, "M lw 0x40001000, MPRV=1 MPP=S"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000000, "...no trap"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    li t0, 0x40000000
    li t1, 0x00020000
    li s2, 0
    csrs mstatus, t1
8:  lw s2, 0(t0)
    csrc mstatus, t1
    mv a1, s2
    CHECKED 0x0000aaaa, "M lw U page, MPRV=1 MPP=U"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    li t0, 0x40001000
    li t1, 0x00020000
    li s2, 0
    csrs mstatus, t1
8:  lw s2, 0(t0)
    csrc mstatus, t1
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000d, "M lw S page, MPRV=1 MPP=U: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "...mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40001000, "...mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    li t0, 0x40000000
    li t1, 0x00020800
    li s2, 0
    csrs mstatus, t1
8:  sw s2, 0(t0)
    csrc mstatus, t1
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000f, "M sw U page, MPRV=1 MPP=S SUM=0: mcause"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    li t0, 0x40000000
    li t1, 0x00060800
    li s2, 0
    csrs mstatus, t1
8:  lw s2, 0(t0)
    csrc mstatus, t1
    mv a1, s2
    CHECKED 0x0000aaaa, "M lw U page, MPRV=1 MPP=S SUM=1"
    la s7, page_s
    la s6, tr_area
    lw s10, TR_COUNT(s6)
    li t0, 0x00000000
    li t1, 0x00021800
    li s2, 0
    csrs mstatus, t1
8:  lw s2, 0(s7)
    csrc mstatus, t1
    mv a1, s2
    CHECKED 0x0000bbbb, "M lw physical page_s, MPRV=1 MPP=M"
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000000, "...no traps in the last two"
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
# vcode: one page of code, mapped for U at 0x40004000.
vcode:
    auipc a2, 0
    li a1, 0x77
    ret
    .balign 4096

    .bss
    .balign 4096
pt_root:    .space 4096
pt_l0:      .space 4096
page_u:     .space 4096
page_s:     .space 4096
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
