"""The bonus check: vmlib's assembler against the GNU toolchain and QEMU.

The same source is assembled by vmlib and by ``riscv64-unknown-elf-as`` + ``ld`` (placed at
vmlib's section addresses), and the bytes of every section must be equal. vmlib's ELF must
also satisfy ``objdump`` and run on ``qemu-system-riscv32 -M virt``. Each test is skipped,
with the reason, when the tool it needs is not installed (``apt-get install
binutils-riscv64-unknown-elf qemu-system-misc``).
"""

import io
import random
import re
import shutil
import subprocess

import pytest

from vmlib.asm import assemble
from vmlib.isa import SPECS, disassemble

AS = shutil.which('riscv64-unknown-elf-as')
LD = shutil.which('riscv64-unknown-elf-ld')
OBJDUMP = shutil.which('riscv64-unknown-elf-objdump')
QEMU = shutil.which('qemu-system-riscv32')

needs_binutils = pytest.mark.skipif(not (AS and LD), reason='GNU binutils for RISC-V not '
                                    'installed (binutils-riscv64-unknown-elf)')
needs_objdump = pytest.mark.skipif(not OBJDUMP, reason='riscv64-unknown-elf-objdump not '
                                   'installed')
needs_qemu = pytest.mark.skipif(not QEMU, reason='qemu-system-riscv32 not installed '
                                '(qemu-system-misc)')


def gnu_sections(source, program, tmp_path, as_args=()):
    """Assemble and link ``source`` with GNU tools at ``program``'s addresses (``as_args``:
    more options for ``as``, such as ``--defsym``)."""
    from elftools.elf.elffile import ELFFile
    (tmp_path / 'g.s').write_text(source)
    subprocess.run([AS, '-march=rv32ima_zicsr_zifencei_h', '-mabi=ilp32', '-mno-relax', *as_args,
                    str(tmp_path / 'g.s'), '-o', str(tmp_path / 'g.o')],
                   check=True, capture_output=True, text=True)
    starts = []
    for s in program.sections:
        starts.append(f'--section-start={s.name}={s.address:#x}')
    subprocess.run([LD, '-m', 'elf32lriscv', '-nostdlib', '-e', '0', *starts,
                    str(tmp_path / 'g.o'), '-o', str(tmp_path / 'g.elf')],
                   check=True, capture_output=True, text=True)
    elf = ELFFile(io.BytesIO((tmp_path / 'g.elf').read_bytes()))
    out = {}
    for s in elf.iter_sections():
        if s.name in ('.text', '.data', '.rodata', '.bss'):
            data = bytes(s['sh_size']) if s['sh_type'] == 'SHT_NOBITS' else s.data()
            out[s.name] = (s['sh_addr'], data)
    return out


def same_as_gnu(source, tmp_path, defsym=None, include_dirs=()):
    """Assemble ``source`` with vmlib and with GNU ``as`` + ``ld``: the same bytes everywhere."""
    program = assemble(source, defsym=defsym, include_dirs=include_dirs)
    ours = {s.name: (s.address, s.data) for s in program.sections}
    as_args = [f'--defsym={k}={v}' for k, v in (defsym or {}).items()]
    as_args += [f'-I{d}' for d in include_dirs]
    theirs = gnu_sections(source, program, tmp_path, as_args)
    for name in ours:
        assert name in theirs, f'GNU ld made no {name}'
        if ours[name] != theirs[name]:
            a, b = ours[name][1], theirs[name][1]
            first = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), None)
            pytest.fail(f'{name} differs at offset {first}: vmlib {a.hex()} vs GNU {b.hex()}')
    assert set(theirs) == set(ours)


