"""The process VM (``vmlib.procvm``): hand-written RV32 programs that make raw Linux system calls.

Each program is assembled with vmlib's assembler at 0x10000 and run in-process through the
notebook API (``ProcessVM(..., capture=True)``). ``test_procvm_cli.py`` drives the command line,
``test_procvm_qemu.py`` runs the same programs under ``qemu-riscv32`` and compares, and
``test_procvm_fuzz.py`` throws damaged ELFs and random system calls at it.

The programs live in ``PROGRAMS`` (imported by the other test files).
"""

import os
import struct

import pytest

from vmlib.asm import assemble
from vmlib.procvm import ProcessVM, run_program, SyscallRecord, ElfError
from vmlib.procvm.memory import STACK_TOP

PRELUDE = """
    .equ SYS_openat, 56
    .equ SYS_close, 57
    .equ SYS_llseek, 62
    .equ SYS_read, 63
    .equ SYS_write, 64
    .equ SYS_readv, 65
    .equ SYS_writev, 66
    .equ SYS_exit, 93
    .equ SYS_exit_group, 94
    .equ SYS_uname, 160
    .equ SYS_brk, 214
    .equ SYS_munmap, 215
    .equ SYS_mmap2, 222
    .equ SYS_mprotect, 226
    .equ SYS_getrandom, 278
    .equ SYS_clock_gettime64, 403
    .equ AT_FDCWD, -100
    .globl _start
"""

# subroutines some programs call (appended after their code)
LIBRARY = """
# puts_nl(a0: a NUL-terminated string): write it and a newline to stdout
puts_nl:
    mv t0, a0
1:  lbu t1, 0(t0)
    beqz t1, 2f
    addi t0, t0, 1
    j 1b
2:  sub a2, t0, a0
    mv a1, a0
    li a0, 1
    li a7, SYS_write
    ecall
    li a0, 1
    la a1, newline
    li a2, 1
    li a7, SYS_write
    ecall
    ret
newline: .byte 10
"""

