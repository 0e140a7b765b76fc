"""The instructions that leave the fast path, executed on any hart: the one instruction emulator.

The interpreter and the translator run the common instructions inline, from the decode
table's snippets. The rest -- the table's ``system`` rows (CSR accesses, ``ecall``/``ebreak``,
``mret``/``sret``, ``wfi``, ``sfence.vma``, the atomics) -- is executed here, by the
*executor* each row names, against two things:

- an ``ArchState`` (``state.py``): the machine's own hart, or a hypervisor's virtual CPU;
- a *memory*: anything with ``load(va, size, access)`` and ``store(va, size, value)`` that
  translate and access as that hart would (raising ``Trap``). The machine's hart is its own
  memory (its MMU and bus); a hypervisor passes one that walks the guest's page tables and
  reaches the guest's RAM and device models (``vmlib.hypervisor.emulator``).

So an instruction means the same thing whoever executes it: the hart on its slow path, a
trap-and-emulate VMM for a deprivileged guest kernel, a binary translator's callout.
``emulate`` executes any load, store or system instruction given its word -- what a VMM does
with the instruction that trapped.

Every executor takes ``(state, memory, op, rd, rs1, rs2, imm, pc)`` -- the decoded form of
``vmlib.isa.decode.decode_for_execution`` -- and returns the next pc, or raises ``Trap``.
"""

from ..isa.decode import decode_for_execution
from ..isa.table import SPECS, AMO_OPS, OP_DECODE, OP_ILLEGAL, OP_MISALIGNED_TARGET, \
    SNIPPET_GLOBALS, HYPERVISOR_ACCESS
from .csr import TVM, TW, TSR
from .hcsr import VTVM, VTW, VTSR, HU, SPVP
from .sv32 import LOAD, STORE, HLVX
from .state import csr_access
from .traps import (Trap, ILLEGAL_INSTRUCTION, VIRTUAL_INSTRUCTION, BREAKPOINT,
                    MISALIGNED_LOAD, MISALIGNED_STORE, MISALIGNED_FETCH, M, S, U, VU, VS)

M32 = 0xFFFFFFFF
ECALL_CAUSE = {U: 8, S: 9, M: 11, VU: 8, VS: 10}


def illegal(state, pc, cause=ILLEGAL_INSTRUCTION):
    """The illegal-instruction trap for the instruction at ``pc`` (tval = its word), or with
    ``cause`` VIRTUAL_INSTRUCTION the virtual-instruction one (tval the word too, as QEMU)."""
    return Trap(cause, state.instruction_word(pc))


def refused(state, pc, hs_rule=False, vs_rule=False):
    """The trap for a privileged instruction in a mode below M, or None when it may run:
    U-mode may not (illegal; VU-mode: virtual instruction); HS-mode may unless ``hs_rule``
    (an mstatus trap bit: illegal); VS-mode may unless ``vs_rule`` (an hstatus trap bit:
    virtual instruction)."""
    if state.priv == U:
        return illegal(state, pc, VIRTUAL_INSTRUCTION if state.virt else ILLEGAL_INSTRUCTION)
    if state.priv == S and (vs_rule if state.virt else hs_rule):
        return illegal(state, pc, VIRTUAL_INSTRUCTION if state.virt else ILLEGAL_INSTRUCTION)
    return None


def _ecall(state, memory, op, rd, rs1, rs2, imm, pc):
    raise Trap(ECALL_CAUSE[state.priv | state.virt << 2], 0)


def _ebreak(state, memory, op, rd, rs1, rs2, imm, pc):
    raise Trap(BREAKPOINT, pc)


def _csr(state, memory, op, rd, rs1, rs2, imm, pc):
    """A Zicsr instruction; ``imm`` is the CSR number. Not allowed at this privilege: an
    illegal-instruction trap -- unless the CPU does something else (``csr_refused``: the
    non-virtualizable variant of chapter 09)."""
    name = SPECS[op].name
    cause = csr_access(state, name, rd, rs1, imm)
    if cause is not None and not state.csr_refused(name, rd, imm):
        raise illegal(state, pc, cause)
    return (pc + 4) & M32


