"""Chapter 03, the machine: the tour program and the chapter's seeded exercises.

The tour (``vmlib/course/programs/tour.s``) goes M-mode -> U-mode -> ecall -> M-mode ->
page fault -> power off in a few hundred instructions::

    >>> m = tour_machine()
    >>> m.run(1000).exit_status, m.output.splitlines()[1]
    (0, 'U: 42')

Exercises (OSTEP style: a seed makes the problem, ``show_answer=True`` prints the worked
solution, ``check(answer)`` says what is wrong):

- :class:`DecodeWord`: an instruction word -> mnemonic and operands;
- :class:`TranslateAddress`: satp and page-table entries -> physical address or page fault;
- :class:`WhoHandlesTrap`: privilege level, trap and medeleg -> who handles it, with what cause.

The answers are computed by the machine itself (its decoder, its MMU, its trap entry), so an
exercise can never teach a rule the machine does not follow.
"""
from __future__ import annotations

import re

from ..isa import BY_NAME, decode, reg_name, reg_number
from ..isa.formats import bits
from ..machine.traps import cause_name, PRIV_NAMES, U, S, M
from ..machine.sv32 import PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D
from . import programs
from .exercises import Exercise

__all__ = ['TOUR', 'USER_CODE_VA', 'USER_DATA_VA', 'UNMAPPED_VA', 'tour_machine', 'tour_symbols',
           'tour_regions', 'tour_walk_presets', 'DecodeWord', 'TranslateAddress',
           'WhoHandlesTrap', 'privilege_probe', 'privilege_table', 'tour_timeline', 'PROBES']

TOUR = 'tour.s'
USER_CODE_VA, USER_DATA_VA, UNMAPPED_VA = 0x00400000, 0x00401000, 0x00402000


# ---------------------------------------------------------------------------------------------
# the tour


TOUR_RAM = 1 << 20


def tour_machine(**kw):
    """A fresh machine with the tour assembled by vmlib and loaded, at reset (M-mode).

    Its RAM is 1 MiB unless ``ram_size`` says otherwise: the tour uses 24 KiB, and a fresh
    128 MiB machine costs a noticeable fraction of a second to create (Reset makes one)."""
    kw.setdefault('ram_size', TOUR_RAM)
    return programs.machine(TOUR, **kw)


def _constants(source: str) -> set[str]:
    return set(re.findall(r'^\s*\.(?:equ|set)\s+([A-Za-z_.$][\w.$]*)', source, re.M))


def tour_symbols(machine) -> dict[int, str]:
    """address -> label for listings of the tour: its code and data labels (not its ``.equ``
    constants), plus the U program's labels at their *virtual* addresses (0x00400000...)."""
    program = machine.program
    constants = _constants(programs.source(TOUR))
    labels = {name: addr for name, addr in (program.symbols if program else {}).items()
              if name not in constants}
    out = {}
    for name, addr in sorted(labels.items(), key=lambda kv: (kv[1], kv[0])):
        out.setdefault(addr, name)
    base = labels.get('user_code')
    if base is not None:
        for name, addr in labels.items():
            if base <= addr < base + 4096:
                out.setdefault(USER_CODE_VA + addr - base, name)
    return out


def tour_regions(machine) -> dict[str, tuple[int, int]]:
    """Memory worth watching in the tour: {label: (physical address, bytes)}."""
    sym = machine.program.symbols
    return {
        'user data page (va 0x00401000)': (sym['user_data'], 32),
        'level-1 page table (root)': (sym['pt_root'], 16),
        'level-0 page table': (sym['pt_l0'], 16),
        'strings (.rodata)': (sym['hello'] & ~0xF, 48),
    }


def tour_walk_presets() -> list[tuple[str, int, str]]:
    """Interesting translations in the tour's address space: (label, va, access)."""
    return [
        ('U fetches its first instruction', USER_CODE_VA, 'fetch'),
        ('U stores 42 in its data page', USER_DATA_VA, 'store'),
        ('U loads from the unmapped page (the fault)', UNMAPPED_VA + 4, 'load'),
        ('U writes to its own code (not writable)', USER_CODE_VA + 0x10, 'store'),
        ('U executes its data (not executable)', USER_DATA_VA, 'fetch'),
        ('an address no level-1 entry covers', 0x00c00000, 'load'),
    ]