PROGRAMS = {
    'hello': """
_start:
    li a0, 1
    la a1, msg
    li a2, 14
    li a7, SYS_write
    ecall
    li a0, 0
    li a7, SYS_exit
    ecall
msg: .ascii "hello, world!\\n"
""",
    # cat: stdin to stdout through a 64-byte buffer on the stack
    'cat': """
_start:
    addi sp, sp, -64
1:  li a0, 0
    mv a1, sp
    li a2, 64
    li a7, SYS_read
    ecall
    blez a0, 2f
    mv a2, a0
    li a0, 1
    mv a1, sp
    li a7, SYS_write
    ecall
    j 1b
2:  neg a0, a0
    li a7, SYS_exit_group
    ecall
""",
    # the initial stack, checked by the program: prints argv and envp, one per line, and
    # exits with the number of rules broken
    'stack': """
_start:
    mv s0, sp
    li s11, 0
    andi t0, s0, 15
    beqz t0, 1f
    addi s11, s11, 1                # sp is not 16-byte aligned
1:  lw s1, 0(s0)                    # argc
    addi s2, s0, 4                  # argv
    li s3, 0
2:  bge s3, s1, 3f
    slli t0, s3, 2
    add t0, s2, t0
    lw a0, 0(t0)
    call puts_nl
    addi s3, s3, 1
    j 2b
3:  slli t0, s1, 2
    add s4, s2, t0                  # &argv[argc]
    lw t0, 0(s4)
    beqz t0, 4f
    addi s11, s11, 1                # argv is not NULL-terminated
4:  addi s4, s4, 4                  # envp
5:  lw a0, 0(s4)
    beqz a0, 6f
    call puts_nl
    addi s4, s4, 4
    j 5b
6:  addi s5, s4, 4                  # auxv: (key, value) pairs up to AT_NULL
    li s6, 0                        # a bit for every key below 32 seen
7:  lw t0, 0(s5)
    lw t1, 4(s5)
    beqz t0, 20f
    li t2, 6                        # AT_PAGESZ is 4096
    bne t0, t2, 8f
    li t3, 4096
    beq t1, t3, 10f
    addi s11, s11, 1
    j 10f
8:  li t2, 9                        # AT_ENTRY is _start
    bne t0, t2, 9f
    la t3, _start
    beq t1, t3, 10f
    addi s11, s11, 1
    j 10f
9:  li t2, 25                       # AT_RANDOM points above sp, at readable bytes
    bne t0, t2, 10f
    lw t3, 12(t1)
    bgtu t1, s0, 10f
    addi s11, s11, 1
10: li t2, 32
    bgeu t0, t2, 11f
    li t3, 1
    sll t3, t3, t0
    or s6, s6, t3
11: addi s5, s5, 8
    j 7b
20: li t0, (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 9) | (1 << 25)
    and t1, s6, t0
    beq t1, t0, 21f
    addi s11, s11, 1                # AT_PHDR AT_PHENT AT_PHNUM AT_PAGESZ AT_ENTRY AT_RANDOM
21: mv a0, s11
    li a7, SYS_exit
    ecall
""" + LIBRARY,
    # brk: grow by 100000 bytes, use the last byte, shrink back; with an argument, touch the
    # heap after shrinking (SIGSEGV). Exit status: the number of checks that failed.
    'brk': """
_start:
    li s11, 0
    li a0, 0
    li a7, SYS_brk
    ecall
    mv s0, a0                       # the initial break
    la t0, _start
    bgtu s0, t0, 1f
    addi s11, s11, 1
1:  li t0, 100000
    add s1, s0, t0
    mv a0, s1
    li a7, SYS_brk
    ecall
    beq a0, s1, 2f
    addi s11, s11, 1
2:  li t0, 0x5a
    sb t0, -1(s1)
    sw t0, 0(s0)
    lbu t1, -1(s1)
    beq t1, t0, 3f
    addi s11, s11, 1
3:  mv a0, s0
    li a7, SYS_brk
    ecall
    beq a0, s0, 4f
    addi s11, s11, 1
4:  li a0, 1                        # below the start: the break stays where it is
    li a7, SYS_brk
    ecall
    beq a0, s0, 5f
    addi s11, s11, 1
5:  lw t0, 0(sp)
    li t1, 1
    beq t0, t1, 6f
    li t0, 4096
    add t0, s0, t0
    sw zero, 0(t0)                  # the heap is gone: SIGSEGV
6:  mv a0, s11
    li a7, SYS_exit
    ecall
""",
    # mmap2 three pages, unmap the middle one, make the first read-only. With one argument,
    # store to the read-only page; with two, load from the unmapped one (both SIGSEGV).
    'mmap': """
_start:
    li s11, 0
    li a0, 0
    li a1, 3 * 4096
    li a2, 3                        # PROT_READ | PROT_WRITE
    li a3, 0x22                     # MAP_PRIVATE | MAP_ANONYMOUS
    li a4, -1
    li a5, 0
    li a7, SYS_mmap2
    ecall
    mv s0, a0
    li t0, -4096
    bltu s0, t0, 1f
    addi s11, s11, 1
1:  andi t0, s0, 0xff
    beqz t0, 2f
    addi s11, s11, 1
2:  li t0, 3 * 4096 - 4
    add s1, s0, t0                  # the last word
    lw t1, 0(s1)                    # fresh memory is zero
    beqz t1, 3f
    addi s11, s11, 1
3:  li t1, 1234
    sw t1, 0(s1)
    sw t1, 0(s0)
    li t0, 4096
    add a0, s0, t0
    li a1, 4096
    li a7, SYS_munmap
    ecall
    beqz a0, 4f
    addi s11, s11, 1
4:  mv a0, s0
    li a1, 4096
    li a2, 1                        # PROT_READ
    li a7, SYS_mprotect
    ecall
    beqz a0, 5f
    addi s11, s11, 1
5:  lw t1, 0(s0)                    # still readable
    lw t2, 0(s1)                    # the third page is still there
    bne t1, t2, 6f
    li t0, 1234
    beq t1, t0, 7f
6:  addi s11, s11, 1
7:  lw t0, 0(sp)                    # argc
    li t1, 2
    blt t0, t1, 9f
    bgt t0, t1, 8f
    sw zero, 0(s0)                  # one argument: store to the read-only page
8:  li t0, 4096
    add t0, s0, t0
    lw zero, 0(t0)                  # two: load from the unmapped page
9:  mv a0, s11
    li a7, SYS_exit
    ecall
""",
    # files: create data.txt in the root, write, reopen, _llseek to 5, read, print
    'files': """
_start:
    addi sp, sp, -64
    li a0, AT_FDCWD
    la a1, name
    li a2, 0x241                    # O_WRONLY | O_CREAT | O_TRUNC
    li a3, 0644
    li a7, SYS_openat
    ecall
    bltz a0, fail
    mv s0, a0
    la a1, text
    li a2, 10
    li a7, SYS_write
    ecall
    li t0, 10
    bne a0, t0, fail
    mv a0, s0
    li a7, SYS_close
    ecall
    bnez a0, fail
    li a0, AT_FDCWD
    la a1, name
    li a2, 0                        # O_RDONLY
    li a7, SYS_openat
    ecall
    bltz a0, fail
    mv s0, a0
    li a1, 0                        # offset, high word
    li a2, 5                        # offset, low word
    addi a3, sp, 48                 # loff_t *result
    li a4, 0                        # SEEK_SET
    li a7, SYS_llseek
    ecall
    bnez a0, fail
    lw t0, 48(sp)
    li t1, 5
    bne t0, t1, fail
    mv a0, s0
    mv a1, sp
    li a2, 32
    li a7, SYS_read
    ecall
    mv a2, a0
    li a0, 1
    mv a1, sp
    li a7, SYS_write
    ecall
    mv a0, s0
    li a7, SYS_close
    ecall
    li a0, 0
    li a7, SYS_exit
    ecall
fail:
    li a0, 100
    li a7, SYS_exit
    ecall
name: .asciz "data.txt"
text: .ascii "some data\\n"
""",
    # open argv[1]: exit with the errno if that fails, else print up to 64 bytes of it
    'open': """
_start:
    lw a1, 8(sp)                    # argv[1]
    li a0, AT_FDCWD
    li a2, 0
    li a7, SYS_openat
    ecall
    bgez a0, 1f
    neg a0, a0
    li a7, SYS_exit
    ecall
1:  addi sp, sp, -64
    mv a1, sp
    li a2, 64
    li a7, SYS_read
    ecall
    mv a2, a0
    li a0, 1
    mv a1, sp
    li a7, SYS_write
    ecall
    li a0, 0
    li a7, SYS_exit
    ecall
""",
    # a system call Linux does not have, twice; exit with the errno of the first
    'enosys': """
_start:
    li a7, 500
    ecall
    mv s0, a0
    li a7, 500
    ecall
    neg a0, s0
    li a7, SYS_exit
    ecall
""",
    'segv': """
_start:
    li a0, 1
crash:
    sw a0, 0(zero)
""",
    'load_segv': """
_start:
    li t0, 0x12345678
crash:
    lw a0, 0(t0)
""",
    'jump_segv': """
_start:
    li t0, 0x40000000
crash:
    jr t0
""",
    'store_to_text': """
_start:
    la t0, _start
crash:
    sw zero, 0(t0)
""",
    'illegal': """
_start:
    nop
crash:
    .word 0
""",
    'privileged': """
_start:
    nop
crash:
    csrw mstatus, zero
""",
    'misaligned_amo': """
_start:
    addi t0, sp, -7
crash:
    amoadd.w a0, a1, (t0)
""",
    'ebreak': """
_start:
crash:
    ebreak
""",
    'spin': """
_start:
1:  addi t0, t0, 1
    j 1b
""",
    # count to 10000, then exit 0: resumable in slices
    'count': """
_start:
    li t0, 10000
1:  addi t0, t0, -1
    bnez t0, 1b
    li a0, 0
    li a7, SYS_exit
    ecall
""",
    # 16 bytes from getrandom, then the 16 bytes AT_RANDOM points at
    'random': """
_start:
    mv s0, sp
    addi sp, sp, -32
    mv a0, sp
    li a1, 16
    li a2, 0
    li a7, SYS_getrandom
    ecall
    li t0, 16
    bne a0, t0, 9f
    li a0, 1
    mv a1, sp
    li a2, 16
    li a7, SYS_write
    ecall
    lw t0, 0(s0)                    # argc
    addi t0, t0, 2
    slli t0, t0, 2
    add t0, s0, t0                  # envp
1:  lw t1, 0(t0)
    addi t0, t0, 4
    bnez t1, 1b
2:  lw t1, 0(t0)                    # auxv
    lw a1, 4(t0)
    addi t0, t0, 8
    li t2, 25
    bne t1, t2, 2b
    li a0, 1
    li a2, 16
    li a7, SYS_write
    ecall
    li a0, 0
9:  li a7, SYS_exit
    ecall
""",
    # CLOCK_MONOTONIC, a loop of 3 x 1000 instructions, CLOCK_MONOTONIC again; print both
    'clock': """
_start:
    addi sp, sp, -32
    li a0, 1
    mv a1, sp
    li a7, SYS_clock_gettime64
    ecall
    li t0, 1000
1:  addi t0, t0, -1
    nop
    bnez t0, 1b
    li a0, 1
    addi a1, sp, 16
    li a7, SYS_clock_gettime64
    ecall
    li a0, 1
    mv a1, sp
    li a2, 32
    li a7, SYS_write
    ecall
    li a0, 0
    li a7, SYS_exit
    ecall
""",
    # touch 16 pages below the stack pointer: demand paging
    'touch': """
_start:
    li t0, 16
    li t1, 4096
    mv t2, sp
1:  sub t2, t2, t1
    sw t0, 0(t2)
    addi t0, t0, -1
    bnez t0, 1b
    li a0, 0
    li a7, SYS_exit
    ecall
""",
    # writev two pieces, readv into two pieces and echo them
    'vectors': """
_start:
    addi sp, sp, -64
    la t0, part1
    sw t0, 0(sp)
    li t0, 6
    sw t0, 4(sp)
    la t0, part2
    sw t0, 8(sp)
    li t0, 7
    sw t0, 12(sp)
    li a0, 1
    mv a1, sp
    li a2, 2
    li a7, SYS_writev
    ecall
    mv s0, a0
    addi t0, sp, 32
    sw t0, 0(sp)
    li t0, 3
    sw t0, 4(sp)
    addi t0, sp, 40
    sw t0, 8(sp)
    li t0, 8
    sw t0, 12(sp)
    li a0, 0
    mv a1, sp
    li a2, 2
    li a7, SYS_readv
    ecall
    mv s1, a0
    li a0, 1
    addi a1, sp, 40
    li a2, 8
    li a7, SYS_write
    ecall
    li a0, 1
    addi a1, sp, 32
    li a2, 3
    li a7, SYS_write
    ecall
    add a0, s0, s1                  # 13 written + 11 read
    li a7, SYS_exit
    ecall
part1: .ascii "hello "
part2: .ascii "vectors"
""",
    # bad pointers and descriptors: exit status packs -errno of write(1, NULL, 4) and
    # write(7, buf, 1)
    'errors': """
_start:
    li a0, 1
    li a1, 0
    li a2, 4
    li a7, SYS_write
    ecall
    neg s0, a0                      # EFAULT
    li a0, 7
    mv a1, sp
    li a2, 1
    li a7, SYS_write
    ecall
    neg s1, a0                      # EBADF
    slli a0, s0, 4
    add a0, a0, s1
    li a7, SYS_exit
    ecall
""",
    # a system call per 28-byte record on stdin (a7, a0..a5), until end of file: for fuzzing
    'syscalls': """
_start:
    addi sp, sp, -64
    mv s0, sp
1:  li a0, 0
    mv a1, s0
    li a2, 28
    li a7, SYS_read
    ecall
    li t0, 28
    bne a0, t0, 2f
    lw a7, 0(s0)
    lw a0, 4(s0)
    lw a1, 8(s0)
    lw a2, 12(s0)
    lw a3, 16(s0)
    lw a4, 20(s0)
    lw a5, 24(s0)
    ecall
    j 1b
2:  li a0, 0
    li a7, SYS_exit
    ecall
""",
    # map 16 MiB and touch every page: more than a small machine has
    'hog': """
_start:
    li a0, 0
    li a1, 16 << 20
    li a2, 3
    li a3, 0x22
    li a4, -1
    li a5, 0
    li a7, SYS_mmap2
    ecall
    li t0, 4096
    li t1, 16 << 20
    add t1, a0, t1
1:  sw t0, 0(a0)
    add a0, a0, t0
    bltu a0, t1, 1b
    li a0, 0
    li a7, SYS_exit
    ecall
""",
    # uname: print the machine field
    'uname': """
_start:
    addi sp, sp, -400
    mv a0, sp
    li a7, SYS_uname
    ecall
    addi a0, sp, 4 * 65
    call puts_nl
    li a0, 0
    li a7, SYS_exit
    ecall
""" + LIBRARY,
}


