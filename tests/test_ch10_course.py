"""Chapter 10's measurements (vmlib.course.ch10) and its translation-cache widget."""

import re

from vmlib.course.ch10 import (translated_region, translation_text, split_rows, split_text,
                               cache_history, filling_rows, filling_text, cost_rows,
                               cost_summary_text, cost_events_text, adaptive_rows,
                               adaptive_text, nonvirt_rows, nonvirt_text, run)
from vmlib.viz.translation_cache import TranslationCacheWidget, point_text, points


def fits(text):
    return all(len(line) <= 96 for line in text.splitlines())


def test_a_kernel_path_shows_each_treatment_beside_its_python():
    region = translated_region('sys_sie_write', 4, 'csr')
    kinds = [kind for rows, _ in region for _, _, kind in rows]
    assert kinds == ['ident', 'ident', 'chained', 'callout', 'callout', 'ident', 'chained']
    text = translation_text('sys_sie_write', 4, 'csr')
    assert text.count('callout(') == 2 and fits(text)
    ret = translation_text('kputc_sbi', 2, 'syscall')
    assert re.search(r'ret\s+lookup\s+', ret) and 'return indirect(pc)' in ret


def test_the_kernel_runs_translated_and_the_processes_directly():
    rows = {r['workload']: r for r in split_rows(('syscall', 'compute'))}
    for r in rows.values():
        assert r['translated'] + r['direct'] + r['callouts'] <= r['guest']
        assert r['guest'] - r['translated'] - r['direct'] - r['callouts'] < 10
    assert rows['syscall']['translated'] > 0.8 * rows['syscall']['guest']
    assert rows['compute']['direct'] > 0.99 * rows['compute']['guest']
    assert fits(split_text(list(rows.values())))


def test_the_cache_fills_during_the_boot_then_stays():
    h = cache_history('demo')
    assert [p.guest for p in h.points] == sorted(p.guest for p in h.points)
    assert (h.end.blocks, h.end.instructions) == (h.points[-1].blocks, h.points[-1].instructions)
    assert [p.blocks for p in h.points] == sorted(p.blocks for p in h.points)
    rows = dict(filling_rows('demo', [200_000, 1_000_000]))
    assert rows[200_000] == rows[1_000_000]             # the steady state: nothing new
    text = filling_text(filling_rows('demo'))
    assert '+0' in text and fits(text)


def test_callouts_replace_traps_and_returns_pay_a_lookup():
    rows = {r['workload']: r for r in cost_rows(('syscall', 'callret'))}
    s, c = rows['syscall'], rows['callret']
    assert s['bt']['cycles'] < 0.5 * s['trap']['cycles']
    assert s['bt']['by event']['csr_emulation'] == 0 < s['trap']['by event']['csr_emulation']
    assert c['bt']['cycles'] > c['trap']['cycles']
    assert c['bt']['by event']['tc_lookup'] > c['bt']['by event']['callout']
    assert fits(cost_summary_text(list(rows.values())))
    assert fits(cost_events_text(list(rows.values())))


def test_adaptive_translation_turns_page_table_traps_into_callouts():
    rows = {(r['workload'], r['way']): r for r in adaptive_rows(('ptemod',))}
    fixed, adaptive = rows['ptemod', 'bt, no adaptation'], rows['ptemod', 'bt, adaptive']
    assert fixed['trapped'] == rows['ptemod', 'trap']['trapped'] > 100
    assert adaptive['trapped'] + adaptive['called out'] == fixed['trapped']
    assert adaptive['cycles'] < fixed['cycles']
    assert 'bt, adaptive' in adaptive_text(list(rows.values()))
    assert run('bt', 'ptemod', False) is run('bt', 'ptemod', False)       # cached


def test_binary_translation_does_not_care_that_the_cpu_is_not_virtualizable():
    rows = {r['run']: r for r in nonvirt_rows('syscall')}
    assert not rows['trap, nonvirt']['same']
    assert all(rows[k]['same'] for k in ('trap, RV32', 'bt, RV32', 'bt, nonvirt'))
    text = nonvirt_text(list(rows.values()))
    assert text.count('DIFFERS') == 1 and 'trap, nonvirt, against the bare machine:' in text


def test_the_widget_moves_through_the_cache_changes():
    w = TranslationCacheWidget(workload='syscall', change=1)
    assert w.slider.max == len(points('syscall'))
    first = w.status.value
    assert "data-change='1'" in first and 'cache change 1 of' in w.text()
    w.slider.value = w.slider.max
    assert 'the end of the run' in w.text() and w.status.value != first
    guest = int(re.search(r"data-guest='(\d+)'", w.status.value).group(1))
    assert guest == cache_history('syscall').end.guest
    w.workload.value = 'demo'
    assert w.slider.max == len(points('demo')) and w.slider.value == w.slider.max
    parts = dict(re.findall(r"data-part='([^']+)' data-count='(\d+)'", w.split.value))
    assert int(parts['user (direct)']) > int(parts['kernel (translated)'])
    assert point_text('demo', 10**9) == point_text('demo', len(points('demo')))
    assert repr(w).startswith('[Translation cache filling')
