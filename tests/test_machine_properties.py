"""Property tests of the machine: it computes what an independent reference model computes,
and nothing a program does — however random — crashes it or makes it hang."""

import struct

from hypothesis import given, settings, strategies as st

from vmlib.isa import BY_NAME, decode
from vmlib.machine import Machine

M32 = 0xFFFFFFFF


def signed(v):
    """Two's complement value of a 32-bit pattern, computed the slow, obvious way."""
    return struct.unpack('<i', struct.pack('<I', v & M32))[0]


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


# The reference model: each operation written from the spec's prose, independently of the
# snippets in the decode table (no shared helpers).
def ref_div(a, b):
    if b == 0:
        return -1
    if signed(a) == -2**31 and signed(b) == -1:
        return a
    return trunc_div(signed(a), signed(b))


def ref_rem(a, b):
    if b == 0:
        return a
    if signed(a) == -2**31 and signed(b) == -1:
        return 0
    return signed(a) - trunc_div(signed(a), signed(b)) * signed(b)


REFERENCE_R = {
    'add': lambda a, b: a + b,
    'sub': lambda a, b: a - b,
    'sll': lambda a, b: a << (b % 32),
    'slt': lambda a, b: 1 if signed(a) < signed(b) else 0,
    'sltu': lambda a, b: 1 if a < b else 0,
    'xor': lambda a, b: a ^ b,
    'srl': lambda a, b: a >> (b % 32),
    'sra': lambda a, b: signed(a) >> (b % 32),
    'or': lambda a, b: a | b,
    'and': lambda a, b: a & b,
    'mul': lambda a, b: signed(a) * signed(b),
    'mulh': lambda a, b: (signed(a) * signed(b)) >> 32,
    'mulhsu': lambda a, b: (signed(a) * b) >> 32,
    'mulhu': lambda a, b: (a * b) >> 32,
    'div': ref_div,
    'divu': lambda a, b: a // b if b else M32,
    'rem': ref_rem,
    'remu': lambda a, b: a % b if b else a,
}
REFERENCE_I = {
    'addi': lambda a, i: a + i,
    'slti': lambda a, i: 1 if signed(a) < i else 0,
    'sltiu': lambda a, i: 1 if a < (i & M32) else 0,
    'xori': lambda a, i: a ^ (i & M32),
    'ori': lambda a, i: a | (i & M32),
    'andi': lambda a, i: a & (i & M32),
}
REFERENCE_SHIFT = {
    'slli': lambda a, s: a << s,
    'srli': lambda a, s: a >> s,
    'srai': lambda a, s: signed(a) >> s,
}

reg = st.integers(0, 31)
word = st.integers(0, M32)
interesting = st.sampled_from([0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE])
values = st.one_of(word, interesting)

alu_instruction = st.one_of(
    st.tuples(st.sampled_from(sorted(REFERENCE_R)), reg, reg, reg),
    st.tuples(st.sampled_from(sorted(REFERENCE_I)), reg, reg, st.integers(-2048, 2047)),
    st.tuples(st.sampled_from(sorted(REFERENCE_SHIFT)), reg, reg, st.integers(0, 31)),
    st.tuples(st.sampled_from(['lui', 'auipc']), reg, st.just(0),
              st.integers(0, 0xFFFFF).map(lambda v: v << 12)),
)

POWER_OFF = [BY_NAME['lui'].encode(rd=31, imm=0x100000),
             BY_NAME['lui'].encode(rd=30, imm=0x5000),
             BY_NAME['addi'].encode(rd=30, rs1=30, imm=0x555),
             BY_NAME['sw'].encode(rs1=31, rs2=30, imm=0)]


def encode(op, a, b, c):
    spec = BY_NAME[op]
    if op in REFERENCE_R:
        return spec.encode(rd=a, rs1=b, rs2=c)
    if op in ('lui', 'auipc'):
        return spec.encode(rd=a, imm=c)
    return spec.encode(rd=a, rs1=b, imm=c)


def reference_run(program, regs, base=0x80000000):
    x = list(regs)
    for i, (op, a, b, c) in enumerate(program):
        pc = base + 4 * i
        if op in REFERENCE_R:
            v = REFERENCE_R[op](x[b], x[c])
        elif op in REFERENCE_I:
            v = REFERENCE_I[op](x[b], c)
        elif op in REFERENCE_SHIFT:
            v = REFERENCE_SHIFT[op](x[b], c)
        elif op == 'lui':
            v = c
        else:
            v = pc + c
        if a:
            x[a] = v & M32
    return x


