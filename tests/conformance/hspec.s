# hspec.s -- hypervisor-extension rules QEMU 7.2 breaks: expected output written by hand.
# Each section is a rule of the RISC-V privileged spec (1.12, chapter 8 "Hypervisor Extension"
# unless said otherwise) that QEMU 7.2 (qemu-system-riscv32 -cpu rv32,...,h=true) does not follow,
# so this program's expected result (hspec.expected: every check ok) comes from the spec, not
# from QEMU (QEMU's exit status is kept in expected.json; its output is not compared). QEMU's
# actual value in brackets.
# WARL / read-only fields:
#  - hstatus (8.2.1): WPRI bits and VSBE (little-endian only) read zero: all ones but VGEIN
#    reads 0x007003c0 [QEMU keeps every bit but VSBE: 0xfffc0fdf].
#  - vsstatus (8.2.11; 2.3 WPRI): all ones reads 0x000c0122 (MXR SUM SPP SPIE SIE: the fields
#    of this machine's sstatus, which has neither F nor V, so FS, VS, XS and SD read zero, and
#    UBE too: little-endian only) [0xffffffff]; SD is read-only [0x80000000 after writing it
#    alone].
#  - hgatp (8.2.10): bits 30:29 read zero, PPN[1:0] read zero with MODE = Sv32x4: all ones reads
#    0x9ffffffc [0xffffffff]; 0x80000003 reads 0x80000000 [0x80000003].
#  - vstvec (8.2.12, as stvec 4.1.2): MODE values >= 2 are reserved (WARL): all ones reads a
#    legal MODE, 0 or 1 [MODE 3].
#  - vsepc (8.2.13, as sepc 4.1.7): bits 1:0 read zero with IALIGN = 32 [kept: 0xffffffff].
#  - medeleg[11] (3.1.8) is read-only zero [writable].
#  - mideleg bit 13 (LCOFI) read-only zero without Sscofpmf [writable: 0x3666 for all ones].
#  - henvcfg (8.2.5): without Zicbom/Zicboz, CBIE CBCFE CBZE read zero; without Svpbmt and Sstc,
#    henvcfgh's PBMTE and STCE read zero: all ones reads 0x00000001 / 0x00000000 [0x000000f1 /
#    0xc0000000: QEMU 7.2's rv32 CPU has Zicbom and Zicboz, and keeps PBMTE and STCE].
# vsip / vsie (8.2.12):
#  - vsip.STIP / SEIP are aliases of hip.VSTIP / VSEIP when hideleg delegates them: hvip = 0x444,
#    hideleg = 0x444: vsip = 0x222 [0x002].
#  - with V = 1, sip / sie are vsip / vsie whatever mideleg's S bits: with mideleg = 0 a VS-mode
#    csrr sip / sie reads vsip / vsie [0: QEMU masks them with mideleg].
# Instructions with V = 1 (8.6.1, "virtual instruction exception" list; 8.4.1 mstatus):
#  - VU-mode access to an S CSR raises virtual instruction, 22 [2].
#  - VU-mode sret, sfence.vma, hfence.vvma raise 22 [2].
#  - VU-mode wfi with mstatus.TW = 1 raises illegal instruction, 2 [22].
#  - VS-mode satp access with hstatus.VTVM = 1 raises 22 [no trap].
#  - mstatus.TVM and TSR act in HS-mode only: VS-mode satp, sfence.vma and sret with TVM = TSR = 1
#    do not trap [2].
#  - HS-mode hgatp access with mstatus.TVM = 1 raises illegal instruction, 2 [no trap].
#  - mtval of an hlv/hsv virtual-instruction or illegal-instruction trap is written as for any
#    illegal instruction (here the instruction word) [a stale value: the previous trap's word].
# Trap entry (8.6.2, 8.6.3, 8.4.1):
#  - an illegal instruction delegated to VS-mode gives vscause 2 [1: QEMU converts the
#    exception code as if it were a VS interrupt].
#  - mstatush.GVA is 1 only when mtval holds a guest virtual address, and 0 for any other trap
#    into M: an illegal instruction from VS gives GVA = 0 [1]; an ecall from VS after GVA = 1
#    gives 0 [1: QEMU never clears it]; an hlv fault in M-mode gives GVA = 1 [0].
#  - an ebreak from VS-mode writes its pc, a guest virtual address, to mtval / stval (8.2.1
#    hstatus, 8.4.1 mstatush: "For any trap (breakpoint, ...) that writes a guest virtual address
#    ..., GVA is set to 1"), so mstatush.GVA = 1 in M and hstatus.GVA = 1 when delegated to HS
#    [0: QEMU 7.2 writes 0 to mtval / stval for an ebreak, and GVA with it].
# Interrupts (8.2.3 hip: "SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI" for HS; VS-level interrupts
# converted, so VSEI, VSSI, VSTI for VS) [QEMU 7.2 takes the lowest-numbered first]:
#  - VSEI before VSSI and VSTI in VS-mode (vscause 0x80000009) [0x80000001 / 5].
#  - VSEI before VSSI, STI before VSSI in HS-mode (scause 0x8000000a / 5) [0x80000002].
# Trap return (8.4.1, 8.6.4):
#  - mret with MPP = M leaves V = 0 ("unless MPP=3, in which case V remains 0"): the next ecall is
#    from M with mstatush.MPV = 0 [V becomes 1 in M-mode: MPV = 1 at the ecall]. Last, as it
#    leaves QEMU's state inconsistent.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP
    .include "h.inc"            # modes, GO/BACK and check macros, run_at, HS/VS handlers

    H_TRAPS                     # trap_hs, trap_vs installed; hedeleg = hideleg = 0; mcounteren -1
    li t0, -1                   # hcounteren, scounteren all ones too
    csrw hcounteren, t0
    csrw scounteren, t0

    SAY "== hstatus / vsstatus / hgatp / vstvec / vsepc: read-only and WPRI bits =="
    li t0, 0xfffc0fff
    csrw hstatus, t0
    csrr a1, hstatus
    CHECKED 0x007003c0, "hstatus all ones but VGEIN"
    csrw hstatus, zero
    li t0, -1
    csrw vsstatus, t0
    csrr a1, vsstatus
    CHECKED 0x000c0122, "vsstatus all ones"
    li t0, 0x80000000
    csrw vsstatus, t0
    csrr a1, vsstatus
    CHECKED 0x00000000, "vsstatus SD alone (read-only)"
    csrw vsstatus, zero
    li t0, -1
    csrw hgatp, t0
    csrr a1, hgatp
    CHECKED 0x9ffffffc, "hgatp all ones"
    li t0, 0x80000003
    csrw hgatp, t0
    csrr a1, hgatp
    CHECKED 0x80000000, "hgatp Sv32x4 PPN 3"
    csrw hgatp, zero
    li t0, -1
    csrw vstvec, t0
    csrr a1, vstvec
    andi a1, a1, 2
    CHECKED 0x00000000, "vstvec all ones: MODE is 0 or 1"
    la t0, trap_vs
    csrw vstvec, t0
    li t0, -1
    csrw vsepc, t0
    csrr a1, vsepc
    CHECKED 0xfffffffc, "vsepc all ones"
    csrw vsepc, zero

    SAY "== delegation and environment registers =="
    li t0, -1
    csrw medeleg, t0
    csrr a1, medeleg
    li t0, 0x800
    and a1, a1, t0
    CHECKED 0x00000000, "medeleg all ones: bit 11"
    csrw medeleg, zero
    li t0, -1
    csrw mideleg, t0
    csrr a1, mideleg
    CHECKED 0x00001666, "mideleg all ones"
    csrw mideleg, zero
    li t0, -1
    csrw henvcfg, t0
    csrr a1, henvcfg
    CHECKED 0x00000001, "henvcfg all ones"
    csrw henvcfg, zero
    li t0, -1
    csrw henvcfgh, t0
    csrr a1, henvcfgh
    CHECKED 0x00000000, "henvcfgh all ones"
    csrw henvcfgh, zero

    SAY "== vsip / vsie =="
    li t0, 0x444
    csrw hideleg, t0
    csrw hvip, t0
    csrr a1, vsip
    CHECKED 0x00000222, "hvip = hideleg = 0x444: vsip"
    li t0, 0x440
    csrw hie, t0
    li t0, 0x004
    csrw hvip, t0
    csrw mideleg, zero
    csrw vsstatus, zero
    GO M_VS
    csrr s2, sip
    csrr s3, sie
    ecall
    BACK
    mv a1, s2
    CHECKED 0x00000002, "mideleg 0, VS-mode csrr sip: vsip"
    mv a1, s3
    CHECKED 0x00000220, "mideleg 0, VS-mode csrr sie: vsie"
    csrw hvip, zero
    csrw hie, zero
    csrw hideleg, zero

    SAY "== V = 1: virtual instruction or illegal instruction =="
    GO M_VU
