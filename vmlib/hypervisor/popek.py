"""Popek & Goldberg's theorem, checked on this machine: which instructions trap, which matter.

Popek and Goldberg (CACM 1974) split a machine's instructions three ways:

- **privileged**: traps when executed in user mode, and does not trap in the most privileged
  mode (here: an illegal-instruction trap, cause 2, in U-mode; no trap in M-mode);
- **sensitive**: *control-sensitive* if it changes the machine's configuration (the privilege
  level, address translation, the trap and interrupt setup, the supervisor's state), or
  *behaviour-sensitive* if what it does depends on that configuration (it reads it);
- **innocuous**: not sensitive.

Their theorem: a machine can be virtualized by trap-and-emulate -- the guest kernel runs
deprivileged, every sensitive instruction it executes traps into the VMM, which emulates it on
virtual state -- if the sensitive instructions are a subset of the privileged ones. Then every
sensitive instruction reaches the VMM; the innocuous rest runs directly on the hardware.

This module builds the instruction map from the decode table (``vmlib.isa.table``: every row,
once; the CSR instructions once per CSR class, because privilege is in the CSR number, and
``sstatus`` alone, because the variant differs there). *Sensitive* comes from rules over each
row's ``category`` (what the instruction does, written below with the reason). *Privileged* is
not written down anywhere: it is measured, by assembling a tiny program per instruction and
executing it on a real :class:`~vmlib.machine.Machine` in U-mode and in M-mode, for the plain
CPU (``'rv32'``) and for the non-virtualizable variant (``'nonvirt'``, ``Machine(nonvirt=True)``)
in which ``sstatus`` can be read and (silently not) written from U-mode, as x86's
``PUSHF``/``POPF``. Robin & Irvine's list of x86's sensitive unprivileged instructions is here as
data (:data:`ROBIN_IRVINE`) to show beside it.

    >>> theorem_holds('rv32'), theorem_holds('nonvirt')
    (True, False)
    >>> sorted({row.instruction for row in offenders('nonvirt')})
    ['csrr', 'csrrc', 'csrrci', 'csrrs', 'csrrsi', 'csrrw', 'csrrwi']

Two judgement calls, stated where they are made: the user counters (``cycle``, ``time``,
``instret``) count as innocuous, because Popek & Goldberg's equivalence explicitly allows
timing to differ (and a kernel may let programs read them); ``ecall`` and ``ebreak`` are
innocuous in the theorem's sense because they trap in *every* mode -- the VMM receives each
one, as System/370's SVC.
"""
from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass, asdict

from ..isa import SPECS, decode, disassemble
from ..isa.csrs import (CSR_NAMES, CSR_NUMBERS, csr_name, min_privilege,
                        is_read_only)
from ..machine.machine import Machine
from ..machine.traps import ILLEGAL_INSTRUCTION, U, M, VS, cause_name

__all__ = ['VARIANTS', 'CSR_CLASSES', 'csr_class', 'csrs_in', 'Row', 'instruction_map',
           'rows', 'classify',
           'theorem_holds', 'offenders', 'counts', 'table', 'differences', 'theorem_text',
           'ROBIN_IRVINE', 'robin_irvine_table', 'probe', 'GuestRow', 'guest_view',
           'guest_view_text']

#: the CPUs compared: the plain RV32 machine and the non-virtualizable variant
VARIANTS = ('rv32', 'nonvirt')

CONTROL, BEHAVIOUR = 'control', 'behaviour'

# --- the CSR classes -------------------------------------------------------------------------

#: class -> (the CSR its rows are measured on, what the class is)
CSR_CLASSES = {
    'user counter': ('cycle', 'cycle, time, instret (and the high halves): readable in U-mode '
                              'when the kernel allows it (counteren), never writable'),
    'sstatus': ('sstatus', "the supervisor's status: interrupt enable, previous privilege, "
                           'SUM, MXR -- the register the variant leaves unprotected'),
    'S-level': ('stvec', 'the other supervisor CSRs: trap vector, cause, epc, scratch, '
                         'interrupt enables and pending bits, satp'),
    'H-level': ('hstatus', "the hypervisor extension's CSRs: HS-mode's h* registers and the "
                           "guest's VS copies of the supervisor CSRs"),
    'M-level': ('mie', "machine mode's CSRs (status, delegation, vectors, ids, counters, PMP)"),
}