def machine_with(words, regs=None):
    m = Machine.from_image(b''.join(struct.pack('<I', w) for w in words), ram_size=1 << 20)
    if regs:
        m.hart.x[1:32] = regs[1:32]
    return m


@settings(max_examples=300, deadline=None)
@given(st.lists(alu_instruction, min_size=1, max_size=30), st.lists(values, min_size=32,
                                                                   max_size=32))
def test_alu_programs_match_the_reference_model(program, regs):
    regs = [0] + regs[1:]
    expected = reference_run(program, regs)
    m = machine_with([encode(*i) for i in program], regs)
    m.run(len(program))                      # exactly the program, not the power-off tail
    assert m.hart.x[:32] == expected
    assert m.hart.instret == len(program)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, M32), min_size=1, max_size=64))
def test_random_words_never_crash_the_cpu(words):
    """Anything at all in memory ends in an explained stop, never a Python exception."""
    # a trap handler that skips the faulting instruction keeps the random code running
    handler = [BY_NAME['csrrs'].encode(rd=29, rs1=0, csr=0x341),       # csrr t4, mepc
               BY_NAME['addi'].encode(rd=29, rs1=29, imm=4),
               BY_NAME['csrrw'].encode(rd=0, rs1=29, csr=0x341),       # csrw mepc, t4
               BY_NAME['mret'].encode()]
    setup = [BY_NAME['auipc'].encode(rd=28, imm=0),
             BY_NAME['addi'].encode(rd=28, rs1=28, imm=4 * 4),
             BY_NAME['csrrw'].encode(rd=0, rs1=28, csr=0x305),         # mtvec = handler
             BY_NAME['jal'].encode(rd=0, imm=4 * (1 + len(handler)))]
    m = machine_with(setup + handler + words + POWER_OFF)
    result = m.run(5000)
    assert result.reason in ('budget', 'poweroff', 'htif', 'wfi', 'trap-loop', 'reset')
    assert result.message or result.reason == 'poweroff'


@settings(max_examples=60, deadline=None)
@given(st.lists(alu_instruction, min_size=1, max_size=12))
def test_tracing_changes_nothing(program):
    """A traced run (one step at a time, events recorded) ends in the same state."""
    words = [encode(*i) for i in program] + POWER_OFF
    plain, traced = machine_with(words), machine_with(words)
    events = []
    traced.trace = events.append
    r1, r2 = plain.run(1000), traced.run(1000)
    assert (r1.reason, r1.exit_status, r1.instructions) == \
        (r2.reason, r2.exit_status, r2.instructions)
    assert plain.hart.x[:32] == traced.hart.x[:32]
    retired = [e for e in events if type(e).__name__ == 'Retired']
    assert len(retired) == r1.instructions


@given(st.integers(0, M32))
def test_decoder_and_execution_form_agree(w):
    """The interpreter's compact form says what the full decoder says."""
    from vmlib.isa import decode_for_execution
    from vmlib.isa.table import OP_MISALIGNED_TARGET
    ins = decode(w)
    op = decode_for_execution(w)
    if ins is None:
        assert op[4] == w
    elif op[0] == OP_MISALIGNED_TARGET:
        assert op[1] == ins.spec.op and ins.imm & 3 and ins.spec.format.name in 'BJ'
    else:
        assert op[0] == ins.spec.op
        assert op[1] == (ins.fields.get('rd', 0) or 32)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu']), values, values,
       st.integers(-1024, 1023).map(lambda v: v * 2))
def test_branches_to_misaligned_targets_trap_only_when_taken(name, a, b, offset):
    """Without compressed instructions, a taken branch to pc+2 is an exception (cause 0)."""
    from vmlib.machine.traps import MISALIGNED_FETCH
    cond = {'beq': a == b, 'bne': a != b, 'blt': signed(a) < signed(b),
            'bge': signed(a) >= signed(b), 'bltu': a < b, 'bgeu': a >= b}[name]
    branch = BY_NAME[name].encode(rs1=5, rs2=6, imm=offset)
    m = machine_with([branch] + [BY_NAME['addi'].encode(rd=0, rs1=0, imm=0)] * 4,
                     [0] * 5 + [a, b] + [0] * 25)
    m.hart.mtvec = 0x80000010                   # a handler that exists (a nop)
    events = m.step()
    traps = [e for e in events if type(e).__name__ == 'TrapTaken']
    if cond and offset & 3:
        assert [(t.cause, t.tval, t.epc) for t in traps] == \
            [(MISALIGNED_FETCH, (0x80000000 + offset) & M32, 0x80000000)]
    else:
        assert not traps
        assert m.pc == ((0x80000000 + offset) & M32 if cond else 0x80000004)
