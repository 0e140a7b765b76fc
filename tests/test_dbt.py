"""The dynamic binary translator (``vmlib.machine.dbt``) behaves like the interpreter.

- the whole conformance suite runs under the translator with the recorded output and status,
  and ends in the interpreter's state (same instruction count, registers, pc);
- self-modifying code: a store into a translated block drops the block, and the new code runs;
- the step budget is exact, however it cuts through blocks and loops;
- a timer interrupt arrives at the same instruction inside a translated loop;
- blocks that fall through a page boundary under Sv32, onto a page that is remapped later;
- a fault in the middle of a block leaves the registers written before it, and the count;
- what a learner sees: ``block_source``, statistics, the block-cache history;
- the process VM's ``--engine dbt`` runs a C program like the interpreter does.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from vmlib.machine import Machine
from vmlib.machine.dbt import block_source, Translator
from vmlib.machine.virtio import Block, Console, DiskImage

REPO = Path(__file__).resolve().parent.parent
SUITE = REPO / 'tests' / 'conformance'
MANIFEST = json.loads((SUITE / 'expected.json').read_text())
MAX_STEPS = 10_000_000

_spec = importlib.util.spec_from_file_location('conformance_record', SUITE / 'record.py')
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)


def boot(path, engine, **translator):
    """Run a conformance program in-process like ``python -m vmlib boot`` does."""
    stdin = [record.stdin_of(path)]

    def source():
        data, stdin[0] = stdin[0], b''
        return data
    disk = record.disk_of(path)         # (a virtio console writes with the UART, in order)
    virtio = [] if disk is None else [Block(DiskImage.from_bytes(disk.read_bytes())), Console()]
    m = Machine.from_elf(path, engine=engine, uart_input_source=source, virtio=virtio)
    for name, value in translator.items():
        setattr(m.hart.translator(), name, value)
    r = m.run(MAX_STEPS)
    status = (r.exit_status if r.reason in ('poweroff', 'htif') else
              0 if r.reason == 'reset' else 124 if r.reason == 'budget' else 125)
    return m, bytes(m.uart.output).decode('latin-1'), status


def final_state(m):
    h = m.hart
    return (h.x[:32], h.pc, h.priv, h.instret, h.halted, dict(h.stats_traps))


@pytest.mark.parametrize('name', sorted(MANIFEST))
def test_conformance_suite_under_the_translator(name):
    path = SUITE / f'{name}.elf'
    m, out, status = boot(path, 'dbt', threshold=0)     # translate every block at once
    assert out == (SUITE / f'{name}.expected').read_text()
    assert status == MANIFEST[name]['exit_status']
    reference, _, _ = boot(path, 'interp')
    assert final_state(m) == final_state(reference)
    assert m.hart.translator().translated > 0


def run_both(source, steps=1_000_000, **translator):
    machines = []
    for engine in ('interp', 'dbt'):
        m = Machine.from_source(source, engine=engine, ram_size=1 << 22)
        if engine == 'dbt':
            for name, value in translator.items():
                setattr(m.hart.translator(), name, value)
        m.run(steps)
        machines.append(m)
    interp, dbt = machines
    assert final_state(interp) == final_state(dbt)
    assert interp.output == dbt.output
    assert bytes(interp.bus.ram[:0x10000]) == bytes(dbt.bus.ram[:0x10000])
    return interp, dbt


POWEROFF = """
    li t0, 0x5555
    lui t1, 0x100
    sw t0, 0(t1)
"""


def test_self_modifying_code_in_a_translated_loop():
    """A hot loop is translated, then the program rewrites an instruction inside it: the
    block is dropped and the loop goes on with the new instruction."""
    source = """
        li a0, 0
        li s0, 1000
        la s1, patch
        lw s2, new_insn
    loop:
    patch:
        addi a0, a0, 1              # becomes addi a0, a0, 100 at iteration 500
        addi s0, s0, -1
        li t0, 500
        bne s0, t0, 1f
        sw s2, 0(s1)                # rewrite the first instruction of the loop
    1:  bnez s0, loop
    """ + POWEROFF + """
    new_insn:
        addi a0, a0, 100
    """
    interp, dbt = run_both(source, threshold=2)
    assert dbt.reg('a0') == 500 * 1 + 500 * 100
    t = dbt.hart.translator()
    assert t.invalidations >= 1
    assert t.stats()['invalidations'] == t.invalidations


def test_a_store_into_the_running_block_ends_it():
    """The instruction right after the store is the one just written (no stale copy runs)."""
    source = """
        la s1, target
        lw s2, new_insn
        li s0, 3
    loop:
        sw s2, 0(s1)
    target:
        li a0, 1                    # rewritten to li a0, 2 by the store just before it
        add a1, a1, a0
        addi s0, s0, -1
        bnez s0, loop
    """ + POWEROFF + """
    new_insn:
        li a0, 2
    """
    interp, dbt = run_both(source, threshold=0)
    assert dbt.reg('a1') == 6


COUNTER_LOOP = """
    li a0, 0
    li a1, 0