SSTATUS = CSR_NUMBERS['sstatus']


def csr_class(number):
    """The class of a CSR number: 'user counter', 'sstatus', 'S-level', 'H-level' or
    'M-level'."""
    if 0xC00 <= number <= 0xC1F or 0xC80 <= number <= 0xC9F:
        return 'user counter'
    if number == SSTATUS:
        return 'sstatus'
    level = min_privilege(number)
    if level == 1:
        return 'S-level'
    if level == 2:
        return 'H-level'
    if level == 3:
        return 'M-level'
    raise ValueError(f'CSR {number:#05x} is in no class this machine has')


def csrs_in(cls):
    """The names of this machine's CSRs in class ``cls``."""
    return [name for name, n in CSR_NUMBERS.items() if csr_class(n) == cls]


# --- what each kind of instruction does (the sensitivity rules) ------------------------------

_INNOCUOUS = {
    'alu': 'computes on registers only',
    'muldiv': 'computes on registers only',
    'branch': 'changes pc only',
    'jump': 'changes pc (and a link register) only',
    'load': 'reads memory through the page table the VMM controls (a shadow table)',
    'store': 'writes memory through the page table the VMM controls (a shadow table)',
    'amo': 'reads and writes memory through the page table the VMM controls',
    'fence': 'orders memory: nothing about the machine configuration',
}
_TRAPS_ALWAYS = ('traps in every mode (in U-mode: {cause}), so the VMM receives every one '
                 "and can reflect it -- innocuous in the theorem's sense, like System/370's SVC")
_PRIVILEGED_OPS = {
    'sret': ((CONTROL,), 'returns from a supervisor trap: changes the privilege level and '
                         'the interrupt enable'),
    'mret': ((CONTROL,), 'returns from a machine trap: changes the privilege level and '
                         'the interrupt enable'),
    'wfi': ((CONTROL,), 'stops the real processor until an interrupt: a resource the VMM '
                        'must keep for its other guests'),
    'sfence.vma': ((CONTROL,), 'flushes address translation (the TLB)'),
}
_HYPERVISOR_OPS = {
    'hfence': ((CONTROL,), "flushes the guest's address translation (both stages)"),
    'hlv': ((BEHAVIOUR,), "loads as the guest would: the result depends on the guest's page "
                          'tables and the G-stage the hypervisor set'),
    'hsv': ((CONTROL, BEHAVIOUR), 'stores as the guest would, through both stages of '
                                  'translation'),
}
_CSR_EFFECT = {
    'sstatus': 'the supervisor state: interrupt enable, previous privilege, SUM',
    'S-level': 'the supervisor state: trap vector, epc, cause, interrupts, translation',
    'H-level': "the hypervisor's configuration and the guest's supervisor state",
    'M-level': "machine mode's configuration",
}


def _sensitivity(spec, csr=None, reads=True, writes=True):
    """(kinds, why): the sensitivity of one row, from the table's category (and the CSR)."""
    if spec.category in _INNOCUOUS:
        return (), _INNOCUOUS[spec.category]
    if spec.category == 'system':                      # ecall, ebreak
        return (), None
    if spec.category == 'privileged':
        if spec.name not in _PRIVILEGED_OPS:
            raise KeyError(f'no Popek & Goldberg rule for the privileged instruction '
                           f'{spec.name!r}: add one to _PRIVILEGED_OPS')
        return _PRIVILEGED_OPS[spec.name]
    if spec.category == 'hypervisor':
        return _HYPERVISOR_OPS[spec.semantics]
    if spec.category == 'csr':
        if writes and is_read_only(csr):
            return (), ('writes a read-only CSR: illegal in every mode, so the VMM receives '
                        'it and reflects the illegal instruction -- it changes nothing')
        cls = csr_class(csr)
        if cls == 'user counter':
            return (), ('reads a counter: its value is timing, which Popek & Goldberg allow '
                        'to differ between a VM and the real machine')
        kinds = ((CONTROL,) if writes else ()) + ((BEHAVIOUR,) if reads else ())
        verbs = ' and '.join((['changes'] if writes else []) + (['reads'] if reads else []))
        return kinds, f'{verbs} {_CSR_EFFECT[cls]}'
    raise KeyError(f'no Popek & Goldberg rule for category {spec.category!r} '
                   f'({spec.name}): add one to popek.py')


