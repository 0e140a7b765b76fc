"""The VMM's exits one by one: chapter 09's view of the hypervisor's exit log.

``record`` runs a guest under trap-and-emulate with ``Hypervisor(log=True)`` and tells each
record of the hypervisor's exit log (``vmlib.hypervisor.exitlog``) as a :class:`VmmExit`:
where the guest was, the instruction, the host trap, what the VMM changed in the virtual CPU.
:meth:`VmmLog.bounce` cuts out one system call, from the process's ``ecall`` to the VMM's
emulated ``sret`` (:class:`Bounce`), with the stretches the hardware ran directly between.

    >>> b = vmm_log('syscall').bounce(3)
    >>> b.call, b.counts()['exits']
    ('system call 172 (getpid)', 11)
"""
from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

from ... import guest
from ...hypervisor import CostModel, Hypervisor
from ...hypervisor.exitlog import NOT_EXITS
from ...isa import decode, disassemble, reg_name
from ...isa.csrs import CSR_NUMBERS
from ...machine.csr import CSR_TABLE
from ...machine.traps import ECALL_FROM_U, ILLEGAL_INSTRUCTION, PRIV_NAMES, cause_name
from ..ch08 import ENGINE, Symbols
from ..text import WIDTH, fit, hanging

__all__ = ['VmmExit', 'VmmLog', 'NOT_EXITS', 'Step', 'Bounce', 'record', 'vmm_log',
           'describe', 'exits_text']

