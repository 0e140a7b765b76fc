# htrap.s -- the hypervisor (H) extension: traps, trap returns and interrupts between the modes
# M, HS, U (V=0) and VS, VU (V=1).
# ecall from VS (10), VU (8), HS (9) and U (8) to M with mstatush.MPV / MPP / GVA, mtval2, mtinst.
# mret to V=1 by MPV (mret with MPP = M: hspec.s). Delegation of exceptions: medeleg
# alone sends a VS/VU exception to HS (scause sepc stval, hstatus.SPV = 1, SPVP = the V
# privilege, GVA, htval, htinst; V = 0 in the handler, which reads hstatus), medeleg and hedeleg
# to VS (vscause vsepc vstval, vsstatus SPP SPIE SIE; the handler at vstvec runs with V = 1: its
# sscratch write reaches vsscratch); ecall from VS and virtual instruction never reach VS (hedeleg
# bits 10 and 22 read-only zero); from U (V=0) SPV = 0 and SPVP kept; not delegated: M with MPV,
# GVA = 1 for a load access fault at a guest virtual address. sret in VS-mode by vsstatus.SPP
# (V stays 1), in HS-mode and M-mode to V = hstatus.SPV, which sret clears (priv spec 1.12,
# "Trap Return": "SRET then sets hstatus.SPV=0"; QEMU does the same). hstatus.VTSR (sret in VS:
# 22), VTW (wfi in VS: 22), wfi in VU (22), mstatus.TW (wfi in VS: 2), mret in VS/VU (2),
# hfence in VS, hlv / hsv in VS/VU (22; mcause only: QEMU's mtval is stale, hspec.s), in U-mode: hlv/hsv with HU = 0 (2) and HU = 1 (allowed), hfence (2). HLV/HLVX/HSV
# from M and HS with their widths, an HLV access fault (in HS: hstatus.GVA = 1). Interrupts: hvip's
# VSSIP / VSTIP / VSEIP with hideleg set taken in VS-mode as 0x80000001 / 5 / 9 (vsstatus.SIE = 1,
# or in VU regardless), waiting with vsstatus.SIE = 0 in VS and with V = 0; with hideleg clear in
# HS as 0x80000002 / 6 / 10 from V = 1 whatever the SIEs, from HS by sstatus.SIE; an HS-level SSI
# (mideleg) from VS-mode regardless of vsstatus.SIE. Priority: interrupts for HS before those for
# VS; SSI before VSSI; VSSI before VSTI (spec order SEI SSI STI SGEI VSEI VSSI VSTI; QEMU's
# lowest-number-first agrees on these; where it does not, see hspec.s).
# QEMU's choices recorded (the spec allows zero or a transformed instruction): htinst and mtinst
# are 0 for every trap here (ecall, illegal, virtual instruction, load access fault);
# mtval/stval/vstval of illegal and virtual-instruction traps are the instruction word;
# htval/mtval2 are 0 (no guest-page fault). GVA in M-mode is checked only where QEMU 7.2 gets it
# right (run_at clears it: QEMU never does; see hspec.s), as are the VS-delegated exceptions
# (an illegal instruction delegated to VS gets vscause 1 on QEMU: hspec.s), VU sret / sfence.vma /
# hfence and wfi with TW = 1 in VU, the interrupt priorities QEMU gets wrong.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP
    .include "h.inc"            # modes, GO/BACK and check macros, run_at, HS/VS handlers

    H_TRAPS                     # trap_hs, trap_vs installed; hedeleg = hideleg = 0; mcounteren -1

    SAY "== ecall from each mode to M: mcause, MPV, MPP, GVA, mtval2, mtinst =="
    GO M_VS
7:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x0000000a, "VS ecall: mcause"
    EPC tr_area, 7b, "VS ecall: mepc - insn"
    FIELD tr_area, TR_TVAL, 0, -1, 0, "VS ecall: mtval"
    FIELD tr_area, TR_STATUS, 11, 3, 1, "VS ecall: MPP"
    csrr a1, mstatush
    CHECKED 0x00000080, "VS ecall: mstatush MPV 1 GVA 0"
    csrr a1, 0x34b
    CHECKED 0, "VS ecall: mtval2"
    csrr a1, 0x34a
    CHECKED 0, "VS ecall: mtinst (QEMU)"
    GO M_VU
7:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000008, "VU ecall: mcause"
    EPC tr_area, 7b, "VU ecall: mepc - insn"
    FIELD tr_area, TR_STATUS, 11, 3, 0, "VU ecall: MPP"
    csrr a1, mstatush
    CHECKED 0x00000080, "VU ecall: mstatush MPV 1 GVA 0"
    GO M_HS
7:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000009, "HS ecall: mcause"
    FIELD tr_area, TR_STATUS, 11, 3, 1, "HS ecall: MPP"
    csrr a1, mstatush
    CHECKED 0x00000000, "HS ecall: mstatush MPV 0"
    GO M_U
7:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000008, "U ecall: mcause"
    csrr a1, mstatush
    CHECKED 0x00000000, "U ecall: mstatush MPV 0"
    GO M_VS
    .word 0xffffffff
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000002, "VS illegal word: mcause"
    FIELD tr_area, TR_TVAL, 0, -1, 0xffffffff, "VS illegal word: mtval"
    csrr a1, mstatush
    andi a1, a1, 0x80
    CHECKED 0x00000080, "VS illegal word: mstatush.MPV (GVA: see hspec.s)"
    csrr a1, 0x34a
    CHECKED 0, "VS illegal word: mtinst (QEMU)"
    li s3, BAD
    GO M_VS
7:  lw a1, 0(s3)
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000005, "VS lw BAD: mcause"
    FIELD tr_area, TR_TVAL, 0, -1, BAD, "VS lw BAD: mtval"
    EPC tr_area, 7b, "VS lw BAD: mepc - insn"
    csrr a1, mstatush
    CHECKED 0x000000c0, "VS lw BAD: mstatush MPV 1 GVA 1"
    csrr a1, 0x34b
    CHECKED 0, "VS lw BAD: mtval2"
    csrr a1, 0x34a
    CHECKED 0, "VS lw BAD: mtinst (QEMU)"

    SAY "== mret: V = MPV, MPV cleared =="
    GO M_VS
    csrr s2, sstatus            # (vsstatus: no trap)
7:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x0000000a, "mret with MPV 1 MPP S: VS-mode ecall"
    EPC tr_area, 7b, "...mepc - ecall"

    SAY "== exceptions delegated to HS (medeleg, hedeleg 0) =="
    li t0, (1 << 2) | (1 << 5) | (1 << 8) | (1 << 10) | (1 << 22)
    csrw medeleg, t0
    csrw hedeleg, zero
    csrw hstatus, zero
    GO M_VS
7:  ecall
    ebreak
    BACK
    COUNTS 0x110, "VS ecall"
    FIELD hs_area, H_CAUSE, 0, -1, 0x0000000a, "VS ecall -> HS: scause"
    EPC hs_area, 7b, "VS ecall -> HS: sepc - insn"
    FIELD hs_area, H_TVAL, 0, -1, 0, "VS ecall -> HS: stval"
    FIELD hs_area, H_HSTATUS, 0, 0x1c0, 0x180, "VS ecall -> HS: hstatus SPVP 1 SPV 1 GVA 0"
    FIELD hs_area, H_STATUS, 8, 1, 1, "VS ecall -> HS: sstatus.SPP"
    FIELD hs_area, H_HTVAL, 0, -1, 0, "VS ecall -> HS: htval"
    FIELD hs_area, H_HTINST, 0, -1, 0, "VS ecall -> HS: htinst (QEMU)"
    FIELD tr_area, TR_CAUSE, 0, -1, 3, "...then ebreak: back in VS (mcause)"
    csrr a1, mstatush
    andi a1, a1, 0x80           # (GVA: an ebreak's tval is a guest address: see hspec.s)
    CHECKED 0x00000080, "...mstatush.MPV"
    csrr a1, hstatus
    andi a1, a1, 0x80
    CHECKED 0x00000000, "...hstatus.SPV 0: cleared by the handler's sret"
    GO M_VU
7:  ecall
    ebreak
    BACK
    COUNTS 0x110, "VU ecall"
    FIELD hs_area, H_CAUSE, 0, -1, 0x00000008, "VU ecall -> HS: scause"
    EPC hs_area, 7b, "VU ecall -> HS: sepc - insn"
    FIELD hs_area, H_HSTATUS, 0, 0x1c0, 0x080, "VU ecall -> HS: hstatus SPVP 0 SPV 1 GVA 0"
    FIELD hs_area, H_STATUS, 8, 1, 0, "VU ecall -> HS: sstatus.SPP"
    FIELD tr_area, TR_STATUS, 11, 3, 0, "...then ebreak: back in VU (MPP)"
    csrr a1, mstatush
    andi a1, a1, 0x80           # (GVA: an ebreak's tval is a guest address: see hspec.s)
    CHECKED 0x00000080, "...mstatush.MPV"
    li s3, BAD
    GO M_VS
