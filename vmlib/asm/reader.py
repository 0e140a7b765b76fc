"""The reader: GNU ``as``'s layer above the statements -- ``.include``, conditional assembly,
macros and repeats -- between the lexer and the assembler.

GNU ``as`` does all of this while it reads, in one pass, and so does the reader: the assembler
asks it for the next statement, and it answers from the file, from an included file, from a
macro's expansion or a repetition, leaving out what a false ``.if`` skips. A condition is
evaluated with what the assembler knows at that point (``.equ`` names and ``--defsym`` values
set before it, labels seen before it), as GNU ``as`` evaluates it.

Macro bodies and repeated blocks are kept as text, a statement each, and arguments are put in
as text (``\\arg``; ``\\()`` joins, as in ``lbl\\n\\():``; ``\\@`` counts the macros expanded so
far), then read again, as GNU ``as`` does. An error in an expansion points at the body's line,
with a note saying where the macro was invoked (GNU's "macro invoked from here"); an error in
an included file names that file and where it was included from.

``.include "FILE"`` looks for FILE as given (relative to the working directory), then in each
include directory (``-I``), like GNU ``as``; then, unlike it, beside the including file.
"""

import re
from pathlib import Path

from .errors import AsmError, error_at
from .lexer import Source, tokenize
from .operands import read_expression, split_operands

#: the numeric conditions and what they test
COMPARISONS = {'.if': lambda v: v != 0, '.ifne': lambda v: v != 0, '.ifeq': lambda v: v == 0,
               '.ifgt': lambda v: v > 0, '.ifge': lambda v: v >= 0, '.iflt': lambda v: v < 0,
               '.ifle': lambda v: v <= 0}
CONDITIONS = set(COMPARISONS) | {'.ifdef', '.ifndef', '.ifnotdef', '.ifb', '.ifnb', '.ifc',
                                 '.ifnc'}
REPEATS = ('.rept', '.irp', '.irpc')        # each closed by .endr
#: how deep includes and macro expansions may nest (GNU ``as``: 100 macros)
MAX_DEPTH = 100
#: how many statements one assembly may read, expansions included (a guard against ``.rept``
#: counts and recursive macros that would never end)
MAX_STATEMENTS = 1_000_000
_NAME = re.compile(r'[A-Za-z_.$][A-Za-z0-9_.$]*')
_KEYWORD = re.compile(r'\s*([A-Za-z_.$][A-Za-z0-9_.$]*)\s*=(?!=)(.*)$', re.S)


class Macro:
    """A ``.macro``: its parameters ``[(name, default, 'req'|'vararg'|None)]`` and its body,
    a list of ``(text, line, column, source)``, one per statement."""

    def __init__(self, name, params, body, tok):
        self.name, self.params, self.body, self.tok = name, params, body, tok


class _Frame:
    """Statements being read: a file, a macro's expansion or a repetition.

    ``top_line`` is the line of the assembled file that led here (None in that file itself);
    ``note`` says how (for errors); ``conditions`` is how deep ``.if`` nesting was on entry."""

    def __init__(self, statements, kind, name, top_line, note, conditions):
        self.statements, self.kind, self.name = iter(statements), kind, name
        self.top_line, self.note, self.conditions = top_line, note, conditions


class _Condition:
    """One open ``.if``: whether its enclosing code is read, whether one branch was taken,
    whether the branch being read is on, and whether ``.else`` was seen."""

    def __init__(self, outer, on, tok):
        self.outer, self.taken, self.on, self.tok, self.in_else = outer, on, on, tok, False


