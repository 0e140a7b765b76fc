# firmware.s -- the M-mode firmware: a minimal SBI, in the role OpenSBI plays on real boards.
#
# At reset the hart is in M-mode at _start (0x80000000). The firmware sets up what only M-mode
# can, hands the rest of the machine to the S-mode kernel, and from then on runs only when the
# kernel (or the hardware timer) traps into M-mode:
#
#   - mtvec -> fw_trap, PMP opened (QEMU denies S/U accesses without a PMP entry);
#   - medeleg: ecall from U, page faults, illegal instruction, breakpoint and misaligned
#     accesses go straight to the kernel; mideleg: the S interrupts (SSI, STI, SEI);
#   - mcounteren.TM: the kernel may read the time CSR (rdtime);
#   - mstatus.MPP = S, mepc = kernel_entry, a0 = hart id 0, a1 = 0 (no device tree), mret;
#     assembled with PASS_FDT defined (Linux), a1 keeps the device tree the machine gave at reset.
#
# SBI calls (ecall from S): a7 = extension id (EID), a6 = function id (FID), arguments in
# a0, a1; the result is a0 (error; the legacy calls put their value there) and a1 (value);
# every other register is preserved.
#
#   EID 0x00  set_timer(a0 = low, a1 = high)   legacy: mtimecmp := a1:a0, clear STIP
#   EID 0x01  console_putchar(a0)              legacy: one byte to the UART
#   EID 0x02  console_getchar() -> a0          legacy: a byte, or -1 when none is waiting
#   EID 0x08  shutdown()                       legacy: power off, exit status 0
#   EID 0x53525354 "SRST", FID 0: system_reset(a0 = type, a1 = reason): power off,
#             exit status 0 for reason 0 (no reason), 1 for any other (system failure)
#   EID 0x4442434E "DBCN" (the debug console, SBI v2.0):
#             FID 0: write(a0 = num_bytes, a1 = base_addr_lo, a2 = base_addr_hi): the bytes at
#             that *physical* address (M-mode reads physical memory: mstatus.MPRV stays 0) to
#             the UART, a byte at a time as console_putchar does: a0 = 0, a1 = num_bytes. A
#             range not wholly in RAM (RAM_BASE .. RAM_END; base_addr_hi must be 0 on RV32):
#             a0 = -3 (SBI_ERR_INVALID_PARAM), a1 = 0, nothing written.
#             FID 2: write_byte(a0): one byte to the UART: a0 = 0, a1 = 0.
#             (FID 1, read, is not served: a0 = -2.)
#   anything else: a0 = -2 (SBI_ERR_NOT_SUPPORTED)
#
# The timer the OpenSBI way: the M timer interrupt (mtime >= mtimecmp) is turned into the S
# timer interrupt (mip.STIP := 1, mie.MTIE := 0); the kernel's next set_timer clears STIP and
# re-arms MTIE. The firmware prints nothing unless something is badly wrong: under the
# hypervisor it does not run at all, and the console must read the same with or without it.

    .equ UART, 0x10000000           # NS16550A: THR/RBR at +0, LSR at +5
    .equ UART_LSR, 5
    .equ LSR_DATA_READY, 0x01
    .equ LSR_THR_EMPTY, 0x20
    .equ TESTDEV, 0x00100000        # SiFive test device: the power switch
    .equ TEST_PASS, 0x5555          # power off, exit status 0
    .equ TEST_FAIL_1, (1 << 16) | 0x3333    # power off, exit status 1
    .equ CLINT_MTIMECMP, 0x02004000
    .equ RAM_BASE, 0x80000000       # the guest's RAM: 4 MiB (vmlib.guest.GUEST_RAM_SIZE)
    .equ RAM_END, 0x80400000

    .equ MSTATUS_MPP, 3 << 11
    .equ MSTATUS_MPP_S, 1 << 11
    .equ MIP_STIP, 1 << 5           # supervisor timer interrupt pending (mip/sip bit 5)
    .equ MIE_MTIE, 1 << 7           # machine timer interrupt enable (mie bit 7)
    .equ MCAUSE_MTI, 7              # machine timer interrupt (mcause, interrupt bit aside)
    .equ MCAUSE_ECALL_S, 9
    .equ DELEGATED_EXCEPTIONS, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 6) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    .equ DELEGATED_INTERRUPTS, (1 << 1) | (1 << 5) | (1 << 9)
    .equ MCOUNTEREN_TM, 1 << 1

    .equ SBI_SET_TIMER, 0x00
    .equ SBI_CONSOLE_PUTCHAR, 0x01
    .equ SBI_CONSOLE_GETCHAR, 0x02
    .equ SBI_SHUTDOWN, 0x08
    .equ SBI_EXT_SRST, 0x53525354
    .equ SBI_EXT_DBCN, 0x4442434E
    .equ SBI_DBCN_WRITE, 0
    .equ SBI_DBCN_WRITE_BYTE, 2
    .equ SBI_ERR_NOT_SUPPORTED, -2
    .equ SBI_ERR_INVALID_PARAM, -3

    .text
    .globl _start