7:  lw a1, 0(s3)
    ebreak
    BACK
    COUNTS 0x110, "VS lw BAD"
    FIELD hs_area, H_CAUSE, 0, -1, 0x00000005, "VS lw BAD -> HS: scause"
    EPC hs_area, 7b, "VS lw BAD -> HS: sepc - insn"
    FIELD hs_area, H_TVAL, 0, -1, BAD, "VS lw BAD -> HS: stval"
    FIELD hs_area, H_HSTATUS, 0, 0x1c0, 0x1c0, "VS lw BAD -> HS: hstatus SPVP 1 SPV 1 GVA 1"
    FIELD hs_area, H_HTVAL, 0, -1, 0, "VS lw BAD -> HS: htval"
    FIELD hs_area, H_HTINST, 0, -1, 0, "VS lw BAD -> HS: htinst (QEMU)"
    GO M_VS
7:  .word 0xffffffff
    ebreak
    BACK
    COUNTS 0x110, "VS illegal word"
    FIELD hs_area, H_CAUSE, 0, -1, 0x00000002, "VS illegal word -> HS: scause"
    FIELD hs_area, H_TVAL, 0, -1, 0xffffffff, "VS illegal word -> HS: stval"
    FIELD hs_area, H_HTINST, 0, -1, 0, "VS illegal word -> HS: htinst (QEMU)"
    GO M_VS
7:  csrr a1, hstatus
    ebreak
    BACK
    COUNTS 0x110, "VS csrr hstatus"
    FIELD hs_area, H_CAUSE, 0, -1, 0x00000016, "VS csrr hstatus -> HS: scause"
    EPC hs_area, 7b, "VS csrr hstatus -> HS: sepc - insn"
    FIELD hs_area, H_TVAL, 0, -1, 0x600025f3, "VS csrr hstatus -> HS: stval"
    FIELD hs_area, H_HSTATUS, 0, 0x1c0, 0x180, "VS csrr hstatus -> HS: hstatus SPVP 1 SPV 1 GVA 0"
    FIELD hs_area, H_HTINST, 0, -1, 0, "VS csrr hstatus -> HS: htinst (QEMU)"
    li t0, 0x100
    csrw hstatus, t0            # SPVP = 1
    GO M_U
7:  ecall
    ebreak
    BACK
    COUNTS 0x110, "U ecall"
    FIELD hs_area, H_CAUSE, 0, -1, 0x00000008, "U ecall -> HS: scause"
    FIELD hs_area, H_HSTATUS, 0, 0x1c0, 0x100, "U ecall -> HS: hstatus SPV 0, SPVP kept"
    FIELD hs_area, H_STATUS, 8, 1, 0, "U ecall -> HS: sstatus.SPP"
    GO M_HS
7:  ecall
    BACK
    COUNTS 0x100, "HS ecall (medeleg[9] = 0)"
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000009, "HS ecall: mcause"

    SAY "== exceptions delegated to VS (medeleg and hedeleg) =="
    li t0, -1
    csrw hedeleg, t0
    csrw vsscratch, zero
    csrw sscratch, zero
    csrw vsstatus, zero
    csrsi vsstatus, 2           # SIE = 1 before the trap
    GO M_VU
7:  ecall
    ebreak
    BACK
    COUNTS 0x101, "VU ecall, hedeleg all"
    FIELD vs_area, H_CAUSE, 0, -1, 0x00000008, "VU ecall -> VS: vscause"
    EPC vs_area, 7b, "VU ecall -> VS: vsepc - insn"
    FIELD vs_area, H_TVAL, 0, -1, 0, "VU ecall -> VS: vstval"
    FIELD vs_area, H_STATUS, 0, 0x122, 0x020, "VU ecall -> VS: vsstatus SPP 0 SPIE 1 SIE 0"
    csrr a1, vsscratch
    CHECKED VS_MARK, "...the handler's sscratch: vsscratch (V = 1)"
    csrr a1, sscratch
    CHECKED 0, "...sscratch untouched"
    FIELD tr_area, TR_STATUS, 11, 3, 0, "...then ebreak from VU: MPP"
    csrr a1, mstatush
    andi a1, a1, 0x80           # (GVA: an ebreak's tval is a guest address: see hspec.s)
    CHECKED 0x00000080, "...mstatush.MPV"
    csrr a1, vsstatus
    andi a1, a1, 0x122
    CHECKED 0x00000022, "...vsstatus after the VS sret: SIE 1 SPIE 1 SPP 0"
    li s3, BAD
    GO M_VS
