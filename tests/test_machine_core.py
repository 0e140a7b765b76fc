"""The machine's core pieces that the process VM and the hypervisor share: runs that end with
an Exit value, one architectural state (snapshot and restore), one instruction emulator for
any ArchState, one Sv32 walker, one page-table writer, one frame pool, one device map."""

import pytest
from hypothesis import given, strategies as st

from vmlib.asm import assemble
from vmlib.isa.table import AMO_OPS
from vmlib.machine import Machine, Exit, ENGINES
from vmlib.machine import sv32
from vmlib.machine.bus import Bus, RAM_BASE
from vmlib.machine.devicemap import DeviceMap
from vmlib.machine.devices import Uart16550, SifiveTest, UART_BASE, UART_SIZE
from vmlib.machine.execute import emulate
from vmlib.machine.frames import FramePool, OutOfFrames
from vmlib.machine.state import ArchState
from vmlib.machine.traps import (Trap, ILLEGAL_INSTRUCTION, MISALIGNED_STORE, LOAD_PAGE_FAULT,
                                 LOAD_ACCESS, M, S, U)

def assemble_instruction(text):
    """The word of one instruction, by vmlib's assembler."""
    return int.from_bytes(assemble(text).sections[0].data[:4], 'little')


LOOP = """
    li a0, 0
    li a1, 1000
1:  add a0, a0, a1
    addi a1, a1, -1
    bnez a1, 1b
    ecall
2:  j 2b
"""


# --- a run ends with an Exit -----------------------------------------------------------------

@pytest.mark.parametrize('engine', list(ENGINES))
def test_a_run_ends_with_an_exit_value(engine):
    m = Machine.from_source(LOOP, engine=engine)
    exit = m.hart.run(100)
    assert exit == Exit('budget', pc=m.hart.pc, retired=100)
    m.hart.halt('poweroff', 0, 'by hand')
    assert m.hart.run(100).reason == 'halted' and m.hart.run(100).retired == 0


@pytest.mark.parametrize('engine', list(ENGINES))
def test_a_trap_hook_can_end_the_run_with_an_exit_of_its_own(engine):
    m = Machine.from_source(LOOP, engine=engine)
    seen = []

    def hook(cause, tval):
        seen.append((cause, m.hart.pc, m.hart.instret))
        m.hart.exit_now(Exit('ecall', cause, tval, m.hart.pc))
        m.hart.pc += 4
        return True
    m.hart.trap_hook = hook
    exit = m.hart.run(1_000_000)
    assert exit.reason == 'ecall' and exit.cause == 11 and exit.retired == 3002
    assert seen == [(11, exit.pc, 3002)] and m.hart.halted is None
    assert m.hart.x[10] == 500500
    assert m.hart.run(10).reason == 'budget'         # the request does not outlive its run


# --- one architectural state ---------------------------------------------------------------------

@pytest.mark.parametrize('engine', list(ENGINES))
def test_a_snapshot_of_the_architectural_state_restores_the_run(engine):
    m = Machine.from_source(LOOP, engine=engine)
    m.hart.run(1234)
    state, ram = m.hart.snapshot(), bytes(m.bus.ram[:1 << 16])
    m.hart.run(1000)
    later = m.hart.snapshot()
    m.hart.restore(state)
    m.bus.load_bytes(RAM_BASE, ram)
    m.hart.run(1000)
    assert m.hart.snapshot() == later
    assert set(state) >= {'x', 'pc', 'priv', 'mstatus', 'satp', 'mepc', 'medeleg'}


def test_an_archstate_takes_traps_and_returns_as_the_spec_says():
    s = ArchState()
    s.priv, s.pc, s.stvec, s.medeleg = U, 0x400, 0x8000_0100, 1 << 8
    s.take_trap(8, 0)                                   # delegated: into S
    assert (s.priv, s.pc, s.sepc, s.scause) == (S, 0x8000_0100, 0x400, 8)
    s.take_trap(2, 0x1234)                              # not delegated: into M, from S
    assert (s.priv, s.mepc, s.mcause, s.mtval) == (M, 0x8000_0100, 2, 0x1234)
    assert s.mstatus >> 11 & 3 == S                     # MPP
    s.mepc = 0x8000_0200
    assert s.trap_return('mret') == 0x8000_0200 and s.priv == S
    s.sepc = 0x404
    assert s.trap_return('sret') == 0x404 and s.priv == U


# --- one instruction emulator, for any ArchState ---------------------------------------------

class DictMemory:
    """A memory as an executor wants it, over a dict of words (faults outside it)."""

    def __init__(self, words):
        self.words = dict(words)

    def load(self, va, size, access='load'):
        if va not in self.words:
            raise Trap(LOAD_ACCESS, va)
        return self.words[va]

    def store(self, va, size, value):
        self.words[va] = value


@given(name=st.sampled_from(sorted(AMO_OPS)), old=st.integers(0, 2**32 - 1),
       value=st.integers(0, 2**32 - 1))
