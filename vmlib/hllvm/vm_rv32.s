# vm_rv32.s -- platform 2: the Tiny VM written in RV32 assembly, for the vmlib machine.
#
# It reads the same class file as the Python VM (vmlib/hllvm/pyvm.py) and must print the same
# text. The host (vmlib/hllvm/rv32.py) puts three things around this file:
#   before it: .equ lines generated from the Python side: OP_<NAME> for every opcode,
#              STACK_WORDS, HEADER_WORDS, MAX_CONSTANTS, MAX_FUNCTIONS, CF_VERSION;
#   after it:  the dispatch table (generated from opcodes.TABLE: 256 words, one per opcode
#              byte, op_<name> or bad_opcode), and the class file itself: `classfile_len`
#              (a word) and `classfile` (the bytes), either as .data (.byte lines) or as .bss
#              that the host fills before the run.
#
# Run-time model (the same numbers as runtime.py, so errors strike at the same moment):
#   one VM stack of STACK_WORDS words holds every frame, each frame laid out as
#       [ locals (nlocals words) | header (HEADER_WORDS) | operand stack (max_stack words) ]
#   A call leaves the arguments where the caller pushed them: they become the callee's first
#   locals. The header saves the caller's pc, code base, locals base and function index.
#   Only a call checks the stack limit (the verifier proved the rest, see verifier.py).
#
# Registers while the interpreter runs:
#   s0  pc: address of the next bytecode byte      s1  sp: first free word of the operand stack
#   s2  fp: the current frame's locals              s3  the current function's code
#   s4  the dispatch table                          s5  the current function's index
#   s6  the end of the VM stack                     s7  the function table (runtime form)
#   s8  the constant table (address of each constant)
#   s9  the last byte printed (0: none yet), so that an error message starts on a new line
#   s10 address of the instruction being executed (for error reports)
#   sp  a small native stack for the helper routines (puts, put_int, ...)

    .equ UART, 0x10000000
    .equ TESTDEV, 0x00100000
    .equ EXIT_OK, 0x5555
    .equ EXIT_FAIL, (1 << 16) | 0x3333
    .equ FN_CODE, 0             # the runtime function record (16 bytes), built by the loader:
    .equ FN_NAME, 4             #   code address, name constant's address,
    .equ FN_FRAME, 8            #   frame size in bytes (locals + header + max_stack),
    .equ FN_LOCALS, 12          #   locals in bytes (halfword),
    .equ FN_ARITY, 14           #   arguments in bytes (halfword)

    .text
    .globl _start
_start:
    la sp, native_stack_top

# --- the class loader: check the header, find the constants, build the function table ---------
    la s11, classfile
    lbu t0, 0(s11)                  # magic: 'TINY'
    li t1, 'T'
    bne t0, t1, bad_magic
    lbu t0, 1(s11)
    li t1, 'I'
    bne t0, t1, bad_magic
    lbu t0, 2(s11)
    li t1, 'N'
    bne t0, t1, bad_magic
    lbu t0, 3(s11)
    li t1, 'Y'
    bne t0, t1, bad_magic
    addi a0, s11, 4                 # version
    call rd16
    li t1, CF_VERSION
    bne a0, t1, bad_version
    addi a0, s11, 8                 # constant count
    call rd16
    mv s9, a0
    li t1, MAX_CONSTANTS
    bgtu s9, t1, bad_counts
    addi a0, s11, 10                # function count
    call rd16
    mv s6, a0
    li t1, MAX_FUNCTIONS
    bgtu s6, t1, bad_counts

    la s8, constant_table           # constant i -> its address (a u16 length, then the bytes)
    addi a1, s11, 16                # a1 walks the constant pool
    li a2, 0
1:  bgeu a2, s9, 2f
    slli t0, a2, 2
    add t0, t0, s8
    sw a1, 0(t0)
    mv a0, a1
    call rd16
    addi a1, a1, 2
    add a1, a1, a0
    addi a2, a2, 1
    j 1b
2:                                  # a1: the function records; the code follows them
    slli t0, s6, 4
    add a3, a1, t0                  # a3: the code
    la s7, function_table
    li a2, 0