1:  addi a0, a0, 1
    add a1, a1, a0
    andi t0, a0, 7
    bnez t0, 2f
    addi a2, a2, 3
2:  j 1b
"""


@pytest.mark.parametrize('max_block', [1, 4, 64])
@pytest.mark.parametrize('budget', [1, 2, 3, 7, 63, 64, 65, 129, 1000, 54321])
def test_the_step_budget_is_exact(budget, max_block):
    interp, dbt = run_both(COUNTER_LOOP, budget, threshold=0, max_block=max_block)
    assert dbt.hart.instret == budget


def test_a_budget_cut_into_pieces_agrees_with_one_run():
    whole = Machine.from_source(COUNTER_LOOP, engine='dbt')
    whole.run(100_000)
    pieces = Machine.from_source(COUNTER_LOOP, engine='dbt')
    done = 0
    for b in [1, 5, 77, 64, 65, 3000, 1, 2]:
        pieces.run(b)
        done += b
        assert pieces.hart.instret == done
    pieces.run(100_000 - done)
    assert final_state(whole) == final_state(pieces)


TIMER = """
    .equ MTIMECMP, 0x2004000
    .equ MTIME, 0x200bff8
    la t0, handler
    csrw mtvec, t0
    li s0, 0                        # interrupts taken
    li s1, 0x80100000               # where the handler records what it saw
    li t0, MTIMECMP
    li t1, 1000                     # the first tick at mtime 1000 (instret 10000)
    sw t1, 0(t0)
    sw zero, 4(t0)
    li t0, 1 << 7
    csrs mie, t0                    # MTIE
    csrsi mstatus, 8                # MIE
    li a0, 0
spin:
    addi a0, a0, 1                  # a translated loop (jal back to its own start)
    j spin
handler:
    csrr t2, mepc
    sw t2, 0(s1)
    sw a0, 4(s1)
    csrr t2, minstret
    sw t2, 8(s1)
    addi s1, s1, 12
    addi s0, s0, 1
    li t2, 5
    beq s0, t2, done
    li t0, MTIME
    lw t1, 0(t0)
    addi t1, t1, 777                # the next tick, 7770 instructions on
    li t0, MTIMECMP
    sw t1, 0(t0)
    mret
done:
""" + POWEROFF


def test_a_timer_interrupt_arrives_at_the_same_instruction_in_a_translated_loop():
    interp, dbt = run_both(TIMER, threshold=0)
    assert dbt.hart.halted[0] == 'poweroff'
    seen = [int.from_bytes(dbt.read_memory(0x80100000 + 4 * i, 4), 'little') for i in range(15)]
    assert seen == [int.from_bytes(interp.read_memory(0x80100000 + 4 * i, 4), 'little')
                    for i in range(15)]
    assert seen[1] > 1000                   # the loop did run for a while between ticks
    t = dbt.hart.translator()
    assert any(b.loop for b in t.info.values())


# S-mode under Sv32 with 4 KiB pages: virtual 0x40000000 and 0x40001000 map to physical pages
# that are not neighbours, and a straight run of code falls through from the first to the
# second. Then M-mode points the second virtual page at another physical page holding
# different code, runs sfence.vma, and runs the same virtual code again.
SV32 = """
    .equ V, 0x40000000
    .equ FLAGS, 0xCB                # V R X A (+ D): kernel code, no U
    .text
    .globl _start
_start:
    la t0, trap
    csrw mtvec, t0
    la s0, root
    la s1, l0
    # root[V >> 22] -> l0 table; RAM megapage identity map for M-mode-free access
    srli t0, s1, 12
    slli t0, t0, 10
    ori t0, t0, 1
    li t1, (V >> 22) * 4
    add t1, s0, t1
    sw t0, 0(t1)
    li t0, (0x80000000 >> 2) | 0xCF
    li t1, (0x80000000 >> 22) * 4
    add t1, s0, t1
    sw t0, 0(t1)
    # l0[0] -> page_a, l0[1] -> page_b
    la t0, page_a
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, FLAGS
    sw t0, 0(s1)
    la t0, page_b
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, FLAGS
    sw t0, 4(s1)
    srli t0, s0, 12
    li t1, 1 << 31
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    li s2, 0                        # rounds
    li a0, 0