# --- programs that are a list of system calls ----------------------------------------------------

SCRATCH = 4096
AT = -100                           # AT_FDCWD
O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK = \
    0o1, 0o2, 0o100, 0o200, 0o1000, 0o2000, 0o4000
O_ASYNC, O_DIRECT, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC = \
    0o20000, 0o40000, 0o100000, 0o200000, 0o400000, 0o2000000
F_GETFD, F_GETFL, F_SETFL = 1, 3, 4
AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH = 0x100, 0x400, 0x1000
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2
STATX_OFFSETS = {'nlink': 16, 'mode': 28, 'atime': 64, 'mtime': 112}


def calls_program(*calls):
    """Assembly making each call in turn, then writing every result to stdout (one
    little-endian word each, -errno on failure) and exiting 0: a system call's answers can
    be set side by side with qemu-riscv32's without a C compiler.

    A call is ``(number, argument...)``. An argument is an int; bytes (put in the program,
    a NUL after them); ``('buf', offset)``: an address in a zeroed 4 KiB scratch buffer on
    the stack; ``('ret', i)``: the result of call ``i``; ``('word', offset)``: the word at
    that offset of the buffer (a descriptor ``pipe2`` put there). A ``write`` to fd 1 of a
    piece of the buffer shows what a call filled in.
    """
    code = ['_start:', f'    li t0, {4 * len(calls) + SCRATCH}', '    sub sp, sp, t0',
            '    mv s0, sp', f'    addi s1, sp, {4 * len(calls)}']
    data = []
    for i, (number, *args) in enumerate(calls):
        for reg, arg in zip(('a0', 'a1', 'a2', 'a3', 'a4', 'a5'), args):
            if isinstance(arg, int):
                code.append(f'    li {reg}, {arg}')
            elif isinstance(arg, bytes):
                data.append(f'arg{i}_{reg}: .byte {", ".join(map(str, arg + bytes(1)))}')
                code.append(f'    la {reg}, arg{i}_{reg}')
            elif arg[0] == 'ret':
                code.append(f'    lw {reg}, {4 * arg[1]}(s0)')
            else:
                code += [f'    li t0, {arg[1]}', f'    add {reg}, s1, t0']
                if arg[0] == 'word':
                    code.append(f'    lw {reg}, 0({reg})')
        code += [f'    li a7, {number}', '    ecall', f'    sw a0, {4 * i}(s0)']
    code += ['    li a0, 1', '    mv a1, s0', f'    li a2, {4 * len(calls)}', '    li a7, 64',
             '    ecall', '    li a0, 0', '    li a7, 93', '    ecall']
    return '\n'.join(code + data) + '\n'


