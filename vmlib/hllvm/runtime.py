"""What the two VMs must agree on: integer arithmetic, the stack limit, the error messages.

The Tiny language has Java's ``int``: 32-bit two's complement that wraps on overflow, division
that truncates toward zero, a remainder with the sign of the dividend, and a division by zero
that is an error rather than a value. RISC-V's ``div``/``rem`` already behave like this except
for the zero divisor (they return -1 and the dividend), so the RV32 VM tests for it first.

Stack depth is measured in 32-bit words of one VM stack, as the RV32 VM lays it out: a frame is
``nlocals + HEADER_WORDS + max_stack`` words, and the callee's arguments become its first
locals in place. The Python VM counts the same words, so ``StackOverflowError`` strikes at the
same call depth on both platforms.
"""

INT_MIN, INT_MAX = -(1 << 31), (1 << 31) - 1

STACK_WORDS = 16384     # the VM stack: 64 KiB
HEADER_WORDS = 4        # per frame: return pc, caller's code, caller's locals, caller's function

DIV_ZERO = 'ArithmeticException: / by zero'
STACK_OVERFLOW = 'StackOverflowError'
BAD_OPCODE = 'InternalError: bad opcode '       # followed by the opcode in decimal
EXIT_ERROR = 1                                  # the exit status after a run-time error


def wrap(n):
    """``n`` as a 32-bit two's-complement integer (what ``int`` arithmetic in Java gives)."""
    return (n + (1 << 31)) % (1 << 32) - (1 << 31)


def div(a, b):
    """Java's ``a / b``: truncate toward zero; ``INT_MIN / -1`` wraps to ``INT_MIN``."""
    if b == 0:
        raise TinyRuntimeError(DIV_ZERO)
    q = abs(a) // abs(b)
    return wrap(q if (a < 0) == (b < 0) else -q)


def rem(a, b):
    """Java's ``a % b``: ``a - (a / b) * b``, so the result has the sign of ``a``."""
    if b == 0:
        raise TinyRuntimeError(DIV_ZERO)
    r = abs(a) % abs(b)
    return r if a >= 0 else -r


BINARY = {
    'add': lambda a, b: wrap(a + b),
    'sub': lambda a, b: wrap(a - b),
    'mul': lambda a, b: wrap(a * b),
    'div': div,
    'rem': rem,
    'eq': lambda a, b: int(a == b),
    'ne': lambda a, b: int(a != b),
    'lt': lambda a, b: int(a < b),
    'le': lambda a, b: int(a <= b),
    'gt': lambda a, b: int(a > b),
    'ge': lambda a, b: int(a >= b),
}
"""The binary instructions' meaning, shared by the Python VM and the reference interpreter."""


class TinyRuntimeError(Exception):
    """A run-time error inside a VM; it becomes a printed message and exit status 1."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def error_report(message, function, pc):
    """The text both VMs print for a run-time error, e.g.::

        ArithmeticException: / by zero
            at gcd (pc 7)
    """
    return f'{message}\n    at {function} (pc {pc})\n'
