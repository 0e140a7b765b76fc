# kernel.s -- the guest kernel: a small S-mode operating system.
#
# The firmware (firmware.s) enters kernel_entry in S-mode with paging off. The kernel then
#   1. builds its own Sv32 page table (kroot): RAM 0x80000000-0x803fffff and the UART as
#      4 MiB megapages, identity-mapped, U=0 (the user cannot touch them);
#   2. creates init (pid 1): a fresh address space holding the user image (code, read-only,
#      shared by every process) at USER_VA and one stack page below USER_TOP;
#   3. arms the timer (SBI set_timer + sie.STIE) and enters init with sret.
# From then on it runs only when a trap brings it in: a system call (ecall from U), a page
# fault, an exception, or the timer interrupt that preempts the running process. Processes
# run round-robin; the kernel itself is never interrupted (sstatus.SIE stays 0 in S-mode).
#
# Conventions inside the kernel:
#   tp  = the current process's control block (PCB), whose first 128 bytes are its saved
#         user registers (offset 4*i holds x_i; offset 0 holds the pc);
#   sp  = the one kernel stack, empty at every trap (the kernel keeps no state on it between
#         traps, so one stack serves every process);
#   sscratch = the current PCB while a process runs in U-mode, 0 while the kernel runs.
# The sources are assembled as one text: constants shared with the firmware (UART, SBI_*,
# MIP_STIP ...) are defined once, in firmware.s.
#
# System calls: ecall with a7 = number, arguments in a0-a2, result in a0 (negative: -errno).
# The numbers are Linux's (asm-generic) where the meaning matches, the course's own above 1000.

    .ifndef VIRTIO                  # the virtio drivers (virtio.s): built in with VIRTIO=1
    .equ VIRTIO, 0
    .endif
    .ifndef PV                      # the paravirtual port (pv.s): built with PV=1, VIRTIO=1
    .equ PV, 0
    .endif
    .ifndef DBCN                    # the SBI debug console (a write call per chunk, not a
    .equ DBCN, 0                    # console_putchar per byte): built with DBCN=1
    .endif

    .equ SYS_WRITE, 64              # write(fd 1|2, buf, len) -> len | -EBADF | -EFAULT
    .equ SYS_EXIT, 93               # exit(status): never returns
    .equ SYS_YIELD, 124             # yield() -> 0: let the next process run (sched_yield)
    .equ SYS_GETPID, 172            # getpid() -> pid
    .equ SYS_MUNMAP, 215            # munmap(va) -> 0 | -EINVAL: unmap and free one page
    .equ SYS_FORK, 220              # fork() -> child pid in the parent, 0 in the child (clone's slot)
    .equ SYS_MMAP, 222              # mmap(va) -> va | -EINVAL | -EEXIST | -ENOMEM: map a fresh zeroed page
    .equ SYS_MPROTECT, 226          # mprotect(va, prot) -> 0 | -EINVAL: PROT_WRITE on or off
    .equ SYS_WAIT, 260              # wait(pid | 0 for any) -> a0 = pid, a1 = exit status | -ECHILD
    .equ SYS_UART_WRITE, 1000       # uart_write(buf, len): like write, by the kernel's own UART driver
    .equ SYS_SIE_WRITE, 1001        # sie_write(n) -> n: the kernel writes the sie CSR n times
    .equ SYS_SET_HANDLER, 1002      # set_handler(pc | 0): where the process takes its exceptions
    .equ SYS_PFCOUNT, 1003          # pfcount() -> page faults served to this process
    .equ SYS_KFIB, 1006             # kfib(n) -> fib(n), by recursion in the kernel

    .equ EBADF, 9
    .equ ECHILD, 10
    .equ EAGAIN, 11
    .equ ENOMEM, 12
    .equ EFAULT, 14
    .equ EEXIST, 17
    .equ EINVAL, 22
    .equ ENOSYS, 38
    .equ PROT_WRITE, 2
    .equ KILLED, 128                # a killed process exits with status 128 + scause

# Memory: the kernel, its data and free pages in RAM_BASE .. RAM_END (4 MiB, one megapage;
# both defined in firmware.s, whose debug console checks addresses against them).
    .equ PAGE_SIZE, 4096
# A process's address space: everything in the second 4 MiB of virtual memory (root entry 1),
# described by one leaf table (the process's L0 table).
    .equ USER_VA, 0x00400000        # the user image: code and strings, R X, shared
    .equ HEAP_VA, 0x00600000        # the heap: demand-paged, a page appears on first touch
    .equ HEAP_PAGES, 64
    .equ MAP_VA_LO, 0x00600000      # mmap/munmap/mprotect accept pages in [LO, HI)
    .equ MAP_VA_HI, 0x007ff000
    .equ STACK_VA, 0x007ff000       # the user stack: one page, sp starts at USER_TOP
    .equ USER_TOP, 0x00800000

# Sv32 page-table entries: PPN in bits 31:10, flags below.
    .equ PTE_V, 1 << 0
    .equ PTE_R, 1 << 1
    .equ PTE_W, 1 << 2
    .equ PTE_X, 1 << 3
    .equ PTE_U, 1 << 4
    .equ PTE_A, 1 << 6
    .equ PTE_D, 1 << 7
    .equ PTE_OWN, 1 << 8            # a software (RSW) bit: the page belongs to this process
                                    # alone (copied by fork, freed at exit)
    .equ PTE_KRAM, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    .equ PTE_KDEV, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    .equ PTE_UCODE, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A
    .equ PTE_UDATA, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D | PTE_OWN
    .equ PTE_UREAD, PTE_V | PTE_R | PTE_U | PTE_A | PTE_D | PTE_OWN
    .equ SATP_SV32, 1 << 31
# (A and D are set in every entry: the hardware never has to write a page table.)

# Privileged registers.
    .equ SSTATUS_SPP, 1 << 8        # previous privilege (0 = U): where sret goes
    .equ SSTATUS_SUM, 1 << 18       # permit Supervisor User Memory access
    .equ SIE_STIE, 1 << 5           # supervisor timer interrupt enable
    .equ SCAUSE_STI, 5              # supervisor timer interrupt (with the interrupt bit)
    .equ SCAUSE_ILLEGAL, 2
    .equ SCAUSE_ECALL_U, 8
    .equ SCAUSE_FETCH_PF, 12
    .equ SCAUSE_LOAD_PF, 13
    .equ SCAUSE_STORE_PF, 15

