"""Chapter 07: the stack machine, animated -- step a Tiny class file bytecode by bytecode.

Three layers, each usable alone (as in :mod:`vmlib.viz.stepper`):

- **pure views**: functions from the VM's state to HTML or text, which tests call directly:
  :func:`code_lines` with :func:`render_code` / :func:`code_text`, :func:`render_stack` /
  :func:`stack_text`, :func:`render_frames` / :func:`frames_text`, :func:`render_status` /
  :func:`status_text`, :func:`render_output`;
- :class:`StackVMState`: a :class:`vmlib.hllvm.PythonVM` driven through its ``steps()``
  snapshots, plus what the views need to know about the last move (the instruction just
  executed, the values it pushed, the locals it changed); no widgets;
- :class:`StackVM`: the ipywidgets front end (Step, Run N, Reset; the code with the next
  instruction marked, the operand stack, the call frames with their locals, the output). Every
  panel is an ``ipywidgets.HTML``, so a saved notebook shows the last state without a kernel.

:func:`stackvm_text` prints the same state as plain text: the static fallback that notebooks
print (and nbval compares).

Also here, the chapter's one chart: :func:`draw_profile` draws what a bytecode costs on the RV32
VM, from the numbers :func:`vmlib.course.ch07.rv32_profile` measures (the course module holds
the measurement and its table, this one the drawing).

Stable CSS classes for tests and styling: ``vm-stackvm`` (the whole widget), buttons
``vm-stackvm-step``, ``vm-stackvm-run``, ``vm-stackvm-reset``, the count ``vm-stackvm-n``;
``vm-stackvm-status`` (holding ``vm-stackvm-pc``, ``vm-stackvm-instr``, ``vm-stackvm-effect``,
``vm-stackvm-count`` and ``vm-stackvm-state``), ``vm-stackvm-code`` (lines
``vm-stackvm-line``, the next one also ``vm-stackvm-current``), ``vm-stackvm-stack`` (values
``vm-stackvm-slot``, the ones the last instruction pushed also ``vm-stackvm-pushed``; an empty
stack shows ``vm-stackvm-empty``), ``vm-stackvm-frames`` (each ``vm-stackvm-frame`` with
``data-function``; locals ``vm-stackvm-local`` with ``data-name``, changed ones also
``vm-stackvm-changed``), ``vm-stackvm-output``.
"""
from __future__ import annotations

import html
from typing import Iterable

from ..hllvm import ClassFile, PythonVM, StepLimit, compile_source
from ..hllvm.opcodes import BY_NAME, instructions
from ._course_common import new_figure, panel_box, panel_row, step_controls, live_box

MONO = ('font-family:SFMono-Regular,Menlo,Consolas,DejaVu Sans Mono,monospace; font-size:12px; '
        'line-height:1.35')
CHANGED_BG = '#ffe680'
CURRENT_BG = '#dbe9ff'


def _e(text) -> str:
    return html.escape(str(text))


# ---------------------------------------------------------------------------------------------
# the state behind the views


