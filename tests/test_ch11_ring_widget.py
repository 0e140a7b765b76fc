"""Chapter 11's shared-ring widget (vmlib.viz.ring), without a browser: it steps through a
RingDemo, says what the demo's text twin says, rebuilds on its options, highlights what each
step touched and shows its name as plain text."""
import html
import re

import pytest

from vmlib.course.ch11.ring import RingDemo
from vmlib.viz import ring as rv
from vmlib.viz._course_common import live_text


def plain(markup: str) -> str:
    return html.unescape(re.sub(r'<[^>]+>', '', markup))


def panel(markup: str, kind: str) -> str:
    """The opening tag of one panel (``desc``, ``avail``, ``used``)."""
    return re.search(rf"<div class='vm-ring-{kind}'[^>]*>", markup).group(0)


def touched_rows(markup: str, kind: str) -> list[str]:
    """``data-field`` / ``data-slot`` of the rows of one panel that are outlined."""
    body = markup.split(f"class='vm-ring-{kind}'", 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr class='vm-ring-row vm-ring-touched[^']*' data-(?:field|slot)='(\w+)'",
                      body)


def test_the_widget_builds_at_step_1_and_names_itself_as_plain_text():
    w = rv.RingWidget()
    assert w.current == 1 and w.slider.value == 1 and w.slider.min == 1
    assert w.slider.max == len(w.demo.steps) == 25
    assert "data-step='1' data-steps='25' data-who='driver'" in w.status.value
    assert w.prev_button.disabled and w.reset_button.disabled and not w.next_button.disabled
    assert repr(w.widget) == live_text('Shared ring (virtio)')
    assert w._repr_mimebundle_()['text/plain'] == live_text('Shared ring (virtio)')
    assert 'vm-ring' in w.widget._dom_classes


def test_next_prev_and_the_slider_move_the_step_and_the_status_is_the_text_twins():
    w = rv.RingWidget()
    for n in (2, 3, 4):
        w.next_button.click()
        assert w.current == n == w.slider.value
        assert f"data-step='{n}'" in w.status.value
        assert plain(w.status.value) == w.demo.text(n).split('\n')[0] == rv.status_text(w.demo, n)
        assert w.text() == w.demo.text(n)
    w.prev_button.click()
    assert w.current == 3 and w.slider.value == 3
    w.slider.value = 9
    assert w.current == 9 and "data-step='9'" in w.status.value
    assert 'publishes it: avail.ring[1] = 1, avail.idx = 2' in plain(w.status.value)
    w.run_button.click()
    assert w.current == 25 and w.next_button.disabled and w.run_button.disabled
    w.next_button.click()                           # past the end: stays
    assert w.current == 25
    w.reset_button.click()
    assert w.current == 1 and w.slider.value == 1 and w.prev_button.disabled
    w.go(-3)
    assert w.current == 1


def test_a_step_can_be_shown_first():
    w = rv.RingWidget(step=7)
    assert w.current == 7 == w.slider.value
    assert "data-who='device'" in w.status.value and 'interrupts the driver' in w.status.value


@pytest.mark.parametrize('option, value, kwargs', [
    ('batch', 2, dict(batch=2)),
    ('event_idx', True, dict(event_idx=True)),
    ('poll', True, dict(poll=True)),
])
def test_changing_an_option_runs_a_new_demo_from_step_1(option, value, kwargs):
    w = rv.RingWidget()
    w.slider.value = 6
    getattr(w, option).value = value
    demo = RingDemo(**kwargs)
    assert w.current == 1 and w.slider.value == 1
    assert w.slider.max == len(demo.steps) == len(w.demo.steps)
    assert [s.what for s in w.demo.steps] == [s.what for s in demo.steps]
    assert f"data-steps='{len(demo.steps)}'" in w.status.value
    w.run_button.click()
    assert w.text() == demo.text()


def test_the_event_indices_show_only_with_event_idx():
    w = rv.RingWidget()
    assert "data-field='used_event'" not in w.rings.value
    assert "data-field='avail_event'" not in w.rings.value
    w.event_idx.value = True
    assert "data-field='used_event'" in w.rings.value
    assert "data-field='avail_event'" in w.rings.value
    w.slider.value = 7                    # the device asks: avail_event = 1
    assert touched_rows(w.rings.value, 'used') == ['avail_event']
    assert re.search(r"data-field='avail_event'.*?vm-ring-changed' [^>]*>1<", w.rings.value)


