# hcsr.s -- the hypervisor (H) extension's CSRs.
# misa.H; the reset values (QEMU's: the spec leaves them unspecified, V=0 at reset); what each of
# hstatus, hedeleg, hideleg, mideleg, medeleg, hvip, hip, hie, hgeie, hgeip, hgatp, htval,
# htinst, mtval2, mtinst, mstatush, hcounteren, htimedelta(h), henvcfg(h) and the VS CSRs
# (vsstatus vsie vsip vstvec vsscratch vsepc vscause vstval vsatp) keep of all ones and of zero;
# hip.VSSIP as an alias of hvip.VSSIP, mip/mie showing the VS bits, sip/sie not showing them,
# vsip/vsie as views of hip/hie through hideleg (VS bit i <-> S bit i-1). With V=1 the S CSR
# numbers reach the vs* registers (sscratch sepc scause stval stvec sstatus sie sip satp).
# Access rules: h*/vs* CSRs from VS/VU raise virtual-instruction (22), M CSRs illegal (2), h*
# and vs* CSRs from U (V=0) 2; a write to read-only hgeip from VS is 2 (not allowed in HS
# either); counters from VS/VU gated by mcounteren (2), hcounteren and scounteren (22); the time
# CSR in VS/VU is time + htimedelta(h) (checked as a difference, and the carry into timeh);
# hstatus.VTVM (sfence.vma in VS: 22; HS unaffected); mstatus.TVM in HS (satp, hfence.gvma: 2;
# not vsatp nor hfence.vvma). mtval of an illegal or virtual-instruction trap is the instruction
# word (QEMU's choice, the spec allows 0 too).
# Choices the spec leaves open, recorded as QEMU makes them: the reset values; GEILEN = 0 (hgeie
# reads 0; VGEIN is not written); VMIDLEN = 7; ASIDLEN = 9 (vsatp); mideleg bit 12 (SGEI)
# read-only one and hie.SGEIE writable although GEILEN = 0; htval, mtval2 and mtinst hold all
# ones, htinst is read-only zero (QEMU never writes a nonzero htinst); hcounteren all 32 bits.
# Checked in hspec.s instead, where QEMU 7.2 breaks the spec: the WPRI / read-only bits of
# hstatus, vsstatus and hgatp, vstvec MODE >= 2 and vsepc bits 1:0 (kept), medeleg[11] and
# mideleg[13] (writable), henvcfg(h) (QEMU's CPU has Zicbom/Zicboz, keeps PBMTE/STCE), vsip
# without VSTIP/VSEIP, VS-mode sip/sie masked by mideleg (so mideleg = 0x222 for that test here),
# S CSRs from VU (2, not 22), satp in VS with VTVM = 1 (no trap), satp / sfence.vma in VS with
# mstatus.TVM = 1 (2, not allowed), hgatp in HS with TVM = 1 (no trap).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP
    .include "h.inc"            # modes, GO/BACK and check macros, run_at, HS/VS handlers

# WR csr, value, expect, what: write value to csr and check what it reads back.
.macro WR csr, value, expect, what
    li t0, \value
    csrw \csr, t0
    csrr a1, \csr
    CHECKED \expect, "\what"
.endm

# RD csr, expect, what: check a CSR's value.
.macro RD csr, expect, what
    csrr a1, \csr
    CHECKED \expect, "\what"
