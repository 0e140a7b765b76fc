"""Chapter 12's exercises: where each thing a KVM guest does is served, and how many exits
each console path costs."""

from __future__ import annotations

from ..exercises import Classify, Exercise

__all__ = ['WhereIsItServed', 'CountTheExits']

#: what a guest kernel (in VS-mode) or its process (VU-mode) does, and who serves it
ITEMS = (
    ("the guest kernel writes sstatus to mask its interrupts", 'the guest, no exit'),
    ("the guest kernel returns to a process with sret", 'the guest, no exit'),
    ("the guest kernel switches address spaces: csrw satp, sfence.vma (nested paging)",
     'the guest, no exit'),
    ("a process makes a system call: ecall from VU-mode", "the guest's kernel"),
    ("a process touches a page it has not been given: a page fault", "the guest's kernel"),
    ("the guest kernel arms its timer: SBI set_timer", 'KVM in the kernel'),
    ("the guest kernel waits for its timer with wfi", 'KVM in the kernel'),
    ("the guest kernel reads hstatus (a hypervisor CSR)", 'KVM in the kernel'),
    ("the guest kernel prints a character: SBI console_putchar", 'the user-space VMM'),
    ("the guest kernel writes the UART's data register", 'the user-space VMM'),
    ("the guest kernel powers off: SBI system reset", 'the user-space VMM'),
)
KINDS = ('the guest, no exit', "the guest's kernel", 'KVM in the kernel', 'the user-space VMM')


class WhereIsItServed(Classify):
    """Under KVM with nested paging: does it run in the guest, trap to the guest's own kernel,
    exit to KVM (and stay in the host kernel), or come back to the user-space VMM?"""

    chapter = 12
    title = "Where is it served?"
    ITEMS = ITEMS
    KINDS = KINDS
    CHOOSE = 4
    EXTRA = 2
    WRONG = "Item(s) {} are served somewhere else."

    def question(self, p):
        lines = ["A guest runs under KVM on the H extension, with nested paging (technique hw).",
                 "Who serves each of these? Answer one of: " + "; ".join(KINDS) + "."]
        lines += self.lettered(p)
        lines.append("Answer with a list, e.g. ['KVM in the kernel', ...].")
        return "\n".join(lines)

    def diagnose(self, p, given):
        items = [self.ITEMS[i][0] for i in p["items"]]
        if isinstance(given, list) and len(given) == len(items) and \
                any('hstatus' in text for text in items) and 'KVM in the kernel' not in given:
            return ["A hypervisor CSR from VS-mode is a virtual-instruction exception: it "
                    "exits to KVM, which hands the guest an illegal instruction."]
        return []


class CountTheExits(Exercise):
    """Exits to user space for one message, by console path."""

    chapter = 12
    title = "Count the exits"

    def generate(self, rng):
        return {"bytes": rng.choice([40, 100, 256, 1000]), "writes": rng.choice([1, 2, 4, 8])}

    def solve(self, p):
        return {"putchar": p["bytes"], "dbcn": p["writes"], "uart": 2 * p["bytes"]}

    def question(self, p):
        return (f"A guest kernel prints a message of {p['bytes']} bytes in {p['writes']} "
                "write() chunks.\nHow many exits to the user-space VMM does it cost under KVM\n"
                "  putchar: with an SBI console_putchar per byte;\n"
                "  dbcn: with one SBI debug-console write per chunk;\n"
                "  uart: with its own UART driver, which reads the line status register once\n"
                "        and then writes the data register, for every byte?\n"
                "Answer a dict {'putchar': ..., 'dbcn': ..., 'uart': ...}.")

    def explain(self, p, answer):
        return (f"putchar: one call per byte, {answer['putchar']}; dbcn: one per chunk, "
                f"{answer['dbcn']}; uart: two device registers per byte, {answer['uart']}.")

    def wrong_answers(self, p, answer):
        wrong = [{**answer, "uart": p["bytes"]}, {**answer, "dbcn": p["bytes"]},
                 {**answer, "putchar": p["writes"]}]
        return [w for w in wrong if w != answer]

    def diagnose(self, p, given):
        if isinstance(given, dict) and given.get("uart") == p["bytes"] != 2 * p["bytes"]:
            return ["Each byte touches two device registers: the status, then the data."]
        return []
