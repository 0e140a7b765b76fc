"""The reference semantics: run a Tiny syntax tree directly, no bytecode involved.

This is the third way to run a program, and the simplest: walk the tree, evaluate each node.
It is what the two VMs are tested against (property tests generate random programs and
compare all three), so it is written for obviousness, not speed. It is also the baseline the
chapter compares with: a tree-walking interpreter needs no compiler, but it re-reads the tree
on every step, and its "program" is a Python data structure that no other platform can run.

Run-time errors print the same first line as the VMs (``ArithmeticException: / by zero``)
but no ``at ... (pc N)`` line, since a tree has no program counter. Deep recursion stops at
``MAX_DEPTH`` calls, not at the VMs' stack-word limit.

    >>> from vmlib.hllvm import parse
    >>> evaluate(parse('print(-7 / 2, -7 % 2, 2147483647 + 1);'))
    ('-3 -1 -2147483648\\n', 0)
"""

import sys

from .nodes import (Assign, Binary, Call, ExprStmt, If, Num, Print, Return, Unary, Var,
                    VarDecl, While)
from .compiler import OPERATORS
from .runtime import BINARY, EXIT_ERROR, STACK_OVERFLOW, TinyRuntimeError, wrap
from .errors import StepLimit

MAX_DEPTH = 500


class _Return(Exception):
    def __init__(self, value):
        self.value = value


def evaluate(program, max_steps=1_000_000):
    """Run a ``nodes.Program``; return ``(output, exit status)``. The program must compile
    (names resolved); ``max_steps`` bounds the statements and expressions evaluated."""
    return Evaluator(program, max_steps).run()


class Evaluator:
    def __init__(self, program, max_steps):
        self.functions = {f.name: f for f in program.functions}
        self.main = program.main
        if 'main' in self.functions and not program.main:
            self.main = self.functions['main'].body
        self.out, self.depth, self.budget = [], 0, max_steps

    def run(self):
        limit = sys.getrecursionlimit()         # a Tiny call takes a few Python frames
        sys.setrecursionlimit(max(limit, 20 * MAX_DEPTH + 1000))
        try:
            self.call_body(self.main, {})
        except TinyRuntimeError as e:
            if ''.join(self.out)[-1:] not in ('', '\n'):
                self.out.append('\n')
            self.out.append(e.message + '\n')
            return ''.join(self.out), EXIT_ERROR
        finally:
            sys.setrecursionlimit(limit)
        return ''.join(self.out), 0

    def tick(self):
        self.budget -= 1
        if self.budget < 0:
            raise StepLimit('the reference interpreter ran out of steps')

    def call_body(self, body, env):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise TinyRuntimeError(STACK_OVERFLOW)
        try:
            self.block(body, env)
            return 0
        except _Return as r:
            return r.value
        finally:
            self.depth -= 1

    def block(self, body, env):
        for s in body:
            self.statement(s, env)

    def statement(self, s, env):
        self.tick()
        if isinstance(s, (VarDecl, Assign)):
            env[s.name] = self.expr(s.value, env)
        elif isinstance(s, If):
            self.block(s.then if self.expr(s.cond, env) else s.orelse, env)
        elif isinstance(s, While):
            while self.expr(s.cond, env):
                self.block(s.body, env)
                self.tick()
        elif isinstance(s, Return):
            raise _Return(0 if s.value is None else self.expr(s.value, env))
        elif isinstance(s, Print):      # left to right: a space, then the item once evaluated
            for n, item in enumerate(s.items):
                if n:
                    self.out.append(' ')
                self.out.append(item if isinstance(item, str) else str(self.expr(item, env)))
            self.out.append('\n')
        elif isinstance(s, ExprStmt):
            self.expr(s.expr, env)
        else:
            raise TypeError(f'not a statement: {s!r}')

    def expr(self, e, env):
        self.tick()
        if isinstance(e, Num):
            return e.value
        if isinstance(e, Var):
            return env.get(e.name, 0)       # a var declared on a path not taken reads 0
        if isinstance(e, Unary):
            v = self.expr(e.operand, env)
            return wrap(-v) if e.op == '-' else int(v == 0)
        if isinstance(e, Binary):
            if e.op == 'and':
                return int(bool(self.expr(e.left, env)) and bool(self.expr(e.right, env)))
            if e.op == 'or':
                return int(bool(self.expr(e.left, env)) or bool(self.expr(e.right, env)))
            a = self.expr(e.left, env)
            b = self.expr(e.right, env)
            return BINARY[OPERATORS[e.op]](a, b)
        if isinstance(e, Call):
            f = self.functions[e.name]
            args = [self.expr(a, env) for a in e.args]
            return self.call_body(f.body, dict(zip(f.params, args)))
        raise TypeError(f'not an expression: {e!r}')