# ---------------------------------------------------------------------------------------------
# exercise 1: decode an instruction word

_DECODE_POOL = {
    'R': ['add', 'sub', 'and', 'or', 'xor', 'sll', 'srl', 'sra', 'slt', 'sltu', 'mul', 'divu'],
    'I': ['addi', 'andi', 'ori', 'xori', 'slti'],
    'load': ['lw', 'lb', 'lbu', 'lh'],
    'S': ['sw', 'sb', 'sh'],
    'B': ['beq', 'bne', 'blt', 'bge', 'bltu'],
    'U': ['lui'],
    'J': ['jal'],
}
_FIELDS = {'R': ('rd', 'rs1', 'rs2'), 'I': ('rd', 'rs1', 'imm'), 'load': ('rd', 'rs1', 'imm'),
           'S': ('rs1', 'rs2', 'imm'), 'B': ('rs1', 'rs2', 'imm'), 'U': ('rd', 'imm'),
           'J': ('rd', 'imm')}
# where each format keeps its fields, for the worked solution: (name, hi, lo)
_LAYOUT = {
    'R': [('funct7', 31, 25), ('rs2', 24, 20), ('rs1', 19, 15), ('funct3', 14, 12),
          ('rd', 11, 7), ('opcode', 6, 0)],
    'I': [('imm[11:0]', 31, 20), ('rs1', 19, 15), ('funct3', 14, 12), ('rd', 11, 7),
          ('opcode', 6, 0)],
    'S': [('imm[11:5]', 31, 25), ('rs2', 24, 20), ('rs1', 19, 15), ('funct3', 14, 12),
          ('imm[4:0]', 11, 7), ('opcode', 6, 0)],
    'B': [('imm[12|10:5]', 31, 25), ('rs2', 24, 20), ('rs1', 19, 15), ('funct3', 14, 12),
          ('imm[4:1|11]', 11, 7), ('opcode', 6, 0)],
    'U': [('imm[31:12]', 31, 12), ('rd', 11, 7), ('opcode', 6, 0)],
    'J': [('imm[20|10:1|11|19:12]', 31, 12), ('rd', 11, 7), ('opcode', 6, 0)],
}
_LAYOUT['load'] = _LAYOUT['I']
_GROUP = {name: group for group, names in _DECODE_POOL.items() for name in names}


def assembly_text(answer: dict) -> str:
    """A decoded answer written as assembly (``lw a0, -8(sp)``, ``beq a0, a1, pc+16``)."""
    a, name = answer, answer['name']
    group = _GROUP[name]
    rel = lambda imm: f"pc{imm:+d}"                           # noqa: E731
    if group == 'R':
        return f"{name} {a['rd']}, {a['rs1']}, {a['rs2']}"
    if group == 'I':
        return f"{name} {a['rd']}, {a['rs1']}, {a['imm']}"
    if group == 'load':
        return f"{name} {a['rd']}, {a['imm']}({a['rs1']})"
    if group == 'S':
        return f"{name} {a['rs2']}, {a['imm']}({a['rs1']})"
    if group == 'B':
        return f"{name} {a['rs1']}, {a['rs2']}, {rel(a['imm'])}"
    if group == 'U':
        return f"{name} {a['rd']}, 0x{a['imm']:x}"
    return f"{name} {a['rd']}, {rel(a['imm'])}"


def _reg(rng, allow_zero=False):
    return rng.randrange(0 if allow_zero else 1, 32)