# The process control block (PCB). The register frame comes first (offset 0 = pc).
    .equ F_RA, 1 * 4
    .equ F_SP, 2 * 4
    .equ F_TP, 4 * 4
    .equ F_A0, 10 * 4
    .equ F_A1, 11 * 4
    .equ F_A2, 12 * 4
    .equ F_A7, 17 * 4
    .equ P_STATE, 128               # FREE, RUNNABLE, WAITING (in wait) or ZOMBIE (exited)
    .equ P_PID, 132
    .equ P_SATP, 136                # satp value selecting this address space
    .equ P_ROOT, 140                # physical address of the root page table
    .equ P_L0, 144                  # ... and of the leaf table for USER_VA .. USER_TOP
    .equ P_PARENT, 148              # parent's PCB
    .equ P_STATUS, 152              # exit status (ZOMBIE)
    .equ P_HANDLER, 156             # user exception handler, 0 = none (the process is killed)
    .equ P_FAULTS, 160              # page faults served
    .equ P_BLOCKS, 164              # bit i: leaf entries 32i .. 32i+31 may be in use (so fork
                                    # and exit look at those blocks only)
    .equ PCB_SIZE, 256
    .equ NPROC, 4
    .equ FREE, 0
    .equ RUNNABLE, 1
    .equ WAITING, 2
    .equ ZOMBIE, 3

    .equ KBUF_SIZE, 128             # write copies user bytes through this kernel buffer

# ============================================================================================
# Boot
# ============================================================================================
    .text
    .balign 4096
    .globl kernel_entry
kernel_entry:
    la sp, kstack_top
    .if PV
    call pv_start                   # pv.s: the shared page, the trap table
    .else
    csrw sscratch, zero             # we are in the kernel
    la t0, trap_entry
    csrw stvec, t0
    .endif
    la a0, msg_boot
    call kputs

    la t0, kernel_end               # every page after the kernel's image is free
    la t1, next_free_page
    sw t0, 0(t1)

    la t0, kroot                    # the kernel's own page table: RAM and UART, U = 0
    li t1, ((RAM_BASE >> 12) << 10) | PTE_KRAM
    li t2, (RAM_BASE >> 22) * 4     # (2048: too far for a load/store offset)
    add t2, t0, t2
    sw t1, 0(t2)
    li t1, ((UART >> 12) << 10) | PTE_KDEV
    sw t1, (UART >> 22) * 4(t0)
    la t0, kroot
    call use_table_of               # a0 = satp value for kroot
    la t1, active_satp
    sw a0, 0(t1)
    .if PV
    hypercall PV_SWITCH_SPACE       # pv.s: satp = a0, TLB flushed
    .else
    csrw satp, a0
    sfence.vma zero, zero           # paging is on; the kernel runs on at the same addresses
    .endif
    .if VIRTIO
    call virtio_probe               # virtio.s: a disk and a console, if the machine has them
    .endif

    la tp, procs                    # init: pid 1, in slot 0
    call new_address_space
    bnez a0, boot_out_of_memory
    la s0, user_image               # map the user image, page by page, read + execute
    la s1, user_image_end
    li s2, USER_VA
1:  bgeu s0, s1, 2f
    mv a0, s2
    mv a1, s0
    li a2, PTE_UCODE
    call set_user_pte
    li t0, PAGE_SIZE
    add s0, s0, t0
    add s2, s2, t0
    j 1b
2:  call alloc_page                 # the stack page
    beqz a0, boot_out_of_memory
    mv a1, a0
    li a0, STACK_VA
    li a2, PTE_UDATA
    call set_user_pte
    la t0, user_start               # the pc: user_start's place in the user image
    la t1, user_image
    sub t0, t0, t1
    li t1, USER_VA
    add t0, t0, t1
    sw t0, 0(tp)
    li t0, USER_TOP
    sw t0, F_SP(tp)
    la t0, next_pid
    lw t1, 0(t0)
    sw t1, P_PID(tp)
    addi t1, t1, 1
    sw t1, 0(t0)
    li t0, RUNNABLE
    sw t0, P_STATE(tp)

    li t0, SIE_STIE                 # timer interrupts preempt the processes
    .if PV
    la t1, pv_shared                # (the virtual sie lives in the shared page)
    sw t0, PV_SIE(t1)
    .else
    csrs sie, t0
    .endif
    call arm_timer
    j ret_to_user

boot_out_of_memory:
    la a0, msg_no_memory
    j panic

# ============================================================================================
# Traps
# ============================================================================================
# trap_entry: stvec. From U-mode, sscratch holds the current PCB: save every user register
# there, then dispatch on scause. From S-mode (sscratch = 0) see trap_from_kernel.
    .balign 4
trap_entry:
    .if PV                          # the VMM swapped tp and sscratch, as the csrrw would
    beqz tp, trap_from_kernel
    .else
    csrrw tp, sscratch, tp          # tp = current PCB, sscratch = the user's tp
    beqz tp, trap_from_kernel
    .endif
    sw ra, 1 * 4(tp)
    sw sp, 2 * 4(tp)
    sw gp, 3 * 4(tp)
    sw t0, 5 * 4(tp)
    sw t1, 6 * 4(tp)
    sw t2, 7 * 4(tp)
    sw s0, 8 * 4(tp)
    sw s1, 9 * 4(tp)
    sw a0, 10 * 4(tp)
    sw a1, 11 * 4(tp)
    sw a2, 12 * 4(tp)
    sw a3, 13 * 4(tp)
    sw a4, 14 * 4(tp)
    sw a5, 15 * 4(tp)
    sw a6, 16 * 4(tp)
    sw a7, 17 * 4(tp)
    sw s2, 18 * 4(tp)
    sw s3, 19 * 4(tp)
    sw s4, 20 * 4(tp)
    sw s5, 21 * 4(tp)
    sw s6, 22 * 4(tp)
    sw s7, 23 * 4(tp)
    sw s8, 24 * 4(tp)
    sw s9, 25 * 4(tp)
    sw s10, 26 * 4(tp)
    sw s11, 27 * 4(tp)
    sw t3, 28 * 4(tp)
    sw t4, 29 * 4(tp)
    sw t5, 30 * 4(tp)
    sw t6, 31 * 4(tp)
    .if PV                          # the trap's registers, from the shared page
    la t1, pv_shared
    lw t0, PV_SAVED_TP(t1)          # (and sscratch is 0 already)
    sw t0, F_TP(tp)
    lw t0, PV_SEPC(t1)
    sw t0, 0(tp)
    la sp, kstack_top
    lw s0, PV_SCAUSE(t1)
    lw s1, PV_STVAL(t1)
    .else
    csrr t0, sscratch
    sw t0, F_TP(tp)
    csrw sscratch, zero             # in the kernel now
    csrr t0, sepc
    sw t0, 0(tp)
    la sp, kstack_top
    csrr s0, scause
    csrr s1, stval
    .endif
    bltz s0, trap_interrupt
    li t0, SCAUSE_ECALL_U
    beq s0, t0, trap_syscall
    li t0, SCAUSE_LOAD_PF
    beq s0, t0, trap_page_fault
    li t0, SCAUSE_STORE_PF
    beq s0, t0, trap_page_fault
    j trap_exception                # illegal instruction, breakpoint, misaligned, fetch fault

