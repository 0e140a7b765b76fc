# kernel.s -- a tiny operating system: everything together.
# M-mode delegates ecall-from-U and page faults to S and enters the kernel in S-mode. The kernel
# builds Sv32 tables (its RAM, the UART and the test device mapped for S only; a user code page
# and stack page with U set), enters the user program with sret at 0x00400000 and serves it:
# system calls (write, reading user memory with SUM; show; faults; unknown -> -1), demand paging
# of a heap (store and load page faults map fresh pages, sfence.vma, the access is retried), and
# a load from kernel memory, which kills the program (scause 13, stval, sepc checked).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    .equ SUM, 1 << 18
    .equ USER_VA, 0x00400000        # user code page; user stack page at USER_VA + 0x1000
    .equ HEAP_VA, 0x20000000        # user heap: demand-paged by the kernel
    .equ PTE_KERNEL, 0xCF           # V R W X A D
    .equ PTE_DEV, 0xC7              # V R W A D
    .equ PTE_UCODE, 0x5B            # V R X U A
    .equ PTE_UDATA, 0xD7            # V R W U A D

# ---- M-mode: delegate to the kernel and enter it in S-mode ---------------------------------
    csrw mie, zero
    csrw mideleg, zero
    li t0, (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    csrw medeleg, t0                # ecall from U and page faults go to the kernel
    la a0, kmain
    li a1, 1
    la a2, m_unexpected
    j run_in
m_unexpected:                       # a trap that reached M: report it and stop
    la s6, tr_area
    la a0, 9f
    call say
    .section .rodata
9:  .string "machine: unexpected trap to M"
    .text
    lw a1, TR_CAUSE(s6)
    CHECKED -1, "mcause"
    j finish

# ---- the kernel (S-mode) -------------------------------------------------------------------
kmain:
    la t0, ktrap
    csrw stvec, t0
    la t0, kstack_top
    csrw sscratch, t0
    call zero_tables
    la a0, pt_root
    li a1, 0x000
    li a2, 0x00000000
    li a3, PTE_DEV
    call map                        # 0x00000000: devices (test device, CLINT), kernel only
    la a0, pt_root
    li a1, 0x040
    li a2, 0x10000000
    li a3, PTE_DEV
    call map                        # 0x10000000: UART, kernel only
    la a0, pt_root
    li a1, 0x200
    li a2, 0x80000000
    li a3, PTE_KERNEL
    call map                        # 0x80000000: RAM, kernel only
    la a0, pt_root
    li a1, USER_VA >> 22
    la a2, pt_user
    li a3, 1
    call map                        # USER_VA: second-level table
    la a0, pt_root
    li a1, HEAP_VA >> 22
    la a2, pt_heap
    li a3, 1
    call map                        # HEAP_VA: second-level table, empty
    la a0, pt_user
    li a1, 0
    la a2, ucode
    li a3, PTE_UCODE
    call map                        # USER_VA: the user program
    la a0, pt_user
    li a1, 1
    la a2, ustack
    li a3, PTE_UDATA
    call map                        # USER_VA + 0x1000: the user stack
    la t0, pt_root
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0
    sfence.vma zero, zero
    la a0, 9f
    call say
    .section .rodata
9:  .string "kernel: paging on, starting the user program"
    .text
    li t0, 0x100
    csrc sstatus, t0                # SPP = U
    li t0, USER_VA
    csrw sepc, t0
    li sp, USER_VA + 0x2000         # the user's stack pointer
    sret

# ktrap: the kernel's trap handler; sscratch holds the kernel stack while in U-mode.
    .balign 4
ktrap:
    csrrw sp, sscratch, sp
    addi sp, sp, -80
    sw ra, 0(sp)
    sw t0, 4(sp)
    sw t1, 8(sp)
    sw t2, 12(sp)
    sw t3, 16(sp)
    sw t4, 20(sp)
    sw t5, 24(sp)
    sw t6, 28(sp)
    sw a0, 32(sp)
    sw a1, 36(sp)
    sw a2, 40(sp)
    sw a3, 44(sp)
    sw a4, 48(sp)
    sw a5, 52(sp)
    sw a6, 56(sp)
    sw a7, 60(sp)
    sw s0, 64(sp)
    sw s1, 68(sp)
    csrr s0, scause
    li t0, 8
    beq s0, t0, k_syscall
    csrr s1, stval
    li t0, HEAP_VA
    sub t1, s1, t0
    li t2, 0x10000
    bgeu t1, t2, k_kill             # only the first 64 KiB of the heap are demand-paged
    li t0, 13
    beq s0, t0, k_pagefault
    li t0, 15
    beq s0, t0, k_pagefault
    j k_kill

k_pagefault:                        # map a fresh zeroed page at the faulting address
    la a0, 9f
    call puts
    .section .rodata
9:  .string "kernel: page fault, scause "
    .text
    mv a0, s0
    call puthex
    la a0, 9f
    call puts
    .section .rodata
9:  .string " stval "
    .text
    mv a0, s1
    call puthex
    la a0, 9f
    call say
    .section .rodata
9:  .string ": mapping a fresh page"
    .text
    la t0, next_page
    lw a2, 0(t0)
    li t1, 4096
    add t1, a2, t1
    sw t1, 0(t0)
    la a0, pt_heap
    srli a1, s1, 12
    andi a1, a1, 0x3ff
    li a3, PTE_UDATA
    call map
    sfence.vma s1, zero
    la t0, faults
    lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    j k_return                      # sepc unchanged: the access is retried

k_syscall:
    csrr t0, sepc
    addi t0, t0, 4
    csrw sepc, t0
    lw a7, 60(sp)
    li t0, 64
    beq a7, t0, sys_write
    li t0, 1000
    beq a7, t0, sys_faults
    li t0, 1001
    beq a7, t0, sys_show
    li t0, -1
    sw t0, 32(sp)                   # unknown system call: a0 = -1
    j k_return
sys_write:                          # write(a0 = user string): the kernel reads user memory
    li t0, SUM
    csrs sstatus, t0
    lw a0, 32(sp)
    call puts
    li t0, SUM
    csrc sstatus, t0
    sw zero, 32(sp)
    j k_return
sys_faults:                         # faults(): page faults served so far
    la t0, faults
    lw t0, 0(t0)
    sw t0, 32(sp)
    j k_return
sys_show:                           # show(a0): the kernel prints a value for the user
    la a0, 9f
    .section .rodata
9:  .string "kernel: the user shows"
    .text
    lw a1, 32(sp)
    call show
    j k_return

k_kill:                             # any other trap from U: report it, stop the machine
    la a0, 9f
    .section .rodata
9:  .string "kernel: killing the user program, scause"
    .text
    mv a1, s0
    call show
    la a0, 9f
    .section .rodata
9:  .string "kernel: stval"
    .text
    mv a1, s1
    call show
    csrr a1, sepc
    la t0, u_bad_load
    la t1, ucode
    sub t0, t0, t1
    li t1, USER_VA
    add t0, t0, t1                  # the user virtual address of u_bad_load
    sub a1, a1, t0
    CHECKED 0, "kernel: sepc is the user's bad load"
    la t0, faults
    lw a1, 0(t0)
    CHECKED 2, "kernel: page faults served"
    j finish                        # S-mode reaches the test device through its mapping

k_return:
    lw ra, 0(sp)
    lw t0, 4(sp)
    lw t1, 8(sp)
    lw t2, 12(sp)
    lw t3, 16(sp)
    lw t4, 20(sp)
    lw t5, 24(sp)
    lw t6, 28(sp)
    lw a0, 32(sp)
    lw a1, 36(sp)
    lw a2, 40(sp)
    lw a3, 44(sp)
    lw a4, 48(sp)
    lw a5, 52(sp)
    lw a6, 56(sp)
    lw a7, 60(sp)
    lw s0, 64(sp)
    lw s1, 68(sp)
    addi sp, sp, 80
    csrrw sp, sscratch, sp
    sret

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

# show: print "<string a0>: <a1 in hex>" and a newline.
show:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    mv s0, a1
    call puts
    la a0, str_colon
    call puts
    mv a0, s0
    call puthex
    li a0, '\n'
    call putc
    lw s0, 8(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# ---- the user program: one page, position-independent, runs at USER_VA in U-mode ----------
    .balign 4096
ucode:
    la a0, u_hello
    li a7, 64
    ecall                           # write
    addi sp, sp, -16
    li t0, 0x600d
    sw t0, 12(sp)                   # the stack page works
    lw a0, 12(sp)
    li a7, 1001
    ecall                           # show
    li t0, HEAP_VA
    li t1, 0x1234
    sw t1, 0(t0)                    # store page fault: demand-paged
    lw t2, 0(t0)
    li t0, HEAP_VA + 0x3008
    lw t3, 0(t0)                    # load page fault: a fresh page reads 0
    add a0, t2, t3
    li a7, 1001
    ecall                           # show 0x1234
    li a7, 1000
    ecall                           # faults
    li a7, 1001
    ecall                           # show 2
    li a7, 77
    ecall                           # an unknown system call returns -1
    li a7, 1001
    ecall
    la a0, u_bye
    li a7, 64
    ecall
    li t0, 0x80000000
u_bad_load:
    lw t1, 0(t0)                    # kernel memory: the kernel kills us
1:  j 1b
u_hello:
    .string "user: hello from U-mode\n"
u_bye:
    .string "user: now reading kernel memory\n"
    .balign 4096

    .data
    .balign 4
faults:     .word 0
next_page:  .word page_pool

    .bss
    .balign 4096
pt_root:    .space 4096
pt_l0:                              # (zero_tables clears pt_root and the next page)
pt_user:    .space 4096
pt_heap:    .space 4096
ustack:     .space 4096
page_pool:  .space 4 * 4096
    .balign 16
kstack:     .space 2048
kstack_top:
    .text
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
