"""Chapter 06's seeded exercises: the solutions (computed by the translator itself) agree with
independent rules: where a basic block ends, how many blocks a program of loops makes, which
blocks hold the bytes a store writes. (What every exercise owes -- determinism, the checker,
show_answer -- is tested for all chapters in test_course_exercises.py.)"""
from __future__ import annotations

import pytest

from vmlib.course.ch06 import BlockEnd, BlocksTranslated, WhichBlocksInvalidated
from vmlib.course.exercises import exercises_for_chapter
from vmlib.isa import decode

CLASSES = (BlockEnd, BlocksTranslated, WhichBlocksInvalidated)


def test_registered_for_chapter_6():
    assert set(CLASSES) <= set(exercises_for_chapter(6))


# --- where does the block end? ------------------------------------------------------------------

ENDS = ('branch', 'jump', 'system')


def _reference_end(ex):
    """Walk the listing with the decode table's kinds: the first branch, jump or system
    instruction, or the last word of the page, whichever comes first."""
    listing = ex._listing(ex.params)
    machine = ex._machine(ex.params)
    for k, (pc, _) in enumerate(listing[ex.params['start']:], 1):
        word = int.from_bytes(machine.read_memory(pc, 4), 'little')
        kind = decode(word).spec.kind
        if kind in ENDS or (pc + 4) & 0xFFF == 0:
            return {'end': pc, 'instructions': k}
    raise AssertionError('the listing ends with ret')


def test_block_end_follows_the_rule_the_question_states():
    page_ends = 0
    for seed in range(150):
        ex = BlockEnd(seed=seed)
        answer = ex.solution()
        assert answer == _reference_end(ex), seed
        page_ends += (answer['end'] + 4) & 0xFFF == 0
    assert page_ends > 5                        # the page-boundary case does come up


def test_block_end_accepts_a_bare_address_or_hex_text_and_explains_mistakes():
    ex = next(BlockEnd(seed=s) for s in range(100)
              if BlockEnd(seed=s).solution()['instructions'] > 2)
    answer = ex.solution()
    assert ex.check({'end': hex(answer['end']), 'instructions': answer['instructions']})
    assert not ex.check(answer['end'])          # the count is missing
    one_short = ex.check({'end': answer['end'] - 4, 'instructions': answer['instructions'] - 1})
    assert 'belongs to it' in str(one_short)


def test_a_system_instruction_ends_a_block_and_the_hint_says_so():
    for seed in range(300):
        ex = BlockEnd(seed=seed)
        answer = ex.solution()
        text = dict(ex._listing(ex.params))[answer['end']]
        if text.startswith('csrw') and (answer['end'] + 4) & 0xFFF:
            feedback = ex.check({'end': answer['end'] + 8, 'instructions': 99})
            assert 'system instruction' in str(feedback)
            return
    pytest.fail('no seed ends a block with csrw')


# --- how many blocks? ---------------------------------------------------------------------------


def test_blocks_translated_matches_a_rule_of_thumb():
    """The entry block, one block after each loop, and one loop translation per loop that
    branches back at least once."""
    for seed in range(60):
        ex = BlocksTranslated(seed=seed)
        counts = ex.params['counts']
        assert ex.solution() == 1 + len(counts) + sum(c >= 2 for c in counts), seed


def test_blocks_translated_hints():
    ex = next(BlocksTranslated(seed=s) for s in range(100)
              if len(BlocksTranslated(seed=s).params['counts']) == 2)
    feedback = ex.check(2)
    assert 'straight code' in str(feedback)


# --- which blocks does a store drop? ------------------------------------------------------------


def test_invalidation_answers_are_the_blocks_holding_the_written_words():
    outcomes = set()
    for seed in range(60):
        ex = WhichBlocksInvalidated(seed=seed)
        p = ex.params
        m, log, live = ex._blocks(p)
        addr = ex._address(p, log)
        written = {(addr + i) & ~3 for i in range(p['size'])}
        expected = {b.pc for b in live
                    if any(b.span[0] <= w <= b.span[1] for w in written)}
        assert ex.solution() == expected, seed
        outcomes.add(min(len(expected), 2))
    assert outcomes == {0, 1, 2}                # misses, single hits and overlapping blocks


def test_invalidation_accepts_lists_and_an_empty_answer():
    ex = next(WhichBlocksInvalidated(seed=s) for s in range(100)
              if not WhichBlocksInvalidated(seed=s).solution())
    assert ex.check(set()) and ex.check([]) and ex.check({})
    assert 'should be a set' in str(ex.check(None))
    hit = next(WhichBlocksInvalidated(seed=s) for s in range(100)
               if len(WhichBlocksInvalidated(seed=s).solution()) == 2)
    answer = sorted(hit.solution())
    assert hit.check(answer)
    assert 'overlap' in str(hit.check(answer[:1]))