# --- the probes: one tiny program per instruction ----------------------------------------------

# Operands every probe uses: a2 = destination, a0 = a data word, a1 = 0 (the value written),
# a3 = the address after the probe (jalr's target). Branch and jump offsets go to the next
# instruction. CSR writes write 0 (or the immediate 1), harmless in M-mode to every CSR class.
RD, ADDR, VALUE, NEXT = 12, 10, 11, 13
_HARNESS = """\
# Popek & Goldberg probe: {title}
_start:
    la a0, data
    li a1, 0
    la a3, probe + 4
    li t0, 7
    csrw mcounteren, t0             # counters readable below M (a kernel's usual choice)
    csrw scounteren, t0
    li t0, 1 << 8
    csrs mstatus, t0                # SPP = S
    csrw sepc, a3                   # sret returns after the probe
    csrw mepc, a3                   # mret returns after the probe
{setup}
probe:
    .word {word:#010x}              # {text}
    ecall                           # reached only if the probe did not trap
    .align 2
data:
    .word 0
"""
_SETUP = {
    U: """\
    li t0, 3 << 11
    csrc mstatus, t0                # MPP = U
    la t0, probe
    csrw mepc, t0
    mret                            # enter U-mode at the probe
""",
    M: """\
    li t0, 3 << 11
    csrs mstatus, t0                # MPP = M: an mret probe returns to M
    li t0, 1 << 7
    csrw mie, t0                    # MTIE, so a wfi probe wakes (MIE stays 0: not taken)
    li t0, 0x2004000
    sw zero, 0(t0)                  # mtimecmp = 0: the timer is already due
    sw zero, 4(t0)
""",
    VS: """\
    li t0, 7
    csrw hcounteren, t0             # counters readable in the guest too (as in U-mode)
    li t0, 3 << 11
    csrc mstatus, t0
    li t0, 1 << 11
    csrs mstatus, t0                # MPP = S
    li t0, 1 << 7
    csrs mstatush, t0               # MPV = 1: mret enters VS-mode, the guest kernel's mode
    csrw vsepc, a3                  # the guest's own sret returns after the probe
    li t0, 1 << 8
    csrs vsstatus, t0               # (its SPP = S)
    li t0, 1 << 7
    csrw mie, t0                    # MTIE: a wfi probe wakes when the timer is due...
    li t0, 0x2004000
    li t1, 64
    sw t1, 0(t0)                    # ...at tick 64, long after every other probe trapped
    sw zero, 4(t0)
    la t0, probe
    csrw mepc, t0
    mret                            # enter VS-mode at the probe
""",
}


def _word(spec, csr=None, reads=True, writes=True):
    """The instruction word of a probe, from the decode table's encoder."""
    fmt = spec.format.name
    fields = {'rd': RD, 'rs1': ADDR, 'rs2': VALUE, 'imm': 0}
    if fmt in ('B', 'J'):
        fields['imm'] = 4
    elif fmt == 'U':
        fields['imm'] = 0x1000
    elif spec.name == 'jalr':
        fields['rs1'] = NEXT
    elif fmt in ('CSR', 'CSRI'):
        source = (VALUE if fmt == 'CSR' else 1) if writes else 0
        fields = {'rd': RD if reads else 0, 'rs1': source, 'csr': csr}
    return spec.encode(**{k: v for k, v in fields.items() if k in spec.format.fields})


@dataclass(frozen=True)
class Outcome:
    """What executing one probe did: the trap it took at the probe (None: it ran through)."""
    cause: int | None

    @property
    def trapped(self):
        return self.cause is not None

    @property
    def illegal(self):
        return self.cause == ILLEGAL_INSTRUCTION

    def __str__(self):
        return 'runs' if self.cause is None else f'trap {self.cause}'


