"""Instruction formats: where each field lives in a 32-bit word, both directions side by side.

Every RV32 instruction is one of a handful of layouts (R, I, S, B, U, J and a few system
variants). For each layout we keep the *decode* half (word -> fields) next to the *encode*
half (fields -> word), so a reader can check one against the other, and so the assembler and
the decoder cannot drift apart.

Fields are plain ints: ``rd rs1 rs2`` register numbers, ``imm`` the architectural immediate
(sign-extended where the format sign-extends, already shifted for B/J/U), ``csr`` a CSR number.
"""


def bits(word, hi, lo):
    """Bits ``hi..lo`` of ``word`` (inclusive), as an unsigned int."""
    return (word >> lo) & ((1 << (hi - lo + 1)) - 1)


def sext(value, width):
    """Sign-extend a ``width``-bit value to a Python int."""
    sign = 1 << (width - 1)
    return (value & (sign * 2 - 1) ^ sign) - sign


def _reg_fields(word):
    return bits(word, 11, 7), bits(word, 19, 15), bits(word, 24, 20)


# --- immediates: decode and encode -------------------------------------------------------

def imm_i(word):
    return sext(bits(word, 31, 20), 12)


def enc_i(imm):
    return (imm & 0xFFF) << 20


def imm_s(word):
    return sext(bits(word, 31, 25) << 5 | bits(word, 11, 7), 12)


def enc_s(imm):
    return (imm >> 5 & 0x7F) << 25 | (imm & 0x1F) << 7


def imm_b(word):
    return sext(bits(word, 31, 31) << 12 | bits(word, 7, 7) << 11
                | bits(word, 30, 25) << 5 | bits(word, 11, 8) << 1, 13)


def enc_b(imm):
    return ((imm >> 12 & 1) << 31 | (imm >> 5 & 0x3F) << 25
            | (imm >> 1 & 0xF) << 8 | (imm >> 11 & 1) << 7)


def imm_u(word):
    return word & 0xFFFFF000


def enc_u(imm):
    return imm & 0xFFFFF000


def imm_j(word):
    return sext(bits(word, 31, 31) << 20 | bits(word, 19, 12) << 12
                | bits(word, 20, 20) << 11 | bits(word, 30, 21) << 1, 21)


def enc_j(imm):
    return ((imm >> 20 & 1) << 31 | (imm >> 1 & 0x3FF) << 21
            | (imm >> 11 & 1) << 20 | (imm >> 12 & 0xFF) << 12)


class Format:
    """One instruction layout.

    ``fixed`` names the bit ranges that identify the instruction (opcode, funct3, ...);
    ``fields`` the operands this format carries; ``decode``/``encode`` move operands in and
    out of a word. ``ranges`` gives the legal range of each operand for the assembler.
    """

    def __init__(self, name, fixed, fields, decode, encode, ranges):
        self.name, self.fixed, self.fields = name, fixed, fields
        self.decode, self.encode, self.ranges = decode, encode, ranges

    def __repr__(self):
        return f"Format({self.name})"


REG = (0, 31)
SIMM12 = (-2048, 2047)

OPCODE = (6, 0)
FUNCT3 = (14, 12)
FUNCT7 = (31, 25)
FUNCT5 = (31, 27)
RD = (11, 7)
RS1 = (19, 15)
RS2 = (24, 20)
FUNCT12 = (31, 20)


def _r(word):
    rd, rs1, rs2 = _reg_fields(word)
    return dict(rd=rd, rs1=rs1, rs2=rs2)


def _r_enc(rd=0, rs1=0, rs2=0):
    return rd << 7 | rs1 << 15 | rs2 << 20


def _i(word):
    return dict(rd=bits(word, 11, 7), rs1=bits(word, 19, 15), imm=imm_i(word))


def _i_enc(rd=0, rs1=0, imm=0):
    return rd << 7 | rs1 << 15 | enc_i(imm)


def _sh(word):
    return dict(rd=bits(word, 11, 7), rs1=bits(word, 19, 15), imm=bits(word, 24, 20))


def _sh_enc(rd=0, rs1=0, imm=0):
    return rd << 7 | rs1 << 15 | (imm & 31) << 20


def _s(word):
    return dict(rs1=bits(word, 19, 15), rs2=bits(word, 24, 20), imm=imm_s(word))


def _s_enc(rs1=0, rs2=0, imm=0):
    return rs1 << 15 | rs2 << 20 | enc_s(imm)


def _b(word):
    return dict(rs1=bits(word, 19, 15), rs2=bits(word, 24, 20), imm=imm_b(word))


def _b_enc(rs1=0, rs2=0, imm=0):
    return rs1 << 15 | rs2 << 20 | enc_b(imm)


def _u(word):
    return dict(rd=bits(word, 11, 7), imm=imm_u(word))


def _u_enc(rd=0, imm=0):
    return rd << 7 | enc_u(imm)


def _j(word):
    return dict(rd=bits(word, 11, 7), imm=imm_j(word))


def _j_enc(rd=0, imm=0):
    return rd << 7 | enc_j(imm)