def call_results(stdout, count):
    """(what the calls wrote, [the results of the ``count`` calls])."""
    cut = len(stdout) - 4 * count
    return stdout[:cut], list(struct.unpack(f'<{count}i', stdout[cut:]))


def timespecs(*pairs):
    """Two ``struct __kernel_timespec`` as RV32 lays them out (64-bit seconds, then
    nanoseconds in 64 bits)."""
    return b''.join(struct.pack('<qq', sec, nsec) for sec, nsec in pairs)


# The calls the reviewer probed with C programs, each answer as qemu-riscv32 gives it (the
# working directory holds data.txt: "the data file\n"); test_procvm_calls.py checks them.
CALL_LISTS = {
    'link': [
        (37, AT, b'data.txt', AT, b'hard.txt', 0),              # 0: link(): 0
        (37, AT, b'data.txt', AT, b'hard.txt', 0),              # EEXIST
        (37, AT, b'missing.txt', AT, b'x.txt', 0),              # ENOENT
        (37, AT, b'.', AT, b'dir_link', 0),                     # EPERM: a directory
        (37, AT, b'data.txt', AT, b'y.txt', 1),                 # EINVAL: an unknown flag
        (36, b'data.txt', AT, b'sym'),                          # 5: symlink sym -> data.txt
        (37, AT, b'sym', AT, b'sym_link', 0),                   # the symlink itself
        (37, AT, b'sym', AT, b'followed.txt', AT_SYMLINK_FOLLOW),   # data.txt
        (78, AT, b'sym_link', ('buf', 0), 64),                  # 8: readlink: 8
        (64, 1, ('buf', 0), ('ret', 8)),                        # "data.txt"
        (291, AT, b'data.txt', 0, 0x7ff, ('buf', 64)),          # 10: statx
        (64, 1, ('buf', 64 + STATX_OFFSETS['nlink']), 4),       # nlink 3
        (37, AT, b'data.txt', AT, b'no_dir/x.txt', 0),          # ENOENT
    ],
    'pipe': [
        (59, ('buf', 0), 0),                                    # 0: pipe2: fds 3, 4
        (64, ('word', 4), b'hello, pipe', 11),                  # 11
        (63, ('word', 0), ('buf', 16), 5),                      # 5: "hello"
        (63, ('word', 0), ('buf', 21), 64),                     # 6: ", pipe"
        (64, 1, ('buf', 16), 11),
        (25, ('word', 0), F_GETFL, 0),                          # 5: O_RDONLY
        (25, ('word', 4), F_GETFL, 0),                          # O_WRONLY
        (25, ('word', 0), F_SETFL, O_NONBLOCK),
        (63, ('word', 0), ('buf', 64), 8),                      # EAGAIN: empty, writer open
        (62, ('word', 0), 0, 0, ('buf', 64), 0),                # ESPIPE
        (63, ('word', 4), ('buf', 64), 1),                      # 10: EBADF: the write end
        (291, ('word', 0), b'', AT_EMPTY_PATH, 0x7ff, ('buf', 128)),
        (64, 1, ('buf', 128 + STATX_OFFSETS['mode']), 2),       # S_IFIFO | 0600
        (59, ('buf', 8), O_CLOEXEC | O_NONBLOCK),               # fds 5, 6
        (25, ('word', 8), F_GETFD, 0),                          # FD_CLOEXEC
        (25, ('word', 12), F_GETFL, 0),                         # 15: O_WRONLY | O_NONBLOCK
        (59, ('buf', 256), O_WRONLY),                           # EINVAL
        (59, ('buf', 256), O_DIRECT),                           # packets: fds 7, 8
        (64, ('word', 260), b'first packet', 12),
        (64, ('word', 260), b'second', 6),
        (63, ('word', 256), ('buf', 300), 5),                   # 20: "first", the rest dropped
        (63, ('word', 256), ('buf', 305), 64),                  # 6: "second"
        (64, 1, ('buf', 300), 11),
        (57, ('word', 4)),                                      # close the first write end
        (63, ('word', 0), ('buf', 64), 8),                      # 0: end of file
        (59, 0, 0),                                             # 25: EFAULT
    ],
    'sigpipe': [
        (59, ('buf', 0), 0),
        (57, ('word', 0)),                                      # close the read end
        (64, ('word', 4), b'nobody reads this', 17),            # SIGPIPE
    ],
    'utimes': [
        (56, AT, b'data.txt', 0, 0),                            # 0: fd 3
        (412, AT, b'data.txt', timespecs((1_000_000_000, 5), (1_500_000_000, 7)), 0),
        (412, AT, b'data.txt', timespecs((0, UTIME_OMIT), (1_600_000_000, 0)), 0),
        (412, ('ret', 0), 0, timespecs((1_700_000_000, 1), (0, UTIME_OMIT)), 0),   # futimens
        (291, AT, b'data.txt', 0, 0x7ff, ('buf', 0)),
        (64, 1, ('buf', STATX_OFFSETS['atime']), 12),           # 5: 1700000000.000000001
        (64, 1, ('buf', STATX_OFFSETS['mtime']), 12),           # 1600000000.000000000
        (412, AT, b'data.txt', timespecs((1, 10 ** 9), (0, 0)), 0),         # EINVAL
        (412, AT, b'missing', timespecs((1, 10 ** 9), (0, 0)), 0),          # ENOENT first
        (412, AT, b'missing', timespecs((0, UTIME_OMIT), (0, UTIME_OMIT)), 0),   # 0: no-op
        (412, AT, b'data.txt', 0, 1),                           # 10: EINVAL: the flags
        (412, ('ret', 0), 0, 0, AT_SYMLINK_NOFOLLOW),           # EINVAL: futimens flags
        (412, 99, 0, 0, 0),                                     # EBADF
        (412, AT, 0, 0, 0),                                     # EFAULT: no path
        (36, b'data.txt', AT, b'sym'),
        (412, AT, b'sym', timespecs((1234, 0), (5678, 9)), AT_SYMLINK_NOFOLLOW),   # 15
        (291, AT, b'sym', AT_SYMLINK_NOFOLLOW, 0x7ff, ('buf', 256)),
        (64, 1, ('buf', 256 + STATX_OFFSETS['mtime']), 12),     # the link's: 5678.000000009
        (412, AT, b'data.txt', 0, 0),                           # now
        (412, AT, b'data.txt', timespecs((0, UTIME_NOW), (0, UTIME_OMIT)), 0),
        (59, ('buf', 512), 0),                                  # 20: a pipe (fds 4, 5)
        (412, ('word', 512), 0, timespecs((1, 0), (2, 0)), 0),  # 0: nothing keeps its times
    ],
    'statfs': [
        (43, b'.', 88, ('buf', 0)),                             # 0: statfs64
        (64, 1, ('buf', 4), 12),                                # f_bsize, f_blocks
        (64, 1, ('buf', 48), 20),                               # f_fsid .. f_flags
        (56, AT, b'data.txt', 0, 0),                            # fd 3
        (44, ('ret', 3), 88, ('buf', 128)),                     # fstatfs64
        (64, 1, ('buf', 132), 12),                              # 5
        (64, 1, ('buf', 176), 20),
        (43, b'missing', 88, ('buf', 0)),                       # ENOENT
        (44, 99, 88, ('buf', 0)),                               # EBADF
        (43, b'.', 88, 0),                                      # EFAULT
    ],
    'fcntl': [
        (56, AT, b'new.txt', O_RDWR | O_CREAT | O_EXCL | O_LARGEFILE, 0o644),      # 0: fd 3
        (25, ('ret', 0), F_GETFL, 0),                           # O_RDWR, nothing else
        (25, ('ret', 0), F_SETFL, O_APPEND | O_NONBLOCK | O_ASYNC | O_TRUNC | O_WRONLY),
        (25, ('ret', 0), F_GETFL, 0),                           # O_RDWR|O_APPEND|O_NONBLOCK
        (64, ('ret', 0), b'appended', 8),
        (62, ('ret', 0), 0, 0, ('buf', 0), 0),                  # 5: _llseek to 0
        (64, ('ret', 0), b'!', 1),                              # still at the end
        (56, AT, b'.', O_DIRECTORY | O_NOFOLLOW | O_LARGEFILE | O_CLOEXEC, 0),    # fd 4
        (25, ('ret', 7), F_GETFL, 0),                           # O_DIRECTORY|O_NOFOLLOW
        (25, ('ret', 7), F_GETFD, 0),                           # FD_CLOEXEC
        (56, AT, b'data.txt', O_WRONLY | O_APPEND | O_LARGEFILE, 0),   # 10: fd 5
        (25, ('ret', 10), F_GETFL, 0),                          # O_WRONLY|O_APPEND
        (25, ('ret', 10), F_SETFL, 0),
        (25, ('ret', 10), F_GETFL, 0),                          # O_WRONLY
        (64, ('ret', 10), b'THE', 3),                           # over "the", at offset 0
        (56, AT, b'/dev/null', O_RDWR | O_LARGEFILE, 0),        # 15: fd 6
        (25, ('ret', 15), F_GETFL, 0),                          # O_RDWR
        (25, 99, F_GETFL, 0),                                   # EBADF
    ],
}
PROGRAMS.update({name: calls_program(*calls) for name, calls in CALL_LISTS.items()})