7:  csrr a1, sstatus
    ecall
    BACK
    TRAPPED 22, 0x100025f3, "VU csrr sstatus"
    GO M_VU
7:  csrw sscratch, a1
    ecall
    BACK
    TRAPPED 22, 0x14059073, "VU csrw sscratch"
    GO M_VU
7:  sret
    ecall
    BACK
    TRAPPED 22, 0x10200073, "VU sret"
    GO M_VU
7:  sfence.vma zero, zero
    ecall
    BACK
    TRAPPED 22, 0x12000073, "VU sfence.vma"
    GO M_VU
7:  hfence.vvma zero, zero
    ecall
    BACK
    TRAPPED 22, 0x22000073, "VU hfence.vvma"
    li t0, 0x00200000
    csrs mstatus, t0            # TW
    GO M_VU
7:  wfi
    ecall
    BACK
    TRAPPED 2, 0x10500073, "VU wfi, TW 1"
    li t0, 0x00200000
    csrc mstatus, t0
    li t0, 0x00100000
    csrw hstatus, t0            # VTVM
    GO M_VS
7:  csrr a1, satp
    ecall
    BACK
    TRAPPED 22, 0x180025f3, "VS csrr satp, VTVM 1"
    csrw hstatus, zero
    li t0, 0x00500000
    csrs mstatus, t0            # TVM, TSR
    GO M_VS
    csrr a1, satp
