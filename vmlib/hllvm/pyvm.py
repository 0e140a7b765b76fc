"""Platform 1: the Tiny VM written in Python, a readable interpreter for class files.

The loop is the one every bytecode VM has: fetch the instruction at ``pc``, dispatch on its
opcode to a handler, repeat. Handlers are the methods ``op_<name>``, one per row of the
instruction table (``opcodes.TABLE``), found by name when the VM starts, so the table and the
VM cannot disagree silently.

A frame holds one function activation: its locals and its own operand stack. ``steps()``
yields a snapshot before every instruction, so a notebook can animate the stack:

    >>> from vmlib.hllvm import compile_source
    >>> vm = PythonVM(compile_source('print(6 * 7);'))
    >>> [(s.pc, s.instruction, s.stack) for s in vm.steps()][:3]
    [(0, 'const 6', ()), (5, 'const 7', (6,)), (10, 'mul', (6, 7))]
    >>> vm.output
    '42\\n'
"""

from typing import NamedTuple

from .opcodes import TABLE, BytecodeError, decode, format_instruction, instructions
from .runtime import (BAD_OPCODE, BINARY, EXIT_ERROR, HEADER_WORDS, STACK_OVERFLOW,
                      STACK_WORDS, TinyRuntimeError, error_report, wrap)
from .errors import StepLimit, VerifyError


class Step(NamedTuple):
    """The VM's state just before one instruction runs."""

    function: str           # the function running
    pc: int                 # the instruction's offset in the function's code
    instruction: str        # e.g. 'load 0'
    opcode: str             # e.g. 'load'
    stack: tuple            # the frame's operand stack, bottom first
    locals: dict            # name -> value
    depth: int              # call depth: 1 in main
    output: str             # everything printed so far
    calls: tuple = ()       # the call stack: (function, pc) of every frame, main first

    def __str__(self):
        """One line of text: the fallback for a reader without widgets."""
        names = ' '.join(f'{k}={v}' for k, v in self.locals.items())
        return (f'{self.function:<8} {self.pc:4}  {self.instruction:<12} '
                f'stack [{", ".join(map(str, self.stack))}]'
                f'{"  " + names if names else ""}')


class FrameView(NamedTuple):
    """One live frame, as a debugger shows it (a copy: holding it does not change the VM)."""

    function: str           # the function of this activation
    pc: int                 # its next instruction (in a caller: the one after its call)
    locals: dict            # name -> value
    stack: tuple            # its operand stack, bottom first


class Run(NamedTuple):
    """How a run ended: the printed text, the exit status, and the work done."""

    output: str
    status: int
    steps: int


class Frame:
    """One activation of a function: where it is, its locals, its operand stack."""

    def __init__(self, index, fn, args, base):
        self.index, self.fn = index, fn
        self.pc = 0
        self.locals = list(args) + [0] * (fn.nlocals - len(args))
        self.stack = []
        self.base = base            # where the frame starts on the (RV32-shaped) VM stack

    def push(self, value):
        self.stack.append(value)

    def pop(self):
        return self.stack.pop()

    @property
    def top(self):
        """The first free word above this frame, counted as the RV32 VM lays frames out."""
        return self.base + self.fn.nlocals + HEADER_WORDS + len(self.stack)


