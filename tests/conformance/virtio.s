# virtio.s -- virtio-mmio (version 2) on QEMU virt: a virtio-blk disk (virtio.img, 8 sectors)
# in the top slot and a virtio console in the next, as `-drive ... -device virtio-blk-device
# -device virtio-serial-device -device virtconsole` place them (record.py and the tests attach
# both the same way). Probes the eight slots (magic, version, device ID); negotiates
# VIRTIO_F_VERSION_1 and checks the offered features it relies on; sets up one split
# virtqueue of 8 entries; reads sector 0 and prints the message on it; writes sector 1 and
# reads it back; reads past the end (IOERR); asks the disk's ID (QEMU's serial=); waits for
# the first request's interrupt with wfi through the PLIC (source 8 = 1 + slot 7), claims it,
# acknowledges InterruptStatus. Then sends a line through the console's transmit queue, which
# appears on the same standard output as the UART. Every wait polls the used index (QEMU may
# complete a request after the notifying store returns; vmlib completes it during the store).

    .include "start.inc"        # constants, _start: stack, mtvec, PMP

    .equ PLIC, 0x0C000000
    .equ PLIC_ENABLE0, 0x0C002000
    .equ PLIC_THRESHOLD0, 0x0C200000
    .equ PLIC_CLAIM0, 0x0C200004
    .equ VIRTIO0, 0x10001000            # slot n at VIRTIO0 + 0x1000 * n
    .equ BLK, 0x10008000                # slot 7
    .equ CONS, 0x10007000               # slot 6
    .equ MAGIC, 0x000
    .equ VERSION, 0x004
    .equ DEVICE_ID, 0x008
    .equ DEVICE_FEATURES, 0x010
    .equ DEVICE_FEATURES_SEL, 0x014
    .equ DRIVER_FEATURES, 0x020
    .equ DRIVER_FEATURES_SEL, 0x024
    .equ QUEUE_SEL, 0x030
    .equ QUEUE_NUM_MAX, 0x034
    .equ QUEUE_NUM, 0x038
    .equ QUEUE_READY, 0x044
    .equ QUEUE_NOTIFY, 0x050
    .equ INTERRUPT_STATUS, 0x060
    .equ INTERRUPT_ACK, 0x064
    .equ STATUS, 0x070
    .equ QUEUE_DESC, 0x080
    .equ QUEUE_DRIVER, 0x090
    .equ QUEUE_DEVICE, 0x0a0
    .equ CONFIG, 0x100
    .equ S_ACKNOWLEDGE, 1
    .equ S_DRIVER, 2
    .equ S_DRIVER_OK, 4
    .equ S_FEATURES_OK, 8
    .equ QSIZE, 8
    .equ D_NEXT, 1
    .equ D_WRITE, 2
    .equ BLK_IN, 0
    .equ BLK_OUT, 1
    .equ BLK_GET_ID, 8


    .text
    la a0, 9f
    call say
    .section .rodata
9:  .string "virtio: a disk and a console on virtio-mmio"
    .text

# --- the eight slots ------------------------------------------------------------------------
    li s0, VIRTIO0
    li s1, 0                    # sum of magic == "virt" over the slots
    li s2, 0                    # sum of versions
    li s3, 0                    # device IDs, a nibble per slot (slot 7 highest)
    li s4, 0
1:  lw t0, MAGIC(s0)
    li t1, 0x74726976
    bne t0, t1, 2f
    addi s1, s1, 1
2:  lw t0, VERSION(s0)
    add s2, s2, t0
    lw t0, DEVICE_ID(s0)
    slli t1, s4, 2
    sll t0, t0, t1
    or s3, s3, t0
    li t0, 0x1000
    add s0, s0, t0
    addi s4, s4, 1
    li t0, 8
    blt s4, t0, 1b
    mv a1, s1
    CHECKED 8, "slots answering the magic value"
    mv a1, s2
    CHECKED 16, "sum of their versions (2 each)"
    mv a1, s3
    CHECKED 0x23000000, "device IDs (slot 7 first: 2 block and 3 console)"

# --- the disk: negotiate --------------------------------------------------------------------
    li s0, BLK
    sw zero, STATUS(s0)                             # reset
    li t0, S_ACKNOWLEDGE | S_DRIVER
    sw t0, STATUS(s0)
    li t0, 1
    sw t0, DEVICE_FEATURES_SEL(s0)
    lw t0, DEVICE_FEATURES(s0)
    andi a1, t0, 1
    CHECKED 1, "VIRTIO_F_VERSION_1 offered"
    sw zero, DEVICE_FEATURES_SEL(s0)
    lw s1, DEVICE_FEATURES(s0)
    srli a1, s1, 29
    andi a1, a1, 1
    CHECKED 1, "VIRTIO_RING_F_EVENT_IDX offered"
    srli a1, s1, 9
    andi a1, a1, 1
    CHECKED 1, "VIRTIO_BLK_F_FLUSH offered"
    srli a1, s1, 5
    andi a1, a1, 1
    CHECKED 0, "VIRTIO_BLK_F_RO not offered"
    call accept_version_1
    CHECKED 0xb, "status after FEATURES_OK"
    lw a1, CONFIG(s0)
    CHECKED 8, "capacity in sectors (low word)"
    lw a1, CONFIG+4(s0)
    CHECKED 0, "capacity in sectors (high word)"