class StackVMState:
    """A Tiny program on the Python VM, one bytecode at a time (no widgets here).

    ``program``: Tiny source text or a :class:`ClassFile`. ``current`` is the VM's snapshot
    (a ``pyvm.Step``) *before* the next instruction, ``None`` once the program has ended;
    ``previous`` is the snapshot of the instruction executed last. ``frames`` is the whole call
    stack (``PythonVM.frame_views()``), main first.
    """

    def __init__(self, program, max_steps: int = 100_000):
        self.cf = program if isinstance(program, ClassFile) else compile_source(program)
        self.max_steps = max_steps
        self.reset()

    def reset(self):
        """A fresh VM, stopped before the first instruction of main."""
        self.vm = PythonVM(self.cf, max_steps=self.max_steps)
        self._steps = self.vm.steps()
        self.previous = None
        self.executed = 0
        self.stopped = ''               # why the run stopped early (the step budget), if it did
        self._frames_before = ()
        self.current = self._advance()
        self.frames = self.vm.frame_views()
        return self

    def _advance(self):
        try:
            return next(self._steps)
        except StopIteration:
            return None
        except StepLimit as e:
            self.stopped = str(e)
            return None

    @property
    def finished(self) -> bool:
        return self.current is None

    @property
    def output(self) -> str:
        return self.vm.output

    @property
    def status(self):
        """The exit status once the program has ended (``None`` while it runs)."""
        return self.vm.status

    def step(self, n: int = 1) -> int:
        """Execute up to ``n`` bytecodes (fewer if the program ends); returns how many ran."""
        ran = 0
        self._frames_before = self.frames
        for _ in range(max(0, int(n))):
            if self.current is None:
                break
            self.previous = self.current
            self.current = self._advance()
            ran += 1
        self.executed += ran
        self.frames = self.vm.frame_views()
        return ran

    def pushed(self) -> int:
        """How many values at the top of the running frame's stack the last move put there
        (0 after a call: the callee starts with an empty stack)."""
        if self.previous is None or self.current is None:
            return 0
        before, now = self._frames_before, self.frames
        if len(now) > len(before):
            return 0                                        # a call entered a new frame
        old = before[len(now) - 1].stack
        common = 0
        for a, b in zip(old, now[-1].stack):
            if a != b:
                break
            common += 1
        if len(now) < len(before):                          # a return: the result is new
            common = min(common, len(now[-1].stack) - 1)
        return len(now[-1].stack) - common

    def changed_locals(self) -> list[tuple[int, str]]:
        """(frame index, local name) of every local the last move changed."""
        before, now = self._frames_before, self.frames
        out = []
        for i, frame in enumerate(now):
            if i < len(before) and before[i].function == frame.function:
                out += [(i, k) for k, v in frame.locals.items() if before[i].locals.get(k) != v]
        return out

    def text(self, before: int = 3, after: int = 4) -> str:
        return stackvm_text(self, before=before, after=after)

    def html(self) -> dict[str, str]:
        """The widget's panels as HTML: {'status', 'code', 'stack', 'frames', 'output'}."""
        function = self.current.function if self.current else None
        pc = self.current.pc if self.current else None
        frames = list(enumerate(self.frames))
        return {
            'status': render_status(self),
            'code': render_code(code_lines(self.cf, function, pc)) if function else
            render_code([]),
            'stack': render_stack(self.current.stack if self.current else (), self.pushed()),
            'frames': render_frames([f for _, f in frames], self.changed_locals()),
            'output': render_output(self.output),
        }


# ---------------------------------------------------------------------------------------------
# code


def code_lines(cf: ClassFile, function: str, pc: int | None):
    """The listing of ``function`` (as ``ClassFile.function_listing`` writes it), one entry per
    instruction: ``(pc, text, is_current)``."""
    index = cf.function_index(function)
    listed = cf.function_listing(index)[1:]
    return [(ins.pc, line.rstrip(), ins.pc == pc)
            for ins, line in zip(instructions(cf.functions[index].code), listed)]


def code_text(lines, function: str = '', before: int | None = None,
              after: int | None = None) -> str:
    """The listing as text, ``->`` at the next instruction (``>>`` marks jump targets, as in
    the listing); ``before``/``after`` keep only that many lines around it."""
    at = next((i for i, line in enumerate(lines) if line[2]), 0)
    lo = 0 if before is None else max(0, at - before)
    hi = len(lines) if after is None else min(len(lines), at + after + 1)
    out = [f'code of {function}:'] if function else []
    if lo > 0:
        out.append('   ...')
    out += [('-> ' if current else '   ') + text[2:] for _, text, current in lines[lo:hi]]
    if hi < len(lines):
        out.append('   ...')
    return '\n'.join(out)


