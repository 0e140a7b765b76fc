"""The two-dimensional page walk (vmlib.machine.walk2d, vmlib.course.walk2d_demo): every
reference in order, the counts with and without megapages, Bare stages, a fault at each
reference, and the machine's own two-stage translation (Mmu.peek in VS-mode) as the judge."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, HealthCheck, strategies as st

from vmlib.course.walk2d_demo import (DEMO_VAS, GUEST_RAM_HOST, VS_ROOT_GPA, VS_L0_GPA,
                                      HOST_LEAF, demo_machine, demo_walk, machine_outcome)
from vmlib.machine import Machine, Trap
from vmlib.machine.bus import RAM_BASE
from vmlib.machine.csr import SUM, MXR
from vmlib.machine.frames import FramePool
from vmlib.machine.hcsr import HGATP_MODE
from vmlib.machine.sv32 import (PageTable, SATP_MODE, PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A,
                                PTE_D, leaf)
from vmlib.machine.traps import S, U
from vmlib.machine.walk2d import references, two_stage_walk, ram_words, WIDTH

DATA = DEMO_VAS['data']                 # va 0x00403abc: vpn1 1, vpn0 3 -> gpa 0x80003abc
DATA_GPA = 0x8000_3ABC


def walk_on(m, va, access='load', priv=S):
    h = m.hart
    return two_stage_walk(ram_words(m.bus), h.vsatp, h.hgatp, va, access, priv, h.vsstatus,
                          h.mstatus)


def said(w):
    return ('pa', w.pa) if w.ok else ('fault', w.fault, w.htval)


def test_the_count_formula():
    assert references(2, 2) == 8
    assert references(4, 4) == 24      # Bhargava et al., ASPLOS 2008: x86-64 nested paging
    assert references(1, 2) == references(2, 1) == 5
    assert references(1, 1) == 3
    assert references(2, 0) == references(0, 2) == 2


def test_a_4k_page_takes_eight_references_in_this_order():
    w = demo_walk(DATA)
    pte1, pte0 = VS_ROOT_GPA + 4 * 1, VS_L0_GPA + 4 * 3
    assert [(r.number, r.stage, r.level, r.purpose, r.gpa) for r in w.references] == [
        (1, 'G', 1, "G-stage level 1 for the VS root PTE's address", pte1),
        (2, 'G', 0, "G-stage level 0 for the VS root PTE's address", pte1),
        (3, 'VS', 1, 'VS level 1 PTE', pte1),
        (4, 'G', 1, "G-stage level 1 for the VS level-0 PTE's address", pte0),
        (5, 'G', 0, "G-stage level 0 for the VS level-0 PTE's address", pte0),
        (6, 'VS', 0, 'VS level 0 PTE', pte0),
        (7, 'G', 1, "G-stage level 1 for the data's address", DATA_GPA),
        (8, 'G', 0, "G-stage level 0 for the data's address", DATA_GPA)]
    assert w.counts() == {'G': 6, 'VS': 2, 'total': 8} and len(w.references) == references(2, 2)
    assert (w.gpa, w.pa, w.page_sizes) == (DATA_GPA, GUEST_RAM_HOST + 0x3ABC, (4096, 4096))
    # a VS PTE is read at the host address its G-stage walk just produced
    host = GUEST_RAM_HOST - 0x8000_0000
    assert [w.references[i].address for i in (2, 5)] == [pte1 + host, pte0 + host]
    # every G-stage walk starts at hgatp's root (16 KiB: the GPA's top 12 bits index it)
    root = (w.hgatp & 0x3FFFFF) << 12
    assert {w.references[i].address for i in (0, 3, 6)} == {root + 4 * (0x8000_0000 >> 22)}


def test_the_text_numbers_every_reference_within_the_width():
    text = demo_walk(DATA).text()
    lines = text.split('\n')
    assert all(len(line) <= WIDTH for line in lines)
    assert [line[:3] for line in lines if line[:2].strip().isdigit()] == [
        f'{n:2}.' for n in range(1, 9)]
    assert ' 3. VS level 1 PTE at gpa 0x80001004' in lines
    assert lines[-1] == ('   => host-physical 0x80803abc (gpa 0x80003abc) after 8 references '
                         '(6 G-stage, 2 VS-stage)')
    fault = demo_walk(DEMO_VAS['outside guest RAM']).text()
    assert 'load guest-page fault (cause 21)' in fault and 'htval 0x30000048' in fault
    assert all(len(line) <= WIDTH for line in fault.split('\n'))


@pytest.mark.parametrize('megapages, counts, sizes', [
    (False, {'G': 6, 'VS': 2, 'total': 8}, (4096, 4096)),
    ('VS', {'G': 4, 'VS': 1, 'total': 5}, (4 << 20, 4096)),    # (1+1)(2+1)-1
    ('G', {'G': 3, 'VS': 2, 'total': 5}, (4096, 4 << 20)),     # (2+1)(1+1)-1
    (True, {'G': 2, 'VS': 1, 'total': 3}, (4 << 20, 4 << 20)),  # (1+1)(1+1)-1
])
def test_megapages_shorten_either_dimension(megapages, counts, sizes):
    w = demo_walk(DATA, megapages=megapages)
    assert w.counts() == counts and w.page_sizes == sizes
    assert w.pa == GUEST_RAM_HOST + 0x3ABC          # the same byte, fewer references
    vs_levels, g_levels = (2 if size == 4096 else 1 for size in sizes)
    assert counts['total'] == references(vs_levels, g_levels)


def test_vsatp_bare_leaves_only_the_data_walk():
    m = demo_machine()
    m.hart.vsatp = 0
    w = walk_on(m, DATA_GPA)
    assert [(r.stage, r.level, r.gpa) for r in w.references] == [('G', 1, DATA_GPA),
                                                                 ('G', 0, DATA_GPA)]
    assert (w.gpa, w.pa) == (DATA_GPA, GUEST_RAM_HOST + 0x3ABC)
    assert said(w) == machine_outcome(m, DATA_GPA)
    m = demo_machine(megapages='G')
    m.hart.vsatp = 0
    assert walk_on(m, DATA_GPA).counts() == {'G': 1, 'VS': 0, 'total': 1}


def test_hgatp_bare_leaves_only_the_guest_walk():
    m = Machine()
    table = PageTable(m.bus.ram32, FramePool(m.bus))
    table.set(0x403, leaf(RAM_BASE + 0x7000, PTE_V | PTE_R | PTE_A))
    m.hart.vsatp = table.satp
    w = walk_on(m, DATA)
    assert [(r.stage, r.level) for r in w.references] == [('VS', 1), ('VS', 0)]
    assert w.pa == w.gpa == RAM_BASE + 0x7ABC
    assert w.page_sizes == (4096, None)
    assert w.pa == m.hart.mmu.walk(DATA, 'load', S, table.satp, update=False)  # one stage
    assert said(w) == machine_outcome(m, DATA)
    m.hart.vsatp = 0                                # both Bare: nothing to read
    w = walk_on(m, DATA)
    assert (w.references, w.pa) == ((), DATA) and said(w) == machine_outcome(m, DATA)


# --- a fault at each reference ----------------------------------------------------------------

# (the reference whose word is cleared, the cause, the GPA a guest-page fault reports)
# References 4 and 7 read the same G-stage root PTE as reference 1 (guest RAM is one 4 MiB
# region), so clearing it stops the walk at 1; 'outside guest RAM' below stops at a G root.
FAULT_AT = [(1, 21, VS_ROOT_GPA + 4), (2, 21, VS_ROOT_GPA + 4), (3, 13, None),
            (5, 21, VS_L0_GPA + 12), (6, 13, None), (8, 21, DATA_GPA)]


@pytest.mark.parametrize('number, cause, gpa', FAULT_AT)
def test_an_invalid_pte_stops_the_walk_at_its_reference(number, cause, gpa):
    m = demo_machine()
    whole = walk_on(m, DATA)
    m.bus.ram32[(whole.references[number - 1].address - RAM_BASE) >> 2] = 0
    w = walk_on(m, DATA)
    assert (w.fault, w.stopped_after, w.refused_gpa) == (cause, number, gpa)
    assert w.references == whole.references[:number - 1] + (w.references[-1],)
    assert w.references[-1].value == 0 and 'V = 0' in w.references[-1].meaning
    assert w.htval == (0 if gpa is None else gpa >> 2)
    assert said(w) == machine_outcome(m, DATA)


def test_references_4_and_7_are_reference_1s_word():
    refs = demo_walk(DATA).references
    assert refs[0].address == refs[3].address == refs[6].address


def test_a_guest_megapage_outside_guest_ram_is_a_guest_page_fault_at_the_data():
    w = demo_walk(DEMO_VAS['outside guest RAM'])
    assert (w.fault, w.stopped_after, w.refused_gpa) == (21, 4, 0xC000_0123)
    assert w.references[-1].purpose == "G-stage level 1 for the data's address"


def test_a_vs_table_with_no_memory_behind_it_is_an_access_fault():
    m = demo_machine()
    whole = walk_on(m, DATA)
    m.bus.ram32[(whole.references[1].address - RAM_BASE) >> 2] = leaf(0x4000_0000, HOST_LEAF)
    w = walk_on(m, DATA)
    assert (w.fault, w.stopped_after, w.references[-1].value) == (5, 3, None)
    assert w.references[-1].address == 0x4000_0004     # page 0x80001000 -> 0x40000000
    assert said(w) == machine_outcome(m, DATA)


@pytest.mark.parametrize('access, take, cause', [
    ('store', PTE_W, 23), ('fetch', PTE_X, 20), ('load', PTE_U, 21)])
def test_a_g_stage_refusal_is_the_guest_page_fault_of_the_access(access, take, cause):
    m = demo_machine()
    data_g_leaf = walk_on(m, DATA).references[7].address
    m.bus.ram32[(data_g_leaf - RAM_BASE) >> 2] &= ~take
    w = walk_on(m, DATA, access)
    assert (w.fault, w.stopped_after, w.refused_gpa) == (cause, 8, DATA_GPA)
    assert said(w) == machine_outcome(m, DATA, access)


@pytest.mark.parametrize('stage, vsstatus, mstatus, allowed', [
    ('VS', 0, 0, False), ('VS', MXR, 0, True), ('VS', 0, MXR, True),
    ('G', 0, 0, False), ('G', MXR, 0, False), ('G', 0, MXR, True)])
def test_mxr_reads_execute_only_pages_in_the_stages_it_reaches(stage, vsstatus, mstatus,
                                                               allowed):
    # vsstatus.MXR is the guest's and reaches only its own stage; mstatus.MXR reaches both
    m = demo_machine()
    refs = walk_on(m, DATA).references
    leaf_pte = refs[5 if stage == 'VS' else 7].address
    m.bus.ram32[(leaf_pte - RAM_BASE) >> 2] &= ~(PTE_R | PTE_W)
    m.hart.vsstatus, m.hart.mstatus = vsstatus, mstatus
    w = walk_on(m, DATA)
    assert w.ok == allowed
    assert allowed or w.fault == (13 if stage == 'VS' else 21)
    assert said(w) == machine_outcome(m, DATA)


def test_a_guest_physical_address_beyond_32_bits_with_hgatp_bare_is_an_access_fault():
    m = Machine()
    table = PageTable(m.bus.ram32, FramePool(m.bus))
    m.bus.ram32[(table.root >> 2) + 1] = leaf(0x2_0000_0000, PTE_V | PTE_R | PTE_A)
    m.hart.vsatp = table.satp
    w = walk_on(m, DATA)
    assert (w.fault, w.gpa, w.stopped_after, w.refused_gpa) == (5, 0x2_0000_3ABC, 1, None)
    assert 'beyond 32 bits' in w.reason
    assert said(w) == machine_outcome(m, DATA)


@pytest.mark.parametrize('access', ['store', 'fetch'])
def test_reading_the_guests_tables_is_a_load_in_the_g_stage(access):
    m = demo_machine()
    refs = walk_on(m, DATA).references
    for g_leaf in (refs[1].address, refs[4].address):   # the pages of the two VS tables
        m.bus.ram32[(g_leaf - RAM_BASE) >> 2] &= ~(PTE_W | PTE_X)
    w = walk_on(m, DATA, access)
    assert w.ok and w.counts()['total'] == 8
    assert said(w) == machine_outcome(m, DATA, access)


def test_the_walk_changes_nothing():
    m = demo_machine()
    before = bytes(m.bus.ram[:12 << 20])
    for access in ('load', 'store', 'fetch'):
        walk_on(m, DATA, access)
    assert bytes(m.bus.ram[:12 << 20]) == before


# --- the machine is the judge -----------------------------------------------------------------

# A small world, 1 MiB of host RAM: the G-stage root in host pages 0..3 (16 KiB), its level-0
# table in page 4, guest pages 0x80005..0x8000b on host pages 5..11 in a random order, the
# guest's tables in two of them, megapages in both stages, execute-only pages in both (MXR),
# a guest megapage beyond 32 bits of guest-physical space; then a few words replaced by random
# ones. PPNs and table indices come from small sets, so random words still chain into walks.
G_L0, GUEST_PAGES = 4, range(5, 12)
VS_ROOT, VS_L0 = 0x80005, 0x80006           # guest page numbers of the guest's tables
HGATP_ROOT = RAM_BASE >> 12
PPNS = [0x80000 + p for p in range(4, 12)] + [0x80000, 0x00400, 0x200080, 0x80104]
INDICES = [0, 1, 2, 3, 0x200] + list(range(4, 12))
SLOTS = ([(0, i) for i in (0, 1, 2, 0x200, 0x201, 0x800, 0x802)] +
         [(p, i) for p in range(4, 12) for i in INDICES])      # (host page, PTE index)
GUEST_FLAGS = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
FLAGS = [PTE_V, GUEST_FLAGS, GUEST_FLAGS | PTE_U, PTE_V | PTE_R | PTE_U, PTE_V | PTE_X | PTE_U,
         PTE_V | PTE_W | PTE_U]


def skeleton(order):
    """{(host page, index): word} of a two-stage world whose guest pages sit in ``order``."""
    host = {0x80000 + g: 0x80000 + h for g, h in zip(GUEST_PAGES, order)}
    host[0x80000 + G_L0] = 0x80000 + G_L0
    words = {(0, 0x200): (0x80000 + G_L0) << 10 | PTE_V,
             (0, 1): leaf(RAM_BASE, HOST_LEAF)}            # G megapage: gpa 0x00400000...
    words.update({(G_L0, g & 0x3FF): h << 10 | HOST_LEAF for g, h in host.items()})
    words[(G_L0, 11)] &= ~(PTE_R | PTE_W)                    # execute-only guest page 11

    def guest(page, index, word):
        words[(host[page] - 0x80000, index)] = word
    guest(VS_ROOT, 1, VS_L0 << 10 | PTE_V)
    guest(VS_ROOT, 2, leaf(0x8000_0000, GUEST_FLAGS | PTE_U))    # VS megapages
    guest(VS_ROOT, 0x200, leaf(0x0040_0000, GUEST_FLAGS))
    guest(VS_ROOT, 3, leaf(0x2_0000_0000, GUEST_FLAGS | PTE_U))  # gpa beyond 32 bits
    for page in range(4, 12):
        guest(VS_L0, page, (0x80000 + page) << 10 | GUEST_FLAGS | (page & 1) * PTE_U)
    guest(VS_L0, 3, leaf(0x8000_7000, PTE_V | PTE_X | PTE_U | PTE_A))   # execute-only
    return words


def pte_words():
    ppn = st.sampled_from(PPNS)
    return st.one_of(st.just(0), ppn.map(lambda p: p << 10 | PTE_V),
                     st.builds(lambda p, f: p << 10 | f, ppn, st.sampled_from(FLAGS)),
                     st.builds(lambda p, f: p << 10 | f, ppn, st.integers(0, 0xFF)),
                     st.integers(0, 0xFFFFFFFF))


def vas():
    """Mostly addresses the skeleton maps (VS root PTEs 1, 2, 3, 0x200), some anywhere."""
    made = st.builds(lambda hi, lo, off: hi << 22 | lo << 12 | off,
                     st.sampled_from([1, 1, 2, 2, 3, 0x200, 0x200, *INDICES]),
                     st.sampled_from([*range(4, 12), *INDICES]), st.integers(0, 0xFFF))
    return st.one_of(made, made, made, st.integers(0, 0xFFFFFFFF))


_world = []


def small_world(words):
    if not _world:
        _world.append(Machine(ram_size=1 << 20))
    m = _world[0]
    m.bus.ram[:12 << 12] = bytes(12 << 12)
    for (page, index), word in words.items():
        m.bus.ram32[page << 10 | index] = word
    return m


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.one_of(st.just(GUEST_PAGES), st.permutations(GUEST_PAGES)),  # identity: Bare G too
       changed=st.dictionaries(st.sampled_from(SLOTS), pte_words(), max_size=6),
       vsatp=st.builds(lambda mode, asid, ppn: mode | asid << 22 | ppn,
                       st.sampled_from([SATP_MODE, SATP_MODE, 0]), st.integers(0, 0x1FF),
                       st.one_of(st.just(VS_ROOT), st.sampled_from(PPNS))),
       hgatp_mode=st.sampled_from([HGATP_MODE, HGATP_MODE, 0]), va=vas(),
       access=st.sampled_from(['load', 'store', 'fetch']), priv=st.sampled_from([S, U]),
       vsstatus=st.sampled_from([0, SUM, MXR, SUM | MXR]), mstatus=st.sampled_from([0, MXR]))
def test_the_walk_agrees_with_the_machine(order, changed, vsatp, hgatp_mode, va, access, priv,
                                          vsstatus, mstatus):
    m = small_world({**skeleton(order), **changed})
    h = m.hart
    h.vsatp, h.hgatp = vsatp, hgatp_mode | HGATP_ROOT
    h.vsstatus, h.mstatus = vsstatus, mstatus
    w = two_stage_walk(ram_words(m.bus), h.vsatp, h.hgatp, va, access, priv, vsstatus, mstatus)
    assert said(w) == machine_outcome_as(m, va, access, priv)
    assert w.counts()['total'] == len(w.references) <= 8
    assert all(len(line) <= WIDTH for line in w.text().split('\n'))


def machine_outcome_as(m, va, access, priv):
    """``machine_outcome`` at the guest's privilege ``priv`` (VS or VU)."""
    try:
        return ('pa', m.hart.mmu.peek(va, access, 4 | priv))
    except Trap as t:
        return ('fault', t.cause, t.tval2)