# --- the disk: one queue --------------------------------------------------------------------
    sw zero, QUEUE_SEL(s0)
    lw a1, QUEUE_NUM_MAX(s0)
    sltiu a1, a1, QSIZE
    CHECKED 0, "QueueNumMax below 8"
    lw a1, QUEUE_READY(s0)
    CHECKED 0, "queue not ready yet"
    mv a0, s0
    la a1, blk_queue
    call setup_queue
    li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK
    sw t0, STATUS(s0)
    lw a1, QUEUE_READY(s0)
    CHECKED 1, "queue ready"

# --- the interrupt: PLIC source 8 to hart 0 M-mode, taken by polling after wfi ---------------
    li t0, PLIC
    li t1, 1
    sw t1, 4*8(t0)                  # priority of source 8
    li t0, PLIC_ENABLE0
    li t1, 1 << 8
    sw t1, 0(t0)
    li t0, PLIC_THRESHOLD0
    sw zero, 0(t0)
    li t0, 1 << 11                  # mie.MEIE (mstatus.MIE stays clear: no trap, wfi wakes)
    csrw mie, t0

# --- read sector 0 ---------------------------------------------------------------------------
    li a0, BLK_IN
    li a1, 0
    la a2, sector_a
    li a3, 512
    li a4, D_WRITE
    call blk_request
    mv s5, a0
    mv s6, a1
1:  wfi
    li t0, PLIC_CLAIM0
    lw s7, 0(t0)
    beqz s7, 1b
    lw s8, INTERRUPT_STATUS(s0)
    sw s8, INTERRUPT_ACK(s0)
    li t0, PLIC_CLAIM0
    sw s7, 0(t0)                    # complete
    mv a1, s5
    CHECKED 0, "read sector 0: status"
    mv a1, s6
    CHECKED 513, "read sector 0: used length (512 + status)"
    mv a1, s7
    CHECKED 8, "PLIC claim after the interrupt"
    mv a1, s8
    CHECKED 1, "InterruptStatus (used buffer)"
    lw a1, INTERRUPT_STATUS(s0)
    CHECKED 0, "InterruptStatus after the acknowledgement"
    la a0, sector_a
    call puts                       # the message on the disk (it ends with a newline)

# --- write sector 1, read it back ------------------------------------------------------------
    la t0, sector_b
    li t1, 0
1:  slli t2, t1, 1
    add t2, t2, t1                  # byte i = 3 * i
    add t3, t0, t1
    sb t2, 0(t3)
    addi t1, t1, 1
    li t2, 512
    blt t1, t2, 1b
    li a0, BLK_OUT
    li a1, 1
    la a2, sector_b
    li a3, 512
    li a4, 0
    call blk_request
    mv s5, a0
    mv s6, a1
    mv a1, s5
    CHECKED 0, "write sector 1: status"
    mv a1, s6
    CHECKED 1, "write sector 1: used length (status)"
    li a0, BLK_IN
    li a1, 1
    la a2, sector_a
    li a3, 512
    li a4, D_WRITE
    call blk_request
    mv a1, a0
    CHECKED 0, "read sector 1 back: status"
    la t0, sector_a
    li t1, 0
    li s1, 0
1:  add t2, t0, t1
    lw t3, 0(t2)
    add s1, s1, t3
    addi t1, t1, 4
    li t2, 512
    blt t1, t2, 1b
    mv a1, s1
    CHECKED 0xc040bf00, "sum of sector 1's words"
    la t0, sector_a
    lw a1, 0(t0)
    CHECKED 0x09060300, "its first word"

# --- past the end, and the disk's name ---------------------------------------------------------
    li a0, BLK_IN
    li a1, 8
    la a2, sector_a
    li a3, 512
    li a4, D_WRITE
    call blk_request
    mv s5, a0
    mv s6, a1
    mv a1, s5
    CHECKED 1, "read sector 8 (past the end): status IOERR"
    mv a1, s6
    CHECKED 513, "its used length (the buffers' 513 bytes)"
    li a0, BLK_GET_ID
    li a1, 0
    la a2, disk_id
    li a3, 20
    li a4, D_WRITE
    call blk_request
    mv s5, a0
    mv s6, a1
    mv a1, s5
    CHECKED 0, "GET_ID: status"
    mv a1, s6
    CHECKED 21, "GET_ID: used length (20 + status)"
    la a0, disk_id
    call say

