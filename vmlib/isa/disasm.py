"""The disassembler: a decoded instruction back to GNU-style assembly text.

It reads the operand syntax of the decode table, so it knows nothing per instruction;
the only per-instruction knowledge is the list of *aliases* (``li``, ``mv``, ``ret``, ...),
the pseudo-instructions that ``objdump`` prints, each of which the assembler accepts and
turns back into the same word.
"""

from .csrs import csr_name
from .decode import decode
from .regs import reg_name

FENCE_BITS = 'iorw'


def fence_set(bits4):
    return ''.join(c for i, c in enumerate(FENCE_BITS) if bits4 & (8 >> i)) or '0'


def _target(pc, imm, symbols):
    addr = (pc + imm) & 0xFFFFFFFF
    text = f'0x{addr:x}'
    if symbols:
        name = symbols.get(addr)
        if name:
            text += f' <{name}>'
    return text


def operand_text(ins, pc=0, symbols=None):
    """The operands of ``ins`` written in its table syntax."""
    f = ins.fields
    out = []
    for part in ins.spec.syntax.split(', ') if ins.spec.syntax else []:
        if part in ('rd', 'rs1', 'rs2'):
            out.append(reg_name(f[part]))
        elif part == 'imm':
            out.append(str(f['imm']))
        elif part == 'imm(rs1)':
            out.append(f"{f['imm']}({reg_name(f['rs1'])})")
        elif part == '(rs1)':
            out.append(f"({reg_name(f['rs1'])})")
        elif part == 'target':
            out.append(_target(pc, f['imm'], symbols))
        elif part == 'hi20':
            out.append(f"0x{f['imm'] >> 12:x}")
        elif part == 'csr':
            out.append(csr_name(f['csr']))
        elif part == 'uimm':
            out.append(str(f['rs1']))
        elif part in ('pred', 'succ'):
            out.append(fence_set(f[part]))
        else:  # pragma: no cover - a table row with a syntax word this module does not know
            raise ValueError(f'unknown operand syntax {part!r} in {ins.spec.name}')
    return ', '.join(out)


def mnemonic(ins):
    name = ins.spec.name
    aqrl = ins.fields.get('aqrl', 0)
    return name + ('', '.rl', '.aq', '.aqrl')[aqrl]


def _alias(ins, pc, symbols):
    """objdump's pseudo-instruction for ``ins``, or None."""
    n, f = ins.spec.name, ins.fields
    rd, rs1, rs2, imm = f.get('rd'), f.get('rs1'), f.get('rs2'), f.get('imm')
    r = reg_name
    if n == 'addi':
        if rd == 0 and rs1 == 0 and imm == 0:
            return 'nop'
        if rs1 == 0:
            return f'li {r(rd)}, {imm}'
        if imm == 0:
            return f'mv {r(rd)}, {r(rs1)}'
    if n == 'xori' and imm == -1:
        return f'not {r(rd)}, {r(rs1)}'
    if n == 'sub' and rs1 == 0:
        return f'neg {r(rd)}, {r(rs2)}'
    if n == 'sltiu' and imm == 1:
        return f'seqz {r(rd)}, {r(rs1)}'
    if n == 'sltu' and rs1 == 0:
        return f'snez {r(rd)}, {r(rs2)}'
    if n == 'slt' and rs2 == 0:
        return f'sltz {r(rd)}, {r(rs1)}'
    if n == 'slt' and rs1 == 0:
        return f'sgtz {r(rd)}, {r(rs2)}'
    if n == 'jal' and rd in (0, 1):
        return ('j ' if rd == 0 else 'jal ') + _target(pc, imm, symbols)
    if n == 'jalr' and imm == 0:
        if rd == 0 and rs1 == 1:
            return 'ret'
        if rd == 0:
            return f'jr {r(rs1)}'
        if rd == 1:
            return f'jalr {r(rs1)}'
    if ins.spec.category == 'branch':
        t = _target(pc, imm, symbols)
        if rs2 == 0:
            z = {'beq': 'beqz', 'bne': 'bnez', 'blt': 'bltz', 'bge': 'bgez'}.get(n)
            if z:
                return f'{z} {r(rs1)}, {t}'
        if rs1 == 0:
            z = {'blt': 'bgtz', 'bge': 'blez'}.get(n)
            if z:
                return f'{z} {r(rs2)}, {t}'
    if ins.spec.category == 'csr':
        c = csr_name(f['csr'])
        if n == 'csrrs' and rs1 == 0:
            return f'csrr {r(rd)}, {c}'
        if rd == 0:
            short = {'csrrw': 'csrw', 'csrrs': 'csrs', 'csrrc': 'csrc'}.get(n)
            if short:
                return f'{short} {c}, {r(rs1)}'
            short = {'csrrwi': 'csrwi', 'csrrsi': 'csrsi', 'csrrci': 'csrci'}.get(n)
            return f'{short} {c}, {rs1}'
    if n == 'fence' and f['pred'] == 15 and f['succ'] == 15:
        return 'fence'
    if n in ('sfence.vma', 'hfence.vvma', 'hfence.gvma') and rs1 == 0 and rs2 == 0:
        return n
    return None


def disassemble(word, pc=0, symbols=None, aliases=True):
    """Assembly text for one word; ``.word 0x...`` when it is not an instruction.

    ``pc`` places pc-relative targets; ``symbols`` (address -> name) labels them.
    """
    ins = decode(word)
    if ins is None:
        return f'.word 0x{word:08x}'
    if aliases:
        text = _alias(ins, pc, symbols)
        if text:
            return text
    ops = operand_text(ins, pc, symbols)
    return f'{mnemonic(ins)} {ops}' if ops else mnemonic(ins)