.endm

    SAY "== misa and reset values (QEMU's: unspecified by the spec but V = 0) =="
    csrr a1, misa
    andi a1, a1, 0x80
    CHECKED 0x00000080, "misa.H"
    RD misa, 0x40141181, "misa (RV32 A H I M S U)"
    RD mstatush, 0x00000000, "mstatush at reset (MPV = GVA = 0)"
    RD hstatus, 0x00000000, "hstatus at reset"
    RD hedeleg, 0x00000000, "hedeleg at reset"
    RD hideleg, 0x00000000, "hideleg at reset"
    RD mideleg, 0x00001444, "mideleg after writing 0 (VS bits and SGEI read-only one)"
    RD hvip, 0x00000000, "hvip at reset"
    RD hip, 0x00000000, "hip at reset"
    RD hie, 0x00000000, "hie at reset"
    RD hgeie, 0x00000000, "hgeie at reset"
    RD hgeip, 0x00000000, "hgeip at reset"
    RD hgatp, 0x00000000, "hgatp at reset"
    RD htval, 0x00000000, "htval at reset"
    RD htinst, 0x00000000, "htinst at reset"
    RD hcounteren, 0x00000000, "hcounteren at reset"
    RD htimedelta, 0x00000000, "htimedelta at reset"
    RD htimedeltah, 0x00000000, "htimedeltah at reset"
    RD henvcfg, 0x00000000, "henvcfg at reset"
    RD vsstatus, 0x00000000, "vsstatus at reset"
    RD vsie, 0x00000000, "vsie at reset"
    RD vsip, 0x00000000, "vsip at reset"
    RD vstvec, 0x00000000, "vstvec at reset"
    RD vsscratch, 0x00000000, "vsscratch at reset"
    RD vsepc, 0x00000000, "vsepc at reset"
    RD vscause, 0x00000000, "vscause at reset"
    RD vstval, 0x00000000, "vstval at reset"
    RD vsatp, 0x00000000, "vsatp at reset"
    csrr a1, 0x34b
    CHECKED 0x00000000, "mtval2 at reset"
    csrr a1, 0x34a
    CHECKED 0x00000000, "mtinst at reset"

    SAY "== hstatus =="
    li t0, 0xfffc0fff           # all ones but VGEIN (WLRL: GEILEN = 0, only 0 is legal)
    csrw hstatus, t0
    csrr a1, hstatus
    li t0, 0x007003c0
    and a1, a1, t0
    CHECKED 0x007003c0, "hstatus all ones: GVA SPV SPVP HU VTVM VTW VTSR writable"
    WR hstatus, 0, 0x00000000, "hstatus zero"
    li t0, 0x00000100
    csrw hstatus, t0
    csrr a1, hstatus
    CHECKED 0x00000100, "hstatus SPVP alone"

    SAY "== delegation registers =="
    WR hedeleg, -1, 0x0000b1ff, "hedeleg all ones (9 10 11 20-23 read-only zero)"
    WR hedeleg, 0, 0x00000000, "hedeleg zero"
    WR hideleg, -1, 0x00000444, "hideleg all ones (VSEI VSTI VSSI)"
    WR hideleg, 0, 0x00000000, "hideleg zero"
    li t0, -1
    csrw mideleg, t0
    csrr a1, mideleg
    li t0, 0x1fff
    and a1, a1, t0
    CHECKED 0x00001666, "mideleg all ones: bits 12:0 (bit 13: see hspec.s)"
    WR mideleg, 0, 0x00001444, "mideleg zero: 10 6 2 read-only one (12: QEMU)"
    li t0, -1
    csrw medeleg, t0
    csrr a1, medeleg
    li t0, 0xfffff7ff
    and a1, a1, t0
    CHECKED 0x00f0b7ff, "medeleg all ones: all but bit 11 (see hspec.s)"
    WR medeleg, 0, 0x00000000, "medeleg zero"

    SAY "== hvip / hip / hie / mip / mie / sip / sie =="
    WR hvip, -1, 0x00000444, "hvip all ones"
    RD hip, 0x00000444, "...hip shows VSEIP VSTIP VSSIP"
    csrr a1, mip
    li t0, 0x1666
    and a1, a1, t0
    CHECKED 0x00000444, "...mip shows them"
    li t0, 0x222
    csrw mideleg, t0
    RD sip, 0x00000000, "...sip (mideleg = 0x222) does not"
    WR hvip, 0, 0x00000000, "hvip zero"
    RD hip, 0x00000000, "...hip"
    li t0, -1
    csrw hip, t0
    RD hip, 0x00000004, "hip all ones: only VSSIP writable"
    RD hvip, 0x00000004, "...hvip.VSSIP is the same bit"
    li t0, 4
    csrc hvip, t0
    RD hip, 0x00000000, "hvip.VSSIP cleared: hip"
    li t0, 4
    csrs mip, t0
    RD hvip, 0x00000004, "mip.VSSIP set: hvip"
    csrw hvip, zero
    WR hie, -1, 0x00001444, "hie all ones (SGEIE: QEMU)"
    csrr a1, mie
    li t0, 0x1666
    and a1, a1, t0
    CHECKED 0x00001444, "...mie shows them"
    RD sie, 0x00000000, "...sie (mideleg = 0x222) does not"
    WR hie, 0, 0x00000000, "hie zero"
    li t0, -1
    csrw sie, t0
    RD sie, 0x00000222, "sie all ones (mideleg = 0x222)"
    RD hie, 0x00000000, "...hie unchanged"
    csrw sie, zero
    li t0, 0x444
    csrs mie, t0
    RD hie, 0x00000444, "mie VS bits set: hie"
    csrw mie, zero
    csrw mideleg, zero
    WR hgeie, -1, 0x00000000, "hgeie all ones (GEILEN = 0: QEMU)"
    RD hgeip, 0x00000000, "hgeip"

    SAY "== vsip / vsie: views of hip / hie through hideleg =="
    li t0, 0x444
    csrw hideleg, t0
    li t0, 0x004
    csrw hvip, t0
    RD vsip, 0x00000002, "hvip.VSSIP, hideleg all: vsip.SSIP"
    csrw hideleg, zero
    RD vsip, 0x00000000, "hvip.VSSIP, hideleg 0: vsip"
    li t0, 0x444
    csrw hideleg, t0
    csrw hvip, zero
    li t0, -1
    csrw vsip, t0
    RD vsip, 0x00000002, "vsip all ones: SSIP writable"
    RD hvip, 0x00000004, "...hvip.VSSIP"
    csrw vsip, zero
    RD hvip, 0x00000000, "vsip zero: hvip"
    li t0, -1
    csrw vsie, t0
    RD vsie, 0x00000222, "vsie all ones, hideleg all"
    RD hie, 0x00000444, "...hie"
    csrw vsie, zero
    RD hie, 0x00000000, "vsie zero: hie"
    li t0, 0x040
    csrw hideleg, t0
    li t0, -1
    csrw vsie, t0
    RD vsie, 0x00000020, "vsie all ones, hideleg = VSTI"
    RD hie, 0x00000040, "...hie"
    li t0, 0x444
    csrw hie, t0
    RD vsie, 0x00000020, "hie all: vsie (hideleg = VSTI)"
    csrw hie, zero
    csrw hideleg, zero

    SAY "== translation and trap-value registers =="
    li t0, -1
    csrw hgatp, t0
    csrr a1, hgatp
    li t0, 0x9ffffffc
    and a1, a1, t0
    CHECKED 0x9ffffffc, "hgatp all ones: MODE VMID PPN[21:2]"
    csrr a1, hgatp
    srli a1, a1, 22
    andi a1, a1, 0x7f
    CHECKED 0x0000007f, "...VMID (VMIDLEN = 7: QEMU)"
    WR hgatp, 0, 0x00000000, "hgatp zero"
    WR hgatp, 0x80000010, 0x80000010, "hgatp Sv32x4, PPN 0x10"
    WR hgatp, 0x80400000, 0x80400000, "hgatp Sv32x4, VMID 1"
    csrw hgatp, zero
    WR htval, -1, 0xffffffff, "htval all ones (QEMU)"
    WR htval, 0, 0x00000000, "htval zero"
    WR htinst, -1, 0x00000000, "htinst all ones (QEMU: read-only zero)"
    WR htinst, 0, 0x00000000, "htinst zero"
    li t0, -1
    csrw 0x34b, t0
    csrr a1, 0x34b
    CHECKED 0xffffffff, "mtval2 all ones (QEMU)"
    csrw 0x34b, zero
    csrr a1, 0x34b
    CHECKED 0x00000000, "mtval2 zero"
    li t0, -1
    csrw 0x34a, t0
    csrr a1, 0x34a
    CHECKED 0xffffffff, "mtinst all ones (QEMU)"
    csrw 0x34a, zero
    csrr a1, 0x34a
    CHECKED 0x00000000, "mtinst zero"
    WR mstatush, -1, 0x000000c0, "mstatush all ones: MPV GVA (MBE SBE read-only 0)"
    WR mstatush, 0, 0x00000000, "mstatush zero"
    WR hcounteren, -1, 0xffffffff, "hcounteren all ones (QEMU)"
    WR hcounteren, 0, 0x00000000, "hcounteren zero"
    WR htimedelta, -1, 0xffffffff, "htimedelta all ones"
    WR htimedelta, 0, 0x00000000, "htimedelta zero"
    WR htimedeltah, -1, 0xffffffff, "htimedeltah all ones"
    WR htimedeltah, 0, 0x00000000, "htimedeltah zero"
    li t0, -1
    csrw henvcfg, t0
    csrr a1, henvcfg
    andi a1, a1, 1
    CHECKED 0x00000001, "henvcfg all ones: FIOM"
    WR henvcfg, 0, 0x00000000, "henvcfg zero"

    SAY "== VS CSRs written from M-mode =="
    li t0, -1
    csrw vsstatus, t0
    csrr a1, vsstatus
    li t0, 0x000c0122
    and a1, a1, t0
    CHECKED 0x000c0122, "vsstatus all ones: MXR SUM SPP SPIE SIE"
    WR vsstatus, 0, 0x00000000, "vsstatus zero"
    WR vsstatus, 0x00000122, 0x00000122, "vsstatus SPP SPIE SIE"
    csrw vsstatus, zero
    WR vstvec, 0xfffffffd, 0xfffffffd, "vstvec vectored, base all ones"
    WR vstvec, 0xfffffffc, 0xfffffffc, "vstvec direct, base all ones"
    WR vstvec, 0, 0x00000000, "vstvec zero"
    WR vsscratch, -1, 0xffffffff, "vsscratch all ones"
    WR vsscratch, 0, 0x00000000, "vsscratch zero"
    WR vsepc, 0xfffffffc, 0xfffffffc, "vsepc 0xfffffffc"
    WR vsepc, 0, 0x00000000, "vsepc zero"
    WR vscause, 0x80000009, 0x80000009, "vscause interrupt 9"
    WR vscause, 0x0000000d, 0x0000000d, "vscause exception 13"
    WR vscause, 0, 0x00000000, "vscause zero"
    WR vstval, -1, 0xffffffff, "vstval all ones"
    WR vstval, 0, 0x00000000, "vstval zero"
    WR vsatp, -1, 0xffffffff, "vsatp all ones (V = 0: no effect; ASIDLEN = 9: QEMU)"
    WR vsatp, 0, 0x00000000, "vsatp zero"

    SAY "== V = 1: the S CSR numbers reach the vs* registers =="
    li t0, 0xaaaa0000
    csrw sscratch, t0
    csrw sepc, zero
    csrw scause, zero
    csrw stval, zero
    csrw stvec, zero
    li t0, 0x80012345
    csrw satp, t0               # Sv32 in satp: not used by M-mode nor with V = 1
    li t0, 0x222
    csrw mideleg, t0            # (QEMU hides vsie/vsip in VS-mode without it: hspec.s)
    li t0, 0x444
    csrw hideleg, t0
    li t0, 0x440
    csrw hie, t0                # VSTIE VSEIE: vsie = STIE SEIE
    li t0, 0x004
    csrw hvip, t0               # VSSIP: vsip = SSIP (not enabled: not taken)
    li t0, 0x00000100
    csrw vsstatus, t0           # SPP
    li t0, 0x000c0000
    csrc mstatus, t0
    la a0, 5f
    li a1, M_VS
    la a2, 6f
    j run_at
