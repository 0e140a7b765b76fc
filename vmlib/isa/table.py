"""The decode table: every instruction of RV32IMA + Zicsr + Zifencei + the privileged ones + H's.

This table is the single source of truth. From it come:

- the decoder (``vmlib.isa.decode``): word -> instruction, by the fixed bits of each format;
- the disassembler (``vmlib.isa.disasm``): instruction -> text, by the operand syntax;
- the assembler (``vmlib.asm``): text -> word, by the same syntax and the format's encoder;
- the interpreter (``vmlib.machine.interp``): the semantics snippets below are pasted into one
  generated dispatch loop;
- the translator (later chapters): the same snippets with operands folded to constants.

An instruction is added in one place: one ``ins(...)`` line here.

Semantics are small Python snippets over ``R`` (the register list; ``R[0]`` always reads 0),
``rd rs1 rs2 imm`` (operands) and ``pc``. Registers hold unsigned 32-bit ints. ``kind`` says how
the generator treats the snippet:

- ``alu``: straight-line code writing ``R[rd]``; the generator adds ``pc += 4``.
- ``branch``: a condition; taken branches go to ``pc + imm``.
- ``jump``: code that sets ``pc`` itself (``jal``/``jalr``).
- ``load``/``store``: ``(size, signed)``; the generator emits the memory fast path.
- ``system``: executed by the slow path (``vmlib.machine.execute``), which may trap, change
  privilege or touch CSRs; instead of a snippet the row names its *executor* there (``csr``,
  ``amo``, ``trap_return``...), so the hart and a hypervisor's instruction emulator dispatch
  through the same table and no chain of tests by mnemonic exists anywhere.
- ``nop``: nothing but ``pc += 4`` (fences: one hart, no caches to order, and an instruction
  cache that stores keep coherent).
"""

from .formats import FORMATS, mask_of

M32 = 0xFFFFFFFF


class Spec:
    """One row of the table."""

    def __init__(self, op, name, fmt, match, syntax, kind, semantics, category):
        self.op = op                    # small int: dispatch id in interpreter and translator
        self.name = name
        self.format = FORMATS[fmt]
        self.match = match
        self.mask = mask_of(self.format)
        self.syntax = syntax            # operand syntax, e.g. 'rd, imm(rs1)'
        self.kind = kind
        self.semantics = semantics
        self.category = category        # for statistics and the Popek & Goldberg tables

    def decode_fields(self, word):
        return self.format.decode(word)

    def encode(self, **fields):
        """The word for this instruction with the given operand fields."""
        return self.match | self.format.encode(**fields)

    def __repr__(self):
        return f"<{self.name}>"


SPECS = []
BY_NAME = {}


def ins(name, fmt, syntax, kind, semantics=None, *, opcode, funct3=0, funct7=0, funct5=0,
        rs2=0, funct12=0, category='alu'):
    """Add one instruction to the table: its encoding, syntax and meaning in one line."""
    match = opcode | funct3 << 12 | funct7 << 25 | funct5 << 27 | rs2 << 20 | funct12 << 20
    spec = Spec(len(SPECS), name, fmt, match, syntax, kind, semantics, category)
    assert name not in BY_NAME, name
    SPECS.append(spec)
    BY_NAME[name] = spec
    return spec


# Shorthands used inside snippets (the interpreter and translator import them too).
def s32(v):
    """The signed value of an unsigned 32-bit register."""
    return (v ^ 0x80000000) - 0x80000000


def div32(a, b):
    a, b = s32(a), s32(b)
    if b == 0:
        return M32
    if a == -0x80000000 and b == -1:
        return 0x80000000
    q = abs(a) // abs(b)
    return (-q if (a < 0) != (b < 0) else q) & M32


def rem32(a, b):
    a, b = s32(a), s32(b)
    if b == 0:
        return a & M32
    if a == -0x80000000 and b == -1:
        return 0
    r = abs(a) % abs(b)
    return (-r if a < 0 else r) & M32


SNIPPET_GLOBALS = {'s32': s32, 'div32': div32, 'rem32': rem32}

# ---------------------------------------------------------------------------------------
# The hot instructions first: the interpreter tests them in this order.

