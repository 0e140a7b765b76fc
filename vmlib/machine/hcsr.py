"""The hypervisor extension's CSRs (privileged spec, "Hypervisor Extension"), in the CSR table.

Two groups. HS-mode's ``h*`` registers (0x6xx) say how the guest runs: ``hstatus``, which
exceptions and interrupts go straight to the guest (``hedeleg``, ``hideleg``), the interrupts
the hypervisor injects (``hvip``), the G-stage page table (``hgatp``), what a guest trap left
(``htval``, ``htinst``). And the VS copies of the supervisor CSRs (0x2xx): while V=1 an access
to ``sstatus``, ``sepc``, ``satp``... reaches ``vsstatus``, ``vsepc``, ``vsatp``...
(``state.csr_access`` substitutes the number), so an unmodified kernel runs in VS-mode and its
CSR accesses need no exit. ``mtval2``/``mtinst`` are M-mode's ``htval``/``htinst``.

Where the spec leaves a choice, the machine answers as QEMU 7.2 does (``tests/conformance``):
``GEILEN`` (no guest external interrupt lines), the VMID width, ``hcounteren`` all writable,
``htinst`` read-only zero and ``mtinst`` written 0 (no transformed instructions).
A hart without H (a trap-and-emulate VMM's virtual CPU) has none of these: ``H_ONLY``.
"""

from .csr import (CSR_TABLE, Tvec, SSTATUS_MASK, SUM, MXR, VS_INTERRUPTS, DELEGABLE_EXCEPTIONS,
                  FIOM, plain)
from .traps import VSSI, SGEI

M32 = 0xFFFFFFFF

#: the guest external interrupt lines (hgeie/hgeip bits 1..GEILEN): none, as QEMU's virt
GEILEN = 0
#: mideleg's read-only ones with H: the VS-level interrupts, and SGEI (which the spec fixes
#: only when GEILEN is nonzero; QEMU sets it anyway)
MIDELEG_FIXED = VS_INTERRUPTS | 1 << SGEI

# hstatus fields (RV32)
GVA, SPV, SPVP, HU = 1 << 6, 1 << 7, 1 << 8, 1 << 9
VTVM, VTW, VTSR = 1 << 20, 1 << 21, 1 << 22
HSTATUS_WRITABLE = GVA | SPV | SPVP | HU | VTVM | VTW | VTSR

# hgatp (RV32): MODE (1: Sv32x4), VMID, and the root's PPN (16 KiB aligned: bits 1:0 zero)
HGATP_MODE = 1 << 31
HGATP_VMID = 0x7F << 22
HGATP_PPN = 0x3FFFFF

#: exceptions HS-mode may pass on to VS-mode: not ecalls from HS/VS/M, not the guest-page
#: faults or virtual instruction (which are about the guest, for the hypervisor)
VS_DELEGABLE_EXCEPTIONS = DELEGABLE_EXCEPTIONS & ~(1 << 9)
H_INTERRUPTS = VS_INTERRUPTS | 1 << SGEI      # the bits hie/hip show of mie/mip

#: the numbers that exist only with H
H_ONLY = set()


def hcsr(*numbers):
    """Register a (read, write) class for CSRs that exist only with the H extension."""
    def register(cls):
        for number in numbers:
            CSR_TABLE[number] = (cls.read, cls.write)
            H_ONLY.add(number)
        return cls
    return register


for number, attr, mask in [
        (0x602, 'hedeleg', VS_DELEGABLE_EXCEPTIONS), (0x603, 'hideleg', VS_INTERRUPTS),
        (0x606, 'hcounteren', M32), (0x607, 'hgeie', ((1 << GEILEN) - 1) << 1),
        (0x645, 'hvip', VS_INTERRUPTS), (0x60A, 'henvcfg', FIOM),
        (0x643, 'htval', M32), (0x64A, 'htinst', 0), (0x34B, 'mtval2', M32),
        (0x34A, 'mtinst', M32),
        (0x240, 'vsscratch', M32), (0x241, 'vsepc', M32 & ~3), (0x242, 'vscause', M32),
        (0x243, 'vstval', M32)]:
    CSR_TABLE[number] = plain(attr, mask)
    H_ONLY.add(number)

