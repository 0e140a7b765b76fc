"""Shared hypothesis strategies: instructions, programs and register values for RV32.

Everything is derived from the decode table (``vmlib.isa.SPECS``): a strategy never lists
instructions or encodings of its own, so a row added to the table is covered at once.

    from strategies import instruction_words, alu_programs, register_values

- ``fields_for(spec)``: legal operand fields for one table row (what ``Spec.encode`` takes);
- ``instructions(...)``: ``(spec, fields)`` pairs; ``instruction_words(...)``: their words;
- ``alu_programs(...)``: straight-line programs of register/immediate arithmetic (words);
- ``register_values()``: 32-bit values with the edge cases (0, 1, -1, INT_MIN ...) weighted up;
- ``assembly_lines()``: single lines of valid assembly (instructions, labels, directives),
  for fuzzing and round-trip tests of the assembler.
"""

from hypothesis import strategies as st

from vmlib.isa import SPECS, disassemble

M32 = 0xFFFFFFFF

EDGE_VALUES = (0, 1, 2, 0x7FF, 0x800, 0xFFF, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE,
               0xFFFFFFFF)


def register_values():
    """A 32-bit register value (unsigned), edge cases about half of the time."""
    return st.one_of(st.sampled_from(EDGE_VALUES), st.integers(0, M32))


def _field(spec, name, lo, hi):
    fmt = spec.format.name
    if name == 'imm' and fmt in ('B', 'J'):           # branch/jump offsets are even
        return st.integers(lo // 2, hi // 2).map(lambda v: v * 2)
    if name == 'imm' and fmt == 'U':                  # upper immediates: multiples of 4096
        return st.integers(0, 0xFFFFF).map(lambda v: v << 12)
    return st.integers(lo, hi)


def fields_for(spec):
    """Legal operand fields for ``spec``: a dict for ``spec.encode(**fields)``.

    Ranges come from ``spec.format.ranges``; B/J offsets are even and U immediates are
    multiples of 4096, as the encodings require.
    """
    return st.fixed_dictionaries({name: _field(spec, name, lo, hi)
                                  for name, (lo, hi) in spec.format.ranges.items()})


def _select(names=None, kinds=None, categories=None):
    specs = [s for s in SPECS
             if (names is None or s.name in names)
             and (kinds is None or s.kind in kinds)
             and (categories is None or s.category in categories)]
    if not specs:
        raise ValueError('no instruction matches the selection')
    return specs


def instructions(names=None, kinds=None, categories=None):
    """``(spec, fields)`` for a random legal instruction, optionally restricted by table
    names (``{'add', 'lw'}``), kinds (``{'alu', 'load'}``) or categories (``{'csr'}``)."""
    return st.sampled_from(_select(names, kinds, categories)).flatmap(
        lambda spec: st.tuples(st.just(spec), fields_for(spec)))


def instruction_words(names=None, kinds=None, categories=None):
    """A random *legal* instruction word (it decodes back to the same row and fields)."""
    return instructions(names, kinds, categories).map(lambda sf: sf[0].encode(**sf[1]))


def alu_programs(min_size=1, max_size=20, with_muldiv=True, with_upper=True):
    """A straight-line program: a list of words of ``kind == 'alu'`` instructions only.

    No loads, stores, branches, jumps or system instructions, so it runs from its first word
    to its last; ``x0`` may be a destination (writes to it must vanish). ``with_muldiv`` adds
    the M extension, ``with_upper`` adds ``lui``/``auipc`` (``auipc`` results depend on where
    the program is placed). Append your own way of stopping (an ``ecall``, a test-device
    write) and compare the registers with a reference model.
    """
    specs = [s for s in SPECS if s.kind == 'alu'
             and (with_muldiv or s.category != 'muldiv')
             and (with_upper or s.format.name != 'U')]
    ins = st.sampled_from(specs).flatmap(lambda spec: fields_for(spec).map(
        lambda fields: spec.encode(**fields)))
    return st.lists(ins, min_size=min_size, max_size=max_size)


LABELS = ('start', 'loop', 'done', 'data', 'tohost', '_start', 'buf')
DIRECTIVE_LINES = ('.text', '.data', '.rodata', '.bss', '.align 2', '.balign 4', '.word 1, 2',
                   '.half 3', '.byte 4, 5', '.ascii "ab"', '.asciz "hi\\n"', '.space 8',
                   '.zero 4', '.globl start', '.equ N, 10', '.set M, N * 2',
                   '.section .rodata', '.p2align 3', '.string "x"', '.word loop - start')


def assembly_lines():
    """One line of valid assembly: an instruction (from the disassembler, so it assembles
    back to the same word), a label definition, a reference to a label, or a directive."""
    instruction = instruction_words(kinds={'alu', 'load', 'store', 'system', 'nop'}).map(
        lambda w: disassemble(w))
    return st.one_of(
        instruction,
        st.sampled_from(LABELS).map(lambda n: f'{n}:'),
        st.sampled_from(('j', 'call', 'la a0,', 'beqz a1,', 'tail')).flatmap(
            lambda op: st.sampled_from(LABELS).map(lambda n: f'{op} {n}')),
        st.sampled_from(DIRECTIVE_LINES),
        st.sampled_from(('1:', 'j 1b', 'j 1f', 'li a0, N', 'li t0, 0x12345678',
                         'lui a0, %hi(data)', 'addi a0, a0, %lo(data)', 'nop', 'ret')),
    )