enter:
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11                  # MPP = S
    csrs mstatus, t0
    li t0, V + 0x1000 - 16          # four instructions before the page boundary
    csrw mepc, t0
    mret
trap:                               # the ecall at the end of the S-mode code lands here
    addi s2, s2, 1
    li t0, 3
    beq s2, t0, finish
    li t0, 2
    bne s2, t0, enter
    la t0, page_c                   # second round done: remap V + 0x1000 to page_c
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, FLAGS
    sw t0, 4(s1)
    sfence.vma
    j enter
finish:
""" + POWEROFF + """
    .balign 4096
page_a:
    .space 4096 - 16
    addi a0, a0, 1
    addi a0, a0, 2
    addi a0, a0, 3
    addi a0, a0, 4                  # falls through into the next virtual page
    .balign 4096
page_x:                             # the physical neighbour of page_a: never mapped
    .word 0
    .balign 4096
page_b:
    addi a0, a0, 100
    addi a0, a0, 100
    ecall
    .balign 4096
page_c:
    addi a0, a0, 1000
    addi a0, a0, 1000
    ecall
    .bss
    .balign 4096
root:
    .space 4096
l0:
    .space 4096
"""


@pytest.mark.parametrize('max_block', [3, 64])
def test_blocks_cross_pages_under_sv32_and_follow_a_remap(max_block):
    interp, dbt = run_both(SV32, threshold=0, max_block=max_block)
    assert dbt.hart.halted[0] == 'poweroff'
    assert dbt.reg('a0') == 2 * (10 + 200) + (10 + 2000)
    t = dbt.hart.translator()
    # no block runs past the end of its page
    assert all((b.pc & 0xFFF) + 4 * b.length <= 0x1000 for b in t.info.values())
    # the same virtual pc was translated twice: once per physical page behind it
    assert len([b for b in t.info.values() if b.pc == 0x40001000]) == 2


FAULT_MID_BLOCK = """
    la t0, handler
    csrw mtvec, t0
    li a0, 10
    li a1, 20
    j block
block:
    addi a0, a0, 1
    addi a1, a1, 2
    lw a2, 0(zero)                  # access fault: nothing at address 0
    addi a0, a0, 100                # skipped by the handler
    addi a3, a3, 1
    j after
after:
    addi a4, a4, 1
    j after
handler:
    csrr s0, mepc
    csrr s1, minstret
    csrr s2, mcause
    addi s0, s0, 4
    csrw mepc, s0
    mret
