"""Chapter 13's measurements (vmlib.course.ch13), its exercises and its widgets."""

import re

from vmlib.course.ch13 import (WAYS, measure, paging_rows, paging_text, tlb_rows, tlb_text,
                               CountTheReferences, WhichWins)
from vmlib.course.walk2d_demo import demo_walk, DEMO_VAS
from vmlib.viz.tlb_size import TlbSizeWidget
from vmlib.viz.walk2d import Walk2dWidget, layout, grid_html


def test_nested_paging_has_no_paging_exits_and_longer_walks():
    rows = paging_rows(('ptemod', 'tlb'))
    for r in rows:
        nested, shadow = r['nested (hw)'], r['shadow (hw)']
        assert nested['paging exits'] == 0 < shadow['paging exits']
        assert nested['references'] / nested['misses'] > 2 * shadow['references'] / shadow['misses']
        assert len({r[way]['console'] for way in WAYS}) == 1
    text = paging_text(rows)
    assert all(len(line) <= 96 for line in text.splitlines())


def test_the_tlb_size_decides_between_shadow_and_nested():
    rows = tlb_rows('tlb', (16, 128))
    small, large = rows
    assert small['shadow (hw)']['cycles'] < small['nested (hw)']['cycles']
    assert large['nested (hw)']['cycles'] < large['shadow (hw)']['cycles']
    assert small['nested (hw)']['misses'] > 10 * large['nested (hw)']['misses']
    assert tlb_text(rows).splitlines()[1].endswith('shadow')
    assert measure('nested (hw)', 'tlb', 128) is measure('nested (hw)', 'tlb', 128)   # cached


def test_the_walk_widget_steps_through_the_references_in_their_grid():
    w = Walk2dWidget()
    assert w.step.max == 8 and 'data-step=\'0\'' in w.status.value
    for n in range(1, 9):
        w.forward()
        states = dict(re.findall(r"data-number='(\d+)' data-stage='\w+' data-state='(\w+)'",
                                 w.grid.value))
        assert states[str(n)] == 'current'
        assert all(states[str(k)] == 'done' for k in range(1, n))
        assert all(states[str(k)] == 'todo' for k in range(n + 1, 9))
    assert 'host-physical 0x80803abc' in w.status.value
    w.pages.value = 'megapages in both'
    assert w.step.max == 3 and w.step.value == 0
    w.va.value = 'unmapped 4 KiB page'
    w.pages.value = '4 KiB pages everywhere'
    w.step.value = w.step.max
    assert 'page fault (cause 13)' in w.status.value


def test_the_grid_has_a_row_per_guest_physical_address():
    # 4 KiB pages: rows VS root PTE, VS level-0 PTE, data; columns G1, G0, the read
    assert layout(demo_walk()) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1)]
    assert layout(demo_walk(megapages='VS')) == [(0, 0), (0, 1), (0, 2), (2, 0), (2, 1)]
    assert layout(demo_walk(megapages=True)) == [(0, 0), (0, 2), (2, 0)]
    html = grid_html(demo_walk(DEMO_VAS['data']), 0)
    assert html.count("data-state='todo'") == 8


def test_the_tlb_widget_shows_the_cheaper_way_at_each_size():
    w = TlbSizeWidget(workload='tlb', sizes=(16, 128))
    assert "data-cheaper='shadow'" in w.bars.value
    w.size.value = 128
    assert "data-cheaper='nested'" in w.bars.value


def test_exercises_accept_their_own_answers():
    for cls in (CountTheReferences, WhichWins):
        for seed in range(5):
            ex = cls(seed=seed)
            assert ex.check(ex.solution())
    ex = CountTheReferences(seed=0)
    n, m = ex.params['guest'], ex.params['host']
    assert ex.solution()['nested'] == (n + 1) * (m + 1) - 1
    wrong = dict(ex.solution(), nested=n * m)
    assert not ex.check(wrong) and 'guest\'s own entries' in str(ex.check(wrong))
