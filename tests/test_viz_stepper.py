"""The machine stepper (vmlib.viz.stepper): its pure views, its state, its widget."""
from __future__ import annotations

import re

import pytest

from vmlib.course.ch03 import tour_machine, tour_symbols, tour_regions, USER_CODE_VA
from vmlib.isa import reg_name
from vmlib.machine import Machine
from vmlib.machine.trace import (Retired, Faulted, RegWrite, MemWrite, PageWalk, WalkStep, DeviceAccess,
                                 TrapTaken, TrapReturn, PrivilegeChange, Halted)
from vmlib.viz import stepper as sv
from vmlib.viz.stepper import (StepperState, Stepper, Symbols, stepper_text, render_registers,
                               registers_text, disassembly_lines, disassembly_text,
                               render_disassembly, memory_text, render_memory, render_status,
                               status_text, trap_text, render_trap, event_text, events_text,
                               render_events, changed_registers)

REGS = {reg_name(i): i * 0x11 for i in range(32)}


def new_state():
    return StepperState(tour_machine, symbols=tour_symbols, regions=tour_regions)


# --- pure views ------------------------------------------------------------------------------


def test_registers_text_marks_changed_ones():
    text = registers_text(REGS, changed=['a0', 'sp'])
    lines = text.split('\n')
    assert len(lines) == 8
    assert 'a0 000000aa*' in text and 'sp 00000022*' in text
    assert text.count('*') == 2
    assert lines[0].split()[:2] == ['zero', '00000000']


def test_render_registers_grid_classes_and_tooltips():
    html = render_registers(REGS, changed=['t0'])
    assert len(re.findall(r"class='vm-reg[ ']", html)) == 32
    assert html.count('vm-reg-changed') == 1
    assert re.search(r"class='vm-reg vm-reg-changed' data-reg='t0'", html)
    assert "data-reg='t6'" in html and '0000020f' in html
    assert "title='t6 = 527'" in html
    neg = render_registers({**REGS, 'a1': 0xFFFFFFFF})
    assert "title='a1 = -1'" in neg


def test_changed_registers_in_register_order():
    after = dict(REGS, a0=1, ra=2)
    assert changed_registers(REGS, after) == ['ra', 'a0']


def test_disassembly_around_pc_marks_current_and_labels():
    m = tour_machine()
    names = tour_symbols(m)
    lines = disassembly_lines(m, names, before=3, after=2)
    # nothing readable before RAM: the listing starts at _start
    assert lines[0][0] == m.pc and lines[0][3] == '_start' and lines[0][4]
    assert [l[4] for l in lines].count(True) == 1
    text = disassembly_text(lines)
    assert text.split('\n')[0].strip() == '_start:'
    assert text.split('\n')[1].startswith('> 80000000')
    assert 'auipc a0' in text
    html = render_disassembly(lines)
    assert html.count('vm-disasm-current') == 1 and 'vm-stepper-disasm' in html


def test_disassembly_in_u_mode_reads_through_the_page_table():
    state = new_state()
    state.run_until('TrapReturn')
    m = state.machine
    lines = disassembly_lines(m, state.symbols, before=2, after=2)
    assert lines[0][0] == USER_CODE_VA                      # 0x003ffff8 is not mapped: left out
    assert lines[0][2] == 'li s0, 6' and lines[0][3] == 'user_code'
    # after the end of the user page there is nothing mapped for U
    end = disassembly_lines(m, state.symbols, before=0, after=0, pc=USER_CODE_VA + 4096)
    assert end[0][1] is None and end[0][2] == '(not mapped)'


def test_memory_dump_marks_changed_bytes():
    data = bytes(range(0x41, 0x41 + 20))
    text = memory_text(0x80004000, data, changed={1, 17})
    lines = text.split('\n')
    assert lines[0].startswith('80004000  41 42 43') and lines[0].endswith('|ABCDEFGHIJKLMNOP|')
    assert lines[1] == ' ' * 10 + '   ^^'
    assert lines[2].startswith('80004010  51 52 53 54')
    assert lines[3].rstrip() == ' ' * 10 + '   ^^'
    html = render_memory(0x80004000, data, changed={1, 17}, title='data')
    assert html.count('vm-mem-changed') == 2 and 'vm-stepper-mem' in html and '>data<' in html
    assert memory_text(0, bytes(4)) == '00000000  00 00 00 00' + ' ' * 36 + '  |....|'


