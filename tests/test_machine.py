"""Unit tests of the machine's own contracts: how runs end, time, devices, traps, the trace.

(Instruction-level behaviour is checked against QEMU by tests/test_conformance.py.)
"""

import pytest

from vmlib.machine import Machine, trace
from vmlib.machine.traps import ILLEGAL_INSTRUCTION, ECALL_FROM_M, INTERRUPT, MTI
from vmlib.machine.devices import INSTRUCTIONS_PER_TICK

POWER_OFF = """
poweroff:
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
1:  j 1b
"""

PUTS = """
puts:                       # a0 = zero-terminated string
    li t0, 0x10000000
1:  lbu t1, 0(a0)
    beqz t1, 2f
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
2:  ret
"""


def boot(source, steps=200_000, **kw):
    m = Machine.from_source(source, **kw)
    return m, m.run(steps)


# --- how a run ends ------------------------------------------------------------------------

def test_test_device_power_off_and_failure_status():
    _, r = boot(POWER_OFF)
    assert (r.reason, r.exit_status) == ('poweroff', 0)
    _, r = boot("li t0, 0x100000\n li t1, (42 << 16) | 0x3333\n sw t1, 0(t0)\n j .")
    assert (r.reason, r.exit_status) == ('poweroff', 42)


def test_htif_tohost_ends_the_run_with_its_status():
    src = """
        la t0, tohost
        li t1, (5 << 1) | 1
        sw t1, 0(t0)
        j .
        .data
        .globl tohost
    tohost: .word 0, 0
    """
    _, r = boot(src)
    assert (r.reason, r.exit_status) == ('htif', 5)


def test_step_budget_stops_a_runaway_program_with_a_reason():
    m, r = boot('1: j 1b', steps=12345)
    assert r.reason == 'budget' and r.exit_status is None
    assert r.instructions == 12345
    assert 'step budget' in r.message and '0x80000000' in r.message


def test_wfi_that_nothing_can_wake_ends_the_run():
    _, r = boot('csrw mie, zero\n wfi\n j .')
    assert r.reason == 'wfi'
    assert 'wake' in r.message


def test_a_trap_handler_that_faults_is_reported_not_looped_forever():
    _, r = boot('csrw mtvec, zero\n .word 0xffffffff')
    assert r.reason == 'trap-loop'
    assert 'instruction access fault' in r.message


# --- deterministic time ------------------------------------------------------------------------

TIMER = """
    la t0, handler
    csrw mtvec, t0
    li t0, 0x200bff8            # mtime
    lw t1, 0(t0)
    addi t1, t1, 1000
    li t0, 0x2004000            # mtimecmp
    sw t1, 0(t0)
    sw zero, 4(t0)
    li t0, 1 << 7               # MTIE
    csrs mie, t0
    csrsi mstatus, 8            # MIE
    wfi
    j .
handler:
    csrr s0, mcause
    li t0, 0x200bff8
    lw s1, 0(t0)
""" + POWER_OFF


def test_wfi_skips_time_to_the_timer_and_the_interrupt_is_taken():
    m, r = boot(TIMER)
    assert r.reason == 'poweroff'
    assert m.reg('s0') == INTERRUPT | MTI
    assert m.reg('s1') >= 1000                  # time jumped forward to mtimecmp
    assert r.instructions < 50                  # ... without spinning


def test_runs_are_identical_every_time():
    a, b = boot(TIMER)[0], boot(TIMER)[0]
    assert a.registers() == b.registers()
    assert a.clint.mtime() == b.clint.mtime()


def test_mtime_follows_retired_instructions():
    m, _ = boot('1: j 1b', steps=INSTRUCTIONS_PER_TICK * 77)
    assert m.clint.mtime() == 77
    assert m.csr('time') == 77 and m.csr('instret') == INSTRUCTIONS_PER_TICK * 77


# --- devices -------------------------------------------------------------------------------------

ECHO = """
    li t0, 0x10000000
1:  lbu t1, 5(t0)           # LSR
    andi t1, t1, 1          # data ready?
    beqz t1, 2f
    lbu t1, 0(t0)
    addi t1, t1, -32        # upper-case it
    sb t1, 0(t0)
    j 1b
2:
""" + POWER_OFF


def test_uart_input_and_output():
    m = Machine.from_source(ECHO)
    m.uart.feed(b'abc')
    assert m.run(10_000).reason == 'poweroff'
    assert m.output == 'ABC'


