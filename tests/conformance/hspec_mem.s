# hspec_mem.s -- hypervisor-extension memory rules (two-stage translation) QEMU 7.2 breaks:
# expected output written by hand. Each section is a rule of the RISC-V privileged spec (1.12,
# chapter 8 "Hypervisor Extension" unless said otherwise) that QEMU 7.2 (qemu-system-riscv32
# -cpu rv32,...,h=true) does not follow, so this program's expected result (hspec_mem.expected:
# every check ok) comes from the spec, not from QEMU (QEMU's exit status is kept in
# expected.json; its output is not compared). QEMU's actual value in brackets. The tables and
# pages are hmem.s's (hmem.inc: build_tables has the map); every section sets up what it needs
# and runs from M, most with a guest in VS-mode. The CSR and trap rules are in hspec.s.
# G-stage translation (8.5.1 Guest Physical Address Translation, 8.5.2 Guest-Page Faults):
#  - Sv32x4 translates a 34-bit GPA, root index GPA[33:22]: GPA 0x1_0000_0000 + x goes through
#    root entry 0x400 [guest-page fault 21: the walk used GPA[31:0], root entry 0].
#  - a GPA above 4 GiB whose root entry is invalid (0x600) is a guest-page fault, mtval2 =
#    GPA >> 2 [no fault: bits 33:32 dropped, RAM at 0x80000010 read].
#  - the G-stage checks the implicit accesses of the VS-stage walk as implicit loads and stores:
#    writing a VS PTE's A bit sets D in the G-stage leaf of the table's frame [A only: 0x57].
#  - a G-stage fault on a VS page-table read is reported for the original access type: 23 for a
#    store, 20 for a fetch [21 for both].
#  - with hgatp = Bare the GPA is the physical address, 34 bits on RV32: a VS-stage PTE giving
#    GPA 0x1_8000_0000 + x, where this board has no memory, is a load access fault (5, mtval =
#    the guest virtual address, mtval2 = 0, MPV = GVA = 1) [bits 33:32 dropped: RAM at
#    0x80000000 + x read, no fault].
# HLV / HLVX / HSV (8.3.1 Hypervisor Virtual-Machine Load and Store Instructions, 8.2.11
# vsstatus):
#  - with hstatus.SPVP = 1 a U page is accessible only with vsstatus.SUM = 1: SUM = 0 gives a
#    load page fault 13 [the load is done: SUM ignored for HLV].
#  - vsstatus.MXR makes a VS-stage execute-only page readable [13: not consulted from V = 0].
#  - vsstatus.MXR does not open a G-stage execute-only page: guest-page fault 21 [read].
#  - mstatus.MXR (HS level) opens G-stage execute-only pages too [guest-page fault 21].
#  - HLVX needs X, not R, in both stages: a G execute-only page is read, a G read-only page
#    without X is a guest-page fault 21 [the other way round].
#  - a VS-stage fault of HLV/HSV is a page fault (13/15) whatever HS's satp holds [access faults
#    5 and 7 when satp is Bare].
# MPRV with MPV = 1 (8.4.1 mstatus): M's loads and stores translated as in VS; a G-stage fault is
#   a guest-page fault, 21 / 23 [page faults 13 / 15, mtval2 written nonetheless].
# VU-mode hfence.vvma (8.6.1, virtual-instruction exceptions): virtual instruction 22 [illegal 2].
# hgatp (8.2.10): with Sv32x4 PPN[1:0] read zero (the root is 16 KiB-aligned) [kept] (as in
#   hspec.s, here with the root's own PPN).
# MXR in a guest's own loads (8.2.11 vsstatus):
#  - mstatus.MXR opens execute-only pages of both stages [QEMU's result depends on the MXR bits
#    it swaps between mstatus and vsstatus at V changes; in this section's order it happens to
#    give the spec's values].
#  - vsstatus.MXR (the guest's sstatus.MXR), already set when the guest is entered, does not
#    open a G-stage execute-only page: guest-page fault 21 [the load is done].

    .include "start.inc"        # constants, _start: stack, mtvec, PMP
    .include "hmem.inc"         # H constants and macros, helpers, tables; stvec, tables built

# 1. GPA above 4 GiB through the widened root index
    HEADING "== GPA above 4 GiB through the widened root index =="
    call hgatp_on
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    csrw satp, zero
    FENCE_ALL
    IN 1, 1
    li t0, 0x50001004
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0xbbbb0004, "VS lw 0x50001004: GPA 0x1_0000_0000 + page_b + 4 - 0x80000000 -> page_b"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000003, "...no fault (ebreak)"

# 2. unmapped GPA above 4 GiB
    HEADING "== unmapped GPA above 4 GiB =="
    call hgatp_on
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    csrw satp, zero
    FENCE_ALL
    IN 1, 1
    li t0, 0x50007010
