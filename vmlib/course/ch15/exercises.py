"""Chapter 15's exercises: predict a workload's winner from its counts; say which 2006 VMM
an operation favours."""

from __future__ import annotations

from ...hypervisor import CostModel
from ..exercises import Classify, Exercise
from .compare import SHORT, cycles, measure, top_events

__all__ = ['PredictTheWinner', 'WhichVmm']

#: the pairs a learner is asked about: they differ in *which* events a workload causes
PAIRS = (('bt', 'hw, no nested paging'), ('bt', 'hw'), ('trap', 'pv'), ('trap', 'bt'),
         ('hw', 'hw, no nested paging'))
WORKLOADS = ('syscall', 'io', 'csr', 'callret', 'pgfault', 'exception', 'ptemod')


class PredictTheWinner(Exercise):
    """Two ways of running one workload, their measured counts and the prices: which costs
    fewer cycles?"""

    chapter = 15
    title = "Predict the winner"

    def generate(self, rng):
        return {'workload': rng.choice(WORKLOADS), 'pair': list(rng.choice(PAIRS))}

    def _counts(self, p):
        return {way: measure(way, p['workload']).events for way in p['pair']}

    def solve(self, p):
        a, b = p['pair']
        return a if cycles(a, p['workload']) < cycles(b, p['workload']) else b

    def question(self, p):
        costs = CostModel()
        counts = self._counts(p)
        events = [e for e in costs.as_dict() if any(c.get(e) for c in counts.values())]
        a, b = p['pair']
        lines = [f"The workload {p['workload']!r}, run two ways. Their counts of each "
                 "cost-model event,",
                 "and what one event costs (cycles):", '',
                 f"{'event':<22}{'cost':>6}  {SHORT[a]:>12}  {SHORT[b]:>12}"]
        for e in events:
            lines.append(f"{e:<22}{costs.cost(e):>6g}  {counts[a].get(e, 0):>12,}  "
                         f"{counts[b].get(e, 0):>12,}")
        lines += ['', f"Which costs fewer cycles: {a!r} or {b!r}? (Estimate from the biggest "
                  "products first.)"]
        return '\n'.join(lines)

    def explain(self, p, answer):
        out = []
        for way in p['pair']:
            out.append(f"{SHORT[way]}: {cycles(way, p['workload']):,.0f} cycles, mostly "
                       + ', '.join(f'{e} {c:,.0f}' for e, c in top_events(way, p['workload'])))
        return '; '.join(out) + f". So {answer!r} wins."

    def wrong_answers(self, p, answer):
        return [w for w in p['pair'] if w != answer]


#: an operation, and the 2006 VMM it favours (Adams & Agesen's findings, by mechanism)
ITEMS = (
    ("a process making system calls in a tight loop", 'hardware'),
    ("a process taking a fault it handles itself (divide by zero, a signal)", 'hardware'),
    ("a kernel writing a device register in a loop", 'binary translation'),
    ("a kernel changing page-table entries (mmap, mprotect, munmap)", 'binary translation'),
    ("a process touching fresh pages: page faults the kernel serves", 'binary translation'),
    ("a kernel making many calls and returns (indirect jumps)", 'hardware'),
    ("fork and exit, again and again", 'binary translation'),
    ("pure user-mode arithmetic", 'the same'),
)
KINDS = ('hardware', 'binary translation', 'the same')


class WhichVmm(Classify):
    """Adams & Agesen's two VMMs: VMware's binary translator and a first-generation hardware
    VMM (no nested paging). Which one does each operation favour?"""

    chapter = 15
    title = "Which 2006 VMM?"
    ITEMS = ITEMS
    KINDS = KINDS
    EXTRA = 2
    WRONG = "Item(s) {} favour the other VMM (or neither)."

    def question(self, p):
        lines = ["A first-generation hardware VMM leaves a guest alone until an exit, but each",
                 "exit costs thousands of cycles; a binary translator calls out cheaply from the",
                 "kernel code it translated, but every trap from a process still reaches it and",
                 "its translated returns pay a lookup. For each operation: 'hardware', 'binary",
                 "translation', or 'the same'?"]
        lines += self.lettered(p)
        lines.append("Answer with a list, e.g. ['hardware', 'binary translation', ...].")
        return '\n'.join(lines)
