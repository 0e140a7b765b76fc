# virtio.s -- the kernel's virtio drivers, built in when VIRTIO is 1 (as Linux builds
# CONFIG_VIRTIO_BLK in): a disk and a console on virtio-mmio, QEMU virt's eight slots at
# 0x10001000 + 0x1000 * n. The kernel maps them with the UART's megapage (U = 0).
#
# virtio_probe looks at every slot, the top one first -- QEMU fills them from the top, and a
# driver cannot know which are used -- and sets up the first disk and the first console:
# reset, ACKNOWLEDGE + DRIVER, only VIRTIO_F_VERSION_1 (no event index: this driver polls, and
# says so: NO_INTERRUPT in its available ring), FEATURES_OK read back, one split virtqueue of
# VQ_SIZE entries in a zeroed page (descriptors at +0, available ring at +128, used ring at
# +256), DRIVER_OK.
#
# A request is one descriptor chain made available, one notification (a store to
# QueueNotify: on a hypervisor, one exit), and a wait until the used index moves: the device
# may finish later (QEMU) or during the store (vmlib). No interrupts: the kernel runs with
# interrupts off and every request is synchronous, so the chain can always start at
# descriptor 0.
#
# With a console, write(1|2, ...) sends each chunk of up to KBUF_SIZE bytes as one buffer (one
# notification) where the SBI console costs a call per byte. Two system calls reach the disk:
#   blk_read(sector, buf)  -> 0 | -EIO | -EFAULT | -ENODEV   (512 bytes into buf)
#   blk_write(sector, buf) -> 0 | -EIO | -EFAULT | -ENODEV   (512 bytes from buf)

    .equ SYS_BLK_READ, 1004         # (defined in every build: without the drivers, -ENOSYS)
    .equ SYS_BLK_WRITE, 1005        # (see the top of this file)
    .equ EIO, 5
    .equ ENODEV, 19

    .if VIRTIO
    .equ VIRTIO_TOP_SLOT, 0x10008000
    .equ VIRTIO_SLOTS, 8
    .equ VQ_SIZE, 8
    .equ VQ_AVAIL, 128
    .equ VQ_USED, 256
    .equ VQ_NO_INTERRUPT, 1         # the available ring's flag: the driver wants no interrupts
    .equ VIO_MAGIC, 0x000
    .equ VIO_VERSION, 0x004
    .equ VIO_DEVICE_ID, 0x008
    .equ VIO_DRIVER_FEATURES, 0x020
    .equ VIO_DRIVER_FEATURES_SEL, 0x024
    .equ VIO_QUEUE_SEL, 0x030
    .equ VIO_QUEUE_NUM_MAX, 0x034
    .equ VIO_QUEUE_NUM, 0x038
    .equ VIO_QUEUE_READY, 0x044
    .equ VIO_QUEUE_NOTIFY, 0x050
    .equ VIO_STATUS, 0x070
    .equ VIO_QUEUE_DESC, 0x080
    .equ VIO_QUEUE_DRIVER, 0x090
    .equ VIO_QUEUE_DEVICE, 0x0a0
    .equ VIO_CONFIG, 0x100
    .equ VIO_S_ACKNOWLEDGE, 1
    .equ VIO_S_DRIVER, 2
    .equ VIO_S_DRIVER_OK, 4
    .equ VIO_S_FEATURES_OK, 8
    .equ VIO_S_FAILED, 128
    .equ VIO_ID_BLOCK, 2
    .equ VIO_ID_CONSOLE, 3
    .equ VD_NEXT, 1
    .equ VD_WRITE, 2
    .equ VBLK_IN, 0
    .equ VBLK_OUT, 1
    .equ SECTOR, 512

    .text
# virtio_probe: find and set up the disk and the console (see above); print what was found.
virtio_probe:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    li s0, VIRTIO_TOP_SLOT
    li s1, VIRTIO_SLOTS
1:  lw t0, VIO_MAGIC(s0)
    li t1, 0x74726976               # "virt"
    bne t0, t1, 4f
    lw t0, VIO_VERSION(s0)
    li t1, 2
    bne t0, t1, 4f
    lw t0, VIO_DEVICE_ID(s0)
    li t1, VIO_ID_BLOCK
    bne t0, t1, 2f
    la t0, blk_base
    lw t0, 0(t0)
    bnez t0, 4f                     # one disk is enough
    mv a0, s0
    la a1, blk_vq
    li a2, 0                        # the request queue
    call virtio_setup
    bnez a0, 4f
    la t0, blk_base
    sw s0, 0(t0)
    la a0, msg_vblk
    call kputs
    mv a0, s0
    call kputhex
    la a0, msg_vsectors
    call kputs
    lw a0, VIO_CONFIG(s0)           # capacity, in sectors (the low word)
    call kputdec
    li a0, '\n'
    call kputc
    j 4f