def render_code(lines) -> str:
    rows = []
    for pc, text, current in lines:
        cls = 'vm-stackvm-line vm-stackvm-current' if current else 'vm-stackvm-line'
        style = f'background:{CURRENT_BG}; font-weight:bold;' if current else ''
        rows.append(f"<div class='{cls}' data-pc='{pc}' style='{style} white-space:pre'>"
                    f"{'&#9654;' if current else '&nbsp;'}{_e(text[2:])}</div>")
    if not rows:
        rows.append("<div style='color:#888'>(the program has ended)</div>")
    return f"<div class='vm-stackvm-code' style='{MONO}'>{''.join(rows)}</div>"


# ---------------------------------------------------------------------------------------------
# the operand stack


def stack_text(stack: Iterable[int], pushed: int = 0) -> str:
    """The operand stack drawn top first, one box per value; ``<- pushed`` marks the values the
    last instruction put there."""
    stack = list(stack)
    if not stack:
        return '  (empty)'
    width = max(len(str(v)) for v in stack) + 2
    out = []
    for i, v in enumerate(reversed(stack)):
        mark = '  <- pushed' if i < pushed else ''
        out.append(f'  |{str(v):^{width}}|{"  top" if i == 0 and not mark else mark}')
    out.append('  +' + '-' * width + '+')
    return '\n'.join(out)


def render_stack(stack: Iterable[int], pushed: int = 0) -> str:
    """The operand stack as a column of boxes, top at the top (class ``vm-stackvm-stack``)."""
    stack = list(stack)
    boxes = []
    for i, v in enumerate(reversed(stack)):
        new = i < pushed
        cls = 'vm-stackvm-slot vm-stackvm-pushed' if new else 'vm-stackvm-slot'
        bg = CHANGED_BG if new else '#eef3fb'
        boxes.append(f"<div class='{cls}' style='background:{bg}; border:1px solid #4C72B0; "
                     f"border-radius:3px; margin:2px 0; padding:2px 10px; min-width:5em; "
                     f"text-align:center'>{_e(v)}</div>")
    if not boxes:
        boxes.append("<div class='vm-stackvm-empty' style='color:#888; padding:2px 10px'>"
                     "(empty)</div>")
    return (f"<div class='vm-stackvm-stack' data-depth='{len(stack)}' style='{MONO}; "
            f"display:inline-block; border-bottom:3px solid #444; padding:0 4px'>"
            f"{''.join(boxes)}</div>")


# ---------------------------------------------------------------------------------------------
# frames


def frames_text(frames, changed: Iterable[tuple[int, str]] = ()) -> str:
    """Every frame, innermost first: function, pc, locals (``*`` = changed by the last move)
    and the values waiting on its operand stack."""
    changed = set(changed)
    if not frames:
        return '  (no frames: the program has ended)'
    out = []
    for i in reversed(range(len(frames))):
        f = frames[i]
        names = ' '.join(f"{k}={v}{'*' if (i, k) in changed else ''}"
                         for k, v in f.locals.items()) or '(no locals)'
        where = 'next pc' if i == len(frames) - 1 else 'resumes at pc'
        out.append(f'  {f.function} ({where} {f.pc}): {names}; stack '
                   f'[{", ".join(map(str, f.stack))}]')
    return '\n'.join(out)