def source(name):
    return PRELUDE + PROGRAMS[name]


def assembled(name):
    return assemble(source(name), filename=f'{name}.s', base=0x10000)


def elf_bytes(name):
    return assembled(name).to_elf()


def write_elf(directory, name):
    """``directory/NAME.elf``, executable (qemu-riscv32 refuses files without the x bit)."""
    path = directory / f'{name}.elf'
    path.write_bytes(elf_bytes(name))
    path.chmod(0o755)
    return path


def run(name, args=(), root='.', max_steps=1_000_000, **kw):
    """(vm, result) for program ``name`` run with ``args``, output captured."""
    vm = ProcessVM(elf_bytes(name), [name] + list(args), root=root, capture=True, **kw)
    return vm, vm.run(max_steps)


def crash_pc(name):
    return assembled(name).symbols['crash']


# --- output, exit status, input -----------------------------------------------------------------

def test_hello_writes_to_stdout_and_exits():
    vm, r = run('hello')
    assert vm.stdout == b'hello, world!\n' and vm.stderr == b''
    assert (r.reason, r.exit_status, r.signal) == ('exit', 0, None)
    assert r.syscalls == {'write': 1, 'exit': 1}
    assert r.instructions == 7          # 9 words; an ecall traps, so it does not retire


@pytest.mark.parametrize('status, nr, expected', [(0, 93, 0), (42, 93, 42), (255, 94, 255),
                                                  (256, 94, 0), (-1, 93, 255), (300, 94, 44)])
