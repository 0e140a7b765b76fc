"""The parser: tokens to a syntax tree, by recursive descent (one method per grammar rule).

    program    := (function | statement)* EOF
    function   := 'func' NAME '(' [NAME (',' NAME)*] ')' block
    block      := '{' statement* '}'
    statement  := 'var' NAME '=' expr ';'          | NAME '=' expr ';'
                | 'if' '(' expr ')' block ['else' (block | if-statement)]
                | 'while' '(' expr ')' block       | 'return' [expr] ';'
                | 'print' '(' [item (',' item)*] ')' ';'     (item := STRING | expr)
                | NAME '(' [expr (',' expr)*] ')' ';'
    expr       := and ('or' and)*                  and  := not ('and' not)*
    not        := 'not' not | comparison           comparison := sum [('=='|'!='|'<'|'<='|'>'|'>=') sum]
    sum        := term (('+'|'-') term)*           term := unary (('*'|'/'|'%') unary)*
    unary      := '-' unary | primary
    primary    := NUMBER | NAME | NAME '(' [expr (',' expr)*] ')' | '(' expr ')'

The precedence is Java's (``*`` before ``+`` before comparisons before ``and`` before ``or``);
comparisons do not chain (``a < b < c`` is an error, as in Java). Like Java, an integer literal
must fit in an ``int``: up to 2147483647, or 2147483648 right after a minus sign.

Top-level statements are the body of the entry function ``main``; their variables are main's
locals (Tiny has no global variables).
"""

from .errors import TinySyntaxError
from .lexer import tokenize
from .nodes import (Assign, Binary, Call, ExprStmt, Function, If, Num, Print, Program, Return,
                    Unary, Var, VarDecl, While)

COMPARISONS = ('==', '!=', '<', '<=', '>', '>=')


def parse(source, filename='<input>'):
    """The syntax tree (``nodes.Program``) of Tiny ``source``; raise TinySyntaxError."""
    return Parser(source, filename).program()


