# tour.s -- a guided tour of the machine (chapter 03: the machine).
#
# One short program that uses the whole system ISA once:
#
#   M-mode  says hello over the UART, installs a trap handler (mtvec), builds a
#           two-level Sv32 page table, turns paging on (satp) and drops to
#           U-mode with mret.
#   U-mode  computes 6 * 7, stores it in its own data page, prints it with
#           ecalls (it cannot reach the UART itself), then loads from a page
#           nobody mapped.
#   M-mode  the trap handler prints each character the U program asks for
#           (ecall, mcause 8), reports the page fault (mcause 13, mtval = the
#           address) and powers the machine off.
#
# Physical memory (QEMU virt subset): RAM at 0x80000000, UART at 0x10000000,
# test device at 0x00100000.  What the U program sees (its virtual memory):
#
#   0x00400000  its code   R-X U  -> the physical page at user_code
#   0x00401000  its data   RW- U  -> the physical page at user_data
#   0x00402000  nothing    (V=0)  -> load page fault
#
# Assembles with vmlib (vmlib.asm) and with GNU as (-march=rv32ima_zicsr).

        .equ UART,          0x10000000      # NS16550A: transmit register at +0
        .equ TEST_DEVICE,   0x00100000      # SiFive test device
        .equ POWER_OFF,     0x5555          # ... write this to power off, status 0
        .equ FAILED,        (1 << 16) | 0x3333   # ... power off, status 1

        .equ USER_CODE_VA,  0x00400000
        .equ USER_DATA_VA,  0x00401000
        .equ UNMAPPED_VA,   0x00402000
        .equ SYS_PUTCHAR,   1               # our one system call: a7 = 1, a0 = char

        .equ PTE_V, 1 << 0                  # Sv32 page-table entry flags
        .equ PTE_R, 1 << 1
        .equ PTE_W, 1 << 2
        .equ PTE_X, 1 << 3
        .equ PTE_U, 1 << 4
        .equ SATP_SV32,   1 << 31           # satp.MODE = Sv32
        .equ MSTATUS_MPP, 3 << 11           # the privilege mret returns to

        .text
        .globl _start
_start:                                 # reset: M-mode, paging off, pc = 0x80000000
        la      a0, hello
        call    puts                    # "M: hello"

        la      t0, trap_handler        # from now on every trap enters M-mode here
        csrw    mtvec, t0

        li      t0, -1                  # PMP: let U-mode reach all of physical memory
        csrw    pmpaddr0, t0            # (QEMU enforces PMP; this machine accepts it)
        li      t0, 0x1f                # R W X, NAPOT over the whole address space
        csrw    pmpcfg0, t0

        # The page table.  Level 1 (pt_root): 1024 entries of 4 MiB each.  Entry 1
        # covers 0x00400000-0x007fffff; it points to the level-0 table pt_l0.
        la      t0, pt_root
        la      t1, pt_l0
        srli    t1, t1, 12              # physical page number of pt_l0 ...
        slli    t1, t1, 10              # ... goes in the PTE's PPN field (bits 31:10)
        ori     t1, t1, PTE_V           # valid, R = W = X = 0: "next level"
        sw      t1, ((USER_CODE_VA >> 22) * 4)(t0)

        # Level 0 (pt_l0): 1024 entries of 4 KiB each.
        la      t0, pt_l0
        la      t1, user_code           # entry 0: 0x00400000 -> user_code, R-X, U
        srli    t1, t1, 12
        slli    t1, t1, 10
        ori     t1, t1, PTE_V | PTE_R | PTE_X | PTE_U
        sw      t1, 0(t0)
        la      t1, user_data           # entry 1: 0x00401000 -> user_data, RW-, U
        srli    t1, t1, 12
        slli    t1, t1, 10
        ori     t1, t1, PTE_V | PTE_R | PTE_W | PTE_U
        sw      t1, 4(t0)
                                        # entry 2 stays 0: 0x00402000 is not mapped

        la      t0, pt_root             # satp = Sv32 | root's physical page number
        srli    t0, t0, 12
        li      t1, SATP_SV32
        or      t0, t0, t1
        csrw    satp, t0                # paging is on for S and U (M sees physical memory)
        sfence.vma                      # forget any old translations

        li      t0, MSTATUS_MPP
        csrc    mstatus, t0             # mstatus.MPP = 0: mret "returns" to U-mode ...
        li      t0, USER_CODE_VA
        csrw    mepc, t0                # ... at the U program's first (virtual) address
        mret

