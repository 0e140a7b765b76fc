"""The control and status registers: what each one reads as and which bits a write changes.

Each CSR is a pair of functions (read, write) on an ``ArchState`` (``state.py``: the hart, or
a hypervisor's virtual CPU), in one table. The rules that all CSRs share — the privilege
encoded in the number, read-only numbers, ``csrrs`` with x0 not writing — are applied once,
in ``state.csr_access``. What a write changes beyond its field goes through the state's own
methods (``set_mstatus``, ``set_satp``), so that each owner hears of it.
"""

from .traps import SSI, VSSI, MSI, STI, VSTI, MTI, SEI, VSEI, MEI, SGEI

M32 = 0xFFFFFFFF

# mstatus fields
SIE, MIE, SPIE, MPIE, SPP = 1 << 1, 1 << 3, 1 << 5, 1 << 7, 1 << 8
MPP_SHIFT, MPP = 11, 3 << 11
MPRV, SUM, MXR, TVM, TW, TSR = (1 << b for b in (17, 18, 19, 20, 21, 22))
# mstatush (RV32's upper half of mstatus, kept here as bits 32..63): the H extension's
# MPV (the V the trap came from) and GVA (mtval holds a guest virtual address)
GVA_M, MPV = 1 << 38, 1 << 39
MSTATUS_WRITABLE = SIE | MIE | SPIE | MPIE | SPP | MPP | MPRV | SUM | MXR | TVM | TW | TSR
SSTATUS_MASK = SIE | SPIE | SPP | SUM | MXR
# changing these changes what a TLB entry means
TRANSLATION_BITS = MPRV | MPP | SUM | MXR | MPV

FIOM = 1                # m/s/henvcfg: fence of I/O implies memory (the rest: no Zicbom...)

MISA_BASE = (1 << 30) | sum(1 << (ord(c) - ord('A')) for c in 'AIMSU')
MISA_H = MISA_BASE | 1 << (ord('H') - ord('A'))

S_INTERRUPTS = sum(1 << i for i in (SSI, STI, SEI))
VS_INTERRUPTS = sum(1 << i for i in (VSSI, VSTI, VSEI))
INTERRUPT_BITS = S_INTERRUPTS | sum(1 << i for i in (MSI, MTI, MEI))
H_INTERRUPT_BITS = INTERRUPT_BITS | VS_INTERRUPTS | 1 << SGEI
MIP_WRITABLE = S_INTERRUPTS                      # MSIP and MTIP come from the CLINT
DELEGABLE_EXCEPTIONS = 0xB3FF                    # all but ecall-from-M and the reserved ones
# with H: ecall from VS-mode, the guest-page faults and virtual instruction too
H_DELEGABLE_EXCEPTIONS = DELEGABLE_EXCEPTIONS | 1 << 10 | 0xF << 20

CSR_TABLE = {}


def csr(*numbers):
    """Register a (read, write) pair for one or more CSR numbers."""
    def register(cls):
        for number in numbers:
            CSR_TABLE[number] = (cls.read, cls.write)
        return cls
    return register


def plain(attr, mask=M32):
    """A CSR that is just storage, with ``mask`` giving its writable bits."""
    def read(h, n):
        return getattr(h, attr)

    def write(h, n, v):
        setattr(h, attr, v & mask)
    return read, write


for number, attr, mask in [
        (0x340, 'mscratch', M32), (0x140, 'sscratch', M32),
        (0x341, 'mepc', M32 & ~3), (0x141, 'sepc', M32 & ~3),
        (0x342, 'mcause', M32), (0x142, 'scause', M32),
        (0x343, 'mtval', M32), (0x143, 'stval', M32),
        (0x306, 'mcounteren', 7), (0x106, 'scounteren', 7),
        (0x30A, 'menvcfg', FIOM), (0x31A, 'menvcfgh', 0), (0x10A, 'senvcfg', FIOM),
        (0x320, 'mcountinhibit', 0)]:
    CSR_TABLE[number] = plain(attr, mask)

for number in (0xF11, 0xF12, 0xF13, 0xF14, 0xF15, 0x7A0, 0x7A1, 0x7A2):
    # ids, hart 0, and an absent trigger module (tselect reads 0: no triggers)
    CSR_TABLE[number] = (lambda h, n: 0, lambda h, n, v: None)

# misa: fixed, RV32IMASU and H on the machine's hart (a hypervisor's virtual CPU has no H)
CSR_TABLE[0x301] = (lambda h, n: MISA_H if h.hypervisor else MISA_BASE, lambda h, n, v: None)


@csr(0x300)
class Mstatus:
    def read(h, n):
        return h.mstatus & M32

    def write(h, n, v):
        new = h.mstatus & ~MSTATUS_WRITABLE | v & MSTATUS_WRITABLE
        if new & MPP == 2 << MPP_SHIFT:                 # MPP is WARL: keep the old value
            new = new & ~MPP | h.mstatus & MPP
        h.set_mstatus(new)


