"""Chapter 09, trap-and-emulate and Popek & Goldberg: the measurements behind the chapter.

The guest kernel (``vmlib.guest``) runs under the hypervisor's trap-and-emulate technique:
deprivileged to U-mode, every privileged instruction it executes traps into the VMM, which
emulates it on the guest's virtual CSRs. This module watches that happen and measures the
three properties a VMM must have (Popek & Goldberg, 1974):

- **the VMM's exits one by one**: :func:`record` runs a guest under trap-and-emulate and
  logs every visit of the VMM (:class:`VmmExit`: the guest instruction, the trap, what the
  VMM did to the virtual state); :meth:`VmmLog.bounce` cuts out one system call, from the
  process's ``ecall`` to the VMM's emulated ``sret`` (:class:`Bounce`). The hypervisor
  exposes no per-exit log, so ``_Recorder`` wraps the technique's two entries (the hart's
  ``trap_hook`` and ``sync``) on one Hypervisor object, changing nothing they do;
- **equivalence** (:func:`equivalence_rows`: console and exit status bare / emulated /
  trap-and-emulate), **resource control** (:func:`resource_control`: a guest spinning with
  interrupts off beside a working one), **efficiency** (:func:`efficiency_rows`,
  :func:`cycles_text`: the share of instructions run directly, cycles by event from the
  cost model, any cost changeable with ``CostModel().replace(...)``);
- **the non-virtualizable variant** (:func:`divergence`): the same guest on RV32 and on the
  variant, exit by exit, to the ``sstatus`` write the VMM never saw and the ``EFAULT`` it
  becomes; :func:`consoles_text` prints the outputs side by side;
- **shadow page tables** (:func:`shadow_rows`): hidden page faults and trapped page-table
  writes per workload.

    >>> b = vmm_log('syscall').bounce(3)
    >>> b.call, b.counts()['exits']
    ('system call 172 (getpid)', 11)

The exercises' answers come from :mod:`vmlib.hypervisor.popek`, which *executes* each
instruction in U-mode and in M-mode on the machine (the plain RV32 CPU or the variant), or
from a run under the hypervisor, so an exercise cannot teach a rule the machine does not
follow:

- :class:`ClassifyInstruction`: is this instruction privileged? is it sensitive?
- :class:`TrapUnderTrapAndEmulate`: the guest kernel, deprivileged to U-mode, executes this
  instruction: does it trap into the VMM, and does the guest get what bare hardware gives?
- :class:`WhichBreakVirtualization`: from a few measured rows, which instructions break
  trap-and-emulate (sensitive but not privileged)?
- :class:`PredictVmmTraps`: how many traps into the VMM do these lines of guest-kernel code
  cause? (measured by running them as a tiny guest kernel, ``vmlib.hypervisor.miniguest``)

    >>> ClassifyInstruction(seed=1).solution() in [
    ...     {'privileged': p, 'sensitive': s} for p in (True, False) for s in (True, False)]
    True
"""
from __future__ import annotations

import bisect
import difflib
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .. import guest
from ..hypervisor import CostModel, EVENTS, Hypervisor, popek
from ..hypervisor.shadow import GuestFault, translate, view_of
from ..isa import decode, disassemble, reg_name
from ..isa.csrs import CSR_NUMBERS
from ..machine.csr import CSR_TABLE
from ..machine.mmu import FETCH
from ..machine.traps import ECALL_FROM_U, ILLEGAL_INSTRUCTION, PRIV_NAMES, cause_name
from .ch08 import Symbols
from .exercises import Exercise

__all__ = ['ClassifyInstruction', 'TrapUnderTrapAndEmulate', 'WhichBreakVirtualization',
           'PredictVmmTraps', 'INSTRUCTIONS', 'KERNEL_INSTRUCTIONS', 'TRAP_POOL', 'TRAP_SETUP',
           'VmmExit', 'VmmLog', 'NOT_EXITS', 'Step', 'Bounce', 'record', 'vmm_log', 'describe',
           'exits_text', 'WORKLOADS', 'bare_run', 'emulate_report', 'hv_run',
           'equivalence_rows', 'equivalence_text', 'hv_command', 'resource_control',
           'resource_control_text', 'cycles_by_event', 'efficiency_rows', 'efficiency_text',
           'cycles_text', 'Divergence',
           'divergence', 'divergence_text', 'consoles_text', 'kernel_excerpt',
           'SHADOW_WORKLOADS', 'shadow_rows', 'shadow_text', 'predict_source',
           'measure_snippet']