class DecodeWord(Exercise):
    """Decode a 32-bit RV32 instruction word (the user ISA, as the CPU sees it)."""

    chapter = 3
    title = 'Decode an instruction word'
    rel_tol = abs_tol = 0.0          # addresses and encodings: exact, not close

    def generate(self, rng):
        group = rng.choice(sorted(_DECODE_POOL))
        name = rng.choice(_DECODE_POOL[group])
        f = {}
        for k in _FIELDS[group]:
            if k == 'imm':
                if group in ('I', 'load', 'S'):
                    f[k] = rng.choice([rng.randrange(-64, 64), rng.randrange(-2048, 2048)])
                elif group == 'B':
                    f[k] = 2 * rng.randrange(-64, 64) or 8
                elif group == 'J':
                    f[k] = 2 * rng.randrange(-1024, 1024) or 16
                else:
                    f[k] = rng.randrange(1 << 20) << 12
            else:
                f[k] = _reg(rng)
        return {'word': BY_NAME[name].encode(**f)}

    def solve(self, p):
        ins = decode(p['word'])
        group = _GROUP[ins.spec.name]
        out = {'name': ins.spec.name}
        for k in _FIELDS[group]:
            v = ins.fields[k]
            if k == 'imm':
                out[k] = v >> 12 if group == 'U' else v
            else:
                out[k] = reg_name(v)
        return out

    def question(self, p):
        w = p['word']
        ins = decode(w)
        keys = ', '.join(repr(k) for k in ['name', *_FIELDS[_GROUP[ins.spec.name]]])
        return (f"The CPU fetches the word 0x{w:08x}\n"
                f"  = {' '.join(f'{w:032b}'[i:i + 4] for i in range(0, 32, 4))} (binary).\n"
                f"Which instruction is it? Answer a dict with the keys {keys}.\n"
                "Registers by ABI name ('a0') or number ('x10'); immediates as numbers: branch and\n"
                "jump offsets in bytes, lui's immediate as written in assembly (the upper 20 bits).\n"
                "(Hint: the opcode, bits 6:0, tells the format; the RISC-V card lists the rest.)")

    def explain(self, p, answer):
        w = p['word']
        ins = decode(w)
        group = _GROUP[ins.spec.name]
        fmt = 'I' if group == 'load' else group
        article = 'an' if fmt in 'ISR' else 'a'
        lines = [f'opcode = bits 6:0 = {bits(w, 6, 0):07b}: {article} {fmt}-type instruction'
                 + (' (a load)' if group == 'load' else '') + '. Its fields:']
        for name, hi, lo in _LAYOUT[group]:
            value = bits(w, hi, lo)
            lines.append(f'  {name:<22} bits {hi:>2}:{lo:<2} = {value:0{hi - lo + 1}b}'
                         + (f' = {reg_name(value)}' if name in ('rd', 'rs1', 'rs2') else ''))
        if 'imm' in answer:
            shown = answer['imm']
            how = {'I': 'sign-extended from 12 bits', 'load': 'sign-extended from 12 bits',
                   'S': 'imm[11:5] and imm[4:0] joined, sign-extended',
                   'B': 'the scattered bits joined, bit 0 = 0, sign-extended: a byte offset',
                   'J': 'the scattered bits joined, bit 0 = 0, sign-extended: a byte offset',
                   'U': 'the upper 20 bits'}[group]
            lines.append(f'  imm = {shown} ({how})')
        lines.append(f'In assembly: {assembly_text(answer)}')
        return '\n'.join(lines)

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, dict):
            out = dict(given)
            for k in ('rd', 'rs1', 'rs2'):
                v = out.get(k)
                if isinstance(v, int) and 0 <= v < 32:
                    out[k] = reg_name(v)
                elif isinstance(v, str) and reg_number(v.strip()) is not None:
                    out[k] = reg_name(reg_number(v.strip()))
            if isinstance(out.get('name'), str):
                out['name'] = out['name'].strip().lower()
            if isinstance(out.get('imm'), str):
                try:
                    out['imm'] = int(out['imm'].strip(), 0)
                except ValueError:
                    pass
            return out
        return given

    def diagnose(self, p, given):
        if not isinstance(given, dict):
            return []
        answer = self.solution()
        hints = []
        imm, want = given.get('imm'), answer.get('imm')
        group = _GROUP[answer['name']]
        if isinstance(imm, int) and isinstance(want, int) and imm != want:
            if group in ('B', 'J') and imm * 2 == want:
                hints.append('Branch and jump offsets count bytes: the encoded bits are the '
                             'offset without its bit 0 (always 0), so multiply by 2.')
            elif group == 'U' and imm == want << 12:
                hints.append("Give lui's immediate as written in assembly: the upper 20 bits.")
            elif imm & 0xFFF == want & 0xFFF or (imm - want) % (1 << 12) == 0:
                hints.append('The immediate is sign-extended: a top bit of 1 makes it negative.')
        if given.get('rs1') == answer.get('rs2') and given.get('rs2') == answer.get('rs1') \
                and 'rs2' in answer and answer['rs1'] != answer['rs2']:
            hints.append('rs1 is bits 19:15 and rs2 bits 24:20: you swapped them.')
        return hints

    def wrong_answers(self, p, answer):
        out = []
        for k, v in answer.items():
            wrong = dict(answer)
            if k == 'name':
                wrong[k] = 'xori' if v != 'xori' else 'ori'
            elif k == 'imm':
                wrong[k] = v + 4
            else:
                wrong[k] = reg_name((reg_number(v) + 1) % 32)
            out.append(wrong)
        return out


