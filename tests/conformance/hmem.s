# hmem.s -- the hypervisor extension's memory side: two-stage address translation.
# G-stage tables (hgatp Sv32x4: a 16 KiB root, index = GPA[33:22]) and VS-stage tables (vsatp
# Sv32, themselves in guest-physical memory mapped by the G-stage) built at run time. A guest in
# VS-mode (mret with MPP = S, MPV = 1) with vsatp = Bare: loads, stores and fetches through a
# G-stage 4 KiB page onto another host frame and through a 4 MiB G-stage megapage; guest-page
# faults (20 fetch, 21 load, 23 store/AMO) for an unmapped GPA, a G-stage leaf with U = 0, a
# store to a G-stage leaf without W, an AMO, a fetch from a leaf without X, taken in M (mcause,
# mepc, mtval = the guest virtual address, mtval2 = GPA >> 2, mstatush.MPV = GVA = 1) or in HS
# through medeleg (scause, stval, htval, hstatus.SPV/GVA/SPVP). Both stages (vsatp Sv32): a GPA
# above 4 GiB from a VS-stage PTE, translated by the widened root index; VS-stage page faults
# (12/13/15, mtval2 = 0); a G-stage fault on the GPA of a VS-stage leaf and on the read of a
# VS-stage page table (a load: mtval2 = the PTE's GPA >> 2); the VS-stage table's walk with
# hgatp = Bare. A and D bits set in VS-stage and G-stage PTEs (read back by M). HLV.B/BU/H/HU/W,
# HLVX.HU/WU and HSV.B/H/W from M, HS and U (hstatus.HU), hstatus.SPVP against U/S pages and
# vsstatus.SUM, their faults (GVA = 1, MPV/SPV = 0), mstatus.MXR for a VS-stage execute-only
# page, HLVX on execute-only VS-stage pages; from VS-mode a virtual instruction (22).
# vsstatus.MXR in a guest: VS-stage execute-only pages readable. mstatus.MPRV with
# mstatush.MPV = 1: M-mode loads and stores translated by both stages (a VS-stage fault). HFENCE.GVMA and
# HFENCE.VVMA (all, and by address) from HS after a PTE changed; from VS a virtual instruction
# (22), from U an illegal instruction (2).
# Where the spec leaves a choice the values are QEMU 7.2's (said where checked): VMID width,
# mtval2/htval written nonzero, mtinst/htinst written 0, mtval of a virtual instruction (0) and
# of an illegal one (the instruction).
# QEMU 7.2's departures from the spec are left out (hspec_mem.s has them).
# The constants, macros, helpers and tables are in hmem.inc (shared with hspec_mem.s).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    .include "hmem.inc"         # H constants and macros, helpers, tables; stvec, tables built

    HEADING "== hgatp =="
    la t0, g_root
    srli t0, t0, 12
    li t1, 0x80000000 | (0x7f << 22)
    or t0, t0, t1
    csrw hgatp, t0
    csrr a1, hgatp
    la t0, g_root
    srli t0, t0, 12
    sub a1, a1, t0
    li t0, 0x7f << 22
    and s2, a1, t0
    sub a1, a1, s2
    CHECKED 0x80000000, "hgatp: MODE = Sv32x4 and the root PPN read back"
    srli a1, s2, 22
    CHECKED 0x0000007f, "hgatp: VMID bits that hold a 1 (QEMU's choice: 7, all)"
    csrw hgatp, zero
    csrr a1, hgatp
    CHECKED 0x00000000, "hgatp := 0: Bare"
    call hgatp_on
    csrw vsatp, zero
    FENCE_ALL

    HEADING "== G-stage only (vsatp = Bare): a guest in VS-mode =="
    IN 1, 1
    li t0, 0x90000000
    lw s2, 0(t0)
    li t1, 0x12345678
    sw t1, 8(t0)
    lw s3, 8(t0)
    OUT
    mv a1, s2
    CHECKED 0xaaaa0000, "VS lw 0x90000000 (G 4 KiB page -> page_a)"
    mv a1, s3
    CHECKED 0x12345678, "VS sw, lw 0x90000008"
    la t0, page_a
    lw a1, 8(t0)
    CHECKED 0x12345678, "...seen by M at page_a + 8"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "...back in M with ebreak"
    andi a1, s9, MPV            # (GVA: an ebreak's tval is a guest address: see hspec.s)
    CHECKED MPV, "...mstatush MPV (ebreak from VS)"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "...mstatus.MPP (VS)"
    IN 1, 1
    la t0, page_b
    li t1, 0x40000000
    add t0, t0, t1
    lw s2, 0(t0)
    li t1, 0x5555aaaa
    sw t1, 12(t0)
    OUT
    mv a1, s2
    CHECKED 0xbbbb0000, "VS lw through the G-stage megapage 0xC0000000 -> RAM"
    la t0, page_b
    lw a1, 12(t0)
    CHECKED 0x5555aaaa, "VS sw through it: seen by M at page_b + 12"
    IN 1, 1
    li t0, 0x90003000
    jalr ra, 0(t0)
    mv s2, a1
    mv s3, a2
    OUT
    mv a1, s2
    CHECKED 0x00000077, "VS executes at 0x90003000 (G execute-only page)"
    mv a1, s3
    CHECKED 0x90003000, "...auipc there sees the guest address"
    IN 1, 1
    la t0, xcode
    li t1, 0x40000000
    add t0, t0, t1
    jalr ra, 0(t0)
    mv s3, a2
    OUT
    la t0, xcode
    sub a1, s3, t0
    CHECKED 0x40000000, "VS executes through the G megapage: auipc - xcode"

    HEADING "== MXR in a guest: vsstatus.MXR opens VS-stage execute-only pages =="
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    FENCE_ALL
    IN 1, 1
    li t0, MXR
    csrs sstatus, t0            # (V = 1: vsstatus)
    li t0, 0x50005000
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0x00000617, "VS lw VS execute-only page, vsstatus.MXR = 1"
    li t0, MXR
    csrc vsstatus, t0
    csrw vsatp, zero
    FENCE_ALL

    HEADING "== guest-page faults taken in M =="
    IN 1, 1
    li t0, 0x90004010