# --- the console: transmit a line -------------------------------------------------------------
    li s0, CONS
    sw zero, STATUS(s0)
    li t0, S_ACKNOWLEDGE | S_DRIVER
    sw t0, STATUS(s0)
    call accept_version_1
    CHECKED 0xb, "console status after FEATURES_OK"
    li t0, 1
    sw t0, QUEUE_SEL(s0)            # queue 1: transmit (port 0)
    mv a0, s0
    la a1, cons_queue
    call setup_queue
    li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK
    sw t0, STATUS(s0)
    la t0, cons_queue
    la t1, cons_line
    sw t1, 0(t0)                    # descriptor 0: the line, device-readable
    sw zero, 4(t0)
    la t1, cons_line_end
    la t2, cons_line
    sub t1, t1, t2
    sw t1, 8(t0)
    sw zero, 12(t0)
    sh zero, 128+4(t0)              # avail.ring[0] = 0
    li t1, 1
    fence w, w
    sh t1, 128+2(t0)                # avail.idx = 1
    fence w, o
    li t1, 1
    sw t1, QUEUE_NOTIFY(s0)
1:  fence i, r
    lhu t1, 256+2(t0)               # used.idx
    beqz t1, 1b
    mv a1, t1
    CHECKED 1, "console: the line came back used"
    j finish

# accept_version_1 (device in s0): accept VIRTIO_F_VERSION_1 alone, set FEATURES_OK, and read the
# status back into a1 (the device clears FEATURES_OK if it refuses).
accept_version_1:
    li t0, 1
    sw t0, DRIVER_FEATURES_SEL(s0)
    sw t0, DRIVER_FEATURES(s0)                      # VERSION_1
    sw zero, DRIVER_FEATURES_SEL(s0)
    sw zero, DRIVER_FEATURES(s0)
    li t0, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK
    sw t0, STATUS(s0)
    lw a1, STATUS(s0)
    ret

# setup_queue(a0 = device, a1 = 4 KiB area): QueueNum 8; descriptors at +0, available ring at
# +128, used ring at +256; QueueReady. (The area is zero: both indices start at 0.)
setup_queue:
    li t0, QSIZE
    sw t0, QUEUE_NUM(a0)
    sw a1, QUEUE_DESC(a0)
    sw zero, QUEUE_DESC+4(a0)
    addi t0, a1, 128
    sw t0, QUEUE_DRIVER(a0)
    sw zero, QUEUE_DRIVER+4(a0)
    addi t0, a1, 256
    sw t0, QUEUE_DEVICE(a0)
    sw zero, QUEUE_DEVICE+4(a0)
    li t0, 1
    sw t0, QUEUE_READY(a0)
    ret

# blk_request(a0 = type, a1 = sector, a2 = data, a3 = its length, a4 = D_WRITE if the device
# writes it): a three-descriptor chain (header, data, status) in descriptors 0-2, made
# available and notified; waits for the used index to move. Returns a0 = status byte,
# a1 = the length the device reported.
blk_request:
    la t0, blk_header
    sw a0, 0(t0)
    sw zero, 4(t0)
    sw a1, 8(t0)
    sw zero, 12(t0)
    la t1, blk_queue
    sw t0, 0(t1)                    # descriptor 0: the header
    sw zero, 4(t1)
    li t2, 16
    sw t2, 8(t1)
    li t2, D_NEXT | (1 << 16)       # flags NEXT, next = 1
    sw t2, 12(t1)
    sw a2, 16(t1)                   # descriptor 1: the data
    sw zero, 20(t1)
    sw a3, 24(t1)
    ori t2, a4, D_NEXT
    li t3, 2 << 16                  # next = 2
    or t2, t2, t3
    sw t2, 28(t1)
    la t0, blk_status
    li t2, 0xff
    sb t2, 0(t0)
    sw t0, 32(t1)                   # descriptor 2: the status byte, device-writable
    sw zero, 36(t1)
    li t2, 1
    sw t2, 40(t1)
    li t2, D_WRITE
    sw t2, 44(t1)
    lhu t2, 128+2(t1)               # avail.idx
    andi t3, t2, QSIZE - 1
    slli t3, t3, 1
    add t3, t3, t1
    sh zero, 128+4(t3)              # avail.ring[idx % 8] = 0 (the head)
    addi t2, t2, 1
    fence w, w
    sh t2, 128+2(t1)
    fence w, o
    li t3, BLK
    sw zero, QUEUE_NOTIFY(t3)
1:  fence i, r
    lhu t3, 256+2(t1)               # used.idx
    bne t3, t2, 1b
    addi t3, t3, -1
    andi t3, t3, QSIZE - 1
    slli t3, t3, 3
    add t3, t3, t1
    lw a1, 256+4+4(t3)              # used.ring[..].len
    lbu a0, 0(t0)
    ret

    .data
cons_line:  .ascii "virtio console: a line through the transmit queue\n"
cons_line_end:

    .bss
    .balign 4096
blk_queue:  .space 4096
cons_queue: .space 4096
blk_header: .space 16
blk_status: .space 4
sector_a:   .space 512
sector_b:   .space 512
disk_id:    .space 24

# The common tail: trap handlers, printing, checking, the verdict (common.inc).
    .include "common.inc"