7:  lw a1, 0(s3)
    ebreak
    BACK
    COUNTS 0x101, "VS lw BAD, hedeleg all"
    FIELD vs_area, H_CAUSE, 0, -1, 0x00000005, "VS lw BAD -> VS: vscause"
    EPC vs_area, 7b, "VS lw BAD -> VS: vsepc - insn"
    FIELD vs_area, H_TVAL, 0, -1, BAD, "VS lw BAD -> VS: vstval"
    FIELD vs_area, H_STATUS, 0, 0x122, 0x120, "VS lw BAD -> VS: vsstatus SPP 1 SPIE 1 SIE 0"
    FIELD tr_area, TR_STATUS, 11, 3, 1, "...then ebreak from VS: MPP"
    GO M_VS
7:  ecall
    ebreak
    BACK
    COUNTS 0x110, "VS ecall, hedeleg all (bit 10 read-only 0): to HS"
    FIELD hs_area, H_CAUSE, 0, -1, 0x0000000a, "VS ecall -> HS: scause"
    GO M_VS
7:  csrr a1, hgatp
    ebreak
    BACK
    COUNTS 0x110, "VS csrr hgatp, hedeleg all (bit 22 read-only 0): to HS"
    FIELD hs_area, H_CAUSE, 0, -1, 0x00000016, "VS csrr hgatp -> HS: scause"
    GO M_HS
7:  .word 0xffffffff
    ebreak
    BACK
    COUNTS 0x110, "HS illegal, hedeleg all: to HS (hedeleg is for V = 1)"
    FIELD hs_area, H_HSTATUS, 0, 0x080, 0, "HS illegal -> HS: hstatus.SPV"
    li s3, BAD
    GO M_HS
7:  hlv.w a1, (s3)
    ebreak
    BACK
    COUNTS 0x110, "HS hlv.w BAD"
    FIELD hs_area, H_CAUSE, 0, -1, 0x00000005, "HS hlv.w BAD -> HS: scause"
    EPC hs_area, 7b, "HS hlv.w BAD -> HS: sepc - insn"
    FIELD hs_area, H_TVAL, 0, -1, BAD, "HS hlv.w BAD -> HS: stval"
    FIELD hs_area, H_HSTATUS, 0, 0x0c0, 0x040, "HS hlv.w BAD -> HS: hstatus SPV 0 GVA 1"
    csrw medeleg, zero
    GO M_VS
7:  .word 0xffffffff
    BACK
    COUNTS 0x100, "VS illegal, medeleg 0 hedeleg all: to M"
    csrw hedeleg, zero

    SAY "== sret =="
    GO M_VS
    li t0, 0x100
    csrc sstatus, t0            # vsstatus.SPP = U
    la t0, 1f
    csrw sepc, t0
    sret
1:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000008, "VS sret, vsstatus.SPP 0: VU ecall"
    csrr a1, mstatush
    CHECKED 0x00000080, "...MPV"
    GO M_VS
    li t0, 0x100
    csrs sstatus, t0            # vsstatus.SPP = S
    la t0, 1f
    csrw sepc, t0
    sret
1:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x0000000a, "VS sret, vsstatus.SPP 1: VS ecall"
    li t0, 0x80
    csrw hstatus, t0            # SPV = 1
    li t0, 0x100
    csrs mstatus, t0            # SPP = S
    GO M_HS
    la t0, 1f
    csrw sepc, t0
    sret
1:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x0000000a, "HS sret, SPV 1 SPP 1: VS ecall"
    csrr a1, hstatus
    andi a1, a1, 0x80
    CHECKED 0, "...hstatus.SPV cleared by sret"
    li t0, 0x80
    csrw hstatus, t0
    li t0, 0x100
    csrc mstatus, t0            # SPP = U
    GO M_HS
    la t0, 1f
    csrw sepc, t0
    sret
1:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000008, "HS sret, SPV 1 SPP 0: VU ecall"
    csrr a1, mstatush
    CHECKED 0x00000080, "...MPV"
    csrw hstatus, zero
    li t0, 0x100
    csrs mstatus, t0
    GO M_HS
    la t0, 1f
    csrw sepc, t0
    sret
1:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000009, "HS sret, SPV 0 SPP 1: HS ecall"
    li t0, 0x80
    csrw hstatus, t0
    li t0, 0x100
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    la t0, tr_area
    la t1, 2f
    sw t1, TR_RESUME(t0)
    sret                        # in M-mode
1:  ecall
2:  FIELD tr_area, TR_CAUSE, 0, -1, 0x0000000a, "M sret, SPV 1 SPP 1: VS ecall"
    csrr a1, hstatus
    andi a1, a1, 0x80
    CHECKED 0, "...hstatus.SPV cleared by sret"
    li t0, 0x00400000
    csrw hstatus, t0            # VTSR
    GO M_VS
7:  sret
    ecall
    BACK
    TRAPPED 22, 0x10200073, "VS sret, VTSR 1"
    li t0, 0x100
    csrs mstatus, t0
    GO M_HS
    la t0, 1f
    csrw sepc, t0
    sret
1:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x00000009, "HS sret, VTSR 1: no trap (HS ecall)"
    csrw hstatus, zero
    GO M_VS
7:  mret
    ecall
    BACK
    TRAPPED 2, 0x30200073, "VS mret"
    GO M_VU
7:  mret
    ecall
    BACK
    TRAPPED 2, 0x30200073, "VU mret"

    SAY "== wfi =="
    li t0, 0x00200000
    csrw hstatus, t0            # VTW
    GO M_VS
7:  wfi
    ecall
    BACK
    TRAPPED 22, 0x10500073, "VS wfi, VTW 1"
    csrw hstatus, zero
    GO M_VU
7:  wfi
    ecall
    BACK
    TRAPPED 22, 0x10500073, "VU wfi, TW 0"
    li t0, 0x00200000
    csrs mstatus, t0            # TW
    GO M_VS
7:  wfi
    ecall
    BACK
    TRAPPED 2, 0x10500073, "VS wfi, TW 1"
    li t0, 0x00200000
    csrc mstatus, t0

    SAY "== hypervisor instructions =="
    GO M_VS
7:  hfence.vvma zero, zero
    ecall
    BACK
    TRAPPED 22, 0x22000073, "VS hfence.vvma"
    GO M_VS
7:  hfence.gvma zero, zero
    ecall
    BACK
    TRAPPED 22, 0x62000073, "VS hfence.gvma"
    la s3, hdata
    GO M_VS
7:  hlv.w a1, (s3)
    ecall
    BACK
    TRAPPEDC 22, "VS hlv.w"
    GO M_VS
7:  hsv.w a1, (s3)
    ecall
    BACK
    TRAPPEDC 22, "VS hsv.w"
    GO M_VU
7:  hlv.w a1, (s3)
    ecall
    BACK
    TRAPPEDC 22, "VU hlv.w"
    GO M_U
7:  hlv.w a1, (s3)
    ecall
    BACK
    TRAPPEDC 2, "U hlv.w, HU 0"
    GO M_U
7:  hfence.vvma zero, zero
    ecall
    BACK
    TRAPPED 2, 0x22000073, "U hfence.vvma, HU 0"
    li t0, 0x200
    csrw hstatus, t0            # HU
    GO M_U
    hlv.w s4, (s3)
    li t0, 0x5a
    addi t1, s3, 1
    hsv.b t0, (t1)
4:  ecall
    BACK
    EPC tr_area, 4b, "U hlv.w hsv.b, HU 1: no trap (next trap is the ecall)"
    mv a1, s4
    CHECKED 0x8081f0f1, "U hlv.w, HU 1: value"
    lw a1, 0(s3)
    CHECKED 0x80815af1, "U hsv.b, HU 1: memory"
    GO M_U
7:  hfence.vvma zero, zero
    ecall
    BACK
    TRAPPED 2, 0x22000073, "U hfence.vvma, HU 1"
    csrw hstatus, zero
    li t0, 0x8081f0f1
    sw t0, 0(s3)
    GO M_HS
    hlv.b s2, (s3)
    hlv.bu s4, (s3)
    addi t1, s3, 2
    hlv.h s5, (t1)
    hlv.hu s7, (t1)
    ecall
    BACK
    mv a1, s2
    CHECKED 0xfffffff1, "HS hlv.b"
    mv a1, s4
    CHECKED 0x000000f1, "HS hlv.bu"
    mv a1, s5
    CHECKED 0xffff8081, "HS hlv.h"
    mv a1, s7
    CHECKED 0x00008081, "HS hlv.hu"
    la t0, 1f
    hlvx.wu a1, (t0)
