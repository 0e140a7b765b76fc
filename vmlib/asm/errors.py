"""The one error the assembler raises: ``AsmError``, pointing at a file, line and column.

A learner fixes a program from the message alone, so every error says where (``file:line:col``,
the way compilers and GNU ``as`` print it, which editors turn into links) and what was expected.

The assembler does not stop at the first error: it skips the statement in error and goes on,
so one run shows every mistake it can find (up to ``MAX_ERRORS``, beyond which the rest are
mostly consequences of the first ones). What it raises is still one ``AsmError``: the first
error in source order, which carries all of them in ``errors``; ``str()`` gives one
``file:line:col: error: ...`` line per error. Nothing half-assembled is ever returned: a
program that assembles is complete, one that does not never runs.
"""

#: how many errors one run reports before it gives up
MAX_ERRORS = 20


class AsmError(Exception):
    """An assembly error at ``filename:line:column`` (both 1-based; 0 when unknown).

    ``errors`` lists every error of the run in source order, this one first (just this one
    for an error on its own); ``stopped`` is True when the assembler gave up at ``MAX_ERRORS``.
    ``note`` says how the line was reached when it is not in the file assembled ("included from
    main.s:3", "in macro 'push' invoked at main.s:9"); ``top_line`` is then the line of the
    assembled file that led there (errors are listed in the order of those lines).
    """

    def __init__(self, message, line=0, column=0, filename=None, source_line=None, src=None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.filename = filename
        self.source_line = source_line
        self.note = None
        self.top_line = None
        self.errors = [self]
        self.stopped = False
        self.place(src)

    def place(self, src):
        """Name the file, the source line and the note of ``src`` (a lexer ``Source``)."""
        if src is not None:
            self.filename, self.note = src.name, src.note
            self.source_line = src.line(self.line)

    def where(self):
        """``file:line:col``, leaving out what is unknown."""
        where = self.filename or '<input>'
        if self.line:
            where += f':{self.line}'
            if self.column:
                where += f':{self.column}'
        return where

    def headline(self):
        """This error alone, as one line: ``file:line:col: error: message``."""
        note = f' ({self.note})' if self.note else ''
        return f'{self.where()}: error: {self.message}{note}'

    def __str__(self):
        return '\n'.join([e.headline() for e in self.errors] + self._stopped())

    def context(self):
        """Each error's line, the offending source line and a caret under the column
        (for notebooks)."""
        return '\n'.join([e.headline() + e._pointer() for e in self.errors] + self._stopped())

    def _pointer(self):
        if self.source_line is None:
            return ''
        return ('\n    ' + self.source_line.expandtabs(1) + '\n    '
                + ' ' * max(self.column - 1, 0) + '^')

    def _stopped(self):
        if not self.stopped:
            return []
        return [f'{self.filename or "<input>"}: too many errors; stopped after the first '
                f'{len(self.errors)}']


def error_at(token, message):
    """An ``AsmError`` placed at ``token`` (anything with ``.line`` and ``.col``)."""
    return AsmError(message, token.line, token.col, src=getattr(token, 'src', None))


def combined(errors, stopped=False):
    """One ``AsmError`` standing for all of ``errors`` (the first ``MAX_ERRORS`` of them in
    source order): the first. ``stopped``: the assembler gave up before the end."""
    unique = {}                 # one error reached twice (a symbol's cycle) is shown once
    for e in errors:
        unique.setdefault((e.line, e.column, e.message), e)
    errors = sorted(unique.values(), key=lambda e: (e.top_line or e.line, e.line, e.column))
    errors = errors[:MAX_ERRORS]
    first = errors[0]
    first.errors, first.stopped = errors, stopped
    return first