def _trap_return(state, memory, op, rd, rs1, rs2, imm, pc):
    if SPECS[op].name == 'mret':
        if state.priv < M:
            raise illegal(state, pc)
    else:
        trap = refused(state, pc, state.mstatus & TSR, state.hstatus & VTSR)
        if trap:
            raise trap
    return state.trap_return(SPECS[op].name)


def _wfi(state, memory, op, rd, rs1, rs2, imm, pc):
    """wfi: mstatus.TW traps it in every mode below M; then U and VU may not, nor VS with
    hstatus.VTW."""
    if state.priv < M and state.mstatus & TW:
        raise illegal(state, pc)
    trap = refused(state, pc, vs_rule=state.hstatus & VTW)
    if trap:
        raise trap
    state.waiting = True
    return (pc + 4) & M32


def _sfence_vma(state, memory, op, rd, rs1, rs2, imm, pc):
    trap = refused(state, pc, state.mstatus & TVM, state.hstatus & VTVM)
    if trap:
        raise trap
    state.fence_vma()
    return (pc + 4) & M32


def _hypervisor_only(state, pc, u_allowed=False):
    """The H extension's instructions are the hypervisor's: illegal without H and in U-mode
    (unless ``u_allowed``), virtual instruction in the guest modes."""
    if not state.hypervisor or (state.priv == U and not state.virt and not u_allowed):
        raise illegal(state, pc)
    if state.virt:
        raise illegal(state, pc, VIRTUAL_INSTRUCTION)


def _hfence(state, memory, op, rd, rs1, rs2, imm, pc):
    """hfence.vvma, hfence.gvma: the guest's translations must go (HS-mode's mstatus.TVM
    traps hfence.gvma, as it traps satp writes)."""
    _hypervisor_only(state, pc)
    if SPECS[op].name == 'hfence.gvma' and state.priv == S and state.mstatus & TVM:
        raise illegal(state, pc)
    state.fence_vma()
    return (pc + 4) & M32


def _guest_mode(state):
    """The mode a hypervisor load or store acts in: V=1 at hstatus.SPVP."""
    return VS if state.hstatus & SPVP else VU


def _hlv(state, memory, op, rd, rs1, rs2, imm, pc):
    """hlv.*, hlvx.*: load as the guest would (both stages of translation; hlvx needs
    execute permission instead of read). U-mode may when hstatus.HU allows."""
    _hypervisor_only(state, pc, u_allowed=state.hstatus & HU)
    size, signed, execute = HYPERVISOR_ACCESS[SPECS[op].name]
    addr, mode = state.x[rs1], _guest_mode(state)
    access = HLVX if execute else LOAD
    if addr & (size - 1):
        value = sum(memory.load((addr + i) & M32, 1, access, mode) << 8 * i for i in range(size))
    else:
        value = memory.load(addr, size, access, mode)
    if signed and value >> (8 * size - 1):
        value = (value - (1 << 8 * size)) & M32
    state.x[rd] = value
    state.x[32] = 0
    return (pc + 4) & M32


def _hsv(state, memory, op, rd, rs1, rs2, imm, pc):
    """hsv.*: store as the guest would."""
    _hypervisor_only(state, pc, u_allowed=state.hstatus & HU)
    size = HYPERVISOR_ACCESS[SPECS[op].name][0]
    addr, mode, value = state.x[rs1], _guest_mode(state), state.x[rs2]
    if addr & (size - 1):
        for i in range(size):
            memory.store((addr + i) & M32, 1, value >> 8 * i & 0xFF, mode)
    else:
        memory.store(addr, size, value & ((1 << 8 * size) - 1), mode)
    return (pc + 4) & M32


def _lr(state, memory, op, rd, rs1, rs2, imm, pc):
    addr = state.x[rs1]
    if addr & 3:
        raise Trap(MISALIGNED_LOAD, addr)
    value = memory.load(addr, 4, LOAD)
    state.x[rd] = value
    state.x[32] = 0
    state.reservation = addr
    return (pc + 4) & M32


