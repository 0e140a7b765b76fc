# smc.s -- self-modifying code and fence.i.
# A function's first instruction rewritten by stores, then fence.i: calls see the new
# instruction (once and ten times in a loop); an instruction later in the running block and one
# already executed in a loop are rewritten and then execute in their new form; a byte store
# changes an immediate. (Without fence.i the spec gives no guarantee: not tested.)

    .equ UART, 0x10000000
    .equ TESTDEV, 0x00100000
    .equ CLINT_MSIP, 0x02000000
    .equ CLINT_MTIMECMP, 0x02004000
    .equ CLINT_MTIME, 0x0200BFF8
    .equ TR_SAVE, 0
    .equ TR_CAUSE, 4
    .equ TR_EPC, 8
    .equ TR_TVAL, 12
    .equ TR_STATUS, 16
    .equ TR_COUNT, 20
    .equ TR_RESUME, 24

    .text
    .globl _start
_start:
    la sp, stack_top
    la t0, trap_m
    csrw mtvec, t0
    li t0, -1                   # open PMP (QEMU denies S/U accesses otherwise)
    csrw pmpaddr0, t0
    li t0, 0x1f                 # NAPOT, R W X
    csrw pmpcfg0, t0

    la a0, 9f
    call say
    .section .rodata
9:  .string "== stores to code become visible to fetch after fence.i =="
    .text
    la s2, patch_site
    li a1, 0
    jalr ra, 0(s2)
    li a2, 0x00000001
    la a0, 9f
    call check
    .section .rodata
9:  .string "patch_site as built"
    .text
    li t0, 0x00200593
    sw t0, 0(s2)
    fence.i
    jalr ra, 0(s2)
    li a2, 0x00000002
    la a0, 9f
    call check
    .section .rodata
9:  .string "patched to addi a1, zero, 2"
    .text
    li s3, 1
    li s4, 0
    li s5, 0x00000593
1:  slli t0, s3, 20
    or t0, t0, s5
    sw t0, 0(s2)
    fence.i
    jalr ra, 0(s2)
    add s4, s4, a1
    addi s3, s3, 1
    li t0, 10
    ble s3, t0, 1b
    mv a1, s4
    li a2, 0x00000037
    la a0, 9f
    call check
    .section .rodata
9:  .string "patched 10 times in a loop (sum 1..10)"
    .text
    la t0, 1f
    li t1, 0x00700593
    li a1, 0
    sw t1, 0(t0)
    fence.i
1:  addi a1, zero, 3
    li a2, 0x00000007
    la a0, 9f
    call check
    .section .rodata
9:  .string "patch the next instruction of the running block"
    .text
    li s3, 0
    li s4, 0
    la s6, 2f
    li s7, 0x00500593
1:  nop
2:  addi a1, zero, 1
    add s4, s4, a1
    sw s7, 0(s6)
    fence.i
    addi s3, s3, 1
    li t0, 3
    blt s3, t0, 1b
    mv a1, s4
    li a2, 0x0000000b
    la a0, 9f
    call check
    .section .rodata
9:  .string "patch an instruction already executed in this loop"
    .text
    la t0, 1f
    li t1, 0x90
    sb t1, 2(t0)
    fence.i
1:  addi a1, zero, 5
    li a2, 0x00000009
    la a0, 9f
    call check
    .section .rodata
9:  .string "patch one byte of an immediate (sb)"
    .text
    j finish

# patch_site: a one-instruction function the program rewrites (RAM is writable).
    .balign 4
patch_site:
    addi a1, zero, 1
    ret
    j finish

# ==========================================================================================
# Common tail: identical in every program of tests/conformance (record.py checks this).
# Trap handlers, printing, checking, the verdict through the SiFive test device.
# ==========================================================================================
    .text
    .balign 4
# trap_m: the M-mode trap handler. Records mcause, mepc, mtval, mstatus in tr_area and counts
# the trap. If tr_area[TR_RESUME] is non-zero it clears it and continues in M-mode at that
# address (t0, t1 clobbered, the trap CSRs kept for inspection). Otherwise it returns with
# mret: past the trapping instruction for an exception, to the interrupted one for an
# interrupt (after clearing mie so that the interrupt does not fire again).
trap_m:
    csrw mscratch, t0
    la t0, tr_area
    sw t1, TR_SAVE(t0)
    csrr t1, mcause
    sw t1, TR_CAUSE(t0)
    csrr t1, mepc
    sw t1, TR_EPC(t0)
    csrr t1, mtval
    sw t1, TR_TVAL(t0)
    csrr t1, mstatus
    sw t1, TR_STATUS(t0)
    lw t1, TR_COUNT(t0)
    addi t1, t1, 1
    sw t1, TR_COUNT(t0)
    lw t1, TR_RESUME(t0)
    beqz t1, 1f
    sw zero, TR_RESUME(t0)
    jr t1
