"""The one error the assembler raises: ``AsmError``, pointing at a file, line and column.

A learner fixes a program from the message alone, so every error says where (``file:line:col``,
the way compilers and GNU ``as`` print it, which editors turn into links) and what was expected.
The assembler stops at the first error and returns nothing half-assembled: a program that
assembles is complete, one that does not never runs.
"""


class AsmError(Exception):
    """An assembly error at ``filename:line:column`` (both 1-based; 0 when unknown)."""

    def __init__(self, message, line=0, column=0, filename=None, source_line=None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.filename = filename
        self.source_line = source_line

    def __str__(self):
        where = self.filename or '<input>'
        if self.line:
            where += f':{self.line}'
            if self.column:
                where += f':{self.column}'
        return f'{where}: error: {self.message}'

    def context(self):
        """The message, the offending source line and a caret under the column (for notebooks)."""
        text = str(self)
        if self.source_line is not None:
            src = self.source_line.expandtabs(1)
            text += '\n    ' + src + '\n    ' + ' ' * max(self.column - 1, 0) + '^'
        return text


def error_at(token, message):
    """An ``AsmError`` placed at ``token`` (anything with ``.line`` and ``.col``)."""
    return AsmError(message, token.line, token.col)