_start:
    la sp, fw_stack_top
    csrw mscratch, sp               # fw_trap swaps to this stack
    la t0, fw_trap
    csrw mtvec, t0
    li t0, -1                       # PMP entry 0: all of memory, R W X, NAPOT
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    li t0, DELEGATED_EXCEPTIONS
    csrw medeleg, t0
    li t0, DELEGATED_INTERRUPTS
    csrw mideleg, t0
    csrw mie, zero                  # MTIE is armed by the first set_timer
    li t0, MCOUNTEREN_TM
    csrw mcounteren, t0
    li t0, MSTATUS_MPP              # mret goes to S-mode ...
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    la t0, kernel_entry             # ... at the kernel's entry point
    csrw mepc, t0
    li a0, 0                        # hart id
.ifndef PASS_FDT
    li a1, 0                        # no device tree (the course kernel reads none) ...
.endif
    mret                            # ... or, for Linux, the machine's, still in a1 from reset

# fw_trap: every trap that reaches M-mode. mscratch holds the firmware stack; the caller's
# registers are preserved except a0/a1 (the SBI result).
    .balign 4
fw_trap:
    csrrw sp, mscratch, sp          # sp = firmware stack, mscratch = the caller's sp
    addi sp, sp, -16
    sw t0, 0(sp)
    sw t1, 4(sp)
    sw ra, 12(sp)
    csrr t0, mcause
    bltz t0, fw_interrupt
    li t1, MCAUSE_ECALL_S
    bne t0, t1, fw_panic
    csrr t0, mepc                   # an SBI call: return past the ecall
    addi t0, t0, 4
    csrw mepc, t0
    beqz a7, sbi_set_timer          # SBI_SET_TIMER is 0
    li t0, SBI_CONSOLE_PUTCHAR
    beq a7, t0, sbi_console_putchar
    li t0, SBI_CONSOLE_GETCHAR
    beq a7, t0, sbi_console_getchar
    li t0, SBI_SHUTDOWN
    beq a7, t0, sbi_shutdown
    li t0, SBI_EXT_SRST
    beq a7, t0, sbi_system_reset
    li t0, SBI_EXT_DBCN             # (last: the calls above cost what they did without it)
    beq a7, t0, sbi_debug_console
sbi_not_supported:
    li a0, SBI_ERR_NOT_SUPPORTED
    j fw_return

sbi_set_timer:                      # mtimecmp := a1:a0 without a moment of a smaller value
    li t0, CLINT_MTIMECMP
    li t1, -1
    sw t1, 4(t0)                    # high word to the maximum first,
    sw a0, 0(t0)                    # then the low word,
    sw a1, 4(t0)                    # then the real high word
    li t0, MIP_STIP
    csrc mip, t0                    # the kernel's timer interrupt is served
    li t0, MIE_MTIE
    csrs mie, t0                    # and the next one armed
    li a0, 0
    j fw_return

sbi_console_putchar:
    call fw_putc
    li a0, 0
    j fw_return

sbi_console_getchar:
    li t0, UART
    lbu t1, UART_LSR(t0)
    andi t1, t1, LSR_DATA_READY
    li a0, -1
    beqz t1, fw_return
    lbu a0, 0(t0)
    j fw_return

sbi_shutdown:
    li a1, 0
    j fw_power_off

sbi_system_reset:
    bnez a6, sbi_not_supported      # FID 0 is the only function of SRST
