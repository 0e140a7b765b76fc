"""The lexer: Tiny source text to tokens, each knowing its line and column.

One regular expression with a named group per token kind does the work (the way the
assembler's lexer does). Keywords are names that the parser treats specially; a ``//`` comment
runs to the end of the line.

    >>> [t.text for t in tokenize('print(n + 1);')]
    ['print', '(', 'n', '+', '1', ')', ';', '']
"""

import re
from typing import NamedTuple

from .errors import TinySyntaxError

KEYWORDS = {'func', 'var', 'if', 'else', 'while', 'return', 'print', 'and', 'or', 'not'}

TOKEN_RE = re.compile(r'''
    (?P<space>[ \t\r]+)
  | (?P<newline>\n)
  | (?P<comment>//[^\n]*)
  | (?P<number>[0-9]+(?![A-Za-z_0-9]))
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<op>==|!=|<=|>=|[-+*/%<>=(){},;])
''', re.VERBOSE)

ESCAPES = {'n': '\n', 't': '\t', '"': '"', '\\': '\\'}


class Token(NamedTuple):
    kind: str       # 'number', 'name', 'keyword', 'string', 'op', 'eof'
    text: str       # the source text ('' at the end)
    value: object   # int for numbers, str for strings (escapes applied), else the text
    line: int
    column: int

    def describe(self):
        """How an error message names this token."""
        if self.kind == 'eof':
            return 'end of input'
        if self.kind == 'number':
            return f'number {self.text}'
        if self.kind == 'string':
            return f'string {self.text}'
        return f"'{self.text}'"


def tokenize(source, filename='<input>'):
    """The tokens of ``source``, ending with an ``eof`` token."""
    tokens, line, line_start, pos = [], 1, 0, 0
    while pos < len(source):
        m = TOKEN_RE.match(source, pos)
        column = pos - line_start + 1
        if m is None:
            char = source[pos]
            what = 'an unterminated string' if char == '"' else f'character {char!r}'
            raise TinySyntaxError(f'unexpected {what}', line, column, source, filename)
        kind, text = m.lastgroup, m.group()
        if kind == 'newline':
            line, line_start = line + 1, m.end()
        elif kind == 'number':
            tokens.append(Token('number', text, int(text), line, column))
        elif kind == 'name':
            tokens.append(Token('keyword' if text in KEYWORDS else 'name', text, text, line, column))
        elif kind == 'string':
            tokens.append(Token('string', text, _unescape(text, line, column, source, filename),
                                line, column))
        elif kind == 'op':
            tokens.append(Token('op', text, text, line, column))
        pos = m.end()
    tokens.append(Token('eof', '', None, line, pos - line_start + 1))
    return tokens


def _unescape(text, line, column, source, filename):
    out, i, body = [], 0, text[1:-1]
    while i < len(body):
        if body[i] == '\\':
            if body[i + 1] not in ESCAPES:
                raise TinySyntaxError(f'unknown escape \\{body[i + 1]} (known: \\n \\t \\" \\\\)',
                                      line, column + 1 + i, source, filename)
            out.append(ESCAPES[body[i + 1]])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return ''.join(out)
