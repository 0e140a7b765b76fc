"""Chapter 11's exercises: what the port replaces each privileged act with, and what batching
page-table updates saves."""

from __future__ import annotations

import math

from ..exercises import Classify, Exercise

__all__ = ['WhatReplacesIt', 'BatchTheUpdates']

#: what the unmodified kernel does, and what the port (vmlib/guest/pv.s) does instead
PORT_ITEMS = (
    ("csrw stvec, t0 at boot: where traps go", 'set_trap_table'),
    ("csrw satp, a0 then sfence.vma zero, zero: another address space", 'switch_space'),
    ("csrw sepc; csrc sstatus (SPP); csrw sscratch, tp; sret: back to a process",
     'trap_return'),
    ("sw a1, 0(a0) into a live page-table entry, then sfence.vma", 'mmu_update'),
    ("csrr s0, scause at the trap entry", 'shared page'),
    ("csrr t0, sepc at the trap entry", 'shared page'),
    ("csrc sie / csrs sie around a critical section: mask the timer", 'shared page'),
    ("csrr time, timeh: the time, to arm the next tick", 'shared page'),
    ("an SBI console_putchar for every byte of a kernel message", 'console_write'),
    ("a store to the virtio console's QueueNotify register", 'notify'),
    ("ecall in a process: a system call", 'still traps'),
    ("lbu t1, 5(t0) on the UART's LSR in the io workload's own driver", 'still traps'),
)
PORT_KINDS = ('set_trap_table', 'switch_space', 'trap_return', 'mmu_update', 'console_write',
              'notify', 'shared page', 'still traps')


class WhatReplacesIt(Classify):
    """Which hypercall (or the shared page) replaces each privileged act of the kernel."""

    chapter = 11
    title = "What replaces it?"
    ITEMS = PORT_ITEMS
    KINDS = PORT_KINDS
    CHOOSE = 5
    EXTRA = 1
    WRONG = "Item(s) {} are done another way in the port."

    def question(self, p):
        lines = ["The unmodified kernel does each of these with privileged instructions or "
                 "device registers.", "What does the paravirtual port (vmlib/guest/pv.s) do "
                 "instead? Answer a hypercall's name:",
                 "  " + ", ".join(PORT_KINDS[:6]) + ";",
                 "or 'shared page' (a plain load or store of the page it shares with the VMM),",
                 "or 'still traps' (the port leaves it as it is)."]
        lines += self.lettered(p)
        lines.append("Answer with a list, e.g. ['trap_return', 'shared page', ...].")
        return "\n".join(lines)

    def diagnose(self, p, given):
        if isinstance(given, list) and 'still traps' not in given and \
                'still traps' in self.solve(p):
            return ["A system call from a process is still an exception the VMM reflects: "
                    "the port changes the kernel, not its processes."]
        return []


class BatchTheUpdates(Exercise):
    """Hypercalls for a batch of page-table updates, against trap-and-emulate's traps."""

    chapter = 11
    title = "Batch the updates"

    def generate(self, rng):
        return {"updates": rng.choice([5, 12, 30, 64, 100, 257]),
                "batch": rng.choice([1, 4, 8, 16, 64])}

    def solve(self, p):
        return {"hypercalls": math.ceil(p["updates"] / p["batch"]), "traps": p["updates"]}

    def question(self, p):
        return (f"A kernel changes {p['updates']} entries of page tables the VMM shadows.\n"
                f"The paravirtual port queues them and sends {p['batch']} per mmu_update "
                "(the last call\ntakes what is left). How many mmu_update hypercalls does it "
                "make? And how many\ntraps would the unmodified kernel's stores cause under "
                "trap-and-emulate, if each\nstore to a shadowed table traps?\n"
                "Answer a dict {'hypercalls': ..., 'traps': ...}.")

    def explain(self, p, answer):
        return (f"ceil({p['updates']} / {p['batch']}) = {answer['hypercalls']} hypercalls; one "
                f"trap per store: {answer['traps']}.")

    def wrong_answers(self, p, answer):
        floor = p["updates"] // p["batch"]
        wrong = [{"hypercalls": answer["hypercalls"], "traps": answer["hypercalls"]},
                 {"hypercalls": floor, "traps": answer["traps"]},
                 {"hypercalls": answer["traps"], "traps": answer["traps"]}]
        return [w for w in wrong if w != answer]

    def diagnose(self, p, given):
        if isinstance(given, dict) and given.get("hypercalls") == p["updates"] // p["batch"] \
                != self.solve(p)["hypercalls"]:
            return ["The last batch is not full, but it still needs a hypercall: round up."]
        return []