class PythonVM:
    """Runs one class file. ``run()`` for the result, ``steps()`` to watch it run."""

    def __init__(self, cf, max_steps=None):
        self.cf = cf
        self.max_steps = max_steps
        self.dispatch = [None] * 256
        for op in TABLE:
            self.dispatch[op.code] = getattr(self, 'op_' + op.name)
        # "linking": decode each function once, so the loop fetches decoded instructions
        self.code = [self._decode(fn) for fn in cf.functions]
        self.out = []
        self.frames = []
        self.status = None
        self.count = 0

    @staticmethod
    def _decode(fn):
        try:
            return {ins.pc: ins for ins in instructions(fn.code)}
        except ValueError:              # only without the verifier: decode as we go
            return None

    @property
    def output(self):
        return ''.join(self.out)

    # --- running ----------------------------------------------------------------------------

    def run(self):
        """Run to the end: ``Run(output, status, steps)``."""
        for _ in self.steps(snapshots=False):
            pass
        return Run(self.output, self.status, self.count)

    def steps(self, snapshots=True):
        """Run, yielding a ``Step`` before each instruction (``None`` if not ``snapshots``)."""
        try:
            self.enter(self.cf.entry, [], 0)
        except TinyRuntimeError as e:       # main's frame alone does not fit
            self.fail(e.message, Frame(self.cf.entry, self.cf.functions[self.cf.entry], [], 0), 0)
            return
        while self.frames:
            frame = self.frames[-1]
            if self.max_steps is not None and self.count >= self.max_steps:
                raise StepLimit(f'the Python VM ran {self.count} instructions without finishing')
            ins = self.fetch(frame)
            if snapshots:
                yield self.snapshot(frame, ins)
            self.count += 1
            try:
                if ins is None:
                    raise TinyRuntimeError(BAD_OPCODE + str(frame.fn.code[frame.pc]))
                frame.pc = ins.next_pc
                self.dispatch[ins.op.code](frame, *ins.args)
            except TinyRuntimeError as e:
                self.fail(e.message, frame, ins.pc if ins else frame.pc)
                return
        self.status = 0

    def fetch(self, frame):
        """The decoded instruction at the frame's pc; None for a bad opcode (possible only
        in code that skipped the verifier)."""
        code = self.code[frame.index]
        ins = code.get(frame.pc) if code is not None else None
        if ins is None:
            if frame.pc >= len(frame.fn.code):
                raise VerifyError(f'pc {frame.pc} is outside the code of '
                                  f'{self.cf.function_name(frame.index)} (unverified code)')
            try:
                ins = decode(frame.fn.code, frame.pc)
            except BytecodeError:
                return None
        return ins

    def fail(self, message, frame, pc):
        if self.output and not self.output.endswith('\n'):
            self.out.append('\n')                   # the message starts on a line of its own
        self.out.append(error_report(message, self.cf.function_name(frame.index), pc))
        self.frames = []
        self.status = EXIT_ERROR

    def snapshot(self, frame, ins):
        return Step(self.cf.function_name(frame.index), frame.pc,
                    format_instruction(ins) if ins else '(bad opcode)',
                    ins.op.name if ins else '?', tuple(frame.stack),
                    self._named_locals(frame), len(self.frames), self.output,
                    tuple((self.cf.function_name(f.index), f.pc) for f in self.frames))

    def frame_views(self):
        """Every live frame, main first, as ``FrameView`` copies: the whole call stack with
        each frame's locals and operand stack (a ``Step`` has only the running frame's).
        Between two snapshots of ``steps()`` this is the state that snapshot describes;
        after the run it is ``()``."""
        return tuple(FrameView(self.cf.function_name(f.index), f.pc, self._named_locals(f),
                               tuple(f.stack)) for f in self.frames)

    def _named_locals(self, frame):
        names = [self.cf.local_name(frame.fn, i) or f'#{i}' for i in range(frame.fn.nlocals)]
        return dict(zip(names, frame.locals))

    def enter(self, index, args, base):
        """Push a frame for function ``index``: the one check that needs no verifier help."""
        fn = self.cf.functions[index]
        if base + fn.nlocals + HEADER_WORDS + fn.max_stack > STACK_WORDS:
            raise TinyRuntimeError(STACK_OVERFLOW)
        self.frames.append(Frame(index, fn, args, base))

    # --- the instructions, one method per row of opcodes.TABLE -------------------------------

    def op_const(self, f, n):
        f.push(n)

    def op_load(self, f, slot):
        f.push(f.locals[slot])

    def op_store(self, f, slot):
        f.locals[slot] = f.pop()

    def op_pop(self, f):
        f.pop()

    def binary(self, f, name):
        b = f.pop()
        a = f.pop()
        f.push(BINARY[name](a, b))

    def op_add(self, f): self.binary(f, 'add')
    def op_sub(self, f): self.binary(f, 'sub')
    def op_mul(self, f): self.binary(f, 'mul')
    def op_div(self, f): self.binary(f, 'div')
    def op_rem(self, f): self.binary(f, 'rem')
    def op_eq(self, f): self.binary(f, 'eq')
    def op_ne(self, f): self.binary(f, 'ne')
    def op_lt(self, f): self.binary(f, 'lt')
    def op_le(self, f): self.binary(f, 'le')
    def op_gt(self, f): self.binary(f, 'gt')
    def op_ge(self, f): self.binary(f, 'ge')

    def op_neg(self, f):
        f.push(wrap(-f.pop()))

    def op_not(self, f):
        f.push(int(f.pop() == 0))

    def op_jmp(self, f, target):
        f.pc = target

    def op_jz(self, f, target):
        if f.pop() == 0:
            f.pc = target

    def op_jnz(self, f, target):
        if f.pop() != 0:
            f.pc = target

    def op_call(self, f, index):
        arity = self.cf.functions[index].arity
        args = f.stack[len(f.stack) - arity:]
        base = f.top - arity                # the arguments become the callee's first locals
        self.enter(index, args, base)
        del f.stack[len(f.stack) - arity:]

    def op_ret(self, f):
        value = f.pop()
        self.frames.pop()
        if self.frames:
            self.frames[-1].push(value)

    def op_print(self, f):
        self.out.append(str(f.pop()))

    def op_prints(self, f, index):
        self.out.append(self.cf.constants[index])


def run_python(cf, max_steps=None):
    """Run class file ``cf`` (a ``ClassFile`` or its bytes) on the Python VM; return the text
    it printed (a run-time error's message included). ``PythonVM(cf).run()`` gives the exit
    status and the instruction count as well."""
    return PythonVM(_as_classfile(cf), max_steps).run().output


def _as_classfile(cf):
    from .classfile import ClassFile
    return cf if isinstance(cf, ClassFile) else ClassFile.from_bytes(cf)