PROGRAM = r'''
    .option norvc
    .equ UART, 0x10000000
    .equ STACK_WORDS, (1 << 6) + 2
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    la      sp, stack_top
    li      a0, 5
    li      a1, 0x12345678
    li      a2, -2048
    li      a3, 0x1000
    li      a4, 0xFFFFFFFF
    li      a5, 0x7FFFF800
    li      a6, STACK_WORDS * 4
    li      t0, UART
    lui     t1, %hi(message)
    addi    t1, t1, %lo(message)
    lw      t2, %lo(counter)(t1)
1:  auipc   t3, %pcrel_hi(counter)
    lw      t3, %pcrel_lo(1b)(t3)
    call    print
    tail    done
print:
    lbu     a0, 0(t1)
    beqz    a0, 2f
    sb      a0, 0(t0)
    addi    t1, t1, 1
    j       print
2:  ret
done:
    mv a0, a1; not a0, a0; neg a0, a0
    seqz a0, a1; snez a0, a1; sltz a0, a1; sgtz a0, a1
    beqz a0, done; bnez a0, done; blez a0, done; bgez a0, done; bltz a0, done
    bgtz a0, done; bgt a0, a1, done; ble a0, a1, done; bgtu a0, a1, done
    bleu a0, a1, done
    jal done; jal ra, done; jr a0; jalr a0; jalr t0, 4(a1); jalr t0, a1; ret; nop
    csrr a0, mstatus; csrw mtvec, a0; csrs mie, a0; csrc mip, a0
    csrwi mscratch, 5; csrsi mstatus, 8; csrci mstatus, 8; csrw mstatus, 3
    csrrw a0, 0x7c0, a1; csrrsi a0, mepc, 31; rdcycle a0; rdtime a1
    fence; fence rw, w; fence.i; sfence.vma; sfence.vma a0; sfence.vma a0, a1
    lr.w a0, (a1); sc.w.rl a0, a2, (a1); amoadd.w.aqrl a0, a1, (a2)
    amoswap.w.aq a0, a1, 0(a2); amomaxu.w a0, a1, (a2)
    ecall; ebreak; mret; sret; wfi
    mul a0, a1, a2; mulh a0, a1, a2; mulhsu a0, a1, a2; mulhu a0, a1, a2
    div a0, a1, a2; divu a0, a1, a2; rem a0, a1, a2; remu a0, a1, a2
    slli a0, a1, 31; srli a0, a1, 1; srai a0, a1, 7; sltiu a0, a1, -1
    lw a0, message; sw a0, counter, t6; lbu a1, message + 1
    .half 0x1234
    .align 3
    .byte 1
    .balign 16
    nop
    .section .rodata
message:
    .asciz "Hello, RISC-V!\n"
    .string "two", "strings"
    .ascii "\t\x41\101\\\""
    .byte 'a' - 10, '\n', -1, 255
    .align 2
table:
    .word _start, done, table + 4, . - table, counter - message
    .half -1, 0xffff
    .dword 0x0102030405060708
    .data
    .p2align 3
counter:
    .word 42
tohost: .dword 0
    .space 3, 0x5a
    .zero 5
    .fill 2, 4, 0x11223344
    .bss
    .balign 16
stack:
    .space STACK_WORDS * 4
stack_top:
'''


@needs_binutils
def test_a_program_using_every_feature_matches_gnu(tmp_path):
    same_as_gnu(PROGRAM, tmp_path)


@needs_binutils
def test_local_labels_and_expressions_match_gnu(tmp_path):
    same_as_gnu(r'''
        .equ A, 100
        .set B, A * 3 + (A >> 2)
    1:  addi a0, a0, B & 0x7ff
        bne a0, a1, 1b
        bne a0, a1, 1f
    1:  j 1b
    2:  .word 1b, 2b, 3f, (1f - 2b) / 4, -7 / 2, -7 % 2, ~0 & 0xff, 'z' - 'a'
    3:  .word (1 << 8) | 3, 0b1010 ^ 017, 0x10 - 020
    1:  .word 1b
    ''', tmp_path)