def probe(word, mode, variant='rv32', engine='interp', title='probe'):
    """Execute the instruction ``word`` once in ``mode`` (``U``, ``M``, or ``VS``: a guest's
    kernel mode under the H extension) on a fresh machine.

    Returns an :class:`Outcome`: the cause of the trap it took, or None when it completed.
    The program is assembled with vmlib's assembler; a trap hook stops it at the first trap.
    """
    variant = _variant(variant)
    source = _HARNESS.format(title=title, setup=_SETUP[mode], word=word,
                             text=disassemble(word))
    m = Machine.from_source(source, filename=f'<popek probe: {title}>', ram_size=1 << 16,
                            engine=engine, nonvirt=variant == 'nonvirt')
    hart, where = m.hart, m.symbols['probe']
    seen = []

    def hook(cause, tval):                  # the first trap ends the run: at the probe, or
        seen.append((cause, hart.pc))       # at the ecall after it when the probe ran through
        hart.halt('probe', None, 'first trap')
        return True
    hart.trap_hook = hook
    result = m.run(1000)
    if result.reason != 'probe' or not seen:
        raise RuntimeError(f'the probe for {title} did not finish as designed: {result}')
    cause, pc = seen[0]
    return Outcome(cause if pc == where else None)


# --- the map --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One line of the instruction map."""
    instruction: str            # the table's name ('csrr' for csrrs rd, csr, x0)
    operand: str                # CSR rows: the CSR class (or, from classify, the CSR), else ''
    category: str               # the decode table's category
    csr_class: str              # CSR rows: 'user counter', 'sstatus', 'S-level', 'M-level'
    example: str                # the probe that was executed, disassembled
    in_user: str                # 'runs' or 'trap N' (mcause N), executed in U-mode
    in_machine: str             # 'runs' or 'trap N', executed in M-mode
    privileged: bool            # measured: illegal instruction in U, no trap in M
    sensitive: tuple            # () or some of ('control', 'behaviour')
    why: str                    # what the instruction does that makes it (in)sensitive

    @property
    def innocuous(self):
        return not self.sensitive

    @property
    def name(self):
        return f'{self.instruction} {self.operand}'.strip()

    @property
    def verdict(self):
        if self.sensitive and self.privileged:
            return 'traps: the VMM emulates it'
        if self.sensitive:
            return 'SENSITIVE BUT RUNS: trap-and-emulate never sees it'
        if self.privileged:
            return 'traps (harmless)'
        if self.in_user == self.in_machine == f'trap {ILLEGAL_INSTRUCTION}':
            return 'illegal in every mode'
        if self.in_user != 'runs':
            return 'traps in every mode: the VMM sees it'
        return 'runs directly'

    def as_dict(self):
        d = asdict(self)
        d.update(name=self.name, innocuous=self.innocuous, verdict=self.verdict,
                 sensitive=list(self.sensitive))
        return d


def _variant(variant):
    if variant in (None, False, 'rv32'):
        return 'rv32'
    if variant in (True, 'nonvirt'):
        return 'nonvirt'
    raise ValueError(f'unknown variant {variant!r}: {" or ".join(VARIANTS)}')


def _cases():
    """(instruction, operand, spec, csr, reads, writes) for every row of the map."""
    for spec in SPECS:
        if spec.category != 'csr':
            yield spec.name, '', spec, None, True, True
            continue
        for cls, (csr, _) in CSR_CLASSES.items():
            yield spec.name, cls, spec, CSR_NUMBERS[csr], True, True
    csrrs = next(s for s in SPECS if s.name == 'csrrs')
    for cls, (csr, _) in CSR_CLASSES.items():
        yield 'csrr', cls, csrrs, CSR_NUMBERS[csr], True, False     # csrrs rd, csr, x0


def _row(instruction, operand, spec, csr, reads, writes, variant, engine):
    """Build one row: probe the instruction in U and M, apply the sensitivity rule."""
    word = _word(spec, csr, reads, writes)
    title = f'{instruction} {operand}'.strip()
    in_u = probe(word, U, variant, engine, title)
    in_m = probe(word, M, variant, engine, title)
    kinds, why = _sensitivity(spec, csr, reads, writes)
    if why is None:                                         # ecall, ebreak
        why = _TRAPS_ALWAYS.format(cause=f'mcause {in_u.cause}, {cause_name(in_u.cause)}'
                                   if in_u.trapped else 'no trap')
    return Row(instruction, operand, spec.category, csr_class(csr) if csr is not None else '',
               disassemble(word), str(in_u), str(in_m), in_u.illegal and not in_m.trapped,
               kinds, why)


@functools.lru_cache(maxsize=None)
def _instruction_map(variant, engine):
    return tuple(_row(*case, variant, engine) for case in _cases())