5:  li t2, 0x11111111
    csrw sscratch, t2
    li t2, 0x22222220
    csrw sepc, t2
    li t2, 0x0000000d
    csrw scause, t2
    li t2, 0x33333333
    csrw stval, t2
    li t2, 0x44444440
    csrw stvec, t2
    li t2, 0x00040000
    csrs sstatus, t2
    csrr s2, sstatus
    csrr s3, sie
    csrr s4, sip
    csrr s5, satp
    ecall
6:  csrw satp, zero
    la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x0000000a, "VS-mode ecall: mcause"
    RD vsscratch, 0x11111111, "VS csrw sscratch: vsscratch"
    RD sscratch, 0xaaaa0000, "...sscratch unchanged"
    RD vsepc, 0x22222220, "VS csrw sepc: vsepc"
    RD sepc, 0x00000000, "...sepc unchanged"
    RD vscause, 0x0000000d, "VS csrw scause: vscause"
    RD scause, 0x00000000, "...scause unchanged"
    RD vstval, 0x33333333, "VS csrw stval: vstval"
    RD stval, 0x00000000, "...stval unchanged"
    RD vstvec, 0x44444440, "VS csrw stvec: vstvec"
    RD stvec, 0x00000000, "...stvec unchanged"
    csrr a1, vsstatus
    li t0, 0x000c0122
    and a1, a1, t0
    CHECKED 0x00040100, "VS csrs sstatus SUM: vsstatus"
    csrr a1, mstatus
    li t0, 0x000c0000
    and a1, a1, t0
    CHECKED 0x00000000, "...mstatus.SUM unchanged"
    li t0, 0x000c0122
    and a1, s2, t0
    CHECKED 0x00040100, "VS csrr sstatus: vsstatus"
    mv a1, s3
    CHECKED 0x00000220, "VS csrr sie: vsie (hie = VSTIE VSEIE)"
    mv a1, s4
    CHECKED 0x00000002, "VS csrr sip: vsip (hvip = VSSIP)"
    mv a1, s5
    CHECKED 0x00000000, "VS csrr satp: vsatp (satp holds 0x80012345)"
    csrw hvip, zero
    csrw hie, zero
    csrw hideleg, zero
    csrw mideleg, zero
    csrw vsstatus, zero
    csrw vstvec, zero
    csrw vsepc, zero

    SAY "== access rules: VS-mode =="
    GO M_VS