def test_uart_output_goes_to_the_sink_as_it_is_written():
    seen = []
    m = Machine.from_source('la a0, msg\n call puts\n' + POWER_OFF + PUTS +
                            '.data\nmsg: .asciz "hi!"', uart_output=seen.append)
    m.run()
    assert b''.join(seen) == b'hi!'


# --- traps and the instruction cache --------------------------------------------------------------

def test_illegal_instruction_reports_the_word_in_mtval():
    m, _ = boot('la t0, h\n csrw mtvec, t0\n .word 0xffffffff\nh:\n csrr s0, mcause\n'
                ' csrr s1, mtval\n csrr s2, mepc\n' + POWER_OFF)
    assert m.reg('s0') == ILLEGAL_INSTRUCTION
    assert m.reg('s1') == 0xffffffff
    assert m.reg('s2') == 0x8000000c            # la is auipc + addi


def test_self_modifying_code_is_seen():
    src = """
        li s0, 0
        li s1, 2
    again:
    patch:
        addi s0, s0, 1          # replaced by addi s0, s0, 100 after the first pass
        la t0, patch
        lw t1, new
        sw t1, 0(t0)
        addi s1, s1, -1
        bnez s1, again
    """ + POWER_OFF + """
    new:
        addi s0, s0, 100
    """
    m, r = boot(src)
    assert r.reason == 'poweroff'
    assert m.reg('s0') == 101


def test_misaligned_loads_and_stores_work_like_qemu():
    m, _ = boot('la t0, buf\n li t1, 0x11223344\n sw t1, 1(t0)\n lw s0, 1(t0)\n lhu s1, 3(t0)\n'
                + POWER_OFF + '.data\nbuf: .word 0, 0')
    assert m.reg('s0') == 0x11223344
    assert m.reg('s1') == 0x1122


def test_counters_need_mcounteren_in_user_mode():
    src = """
        la t0, handler
        csrw mtvec, t0
        la t0, user
        csrw mepc, t0
        li t0, 3 << 11
        csrc mstatus, t0        # MPP = U
        mret
    user:
        rdcycle_is: csrr a0, cycle
        j .
    handler:
        csrr s0, mcause
    """ + POWER_OFF
    m, _ = boot(src)
    assert m.reg('s0') == ILLEGAL_INSTRUCTION


# --- the trace -----------------------------------------------------------------------------------

def test_step_reports_retire_register_writes_and_traps():
    m = Machine.from_source('li a0, 7\n ecall\n')
    first = m.step()
    assert isinstance(first[0], trace.Retired) and first[0].text == 'li a0, 7'
    assert trace.RegWrite(10, 0, 7) in first
    second = m.step()
    taken = [e for e in second if isinstance(e, trace.TrapTaken)]
    assert taken and taken[0].cause == ECALL_FROM_M and taken[0].epc == 0x80000004
    assert not any(isinstance(e, trace.Retired) for e in second)    # ecall does not retire


def test_trace_sees_device_accesses_and_stores():
    events = []
    m = Machine.from_source('li t0, 0x10000000\n li t1, 65\n sb t1, 0(t0)\n' + POWER_OFF)
    m.trace = events.append
    m.run()
    assert trace.DeviceAccess('uart', 0, 1, 65, True) in events
    assert trace.MemWrite(0x10000000, 1, 65) in events
    assert isinstance(events[-1], trace.Halted)


def test_trace_records_page_walks():
    src = """
        .equ FLAGS, 0xCF
        la t0, root
        li t1, (0x80000000 >> 22) * 4
        add t1, t0, t1
        li t2, ((0x80000000 >> 12) << 10) | FLAGS    # PPN in bits 31:10
        sw t2, 0(t1)
        srli t0, t0, 12
        li t1, 1 << 31
        or t0, t0, t1
        csrw satp, t0
        li t0, 3 << 11
        csrc mstatus, t0
        li t0, 1 << 11
        csrs mstatus, t0
        la t0, super
        csrw mepc, t0
        mret
    super:
        lw a0, 0(t0)
        j .
        .bss
        .balign 4096
    root: .space 4096
    """
    events = []
    m = Machine.from_source(src)
    m.trace = events.append
    m.run(40)
    walks = [e for e in events if isinstance(e, trace.PageWalk)]
    assert walks and walks[0].access == 'fetch' and len(walks[0].steps) == 1
    assert walks[0].pa == walks[0].va                     # identity megapage
    assert m.priv == 'S'


def test_htif_still_works_after_fence_i():
    src = """
        fence.i
        la t0, tohost
        li t1, (9 << 1) | 1
        sw t1, 0(t0)
        j .
        .data
        .globl tohost
    tohost: .word 0, 0
    """
    _, r = boot(src)
    assert (r.reason, r.exit_status) == ('htif', 9)


