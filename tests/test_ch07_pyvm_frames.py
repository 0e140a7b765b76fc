"""PythonVM.frame_views(): the whole call stack between two steps (chapter 07's stack animation).

The accessor only reads: it must agree with the step snapshots, and watching a run must not
change what the run does.
"""

import pytest

from vmlib.hllvm import EXAMPLES, PythonVM, compile_source, example_source
from vmlib.hllvm.pyvm import FrameView

CALLS = '''
func add3(a, b, c) { var s = a + b; return s + c; }
func twice(x) { return add3(x, x, 0); }
var r = twice(20) + 2;
print(r);
'''


def test_frame_views_agree_with_every_snapshot():
    vm = PythonVM(compile_source(CALLS))
    seen_depths = set()
    for step in vm.steps():
        frames = vm.frame_views()
        assert all(isinstance(f, FrameView) for f in frames)
        assert len(frames) == step.depth
        top = frames[-1]
        assert (top.function, top.pc, top.locals, top.stack) == (
            step.function, step.pc, step.locals, step.stack)
        assert tuple((f.function, f.pc) for f in frames) == step.calls
        seen_depths.add(len(frames))
    assert seen_depths == {1, 2, 3}
    assert vm.frame_views() == ()            # the run is over: no frames left
    assert vm.output == '42\n' and vm.status == 0


def test_caller_frames_show_their_own_locals_and_waiting_operands():
    vm = PythonVM(compile_source(CALLS))
    deepest = next(vm.frame_views() for s in vm.steps() if s.function == 'add3')
    main, twice, add3 = deepest
    assert main.function == 'main' and main.locals == {'r': 0} and main.stack == ()
    assert twice.locals == {'x': 20} and twice.stack == ()      # the arguments moved out
    assert add3.locals == {'a': 20, 'b': 20, 'c': 0, 's': 0} and add3.pc == 0
    # a caller's pc is where it resumes: just after its call instruction
    code = vm.cf.functions[vm.cf.function_index('twice')].code
    assert code[twice.pc - 3] == 0x40                           # call is 3 bytes: 40 lo hi


def test_frame_views_are_copies():
    vm = PythonVM(compile_source('var x = 1; print(x + 2);'))
    steps = vm.steps()
    for _ in range(4):
        next(steps)
    view = vm.frame_views()
    view[0].locals['x'] = 99
    assert vm.frame_views()[0].locals == {'x': 1}
    assert list(steps)[-1].output == '3\n'


@pytest.mark.parametrize('name', EXAMPLES)
def test_watching_does_not_change_the_run(name):
    cf = compile_source(example_source(name))
    quiet = PythonVM(cf).run()
    vm = PythonVM(cf)
    for _ in vm.steps():
        vm.frame_views()
    assert (vm.output, vm.status, vm.count) == tuple(quiet)