# ret_to_user: run process tp: its address space, its registers, back to U-mode.
ret_to_user:
    .if PV
    call pv_flush                   # pv.s: queued page-table updates, one hypercall
    .endif
    lw t0, P_SATP(tp)
    la t1, active_satp              # switch address spaces only when it changes
    lw t2, 0(t1)
    beq t0, t2, 1f
    sw t0, 0(t1)
    .if PV
    mv a0, t0
    hypercall PV_SWITCH_SPACE
    .else
    csrw satp, t0
    sfence.vma zero, zero
    .endif
1:  lw t0, 0(tp)
    .if PV                          # trap_return's way: U-mode, the pc, sscratch = tp
    la t1, pv_shared
    sw t0, PV_RET_PC(t1)
    sw zero, PV_RET_PRIV(t1)
    sw tp, PV_RET_SCRATCH(t1)
    lw t0, 16 * 4(tp)               # a6 and a7 carry the hypercall: the VMM restores them
    sw t0, PV_RET_A6(t1)
    lw t0, 17 * 4(tp)
    sw t0, PV_RET_A7(t1)
    .else
    csrw sepc, t0
    li t0, SSTATUS_SPP              # sret to U-mode
    csrc sstatus, t0
    csrw sscratch, tp
    .endif
    lw ra, 1 * 4(tp)
    lw sp, 2 * 4(tp)
    lw gp, 3 * 4(tp)
    lw t0, 5 * 4(tp)
    lw t1, 6 * 4(tp)
    lw t2, 7 * 4(tp)
    lw s0, 8 * 4(tp)
    lw s1, 9 * 4(tp)
    lw a0, 10 * 4(tp)
    lw a1, 11 * 4(tp)
    lw a2, 12 * 4(tp)
    lw a3, 13 * 4(tp)
    lw a4, 14 * 4(tp)
    lw a5, 15 * 4(tp)
    .ifeq PV
    lw a6, 16 * 4(tp)
    lw a7, 17 * 4(tp)
    .endif
    lw s2, 18 * 4(tp)
    lw s3, 19 * 4(tp)
    lw s4, 20 * 4(tp)
    lw s5, 21 * 4(tp)
    lw s6, 22 * 4(tp)
    lw s7, 23 * 4(tp)
    lw s8, 24 * 4(tp)
    lw s9, 25 * 4(tp)
    lw s10, 26 * 4(tp)
    lw s11, 27 * 4(tp)
    lw t3, 28 * 4(tp)
    lw t4, 29 * 4(tp)
    lw t5, 30 * 4(tp)
    lw t6, 31 * 4(tp)
    lw tp, F_TP(tp)
    .if PV
    hypercall PV_TRAP_RETURN        # (a6, a7 from the shared page)
    .else
    sret
    .endif

# trap_from_kernel: a trap taken in S-mode. The only one expected is a page fault while
# copy_from_user reads user memory (pc in [uaccess_begin, uaccess_end)): resume at
# uaccess_fault, which makes the system call fail with -EFAULT. Anything else is a kernel bug.
trap_from_kernel:
    .if PV
9:  auipc tp, %pcrel_hi(pv_shared + PV_SAVED_TP)   # undo the swap (tp is all there is)
    lw tp, %pcrel_lo(9b)(tp)
    addi sp, sp, -16
    sw t0, 0(sp)
    sw t1, 4(sp)
    la t1, pv_shared
    lw t0, PV_SCAUSE(t1)
    li t1, SCAUSE_LOAD_PF
    bne t0, t1, kernel_trap_panic
    la t1, pv_shared
    lw t0, PV_SEPC(t1)
    .else
    csrrw tp, sscratch, tp          # undo the swap: tp = current PCB, sscratch = 0
    addi sp, sp, -16
    sw t0, 0(sp)
    sw t1, 4(sp)
    csrr t0, scause
    li t1, SCAUSE_LOAD_PF
    bne t0, t1, kernel_trap_panic
    csrr t0, sepc
    .endif
    la t1, uaccess_begin
    bltu t0, t1, kernel_trap_panic
    la t1, uaccess_end
    bgeu t0, t1, kernel_trap_panic
    la t0, uaccess_fault
    .if PV                          # back to S-mode at uaccess_fault
    la t1, pv_shared
    sw t0, PV_RET_PC(t1)
    li t0, 1
    sw t0, PV_RET_PRIV(t1)
    sw zero, PV_RET_SCRATCH(t1)
    sw a6, PV_RET_A6(t1)
    sw a7, PV_RET_A7(t1)
    lw t0, 0(sp)
    lw t1, 4(sp)
    addi sp, sp, 16
    hypercall PV_TRAP_RETURN
    .else
    csrw sepc, t0
    lw t0, 0(sp)
    lw t1, 4(sp)
    addi sp, sp, 16
    sret
    .endif

kernel_trap_panic:
    la a0, msg_kernel_trap
    call kputs
    csrr a0, scause
    call kputhex
    la a0, msg_sepc
    call kputs
    csrr a0, sepc
    call kputhex
    la a0, msg_stval
    call kputs
    csrr a0, stval
    call kputhex
    la a0, msg_empty
    j panic

# trap_interrupt: the timer (the only interrupt the kernel enables): preempt the process.
trap_interrupt:
    slli t0, s0, 1
    srli t0, t0, 1
    li t1, SCAUSE_STI
    bne t0, t1, unexpected_interrupt
    call arm_timer
    j schedule

unexpected_interrupt:
    la a0, msg_interrupt
    j panic

# arm_timer: the next timer interrupt, `quantum` ticks of mtime from now (SBI set_timer also
# clears the pending one).
arm_timer:
    .if PV                          # the time of the last trap, from the shared page
    la t2, pv_shared
    lw t0, PV_TIME_LO(t2)
    lw t1, PV_TIME_HI(t2)
    .else