def test_a_trap_hook_can_serve_ecalls_in_place_of_an_operating_system():
    m = Machine.from_source('li a7, 64\n li a0, 5\n ecall\n addi a0, a0, 1\n' + POWER_OFF)
    served = []

    def hook(cause, tval):
        if cause != ECALL_FROM_M:
            return False
        served.append(m.reg('a7'))
        m.hart.x[10] = 100                  # the "system call" returns 100 in a0
        m.hart.pc += 4
        return True
    m.hart.trap_hook = hook
    assert m.run().reason == 'poweroff'
    assert served == [64] and m.reg('a0') == 101
    assert m.hart.mcause == 0                # no architectural trap was taken


def test_step_reports_the_instruction_that_ran_even_when_it_changed_privilege():
    # mret into U-mode under a page table that does not map the M-mode code
    m = Machine.from_source('''
        la t0, root
        srli t0, t0, 12
        li t1, 1 << 31
        or t0, t0, t1
        csrw satp, t0           # an empty table: nothing is mapped for U
        la t0, user
        csrw mepc, t0
        li t0, 3 << 11
        csrc mstatus, t0
        mret
    user:
        j user
        .bss
        .balign 4096
    root: .space 4096
    ''')
    while m.priv == 'M':
        events = m.step()
    assert events[0].text == 'mret' and events[0].priv == 3


def test_gnu_mapping_symbols_and_constants_are_not_labels():
    import pathlib
    elf = pathlib.Path(__file__).parent / 'conformance' / 'alu.elf'
    m = Machine.from_elf(elf)
    assert not any(name.startswith('$') for name in m.symbols)
    assert m.symbol_names().get(0x80000000) == '_start'


def test_a_machine_can_run_on_a_ram_buffer_it_is_given():
    """Machine(ram=...): the program's stores land in the caller's buffer (how the hypervisor's
    emulate technique gives a guest its slice of host memory); a buffer of the wrong size is
    refused."""
    import mmap
    host = mmap.mmap(-1, 3 << 16)
    slice_ = memoryview(host)[1 << 16:2 << 16]
    m = Machine(ram_size=1 << 16, ram=slice_)
    m.load(Machine.from_source('''
        li t0, 0x80000100
        li t1, 0x12345678
        sw t1, 0(t0)
        li t0, 0x100000
        li t1, 0x5555
        sw t1, 0(t0)
    ''').program)
    assert m.run().reason == 'poweroff'
    assert host[(1 << 16) + 0x100:(1 << 16) + 0x104] == bytes.fromhex('78563412')
    assert host[0x100:0x104] == bytes(4)
    with pytest.raises(ValueError, match='not 65,536'):
        Machine(ram_size=1 << 16, ram=memoryview(host)[:100])


def test_a_faulting_instruction_heads_its_own_events():
    """A step that raises an exception starts with Faulted (the instruction, unretired), so a
    trace does not show its page walk and trap under the instruction before it."""
    m = Machine.from_source('li a0, 7\n ecall\n')
    m.step()
    second = m.step()
    assert isinstance(second[0], trace.Faulted)
    assert (second[0].pc, second[0].text, second[0].index) == (0x80000004, 'ecall', 1)
    assert isinstance(second[1], trace.TrapTaken)


def test_a_trap_loop_is_told_from_its_first_trap():
    """The first trap of a loop is the news; the rest are its handler faulting, again."""
    _, r = boot('la t0, handler\n csrw mtvec, t0\n ecall\n'
                'handler: lw t0, 0(zero)\n')
    assert (r.reason, r.exit_status) == ('trap-loop', None)
    assert r.message == ('environment call from M-mode (tval=0x00000000) at pc=0x8000000c; its '
                         'trap handler at 0x80000010 (mtvec) itself faults: 65 traps in a row '
                         'without an instruction completing (last: load access fault '
                         '(tval=0x00000000) at pc=0x80000010)')


def test_a_trap_loop_through_stvec_names_stvec():
    """A trap delegated to S-mode with stvec 0 is a trap with no handler too."""
    _, r = boot('li t0, 1 << 8\n csrw medeleg, t0\n'          # delegate ecall from U
                'la t0, user\n csrw mepc, t0\n mret\n'          # MPP = 0: to U-mode
                'user: ecall\n')
    assert r.reason == 'trap-loop'
    assert r.message.startswith('environment call from U-mode (tval=0x00000000) at '
                                'pc=0x80000018 with no trap handler installed (stvec = 0)')