_REGS = ['a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 's1']

#: instruction templates for "classify this instruction" ({r}, {s}, {t}: registers)
INSTRUCTIONS = [
    'addi {r}, {s}, 16', 'add {r}, {s}, {t}', 'mul {r}, {s}, {t}', 'lui {r}, 0x12345',
    'lw {r}, 8({s})', 'sw {r}, 12({s})', 'beq {r}, {s}, . + 8', 'jalr {r}, 0({s})',
    'amoadd.w {r}, {s}, ({t})', 'lr.w {r}, ({s})', 'fence', 'fence.i', 'ecall', 'ebreak',
    'sret', 'mret', 'wfi', 'sfence.vma', 'sfence.vma {r}, {s}',
    'csrw stvec, {r}', 'csrr {r}, scause', 'csrr {r}, sepc', 'csrw sscratch, {r}',
    'csrrw {r}, sscratch, {s}', 'csrw satp, {r}', 'csrs sie, {r}', 'csrr {r}, sip',
    'csrr {r}, sstatus', 'csrs sstatus, {r}', 'csrc sstatus, {r}', 'csrsi sstatus, 2',
    'csrr {r}, mstatus', 'csrw mepc, {r}', 'csrr {r}, mhartid', 'csrw medeleg, {r}',
    'rdtime {r}', 'rdcycle {r}', 'rdinstret {r}', 'csrw cycle, {r}',
]

#: what a guest kernel executes (for "will it trap under trap-and-emulate?")
KERNEL_INSTRUCTIONS = [
    ('csrw sscratch, {r}', 'saves a pointer for its trap entry'),
    ('csrrw tp, sscratch, tp', 'swaps in its per-process pointer on a trap'),
    ('csrr {r}, scause', 'reads why it was entered'),
    ('csrr {r}, sepc', 'reads where the process was'),
    ('csrw sepc, {r}', 'sets where sret will return'),
    ('sret', 'returns to a user process'),
    ('csrw satp, {r}', 'switches to another process\'s page table'),
    ('sfence.vma', 'flushes stale translations after changing a page table'),
    ('csrw stvec, {r}', 'installs its trap handler'),
    ('csrs sie, {r}', 'enables the timer interrupt'),
    ('wfi', 'waits for an interrupt when nothing is runnable'),
    ('ecall', 'calls the firmware (SBI) to set the timer'),
    ('addi sp, sp, -16', 'makes room on its stack'),
    ('sw ra, 12(sp)', 'saves its return address'),
    ('lw {r}, 0({s})', 'reads a field of a process control block'),
    ('csrs sstatus, {r}', 'sets SUM to read a user buffer'),
    ('csrc sstatus, {r}', 'clears SUM after reading a user buffer'),
    ('csrr {r}, sstatus', 'reads its status (SPP: where did the trap come from?)'),
    ('csrsi sstatus, 2', 'enables interrupts (SIE)'),
    ('csrci sstatus, 2', 'disables interrupts (SIE)'),
]

_VARIANT_TEXT = {
    'rv32': 'the plain RV32 CPU of this course',
    'nonvirt': ('the NON-VIRTUALIZABLE VARIANT (in U-mode, sstatus can be read and written '
                'without a trap: reads see the real sstatus, writes are silently ignored)'),
}


def _fill(template, rng):
    r, s, t = rng.sample(_REGS, 3)
    return template.format(r=r, s=s, t=t)


def _yes_no(given):
    """Accept yes/no words for booleans in a dict answer."""
    if isinstance(given, dict):
        out = {}
        for k, v in given.items():
            if isinstance(v, str) and v.strip().lower() in ('yes', 'y', 'true', 'no', 'n',
                                                              'false'):
                v = v.strip().lower() in ('yes', 'y', 'true')
            out[k] = v
        return out
    return given


class _OneInstruction(Exercise):
    """An exercise about one instruction on one CPU (``p['instruction']``, ``p['variant']``):
    its row of the measured map, and yes/no answers accepted as words too. (No title: not
    registered itself.)"""

    def _row(self, p):
        return popek.classify(p['instruction'], p['variant'])

    def normalize(self, given):
        return _yes_no(super().normalize(given))


class ClassifyInstruction(_OneInstruction):
    """Popek & Goldberg's classification of one instruction, on RV32 or the variant."""

    chapter = 9
    title = 'Classify this instruction'

    def generate(self, rng):
        text = _fill(rng.choice(INSTRUCTIONS), rng)
        variant = 'nonvirt' if 'sstatus' in text and rng.random() < 0.5 else 'rv32'
        return {'instruction': text, 'variant': variant}

    def solve(self, p):
        row = self._row(p)
        return {'privileged': row.privileged, 'sensitive': bool(row.sensitive)}

    def question(self, p):
        counters = ('\n(The kernel lets programs read the counters: mcounteren and scounteren '
                    'are set.)\n' if popek.classify(p['instruction']).csr_class == 'user counter'
                    else '')
        return (f"On {_VARIANT_TEXT[p['variant']]}, consider\n\n"
                f"    {p['instruction']}\n{counters}\n"
                "Is it privileged (an illegal-instruction trap in U-mode, no trap in M-mode)?\n"
                "Is it sensitive (it changes the privilege level, translation, trap or interrupt\n"
                "configuration or the supervisor's state, or its result depends on them)?\n"
                "Answer a dict {'privileged': True/False, 'sensitive': True/False}.")

    def explain(self, p, answer):
        row = self._row(p)
        kinds = ' and '.join(f'{k}-sensitive' for k in row.sensitive) or 'not sensitive'
        return (f"Executed once in U-mode it {_did(row.in_user)}; in M-mode it "
                f"{_did(row.in_machine)}. So it is "
                f"{'privileged' if row.privileged else 'not privileged'}.\n"
                f"What it does: {row.why}. So it is {kinds}.\n"
                f"Verdict under trap-and-emulate: {row.verdict}.")

    def diagnose(self, p, given):
        if not isinstance(given, dict):
            return []
        row, hints = self._row(p), []
        if row.instruction in ('ecall', 'ebreak') and given.get('privileged') is True:
            hints.append(f'{row.instruction} traps in every mode, M-mode included (it is '
                         'not an illegal instruction): privileged means "traps in U-mode '
                         'only".')
        if 'sensitive' in given and given['sensitive'] != bool(row.sensitive):
            if row.category in ('load', 'store', 'amo'):
                hints.append('Memory accesses go through the page table the VMM controls '
                             '(shadow tables): Popek & Goldberg count them innocuous.')
            elif row.csr_class == 'user counter':
                hints.append('Counters measure time, and Popek & Goldberg allow timing to '
                             'differ between a VM and the machine.')
            elif row.sensitive == ('behaviour',):
                hints.append('Reading privileged state is behaviour-sensitive: under a VMM '
                             'the guest must see its virtual copy.')
        if (p['variant'] == 'nonvirt' and row.csr_class == 'sstatus'
                and given.get('privileged') is True):
            hints.append('On the variant, sstatus is open to U-mode: no trap.')
        return hints

    def wrong_answers(self, p, answer):
        return [{'privileged': not answer['privileged'], 'sensitive': answer['sensitive']},
                {'privileged': answer['privileged'], 'sensitive': not answer['sensitive']},
                {'privileged': answer['privileged']}]


class TrapUnderTrapAndEmulate(_OneInstruction):
    """The guest kernel runs deprivileged in U-mode: what happens to one of its instructions?"""

    chapter = 9
    title = 'Will this guest-kernel instruction trap?'

    def generate(self, rng):
        template, purpose = rng.choice(KERNEL_INSTRUCTIONS)
        text = _fill(template, rng)
        variant = rng.choice(['rv32', 'nonvirt'])
        return {'instruction': text, 'purpose': purpose, 'variant': variant}

    def solve(self, p):
        row = self._row(p)
        return {'traps': row.in_user != 'runs',
                'same_as_bare_metal': not (row.sensitive and not row.privileged)}

    def question(self, p):
        return (f"A guest kernel runs under trap-and-emulate on {_VARIANT_TEXT[p['variant']]}:\n"
                "the VMM runs it in U-mode and emulates what traps. The kernel "
                f"{p['purpose']}:\n\n    {p['instruction']}\n\n"
                "Does this instruction trap into the VMM? And does the guest kernel get the\n"
                "same effect as on bare hardware in S-mode (directly, or through the VMM's\n"
                "emulation)? Answer {'traps': True/False, 'same_as_bare_metal': True/False}.")

    def explain(self, p, answer):
        row = self._row(p)
        if answer['traps'] and row.privileged:
            how = ('It is privileged: the VMM gets the illegal-instruction trap, decodes it '
                   'and emulates it against the guest\'s virtual state, then resumes the guest.')
        elif answer['traps']:
            how = (f'It {_did(row.in_user)} in every mode: the VMM receives it and does what '
                   'the guest expects (an ecall from the guest kernel is an SBI call).')
        elif row.sensitive:
            how = ('It is sensitive but does NOT trap: it runs directly in U-mode on the real '
                   'CPU, so the VMM never sees it -- a read gets the real sstatus (not the '
                   'guest\'s virtual one), a write is lost. Trap-and-emulate silently computes '
                   'something else.')
        else:
            how = 'It is innocuous: it runs directly on the hardware, with the same result.'
        return f"In U-mode it {_did(row.in_user)}. {how}\nWhat it does: {row.why}."

    def diagnose(self, p, given):
        if not isinstance(given, dict):
            return []
        row, hints = self._row(p), []
        if row.privileged and given.get('same_as_bare_metal') is False:
            hints.append('A trap is not a failure: the VMM emulates the instruction, and the '
                         'guest cannot tell the difference (except in time).')
        if p['variant'] == 'nonvirt' and row.csr_class == 'sstatus' and given.get('traps'):
            hints.append('On the variant, sstatus is the one sensitive register U-mode may '
                         'touch without a trap.')
        return hints

    def wrong_answers(self, p, answer):
        return [{'traps': not answer['traps'],
                 'same_as_bare_metal': answer['same_as_bare_metal']},
                {'traps': answer['traps'],
                 'same_as_bare_metal': not answer['same_as_bare_metal']}]


class WhichBreakVirtualization(Exercise):
    """Popek & Goldberg's theorem, applied by hand to a few measured rows."""

    chapter = 9
    title = 'Which instructions break trap-and-emulate?'

    def generate(self, rng):
        variant = rng.choice(['rv32', 'nonvirt', 'nonvirt'])
        names = [row.name for row in popek.instruction_map(variant)]
        chosen = rng.sample(names, 6)
        if variant == 'nonvirt' and rng.random() < 0.7:
            chosen[rng.randrange(6)] = rng.choice(
                [n for n in names if n.endswith('sstatus') and n not in chosen])
        return {'variant': variant, 'rows': chosen}

    def _rows(self, p):
        by_name = {row.name: row for row in popek.instruction_map(p['variant'])}
        return [by_name[name] for name in p['rows']]

    def solve(self, p):
        return {row.name for row in self._rows(p) if row.sensitive and not row.privileged}

    def question(self, p):
        rows = self._rows(p)
        width = max(len('instruction'), *(len(r.name) for r in rows))
        lines = [f"Six instructions of {_VARIANT_TEXT[p['variant']]}, each executed once in "
                 "U-mode and in M-mode:", '',
                 f"  {'instruction':<{width}}  {'in U':<7} {'in M':<7} what it does"]
        lines += [f'  {r.name:<{width}}  {r.in_user:<7} {r.in_machine:<7} {r.why}' for r in rows]
        lines += ['', "('trap 2' is an illegal-instruction trap; 'runs' means no trap.)",
                  'Which of them would break trap-and-emulate? Answer a set of names (the first',
                  "column, e.g. {'csrrw S-level'}), or set() if none would."]
        return '\n'.join(lines)

    def explain(self, p, answer):
        lines = ['Trap-and-emulate fails exactly on the sensitive instructions that are not '
                 'privileged (they run unseen by the VMM):']
        for r in self._rows(p):
            kind = '+'.join(r.sensitive) + '-sensitive' if r.sensitive else 'innocuous'
            lines.append(f'  {r.name}: {"privileged" if r.privileged else "not privileged"}, '
                         f'{kind}' + ('  <- breaks it' if r.name in answer else ''))
        return '\n'.join(lines)

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, (list, tuple)):
            given = set(given)
        if isinstance(given, set):
            given = {' '.join(g.split()) if isinstance(g, str) else g for g in given}
        return given

    def diagnose(self, p, given):
        if not isinstance(given, set):
            return []
        rows = {r.name: r for r in self._rows(p)}
        hints = []
        if any(rows.get(g) is not None and rows[g].privileged for g in given):
            hints.append('A privileged instruction traps, and the VMM emulates it: that is '
                         'trap-and-emulate working, not breaking.')
        if any(rows.get(g) is not None and not rows[g].sensitive for g in given):
            hints.append('An innocuous instruction may run directly: nothing to emulate.')
        return hints

    def wrong_answers(self, p, answer):
        rows = self._rows(p)
        privileged = {r.name for r in rows if r.privileged}
        wrong = [answer | {rows[0].name}] if rows[0].name not in answer else [answer -
                                                                              {rows[0].name}]
        if privileged and not privileged <= answer:
            wrong.append(answer | privileged)
        return wrong