1:  csrr t1, timeh                  # the 64-bit time, read consistently on RV32
    csrr t0, time
    csrr t2, timeh
    bne t1, t2, 1b
    .endif
    la t3, quantum
    lw t3, 0(t3)
    add a0, t0, t3
    sltu t4, a0, t0                 # carry into the high word
    add a1, t1, t4
    li a7, SBI_SET_TIMER
    li a6, 0
    ecall
    ret

# schedule: round robin. Run the first RUNNABLE process after tp in the process table
# (tp itself last). There is always one while any process lives: a process only waits
# while it has a child, and the youngest descendants never wait.
schedule:
    mv t0, tp
    li t3, NPROC
    li t4, RUNNABLE
    la t5, procs_end
1:  addi t0, t0, PCB_SIZE
    bltu t0, t5, 2f
    la t0, procs
2:  lw t2, P_STATE(t0)
    beq t2, t4, 3f
    addi t3, t3, -1
    bnez t3, 1b
    la a0, msg_nothing_to_run
    j panic
3:  mv tp, t0
    j ret_to_user

# trap_page_fault: a load or store page fault from U-mode. Inside the heap and not mapped
# yet: demand paging, map a fresh zeroed page and retry the access. Anything else: kill.
trap_page_fault:
    li t0, HEAP_VA
    bltu s1, t0, kill
    li t0, HEAP_VA + HEAP_PAGES * PAGE_SIZE
    bgeu s1, t0, kill
    mv a0, s1
    call user_pte_address
    lw t0, 0(a0)
    andi t0, t0, PTE_V
    bnez t0, kill                   # mapped, so this is a protection fault
    call alloc_page
    beqz a0, kill                   # out of memory
    mv a1, a0
    mv a0, s1
    li a2, PTE_UDATA
    call set_user_pte
    .ifeq PV                         # (pv: the queued update flushes what it changes)
    sfence.vma s1, zero
    .endif
    lw t0, P_FAULTS(tp)
    addi t0, t0, 1
    sw t0, P_FAULTS(tp)
    j ret_to_user                   # sepc unchanged: the access runs again

# trap_exception: an exception the process may handle itself (illegal instruction, ...).
# With a handler set (set_handler), the process continues there with a0 = scause,
# a1 = the pc of the faulting instruction, a2 = stval (its a0-a2 are lost); else it is killed.
trap_exception:
    lw t0, P_HANDLER(tp)
    beqz t0, kill
    lw t1, 0(tp)
    sw t1, F_A1(tp)
    sw t0, 0(tp)
    sw s0, F_A0(tp)
    sw s1, F_A2(tp)
    j ret_to_user

# kill: end the current process for trap s0 (scause) at s1 (stval), with a kernel message.
kill:
    la a0, msg_killed_1
    call kputs
    lw a0, P_PID(tp)
    call kputdec
    la a0, msg_killed_2
    call kputs
    mv a0, s0
    call cause_name
    call kputs
    la a0, msg_at_pc
    call kputs
    lw a0, 0(tp)
    call kputhex
    li t0, SCAUSE_FETCH_PF          # for page faults, the address too
    bltu s0, t0, 1f
    la a0, msg_address
    call kputs
    mv a0, s1
    call kputhex
1:  li a0, '\n'
    call kputc
    addi a0, s0, KILLED
    j do_exit

# ============================================================================================
# System calls
# ============================================================================================
trap_syscall:
    lw t0, 0(tp)                    # return past the ecall
    addi t0, t0, 4
    sw t0, 0(tp)
    lw a0, F_A0(tp)
    lw a1, F_A1(tp)
    lw a2, F_A2(tp)
    lw a7, F_A7(tp)
    li t0, SYS_WRITE
    beq a7, t0, sys_write
    li t0, SYS_GETPID
    beq a7, t0, sys_getpid
    li t0, SYS_YIELD
    beq a7, t0, sys_yield
    li t0, SYS_EXIT
    beq a7, t0, sys_exit
    li t0, SYS_FORK
    beq a7, t0, sys_fork
    li t0, SYS_WAIT
    beq a7, t0, sys_wait
    li t0, SYS_MMAP
    beq a7, t0, sys_mmap
    li t0, SYS_MUNMAP
    beq a7, t0, sys_munmap
    li t0, SYS_MPROTECT
    beq a7, t0, sys_mprotect
    li t0, SYS_UART_WRITE
    beq a7, t0, sys_uart_write
    li t0, SYS_SIE_WRITE
    beq a7, t0, sys_sie_write
    li t0, SYS_SET_HANDLER
    beq a7, t0, sys_set_handler
    li t0, SYS_PFCOUNT
    beq a7, t0, sys_pfcount
    li t0, SYS_KFIB
    beq a7, t0, sys_kfib
    .if VIRTIO
    li t0, SYS_BLK_READ
    beq a7, t0, sys_blk_read
    li t0, SYS_BLK_WRITE
    beq a7, t0, sys_blk_write
    .endif
    li a0, -ENOSYS

# sys_return: the result a0 goes to the process's a0.
sys_return:
    sw a0, F_A0(tp)
    j ret_to_user

sys_getpid:
    lw a0, P_PID(tp)
    j sys_return

sys_yield:
    sw zero, F_A0(tp)
    j schedule

sys_exit:
    j do_exit

sys_set_handler:
    sw a0, P_HANDLER(tp)
    li a0, 0
    j sys_return

sys_pfcount:
    lw a0, P_FAULTS(tp)
    j sys_return

# kfib(n): fib(n) the slow way, in the kernel -- calls and returns at the kernel's privilege,
# the call/ret microbenchmark's role: a binary translator must look up every return's target.
sys_kfib:
    call kfib
    j sys_return

