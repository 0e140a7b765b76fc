"""Chapter 06's views (``vmlib.viz.translator``): the text and HTML of a cache event agree, the
growth curve and figures draw, and the widget's buttons, slider and dropdown move through the
events (in a kernel, without a browser; ``tests/browser/test_ch06_translator.py`` clicks them)."""
from __future__ import annotations

import re

import pytest
from matplotlib.figure import Figure

from vmlib.course.ch06 import (compare_engines, kernel_machine, record_translation,
                               smc_machine, guest_vm)
from vmlib.viz.translator import (CacheHistoryView, draw_cache_growth, draw_speed, event_html,
                                  event_text, growth_svg, side_by_side_html)


@pytest.fixture(scope='module')
def smc_log():
    return record_translation(smc_machine(), name='self-modifying loop')


@pytest.fixture(scope='module')
def kernel_log():
    return record_translation(kernel_machine('fill and sum an array', n=3000), name='array')


def test_event_text_names_the_event_the_counters_and_the_cache(smc_log):
    n = next(e.index for e in smc_log.events if e.kind == 'invalidated') + 1
    text = event_text(smc_log, n)              # events are numbered from 1, as on the screen
    assert text.startswith(f'self-modifying loop: event {n} of {len(smc_log)}')
    assert 'dropped (its code was written)' in text
    assert 'invalidations 1' in text
    assert re.search(r'^  - 0x[0-9a-f]{8} loop of 6 +dropped$', text, re.M)
    assert 'Python it became' in text and 'addi a0, a0, 1' in text
    assert 'Python it became' not in event_text(smc_log, n, source=False)


def test_event_number_is_clamped(smc_log):
    assert event_text(smc_log, -5) == event_text(smc_log, 1)
    assert event_text(smc_log, 999) == event_text(smc_log, len(smc_log))
    assert event_text(smc_log, 1).startswith('self-modifying loop: event 1 of')


def test_html_panels_carry_the_css_classes_the_browser_test_uses(kernel_log):
    panels = event_html(kernel_log, 2)
    assert set(panels) == {'status', 'counters', 'growth', 'cache', 'block'}
    assert "class='vm-dbt-index'>2<" in panels['status']
    assert panels['counters'].count("class='vm-dbt-counter'") == 7
    assert panels['cache'].count('vm-dbt-cached') == 2
    assert panels['cache'].count('vm-dbt-current') == 1
    assert 'vm-dbt-row' in panels['block'] and 'def make(' in panels['block']
    assert "class='vm-dbt-marker'" in panels['growth']


def test_side_by_side_html_escapes_and_keeps_every_row():
    m = kernel_machine('copy memory', n=10)
    from vmlib.machine.dbt import block_source
    html = side_by_side_html(block_source(m, m.program.symbols['copy']))
    assert html.count("class='vm-dbt-row'") == 8          # head, 6 instructions, the exit
    assert 'x11 = (x11 + 4) &amp; 0xFFFFFFFF' in html
    crafted = side_by_side_html('def make():\n    # 0x80000000  blt a0, a1, 0x80000000\n'
                                '    if ((x10 ^ 0x80000000) - 0x80000000) < 0:\n')
    assert ') &lt; 0:' in crafted and 'blt a0, a1' in crafted


def test_growth_svg_marks_the_event_on_the_curve(kernel_log):
    svg = growth_svg(kernel_log, 1)
    assert svg.startswith("<svg class='vm-dbt-growth-svg'") and svg.endswith('</svg>')
    assert f'{kernel_log.instructions:,} instructions retired' in svg
    assert 'vm-dbt-marker' not in growth_svg(kernel_log)


def test_figures_draw(kernel_log, smc_log):
    fig = draw_cache_growth([kernel_log, smc_log])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert 'invalidated' in [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    c = compare_engines('sum', lambda e: kernel_machine('sum 1..n', e, n=2000))
    fig = draw_speed([c])
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_legend().get_texts()[1].get_text() == 'translator'


def test_the_widget_moves_through_events_and_programs(kernel_log, smc_log):
    calls = []

    def lazy():
        calls.append(1)
        return smc_log
    view = CacheHistoryView({'array': kernel_log, 'smc': lazy})
    assert not calls                                # recorded when first chosen
    assert view.event == 1 and view.prev_button.disabled and not view.next_button.disabled
    assert view.slider.max == len(kernel_log)
    view.next_button.click()
    assert view.event == 2 and view.slider.value == 2
    assert "class='vm-dbt-index'>2<" in view.panels['status'].value
    view.slider.value = len(kernel_log)
    assert view.event == len(kernel_log) and view.next_button.disabled
    assert view.text(source=False) == event_text(kernel_log, view.event, source=False)
    view.prev_button.click()
    assert view.event == len(kernel_log) - 1
    view.program.value = 'smc'
    assert calls == [1] and view.event == 1 and view.slider.max == len(smc_log)
    assert 'self-modifying loop' in view.panels['status'].value
    view.show(100)
    assert view.event == len(smc_log)
    assert set(view.widget._dom_classes) == {'vm-dbt'}
    for w, cls in ((view.program, 'vm-dbt-program'), (view.prev_button, 'vm-dbt-prev'),
                   (view.next_button, 'vm-dbt-next'), (view.slider, 'vm-dbt-slider')):
        assert cls in w._dom_classes


def test_a_run_without_blocks_is_a_clear_error():
    log = record_translation(kernel_machine('sum 1..n', n=3), name='tiny')
    assert not log.events
    with pytest.raises(ValueError, match='made no block'):
        event_text(log, 1)


def test_the_c_benchmarks_view_is_deterministic():
    a = record_translation(guest_vm('compute'), name='compute.elf')
    b = record_translation(guest_vm('compute'), name='compute.elf')
    assert [event_text(a, n) for n in range(1, len(a) + 1)] == \
        [event_text(b, n) for n in range(1, len(b) + 1)]
