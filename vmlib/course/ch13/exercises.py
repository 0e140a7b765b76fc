"""Chapter 13's exercises: count a two-dimensional walk's references; say which way of
virtualizing memory wins."""

from __future__ import annotations

from ..exercises import Classify, Exercise

__all__ = ['CountTheReferences', 'WhichWins']


class CountTheReferences(Exercise):
    """References of a TLB miss under nested paging, ``n`` guest levels and ``m`` host levels."""

    chapter = 13
    title = "Count the references"

    def generate(self, rng):
        return {"guest": rng.choice([2, 3, 4, 5]), "host": rng.choice([2, 3, 4, 5])}

    def solve(self, p):
        n, m = p["guest"], p["host"]
        return {"native": n, "nested": (n + 1) * (m + 1) - 1}

    def question(self, p):
        return (f"A guest's page tables have {p['guest']} levels; the hypervisor's nested "
                f"tables have {p['host']}.\nA TLB miss with 4 KiB pages everywhere: how many "
                "page-table entries does the hardware\nread on the bare machine (the guest's "
                "tables alone, as host tables), and how many\nunder nested paging, where every "
                "guest-physical address the walk uses -- each\nguest page-table entry's and the "
                "data's -- goes through the host's tables first?\n"
                "Answer a dict {'native': ..., 'nested': ...}.")

    def explain(self, p, answer):
        n, m = p["guest"], p["host"]
        return (f"native: one per level, {n}. nested: {n} guest entries and the data's address, "
                f"{n + 1} guest-physical addresses, each needing {m} host references: "
                f"{n + 1} x {m} + {n} = {answer['nested']}, which is (n+1)(m+1)-1.")

    def wrong_answers(self, p, answer):
        n, m = p["guest"], p["host"]
        wrong = [{**answer, "nested": n * m}, {**answer, "nested": n + m},
                 {**answer, "nested": (n + 1) * m}]
        return [w for w in wrong if w != answer]

    def diagnose(self, p, given):
        n, m = p["guest"], p["host"]
        if isinstance(given, dict) and given.get("nested") == n * m:
            return ["Each of the guest's own entries is a read too, and the data's "
                    "guest-physical address needs a host walk of its own."]
        if isinstance(given, dict) and given.get("nested") == (n + 1) * m:
            return ["Add the guest's own entries: the host walks find them, then they are "
                    "read."]
        return []


#: a guest's memory behaviour, and which way of virtualizing memory costs it less
ITEMS = (
    ("a build server: thousands of short processes, each with new page tables", 'nested'),
    ("a kernel that maps and unmaps buffers all the time (ptemod-like)", 'nested'),
    ("a guest that forks a child for every request", 'nested'),
    ("a big in-memory table read at random, page tables built once, a small TLB",
     'shadow'),
    ("a scan over more pages than the TLB holds, again and again, with fixed mappings",
     'shadow'),
    ("a computation on a few pages that all fit in the TLB", 'about the same'),
    ("a guest that sleeps in wfi most of the time", 'about the same'),
)
KINDS = ('nested', 'shadow', 'about the same')


class WhichWins(Classify):
    """Shadow paging pays per page-table change (exits); nested paging per TLB miss (a longer
    walk). Which one costs a workload less?"""

    chapter = 13
    title = "Which wins?"
    ITEMS = ITEMS
    KINDS = KINDS
    CHOOSE = 3
    EXTRA = 2
    WRONG = "Item(s) {} would fare otherwise."

    def question(self, p):
        lines = ["Shadow paging costs an exit for each change of a guest page table; nested",
                 "paging costs a longer walk for each TLB miss. For each workload, which costs",
                 "less: 'nested', 'shadow', or 'about the same'?"]
        lines += self.lettered(p)
        lines.append("Answer with a list, e.g. ['nested', 'shadow', ...].")
        return "\n".join(lines)
