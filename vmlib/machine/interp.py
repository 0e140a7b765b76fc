"""The interpreter's run loop, generated from the decode table.

Why generate it? Speed and one source of truth at once. A pure-Python emulator is fastest
when each instruction is decoded once (the decoded tuples live in per-page lists, the
"instruction cache"), dispatched on a small integer with the hot cases first, and executed
by inline code with registers in a local list — no function call per instruction. Writing
that loop by hand would repeat every instruction's meaning a second time; instead the loop
below pastes in the ``semantics`` snippets of ``vmlib.isa.table``. ``loop_source()`` returns
the generated Python so a learner can read exactly what runs.

Loads and stores get a fast path: one dict lookup in the TLB (see ``mmu.py``) and a direct
index into RAM. Everything unusual leaves the fast path through a call to the hart.

Instructions are counted by a ``for n in range(n, stop)`` loop, measured 1.7x faster on
CPython 3.11 than ``while n < stop: ... n += 1``. Whatever must change ``stop`` (a system
instruction, a slow store, a newly decoded slot) breaks out, and the loop restarts.
"""

import re

from ..isa.table import SPECS, SNIPPET_GLOBALS, OP_DECODE, OP_ILLEGAL
from ..isa.decode import decode_for_execution
from .traps import Trap

_MEM = {1: ('ram', 0, ''), 2: ('ram16', 1, ' >> 1'), 4: ('ram32', 3, ' >> 2')}
_SIGN = {1: 0x80, 2: 0x8000}


def _indent(code, depth):
    pad = '    ' * depth
    return ''.join(pad + line + '\n' for line in code.splitlines())


def load_code(size, signed, count='n', slow_prefix='', memo=False):
    """A load of ``size`` bytes into ``R[rd]`` from ``R[rs1] + imm``: the TLB fast path,
    else ``load_slow`` (told ``count``, the instructions retired before this one).

    ``slow_prefix`` runs on the slow path first (the translator records the pc there).
    ``memo``: remember the last page the TLB gave (``rpage``, ``rdelta``) and skip the TLB
    while the accesses stay in it and aligned (the translator's loops; the code around it
    must start with ``rpage = wpage = -1``). A slow path can change the TLB, so it forgets.
    Shared by the interpreter and the translator (``vmlib.machine.dbt``).
    """
    view, align, shift = _MEM[size]
    check = f'd is None or a & {align}' if align else 'd is None'
    slow = f'load_slow(a, {size}, {count})'

    def value(delta):
        v = f'{view}[(a + {delta}){shift}]'
        if signed:
            v = f'(({v} ^ {_SIGN[size]:#x}) - {_SIGN[size]:#x}) & 0xFFFFFFFF'
        return v
    if signed:
        slow = f'(({slow} ^ {_SIGN[size]:#x}) - {_SIGN[size]:#x}) & 0xFFFFFFFF'
    code = ('d = rtlb.get(a >> 12)\n'
            f'if {check}:\n'
            + _indent('\n'.join(filter(None, [slow_prefix, memo and 'rpage = wpage = -1'])), 1) +
            f'    R[rd] = {slow}\n'
            'else:\n'
            + ('    rpage = a & 0xFFFFF000; rdelta = d\n' if memo else '') +
            f'    R[rd] = {value("d")}\n')
    if memo:
        code = (f'if a & {0xFFFFF000 | align:#x} == rpage:\n'
                f'    R[rd] = {value("rdelta")}\n'
                'else:\n' + _indent(code, 1))
    return 'a = (R[rs1] + imm) & 0xFFFFFFFF\n' + code


# A slow store may stop the machine or arm a timer: the interpreter retires it and restarts
# the counting loop with a new ``stop``.
_INTERP_AFTER_SLOW_STORE = ('pc += 4; n += 1\n'
                            'stop = hart.stop_at(n, end)\n'
                            'break')


def store_code(size, count='n', slow_prefix='', slow_suffix=_INTERP_AFTER_SLOW_STORE,
               memo=False):
    """A store of the low ``size`` bytes of ``R[rs2]`` at ``R[rs1] + imm``: the TLB fast
    path, else ``store_slow`` between ``slow_prefix`` and ``slow_suffix`` (which must leave
    the straight-line code: the store may have changed what runs next). ``memo``: as for
    ``load_code``, with ``wpage``, ``wdelta``."""
    view, align, shift = _MEM[size]
    mask = {1: ' & 0xFF', 2: ' & 0xFFFF', 4: ''}[size]
    check = f'd is None or a & {align}' if align else 'd is None'
    code = ('d = wtlb.get(a >> 12)\n'
            f'if {check}:\n'
            + _indent(slow_prefix, 1) +
            f'    store_slow(a, {size}, R[rs2], {count})\n'
            + _indent(slow_suffix, 1))
    if memo:
        code = (f'if a & {0xFFFFF000 | align:#x} == wpage:\n'
                f'    {view}[(a + wdelta){shift}] = R[rs2]{mask}\n'
                'else:\n'
                + _indent(code + 'wpage = a & 0xFFFFF000; wdelta = d\n'
                          f'{view}[(a + d){shift}] = R[rs2]{mask}\n', 1))
    else:
        code += f'{view}[(a + d){shift}] = R[rs2]{mask}\n'
    return 'a = (R[rs1] + imm) & 0xFFFFFFFF\n' + code


