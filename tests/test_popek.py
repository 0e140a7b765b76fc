"""Popek & Goldberg: the non-virtualizable variant of the CPU, and the instruction map."""

import pytest

from vmlib.machine import Machine
from vmlib.machine.traps import ILLEGAL_INSTRUCTION, ECALL_FROM_U

ENGINES = ['interp', 'dbt']
SUM, SPIE = 1 << 18, 1 << 5

# M-mode sets sstatus.SUM and SPIE, enters U-mode at `user`; an ecall (or any trap) comes back
# to `handler`, which records mcause, mepc and mstatus and powers off.
U_MODE = """
    la t0, handler
    csrw mtvec, t0
    li t0, (1 << 18) | (1 << 5)
    csrs mstatus, t0
    la t0, user
    csrw mepc, t0
    li t0, 3 << 11
    csrc mstatus, t0            # MPP = U
    li a0, -1
    li a1, -1
    mret
user:
{body}
    ecall
handler:
    csrr s0, mcause
    csrr s1, mepc
    csrr s2, mstatus
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
1:  j 1b
"""


def run_user(body, engine, **kw):
    m = Machine.from_source(U_MODE.format(body=body), engine=engine, ram_size=1 << 16, **kw)
    result = m.run(10_000)
    assert result.reason == 'poweroff', result
    return m


@pytest.mark.parametrize('engine', ENGINES)
@pytest.mark.parametrize('body', ['csrr a0, sstatus', 'csrw sstatus, zero',
                                  'csrs sstatus, a1', 'csrci sstatus, 2', 'csrrwi a0, sstatus, 0'])
def test_flag_off_sstatus_in_user_mode_is_an_illegal_instruction(engine, body):
    m = run_user(body, engine)
    assert m.reg('s0') == ILLEGAL_INSTRUCTION
    assert m.reg('s1') == m.symbols['user']
    assert m.reg('a0') == 0xFFFFFFFF                # nothing was read


@pytest.mark.parametrize('engine', ENGINES)
def test_flag_on_sstatus_reads_the_real_view_and_writes_are_dropped(engine):
    m = run_user("""
        csrr a0, sstatus
        li t0, (1 << 18) | (1 << 5) | 2
        csrc sstatus, t0        # would clear SUM and SPIE
        csrrw a1, sstatus, zero
        csrsi sstatus, 2        # would set SIE
        csrrci a2, sstatus, 0
    """, engine, nonvirt=True)
    assert m.reg('s0') == ECALL_FROM_U                      # no trap before the ecall
    assert m.reg('a0') == SUM | SPIE                        # the hart's real sstatus view
    assert m.reg('a1') == SUM | SPIE and m.reg('a2') == SUM | SPIE
    assert m.reg('s2') & (SUM | SPIE | 2) == SUM | SPIE     # every write was ignored
    assert m.hart.nonvirt is True


@pytest.mark.parametrize('engine', ENGINES)
@pytest.mark.parametrize('body', ['csrr a0, sscratch', 'csrw sie, zero', 'csrr a0, mstatus',
                                  'csrw stvec, zero', 'sret', 'sfence.vma', 'wfi'])
def test_flag_on_leaves_every_other_privileged_instruction_trapping(engine, body):
    m = run_user(body, engine, nonvirt=True)
    assert m.reg('s0') == ILLEGAL_INSTRUCTION and m.reg('s1') == m.symbols['user']


@pytest.mark.parametrize('engine', ENGINES)
def test_flag_on_changes_nothing_outside_user_mode(engine):
    src = """
        li t0, 1 << 18
        csrs sstatus, t0
        csrr a0, sstatus
        csrc sstatus, t0
        csrr a1, sstatus
        li t0, 0x100000
        li t1, 0x5555
        sw t1, 0(t0)
    """
    for nonvirt in (False, True):
        m = Machine.from_source(src, engine=engine, ram_size=1 << 16, nonvirt=nonvirt)
        assert m.run(1000).reason == 'poweroff'
        assert (m.reg('a0'), m.reg('a1')) == (SUM, 0)


def test_flag_is_off_by_default_and_switchable_on_the_hart():
    assert Machine(ram_size=1 << 16).hart.nonvirt is False
    m = Machine.from_source(U_MODE.format(body='csrr a0, sstatus'), ram_size=1 << 16)
    m.hart.nonvirt = True
    assert m.run(10_000).reason == 'poweroff'
    assert m.reg('s0') == ECALL_FROM_U and m.reg('a0') == SUM | SPIE
