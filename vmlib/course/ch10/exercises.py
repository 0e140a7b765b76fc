"""Chapter 10's exercises: what the translator does with each instruction of a kernel path,
and what a path costs translated against trapped."""

from __future__ import annotations

from ...hypervisor.costs import CostModel
from ..exercises import Exercise
from .translation import TREATMENTS, kernel_instructions

__all__ = ['TreatEachInstruction', 'TranslateOrTrap', 'REGIONS']

#: stretches of the guest kernel's own code: (symbol, instructions skipped, instructions)
REGIONS = (('sys_sie_write', 0, 8), ('ret_to_user', 4, 6), ('arm_timer', 0, 6),
           ('sum_on', 0, 10), ('kputc_sbi', 0, 4), ('kfib', 0, 9), ('trap_entry', 0, 4),
           ('trap_page_fault', 0, 8), ('trap_interrupt', 0, 7), ('use_table_of', 0, 8))
KINDS = tuple(TREATMENTS)


class TreatEachInstruction(Exercise):
    """Each instruction of a stretch of the guest kernel: ident, callout, chained or lookup?"""

    chapter = 10
    title = "Treat each instruction"

    def generate(self, rng):
        symbol, skip, count = rng.choice(REGIONS)
        return {"symbol": symbol, "skip": skip, "count": count}

    def rows(self, p):
        return kernel_instructions(p["symbol"], p["skip"], p["count"])

    def solve(self, p):
        return [kind for _, _, kind in self.rows(p)]

    def question(self, p):
        lines = [f"The guest kernel's code at {p['symbol']}"
                 + (f" + {4 * p['skip']}" if p['skip'] else "") + ", as the disassembler shows it.",
                 "What does the binary translator make of each instruction? One of:"]
        lines += [f"  {kind:<8} {what}" for kind, what in TREATMENTS.items()]
        lines.append("")
        lines += [f"  {self.letter(k)} 0x{pc:08x}  {text}"
                  for k, (pc, text, _) in enumerate(self.rows(p))]
        lines.append("Answer with a list, e.g. ['ident', 'callout', ...].")
        return "\n".join(lines)

    @staticmethod
    def letter(k):
        return chr(ord('a') + k) + ')'

    def compare(self, expected, given, where="the answer"):
        if not isinstance(given, list) or len(given) != len(expected):
            return super().compare(expected, given, where)
        wrong = [self.letter(k) for k, (e, g) in enumerate(zip(expected, given))
                 if str(g).strip().lower() != e]
        return [f"Item(s) {', '.join(wrong)} are treated otherwise."] if wrong else []

    def explain(self, p, answer):
        return "\n".join(f"  {self.letter(k)} {text:<26} {kind}"
                         for k, (_, text, kind) in enumerate(self.rows(p)))

    def wrong_answers(self, p, answer):
        flips = {'lookup': 'chained', 'callout': 'ident', 'chained': 'lookup', 'ident': 'callout'}
        return [[flips[a] if i == k else a for i, a in enumerate(answer)]
                for k in range(min(3, len(answer)))]

    def diagnose(self, p, given):
        if not isinstance(given, list) or len(given) != p["count"]:
            return []
        mistakes = {(kind, str(g).strip().lower()) for (_, _, kind), g in zip(self.rows(p), given)}
        hints = []
        if ('chained', 'lookup') in mistakes:
            hints.append("A direct branch, a jump, and a call (auipc + jalr, both seen at "
                         "translation) have targets known at translation: they are chained.")
        if ('lookup', 'chained') in mistakes:
            hints.append("ret is a jalr to the address in ra, known only at run time: the "
                         "translator cannot link it, it looks the target up.")
        if ('callout', 'ident') in mistakes:
            hints.append("CSR accesses, sret, sfence.vma, wfi and ecall are sensitive: the "
                         "translated kernel never executes them itself.")
        return hints


class TranslateOrTrap(Exercise):
    """A kernel path run many times: cycles under trap-and-emulate and under binary
    translation, with the cost model's defaults."""

    chapter = 10
    title = "Translate or trap?"

    def generate(self, rng):
        k = rng.choice([12, 20, 30, 40])
        return {"length": k, "sensitive": rng.choice([1, 2, 3, 4]),
                "returns": rng.choice([0, 1, 2]), "runs": rng.choice([1, 10, 100, 1000])}

    def solve(self, p):
        c = CostModel()
        plain = p["runs"] * (p["length"] - p["sensitive"]) * c.guest_instruction
        trap = plain + p["runs"] * p["sensitive"] * (c.trap + c.csr_emulation + c.trap_return)
        bt = (plain + p["runs"] * (p["sensitive"] * c.callout + p["returns"] * c.tc_lookup)
              + p["length"] * c.translation)
        return {"trap": trap, "bt": bt}

    def question(self, p):
        c = CostModel()
        s, r, n = p['sensitive'], p['returns'], p['runs']
        return "\n".join([
            f"A guest-kernel path of {p['length']} instructions holds {s} CSR "
            f"access{'es' * (s != 1)} (sensitive) and {r} ret{'s' * (r != 1)}.",
            f"It runs {n} time{'s' * (n != 1)}. With the cost model's defaults -- an "
            f"instruction run directly {c.guest_instruction},",
            f"trap {c.trap}, csr_emulation {c.csr_emulation}, trap_return {c.trap_return}; "
            f"callout {c.callout}, tc_lookup {c.tc_lookup}, translation",
            f"{c.translation} per instruction, once -- how many cycles does it cost",
            "  trap: under trap-and-emulate (each CSR access traps, is emulated and returns);",
            "  bt: under binary translation (translated once, each CSR access a callout, each",
            "      ret a lookup)?",
            "A sensitive instruction done by the VMM is not also an instruction run directly.",
            "Answer a dict {'trap': ..., 'bt': ...}."])

    def explain(self, p, answer):
        c = CostModel()
        n, k, s, r = p["runs"], p["length"], p["sensitive"], p["returns"]
        return (f"plain: {n} x ({k} - {s}) = {n * (k - s):,} cycles either way.\n"
                f"trap: + {n} x {s} x ({c.trap} + {c.csr_emulation} + {c.trap_return}) = "
                f"{answer['trap']:,}.\nbt: + {n} x ({s} x {c.callout} + {r} x {c.tc_lookup}) "
                f"+ {k} x {c.translation} = {answer['bt']:,}.")

    def wrong_answers(self, p, answer):
        c = CostModel()
        wrong = [{**answer, "bt": answer["bt"] - p["length"] * c.translation},
                 {**answer, "trap": answer["trap"] + p["runs"] * p["sensitive"]},
                 {**answer, "bt": answer["bt"] - p["runs"] * p["returns"] * c.tc_lookup}]
        return [w for w in wrong if w != answer]

    def diagnose(self, p, given):
        c = CostModel()
        answer = self.solution()
        if isinstance(given, dict) and given.get("bt") == answer["bt"] - p["length"] * \
                c.translation != answer["bt"]:
            return ["Translating is not free: each instruction of the path is translated "
                    "once, before it first runs."]
        return []
