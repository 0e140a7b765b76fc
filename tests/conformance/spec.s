# spec.s -- privileged-spec points where QEMU 7.2 is wrong: expected output written by hand.
# Each section is a rule of the RISC-V privileged spec (1.12) that QEMU 7.2 does not follow, so
# this program's expected result comes from the spec, not from QEMU (QEMU's own output is kept in
# expected.json for the live-QEMU test): mtval of a misaligned jal/branch is the target; csrrs /
# csrrc with rs1 != x0 write (illegal on a read-only CSR even when the register holds zero);
# mret and sret to S or U clear MPRV; interrupt priority MEI MSI MTI SEI SSI STI; a misaligned
# AMO raises store/AMO-address-misaligned (6); a write to minstret/mcycle is the value the next
# instruction reads (the writing instruction does not count itself); mepc/sepc bits 1:0 read as
# zero without C; a page-table walk into absent memory raises an access fault (5/7/1), not a
# page fault. And three rules of the RISC-V PLIC specification (1.0.0) that QEMU 7.2's PLIC
# breaks: a write to the enables changes the context's interrupt (MEIP) at once (QEMU waits for
# the next PLIC event); at completion, a level-triggered source whose line is still high is
# pending again (QEMU waits for the device to signal again); a completion by a context where
# the source is not enabled is ignored (QEMU accepts it).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    li s9, CLINT_MSIP
    sw zero, 0(s9)
    call disarm_timer
    la a0, 9f
    call say
    .section .rodata
9:  .string "== misaligned jal / branch: mtval = the target =="
    .text
    la s6, tr_area
    la t0, 3f
    sw t0, TR_RESUME(s6)
2:  .word 0x00600a6f            # jal s4, .+6
    nop
    nop
    nop
3:  la s7, 2b
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000000, "jal .+6: mcause"
    lw a1, TR_TVAL(s6)
    sub a1, a1, s7
    CHECKED 0x00000006, "jal .+6: mtval - jal"
    la t0, 3f
    sw t0, TR_RESUME(s6)
2:  .word 0x00000363            # beq zero, zero, .+6
    nop
    nop
    nop
3:  la s7, 2b
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000000, "beq .+6: mcause"
    lw a1, TR_TVAL(s6)
    sub a1, a1, s7
    CHECKED 0x00000006, "beq .+6: mtval - beq"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== csrrs / csrrc with rs1 != x0 write, even a zero =="
    .text
    li s4, 0
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrs a1, mhartid, s4
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrrs a1, mhartid, s4 (s4 = 0): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrrs a1, mhartid, s4 (s4 = 0): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrrs a1, mhartid, s4 (s4 = 0): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xf14a25f3, "csrrs a1, mhartid, s4 (s4 = 0): mtval"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  csrrc a1, mimpid, s4
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "csrrc a1, mimpid, s4 (s4 = 0): traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000002, "csrrc a1, mimpid, s4 (s4 = 0): mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "csrrc a1, mimpid, s4 (s4 = 0): mepc - insn"
    lw a1, TR_TVAL(s6)
    CHECKED 0xf13a35f3, "csrrc a1, mimpid, s4 (s4 = 0): mtval"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== mret / sret to S or U clear MPRV =="
    .text
    li t0, 0x20000
    csrs mstatus, t0            # MPRV = 1 (MPP is set by run_in)
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
7:  ecall
6:  la s6, tr_area
    lw a1, TR_STATUS(s6)
    li t0, 0x20000
    and a1, a1, t0
    CHECKED 0x00000000, "mret to S: MPRV at the next trap"
    li t0, 0x20000
    csrs mstatus, t0
    la a0, 5f
    li a1, 0
    la a2, 6f
    j run_in
5:  nop
7:  ecall
6:  la s6, tr_area
    lw a1, TR_STATUS(s6)
    li t0, 0x20000
    and a1, a1, t0
    CHECKED 0x00000000, "mret to U: MPRV at the next trap"
    li t0, 0x20000
    csrs mstatus, t0
    li t0, 0x100
    csrc mstatus, t0            # SPP = U
    la t0, 5f
    csrw sepc, t0
    la t0, tr_area
    la t1, 6f
    sw t1, TR_RESUME(t0)
    sret                        # from M-mode to U
