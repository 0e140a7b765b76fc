# blk.s -- the "blk" workload: a virtio disk (built with VIRTIO=1; the disk is guest.disk()).
# Reads sector 0 and prints the message on it; sums the words of every sector; writes sectors
# 8..11 with a pattern of its own and reads them back; reads past the end (-EIO). Every
# transfer is a system call that costs the kernel one request on the disk's virtqueue: one
# notification (one exit under a hypervisor), however many bytes. The sector buffer is on the
# stack (512 bytes), the program's only memory.

    .equ BLK_SECTORS, 16
    .equ BLK_FIRST_WRITE, 8
    .equ BLK_WRITES, 4

main:
    addi sp, sp, -560
    sw ra, 556(sp)
    sw s0, 552(sp)
    sw s1, 548(sp)
    sw s2, 544(sp)
    sw s3, 540(sp)
    la a0, blk_hello
    call print
    li a0, 0                        # sector 0: the message
    mv a1, sp
    li a7, SYS_BLK_READ
    ecall
    bnez a0, blk_failed
    sb zero, 511(sp)
    mv a0, sp
    call print
    li a0, 0                        # every sector: the sum of its words
    li a1, BLK_SECTORS
    mv a2, sp
    call read_sum
    bnez a0, blk_failed
    mv s1, a1
    la a0, blk_read_all
    li a1, BLK_SECTORS
    la a2, blk_sectors
    call print_line
    la a0, blk_sum
    mv a1, s1
    la a2, empty
    call print_line
    li s0, BLK_FIRST_WRITE          # write: byte i of sector n is (n * 13 + i * 5) & 0xff
    li s3, 0                        # the sum of the words written
2:  li t0, 0
3:  slli t1, s0, 4                  # n * 13 = n * 16 - n * 3
    slli t2, s0, 1
    add t2, t2, s0
    sub t1, t1, t2
    slli t2, t0, 2                  # i * 5
    add t2, t2, t0
    add t1, t1, t2
    add t2, sp, t0
    sb t1, 0(t2)
    addi t0, t0, 1
    li t1, 512
    blt t0, t1, 3b
    mv a0, sp
    call sum_words
    add s3, s3, a0
    mv a0, s0
    mv a1, sp
    li a7, SYS_BLK_WRITE
    ecall
    bnez a0, blk_failed
    addi s0, s0, 1
    li t0, BLK_FIRST_WRITE + BLK_WRITES
    blt s0, t0, 2b
    li a0, BLK_FIRST_WRITE          # read them back
    li a1, BLK_FIRST_WRITE + BLK_WRITES
    mv a2, sp
    call read_sum
    bnez a0, blk_failed
    mv s2, a1
    la a0, blk_written
    mv a1, s3
    la a2, empty
    call print_line
    la a0, blk_back
    mv a1, s2
    la a2, empty
    call print_line
    li a0, BLK_SECTORS              # past the end
    mv a1, sp
    li a7, SYS_BLK_READ
    ecall
    neg a1, a0
    la a0, blk_past
    la a2, blk_eio
    call print_line
    sub a0, s2, s3                  # exit status 0 when the disk gave back what was written
    snez a0, a0
    j 5f
blk_failed:
    neg a1, a0
    la a0, blk_error
    la a2, empty
    call print_line
    li a0, 1
5:  lw ra, 556(sp)
    lw s0, 552(sp)
    lw s1, 548(sp)
    lw s2, 544(sp)
    lw s3, 540(sp)
    addi sp, sp, 560
    ret

# read_sum(a0 = first sector, a1 = the sector after the last, a2 = a 512-byte buffer): read
# each and sum its words: a0 = 0 and a1 = the sum, or a0 = -errno of the read that failed.
read_sum:
    addi sp, sp, -32
    sw ra, 28(sp)
    sw s0, 24(sp)
    sw s1, 20(sp)
    sw s2, 16(sp)
    sw s3, 12(sp)
    mv s0, a0
    mv s1, a1
    mv s2, a2
    li s3, 0
1:  bgeu s0, s1, 2f
    mv a0, s0
    mv a1, s2
    li a7, SYS_BLK_READ
    ecall
    bnez a0, 3f
    mv a0, s2
    call sum_words
    add s3, s3, a0
    addi s0, s0, 1
    j 1b
2:  li a0, 0
3:  mv a1, s3
    lw ra, 28(sp)
    lw s0, 24(sp)
    lw s1, 20(sp)
    lw s2, 16(sp)
    lw s3, 12(sp)
    addi sp, sp, 32
    ret

# sum_words(a0 = 512 bytes): the sum of their 128 words (mod 2^32).
sum_words:
    addi t1, a0, 512
    li t0, 0
1:  lw t2, 0(a0)
    add t0, t0, t2
    addi a0, a0, 4
    bltu a0, t1, 1b
    mv a0, t0
    ret

blk_hello:      .string "blk: pid 1 reads sector 0 of the virtio disk:\n"
blk_read_all:   .string "blk: read "
blk_sectors:    .string " sectors"
blk_sum:        .string "blk: sum of their words: "
blk_written:    .string "blk: wrote sectors 8-11, sum of their words: "
blk_back:       .string "blk: read them back, sum of their words: "
blk_past:       .string "blk: sector 16 is past the end: -"
blk_eio:        .string " (EIO)"
blk_error:      .string "blk: the disk failed: -"
    .balign 4
