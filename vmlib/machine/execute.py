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
    SNIPPET_GLOBALS
from .csr import TVM, TW, TSR
from .sv32 import LOAD, STORE
from .state import csr_access
from .traps import (Trap, ILLEGAL_INSTRUCTION, BREAKPOINT, MISALIGNED_LOAD, MISALIGNED_STORE,
                    MISALIGNED_FETCH, M, S, U)

M32 = 0xFFFFFFFF
ECALL_CAUSE = {U: 8, S: 9, M: 11}


def illegal(state, pc):
    """The illegal-instruction trap for the instruction at ``pc`` (tval = its word)."""
    return Trap(ILLEGAL_INSTRUCTION, state.instruction_word(pc))


def _ecall(state, memory, op, rd, rs1, rs2, imm, pc):
    raise Trap(ECALL_CAUSE[state.priv], 0)


def _ebreak(state, memory, op, rd, rs1, rs2, imm, pc):
    raise Trap(BREAKPOINT, pc)


def _csr(state, memory, op, rd, rs1, rs2, imm, pc):
    """A Zicsr instruction; ``imm`` is the CSR number. Not allowed at this privilege: an
    illegal-instruction trap -- unless the CPU does something else (``csr_refused``: the
    non-virtualizable variant of chapter 09)."""
    name = SPECS[op].name
    if not csr_access(state, name, rd, rs1, imm) and not state.csr_refused(name, rd, imm):
        raise illegal(state, pc)
    return (pc + 4) & M32


def _trap_return(state, memory, op, rd, rs1, rs2, imm, pc):
    name = SPECS[op].name
    if state.priv < (M if name == 'mret' else S) or \
            (name == 'sret' and state.priv == S and state.mstatus & TSR):
        raise illegal(state, pc)
    return state.trap_return(name)


def _wfi(state, memory, op, rd, rs1, rs2, imm, pc):
    if state.priv == U or (state.priv == S and state.mstatus & TW):
        raise illegal(state, pc)
    state.waiting = True
    return (pc + 4) & M32


def _sfence_vma(state, memory, op, rd, rs1, rs2, imm, pc):
    if state.priv == U or (state.priv == S and state.mstatus & TVM):
        raise illegal(state, pc)
    state.fence_vma()
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
             'wfi': _wfi, 'sfence_vma': _sfence_vma, 'lr': _lr, 'sc': _sc, 'amo': _amo}

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