kfib:
    li t0, 2
    bltu a0, t0, 1f
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw a0, 4(sp)
    addi a0, a0, -1
    call kfib
    mv s0, a0
    lw a0, 4(sp)
    addi a0, a0, -2
    call kfib
    add a0, a0, s0
    lw s0, 8(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
1:  ret

# write(fd, buf, len): copy the bytes from user memory (copy_from_user, the only place the
# kernel reads user memory) in chunks, and print them through the SBI console.
sys_write:
    addi t0, a0, -1                 # fd 1 (stdout) or 2 (stderr)
    li t1, 2
    bltu t0, t1, 1f
    li a0, -EBADF
    j sys_return
1:  la s4, kputc_sbi
    j write_chunks

# uart_write(buf, len): the same, printed by the kernel's own UART driver (device registers).
sys_uart_write:
    mv a2, a1
    mv a1, a0
    la s4, kputc_uart

# write_chunks: a1 = user buffer, a2 = length, s4 = the routine printing one byte a0.
write_chunks:
    mv s2, a1                       # next user byte
    mv s3, a2                       # bytes left
    mv s5, a2                       # the result
1:  beqz s3, 4f
    li s6, KBUF_SIZE
    bgeu s3, s6, 2f
    mv s6, s3                       # this chunk: min(left, KBUF_SIZE)
2:  la a0, kbuf
    mv a1, s2
    mv a2, s6
    call copy_from_user
    bnez a0, sys_return             # -EFAULT
    .if VIRTIO
    call virtio_write_chunk         # virtio.s: the chunk as one buffer, if there is a console
    bnez a0, 5f
    .endif
    .if DBCN                        # the SBI console: the chunk in one debug console write
    la t0, kputc_sbi
    bne s4, t0, 6f
    la a0, kbuf
    mv a1, s6
    call dbcn_write
    j 5f
6:
    .endif
    la s7, kbuf
    add s8, s7, s6
3:  lbu a0, 0(s7)
    jalr ra, 0(s4)
    addi s7, s7, 1
    bltu s7, s8, 3b
5:  add s2, s2, s6
    sub s3, s3, s6
    j 1b
4:  mv a0, s5
    j sys_return

# sie_write(n): write the interrupt-enable register 2n times (mask and unmask the timer), the
# role of the x86 "cr8wr" microbenchmark: a privileged register a kernel writes often.
sys_sie_write:
    mv t0, a0
    li t1, SIE_STIE
    .if PV
    la t2, pv_shared                # the virtual sie, in memory: no exit
1:  blez t0, 2f
    sw zero, PV_SIE(t2)
    sw t1, PV_SIE(t2)
    .else
1:  blez t0, 2f
    csrc sie, t1
    csrs sie, t1
    .endif
    addi t0, t0, -1
    j 1b
2:  j sys_return                    # a0 = n

# exit(status) and the end of a killed process: status in a0.
do_exit:
    sw a0, P_STATUS(tp)
    lw t0, P_PID(tp)
    li t1, 1
    beq t0, t1, init_exit
    call free_address_space
    la t0, procs                    # orphans go to init
    la t1, procs_end
1:  lw t2, P_PARENT(t0)
    bne t2, tp, 2f
    la t2, procs
    sw t2, P_PARENT(t0)
2:  addi t0, t0, PCB_SIZE
    bltu t0, t1, 1b
    li t0, ZOMBIE
    sw t0, P_STATE(tp)
    lw t0, P_PARENT(tp)             # a waiting parent runs its wait again
    lw t1, P_STATE(t0)
    li t2, WAITING
    bne t1, t2, 3f
    li t1, RUNNABLE
    sw t1, P_STATE(t0)
3:  j schedule

# init_exit: init's exit ends the system: SBI system reset, reason 0 (exit status 0) for a
# status of 0, else reason "system failure" (exit status 1).
init_exit:
    la a0, msg_init_exit
    call kputs
    lw a0, P_STATUS(tp)
    call kputdec
    li a0, '\n'
    call kputc
    lw a1, P_STATUS(tp)
    snez a1, a1
    j shutdown

# wait(pid): reap an exited child (pid, or any child for 0): a0 = its pid, a1 = its status.
# A process with matching children that are all still running sleeps (WAITING) and runs this
# ecall again when one of its children exits.
sys_wait:
    li t3, 0                        # a matching child exists
    la t0, procs
    la t1, procs_end
1:  lw t2, P_STATE(t0)
    beqz t2, 3f                     # FREE
    lw t2, P_PARENT(t0)
    bne t2, tp, 3f
    beqz a0, 2f
    lw t2, P_PID(t0)
    bne t2, a0, 3f
2:  li t3, 1
    lw t2, P_STATE(t0)
    li t4, ZOMBIE
    beq t2, t4, reap
3:  addi t0, t0, PCB_SIZE
    bltu t0, t1, 1b
    bnez t3, 4f
    li a0, -ECHILD
    j sys_return
4:  lw t0, 0(tp)                    # sleep; the ecall runs again on wake-up
    addi t0, t0, -4
    sw t0, 0(tp)
    li t0, WAITING
    sw t0, P_STATE(tp)
    j schedule
reap:
    lw t2, P_STATUS(t0)
    sw t2, F_A1(tp)
    lw a0, P_PID(t0)
    sw zero, P_STATE(t0)            # FREE
    sw zero, P_PARENT(t0)
    j sys_return

# fork(): a new process with a copy of the caller's pages (the code pages are shared: they
# are read-only) and registers; it returns 0 in the child, the child's pid in the parent.
sys_fork:
    la s0, procs                    # a free slot
    la t1, procs_end
1:  lw t2, P_STATE(s0)
    beqz t2, 2f
    addi s0, s0, PCB_SIZE
    bltu s0, t1, 1b
    li a0, -EAGAIN
    j sys_return
2:  mv s1, tp                       # s1 = parent, s0 = child
    mv tp, s0
    sw zero, P_ROOT(tp)
    sw zero, P_L0(tp)
    call new_address_space
    bnez a0, fork_failed
    lw s6, P_BLOCKS(s1)             # copy the leaf table, block by block
    sw s6, P_BLOCKS(tp)
    li s2, 0                        # offset of the entry
3:  andi t0, s6, 1
    bnez t0, 4f
    addi s2, s2, 32 * 4             # a block never used: its 32 entries are empty
    j 8f
4:  addi s7, s2, 32 * 4
5:  lw t0, P_L0(s1)
    add t0, t0, s2
    lw s3, 0(t0)                    # the parent's entry
    beqz s3, 7f                     # empty: the child's is empty already
    andi t1, s3, PTE_OWN
    beqz t1, 6f                     # shared (the code): copied as it is
    call alloc_page                 # the process's own page: the child gets a copy
    beqz a0, fork_failed
    mv s4, a0
    srli a1, s3, 10                 # the parent's page
    slli a1, a1, 12
    call copy_page                  # a0 = destination, a1 = source
    srli s4, s4, 12                 # the child's entry: its own page, the same flags
    slli s4, s4, 10
    andi s3, s3, 0x3ff
    or s3, s3, s4
6:  lw t0, P_L0(tp)
    add t0, t0, s2
    sw s3, 0(t0)
7:  addi s2, s2, 4
    bltu s2, s7, 5b
8:  srli s6, s6, 1
    bnez s6, 3b
    li t0, 0                        # the registers, pc included
9:  add t1, s1, t0
    lw t2, 0(t1)
    add t1, tp, t0
    sw t2, 0(t1)
    addi t0, t0, 4
    li t1, 128
    bltu t0, t1, 9b
    sw zero, F_A0(tp)               # fork returns 0 in the child
    lw t0, P_HANDLER(s1)
    sw t0, P_HANDLER(tp)
    sw zero, P_FAULTS(tp)
    sw s1, P_PARENT(tp)
    la t0, next_pid
    lw a0, 0(t0)
    sw a0, P_PID(tp)
    addi t1, a0, 1
    sw t1, 0(t0)
    li t0, RUNNABLE
    sw t0, P_STATE(tp)
    mv tp, s1
    j sys_return                    # the child's pid in the parent
fork_failed:
    call free_address_space
    mv tp, s1
    li a0, -ENOMEM
    j sys_return

# mmap(va): a fresh zeroed page, writable, at page va of the map area.
sys_mmap:
    call check_map_va
    bnez a0, sys_return
    mv a0, s1
    call user_pte_address
    lw t0, 0(a0)
    li a0, -EEXIST
    bnez t0, sys_return
    call alloc_page
    bnez a0, 1f
    li a0, -ENOMEM
    j sys_return
1:  mv a1, a0
    mv a0, s1
    li a2, PTE_UDATA
    call set_user_pte
    .ifeq PV                         # (pv: the queued update flushes what it changes)
    sfence.vma s1, zero
    .endif
    mv a0, s1
    j sys_return

# munmap(va): remove the page at va (the process's own, from mmap or demand paging).
sys_munmap:
    call check_map_va
    bnez a0, sys_return
    mv a0, s1
    call user_pte_address
    lw t0, 0(a0)
    andi t1, t0, PTE_OWN
    bnez t1, 1f
    li a0, -EINVAL
    j sys_return
    .if PV
1:  li a1, 0
    call pv_queue_pte
    .else
1:  sw zero, 0(a0)                  # the entry goes, then the TLB's copy of it
    sfence.vma s1, zero
    .endif
    srli a0, t0, 10
    slli a0, a0, 12
    call free_page
    li a0, 0
    j sys_return

# mprotect(va, prot): make the page at va writable (prot has PROT_WRITE) or read-only.
sys_mprotect:
    mv s2, a1
    call check_map_va
    bnez a0, sys_return
    mv a0, s1
    call user_pte_address
    lw t0, 0(a0)
    andi t1, t0, PTE_OWN
    bnez t1, 1f
    li a0, -EINVAL
    j sys_return
1:  andi t0, t0, ~0x3ff             # keep the page, set the flags
    ori t0, t0, PTE_UREAD
    andi t1, s2, PROT_WRITE
    beqz t1, 2f
    ori t0, t0, PTE_W
    .if PV
2:  mv a1, t0
    call pv_queue_pte
    .else
2:  sw t0, 0(a0)
    sfence.vma s1, zero
    .endif
    li a0, 0
    j sys_return

# check_map_va: is a0 a page address inside the map area? a0 = 0 (and s1 = va) or -EINVAL.
check_map_va:
    mv s1, a0
    li a0, -EINVAL
    slli t0, s1, 20                 # the low 12 bits must be 0
    bnez t0, 1f
    li t0, MAP_VA_LO
    bltu s1, t0, 1f
    li t0, MAP_VA_HI
    bgeu s1, t0, 1f
    li a0, 0
1:  ret

# ============================================================================================
# Memory: pages, address spaces, user memory
# ============================================================================================
# alloc_page: a0 = a zeroed physical page, or 0 when memory is exhausted. Freed pages are
# reused first (a list threaded through their first words), then untouched ones.
alloc_page:
    la t0, free_list
    lw a0, 0(t0)
    beqz a0, 1f
    lw t1, 0(a0)
    sw t1, 0(t0)
    j 2f
1:  la t0, next_free_page
    lw a0, 0(t0)
    li t1, RAM_END
    bgeu a0, t1, 3f
    li t1, PAGE_SIZE
    add t1, a0, t1
    sw t1, 0(t0)
2:  mv t0, a0                       # clear it, 32 bytes a step
    li t1, PAGE_SIZE
    add t1, a0, t1
4:  sw zero, 0(t0)
    sw zero, 4(t0)
    sw zero, 8(t0)
    sw zero, 12(t0)
    sw zero, 16(t0)
    sw zero, 20(t0)
    sw zero, 24(t0)
    sw zero, 28(t0)
    addi t0, t0, 32
    bltu t0, t1, 4b
    ret
3:  li a0, 0
    ret

# free_page: give page a0 back.
free_page:
    la t0, free_list
    lw t1, 0(t0)
    sw t1, 0(a0)
    sw a0, 0(t0)
    ret

# copy_page: copy the page at a1 to the page at a0, 32 bytes a step.
copy_page:
    li t6, PAGE_SIZE
    add t6, a1, t6
1:  lw t0, 0(a1)
    lw t1, 4(a1)
    lw t2, 8(a1)
    lw t3, 12(a1)
    sw t0, 0(a0)
    sw t1, 4(a0)
    sw t2, 8(a0)
    sw t3, 12(a0)
    lw t0, 16(a1)
    lw t1, 20(a1)
    lw t2, 24(a1)
    lw t3, 28(a1)
    sw t0, 16(a0)
    sw t1, 20(a0)
    sw t2, 24(a0)
    sw t3, 28(a0)
    addi a0, a0, 32
    addi a1, a1, 32
    bltu a1, t6, 1b
    ret

# use_table_of: a0 = the satp value selecting the root table at t0 (Sv32, ASID 0).
use_table_of:
    srli a0, t0, 12
    li t1, SATP_SV32
    or a0, a0, t1
    ret

# new_address_space: give process tp a root table (the kernel's entries, and entry 1 pointing
# to a fresh, empty leaf table for USER_VA .. USER_TOP). a0 = 0, or -ENOMEM.
new_address_space:
    addi sp, sp, -16
    sw ra, 12(sp)
    call alloc_page
    beqz a0, 1f
    sw a0, P_ROOT(tp)
    la t0, kroot                    # the kernel's mappings (U = 0) in every address space
    li t2, (RAM_BASE >> 22) * 4
    add t3, t0, t2
    lw t1, 0(t3)
    add t3, a0, t2
    sw t1, 0(t3)
    lw t1, (UART >> 22) * 4(t0)
    sw t1, (UART >> 22) * 4(a0)
    mv t0, a0
    call use_table_of
    sw a0, P_SATP(tp)
    call alloc_page
    beqz a0, 1f
    sw a0, P_L0(tp)
    srli t0, a0, 12                 # root entry 1: a pointer to the leaf table (V only)
    slli t0, t0, 10
    ori t0, t0, PTE_V
    lw t1, P_ROOT(tp)
    sw t0, (USER_VA >> 22) * 4(t1)
    li a0, 0
    j 2f
1:  li a0, -ENOMEM
2:  lw ra, 12(sp)
    addi sp, sp, 16
    ret

# free_address_space: give back process tp's own pages, its leaf and root tables. The kernel
# moves to its own table first (this one may be in use, and is about to be reused).
free_address_space:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    .if PV
    call pv_flush                   # (updates still queued for these tables go first)
    .endif
    la t0, kroot
    call use_table_of
    la t0, active_satp
    sw a0, 0(t0)
    .if PV
    hypercall PV_SWITCH_SPACE
    .else
    csrw satp, a0
    sfence.vma zero, zero
    .endif
    lw s0, P_L0(tp)
    beqz s0, 3f
    lw s1, P_BLOCKS(tp)             # the blocks of entries that may be in use
1:  andi t0, s1, 1
    beqz t0, 2f
    mv a0, s0
    call free_block
2:  addi s0, s0, 32 * 4
    srli s1, s1, 1
    bnez s1, 1b
    lw a0, P_L0(tp)
    call free_page
    sw zero, P_L0(tp)
3:  lw a0, P_ROOT(tp)
    beqz a0, 4f
    call free_page
    sw zero, P_ROOT(tp)
4:  lw s1, 4(sp)
    lw s0, 8(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# free_block: free the process's own pages among the 32 leaf entries at a0.
free_block:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    mv s0, a0
    addi s1, a0, 32 * 4
1:  lw t0, 0(s0)
    andi t1, t0, PTE_OWN
    beqz t1, 2f
    srli a0, t0, 10
    slli a0, a0, 12
    call free_page
2:  addi s0, s0, 4
    bltu s0, s1, 1b
    lw s1, 4(sp)
    lw s0, 8(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# user_pte_address: a0 = the address of the leaf entry for user page a0 (in USER_VA ..
# USER_TOP) of process tp.
user_pte_address:
    srli a0, a0, 12
    andi a0, a0, 0x3ff
    slli a0, a0, 2
    lw t0, P_L0(tp)
    add a0, a0, t0
    ret

# set_user_pte: map user page a0 of process tp to physical page a1 with flags a2.
set_user_pte:
    addi sp, sp, -16
    sw ra, 12(sp)
    srli t0, a0, 17                 # note the entry's block in P_BLOCKS
    andi t0, t0, 31
    li t1, 1
    sll t1, t1, t0
    lw t0, P_BLOCKS(tp)
    or t0, t0, t1
    sw t0, P_BLOCKS(tp)
    call user_pte_address
    srli a1, a1, 12
    slli a1, a1, 10
    or a1, a1, a2
    .if PV
    call pv_queue_pte
    .else
    sw a1, 0(a0)
    .endif
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# copy_from_user: copy a2 bytes from user address a1 to kernel address a0; a0 = 0, or -EFAULT
# when the range is not user memory or not mapped. The SUM discipline: sstatus.SUM is set only
# for the duration of the copy, so no other kernel code can touch user pages by mistake.
copy_from_user:
    add t0, a1, a2                  # the range must lie below USER_TOP (with SUM on the
    bltu t0, a1, efault             # kernel could read its own memory: U=0 pages stay open)
    li t1, USER_TOP
    bgtu t0, t1, efault
    li t1, SSTATUS_SUM
sum_on:
    .ifeq PV                         # (pv: SUM stays on, the VMM sets it once)
    csrs sstatus, t1                # open: S-mode may access U pages
    .endif
    beqz a2, 2f
uaccess_begin:                      # a page fault in here resumes at uaccess_fault
1:  lbu t2, 0(a1)
uaccess_end:
    sb t2, 0(a0)
    addi a0, a0, 1
    addi a1, a1, 1
    addi a2, a2, -1
    bnez a2, 1b
    .if PV
2:  li a0, 0
    ret
uaccess_fault:
    .else
2:  csrc sstatus, t1                # closed
    li a0, 0
    ret
uaccess_fault:
    li t1, SSTATUS_SUM
    csrc sstatus, t1
    .endif
efault:
    li a0, -EFAULT
    ret

# ============================================================================================
# Console, SBI, panic
# ============================================================================================
# kputc: the byte a0 through SBI console_putchar (clobbers a0, a1, a6, a7); the DBCN build
# uses the debug console's write_byte, or console_putchar if the SBI has no DBCN.
kputc:
kputc_sbi:
    .if DBCN
    la a7, dbcn_absent
    lw a7, 0(a7)
    bnez a7, 1f
    mv a1, a0                       # (the byte, should write_byte fail)
    li a7, SBI_EXT_DBCN
    li a6, SBI_DBCN_WRITE_BYTE
    ecall
    beqz a0, 2f
    li a6, SBI_ERR_NOT_SUPPORTED
    bne a0, a6, 3f
    la a6, dbcn_absent              # no DBCN: console_putchar from now on
    sw a6, 0(a6)
3:  mv a0, a1
    .endif
1:  li a7, SBI_CONSOLE_PUTCHAR
    li a6, 0
    ecall
2:  ret

    .if DBCN
# dbcn_write: print the a1 bytes at kernel address a0 with the SBI debug console: one write
# call for them all (another for the rest, should the SBI write only part). DBCN takes a
# *physical* address: the kernel's RAM is identity-mapped, so a kernel address is one (a user
# buffer is not: write() copies it to kbuf first). If the SBI has no DBCN (the call answers
# SBI_ERR_NOT_SUPPORTED: dbcn_absent, and every call after goes straight there), or on any
# other error, the bytes not yet written go a console_putchar each. Clobbers a0, a1, a6, a7.
dbcn_write:
    addi sp, sp, -16
    sw t0, 0(sp)
    sw t1, 4(sp)
    sw a2, 8(sp)
    mv t0, a0                       # the next byte
    mv t1, a1                       # bytes left
    la a0, dbcn_absent
    lw a0, 0(a0)
    bnez a0, 4f
1:  beqz t1, 6f
    mv a0, t1                       # num_bytes
    mv a1, t0                       # base_addr_lo
    li a2, 0                        # base_addr_hi: RAM lies below 4 GiB
    li a7, SBI_EXT_DBCN
    li a6, SBI_DBCN_WRITE
    ecall
    bnez a0, 3f
    add t0, t0, a1                  # a1 bytes written
    sub t1, t1, a1
    j 1b
3:  li a1, SBI_ERR_NOT_SUPPORTED
    bne a0, a1, 4f
    la a1, dbcn_absent
    sw a1, 0(a1)
4:  add t1, t0, t1                  # byte by byte, up to the end
    li a7, SBI_CONSOLE_PUTCHAR
    li a6, 0
5:  bgeu t0, t1, 6f
    lbu a0, 0(t0)
    ecall
    addi t0, t0, 1
    j 5b
6:  lw t0, 0(sp)
    lw t1, 4(sp)
    lw a2, 8(sp)
    addi sp, sp, 16
    ret
    .endif

# kputc_uart: the byte a0 through the kernel's own UART driver: wait until the transmitter
# holding register is empty (read LSR), then write THR: two device register accesses.
kputc_uart:
    li t0, UART
1:  lbu t1, UART_LSR(t0)
    andi t1, t1, LSR_THR_EMPTY
    beqz t1, 1b
    sb a0, 0(t0)
    ret

# kputs: the NUL-terminated string at a0 (clobbers a0, a1, a6, a7, t0).
kputs:
    .if PV                          # the whole string in one console_write hypercall
    mv t0, a0
1:  lbu a1, 0(t0)
    beqz a1, 2f
    addi t0, t0, 1
    j 1b
2:  sub a1, t0, a0
    hypercall PV_CONSOLE_WRITE
    ret
    .elseif DBCN                    # the whole string in one debug console write
    mv t0, a0
1:  lbu a1, 0(t0)
    beqz a1, 2f
    addi t0, t0, 1
    j 1b
2:  sub a1, t0, a0
    j dbcn_write
    .else
    mv t0, a0
    li a7, SBI_CONSOLE_PUTCHAR
    li a6, 0
1:  lbu a0, 0(t0)
    beqz a0, 2f
    ecall                           # SBI calls preserve every register but a0 and a1
    addi t0, t0, 1
    j 1b
2:  ret
    .endif

# kputdec: a0 in decimal (signed).
kputdec:
    addi sp, sp, -32
    sw ra, 28(sp)
    mv t1, a0
    bgez t1, 1f
    li a0, '-'
    call kputc
    neg t1, t1
1:  addi t0, sp, 24                 # digits backwards from sp+24, NUL-terminated
    sb zero, 0(t0)
    li t2, 10
2:  remu t3, t1, t2
    addi t3, t3, '0'
    addi t0, t0, -1
    sb t3, 0(t0)
    divu t1, t1, t2
    bnez t1, 2b
    mv a0, t0
    call kputs
    lw ra, 28(sp)
    addi sp, sp, 32
    ret

# kputhex: a0 as 0x and eight hex digits.
kputhex:
    addi sp, sp, -32
    sw ra, 28(sp)
    li t0, '0'
    sb t0, 0(sp)
    li t0, 'x'
    sb t0, 1(sp)
    addi t0, sp, 9                  # the last digit's place
1:  andi t1, a0, 15
    addi t1, t1, '0'
    li t2, '9'
    bleu t1, t2, 2f
    addi t1, t1, 'a' - '9' - 1
2:  sb t1, 0(t0)
    srli a0, a0, 4
    addi t0, t0, -1
    addi t1, sp, 2
    bgeu t0, t1, 1b
    sb zero, 10(sp)
    mv a0, sp
    call kputs
    lw ra, 28(sp)
    addi sp, sp, 32
    ret

# cause_name: a0 = the name of exception cause a0.
cause_name:
    li t0, 16
    bgeu a0, t0, 1f
    la t0, cause_names
    slli a0, a0, 2
    add t0, t0, a0
    lw a0, 0(t0)
    bnez a0, 2f
1:  la a0, msg_exception
2:  ret

# panic: print "kernel: panic: <a0>" and stop the machine with exit status 1.
panic:
    mv s0, a0
    la a0, msg_panic
    call kputs
    mv a0, s0
    call kputs
    li a0, '\n'
    call kputc
    li a1, 1

# shutdown: SBI system reset with reason a1 (0: none, exit status 0; 1: system failure).
shutdown:
    li a0, 0                        # type: shutdown
    li a6, 0
    li a7, SBI_EXT_SRST
    ecall
1:  j 1b                            # not reached: the machine is off

    .section .rodata
msg_boot:           .string "kernel: booting in S-mode, Sv32 paging on, starting init\n"
msg_init_exit:      .string "kernel: init exited with status "
msg_killed_1:       .string "kernel: killed pid "
msg_killed_2:       .string ": "
msg_at_pc:          .string " at pc "
msg_address:        .string ", address "
msg_panic:          .string "kernel: panic: "
msg_no_memory:      .string "out of memory at boot"
msg_nothing_to_run: .string "no process can run"
msg_interrupt:      .string "unexpected interrupt"
msg_kernel_trap:    .string "kernel: trap in S-mode, scause "
msg_sepc:           .string " sepc "
msg_stval:          .string " stval "
msg_empty:          .string "kernel bug"
msg_exception:      .string "exception"
msg_c0:             .string "misaligned fetch"
msg_c1:             .string "fetch access fault"
msg_c2:             .string "illegal instruction"
msg_c3:             .string "breakpoint"
msg_c4:             .string "misaligned load"
msg_c5:             .string "load access fault"
msg_c6:             .string "misaligned store"
msg_c7:             .string "store access fault"
msg_c12:            .string "instruction page fault"
msg_c13:            .string "load page fault"
msg_c15:            .string "store page fault"
    .balign 4
cause_names:
    .word msg_c0, msg_c1, msg_c2, msg_c3, msg_c4, msg_c5, msg_c6, msg_c7
    .word 0, 0, 0, 0, msg_c12, msg_c13, 0, msg_c15

    .data
    .balign 4
    .globl quantum
quantum:        .word 100000        # mtime ticks per time slice: 10 ms, a 100 Hz tick (a tick of
                                    # mtime is 10 instructions: 1,000,000 instructions a slice)
next_pid:       .word 1
free_list:      .word 0             # freed pages, linked through their first word
next_free_page: .word 0             # the first page never handed out
active_satp:    .word 0             # what satp holds (saves reading it back)
    .if DBCN
dbcn_absent:    .word 0             # not 0: the SBI answered that it has no debug console
    .endif

    .bss
    .balign 4096
kroot:          .space 4096         # the kernel's root page table
procs:          .space NPROC * PCB_SIZE
procs_end:
kbuf:           .space KBUF_SIZE
    .balign 16
kstack:         .space 2048
kstack_top:
