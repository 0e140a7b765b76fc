"""Property tests of the binary translator: for random programs, the translator and the
interpreter end in the same state — registers, memory, pc, privilege, instruction count,
traps — both at the end and at any step budget on the way.

The programs (``strategies.control_programs``) mix ALU work, loads and stores (some
misaligned) into a data region, forward branches and jumps (some to misaligned targets),
bounded loops, ``ecall``/``ebreak``, CSR accesses (some illegal, some changing ``mstatus``,
hence the privilege ``mret`` returns to), illegal words and stores that rewrite the program
itself. A trap handler skips each trapping instruction; timer interrupts may arrive every few
hundred instructions. They run in M-mode with paging off, or in S-mode under Sv32, placed so
that they cross a page boundary.
"""

import os

from hypothesis import given, settings, strategies as st, HealthCheck

from strategies import (control_programs, register_values, FREE_REGS, CODE_BASE_REG,
                        DATA_BASE_REG)
from vmlib.machine import Machine

BUDGET = 4000
# examples per property; a deeper search: DBT_PROPERTY_EXAMPLES=2000 pytest tests/test_dbt_prop...
EXAMPLES = int(os.environ.get('DBT_PROPERTY_EXAMPLES', '60'))

HARNESS = """
    .equ PTE_FLAGS, 0xCF                # V R W X A D: identity megapages for S-mode
    .text
    .globl _start
_start:
    la x22, handler
    csrw mtvec, x22
    li x22, {timer}                     # timer interrupts every {timer} ticks (0: none)
    beqz x22, 3f
    li x23, 0x2004000
    sw x22, 0(x23)                      # mtimecmp
    sw x0, 4(x23)
    li x22, 0x80
    csrs mie, x22                       # MTIE
    csrsi mstatus, 8                    # MIE
3:  la x{gp}, data
    la x{code}, program
    li x22, {sv32}
    beqz x22, 2f
    la x22, root                        # Sv32: identity megapages over I/O and RAM
    sw x0, 0(x22)
    li x23, PTE_FLAGS                   # VPN 0: 0x0000_0000.. (the test device)
    sw x23, 0(x22)
    li x23, (0x80000000 >> 2) | PTE_FLAGS
    li x24, 0x200 * 4
    add x24, x22, x24
    sw x23, 0(x24)                      # VPN 0x200: RAM
    li x24, 0
    srli x22, x22, 12
    li x23, 1 << 31
    or x22, x22, x23
    csrw satp, x22
    sfence.vma
    li x22, 1 << 11                     # MPP = S
    csrw mstatus, x22
    la x22, program
    csrw mepc, x22
    li x22, 0
    li x23, 0
    mret
2:  li x22, 0
    j program
handler:
    csrr x31, mcause
    bltz x31, 4f                        # an interrupt: the timer
    csrr x31, mepc                      # an exception: skip the trapping instruction
    addi x31, x31, 4
    csrw mepc, x31
    mret
4:  li x31, 0x200bff8                   # the next tick
    lw x30, 0(x31)
    addi x30, x30, {timer}
    li x31, 0x2004000
    sw x30, 0(x31)
    mret
    .balign 4096
    .space {pad}
program:
{words}
epilogue:
    li x22, 0x5555
    lui x23, 0x100
    sw x22, 0(x23)
1:  j 1b
    .data
    .balign 4096
data:
    .space 4096
    .bss
    .balign 4096
root:
    .space 4096
"""


def build(words, pad, sv32, timer=0):
    return HARNESS.format(gp=DATA_BASE_REG, code=CODE_BASE_REG, sv32=int(sv32), pad=pad,
                          timer=timer, words='\n'.join(f'    .word {w:#010x}' for w in words))


def make(source, engine, regs, threshold, max_block, use_locals=True):
    m = Machine.from_source(source, engine=engine, ram_size=1 << 20)
    for r, v in zip(FREE_REGS, regs):
        m.hart.x[r] = v
    m.hart.x[0] = 0
    if engine == 'dbt':
        t = m.hart.translator()
        t.threshold, t.max_block, t.use_locals = threshold, max_block, use_locals
    return m


def state(m):
    h = m.hart
    return {
        'x': h.x[:32], 'pc': h.pc, 'priv': h.priv, 'instret': h.instret, 'halted': h.halted,
        'traps': dict(h.stats_traps), 'mepc': h.mepc, 'mcause': h.mcause, 'mtval': h.mtval,
        'mstatus': h.mstatus, 'mscratch': h.mscratch, 'waiting': h.waiting,
        'ram': bytes(m.bus.ram[:0x8000]), 'uart': bytes(m.uart.output),
    }


def assert_same(a, b, when):
    sa, sb = state(a), state(b)
    for key in sa:
        assert sa[key] == sb[key], f'{key} differs {when}: interp {sa[key]!r:.300} ' \
                                   f'dbt {sb[key]!r:.300}'


PROGRAMS = dict(
    words=control_programs(min_pieces=3, max_pieces=24),
    regs=st.lists(register_values(), min_size=len(FREE_REGS), max_size=len(FREE_REGS)),
    shift=st.integers(0, 48),
    sv32=st.booleans(),
    timer=st.sampled_from((0, 0, 3, 17, 50)),      # ticks between timer interrupts
    threshold=st.sampled_from((0, 0, 0, 1, 3)),
    max_block=st.sampled_from((2, 5, 16, 64)),     # small blocks: translated code near stops
    use_locals=st.sampled_from((True, True, True, False)),  # registers in locals or in R
)


@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
@given(**PROGRAMS)
def test_both_engines_end_in_the_same_state(words, regs, shift, sv32, timer, threshold,
                                           max_block, use_locals):
    source = build(words, 4096 - 4 * min(shift, len(words)), sv32, timer)
    interp = make(source, 'interp', regs, threshold, max_block)
    dbt = make(source, 'dbt', regs, threshold, max_block, use_locals)
    ri, rd = interp.run(BUDGET), dbt.run(BUDGET)
    assert (ri.reason, ri.exit_status, ri.instructions) == \
        (rd.reason, rd.exit_status, rd.instructions)
    assert_same(interp, dbt, 'at the end')


@settings(max_examples=EXAMPLES * 2 // 3, suppress_health_check=[HealthCheck.too_slow])
@given(**PROGRAMS, budgets=st.lists(st.integers(1, 300), min_size=1, max_size=4))
def test_the_same_state_at_every_budget(words, regs, shift, sv32, timer, threshold, max_block,
                                        use_locals, budgets):
    """Runs cut into pieces by random step budgets stop at the same instruction, in the same
    state, on both engines; and running on afterwards still agrees."""
    source = build(words, 4096 - 4 * min(shift, len(words)), sv32, timer)
    interp = make(source, 'interp', regs, threshold, max_block)
    dbt = make(source, 'dbt', regs, threshold, max_block, use_locals)
    for b in budgets:
        interp.run(b)
        dbt.run(b)
        assert_same(interp, dbt, f'after a budget of {b}')
    interp.run(BUDGET)
    dbt.run(BUDGET)
    assert_same(interp, dbt, 'at the end')