class Parser:
    def __init__(self, source, filename='<input>'):
        self.source, self.filename = source, filename
        self.tokens = tokenize(source, filename)
        self.i = 0

    # --- looking at tokens ----------------------------------------------------------------

    @property
    def tok(self):
        return self.tokens[self.i]

    def at(self, *texts):
        """Is the current token one of ``texts`` (an operator or keyword)?"""
        return self.tok.kind in ('op', 'keyword') and self.tok.text in texts

    def advance(self):
        tok = self.tok
        self.i += 1
        return tok

    def error(self, message, tok=None):
        tok = tok or self.tok
        return TinySyntaxError(message, tok.line, tok.column, self.source, self.filename)

    def expect(self, text, after=''):
        if not self.at(text):
            where = f' {after}' if after else ''
            raise self.error(f"expected '{text}'{where}, found {self.tok.describe()}")
        return self.advance()

    def expect_name(self, what):
        if self.tok.kind != 'name':
            found = self.tok.describe()
            if self.tok.kind == 'keyword':
                found = f"the keyword '{self.tok.text}'"
            raise self.error(f'expected {what}, found {found}')
        return self.advance()

    # --- program, functions, statements -----------------------------------------------------

    def program(self):
        functions, main = [], []
        while self.tok.kind != 'eof':
            if self.at('func'):
                functions.append(self.function())
            else:
                main.append(self.statement())
        return Program(tuple(functions), tuple(main))

    def function(self):
        start = self.expect('func')
        name = self.expect_name('a function name after func').text
        self.expect('(', 'after the function name')
        params = []
        if not self.at(')'):
            params.append(self.expect_name('a parameter name').text)
            while self.at(','):
                self.advance()
                params.append(self.expect_name('a parameter name').text)
        self.expect(')', 'after the parameters')
        return Function(name, tuple(params), self.block(), (start.line, start.column))

    def block(self):
        self.expect('{', 'to start a block')
        body = []
        while not self.at('}'):
            if self.tok.kind == 'eof':
                raise self.error("expected '}' to end the block, found end of input")
            if self.at('func'):
                raise self.error('functions are defined at the top level, not inside a block')
            body.append(self.statement())
        self.advance()
        return tuple(body)

    def statement(self):
        tok = self.tok
        pos = (tok.line, tok.column)
        if self.at('var'):
            self.advance()
            name = self.expect_name('a variable name after var').text
            self.expect('=', 'after the variable name (a var needs a value)')
            value = self.expr()
            self.expect(';', 'after the statement')
            return VarDecl(name, value, pos)
        if self.at('if'):
            return self.if_statement()
        if self.at('while'):
            self.advance()
            cond = self.condition('while')
            return While(cond, self.block(), pos)
        if self.at('return'):
            self.advance()
            value = None if self.at(';') else self.expr()
            self.expect(';', 'after return')
            return Return(value, pos)
        if self.at('print'):
            self.advance()
            self.expect('(', 'after print')
            items = []
            if not self.at(')'):
                items.append(self.print_item())
                while self.at(','):
                    self.advance()
                    items.append(self.print_item())
            self.expect(')', 'after the items to print')
            self.expect(';', 'after the statement')
            return Print(tuple(items), pos)
        if tok.kind == 'name':
            self.advance()
            if self.at('='):
                self.advance()
                value = self.expr()
                self.expect(';', 'after the statement')
                return Assign(tok.text, value, pos)
            if self.at('('):
                call = self.call(tok)
                self.expect(';', 'after the statement')
                return ExprStmt(call, pos)
            raise self.error(f"expected '=' or '(' after {tok.text}, found {self.tok.describe()}")
        raise self.error(f'expected a statement, found {tok.describe()}')

    def if_statement(self):
        tok = self.expect('if')
        cond = self.condition('if')
        then, orelse = self.block(), ()
        if self.at('else'):
            self.advance()
            orelse = (self.if_statement(),) if self.at('if') else self.block()
        return If(cond, then, orelse, (tok.line, tok.column))

    def condition(self, keyword):
        self.expect('(', f'after {keyword}')
        cond = self.expr()
        self.expect(')', 'after the condition')
        return cond

    def print_item(self):
        if self.tok.kind == 'string':
            return self.advance().value
        return self.expr()

    # --- expressions, lowest precedence first -----------------------------------------------

    def expr(self):
        left = self.and_expr()
        while self.at('or'):
            tok = self.advance()
            left = Binary('or', left, self.and_expr(), (tok.line, tok.column))
        return left

    def and_expr(self):
        left = self.not_expr()
        while self.at('and'):
            tok = self.advance()
            left = Binary('and', left, self.not_expr(), (tok.line, tok.column))
        return left

    def not_expr(self):
        if self.at('not'):
            tok = self.advance()
            return Unary('not', self.not_expr(), (tok.line, tok.column))
        return self.comparison()

    def comparison(self):
        left = self.sum()
        if self.at(*COMPARISONS):
            tok = self.advance()
            left = Binary(tok.text, left, self.sum(), (tok.line, tok.column))
            if self.at(*COMPARISONS):
                raise self.error('comparisons do not chain: write (a < b) and (b < c)')
        return left

    def sum(self):
        left = self.term()
        while self.at('+', '-'):
            tok = self.advance()
            left = Binary(tok.text, left, self.term(), (tok.line, tok.column))
        return left

    def term(self):
        left = self.unary()
        while self.at('*', '/', '%'):
            tok = self.advance()
            left = Binary(tok.text, left, self.unary(), (tok.line, tok.column))
        return left

    def unary(self):
        if self.at('-'):
            tok = self.advance()
            if self.tok.kind == 'number':           # -2147483648 is a literal, as in Java
                return self.number(negative=True, pos=(tok.line, tok.column))
            return Unary('-', self.unary(), (tok.line, tok.column))
        return self.primary()

    def primary(self):
        tok = self.tok
        if tok.kind == 'number':
            return self.number()
        if tok.kind == 'name':
            self.advance()
            if self.at('('):
                return self.call(tok)
            return Var(tok.text, (tok.line, tok.column))
        if self.at('('):
            self.advance()
            inner = self.expr()
            self.expect(')', 'to close the parenthesis')
            return inner
        if tok.kind == 'string':
            raise self.error('a string can only be printed: print("text")')
        raise self.error(f'expected an expression, found {tok.describe()}')

    def number(self, negative=False, pos=None):
        tok = self.advance()
        value = -tok.value if negative else tok.value
        if not -(1 << 31) <= value < (1 << 31):
            raise self.error(f'integer {tok.text} is too large for an int (the largest is '
                             f'2147483647)', tok)
        return Num(value, pos or (tok.line, tok.column))

    def call(self, name_tok):
        self.expect('(')
        args = []
        if not self.at(')'):
            args.append(self.expr())
            while self.at(','):
                self.advance()
                args.append(self.expr())
        self.expect(')', 'after the arguments')
        return Call(name_tok.text, tuple(args), (name_tok.line, name_tok.column))