2:  li t1, VIO_ID_CONSOLE
    bne t0, t1, 4f
    la t0, cons_base
    lw t0, 0(t0)
    bnez t0, 4f
    mv a0, s0
    la a1, cons_vq
    li a2, 1                        # port 0's transmit queue
    call virtio_setup
    bnez a0, 4f
    la t0, cons_base
    sw s0, 0(t0)
    la a0, msg_vcons
    call kputs
    mv a0, s0
    call kputhex
    li a0, '\n'
    call kputc
4:  li t0, 0x1000
    sub s0, s0, t0
    addi s1, s1, -1
    bnez s1, 1b
    lw ra, 12(sp)
    lw s0, 8(sp)
    lw s1, 4(sp)
    addi sp, sp, 16
    ret

# virtio_setup(a0 = slot, a1 = zeroed queue page, a2 = queue index) -> a0 = 0, or -1 when the
# device refused (its status then says FAILED).
virtio_setup:
    sw zero, VIO_STATUS(a0)         # reset
    li t0, VIO_S_ACKNOWLEDGE | VIO_S_DRIVER
    sw t0, VIO_STATUS(a0)
    li t1, 1
    sw t1, VIO_DRIVER_FEATURES_SEL(a0)
    sw t1, VIO_DRIVER_FEATURES(a0)  # bit 32: VIRTIO_F_VERSION_1
    sw zero, VIO_DRIVER_FEATURES_SEL(a0)
    sw zero, VIO_DRIVER_FEATURES(a0)
    ori t0, t0, VIO_S_FEATURES_OK
    sw t0, VIO_STATUS(a0)
    lw t1, VIO_STATUS(a0)
    andi t1, t1, VIO_S_FEATURES_OK
    beqz t1, 1f
    sw a2, VIO_QUEUE_SEL(a0)
    lw t1, VIO_QUEUE_NUM_MAX(a0)
    li t2, VQ_SIZE
    bltu t1, t2, 1f
    sw t2, VIO_QUEUE_NUM(a0)
    sw a1, VIO_QUEUE_DESC(a0)       # (kernel addresses are physical: RAM is identity-mapped)
    sw zero, VIO_QUEUE_DESC+4(a0)
    addi t1, a1, VQ_AVAIL
    sw t1, VIO_QUEUE_DRIVER(a0)
    sw zero, VIO_QUEUE_DRIVER+4(a0)
    addi t1, a1, VQ_USED
    sw t1, VIO_QUEUE_DEVICE(a0)
    sw zero, VIO_QUEUE_DEVICE+4(a0)
    li t1, VQ_NO_INTERRUPT          # it polls: no interrupts, please (avail.flags)
    sh t1, VQ_AVAIL(a1)
    li t1, 1
    sw t1, VIO_QUEUE_READY(a0)
    ori t0, t0, VIO_S_DRIVER_OK
    sw t0, VIO_STATUS(a0)
    li a0, 0
    ret
1:  li t0, VIO_S_FAILED
    sw t0, VIO_STATUS(a0)
    li a0, -1
    ret

# virtq_submit(a0 = slot, a1 = queue page, a2 = queue index): make the chain at descriptor 0
# available, notify the device, wait until it is used. Returns a0 = the length the device
# reported.
virtq_submit:
    lhu t0, VQ_AVAIL+2(a1)          # avail.idx
    andi t1, t0, VQ_SIZE - 1
    slli t1, t1, 1
    add t1, t1, a1
    sh zero, VQ_AVAIL+4(t1)         # avail.ring[idx % VQ_SIZE] = head 0
    addi t0, t0, 1
    slli t0, t0, 16
    srli t0, t0, 16
    fence w, w                      # the chain before the index
    sh t0, VQ_AVAIL+2(a1)
    fence w, o                      # the index before the notification
    .if PV                          # pv: an event channel, not a store to the device
    mv t3, a1
    mv a1, a2
    hypercall PV_NOTIFY
    mv a1, t3
    .else
    sw a2, VIO_QUEUE_NOTIFY(a0)
    .endif
1:  fence r, r
    lhu t1, VQ_USED+2(a1)           # used.idx
    bne t1, t0, 1b
    addi t1, t1, -1
    andi t1, t1, VQ_SIZE - 1
    slli t1, t1, 3
    add t1, t1, a1
    lw a0, VQ_USED+8(t1)            # used.ring[..].len
    ret

# virtq_desc(a0 = queue page, a1 = index, a2 = address, a3 = length, a4 = flags | next << 16)
virtq_desc:
    slli t0, a1, 4
    add t0, t0, a0
    sw a2, 0(t0)
    sw zero, 4(t0)
    sw a3, 8(t0)
    sw a4, 12(t0)
    ret

# virtio_write_chunk: called by write_chunks with kbuf holding s6 bytes to print through s4.
# If s4 is the SBI console and there is a virtio console, send the chunk there as one buffer:
# a0 = 1. Otherwise a0 = 0 (print it byte by byte as without virtio).
virtio_write_chunk:
    la t0, kputc_sbi
    bne s4, t0, 1f
    la t0, cons_base
    lw t0, 0(t0)
    beqz t0, 1f
    addi sp, sp, -16
    sw ra, 12(sp)
    sw t0, 8(sp)
    la a0, cons_vq
    li a1, 0
    la a2, kbuf
    mv a3, s6
    li a4, 0                        # device-readable, the chain's only buffer
    call virtq_desc
    lw a0, 8(sp)
    la a1, cons_vq
    li a2, 1
    call virtq_submit
    lw ra, 12(sp)
    addi sp, sp, 16
    li a0, 1
    ret
