"""The errors of the Tiny tool chain, one class per stage, so a learner sees which stage said no.

Compile-time errors carry the line and column and print the offending source line with a
caret, like a compiler does. Load-time errors (``ClassFormatError``, ``VerifyError``) are the
JVM's names for "these bytes are not a class file" and "this code would not be safe to run".
Run-time errors are not Python exceptions at all: the program prints a message and exits with
status 1, on both platforms in the same words (see ``runtime.py``).
"""


class TinyError(Exception):
    """Anything the Tiny tool chain refuses."""


class CompileError(TinyError):
    """The source is not a valid Tiny program; ``line`` and ``column`` count from 1."""

    def __init__(self, message, line, column, source=None, filename='<input>'):
        self.message, self.line, self.column = message, line, column
        self.source, self.filename = source, filename
        super().__init__(str(self))

    def __str__(self):
        text = f'{self.filename}:{self.line}:{self.column}: {self.message}'
        if self.source is not None:
            lines = self.source.splitlines()
            if 0 < self.line <= len(lines):
                code = lines[self.line - 1]
                text += f'\n    {code}\n    {" " * (self.column - 1)}^'
        return text


class TinySyntaxError(CompileError):
    """The lexer or parser could not read the program."""


class ClassFormatError(TinyError):
    """The bytes are not a well-formed class file (magic, version, sizes, indices)."""


class VerifyError(TinyError):
    """The class file is well formed but its code is unsafe (bad opcode, jump, stack depth)."""


class StepLimit(TinyError):
    """A run did not finish within its step budget (an endless loop, or a budget too small)."""