4:  ecall
    BACK
    NOTRAP "VS csrr satp, TVM 1"
    GO M_VS
    sfence.vma zero, zero
4:  ecall
    BACK
    NOTRAP "VS sfence.vma, TVM 1"
    GO M_VS
    li t0, 0x100
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  ecall
    BACK
    FIELD tr_area, TR_CAUSE, 0, -1, 0x0000000a, "VS sret, TSR 1: no trap (VS ecall)"
    GO M_HS
7:  csrr a1, hgatp
    ecall
    BACK
    TRAPPED 2, 0x680025f3, "HS csrr hgatp, TVM 1"
    li t0, 0x00500000
    csrc mstatus, t0
    la s3, hdata
    GO M_VS
7:  hlv.w a1, (s3)
    ecall
    BACK
    TRAPPED 22, 0x6809c5f3, "VS hlv.w"
    GO M_VS
7:  hsv.w a1, (s3)
    ecall
    BACK
    TRAPPED 22, 0x6ab9c073, "VS hsv.w"
    GO M_U
7:  hlv.w a1, (s3)
    ecall
    BACK
    TRAPPED 2, 0x6809c5f3, "U hlv.w, HU 0"

    SAY "== trap entry: vscause, GVA =="
    li t0, 1 << 2
    csrw medeleg, t0
    csrw hedeleg, t0
    GO M_VS
7:  .word 0xffffffff
    ebreak
    BACK
    COUNTS 0x101, "VS illegal, medeleg and hedeleg bit 2"
    FIELD vs_area, H_CAUSE, 0, -1, 0x00000002, "VS illegal -> VS: vscause"
    FIELD vs_area, H_TVAL, 0, -1, 0xffffffff, "VS illegal -> VS: vstval"
    csrw medeleg, zero
    csrw hedeleg, zero
    GO M_VS
    .word 0xffffffff
    BACK
    csrr a1, mstatush
    CHECKED 0x00000080, "VS illegal -> M: mstatush MPV 1 GVA 0"
    GO M_VS
    ecall
    BACK
    li t0, 0x40
    csrs mstatush, t0           # GVA = 1 (run_at cleared it)
    la a0, 5f
    li a1, M_VS
    la a2, 6f
    la t0, tr_area
    sw a2, TR_RESUME(t0)
    csrw mepc, a0
    li t0, 0x1800
    csrc mstatus, t0
    li t0, 0x0800
    csrs mstatus, t0
    li t0, 0x80
    csrs mstatush, t0
    mret
