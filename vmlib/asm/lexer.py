"""The lexer: source text to statements of tokens, each token knowing its line and column.

Positions are kept on every token because errors must point at a column. The lexical rules
are GNU ``as`` for RISC-V: ``#`` starts a comment to the end of the line, ``/* ... */`` is a
comment (it may span lines), ``;`` separates statements on one line, names may contain ``.``
(``lr.w.aq``, ``.text``, ``.L1``) and ``$``, numbers are decimal, ``0x`` hex, ``0b`` binary or
``0``-prefixed octal, ``1b``/``1f`` refer to numeric local labels, ``'a'`` (or GNU's older
``'a``) is a character constant and ``%hi`` names a relocation function.

The lexer never fails on a stray character: it becomes an ``op`` token and the parser, which
knows what it expected there, reports it. It fails only on text that cannot be split at all
(an unterminated string or comment). Given a list for ``errors``, it notes such an error there
instead of raising it and goes on at the next line (after an unterminated comment there is
nothing left), so the assembler can report the mistakes further down too.
"""

import re

from .errors import AsmError


class Source:
    """Where tokens come from, for error messages: a file, or one statement that a macro or a
    repeat expanded to (``note`` then says from where: "in macro 'push' invoked at a.s:9").
    ``line(n)`` is the text of line ``n``, for the caret under the column."""

    def __init__(self, name, text, note=None, first_line=1):
        self.name, self.note, self.first_line = name, note, first_line
        self.lines = text.splitlines()

    def line(self, n):
        i = n - self.first_line
        return self.lines[i] if 0 <= i < len(self.lines) else None


class Token:
    """One token. ``kind`` is one of: name num local str op func eol badnum.

    ``src`` is the ``Source`` it was read from (None for tokens made by the assembler). The
    ``eol`` token that ends a statement holds the statement's text in ``value``: a macro body
    is kept as text, because GNU ``as`` substitutes its arguments as text (``lbl\\n\\():``)."""

    __slots__ = ('kind', 'text', 'value', 'line', 'col', 'src')

    def __init__(self, kind, text, value, line, col, src=None):
        self.kind, self.text, self.value, self.line, self.col = kind, text, value, line, col
        self.src = src

    def describe(self):
        """How an error message shows this token: quoted text, or 'end of line'.

        An ``eol`` token also ends each operand; there it stands for the ``,`` or ``(``
        that ended the operand and is shown as that character.
        """
        if self.kind == 'eol' and self.text in ('', '\n', ';'):
            return 'end of line'
        return repr(self.text)

    def at(self, place):
        """A copy of this token placed where token ``place`` is (pseudo-instruction templates
        use it, so that errors point at the programmer's mnemonic)."""
        return Token(self.kind, self.text, self.value, place.line, place.col, place.src)

    def __repr__(self):
        return f'Token({self.kind}, {self.text!r}, {self.line}:{self.col})'


ESCAPES = {'n': 10, 't': 9, 'r': 13, '\\': 92, '"': 34, "'": 39, 'b': 8, 'f': 12,
           'v': 11, 'a': 7, 'e': 27}



def parse_number(text):
    """The value of a number token: an int, ``('local', n, 'b'|'f')``, or None if invalid."""
    t = text.lower()
    try:
        if t.startswith('0x') and len(t) > 2:
            return int(t[2:], 16)
        if t.startswith('0b') and len(t) > 2 and set(t[2:]) <= set('01'):
            return int(t[2:], 2)
        if t[-1] in 'bf' and text[-1] in 'bf' and t[:-1].isdigit():
            return ('local', int(t[:-1]), t[-1])
        if t.isdigit():
            if t.startswith('0') and len(t) > 1:
                return int(t, 8) if set(t) <= set('01234567') else None
            return int(t)
    except ValueError:
        return None
    return None


def _escape(src, i):
    """Read an escape sequence after the backslash at ``src[i-1]``: (value, next index)."""
    c = src[i] if i < len(src) else ''
    if c in ESCAPES:
        return ESCAPES[c], i + 1
    if c in '01234567' and c:
        j = i
        while j < len(src) and j < i + 3 and src[j] in '01234567':
            j += 1
        return int(src[i:j], 8) & 0xFF, j
    if c in 'xX' and c:
        j = i + 1
        while j < len(src) and src[j] in '0123456789abcdefABCDEF':
            j += 1
        if j == i + 1:
            return ord('x'), i + 1
        return int(src[i + 1:j], 16) & 0xFF, j     # like GNU: the low byte of all digits
    if c == '\n' or not c:
        return None, i
    return ord(c), i + 1