7:  lw s2, 0(t0)
    OUT
    MFAULT 21, 0x90004010, 0x24001004, MPV | GVA, "VS lw unmapped GPA 0x90004010"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "...mstatus.MPP (VS)"
    mv a1, s10
    CHECKED 0x00000000, "...mtinst (QEMU's choice: 0)"
    IN 1, 1
    li t0, 0x90004ffe
7:  sh s2, 0(t0)
    OUT
    MFAULT 23, 0x90004ffe, 0x240013ff, MPV | GVA, "VS sh unmapped GPA 0x90004ffe"
    IN 1, 1
    li t0, 0x90004000
7:  jalr ra, 0(t0)
    OUT
    MFETCH 20, 0x90004000, 0x24001000, "VS fetch unmapped GPA 0x90004000"
    IN 1, 1
    li t0, 0x40000008
7:  lw s2, 0(t0)
    OUT
    MFAULT 21, 0x40000008, 0x10000002, MPV | GVA, "VS lw 0x40000008 (G root entry invalid)"
    IN 1, 1
    li t0, 0x90002004
7:  lw s2, 0(t0)
    OUT
    MFAULT 21, 0x90002004, 0x24000801, MPV | GVA, "VS lw G leaf with U = 0"
    IN 1, 1
    li t0, 0x90002000
7:  jalr ra, 0(t0)
    OUT
    MFETCH 20, 0x90002000, 0x24000800, "VS fetch G leaf with U = 0"
    IN 1, 1
    li t0, 0x90001008