1:  lw t1, 0(t0)
    sub a1, a1, t1
    CHECKED 0, "M hlvx.wu of an instruction - lw of it"
    li t0, 0x1234
    hsv.h t0, 0(s3)
    li t0, 0x01020304
    addi t1, s3, 4
    hsv.w t0, (t1)
    lw a1, 0(s3)
    CHECKED 0x80811234, "M hsv.h"
    lw a1, 4(s3)
    CHECKED 0x01020304, "M hsv.w"
    li s3, BAD
    la t0, 1f
    la t1, tr_area
    sw t0, TR_RESUME(t1)
    csrw mstatush, zero
2:  hlv.w a1, (s3)
1:  FIELD tr_area, TR_CAUSE, 0, -1, 0x00000005, "M hlv.w BAD: mcause"
    FIELD tr_area, TR_TVAL, 0, -1, BAD, "M hlv.w BAD: mtval"
    EPC tr_area, 2b, "M hlv.w BAD: mepc - insn"
    csrr a1, mstatush
    andi a1, a1, 0x80
    CHECKED 0x00000000, "M hlv.w BAD: mstatush.MPV (GVA: see hspec.s)"

    SAY "== VS-level interrupts delegated to VS (hideleg) =="
    li t0, 0x222
    csrw mideleg, t0            # (QEMU hides vsip in VS-mode without it: hspec.s)
    li t0, 0x444
    csrw hideleg, t0
    li t0, 0x004
    csrw hie, t0
    csrw hvip, t0               # VSSIP, VSSIE
    csrw vsstatus, zero
    csrsi vsstatus, 2           # SIE = 1
    GO M_VS
7:  nop
    ebreak
    BACK
    COUNTS 0x101, "VSSI in VS, vsstatus.SIE 1"
    FIELD vs_area, H_CAUSE, 0, -1, 0x80000001, "VSSI in VS: vscause"
    EPC vs_area, 7b, "VSSI in VS: vsepc - first insn"
    FIELD vs_area, H_STATUS, 0, 0x122, 0x120, "VSSI in VS: vsstatus SPP 1 SPIE 1 SIE 0"
    csrr a1, hie
    CHECKED 0, "...the handler's csrw sie, zero cleared hie.VSSIE"
    li t0, 0x004
    csrw hie, t0
    csrw vsstatus, zero         # SIE = 0
    GO M_VS
    csrr s2, sip
    ebreak
    BACK
    COUNTS 0x100, "VSSI in VS, vsstatus.SIE 0: waits"
    mv a1, s2
    CHECKED 0x00000002, "...sip in VS-mode (vsip) shows SSIP"
    GO M_HS
    csrsi sstatus, 2
    nop
    csrci sstatus, 2
    ebreak
    BACK
    COUNTS 0x100, "VSSI in HS, sstatus.SIE 1: waits for V = 1"
    GO M_VU
7:  nop
    ebreak
    BACK
    COUNTS 0x101, "VSSI in VU, vsstatus.SIE 0: taken"
    FIELD vs_area, H_CAUSE, 0, -1, 0x80000001, "VSSI in VU: vscause"
    FIELD vs_area, H_STATUS, 0, 0x122, 0x000, "VSSI in VU: vsstatus SPP 0 SPIE 0 SIE 0"
    csrw hvip, zero
    li t0, 0x040
    csrw hie, t0
    csrw hvip, t0
    csrsi vsstatus, 2
    GO M_VS
7:  nop
    ebreak
    BACK
    COUNTS 0x101, "VSTI in VS"
    FIELD vs_area, H_CAUSE, 0, -1, 0x80000005, "VSTI in VS: vscause"
    csrw hvip, zero
    li t0, 0x400
    csrw hie, t0
    csrw hvip, t0
    csrsi vsstatus, 2
    GO M_VS
7:  nop
    ebreak
    BACK
    COUNTS 0x101, "VSEI in VS"
    FIELD vs_area, H_CAUSE, 0, -1, 0x80000009, "VSEI in VS: vscause"
    csrw hvip, zero
    li t0, 0x044
    csrw hie, t0
    csrw hvip, t0
    csrsi vsstatus, 2
    GO M_VS