class Reader:
    """Statements for ``assembler`` from ``source``, with includes, conditions and macros done."""

    def __init__(self, assembler, include_dirs=()):
        self.asm = assembler
        self.include_dirs = [Path(d) for d in include_dirs]
        self.macros = {}
        self.expansions = 0         # what \@ counts: the macros expanded so far
        self.conditions = []
        self.frames = []
        self.top_line = 0
        self.read_count = 0

    @property
    def reading(self):
        """False inside the branch of a conditional that is not assembled."""
        return not self.conditions or self.conditions[-1].on

    def statements(self, source, filename):
        """Every statement to assemble, in order (a generator: the assembler's pass 1 runs
        between two statements, so a condition sees the symbols set before it)."""
        self.push_file(source, Source(filename, source), None, None)
        while self.frames:
            frame = self.frames[-1]
            toks = next(frame.statements, None)
            if toks is None:
                self.frames.pop()
                self.close_conditions(frame)
                continue
            self.top_line = toks[0].line if frame.top_line is None else frame.top_line
            self.read_count += 1
            try:
                if self.read_count > MAX_STATEMENTS:
                    self.frames.clear()
                    raise error_at(toks[0], f'more than {MAX_STATEMENTS:,} statements to '
                                            'assemble: a .rept count or a macro that invokes '
                                            'itself without end?')
                yield from self.read(frame, toks)
            except AsmError as e:
                self.asm.note(e, self.top_line)

    def read(self, frame, toks):
        """What one statement gives the assembler: itself, nothing (a directive done here), or
        a macro invocation's labels (the expansion is pushed as a frame)."""
        first = toks[0]
        name = first.text.lower() if first.kind == 'name' else None
        if name in CONDITIONS or name in ('.else', '.elseif', '.endif'):
            self.condition(name, first, toks)
            return
        if not self.reading:
            return
        if name == '.macro':
            self.define(frame, first, toks)
        elif name in REPEATS:
            self.repeat(frame, name, first, toks)
        elif name == '.include':
            self.include(first, toks)
        elif name == '.exitm':
            self.exit_macro(first)
        elif name == '.purgem':
            self.purge(first, toks)
        elif name in ('.endm', '.endr'):
            opener = "'.macro'" if name == '.endm' else "'.rept', '.irp' or '.irpc'"
            raise error_at(first, f"'{first.text}' without a {opener} before it")
        else:
            i = 0
            while (toks[i].kind in ('name', 'num') and toks[i + 1].kind == 'op'
                   and toks[i + 1].text == ':'):
                i += 2
            macro = self.macros.get(toks[i].text.lower()) if toks[i].kind == 'name' else None
            if macro is None:
                yield toks
                return
            if i:
                yield toks[:i] + [toks[-1]]
            self.invoke(macro, toks[i], toks)

    # --- conditional assembly ---------------------------------------------------------------

    def condition(self, name, first, toks):
        if name in CONDITIONS:
            cond = _Condition(self.reading, False, first)
            self.conditions.append(cond)        # first: an error below leaves it open, off
            cond.on = cond.taken = cond.outer and self.test(name, first, toks)
            return
        if not self.conditions:
            raise error_at(first, f"'{first.text}' without an '.if' before it")
        cond = self.conditions[-1]
        if name == '.endif':
            self.conditions.pop()
        elif cond.in_else:
            raise error_at(first, f"'{first.text}' after the '.else' of the '.if' on line "
                                  f'{cond.tok.line}')
        elif name == '.else':
            cond.in_else = True
            cond.on, cond.taken = cond.outer and not cond.taken, True
        else:   # .elseif
            cond.on = cond.outer and not cond.taken and self.test('.if', first, toks)
            cond.taken = cond.taken or cond.on

    def test(self, name, first, toks):
        """Evaluate the condition of ``.if``-like directive ``name``."""
        rest = toks[1:]
        if name in ('.ifb', '.ifnb'):
            return (rest[0].kind == 'eol') == (name == '.ifb')
        if name in ('.ifc', '.ifnc'):
            pieces = split_arguments(arguments_text(first, toks), keep_spaces=True)
            if len(pieces) != 2:
                raise error_at(first, f'expected {name} string1, string2')
            a, b = (p.strip("'") if p.startswith("'") else p.strip('"') for p in pieces)
            return (a == b) == (name == '.ifc')
        if name in ('.ifdef', '.ifndef', '.ifnotdef'):
            if rest[0].kind != 'name' or rest[1].kind != 'eol':
                raise error_at(rest[0], f'expected {name} symbol, found {rest[0].describe()}')
            return self.asm.defined(rest[0].text) == (name == '.ifdef')
        ops = split_operands(rest)
        if len(ops) != 1:
            raise error_at(ops[1][0] if ops[1:] else rest[0], f'expected {name} expression')
        op = read_expression(ops[0], self.asm.resolve_local)
        return COMPARISONS[name](self.asm.constant1(op, f'the condition of {name}'))

    def close_conditions(self, frame):
        """At the end of a file or an expansion, every ``.if`` opened in it must be closed."""
        while len(self.conditions) > frame.conditions:
            cond = self.conditions.pop()
            self.asm.note(error_at(cond.tok, f"'{cond.tok.text}' has no '.endif' before the end "
                                             f'of the {frame.kind}'), self.top_line)

    # --- macros and repeats -------------------------------------------------------------------

    def body(self, frame, first, opens, closes):
        """The statements up to the directive that closes ``first`` (nested pairs counted),
        as ``(text, line, column, source)``, taken from ``frame``."""
        depth, body = 1, []
        for toks in frame.statements:
            word = toks[0].text.lower() if toks[0].kind == 'name' else None
            depth += (word in opens) - (word in closes)
            if depth == 0:
                return body
            body.append((toks[-1].value, toks[0].line, toks[0].col, toks[0].src))
        end = "'.endm'" if '.endm' in closes else "'.endr'"
        raise error_at(first, f"'{first.text}' has no {end} before the end of the {frame.kind}")

    def define(self, frame, first, toks):
        words = split_arguments(arguments_text(first, toks))
        if not words or not _NAME.fullmatch(words[0]):
            raise error_at(toks[1], 'expected .macro name [parameters], found '
                                    f'{toks[1].describe()}')
        name, params = words[0].lower(), []
        for word in words[1:]:
            pname, _, default = word.partition('=')
            pname, _, kind = pname.strip().partition(':')
            if not _NAME.fullmatch(pname) or kind not in ('', 'req', 'vararg'):
                raise error_at(first, f'macro {name!r}: bad parameter {word!r} (expected name, '
                                      'name=default, name:req or name:vararg)')
            params.append((pname, default.strip(), kind or None))
        body = self.body(frame, first, ('.macro',), ('.endm',))
        if name in self.macros:
            raise error_at(toks[1], f'macro {name!r} is already defined (line '
                                    f'{self.macros[name].tok.line})')
        self.macros[name] = Macro(name, params, body, first)

    def purge(self, first, toks):
        name = toks[1].text.lower()
        if self.macros.pop(name, None) is None:
            raise error_at(toks[1], f'.purgem: no macro named {toks[1].text!r}')

    def invoke(self, macro, name_tok, toks):
        given = split_arguments(arguments_text(name_tok, toks))
        values, positional = {}, 0
        names = [p[0] for p in macro.params]
        for i, arg in enumerate(given):
            keyword = _KEYWORD.match(arg)
            if keyword and keyword.group(1) in names:
                values[keyword.group(1)] = keyword.group(2).strip()
                continue
            if positional >= len(names):
                raise error_at(name_tok, f'macro {macro.name!r} takes {len(names)} argument'
                                         f"{'s' * (len(names) != 1)}, given {len(given)}")
            pname, _, kind = macro.params[positional]
            if kind == 'vararg':
                values[pname] = ', '.join(given[i:])
                break
            values[pname] = arg
            positional += 1
        for pname, default, kind in macro.params:
            if not values.get(pname):
                if kind == 'req':
                    raise error_at(name_tok, f'macro {macro.name!r}: missing value for the '
                                             f"required parameter '{pname}'")
                values[pname] = default
        self.expansions += 1
        note = f"in macro '{macro.name}' invoked at {self.where(name_tok)}"
        self.push(macro.body, values, self.expansions - 1, 'macro', macro.name, note, name_tok)

    def repeat(self, frame, name, first, toks):
        body = self.body(frame, first, REPEATS, ('.endr',))
        if name == '.rept':
            ops = split_operands(toks[1:])
            count = self.asm.constant1(read_expression(ops[0], self.asm.resolve_local),
                                       'the count of .rept')
            runs = [{}] * max(count, 0)
        else:
            words = split_arguments(arguments_text(first, toks))
            if not words or not _NAME.fullmatch(words[0]):
                raise error_at(toks[1], f'expected {name} symbol, values')
            symbol, values = words[0], words[1:] or ['']
            if name == '.irpc':
                values = list(''.join(values)) or ['']
            runs = [{symbol: v} for v in values]
        if len(runs) * max(len(body), 1) > MAX_STATEMENTS:
            raise error_at(toks[1], f'{name} would make {len(runs):,} copies: more than '
                                    'the assembler reads')
        note = f"in {name} at {self.where(first)}"
        self.push([line for _ in runs for line in body], None, None, 'repetition', name, note,
                  first, runs=[(run, len(body)) for run in runs])

    def push(self, body, values, count, kind, name, note, at, runs=None):
        """Read ``body`` again with ``values`` (or each run's) put in: a new frame."""
        if len(self.frames) >= MAX_DEPTH:
            raise error_at(at, f'{kind}s nest deeper than {MAX_DEPTH}: a macro that invokes '
                               'itself without end?')
        note = self.chain(note, at)
        errors, statements = [], []
        substitutions = ([values] * len(body) if runs is None
                         else [run for run, n in runs for _ in range(n)])
        for (text, line, col, src), subs in zip(body, substitutions):
            text = ' ' * (col - 1) + substitute(text, subs, count)
            statements += tokenize(text, errors, Source(src.name, text, note, line), line)
        for e in errors:
            self.asm.note(e, self.top_line)
        self.frames.append(_Frame(statements, kind, name, self.top_line, note,
                                  len(self.conditions)))

    def exit_macro(self, first):
        while self.frames and self.frames[-1].kind == 'repetition':
            self.frames.pop()
        if not self.frames or self.frames[-1].kind != 'macro':
            raise error_at(first, "'.exitm' outside a macro")
        frame = self.frames.pop()
        del self.conditions[frame.conditions:]

    # --- files --------------------------------------------------------------------------------

    def include(self, first, toks):
        rest = toks[1:]
        if rest[0].kind != 'str' or rest[1].kind != 'eol':
            raise error_at(rest[0], f'expected .include "file", found {rest[0].describe()}')
        if len(self.frames) >= MAX_DEPTH:
            raise error_at(first, f'includes nest deeper than {MAX_DEPTH}: does a file '
                                  'include itself?')
        name = rest[0].value.decode('utf-8', 'replace')
        here = Path(first.src.name).parent if first.src and first.src.name != '<input>' else None
        places = [Path(name)] + [d / name for d in self.include_dirs]
        if here is not None:
            places.append(here / name)
        for path in places:
            if path.is_file():
                break
        else:
            looked = ', '.join(dict.fromkeys(str(p) for p in places))
            raise error_at(rest[0], f'cannot open {name!r} for reading (looked for {looked}; '
                                    'add its folder with -I)')
        source = path.read_bytes().decode('utf-8', 'replace')
        note = self.chain(f'included from {self.where(first)}', first)
        self.push_file(source, Source(str(path), source, note), self.top_line, note)

    def push_file(self, source, src, top_line, note):
        errors = []
        statements = tokenize(source, errors, src)
        for e in errors:
            self.asm.note(e, top_line or e.line)
        self.frames.append(_Frame(statements, 'file', src.name, top_line, note,
                                  len(self.conditions)))

    @staticmethod
    def where(tok):
        return f'{tok.src.name if tok.src else "<input>"}:{tok.line}'

    @staticmethod
    def chain(note, tok):
        """``note``, followed by how ``tok``'s own line was reached, if it was not read from
        the assembled file itself."""
        outer = tok.src.note if tok.src else None
        return f'{note}, {outer}' if outer else note