def random_instructions(seed, count):
    """Disassembly of random legal words, in forms GNU as also accepts.

    Branch and jump targets are written as labels: GNU as turns a branch to a bare address
    into a longer sequence (it cannot know the distance before linking).
    """
    rnd = random.Random(seed)
    labels = {0x8000_0000 + 4 * i: f'L{i}' for i in range(count)}
    lines = []
    for i in range(count):
        spec = rnd.choice(SPECS)
        while True:
            fields = {}
            for name, (lo, hi) in spec.format.ranges.items():
                v = rnd.randint(lo, hi)
                if name == 'imm' and spec.format.name in ('B', 'J'):
                    v = (v // 4) * 4
                    v = max(-4 * i, min(v, 4 * (count - i - 1)))    # stay inside the program
                if name == 'imm' and spec.format.name == 'U':
                    v &= 0xFFFFF000
                fields[name] = v
            if spec.name == 'fence' and not (fields['pred'] and fields['succ']):
                continue                    # GNU as has no syntax for an empty fence set
            break
        word = spec.encode(**fields)
        pc = 0x8000_0000 + 4 * i
        text = disassemble(word, pc, labels, aliases=rnd.random() < .5)
        lines.append((word, f'L{i}: ' + re.sub(r'0x[0-9a-f]+ <(L\d+)>', r'\1', text)))
    return lines


@needs_binutils
@pytest.mark.parametrize('seed', range(3))
def test_random_instructions_match_gnu(tmp_path, seed):
    lines = random_instructions(seed, 300)
    source = '\n'.join(text for _, text in lines) + '\n'
    program = assemble(source)
    assert program.section('.text').data == b''.join(w.to_bytes(4, 'little') for w, _ in lines)
    same_as_gnu(source, tmp_path)


@needs_objdump
def test_objdump_reads_our_elf(tmp_path):
    path = tmp_path / 'p.elf'
    path.write_bytes(assemble(PROGRAM).to_elf())
    r = subprocess.run([OBJDUMP, '-d', str(path)], capture_output=True, text=True, check=True)
    assert r.stderr == ''
    assert '<_start>:' in r.stdout and '<print>:' in r.stdout
    assert 'auipc' in r.stdout and 'file format elf32-littleriscv' in r.stdout
    r = subprocess.run([OBJDUMP, '-t', str(path)], capture_output=True, text=True, check=True)
    assert 'tohost' in r.stdout


HELLO = r'''
    .equ UART, 0x10000000
    .equ TEST, 0x100000
    .globl _start
_start:
    la   a1, msg
    li   a2, UART
1:  lbu  a0, 0(a1)
    beqz a0, 2f
    sb   a0, 0(a2)
    addi a1, a1, 1
    j    1b
2:  la   t0, counter          # .bss starts zeroed
    lw   t1, 0(t0)
    addi t1, t1, 7
    sw   t1, 0(t0)
    slli t1, t1, 16
    li   t2, 0x3333
    or   t1, t1, t2
    li   t0, TEST
    sw   t1, 0(t0)            # exit status 7
3:  j 3b
    .section .rodata
msg: .asciz "Hello from vmlib's assembler\n"
    .bss
counter: .space 4
'''


@needs_qemu
def test_our_elf_runs_on_qemu(tmp_path):
    path = tmp_path / 'hello.elf'
    path.write_bytes(assemble(HELLO).to_elf())
    r = subprocess.run([QEMU, '-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none',
                        '-serial', 'stdio', '-kernel', str(path)],
                       capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.stdout.replace(b'\r\n', b'\n') == b"Hello from vmlib's assembler\n"
    assert r.returncode == 7


def random_expression(rnd, depth=0):
    """A random expression with only the parentheses C needs (see test_asm_properties)."""
    if depth > 3 or rnd.random() < 0.3:
        v = rnd.randint(0, 3000)
        return rnd.choice([str(v), hex(v), f"'{chr(rnd.randint(48, 122))}'"]), 9
    if rnd.random() < 0.15:
        inner, rank = random_expression(rnd, depth + 1)
        return rnd.choice('-~') + (inner if rank == 9 else f'({inner})'), 9
    ranks = {'|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6}
    op = rnd.choice(sorted(ranks))
    (a, ra), (b, rb) = random_expression(rnd, depth + 1), random_expression(rnd, depth + 1)
    if op in ('<<', '>>'):
        b, rb = str(rnd.randint(0, 20)), 9
    a = a if ra >= ranks[op] else f'({a})'
    b = b if rb > ranks[op] else f'({b})'
    return f'{a} {op} {b}', ranks[op]


@needs_binutils
def test_expressions_vmlib_accepts_mean_the_same_to_gnu_as(tmp_path):
    """Whatever vmlib evaluates without asking for parentheses, GNU as evaluates the same."""
    from vmlib.asm import AsmError
    rnd = random.Random(7)
    accepted = refused = 0
    lines = []
    while len(lines) < 300:
        text, _ = random_expression(rnd)
        try:
            assemble(f'.dword {text}')
        except AsmError as e:
            assert 'add parentheses' in e.message or 'right shift of a negative' in e.message
            refused += 1
            continue
        lines.append(f'.dword {text}')
    assert refused > 10                 # the generator does produce ambiguous expressions
    same_as_gnu('\n'.join(lines) + '\n', tmp_path)


CONFORMANCE = sorted((__import__('pathlib').Path(__file__).parent / 'conformance').glob('*.s'))


@pytest.mark.parametrize('source', CONFORMANCE, ids=lambda p: p.stem)
def test_conformance_sources_assemble_to_the_committed_gnu_elfs(source):
    """The conformance programs (built by GNU as + ld with conformance/link.ld, which is
    vmlib's default layout) come out of vmlib byte for byte the same, section by section."""
    from elftools.elf.elffile import ELFFile
    built = source.with_suffix('.elf')
    if not built.exists():
        pytest.skip(f'{built.name} has not been built')
    program = assemble(source.read_text(), str(source))
    elf = ELFFile(io.BytesIO(built.read_bytes()))
    theirs = {}
    for s in elf.iter_sections():
        if s.name in ('.text', '.data', '.rodata', '.bss') and s['sh_size']:
            data = bytes(s['sh_size']) if s['sh_type'] == 'SHT_NOBITS' else s.data()
            theirs[s.name] = (s['sh_addr'], data)
    ours = {s.name: (s.address, s.data) for s in program.sections}
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert ours[name][0] == theirs[name][0], f'{name} placed differently'
        assert ours[name][1] == theirs[name][1], f'{name} contents differ'
    assert program.entry == elf['e_entry']