# ---------------------------------------------------------------------------------------------
# exercise 2: translate a virtual address (Sv32)

_RAM_PAGES = 256                  # the exercise machine: 1 MiB of RAM, page tables live there
_FAULT_NAMES = {12: 'instruction page fault', 13: 'load page fault', 15: 'store/AMO page fault'}
_PERMS = {'fetch': PTE_X, 'load': PTE_R, 'store': PTE_W}
_LEAF_FLAGS = [PTE_R, PTE_R | PTE_W, PTE_R | PTE_X, PTE_X, PTE_R | PTE_W | PTE_X]


def _exercise_machine(ptes: dict, mstatus: int = 0):
    from ..machine import Machine
    m = Machine(ram_size=_RAM_PAGES * 4096)
    for addr, value in ptes.items():
        m.bus.write(int(addr), 4, int(value))
    m.hart.mstatus = mstatus
    return m


class TranslateAddress(Exercise):
    """Walk an Sv32 page table by hand: a physical address, or which page fault."""

    chapter = 3
    title = 'Translate a virtual address (Sv32)'
    rel_tol = abs_tol = 0.0          # addresses and encodings: exact, not close
    SCENARIOS = ('ok', 'ok', 'ok', 'megapage', 'invalid-l1', 'invalid-l0', 'permission',
                 'user-bit', 'reserved', 'misaligned-megapage')

    def generate(self, rng):
        scenario = rng.choice(self.SCENARIOS)
        access = rng.choice(['fetch', 'load', 'store'])
        priv = rng.choice(['U', 'U', 'S'])
        pages = rng.sample(range(1, _RAM_PAGES), 2)
        root, l0 = 0x80000 + pages[0], 0x80000 + pages[1]
        vpn1, vpn0, off = rng.randrange(1024), rng.randrange(1024), rng.randrange(4096)
        va = vpn1 << 22 | vpn0 << 12 | off
        user = PTE_U if priv == 'U' else 0
        ok_flags = [f for f in _LEAF_FLAGS if f & _PERMS[access]]
        bad_flags = [f for f in _LEAF_FLAGS if not f & _PERMS[access]]
        leaf = PTE_V | PTE_A * rng.randrange(2) | rng.choice(ok_flags) | user
        data_ppn = 0x80000 + rng.randrange(0x10000)
        l1 = (l0 << 10) | PTE_V
        l0_pte = (data_ppn << 10) | leaf
        if scenario == 'megapage':
            l1, l0_pte = ((0x200 + rng.randrange(0x200)) << 20) | leaf, None
        elif scenario == 'misaligned-megapage':
            l1, l0_pte = ((0x200 + rng.randrange(0x200)) << 20 | rng.randrange(1, 1024) << 10) \
                | leaf, None
        elif scenario == 'invalid-l1':
            l1 = rng.choice([0, (l0 << 10)])                     # V = 0 (maybe a stale PPN)
            l0_pte = None
        elif scenario == 'invalid-l0':
            l0_pte = rng.choice([0, l0_pte & ~PTE_V])
        elif scenario == 'permission':
            l0_pte = (data_ppn << 10) | PTE_V | rng.choice(bad_flags) | user
        elif scenario == 'user-bit':
            l0_pte ^= PTE_U
        elif scenario == 'reserved':
            l0_pte = (data_ppn << 10) | PTE_V | PTE_W | user
        ptes = {(root << 12) + vpn1 * 4: l1}
        if l0_pte is not None:
            ptes[(l0 << 12) + vpn0 * 4] = l0_pte
        return {'satp': (1 << 31) | root, 'va': va, 'access': access, 'priv': priv,
                'ptes': ptes}

    def walk(self, p=None):
        """The walk itself (a :class:`vmlib.course.pagewalk.Walk`), done by the machine's rules."""
        from .pagewalk import walk_steps
        p = p or self.params
        m = _exercise_machine(p['ptes'])
        return walk_steps(m, p['va'], p['access'], p['priv'], p['satp'])

    def solve(self, p):
        w = self.walk(p)
        return w.pa if w.ok else _FAULT_NAMES[w.fault]

    def question(self, p):
        lines = [f"satp = 0x{p['satp']:08x} (Sv32). {p['priv']}-mode does a {p['access']} at "
                 f"va 0x{p['va']:08x}.",
                 "Physical memory holds these page-table entries (every other word is 0):"]
        for addr, value in sorted(p['ptes'].items()):
            lines.append(f'  [0x{addr:08x}] = 0x{value:08x}')
        lines += ["mstatus.SUM = MXR = 0; the hardware sets A and D itself.",
                  "Answer the physical address (an int), or the name of the page fault",
                  "('instruction page fault', 'load page fault' or 'store/AMO page fault')."]
        return '\n'.join(lines)

    def explain(self, p, answer):
        from .pagewalk import walk_text
        return walk_text(self.walk(p))

    def text(self, show_answer=False):
        out = super().text(show_answer)
        answer = self.solution() if show_answer else None
        if isinstance(answer, int):                      # addresses read better in hex
            out = out[:out.rindex('Answer: ')] + f'Answer: 0x{answer:08x}'
        return out

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, str):
            text = given.strip().lower().replace('_', '')
            try:
                return int(text, 0)
            except ValueError:
                pass
            if 'fault' in text or text in ('load', 'store', 'fetch'):
                if 'load' in text:
                    return _FAULT_NAMES[13]
                if 'store' in text or 'amo' in text or 'write' in text:
                    return _FAULT_NAMES[15]
                if 'instr' in text or 'fetch' in text or 'exec' in text:
                    return _FAULT_NAMES[12]
            return given
        if isinstance(given, int) and given in _FAULT_NAMES:
            return _FAULT_NAMES[given]                  # a cause number
        return given

    def compare(self, expected, given, where='the answer'):
        if isinstance(expected, int) and isinstance(given, int):
            return super().compare(expected, given, where)
        if expected == given:
            return []
        if not isinstance(given, (int, str)) or isinstance(given, bool):
            return ['Answer with a physical address (an int such as 0x80001234) or the name of '
                    "a page fault (such as 'load page fault')."]
        return [f'{where} is wrong.']

    def diagnose(self, p, given):
        w = self.walk(p)
        hints = []
        if w.ok and isinstance(given, int):
            if given == w.pa & ~(w.page_size - 1):
                hints.append('Add the page offset (the low bits of the va) to the page address.')
            elif given == (w.pa & (w.page_size - 1)) | ((w.pa >> 12) << 10):
                hints.append('The PTE holds a page *number* (PPN): shift it left by 12, not 10.')
        if not isinstance(given, int) and isinstance(given, str) and w.fault is None:
            hints.append('Check each PTE on the path again: V, the R/W/X bit this access needs, '
                         'and U against the privilege level.')
        if isinstance(given, int) and not w.ok:
            hints.append('Check each PTE on the path: V first, then W-without-R, then the '
                         'permission this access needs, then U against the privilege level.')
        if isinstance(given, str) and not w.ok and given != _FAULT_NAMES[w.fault] \
                and given in _FAULT_NAMES.values():
            hints.append('A page fault is named after the access that caused it, '
                         'not after the PTE bit that was missing.')
        return hints

    def wrong_answers(self, p, answer):
        if isinstance(answer, int):
            return [answer ^ 0x1000, answer + 4, answer & ~0xFFF ^ 0x1000, 'load page fault',
                    'store/AMO page fault']
        others = [n for n in _FAULT_NAMES.values() if n != answer]
        return others + [0x80000000 | p['va'] & 0xFFF]