def test_status_views():
    sym = Symbols({0x80000000: '_start'})
    assert status_text(0x80000008, 'M', 2, None, sym) == \
        'pc 80000008 <_start+8> | M-mode | 2 instructions | running'
    html = render_status(0x80000008, 'U', 2, ('poweroff', 0, ''), sym)
    assert re.search(r"<span class='vm-stepper-pc'[^>]*>pc 80000008</span>", html)
    assert 'vm-stepper-priv vm-priv-U' in html and 'halted: poweroff, exit status 0' in html
    assert sym.describe(0x7FFFFFFC) == '' and sym.describe(0x80000000 + 0x400) == ''


def test_trap_views():
    trap = TrapTaken(13, 0x00402004, 0x0040005C, 0, 3, 0x800000B8)
    ret = TrapReturn('mret', 3, 0, 0x00400028)
    sym = Symbols({0x800000B8: 'trap_handler', 0x00400000: 'user_code'})
    text = trap_text(trap, ret, sym)
    assert text.split('\n') == [
        'last trap: load page fault (cause 13)',
        '  from U-mode to M-mode; epc 0040005c <user_code+92>',
        '  tval 00402004; handler 800000b8 <trap_handler>',
        'last return: mret from M-mode to U-mode at 00400028 <user_code+40>']
    assert trap_text(None) == 'last trap: none yet'
    html = render_trap(trap, None, sym)
    assert 'vm-stepper-trap' in html and 'load page fault (13)' in html


def test_event_text_for_every_kind():
    sym = Symbols({0x800000B8: 'trap_handler'})
    cases = [
        (Retired(3, 0x80000010, 0x13, 'nop', 3), '#3    M 80000010  nop'),
        (RegWrite(10, 1, 2), 'a0 = 00000002 (was 00000001)'),
        (MemWrite(0x401000, 4, 42), 'mem[00401000] = 0000002a (4 bytes)'),
        (PageWalk(0x401000, 'store', (WalkStep(1, 0x80002004, 0x20000C01),), None, 15),
         'page walk: store va 00401000: L1[80002004]=20000c01 -> store/AMO page fault'),
        (DeviceAccess('uart', 0, 1, 0x55, True), "uart write +0 = 55 'U'"),
        (Faulted(9, 0x400024, 0x73, 'ecall', 0),
         '#9    U 00400024  ecall   (raises an exception: does not retire)'),
        (TrapTaken(8, 0, 0x400024, 0, 3, 0x800000B8),
         'TRAP environment call from U-mode (cause 8), U -> M\n'
         '           epc 00400024, tval 00000000, handler 800000b8 <trap_handler>'),
        (TrapReturn('mret', 3, 0, 0x400028), 'mret: M -> U, pc = 00400028'),
        (PrivilegeChange(3, 0), 'privilege M -> U'),
        (Halted('poweroff', 0), 'HALT poweroff, exit status 0'),
    ]
    for event, expected in cases:
        assert event_text(event, sym).strip() == expected
    many = [RegWrite(1, 0, i) for i in range(50)]
    lines = events_text(many, limit=10).split('\n')
    assert len(lines) == 11 and lines[0].strip() == '... 40 earlier lines'
    assert events_text([]) == '(none)'
    html = render_events([TrapTaken(8, 0, 0, 0, 3, 0)])
    assert 'vm-stepper-events' in html and 'font-weight:bold' in html


# --- the state ---------------------------------------------------------------------------------


def test_first_step_changes_a0_and_moves_pc():
    state = new_state()
    events = state.step(1)
    assert isinstance(events[0], Retired) and events[0].text.startswith('auipc a0')
    assert state.changed_regs == ['a0']
    assert state.machine.pc == 0x80000004
    hello = state.machine.program.symbols['hello']
    a0 = 0x80000000 + ((hello - 0x80000000 + 0x800) & ~0xFFF)      # auipc's half of la
    assert state.machine.reg('a0') == a0
    text = state.text()
    assert text.startswith('pc 80000004 <_start+4> | M-mode | 1 instructions | running')
    assert f'a0 {a0:08x}*' in text
    assert f'events of the last move:\n#0    M 80000000  auipc a0, 0x{(a0 >> 12) - 0x80000:x}' in text


def test_mret_is_shown_as_mret_not_as_an_unreadable_word():
    state = new_state()
    events = state.run_until(TrapReturn)
    mret = [e for e in events if isinstance(e, Retired)][-1]
    assert mret.text == 'mret' and mret.word == 0x30200073
    assert state.machine.priv == 'U' and state.machine.pc == USER_CODE_VA
    assert state.last_return.to_priv == 0 and state.last_trap is None