def _csr(word):
    return dict(rd=bits(word, 11, 7), rs1=bits(word, 19, 15), csr=bits(word, 31, 20))


def _csr_enc(rd=0, rs1=0, csr=0):
    return rd << 7 | rs1 << 15 | (csr & 0xFFF) << 20


def _amo(word):
    rd, rs1, rs2 = _reg_fields(word)
    return dict(rd=rd, rs1=rs1, rs2=rs2, aqrl=bits(word, 26, 25))


def _amo_enc(rd=0, rs1=0, rs2=0, aqrl=0):
    return rd << 7 | rs1 << 15 | rs2 << 20 | (aqrl & 3) << 25


def _lr(word):
    return dict(rd=bits(word, 11, 7), rs1=bits(word, 19, 15), aqrl=bits(word, 26, 25))


def _lr_enc(rd=0, rs1=0, aqrl=0):
    return rd << 7 | rs1 << 15 | (aqrl & 3) << 25


def _fence(word):
    return dict(pred=bits(word, 27, 24), succ=bits(word, 23, 20))


def _fence_enc(pred=15, succ=15):
    return (pred & 15) << 24 | (succ & 15) << 20


def _none(word):
    return {}


def _none_enc():
    return 0


def _rs(word):
    return dict(rs1=bits(word, 19, 15), rs2=bits(word, 24, 20))


def _rs_enc(rs1=0, rs2=0):
    return rs1 << 15 | rs2 << 20


def _hlv(word):
    return dict(rd=bits(word, 11, 7), rs1=bits(word, 19, 15))


def _hlv_enc(rd=0, rs1=0):
    return rd << 7 | rs1 << 15


FORMATS = {f.name: f for f in [
    Format('R', (OPCODE, FUNCT3, FUNCT7), ('rd', 'rs1', 'rs2'), _r, _r_enc,
           dict(rd=REG, rs1=REG, rs2=REG)),
    Format('I', (OPCODE, FUNCT3), ('rd', 'rs1', 'imm'), _i, _i_enc,
           dict(rd=REG, rs1=REG, imm=SIMM12)),
    Format('SH', (OPCODE, FUNCT3, FUNCT7), ('rd', 'rs1', 'imm'), _sh, _sh_enc,
           dict(rd=REG, rs1=REG, imm=(0, 31))),
    Format('S', (OPCODE, FUNCT3), ('rs1', 'rs2', 'imm'), _s, _s_enc,
           dict(rs1=REG, rs2=REG, imm=SIMM12)),
    Format('B', (OPCODE, FUNCT3), ('rs1', 'rs2', 'imm'), _b, _b_enc,
           dict(rs1=REG, rs2=REG, imm=(-4096, 4094))),
    Format('U', (OPCODE,), ('rd', 'imm'), _u, _u_enc,
           dict(rd=REG, imm=(0, 0xFFFFF000))),
    Format('J', (OPCODE,), ('rd', 'imm'), _j, _j_enc,
           dict(rd=REG, imm=(-(1 << 20), (1 << 20) - 2))),
    Format('CSR', (OPCODE, FUNCT3), ('rd', 'rs1', 'csr'), _csr, _csr_enc,
           dict(rd=REG, rs1=REG, csr=(0, 0xFFF))),
    Format('CSRI', (OPCODE, FUNCT3), ('rd', 'rs1', 'csr'), _csr, _csr_enc,
           dict(rd=REG, rs1=(0, 31), csr=(0, 0xFFF))),
    Format('AMO', (OPCODE, FUNCT3, FUNCT5), ('rd', 'rs1', 'rs2', 'aqrl'), _amo, _amo_enc,
           dict(rd=REG, rs1=REG, rs2=REG, aqrl=(0, 3))),
    Format('LR', (OPCODE, FUNCT3, FUNCT5, RS2), ('rd', 'rs1', 'aqrl'), _lr, _lr_enc,
           dict(rd=REG, rs1=REG, aqrl=(0, 3))),
    Format('FENCE', (OPCODE, FUNCT3), ('pred', 'succ'), _fence, _fence_enc,
           dict(pred=(0, 15), succ=(0, 15))),
    Format('FENCEI', (OPCODE, FUNCT3), (), _none, _none_enc, {}),
    Format('SYS', (OPCODE, FUNCT3, RD, RS1, FUNCT12), (), _none, _none_enc, {}),
    # two source registers, rd fixed at 0: sfence.vma, hfence.vvma/gvma, hsv.*
    Format('RS', (OPCODE, FUNCT3, FUNCT7, RD), ('rs1', 'rs2'), _rs, _rs_enc,
           dict(rs1=REG, rs2=REG)),
    # a load with rs2 fixed (it selects the variant): hlv.*, hlvx.*
    Format('HLV', (OPCODE, FUNCT3, FUNCT7, RS2), ('rd', 'rs1'), _hlv, _hlv_enc,
           dict(rd=REG, rs1=REG)),
]}


def mask_of(fmt):
    """The bits of a word that the format's fixed fields cover."""
    m = 0
    for hi, lo in fmt.fixed:
        m |= ((1 << (hi - lo + 1)) - 1) << lo
    return m