"""


def test_a_fault_in_the_middle_of_a_block_keeps_what_ran_before_it():
    interp, dbt = run_both(FAULT_MID_BLOCK, 500, threshold=0)
    assert (dbt.reg('a0'), dbt.reg('a1'), dbt.reg('a3')) == (111, 22, 1)
    assert dbt.reg('s2') == 5                               # load access fault
    assert dbt.reg('s0') == dbt.symbols['block'] + 12       # mepc (+4) = the lw, then on
    assert dbt.reg('s1') == 8 + 1       # 8 retired before the lw, 1 in the handler before csrr


LOOP_SHAPES = {
    # a loop whose blocks are joined into one Python loop: a forward exit in the middle, the
    # taken branch back to the head at the end
    'exit-if-taken': ("""
        li a0, 300
        la s0, 0x80100000
    head:
        lw t0, 0(s0)
        beq t0, a0, out             # never: a side exit
        addi t0, t0, 3
        sw t0, 0(s0)
        addi a0, a0, -1
        bnez a0, head
    out:
    """, ['plain', 'exit-if-taken', 'plain', 'plain', 'plain', 'close-if-taken']),
    # the path jumps back to a label before the head and falls into the head
    'close-fall': ("""
        li a0, 300
        j head
    before:
        addi a1, a1, 1              # falls into head
    head:
        addi a0, a0, -1
        beqz a0, out
        j before
    out:
    """, ['plain', 'exit-if-taken', 'jump', 'close-fall']),
    # the last branch's fall-through is the head
    'close-if-not-taken': ("""
        li a0, 300
        j head
    before:
        addi a1, a1, 1
        beqz a0, out                # not taken: falls into head
    head:
        addi a0, a0, -1
        add a2, a2, a0
        j before
    out:
    """, ['plain', 'plain', 'jump', 'plain', 'close-if-not-taken']),
    # an endless loop closed by a jal (the budget ends it)
    'close-jal': ("""
    head:
        addi a0, a0, 1
        j head
    """, ['plain', 'close-jal']),
}


@pytest.mark.parametrize('shape', sorted(LOOP_SHAPES))
def test_loops_of_several_blocks_become_one_python_loop(shape):
    source, roles = LOOP_SHAPES[shape]
    interp, dbt = run_both(source + POWEROFF, 20_000, threshold=0)
    head = dbt.symbols['head']
    loops = [b for b in dbt.hart.translator().info.values() if b.loop and b.pc == head]
    assert [b.roles for b in loops] == [roles]
    assert dbt.hart.halted is None if shape == 'close-jal' else dbt.hart.halted[0] == 'poweroff'


def test_block_source_shows_the_python_a_block_becomes():
    m = Machine.from_source(COUNTER_LOOP, engine='dbt')
    pc = m.hart.pc + 8
    text = block_source(m, pc)
    assert f'def block_{pc:08x}(n):' in text
    assert 'addi a0, a0, 1' in text and 'add a1, a1, a0' in text    # disassembly comments
    assert 'x10 = (x10 + 1) & 0xFFFFFFFF' in text                   # the table's snippet
    compile(text, 'block', 'exec')
    m.run(10_000)                       # showing a block changed nothing; running still works
    assert m.hart.instret == 10_000


def test_a_loop_becomes_a_python_for_loop():
    m = Machine.from_source('li a0, 100\n1: addi a0, a0, -1\n bnez a0, 1b\n' + POWEROFF,
                            engine='dbt')
    text = block_source(m, m.hart.pc + 4)
    assert 'for n in range(n, stop' in text and 'continue' in text


def test_statistics_and_block_cache_history():
    m = Machine.from_source(COUNTER_LOOP, engine='dbt')
    t = m.hart.translator()
    t.threshold = 0
    m.run(200_000)
    s = t.stats()
    for key in ('blocks translated', 'cache hits', 'chain hits', 'invalidations',
                'block runs', 'exits linked'):
        assert key in s
    assert s['blocks translated'] == len(t.info) > 0
    assert s['chain hits'] > 1000               # the loop's blocks jump to each other
    counts = [h[1] for h in t.history]
    assert counts == sorted(counts) and counts[-1] == s['blocks translated']
    assert all(h[0] <= m.hart.instret for h in t.history)


def test_cold_blocks_are_interpreted_until_hot():
    m = Machine.from_source(COUNTER_LOOP, engine='dbt')
    t = m.hart.translator()
    assert t.threshold > 0
    m.run(t.threshold)                  # no block can have run more than threshold times
    assert t.translated == 0 and t.interpreted == t.threshold
    m.run(100_000)
    assert t.translated > 0


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match='engine'):
        Machine(engine='jit')
    assert isinstance(Machine(engine='dbt').hart.translator(), Translator)


def test_the_process_vm_runs_a_c_program_under_the_translator():
    procvm = pytest.importorskip('vmlib.procvm')
    results = {}
    for engine in ('interp', 'dbt'):
        vm = procvm.ProcessVM(REPO / 'guests' / 'compute.elf', ['compute'], engine=engine,
                              capture=True)
        r = vm.run()
        results[engine] = (r.reason, r.exit_status, r.instructions, r.stdout, r.stderr)
        if engine == 'dbt':
            assert vm.engine.stats()['blocks translated'] > 0
    assert results['interp'] == results['dbt']
    assert results['dbt'][1] == 0


def test_invalidate_and_flush_drop_blocks_and_unlink_them():
    m = Machine.from_source(COUNTER_LOOP, engine='dbt')
    t = m.hart.translator()
    t.threshold = 0
    m.run(10_000)
    assert t.links > 0 and len(t.info) > 1
    first = min(b.pc for b in t.info.values())
    t.invalidate(first, first + 4)              # the first block only
    assert all(b.pc != first for b in t.info.values()) and t.dropped == 1
    for b in t.info.values():                   # nothing links to a dropped block
        cells = dict(zip(b.func.__code__.co_freevars, b.func.__closure__))
        assert all(getattr(c.cell_contents, 'pc', None) != first or c.cell_contents in
                   (r for r in b.resolvers.values()) for c in cells.values())
    t.flush()
    assert not t.info and not t.blocks and not any(any(c) for c in t.cover.values())
    m.run(10_000)                               # and it all comes back
    assert m.hart.instret == 20_000 and t.info


def test_shorter_blocks_after_longer_ones_keep_the_budget_exact():
    m = Machine.from_source(COUNTER_LOOP, engine='dbt')
    t = m.hart.translator()
    t.threshold = 0
    m.run(5_000)
    t.max_block = 1                     # the blocks already made are longer than that
    for b in (1, 2, 3, 50, 1000):
        before = m.hart.instret
        m.run(b)
        assert m.hart.instret == before + b