7:  sw s2, 0(t0)
    OUT
    MFAULT 23, 0x90001008, 0x24000402, MPV | GVA, "VS sw G leaf without W"
    IN 1, 1
    li t0, 0x90001010
7:  amoadd.w s2, s2, (t0)
    OUT
    MFAULT 23, 0x90001010, 0x24000404, MPV | GVA, "VS amoadd.w G leaf without W"
    IN 1, 1
    li t0, 0x90003004
7:  lw s2, 0(t0)
    OUT
    MFAULT 21, 0x90003004, 0x24000c01, MPV | GVA, "VS lw G leaf execute-only"
    IN 1, 1
    li t0, 0x90009000
7:  jalr ra, 0(t0)
    OUT
    MFETCH 20, 0x90009000, 0x24002400, "VS fetch G leaf without X"

    HEADING "== guest-page faults delegated to HS (medeleg 20, 21, 23) =="
    li t0, (1 << 20) | (1 << 21) | (1 << 23)
    csrw medeleg, t0
    csrr a1, medeleg
    CHECKED 0x00b00000, "medeleg: guest-page faults delegable"
    li t0, -1
    csrw hedeleg, t0
    csrr a1, hedeleg
    li t0, 0x00f00e00
    and a1, a1, t0
    CHECKED 0x00000000, "hedeleg bits 9-11 and 20-23 read-only 0"
    csrw hedeleg, zero
    IN 1, 1
    li t0, 0x90004014
7:  lw s2, 0(t0)
    OUT
    HFAULT 21, 0x90004014, 0x24001005, SPV | GVA, "VS lw unmapped GPA 0x90004014"
    lw a1, 12(s5)
    andi a1, a1, SPVP
    CHECKED SPVP, "...hstatus.SPVP (VS)"
    csrr a1, htinst
    CHECKED 0x00000000, "...htinst (QEMU's choice: 0)"
    IN 1, 1
    li t0, 0x90001004
7:  sb s2, 0(t0)
    OUT
    HFAULT 23, 0x90001004, 0x24000401, SPV | GVA, "VS sb G leaf without W"
    IN 1, 1
    li t0, 0x90004008
7:  jalr ra, 0(t0)
    OUT
    la s5, hs_area
    lw a1, 0(s5)
    CHECKED 20, "VS fetch unmapped GPA 0x90004008: scause"
    lw a1, 16(s5)
    CHECKED 0x90004008, "VS fetch unmapped GPA 0x90004008: sepc"
    lw a1, 4(s5)
    CHECKED 0x90004008, "VS fetch unmapped GPA 0x90004008: stval"
    lw a1, 8(s5)
    CHECKED 0x24001002, "VS fetch unmapped GPA 0x90004008: htval"
    lw a1, 12(s5)
    andi a1, a1, SPV | GVA
    CHECKED SPV | GVA, "VS fetch unmapped GPA 0x90004008: hstatus SPV|GVA"
    csrw medeleg, zero

    HEADING "== A and D bits: G-stage only =="
    FLAGS g_l0, 7
    CHECKED 0x00000017, "G PTE 0x90007000 before: U W R V"
    IN 1, 1
    li t0, 0x90007000
    lw s2, 0(t0)
    OUT
    FLAGS g_l0, 7
    CHECKED 0x00000057, "G PTE after a VS load: A set"
    IN 1, 1
    li t0, 0x90007000
    sw s2, 0x10(t0)
    OUT
    FLAGS g_l0, 7
    CHECKED 0x000000d7, "G PTE after a VS store: A and D set"
    FLAGS g_root, 0x240
    CHECKED 0x00000001, "G pointer PTE untouched"

    HEADING "== both stages (vsatp Sv32, its tables in guest-physical memory) =="
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    csrr a1, vsatp
    CHECKED 0x80000000 | (VSROOT_GPA >> 12), "vsatp reads back"
    FENCE_ALL
    IN 1, 1
    li t0, 0x50000000
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0xaaaa0000, "VS lw 0x50000000 (VS -> GPA 0x90008000, G -> page_a)"
    FLAGS vs_l0, 0
    CHECKED 0x00000047, "...VS PTE: A set"
    FLAGS g_l0, 8
    CHECKED 0x00000057, "...G PTE of the data: A set"
    FLAGS vs_root, 0x140
    CHECKED 0x00000001, "...VS pointer PTE untouched"
    FLAGS g_l0, 0x11
    andi a1, a1, 0x40
    CHECKED 0x00000040, "...G PTE of the VS leaf table: A set"
    IN 1, 1
    li t0, 0x50000000
    sw s2, 0x14(t0)
    OUT
    FLAGS vs_l0, 0
    CHECKED 0x000000c7, "VS sw 0x50000014: VS PTE A and D set"
    FLAGS g_l0, 8
    CHECKED 0x000000d7, "...G PTE of the data: A and D set"
    la t0, page_a
    lw a1, 0x14(t0)
    CHECKED 0xaaaa0000, "...seen by M at page_a + 0x14"
    IN 1, 1
    li t0, 0x50003000