def test_a_step_that_traps_stops_at_the_handler_entry():
    state = new_state()
    state.run_until(TrapReturn)
    events = state.run_until('TrapTaken')
    tail = events[-2:]
    assert [type(e).__name__ for e in tail] == ['TrapTaken', 'PrivilegeChange']
    assert state.machine.pc == tail[0].handler          # like a debugger: nothing of it ran
    assert state.last_trap.cause == 8
    first = state.step(1)                               # the next step runs its first instruction
    assert first[0].pc == tail[0].handler


def test_memory_changes_are_tracked_per_region():
    state = new_state()
    state.run_until(TrapReturn)
    state.step(5)                                           # li li mul lui sw
    assert state.changed_mem['user data page (va 0x00401000)'] == {0}
    # the hardware set A in the code PTE (byte 0: the fetch) and A and D in the data PTE
    # (byte 4: the store)
    assert state.changed_mem['level-0 page table'] == {0, 4}
    assert '^^' in state.text(region='user data page (va 0x00401000)')


def test_run_to_the_end_and_reset():
    state = new_state()
    state.step(10_000)
    assert state.halted[:2] == ('poweroff', 0)
    assert state.machine.output.endswith('mtval=0x00402004\n')
    assert state.last_trap.cause == 13
    assert state.step(5) == []                              # halted: nothing more happens
    state.reset()
    assert state.machine.pc == 0x80000000 and state.machine.hart.instret == 0
    assert state.events == [] and state.last_trap is None


def test_text_is_deterministic():
    a, b = new_state(), new_state()
    for s in (a, b):
        s.step(100)
    assert a.text() == b.text()


def test_stepper_text_of_a_bare_machine():
    m = tour_machine()
    m.run(10_000)
    text = stepper_text(m)
    assert 'halted: poweroff, exit status 0' in text
    assert 'mcause 13 (load page fault), mepc 0040005c, mtval 00402004' in text
    assert 'events of the last move' not in text and '*' not in text.split('registers:')[1]
    fresh = stepper_text(Machine.from_source('nop'))
    assert 'last trap: none yet' in fresh


# --- the widget ------------------------------------------------------------------------------


def test_widget_buttons_drive_the_state_and_panels():
    pytest.importorskip('ipywidgets')
    st = Stepper(tour_machine, symbols=tour_symbols, regions=tour_regions, run_n=5)
    classes = {c for w in (st.step_button, st.run_button, st.n, st.reset_button, st.region)
               for c in w._dom_classes}
    assert {'vm-stepper-step', 'vm-stepper-run', 'vm-stepper-n', 'vm-stepper-reset',
            'vm-stepper-region'} <= classes
    assert 'vm-stepper' in st.widget._dom_classes
    assert 'pc 80000000' in st.panels['status'].value
    st.step_button.click()
    assert 'pc 80000004' in st.panels['status'].value
    assert "vm-reg vm-reg-changed' data-reg='a0'" in st.panels['regs'].value
    st.run_button.click()
    assert st.machine.hart.instret == 6
    st.region.value = 'level-0 page table'
    assert f"{st.machine.program.symbols['pt_l0']:08x}" in st.panels['mem'].value
    st.n.value = 10_000
    st.run_button.click()
    assert st.step_button.disabled and st.run_button.disabled
    assert 'load page fault' in st.panels['trap'].value
    assert 'mtval=0x00402004' in st.panels['uart'].value
    st.reset_button.click()
    assert not st.step_button.disabled and 'pc 80000000' in st.panels['status'].value
    assert st.region.value == 'level-0 page table'
    bundle = st._repr_mimebundle_()
    assert 'application/vnd.jupyter.widget-view+json' in bundle


def test_privilege_timeline_figure():
    from vmlib.course.ch03 import tour_timeline
    events, _ = tour_timeline()
    fig = sv.draw_privilege_timeline(events)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ['U', 'S', 'M']
    labels = {t.get_text() for t in ax.texts}
    assert {'environment call from U-mode', 'load page fault', 'mret', 'poweroff (0)'} <= labels


def attribute_names(markup):
    from html.parser import HTMLParser
    names = set()

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            names.update(name for name, _ in attrs)

    Collect().feed(markup)
    return names


def test_rendered_html_is_well_formed():
    """Quotes inside style='...' would cut attributes short (and JupyterLab drops the rest)."""
    state = new_state()
    state.step(120)
    for name, markup in state.html().items():
        assert attribute_names(markup) <= {'class', 'style', 'data-reg', 'title'}, name
