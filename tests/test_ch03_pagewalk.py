"""The Sv32 page-walk model and views (vmlib.course.pagewalk, vmlib.viz.pagewalk): steps, reasons, no side effects, and always
the MMU's own verdict (checked on random page tables)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from vmlib.course.ch03 import (tour_machine, tour_walk_presets, USER_CODE_VA, USER_DATA_VA,
                               UNMAPPED_VA)
from vmlib.machine import Machine
from vmlib.machine.sv32 import PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D
from vmlib.course.pagewalk import (walk_steps, walk_text, flags_text, pte_fields, split_va,
                                   parse_address)
from vmlib.viz.pagewalk import walk_html, draw_walk, pagewalk_widget


@pytest.fixture(scope='module')
def toured():
    m = tour_machine()
    m.run(10_000)
    return m


def test_presets_outcomes(toured):
    got = [(label, walk_steps(toured, va, access, 'U').outcome)
           for label, va, access in tour_walk_presets()]
    data_pa = toured.program.symbols['user_data']
    code_pa = toured.program.symbols['user_code']
    assert [o for _, o in got] == [
        f'0x{code_pa:08x}', f'0x{data_pa:08x}', 'load page fault (cause 13)',
        'store/AMO page fault (cause 15)', 'instruction page fault (cause 12)',
        'load page fault (cause 13)']


def test_the_tours_fault_step_by_step(toured):
    w = walk_steps(toured, UNMAPPED_VA + 4, 'load', 'U')
    root = toured.program.symbols['pt_root']
    l0 = toured.program.symbols['pt_l0']
    assert w.translated and not w.ok and w.fault == 13
    assert [(s.level, s.addr) for s in w.steps] == [(1, root + 4), (0, l0 + 8)]
    assert w.steps[1].pte == 0 and 'V = 0' in w.steps[1].meaning
    text = walk_text(w)
    assert text.split('\n')[-1] == ('  => load page fault (cause 13), tval = 0x00402004: '
                                    'the level-0 PTE is not valid (V = 0)')
    assert f'level 1: PTE at 0x{root:08x} + 1*4 = 0x{root + 4:08x}' in text


def test_a_walk_changes_nothing():
    m = tour_machine()
    m.run(10_000)
    ram_before = bytes(m.bus.ram[:0x10000])
    walks = m.hart.mmu.walks
    fresh = tour_machine()
    # on a machine where the U program never ran, A and D are still clear ... and stay clear
    fresh.run(95)
    for va, access in ((USER_CODE_VA, 'fetch'), (USER_DATA_VA, 'store')):
        w = walk_steps(fresh, va, access, 'U')
        assert w.ok and w.sets in ('A', 'AD')
        w2 = walk_steps(fresh, va, access, 'U')
        assert w2.steps == w.steps
    for label, va, access in tour_walk_presets():
        walk_steps(m, va, access, 'U')
    assert bytes(m.bus.ram[:0x10000]) == ram_before and m.hart.mmu.walks == walks


def test_store_sets_d_and_explains_it():
    m = tour_machine()
    m.run(95)                                  # paging set up, U program not started
    w = walk_steps(m, USER_DATA_VA + 8, 'store', 'U')
    assert w.sets == 'AD'
    assert 'a real access also sets A and D in the leaf PTE' in walk_text(w)


def test_m_mode_and_bare_do_not_translate(toured):
    w = walk_steps(toured, 0x80000000, 'fetch', 'M')
    assert not w.translated and w.pa == 0x80000000 and 'M-mode' in w.reason
    bare = walk_steps(Machine(ram_size=1 << 16), 0x1234, 'load', 'U')
    assert bare.pa == 0x1234 and 'Bare' in bare.reason
    assert walk_text(bare).endswith('=> pa 0x00001234')


def test_s_mode_and_user_pages(toured):
    w = walk_steps(toured, USER_DATA_VA, 'load', 'S')
    assert w.fault == 13 and 'SUM' in w.reason
    toured.hart.mstatus |= 1 << 18              # SUM: now S-mode may load from U pages
    try:
        assert walk_steps(toured, USER_DATA_VA, 'load', 'S').ok
        assert walk_steps(toured, USER_CODE_VA, 'fetch', 'S').fault == 12   # never execute
    finally:
        toured.hart.mstatus &= ~(1 << 18)


def test_html_and_figure(toured):
    w = walk_steps(toured, USER_DATA_VA, 'store', 'U')
    html = walk_html(w)
    assert 'vm-pagewalk-table' in html and html.count('<tr') == 5      # head, satp, 2 PTEs, result
    assert 'vm-pagewalk-result' in html and f"0x{w.pa:08x}" in html
    bad = walk_html(walk_steps(toured, UNMAPPED_VA, 'load', 'U'))
    assert 'load page fault' in bad and '#fde7e9' in bad
    fig = draw_walk(w)
    texts = ' '.join(t.get_text() for t in fig.axes[0].texts)
    assert 'level-1 table' in texts and 'level-0 table' in texts and f'0x{w.pa:08x}' in texts


def test_small_helpers():
    assert flags_text(PTE_V | PTE_R | PTE_X | PTE_U | PTE_A) == 'V R - X U - A -'
    f = pte_fields((0x80004 << 10) | PTE_V | PTE_D)
    assert f['ppn'] == 0x80004 and f['V'] == 1 and f['D'] == 1 and f['W'] == 0
    assert split_va(0x00402004) == (1, 2, 4)
    assert parse_address('0x0040_2004') == 0x00402004 and parse_address(' 4096 ') == 4096
    with pytest.raises(ValueError):
        parse_address('0x1_0000_0000')
    with pytest.raises(ValueError):
        parse_address('hello')
    with pytest.raises(ValueError):
        walk_steps(Machine(ram_size=4096), 0, 'write')


def test_widget_follows_its_controls(toured):
    pytest.importorskip('ipywidgets')
    box = pagewalk_widget(toured, tour_walk_presets())
    preset, row, view, plot = box.children
    va_box, access, who = row.children
    assert 'pa <b>0x' in view.value and plot.value[:4] == b'\x89PNG'
    preset.value = 2                                       # the unmapped page
    assert va_box.value == '0x00402004' and access.value == 'load'
    assert 'load page fault' in view.value
    who.value = 'M'
    assert 'M-mode does not translate' in view.value
    va_box.value = 'nonsense'
    assert 'not an address' in view.value


# --- the view never disagrees with the MMU ---------------------------------------------------

RAM_PAGES = 64
ppn_in_ram = st.integers(0x80000, 0x80000 + RAM_PAGES - 1)
flags = st.integers(0, 0xFF)


@given(root=ppn_in_ram, l0=ppn_in_ram, l1_flags=flags, l0_flags=flags,
       l1_ppn=st.one_of(ppn_in_ram, st.integers(0, (1 << 22) - 1)),
       leaf_ppn=st.integers(0, (1 << 22) - 1), va=st.integers(0, (1 << 32) - 1),
       access=st.sampled_from(['fetch', 'load', 'store']), priv=st.sampled_from(['U', 'S']),
       mstatus=st.sampled_from([0, 1 << 18, 1 << 19, 3 << 18]), pointer=st.booleans())
def test_walk_agrees_with_the_mmu(root, l0, l1_flags, l0_flags, l1_ppn, leaf_ppn, va, access,
                                  priv, mstatus, pointer):
    m = Machine(ram_size=RAM_PAGES * 4096)
    m.hart.mstatus = mstatus
    vpn1, vpn0, _ = split_va(va)
    l1_pte = ((l0 if pointer else l1_ppn) << 10) | (PTE_V if pointer else l1_flags)
    m.bus.write((root << 12) + vpn1 * 4, 4, l1_pte)
    if (l1_pte >> 10) << 12 == l0 << 12:
        m.bus.write((l0 << 12) + vpn0 * 4, 4, (leaf_ppn << 10) | l0_flags)
    w = walk_steps(m, va, access, priv, satp=(1 << 31) | root)   # raises if it disagrees
    assert 1 <= len(w.steps) <= 2 or w.fault in (1, 5, 7)
    assert w.ok == (w.pa is not None)
    walk_text(w)


def test_walk_html_is_well_formed(toured):
    from test_viz_stepper import attribute_names
    for label, va, access in tour_walk_presets():
        markup = walk_html(walk_steps(toured, va, access, 'U'))
        assert attribute_names(markup) <= {'class', 'style', 'colspan'}, label