5:  ecall
6:  la s6, tr_area
    li t0, 0x20000
    csrc mstatus, t0
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000008, "sret to U: mcause"
    lw a1, TR_STATUS(s6)
    li t0, 0x20000
    and a1, a1, t0
    CHECKED 0x00000000, "sret to U: MPRV at the next trap"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== interrupt priority: MEI MSI MTI SEI SSI STI =="
    .text
    la s6, tr_area
    li t0, 1
    sw t0, 0(s9)
    li t0, 0x00000002
    csrs mip, t0
    li t0, 0x0000000a
    csrw mie, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    csrw mie, zero
    sw zero, 0(s9)
    call disarm_timer
    li t0, 0x222
    csrc mip, t0
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000003, "MSI + SSI: MSI"
    la s6, tr_area
    li a0, 0
    call arm_timer
    li t0, 0x00000002
    csrs mip, t0
    li t0, 0x00000082
    csrw mie, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    csrw mie, zero
    sw zero, 0(s9)
    call disarm_timer
    li t0, 0x222
    csrc mip, t0
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000007, "MTI + SSI: MTI"
    la s6, tr_area
    li a0, 0
    call arm_timer
    li t0, 0x00000020
    csrs mip, t0
    li t0, 0x000000a0
    csrw mie, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    csrw mie, zero
    sw zero, 0(s9)
    call disarm_timer
    li t0, 0x222
    csrc mip, t0
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000007, "MTI + STI: MTI"
    la s6, tr_area
    li t0, 0x00000202
    csrs mip, t0
    li t0, 0x00000202
    csrw mie, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    csrw mie, zero
    sw zero, 0(s9)
    call disarm_timer
    li t0, 0x222
    csrc mip, t0
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000009, "SEI + SSI: SEI"
    la s6, tr_area
    li t0, 0x00000220
    csrs mip, t0
    li t0, 0x00000220
    csrw mie, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    csrw mie, zero
    sw zero, 0(s9)
    call disarm_timer
    li t0, 0x222
    csrc mip, t0
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000009, "SEI + STI: SEI"
    la s6, tr_area
    li t0, 0x00000022
    csrs mip, t0
    li t0, 0x00000022
    csrw mie, t0
    csrsi mstatus, 8
    nop
    csrci mstatus, 8
    csrw mie, zero
    sw zero, 0(s9)
    call disarm_timer
    li t0, 0x222
    csrc mip, t0
    lw a1, TR_CAUSE(s6)
    CHECKED 0x80000001, "SSI + STI: SSI"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== misaligned AMO: store/AMO-address-misaligned =="
    .text
    la s3, sdata
    addi s3, s3, 2
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  amoadd.w a1, a1, (s3)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "amoadd.w at +2: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000006, "amoadd.w at +2: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "amoadd.w at +2: mepc - insn"
    lw a1, TR_TVAL(s6)
    sub a1, a1, s3
    CHECKED 0x00000000, "amoadd.w at +2: mtval - address"
    la s6, tr_area
    lw s10, TR_COUNT(s6)
8:  amoswap.w a1, a1, (s3)
    lw a1, TR_COUNT(s6)
    sub a1, a1, s10
    CHECKED 0x00000001, "amoswap.w at +2: traps"
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000006, "amoswap.w at +2: mcause"
    lw a1, TR_EPC(s6)
    la t0, 8b
    sub a1, a1, t0
    CHECKED 0x00000000, "amoswap.w at +2: mepc - insn"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== a counter write is what the next instruction reads =="
    .text
    csrwi minstret, 0
    csrr a1, minstret
    CHECKED 0x00000000, "csrwi minstret, 0; csrr minstret"
    csrwi mcycle, 0
    csrr a1, mcycle
    CHECKED 0x00000000, "csrwi mcycle, 0; csrr mcycle"
    li t0, -1
    csrw minstret, t0
    csrw minstreth, t0
    nop
    csrr a1, minstret
    CHECKED 0x00000000, "minstret = minstreth = -1, nop: minstret"
    csrr a1, minstreth
    CHECKED 0x00000000, "...minstreth"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== mepc / sepc bits 1:0 read as zero (IALIGN = 32) =="
    .text
    li t0, 0x80000003
    csrw mepc, t0
    csrr a1, mepc
    CHECKED 0x80000000, "mepc"
    li t0, 0x80000006
    csrw sepc, t0
    csrr a1, sepc
    CHECKED 0x80000004, "sepc"
    la a0, 9f
    call say
    .section .rodata