# --- text -------------------------------------------------------------------------------------

def arguments_text(tok, toks):
    """The text of statement ``toks`` after ``tok`` (a macro's name, a directive)."""
    text = toks[-1].value or ''
    start = tok.col - toks[0].col + len(tok.text) if tok.line == toks[0].line else len(text)
    return text[start:]


def split_arguments(text, keep_spaces=False):
    """Split macro arguments as GNU ``as`` does: at commas, and at a space between two
    operands (``m 1 2`` is two arguments, ``m 1 + 2`` one). A quoted string stays whole and
    loses its quotes; a ``#`` comment ends the text."""
    args, current, i, n = [], '', 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            current += text[i:j + 1]
            i = j + 1
            continue
        if c == '#':
            break
        if c == ',':
            args.append(current.strip())
            current = ''
        elif c in ' \t' and not keep_spaces:
            j = i
            while j < n and text[j] in ' \t':
                j += 1
            before = current.rstrip()[-1:]
            after = text[j:j + 1]
            if before and after and _operand_end(before) and _operand_start(after):
                args.append(current.strip())
                current = ''
            else:
                current += ' '
            i = j
            continue
        else:
            current += c
        i += 1
    if current.strip() or args:
        args.append(current.strip())
    return [_unquote(a) for a in args]