1:  lw t1, TR_CAUSE(t0)
    bltz t1, 2f
    csrr t1, mepc
    addi t1, t1, 4
    csrw mepc, t1
    j 3f
2:  csrw mie, zero
3:  lw t1, TR_SAVE(t0)
    csrr t0, mscratch
    mret

    .balign 4
# trap_s: the S-mode trap handler, the same with scause, sepc, stval, sstatus in st_area.
# With st_area[TR_RESUME] non-zero it returns (sret) to that address instead.
trap_s:
    csrw sscratch, t0
    la t0, st_area
    sw t1, TR_SAVE(t0)
    csrr t1, scause
    sw t1, TR_CAUSE(t0)
    csrr t1, sepc
    sw t1, TR_EPC(t0)
    csrr t1, stval
    sw t1, TR_TVAL(t0)
    csrr t1, sstatus
    sw t1, TR_STATUS(t0)
    lw t1, TR_COUNT(t0)
    addi t1, t1, 1
    sw t1, TR_COUNT(t0)
    lw t1, TR_RESUME(t0)
    beqz t1, 1f
    sw zero, TR_RESUME(t0)
    csrw sepc, t1
    j 3f
1:  lw t1, TR_CAUSE(t0)
    bltz t1, 2f
    csrr t1, sepc
    addi t1, t1, 4
    csrw sepc, t1
    j 3f
2:  csrw sie, zero
3:  lw t1, TR_SAVE(t0)
    csrr t0, sscratch
    sret

# run_in: run the code at a0 in privilege mode a1 (0 = U, 1 = S) from M-mode until it traps
# to trap_m, then continue in M-mode at a2 (the trap's state is in tr_area).
run_in:
    la t0, tr_area
    sw a2, TR_RESUME(t0)
    csrw mepc, a0
    li t0, 0x1800
    csrc mstatus, t0
    slli t0, a1, 11
    csrs mstatus, t0
    mret

# putc: print the character in a0.
putc:
    li t0, UART
    sb a0, 0(t0)
    ret

# puts: print the NUL-terminated string at a0.
puts:
    li t0, UART
1:  lbu t1, 0(a0)
    beqz t1, 2f
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
2:  ret

# puthex: print a0 as 0x and eight hex digits.
puthex:
    li t0, UART
    li t1, '0'
    sb t1, 0(t0)
    li t1, 'x'
    sb t1, 0(t0)
    li t2, 28
1:  srl t1, a0, t2
    andi t1, t1, 15
    li t3, 10
    blt t1, t3, 2f
    addi t1, t1, 'a' - 10 - '0'
2:  addi t1, t1, '0'
    sb t1, 0(t0)
    addi t2, t2, -4
    bgez t2, 1b
    ret

# say: print the string at a0 and a newline.
say:
    addi sp, sp, -16
    sw ra, 12(sp)
    call puts
    li a0, '\n'
    call putc
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# check: print "<string a0>: <a1>", then " ok" if a1 == a2, else " FAIL expected <a2>"
# (and count the failure in fail_count).
check:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    mv s0, a1
    mv s1, a2
    call puts
    la a0, str_colon
    call puts
    mv a0, s0
    call puthex
    beq s0, s1, 1f
    la a0, str_fail
    call puts
    mv a0, s1
    call puthex
    la t0, fail_count
    lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    j 2f
1:  la a0, str_ok
    call puts
2:  li a0, '\n'
    call putc
    lw s1, 4(sp)
    lw s0, 8(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# finish: print the verdict and stop through the SiFive test device: 0x5555 (exit status 0)
# when every check passed, else (failures << 16) | 0x3333 (exit status = failed checks).
finish:
    la sp, stack_top
    la t0, fail_count
    lw s0, 0(t0)
    bnez s0, 1f
    la a0, str_pass
    call say
    li t0, TESTDEV
    li t1, 0x5555
    sw t1, 0(t0)
    j 2f
1:  la a0, str_failed
    call puts
    mv a0, s0
    call puthex
    li a0, '\n'
    call putc
    slli t1, s0, 16
    li t2, 0x3333
    or t1, t1, t2
    li t0, TESTDEV
    sw t1, 0(t0)
2:  j 2b

    .data
    .balign 4
tr_area:    .zero 28
st_area:    .zero 28
fail_count: .word 0
str_colon:  .string ": "
str_ok:     .string " ok"
str_fail:   .string " FAIL expected "
str_pass:   .string "PASS"
str_failed: .string "FAILED checks: "

    .bss
    .balign 16
stack:      .space 4096
stack_top:
