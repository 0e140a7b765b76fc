"""The dynamic binary translator: guest code becomes Python code, once, and then runs as that.

The interpreter (``interp.py``) decodes each instruction once but still dispatches on it every
time it runs: a chain of ``if op == ...`` tests, operands fetched from a tuple, the pc and the
count updated one instruction at a time. The translator does that work once per *block*:

- A **block** is a straight run of guest instructions from a start pc up to and including the
  first branch, jump or system instruction, the end of the page, or ``MAX_BLOCK`` instructions.
- Each block becomes the source of one Python function, pasted together from the decode
  table's snippets (``vmlib.isa.table``) and the interpreter's own load/store/branch code
  generators (``load_code``/``store_code``/``branch_code`` in ``interp.py``), with the operands
  bound to constants (``bind_operands``) and the guest registers the block uses kept in Python
  locals (``x5`` for ``t0``...) between a load at entry and a store back at exit. ``compile()``
  turns the source into a function. ``block_source(machine, pc)`` shows it; ``Translator``
  keeps statistics (``stats()``) and the history of the block cache (``history``).
- **Loops** become Python ``for`` loops, one Python iteration per guest iteration, as many as
  the step budget and the next timer event allow. A loop is found by following the code from
  the block's start on its page (forward branches guessed not taken, ``jal`` followed) back to
  the start: so a loop of several basic blocks (a test at the top, a ``j`` at the bottom, a
  forward ``beq`` out of the middle) is still one Python loop, with side exits. Inside a loop,
  a load or store remembers the last page the TLB gave and skips the TLB while it stays there.
- **Hot code only**: compiling costs about a millisecond per block, the time to interpret a few
  thousand instructions. Where a lookup finds no translation, the interpreter runs on from
  there (at least the block, at least ``COLD_CHUNK`` instructions); a start pc that comes up
  more than ``HOT_THRESHOLD`` times is translated. Translated code pulls its successors in: an
  exit to a cold block is such a lookup, every time it is taken.
- Blocks are cached by (RAM address, guest pc): a block depends on the bytes it was made from
  and on the virtual address it runs at (``auipc``, ``jal`` and branch targets are constants in
  it). A lookup goes through the fetch TLB (``hart.xtlb``), so a new page table, an
  ``sfence.vma`` or a change of privilege finds the right block or makes a new one, exactly when
  the interpreter would fetch again.
- **Chaining**: a block exits by returning the function to run next and the new instruction
  count. Each static exit (branch taken, not taken, ``jal``, falling through) returns a closure
  variable that first holds a small *resolver*; once the successor is translated (and on the
  same page, so on the same mapping), the resolver patches the variable to the successor
  itself, and from then on the block jumps there without any lookup. An exit to another page
  (whose mapping may change) and ``jalr`` (returns, calls through pointers) look their target
  up every time: a dict lookup through the fetch TLB.
- **Self-modifying code**: pages holding translated code are kept out of the store TLB (like
  the interpreter's decoded pages), so every store to them reaches ``Hart.ram_written``, which
  calls ``code_written`` here: the blocks covering the written bytes are dropped and unlinked
  from their predecessors. A block that stores through the slow path ends right after the store,
  so the next instruction is looked up again, like the interpreter's restart after a slow store.

Exactness. The instruction count and the guest state are those of the interpreter at every
point where anything outside the block can look: the dispatcher runs translated code only
while at least ``MAX_BLOCK`` instructions remain before ``stop`` (the budget's end or the next
timer event, from ``hart.stop_at``), so no block runs past it, and loops check the bound each
iteration; the last few instructions before a stop run in the interpreter. Slow paths record the
pc of their instruction and pass the exact count (``n + k``) to ``load_slow``/``store_slow``;
a ``Trap`` raised inside a block first stores the block's registers back (registers written by
the instructions before the faulting one, the others unchanged), so ``take_trap`` (and the
process VM's ``trap_hook``) sees what the interpreter would show it. System instructions run
through ``hart.exec_system`` exactly as in the interpreter, after which the dispatcher
re-reads the world (TLBs, privilege, the next stop).
"""

import re

