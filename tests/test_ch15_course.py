"""Chapter 15: every way on every workload; the classic orderings reproduced from mechanisms."""

import pytest

from vmlib import guest
from vmlib.course.ch15 import (CLAIMS, CONTENDERS, KNOBS, WAYS, WORKLOADS, check, crossovers,
                               cycles, explain, knob_value, measure, winner, with_knob)
from vmlib.hypervisor import CostModel
from vmlib.viz.side_by_side import CONTESTS, CostSliders, costs_from

HW1 = 'hw, no nested paging'


@pytest.mark.parametrize('workload', WORKLOADS)
def test_every_way_prints_what_the_bare_machine_prints(workload):
    bare = measure('bare', workload)
    assert bare.exit_status == 0
    for way in CONTENDERS:
        m = measure(way, workload)
        # (the paravirtual port's console is virtio's: its bare twin is the virtio build)
        console = guest.run(workload, virtio=True)[0] if way == 'pv' else bare.console
        assert (m.console, m.exit_status) == (console, 0), way


@pytest.mark.parametrize('claim', CLAIMS, ids=[c.says for c in CLAIMS])
def test_the_published_orderings_hold_with_the_default_costs(claim):
    assert claim.holds(), explain(claim)


def test_the_orderings_come_from_the_mechanisms_not_the_prices():
    def exits(way, w, kind=None):
        m = measure(way, w)
        return sum(m.exits.values()) if kind is None else m.exits.get(kind, 0)
    # syscall, exception: a process's trap reaches the translator's VMM, not the hardware's
    for w in ('syscall', 'exception'):
        assert exits('bt', w, 'guest_exception') > 100 > exits(HW1, w)
    # io: the translator calls out to the UART model; the hardware VMM exits for each access
    assert measure('bt', 'io').callouts['mmio'] > 1000 > exits('bt', 'io', 'mmio')
    assert exits(HW1, 'io', 'KVM_EXIT_MMIO') > 1000
    # ptemod: adaptive translation against an exit per traced page-table write
    assert exits(HW1, 'ptemod', 'page_table_write') > 3 * exits('bt', 'ptemod',
                                                                'page_table_write')
    assert measure('bt', 'ptemod').callouts['page_table_write'] > 100
    # callret: one cache lookup per return in the kernel's fib(16), none elsewhere
    assert measure('bt', 'callret').events['tc_lookup'] >= 3193
    assert 'tc_lookup' not in measure(HW1, 'callret').events
    # nested paging: the page-table exits are gone
    for w in ('pgfault', 'ptemod'):
        assert exits('hw', w) < exits(HW1, w) / 10


def test_check_reports_every_claim_with_both_cycle_counts():
    rows = check()
    assert len(rows) == len(CLAIMS) and all(r['holds'] for r in rows)
    assert all(r['faster cycles'] > 0 and r['slower cycles'] > 0 for r in rows)
    # a price can reverse a claim: exits nearly free, the hardware VMM wins io
    io = next(c for c in CLAIMS if c.workload == 'io')
    assert not io.holds(with_knob('VM exit + entry', 100))


def test_crossovers_are_exact_and_agree_with_the_winner():
    costs = CostModel()
    for w in ('io', 'callret', 'csr', 'blk'):
        for knob in KNOBS:
            cuts = crossovers(w, knob, costs, top=10_000)
            assert cuts[0][0] == 0
            for (value, way), nxt in zip(cuts, cuts[1:] + [(10_000, None)]):
                mid = (value + nxt[0]) / 2
                assert winner(w, with_knob(knob, mid, costs)) == way, (w, knob, mid)
    cuts = crossovers('io', 'VM exit + entry')
    assert [way for _, way in cuts] == ['hw', 'bt'] and 100 < cuts[1][0] < 2000


def test_knobs_split_their_value_between_their_events():
    costs = with_knob('VM exit + entry', 3000)
    assert (costs.vm_exit, costs.vm_entry) == (1500, 1500)
    assert knob_value('VM exit + entry') == 2000 and knob_value('callout') == 40
    assert costs_from({'callout': 80, 'trap + return': 500}) == \
        CostModel().replace(callout=80, trap=250, trap_return=250)


def test_cycles_are_the_counts_priced():
    m = measure('bt', 'syscall')
    assert cycles('bt', 'syscall') == CostModel().total(m.events)
    assert cycles("bare", "syscall") == measure("bare", "syscall").instructions
    assert set(WAYS) == {'bare', *CONTENDERS}


def test_the_sliders_change_the_standings():
    w = CostSliders()
    before = {r['workload']: r['winner'] for r in w.rows()}
    assert before['io'] == 'bt' and before['syscall'] == 'hw'
    w.sliders['VM exit + entry'].value = 100
    after = {r['workload']: r['winner'] for r in w.rows()}
    assert after['io'] == 'hw' and 'io' in w.text() and '(was bt)' in w.text()
    assert "data-workload='io' data-winner='hw' data-changed='true'" in w.table.value
    w.reset()
    assert {r['workload']: r['winner'] for r in w.rows()} == before
    w.contest.value = list(CONTESTS)[1]
    rows = {r['workload']: r for r in w.rows()}
    assert set(rows['io']['cycles']) == {'bt', HW1}
    assert rows['syscall']['winner'] == HW1 and rows['ptemod']['winner'] == 'bt'