3:  bgeu a2, s6, 4f
    slli a4, a2, 4
    add a5, a1, a4                  # a5: the record in the file
    add a4, a4, s7                  # a4: the record in the runtime table
    addi a0, a5, 8                  # code offset
    call rd32
    add a0, a0, a3
    sw a0, FN_CODE(a4)
    mv a0, a5                       # name: constant index -> address
    call rd16
    slli a0, a0, 2
    add a0, a0, s8
    lw a0, 0(a0)
    sw a0, FN_NAME(a4)
    lbu t0, 2(a5)                   # arity
    slli t0, t0, 2
    sh t0, FN_ARITY(a4)
    lbu t1, 3(a5)                   # locals
    slli t2, t1, 2
    sh t2, FN_LOCALS(a4)
    addi a0, a5, 4                  # max_stack
    call rd16
    lbu t1, 3(a5)
    add a0, a0, t1
    addi a0, a0, HEADER_WORDS
    slli a0, a0, 2
    sw a0, FN_FRAME(a4)
    addi a2, a2, 1
    j 3b
4:
# --- start: call the entry function with a return pc of 0 (ret then ends the run) -------------
    addi a0, s11, 6
    call rd16
    mv t0, a0                       # t0: the entry function
    la s4, dispatch
    la s1, vm_stack
    li t1, STACK_WORDS * 4
    add s6, s1, t1
    li s0, 0
    li s2, 0
    li s3, 0
    li s10, 0
    mv s5, t0                       # if main's frame alone overflows: "at main (pc 0)"
    li s9, 0                        # nothing printed yet
    j call_function

# --- the interpreter loop: fetch an opcode, jump to its handler through the table -------------
next:
    mv s10, s0
    lbu t0, 0(s0)
    addi s0, s0, 1
    slli t0, t0, 2
    add t0, t0, s4
    lw t0, 0(t0)
    jr t0

# --- the instructions: op_<name> for every row of opcodes.TABLE ---------------------------------
op_const:                           # -> n   (an i32 operand)
    lbu t0, 0(s0)
    lbu t1, 1(s0)
    lbu t2, 2(s0)
    lbu t3, 3(s0)
    slli t1, t1, 8
    slli t2, t2, 16
    slli t3, t3, 24
    or t0, t0, t1
    or t2, t2, t3
    or t0, t0, t2
    addi s0, s0, 4
    sw t0, 0(s1)
    addi s1, s1, 4
    j next

op_load:                            # -> locals[slot]
    lbu t0, 0(s0)
    addi s0, s0, 1
    slli t0, t0, 2
    add t0, t0, s2
    lw t0, 0(t0)
    sw t0, 0(s1)
    addi s1, s1, 4
    j next

op_store:                           # value -> ; locals[slot] = value
    lbu t0, 0(s0)
    addi s0, s0, 1
    slli t0, t0, 2
    add t0, t0, s2
    addi s1, s1, -4
    lw t1, 0(s1)
    sw t1, 0(t0)
    j next

op_pop:                             # value ->
    addi s1, s1, -4
    j next

# Binary operations: a is at -8(s1), b at -4(s1); the result replaces a.
op_add:
    lw t0, -8(s1)
    lw t1, -4(s1)
    add t0, t0, t1
    j binary_done
op_sub:
    lw t0, -8(s1)
    lw t1, -4(s1)
    sub t0, t0, t1
    j binary_done
op_mul:
    lw t0, -8(s1)
    lw t1, -4(s1)
    mul t0, t0, t1
    j binary_done
op_div:                             # RISC-V div truncates toward zero and gives
    lw t0, -8(s1)                   # INT_MIN / -1 = INT_MIN, as Java does;
    lw t1, -4(s1)                   # only the zero divisor needs a test
    beqz t1, divide_by_zero
    div t0, t0, t1
    j binary_done
op_rem:
    lw t0, -8(s1)
    lw t1, -4(s1)
    beqz t1, divide_by_zero
    rem t0, t0, t1
    j binary_done
op_eq:
    lw t0, -8(s1)
    lw t1, -4(s1)
    sub t0, t0, t1
    seqz t0, t0
    j binary_done
op_ne:
    lw t0, -8(s1)
    lw t1, -4(s1)
    sub t0, t0, t1
    snez t0, t0
    j binary_done