#: the virtual CSRs a log line shows the changes of
_VIRTUAL_CSRS = ('sstatus', 'sie', 'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'satp')
M32 = 0xFFFFFFFF


@dataclass(frozen=True)
class VmmExit:
    """One record of the hypervisor's exit log (an exit, an injection, a slice start), told.

    ``instret`` counts the guest instructions retired before it (so the instruction at
    ``pc`` is guest instruction number ``instret``); ``retired_after`` the same after it (one
    more when the VMM executed the instruction in the guest's place). ``priv`` and
    ``to_priv`` are the guest's *virtual* privilege ('U' or 'S'); the host hart was in U-mode
    in both cases. ``reason``: the report's exit reason, or ``'enter'`` /
    ``'interrupt_injection'`` (not exits). ``cause``: the host trap's mcause (None for the
    VMM's timer and the non-exits). ``changes``: ``(what, old, new)`` for each virtual CSR,
    the privilege and the register the instruction wrote. ``events``: ``(event, n)`` of the
    cost model counted during the visit, the return into the guest included (direct
    instructions are not: see :class:`Bounce`). ``detail``: the hypervisor's words for it,
    ``output``: what the guest's console printed meanwhile.
    """

    index: int
    guest: int
    instret: int
    retired_after: int
    pc: int
    where: str
    priv: str
    cause: int | None
    instruction: str
    reason: str
    detail: str
    events: tuple
    changes: tuple
    to_priv: str
    to_pc: int
    to_where: str
    output: str = ''

    @property
    def is_exit(self) -> bool:
        return self.reason not in NOT_EXITS

    @property
    def trap_name(self) -> str:
        """The host trap, short (the guest's ecalls all come from host U-mode)."""
        if self.cause is None:
            return "the VMM's timer" if self.reason == 'timer' else 'no trap'
        return _TRAP_NAMES.get(self.cause) or cause_name(self.cause)

    @property
    def action(self) -> str:
        """What the VMM did, in words."""
        return describe(self)

    def cycles(self, costs: CostModel | None = None) -> float:
        """What this visit costs under ``costs`` (the events counted for it)."""
        return (costs or CostModel()).total(dict(self.events))


_TRAP_NAMES = {ILLEGAL_INSTRUCTION: 'illegal instruction', ECALL_FROM_U: 'ecall',
               12: 'fetch page fault', 13: 'load page fault', 15: 'store page fault'}


def _csr(snapshot, name):
    """CSR ``name`` as the guest reads it, in a state snapshot (``ArchState.snapshot``)."""
    number = CSR_NUMBERS[name]
    return CSR_TABLE[number][0](SimpleNamespace(**snapshot), number) & M32


def _told(r, names) -> VmmExit:
    """Record ``r`` of the hypervisor's exit log, told (``names``: address -> symbol)."""
    b, a = r.before, r.after
    changes = [('privilege', PRIV_NAMES[b['priv']], PRIV_NAMES[a['priv']])] \
        if b['priv'] != a['priv'] else []
    changes += [(n, _csr(b, n), _csr(a, n)) for n in _VIRTUAL_CSRS if _csr(b, n) != _csr(a, n)]
    ins = decode(r.word) if r.word is not None else None
    rd = ins.rd if ins is not None and 'rd' in ins.spec.format.fields else 0
    if r.kind in ('privileged_instruction', 'mmio', 'page_table_write') and rd:
        changes.append((reg_name(rd), None, a['x'][rd]))
    return VmmExit(
        index=r.seq, guest=r.vm, instret=r.instret, retired_after=r.retired_after,
        pc=b['pc'], where=names(b['pc']), priv=PRIV_NAMES[b['priv']],
        cause=r.exit.cause if r.exit is not None else None,
        instruction=disassemble(r.word) if r.word is not None else '',
        reason=r.kind, detail=r.detail,
        events=tuple((e, n) for e, n in r.events.items() if e != 'guest_instruction'),
        changes=tuple(changes), to_priv=PRIV_NAMES[a['priv']], to_pc=a['pc'],
        to_where=names(a['pc']), output=r.output)


def _syscall_number(e):
    """The system call number of a process's ``ecall`` exit, or None."""
    prefix = 'ecall: system call '
    if e.reason == 'guest_exception' and e.detail.startswith(prefix):
        return int(e.detail[len(prefix):].split()[0])
    return None


def _syscall_name(number):
    text = guest.SYSCALLS.get(number)
    return text.split('(')[0] if text else 'unknown'


class VmmLog:
    """Every VMM event of one trap-and-emulate run, with the run's report.

    ``exits`` (a tuple of :class:`VmmExit`, exits and the other events), ``report`` (the
    hypervisor's JSON report), ``console`` and ``exit_status`` of guest 0, ``symbols``
    (names for guest addresses).
    """

    def __init__(self, exits, report, symbols, workload, variant):
        self.exits = tuple(exits)
        self.report = report
        self.symbols = symbols
        self.workload = workload
        self.variant = variant or 'rv32'
        g = report['guests'][0]
        self.console, self.exit_status = g['console'], g['exit_status']

    def __len__(self):
        return len(self.exits)

    def traps(self) -> list[VmmExit]:
        """The events that were exits (traps into the VMM, its timer included)."""
        return [e for e in self.exits if e.is_exit]

    def system_calls(self) -> list[VmmExit]:
        """The guest processes' system calls (``ecall`` from virtual U), in order."""
        return [e for e in self.exits if _syscall_number(e) is not None]

    def bounce(self, k: int = 0, number: int | None = None) -> 'Bounce':
        """The ``k``-th system call (counting only calls ``number`` if given), from the
        guest process's ``ecall`` to the VMM's emulated ``sret`` back into the process."""
        calls = [e for e in self.system_calls() if number in (None, _syscall_number(e))]
        if not 0 <= k < len(calls):
            raise ValueError(f'the run made {len(calls)} such system calls; k={k} is not one')
        first = calls[k]
        for e in self.exits[first.index + 1:]:
            if e.guest == first.guest and e.to_priv == 'U':
                return Bounce(self.exits[first.index:e.index + 1], self, k)
        raise ValueError('the system call never returned to the process')

    def lines(self, start: int = 0, stop: int | None = None) -> str:
        """Events ``start`` .. ``stop - 1`` as text, one a line."""
        return exits_text(self.exits[start:stop])


def exits_text(exits) -> str:
    """VMM events as a table: guest instruction number, where, instruction, what it did."""
    head = f"{'guest #':>8}  {'mode':<4} {'where':<20} {'instruction':<23} the VMM"
    lines = [head, '-' * WIDTH]
    for e in exits:
        lines.append(hanging(f'{e.instret:>8}  {e.priv:<4} {e.where:<20} '
                             f'{e.instruction or "-":<23} ', describe(e, short=True), extra=0))
    return '\n'.join(lines)


def _hex(value):
    return f'0x{value:08x}' if value > 9 else str(value)


def _change_text(what, old, new, names=None):
    if what == 'privilege':
        return f'privilege {old} -> {new}'
    if what in _VIRTUAL_CSRS:
        return f'{what} {_hex(old)} -> {_hex(new)}'
    return f'{what} = {_hex(new)}'


def describe(e: VmmExit, short: bool = False) -> str:
    """What the VMM did during one visit: a verb phrase ("emulates ..."), or with ``short``
    a few words for a table ("emulated: ...")."""
    changed = ', '.join(_change_text(*c) for c in e.changes if c[0] != 'privilege')
    name = e.instruction.split(' ')[0]
    if e.reason == 'privileged_instruction':
        if name == 'sret':
            text = (f'emulated sret: {e.priv} -> {e.to_priv}' if short else
                    f'emulates sret: privilege {e.priv} -> {e.to_priv}, pc = sepc '
                    f'({e.to_where})')
        elif name == 'sfence.vma':
            text = ('emulated: host TLB flushed' if short else
                    'emulates sfence.vma: flushes the host TLB (the shadow tables are kept '
                    'coherent on every write)')
        elif name == 'wfi':
            text = ('emulated: the guest waits' if short else
                    'emulates wfi: the guest waits, the hart goes to the other guests')
        elif short:
            text = f'emulated: {changed}' if changed else 'emulated (nothing changes)'
        else:
            text = 'emulates it on the virtual CSRs' + (f': {changed}' if changed
                                                        else ' (nothing changes)')
    elif e.reason == 'guest_exception':
        what = 'system call' if e.cause == ECALL_FROM_U else cause_name(e.cause)
        text = (f'reflected to the guest kernel: scause {e.cause}, {e.priv} -> {e.to_priv}'
                if short else
                f'reflects the {what} to the guest kernel: scause = {e.cause}, '
                f'privilege {e.priv} -> {e.to_priv}, pc = stvec ({e.to_where})')
    elif e.reason == 'sbi':
        call = _sbi_text(e)
        text = f'{call} served' if short else f'serves {call}'
    elif e.reason == 'hidden_page_fault':
        text = ('hidden fault: shadow entry filled' if short else
                "fills the shadow page table from the guest's (a hidden page fault); the "
                'instruction runs again')
    elif e.reason == 'page_table_write':
        text = ('page-table store emulated, shadow updated' if short else
                'emulates a store to a guest page table and drops the shadow entries made '
                'from it')
    elif e.reason == 'mmio':
        text = ('UART register access emulated' if short else
                'emulates a device register access (the UART model)')
    elif e.reason == 'timer':
        text = ('VMM timer: hart taken back' if short else
                "takes the hart back: the slice is over or the guest's virtual timer is due")
    elif e.reason == 'interrupt_injection':
        text = (f'{e.detail} injected: {e.priv} -> {e.to_priv}' if short else
                f'injects the virtual interrupt ({e.detail}): privilege {e.priv} -> '
                f'{e.to_priv}, pc = stvec ({e.to_where})')
    elif e.reason == 'enter':
        text = 'gives the guest the hart' if not short else 'guest gets the hart'
    else:
        text = e.reason.replace('_', ' ') if short else 'handles ' + e.reason.replace('_', ' ')
    return text


def _sbi_text(e):
    name = e.detail.split('SBI ', 1)[-1]
    return f'SBI {name}({e.output!r})' if e.output and name == 'console_putchar' else \
        f'SBI {name}'


@dataclass(frozen=True)
class Step:
    """One step of a :class:`Bounce`: a VMM visit, or a stretch the hardware ran directly."""
    kind: str               # 'vmm' or 'direct'
    priv: str               # the guest's virtual privilege ('U' or 'S')
    instructions: int       # guest instructions in the step (direct), or retired by the VMM
    start: str              # where it starts (symbol+offset)
    end: str                # where it ends (last instruction of a direct stretch)
    exit: VmmExit | None = None

    def cycles(self, costs: CostModel | None = None) -> float:
        costs = costs or CostModel()
        if self.kind == 'direct':
            return costs.total({'guest_instruction': self.instructions})
        return self.exit.cycles(costs)


class Bounce:
    """One guest system call under trap-and-emulate, from ``ecall`` to the ``sret`` back:
    the VMM visits (``exits``) and, between them, the stretches the hardware ran directly."""

    def __init__(self, exits, log, k):
        self.exits, self.log, self.k = tuple(exits), log, k
        number = _syscall_number(self.exits[0])
        self.call = f'system call {number} ({_syscall_name(number)})'

    @property
    def instructions(self) -> int:
        """Guest instructions from the ``ecall`` (not retired: it traps) to after ``sret``."""
        return self.exits[-1].retired_after - self.exits[0].instret

    def steps(self) -> list[Step]:
        out = []
        name = self.log.symbols.name
        for i, e in enumerate(self.exits):
            if i:
                prev = self.exits[i - 1]
                n = e.instret - prev.retired_after
                if n:
                    out.append(Step('direct', prev.to_priv, n, prev.to_where,
                                    name((e.pc - 4) & M32)))
            out.append(Step('vmm', e.priv, e.retired_after - e.instret, e.where, e.where, e))
        return out

    def counts(self) -> dict:
        """VMM visits by reason, and how many instructions the hardware ran directly."""
        c = Counter(e.reason for e in self.exits if e.is_exit)
        direct = sum(s.instructions for s in self.steps() if s.kind == 'direct')
        return {'exits': sum(c.values()), 'by reason': dict(sorted(c.items())),
                'direct instructions': direct,
                'emulated instructions': self.instructions - direct}

    def cycles(self, costs: CostModel | None = None) -> float:
        return sum(s.cycles(costs) for s in self.steps())

    def text(self, costs: CostModel | None = None) -> str:
        """The bounce step by step, then its totals against the bare machine."""
        costs = costs or CostModel()
        lines = [f'{self.call} under trap-and-emulate ({self.log.workload} workload,',
                 f'guest instructions {self.exits[0].instret:,} .. '
                 f'{self.exits[-1].retired_after - 1:,}; the mode is the guest\'s)', '',
                 f"{'step':>4} {'':<2} {'where':<17} {'instruction':<22} {'cycles':>5}"
                 "  what happens"]
        lines.append('-' * WIDTH)
        for i, s in enumerate(self.steps(), start=1):
            if s.kind == 'direct':
                what = f'{s.instructions} run directly, to {s.end}'
                lines.append(hanging(f'{i:>4} {s.priv:<2} {s.start:<17} {"":<22} '
                                     f'{_fmt(s.cycles(costs)):>5}  ', what, extra=0))
            else:
                e = s.exit
                what = ('TRAP, ' if e.is_exit else '') + describe(e, short=True)
                lines.append(hanging(f'{i:>4} {s.priv:<2} {e.where:<17} {e.instruction:<22} '
                                     f'{_fmt(s.cycles(costs)):>5}  ', what, extra=0))
        c = self.counts()
        bare = costs.total({'guest_instruction': self.instructions})
        reasons = ', '.join(f'{n} {r}' for r, n in c['by reason'].items())
        lines += ['', f'{c["exits"]} traps into the VMM ({reasons}).',
                  f'{self.instructions} guest instructions: {c["direct instructions"]} run '
                  f'directly, {c["emulated instructions"]} emulated by the VMM.',
                  f'Cost model: {_fmt(self.cycles(costs))} cycles. The same instructions on '
                  f'the bare machine: {_fmt(bare)} cycles,',
                  'with 2 privilege changes done by the hardware (the ecall trap, the sret).']
        return fit('\n'.join(lines))


def _fmt(x):
    x = float(x)
    return f'{int(x):,}' if x.is_integer() else f'{x:,.1f}'


class _Labels:
    """Names for addresses of a program without the guest kernel's layout (a miniguest):
    the nearest label at or below."""

    def __init__(self, program):
        pairs = sorted((a, n) for n, a in program.symbols.items() if not n.isupper())
        self._addrs = [a for a, _ in pairs]
        self._names = [n for _, n in pairs]

    def name(self, pc):
        i = bisect.bisect_right(self._addrs, pc) - 1
        if i < 0 or pc - self._addrs[i] > 0x1000:
            return f'0x{pc:08x}'
        off = pc - self._addrs[i]
        return self._names[i] + (f'+0x{off:x}' if off else '')


def _symbols(program, source):
    if 'user_image' in program.symbols:
        return Symbols(program, source)
    return _Labels(program)


def record(workload: str = 'syscall', variant: str | None = None,
           max_steps: int = guest.MAX_STEPS, program=None, source: str | None = None,
           costs: CostModel | None = None, quantum: int | None = None) -> VmmLog:
    """Run ``workload`` (or an assembled ``program`` with its ``source`` text) under
    trap-and-emulate on the plain CPU or ``variant='nonvirt'``, logging every VMM visit.
    ``quantum``: the guest kernel's time slice in mtime ticks (default: its own, 100 Hz)."""
    if program is None:
        program, source = guest.program(workload), guest.source(workload)
    symbols = _symbols(program, source)
    hv = Hypervisor('trap', [program], variant=variant, costs=costs, max_steps=max_steps,
                    workload=workload, log=True, engine=ENGINE)
    if quantum is not None:
        hv.vms[0].mem.write(program.symbols['quantum'], 4, quantum)
    report = hv.run()
    return VmmLog([_told(r, symbols.name) for r in hv.log], report, symbols, workload, variant)


@lru_cache(maxsize=None)
def vmm_log(workload: str = 'syscall', variant: str | None = None) -> VmmLog:
    """:func:`record` for a named workload, cached (the run is deterministic)."""
    return record(workload, variant)