@functools.lru_cache(maxsize=512)
def _classify(spec_name, csr, reads, writes, variant, engine):
    spec = next(s for s in SPECS if s.name == spec_name)
    instruction = 'csrr' if spec_name == 'csrrs' and not writes else spec_name
    operand = csr_name(csr) if csr is not None else ''
    return _row(instruction, operand, spec, csr, reads, writes, variant, engine)


def classify(text, variant='rv32', engine='interp'):
    """The row for one instruction in assembly, ``classify('csrw sscratch, a0')``, or a word.

    What matters is kept from ``text`` -- the instruction, the CSR, whether a CSR instruction
    reads (``csrrw`` with rd = x0 does not) and writes (``csrrs``/``csrrc`` with rs1 = x0 do
    not) -- and the probe runs with the harness's own registers, so any operands will do.
    """
    if isinstance(text, int):
        ins = decode(text & 0xFFFFFFFF)
    else:
        from ..asm import assemble, AsmError
        try:
            program = assemble(text, filename='<classify>')
        except AsmError as e:
            raise ValueError(f'cannot assemble {text!r}: {e}') from None
        code = b''.join(section.data for section in program.sections)
        if len(code) != 4:
            raise ValueError(f'{text!r} is {len(code) // 4} instructions; give one')
        ins = decode(int.from_bytes(code, 'little'))
    if ins is None:
        raise ValueError(f'{text!r} is not an instruction of this machine')
    csr, reads, writes = None, True, True
    if ins.spec.category == 'csr':
        csr = ins.csr
        if csr not in CSR_NAMES:
            raise ValueError(f'this machine has no CSR {csr:#05x}')
        reads = not ins.name.startswith('csrrw') or ins.rd != 0
        writes = ins.name.startswith('csrrw') or ins.rs1 != 0
    return _classify(ins.name, csr, reads, writes, _variant(variant), engine)


def instruction_map(variant='rv32', engine='interp'):
    """Every row of the map for ``variant`` ('rv32' or 'nonvirt'), measured on ``engine``."""
    return list(_instruction_map(_variant(variant), engine))


def rows(variant='rv32'):
    """The map as plain data for a notebook: a list of dicts (one per :class:`Row`)."""
    return [row.as_dict() for row in instruction_map(variant)]


def offenders(variant='rv32'):
    """The sensitive instructions that are not privileged: what breaks trap-and-emulate."""
    return [row for row in instruction_map(variant) if row.sensitive and not row.privileged]


def theorem_holds(variant='rv32'):
    """Popek & Goldberg: is every sensitive instruction privileged on this CPU?"""
    return not offenders(variant)


def counts(variant='rv32'):
    """How many rows are privileged, sensitive, innocuous, sensitive-but-unprivileged."""
    m = instruction_map(variant)
    return {'rows': len(m),
            'privileged': sum(r.privileged for r in m),
            'sensitive': sum(bool(r.sensitive) for r in m),
            'control-sensitive': sum(CONTROL in r.sensitive for r in m),
            'behaviour-sensitive': sum(BEHAVIOUR in r.sensitive for r in m),
            'innocuous': sum(r.innocuous for r in m),
            'sensitive, not privileged': len(offenders(variant))}


def table(variant='rv32', categories=None):
    """The map as text, one row a line (optionally only some decode-table categories)."""
    m = [r for r in instruction_map(variant) if categories is None or r.category in categories]
    head = ('instruction', 'in U', 'in M', 'privileged', 'sensitive', 'verdict')
    lines = [(r.name, r.in_user, r.in_machine, 'yes' if r.privileged else '-',
              '+'.join(r.sensitive) or '-', r.verdict) for r in m]
    widths = [max(len(x[i]) for x in [head] + lines) for i in range(len(head) - 1)]
    out = [_title(variant),
           'in U / in M: what one execution did in that mode (trap N = mcause N: 2 illegal '
           'instruction, 3 breakpoint, 8/11 ecall from U/M)', '']
    for line in [head] + lines:
        out.append('  '.join(f'{x:<{w}}' for x, w in zip(line, widths)) + '  ' + line[-1])
        if line is head:
            out.append('-' * (sum(widths) + 2 * len(widths) + 28))
    return '\n'.join(out)