def test_an_amo_means_the_same_on_the_hart_and_on_any_archstate(name, old, value):
    word = assemble_instruction(f'{name} a0, a1, (a2)')
    s, memory = ArchState(), DictMemory({0x1000: old})
    s.x[11], s.x[12], s.pc = value, 0x1000, 0x80
    assert emulate(s, memory, word, 0x80) == 0x84
    m = Machine.from_source(f"""
        li a1, {value}
        la a2, cell
        {name} a0, a1, (a2)
        lw a3, 0(a2)
    1:  j 1b
        .data
    cell: .word {old}
    """)
    m.run(50)
    assert (s.x[10], memory.words[0x1000]) == (m.reg('a0'), m.reg('a3')) == \
        (old, AMO_OPS[name](old, value))


def test_the_emulator_traps_as_the_hart_would():
    s = ArchState()
    s.priv = S
    with pytest.raises(Trap) as t:                      # mret is for M-mode only
        emulate(s, DictMemory({}), assemble_instruction('mret'), 0)
    assert t.value.cause == ILLEGAL_INSTRUCTION
    s.x[12] = 0x1002
    with pytest.raises(Trap) as t:
        emulate(s, DictMemory({}), assemble_instruction('amoadd.w a0, a1, (a2)'), 0)
    assert (t.value.cause, t.value.tval) == (MISALIGNED_STORE, 0x1002)
    assert emulate(s, DictMemory({}), assemble_instruction('csrw sscratch, a2'), 0) == 4
    assert s.sscratch == 0x1002
    with pytest.raises(ValueError, match='not an instruction to emulate'):
        emulate(s, DictMemory({}), assemble_instruction('add a0, a1, a2'), 0)


# --- one Sv32 walker, one page-table writer, one frame pool -------------------------------------

def test_the_walker_reads_through_any_memory_and_tells_why():
    bus = Bus(1 << 20)
    pool = FramePool(bus)
    table = sv32.PageTable(bus.ram32, pool)
    table.set(0x400, sv32.leaf(RAM_BASE + 0x5000, sv32.PTE_V | sv32.PTE_R | sv32.PTE_U))

    def read(pa):
        return bus.read(pa, 4) if bus.ram_index(pa) is not None else None
    told = []
    t = sv32.walk(read, table.satp, 0x0040_0123, sv32.LOAD, U, explain=told)
    assert t.pa == RAM_BASE + 0x5123 and len(t.steps) == 2 and t.level == 0
    assert told[-1] == 'a 4 KiB page: R = 1, U = 1'
    with pytest.raises(sv32.WalkFault) as f:
        sv32.walk(read, table.satp, 0x0040_0123, sv32.LOAD, S)      # S without SUM
    assert f.value.cause == LOAD_PAGE_FAULT and 'SUM' in f.value.reason
    assert sv32.walk(read, table.satp, 0x0040_0123, sv32.LOAD, S, sum_=True).pa == t.pa
    with pytest.raises(sv32.WalkFault) as f:
        sv32.walk(lambda pa: None, table.satp, 0, sv32.LOAD, U)      # no memory at all
    assert f.value.cause == LOAD_ACCESS
    table.clear(0x400)
    with pytest.raises(sv32.WalkFault):
        sv32.walk(read, table.satp, 0x0040_0123, sv32.LOAD, U)


def test_frames_come_zeroed_and_run_out_with_a_reason():
    bus = Bus(1 << 20)
    pool = FramePool(bus, base=0x1000, size=3 * 4096)
    frames = [pool.alloc() for _ in range(3)]
    assert frames == [0x1000, 0x2000, 0x3000] and pool.in_use == 3 and pool.available == 0
    with pytest.raises(OutOfFrames):
        pool.alloc()
    bus.ram[0x2000:0x2004] = b'\xff' * 4
    pool.release(0x2000)
    assert pool.alloc() == 0x2000 and bytes(bus.ram[0x2000:0x2004]) == bytes(4)
    table = sv32.PageTable(bus.ram32, FramePool(bus, base=0x10000, size=2 * 4096))
    table.set(5, 0x1)
    with pytest.raises(OutOfFrames):                    # a second level-0 table: no frame
        table.set(5 << 10, 0x1)
    table.release()
    assert table.frames.in_use == 0


def test_a_device_registers_once_and_every_path_finds_it():
    uart = Uart16550()
    devices = DeviceMap([(UART_BASE, UART_SIZE, uart)])
    with pytest.raises(ValueError, match='overlaps uart'):
        devices.register(UART_BASE + 8, 8, SifiveTest())
    bus = Bus(1 << 16, devices)
    bus.write(UART_BASE, 1, ord('k'))
    assert devices.find(UART_BASE + 5) == (UART_BASE, uart) and uart.text() == 'k'
    assert devices.device('uart') is uart and devices.find(0) == (None, None)