op_lt:
    lw t0, -8(s1)
    lw t1, -4(s1)
    slt t0, t0, t1
    j binary_done
op_le:                              # a <= b  is  not (b < a)
    lw t0, -8(s1)
    lw t1, -4(s1)
    slt t0, t1, t0
    xori t0, t0, 1
    j binary_done
op_gt:
    lw t0, -8(s1)
    lw t1, -4(s1)
    slt t0, t1, t0
    j binary_done
op_ge:
    lw t0, -8(s1)
    lw t1, -4(s1)
    slt t0, t0, t1
    xori t0, t0, 1
binary_done:
    sw t0, -8(s1)
    addi s1, s1, -4
    j next

op_neg:
    lw t0, -4(s1)
    neg t0, t0
    sw t0, -4(s1)
    j next
op_not:
    lw t0, -4(s1)
    seqz t0, t0
    sw t0, -4(s1)
    j next

op_jmp:                             # pc = code + target (u16)
    lbu t0, 0(s0)
    lbu t1, 1(s0)
    slli t1, t1, 8
    or t0, t0, t1
    add s0, s3, t0
    j next
op_jz:
    addi s1, s1, -4
    lw t2, 0(s1)
    bnez t2, branch_not_taken
    j op_jmp
op_jnz:
    addi s1, s1, -4
    lw t2, 0(s1)
    bnez t2, op_jmp
branch_not_taken:
    addi s0, s0, 2
    j next

op_call:                            # arg1..argN -> result
    lbu t0, 0(s0)
    lbu t1, 1(s0)
    slli t1, t1, 8
    or t0, t0, t1
    addi s0, s0, 2                  # s0: the return pc
call_function:                      # t0: the function's index
    slli t1, t0, 4
    add t1, t1, s7                  # t1: its runtime record
    lhu t2, FN_ARITY(t1)
    sub t3, s1, t2                  # t3: its locals, starting with the arguments in place
    lw t4, FN_FRAME(t1)
    add t4, t3, t4
    bgtu t4, s6, stack_overflow     # the whole frame must fit on the VM stack
    lhu t4, FN_LOCALS(t1)
    add t4, t3, t4                  # t4: its frame header
1:  bgeu s1, t4, 2f                 # the locals after the arguments start at 0
    sw zero, 0(s1)
    addi s1, s1, 4
    j 1b
2:  sw s0, 0(t4)                    # the header: where to return to, and the caller's state
    sw s3, 4(t4)
    sw s2, 8(t4)
    sw s5, 12(t4)
    mv s2, t3
    lw s3, FN_CODE(t1)
    mv s0, s3
    mv s5, t0
    addi s1, t4, HEADER_WORDS * 4
    j next

op_ret:                             # result -> (pushed on the caller's stack)
    lw a1, -4(s1)
    slli t1, s5, 4
    add t1, t1, s7
    lhu t2, FN_LOCALS(t1)
    add t4, s2, t2                  # t4: this frame's header
    mv s1, s2                       # drop the frame: the caller's arguments are gone too
    lw s0, 0(t4)
    beqz s0, exit_ok                # the entry function returned: the program is over
    lw s3, 4(t4)
    lw s2, 8(t4)
    lw s5, 12(t4)
    sw a1, 0(s1)
    addi s1, s1, 4
    j next

op_print:                           # n ->   (decimal, no newline: the compiler adds "\n")
    addi s1, s1, -4
    lw a0, 0(s1)
    call put_int
    j next

op_prints:                          # print constant #k
    lbu t0, 0(s0)
    lbu t1, 1(s0)
    slli t1, t1, 8
    or t0, t0, t1
    addi s0, s0, 2
    slli t0, t0, 2
    add t0, t0, s8
    lw a0, 0(t0)
    call put_constant
    j next

# --- run-time errors: the message, "    at NAME (pc N)", exit status 1 ---------------------------
divide_by_zero:
    la a0, msg_div_zero
    j fail
stack_overflow:
    la a0, msg_stack_overflow
    j fail
bad_opcode:
    call fresh_line
    la a0, msg_bad_opcode
    call puts
    lbu a0, 0(s10)
    call put_int
    j where
fail:                               # a0: the message
    mv s11, a0
    call fresh_line
    mv a0, s11
    call puts