def test_the_exit_status_is_the_low_byte(status, nr, expected):
    program = f'{PRELUDE}\n_start:\n    li a0, {status}\n    li a7, {nr}\n    ecall\n'
    r = run_program(assemble(program, base=0x10000).to_elf(), capture=True)
    assert (r.reason, r.exit_status) == ('exit', expected)


def test_cat_copies_stdin_to_stdout():
    data = bytes(range(256)) * 40 + b'the end\n'
    vm, r = run('cat', stdin=data)
    assert vm.stdout == data
    assert r.exit_status == 0
    assert r.syscalls['read'] == len(data) // 64 + 2      # full buffers, the rest, end of file


def test_readv_and_writev():
    vm, r = run('vectors', stdin=b'abcdefghijkl')
    assert vm.stdout == b'hello vectors' + b'defghijk' + b'abc'
    assert r.exit_status == 13 + 11


# --- the initial stack -------------------------------------------------------------------------

def test_the_program_finds_argv_envp_and_auxv_where_the_abi_puts_them():
    args = ['one', 'two words', '', 'café']
    env = {'HOME': '/home/guest', 'EMPTY': '', 'LANG': 'C.UTF-8'}
    vm = ProcessVM(elf_bytes('stack'), ['./stack.elf'] + args, env, capture=True)
    r = vm.run(1_000_000)
    lines = vm.stdout.decode().split('\n')[:-1]
    assert lines == ['./stack.elf'] + args + ['HOME=/home/guest', 'EMPTY=', 'LANG=C.UTF-8']
    assert r.exit_status == 0, f'{r.exit_status} rules of the initial stack broken'


def test_auxv_and_stack_layout_from_python():
    vm = ProcessVM(elf_bytes('hello'), ['hello', 'x'], ['A=1'], capture=True)
    keys = dict(vm.auxv)
    assert keys[6] == 4096 and keys[9] == 0x10000 and keys[5] == 1     # PAGESZ ENTRY PHNUM
    sp = vm.hart.x[2]
    assert sp % 16 == 0 and sp == vm.stack_layout['sp'] < keys[25] < STACK_TOP   # AT_RANDOM
    words = struct.unpack('<6I', vm.read_memory(sp, 24))
    assert words[0] == 2 and words[3] == 0 and words[5] == 0            # argc, NULLs
    assert vm.read_memory(words[1], 6) == b'hello\0'
    assert vm.read_memory(words[4], 4) == b'A=1\0'
    assert vm.hart.priv == 0 and vm.hart.satp >> 31 == 1                 # U-mode, Sv32


# --- memory: brk, mmap, demand paging ---------------------------------------------------------

def test_brk_grows_and_shrinks_the_heap():
    vm, r = run('brk')
    assert (r.reason, r.exit_status) == ('exit', 0)
    assert r.syscalls['brk'] == 4


def test_the_heap_is_gone_after_brk_shrinks():
    vm, r = run('brk', ['touch'])
    assert (r.reason, r.exit_status, r.signal_name) == ('signal', 139, 'SIGSEGV')
    assert 'store to unmapped address' in r.message


def test_mmap_munmap_mprotect():
    vm, r = run('mmap')
    assert (r.reason, r.exit_status) == ('exit', 0)
    assert '[mmap]' in vm.memory_map() and '[stack]' in vm.memory_map()


def test_a_store_to_a_read_only_mapping_is_sigsegv():
    vm, r = run('mmap', ['store'])
    assert r.exit_status == 139 and 'store to read-only address' in r.message


def test_a_load_from_an_unmapped_page_is_sigsegv():
    vm, r = run('mmap', ['load', 'unmapped'])
    assert r.exit_status == 139 and 'load from unmapped address' in r.message


def test_pages_are_given_frames_when_first_touched():
    vm, r = run('touch')
    assert r.exit_status == 0
    assert r.page_faults == 16


# --- files and the sandbox --------------------------------------------------------------------

def test_file_io_inside_the_root(tmp_path):
    vm, r = run('files', root=tmp_path)
    assert (r.exit_status, vm.stdout) == (0, b'data\n')
    assert (tmp_path / 'data.txt').read_bytes() == b'some data\n'
    assert r.syscalls['openat'] == 2 and r.syscalls['_llseek'] == 1


@pytest.fixture
def sandbox(tmp_path):
    """root/ holds inside.txt and links; tmp_path/secret.txt is outside it."""
    root = tmp_path / 'root'
    (root / 'sub').mkdir(parents=True)
    (root / 'inside.txt').write_text('inside\n')
    (tmp_path / 'secret.txt').write_text('secret\n')
    (root / 'alias').symlink_to('inside.txt')
    (root / 'sub' / 'abs_alias').symlink_to(root / 'inside.txt')     # absolute, but inside
    (root / 'passwd').symlink_to('/etc/passwd')
    (root / 'hostetc').symlink_to('/etc')
    (root / 'up').symlink_to('../..')
    (root / 'secret').symlink_to('../secret.txt')
    return root


@pytest.mark.parametrize('path', ['inside.txt', '/inside.txt', './sub/../inside.txt',
                                  '../inside.txt', '../../../inside.txt', 'alias',
                                  'sub/abs_alias', '/sub/../alias'])