def render_frames(frames, changed: Iterable[tuple[int, str]] = ()) -> str:
    """The call stack, innermost frame on top (class ``vm-stackvm-frames``)."""
    changed = set(changed)
    boxes = []
    for i in reversed(range(len(frames))):
        f = frames[i]
        cells = []
        for k, v in f.locals.items():
            new = (i, k) in changed
            cls = 'vm-stackvm-local vm-stackvm-changed' if new else 'vm-stackvm-local'
            bg = f'background:{CHANGED_BG};' if new else ''
            cells.append(f"<span class='{cls}' data-name='{_e(k)}' style='{bg} padding:0 4px; "
                         f"border-radius:3px'>{_e(k)} = {_e(v)}</span>")
        top = i == len(frames) - 1
        where = f'next pc {f.pc}' if top else f'resumes at pc {f.pc}'
        waiting = '' if top else (f"<div style='color:#666'>waiting on its stack: "
                                  f"[{_e(', '.join(map(str, f.stack)))}]</div>")
        boxes.append(f"<div class='vm-stackvm-frame' data-function='{_e(f.function)}' "
                     f"style='border:1px solid {'#4C72B0' if top else '#ccc'}; border-radius:4px; "
                     f"padding:3px 6px; margin:3px 0; {'' if top else 'color:#444'}'>"
                     f"<b>{_e(f.function)}</b> <span style='color:#666'>{where}</span><div>"
                     f"{' '.join(cells) or '<span style=color:#888>(no locals)</span>'}</div>"
                     f"{waiting}</div>")
    if not boxes:
        boxes.append("<div style='color:#888'>(no frames: the program has ended)</div>")
    return f"<div class='vm-stackvm-frames' style='{MONO}'>{''.join(boxes)}</div>"


# ---------------------------------------------------------------------------------------------
# status and output


def _effect(opcode: str) -> str:
    op = BY_NAME.get(opcode)
    return f'{op.effect}  ({op.doc})' if op else ''


def status_text(state: StackVMState) -> str:
    cur, prev = state.current, state.previous
    if cur is not None:
        head = (f'next: {cur.function} pc {cur.pc}: {cur.instruction:<10} stack effect '
                f'{_effect(cur.opcode)}')
    elif state.stopped:
        head = f'stopped: {state.stopped}'
    else:
        head = f'the program has ended: exit status {state.status}'
    last = f'last: {prev.instruction} (in {prev.function})' if prev else 'last: (nothing yet)'
    return f'{head}\n{last}; {state.executed} bytecodes executed'


def render_status(state: StackVMState) -> str:
    """The next instruction (``vm-stackvm-pc``, ``vm-stackvm-instr``), its stack effect
    (``vm-stackvm-effect``), the count (``vm-stackvm-count``) and ``vm-stackvm-state``."""
    cur, prev = state.current, state.previous
    gap = "<span style='display:inline-block; width:14px'></span>"
    if cur is not None:
        where = (f"<span class='vm-stackvm-pc' style='font-weight:bold'>{_e(cur.function)} pc "
                 f"{cur.pc}</span> next: <span class='vm-stackvm-instr' style='background:"
                 f"{CURRENT_BG}; padding:0 4px'>{_e(cur.instruction)}</span>{gap}"
                 f"<span class='vm-stackvm-effect' style='color:#4C72B0'>"
                 f"{_e(_effect(cur.opcode))}</span>")
        state_html = "<span class='vm-stackvm-state' style='color:#1a7f37'>running</span>"
    else:
        where = ("<span class='vm-stackvm-pc' style='font-weight:bold'>(ended)</span> "
                 "<span class='vm-stackvm-instr'></span><span class='vm-stackvm-effect'></span>")
        why = _e(state.stopped) if state.stopped else f'ended, exit status {state.status}'
        state_html = f"<span class='vm-stackvm-state' style='color:#b00020'>{why}</span>"
    last = f'last: {_e(prev.instruction)}' if prev else 'last: (nothing yet)'
    return (f"<div class='vm-stackvm-status' style='{MONO}; margin:4px 0'>{where}<div>"
            f"<span style='color:#666'>{last}</span>{gap}<span class='vm-stackvm-count'>"
            f"{state.executed} bytecodes executed</span>{gap}{state_html}</div></div>")


def render_output(text: str) -> str:
    return (f"<div class='vm-stackvm-output' style='{MONO}'><div style='color:#666'>output"
            f"</div><pre style='margin:0; background:#111; color:#9f9; padding:4px 6px; "
            f"min-height:2.6em'>{_e(text)}</pre></div>")