# ---------------------------------------------------------------------------------------------
# exercise 3: which privilege level handles a trap?

_TRAPS = [('executes ecall', None), ('executes an illegal instruction', 2),
          ('executes ebreak', 3), ('loads from an unmapped page', 13),
          ('stores to a read-only page', 15), ('jumps to an unmapped page', 12),
          ('loads a word from an odd address (no misaligned support)', 4)]
_DELEGABLE = (0, 2, 3, 4, 8, 9, 12, 13, 15)
ECALL_CAUSE = {'U': 8, 'S': 9, 'M': 11}


class WhoHandlesTrap(Exercise):
    """Trap delegation: which mode takes a trap, and the cause it finds."""

    chapter = 3
    title = 'Who handles this trap?'
    rel_tol = abs_tol = 0.0          # addresses and encodings: exact, not close

    def generate(self, rng):
        mode = rng.choice(['U', 'U', 'S', 'S', 'M'])
        what = rng.randrange(len(_TRAPS))
        medeleg = sum(1 << b for b in _DELEGABLE if rng.random() < 0.5)
        if rng.random() < 0.3:
            medeleg = 0xB1FF & ~(1 << 11) if rng.random() < 0.5 else 0
        return {'mode': mode, 'trap': what, 'medeleg': medeleg}

    def _cause(self, p):
        cause = _TRAPS[p['trap']][1]
        return ECALL_CAUSE[p['mode']] if cause is None else cause

    def solve(self, p):
        from ..machine import Machine
        m = Machine(ram_size=4096)
        h = m.hart
        h.medeleg = p['medeleg']
        h.mtvec, h.stvec = 0x80000100, 0x80000200
        h.priv = {'U': U, 'S': S, 'M': M}[p['mode']]
        h.pc = 0x80000000
        h.take_trap(self._cause(p), 0)                 # the machine's own trap entry
        return {'mode': PRIV_NAMES[h.priv], 'cause': h.scause if h.priv == S else h.mcause}

    def question(self, p):
        return (f"A program running in {p['mode']}-mode {_TRAPS[p['trap']][0]}.\n"
                f"medeleg = 0x{p['medeleg']:04x} (bit n set: exception n goes to S-mode).\n"
                "Which mode handles the trap, and what number does it find in its cause register\n"
                "(mcause or scause)? Answer a dict {'mode': 'M' or 'S', 'cause': number}.")

    def explain(self, p, answer):
        cause = self._cause(p)
        bit = p['medeleg'] >> cause & 1
        lines = [f"The trap is cause {cause}: {cause_name(cause)}."]
        if p['mode'] == 'M':
            lines.append('It happens in M-mode, and a trap never goes to a less privileged mode: '
                         'M handles it, whatever medeleg says.')
        else:
            lines.append(f"It happens in {p['mode']}-mode; medeleg bit {cause} is {bit}, so "
                         + ('it is delegated: S-mode handles it (scause, sepc, stval; pc = stvec).'
                            if bit else 'it is not delegated: M-mode handles it '
                            '(mcause, mepc, mtval; pc = mtvec).'))
        return '\n'.join(lines)

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, dict) and isinstance(given.get('mode'), str):
            given = dict(given)
            t = given['mode'].strip().upper()
            given['mode'] = {'MACHINE': 'M', 'SUPERVISOR': 'S', 'USER': 'U'}.get(
                t.replace('-MODE', '').replace(' MODE', ''), t.replace('-MODE', '')[:1] or t)
        return given

    def diagnose(self, p, given):
        if not isinstance(given, dict):
            return []
        hints = []
        answer = self.solution()
        if given.get('cause') in ECALL_CAUSE.values() and given.get('cause') != answer['cause']:
            hints.append('ecall has one cause per mode it comes from: 8 from U, 9 from S, '
                         '11 from M.')
        if p['mode'] == 'M' and given.get('mode') == 'S':
            hints.append('Traps from M-mode stay in M-mode: delegation only applies below M.')
        if given.get('mode') == 'U':
            hints.append('U-mode never handles traps in this machine (there is no N extension).')
        return hints

    def wrong_answers(self, p, answer):
        flip = {'M': 'S', 'S': 'M'}[answer['mode']]
        return [{'mode': flip, 'cause': answer['cause']},
                {'mode': answer['mode'], 'cause': answer['cause'] + 1},
                {'mode': 'U', 'cause': answer['cause']}]