fw_power_off:                       # exit status 0 for reason a1 = 0, else 1
    li t0, TESTDEV
    li t1, TEST_PASS
    beqz a1, 1f
    li t1, TEST_FAIL_1
1:  sw t1, 0(t0)
2:  j 2b                            # the machine is off

sbi_debug_console:
    li t0, SBI_DBCN_WRITE_BYTE
    beq a6, t0, sbi_dbcn_write_byte
    bnez a6, sbi_not_supported      # SBI_DBCN_WRITE is 0
    bnez a2, sbi_invalid_param      # write: the whole range in RAM, or nothing is written
    li t0, RAM_BASE
    bltu a1, t0, sbi_invalid_param
    li t0, RAM_END
    bgtu a1, t0, sbi_invalid_param
    sub t0, t0, a1                  # the bytes from base_addr_lo to the end of RAM
    bgtu a0, t0, sbi_invalid_param
    addi sp, sp, -16
    sw a0, 0(sp)                    # the result: every byte written
    add t0, a1, a0
    sw t0, 4(sp)                    # the end (fw_putc clobbers t0, t1)
1:  lw t0, 4(sp)
    bgeu a1, t0, 2f
    lbu a0, 0(a1)                   # a physical address: M-mode does not translate
    call fw_putc
    addi a1, a1, 1
    j 1b
2:  li a0, 0
    lw a1, 0(sp)
    addi sp, sp, 16
    j fw_return

sbi_dbcn_write_byte:
    call fw_putc
    li a0, 0
    li a1, 0
    j fw_return

sbi_invalid_param:
    li a0, SBI_ERR_INVALID_PARAM
    li a1, 0
    j fw_return

fw_interrupt:
    slli t0, t0, 1                  # drop the interrupt bit
    srli t0, t0, 1
    li t1, MCAUSE_MTI
    bne t0, t1, fw_panic
    li t0, MIE_MTIE                 # M timer -> S timer: the kernel sees STIP and calls
    csrc mie, t0                    # set_timer, which re-arms MTIE
    li t0, MIP_STIP
    csrs mip, t0

fw_return:
    lw t0, 0(sp)
    lw t1, 4(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
    csrrw sp, mscratch, sp
    mret

# fw_panic: a trap the firmware does not serve (a kernel bug): say so and power off, status 1.
fw_panic:
    la a0, fw_msg_panic
    call fw_puts
    csrr a0, mcause
    call fw_puthex
    la a0, fw_msg_mepc
    call fw_puts
    csrr a0, mepc
    call fw_puthex
    la a0, fw_msg_mtval
    call fw_puts
    csrr a0, mtval
    call fw_puthex
    li a0, '\n'
    call fw_putc
    li a1, 1
    j fw_power_off

# fw_putc: the byte a0 to the UART, once its transmitter is ready (clobbers t0, t1).
fw_putc:
    li t0, UART
1:  lbu t1, UART_LSR(t0)
    andi t1, t1, LSR_THR_EMPTY
    beqz t1, 1b
    sb a0, 0(t0)
    ret

# fw_puts, fw_puthex: only for fw_panic, which never returns, so they use s-registers freely.
# fw_puts: the NUL-terminated string at a0.
fw_puts:
    mv s0, a0
    mv s1, ra
1:  lbu a0, 0(s0)
    beqz a0, 2f
    call fw_putc
    addi s0, s0, 1
    j 1b
2:  mv ra, s1
    ret

# fw_puthex: a0 as 0x and eight hex digits.
fw_puthex:
    mv s0, a0
    mv s1, ra
    li a0, '0'
    call fw_putc
    li a0, 'x'
    call fw_putc
    li s2, 28
1:  srl a0, s0, s2
    andi a0, a0, 15
    li t1, 10
    blt a0, t1, 2f
    addi a0, a0, 'a' - 10 - '0'
2:  addi a0, a0, '0'
    call fw_putc
    addi s2, s2, -4
    bgez s2, 1b
    mv ra, s1
    ret

    .section .rodata
fw_msg_panic:   .string "firmware: unexpected trap to M-mode, mcause "
fw_msg_mepc:    .string " mepc "
fw_msg_mtval:   .string " mtval "

    .bss
    .balign 16
fw_stack:       .space 512
fw_stack_top:
