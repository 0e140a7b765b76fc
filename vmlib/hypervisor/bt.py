"""Binary translation of a guest kernel: VMware's answer to a CPU that is not virtualizable.

The x86 of 1998 had sensitive instructions that did not trap when deprivileged (chapter 09),
so VMware's monitor never ran guest-kernel code directly: it *translated* it, block by block
before it first ran, into a translation cache, and ran the translation (Bugnion et al., TOCS
2012; Adams & Agesen, ASPLOS 2006). The translator here does the same to the RISC-V guest
kernel, built on the machine's own translator (``vmlib.machine.dbt``: blocks, chaining, loops,
self-modifying code) with three changes:

- **ident / callout**: an innocuous instruction is copied as it is (``ident``); a sensitive one
  -- every instruction of the decode table's categories ``CALLOUT_CATEGORIES``: CSR accesses,
  ``sret``, ``wfi``, ``sfence.vma``, ``ecall``, ``ebreak`` -- becomes a direct call into the
  VMM (``callout(word, pc)``), which does its work on the virtual CPU with the hypervisor's one
  emulator and handler table. No trap, no exit: the decision was made once, at translation.
  Because no sensitive instruction ever reaches the hardware, the non-virtualizable CPU of
  chapter 09 does not matter any more;
- **control flow rewritten**: direct branches and jumps -- and ``call``, the ``auipc`` +
  ``jalr`` pair whose target is known at translation -- are chained from block to block (no
  cost once linked); any other ``jalr`` (a return, a call through a pointer) must look its
  target up in the cache (``tc_lookup``: the price of ``callret``);
- **adaptive translation**: a load or store that keeps trapping (it writes a page table the
  VMM write-protects, or reaches a device register) is retranslated as a callout that does the
  access in the VMM directly (``trapped``): Adams & Agesen's answer to ``ptemod``. One that
  then keeps finding plain memory (the page stopped being traced) is copied again
  (``called_out``), and must trap twice as often before it is adapted again: a loop that
  zeroes pages should neither pay a callout per store for ever nor flip-flop.

Every guest-kernel instruction is translated before it runs: there is no interpreter for cold
code (the machine's translator has one). Only the last few instructions before a stop (the
VMM's timer, the step budget) run from single-instruction translations (``stepper``), so that
a run ends exactly where it must -- a device of this simulator, not of VMware's, so not
charged as translation.
"""

from collections import Counter

from ..isa.table import OP_DECODE, SPECS
from ..isa import disassemble
from ..machine.dbt import MAX_BLOCK, RESYNC, Translator
from ..machine.sv32 import FETCH
from ..machine.traps import Trap

#: the decode table's categories whose instructions a translated kernel never executes itself
CALLOUT_CATEGORIES = ('system', 'csr', 'privileged', 'hypervisor')
#: traps at one kernel load or store, for a service of the VMM, before it is made a callout
ADAPT_AFTER = 2
#: plain-memory accesses in a row by an adaptive callout before it is copied again
REVERT_AFTER = 16


def treatment(ins, adaptive=False):
    """How the translator treats the decoded instruction ``ins`` in guest-kernel code:
    ``'ident'`` (copied), ``'callout'`` (a call into the VMM), ``'chained'`` (a direct
    branch or jump, linked to its successor), ``'lookup'`` (``jalr``: found in the cache at
    run time) or ``'illegal'`` (no instruction: it traps). ``adaptive``: the instruction was retranslated as a callout."""
    op = ins[0]
    if op >= OP_DECODE:
        return 'illegal'            # no instruction: it traps, and the VMM reflects the trap
    spec = SPECS[op]
    if spec.category in CALLOUT_CATEGORIES or adaptive:
        return 'callout'
    if spec.kind == 'branch' or spec.name == 'jal':
        return 'chained'
    if spec.name == 'jalr':
        return 'lookup'
    return 'ident'


