"""``Translator.on_change``: the watch that chapter 06's cache-history view hangs on the translator.

It is told after every entry of ``Translator.history`` (a block translated, blocks dropped by a
store or an unmapping, a flush), sees the cache as it is at that moment, and changes nothing.
"""

from vmlib.machine import Machine

LOOPS = """
    li a0, 0
    li s0, 200
1:  addi a0, a0, 1
    addi s0, s0, -1
    bnez s0, 1b
    li s0, 300
2:  addi a0, a0, 2
    addi s0, s0, -1
    bnez s0, 2b
    li t0, 0x5555
    lui t1, 0x100
    sw t0, 0(t1)
"""


def final_state(m):
    h = m.hart
    return (h.x[:32], h.pc, h.instret, h.halted)


def test_on_change_is_told_after_each_history_entry_and_changes_nothing():
    watched = Machine.from_source(LOOPS, engine='dbt', ram_size=1 << 16)
    t = watched.hart.translator()
    t.threshold = 0
    seen = []
    t.on_change = lambda tr: seen.append((tr is t, tr.hart.instret, len(tr.blocks),
                                          tr.history[-1]))
    watched.run(100_000)
    assert len(seen) == len(t.history) > 2
    for (same, instret, live, entry), recorded in zip(seen, t.history):
        assert same and entry == recorded and entry[0] == instret and entry[2] == live
    plain = Machine.from_source(LOOPS, engine='dbt', ram_size=1 << 16)
    plain.hart.translator().threshold = 0
    plain.run(100_000)
    assert final_state(watched) == final_state(plain)
    assert plain.hart.translator().history == t.history


def test_on_change_hears_invalidations_and_flushes():
    m = Machine.from_source(LOOPS, engine='dbt', ram_size=1 << 16)
    t = m.hart.translator()
    t.threshold = 0
    m.run(100_000)
    calls = []
    t.on_change = lambda tr: calls.append(len(tr.blocks))
    first = min(b.pc for b in t.info.values())
    m.bus.write(first, 4, m.hart.fetch_word(first))     # rewrite a word with itself
    assert t.invalidations >= 1 and calls and calls[-1] == len(t.blocks)
    t.flush()
    assert calls[-1] == 0