5:  ecall
6:  csrr a1, mstatush
    CHECKED 0x00000080, "GVA 1, then VS ecall -> M: mstatush MPV 1 GVA 0"
    li s3, BAD
    csrw mstatush, zero
    la t0, 1f
    la t1, tr_area
    sw t0, TR_RESUME(t1)
    hlv.w a1, (s3)
1:  csrr a1, mstatush
    CHECKED 0x00000040, "M hlv.w BAD -> M: mstatush MPV 0 GVA 1"

    SAY "== interrupt priority: HS SEI SSI STI SGEI VSEI VSSI VSTI; VS SEI SSI STI =="
    li t0, 0x222
    csrw mideleg, t0
    li t0, 0x444
    csrw hideleg, t0
    csrw hie, t0
    li t0, 0x404
    csrw hvip, t0
    csrw vsstatus, zero
    csrsi vsstatus, 2
    GO M_VS
    nop
    ebreak
    BACK
    FIELD vs_area, H_CAUSE, 0, -1, 0x80000009, "VSEI and VSSI for VS: VSEI first"
    li t0, 0x444
    csrw hie, t0
    li t0, 0x440
    csrw hvip, t0
    csrsi vsstatus, 2
    GO M_VS
    nop
    ebreak
    BACK
    FIELD vs_area, H_CAUSE, 0, -1, 0x80000009, "VSEI and VSTI for VS: VSEI first"
    csrw hideleg, zero
    li t0, 0x444
    csrw hie, t0
    li t0, 0x404
    csrw hvip, t0
    GO M_VS
    nop
    ebreak
    BACK
    FIELD hs_area, H_CAUSE, 0, -1, 0x8000000a, "VSEI and VSSI for HS: VSEI first"
    li t0, 0x004
    csrw hvip, t0
    li t0, 0x024
    csrw mie, t0                # STIE, VSSIE
    li t0, 0x020
    csrs mip, t0                # STIP
    GO M_VS
    nop
    ebreak
    BACK
    FIELD hs_area, H_CAUSE, 0, -1, 0x80000005, "STI and VSSI for HS: STI first"
    li t0, 0x020
    csrc mip, t0
    csrw mie, zero
    csrw hvip, zero
    csrw mideleg, zero

    SAY "== GVA on an ebreak from VS-mode =="
    GO M_VS
7:  ebreak
    BACK
    TRAPPEDC 3, "VS ebreak -> M"
    csrr a1, mstatush
    CHECKED 0x000000c0, "VS ebreak -> M: mstatush MPV 1 GVA 1"
    li t0, 1 << 3
    csrw medeleg, t0
    csrw hstatus, zero
    GO M_VS
7:  ebreak
    ecall
    BACK
    COUNTS 0x110, "VS ebreak, medeleg bit 3"
    FIELD hs_area, H_CAUSE, 0, -1, 0x00000003, "VS ebreak -> HS: scause"
    FIELD hs_area, H_HSTATUS, 6, 3, 0x00000003, "VS ebreak -> HS: hstatus SPV 1 GVA 1"
    csrw medeleg, zero
    csrw hstatus, zero

    SAY "== mret with MPP = M: V stays 0 =="
    li t0, 0x80
    csrw mstatush, t0
    li t0, 0x1800
    csrs mstatus, t0            # MPP = M, MPV = 1
    la t0, 1f
    csrw mepc, t0
    la t0, tr_area
    la t1, 2f
    sw t1, TR_RESUME(t0)
    mret
1:  ecall
2:  FIELD tr_area, TR_CAUSE, 0, -1, 0x0000000b, "mret MPP M MPV 1, ecall: mcause"
    csrr a1, mstatush
    andi a1, a1, 0x80
    CHECKED 0x00000000, "mret MPP M MPV 1, ecall: mstatush.MPV"

    # the memory side's departures: hspec_mem.s
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
