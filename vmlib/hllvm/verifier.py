"""The verifier: proves, before anything runs, that a class file's code cannot go wrong in
the ways a fast VM does not check for.

This is the JVM's bargain. The RV32 VM does not test, on every instruction, whether the
operand stack is empty, whether a jump lands inside the function or whether a local exists:
that would make every instruction slower. Instead, once per class file, the verifier
simulates every path through each function with the stack *depth* as its only state and checks:

- every byte is part of a known instruction, and no instruction is cut off by the end;
- operands are in range: locals below ``nlocals``, functions and constants that exist;
- every jump lands on the first byte of an instruction of the same function;
- the stack never underflows, never exceeds ``max_stack``, and has the same depth whichever
  way an instruction is reached (so loops do not grow it);
- control never runs off the end of the code (the last instruction of a path returns or jumps).

What is left for run time are the errors that depend on values: division by zero and the
depth of recursion (``StackOverflowError``).

    >>> from vmlib.hllvm import compile_source
    >>> max_stack_depths(compile_source('print(1 + 2 * 3);'))
    {'main': 3}
"""

from .errors import VerifyError
from .opcodes import BytecodeError, instructions


def verify(cf):
    """Check every function of ``cf``; raise VerifyError. Returns ``cf``."""
    for index in range(len(cf.functions)):
        depth = stack_depth(cf, index)
        fn = cf.functions[index]
        if depth > fn.max_stack:
            raise VerifyError(f'{cf.function_name(index)}: the stack reaches {depth} values '
                              f'but max_stack is {fn.max_stack}')
    return cf


def max_stack_depths(cf):
    """{function name: the deepest its operand stack gets}."""
    return {cf.function_name(i): stack_depth(cf, i) for i in range(len(cf.functions))}


def stack_depth(cf, index):
    """Check function ``index`` and return the greatest operand-stack depth it reaches."""
    fn = cf.functions[index]
    name = cf.function_name(index)

    def fail(pc, message):
        raise VerifyError(f'{name}, pc {pc}: {message}')

    try:
        code = {ins.pc: ins for ins in instructions(fn.code)}
    except BytecodeError as e:
        raise VerifyError(f'{name}: {e}') from None
    if not code:
        raise VerifyError(f'{name}: the function has no code')
    for ins in code.values():
        for kind, value in zip(ins.op.operands, ins.args):
            if kind == 'local' and value >= fn.nlocals:
                fail(ins.pc, f'local {value} does not exist ({fn.nlocals} locals)')
            if kind == 'func' and value >= len(cf.functions):
                fail(ins.pc, f'function #{value} does not exist')
            if kind == 'const' and value >= len(cf.constants):
                fail(ins.pc, f'constant #{value} does not exist')
            if kind == 'target' and value not in code:
                fail(ins.pc, f'jump target {value} is not the start of an instruction')

    depth_at = {0: 0}           # pc -> stack depth on entry, for every reachable instruction
    work, deepest = [0], 0
    while work:
        pc = work.pop()
        ins, depth = code[pc], depth_at[pc]
        op = ins.op
        pops = cf.functions[ins.args[0]].arity if op.name == 'call' else op.pops
        if depth < pops:
            fail(pc, f'{op.name} needs {pops} value(s) on the stack, there are {depth}')
        depth = depth - pops + op.pushes
        deepest = max(deepest, depth)
        successors = []
        if op.flow in ('next', 'branch', 'call'):
            if ins.next_pc >= len(fn.code):
                fail(pc, 'control runs off the end of the code')
            successors.append(ins.next_pc)
        if op.flow in ('jump', 'branch'):
            successors.append(ins.args[0])
        for nxt in successors:
            if nxt not in depth_at:
                depth_at[nxt] = depth
                work.append(nxt)
            elif depth_at[nxt] != depth:
                fail(nxt, f'the stack depth is {depth_at[nxt]} one way and {depth} another')
    return deepest