def test_paths_inside_the_root_open(sandbox, path):
    vm, r = run('open', [path], root=sandbox)
    assert (r.exit_status, vm.stdout) == (0, b'inside\n')


@pytest.mark.parametrize('path, errno', [
    ('../../etc/passwd', 2), ('/etc/passwd', 2), ('../secret.txt', 2), ('/../secret.txt', 2),
    ('passwd', 13), ('hostetc/passwd', 13), ('up/etc/passwd', 13), ('secret', 13),
    ('up', 13)])
def test_escapes_from_the_root_are_refused(sandbox, path, errno):
    vm, r = run('open', [path], root=sandbox)
    assert vm.stdout == b''
    assert r.exit_status == errno, f'{path}: errno {r.exit_status}'


def test_device_files_are_provided(tmp_path):
    vm, r = run('open', ['/dev/null'], root=tmp_path)
    assert (r.exit_status, vm.stdout) == (0, b'')
    vm, r = run('open', ['/dev/zero'], root=tmp_path)
    assert (r.exit_status, vm.stdout) == (0, bytes(64))


# --- system calls: errors, unknown calls, the trace ---------------------------------------------

def test_an_unknown_system_call_returns_enosys_and_is_reported_once():
    lines = []
    vm, r = run('enosys', strace=lines.append)
    assert r.exit_status == 38
    assert lines[0] == 'syscall_500(0x0, 0x0, 0x0, 0x0, 0x0, 0x0) = -1 ENOSYS (Function not implemented)'
    assert sum('is not implemented' in line for line in lines) == 1
    assert vm.unimplemented == {'syscall_500': 2}


def test_bad_pointers_and_descriptors_fail_with_errno():
    vm, r = run('errors')
    assert r.exit_status == (14 << 4) + 9       # EFAULT, EBADF
    assert r.reason == 'exit'


def test_the_trace_keeps_records():
    vm, r = run('hello', trace=True)
    write, exit_ = vm.trace
    assert isinstance(write, SyscallRecord)
    msg = assembled('hello').symbols['msg']
    assert (write.name, write.number, write.args, write.result) == ('write', 64, (1, msg, 14), 14)
    assert str(write) == 'write(1, "hello, world!\\n", 14) = 14'
    assert write.pc == 0x10014 and write.instret == 5 and write.error is None
    assert str(exit_) == 'exit(0) = ?'


def test_strace_lines_name_errors(tmp_path):
    lines = []
    vm, r = run('open', ['/nope'], root=tmp_path, strace=lines.append)
    assert lines[0] == ('openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or '
                        'directory)')
    assert vm.trace is None


def test_uname_says_riscv32():
    vm, r = run('uname')
    assert vm.stdout == b'riscv32\n'


# --- determinism ---------------------------------------------------------------------------------

def test_random_bytes_come_from_the_seed():
    a, _ = run('random')
    b, _ = run('random')
    c, _ = run('random', seed=7)
    assert len(a.stdout) == 32 and a.stdout == b.stdout != c.stdout
    assert a.stdout[:16] != a.stdout[16:]


def test_the_clock_counts_instructions():
    vm, r = run('clock')
    t0 = struct.unpack('<qi', vm.stdout[:12])
    t1 = struct.unpack('<qi', vm.stdout[16:28])
    elapsed = (t1[0] - t0[0]) * 10**9 + t1[1] - t0[1]
    # 3 x 1000 loop instructions + 4 more, 10 ns each, seen through a 100 ns tick
    assert elapsed in (30000, 30100)
    again, _ = run('clock')
    assert again.stdout == vm.stdout


# --- signals ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('name, status, text', [
    ('segv', 139, 'segmentation fault (SIGSEGV): store to unmapped address 0x00000000'),
    ('load_segv', 139, 'segmentation fault (SIGSEGV): load from unmapped address 0x12345678'),
    ('jump_segv', 139,
     'segmentation fault (SIGSEGV): instruction fetch from unmapped address 0x40000000'),
    ('store_to_text', 139, 'segmentation fault (SIGSEGV): store to read-only address 0x00010000'),
    ('illegal', 132, 'illegal instruction (SIGILL): instruction word 0x00000000'),
    ('privileged', 132, 'illegal instruction (SIGILL): instruction word 0x30001073'),
    ('misaligned_amo', 135, 'bus error (SIGBUS): store/AMO address misaligned'),
    ('ebreak', 133, 'trace/breakpoint trap (SIGTRAP)'),
])
def test_faults_end_the_program_with_a_signal(name, status, text):
    vm, r = run(name)
    assert (r.reason, r.exit_status) == ('signal', status)
    assert r.message.startswith(text)
    pc = crash_pc(name) if name != 'jump_segv' else 0x40000000
    assert r.message.endswith(f'at pc=0x{pc:08x}')


def test_the_step_budget_stops_a_runaway_program():
    vm = ProcessVM(elf_bytes('spin'), capture=True)
    r = vm.run(5000)
    assert (r.reason, r.exit_status, r.instructions) == ('budget', 124, 5000)
    assert 'step budget exhausted' in r.message


def test_a_run_can_go_on_in_slices():
    vm = ProcessVM(elf_bytes('count'), capture=True)
    assert vm.run(1000).reason == 'budget'
    assert vm.run(1000).instructions == 2000
    r = vm.run()
    assert (r.reason, r.exit_status, r.instructions) == ('exit', 0, 2 + 2 * 10000 + 2)
    assert vm.run() is r


# --- loading ----------------------------------------------------------------------------------------

def test_a_missing_file_is_an_elf_error(tmp_path):
    with pytest.raises(ElfError):
        ProcessVM(tmp_path / 'none.elf')
    r = run_program(tmp_path / 'none.elf')
    assert (r.reason, r.exit_status) == ('load-error', 2)