def branch_code(condition, taken='pc += imm', not_taken='pc += 4'):
    """A conditional branch: ``taken`` when the table's ``condition`` holds.

    In the interpreter the target is aligned (misaligned ones were set aside at decode time)
    and may leave 0..2**32; the fetch slow path wraps pc, and every wrap leaves the page, so
    it gets there. The translator passes its own block exits (``not_taken`` may be empty).
    """
    return (f'if {condition}:\n'
            + _indent(taken, 1)
            + ('else:\n' + _indent(not_taken, 1) if not_taken else ''))


OPERANDS = {'rd': 1, 'rs1': 2, 'rs2': 3, 'imm': 4}


def bind_operands(code, operands):
    """Replace the operand names of a snippet (``rd rs1 rs2 imm``) with expressions.

    The interpreter binds them to items of the decoded tuple (``ins[1]``...); a translator
    binds them to constants.
    """
    return re.sub(r'\b(rd|rs1|rs2|imm)\b', lambda m: operands[m.group(1)], code)


def instruction_code(spec):
    """The Python that executes one instruction of this table row, or None (slow path).

    Operands appear by name (``rd rs1 rs2 imm``); see ``bind_operands``.
    """
    kind = spec.kind
    if kind == 'alu':
        return spec.semantics + '\npc += 4'
    if kind == 'jump':
        return spec.semantics
    if kind == 'branch':
        return branch_code(spec.semantics)
    if kind == 'load':
        return load_code(*spec.semantics) + 'pc += 4'
    if kind == 'store':
        return store_code(spec.semantics[0]) + 'pc += 4'
    if kind == 'nop':
        return 'pc += 4'
    return None


_RELOAD = ('rtlb = hart.rtlb; wtlb = hart.wtlb; vbase = -0x2000\n'
           'stop = hart.stop_at(n, end)\n')


def loop_source():
    """The generated run loop, as Python source."""
    cases = []
    first = True
    for spec in SPECS:
        code = instruction_code(spec)
        if code is None:
            continue
        code = bind_operands(code, {name: f'ins[{i}]' for name, i in OPERANDS.items()})
        cases.append(f"{'if' if first else 'elif'} op == {spec.op}:  # {spec.name}\n"
                     + _indent(code, 1))
        first = False
    cases.append(f'elif op == {OP_DECODE}:  # first execution of this slot: decode it\n'
                 '    page[k >> 2] = decode_for_execution(ram32[(pidx + k) >> 2])\n'
                 '    break  # (not retired: the loop restarts at the same count)\n')
    cases.append(f'elif op == {OP_ILLEGAL}:\n'
                 '    raise Trap(2, ins[4])\n')
    cases.append('else:  # system instructions: the hart executes them, then we resync\n'
                 '    hart.pc = pc; hart.instret = n\n'
                 '    pc = exec_system(*ins, pc)\n'
                 '    n += 1\n'
                 + _indent(_RELOAD, 1) +
                 '    break\n')
    body = ''.join(cases)
    return (
        'def run(hart, budget):\n'
        '    R = hart.x; bus = hart.bus\n'
        '    ram = bus.ram; ram16 = bus.ram16; ram32 = bus.ram32\n'
        '    load_slow = hart.load_slow; store_slow = hart.store_slow\n'
        '    exec_system = hart.exec_system; fetch_page = hart.fetch_page\n'
        '    pc = hart.pc; n = hart.instret; end = n + budget\n'
        '    page = None; pidx = 0\n'
        + _indent(_RELOAD, 1) +
        '    while True:\n'
        '        try:\n'
        '            for n in range(n, stop):  # n: instructions retired before this one\n'
        '                k = pc - vbase\n'
        '                if k >> 12:\n'
        '                    pc &= 0xFFFFFFFF\n'
        '                    hart.instret = n\n'
        '                    vbase, page, pidx = fetch_page(pc)\n'
        '                    k = pc - vbase\n'
        '                ins = page[k >> 2]\n'
        '                op = ins[0]\n'
        + _indent(body, 4) +
        '            else:  # every instruction up to stop retired: a timer, the budget...\n'
        '                n = stop\n'
        '                hart.pc = pc; hart.instret = n\n'
        '                if not hart.service(end):\n'
        '                    break\n'
        '                pc = hart.pc\n'
        + _indent(_RELOAD, 4) +
        '        except Trap as trap:\n'
        '            hart.pc = pc; hart.instret = n\n'
        '            hart.take_trap(trap.cause, trap.tval, trap.tval2, trap.gva)\n'
        '            pc = hart.pc\n'
        + _indent(_RELOAD, 3) +
        '    hart.pc = pc; hart.instret = n\n'
    )


def build_run_loop():
    namespace = dict(SNIPPET_GLOBALS, Trap=Trap, decode_for_execution=decode_for_execution)
    exec(compile(loop_source(), '<vmlib generated interpreter>', 'exec'), namespace)
    return namespace['run']


_RUN = None


def run_loop():
    """The compiled loop (generated once per process)."""
    global _RUN
    if _RUN is None:
        _RUN = build_run_loop()
    return _RUN