def stackvm_text(state: StackVMState, before: int | None = 3, after: int | None = 4) -> str:
    """Everything the widget shows, as plain text."""
    out = [status_text(state), '']
    if state.current is not None:
        lines = code_lines(state.cf, state.current.function, state.current.pc)
        out += [code_text(lines, state.current.function, before, after), '']
    out.append('operand stack (top first):')
    out.append(stack_text(state.current.stack if state.current else (), state.pushed()))
    out.append('frames (innermost first; * = changed by the last move):')
    out.append(frames_text(state.frames, state.changed_locals()))
    out.append(f'output: {state.output!r}')
    return '\n'.join(out)


# ---------------------------------------------------------------------------------------------
# the widget


class StackVM:
    """The stack-machine widget. Display it as a cell's last value.

    ``StackVM(program, run_n=10)``: ``program`` is Tiny source or a class file. The Python
    methods :meth:`step` and :meth:`reset` drive the same state as the buttons.
    """

    def __init__(self, program, run_n: int = 10, max_steps: int = 100_000):
        import ipywidgets as w

        self.state = StackVMState(program, max_steps)
        (self.step_button, self.run_button, self.n,
         self.reset_button) = step_controls('stackvm', 'bytecode', run_n, max_steps,
                                            'start again', self.step, self.reset)
        self.panels = {k: w.HTML() for k in ('status', 'code', 'stack', 'frames', 'output')}
        for k, panel in self.panels.items():
            panel.add_class(f'vm-stackvm-{k}-panel')
        p, box = self.panels, panel_box
        # panels as wide as their content (the code's comments included), never squeezed;
        # the frames take the room left, and go under the code when there is none
        self.widget = live_box([
            panel_row([self.step_button, self.run_button, self.n, self.reset_button]),
            p['status'],
            panel_row([box([w.HTML('<b>code</b>'), p['code']], flex='0 0 auto'),
                       box([w.HTML('<b>operand stack</b>'), p['stack']], flex='0 0 auto',
                           min_width='120px'),
                       box([w.HTML('<b>frames</b> (innermost on top)'), p['frames']],
                           flex='1 0 220px')]),
            p['output'],
        ], 'Stack machine stepper')
        self.widget.add_class('vm-stackvm')
        self.refresh()

    def step(self, n: int = 1) -> int:
        ran = self.state.step(n)
        self.refresh()
        return ran

    def reset(self):
        self.state.reset()
        self.refresh()

    def text(self, **kw) -> str:
        return self.state.text(**kw)

    def refresh(self):
        """Update every panel and the buttons, the status line last: a page that waits for the
        status line to change then sees the whole new state."""
        views = self.state.html()
        for k, value in views.items():
            if k != 'status':
                self.panels[k].value = value
        self.step_button.disabled = self.run_button.disabled = self.state.finished
        self.panels['status'].value = views['status']

    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)


# ---------------------------------------------------------------------------------------------
# the price of interpretation, drawn


def draw_profile(profile, title: str = 'RV32 instructions per bytecode'):
    """A bar per opcode: the RV32 instructions one execution costs, split into the dispatch
    sequence (the same for all) and the handler. ``profile``: a
    :class:`vmlib.course.ch07.Profile`, as :func:`vmlib.course.ch07.rv32_profile` returns."""
    names = list(profile.by_opcode)
    per_dispatch = profile.dispatch / profile.bytecodes
    handler = [h / c for c, h in profile.by_opcode.values()]
    fig = new_figure(8, 3)
    ax = fig.add_subplot(1, 1, 1)
    ax.bar(names, [per_dispatch] * len(names), color='#bbbbbb', label='fetch + dispatch')
    ax.bar(names, handler, bottom=[per_dispatch] * len(names), color='#4C72B0',
           label='the handler')
    ax.set_ylabel('RV32 instructions')
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    ax.tick_params(axis='x', labelsize=8)
    fig.tight_layout()
    return fig
