"""Chapter 06, binary translation and speed: the programs, the views, the runs and the exercises.

The chapter compares the machine's two engines, and everything it prints comes from here:

- **the interpreter** (``vmlib.machine.interp``): :func:`interpreter_fetch` and
  :func:`interpreter_case` cut the generated run loop (``loop_source()``) into the part that
  runs for every instruction and the part that runs for one kind; :func:`dispatch_tests` counts
  the ``op ==`` tests before an instruction's case is found;
- **the translator** (``vmlib.machine.dbt``): :func:`source_rows` pairs each guest instruction of
  a translated block with the Python it became, :func:`side_by_side` prints the pairs;
- **a run, watched**: :func:`record_translation` runs a program under the translator and keeps a
  snapshot of the block cache after each change (``Translator.on_change``): a
  :class:`TranslationLog` of :class:`CacheEvent` s, which chapter 06's widget walks through;
- **the two engines, compared**: :func:`compare_engines` runs one program on both and returns the
  facts that must agree (instruction count, registers, memory, output) next to the translator's
  counters and the CPU time each engine took; :func:`budget_agreement` stops both at many step
  budgets;
- **exercises** (OSTEP style): :class:`BlockEnd` (where does a basic block end?),
  :class:`BlocksTranslated` (how many blocks does a program translate?),
  :class:`WhichBlocksInvalidated` (which blocks does a store drop?). Their answers come from the
  translator itself (``decode_block``, a run, a store through the bus).

    >>> log = record_translation(kernel_machine('sum 1..n', n=1000), name='sum')
    >>> [e.kind for e in log.events], log.instructions
    (['translated'], 3006)
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..isa import disassemble
from ..machine import Machine
from ..machine.interp import loop_source
from .exercises import Exercise
from .text import WIDTH

__all__ = ['POWEROFF', 'KERNELS', 'SMC_LOOP', 'GUESTS', 'kernel_source', 'kernel_machine',
           'smc_machine', 'guest_vm', 'c_function', 'PROGRAMS', 'interpreter_fetch',
           'interpreter_case', 'dispatch_tests', 'source_rows', 'side_by_side', 'BlockView',
           'CacheEvent', 'TranslationLog', 'record_translation', 'EngineRun', 'Comparison',
           'compare_engines', 'comparison_table', 'budget_agreement', 'translator_counters',
           'BlockEnd', 'BlocksTranslated', 'WhichBlocksInvalidated']

REPO = Path(__file__).resolve().parents[2]
GUESTS = REPO / 'guests'
KERNEL_RAM = 4 << 20            # the kernels' machine: 4 MiB (a 128 MiB machine is slow to make)

POWEROFF = """
        li      t0, 0x100000            # the test device
        li      t1, 0x5555
        sw      t1, 0(t0)               # power off
"""

# ---------------------------------------------------------------------------------------------
# the programs

# Each kernel is a loop of a few instructions, run ``n`` times, then power off: a whole program,
# so both engines run it to the end and must agree on everything.
KERNELS = {
    'sum 1..n': ("""
        li      a0, 0                   # a0: the sum
        li      a1, {n}                 # a1: counts down from n
loop:   add     a0, a0, a1
        addi    a1, a1, -1
        bnez    a1, loop
""", 300_000),
    'fill and sum an array': ("""
        li      s0, 0x80100000          # the array
        li      a2, {n}
        mv      t1, s0
        li      t2, 0
fill:   sw      t2, 0(t1)               # a[i] = i
        addi    t2, t2, 1
        addi    t1, t1, 4
        bne     t2, a2, fill
        li      a0, 0
sum:    lw      t0, 0(s0)               # a0 += a[i]
        add     a0, a0, t0
        addi    s0, s0, 4
        addi    a2, a2, -1
        bnez    a2, sum
""", 100_000),
    'copy memory': ("""
        li      a1, 0x80100000          # from
        li      a3, 0x80200000          # to
        li      a2, {n}                 # words
copy:   lw      t0, 0(a1)
        sw      t0, 0(a3)
        addi    a1, a1, 4
        addi    a3, a3, 4
        addi    a2, a2, -1
        bnez    a2, copy
""", 150_000),
}

# A loop that rewrites its own first instruction halfway: ``addi a0, a0, 1`` becomes
# ``addi a0, a0, 100`` after 1000 of its 2000 iterations (a0 ends at 1000 + 100 000). The loop is
# hot, hence translated, long before that.
SMC_LOOP = """
        li      a0, 0
        li      s0, 2000
        la      s1, patch
        lw      s2, new_insn            # the word of the new instruction
loop:
patch:  addi    a0, a0, 1               # becomes addi a0, a0, 100 at iteration 1000
        addi    s0, s0, -1
        li      t0, 1000
        bne     s0, t0, 1f
        sw      s2, 0(s1)               # rewrite the first instruction of the loop