7:  nop
    ebreak
    BACK
    FIELD vs_area, H_CAUSE, 0, -1, 0x80000001, "VSSI and VSTI in VS: VSSI first"
    csrw hvip, zero
    csrw hie, zero

    SAY "== VS-level interrupts not delegated: to HS =="
    csrw hideleg, zero
    csrw vsstatus, zero         # vsstatus.SIE = 0
    csrci mstatus, 2            # sstatus.SIE = 0
    li t0, 0x004
    csrw hie, t0
    csrw hvip, t0
    GO M_VS
7:  nop
    ebreak
    BACK
    COUNTS 0x110, "VSSI in VS, hideleg 0, both SIE 0"
    FIELD hs_area, H_CAUSE, 0, -1, 0x80000002, "VSSI -> HS: scause"
    EPC hs_area, 7b, "VSSI -> HS: sepc - first insn"
    FIELD hs_area, H_HSTATUS, 0, 0x1c0, 0x180, "VSSI -> HS: hstatus SPVP 1 SPV 1 GVA 0"
    csrr a1, hie
    CHECKED 0, "...the handler cleared hie"
    li t0, 0x040
    csrw hie, t0
    csrw hvip, t0
    GO M_VU
7:  nop
    ebreak
    BACK
    COUNTS 0x110, "VSTI in VU, hideleg 0"
    FIELD hs_area, H_CAUSE, 0, -1, 0x80000006, "VSTI -> HS: scause"
    FIELD hs_area, H_HSTATUS, 0, 0x1c0, 0x080, "VSTI -> HS: hstatus SPVP 0 SPV 1"
    li t0, 0x400
    csrw hie, t0
    csrw hvip, t0
    GO M_VS
7:  nop
    ebreak
    BACK
    FIELD hs_area, H_CAUSE, 0, -1, 0x8000000a, "VSEI in VS, hideleg 0: scause"
    li t0, 0x004
    csrw hie, t0
    csrw hvip, t0
    GO M_HS
    nop
    nop
    ebreak
    BACK
    COUNTS 0x100, "VSSI in HS, sstatus.SIE 0: waits"
    GO M_HS
    csrsi sstatus, 2
7:  nop
    ebreak
    BACK
    COUNTS 0x110, "VSSI in HS, sstatus.SIE 1: taken"
    FIELD hs_area, H_CAUSE, 0, -1, 0x80000002, "VSSI in HS: scause"
    EPC hs_area, 7b, "VSSI in HS: sepc - next insn"
    FIELD hs_area, H_HSTATUS, 0, 0x080, 0x000, "VSSI in HS: hstatus.SPV"
    csrci mstatus, 2
    csrw hvip, zero

    SAY "== HS-level interrupts in VS-mode; priority =="
    li t0, 0x2
    csrw mideleg, t0
    csrw mie, t0                # SSIE
    csrs mip, t0                # SSIP
    csrw vsstatus, zero
    GO M_VS
7:  nop
    ebreak
    BACK
    COUNTS 0x110, "SSI (mideleg) in VS, both SIE 0"
    FIELD hs_area, H_CAUSE, 0, -1, 0x80000001, "SSI -> HS: scause"
    FIELD hs_area, H_HSTATUS, 0, 0x080, 0x080, "SSI -> HS: hstatus.SPV"
    li t0, 0x2
    csrc mip, t0
    li t0, 0x444
    csrw hideleg, t0
    li t0, 0x006
    csrw mie, t0                # SSIE, VSSIE
    csrs mip, t0                # SSIP, VSSIP
    csrsi vsstatus, 2
    GO M_VS
7:  nop
    ebreak
    BACK
    FIELD hs_area, H_CAUSE, 0, -1, 0x80000001, "SSI (HS) and VSSI (VS) in VS: SSI first"
    EPC hs_area, 7b, "...sepc - first insn"
    li t0, 0x006
    csrc mip, t0
    csrw hideleg, zero
    li t0, 0x006
    csrw mie, t0
    csrs mip, t0
    GO M_VS
7:  nop
    ebreak
    BACK
    FIELD hs_area, H_CAUSE, 0, -1, 0x80000001, "SSI and VSSI for HS: SSI first"
    li t0, 0x006
    csrc mip, t0
    csrw mie, zero
    csrw mideleg, zero
    csrw hvip, zero
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