# hgeip (no lines), henvcfgh (read-only zero, as menvcfgh)
for number in (0xE12, 0x61A):
    CSR_TABLE[number] = (lambda h, n: 0, lambda h, n, v: None)
    H_ONLY.add(number)
CSR_TABLE[0x205] = (Tvec.read, Tvec.write)                      # vstvec
H_ONLY.add(0x205)


@hcsr(0x600)
class Hstatus:
    def read(h, n):
        return h.hstatus

    def write(h, n, v):
        h.hstatus = v & HSTATUS_WRITABLE


@hcsr(0x605, 0x615)
class Htimedelta:
    """What VS and VU add to ``time`` (64 bits: htimedelta, htimedeltah)."""

    def read(h, n):
        return h.htimedelta >> (32 if n == 0x615 else 0) & M32

    def write(h, n, v):
        shift = 32 if n == 0x615 else 0
        h.htimedelta = h.htimedelta & ~(M32 << shift) | (v & M32) << shift


@hcsr(0x604)
class Hie:
    def read(h, n):
        return h.mie & H_INTERRUPTS

    def write(h, n, v):
        h.mie = h.mie & ~H_INTERRUPTS | v & H_INTERRUPTS


@hcsr(0x644)
class Hip:
    """hip: VSSIP is hvip's (writable here too); VSTIP, VSEIP, SGEIP read-only."""

    def read(h, n):
        return h.mip() & H_INTERRUPTS

    def write(h, n, v):
        h.hvip = h.hvip & ~(1 << VSSI) | v & (1 << VSSI)


@hcsr(0x680)
class Hgatp:
    def read(h, n):
        return h.hgatp

    def write(h, n, v):
        value = v & (HGATP_MODE | HGATP_VMID | HGATP_PPN)
        if value & HGATP_MODE:
            value &= ~3                         # the 16 KiB root: PPN bits 1:0 read as zero
        h.set_hgatp(value)


@hcsr(0x200)
class Vsstatus:
    def read(h, n):
        return h.vsstatus

    def write(h, n, v):
        old, h.vsstatus = h.vsstatus, v & SSTATUS_MASK
        if (old ^ h.vsstatus) & (SUM | MXR):
            h.translation_changed()


@hcsr(0x204)
class Vsie:
    """The guest's sie: hie's VS bits that hideleg gives it, shifted to the S positions."""

    def read(h, n):
        return (h.mie & h.hideleg & VS_INTERRUPTS) >> 1

    def write(h, n, v):
        mask = h.hideleg & VS_INTERRUPTS
        h.mie = h.mie & ~mask | v << 1 & mask


@hcsr(0x244)
class Vsip:
    """The guest's sip: hip's VS bits that hideleg gives it; only SSIP (hvip.VSSIP) writable."""

    def read(h, n):
        return (h.mip() & h.hideleg & VS_INTERRUPTS) >> 1

    def write(h, n, v):
        mask = h.hideleg & (1 << VSSI)
        h.hvip = h.hvip & ~mask | v << 1 & mask


@hcsr(0x280)
class Vsatp:
    def read(h, n):
        return h.vsatp

    def write(h, n, v):
        h.vsatp = v & M32
        h.translation_changed()


#: S-mode CSR numbers -> the VS CSRs they reach while V=1
VS_SUBSTITUTES = {0x100: 0x200, 0x104: 0x204, 0x105: 0x205, 0x140: 0x240, 0x141: 0x241,
                  0x142: 0x242, 0x143: 0x243, 0x144: 0x244, 0x180: 0x280}
