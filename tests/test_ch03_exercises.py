"""Chapter 03's seeded exercises: the solutions agree with independent reference rules. (What
every exercise owes -- determinism, the checker, show_answer -- is tested for all chapters in
test_course_exercises.py.)"""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from vmlib.course import ch03
from vmlib.course.ch03 import DecodeWord, TranslateAddress, WhoHandlesTrap, assembly_text
from vmlib.course.exercises import exercises_for_chapter
from vmlib.isa import disassemble

CLASSES = (DecodeWord, TranslateAddress, WhoHandlesTrap)


def test_registered_for_chapter_3():
    assert set(CLASSES) <= set(exercises_for_chapter(3))


# --- decode ------------------------------------------------------------------------------------


def test_decode_answers_match_the_disassembler():
    for seed in range(200):
        ex = DecodeWord(seed=seed)
        answer = ex.solution()
        plain = disassemble(ex.params['word'], 0, aliases=False)
        assert plain.split()[0] == answer['name']
        for key in ('rd', 'rs1', 'rs2'):
            if key in answer:
                assert answer[key] in plain
        if answer['name'] not in ('beq', 'bne', 'blt', 'bge', 'bltu', 'jal', 'lui'):
            assert str(answer.get('imm', '')) in plain
        assert assembly_text(answer).split()[0] == answer['name']


def test_decode_accepts_register_numbers_and_spots_halved_offsets():
    ex = next(DecodeWord(seed=s) for s in range(200)
              if DecodeWord(seed=s).solution()['name'] in ('beq', 'bne', 'blt', 'bge', 'bltu'))
    answer = ex.solution()
    from vmlib.isa import reg_number
    as_numbers = {k: (reg_number(v) if k in ('rs1', 'rs2') else v) for k, v in answer.items()}
    as_x = {k: (f'x{reg_number(v)}' if k in ('rs1', 'rs2') else v) for k, v in answer.items()}
    assert ex.check(as_numbers) and ex.check(as_x)
    halved = dict(answer, imm=answer['imm'] // 2)
    feedback = ex.check(halved)
    assert not feedback and 'multiply by 2' in str(feedback)
    swapped = dict(answer, rs1=answer['rs2'], rs2=answer['rs1'])
    if answer['rs1'] != answer['rs2']:
        assert 'swapped' in str(ex.check(swapped))


def test_decode_explains_the_fields():
    text = DecodeWord(seed=5, show_answer=True).text(True)
    assert 'S-type' in text and 'imm[11:5]' in text and 'In assembly: sb a2, -57(s8)' in text


# --- translate ---------------------------------------------------------------------------------


def reference_translate(p):
    """Sv32 from the privileged spec, written again independently (SUM = MXR = 0)."""
    mem = p['ptes']
    va, access, user = p['va'], p['access'], p['priv'] == 'U'
    fault = {'fetch': 'instruction page fault', 'load': 'load page fault',
             'store': 'store/AMO page fault'}[access]
    need = {'fetch': 8, 'load': 2, 'store': 4}[access]
    a = (p['satp'] & 0x3FFFFF) * 4096
    for level, vpn in ((1, va >> 22), (0, (va >> 12) & 0x3FF)):
        pte = mem.get(a + vpn * 4, 0)
        v, r, w, x, u = (pte >> 0) & 1, (pte >> 1) & 1, (pte >> 2) & 1, (pte >> 3) & 1, (pte >> 4) & 1
        if not v or (w and not r):
            return fault
        if r or x:
            if not pte & need or u != user:
                return fault
            ppn = pte >> 10
            if level == 1:
                if ppn & 0x3FF:
                    return fault
                return (ppn >> 10) << 22 | (va & 0x3FFFFF)
            return ppn << 12 | (va & 0xFFF)
        a = (pte >> 10) * 4096
    return fault


def test_translate_agrees_with_an_independent_model():
    kinds = set()
    for seed in range(300):
        ex = TranslateAddress(seed=seed)
        expected = reference_translate(ex.params)
        assert ex.solution() == expected, seed
        kinds.add(expected if isinstance(expected, str) else 'pa')
    assert kinds == {'pa', 'instruction page fault', 'load page fault', 'store/AMO page fault'}


def test_translate_accepts_hex_strings_and_fault_spellings():
    ok = next(TranslateAddress(seed=s) for s in range(50)
              if isinstance(TranslateAddress(seed=s).solution(), int))
    pa = ok.solution()
    assert ok.check(hex(pa)) and ok.check(f'0x{pa:_x}') and ok.check(pa)
    page = ok.check(pa & ~0xFFF) if pa & 0xFFF else None
    if page is not None:
        assert 'page offset' in str(page)
    bad = next(TranslateAddress(seed=s) for s in range(50)
               if TranslateAddress(seed=s).solution() == 'load page fault')
    for spelling in ('load page fault', 'Load Page Fault', 'load', 13):
        assert bad.check(spelling), spelling
    assert not bad.check('store page fault') and not bad.check(0x80000000)
    assert 'Answer with a physical address' in str(bad.check([1]))
    assert 'Answer: 0x' in repr(TranslateAddress(seed=ok.seed, show_answer=True))


# --- delegation --------------------------------------------------------------------------------


@settings(max_examples=200)
@given(seed=st.integers(0, 10**6))
def test_delegation_follows_the_rule(seed):
    ex = WhoHandlesTrap(seed=seed)
    p = ex.params
    cause = ch03._TRAPS[p['trap']][1]
    if cause is None:
        cause = {'U': 8, 'S': 9, 'M': 11}[p['mode']]
    delegated = p['mode'] != 'M' and p['medeleg'] >> cause & 1
    assert ex.solution() == {'mode': 'S' if delegated else 'M', 'cause': cause}


def test_delegation_answers_in_words_and_hints():
    ex = next(WhoHandlesTrap(seed=s) for s in range(100)
              if WhoHandlesTrap(seed=s).params['mode'] == 'M')
    answer = ex.solution()
    assert ex.check({'mode': 'machine', 'cause': answer['cause']})
    assert ex.check({'mode': 'M-mode', 'cause': answer['cause']})
    assert 'never' in repr(WhoHandlesTrap(seed=ex.seed, show_answer=True)) or \
        'Traps from M-mode' in str(ex.check({'mode': 'S', 'cause': answer['cause']}))
    assert 'Traps from M-mode stay in M-mode' in str(ex.check({'mode': 'S', 'cause': answer['cause']}))