7:  lw s2, 0(t0)
    OUT
    MFAULT 21, 0x50007010, 0x60000004, MPV | GVA, "VS lw: GPA 0x1_8000_0010 unmapped"

# 3. G-stage D bit of a VS page table's frame
    HEADING "== G-stage D bit of a VS page table's frame =="
    PTEG vs_l0, 0, 0x90008000, 0x07   # VS PTE: A = D = 0
    PTE g_l0, 0x11, vs_l0, 0x17       # G PTE of vs_l0's frame: A = D = 0
    call hgatp_on
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    csrw satp, zero
    FENCE_ALL
    IN 1, 1
    li t0, 0x50000000
    lw s2, 0(t0)
    OUT
    FLAGS vs_l0, 0
    CHECKED 0x00000047, "VS lw 0x50000000: VS PTE A set"
    FLAGS g_l0, 0x11
    CHECKED 0x000000d7, "...G PTE of the VS leaf table: A and D set"

# 4. G-stage fault on a VS page-table read: reported with the original access type
    HEADING "== G-stage fault on a VS page-table read: reported with the original access type =="
    call hgatp_on
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    csrw satp, zero
    FENCE_ALL
    IN 1, 1
    li t0, 0x50403008
7:  sw s2, 0(t0)
    OUT
    MFAULT 23, 0x50403008, 0x24005003, MPV | GVA, "VS sw: VS table at GPA 0x90014000 unmapped"
    IN 1, 1
    li t0, 0x50403000
7:  jalr ra, 0(t0)
    OUT
    MFETCH 20, 0x50403000, 0x24005003, "VS fetch: VS table at GPA 0x90014000 unmapped"

# 5. HLV and vsstatus.SUM
    HEADING "== HLV and vsstatus.SUM =="
    call hgatp_on
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    csrw satp, zero
    FENCE_ALL
    call satp_on
    li t0, SPVP
    csrs hstatus, t0
    li t0, SUM
    csrc vsstatus, t0
    FENCE_ALL
    MTRY
    li t0, 0x50004000
7:  hlv.w s2, (t0)
    MDONE
    MFAULT 13, 0x50004000, 0, GVA, "hlv.w U page, SPVP = 1, vsstatus.SUM = 0"
    csrw satp, zero

# 6. HLV and vsstatus.MXR (VS-stage)
    HEADING "== HLV and vsstatus.MXR (VS-stage) =="
    call hgatp_on
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    csrw satp, zero
    FENCE_ALL
    call satp_on
    li t0, SPVP
    csrs hstatus, t0
    li t0, MXR
    csrs vsstatus, t0
    FENCE_ALL
    li t0, 0x50005000
    hlv.w a1, (t0)
    CHECKED 0x00000617, "hlv.w VS execute-only page, vsstatus.MXR = 1"
    li t0, MXR
    csrc vsstatus, t0
    csrw satp, zero

# 7. HLV and vsstatus.MXR (G-stage)
    HEADING "== HLV and vsstatus.MXR (G-stage) =="
    call hgatp_on
    csrw vsatp, zero
    csrw satp, zero
    FENCE_ALL
    li t0, SPVP
    csrs hstatus, t0
    li t0, MXR
    csrs vsstatus, t0
    FENCE_ALL
    MTRY
    li t0, 0x90003000
7:  hlv.w s2, (t0)
    MDONE
    MFAULT 21, 0x90003000, 0x24000c00, GVA, "hlv.w G execute-only page, vsstatus.MXR = 1"
    li t0, MXR
    csrc vsstatus, t0

# 8. HLV and mstatus.MXR (G-stage)
    HEADING "== HLV and mstatus.MXR (G-stage) =="
    call hgatp_on
    csrw vsatp, zero
    csrw satp, zero
    FENCE_ALL
    li t0, SPVP
    csrs hstatus, t0
    li t0, MXR
    csrs mstatus, t0
    FENCE_ALL
    li t0, 0x90003000
    hlv.w a1, (t0)
    CHECKED 0x00000617, "hlv.w G execute-only page, mstatus.MXR = 1"
    li t0, MXR
    csrc mstatus, t0

# 9. HLVX needs execute permission, not read
    HEADING "== HLVX needs execute permission, not read =="
    call hgatp_on
    csrw vsatp, zero
    csrw satp, zero
    FENCE_ALL
    li t0, SPVP
    csrs hstatus, t0
    li t0, 0x90003000
    hlvx.wu a1, (t0)
    CHECKED 0x00000617, "hlvx.wu G execute-only page"
    MTRY
    li t0, 0x90009000
7:  hlvx.wu s2, (t0)
    MDONE
    MFAULT 21, 0x90009000, 0x24002400, GVA, "hlvx.wu G read-only page (no X)"