7:  csrr a1, hstatus
    ecall
    BACK
    TRAPPED 22, 0x600025f3, "VS csrr hstatus"
    GO M_VS
7:  csrw hvip, a1
    ecall
    BACK
    TRAPPED 22, 0x64559073, "VS csrw hvip"
    GO M_VS
7:  csrr a1, hgatp
    ecall
    BACK
    TRAPPED 22, 0x680025f3, "VS csrr hgatp"
    GO M_VS
7:  csrr a1, htimedelta
    ecall
    BACK
    TRAPPED 22, 0x605025f3, "VS csrr htimedelta"
    GO M_VS
7:  csrr a1, vsstatus
    ecall
    BACK
    TRAPPED 22, 0x200025f3, "VS csrr vsstatus"
    GO M_VS
7:  csrr a1, vsscratch
    ecall
    BACK
    TRAPPED 22, 0x240025f3, "VS csrr vsscratch"
    GO M_VS
7:  csrr a1, hgeip
    ecall
    BACK
    TRAPPED 22, 0xe12025f3, "VS csrr hgeip"
    GO M_VS
7:  csrw hgeip, a1
    ecall
    BACK
    TRAPPED 2, 0xe1259073, "VS csrw hgeip (read-only also in HS)"
    GO M_VS
7:  csrr a1, mstatus
    ecall
    BACK
    TRAPPED 2, 0x300025f3, "VS csrr mstatus"
    GO M_VS
