"""A high-level-language VM: compile once, run on two different platforms (the JVM's idea).

    source (.tiny) --compile_source--> ClassFile --to_bytes--> class file (bytes)
                                                                  |            |
                                                         run_python(cf)   run_rv32(cf)
                                                         a VM in Python   a VM in RV32 assembly,
                                                                          on the vmlib machine

    >>> from vmlib.hllvm import compile_source, run_python, run_rv32
    >>> cf = compile_source('func sq(x) { return x * x; }  print("7 squared is", sq(7));')
    >>> run_python(cf)
    '7 squared is 49\\n'
    >>> output, status, instructions = run_rv32(cf)
    >>> output, status
    ('7 squared is 49\\n', 0)

The language, Tiny, in one screen (Java's ``int`` arithmetic, C-like syntax)::

    // a comment                          func gcd(a, b) {          // functions, recursion
    var x = 42;          // declare          while (b != 0) {
    x = x * 2 - 1;       // assign               var t = a % b;     // locals are per call
    if (x > 10 and not (x == 50)) {          a = b;
        print("big:", x);                    b = t;
    } else if (x < 0) { print(-x); }     }
    else { print(); }                        return a;
                                          }
    print(gcd(1071, 462));                // top-level statements are the function main

- integers are 32-bit and wrap (``2147483647 + 1 == -2147483648``); ``/`` truncates toward
  zero, ``%`` takes the sign of the dividend, and dividing by zero is a run-time error,
  ``ArithmeticException: / by zero``, exit status 1;
- ``+ - * / %``, ``== != < <= > >=`` (giving 1 or 0, not chained), ``and or not``
  (short-circuit, giving 1 or 0), unary ``-``;
- ``if/else``, ``while``, ``return``, functions with parameters (called before or after their
  definition), ``print(item, ...)``: integers and "strings", separated by spaces, then a newline;
- variables belong to their function (parameters, then each ``var``); no globals.

The pieces, in the order a program meets them: ``lexer``, ``parser`` (to ``nodes``),
``compiler`` (to the instructions of ``opcodes.TABLE``), ``classfile`` (bytes, and back),
``verifier`` (safe to run?), then a platform: ``pyvm`` or ``rv32`` (``vm_rv32.s``).
``interp`` runs the syntax tree directly: the reference the VMs are tested against.
"""

from .classfile import ClassFile, Function
from .compiler import compile_program, compile_source
from .errors import (ClassFormatError, CompileError, StepLimit, TinyError, TinySyntaxError,
                     VerifyError)
from .examples import EXAMPLES, example_source
from .opcodes import TABLE, table_text
from .parser import parse
from .pyvm import PythonVM, run_python
from .rv32 import run_rv32, rv32_source
from .verifier import verify

PLATFORMS = ('python', 'rv32')


def run(cf, platform='python', **kw):
    """Run ``cf`` on ``platform`` ('python' or 'rv32'): ``(output, exit status, steps)``, where
    steps are bytecode instructions on Python and RV32 instructions on RV32."""
    if platform == 'python':
        return tuple(PythonVM(cf if isinstance(cf, ClassFile) else ClassFile.from_bytes(cf),
                              **kw).run())
    if platform == 'rv32':
        return tuple(run_rv32(cf, **kw))
    raise ValueError(f'unknown platform {platform!r} (known: {", ".join(PLATFORMS)})')


__all__ = ['ClassFile', 'Function', 'compile_source', 'compile_program', 'parse', 'verify',
           'run_python', 'run_rv32', 'rv32_source', 'run', 'PythonVM', 'TABLE', 'table_text',
           'EXAMPLES', 'example_source', 'PLATFORMS', 'TinyError', 'CompileError',
           'TinySyntaxError', 'ClassFormatError', 'VerifyError', 'StepLimit']