# ---- the trap handler: every ecall, fault and interrupt lands here, in M-mode ----
# (It uses t0-t2 and a0 freely; a real kernel saves the interrupted registers first.)
        .balign 4
trap_handler:
        csrr    t0, mcause              # why are we here?
        li      t1, 8                   # environment call from U-mode
        beq     t0, t1, syscall
        li      t1, 13                  # load page fault
        beq     t0, t1, page_fault
        li      t1, 15                  # store/AMO page fault
        beq     t0, t1, page_fault
        j       failed                  # anything else: not expected in this tour

syscall:                                # a7 = service number, a0 = its argument
        li      t1, SYS_PUTCHAR
        bne     a7, t1, failed
        li      t1, UART
        sb      a0, 0(t1)               # M-mode may touch the device; U-mode may not
        csrr    t0, mepc
        addi    t0, t0, 4               # return to the instruction *after* the ecall
        csrw    mepc, t0
        mret                            # back to U-mode (mstatus.MPP says so)

page_fault:                             # report "mcause=13 mtval=0x...", power off
        la      a0, fault_msg
        call    puts
        csrr    a0, mcause
        call    print_dec
        la      a0, tval_msg
        call    puts
        csrr    a0, mtval               # the virtual address that did not translate
        call    print_hex
        li      t0, UART
        li      t1, '\n'
        sb      t1, 0(t0)
        li      t0, TEST_DEVICE
        li      t1, POWER_OFF
        sw      t1, 0(t0)               # the machine stops here, exit status 0
1:      j       1b

failed:
        li      t0, TEST_DEVICE
        li      t1, FAILED
        sw      t1, 0(t0)               # power off with exit status 1
1:      j       1b

# ---- small M-mode routines (leaf functions: they use t0-t3 and return with ret) ----
puts:                                   # print the NUL-terminated string at a0
        li      t0, UART
1:      lbu     t1, 0(a0)
        beqz    t1, 2f
        sb      t1, 0(t0)
        addi    a0, a0, 1
        j       1b
2:      ret

print_dec:                              # print a0 (0..99) in decimal
        li      t0, UART
        li      t1, 10
        divu    t2, a0, t1              # tens
        beqz    t2, 1f
        addi    t2, t2, '0'
        sb      t2, 0(t0)
1:      remu    t2, a0, t1              # units
        addi    t2, t2, '0'
        sb      t2, 0(t0)
        ret

print_hex:                              # print a0 as 0x and 8 hex digits
        li      t0, UART
        li      t1, '0'
        sb      t1, 0(t0)
        li      t1, 'x'
        sb      t1, 0(t0)
        li      t2, 8                   # digits to go
1:      srli    t1, a0, 28              # the top nibble ...
        slli    a0, a0, 4
        addi    t1, t1, '0'
        li      t3, '9'
        ble     t1, t3, 2f
        addi    t1, t1, 'a' - '9' - 1   # ... as 0-9 or a-f
2:      sb      t1, 0(t0)
        addi    t2, t2, -1
        bnez    t2, 1b
        ret

# ---- the U program: one page of code, seen at virtual address 0x00400000 ----
        .balign 4096
user_code:
        li      s0, 6
        li      s1, 7
        mul     s2, s0, s1              # 42
        li      s3, USER_DATA_VA
        sw      s2, 0(s3)               # into its own data page (sets the PTE's D bit)
        lw      s4, 0(s3)               # and back

        li      a7, SYS_PUTCHAR         # print it: the kernel (M-mode) does the I/O
        li      s5, 10
        li      a0, 'U'
        ecall
        li      a0, ':'
        ecall
        li      a0, ' '
        ecall
        divu    a0, s4, s5              # tens digit
        addi    a0, a0, '0'
        ecall
        remu    a0, s4, s5              # units digit
        addi    a0, a0, '0'
        ecall
        li      a0, '\n'
        ecall

        li      s6, UNMAPPED_VA
        lw      s7, 4(s6)               # nobody mapped this page: load page fault
user_spin:
        j       user_spin               # never reached

        .section .rodata
hello:      .asciz "M: hello\n"
fault_msg:  .asciz "M: mcause="
tval_msg:   .asciz " mtval="

        .bss
        .balign 4096
pt_root:    .space 4096                 # level-1 page table (1024 PTEs)
pt_l0:      .space 4096                 # level-0 page table
user_data:  .space 4096                 # the U program's data page