7:  csrw mscratch, a1
    ecall
    BACK
    TRAPPED 2, 0x34059073, "VS csrw mscratch"
    GO M_VS
7:  csrr a1, 0x34b
    ecall
    BACK
    TRAPPED 2, 0x34b025f3, "VS csrr mtval2"
    GO M_VS
    csrr a1, sstatus
4:  ecall
    BACK
    NOTRAP "VS csrr sstatus"
    GO M_VS
    csrw sscratch, a1
4:  ecall
    BACK
    NOTRAP "VS csrw sscratch"

    SAY "== access rules: VU-mode and U-mode =="
    GO M_VU
7:  csrr a1, hstatus
    ecall
    BACK
    TRAPPED 22, 0x600025f3, "VU csrr hstatus"
    GO M_VU
7:  csrr a1, vsstatus
    ecall
    BACK
    TRAPPED 22, 0x200025f3, "VU csrr vsstatus"
    GO M_VU
7:  csrr a1, mstatus
    ecall
    BACK
    TRAPPED 2, 0x300025f3, "VU csrr mstatus"
    GO M_U
7:  csrr a1, hstatus
    ecall
    BACK
    TRAPPED 2, 0x600025f3, "U csrr hstatus"
    GO M_U
7:  csrr a1, vsstatus
    ecall
    BACK
    TRAPPED 2, 0x200025f3, "U csrr vsstatus"
    GO M_HS
