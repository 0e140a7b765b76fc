"""The bounded TLB model (vmlib.machine.tlb) and what the hypervisor measures with it."""

import pytest

from vmlib import guest
from vmlib.hypervisor.hypervisor import run
from vmlib.machine.tlb import TlbModel


def test_lru_entries_tagged_by_context_and_flushed_only_by_fences():
    tlb = TlbModel(entries=2)
    a, b = ('S', 1), ('S', 2)                # two address spaces (ASIDs)
    assert tlb.lookup(a, 5, False, False) is None
    tlb.insert(a, 5, False, False, 0x1000)
    tlb.insert(b, 5, False, False, 0x2000)   # the same page in another context: its own entry
    assert tlb.lookup(a, 5, False, False) == 0x1000 and tlb.lookup(b, 5, False, False) == 0x2000
    assert tlb.lookup(a, 5, True, False) is None             # a fetch needs an I entry
    assert tlb.lookup(a, 5, False, True) is None             # a store needs a writable one
    tlb.insert(a, 6, False, False, 0x3000)   # a third entry pushes out the least recently
    assert tlb.lookup(a, 5, False, False) is None            # used: a's page 5 (b's was after)
    assert tlb.lookup(b, 5, False, False) == 0x2000
    tlb.flush()
    assert tlb.lookup(a, 6, False, False) is None
    s = tlb.stats()
    assert (s['hits'], s['misses'], s['flushes']) == (3, 5, 1)
    with pytest.raises(ValueError):
        TlbModel(0)


@pytest.mark.parametrize('workload', ['pgfault', 'forkwait', 'syscall'])
def test_measuring_changes_nothing_the_guest_can_see(workload):
    plain = guest.machine(workload)
    plain.run(5_000_000)
    measured = guest.machine(workload)
    measured.hart.mmu.use_model(TlbModel(16))
    result = measured.run(5_000_000)
    assert result.reason == 'poweroff' and measured.output == plain.output
    assert measured.hart.instret == plain.hart.instret
    model = measured.hart.mmu.model
    assert model.misses > 0 and model.hits > 10 * model.misses


def test_a_smaller_tlb_misses_more():
    misses = [run('pgfault', 'hw', tlb_entries=n)['tlb']['misses'] for n in (2, 4, 16)]
    assert misses[0] > misses[1] > misses[2]


def test_nested_paging_pays_for_its_few_exits_in_walk_references():
    """On the page-table-heavy workloads the nested walk reads several entries per miss (up
    to 8), the shadow walk two; nested paging has fewer exits and fewer cycles all the same."""
    for workload in ('pgfault', 'ptemod'):
        nested = run(workload, 'hw', tlb_entries=64)
        shadow = run(workload, 'hw', nested_paging=False, tlb_entries=64)
        per_miss = {name: r['tlb']['walk_references'] / r['tlb']['misses']
                    for name, r in (('nested', nested), ('shadow', shadow))}
        assert 2 < per_miss['nested'] <= 8 and per_miss['shadow'] <= 2.5
        assert nested['vmm']['traps'] < shadow['vmm']['traps']
        assert nested['cycles']['total'] < shadow['cycles']['total']
        assert nested['events']['walk_reference'] == nested['tlb']['walk_references']
        assert nested['guests'][0]['console'] == shadow['guests'][0]['console']


def test_without_the_model_no_walk_is_charged():
    report = run('pgfault', 'hw')
    assert 'tlb' not in report and report['events']['walk_reference'] == 0
    with pytest.raises(ValueError, match='emulate'):
        run('pgfault', 'emulate', tlb_entries=64)
