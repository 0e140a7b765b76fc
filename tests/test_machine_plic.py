"""The PLIC (``vmlib.machine.plic``) and the UART's interrupt: registers, claim/complete,
priorities, MEIP/SEIP in mip, level re-triggering, IER/IIR, wfi, and bare-metal programs that
take the UART's interrupt through the PLIC. (Checked against QEMU by tests/conformance/plic.s.)
"""

import pytest

from vmlib.machine import Machine
from vmlib.machine.devices import Uart16550
from vmlib.machine.plic import Plic, NUM_SOURCES
from vmlib.machine.traps import Trap, INTERRUPT, MEI, SEI, LOAD_ACCESS, STORE_ACCESS

CLAIM0, CLAIM1 = 0x20_0004, 0x20_1004
THRESHOLD0, THRESHOLD1 = 0x20_0000, 0x20_1000
ENABLE0, ENABLE1 = 0x2000, 0x2080
MEIP, SEIP = 1 << MEI, 1 << SEI


def plic():
    p = Plic()
    p.seen = []
    p.on_change = p.seen.append
    return p


def setup(p, source, priority=1, context=0):
    p.write(4 * source, 4, priority)
    word = ENABLE0 + 0x80 * context + 4 * (source // 32)
    p.write(word, 4, p.read(word, 4) | 1 << source % 32)


# --- registers ---------------------------------------------------------------------------

def test_priorities_are_three_bits_warl_and_source_0_is_hardwired():
    p = plic()
    p.write(0, 4, 7)
    assert p.read(0, 4) == 0
    p.write(4 * 10, 4, 0xFFFF_FFFF)
    assert p.read(4 * 10, 4) == 7
    p.write(4 * 10, 4, 9)                       # QEMU keeps the low bits: 9 -> 1
    assert p.read(4 * 10, 4) == 1
    p.write(4 * (NUM_SOURCES - 1), 4, 5)
    assert p.read(4 * (NUM_SOURCES - 1), 4) == 5
    p.write(4 * NUM_SOURCES, 4, 5)              # QEMU 7.2 has a register for source 96 too
    assert p.read(4 * NUM_SOURCES, 4) == 5
    p.write(4 * NUM_SOURCES + 4, 4, 5)          # past it: nothing
    assert p.read(4 * NUM_SOURCES + 4, 4) == 0


def test_enables_per_context_thresholds_and_unimplemented_offsets():
    p = plic()
    for word in range(3):
        p.write(ENABLE0 + 4 * word, 4, 0xFFFF_FFFF)
    assert [p.read(ENABLE0 + 4 * w, 4) for w in range(4)] == [0xFFFF_FFFF] * 3 + [0]
    assert p.read(ENABLE1, 4) == 0              # context 1 has its own
    p.write(THRESHOLD0, 4, 0xFF)
    p.write(THRESHOLD1, 4, 9)
    assert (p.read(THRESHOLD0, 4), p.read(THRESHOLD1, 4)) == (7, 1)
    p.write(0x20_2000, 4, 3)                    # context 2 does not exist
    assert p.read(0x20_2000, 4) == 0
    assert p.read(0x20_0008, 4) == 0 and p.read(0x1010, 4) == 0
    assert p.read(CLAIM0, 4) == 0               # nothing pending: claim gives 0


def test_only_word_accesses():
    p = plic()
    with pytest.raises(Trap) as e:
        p.read(40, 1)
    assert e.value.cause == LOAD_ACCESS
    with pytest.raises(Trap) as e:
        p.write(40, 2, 1)
    assert e.value.cause == STORE_ACCESS


def test_pending_is_read_only_and_set_by_the_line():
    p = plic()
    line = p.line(10)
    p.write(0x1000, 4, 0xFFFF_FFFF)
    assert p.read(0x1000, 4) == 0
    line(True)
    assert p.read(0x1000, 4) == 1 << 10
    line(False)                                 # a forwarded request is not retracted
    assert p.read(0x1000, 4) == 1 << 10
    with pytest.raises(ValueError):
        p.line(0)
    with pytest.raises(ValueError):
        p.line(NUM_SOURCES)


# --- claim and complete ------------------------------------------------------------------

def test_claim_takes_the_highest_priority_ties_to_the_lowest_id():
    p = plic()
    lines = {s: p.line(s) for s in (3, 5, 40, 41)}
    for s, prio in ((3, 2), (5, 6), (40, 6), (41, 7)):
        setup(p, s, prio)
        lines[s](True)
    assert p.read(0x1004, 4) == 3 << 8          # sources 40 and 41 in word 1
    order = [p.read(CLAIM0, 4) for _ in range(5)]
    assert order == [41, 5, 40, 3, 0]
    assert p.read(0x1000, 4) == 0 and p.read(0x1004, 4) == 0


def test_threshold_masks_priorities_at_or_below_it():
    p = plic()
    setup(p, 7, 3)
    p.line(7)(True)
    assert p.outputs == MEIP
    p.write(THRESHOLD0, 4, 3)
    assert p.outputs == 0 and p.read(CLAIM0, 4) == 0
    p.write(THRESHOLD0, 4, 2)
    assert p.outputs == MEIP and p.read(CLAIM0, 4) == 7
    p.write(4 * 7, 4, 0)                        # priority 0: never


def test_contexts_drive_meip_and_seip_separately():
    p = plic()
    setup(p, 10, 1, context=1)
    p.line(10)(True)
    assert p.seen == [SEIP]
    assert p.read(CLAIM0, 4) == 0               # not enabled for context 0
    assert p.read(CLAIM1, 4) == 10
    assert p.seen == [SEIP, 0]


def test_level_source_is_pending_again_after_complete_while_high():
    p = plic()
    setup(p, 10)
    line = p.line(10)
    line(True)
    assert p.read(CLAIM0, 4) == 10 and p.outputs == 0
    line(False)
    line(True)                                  # in flight: the gateway forwards nothing
    assert p.read(0x1000, 4) == 0
    p.write(CLAIM0, 4, 10)                      # complete: still high, pending again
    assert p.read(0x1000, 4) == 1 << 10 and p.outputs == MEIP
    assert p.read(CLAIM0, 4) == 10
    line(False)
    p.write(CLAIM0, 4, 10)                      # complete with the line low: nothing
    assert p.read(0x1000, 4) == 0 and p.outputs == 0


def test_complete_is_ignored_for_a_source_not_enabled_or_not_claimed():
    p = plic()
    setup(p, 10)
    line = p.line(10)
    line(True)
    assert p.read(CLAIM0, 4) == 10
    p.write(CLAIM1, 4, 10)                      # not enabled for context 1: ignored
    p.write(CLAIM0, 4, 11)                      # not the claimed one: ignored
    line(False)
    line(True)
    assert p.read(0x1000, 4) == 0               # still in flight
    p.write(CLAIM0, 4, 10)
    assert p.read(CLAIM0, 4) == 10


# --- the hart's mip ------------------------------------------------------------------------

def test_machine_plic_drives_mip_and_software_seip_is_ored():
    m = Machine()
    h, p = m.hart, m.plic
    setup(p, 10, 1, context=1)
    m.uart.write(1, 1, 0x02)                    # ETBEI: THR empty, the UART's line goes high
    assert m.csr('mip') & (MEIP | SEIP) == SEIP
    h.mip_soft |= SEIP                          # software's SEIP too
    assert p.read(CLAIM1, 4) == 10
    assert m.csr('mip') & SEIP                  # the OR: software's bit remains
    h.mip_soft &= ~SEIP
    assert not m.csr('mip') & SEIP


def test_csrrs_on_mip_modifies_the_software_seip_not_the_line():
    m = Machine.from_source("""
        li t0, 0x0C000000 + 40
        li t1, 1
        sw t1, 0(t0)                # priority[10] = 1
        li t0, 0x0C002080
        li t1, 1 << 10
        sw t1, 0(t0)                # context 1 enables 10
        li t0, 0x10000000
        li t1, 2
        sb t1, 1(t0)                # ETBEI: SEIP from the PLIC
        csrr s0, mip
        csrsi mip, 2                # SSIP: must not latch SEIP into software's bit
        li t0, 0x10000000
        sb zero, 1(t0)
        li t0, 0x0C201004
        lw s1, 0(t0)                # claim
        sw s1, 0(t0)                # complete (the line is low now)
        csrr s2, mip
        li t0, 0x100000
        li t1, 0x5555
        sw t1, 0(t0)
    """)
    assert m.run(1000).reason == 'poweroff'
    assert m.reg('s0') & SEIP and m.reg('s1') == 10
    assert m.reg('s2') & (SEIP | 2) == 2


# --- the UART's interrupt ------------------------------------------------------------------

class Line:
    def __init__(self):
        self.level = False

    def __call__(self, level):
        self.level = level


def test_uart_ier_and_iir_as_qemu():
    line = Line()
    u = Uart16550(irq=line)
    assert u.read(2, 1) == 0x01                 # no interrupt, FIFOs off
    u.write(1, 1, 0xFF)
    assert u.read(1, 1) == 0x0F                 # IER keeps 4 bits
    assert line.level
    assert u.read(2, 1) == 0x02                 # THRE ... cleared by this read
    assert not line.level and u.read(2, 1) == 0x01
    u.write(0, 1, ord('x'))                     # THR written: empty again, THRE again
    assert line.level and u.read(2, 1) == 0x02
    u.write(2, 1, 0x01)                         # FIFOs on
    assert u.read(2, 1) == 0xC1
    u.feed(b'ab')                               # data outranks THRE
    assert line.level and u.read(2, 1) == 0xC4
    assert u.read(0, 1) == ord('a') and u.read(2, 1) == 0xC4
    assert u.read(0, 1) == ord('b') and not line.level
    u.write(2, 1, 0xC1)                         # trigger level 14: below it, a timeout
    u.feed(b'c')
    assert u.read(2, 1) == 0xCC
    u.write(1, 1, 0x00)
    assert not line.level and u.read(2, 1) == 0xC1
    u.write(1, 1, 0x02)                         # ETBEI set again: THRE at once
    assert line.level and u.read(2, 1) == 0xC2
    assert u.read(5, 1) & 0x61 == 0x61          # LSR unchanged: THRE, TEMT, data ready


def test_uart_without_a_line_still_works():
    u = Uart16550()
    u.write(1, 1, 3)
    u.write(0, 1, ord('!'))
    assert u.text() == '!' and u.read(2, 1) == 0x02


# --- whole programs ------------------------------------------------------------------------

SETUP = """
    la t0, handler
    csrw mtvec, t0
    csrw stvec, t0
    li s0, 0x0C000000
    li s1, 0x10000000
    li t1, 1
    sw t1, 40(s0)               # priority[10] = 1
"""

THRE_M = SETUP + """
    li t0, 0x0C002000
    li t1, 1 << 10
    sw t1, 0(t0)                # context 0 (M) enables source 10
    li t0, 1 << 11
    csrw mie, t0                # MEIE
    csrsi mstatus, 8            # MIE
    li t1, 2
    sb t1, 1(s1)                # ETBEI: THR is empty, the interrupt comes at once
    nop
done:
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
    j .
handler:
    csrr s2, mcause
    li t0, 0x0C200004
    lw s3, 0(t0)                # claim
    lbu s4, 2(s1)               # IIR: THRE, and reading it clears it
    sw s3, 0(t0)                # complete
    lw s5, 0(t0)                # nothing left
    sb zero, 1(s1)
    csrr s6, mip
    mret
"""


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
def test_m_mode_takes_the_uart_thre_interrupt_through_the_plic(engine):
    m = Machine.from_source(THRE_M, engine=engine)
    assert m.run(10_000).reason == 'poweroff'
    assert m.reg('s2') == INTERRUPT | MEI
    assert (m.reg('s3'), m.reg('s4'), m.reg('s5')) == (10, 0x02, 0)
    assert not m.reg('s6') & (MEIP | SEIP)


THRE_S = SETUP + """
    la t0, done
    csrw mtvec, t0              # M: only the final ecall comes here
    li t0, 0x0C002080
    li t1, 1 << 10
    sw t1, 0(t0)                # context 1 (S) enables source 10
    li t0, 1 << 9
    csrw mideleg, t0            # SEI to S
    csrw mie, t0                # SEIE
    la t0, smode
    csrw mepc, t0
    li t0, 1 << 11
    csrw mstatus, t0            # MPP = S
    mret
smode:
    csrsi sstatus, 2            # SIE
    li t1, 2
    sb t1, 1(s1)                # ETBEI
    nop
    ecall
handler:
    csrr s2, scause
    li t0, 0x0C201004
    lw s3, 0(t0)                # claim from context 1
    lbu s4, 2(s1)
    sw s3, 0(t0)
    sb zero, 1(s1)
    csrr s5, sip
    sret
done:
    csrr s6, mcause
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
    j .
"""


def test_s_mode_takes_the_delegated_uart_interrupt_through_context_1():
    m = Machine.from_source(THRE_S)
    assert m.run(10_000).reason == 'poweroff'
    assert m.reg('s6') == 9                     # the ecall from S, in M
    assert m.reg('s2') == INTERRUPT | SEI
    assert (m.reg('s3'), m.reg('s4')) == (10, 0x02)
    assert not m.reg('s5') & SEIP


# --- wfi ---------------------------------------------------------------------------------

WFI_INPUT = """
    li s0, 0x0C000000
    li s1, 0x10000000
    li t1, 1
    sw t1, 40(s0)
    li t0, 0x0C002000
    li t1, 1 << 10
    sw t1, 0(t0)
    li t0, 1 << 11
    csrw mie, t0                # MEIE, with mstatus.MIE = 0: wfi wakes, no trap
    li t1, 1
    sb t1, 1(s1)                # ERBFI
    wfi
    li t0, 0x0C200004
    lw s2, 0(t0)
    lbu s3, 0(s1)
    sw s2, 0(t0)
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
"""


def test_wfi_gets_uart_input_that_can_wake_it():
    chunks = [b'k']
    m = Machine.from_source(WFI_INPUT, uart_input_source=lambda: chunks.pop() if chunks
                            else b'')
    assert m.run(1000).reason == 'poweroff'
    assert (m.reg('s2'), m.reg('s3')) == (10, ord('k'))


def test_wfi_waiting_for_input_that_never_comes_ends_with_its_reason():
    m = Machine.from_source(WFI_INPUT, uart_input_source=lambda: b'')
    r = m.run(1000)
    assert r.reason == 'wfi' and 'wfi' in r.message


def test_wfi_with_an_external_interrupt_pending_does_not_sleep():
    source = (THRE_M.replace('csrsi mstatus, 8            # MIE', 'nop')
              .replace('interrupt comes at once\n    nop', 'interrupt comes at once\n    wfi'))
    assert source.count('wfi') == 1
    m = Machine.from_source(source)
    r = m.run(1000)
    assert r.reason == 'poweroff' and m.reg('s2') == 0      # woke, nothing taken