from ..isa import disassemble
from ..isa.decode import decode_for_execution
from ..isa.table import SPECS, SNIPPET_GLOBALS, OP_DECODE, OP_ILLEGAL
from .engines import Engine
from .interp import bind_operands, branch_code, load_code, store_code, run_loop
from .sv32 import FETCH
from .traps import Trap, ILLEGAL_INSTRUCTION

M32 = 0xFFFFFFFF
MAX_BLOCK = 64          # instructions per block at most (also the dispatcher's safety margin)
RESYNC = 1 << 48        # added to the count a block returns: "stop, look at the world again"
HISTORY_LIMIT = 100_000
HOT_THRESHOLD = 16      # cold runs of a block before it is worth translating
COLD_CHUNK = 32         # instructions the interpreter runs at least, from a cold block
COMPILED_LIMIT = 20_000  # compiled blocks kept for reuse (by source) before starting afresh
#: block source -> code object: the same block met again (another run of the same program, the
#: same guest kernel under a hypervisor) is compiled once per process. The code is pure: its
#: globals (registers, TLBs, the hart) come from each translator's namespace when it runs.
_COMPILED = {}


class Block:
    """What the translator knows about one translated block."""

    __slots__ = ('pc', 'index', 'key', 'length', 'slots', 'roles', 'func', 'source',
                 'resolvers', 'preds', 'succs', 'loop', 'alive')

    def __init__(self, pc, index, path, source, loop):
        self.pc, self.index = pc, index
        self.length = len(path)                     # instructions (per iteration of a loop)
        self.slots = sorted({(ipc & 0xFFF) >> 2 for ipc, _, _, _ in path})  # words covered
        self.roles = [role for _, _, _, role in path]
        self.key = index << 32 | pc
        self.source = source
        self.loop = loop
        self.func = None
        self.resolvers = {}     # exit name -> resolver closure (what the exit holds unlinked)
        self.preds = []         # (block, exit name): exits of other blocks linked to this one
        self.succs = []         # blocks our exits are linked to
        self.alive = True

    def __repr__(self):
        return f'<block 0x{self.pc:08x} +{self.length}{" loop" if self.loop else ""}>'


def _imm(v):
    return str(v) if v >= 0 else f'({v})'


_REG = re.compile(r'\bR\[(\d+)\]')
_PC = re.compile(r'\bpc\b')
_PLUS_ZERO = re.compile(r'\((R\[\d+\]) \+ 0\) & 0xFFFFFFFF')
_S32 = re.compile(r'\bs32\((R\[\d+\])\)')
S32_INLINE = r'((\1 ^ 0x80000000) - 0x80000000)'     # vmlib.isa.table.s32, without the call