# ---------------------------------------------------------------------------------------------
# user ISA vs system ISA: try instructions in each privilege mode

PROBES = ('add t1, t2, t3', 'lw t1, 0(sp)', 'ecall', 'csrr t0, cycle', 'csrr t0, sstatus',
          'csrr t0, satp', 'sfence.vma', 'csrr t0, mstatus', 'csrw mtvec, t0')

_PROBE_TEMPLATE = """
        .text
_start: la      t0, handler
        csrw    mtvec, t0
        la      sp, scratch
        li      t0, 3 << 11
        csrc    mstatus, t0             # MPP = U ...
        li      t0, {mpp} << 11
        csrs    mstatus, t0             # ... or the mode asked for
        la      t0, probe
        csrw    mepc, t0
        mret
probe:  {instruction}
        ecall                           # the probe ran: say so with an ecall
handler:
        li      t0, 0x100000
        li      t1, 0x5555
        sw      t1, 0(t0)
        .data
scratch: .word 0
"""


def privilege_probe(instruction: str, mode: str) -> str:
    """Run one ``instruction`` in ``mode`` ('U', 'S' or 'M'), paging off; say what happened:
    ``'runs'`` or the trap it caused (``'illegal instruction'``, ``'environment call from
    U-mode'``...). Uses a tiny program and the machine's own rules."""
    from ..machine import Machine
    mpp = {'U': 0, 'S': 1, 'M': 3}[mode]
    src = _PROBE_TEMPLATE.format(mpp=mpp, instruction=instruction)
    m = Machine.from_source(src, filename=f'probe-{mode}.s', ram_size=1 << 16)
    m.run(100)
    probe = m.program.symbols['probe']
    cause, epc = m.csr('mcause'), m.csr('mepc')
    if epc == probe:
        return cause_name(cause)
    if epc == probe + 4 and cause in (8, 9, 11):
        return 'runs'
    return f'unexpected: mcause {cause}, mepc 0x{epc:08x}'       # pragma: no cover


