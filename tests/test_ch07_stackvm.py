"""The stack-machine animation (vmlib.viz.stackvm): its state, its pure views, its widget."""

import re

import pytest

from vmlib.course.ch07 import DEMO_SOURCE, demo_classfile
from vmlib.hllvm import PythonVM
from vmlib.hllvm.pyvm import FrameView
from vmlib.viz.stackvm import (StackVM, StackVMState, code_lines, code_text, frames_text,
                               render_code, render_frames, render_stack, stack_text,
                               stackvm_text)


# --- the state -------------------------------------------------------------------------------

def test_state_follows_the_vm_snapshot_by_snapshot():
    state = StackVMState(DEMO_SOURCE)
    reference = list(PythonVM(demo_classfile()).steps())
    assert state.current == reference[0] and state.previous is None and state.executed == 0
    for i in range(1, len(reference)):
        assert state.step() == 1
        assert state.current == reference[i] and state.previous == reference[i - 1]
        assert state.frames[-1].stack == reference[i].stack
    assert state.step() == 1                 # main's ret: the end
    assert state.finished and state.status == 0 and state.frames == ()
    assert state.output == 'sum of squares 1..3 = 14\n'
    assert state.executed == len(reference) == 68
    assert state.step(5) == 0                # nothing more to do


def test_run_n_and_reset():
    state = StackVMState(demo_classfile())
    assert state.step(10) == 10 and state.executed == 10
    assert state.current.function == 'main' and state.current.instruction == 'call 1'
    state.reset()
    assert state.executed == 0 and state.current.pc == 0 and state.output == ''
    assert state.step(1000) == 68 and state.finished


def test_pushed_values_and_changed_locals():
    state = StackVMState(DEMO_SOURCE)
    state.step()                                             # const 1
    assert state.current.stack == (1,) and state.pushed() == 1
    state.step()                                             # store 0: n = 1
    assert state.pushed() == 0 and state.changed_locals() == [(0, 'n')]
    state.step(8)                                            # ... load 1, load 0
    assert state.current.instruction == 'call 1' and state.pushed() == 2
    state.step()                                             # into square: a fresh frame
    assert len(state.frames) == 2 and state.pushed() == 0
    assert state.frames[0].stack == (0,)                    # main's total waits below
    state.step(4)                                            # load, load, mul, ret
    assert len(state.frames) == 1 and state.current.stack == (0, 1)
    assert state.pushed() == 1                               # the result came back


def test_step_budget_stops_an_endless_program_without_an_exception():
    state = StackVMState('var i = 0; while (1) { i = i + 1; }', max_steps=50)
    assert state.step(1000) == 50
    assert state.finished and 'without finishing' in state.stopped
    assert 'stopped:' in state.text()


def test_run_time_error_ends_with_its_message():
    state = StackVMState('print(1 / 0);')
    state.step(100)
    assert state.status == 1 and 'ArithmeticException: / by zero' in state.output
    assert 'exit status 1' in state.text()


# --- pure views ------------------------------------------------------------------------------

def test_stack_views_top_first_with_pushed_values_marked():
    assert stack_text(()) == '  (empty)'
    text = stack_text((5, 42, -7), pushed=1)
    assert text.splitlines() == ['  | -7 |  <- pushed', '  | 42 |', '  | 5  |', '  +----+']
    assert stack_text((3,)).splitlines()[0] == '  | 3 |  top'
    html = render_stack((5, 42, -7), pushed=2)
    assert re.findall(r"class='vm-stackvm-slot[^']*'[^>]*>([^<]*)<", html) == ['-7', '42', '5']
    assert html.count('vm-stackvm-pushed') == 2 and "data-depth='3'" in html
    assert 'vm-stackvm-empty' in render_stack(())


def test_code_lines_mark_the_next_instruction():
    cf = demo_classfile()
    lines = code_lines(cf, 'main', 14)
    assert [pc for pc, _, current in lines if current] == [14]
    assert len(lines) == 24 and lines[0][0] == 0
    text = code_text(lines, 'main', before=1, after=1)
    assert text.splitlines() == ['code of main:', '   ...',
                                 '        12  03 01           store 1       // total',
                                 '-> >>   14  02 00           load 0        // n',
                                 '        16  01 03 00 00 00  const 3', '   ...']
    html = render_code(lines)
    assert html.count("class='vm-stackvm-line") == 24
    assert re.search(r"vm-stackvm-current' data-pc='14'", html)


def test_frames_views_innermost_first():
    frames = (FrameView('main', 32, {'n': 1, 'total': 0}, (0,)),
              FrameView('square', 4, {'x': 1}, (1, 1)))
    assert frames_text(frames, [(1, 'x')]).splitlines() == [
        '  square (next pc 4): x=1*; stack [1, 1]',
        '  main (resumes at pc 32): n=1 total=0; stack [0]']
    html = render_frames(frames, [(0, 'n')])
    assert re.findall(r"data-function='(\w+)'", html) == ['square', 'main']
    assert re.search(r"vm-stackvm-local vm-stackvm-changed' data-name='n'", html)
    assert 'waiting on its stack: [0]' in html
    assert 'the program has ended' in frames_text(())


def test_text_fallback_has_every_panel():
    state = StackVMState(DEMO_SOURCE)
    state.step(11)
    text = stackvm_text(state)
    assert text.startswith('next: square pc 0: load 0')
    assert 'last: call 1 (in main); 11 bytecodes executed' in text
    assert 'code of square:' in text and 'operand stack (top first):' in text
    assert 'main (resumes at pc 32): n=1* total=0; stack [0]' in text      # n changed in the move
    assert text.endswith("output: ''")


# --- the widget ------------------------------------------------------------------------------

def test_widget_buttons_drive_the_state_and_the_panels():
    pytest.importorskip('ipywidgets')
    w = StackVM(DEMO_SOURCE, run_n=5)
    assert 'vm-stackvm' in w.widget._dom_classes
    assert "vm-stackvm-pc' style='font-weight:bold'>main pc 0<" in w.panels['status'].value
    assert 'vm-stackvm-empty' in w.panels['stack'].value
    w.step_button.click()
    assert "<span class='vm-stackvm-count'>1 bytecodes executed" in w.panels['status'].value
    assert re.search(r"vm-stackvm-slot vm-stackvm-pushed'[^>]*>1<", w.panels['stack'].value)
    w.run_button.click()
    assert w.state.executed == 6
    w.n.value = 1000
    w.run_button.click()
    assert w.step_button.disabled and w.run_button.disabled
    assert 'sum of squares 1..3 = 14' in w.panels['output'].value
    assert 'ended, exit status 0' in w.panels['status'].value
    w.reset_button.click()
    assert not w.step_button.disabled and w.state.executed == 0
    for cls in ('vm-stackvm-step', 'vm-stackvm-run', 'vm-stackvm-n', 'vm-stackvm-reset'):
        assert any(cls in c._dom_classes for c in (w.step_button, w.run_button, w.n,
                                                    w.reset_button))
    assert w.text() == w.state.text()
