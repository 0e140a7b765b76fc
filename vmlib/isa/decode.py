"""The decoder: from a 32-bit word to a row of the decode table and its operand fields.

Built from the table at import: words are grouped by major opcode, and inside a group the
rows with more fixed bits are tried first, so ``sub`` wins over ``add`` and ``srai`` over
``srli`` without any hand-written special case.
"""

from collections import defaultdict

from .table import SPECS, OP_ILLEGAL, OP_MISALIGNED_TARGET

_BY_OPCODE = defaultdict(list)
for _spec in SPECS:
    _BY_OPCODE[_spec.match & 0x7F].append(_spec)
for _group in _BY_OPCODE.values():
    _group.sort(key=lambda s: -bin(s.mask).count('1'))


class Instruction:
    """A decoded instruction: its table row, its word and its operand fields."""

    __slots__ = ('spec', 'word', 'fields')

    def __init__(self, spec, word, fields):
        self.spec, self.word, self.fields = spec, word, fields

    @property
    def name(self):
        return self.spec.name

    def __getattr__(self, field):
        try:
            return self.fields[field]
        except KeyError:
            raise AttributeError(field) from None

    def __repr__(self):
        return f"Instruction({self.spec.name}, {self.fields})"


def find_spec(word):
    """The table row whose fixed bits match ``word``, or None for an illegal word."""
    if word & 3 != 3:
        return None
    for spec in _BY_OPCODE.get(word & 0x7F, ()):
        if word & spec.mask == spec.match:
            return spec
    return None


def decode(word):
    """Decode ``word`` into an ``Instruction``, or None when it is not an instruction."""
    spec = find_spec(word)
    if spec is None:
        return None
    return Instruction(spec, word, spec.decode_fields(word))


def decode_for_execution(word):
    """The interpreter's compact form: ``(op, rd, rs1, rs2, imm)``.

    ``rd`` 0 becomes 32, a scratch slot, so writes to x0 need no test at run time; CSR
    instructions carry the CSR number in ``imm``; the illegal word keeps itself in ``imm``
    (it becomes ``mtval``); a branch or jal to a misaligned target becomes
    ``OP_MISALIGNED_TARGET`` with the real op in the ``rd`` place (branches have no rd).
    """
    spec = find_spec(word)
    if spec is None:
        return (OP_ILLEGAL, 0, 0, 0, word)
    f = spec.decode_fields(word)
    if spec.format.name in ('B', 'J') and f['imm'] & 3:
        return (OP_MISALIGNED_TARGET, spec.op, f.get('rs1', 0), f.get('rs2', 0), f['imm'])
    rd = f.get('rd', 0) or 32
    imm = f['csr'] if 'csr' in f else f.get('imm', 0)
    return (spec.op, rd, f.get('rs1', 0), f.get('rs2', 0), imm)