def differences():
    """The rows whose measured behaviour differs between RV32 and the variant: (rv32, nonvirt)."""
    return [(a, b) for a, b in zip(instruction_map('rv32'), instruction_map('nonvirt'))
            if (a.in_user, a.in_machine, a.privileged) != (b.in_user, b.in_machine,
                                                            b.privileged)]


def theorem_text(variant='rv32'):
    """The theorem checked on ``variant``, in words, with the offending instructions."""
    c = counts(variant)
    lines = [f'{_title(variant)}: {c["rows"]} instructions, {c["privileged"]} privileged, '
             f'{c["sensitive"]} sensitive ({c["control-sensitive"]} control-, '
             f'{c["behaviour-sensitive"]} behaviour-sensitive), {c["innocuous"]} innocuous.']
    bad = offenders(variant)
    if not bad:
        lines.append('Every sensitive instruction is privileged: the theorem holds, '
                     'trap-and-emulate can virtualize this CPU.')
    else:
        lines.append(f'{len(bad)} sensitive instructions are NOT privileged: the theorem does '
                     'not hold, trap-and-emulate cannot virtualize this CPU. They run in U-mode '
                     'without trapping:')
        width = max(len(r.name) for r in bad)
        lines += [f'  {r.name:<{width}}  {"+".join(r.sensitive)}-sensitive: {r.why}'
                  for r in bad]
    return _fit('\n'.join(lines), width=96, hang=4)


def _fit(text, width, hang):
    """Lines longer than ``width`` wrapped, continued ``hang`` columns past their indentation
    (the course prints within 96 columns: ``vmlib.course.text``, a layer above this one)."""
    out = []
    for line in text.split('\n'):
        indent = ' ' * (len(line) - len(line.lstrip()) + hang)
        out += textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                             break_on_hyphens=False) if len(line) > width else [line]
    return '\n'.join(out)


def _title(variant):
    return {'rv32': 'RV32 (this machine)',
            'nonvirt': 'the non-virtualizable variant (sstatus open to U-mode)'}[_variant(variant)]


# --- the H extension's view: the guest kernel in VS-mode ------------------------------------

#: what an outcome in VS-mode means for the hypervisor
GUEST_OUTCOMES = {
    'runs': 'runs in the guest, on its own VS state: no exit',
    'trap 22': 'virtual instruction: exits to the hypervisor',
    'trap 2': "illegal instruction: goes straight to the guest's handler (KVM delegates it)",
    'trap 10': 'ecall from VS-mode: an SBI call, exits to the hypervisor',
    'trap 3': "breakpoint: goes straight to the guest's handler (KVM delegates it: hedeleg)",
}


@dataclass(frozen=True)
class GuestRow:
    """One sensitive row of the map (and ecall/ebreak), executed in VS-mode."""
    name: str
    sensitive: tuple
    in_user: str                # under trap-and-emulate the guest kernel runs in U-mode
    in_guest: str               # under the H extension it runs in VS-mode
    meaning: str

    @property
    def exits(self):
        return self.in_guest not in ('runs', 'trap 2', 'trap 3')


@functools.lru_cache(maxsize=None)
def _guest_view(engine):
    out = []
    for case, row in zip(_cases(), instruction_map('rv32', engine)):
        if not row.sensitive and row.category != 'system':
            continue
        instruction, operand, spec, csr, reads, writes = case
        in_vs = str(probe(_word(spec, csr, reads, writes), VS, 'rv32', engine,
                          f'{row.name} in VS'))
        out.append(GuestRow(row.name, row.sensitive, row.in_user, in_vs,
                            GUEST_OUTCOMES.get(in_vs, in_vs)))
    return tuple(out)


def guest_view(engine='interp'):
    """The H extension's answer to Popek & Goldberg: every sensitive row of the map (and
    ecall/ebreak), executed in VS-mode, where a guest kernel runs under hardware assistance.
    Under trap-and-emulate each of them trapped (the guest kernel ran in U-mode); in VS-mode
    the supervisor's own instructions and CSRs run on the guest's VS copies without an exit,
    and only what belongs to the hypervisor (its CSRs and instructions: virtual instruction)
    or to the SBI (ecall) leaves the guest."""
    return list(_guest_view(engine))