@csr(0x310)
class Mstatush:
    """RV32's mstatush: MPV and GVA with H (bits 7 and 6), else all zero."""

    def read(h, n):
        return h.mstatus >> 32

    def write(h, n, v):
        if h.hypervisor:
            mask = (MPV | GVA_M) >> 32
            h.set_mstatus(h.mstatus & ~(mask << 32) | (v & mask) << 32)


@csr(0x302)
class Medeleg:
    def read(h, n):
        return h.medeleg

    def write(h, n, v):
        h.medeleg = v & (H_DELEGABLE_EXCEPTIONS if h.hypervisor else DELEGABLE_EXCEPTIONS)


@csr(0x303)
class Mideleg:
    """With H, the VS-level interrupts and SGEI are delegated for good (read-only ones:
    ``hcsr.MIDELEG_FIXED``)."""

    def read(h, n):
        return h.delegated_interrupts()

    def write(h, n, v):
        h.mideleg = v & S_INTERRUPTS


@csr(0x100)
class Sstatus:
    def read(h, n):
        return h.mstatus & SSTATUS_MASK

    def write(h, n, v):
        h.set_mstatus(h.mstatus & ~SSTATUS_MASK | v & SSTATUS_MASK)


@csr(0x304)
class Mie:
    def read(h, n):
        return h.mie

    def write(h, n, v):
        h.mie = v & (H_INTERRUPT_BITS if h.hypervisor else INTERRUPT_BITS)


@csr(0x104)
class Sie:
    """HS-mode's view of mie: the delegated supervisor-level bits (never the VS ones)."""

    def read(h, n):
        return h.mie & h.mideleg & S_INTERRUPTS

    def write(h, n, v):
        mask = h.mideleg & S_INTERRUPTS
        h.mie = h.mie & ~mask | v & mask


@csr(0x344)
class Mip:
    """mip: SSIP, STIP, SEIP written by software; with H, VSSIP is hvip's (an alias)."""

    def read(h, n):
        return h.mip()

    def write(h, n, v):
        h.mip_soft = h.mip_soft & ~MIP_WRITABLE | v & MIP_WRITABLE
        if h.hypervisor:
            h.hvip = h.hvip & ~(1 << VSSI) | v & (1 << VSSI)


#: CSRs whose csrrs/csrrc modify another value than a read returns: mip, whose SEIP reads as
#: the software's bit ORed with the PLIC's line, while "only the software-writable SEIP bit
#: participates in the read-modify-write sequence of a CSRRS or CSRRC instruction" (privileged
#: spec, "Machine Interrupt Registers"). The other writable bits (SSIP, STIP) are software's.
RMW_READ = {0x344: lambda h, n: h.mip_soft | h.hvip & (1 << VSSI)}


@csr(0x144)
class Sip:
    def read(h, n):
        return h.mip() & h.mideleg & S_INTERRUPTS

    def write(h, n, v):
        writable = h.mideleg & (1 << SSI)
        h.mip_soft = h.mip_soft & ~writable | v & writable


TVEC = {0x305: 'mtvec', 0x105: 'stvec', 0x205: 'vstvec'}


@csr(0x305, 0x105)
class Tvec:
    """mtvec/stvec/vstvec: modes 0 (direct) and 1 (vectored); a reserved mode leaves it as
    it was."""

    def read(h, n):
        return getattr(h, TVEC[n])

    def write(h, n, v):
        if v & 3 < 2:
            setattr(h, TVEC[n], v & M32)


@csr(0x180)
class Satp:
    def read(h, n):
        return h.satp

    def write(h, n, v):
        h.set_satp(v)


COUNTERS = {0xC00: 'cycle', 0xC01: 'time', 0xC02: 'instret',
            0xB00: 'cycle', 0xB02: 'instret'}


@csr(0xC00, 0xC01, 0xC02, 0xC80, 0xC81, 0xC82, 0xB00, 0xB02, 0xB80, 0xB82)
class Counters:
    """cycle = instret (one instruction per cycle); time = the CLINT's mtime."""

    def read(h, n):
        return h.counter(COUNTERS[n & ~0x080]) >> (32 if n & 0x080 else 0) & M32

    def write(h, n, v):                              # only the machine-mode ones are writable
        # "Any CSR write takes effect after the writing instruction has otherwise completed":
        # the next instruction reads the written value, so undo this one's own retirement.
        name = COUNTERS[n & ~0x080]
        old = h.counter(name)
        shift = 32 if n & 0x080 else 0
        new = old & ~(M32 << shift) | (v & M32) << shift
        h.counter_offset[name] += new - old - 1


for i in range(4):
    CSR_TABLE[0x3A0 + i] = (lambda h, n: h.pmpcfg[n - 0x3A0],
                            lambda h, n, v: h.pmpcfg.__setitem__(n - 0x3A0, v & M32))
for i in range(16):
    CSR_TABLE[0x3B0 + i] = (lambda h, n: h.pmpaddr[n - 0x3B0],
                            lambda h, n, v: h.pmpaddr.__setitem__(n - 0x3B0, v & 0x3FFFFFFF))