1:      bnez    s0, loop
""" + POWEROFF + """
new_insn:
        addi    a0, a0, 100
"""


def kernel_source(name: str, n: int | None = None) -> str:
    """The assembly of kernel ``name`` with its loop count (default: the kernel's own)."""
    template, default = KERNELS[name]
    return template.format(n=default if n is None else n) + POWEROFF


def kernel_machine(name: str, engine: str = 'dbt', n: int | None = None) -> Machine:
    """A fresh machine (4 MiB of RAM) with kernel ``name`` loaded, at its first instruction."""
    return Machine.from_source(kernel_source(name, n), filename=f'{name}.s', engine=engine,
                               ram_size=KERNEL_RAM)


def smc_machine(engine: str = 'dbt') -> Machine:
    """A fresh machine with the self-modifying loop :data:`SMC_LOOP` loaded."""
    return Machine.from_source(SMC_LOOP, filename='smc.s', engine=engine, ram_size=1 << 16)


def guest_vm(name: str, engine: str = 'dbt', args=(), **kw):
    """A process VM running ``guests/NAME.elf`` (a C program), not started yet; its output
    is captured. ``guest_vm('compute')`` is the C benchmark."""
    from ..procvm import ProcessVM
    kw.setdefault('capture', True)
    return ProcessVM(GUESTS / f'{name}.elf', [name, *args], engine=engine, **kw)


def c_function(program: str, function: str) -> str:
    """The C source of ``function`` in ``guests/src/PROGRAM.c``: its comment, head and body
    (up to the closing brace in column 0)."""
    lines = (GUESTS / 'src' / f'{program}.c').read_text().splitlines()
    head = re.compile(rf'^\w[\w\s\*]*\b{re.escape(function)}\(')
    start = next((i for i, line in enumerate(lines) if head.match(line)), None)
    if start is None:
        raise LookupError(f'no function {function} in guests/src/{program}.c')
    while start > 0 and lines[start - 1].startswith(('/*', ' *')):
        start -= 1
    end = next(i for i in range(start, len(lines)) if lines[i] == '}')
    return '\n'.join(lines[start:end + 1])


#: the programs the chapter runs on both engines: name -> make(engine) (a fresh Machine or
#: ProcessVM, not started)
PROGRAMS = {
    'sum 1..n': lambda engine: kernel_machine('sum 1..n', engine),
    'fill and sum an array': lambda engine: kernel_machine('fill and sum an array', engine),
    'copy memory': lambda engine: kernel_machine('copy memory', engine),
    'compute.elf (C)': lambda engine: guest_vm('compute', engine),
    'heap.elf (C)': lambda engine: guest_vm('heap', engine),
}


# ---------------------------------------------------------------------------------------------
# the interpreter, as text

_CASE = re.compile(r'^(\s*)(?:if|elif) op == (\d+):  # (\S+)$')


def _loop_lines():
    return loop_source().splitlines()


def interpreter_fetch() -> str:
    """The lines of the generated interpreter loop that run for *every* instruction: count it,
    find its page, fetch the decoded tuple and its opcode number."""
    lines = _loop_lines()
    start = next(i for i, line in enumerate(lines) if 'for n in range(n, stop)' in line)
    end = next(i for i, line in enumerate(lines) if _CASE.match(line))
    return _dedent(lines[start:end])


def _cases():
    """[(mnemonic, op number, [lines])] in the loop's order (the order of the tests)."""
    lines = _loop_lines()
    out = []
    for i, line in enumerate(lines):
        m = _CASE.match(line)
        if m:
            depth = len(m.group(1))
            body = [line]
            for nxt in lines[i + 1:]:
                if len(nxt) - len(nxt.lstrip()) <= depth:
                    break
                body.append(nxt)
            out.append((m.group(3), int(m.group(2)), body))
    return out


def interpreter_case(name: str) -> str:
    """The case of the interpreter loop that executes instruction ``name`` (a mnemonic of the
    decode table: ``'add'``, ``'bne'``...)."""
    for mnemonic, _, body in _cases():
        if mnemonic == name:
            return _dedent(body)
    raise KeyError(f'{name!r} has no case of its own in the interpreter loop')


def dispatch_tests(name: str) -> int:
    """How many ``op == ...`` tests the interpreter evaluates to find instruction ``name``."""
    for position, (mnemonic, _, _) in enumerate(_cases(), 1):
        if mnemonic == name:
            return position
    raise KeyError(name)


def _dedent(lines):
    depth = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return '\n'.join(line[depth:] for line in lines)


# ---------------------------------------------------------------------------------------------
# the translator's output, paired with the guest code

_COMMENT = re.compile(r'^(\s*)# (0x[0-9a-f]{8})  (.*)$')


def source_rows(source: str) -> list[tuple[str, list[str]]]:
    """Pair a translated block's Python with the guest instructions it came from.

    The translator writes ``# 0x80000008  add a0, a0, a1`` before the code of each guest
    instruction. Returns ``[(guest, python_lines)]``: a first row with guest ``''`` (the
    function heads, the registers loaded into locals, a loop's ``for``), one row per guest
    instruction, and a last row ``''`` for what is less indented than the instructions'
    code (storing the registers back, leaving the loop, the ``return``)."""
    rows: list[tuple[str, list[str]]] = [('', [])]
    depth = None
    for line in source.rstrip('\n').splitlines():
        m = _COMMENT.match(line)
        if m:
            depth = len(m.group(1))
            rows.append((f'{m.group(2)}  {m.group(3)}', []))
            continue
        indent = len(line) - len(line.lstrip())
        if depth is not None and indent < depth and rows[-1][0]:
            rows.append(('', []))
            depth = None
        rows[-1][1].append(line)
    return [row for row in rows if row[1] or row[0]]


def _split_statements(line: str, width: int) -> list[str]:
    """A Python line of ``a = 1; b = 2; ...`` too wide for ``width``, as several lines of the
    same indentation (the same statements, so the same program)."""
    if len(line) > width and '  #' in line:           # a padded comment: pad it less
        code, _, comment = line.partition('  #')
        line = f'{code.rstrip()}  #{comment}'
    if len(line) <= width or '; ' not in line:
        return [line]
    indent = line[:len(line) - len(line.lstrip())]
    out, current = [], ''
    for stmt in line.strip().split('; '):
        joined = f'{current}; {stmt}' if current else stmt
        if current and len(indent) + len(joined) > width:
            out.append(indent + current)
            joined = stmt
        current = joined
    return out + [indent + current]


def side_by_side(source: str, guest_width: int | None = None) -> str:
    """The block's guest instructions (left, ``guest_width`` columns: default, as wide as the
    widest) beside the Python each became (right), as text within the course's width (a long
    line of register loads is split, statement by statement)."""
    rows = source_rows(source)
    if guest_width is None:
        guest_width = max([24] + [len(guest) + 2 for guest, _ in rows])
    head = f"{'guest RV32 instruction':<{guest_width}}Python it became"
    out = [head, '-' * len(head)]
    for guest, python in rows:
        lines = [part for line in python or [''] for part in
                 _split_statements(line, WIDTH - guest_width)]
        for i, line in enumerate(lines):
            left = guest if i == 0 else ''
            out.append(f'{left:<{guest_width}}{line}'.rstrip())
    return '\n'.join(out)


# ---------------------------------------------------------------------------------------------
# a run under the translator, watched


@dataclass(frozen=True)
class BlockView:
    """What a translated block was when it was made: its guest code and its Python."""

    key: int                    # the translator's cache key (RAM index << 32 | pc)
    pc: int
    length: int                 # guest instructions (per iteration, for a loop)
    loop: bool
    source: str

    @classmethod
    def of(cls, block) -> 'BlockView':
        return cls(block.key, block.pc, block.length, block.loop, block.source)

    @property
    def guest(self) -> list[tuple[int, str]]:
        """[(pc, disassembly)] of the instructions it covers, in the order it runs them."""
        return [(int(m.group(2), 16), m.group(3)) for m in map(_COMMENT.match,
                                                                 self.source.splitlines()) if m]

    @property
    def mnemonics(self) -> list[str]:
        return [text.split()[0] for _, text in self.guest]

    @property
    def span(self) -> tuple[int, int]:
        """The lowest and highest pc of its instructions."""
        pcs = [pc for pc, _ in self.guest]
        return min(pcs), max(pcs)

    @property
    def kind(self) -> str:
        return 'loop' if self.loop else 'block'

    def label(self) -> str:
        return f'0x{self.pc:08x} {self.kind} of {self.length}'


#: counters read from the translator at every event (those that are kept up to date while
#: blocks run; ``block runs`` and ``chain hits`` are only totalled when the dispatcher stops)
LIVE_COUNTERS = ('blocks translated', 'blocks in cache', 'invalidations', 'block lookups',
                 'cache hits', 'exits linked', 'instructions interpreted')


def translator_counters(t) -> dict[str, int]:
    """The translator's counters that are exact at any moment (see :data:`LIVE_COUNTERS`)."""
    return {'blocks translated': t.translated, 'blocks in cache': len(t.blocks),
            'invalidations': t.invalidations, 'block lookups': t.lookups,
            'cache hits': t.hits + t.resolved, 'exits linked': t.links,
            'instructions interpreted': t.interpreted}


@dataclass
class CacheEvent:
    """One change of the block cache: blocks ``added`` or ``removed`` at instruction
    ``instret``; ``live`` is the whole cache after it (sorted by pc)."""

    index: int
    instret: int
    kind: str                   # 'translated', 'invalidated', 'dropped' or 'flushed'
    added: list[BlockView]
    removed: list[BlockView]
    live: list[BlockView]
    counters: dict[str, int]

    @property
    def block(self) -> BlockView | None:
        """The block this event is about (the one translated, else the first dropped)."""
        return (self.added or self.removed or [None])[0]

    def summary(self) -> str:
        b = self.block
        what = {'translated': 'translated', 'invalidated': 'dropped (its code was written)',
                'dropped': 'dropped (unmapped)', 'flushed': 'flushed'}[self.kind]
        more = ''
        if self.kind != 'translated' and len(self.removed) > 1:
            more = f' and {len(self.removed) - 1} more'
        return f'{b.label() if b else "nothing"}{more} {what}'


@dataclass
class TranslationLog:
    """A whole run under the translator: its events, the end of the run and the final
    counters. ``history`` is the translator's own (``Translator.history``)."""

    name: str
    events: list[CacheEvent]
    history: list[tuple]
    instructions: int
    ending: str
    stats: dict[str, int]
    result: object = None

    def __len__(self):
        return len(self.events)

    def find_block(self, mnemonics) -> BlockView:
        """The first block translated whose instructions are ``mnemonics`` (e.g. ``['sb',
        'add', 'add', 'bgeu']``): a way to name a block of a stripped program."""
        want = list(mnemonics)
        for e in self.events:
            for b in e.added:
                if b.mnemonics == want:
                    return b
        raise LookupError(f'no block of {want} was translated')

    def growth(self) -> tuple[list[int], list[int]]:
        """(instructions retired, blocks in cache) at the start, at each event and at the end:
        the points of the block-cache growth curve."""
        xs, ys = [0], [0]
        for e in self.events:
            xs.append(e.instret)
            ys.append(e.counters['blocks in cache'])
        xs.append(max(self.instructions, xs[-1]))
        ys.append(ys[-1])
        return xs, ys

    def events_text(self, limit: int | None = None) -> str:
        """One line per event: when, what, and the cache's size after it."""
        rows = [f"{'#':>3}  {'instret':>9}  {'in cache':>8}  event"]
        shown = self.events if limit is None else self.events[:limit]
        for e in shown:
            rows.append(f'{e.index + 1:>3}  {e.instret:>9,}  {e.counters["blocks in cache"]:>8}  '
                        f'{e.summary()}')
        if limit is not None and len(self.events) > limit:
            rows.append(f'... {len(self.events) - limit} more')
        rows.append(f'end  {self.instructions:>9,}  {self.stats["blocks in cache"]:>8}  '
                    f'{self.ending}')
        return '\n'.join(rows)


def _translator_of(target):
    """(translator, run(max_steps) -> (instructions, ending, result)) of a Machine or a
    ProcessVM, switched to the translator."""
    hart = target.hart
    if hasattr(target, 'space'):                    # a ProcessVM
        if hart.engine.name != 'dbt':
            raise ValueError('make the process VM with engine="dbt"')

        def run(max_steps):
            r = target.run(max_steps)
            return r.instructions, f'{r.reason}, exit status {r.exit_status}', r
    else:
        hart.use_engine('dbt')

        def run(max_steps):
            r = target.run(max_steps)
            status = '' if r.exit_status is None else f', exit status {r.exit_status}'
            return r.instructions, f'{r.reason}{status}', r
    return hart.engine, run


def record_translation(target, max_steps: int = 10_000_000, name: str = '',
                       threshold: int | None = None) -> TranslationLog:
    """Run ``target`` (a Machine, or a ProcessVM made with ``engine='dbt'``) under the
    translator for up to ``max_steps`` instructions, snapshotting the block cache after each
    change. ``threshold``: the translator's hot-code threshold (default: its own)."""
    t, run = _translator_of(target)
    if threshold is not None:
        t.threshold = threshold
    events: list[CacheEvent] = []
    known = {key: BlockView.of(b) for key, b in t.info.items()}
    before = (t.invalidations, t.dropped)

    def watch(tr):
        nonlocal known, before
        now = {key: known.get(key) or BlockView.of(b) for key, b in tr.info.items()}
        added = [now[k] for k in now if k not in known]
        removed = [known[k] for k in known if k not in now]
        if not added and not removed:
            return
        if added:
            kind = 'translated'
        elif tr.invalidations != before[0]:
            kind = 'invalidated'
        elif tr.dropped != before[1]:
            kind = 'dropped'
        else:
            kind = 'flushed'
        before = (tr.invalidations, tr.dropped)
        live = sorted(now.values(), key=lambda b: (b.pc, b.key))
        events.append(CacheEvent(len(events), tr.hart.instret, kind, added, removed, live,
                                 translator_counters(tr)))
        known = now

    previous, t.on_change = t.on_change, watch
    try:
        instructions, ending, result = run(max_steps)
    finally:
        t.on_change = previous
    return TranslationLog(name, events, list(t.history), instructions, ending, t.stats(), result)


# ---------------------------------------------------------------------------------------------
# the two engines, compared


@dataclass
class EngineRun:
    """One program run to the end on one engine."""

    engine: str
    instructions: int
    ending: str
    registers: tuple
    pc: int
    output: str
    memory: bytes               # for Machine runs: the first 64 KiB of RAM
    seconds: float              # CPU time of the run (process_time): not deterministic
    stats: dict = field(default_factory=dict)

    def state(self):
        """Everything that must be the same on both engines."""
        return (self.instructions, self.ending, self.registers, self.pc, self.output,
                self.memory)


@dataclass
class Comparison:
    """A program run on both engines: ``same`` when every fact agrees."""

    name: str
    interp: EngineRun
    dbt: EngineRun

    @property
    def same(self) -> bool:
        return self.interp.state() == self.dbt.state()

    @property
    def translated_fraction(self) -> float:
        """The fraction of the instructions that ran as translated code."""
        n = self.dbt.instructions
        return 1 - self.dbt.stats.get('instructions interpreted', 0) / n if n else 0.0

    @property
    def speedup(self) -> float:
        """CPU time of the interpreter / of the translator (not deterministic)."""
        return self.interp.seconds / self.dbt.seconds if self.dbt.seconds else float('inf')


def _run_once(make, engine, max_steps):
    target = make(engine)
    hart = target.hart
    start = time.process_time()
    r = target.run(max_steps)
    seconds = time.process_time() - start
    if hasattr(target, 'space'):                    # a ProcessVM
        ending = f'{r.reason}, exit status {r.exit_status}'
        output = (r.stdout or b'').decode('utf-8', 'replace')
        memory = b''
    else:
        ending = r.reason + ('' if r.exit_status is None else f', exit status {r.exit_status}')
        output = target.output
        memory = target.read_memory(0x80000000, 1 << 16)
    stats = hart.engine.stats()
    return EngineRun(engine, hart.instret, ending, tuple(hart.x[:32]), hart.pc, output, memory,
                     seconds, stats)


def compare_engines(name: str, make, max_steps: int = 50_000_000) -> Comparison:
    """Run ``make(engine)`` (a fresh Machine or ProcessVM for that engine) once on each engine,
    to its end or ``max_steps``. The facts are deterministic; ``seconds`` (CPU time) is not."""
    return Comparison(name, _run_once(make, 'interp', max_steps),
                      _run_once(make, 'dbt', max_steps))


def comparison_table(comparisons) -> str:
    """The deterministic facts of several comparisons, one line each (no timings)."""
    head = (f"{'program':<22} {'instructions':>12}  {'same state':<10} {'blocks':>6} "
            f"{'translated code':>15} {'cache hits':>10} {'chain hits':>10}")
    rows = [head, '-' * len(head)]
    for c in comparisons:
        s = c.dbt.stats
        rows.append(f'{c.name:<22} {c.interp.instructions:>12,}  {"yes" if c.same else "NO":<10} '
                    f'{s["blocks translated"]:>6} {c.translated_fraction:>14.1%} '
                    f'{s["cache hits"]:>10,} {s["chain hits"]:>10,}')
    return '\n'.join(rows)


def budget_agreement(make, budgets) -> list[tuple[int, int, int, bool]]:
    """Stop each engine after each budget: [(budget, interp instret, dbt instret, same
    registers and pc)]. ``make(engine)`` returns a fresh Machine."""
    rows = []
    for budget in budgets:
        ends = []
        for engine in ('interp', 'dbt'):
            m = make(engine)
            m.run(budget)
            ends.append((m.hart.instret, tuple(m.hart.x[:32]), m.hart.pc))
        rows.append((budget, ends[0][0], ends[1][0], ends[0] == ends[1]))
    return rows


# ---------------------------------------------------------------------------------------------
# exercises

_ALU = ['addi a0, a0, 1', 'add a1, a1, a0', 'sub a2, a2, a1', 'xor a3, a0, a1', 'slli a4, a0, 2',
        'mul a5, a0, a1', 'lui a6, 0x12345', 'andi a7, a0, 7']
_MEMORY = ['lw t0, 0(sp)', 'sw a0, 4(sp)', 'lbu t1, 1(sp)', 'sb a1, 8(sp)']
_QUIET = ['fence']                                  # no control transfer: the block goes on
_ENDERS = ['beq a0, a1, {label}', 'bnez a2, {label}', 'blt a0, a3, {label}', 'j {label}',
           'jal ra, {label}', 'ret', 'ecall', 'csrr t2, mscratch', 'csrw mscratch, a0',
           'amoadd.w t3, a0, (sp)']


def _block_end_program(p) -> str:
    lines = [f'        .space {p["pad"]}' if p['pad'] else '', 'first:']
    for i, ins in enumerate(p['body']):
        lines.append(f'L{i}:    {ins.format(label=p["labels"][i])}')
    lines.append('last:   ret')
    return '\n'.join(lines) + '\n'


class BlockEnd(Exercise):
    """Where does the basic block that starts at a given pc end?"""

    chapter = 6
    title = 'Where does this basic block end?'
    rel_tol = abs_tol = 0.0

    def generate(self, rng):
        size = rng.randrange(8, 15)
        body = []
        for _ in range(size):
            r = rng.random()
            if r < 0.45:
                body.append(rng.choice(_ALU))
            elif r < 0.7:
                body.append(rng.choice(_MEMORY))
            elif r < 0.78:
                body.append(rng.choice(_QUIET))
            else:
                body.append(rng.choice(_ENDERS))
        labels = [rng.choice(['first', 'last', f'L{rng.randrange(size)}']) for _ in body]
        pad = 0
        if rng.random() < 0.25:                     # the code straddles a page boundary
            pad = 4096 - 4 * rng.randrange(2, 6)
        start = rng.randrange(0, size // 2 + 1)
        return {'body': body, 'labels': labels, 'pad': pad, 'start': start}

    def _machine(self, p):
        return Machine.from_source(_block_end_program(p), filename='block.s', ram_size=1 << 16)

    def _listing(self, p):
        m = self._machine(p)
        base = m.symbols['first']
        count = len(p['body']) + 1
        return [(base + 4 * i, disassemble(int.from_bytes(m.read_memory(base + 4 * i, 4),
                                                          'little'), base + 4 * i))
                for i in range(count)]

    def _block(self, p):
        m = self._machine(p)
        start = m.symbols['first'] + 4 * p['start']
        t = m.hart.translator()
        vbase, _, pidx = m.hart.fetch_page(start)   # M-mode: the identity, through the TLB
        return t.decode_block(start, pidx + (start - vbase))

    def solve(self, p):
        block = self._block(p)
        return {'end': block[-1][0], 'instructions': len(block)}

    def question(self, p):
        start = self._listing(p)[p['start']][0]
        lines = [f'A basic block of the translator starts at 0x{start:08x} in this code:', '']
        lines += [f'  0x{pc:08x}  {text}' for pc, text in self._listing(p)]
        lines += ['',
                  'Where does the block end? Answer a dict {"end": address of its last '
                  'instruction,',
                  '"instructions": how many it holds}. (The translator ends a block after the '
                  'first',
                  'branch, jump or system instruction, at the end of a 4 KiB page, or after 64.',
                  '"System" here: ecall, ebreak, CSR accesses, mret/sret, wfi, sfence.vma, and '
                  'the atomics',
                  'lr/sc/amo*, which the translator also hands to the hart.)']
        return '\n'.join(lines)

    def explain(self, p, answer):
        block = self._block(p)
        last_pc, word, _ = block[-1]
        text = disassemble(word, last_pc)
        mnemonic = text.split()[0]
        if ((last_pc + 4) & 0xFFF) == 0 and mnemonic not in _END_MNEMONICS:
            why = (f'0x{last_pc:08x} is the last word of its 4 KiB page: a block never '
                   'crosses a page (the next page may be mapped elsewhere, or not at all).')
        else:
            why = (f'{text} at 0x{last_pc:08x} is the first instruction from the start that '
                   f'can change the control flow or the machine state ({_why(mnemonic)}).')
        skipped = sorted({disassemble(w, a).split()[0] for a, w, _ in block[:-1]})
        walk = ''
        if skipped:
            verb = 'do' if len(skipped) > 1 else 'does'
            walk = (f'Walk forward from the start: {", ".join(skipped)} {verb} not end a block '
                    '(none of them jumps; a load or store that faults leaves through a trap, but '
                    'normally goes on). ')
        return (f'{walk}{why}\nSo the block is {len(block)} instruction(s): '
                f'0x{block[0][0]:08x}-0x{last_pc:08x}.')

    def format_answer(self, answer):
        return f"{{'end': 0x{answer['end']:08x}, 'instructions': {answer['instructions']}}}"

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, int) and not isinstance(given, bool):
            return {'end': given}                   # just the address: still comparable
        if isinstance(given, dict) and isinstance(given.get('end'), str):
            try:
                given = dict(given, end=int(given['end'], 0))
            except ValueError:
                pass
        return given

    def diagnose(self, p, given):
        if not isinstance(given, dict) or not isinstance(given.get('end'), int):
            return []
        answer = self.solution()
        end = given['end']
        hints = []
        if end == answer['end'] - 4:
            hints.append('The instruction that ends a block belongs to it: the block runs it, '
                         'then leaves.')
        elif end > answer['end']:
            names = {pc: text.split()[0] for pc, text in self._listing(p)}
            mnemonic = names.get(answer['end'], '')
            if mnemonic in ('csrr', 'csrw', 'csrrw', 'csrrs', 'ecall', 'amoadd.w', 'ebreak'):
                hints.append(f'{mnemonic} is a system instruction: the translator hands it to '
                             'the hart and looks at the world again afterwards.')
            elif ((answer['end'] + 4) & 0xFFF) == 0:
                hints.append('Look at the addresses: a block stops at the end of a 4 KiB page.')
            else:
                hints.append('A branch ends the block whether or not it is taken.')
        return hints

    def wrong_answers(self, p, answer):
        return [{'end': answer['end'] - 4, 'instructions': answer['instructions'] - 1},
                {'end': answer['end'] + 4, 'instructions': answer['instructions'] + 1},
                {'end': answer['end'], 'instructions': answer['instructions'] + 1},
                answer['end'] + 4]


_END_MNEMONICS = {'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'beqz', 'bnez', 'blez', 'bgez',
                  'bltz', 'bgtz', 'j', 'jal', 'jr', 'jalr', 'ret', 'call', 'tail', 'ecall',
                  'ebreak', 'csrr', 'csrw', 'csrs', 'csrc', 'csrrw', 'csrrs', 'csrrc',
                  'csrwi', 'csrsi', 'csrci', 'csrrwi', 'csrrsi', 'csrrci', 'mret', 'sret', 'wfi',
                  'sfence.vma', 'lr.w', 'sc.w', 'amoadd.w', 'amoswap.w', 'unimp'}


def _why(mnemonic):
    if mnemonic in ('j', 'jal', 'jr', 'jalr', 'ret', 'call', 'tail'):
        return 'a jump: the next instruction is elsewhere'
    if mnemonic.startswith('b'):
        return 'a branch: taken or not, there are two ways on'
    if mnemonic.startswith(('lr.', 'sc.', 'amo')):
        return ('an atomic: the translator hands lr/sc/AMOs to the hart, like a system '
                'instruction')
    return ('a system instruction: the hart executes it, and it may trap or change the '
            'privilege, the page tables or the timer')


# --- how many blocks? ------------------------------------------------------------------------

def _asm(instruction: str) -> str:
    mnemonic, _, operands = instruction.partition(' ')
    return f'        {mnemonic:<8}{operands}'


def _loops_program(p) -> str:
    lines = ['        li      a0, 0']
    for k, (count, body) in enumerate(zip(p['counts'], p['bodies'])):
        lines.append(f'        li      s0, {count}')
        lines.append(f'loop{k}:')
        lines += [_asm(ins) for ins in body]
        lines.append('        addi    s0, s0, -1')
        lines.append(f'        bnez    s0, loop{k}')
    return '\n'.join(lines) + '\n' + POWEROFF


_LOOP_BODY = ['addi a0, a0, 1', 'add a1, a1, a0', 'xor a2, a2, a1', 'slli a3, a0, 1',
              'sub a4, a4, a0', 'mul a5, a0, a0']


def _translated_blocks(source, threshold=0):
    m = Machine.from_source(source, filename='loops.s', engine='dbt', ram_size=1 << 16)
    log = record_translation(m, 1_000_000, threshold=threshold)
    return log


class BlocksTranslated(Exercise):
    """How many blocks does the translator make for a program of loops?"""

    chapter = 6
    title = 'How many blocks will this program translate?'
    rel_tol = abs_tol = 0.0

    def generate(self, rng):
        loops = rng.randrange(1, 4)
        counts = [rng.choice([1, 1, 2, 3, rng.randrange(4, 50)]) for _ in range(loops)]
        bodies = [rng.sample(_LOOP_BODY, rng.randrange(1, 4)) for _ in range(loops)]
        return {'counts': counts, 'bodies': bodies}

    def source(self, p) -> str:
        return _loops_program(p)

    def solve(self, p):
        return _translated_blocks(self.source(p)).stats['blocks translated']

    def question(self, p):
        return ('The translator runs this program with threshold = 0: it translates every block\n'
                'the first time it is entered (the default waits until a block is hot). A\n'
                'backward branch that comes back to its own target becomes one Python loop.\n\n'
                + self.source(p).rstrip('\n') + '\n\n'
                'How many blocks (basic blocks and loops) does it translate? Answer a number.')

    def explain(self, p, answer):
        log = _translated_blocks(self.source(p))
        lines = ['Follow the run: a block starts wherever control arrives -- the entry, each '
                 'loop head that a branch jumps back to, and the instruction after each loop. '
                 'The translator made, in this order:']
        for e in log.events:
            b = e.added[0]
            first, last = b.span
            lines.append(f'  0x{b.pc:08x}  {b.kind:<5} {b.length:>2} instruction(s) '
                         f'(0x{first:08x}-0x{last:08x})')
        once = [f'loop{k}' for k, c in enumerate(p['counts']) if c == 1]
        if once:
            lines.append(f'{", ".join(once)} run{"s" if len(once) == 1 else ""} once: the branch '
                         'back is never taken, so the loop head never starts a block of its own.')
        return '\n'.join(lines)

    def wrong_answers(self, p, answer):
        return [answer - 1, answer + 1, len(p['counts']), 2 * len(p['counts']) + 2]

    def diagnose(self, p, given):
        if not isinstance(given, int):
            return []
        hints = []
        loops = len(p['counts'])
        if given == loops:
            hints.append('Loops are not the only blocks: the straight code before, between and '
                         'after them is translated too.')
        if given == 2 * loops + 1 and 1 in p['counts']:
            hints.append('A loop that runs once never branches back to its head.')
        return hints


# --- which store invalidates which block? ------------------------------------------------------

class WhichBlocksInvalidated(Exercise):
    """A store into translated code: which blocks does the translator drop?"""

    chapter = 6
    title = 'Which store invalidates which block?'
    rel_tol = abs_tol = 0.0

    def generate(self, rng):
        loops = rng.randrange(1, 3)
        counts = [rng.randrange(2, 20) for _ in range(loops)]
        bodies = [rng.sample(_LOOP_BODY, rng.randrange(1, 3)) for _ in range(loops)]
        size = rng.choice([1, 2, 4, 4])
        return {'counts': counts, 'bodies': bodies, 'size': size, 'pick': rng.random(),
                'offset': rng.randrange(0, 4, size)}

    def _run(self, p):
        m = Machine.from_source(_loops_program(p), filename='loops.s', engine='dbt',
                                ram_size=1 << 16)
        log = record_translation(m, 1_000_000, threshold=0)
        return m, log

    def _address(self, p, log):
        """The store's address: in a word of the program (or just past it), chosen by pick."""
        first = min(b.span[0] for b in log.events[-1].live)
        last = max(b.span[1] for b in log.events[-1].live)
        words = (last - first) // 4 + 3                 # two words past the code: nothing there
        return first + 4 * int(p['pick'] * words) + p['offset']

    def _blocks(self, p):
        m, log = self._run(p)
        return m, log, log.events[-1].live

    def solve(self, p):
        m, log, live = self._blocks(p)
        addr = self._address(p, log)
        t = m.hart.translator()
        before = {b.key: b.pc for b in live}
        m.bus.write(addr, p['size'], 0)           # the bus: the path of every guest store
        return {pc for key, pc in before.items() if key not in t.info}

    def question(self, p):
        m, log, live = self._blocks(p)
        addr = self._address(p, log)
        name = {1: 'sb', 2: 'sh', 4: 'sw'}[p['size']]
        lines = ['This program ran under the translator (threshold 0):', '',
                 _loops_program(p).rstrip('\n'), '',
                 'and left these blocks in the cache (first-last instruction):']
        for b in live:
            first, last = b.span
            lines.append(f'  0x{b.pc:08x}  {b.kind:<5} 0x{first:08x}-0x{last:08x}')
        lines += ['',
                  f'Now a {p["size"]}-byte store ({name}) writes to 0x{addr:08x}. Which blocks '
                  'does the',
                  'translator drop? Answer the set of their start addresses (set() if none).']
        return '\n'.join(lines)

    def explain(self, p, answer):
        m, log, live = self._blocks(p)
        addr = self._address(p, log)
        words = sorted({(addr + i) & ~3 for i in range(p['size'])})
        lines = [f'The store writes the word(s) at {", ".join(f"0x{w:08x}" for w in words)}. '
                 'A block is dropped when any word it was translated from is written:']
        for b in live:
            first, last = b.span
            hit = any(first <= w <= last for w in words)
            lines.append(f'  0x{b.pc:08x}  {b.kind:<5} 0x{first:08x}-0x{last:08x}  '
                         f'{"dropped" if hit else "kept"}')
        if len(answer) > 1:
            lines.append('Blocks overlap: the block from the entry (or from the end of a loop) '
                         'runs through the next loop body, and the loop has a translation of its '
                         'own, so one store drops both.')
        elif not answer:
            lines.append('No block holds those bytes: the store is plain data to the translator.')
        return '\n'.join(lines)

    def format_answer(self, answer):
        return '{' + ', '.join(f'0x{pc:08x}' for pc in sorted(answer)) + '}' if answer else 'set()'

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, int) and not isinstance(given, bool):
            return {given}
        if given == [] or given == {}:             # {} is an empty dict: meant as set()
            return set()
        return given

    def diagnose(self, p, given):
        if not isinstance(given, (set, list)):
            return []
        answer = self.solution()
        given = set(given)
        hints = []
        if given and given < answer:
            hints.append('Blocks overlap: check every block whose range holds the written '
                         'word, not only the one that starts nearest.')
        if not answer and given:
            hints.append('The store misses every block: compare it with each block\'s range.')
        return hints

    def wrong_answers(self, p, answer):
        m, log, live = self._blocks(p)
        everything = {b.pc for b in live}
        out = [set()] if answer else [{min(everything)}]
        others = everything - answer
        if others:
            out.append(answer | {min(others)})
        if len(answer) > 1:
            out.append({min(answer)})
        return out