def test_the_rings_carry_their_indices_and_the_device_position():
    demo = RingDemo()
    for n, step in enumerate(demo.steps, 1):
        markup = rv.rings_html(demo, n)
        s = step.state
        assert f"data-avail-idx='{s.avail_idx}'" in panel(markup, 'avail')
        assert f"data-device-next='{s.device_next}'" in panel(markup, 'avail')
        assert f"data-used-idx='{s.used_idx}'" in panel(markup, 'used')
    markup = rv.rings_html(demo, 3)        # published, not yet taken: entry 0 is pending
    assert re.search(r"vm-ring-pending' data-slot='0'", markup)
    assert '◀ device' in plain(markup.split("data-slot='0'", 2)[2].split('</tr>')[0])
    markup = rv.rings_html(demo, 5)        # taken: nothing pending, both at entry 1
    assert 'vm-ring-pending' not in markup
    assert '◀ driver, device' in plain(markup)


def test_the_highlights_follow_the_parts_each_step_touched():
    demo = RingDemo(event_idx=True)
    for n, step in enumerate(demo.steps, 1):
        markup = rv.rings_html(demo, n)
        parts = set(step.parts)
        for kind, names in (('desc', {'desc'}), ('avail', {'avail', 'avail_flags', 'used_event'}),
                            ('used', {'used', 'avail_event'})):
            hit = "data-touched='yes'" in panel(markup, kind)
            assert hit == bool(parts & names), (n, step.what, kind)
        counts = rv.counts_html(demo, n)
        assert ('vm-ring-notify vm-ring-changed vm-ring-touched' in counts) == \
            ('notify' in parts), n
        assert ('vm-ring-interrupt vm-ring-changed vm-ring-touched' in counts) == \
            ('interrupt' in parts), n
    # the driver writes descriptor 1 (step 10): that row alone is outlined, its values changed
    markup = rv.rings_html(demo, 10)
    assert touched_rows(markup, 'desc') == ['1'] and touched_rows(markup, 'avail') == []
    row = markup.split("data-slot='1'", 1)[1].split('</tr>', 1)[0]
    assert row.count('vm-ring-changed') == 4                  # addr, len, flags, next
    # it publishes it (step 11): the entry and idx; the device takes it (step 13)
    assert touched_rows(rv.rings_html(demo, 11), 'avail') == ['idx', '1']
    markup = rv.rings_html(demo, 13)
    assert touched_rows(markup, 'avail') == ['1'] and touched_rows(markup, 'desc') == ['1']
    assert touched_rows(rv.rings_html(demo, 14), 'used') == ['idx', '1']
    # entry 0 publishes descriptor 0 and returns id 0, len 0: what memory held before, yet
    # the entries are new (a dot before) and shown as changed
    demo = RingDemo()
    markup = rv.rings_html(demo, 3)
    assert touched_rows(markup, 'avail') == ['idx', '0']
    assert re.search(r"data-slot='0'[^>]*><td[^>]*>\[0\]</td><td class='vm-ring-changed'",
                     markup.split("class='vm-ring-avail'")[1])
    markup = rv.rings_html(demo, 6)
    assert touched_rows(markup, 'used') == ['idx', '0']
    used0 = markup.split("class='vm-ring-used'")[1].split("data-slot='0'")[1]
    used0 = used0.split('>', 1)[1].split('</tr>')[0]
    assert used0.count('vm-ring-changed') == 2
    assert re.findall(r'>([^<]*)</td>', used0)[:3] == ['[0]', '0', '0']
    # no event index: "does not interrupt" outlines NO_INTERRUPT in the available ring's flags
    demo = RingDemo(poll=True)
    n = next(i for i, s in enumerate(demo.steps, 1) if 'does not interrupt' in s.what)
    assert touched_rows(rv.rings_html(demo, n), 'avail') == ['flags']
    assert 'NO_INTERRUPT' in plain(rv.rings_html(demo, 1))


def test_the_counts_follow_the_demo():
    demo = RingDemo(batch=2, poll=True)
    last = demo.steps[-1].state
    counts = plain(rv.counts_html(demo, len(demo.steps)))
    assert (f'notifications {last.notifications} (saved {last.notifications_saved}), '
            f'interrupts {last.interrupts} (saved {last.interrupts_saved})') in counts
    assert repr('hello\nfrom the\nshared ring\nagain\n') in counts
    assert 'vm-ring-printed' in rv.counts_html(demo, 1)


def test_a_step_out_of_range_is_refused():
    demo = RingDemo()
    with pytest.raises(ValueError, match='steps 1..25'):
        rv.rings_html(demo, 0)