7:  lw s2, 0(t0)
    OUT
    MFAULT 13, 0x50003000, 0, MPV | GVA, "VS lw invalid VS PTE"
    IN 1, 1
    li t0, 0x50009004
7:  sw s2, 0(t0)
    OUT
    MFAULT 15, 0x50009004, 0, MPV | GVA, "VS sw VS read-only page"
    IN 1, 1
    li t0, 0x50004000
7:  lw s2, 0(t0)
    OUT
    MFAULT 13, 0x50004000, 0, MPV | GVA, "VS lw VS U page (SUM = 0)"
    IN 1, 1
    li t0, 0x50003000
7:  jalr ra, 0(t0)
    OUT
    MFETCH 12, 0x50003000, 0, "VS fetch invalid VS PTE"
    IN 1, 1
    li t0, 0x5000200c
7:  lw s2, 0(t0)
    OUT
    MFAULT 21, 0x5000200c, 0x24001003, MPV | GVA, "VS lw: VS ok, GPA 0x9000400c unmapped"
    IN 1, 1
    li t0, 0x50008004
7:  sw s2, 0(t0)
    OUT
    MFAULT 23, 0x50008004, 0x24000401, MPV | GVA, "VS sw: VS ok, G leaf without W"
    IN 1, 1
    li t0, 0x50403008
7:  lw s2, 0(t0)
    OUT
    MFAULT 21, 0x50403008, 0x24005003, MPV | GVA, "VS lw: VS table at GPA 0x90014000 unmapped"
    li t0, (1 << 12) | (1 << 13) | (1 << 15)
    csrw medeleg, t0
    IN 1, 1
    li t0, 0x50003008