def _did(outcome):
    return 'ran without a trap' if outcome == 'runs' else f'took {outcome}'


# =============================================================================================
# What the VMM does, exit by exit: a log built from the hypervisor's trace
# =============================================================================================
#
# The hypervisor's report says *how many* exits of each kind a run took; the chapter wants to
# watch them one by one. ``Hypervisor(trace=callable)`` calls back with a ``VmmEvent`` for
# every exit, virtual interrupt injection and slice (the guest, its instructions retired, the
# exit reason, pc and virtual privilege before and after, a detail). ``_Recorder`` is that
# callable: at each event it also reads the guest's virtual CPU, so it can say what the VMM
# changed. Between two events only the guest ran, directly on the hart, and a guest cannot
# change its *virtual* CSRs or privilege by itself -- so every difference in them between
# two events is the VMM's doing at the second.

_VIRTUAL_CSRS = ('sstatus', 'sie', 'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'satp')
#: VmmEvent kinds that are not exits: the guest gets the hart, a virtual interrupt arrives
NOT_EXITS = ('enter', 'interrupt_injection')
_CAUSES = {'privileged_instruction': ILLEGAL_INSTRUCTION, 'sbi': ECALL_FROM_U}
M32 = 0xFFFFFFFF


@dataclass(frozen=True)
class VmmExit:
    """One event of the VMM's trace (an exit, an injection, a slice start) with what it did.

    ``instret`` counts the guest instructions retired before it (so the instruction at
    ``pc`` is guest instruction number ``instret``); ``retired_after`` the same after it (one
    more when the VMM executed the instruction in the guest's place). ``priv`` and
    ``to_priv`` are the guest's *virtual* privilege ('U' or 'S'); the host hart was in U-mode
    in both cases. ``reason``: the report's exit reason, or ``'enter'`` /
    ``'interrupt_injection'`` (not exits). ``cause``: the host trap's mcause (None for the
    VMM's timer and the non-exits). ``changes``: ``(what, old, new)`` for each virtual CSR,
    the privilege and the register the instruction wrote. ``events``: ``(event, n)`` of the
    cost model counted since the previous event (direct instructions left out: see
    :class:`Bounce`). ``detail``: the hypervisor's words for it, ``output``: what the guest's
    console printed meanwhile.
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


def _csr_read(v, name):
    number = CSR_NUMBERS[name]
    return CSR_TABLE[number][0](v, number) & M32


def _snapshot(v):
    return PRIV_NAMES[v.priv], tuple(_csr_read(v, n) for n in _VIRTUAL_CSRS)


def _word_at(vm, pc, priv):
    """The guest's instruction word at virtual ``pc`` as virtual privilege ``priv`` fetches
    it, through its own page table (None if that fails)."""
    v = vm.vcpu
    try:
        t = translate(vm.mem, v.satp, pc, FETCH, view_of(priv, v.mstatus), v.mxr)
    except GuestFault:
        return None
    return vm.mem.read(t.gpa, 4) if vm.mem.contains(t.gpa, 4) else None


def _cause(kind, detail, scause):
    """The host trap of an event: from its kind, the cause it reflected, or the hypervisor's
    detail (``'<cause name> at 0x...'`` for memory faults); None for the VMM's timer."""
    if kind in _CAUSES:
        return _CAUSES[kind]
    if kind == 'guest_exception':
        return scause                       # the VMM reflected exactly this cause
    head = detail.split(' at ')[0]
    return next((c for c in range(16) if cause_name(c) == head), None)


#: what a virtual trap entry writes (``VirtualHart.enter_trap``)
_TRAP_ENTRY_CSRS = ('sstatus', 'sepc', 'scause', 'stval')


class _Recorder:
    """The ``trace`` callable of one Hypervisor: turns its VmmEvents into :class:`VmmExit`.

    One reordering: when an exit makes a virtual interrupt due (an ``sret`` into a process
    whose timer has expired), the VMM injects it before it reports the exit, so the trace
    has the injection first. The log puts the exit first, ending where the injection began
    (the hypervisor says where: the injection's ``pc`` and ``priv``); of the CSRs a trap entry
    writes, the changes of the pair are shown on the injection.
    """

    def __init__(self, names):
        self.names = names
        self.exits: list[VmmExit] = []
        self.hv = None
        self.state = {}
        self.last = {}
        self.pending = {}
        self.error = None

    def attach(self, hv):
        self.hv = hv
        for vm in hv.vms:
            self.state[vm.index] = self._capture(vm)

    def _capture(self, vm):
        return _snapshot(vm.vcpu), Counter(vm.events), len(vm.console), \
            self.hv.technique.retired(vm)

    def __call__(self, ev):
        if self.error is not None:
            return
        try:
            self.take(ev)
        except Exception as e:      # the VMM would stop the guest: say it after the run
            self.error = e

    def take(self, ev):
        g = ev.guest
        vm = self.hv.vms[g]
        if ev.kind == 'interrupt_injection' and self.last.get(g) not in ('enter', 'timer'):
            self.pending[g] = ev            # inside an exit: the exit is reported next
            return
        before, now = self.state[g], self._capture(vm)
        injection = self.pending.pop(g, None)
        if injection is None:
            self.add(vm, ev, before, now)
        else:
            self.add(vm, ev._replace(to_pc=injection.pc, to_priv=injection.priv), before, now,
                     skip=_TRAP_ENTRY_CSRS, retired_after=injection.retired,
                     events=lambda e: e != 'interrupt_injection')
            self.add(vm, injection, before, now, only=_TRAP_ENTRY_CSRS,
                     start_priv=PRIV_NAMES[injection.priv],
                     events=lambda e: e == 'interrupt_injection')
        self.state[g] = now
        self.last[g] = ev.kind

    def add(self, vm, ev, before, now, skip=(), only=None, retired_after=None,
            start_priv=None, events=None):
        (priv0, csrs0), events0, printed, _ = before
        (priv1, csrs1), events1, _, retired = now
        priv0 = start_priv or priv0
        priv1 = PRIV_NAMES[ev.to_priv] if start_priv is None else priv1
        changes = [('privilege', priv0, priv1)] if priv0 != priv1 else []
        changes += [(n, a, b) for n, a, b in zip(_VIRTUAL_CSRS, csrs0, csrs1)
                    if a != b and n not in skip and (only is None or n in only)]
        word = None
        if ev.kind not in NOT_EXITS and ev.kind != 'timer':
            word = _word_at(vm, ev.pc, ev.priv)
        ins = decode(word) if word is not None else None
        rd = ins.rd if ins is not None and 'rd' in ins.spec.format.fields else 0
        if ev.kind in ('privileged_instruction', 'mmio', 'page_table_write') and rd:
            changes.append((reg_name(rd), None, vm.vcpu.x[rd]))
        scause = dict(zip(_VIRTUAL_CSRS, csrs1))['scause']
        delta = {e: events1[e] - events0[e] for e in EVENTS
                 if e != 'guest_instruction' and events1[e] != events0[e]
                 and (events is None or events(e))}
        name = self.names[ev.guest]
        self.exits.append(VmmExit(
            index=len(self.exits), guest=ev.guest, instret=ev.retired,
            retired_after=retired if retired_after is None else retired_after,
            pc=ev.pc, where=name(ev.pc), priv=PRIV_NAMES[ev.priv],
            cause=_cause(ev.kind, ev.detail, scause),
            instruction=disassemble(word) if word is not None else '',
            reason=ev.kind, detail=ev.detail, events=tuple(delta.items()),
            changes=tuple(changes), to_priv=PRIV_NAMES[ev.to_priv], to_pc=ev.to_pc,
            to_where=name(ev.to_pc), output=vm.console[printed:] if only is None else ''))


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
    lines = [head, '-' * 100]
    for e in exits:
        lines.append(f'{e.instret:>8}  {e.priv:<4} {e.where:<20} {e.instruction or "-":<23} '
                     f'{describe(e, short=True)}')
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
        lines = [f'{self.call} under trap-and-emulate ({self.log.workload} workload, '
                 f'guest instructions {self.exits[0].instret:,} .. '
                 f'{self.exits[-1].retired_after - 1:,})', '',
                 f"{'step':>4} {'mode':<4} {'where':<18} {'instruction':<23} {'cycles':>6}"
                 "  what happens"]
        lines.append('-' * 100)
        for i, s in enumerate(self.steps(), start=1):
            if s.kind == 'direct':
                what = (f'{s.instructions} instruction{"s" if s.instructions != 1 else ""} '
                        f'run directly, to {s.end}')
                lines.append(f'{i:>4} {s.priv:<4} {s.start:<18} {"":<23} '
                             f'{_fmt(s.cycles(costs)):>6}  {what}')
            else:
                e = s.exit
                what = ('TRAP, ' if e.is_exit else '') + describe(e, short=True)
                lines.append(f'{i:>4} {s.priv:<4} {e.where:<18} {e.instruction:<23} '
                             f'{_fmt(s.cycles(costs)):>6}  {what}')
        c = self.counts()
        bare = costs.total({'guest_instruction': self.instructions})
        reasons = ', '.join(f'{n} {r}' for r, n in c['by reason'].items())
        lines += ['', f'{c["exits"]} traps into the VMM ({reasons}).',
                  f'{self.instructions} guest instructions: {c["direct instructions"]} run '
                  f'directly, {c["emulated instructions"]} emulated by the VMM.',
                  f'Cost model: {_fmt(self.cycles(costs))} cycles. The same instructions on '
                  f'the bare machine: {_fmt(bare)} cycles,',
                  'with 2 privilege changes done by the hardware (the ecall trap, the sret).']
        return '\n'.join(lines)


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
           costs: CostModel | None = None) -> VmmLog:
    """Run ``workload`` (or an assembled ``program`` with its ``source`` text) under
    trap-and-emulate on the plain CPU or ``variant='nonvirt'``, logging every VMM visit."""
    if program is None:
        program, source = guest.program(workload), guest.source(workload)
    symbols = _symbols(program, source)
    rec = _Recorder([symbols.name])
    hv = Hypervisor('trap', [program], variant=variant, costs=costs, max_steps=max_steps,
                    workload=workload, trace=rec)
    rec.attach(hv)
    report = hv.run()
    if rec.error is not None:
        raise RuntimeError(f'recording the VMM trace failed: {rec.error!r}') from rec.error
    return VmmLog(rec.exits, report, symbols, workload, variant)


