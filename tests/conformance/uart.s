# uart.s -- the NS16550A's register file as a driver reads it (Linux's 8250 driver among them):
# reset values of IER, IIR, LCR, MCR, LSR, MSR and SCR (QEMU's: its MCR starts with OUT2 set); what each keeps of a write (IER its low
# four bits, MCR five); the divisor latch behind LCR.DLAB; IIR with the FIFOs on; the
# transmitter-empty interrupt pending when enabled and cleared by reading IIR; loopback
# (MCR.LOOP): the modem outputs seen in MSR and a byte written to THR read back from RBR.
# Values are read into registers first and checked after: the checks print through the UART.

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    csrw mie, zero
    li s2, UART
    lbu s3, 1(s2)               # reset values
    lbu s4, 2(s2)
    lbu s5, 3(s2)
    lbu s6, 4(s2)
    lbu s7, 6(s2)
    lbu s8, 7(s2)
    la a0, 9f
    call say
    .section .rodata
9:  .string "== reset values =="
    .text
    mv a1, s3
    CHECKED 0x00000000, "IER"
    mv a1, s4
    CHECKED 0x00000001, "IIR: no interrupt pending"
    mv a1, s5
    CHECKED 0x00000000, "LCR"
    mv a1, s6
    CHECKED 0x00000008, "MCR: OUT2 (QEMU's reset; the data sheet's is 0)"
    mv a1, s7
    CHECKED 0x000000b0, "MSR: DCD, DSR, CTS"
    mv a1, s8
    CHECKED 0x00000000, "SCR"
    lbu a1, 5(s2)
    CHECKED 0x00000060, "LSR: THR empty, transmitter empty"

    la a0, 9f
    call say
    .section .rodata
9:  .string "== writes read back =="
    .text
    li t0, 0x5a
    sb t0, 7(s2)
    lbu a1, 7(s2)
    CHECKED 0x0000005a, "SCR keeps all eight bits"
    li t0, 0x1b
    sb t0, 3(s2)
    lbu a1, 3(s2)
    CHECKED 0x0000001b, "LCR"
    li t0, 0xff
    sb t0, 4(s2)
    lbu s3, 4(s2)
    sb zero, 4(s2)              # (LOOP is among them: off again before printing)
    mv a1, s3
    CHECKED 0x0000001f, "MCR keeps five bits"
    li t0, 0xf0
    sb t0, 1(s2)
    lbu a1, 1(s2)
    CHECKED 0x00000000, "IER keeps four bits (0xf0 written)"

    la a0, 9f
    call say
    .section .rodata
9:  .string "== the divisor latch (LCR.DLAB) =="
    .text
    li t0, 0x83                 # DLAB, 8 bits
    sb t0, 3(s2)
    li t0, 0x12
    sb t0, 0(s2)                # DLL
    li t0, 0x34
    sb t0, 1(s2)                # DLM
    lbu s3, 0(s2)
    lbu s4, 1(s2)
    li t0, 0x03
    sb t0, 3(s2)
    lbu s5, 1(s2)               # IER again, untouched
    mv a1, s3
    CHECKED 0x00000012, "DLL"
    mv a1, s4
    CHECKED 0x00000034, "DLM"
    mv a1, s5
    CHECKED 0x00000000, "IER after DLAB is cleared"

    la a0, 9f
    call say
    .section .rodata
9:  .string "== IIR: FIFOs and the transmitter-empty interrupt =="
    .text
    li t0, 0x07                 # FIFOs on, both cleared
    sb t0, 2(s2)
    lbu s3, 2(s2)
    li t0, 0x02                 # ETBEI: THR is empty, so the interrupt is pending at once
    sb t0, 1(s2)
    lbu s4, 2(s2)
    lbu s5, 2(s2)               # reading IIR while it reports THRE clears it
    sb zero, 1(s2)
    mv a1, s3
    CHECKED 0x000000c1, "IIR with FIFOs on: none pending"
    mv a1, s4
    CHECKED 0x000000c2, "IIR after ETBEI: THR empty"
    mv a1, s5
    CHECKED 0x000000c1, "IIR read again: cleared"
    sb zero, 2(s2)              # FIFOs off
    lbu a1, 2(s2)
    CHECKED 0x00000001, "IIR with FIFOs off"

    la a0, 9f
    call say
    .section .rodata
9:  .string "== loopback (MCR.LOOP) =="
    .text
    li t0, 0x1f                 # LOOP, OUT2, OUT1, RTS, DTR
    sb t0, 4(s2)
    lbu s3, 6(s2)               # MSR: the outputs, looped back
    li t0, 0x13                 # LOOP, RTS, DTR
    sb t0, 4(s2)
    lbu s4, 6(s2)
    li t0, 'Z'
    sb t0, 0(s2)                # THR, looped back to RBR
    lbu s5, 5(s2)
    lbu s6, 0(s2)
    lbu s7, 5(s2)
    sb zero, 4(s2)
    mv a1, s3
    CHECKED 0x000000f0, "MSR with every output set"
    mv a1, s4
    CHECKED 0x00000030, "MSR with RTS and DTR: CTS, DSR"
    andi a1, s5, 1
    CHECKED 0x00000001, "LSR after a byte looped back: data ready (& 0x01)"
    mv a1, s6
    CHECKED 0x0000005a, "RBR: the byte written"
    andi a1, s7, 1
    CHECKED 0x00000000, "LSR after reading it (& 0x01)"
    j finish

# ==========================================================================================
# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