class Translator(Engine):
    """One hart's translator: the block cache, the code generator and the dispatcher."""

    name = 'dbt'

    def __init__(self, hart, max_block=MAX_BLOCK, use_locals=True, threshold=HOT_THRESHOLD,
                 cold_chunk=COLD_CHUNK):
        super().__init__(hart)
        self.threshold = threshold  # a block is interpreted this many times, then translated
        self.heat = {}              # key -> [times interpreted, length] of blocks not translated
        self.cold_chunk = cold_chunk  # a cold run goes on in the interpreter this far at least
        self.max_block = max_block
        self.longest = 0            # instructions in the longest block translated
        self.use_locals = use_locals
        self.blocks = {}            # key (RAM index << 32 | pc) -> block function
        self.info = {}              # key -> Block
        self.by_page = {}           # RAM page number -> {key: Block} of blocks in that page
        self.cover = {}             # RAM page number -> bytearray: blocks covering each word
        bus = hart.bus
        self.ns = dict(SNIPPET_GLOBALS, Trap=Trap, R=hart.x, hart=hart, ram=bus.ram,
                       ram16=bus.ram16, ram32=bus.ram32, rtlb=hart.rtlb, wtlb=hart.wtlb,
                       load_slow=hart.load_slow, store_slow=hart.store_slow,
                       exec_system=hart.exec_system, trap_at=self._trap_at,
                       lookup=self.lookup, RESYNC=RESYNC, stop=0)
        self.interp = run_loop()
        # statistics
        self.translated = 0         # blocks compiled
        self.lookups = 0            # block lookups by pc (jalr, after a resync, unlinked exits)
        self.hits = 0               # ... that found a translated block
        self.resolves = 0           # unlinked static exits followed
        self.resolved = 0           # ... to a translated block (linked if on the same page)
        self.entered = 0            # stubs run (a lookup had missed): cold runs, translations
        self.fresh = 0              # ... that returned a block just translated
        self.links = 0              # exits patched to jump straight to their successor
        self.dispatched = 0         # calls by the dispatcher loop (blocks, resolvers, stubs)
        self.invalidations = 0      # blocks dropped because their bytes were written
        self.dropped = 0            # blocks dropped because their mapping changed
        self.interpreted = 0        # instructions run by the interpreter (cold, near a stop)
        self.history = []           # (instret, translated, live blocks, invalidations)
        self.on_change = None       # callable(translator), told after each history entry
        hart.code_written = self.code_written

    # --- running ----------------------------------------------------------------------------

    def run(self, budget):
        """Execute up to ``budget`` instructions (fewer if the machine halts)."""
        hart = self.hart
        ns = self.ns
        ns['R'] = hart.x                        # (a hypervisor swaps in a guest's registers)
        margin = max(self.max_block, self.longest)      # no block is longer
        n = hart.instret
        end = n + budget
        f = None                                # the next block to run, or None: look it up
        while True:
            hart.instret = n
            stop = hart.stop_at(n, end)
            if n >= stop:                       # the budget, a timer, an interrupt, wfi...
                if not hart.service(end):
                    break
                n = hart.instret
                f = None
                continue
            if stop - n <= margin:              # close to the stop: interpret, exactly
                self.near_stop(stop - n)
                n = hart.instret
                f = None
                continue
            safe = stop - margin
            ns['stop'] = stop
            ns['rtlb'] = hart.rtlb
            ns['wtlb'] = hart.wtlb
            if f is None:
                f = self.lookup(hart.pc)
            count = 0
            try:
                while n <= safe:
                    f, n = f(n)
                    count += 1
            except Trap as trap:                # the raiser set hart.pc and hart.instret
                self.dispatched += count
                n = hart.instret
                hart.take_trap(trap.cause, trap.tval, trap.tval2, trap.gva)
                f = None
                continue
            self.dispatched += count
            if f is None:                       # a system instruction or a slow store:
                n -= RESYNC                     # the block set hart.pc
            else:
                hart.pc = f.pc
        hart.instret = n

    def near_stop(self, count):
        """Run exactly ``count`` instructions, fewer than a block may hold, before a stop:
        in the interpreter."""
        n = self.hart.instret
        self.interp(self.hart, count)
        self.interpreted += self.hart.instret - n

    def _trap_at(self, pc, n, cause, tval):
        """The Trap a snippet raises, with the hart's pc and count at that instruction."""
        self.hart.pc, self.hart.instret = pc, n
        return Trap(cause, tval)

    # --- the block cache --------------------------------------------------------------------

    def find(self, pc):
        """The translated block function for ``pc`` in the current context, or None."""
        d = self.hart.xtlb.get(pc >> 12)
        if d is None:
            return None
        return self.blocks.get((pc + d) << 32 | pc)

    def lookup(self, pc):
        """What to run for ``pc``: its block, or a stub that translates it when called."""
        self.lookups += 1
        d = self.hart.xtlb.get(pc >> 12)
        if d is not None:
            f = self.blocks.get((pc + d) << 32 | pc)
            if f is not None:
                self.hits += 1
                return f

        def enter(n):
            hart = self.hart
            hart.pc, hart.instret = pc, n       # a fetch fault happens here, exactly
            self.entered += 1
            if self.threshold:
                vbase, _, pidx = hart.fetch_page(pc)
                index = pidx + (pc - vbase)
                key = index << 32 | pc
                heat = self.heat.get(key)
                if heat is None:
                    # (for a loop: the interpreter runs its first basic block at a time)
                    heat = self.heat[key] = [0, len(self.decode_block(pc, index))]
                heat[0] += 1
                if heat[0] <= self.threshold and key not in self.blocks:
                    # still cold: the interpreter runs the block, and on (the dispatcher
                    # left at least a block's length before stop)
                    self.interp(hart, max(heat[1], min(self.cold_chunk,
                                                        self.ns['stop'] - n)))
                    self.interpreted += hart.instret - n
                    return None, hart.instret + RESYNC
            self.fresh += 1
            return self.translate(pc), n
        enter.pc = pc
        return enter

    def translate(self, pc):
        """The block function for ``pc``, translated now if need be. May raise a fetch Trap."""
        hart = self.hart
        vbase, _, pidx = hart.fetch_page(pc)    # the interpreter's fetch: TLB, walk, faults
        index = pidx + (pc - vbase)
        key = index << 32 | pc
        f = self.blocks.get(key)
        if f is not None:
            return f
        source, path, exits, loop = self.generate(pc, index)
        block = Block(pc, index, path, source, loop)
        namespace = {}
        code = _COMPILED.get(source)
        if code is None:
            if len(_COMPILED) >= COMPILED_LIMIT:
                _COMPILED.clear()
            code = _COMPILED[source] = compile(source, f'<block 0x{pc:08x}>', 'exec')
        exec(code, self.ns, namespace)
        cells = {name: self._resolver(block, name, target) for name, target in exits.items()}
        block.resolvers = cells
        func = namespace['make'](**cells) if exits else namespace['make']()
        func.pc = pc
        block.func = func
        if loop:                                # a loop's head is the block itself
            self._set_exit(block, 'head', func)
        self.blocks[key] = func
        self.info[key] = block
        page = index >> 12
        self.by_page.setdefault(page, {})[key] = block
        cover = self.cover.get(page)
        if cover is None:
            cover = self.cover[page] = bytearray(1024)
        for slot in block.slots:
            cover[slot] += 1
        self.translated += 1
        self.longest = max(self.longest, block.length)
        self.made(block)
        self._record()
        return func

    def made(self, block):
        """A block was just translated (a subclass may count or watch it)."""

    def _resolver(self, block, name, target):
        """What exit ``name`` of ``block`` holds until it is linked to its successor."""
        same_page = target >> 12 == block.pc >> 12

        def resolve(n):
            self.resolves += 1
            f = self.find(target)
            if f is None:
                return self.lookup(target), n
            self.resolved += 1
            if same_page and block.alive:       # same page: same mapping, safe to link
                succ = self.info[(block.index & ~0xFFF | target & 0xFFF) << 32 | target]
                self._set_exit(block, name, f)
                succ.preds.append((block, name))
                block.succs.append(succ)
                self.links += 1
            return f, n
        resolve.pc = target
        return resolve

    @staticmethod
    def _set_exit(block, name, value):
        code = block.func.__code__
        block.func.__closure__[code.co_freevars.index(name)].cell_contents = value

    def _drop(self, block):
        """Forget ``block``: out of the cache, and every exit linked to it unlinked."""
        if not block.alive:
            return
        block.alive = False
        del self.blocks[block.key]
        del self.info[block.key]
        page = block.index >> 12
        del self.by_page[page][block.key]
        cover = self.cover[page]
        for slot in block.slots:
            cover[slot] -= 1
        for pred, name in block.preds:
            if pred.alive:
                self._set_exit(pred, name, pred.resolvers[name])
        for succ in block.succs:
            succ.preds = [(p, e) for p, e in succ.preds if p is not block]
        block.preds = block.succs = []

    def code_written(self, index, size):
        """RAM [index, index + size) was written: drop the blocks made from those bytes."""
        self.drop_covering(index, size, written=True)

    def drop_covering(self, index, size, written=False):
        """Drop the blocks made from RAM [index, index + size) (``written``: counted as
        invalidations, their bytes changed)."""
        end = index + size
        while index < end:
            page = index >> 12
            stop = min(end, (page + 1) << 12)
            cover = self.cover.get(page)
            if cover is not None:
                first, last = (index & 0xFFF) >> 2, ((stop - 1) & 0xFFF) >> 2
                if any(cover[first:last + 1]):
                    for block in list(self.by_page[page].values()):
                        if any(first <= slot <= last for slot in block.slots):
                            self._drop(block)
                            self.invalidations += written
                    self._record()
            index = stop

    def invalidate(self, start, end):
        """The mappings of virtual [start, end) changed: drop blocks translated from there.

        (Lookups go through the fetch TLB, so a stale block is never found under a new
        mapping anyway; this frees them.)"""
        for block in [b for b in self.info.values() if start <= b.pc < end]:
            self._drop(block)
            self.dropped += 1
        self._record()

    def flush(self):
        """Drop every block."""
        for block in list(self.info.values()):
            self._drop(block)
        self._record()

    def _record(self):
        """Note a change of the block cache in ``history`` and tell ``on_change`` (a watcher
        such as chapter 06's cache-history view, which snapshots the blocks themselves)."""
        if len(self.history) < HISTORY_LIMIT:
            self.history.append((self.hart.instret, self.translated, len(self.blocks),
                                 self.invalidations))
        if self.on_change is not None:
            self.on_change(self)

    def stats(self):
        """Counters for ``--stats``: what the translator did so far.

        Every block run starts one of four ways: a lookup that hit the cache (``cache
        hits``), an unlinked exit whose resolver found the block, a fresh translation, or a
        linked exit (``chain hits``: no lookup at all).
        """
        runs = self.dispatched - self.resolves - self.entered
        return {'blocks translated': self.translated,
                'blocks in cache': len(self.blocks),
                'block runs': runs,
                'block lookups': self.lookups,
                'cache hits': self.hits + self.resolved,
                'chain hits': max(0, runs - self.hits - self.resolved - self.fresh),
                'exits linked': self.links,
                'invalidations': self.invalidations,
                'blocks dropped (unmapped)': self.dropped,
                'blocks still cold': len(self.heat) - sum(k in self.blocks for k in self.heat),
                'instructions interpreted': self.interpreted}

    # --- the code generator -----------------------------------------------------------------

    #: what a block's ``jalr`` exit calls to find its target's block (a subclass may count it)
    INDIRECT = 'lookup'

    #: whether ``auipc rd, hi; jalr ra, lo(rd)`` (the ``call`` of a far target) is chained
    #: like a ``jal``: its target is known at translation
    DIRECT_CALLS = False

    def _call_target(self, path, k):
        """The target of the ``jalr`` at ``path[k]`` if the instruction before it is the
        ``auipc`` that computed its base register (and ``DIRECT_CALLS``), else None."""
        if not self.DIRECT_CALLS or k == 0:
            return None
        ipc, _, ins, _ = path[k - 1]
        jalr = path[k][2]
        if ins[0] >= OP_DECODE or SPECS[ins[0]].name != 'auipc' or ins[1] != jalr[2] or \
                ins[1] == 32:
            return None
        return (ipc + ins[4] + jalr[4]) & 0xFFFFFFFE

    def calls_out(self, index, ins):
        """Whether the instruction ``ins`` at RAM ``index`` ends its block as a call out of the
        translated code (``system_code``) although it is no system instruction: never here."""
        return False

    def system_code(self, pc, word, ins, count, length):
        """The lines that end a block with the system instruction ``ins`` (``word``) at
        ``pc``, ``count`` the expression of the instructions retired before it: the hart
        executes it (``exec_system``), then the dispatcher looks at the world again."""
        return [f'hart.pc = {pc:#x}; hart.instret = {count}',
                f'hart.pc = exec_system({", ".join(map(str, ins))}, {pc:#x})',
                f'return None, n + {length} + RESYNC']

    def _decoder(self, page_index):
        """offset -> (word, decoded instruction) in the RAM page at ``page_index``, through
        the hart's decoded-instruction cache (shared with the interpreter)."""
        ram32 = self.hart.bus.ram32
        slots = self.hart.icache.get(page_index >> 12)

        def decoded(offset):
            word = ram32[(page_index + offset) >> 2]
            if slots is None:
                return word, decode_for_execution(word)
            ins = slots[offset >> 2]
            if ins[0] == OP_DECODE:
                ins = slots[offset >> 2] = decode_for_execution(word)
            return word, ins
        return decoded

    def decode_block(self, pc, index):
        """The instructions of the basic block at ``pc`` (RAM index ``index``), as
        ``(pc, word, decoded)``: up to and including the first control transfer or system
        instruction, the end of the page, or ``max_block`` instructions."""
        decoded = self._decoder(index - (pc & 0xFFF))
        out = []
        for k in range(self.max_block):
            if (pc & 0xFFF) + 4 * k >= 4096:
                break
            word, ins = decoded((pc & 0xFFF) + 4 * k)
            out.append(((pc + 4 * k) & M32, word, ins))
            op = ins[0]
            if (op >= OP_DECODE or SPECS[op].kind in ('branch', 'jump', 'system')
                    or self.calls_out(index + 4 * k, ins)):
                break
        return out

    def find_loop(self, pc, index):
        """The path of a loop that starts at ``pc``, or None.

        Followed from ``pc`` on one page: forward branches are guessed not taken (their taken
        side leaves the loop), ``jal`` is followed, and the path must come back to ``pc``
        (a branch or ``jal`` to it, or falling into it) within ``max_block`` instructions,
        without ``jalr``, system instructions or another backward branch. Returns
        ``[(pc, word, decoded, role)]``; see ``generate`` for the roles.
        """
        decoded = self._decoder(index - (pc & 0xFFF))
        path, seen, ipc = [], set(), pc
        while len(path) < self.max_block and ipc >> 12 == pc >> 12 and ipc not in seen:
            seen.add(ipc)
            word, ins = decoded(ipc & 0xFFF)
            op = ins[0]
            if op >= OP_DECODE or self.calls_out(index + ipc - pc, ins):
                return None
            kind, after = SPECS[op].kind, ipc + 4
            if kind in ('alu', 'load', 'store', 'nop'):
                path.append((ipc, word, ins, 'close-fall' if after == pc else 'plain'))
                if after == pc:
                    return path
                ipc = after
            elif kind == 'branch':
                target = (ipc + ins[4]) & M32
                if target == pc:
                    path.append((ipc, word, ins, 'close-if-taken'))
                    return path
                if after == pc:
                    path.append((ipc, word, ins, 'close-if-not-taken'))
                    return path
                if target < ipc:
                    return None             # another loop inside: leave it to its own trace
                path.append((ipc, word, ins, 'exit-if-taken'))
                ipc = after
            elif SPECS[op].name == 'jal':
                target = (ipc + ins[4]) & M32
                path.append((ipc, word, ins, 'close-jal' if target == pc else 'jump'))
                if target == pc:
                    return path
                ipc = target
            else:
                return None
        return None

    def plan(self, pc, index):
        """What the translation of ``pc`` covers: ``(path, is_loop)`` (see ``generate``)."""
        path = self.find_loop(pc, index)
        if path is not None:
            return path, True
        instrs = self.decode_block(pc, index)
        path = [(ipc, word, ins, 'plain') for ipc, word, ins in instrs]
        ipc, word, ins = instrs[-1]
        op = ins[0]
        if op == OP_ILLEGAL:
            role = 'illegal'
        elif (op >= OP_DECODE or SPECS[op].kind == 'system'
              or self.calls_out(index + ipc - pc, ins)):
            role = 'system'
        elif SPECS[op].kind == 'branch':
            role = 'branch'
        elif SPECS[op].kind == 'jump':
            role = SPECS[op].name               # jal or jalr
        else:
            role = 'fall'
        path[-1] = (ipc, word, ins, role)
        return path, False

    def generate(self, pc, index):
        """Python source for the translation of ``pc``: ``(source, path, exits, is_loop)``.

        ``path`` lists ``(pc, word, decoded, role)`` in execution order; ``exits`` maps the
        names of the static exits (closure variables of the generated ``make``) to their
        target pcs.

        A basic block is straight-line code whose last instruction has the role ``branch``
        (exits ``taken`` and ``next``), ``jal`` (``taken``), ``jalr`` (looked up),
        ``system`` (``hart.exec_system``), ``illegal`` (a trap) or ``fall`` (``next``: the
        block ended at the page end or at ``max_block``). A loop (see ``find_loop``) becomes
        a ``for`` loop over guest iterations: ``exit-if-taken`` branches leave it, ``jump``
        follows a ``jal``, and the last instruction closes it (``close-if-taken``,
        ``close-if-not-taken``, ``close-jal``, ``close-fall``); the exit ``head`` is the
        loop itself (taken when the budget or a timer ends the iterations).
        """
        path, loop = self.plan(pc, index)
        L = len(path)
        exits = {}
        if loop:
            exits['head'] = pc

        def exit_to(target):
            name = f'exit_{len(exits) - loop}'
            exits[name] = target & M32
            return name

        def count(k):
            return 'n' if k == 0 else f'n + {k}'

        def bind(code, ins):
            code = bind_operands(code, {'rd': str(ins[1]), 'rs1': str(ins[2]),
                                        'rs2': str(ins[3]), 'imm': _imm(ins[4])})
            code = code.replace('R[0]', '0')
            if 's32(' in code:                  # a function call costs more than the sum
                code = _S32.sub(S32_INLINE, code)
            # registers always hold 32-bit values: adding 0 needs no wrap-around
            return _PLUS_ZERO.sub(r'\1', code) if '+ 0)' in code else code

        def jump_code(ins, ipc, keep_pc):
            """A jump's snippet with its pc constant: only ``jalr`` needs ``pc`` after it."""
            out = []
            for line in bind(SPECS[ins[0]].semantics, ins).splitlines():
                if line.startswith('pc '):
                    if keep_pc:
                        out.append(line.replace('pc += ', f'pc = {ipc:#x} + '))
                    continue
                out.append(_PC.sub(f'{ipc:#x}', line) if 'pc' in line else line)
            return out

        has_memory = any(SPECS[ins[0]].kind in ('load', 'store') for _, _, ins, role in path
                         if ins[0] < OP_DECODE)
        memo = loop and has_memory
        lines = []              # the code of the path, up to the block's own exit
        tail = []               # after the registers are stored back (basic blocks)
        writes = set()
        can_fault = False
        for k, (ipc, word, ins, role) in enumerate(path):
            op = ins[0]
            spec = SPECS[op] if op < OP_DECODE else None
            comment = f'# 0x{ipc:08x}  {disassemble(word, ipc)}'
            (tail if role in ('system', 'illegal') else lines).append(comment)
            kind = spec.kind if spec and role != 'system' else 'system'
            if kind == 'alu':
                code = bind(spec.semantics, ins)
                lines.extend((_PC.sub(f'{ipc:#x}', code) if 'pc' in code else code).splitlines())
                writes.add(ins[1])
            elif kind == 'load':
                lines.extend(bind(load_code(*spec.semantics, count=count(k), memo=memo,
                                            slow_prefix=f'hart.pc = {ipc:#x}'),
                                  ins).splitlines())
                writes.add(ins[1])
                can_fault = True
            elif kind == 'store':
                lines.extend(bind(store_code(spec.semantics[0], count=count(k), memo=memo,
                                             slow_prefix=f'hart.pc = {ipc:#x}',
                                             slow_suffix='@COMMIT\n'
                                             f'hart.pc = {(ipc + 4) & M32:#x}\n'
                                             f'return None, n + {k + 1} + RESYNC'),
                                  ins).splitlines())
                can_fault = True
            elif kind == 'nop':
                lines.append('pass')
            elif kind == 'branch':
                cond = bind(spec.semantics, ins)
                taken, after = ipc + ins[4], ipc + 4
                if role == 'exit-if-taken':
                    lines.extend(branch_code(cond, taken=f'@COMMIT\nreturn {exit_to(taken)}, '
                                             f'n + {k + 1}', not_taken='').splitlines())
                elif role == 'close-if-taken':
                    lines.extend(branch_code(cond, taken='continue',
                                             not_taken=f'@COMMIT\nreturn {exit_to(after)}, '
                                             f'n + {L}').splitlines())
                elif role == 'close-if-not-taken':
                    lines.extend(branch_code(cond, taken=f'@COMMIT\nreturn {exit_to(taken)}, '
                                             f'n + {L}', not_taken='continue').splitlines())
                else:                           # a basic block's last instruction
                    tail.extend(branch_code(cond, taken=f'return {exit_to(taken)}, n + {L}',
                                            not_taken=f'return {exit_to(after)}, n + {L}')
                                .splitlines())
            elif kind == 'jump':
                code = jump_code(ins, ipc, keep_pc=role == 'jalr')
                if any('raise Trap(' in line for line in code):
                    can_fault = True
                    code = [line.replace('raise Trap(', f'raise trap_at({ipc:#x}, {count(k)}, ')
                            for line in code]
                lines.extend(code)
                writes.add(ins[1])
                target = self._call_target(path, k) if role == 'jalr' else None
                if role == 'jal':
                    tail.append(f'return {exit_to(ipc + ins[4])}, n + {L}')
                elif target is not None:        # auipc + jalr: a direct call after all
                    tail.append(f'return {exit_to(target)}, n + {L}')
                elif role == 'jalr':
                    tail.append(f'return {self.INDIRECT}(pc), n + {L}')
            elif role == 'illegal':
                tail.append(f'raise trap_at({ipc:#x}, {count(k)}, {ILLEGAL_INSTRUCTION}, '
                            f'{ins[4]:#x})')
            else:                               # system, or a branch to a misaligned target
                tail.extend(self.system_code(ipc, word, ins, count(k), L))
            if role == 'fall':
                tail.append(f'return {exit_to(ipc + 4)}, n + {L}')

        # registers: the ones the path uses become locals, the ones it writes are stored back
        used = sorted({int(r) for line in lines + tail for r in _REG.findall(line)} - {0, 32})
        written = sorted(writes - {0, 32})
        if self.use_locals:
            def regs(code):
                return _REG.sub(r'x\1', code) if 'R[' in code else code
            entry = '; '.join(f'x{r} = R[{r}]' for r in used)
            commit = '; '.join(f'R[{r}] = x{r}' for r in written)
        else:
            def regs(code):
                return code
            entry = commit = ''
        lines = [regs(line) for line in lines]
        tail = [regs(line) for line in tail]

        def expand(code_lines, depth):
            out = []
            for line in code_lines:
                stripped = line.lstrip()
                if stripped == '@COMMIT':
                    if commit:
                        out.append(depth + line[:len(line) - len(stripped)] + commit)
                else:
                    out.append(depth + line)
            return out

        d = ' ' * 8
        out = [f'def make({", ".join(sorted(exits))}):', f'    def block_{pc:08x}(n):']
        if entry:
            out.append(d + entry)
        if memo:
            out.append(d + 'rpage = wpage = -1          # the last page each TLB gave')
        if loop:
            # one Python iteration per guest iteration, as many as fit before ``stop``;
            # n counts the instructions retired before the iteration
            lines = [f'for n in range(n, stop - {L - 1}, {L}):'] + ['    ' + line
                                                                      for line in lines]
        if can_fault and commit:
            out.append(d + 'try:')
            out.extend(expand(lines, d + '    '))
            out.append(d + 'except Trap:')
            out.append(d + '    ' + commit)
            out.append(d + '    raise')
        else:
            out.extend(expand(lines, d))
        if commit:
            out.append(d + commit)
        if loop:
            out.append(d + f'return head, n + {L}')
        else:
            out.extend(d + line for line in tail)
        out.append(f'    return block_{pc:08x}')
        return '\n'.join(out) + '\n', path, exits, loop

    def source_for(self, pc):
        """The Python the block at ``pc`` becomes, without changing anything."""
        hart = self.hart
        index = hart.bus.ram_index(hart.mmu.peek(pc, FETCH, hart.mode))
        if index is None:
            raise ValueError(f'0x{pc:08x} is not in RAM')
        return self.generate(pc, index)[0]


def block_source(machine, pc=None):
    """The Python source that the block starting at ``pc`` (default: the current pc)
    becomes, in the machine's current translation context (privilege, page tables)."""
    hart = machine.hart
    return hart.translator().source_for(hart.pc if pc is None else pc)