@lru_cache(maxsize=None)
def vmm_log(workload: str = 'syscall', variant: str | None = None) -> VmmLog:
    """:func:`record` for a named workload, cached (the run is deterministic)."""
    return record(workload, variant)


# =============================================================================================
# The three properties of a VMM, measured
# =============================================================================================

#: the workloads the chapter runs (all of them: every one is short)
WORKLOADS = tuple(guest.WORKLOADS)


@lru_cache(maxsize=None)
def bare_run(workload: str):
    """The guest kernel with ``workload`` on the bare machine: (console, exit status,
    instructions)."""
    console, result = guest.run(workload)
    return console, result.exit_status, result.instructions


@lru_cache(maxsize=None)
def emulate_report(workload: str) -> dict:
    """The hypervisor's report for ``workload`` under emulation (technique 1)."""
    return hv_run(workload, 'emulate')


def equivalence_rows(workloads=WORKLOADS) -> list[dict]:
    """Equivalence, measured: each workload's console text and exit status on the bare
    machine, under emulation and under trap-and-emulate."""
    rows = []
    for w in workloads:
        console, status, instructions = bare_run(w)
        em = emulate_report(w)['guests'][0]
        tr = vmm_log(w).report['guests'][0]
        rows.append({'workload': w, 'bare instructions': instructions, 'exit status': status,
                     'console lines': console.count('\n'),
                     'emulate': (em['console'], em['exit_status']) == (console, status),
                     'trap': (tr['console'], tr['exit_status']) == (console, status),
                     'trap exits': vmm_log(w).report['vmm']['traps']})
    return rows