7:  csrr a1, mstatus
    ecall
    BACK
    TRAPPED 2, 0x300025f3, "HS csrr mstatus"
    GO M_HS
    csrr a1, hstatus
4:  ecall
    BACK
    NOTRAP "HS csrr hstatus"
    GO M_HS
    csrw vsscratch, a1
4:  ecall
    BACK
    NOTRAP "HS csrw vsscratch"

    SAY "== counters: mcounteren / hcounteren / scounteren =="
    csrwi mcounteren, 0
    csrwi hcounteren, 0
    csrwi scounteren, 0
    GO M_VS
7:  csrr a1, cycle
    ecall
    BACK
    TRAPPED 2, 0xc00025f3, "VS cycle, mcounteren 0"
    csrwi mcounteren, 1
    GO M_VS
7:  csrr a1, cycle
    ecall
    BACK
    TRAPPED 22, 0xc00025f3, "VS cycle, mcounteren 1 hcounteren 0"
    GO M_VS
7:  csrr a1, cycleh
    ecall
    BACK
    TRAPPED 22, 0xc80025f3, "VS cycleh, mcounteren 1 hcounteren 0"
    GO M_HS
    csrr a1, cycle
4:  ecall
    BACK
    NOTRAP "HS cycle, mcounteren 1 hcounteren 0"
    csrwi hcounteren, 1
    GO M_VS
    csrr a1, cycle
4:  ecall
    BACK
    NOTRAP "VS cycle, mcounteren 1 hcounteren 1"
    GO M_VU
7:  csrr a1, cycle
    ecall
    BACK
    TRAPPED 22, 0xc00025f3, "VU cycle, scounteren 0"
    csrwi scounteren, 1
    GO M_VU
    csrr a1, cycle
4:  ecall
    BACK
    NOTRAP "VU cycle, scounteren 1"
    csrwi hcounteren, 0
    GO M_VU
7:  csrr a1, cycle
    ecall
    BACK
    TRAPPED 22, 0xc00025f3, "VU cycle, hcounteren 0"
    csrwi mcounteren, 0
    GO M_VU
7:  csrr a1, cycle
    ecall
    BACK
    TRAPPED 2, 0xc00025f3, "VU cycle, mcounteren 0"
    csrwi mcounteren, 2
    csrwi hcounteren, 0
    GO M_VS