_TOKEN = re.compile(r"""
    (?P<nl>\n) | (?P<space>[ \t\r\f\v]+) | (?P<comment>\#[^\n]*) | (?P<block>/\*)
  | (?P<semi>;) | (?P<str>") | (?P<chr>') | (?P<func>%[A-Za-z][A-Za-z0-9_.$]*)
  | (?P<name>[A-Za-z_.$][A-Za-z0-9_.$]*) | (?P<num>[0-9][A-Za-z0-9_]*)
  | (?P<op><<|>>|<=|>=|==|!=|<>|&&|\|\||.)""", re.X | re.S)


def tokenize(source, errors=None, src=None, first_line=1):
    """Split ``source`` into statements: lists of tokens, each ending with an ``eol`` token.

    Empty statements (blank lines, comment-only lines) are left out. A lexical error raises
    ``AsmError``; with ``errors`` (a list) it is appended there instead and the statement it
    is in is dropped. Tokens carry ``src`` (a ``Source``) and count lines from ``first_line``.
    """
    statements, current = [], []
    i, line, line_start, n = 0, first_line, 0, len(source)
    match = _TOKEN.match

    def end_statement(text, at):
        nonlocal current
        if current:
            first = current[0]
            begin = line_start + first.col - 1 if first.line == line else at
            current.append(Token('eol', text, source[begin:at], line, at - line_start + 1, src))
            statements.append(current)
        current = []

    def fail(error):
        """A lexical error: raise it, or note it in ``errors`` and drop its statement."""
        nonlocal current
        if errors is None:
            raise error
        errors.append(error)
        current = []

    while i < n:
        m = match(source, i)
        kind, text, start = m.lastgroup, m.group(), i - line_start + 1
        if kind == 'name':
            current.append(Token('name', text, text, line, start, src))
        elif kind == 'space' or kind == 'comment':
            pass
        elif kind == 'nl':
            end_statement('\n', i)
            line, line_start = line + 1, i + 1
        elif kind == 'op':
            current.append(Token('op', text, None, line, start, src))
        elif kind == 'num':
            value = parse_number(text)
            if isinstance(value, tuple):
                current.append(Token('local', text, value[1:], line, start, src))
            elif value is None:
                current.append(Token('badnum', text, None, line, start, src))
            else:
                current.append(Token('num', text, value, line, start, src))
        elif kind == 'semi':
            end_statement(';', i)
        elif kind == 'func':
            current.append(Token('func', text, text[1:], line, start, src))
        elif kind == 'block':
            j = source.find('*/', i + 2)
            if j < 0:           # the rest of the file is the comment: nothing more to read
                fail(AsmError('unterminated comment: missing "*/"', line, start, src=src))
                break
            for k in range(i, j):
                if source[k] == '\n':
                    end_statement('\n', k)
                    line, line_start = line + 1, k + 1
            i = j + 2
            continue
        else:   # a string or a character constant
            try:
                token, i = (_string if kind == 'str' else _character)(source, i, line, start)
                token.src = src
            except AsmError as e:
                e.place(src)
                fail(e)
                end = source.find('\n', i)             # go on at the end of the line
                i = n if end < 0 else end
                continue
            current.append(token)
            continue
        i = m.end()
    end_statement('', n)
    return statements


def _string(source, i, line, col):
    """The string constant whose opening quote is at ``source[i]``: (token, next index)."""
    j, out = i + 1, bytearray()
    while True:
        if j >= len(source) or source[j] == '\n':
            raise AsmError('unterminated string: missing closing \'"\'', line, col)
        ch = source[j]
        if ch == '"':
            break
        if ch == '\\':
            value, j = _escape(source, j + 1)
            if value is None:
                raise AsmError('unterminated string: missing closing \'"\'', line, col)
            out.append(value & 0xFF)
            continue
        out += ch.encode('utf-8', 'surrogatepass')
        j += 1
    return Token('str', source[i:j + 1], bytes(out), line, col), j + 1


def _character(source, i, line, col):
    """The character constant (``'a'``, or GNU's ``'a``) at ``source[i]``: (token, next index)."""
    j = i + 1
    if j >= len(source) or source[j] == '\n':
        raise AsmError("expected a character after \"'\"", line, col)
    if source[j] == '\\':
        value, j = _escape(source, j + 1)
        if value is None:
            raise AsmError('unterminated character constant', line, col)
    else:
        value, j = ord(source[j]), j + 1
    if j < len(source) and source[j] == "'":
        j += 1
    return Token('num', source[i:j], value, line, col), j