def _short(outcome: str) -> str:
    """A probe's outcome for a table cell: 'runs', or 'trap N: what' in few words."""
    if outcome == 'runs' or outcome.startswith('unexpected'):
        return outcome
    cause = next(c for c in range(16) if cause_name(c) == outcome)
    what = (outcome.replace('environment call', 'ecall').replace('illegal instruction', 'illegal')
            .replace('-mode', ''))
    return f'trap {cause}: {what}'


def privilege_table(instructions=PROBES, modes=('U', 'S', 'M')) -> str:
    """A text table: each instruction tried in each mode -- 'runs', or the trap it raises
    (its mcause number and name)."""
    cells = [[_short(privilege_probe(ins, m)) for m in modes] for ins in instructions]
    width = max(len(i) for i in instructions) + 2
    col = max(len(c) for row in cells for c in row) + 3
    rows = [f"{'instruction':<{width}}" + ''.join(f'{m + "-mode":<{col}}' for m in modes).rstrip()]
    for ins, row in zip(instructions, cells):
        rows.append(f'{ins:<{width}}' + ''.join(f'{c:<{col}}' for c in row).rstrip())
    return '\n'.join(rows)


def tour_timeline(make_machine=None, max_steps: int = 2000):
    """Run the tour one step at a time; return (events, rows): every event, and one text row
    per control transfer between privilege levels (trap, return, halt), numbered by the
    instructions retired when it happened."""
    from ..machine.trace import TrapTaken, TrapReturn, Halted, Retired
    m = (make_machine or tour_machine)()
    events, rows = [], []
    steps = 0
    while not m.hart.halted and steps < max_steps:
        step = m.step()
        steps += 1
        n = m.hart.instret
        events += step
        for e in step:
            if isinstance(e, TrapTaken):
                rows.append(f'{n:>4}  {PRIV_NAMES[e.from_priv]} -> {PRIV_NAMES[e.to_priv]}  trap: '
                            f'{cause_name(e.cause)} (cause {e.cause}), epc 0x{e.epc:08x}, '
                            f'tval 0x{e.tval:08x}')
            elif isinstance(e, TrapReturn):
                rows.append(f'{n:>4}  {PRIV_NAMES[e.from_priv]} -> {PRIV_NAMES[e.to_priv]}  '
                            f'{e.instruction} to 0x{e.pc:08x}')
            elif isinstance(e, Halted):
                rows.append(f'{n:>4}  halt: {e.reason}, exit status {e.exit_status}')
    return events, rows