def _unquote(arg):
    """GNU ``as`` passes ``"a b"`` as ``a b``: the quotes of a quoted argument go (escapes
    inside it stay, to be read where the argument lands)."""
    if len(arg) >= 2 and arg[0] == arg[-1] == '"':
        inner, i = arg[1:-1], 0
        while i < len(inner):
            if inner[i] == '\\':
                i += 2
            elif inner[i] == '"':
                return arg                  # two strings side by side: leave it
            else:
                i += 1
        return inner
    return arg


def _operand_end(c):
    return c.isalnum() or c in '_.$"\')'


def _operand_start(c):
    return c.isalnum() or c in '_.$"\'\\'


def substitute(text, values, count):
    """``text`` with ``\\name`` replaced by the value of parameter ``name``, ``\\()`` removed and
    ``\\@`` replaced by ``count`` (when there is one). Anything else after a backslash stays."""
    if values is None and count is None:
        return text
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '\\' and i + 1 < n:
            if text[i + 1] == '@' and count is not None:
                out.append(str(count))
                i += 2
                continue
            if text.startswith('()', i + 1):
                i += 3
                continue
            m = _NAME.match(text, i + 1)
            if m and values and m.group() in values:
                out.append(values[m.group()])
                i = m.end()
                continue
        out.append(c)
        i += 1
    return ''.join(out)