def equivalence_text(rows) -> str:
    lines = [f"{'workload':<10} {'bare: instructions':>18} {'exit':>5} {'lines':>6}   "
             f"{'emulate':<9} {'trap':<9} {'VMM exits (trap)':>16}", '-' * 84]
    for r in rows:
        lines.append(f"{r['workload']:<10} {r['bare instructions']:>18,} {r['exit status']:>5} "
                     f"{r['console lines']:>6}   {_same(r['emulate']):<9} {_same(r['trap']):<9} "
                     f"{r['trap exits']:>16,}")
    same = sum(r['emulate'] and r['trap'] for r in rows)
    lines.append(f'{same} of {len(rows)} workloads print exactly the same text and exit with the '
                 'same status bare, emulated and under trap-and-emulate.')
    return '\n'.join(lines)


def _same(ok):
    return 'same' if ok else 'DIFFERS'


def hv_run(workload: str, technique: str = 'trap', variant: str | None = None,
           **kw) -> dict:
    """One hypervisor run of the guest kernel with ``workload``: its report."""
    return Hypervisor(technique, [guest.program(workload)], variant=variant,
                      workload=workload, **kw).run()


def hv_command(*args) -> str:
    """``python -m vmlib hv ARGS``, run as a learner would: what it prints. (Its exit status
    is the guest's; a usage error -- status 2 -- raises, with the command's message.)"""
    cmd = [sys.executable, '-m', 'vmlib', 'hv', *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode not in (0, 1) or not proc.stdout:
        raise RuntimeError(f'vmlib hv failed (exit {proc.returncode}): '
                           f'{proc.stderr.strip() or proc.stdout[:200]}')
    return proc.stdout


def resource_control(slice_size: int = 5000, max_steps: int = 400_000, every: int = 10,
                     worker: str = 'compute') -> dict:
    """Two guests on one hart under trap-and-emulate: a kernel that disables interrupts and
    spins forever (``miniguest`` 'spin'), and the guest kernel running ``worker``.

    Returns the report, the worker's bare console, and ``progress``: every ``every`` slices,
    the instructions each guest has executed -- the spinner cannot keep the hart, because the
    VMM's own timer (the host's, which no guest can disable) ends every slice."""
    from ..hypervisor import miniguest
    hv = Hypervisor('trap', [miniguest.example('spin'), guest.program(worker)],
                    max_steps=max_steps, slice_size=slice_size,
                    names=['spinner', worker], workload=f'spin + {worker}')
    progress = [(0, 0, 0)]
    while any(vm.alive for vm in hv.vms):
        report = hv.run(max_turns=every)
        progress.append((hv.turns, *(vm.guest_instructions for vm in hv.vms)))
    return {'report': hv.report(), 'progress': progress, 'worker': worker,
            'bare': bare_run(worker)}


def resource_control_text(rc: dict, rows: int = 6) -> str:
    report, progress = rc['report'], rc['progress']
    spin, work = report['guests']
    done = next(t for t, _, w in progress if w == work['guest_instructions'])
    lines = [f"{'slices':>6}  {'spinner (interrupts off)':>24}  {rc['worker'] + ' guest':>16}",
             '-' * 52]
    step = max(1, len(progress) // rows)
    shown = progress[::step] + ([progress[-1]] if (len(progress) - 1) % step else [])
    for turns, s, w in shown:
        lines.append(f'{turns:>6}  {s:>24,}  {w:>16,}')
    same = (work['console'], work['exit_status']) == rc['bare'][:2]
    lines += ['',
              f"{rc['worker']} guest: {work['reason']}, exit status {work['exit_status']}, "
              f"after {done} slices; its console is "
              f"{'identical to' if same else 'DIFFERENT from'} the bare run's.",
              f"spinner: {spin['reason']} -- {spin['message']}",
              f"VMM: {report['vmm']['exits'].get('timer', 0)} timer exits took the hart back."]
    return '\n'.join(lines)


def cycles_by_event(report: dict, costs: CostModel | None = None) -> dict:
    """The cost model's cycles by event for a run's counts (the report's ``events``: the
    instructions the hardware ran directly are ``guest_instruction``), under ``costs``."""
    return (costs or CostModel()).cycles(report['events'])


def efficiency_rows(workloads=WORKLOADS, costs: CostModel | None = None) -> list[dict]:
    """Efficiency, measured: the share of guest instructions the hardware ran without the
    VMM, and the cost model's cycles under trap-and-emulate against the bare machine."""
    costs = costs or CostModel()
    rows = []
    for w in workloads:
        report = vmm_log(w).report
        g = report['guests'][0]
        cycles = cycles_by_event(report, costs)
        total = sum(cycles.values())
        bare = costs.total({'guest_instruction': bare_run(w)[2]})
        rows.append({'workload': w, 'guest instructions': g['guest_instructions'],
                     'direct': g['direct_instructions'], 'efficiency': report['efficiency'],
                     'exits': report['vmm']['traps'], 'cycles': total, 'bare cycles': bare,
                     'slowdown': total / bare if bare else float('inf'),
                     'by event': cycles})
    return rows


def efficiency_text(rows) -> str:
    lines = [f"{'workload':<10} {'guest instr.':>12} {'direct':>8} {'efficiency':>10} "
             f"{'VMM exits':>9} {'cycles (trap)':>14} {'cycles (bare)':>14} {'slowdown':>9}",
             '-' * 93]
    for r in rows:
        lines.append(f"{r['workload']:<10} {r['guest instructions']:>12,} {r['direct']:>8,} "
                     f"{r['efficiency']:>10.1%} {r['exits']:>9,} {_fmt(r['cycles']):>14} "
                     f"{_fmt(r['bare cycles']):>14} {r['slowdown']:>8.1f}x")
    return '\n'.join(lines)


def cycles_text(rows, costs: CostModel | None = None) -> str:
    """Cycles by event for some workloads side by side (rows of :func:`efficiency_rows`),
    each with its share of the total; events no workload used are left out."""
    costs = costs or CostModel()
    defaults = CostModel()
    used = [e for e in EVENTS if any(r['by event'][e] for r in rows)]
    head = f"{'event':<20} {'cost':>6}  " + ''.join(f"{r['workload']:>22}" for r in rows)
    lines = [head, '-' * len(head)]
    for e in used:
        cost = getattr(costs, e)
        mark = '*' if cost != getattr(defaults, e) else ' '
        cells = ''.join(f"{_fmt(r['by event'][e]):>14} {r['by event'][e] / r['cycles']:>6.1%} "
                        for r in rows)
        lines.append(f'{e:<20} {_fmt(cost):>5}{mark}  {cells}')
    lines.append(f"{'total':<20} {'':>6}  " + ''.join(f"{_fmt(r['cycles']):>14} {'':>7}"
                                                      for r in rows))
    if any(getattr(costs, e) != getattr(defaults, e) for e in EVENTS):
        lines.append('* changed from the default')
    return '\n'.join(lines)


# =============================================================================================
# The non-virtualizable variant: where trap-and-emulate silently goes wrong
# =============================================================================================

@dataclass(frozen=True)
class Divergence:
    """The same guest under trap-and-emulate on RV32 and on the variant, exit by exit.

    ``agreed``: the exits both runs took alike (same guest instruction, pc, trap, reason),
    the sensitive instructions the variant let through unseen left out; ``unseen``: those
    instructions (RV32 exits the variant never took) with what the VMM did on RV32;
    ``rv32_next``/``variant_next``: the first exits after the runs part ways.
    """
    workload: str
    bare: tuple
    rv32: VmmLog
    variant: VmmLog
    agreed: int
    unseen: tuple
    rv32_next: tuple
    variant_next: tuple

    @property
    def lost(self) -> tuple:
        """The unseen instructions whose emulation on RV32 changed the guest's state."""
        return tuple(e for e in self.unseen if e.changes)


def _key(e):
    return e.instret, e.pc, e.cause, e.reason


def divergence(workload: str = 'syscall', show: int = 4, show_variant: int = 8) -> Divergence:
    """Walk the RV32 and variant logs of ``workload`` side by side to where they part."""
    a, b = vmm_log(workload).exits, vmm_log(workload, 'nonvirt').exits
    i = j = agreed = 0
    unseen = []
    while i < len(a) and j < len(b):
        if _key(a[i]) == _key(b[j]):
            agreed += a[i].is_exit
            i, j = i + 1, j + 1
        elif _sstatus_access(a[i]):
            unseen.append(a[i])
            i += 1
        else:
            break
    return Divergence(workload, bare_run(workload)[:2], vmm_log(workload),
                      vmm_log(workload, 'nonvirt'), agreed, tuple(unseen),
                      tuple(a[i:i + show]), tuple(b[j:j + show_variant]))


def _sstatus_access(e):
    return e.reason == 'privileged_instruction' and 'sstatus' in e.instruction


def divergence_text(d: Divergence) -> str:
    lines = [f'{d.agreed} VMM exits agree, exit for exit, on RV32 and on the variant. On the way,',
             'the variant let these sstatus instructions of the guest kernel run without a trap',
             '-- the VMM never saw them:', '']
    for e in d.unseen:
        effect = ('on RV32 the VMM changed ' + ', '.join(_change_text(*c) for c in e.changes)
                  if e.changes else 'on RV32 the VMM changed nothing: harmless')
        lines.append(f'  guest #{e.instret:<6} {e.where:<18} {e.instruction:<19} {effect}')
    lines += ['', 'From there the runs part. RV32 (the VMM saw the write: sstatus.SUM = 1):']
    lines += [_trail(e) for e in d.rv32_next]
    lines += ['The variant (sstatus.SUM still 0 in the virtual CPU the VMM keeps):']
    lines += [_trail(e) for e in d.variant_next]
    return '\n'.join(lines)


def _trail(e):
    return (f'  guest #{e.instret:<6} {e.where:<22} {e.instruction or "-":<23} '
            f'{describe(e, short=True)}')


def consoles_text(d: Divergence) -> str:
    """The console of each run, bare / trap on RV32 / trap on the variant, line by line:
    ``=`` printed by all three, ``-`` missing on the variant, ``+`` only on the variant."""
    bare, status = d.bare
    runs = [('bare machine', bare, status), ('trap, RV32', d.rv32.console, d.rv32.exit_status),
            ('trap, variant', d.variant.console, d.variant.exit_status)]
    lines = [f'{name:<14} exit status {s}, {c.count(chr(10))} lines'
             + ('  (identical to the bare machine)' if (c, s) == (bare, status) and i else '')
             for i, (name, c, s) in enumerate(runs)]
    lines.append('')
    ref, var = bare.splitlines(), d.variant.console.splitlines()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ref, b=var, autojunk=False).get_opcodes():
        if tag == 'equal':
            lines += [f'= {x}' for x in ref[i1:i2]]
        else:
            lines += [f'- {x}' for x in ref[i1:i2]] + [f'+ {x}' for x in var[j1:j2]]
    return '\n'.join(lines)


def kernel_excerpt(label: str, before: int = 2, after: int = 12) -> str:
    """Lines of ``vmlib/guest/kernel.s`` around ``label:``, numbered."""
    text = (guest.HERE / 'kernel.s').read_text(encoding='utf-8').splitlines()
    at = next((i for i, line in enumerate(text) if line.startswith(f'{label}:')), None)
    if at is None:
        raise KeyError(f'kernel.s has no label {label}')
    lo, hi = max(0, at - before), min(len(text), at + after + 1)
    return '\n'.join(f'kernel.s:{n + 1:<5} {text[n]}' for n in range(lo, hi))


# =============================================================================================
# Shadow page tables
# =============================================================================================

SHADOW_WORKLOADS = ('compute', 'pgfault', 'ptemod', 'forkwait')


def shadow_rows(workloads=SHADOW_WORKLOADS) -> list[dict]:
    """What keeping shadow page tables cost each workload under trap-and-emulate."""
    rows = []
    for w in workloads:
        log = vmm_log(w)
        r = log.report
        cycles = cycles_by_event(r)
        total = sum(cycles.values())
        shadow = sum(cycles[e] for e in ('shadow_fill', 'shadow_update', 'page_walk_step'))
        exits = r['vmm']['exits']
        rows.append({'workload': w, 'hidden page faults': exits.get('hidden_page_fault', 0),
                     'page-table writes': exits.get('page_table_write', 0),
                     'guest page faults': sum(1 for e in log.exits
                                              if e.reason == 'guest_exception'
                                              and e.cause in (12, 13, 15)),
                     'shadow fills': r['events']['shadow_fill'],
                     'shadow updates': r['events']['shadow_update'],
                     'share of cycles': shadow / total if total else 0.0})
    return rows


def shadow_text(rows) -> str:
    cols = [('hidden page faults', 'hidden faults'), ('shadow fills', 'fills'),
            ('guest page faults', 'guest faults'), ('page-table writes', 'PT writes'),
            ('shadow updates', 'updates'), ('share of cycles', 'share of cycles')]
    head = f"{'workload':<10}" + ''.join(f'{short:>16}' for _, short in cols)
    lines = [head, '-' * len(head)]
    for r in rows:
        lines.append(f"{r['workload']:<10}" + ''.join(
            f'{r[c]:>16.1%}' if c == 'share of cycles' else f'{r[c]:>16,}' for c, _ in cols))
    lines += ['hidden faults: the VMM filled a shadow entry (fills); guest faults: page faults the '
              'guest itself takes,',
              'reflected to its kernel; PT writes: stores to a guest page table, trapped and '
              'emulated (updates).']
    return '\n'.join(lines)


# =============================================================================================
# Exercise: predict the VMM's traps for a few lines of guest-kernel code
# =============================================================================================

#: instructions for the exercise's loop body: (text, kind) -- the kind only orders the pool
TRAP_POOL = [
    ('addi a1, a1, 3', 'alu'), ('add a2, a2, a1', 'alu'), ('slli a4, a1, 2', 'alu'),
    ('lw a3, 0(t1)', 'load'), ('sw a1, 4(t1)', 'store'),
    ('csrw sscratch, a1', 'csr'), ('csrr a2, sscratch', 'csr'), ('csrr a3, sepc', 'csr'),
    ('csrr a4, stvec', 'csr'), ('csrr a5, sie', 'csr'),
    ('csrr a5, sstatus', 'sstatus'), ('csrci sstatus, 2', 'sstatus'),
    ('rdtime a4', 'counter'),
    ('li a7, 2\n    ecall', 'sbi'),
]
#: straight-line instructions before the loop
TRAP_SETUP = ['csrw sscratch, zero', 'csrr a0, scause', 'li a1, 5', 'addi a2, zero, 1',
              'csrci sstatus, 2']


def predict_source(setup, body, rounds):
    """The tiny guest kernel of a :class:`PredictVmmTraps` problem (miniguest text), and for
    each of its items (the setup lines, ``li t0``, the body lines, the loop's two) the
    numbers of its lines in that text (1-based)."""
    items = list(setup) + [f'li t0, {rounds}'] + list(body) + ['addi t0, t0, -1',
                                                                 'bnez t0, loop']
    lines = ['    addi t1, sp, -64             # scratch memory on the stack', 'snippet_begin:']
    numbers = []
    for k, item in enumerate(items):
        if k == len(setup) + 1:
            lines.append('loop:')
        parts = item.split('\n')
        numbers.append(tuple(range(len(lines) + 1, len(lines) + 1 + len(parts))))
        lines += [f'    {x.strip()}' for x in parts]
    lines += ['snippet_end:', '    li a0, 0', '    call mini_exit']
    return '\n'.join(lines) + '\n', items, numbers


@lru_cache(maxsize=256)
def measure_snippet(setup: tuple, body: tuple, rounds: int, variant: str = 'rv32'):
    """Run the snippet as a tiny guest kernel under trap-and-emulate; returns
    ``(traps, per_item)``: the VMM's exits caused by the snippet's own instructions (hidden
    page faults and timer exits left out), and the traps of each item of
    :func:`predict_source` (a list, in its order)."""
    from ..hypervisor import miniguest
    text, items, numbers = predict_source(setup, body, rounds)
    source = miniguest.source(text)
    first = source.count('\n', 0, len(source) - len(text))     # lines before the snippet
    program = miniguest.program(text, filename='predict-traps.s')
    log = record('predict', None if variant == 'rv32' else variant, max_steps=100_000,
                 program=program, source=source)
    if log.exit_status != 0:
        raise RuntimeError(f'the exercise guest did not finish: {log.report["guests"][0]}')
    lo, hi = program.symbols['snippet_begin'], program.symbols['snippet_end']
    counted = [e for e in log.exits if lo <= e.pc < hi and e.reason not in
               ('hidden_page_fault', 'timer', '')]
    by_line = Counter(program.line_map[e.pc] - first for e in counted)
    return len(counted), [sum(by_line[n] for n in ns) for ns in numbers]


class PredictVmmTraps(Exercise):
    """Count the traps into the VMM that a few lines of guest-kernel code cause."""

    chapter = 9
    title = 'Predict the VMM traps'

    def generate(self, rng):
        variant = 'nonvirt' if rng.random() < 0.3 else 'rv32'
        setup = rng.sample(TRAP_SETUP, 2)
        body = [text for text, _ in rng.sample(TRAP_POOL, rng.randint(3, 4))]
        if variant == 'nonvirt' and not any('sstatus' in b for b in body):
            body[rng.randrange(len(body))] = rng.choice(['csrr a5, sstatus', 'csrci sstatus, 2'])
        return {'setup': setup, 'body': body, 'rounds': rng.randint(2, 5), 'variant': variant}

    def _measured(self, p):
        return measure_snippet(tuple(p['setup']), tuple(p['body']), p['rounds'], p['variant'])

    def solve(self, p):
        return self._measured(p)[0]

    def question(self, p):
        code = '\n'.join(f'    {x}' for x in p['setup'])
        code += f"\n    li t0, {p['rounds']}\nloop:\n"
        code += '\n'.join(f'    {x}' for x in p['body'])
        code += '\n    addi t0, t0, -1\n    bnez t0, loop'
        return (f"A guest kernel runs this code in (virtual) S-mode under trap-and-emulate on "
                f"{_VARIANT_TEXT[p['variant']]}:\n\n{code}\n\n"
                "How many times does it trap into the VMM? Count only the traps its own "
                "instructions cause\n(leave out hidden page faults: the VMM filling its "
                "shadow page table on a page's first touch).\nThis VMM lets no guest read "
                "the hardware's counters directly: they trap, so that the guest\nsees its own "
                "virtual clock. Answer a whole number.")

    def explain(self, p, answer):
        _, per_item = self._measured(p)
        _, items, _ = predict_source(p['setup'], p['body'], p['rounds'])
        lines = ['Measured: the snippet ran as a tiny guest kernel under the hypervisor. Per '
                 'line:']
        for item, n in zip(items, per_item):
            shown = '; '.join(part.strip() for part in item.split('\n'))
            lines.append(f'  {shown:<26} {n} trap{"s" if n != 1 else ""}')
        lines.append(f'The loop body runs {p["rounds"]} times: each privileged instruction in '
                     'it traps every time;\nthe rest runs directly on the hardware.')
        return '\n'.join(lines)

    def _body_traps(self, p):
        per_item = self._measured(p)[1]
        return sum(per_item[len(p['setup']) + 1:len(p['setup']) + 1 + len(p['body'])])

    def diagnose(self, p, given):
        if not isinstance(given, int) or isinstance(given, bool):
            return []
        hints = []
        answer, body = self.solution(), self._body_traps(p)
        if body and given == answer - body + body // p['rounds']:
            hints.append(f"The loop body runs {p['rounds']} times: its traps repeat.")
        low, high = given < answer, given > answer
        sstatus = any('sstatus' in x for x in p['setup'] + p['body'])
        if low and any(x.startswith('rdtime') for x in p['body']):
            hints.append('rdtime reads a counter: this VMM makes counter reads trap.')
        if high and p['variant'] == 'nonvirt' and sstatus:
            hints.append('On the variant, sstatus accesses do not trap.')
        if low and p['variant'] == 'rv32' and sstatus:
            hints.append('sstatus is a supervisor CSR: on RV32 every access from U-mode traps.')
        if low and any('ecall' in x for x in p['body']):
            hints.append("The guest kernel's ecall is an SBI call: it traps into the VMM.")
        return hints

    def wrong_answers(self, p, answer):
        body = self._body_traps(p)
        wrong = {answer + 1, max(0, answer - 1), answer + p['rounds']}
        if body:
            wrong.add(answer - body + body // p['rounds'])
        wrong.discard(answer)
        return sorted(wrong)