def test_both_engines_run_a_program_identically():
    from vmlib.procvm import LaunchError
    results = []
    for engine in ('interp', 'dbt'):
        vm = ProcessVM(elf_bytes('hello'), engine=engine, capture=True)
        r = vm.run()
        results.append((r.exit_status, r.instructions, vm.stdout))
    assert results[0] == results[1] and results[0][0] == 0
    with pytest.raises(LaunchError, match='unknown engine'):
        ProcessVM(elf_bytes('hello'), engine='jit')


def test_stats_lines():
    vm, r = run('touch')
    text = '\n'.join(vm.stats_lines())
    assert 'instructions retired: ' in text and 'page faults served:   16' in text
    assert 'exit' in text


def test_host_files_are_closed_when_the_program_ends(tmp_path):
    before = len(os.listdir('/proc/self/fd'))
    vm, r = run('files', root=tmp_path)
    assert len(os.listdir('/proc/self/fd')) == before


def test_running_out_of_memory_is_sigkill():
    vm, r = run('hog', ram_size=4 << 20)
    assert (r.reason, r.exit_status, r.signal_name) == ('signal', 137, 'SIGKILL')
    assert 'out of memory' in r.message
    vm, r = run('hog', ram_size=32 << 20)
    assert (r.reason, r.exit_status, r.page_faults) == ('exit', 0, 4096)


def test_from_source_assembles_at_0x10000():
    vm = ProcessVM.from_source(source('hello'), capture=True)
    assert vm.run().exit_status == 0 and vm.stdout == b'hello, world!\n'
    assert vm.image.entry == 0x10000


def test_an_engine_is_told_when_mappings_change():
    from vmlib.machine.engines import Interpreter

    class Watching(Interpreter):
        name = 'watching'
        seen = []

        def invalidate(self, start, end):
            self.seen.append((start, end))

        def stats(self):
            return {'invalidations': len(self.seen)}

    vm = ProcessVM(elf_bytes('mmap'), ['mmap'], engine=Watching, capture=True)
    r = vm.run(100_000)
    assert r.exit_status == 0 and vm.engine.name == 'watching'
    mapped = vm.trace is None and Watching.seen
    assert len(mapped) == 2 and mapped[0][1] - mapped[0][0] == 4096       # munmap, mprotect
    assert any('invalidations' in line for line in vm.stats_lines())


def _syscall_program(*calls):
    """An assembly program making each (number, a0, a1, a2, a3) call, then exit(0)."""
    lines = ['_start:', '    addi sp, sp, -64', '    sw zero, 0(sp)']
    for number, *args in calls:
        for reg, value in zip(('a0', 'a1', 'a2', 'a3'), args):
            lines.append(f'    mv {reg}, sp' if value == 'sp' else f'    li {reg}, {value}')
        lines += [f'    li a7, {number}', '    ecall']
    lines += ['    li a0, 0', '    li a7, 93', '    ecall']
    return PRELUDE + '\n'.join(lines) + '\n'


@pytest.mark.parametrize('calls, status, reason', [
    ([(129, 100, 15)], 143, 'signal'),                     # kill(getpid(), SIGTERM)
    ([(131, 100, 100, 6)], 134, 'signal'),                 # tgkill(pid, tid, SIGABRT)
    ([(129, 100, 17)], 0, 'exit'),                         # SIGCHLD is ignored by default
    ([(129, 100, 0)], 0, 'exit'),                          # signal 0 only checks
    ([(129, 5, 15)], 0, 'exit'),                           # no such process: ESRCH
    ([(422, 'sp', 0, 0, 0)], 125, 'deadlock'),             # futex wait: nothing can wake it
    ([(422, 'sp', 0, 1, 0)], 0, 'exit'),                   # futex wait, value differs: EAGAIN
])
def test_signals_and_futexes(calls, status, reason):
    vm = ProcessVM.from_source(_syscall_program(*calls), capture=True)
    r = vm.run(10_000)
    assert (r.exit_status, r.reason) == (status, reason), r.message


def test_an_ignored_signal_is_ignored():
    # rt_sigaction(SIGTERM, {SIG_IGN}) then kill(getpid(), SIGTERM): the program goes on
    source = PRELUDE + """
_start:
    addi sp, sp, -32
    li t0, 1
    sw t0, 0(sp)                    # sa_handler = SIG_IGN
    sw zero, 4(sp)
    sw zero, 8(sp)
    sw zero, 12(sp)
    li a0, 15
    mv a1, sp
    li a2, 0
    li a3, 8
    li a7, 134
    ecall
    li a0, 100
    li a1, 15
    li a7, 129
    ecall
    li a0, 3
    li a7, 93
    ecall
"""
    vm = ProcessVM.from_source(source, capture=True, trace=True)
    assert vm.run(1000).exit_status == 3
    sp = vm.stack_layout['sp'] - 32
    assert [str(t) for t in vm.trace[:2]] == [f'rt_sigaction(SIGTERM, 0x{sp:x}, NULL, 8) = 0',
                                              'kill(100, SIGTERM) = 0']


def test_output_can_go_to_python_streams():
    import io
    binary, text = io.BytesIO(), io.StringIO()
    vm = ProcessVM(elf_bytes('hello'), 'hello', stdout=binary, stdin=b'')
    vm.run()
    vm2 = ProcessVM(elf_bytes('hello'), 'hello', stdout=text, stdin=b'')
    vm2.run()
    assert binary.getvalue() == b'hello, world!\n' and text.getvalue() == 'hello, world!\n'
    assert vm.argv == ['hello']


def test_user_mode_may_read_the_counters():
    source = PRELUDE + """
_start:
    csrr t0, instret
    csrr t1, cycle
    csrr t2, time
    sub a0, t1, t0                  # cycle counts what instret counts: 1 apart
    li a7, 93
    ecall
"""
    vm = ProcessVM.from_source(source, capture=True)
    assert vm.run().exit_status == 1


def test_a_callable_sees_each_system_call_as_it_happens():
    seen = []
    vm = ProcessVM(elf_bytes('hello'), capture=True, trace=seen.append)
    vm.run()
    assert [r.name for r in seen] == ['write', 'exit'] and vm.trace is None
