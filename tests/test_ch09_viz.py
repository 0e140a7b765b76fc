"""Chapter 09's views: the instruction map (RV32 / variant) and the trap timeline widget."""
import re

import pytest

from vmlib.hypervisor import CostModel, popek
from vmlib.viz import popek as pv
from vmlib.viz import trap_timeline as tt


def cells(html, kind=None):
    pattern = r"<span class='vm-popek-cell vm-popek-(\w+)( vm-popek-changed)?' data-name='([^']+)'"
    found = re.findall(pattern, html)
    return [(k, bool(c), name) for k, c, name in found if kind in (None, k)]


@pytest.mark.parametrize('variant', popek.VARIANTS)
def test_the_map_has_one_cell_per_row_coloured_as_measured(variant):
    html = pv.map_html(variant)
    found = cells(html)
    rows = popek.instruction_map(variant)
    assert sorted(n for _, _, n in found) == sorted(r.name for r in rows)
    by_name = {r.name: r for r in rows}
    for kind, _, name in found:
        r = by_name[name]
        assert kind == pv.kind_of(r)
        assert (kind == 'offender') == bool(r.sensitive and not r.privileged)
        assert (kind == 'privileged') == (r.privileged and not kind == 'offender')
    assert f"data-variant='{variant}'" in html


def test_the_variant_turns_the_sstatus_row_red_and_marks_what_changed():
    assert cells(pv.map_html('rv32'), 'offender') == []
    offenders = cells(pv.map_html('nonvirt'), 'offender')
    assert sorted(n for _, _, n in offenders) == sorted(r.name for r in popek.offenders('nonvirt'))
    assert all(changed and n.endswith('sstatus') for _, changed, n in offenders)
    assert not any(changed for _, changed, _ in cells(pv.map_html('rv32')))
    assert pv.map_text('rv32').split('legend:')[0].count('[!]') == 0
    text = pv.map_text('nonvirt')
    assert re.search(r'^  sstatus\s+(\[!\]\*\s*){7}$', text, re.M)
    assert 'does not hold' in text
    assert "data-holds='yes'" in pv.verdict_html('rv32')
    assert "data-holds='no'" in pv.verdict_html('nonvirt')


def test_robin_and_irvines_list_is_shown_whole():
    html = pv.x86_html()
    for mnemonic, _, _ in popek.ROBIN_IRVINE:
        assert f'<b>{mnemonic}</b>' in html


def test_the_map_widget_toggles_and_inspects():
    w = pv.InstructionMapWidget()
    assert "data-holds='yes'" in w.verdict.value and "data-variant='rv32'" in w.map.value
    assert w.pick.value == 'csrrw sstatus' and 'traps: the VMM emulates it' in w.detail.value
    w.variant.value = 'nonvirt'
    assert "data-holds='no'" in w.verdict.value and "data-variant='nonvirt'" in w.map.value
    assert 'SENSITIVE BUT RUNS' in w.detail.value
    w.pick.value = 'sret'
    assert 'traps: the VMM emulates it' in w.detail.value
    w.variant.value = 'rv32'
    assert w.pick.value == 'sret'                   # the inspected row stays
    assert w.text() == pv.map_text('rv32')
    assert 'vm-popek' in w.widget._dom_classes


# --- the trap timeline ---------------------------------------------------------------------------

def test_the_timeline_widget_steps_and_prices():
    w = tt.TrapTimelineWidget()
    steps = w.bounce.steps()
    assert 'data-step=\'1\'' in w.status.value and w.prev_button.disabled
    w.move(3)
    assert f"data-step='4' data-steps='{len(steps)}'" in w.status.value
    assert "vm-trapt-step vm-trapt-current' data-index='3' data-kind='vmm'" in w.steps.value
    assert 'csrr t0, sscratch' in w.status.value
    w.move(100)
    assert w.next_button.disabled and w.current == len(steps) - 1
    before = w.totals.value
    w.cost.value = 0
    assert w.totals.value != before
    assert w.text() == w.bounce.text(tt.exit_costs(0))
    png = w.figure.value
    w.axis.value = tt.AXES[1]
    assert w.figure.value != png
    w.call.value = 'mmap: a page-table write (ptemod workload)'
    assert w.current == 0 and w.bounce.call == 'system call 222 (mmap)'


def test_the_axes_measure_instructions_or_cycles():
    b = tt.bounce_of('getpid (syscall workload)')
    costs = CostModel()
    spans, total = tt._spans(b, tt.AXES[0], costs)
    assert total == b.instructions
    spans, total = tt._spans(b, tt.AXES[1], costs)
    assert total == b.cycles(costs)
    fig = tt.draw_bounce(b, tt.AXES[1], costs, current=2)
    assert fig.axes[0].get_xlim()[1] >= total
    assert tt.exit_costs(1400) == CostModel().replace(trap=700, trap_return=700)
    assert tt.exit_costs(tt.DEFAULT_EXIT_COST) == CostModel()


def test_draw_causes_draws_each_workload_and_its_shares():
    from vmlib.course import ch09
    rows = ch09.efficiency_rows(('compute', 'syscall'))
    fig = tt.draw_causes(rows)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ['compute', 'syscall']
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        ['run directly', 'boot', 'console', 'timer', 'page tables', 'workload']
    for y in (0, 1):                    # each bar's parts add up to the whole run
        widths = [p.get_width() for p in ax.patches if round(p.get_y() + p.get_height() / 2) == y]
        assert sum(widths) == pytest.approx(1.0)