def guest_view_text(engine='interp'):
    """``guest_view`` as text: each row in U-mode (trap-and-emulate) and in VS-mode."""
    rows = guest_view(engine)
    width = max(len(r.name) for r in rows)
    exits = sum(r.exits for r in rows)
    sensitive = sum(bool(r.sensitive) for r in rows)
    head = _fit('The guest kernel in VS-mode (H extension) against U-mode (trap-and-emulate): '
                f'{sensitive} sensitive instructions, and ecall and ebreak. In U-mode every one '
                f'traps to the VMM; in VS-mode {len(rows) - exits} stay in the guest and '
                f'{exits} exit.', width=96, hang=0)
    lines = [f'{"instruction":<{width}}  {"in U":<7}  {"in VS":<7}  what it means']
    lines += [f'{r.name:<{width}}  {r.in_user:<7}  {r.in_guest:<7}  {r.meaning}' for r in rows]
    return head + '\n\n' + _fit('\n'.join(lines), width=96, hang=width + 20)


# --- x86, for comparison ---------------------------------------------------------------------

#: Robin & Irvine, "Analysis of the Intel Pentium's Ability to Support a Secure Virtual Machine
#: Monitor", USENIX Security 2000: the x86 instructions that are sensitive but do not trap in
#: user mode, as (mnemonic, group, why sensitive). The paper counts seventeen; the list usually
#: quoted from it (for instance in Wikipedia's "x86 virtualization") names the eighteen
#: mnemonics below in its two groups, so all are listed rather than guessing which two were
#: counted as one. The "why" texts are ours.
ROBIN_IRVINE = [
    ('SGDT', 'sensitive register', 'stores the global descriptor table register at any '
                                   "privilege: the guest sees where the VMM's real table is"),
    ('SIDT', 'sensitive register', 'stores the interrupt descriptor table register at any '
                                   'privilege (the "Red Pill" test for a VMM uses it)'),
    ('SLDT', 'sensitive register', 'stores the local descriptor table register at any '
                                   'privilege'),
    ('SMSW', 'sensitive register', 'stores the machine status word (low bits of CR0) at any '
                                   'privilege'),
    ('PUSHF', 'sensitive register', 'pushes EFLAGS, interrupt flag and IOPL included: a '
                                    'deprivileged kernel sees the real, not its virtual, IF'),
    ('POPF', 'sensitive register', 'pops EFLAGS; in user mode changes to IF (and IOPL) are '
                                   "silently ignored: a kernel's interrupt disable is lost"),
    ('LAR', 'protection system', 'loads a descriptor\'s access rights; the checks use the '
                                 'current privilege level (CPL)'),
    ('LSL', 'protection system', 'loads a segment limit; the checks use the CPL'),
    ('VERR', 'protection system', 'verifies a segment is readable at the CPL'),
    ('VERW', 'protection system', 'verifies a segment is writable at the CPL'),
    ('POP', 'protection system', 'popping a segment register checks the descriptor against '
                                 'the CPL'),
    ('PUSH', 'protection system', 'pushing CS or SS reveals the CPL in the selector\'s low '
                                  'bits: a guest kernel learns it runs in ring 3'),
    ('CALL', 'protection system', 'a far call through a gate checks and may change privilege '
                                  'by the CPL'),
    ('JMP', 'protection system', 'a far jump checks the target descriptor against the CPL'),
    ('INT n', 'protection system', 'the software interrupt checks the gate\'s privilege '
                                   'against the CPL'),
    ('RET', 'protection system', 'a far return compares privilege levels and may pop SS:ESP'),
    ('STR', 'protection system', 'stores the task register selector at any privilege'),
    ('MOV', 'protection system', 'moving to or from segment registers: CS/SS reveal the CPL, '
                                 'loads are checked against it'),
]


def robin_irvine_table():
    """Robin & Irvine's x86 list as text, to show beside this machine's map."""
    width = max(len(m) for m, _, _ in ROBIN_IRVINE)
    lines = ['x86 (Pentium): sensitive instructions that do not trap in user mode',
             '(Robin & Irvine, USENIX Security 2000)', '']
    group = None
    for mnemonic, g, why in ROBIN_IRVINE:
        if g != group:
            lines.append(f'{g} instructions:')
            group = g
        lines.append(f'  {mnemonic:<{width}}  {why}')
    return _fit('\n'.join(lines), width=96, hang=width + 2)
