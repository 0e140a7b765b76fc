"""The cost model: named events, documented defaults, learner overrides, totals."""
import dataclasses
import doctest
import json

import pytest
from hypothesis import given, strategies as st

from vmlib.hypervisor import costs
from vmlib.hypervisor.costs import EVENTS, SOURCES, CostModel

CONTRACT_EVENTS = ['guest_instruction', 'emulated_instruction', 'trap', 'trap_return',
                   'vm_exit', 'vm_entry', 'world_switch', 'csr_emulation', 'sbi_call',
                   'shadow_fill', 'shadow_update', 'page_walk_step', 'walk_reference',
                   'device_access',
                   'interrupt_injection', 'exception_injection', 'callout', 'tc_lookup',
                   'translation']


def test_events_are_the_contracts_in_order_and_each_is_a_field_with_a_source():
    assert list(EVENTS) == CONTRACT_EVENTS
    assert [f.name for f in dataclasses.fields(CostModel)] == CONTRACT_EVENTS
    assert list(SOURCES) == CONTRACT_EVENTS
    for name in EVENTS:
        assert EVENTS[name] and len(SOURCES[name]) > 40


def test_defaults_are_ordered_as_the_measurements_say():
    m = CostModel()
    assert m.guest_instruction == 1
    assert 20 <= m.emulated_instruction <= 100          # interpreters: 20-100 per instruction
    assert 265 <= m.trap + m.trap_return <= 285         # a null system call on a SiFive U74
    assert m.vm_exit + m.vm_entry == 2000               # KVM's exit + entry on a Nehalem Xeon
    assert m.vm_exit + m.vm_entry > 5 * (m.trap + m.trap_return)
    assert m.trap > m.guest_instruction and m.csr_emulation > m.guest_instruction
    for name in ('trap', 'trap_return'):
        assert 'LKML 2024' in SOURCES[name]
    for name in ('vm_exit', 'vm_entry'):
        assert 'Landau et al. 2011' in SOURCES[name]
    assert 'Estimate' in SOURCES['world_switch'] and 'Estimate' in SOURCES['csr_emulation']


def test_cycles_have_every_event_and_total_is_their_sum():
    counts = {'guest_instruction': 1000, 'trap': 2, 'csr_emulation': 2, 'trap_return': 2}
    by_event = CostModel().cycles(counts)
    assert list(by_event) == CONTRACT_EVENTS
    assert by_event['trap'] == 270 and by_event['sbi_call'] == 0
    assert CostModel().total(counts) == 1000 + 270 + 300 + 270
    assert isinstance(CostModel().total(counts), int)
    json.dumps(by_event)


def test_replace_changes_one_cost_and_leaves_the_original():
    m = CostModel()
    cheap = m.replace(trap=500)
    assert cheap.trap == 500 and m.trap == 135
    assert cheap.world_switch == m.world_switch
    assert cheap.total({'trap': 3}) - CostModel().total({'trap': 3}) == 1095
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.trap = 1


@pytest.mark.parametrize('bad', [{'trapp': 1}, {'trap': -1}, {'trap': 'fast'},
                                 {'trap': float('nan')}, {'trap': float('inf')},
                                 {'trap': True}])
def test_replace_rejects_unknown_events_and_bad_costs(bad):
    with pytest.raises(ValueError) as e:
        CostModel().replace(**bad)
    assert 'trap' in str(e.value)


@pytest.mark.parametrize('bad', [{'vmexit': 1}, {'trap': -1}, {'trap': 1.5}, {'trap': None}])
def test_counts_must_be_known_events_and_whole_numbers(bad):
    with pytest.raises(ValueError):
        CostModel().cycles(bad)


def test_fractional_costs_are_allowed():
    assert CostModel().replace(guest_instruction=0.5).total({'guest_instruction': 3}) == 1.5


def test_table_lists_every_event_marks_changes_and_can_show_sources():
    text = CostModel().replace(trap=500).table()
    for name in EVENTS:
        assert name in text
    trap_line = next(line for line in text.splitlines() if line.startswith('trap '))
    assert '500' in trap_line and '(changed)' in trap_line
    assert '(changed)' not in next(line for line in text.splitlines()
                                   if line.startswith('world_switch'))
    assert 'Adams & Agesen' in CostModel().table(sources=True)
    assert str(CostModel()) == CostModel().table()


def test_rows_are_data():
    rows = CostModel().rows()
    assert [r['event'] for r in rows] == CONTRACT_EVENTS
    assert rows[2] == {'event': 'trap', 'cycles': 135, 'meaning': EVENTS['trap'],
                       'source': SOURCES['trap']}


def test_doctests():
    assert doctest.testmod(costs).failed == 0


@given(st.dictionaries(st.sampled_from(CONTRACT_EVENTS), st.integers(0, 10**9)),
       st.dictionaries(st.sampled_from(CONTRACT_EVENTS), st.integers(0, 10**6)))
def test_total_is_linear_in_counts_and_costs(counts, overrides):
    m = CostModel().replace(**overrides)
    assert m.total(counts) == sum(n * m.cost(e) for e, n in counts.items())
    doubled = {e: 2 * n for e, n in counts.items()}
    assert m.total(doubled) == 2 * m.total(counts)