1:  li a0, 0
    ret

# blk_request(a0 = VBLK_IN or VBLK_OUT, a1 = sector): one request on the kernel's sector
# buffer vsector: a0 = 0, -EIO (the disk's status) or -ENODEV (no disk).
blk_request:
    la t0, blk_base
    lw t0, 0(t0)
    bnez t0, 1f
    li a0, -ENODEV
    ret
1:  addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    sw t0, 0(sp)
    mv s0, a0
    la t1, vblk_header
    sw a0, 0(t1)                    # type
    sw zero, 4(t1)
    sw a1, 8(t1)                    # sector (64 bits)
    sw zero, 12(t1)
    la t1, vblk_status
    li t2, 0xff
    sb t2, 0(t1)
    la a0, blk_vq
    li a1, 0
    la a2, vblk_header
    li a3, 16
    li a4, VD_NEXT | (1 << 16)
    call virtq_desc
    la a0, blk_vq
    li a1, 1
    la a2, vsector
    li a3, SECTOR
    li a4, VD_NEXT | (2 << 16)
    bnez s0, 2f                     # a read: the device writes the data
    ori a4, a4, VD_WRITE
2:  call virtq_desc
    la a0, blk_vq
    li a1, 2
    la a2, vblk_status
    li a3, 1
    li a4, VD_WRITE
    call virtq_desc
    lw a0, 0(sp)
    la a1, blk_vq
    li a2, 0
    call virtq_submit
    la t1, vblk_status
    lbu t1, 0(t1)
    li a0, 0
    beqz t1, 3f
    li a0, -EIO
3:  lw ra, 12(sp)
    lw s0, 8(sp)
    lw s1, 4(sp)
    addi sp, sp, 16
    ret

# blk_read(sector, buf): the sector into vsector, then out to the process.
sys_blk_read:
    mv s2, a1
    mv a1, a0
    li a0, VBLK_IN
    call blk_request
    bnez a0, sys_return
    mv a0, s2
    la a1, vsector
    li a2, SECTOR
    call copy_to_user
    j sys_return

# blk_write(sector, buf): the process's 512 bytes into vsector, then to the disk.
sys_blk_write:
    mv s2, a0
    la a0, vsector
    li a2, SECTOR
    call copy_from_user
    bnez a0, sys_return
    li a0, VBLK_OUT
    mv a1, s2
    call blk_request
    j sys_return

# copy_to_user(a0 = user destination, a1 = kernel source, a2 = length) -> 0 | -EFAULT. The
# destination must be mapped, writable and the process's own, page by page (checked in its
# page table first, so the copy itself cannot fault: a page not touched yet is refused too).
copy_to_user:
    add t0, a0, a2
    bltu t0, a0, efault
    li t1, USER_TOP
    bgtu t0, t1, efault
    li t1, USER_VA
    bltu a0, t1, efault
    beqz a2, 3f
    addi sp, sp, -16
    sw ra, 12(sp)
    sw a0, 8(sp)
    sw a1, 4(sp)
    sw a2, 0(sp)
    srli t3, a0, 12                 # each page from the first to the last byte's
    addi t4, t0, -1
    srli t4, t4, 12
1:  slli a0, t3, 12
    call user_pte_address
    lw t0, 0(a0)
    li t1, PTE_V | PTE_W | PTE_U
    and t2, t0, t1
    bne t2, t1, 4f
    addi t3, t3, 1
    bleu t3, t4, 1b
    lw a0, 8(sp)
    lw a1, 4(sp)
    lw a2, 0(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
    .ifeq PV                        # (pv: SUM stays on)
    li t1, SSTATUS_SUM
    csrs sstatus, t1                # open: S-mode may access U pages
    .endif
2:  lbu t2, 0(a1)
    sb t2, 0(a0)
    addi a0, a0, 1
    addi a1, a1, 1
    addi a2, a2, -1
    bnez a2, 2b
    .ifeq PV
    csrc sstatus, t1                # closed
    .endif
3:  li a0, 0
    ret
4:  lw ra, 12(sp)
    addi sp, sp, 16
    j efault

msg_vblk:   .string "virtio: disk at "
msg_vsectors: .string ", sectors: "
msg_vcons:  .string "virtio: console at "

    .data
    .balign 4
blk_base:   .word 0                 # the disk's slot, 0: none
cons_base:  .word 0                 # the console's slot, 0: none

    .bss
    .balign 4096
blk_vq:     .space 4096
cons_vq:    .space 4096
vsector:    .space SECTOR
vblk_header: .space 16
vblk_status: .space 4

    .endif
