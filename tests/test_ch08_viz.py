"""Chapter 08's privilege timeline view and widget, driven from Python (the browser test drives
the same widget in JupyterLab)."""
from __future__ import annotations

import re

from vmlib.course import ch08
from vmlib.viz._course_common import png_bytes
from vmlib.viz.privilege_timeline import (PrivilegeTimelineWidget, draw_timeline,
                                          trap_list_html, ARROW_LIMIT)


def test_draw_three_lanes_with_arrows_or_a_rug():
    tl = ch08.timeline('syscall')
    fig = draw_timeline(tl, 6000, 6500)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ['U  processes', 'S  kernel',
                                                            'M  firmware']
    assert ax.get_xlim() == (6000, 6500)
    switches = len(tl.window(6000, 6500)[1])
    assert 0 < switches <= ARROW_LIMIT
    assert len(ax.texts) == switches                  # one arrow per switch
    assert png_bytes(fig) == png_bytes(draw_timeline(tl, 6000, 6500))   # deterministic
    whole = draw_timeline(tl).axes[0]
    assert len(whole.texts) == 1 and whole.texts[0].get_text() == ' traps'
    assert 'syscall: instructions 0 ..' in whole.get_title()


def test_trap_list_says_cause_from_to_and_handler():
    tl = ch08.timeline('pgfault')
    fault = tl.traps('page fault')[0]
    html = trap_list_html(tl, fault.index - 50, fault.index + 50)
    assert f"data-kind='page fault' data-index='{fault.index}'" in html
    assert 'U &rarr; S' in html and 'handler <b>trap_entry</b>' in html
    assert 'store/AMO page fault at 0x00600000' in html
    no_returns = trap_list_html(tl, fault.index - 50, fault.index + 50, show_returns=False)
    assert 'vm-privtl-return' not in no_returns and 'vm-privtl-return' in html
    assert 'no privilege switch' in trap_list_html(tl, 0, 5)


def test_widget_moves_jumps_and_switches_workload():
    w = PrivilegeTimelineWidget('demo', width=500)
    assert 'demo: instructions 0 .. 499 of' in w.status.value
    assert w.figure.value[:4] == b'\x89PNG'
    w.start.value = 6000
    assert 'instructions 6,000 .. 6,499' in w.status.value
    first = w.figure.value
    w.kind.value = 'timer (M)'
    e = w.jump()
    assert e.kind == 'timer (M)' and w.start.value == e.index - 125
    assert w.figure.value != first
    assert "data-kind='timer (M)'" in w.traps.value
    assert w.jump(back=True) is None or w.start.value < e.index
    w.workload.value = 'pgfault'
    assert 'pgfault' in w.status.value and 'page faults served' in w.console.value
    w.kind.value = 'page fault'
    e = w.jump()
    assert e.kind == 'page fault' and "data-kind='page fault'" in w.traps.value
    text = w.text()
    assert text.startswith(f'pgfault: instructions {w.start.value:,}')
    assert re.search(r'U -> S  page fault: store/AMO page fault', text)
    w.width.value = 0                                   # the whole run
    assert w.start.disabled and w.start.value == 0
    assert f'of {ch08.timeline("pgfault").instructions:,}' in w.status.value
    w.returns.value = False
    assert 'vm-privtl-return' not in w.traps.value


def test_widget_says_when_there_is_no_such_trap():
    w = PrivilegeTimelineWidget('compute', width=500)
    w.kind.value = 'page fault'
    assert w.jump() is None
    assert 'no later page fault' in w.status.value


def test_widget_parts_have_their_css_classes():
    w = PrivilegeTimelineWidget('syscall')
    classes = {c for part in (w.workload, w.width, w.start, w.kind, w.prev_button,
                              w.next_button, w.returns, w.status, w.figure, w.traps, w.console,
                              w.widget) for c in part._dom_classes}
    assert {'vm-privtl', 'vm-privtl-workload', 'vm-privtl-width', 'vm-privtl-start',
            'vm-privtl-kind', 'vm-privtl-prev', 'vm-privtl-next', 'vm-privtl-returns',
            'vm-privtl-status', 'vm-privtl-figure', 'vm-privtl-traps',
            'vm-privtl-console'} <= classes