7:  lw s2, 0(t0)
    OUT
    HFAULT 13, 0x50003008, 0, SPV | GVA, "VS lw invalid VS PTE, delegated"
    csrw medeleg, zero
    la t0, vs_bare
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw vsatp, t0
    csrw hgatp, zero
    FENCE_ALL
    IN 1, 1
    la t0, page_b
    li t1, 0x10000000
    add t0, t0, t1
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0xbbbb0000, "hgatp Bare, VS table in host memory: VS lw 0x90000000 + page_b"
    call hgatp_on
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    FENCE_ALL

    HEADING "== HLV / HSV from M (both stages; HS satp = Sv32 identity) =="
    call satp_on                # (QEMU 7.2 reports VS-stage faults of HLV/HSV/MPRV as page
                                # faults only when HS's satp is not Bare: see hspec_mem.s)
    li t0, SPVP
    csrs hstatus, t0
    FENCE_ALL
    li t0, 0x50000020
    hlv.b a1, (t0)
    CHECKED 0xfffffff3, "hlv.b 0x50000020"
    li t0, 0x50000020
    hlv.bu a1, (t0)
    CHECKED 0x000000f3, "hlv.bu 0x50000020"
    li t0, 0x50000022
    hlv.h a1, (t0)
    CHECKED 0xffff8081, "hlv.h 0x50000022"
    li t0, 0x50000022
    hlv.hu a1, (t0)
    CHECKED 0x00008081, "hlv.hu 0x50000022"
    li t0, 0x50000020
    hlv.w a1, (t0)
    CHECKED 0x8081f2f3, "hlv.w 0x50000020"
    li t0, 0x50000030
    li t1, 0x11223344
    hsv.w t1, (t0)
    li t0, 0x50000034
    li t1, 0x5566
    hsv.h t1, (t0)
    li t0, 0x50000036
    li t1, 0x77
    hsv.b t1, (t0)
    la t0, page_a
    lw a1, 0x30(t0)
    CHECKED 0x11223344, "hsv.w 0x50000030: seen by M"
    la t0, page_a
    lw a1, 0x34(t0)
    CHECKED 0x00775566, "hsv.h 0x50000034, hsv.b 0x50000036: seen by M"
    li t0, SUM
    csrs vsstatus, t0
    FENCE_ALL
    li t0, 0x50004000
    hlv.w a1, (t0)
    CHECKED 0xaaaa0000, "hlv.w U page, SPVP = 1, vsstatus.SUM = 1"
    li t0, SUM
    csrc vsstatus, t0
    li t0, SPVP
    csrc hstatus, t0
    FENCE_ALL
    li t0, 0x50004000
    hlv.w a1, (t0)
    CHECKED 0xaaaa0000, "hlv.w U page, SPVP = 0"
    MTRY
    li t0, 0x50000000
7:  hlv.w s2, (t0)
    MDONE
    MFAULT 13, 0x50000000, 0, GVA, "hlv.w S page, SPVP = 0"
    li t0, SPVP
    csrs hstatus, t0
    FENCE_ALL
    MTRY
    li t0, 0x50003010
7:  hlv.w s2, (t0)
    MDONE
    MFAULT 13, 0x50003010, 0, GVA, "hlv.w invalid VS PTE"
    MTRY
    li t0, 0x50002010
7:  hlv.w s2, (t0)
    MDONE
    MFAULT 21, 0x50002010, 0x24001004, GVA, "hlv.w: GPA unmapped"
    MTRY
    li t0, 0x50008000
7:  hsv.w s2, (t0)
    MDONE
    MFAULT 23, 0x50008000, 0x24000400, GVA, "hsv.w: G leaf without W"
    MTRY
    li t0, 0x50009000
7:  hsv.b s2, (t0)
    MDONE
    MFAULT 15, 0x50009000, 0, GVA, "hsv.b: VS read-only page"
    MTRY
    li t0, 0x50005000
7:  hlv.w s2, (t0)
    MDONE
    MFAULT 13, 0x50005000, 0, GVA, "hlv.w VS execute-only page"
    li t0, MXR
    csrs mstatus, t0
    FENCE_ALL
    li t0, 0x50005000
    hlv.w a1, (t0)
    CHECKED 0x00000617, "hlv.w VS execute-only page, mstatus.MXR = 1"
    li t0, MXR
    csrc mstatus, t0
    FENCE_ALL
    li t0, 0x50005000
    hlvx.wu a1, (t0)
    CHECKED 0x00000617, "hlvx.wu VS execute-only page (G: U X W R)"
    li t0, 0x50005000
    hlvx.hu a1, (t0)
    CHECKED 0x00000617, "hlvx.hu VS execute-only page"

    HEADING "== HLV / HLVX from M with vsatp = Bare: G-stage permissions =="
    csrw vsatp, zero
    FENCE_ALL
    li t0, 0x90006000
    hlvx.wu a1, (t0)
    CHECKED 0x00000617, "hlvx.wu 0x90006000 (G: U X W R)"
    li t0, 0x90006000
    hlv.w a1, (t0)
    CHECKED 0x00000617, "hlv.w 0x90006000 (G: U X W R)"
    MTRY
    li t0, 0x90003000