9:  .string "== a PTE in absent memory: access fault of the original type =="
    .text
    call zero_tables
    la a0, pt_root
    li a1, 0x200
    li a2, 0x80000000
    li a3, 0xcf
    call map
    la a0, pt_root
    li a1, 0x100
    li a2, 0x90000000
    li a3, 0x1         # 0x40000000: table pointer to absent memory
    call map
    la t0, pt_root
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0               # Sv32, ASID 0, root = pt_root
    sfence.vma zero, zero
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
    CHECKED 0x00000005, "lw 0x40000000: mcause"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40000000, "lw 0x40000000: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000004
7:  sw s2, 0(t0)
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000007, "sw 0x40000004: mcause"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40000004, "sw 0x40000004: mtval"
    la a0, 5f
    li a1, 1
    la a2, 6f
    j run_in
5:  nop
    li t0, 0x40000008
7:  jr t0
    ebreak
6:  la s6, tr_area
    lw a1, TR_CAUSE(s6)
    CHECKED 0x00000001, "fetch 0x40000008: mcause"
    lw a1, TR_TVAL(s6)
    CHECKED 0x40000008, "fetch 0x40000008: mtval"
    csrw satp, zero
    sfence.vma zero, zero
    la a0, 9f
    call say
    .section .rodata
9:  .string "== PLIC: enables act at once, completion re-arms a level source, foreign completion =="
    .text
    .equ PLIC, 0x0C000000
    .equ PLIC_PENDING, 0x0C001000
    .equ PLIC_ENABLE0, 0x0C002000
    .equ PLIC_CLAIM0, 0x0C200004
    .equ PLIC_CLAIM1, 0x0C201004
    li s2, PLIC
    li s3, UART
    li t0, 1
    sw t0, 40(s2)               # priority[10] = 1
    li t0, 2
    sb t0, 1(s3)                # UART IER.ETBEI: THRE, its line high, source 10 pending
    li t0, PLIC_ENABLE0
    li t1, 1 << 10
    sw t1, 0(t0)                # context 0 enables 10: MEIP now
    csrr s4, mip
    sw zero, 0(t0)              # and disables it: no MEIP now
    csrr s5, mip
    sw t1, 0(t0)
    li t0, 0x800
    and s4, s4, t0
    and s5, s5, t0
    li t0, PLIC_CLAIM0
    lw s6, 0(t0)                # claim 10; the UART's line stays high (IIR not read)
    sw s6, 0(t0)                # complete: the gateway forwards a new request
    li t1, PLIC_PENDING
    lw s7, 0(t1)
    lw s8, 0(t0)                # claim it
    li t1, PLIC_CLAIM1
    sw s8, 0(t1)                # complete by context 1, where 10 is not enabled: ignored
    sb zero, 1(s3)              # line low, then high: still in flight, no new request
    li t1, 2
    sb t1, 1(s3)
    sb zero, 1(s3)
    li t1, PLIC_PENDING
    lw s9, 0(t1)
    sw s8, 0(t0)                # the real completion, with the line low
    lw s10, 0(t1)
    li t0, PLIC_ENABLE0
    sw zero, 0(t0)
    sw zero, 40(s2)
    mv a1, s4
    CHECKED 0x00000800, "enable written: mip.MEIP at once"
    mv a1, s5
    CHECKED 0x00000000, "enable cleared: mip.MEIP at once"
    mv a1, s6
    CHECKED 0x0000000a, "claim"
    mv a1, s7
    CHECKED 0x00000400, "completed with the line high: pending again"
    mv a1, s8
    CHECKED 0x0000000a, "...claimed again"
    mv a1, s9
    CHECKED 0x00000000, "completion by a context without the source enabled: ignored (no new request)"
    mv a1, s10
    CHECKED 0x00000000, "completed with the line low: not pending"
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

# arm_timer: mtimecmp = mtime + a0.
arm_timer:
    li t0, CLINT_MTIME
1:  lw t2, 4(t0)
    lw t1, 0(t0)
    lw t3, 4(t0)
    bne t2, t3, 1b
    add t1, t1, a0
    sltu t4, t1, a0
    add t2, t2, t4
    li t0, CLINT_MTIMECMP
    li t3, -1
    sw t3, 4(t0)
    sw t1, 0(t0)
    sw t2, 4(t0)
    ret

# disarm_timer: mtimecmp = all ones (never).
disarm_timer:
    li t0, CLINT_MTIMECMP
    li t3, -1
    sw t3, 4(t0)
    sw t3, 0(t0)
    ret

    .data
    .balign 4
sdata:      .word 0, 0
    .bss
    .balign 4096
pt_root:    .space 4096
pt_l0:      .space 4096
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