7:  csrr a1, time
    ecall
    BACK
    TRAPPED 22, 0xc01025f3, "VS time, hcounteren.TM 0"
    csrwi hcounteren, 2
    csrwi scounteren, 2

    SAY "== time in VS-mode: time + htimedelta =="
    li t0, 0x10000000
    csrw htimedelta, t0
    csrw htimedeltah, zero
    csrr s2, time
    la a0, 5f
    li a1, M_VS
    la a2, 6f
    j run_at
5:  csrr s3, time
    ecall
6:  csrr s4, time
    sub a1, s3, s2
    li t0, 0x10000000
    sub a1, a1, t0              # VS time - htimedelta - time before
    sub t1, s4, s2              # time after - time before
    sltu a1, t1, a1
    xori a1, a1, 1
    CHECKED 0x00000001, "VS time - htimedelta in [time before, time after]"
    csrr s2, time
    la a0, 5f
    li a1, M_HS
    la a2, 6f
    j run_at
5:  csrr s3, time
    ecall
6:  csrr s4, time
    sub a1, s3, s2
    sub t1, s4, s2
    sltu a1, t1, a1
    xori a1, a1, 1
    CHECKED 0x00000001, "HS time (V = 0: no delta) in [time before, time after]"
    li t0, 3
    csrw htimedeltah, t0
    csrw htimedelta, zero
    csrr s2, timeh
    la a0, 5f
    li a1, M_VU
    la a2, 6f
    j run_at
5:  csrr s3, timeh
    ecall
6:  sub a1, s3, s2
    CHECKED 0x00000003, "VU timeh - timeh, htimedeltah = 3"
    li t0, -1
    csrw htimedelta, t0
    csrw htimedeltah, zero
    csrr s2, timeh
    la a0, 5f
    li a1, M_VS
    la a2, 6f
    j run_at
5:  csrr s3, timeh
    ecall
6:  sub a1, s3, s2
    CHECKED 0x00000001, "VS timeh - timeh, htimedelta = -1 (the carry)"
    csrw htimedelta, zero
    csrw htimedeltah, zero

    SAY "== hstatus.VTVM, mstatus.TVM =="
    li t0, 0x00100000
    csrs hstatus, t0            # VTVM = 1
    GO M_VS
7:  sfence.vma zero, zero
    ecall
    BACK
    TRAPPED 22, 0x12000073, "VS sfence.vma, VTVM 1"
    GO M_HS
    csrr a1, satp
4:  ecall
    BACK
    NOTRAP "HS csrr satp, VTVM 1"
    GO M_HS
    sfence.vma zero, zero
4:  ecall
    BACK
    NOTRAP "HS sfence.vma, VTVM 1"
    li t0, 0x00100000
    csrc hstatus, t0
    GO M_VS
    csrr a1, satp
4:  ecall
    BACK
    NOTRAP "VS csrr satp, VTVM 0"
    GO M_VS
    sfence.vma zero, zero
4:  ecall
    BACK
    NOTRAP "VS sfence.vma, VTVM 0"
    li t0, 0x00100000
    csrs mstatus, t0            # TVM = 1
    GO M_HS
7:  hfence.gvma zero, zero
    ecall
    BACK
    TRAPPED 2, 0x62000073, "HS hfence.gvma, TVM 1"
    GO M_HS
7:  csrr a1, satp
    ecall
    BACK
    TRAPPED 2, 0x180025f3, "HS csrr satp, TVM 1"
    GO M_HS
    csrr a1, vsatp
4:  ecall
    BACK
    NOTRAP "HS csrr vsatp, TVM 1"
    GO M_HS
    hfence.vvma zero, zero
4:  ecall
    BACK
    NOTRAP "HS hfence.vvma, TVM 1"
    li t0, 0x00100000
    csrc mstatus, t0
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