def _sc(state, memory, op, rd, rs1, rs2, imm, pc):
    R = state.x
    addr = R[rs1]
    if addr & 3:
        raise Trap(MISALIGNED_STORE, addr)
    ok = state.reservation == addr
    if ok:
        memory.store(addr, 4, R[rs2])
    state.reservation = None
    R[rd] = 0 if ok else 1
    R[32] = 0
    return (pc + 4) & M32


def _amo(state, memory, op, rd, rs1, rs2, imm, pc):
    """An AMO: read, compute, write; it faults as a store even where it reads."""
    R = state.x
    addr = R[rs1]
    if addr & 3:
        raise Trap(MISALIGNED_STORE, addr)
    old = memory.load(addr, 4, STORE)
    memory.store(addr, 4, AMO_OPS[SPECS[op].name](old, R[rs2]))
    R[rd] = old
    R[32] = 0
    return (pc + 4) & M32


_CONDITIONS = {s.op: eval(f'lambda R, rs1, rs2: {s.semantics}', dict(SNIPPET_GLOBALS))
               for s in SPECS if s.kind == 'branch'}


def _misaligned_target(state, memory, op, rd, rs1, rs2, imm, pc):
    """A branch or jal whose target is not 4-byte aligned (the interpreter's pseudo-op, with
    the real op in ``rd``): it traps if taken."""
    if SPECS[rd].kind == 'jump' or _CONDITIONS[rd](state.x, rs1, rs2):
        raise Trap(MISALIGNED_FETCH, (pc + imm) & M32)
    return (pc + 4) & M32


def _illegal_word(state, memory, op, rd, rs1, rs2, imm, pc):
    raise Trap(ILLEGAL_INSTRUCTION, imm)


EXECUTORS = {'ecall': _ecall, 'ebreak': _ebreak, 'csr': _csr, 'trap_return': _trap_return,
             'wfi': _wfi, 'sfence_vma': _sfence_vma, 'lr': _lr, 'sc': _sc, 'amo': _amo,
             'hfence': _hfence, 'hlv': _hlv, 'hsv': _hsv}

#: op -> executor, for every system row of the table (and the interpreter's pseudo-ops)
SYSTEM = {spec.op: EXECUTORS[spec.semantics] for spec in SPECS if spec.kind == 'system'}
SYSTEM[OP_MISALIGNED_TARGET] = _misaligned_target
SYSTEM[OP_ILLEGAL] = _illegal_word


def execute(state, memory, op, rd, rs1, rs2, imm, pc):
    """Execute one decoded system instruction on ``state``; return the next pc."""
    return SYSTEM[op](state, memory, op, rd, rs1, rs2, imm, pc)


def emulate(state, memory, word, pc):
    """Execute the instruction ``word`` at ``pc`` on ``state`` -- a load, a store or a system
    instruction, as a VMM does with one that trapped -- and return the next pc. Raises
    ``Trap`` for what the instruction itself raises; ValueError for an instruction that
    never needs emulating (arithmetic, branches: they run wherever the guest runs)."""
    op, rd, rs1, rs2, imm = decode_for_execution(word)
    if op < OP_DECODE:
        spec = SPECS[op]
        if spec.kind == 'load':
            size, signed = spec.semantics
            value = memory.load((state.x[rs1] + imm) & M32, size, LOAD)
            if signed and value >> (8 * size - 1):
                value = (value - (1 << 8 * size)) & M32
            state.x[rd] = value
            state.x[32] = 0
            return (pc + 4) & M32
        if spec.kind == 'store':
            size = spec.semantics[0]
            memory.store((state.x[rs1] + imm) & M32, size, state.x[rs2] & ((1 << 8 * size) - 1))
            return (pc + 4) & M32
        if spec.kind != 'system':
            raise ValueError(f'{spec.name} at 0x{pc:08x} is not an instruction to emulate')
    return SYSTEM[op](state, memory, op, rd, rs1, rs2, imm, pc)