# 10. VS-stage faults of HLV/HSV while HS's satp is Bare
    HEADING "== VS-stage faults of HLV/HSV while HS's satp is Bare =="
    call hgatp_on
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    csrw satp, zero
    FENCE_ALL
    li t0, SPVP
    csrs hstatus, t0
    MTRY
    li t0, 0x50003000
7:  hlv.w s2, (t0)
    MDONE
    MFAULT 13, 0x50003000, 0, GVA, "hlv.w invalid VS PTE, satp = Bare"
    MTRY
    li t0, 0x50009000
7:  hsv.w s2, (t0)
    MDONE
    MFAULT 15, 0x50009000, 0, GVA, "hsv.w VS read-only page, satp = Bare"

# 11. MPRV with MPV = 1: G-stage faults are guest-page faults
    HEADING "== MPRV with MPV = 1: G-stage faults are guest-page faults =="
    call hgatp_on
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    csrw satp, zero
    FENCE_ALL
    call satp_on
    FENCE_ALL
    MTRY
    li t0, MPV
    csrs mstatush, t0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, MPRV | 0x800
    csrs mstatus, t0
    li t0, 0x5000200c
7:  lw s2, 0(t0)
    MDONE
    MFAULT 21, 0x5000200c, 0x24001003, GVA, "MPRV, MPP = S, MPV = 1: lw GPA unmapped"
    MTRY
    li t0, MPV
    csrs mstatush, t0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, MPRV | 0x800
    csrs mstatus, t0
    li t0, 0x50002018
7:  sw s2, 0(t0)
    MDONE
    MFAULT 23, 0x50002018, 0x24001006, GVA, "MPRV, MPP = S, MPV = 1: sw GPA unmapped"
    li t0, MPV
    csrc mstatush, t0
    csrw satp, zero

# 12. HFENCE in VU-mode
    HEADING "== HFENCE in VU-mode =="
    call hgatp_on
    csrw vsatp, zero
    csrw satp, zero
    FENCE_ALL
    IN 0, 1
7:  hfence.vvma zero, zero
    OUT
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000016, "VU hfence.vvma: mcause (virtual instruction)"

# 13. hgatp.PPN[1:0] in Sv32x4
    HEADING "== hgatp.PPN[1:0] in Sv32x4 =="
    la t0, g_root
    srli t0, t0, 12
    ori t0, t0, 3
    li t1, 0x80000000
    or t0, t0, t1
    csrw hgatp, t0
    csrr a1, hgatp
    la t0, g_root
    srli t0, t0, 12
    sub a1, a1, t0
    CHECKED 0x80000000, "hgatp := Sv32x4, PPN | 3: read back - PPN"
    call hgatp_on

# 14. mstatus.MXR for a guest's own loads
    HEADING "== mstatus.MXR for a guest's own loads =="
    call hgatp_on
    csrw vsatp, zero
    csrw satp, zero
    FENCE_ALL
    li t0, MXR
    csrc vsstatus, t0
    csrs mstatus, t0
    FENCE_ALL
    IN 1, 1
    li t0, 0x90003000
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0x00000617, "VS lw G execute-only page, mstatus.MXR = 1"
    li t0, 0x80000000 | (VSROOT_GPA >> 12)
    csrw vsatp, t0
    FENCE_ALL
    IN 1, 1
    li t0, 0x50005000
    lw s2, 0(t0)
    OUT
    mv a1, s2
    CHECKED 0x00000617, "VS lw VS execute-only page, mstatus.MXR = 1"
    li t0, MXR
    csrc mstatus, t0

# 15. vsstatus.MXR for a guest's own loads does not open G-stage pages
    HEADING "== vsstatus.MXR for a guest's own loads does not open G-stage pages =="
    call hgatp_on
    csrw vsatp, zero
    csrw satp, zero
    FENCE_ALL
    li t0, MXR
    csrs vsstatus, t0
    FENCE_ALL
    IN 1, 1
    li t0, 0x90003008
7:  lw s2, 0(t0)
    OUT
    MFAULT 21, 0x90003008, 0x24000c02, MPV | GVA, "VS lw G execute-only page, vsstatus.MXR = 1"
    li t0, MXR
    csrc vsstatus, t0

# 16. GPA above 4 GiB with hgatp = Bare: no memory there, an access fault
    HEADING "== GPA above 4 GiB with hgatp = Bare =="
    csrw hgatp, zero
    la t0, vs_bare              # VS-stage: 0x50000000 4 MiB -> GPA 0x1_8000_0000
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw vsatp, t0
    csrw satp, zero
    FENCE_ALL
    IN 1, 1
    li t0, 0x50000010
7:  lw s2, 0(t0)
    OUT
    MFAULT 5, 0x50000010, 0, MPV | GVA, "VS lw 0x50000010, hgatp = Bare: PA 0x1_8000_0010"

    csrw hgatp, zero
    csrw vsatp, zero
    csrw satp, zero
    FENCE_ALL
    li t0, MPV
    csrc mstatush, t0
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
