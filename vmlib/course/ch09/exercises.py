"""Chapter 09's exercises. Their answers come from :mod:`vmlib.hypervisor.popek`, which
*executes* each instruction in U-mode and in M-mode on the machine (the plain RV32 CPU or the
variant), or from a run under the hypervisor, so an exercise cannot teach a rule the machine
does not follow:

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

from collections import Counter
from functools import lru_cache

from ...hypervisor import popek
from ..exercises import Exercise
from ..text import fit
from .log import record

__all__ = ['ClassifyInstruction', 'TrapUnderTrapAndEmulate', 'WhichBreakVirtualization',
           'PredictVmmTraps', 'ShadowEntry', 'SHADOW_EVENTS', 'INSTRUCTIONS', 'KERNEL_INSTRUCTIONS', 'TRAP_POOL', 'TRAP_SETUP',
           'predict_source', 'measure_snippet']

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
    from ...hypervisor import miniguest
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


#: (an event, whether it writes the guest PTE the shadow entry was made from)
SHADOW_EVENTS = [
    ('the guest kernel rewrites that PTE to map the page to another guest-physical frame', True),
    ('the guest kernel clears that PTE (munmap of the page)', True),
    ("the guest kernel clears the PTE's W bit (mprotect to read-only)", True),
    ('the process loads a word from the page again', False),
    ('the process stores to another of its own pages', False),
    ('the guest kernel writes the PTE of a different page, in another page-table page', False),
    ('another guest rewrites its own page tables', False),
    ('the guest kernel copies data into a buffer page of its own (not a page table)', False),
]


class ShadowEntry(Exercise):
    """What a shadow page-table entry holds, and when the VMM must change it."""

    chapter = 9
    title = "A shadow page-table entry"

    def generate(self, rng):
        guests = rng.choice([1, 2, 3])
        perms = rng.choice(['R', 'RW', 'RX'])
        possible = [i for i, (text, _) in enumerate(SHADOW_EVENTS)
                    if 'W bit' not in text or 'W' in perms]   # clearing W must change the PTE
        events = rng.sample([i for i in possible if SHADOW_EVENTS[i][1]], 1) + \
            rng.sample([i for i in possible if not SHADOW_EVENTS[i][1]], 2)
        events.append(rng.choice([i for i in possible if i not in events]))
        rng.shuffle(events)
        return {"guests": guests, "guest": rng.randrange(guests),
                "va": 0x0040_0000 + rng.randrange(64) * 0x1000,
                "offset": rng.randrange(0, 0x1000, 4),
                "gpa": 0x8010_0000 + rng.randrange(0x300) * 0x1000,
                "perms": perms, "events": events}

    @staticmethod
    def _host_base(p) -> int:
        """Host RAM index of the guest's slice, by the hypervisor's own division of RAM."""
        from ...hypervisor.memory import GUEST_RAM_SIZE, vmm_area_size
        return vmm_area_size(p["guests"]) + p["guest"] * GUEST_RAM_SIZE

    def solve(self, p):
        from ...hypervisor.memory import GuestMemory
        memory = GuestMemory(None, self._host_base(p))
        return {"host_pa": memory.host_pa(p["gpa"] + p["offset"]),
                "must_change": [SHADOW_EVENTS[i][1] for i in p["events"]]}

    def question(self, p):
        from ...hypervisor.memory import GUEST_RAM_BASE, GUEST_RAM_SIZE
        from ...machine.bus import RAM_BASE
        host = RAM_BASE + self._host_base(p)
        lines = [f"A hypervisor runs {p['guests']} guest(s) under trap-and-emulate, with shadow "
                 f"page tables. Guest {p['guest']}'s",
                 f"RAM, guest-physical 0x{GUEST_RAM_BASE:08x}-"
                 f"0x{GUEST_RAM_BASE + GUEST_RAM_SIZE - 1:08x}, is the host's RAM from "
                 f"host-physical 0x{host:08x}.",
                 f"Its kernel's page table maps a process's page at va 0x{p['va']:08x} to "
                 f"guest-physical 0x{p['gpa']:08x} ({p['perms']}, U).",
                 f"'host_pa': which host-physical address does the shadow page table map va "
                 f"0x{p['va'] + p['offset']:08x} to?",
                 "'must_change': after each of these events, must the VMM change (or drop) that "
                 "shadow entry?"]
        lines += [fit(f"  {k + 1}. {SHADOW_EVENTS[i][0]}") for k, i in enumerate(p["events"])]
        lines.append("Answer a dict {'host_pa': ..., 'must_change': [True/False, ...]}.")
        return "\n".join(lines)

    def explain(self, p, answer):
        base = answer["host_pa"] - p["gpa"] - p["offset"]
        return (f"The shadow entry is the guest's PTE with its guest-physical frame replaced by the "
                f"host-physical one:\n  0x{p['gpa']:08x} + 0x{p['offset']:03x} lies "
                f"0x{p['gpa'] + p['offset'] - 0x8000_0000:x} into the guest's RAM, so host "
                f"0x{answer['host_pa']:08x} (the slice starts at 0x{base + 0x8000_0000:08x}).\n"
                + fit("It must change exactly when the guest PTE it was made from changes: the "
                      "VMM maps the guest's page-table pages read-only, so such a store traps "
                      "and the VMM updates or drops the shadow entries made from the old value. "
                      "Loads, stores to data pages, other PTEs and other guests leave it as it "
                      "is."))

    def format_answer(self, answer) -> str:
        return f"{{'host_pa': 0x{answer['host_pa']:08x}, 'must_change': {answer['must_change']}}}"

    def diagnose(self, p, given):
        hints = []
        if isinstance(given, dict) and isinstance(given.get("host_pa"), int):
            if given["host_pa"] == p["gpa"] + p["offset"]:
                hints.append("That is the guest-physical address: the shadow maps to where the "
                             "guest's RAM really is in the host.")
            elif given["host_pa"] == p["va"] + p["offset"]:
                hints.append("That is the virtual address: the shadow translates it.")
        return hints

    def wrong_answers(self, p, answer):
        return [{"host_pa": p["gpa"] + p["offset"], "must_change": answer["must_change"]},
                {"host_pa": answer["host_pa"], "must_change": [True] * len(p["events"])},
                {"host_pa": answer["host_pa"]}]
