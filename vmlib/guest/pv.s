# pv.s -- the paravirtual port of the kernel (built with PV=1, and VIRTIO=1), in the manner of
# Xen's port of Linux (Barham et al., SOSP 2003): the kernel knows it runs on a hypervisor and
# asks for what it would otherwise do with privileged instructions. A PV kernel runs only on
# the `pv` technique, as a Xen PV guest runs only on Xen: on anything else its first
# hypercall is answered "not supported" and it stops with a message.
#
# Hypercalls: an SBI extension in the vendor range, EID PV_EID ("PV"); a6 = the function,
# arguments in a0, a1; the result in a0. The table (vmlib/hypervisor/pv.py serves it):
#
#   FID  name                  replaces                           arguments -> result
#   0    register_shared       (Xen's shared_info page)           a0 = the page -> 0
#   1    set_trap_table        csrw stvec (Xen: set_trap_table)   a0 = handler -> 0
#   2    switch_space          csrw satp + sfence.vma             a0 = satp -> 0
#   3    trap_return           csrw sepc/sscratch, csrc sstatus,  (from the shared page)
#                              sret (Xen: iret)
#   4    mmu_update            a store to a page table + sfence   a0 = list, a1 = n ->
#                              (Xen: mmu_update, batched)           entries applied
#   5    console_write         a console_putchar per byte         a0 = text, a1 = length
#                              (Xen: console_io)
#   6    notify                a store to QueueNotify (Xen: an    a0 = virtio slot,
#                              event channel)                       a1 = queue -> 0
#
# The shared vCPU page (Xen's shared_info and vcpu_info): the VMM writes a trap's scause, sepc
# and stval there as it delivers it, with the time, so the kernel reads them without a CSR
# access; the kernel keeps its sie there (masking the timer costs no exit); trap_return reads
# where to go. The VMM delivers a trap with tp and sscratch swapped, as the kernel's own first
# instruction (csrrw tp, sscratch, tp) would, and the previous tp in PV_SAVED_TP. It runs a PV
# kernel with sstatus.SUM on: the kernel reaches user memory without opening and closing it
# (as Xen's x86 PV kernels did, before SMAP).

    .ifndef PV
    .equ PV, 0
    .endif
    .if PV

    .equ PV_EID, 0x09505600
    .equ PV_REGISTER, 0
    .equ PV_SET_TRAP_TABLE, 1
    .equ PV_SWITCH_SPACE, 2
    .equ PV_TRAP_RETURN, 3
    .equ PV_MMU_UPDATE, 4
    .equ PV_CONSOLE_WRITE, 5
    .equ PV_NOTIFY, 6
    .equ PV_SIE, 0                  # the shared page: the kernel's sie (STIE: bit 5)
    .equ PV_PENDING, 4              #   events: bit n, a used buffer on virtio slot n
    .equ PV_SCAUSE, 8               #   the trap being delivered
    .equ PV_SEPC, 12
    .equ PV_STVAL, 16
    .equ PV_SAVED_TP, 20            #   tp before the swap
    .equ PV_TIME_LO, 24             #   the time when it was delivered
    .equ PV_TIME_HI, 28
    .equ PV_RET_PC, 32              #   trap_return: the pc,
    .equ PV_RET_PRIV, 36            #     the privilege (0 U, 1 S),
    .equ PV_RET_SCRATCH, 40         #     sscratch (the PCB when returning to a process),
    .equ PV_RET_A6, 44              #     and a6, a7 (the hypercall used them)
    .equ PV_RET_A7, 48
    .ifndef PV_BATCH_MAX            # page-table updates queued before a flush (chapter 11
    .equ PV_BATCH_MAX, 64           # varies it: --defsym PV_BATCH_MAX=n)
    .endif

# hypercall FID: call the hypervisor (clobbers a0, a1, a6, a7).
    .macro hypercall fid
    li a7, PV_EID
    li a6, \fid
    ecall
    .endm

    .text
# pv_start: register the shared page and the trap handler (from kernel_entry, sp set).
pv_start:
    la a0, pv_shared
    hypercall PV_REGISTER
    bnez a0, 1f
    la a0, trap_entry
    hypercall PV_SET_TRAP_TABLE
    ret
1:  la t0, msg_pv_only              # no pv hypervisor: say so with the firmware's console
2:  lbu a0, 0(t0)
    beqz a0, 3f
    li a7, SBI_CONSOLE_PUTCHAR
    li a6, 0
    ecall
    addi t0, t0, 1
    j 2b
3:  li a1, 1
    j shutdown

# pv_queue_pte(a0 = the entry's address, a1 = its new value): queue a page-table update
# (the batch goes at the next return to a process, or when it is full). Keeps t0-t3.
pv_queue_pte:
    addi sp, sp, -32
    sw ra, 28(sp)
    sw t0, 24(sp)
    sw t1, 20(sp)
    sw t2, 16(sp)
    sw t3, 12(sp)
    la t0, pv_batch_count
    lw t1, 0(t0)
    li t2, PV_BATCH_MAX
    bltu t1, t2, 1f
    sw a0, 8(sp)
    sw a1, 4(sp)
    call pv_flush
    lw a0, 8(sp)
    lw a1, 4(sp)
    la t0, pv_batch_count
    li t1, 0
1:  la t2, pv_batch
    slli t3, t1, 3
    add t2, t2, t3
    sw a0, 0(t2)
    sw a1, 4(t2)
    addi t1, t1, 1
    sw t1, 0(t0)
    lw ra, 28(sp)
    lw t0, 24(sp)
    lw t1, 20(sp)
    lw t2, 16(sp)
    lw t3, 12(sp)
    addi sp, sp, 32
    ret

# pv_flush: send the queued page-table updates in one mmu_update (the VMM checks each; it
# refusing one is a kernel bug: panic).
pv_flush:
    la t0, pv_batch_count
    lw t1, 0(t0)
    beqz t1, 1f
    sw zero, 0(t0)
    la a0, pv_batch
    mv a1, t1
    hypercall PV_MMU_UPDATE
    bne a0, t1, 2f
1:  ret
2:  la a0, msg_pv_mmu
    j panic

msg_pv_only: .string "kernel: this kernel is paravirtualized: it runs only on the pv hypervisor\n"
msg_pv_mmu:  .string "the hypervisor refused a page-table update"

    .data
    .balign 4
pv_batch_count: .word 0

    .bss
    .balign 4096
pv_shared:  .space 4096             # the shared vCPU page
pv_batch:   .space 8 * PV_BATCH_MAX

    .endif