OP_IMM, OP, LOAD, STORE, BRANCH = 0x13, 0x33, 0x03, 0x23, 0x63
ins('addi', 'I', 'rd, rs1, imm', 'alu', 'R[rd] = (R[rs1] + imm) & 0xFFFFFFFF', opcode=OP_IMM)
ins('lw', 'I', 'rd, imm(rs1)', 'load', (4, False), opcode=LOAD, funct3=2, category='load')
ins('sw', 'S', 'rs2, imm(rs1)', 'store', (4, False), opcode=STORE, funct3=2, category='store')
ins('bne', 'B', 'rs1, rs2, target', 'branch', 'R[rs1] != R[rs2]', opcode=BRANCH, funct3=1,
    category='branch')
ins('add', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = (R[rs1] + R[rs2]) & 0xFFFFFFFF', opcode=OP)
ins('beq', 'B', 'rs1, rs2, target', 'branch', 'R[rs1] == R[rs2]', opcode=BRANCH, funct3=0,
    category='branch')
ins('lbu', 'I', 'rd, imm(rs1)', 'load', (1, False), opcode=LOAD, funct3=4, category='load')
ins('sb', 'S', 'rs2, imm(rs1)', 'store', (1, False), opcode=STORE, funct3=0, category='store')
ins('slli', 'SH', 'rd, rs1, imm', 'alu', 'R[rd] = (R[rs1] << imm) & 0xFFFFFFFF',
    opcode=OP_IMM, funct3=1)
ins('jal', 'J', 'rd, target', 'jump',
    'R[rd] = (pc + 4) & 0xFFFFFFFF\n'
    'pc += imm', opcode=0x6F, category='jump')
ins('jalr', 'I', 'rd, imm(rs1)', 'jump',
    't = (R[rs1] + imm) & 0xFFFFFFFE\n'
    'if t & 3: raise Trap(0, t)\n'
    'R[rd] = (pc + 4) & 0xFFFFFFFF\n'
    'pc = t', opcode=0x67, category='jump')
ins('blt', 'B', 'rs1, rs2, target', 'branch', '(R[rs1] ^ 0x80000000) < (R[rs2] ^ 0x80000000)',
    opcode=BRANCH, funct3=4, category='branch')
ins('bge', 'B', 'rs1, rs2, target', 'branch', '(R[rs1] ^ 0x80000000) >= (R[rs2] ^ 0x80000000)',
    opcode=BRANCH, funct3=5, category='branch')
ins('bltu', 'B', 'rs1, rs2, target', 'branch', 'R[rs1] < R[rs2]', opcode=BRANCH, funct3=6,
    category='branch')
ins('bgeu', 'B', 'rs1, rs2, target', 'branch', 'R[rs1] >= R[rs2]', opcode=BRANCH, funct3=7,
    category='branch')
ins('lui', 'U', 'rd, hi20', 'alu', 'R[rd] = imm', opcode=0x37)
ins('auipc', 'U', 'rd, hi20', 'alu', 'R[rd] = (pc + imm) & 0xFFFFFFFF', opcode=0x17)
ins('andi', 'I', 'rd, rs1, imm', 'alu', 'R[rd] = R[rs1] & imm & 0xFFFFFFFF', opcode=OP_IMM,
    funct3=7)
ins('srli', 'SH', 'rd, rs1, imm', 'alu', 'R[rd] = R[rs1] >> imm', opcode=OP_IMM, funct3=5)
ins('sub', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = (R[rs1] - R[rs2]) & 0xFFFFFFFF', opcode=OP,
    funct7=0x20)

# --- the rest of RV32I ---------------------------------------------------------------------
ins('lb', 'I', 'rd, imm(rs1)', 'load', (1, True), opcode=LOAD, funct3=0, category='load')
ins('lh', 'I', 'rd, imm(rs1)', 'load', (2, True), opcode=LOAD, funct3=1, category='load')
ins('lhu', 'I', 'rd, imm(rs1)', 'load', (2, False), opcode=LOAD, funct3=5, category='load')
ins('sh', 'S', 'rs2, imm(rs1)', 'store', (2, False), opcode=STORE, funct3=1, category='store')
ins('slti', 'I', 'rd, rs1, imm', 'alu', 'R[rd] = int(s32(R[rs1]) < imm)', opcode=OP_IMM,
    funct3=2)
ins('sltiu', 'I', 'rd, rs1, imm', 'alu', 'R[rd] = int(R[rs1] < (imm & 0xFFFFFFFF))',
    opcode=OP_IMM, funct3=3)
ins('xori', 'I', 'rd, rs1, imm', 'alu', 'R[rd] = (R[rs1] ^ imm) & 0xFFFFFFFF', opcode=OP_IMM,
    funct3=4)
ins('ori', 'I', 'rd, rs1, imm', 'alu', 'R[rd] = (R[rs1] | imm) & 0xFFFFFFFF', opcode=OP_IMM,
    funct3=6)
ins('srai', 'SH', 'rd, rs1, imm', 'alu', 'R[rd] = (s32(R[rs1]) >> imm) & 0xFFFFFFFF',
    opcode=OP_IMM, funct3=5, funct7=0x20)
ins('sll', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = (R[rs1] << (R[rs2] & 31)) & 0xFFFFFFFF',
    opcode=OP, funct3=1)
ins('slt', 'R', 'rd, rs1, rs2', 'alu',
    'R[rd] = int((R[rs1] ^ 0x80000000) < (R[rs2] ^ 0x80000000))', opcode=OP, funct3=2)
ins('sltu', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = int(R[rs1] < R[rs2])', opcode=OP, funct3=3)
ins('xor', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = R[rs1] ^ R[rs2]', opcode=OP, funct3=4)
ins('srl', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = R[rs1] >> (R[rs2] & 31)', opcode=OP, funct3=5)
ins('sra', 'R', 'rd, rs1, rs2', 'alu',
    'R[rd] = (s32(R[rs1]) >> (R[rs2] & 31)) & 0xFFFFFFFF', opcode=OP, funct3=5, funct7=0x20)
ins('or', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = R[rs1] | R[rs2]', opcode=OP, funct3=6)
ins('and', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = R[rs1] & R[rs2]', opcode=OP, funct3=7)
ins('fence', 'FENCE', 'pred, succ', 'nop', opcode=0x0F, category='fence')
# fence.i needs no work: stores into decoded code already invalidate what they overwrite
ins('fence.i', 'FENCEI', '', 'nop', opcode=0x0F, funct3=1, category='fence')
ins('ecall', 'SYS', '', 'system', 'ecall', opcode=0x73, category='system')
ins('ebreak', 'SYS', '', 'system', 'ebreak', opcode=0x73, funct12=1, category='system')

# --- M: multiply and divide ----------------------------------------------------------------
MUL = dict(opcode=OP, funct7=1, category='muldiv')
ins('mul', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = (R[rs1] * R[rs2]) & 0xFFFFFFFF', funct3=0, **MUL)
ins('mulh', 'R', 'rd, rs1, rs2', 'alu',
    'R[rd] = (s32(R[rs1]) * s32(R[rs2]) >> 32) & 0xFFFFFFFF', funct3=1, **MUL)
ins('mulhsu', 'R', 'rd, rs1, rs2', 'alu',
    'R[rd] = (s32(R[rs1]) * R[rs2] >> 32) & 0xFFFFFFFF', funct3=2, **MUL)
ins('mulhu', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = R[rs1] * R[rs2] >> 32', funct3=3, **MUL)
ins('div', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = div32(R[rs1], R[rs2])', funct3=4, **MUL)
ins('divu', 'R', 'rd, rs1, rs2', 'alu',
    'R[rd] = R[rs1] // R[rs2] if R[rs2] else 0xFFFFFFFF', funct3=5, **MUL)
ins('rem', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = rem32(R[rs1], R[rs2])', funct3=6, **MUL)
ins('remu', 'R', 'rd, rs1, rs2', 'alu', 'R[rd] = R[rs1] % R[rs2] if R[rs2] else R[rs1]',
    funct3=7, **MUL)

# --- A: atomics (executed by the slow path: they are rare and need the reservation) --------
AMO = dict(opcode=0x2F, funct3=2, category='amo')
ins('lr.w', 'LR', 'rd, (rs1)', 'system', 'lr', funct5=0x02, **AMO)
ins('sc.w', 'AMO', 'rd, rs2, (rs1)', 'system', 'sc', funct5=0x03, **AMO)
for _name, _f5 in [('amoswap.w', 0x01), ('amoadd.w', 0x00), ('amoxor.w', 0x04),
                   ('amoand.w', 0x0C), ('amoor.w', 0x08), ('amomin.w', 0x10),
                   ('amomax.w', 0x14), ('amominu.w', 0x18), ('amomaxu.w', 0x1C)]:
    ins(_name, 'AMO', 'rd, rs2, (rs1)', 'system', 'amo', funct5=_f5, **AMO)

# What each AMO computes from the old memory value ``m`` and the register value ``r``.
AMO_OPS = {
    'amoswap.w': lambda m, r: r,
    'amoadd.w': lambda m, r: (m + r) & M32,
    'amoxor.w': lambda m, r: m ^ r,
    'amoand.w': lambda m, r: m & r,
    'amoor.w': lambda m, r: m | r,
    'amomin.w': lambda m, r: m if s32(m) < s32(r) else r,
    'amomax.w': lambda m, r: m if s32(m) > s32(r) else r,
    'amominu.w': lambda m, r: min(m, r),
    'amomaxu.w': lambda m, r: max(m, r),
}

# --- Zicsr ----------------------------------------------------------------------------------
CSR = dict(opcode=0x73, category='csr')
ins('csrrw', 'CSR', 'rd, csr, rs1', 'system', 'csr', funct3=1, **CSR)
ins('csrrs', 'CSR', 'rd, csr, rs1', 'system', 'csr', funct3=2, **CSR)
ins('csrrc', 'CSR', 'rd, csr, rs1', 'system', 'csr', funct3=3, **CSR)
ins('csrrwi', 'CSRI', 'rd, csr, uimm', 'system', 'csr', funct3=5, **CSR)
ins('csrrsi', 'CSRI', 'rd, csr, uimm', 'system', 'csr', funct3=6, **CSR)
ins('csrrci', 'CSRI', 'rd, csr, uimm', 'system', 'csr', funct3=7, **CSR)

# --- privileged -----------------------------------------------------------------------------
PRIV = dict(opcode=0x73, category='privileged')
ins('sret', 'SYS', '', 'system', 'trap_return', funct12=0x102, **PRIV)
ins('mret', 'SYS', '', 'system', 'trap_return', funct12=0x302, **PRIV)
ins('wfi', 'SYS', '', 'system', 'wfi', funct12=0x105, **PRIV)
ins('sfence.vma', 'RS', 'rs1, rs2', 'system', 'sfence_vma', funct7=0x09, **PRIV)

# --- H: the hypervisor extension's instructions (privileged spec, "Hypervisor Instructions") --
# Fences for the two translation stages, and loads/stores that an HS-mode hypervisor makes as
# if it were its guest (V=1 at privilege hstatus.SPVP): how KVM reads a guest's memory.
HYP = dict(opcode=0x73, category='hypervisor')
ins('hfence.vvma', 'RS', 'rs1, rs2', 'system', 'hfence', funct7=0x11, **HYP)
ins('hfence.gvma', 'RS', 'rs1, rs2', 'system', 'hfence', funct7=0x31, **HYP)
#: name -> (size, signed, needs execute permission) of each hypervisor load and store
HYPERVISOR_ACCESS = {}
for _name, _f7, _rs2, _signed in [('hlv.b', 0x30, 0, True), ('hlv.bu', 0x30, 1, False),
                                  ('hlv.h', 0x32, 0, True), ('hlv.hu', 0x32, 1, False),
                                  ('hlvx.hu', 0x32, 3, False), ('hlv.w', 0x34, 0, False),
                                  ('hlvx.wu', 0x34, 3, False)]:
    ins(_name, 'HLV', 'rd, (rs1)', 'system', 'hlv', funct3=4, funct7=_f7, rs2=_rs2, **HYP)
    HYPERVISOR_ACCESS[_name] = (1 << (_f7 >> 1 & 3), _signed, _rs2 == 3)
for _name, _f7 in [('hsv.b', 0x31), ('hsv.h', 0x33), ('hsv.w', 0x35)]:
    ins(_name, 'RS', 'rs2, (rs1)', 'system', 'hsv', funct3=4, funct7=_f7, **HYP)
    HYPERVISOR_ACCESS[_name] = (1 << (_f7 >> 1 & 3), False, False)

# Pseudo-operations of the interpreter itself (not instructions; no encoding): an undecoded
# slot of the instruction cache, a word that is no instruction at all, and a branch or jal
# whose target is not 4-byte aligned (without the C extension it traps when taken; knowing
# that at decode time keeps the check out of every taken branch).
OP_DECODE = len(SPECS)
OP_ILLEGAL = OP_DECODE + 1
OP_MISALIGNED_TARGET = OP_DECODE + 2