7:  hlv.w s2, (t0)
    MDONE
    MFAULT 21, 0x90003000, 0x24000c00, GVA, "hlv.w G execute-only page"
    MTRY
    li t0, 0x90002000
7:  hlv.w s2, (t0)
    MDONE
    MFAULT 21, 0x90002000, 0x24000800, GVA, "hlv.w G leaf with U = 0"
    MTRY
    li t0, 0x90001000
7:  hsv.w s2, (t0)
    MDONE
    MFAULT 23, 0x90001000, 0x24000400, GVA, "hsv.w G leaf without W"
    li t0, 0x90000000
    hlv.w a1, (t0)
    CHECKED 0xaaaa0000, "hlv.w 0x90000000, SPVP = 1 (G leaves are user pages)"
    li t0, SPVP
    csrc hstatus, t0
    FENCE_ALL
    li t0, 0x90000000
    hlv.w a1, (t0)
    CHECKED 0xaaaa0000, "hlv.w 0x90000000, SPVP = 0"

    HEADING "== HLV from HS, U and VS =="
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    li t0, SPVP
    csrs hstatus, t0
    FENCE_ALL
    IN 1, 0
    li t0, 0x50000020
    hlv.w s2, (t0)
    OUT
    mv a1, s2
    CHECKED 0x8081f2f3, "HS hlv.w 0x50000020"
    IN 1, 0
    li t0, 0x50003004
7:  hlv.w s2, (t0)
    OUT
    MFAULT 13, 0x50003004, 0, GVA, "HS hlv.w invalid VS PTE, taken in M"
    lw a1, TR_STATUS(s6)
    srli a1, a1, 11
    andi a1, a1, 3
    CHECKED 0x00000001, "...mstatus.MPP (HS)"
    li t0, (1 << 21)
    csrw medeleg, t0
    IN 1, 0
    li t0, 0x5000200c
7:  hlv.w s2, (t0)
    OUT
    HFAULT 21, 0x5000200c, 0x24001003, GVA, "HS hlv.w GPA unmapped, delegated"
    csrw medeleg, zero
    csrw satp, zero
    FENCE_ALL
    IN 0, 0
    li t0, 0x50000020
7:  hlv.w s2, (t0)
    OUT
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U hlv.w, hstatus.HU = 0: mcause (illegal)"
    li t0, HU
    csrs hstatus, t0
    IN 0, 0
    li t0, 0x50000020
    hlv.w s2, (t0)
    OUT
    mv a1, s2
    CHECKED 0x8081f2f3, "U hlv.w, hstatus.HU = 1"
    li t0, HU
    csrc hstatus, t0
    IN 1, 1
    li t0, 0x50000020
7:  hlv.w s2, (t0)
    OUT
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000016, "VS hlv.w: mcause (virtual instruction)"

    HEADING "== MPRV with MPV = 1: M's loads and stores through both stages =="
    call satp_on
    FENCE_ALL
    MTRY
    li t0, MPV
    csrs mstatush, t0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, MPRV | 0x800
    csrs mstatus, t0
    li t0, 0x50000020
    lw s2, 0(t0)
    li t0, 0x50000040
    li t1, 0x0badcafe
    sw t1, 0(t0)
    MDONE
    mv a1, s2
    CHECKED 0x8081f2f3, "MPRV, MPP = S, MPV = 1: lw 0x50000020"
    la t0, page_a
    lw a1, 0x40(t0)
    CHECKED 0x0badcafe, "MPRV, MPP = S, MPV = 1: sw 0x50000040, seen at page_a + 0x40"
    MTRY
    li t0, MPV
    csrs mstatush, t0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, MPRV
    csrs mstatus, t0
    li t0, 0x50004000
    lw s2, 0(t0)
    MDONE
    mv a1, s2
    CHECKED 0xaaaa0000, "MPRV, MPP = U, MPV = 1: lw U page 0x50004000"
    MTRY
    li t0, MPV
    csrs mstatush, t0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, MPRV
    csrs mstatus, t0
    li t0, 0x50000000