class KernelTranslator(Translator):
    """The translation cache of one guest kernel, on the host hart.

    ``callout(word, pc)`` is the VMM's entry for translated code (returns the next pc);
    ``count(event, n)`` charges cost-model events to the guest; ``adaptive`` is the set of RAM
    indexes of loads and stores translated as callouts; ``watch(block, made)`` is told when a
    block is made (True) or dropped (False), so the VMM can write-protect the guest's code
    pages while translations come from them.
    """

    name = 'bt'
    INDIRECT = 'indirect'
    DIRECT_CALLS = True

    def __init__(self, hart, callout, count, watch, max_block=MAX_BLOCK, adaptive=None):
        super().__init__(hart, max_block=max_block, threshold=0)
        self.count, self.watch = count, watch
        self.adaptive = set() if adaptive is None else adaptive
        self.ns.update(callout=callout, indirect=self.indirect)
        self.instructions_translated = 0
        self.indirect_lookups = 0
        self.retranslations = 0
        self.reversions = 0
        self.traps = Counter()          # RAM index -> traps for a service since last copied
        self.plain = Counter()          # RAM index -> plain-memory callouts in a row
        self.reverted = Counter()       # RAM index -> times copied again
        self.stepper = None if max_block == 1 else \
            KernelTranslator(hart, callout, count, watch, 1, self.adaptive)

    # --- what becomes a callout -----------------------------------------------------------------

    def calls_out(self, index, ins):
        return index in self.adaptive

    def system_code(self, pc, word, ins, count, length):
        if ins[0] >= OP_DECODE or SPECS[ins[0]].category == 'amo':
            # an atomic (ident, never made adaptive), a branch to a misaligned target
            return super().system_code(pc, word, ins, count, length)
        # the VMM retires the instruction itself: the block counts the ones before it
        return [f'hart.pc = {pc:#x}; hart.instret = {count}',
                f'hart.pc = callout({word:#x}, {pc:#x})',
                f'return None, {count} + RESYNC']

    def indirect(self, pc):
        """A ``jalr`` of translated code: its target's translation, from the cache."""
        self.indirect_lookups += 1
        self.count('tc_lookup')
        return self.lookup(pc)

    def trapped(self, index, adapt_after=ADAPT_AFTER):
        """The load or store at RAM ``index`` trapped for a service of the VMM (a device, a
        traced page table or code): after ``adapt_after`` traps -- twice as many after each
        time it was copied back -- it is translated as a callout from now on (its blocks are
        dropped and made again when next reached). ``adapt_after`` None: never."""
        self.traps[index] += 1
        if (adapt_after and index not in self.adaptive
                and self.traps[index] >= adapt_after << self.reverted[index]):
            self.adaptive.add(index)
            self.retranslations += 1
            self._retranslate(index)

    def called_out(self, index, plain):
        """The adaptive callout at RAM ``index`` served an access, ``plain`` memory or not:
        after ``REVERT_AFTER`` plain ones in a row it is copied again (ident)."""
        self.plain[index] = self.plain[index] + 1 if plain else 0
        if self.plain[index] >= REVERT_AFTER and index in self.adaptive:
            del self.plain[index]
            self.traps.pop(index, None)
            self.reverted[index] += 1
            self.adaptive.discard(index)
            self.reversions += 1
            self._retranslate(index)

    def _retranslate(self, index):
        for translator in (self, self.stepper):
            if translator is not None:
                translator.drop_covering(index, 4)

    # --- the cache ----------------------------------------------------------------------------

    def made(self, block):
        if self.stepper is not None:        # (the stepper's are no real translations)
            self.instructions_translated += block.length
            self.count('translation', block.length)
        self.watch(block, True)

    def _drop(self, block):
        alive = block.alive
        super()._drop(block)
        if alive:
            self.watch(block, False)

    def holds(self, page):
        """Whether translations come from RAM page ``page`` (this cache or its stepper's)."""
        return bool(self.by_page.get(page)) or (self.stepper is not None
                                                and self.stepper.holds(page))

    def near_stop(self, count):
        """The last ``count`` instructions before a stop, exactly: one translated instruction
        at a time (the stepper); the stepper itself runs its very last one here."""
        if self.stepper is not None:
            self.stepper.run(count)
            return
        hart = self.hart
        n = hart.instret
        self.ns['stop'] = n + 1
        f = self.lookup(hart.pc)
        try:
            while True:
                f, m = f(n)                 # stubs and resolvers only find the block
                if m != n:
                    break
        except Trap as trap:
            hart.take_trap(trap.cause, trap.tval, trap.tval2, trap.gva)
            return
        if f is None:                       # a callout or a system instruction set the pc
            hart.instret = m - RESYNC
        else:
            hart.instret, hart.pc = m, f.pc

    # --- for people ---------------------------------------------------------------------------

    def listing(self, pc, blocks=1):
        """The code from ``pc`` as the translator sees it, ``blocks`` blocks in a row (each
        the one the last falls into), translated now if need be: ``[(rows, source)]`` per
        block, a row ``(pc, instruction, treatment)`` per guest instruction and ``source``
        the Python the block became. (A callout ends its block here: the VMM may have changed
        anything, so the dispatcher looks at the world again. VMware's translator went on
        inline.)"""
        out = []
        for _ in range(blocks):
            self.translate(pc)
            index = self.hart.bus.ram_index(self.hart.mmu.peek(pc, FETCH, self.hart.mode))
            block = self.info[index << 32 | pc]
            path, _ = self.plan(pc, index)
            rows = []
            for k, (ipc, word, ins, _) in enumerate(path):
                kind = treatment(ins, index + ipc - pc in self.adaptive)
                if kind == 'lookup' and self._call_target(path, k) is not None:
                    kind = 'chained'            # a call: auipc + jalr
                rows.append((ipc, disassemble(word, ipc), kind))
            out.append((rows, block.source))
            pc = path[-1][0] + 4
        return out

    def counters(self):
        """What the cache holds and did, for the report."""
        stats = self.stats()
        lookups = stats['block lookups']
        return {'blocks translated': self.translated,
                'instructions translated': self.instructions_translated,
                'blocks in cache': len(self.info),
                'instructions in cache': sum(b.length for b in self.info.values()),
                'indirect lookups': self.indirect_lookups,
                'lookups': lookups, 'hits': stats['cache hits'],
                'hit rate': round(stats['cache hits'] / lookups, 4) if lookups else 0.0,
                'chain hits': stats['chain hits'],
                'invalidations': self.invalidations,
                'adaptive retranslations': self.retranslations,
                'adaptive reversions': self.reversions}