where:
    la a0, msg_at
    call puts
    slli t1, s5, 4
    add t1, t1, s7
    lw a0, FN_NAME(t1)
    call put_constant
    la a0, msg_pc
    call puts
    sub a0, s10, s3
    call put_int
    la a0, msg_end
    call puts
exit_fail:
    li t0, TESTDEV
    li t1, EXIT_FAIL
    sw t1, 0(t0)
1:  j 1b

exit_ok:
    li t0, TESTDEV
    li t1, EXIT_OK
    sw t1, 0(t0)
1:  j 1b

# The loader's errors: the Python loader rejects such files first, this is the VM's own guard.
bad_magic:
    la a0, msg_bad_magic
    j format_error
bad_version:
    la a0, msg_bad_version
    j format_error
bad_counts:
    la a0, msg_bad_counts
format_error:
    call puts
    j exit_fail

# --- helpers: they use t5, t6, a0, a1 and the native stack, and set s9 (the last byte printed) -
rd16:                               # a0: address -> a0: the u16 there (little-endian)
    lbu t5, 0(a0)
    lbu t6, 1(a0)
    slli t6, t6, 8
    or a0, t5, t6
    ret

rd32:                               # a0: address -> a0: the u32 there (little-endian)
    lbu t5, 3(a0)
    lbu t6, 2(a0)
    slli t5, t5, 8
    or t5, t5, t6
    lbu t6, 1(a0)
    slli t5, t5, 8
    or t5, t5, t6
    lbu t6, 0(a0)
    slli t5, t5, 8
    or a0, t5, t6
    ret

fresh_line:                         # a newline, unless the output is at the start of a line
    beqz s9, 1f
    li t5, '\n'
    beq s9, t5, 1f
    li t6, UART
    sb t5, 0(t6)
1:  ret

puts:                               # a0: a NUL-terminated string
    mv t5, a0
    li t6, UART
1:  lbu a0, 0(t5)
    beqz a0, 2f
    sb a0, 0(t6)
    addi t5, t5, 1
    j 1b
2:  ret

put_constant:                       # a0: a constant (u16 length, then the bytes)
    lbu t5, 0(a0)
    lbu t6, 1(a0)
    slli t6, t6, 8
    or a1, t5, t6
    addi t5, a0, 2                  # t5: the next byte
    add a1, a1, t5                  # a1: the end
    li t6, UART
1:  bgeu t5, a1, 2f
    lbu a0, 0(t5)
    sb a0, 0(t6)
    mv s9, a0                       # the last byte printed
    addi t5, t5, 1
    j 1b
2:  ret

put_int:                            # a0: a signed 32-bit integer, printed in decimal
    addi sp, sp, -16
    li t6, UART
    mv t5, a0
    bgez t5, 1f
    li a0, '-'
    sb a0, 0(t6)
    neg t5, t5                      # INT_MIN stays 0x80000000: 2147483648 unsigned
1:  addi a0, sp, 12                 # digits go backwards from 11(sp) (10 at most)
    mv a1, a0
2:  li t6, 10
    remu t6, t5, t6
    addi t6, t6, '0'
    addi a0, a0, -1
    sb t6, 0(a0)
    li t6, 10
    divu t5, t5, t6
    bnez t5, 2b
    li t6, UART
3:  lbu t5, 0(a0)
    sb t5, 0(t6)
    addi a0, a0, 1
    bltu a0, a1, 3b
    li s9, '0'                      # the last byte printed: a digit
    addi sp, sp, 16
    ret

    .section .rodata
msg_div_zero:       .string "ArithmeticException: / by zero"
msg_stack_overflow: .string "StackOverflowError"
msg_bad_opcode:     .string "InternalError: bad opcode "
msg_at:             .string "\n    at "
msg_pc:             .string " (pc "
msg_end:            .string ")\n"
msg_bad_magic:      .string "ClassFormatError: bad magic number\n"
msg_bad_version:    .string "ClassFormatError: unsupported version\n"
msg_bad_counts:     .string "ClassFormatError: too many constants or functions\n"

    .bss
    .balign 16
native_stack:       .space 1024
native_stack_top:
constant_table:     .space MAX_CONSTANTS * 4
function_table:     .space MAX_FUNCTIONS * 16
vm_stack:           .space STACK_WORDS * 4