7:  lw s2, 0(t0)
    MDONE
    MFAULT 13, 0x50000000, 0, GVA, "MPRV, MPP = U, MPV = 1: lw S page"
    li t0, MPV
    csrc mstatush, t0
    csrw satp, zero
    FENCE_ALL
    HEADING "== HFENCE.GVMA / HFENCE.VVMA from HS =="
    csrw vsatp, zero
    FENCE_ALL
    IN 1, 1
    li t0, 0x90005000
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0xcccc0000, "VS lw 0x90005000 (G -> page_c)"
    PTE g_l0, 5, page_b, 0xd7
    IN 1, 0
    hfence.gvma zero, zero
    li t0, 0x90005000
    hlv.w s2, (t0)
    OUT
    mv a1, s2
    CHECKED 0xbbbb0000, "G PTE -> page_b, HS hfence.gvma zero, zero: hlv.w"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "...HS hfence.gvma did not trap (ebreak)"
    IN 1, 1
    li t0, 0x90005000
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0xbbbb0000, "...VS lw 0x90005000"
    PTE g_l0, 5, page_c, 0xd7
    IN 1, 0
    li t0, 0x90005000 >> 2
    hfence.gvma t0, zero
    li t0, 0x90005000
    hlv.w s2, (t0)
    OUT
    mv a1, s2
    CHECKED 0xcccc0000, "G PTE -> page_c, HS hfence.gvma GPA >> 2: hlv.w"
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    FENCE_ALL
    IN 1, 1
    li t0, 0x50006000
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0xaaaa0000, "VS lw 0x50006000 (VS -> GPA 0x90000000)"
    PTEG vs_l0, 6, 0x90001000, 0xc7
    IN 1, 0
    hfence.vvma zero, zero
    li t0, 0x50006000
    hlv.w s2, (t0)
    OUT
    mv a1, s2
    CHECKED 0xbbbb0000, "VS PTE -> GPA 0x90001000, HS hfence.vvma zero, zero: hlv.w"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "...HS hfence.vvma did not trap (ebreak)"
    IN 1, 1
    li t0, 0x50006000
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0xbbbb0000, "...VS lw 0x50006000"
    PTEG vs_l0, 6, 0x90005000, 0xc7
    IN 1, 0
    li t0, 0x50006000
    hfence.vvma t0, zero
    hlv.w s2, (t0)
    OUT
    mv a1, s2
    CHECKED 0xcccc0000, "VS PTE -> GPA 0x90005000, HS hfence.vvma addr: hlv.w"
    csrw vsatp, zero
    FENCE_ALL
    IN 1, 1
7:  hfence.vvma zero, zero
    OUT
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000016, "VS hfence.vvma: mcause (virtual instruction)"
    IN 1, 1
7:  hfence.gvma zero, zero
    OUT
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000016, "VS hfence.gvma: mcause (virtual instruction)"
    IN 0, 0
7:  hfence.gvma zero, zero
    OUT
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U hfence.gvma: mcause (illegal instruction)"
    lw a1, TR_TVAL(s6)
    CHECKED 0x62000073, "U hfence.gvma: mtval (the instruction, QEMU's choice)"
    IN 0, 0
7:  hfence.vvma zero, zero
    OUT
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "U hfence.vvma: mcause (illegal instruction)"

    csrw hgatp, zero
    csrw vsatp, zero
    FENCE_ALL
    li t0, MPV
    csrc mstatush, t0
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
