"""Popek & Goldberg: the non-virtualizable variant of the CPU, and the instruction map."""

import pytest

from vmlib.machine import Machine
from vmlib.machine.traps import ILLEGAL_INSTRUCTION, ECALL_FROM_U

ENGINES = ['interp', 'dbt']
SUM, SPIE = 1 << 18, 1 << 5

# M-mode sets sstatus.SUM and SPIE, enters U-mode at `user`; an ecall (or any trap) comes back
# to `handler`, which records mcause, mepc and mstatus and powers off.
U_MODE = """
    la t0, handler
    csrw mtvec, t0
    li t0, (1 << 18) | (1 << 5)
    csrs mstatus, t0
    la t0, user
    csrw mepc, t0
    li t0, 3 << 11
    csrc mstatus, t0            # MPP = U
    li a0, -1
    li a1, -1
    mret
user:
{body}
    ecall
handler:
    csrr s0, mcause
    csrr s1, mepc
    csrr s2, mstatus
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
1:  j 1b
"""


def run_user(body, engine, **kw):
    m = Machine.from_source(U_MODE.format(body=body), engine=engine, ram_size=1 << 16, **kw)
    result = m.run(10_000)
    assert result.reason == 'poweroff', result
    return m


@pytest.mark.parametrize('engine', ENGINES)
@pytest.mark.parametrize('body', ['csrr a0, sstatus', 'csrw sstatus, zero',
                                  'csrs sstatus, a1', 'csrci sstatus, 2', 'csrrwi a0, sstatus, 0'])
def test_flag_off_sstatus_in_user_mode_is_an_illegal_instruction(engine, body):
    m = run_user(body, engine)
    assert m.reg('s0') == ILLEGAL_INSTRUCTION
    assert m.reg('s1') == m.symbols['user']
    assert m.reg('a0') == 0xFFFFFFFF                # nothing was read


@pytest.mark.parametrize('engine', ENGINES)
def test_flag_on_sstatus_reads_the_real_view_and_writes_are_dropped(engine):
    m = run_user("""
        csrr a0, sstatus
        li t0, (1 << 18) | (1 << 5) | 2
        csrc sstatus, t0        # would clear SUM and SPIE
        csrrw a1, sstatus, zero
        csrsi sstatus, 2        # would set SIE
        csrrci a2, sstatus, 0
    """, engine, nonvirt=True)
    assert m.reg('s0') == ECALL_FROM_U                      # no trap before the ecall
    assert m.reg('a0') == SUM | SPIE                        # the hart's real sstatus view
    assert m.reg('a1') == SUM | SPIE and m.reg('a2') == SUM | SPIE
    assert m.reg('s2') & (SUM | SPIE | 2) == SUM | SPIE     # every write was ignored
    assert m.hart.nonvirt is True


@pytest.mark.parametrize('engine', ENGINES)
@pytest.mark.parametrize('body', ['csrr a0, sscratch', 'csrw sie, zero', 'csrr a0, mstatus',
                                  'csrw stvec, zero', 'sret', 'sfence.vma', 'wfi'])
def test_flag_on_leaves_every_other_privileged_instruction_trapping(engine, body):
    m = run_user(body, engine, nonvirt=True)
    assert m.reg('s0') == ILLEGAL_INSTRUCTION and m.reg('s1') == m.symbols['user']


@pytest.mark.parametrize('engine', ENGINES)
def test_flag_on_changes_nothing_outside_user_mode(engine):
    src = """
        li t0, 1 << 18
        csrs sstatus, t0
        csrr a0, sstatus
        csrc sstatus, t0
        csrr a1, sstatus
        li t0, 0x100000
        li t1, 0x5555
        sw t1, 0(t0)
    """
    for nonvirt in (False, True):
        m = Machine.from_source(src, engine=engine, ram_size=1 << 16, nonvirt=nonvirt)
        assert m.run(1000).reason == 'poweroff'
        assert (m.reg('a0'), m.reg('a1')) == (SUM, 0)


def test_flag_is_off_by_default_and_switchable_on_the_hart():
    assert Machine(ram_size=1 << 16).hart.nonvirt is False
    m = Machine.from_source(U_MODE.format(body='csrr a0, sstatus'), ram_size=1 << 16)
    m.hart.nonvirt = True
    assert m.run(10_000).reason == 'poweroff'
    assert m.reg('s0') == ECALL_FROM_U and m.reg('a0') == SUM | SPIE


# --- the instruction map ------------------------------------------------------------------------

import json                                                     # noqa: E402

from hypothesis import given, settings, strategies as st        # noqa: E402

from strategies import instructions                             # noqa: E402
from vmlib.isa import SPECS                                     # noqa: E402
from vmlib.isa.csrs import CSR_NUMBERS, is_read_only            # noqa: E402
from vmlib.hypervisor import popek                              # noqa: E402

CSR_SPECS = [s.name for s in SPECS if s.category == 'csr']
SSTATUS_ROWS = {f'{name} sstatus' for name in CSR_SPECS + ['csrr']}


def by_name(variant='rv32'):
    return {row.name: row for row in popek.instruction_map(variant)}


def test_every_row_of_the_decode_table_is_in_the_map_once():
    names = [row.name for row in popek.instruction_map()]
    assert len(names) == len(set(names))
    expected = {s.name for s in SPECS if s.category != 'csr'}
    expected |= {f'{n} {cls}' for n in CSR_SPECS + ['csrr'] for cls in popek.CSR_CLASSES}
    assert set(names) == expected
    assert len(names) == len(SPECS) - len(CSR_SPECS) + 7 * len(popek.CSR_CLASSES)


def test_the_theorem_holds_for_rv32_and_fails_for_the_variant_exactly_on_sstatus():
    assert popek.theorem_holds('rv32') is True and popek.offenders('rv32') == []
    assert popek.theorem_holds('nonvirt') is False
    assert {row.name for row in popek.offenders('nonvirt')} == SSTATUS_ROWS
    assert 'the theorem holds' in popek.theorem_text('rv32')
    text = popek.theorem_text('nonvirt')
    assert 'does not hold' in text and all(name in text for name in SSTATUS_ROWS)


def test_privileged_is_measured_and_only_sstatus_differs_in_the_variant():
    diffs = popek.differences()
    assert {a.name for a, b in diffs} == SSTATUS_ROWS
    for a, b in diffs:
        assert (a.in_user, a.privileged) == ('trap 2', True)
        assert (b.in_user, b.privileged) == ('runs', False)
        assert a.sensitive == b.sensitive                     # sensitivity is what it does


def test_known_rows():
    m = by_name()
    for name in ('sret', 'mret', 'wfi', 'sfence.vma'):
        assert m[name].privileged and m[name].sensitive == ('control',)
    for name in ('addi', 'lw', 'sw', 'jal', 'amoadd.w', 'lr.w', 'fence.i', 'mul'):
        assert (m[name].in_user, m[name].privileged, m[name].sensitive) == ('runs', False, ())
    assert (m['ecall'].in_user, m['ecall'].in_machine) == ('trap 8', 'trap 11')
    assert m['ebreak'].in_user == 'trap 3' and m['ecall'].innocuous
    assert m['csrr user counter'].in_user == 'runs' and m['csrr user counter'].innocuous
    assert m['csrrw user counter'].verdict == 'illegal in every mode'
    assert m['csrr S-level'].sensitive == ('behaviour',)
    assert m['csrrw M-level'].sensitive == ('control', 'behaviour')
    assert m['csrrw sstatus'].verdict == 'traps: the VMM emulates it'
    assert by_name('nonvirt')['csrrw sstatus'].verdict.startswith('SENSITIVE BUT RUNS')


def test_counts():
    assert popek.counts('rv32') == {
        'rows': 111, 'privileged': 44, 'sensitive': 44, 'control-sensitive': 33,
        'behaviour-sensitive': 38, 'innocuous': 67, 'sensitive, not privileged': 0}
    c = popek.counts('nonvirt')
    assert (c['privileged'], c['sensitive'], c['sensitive, not privileged']) == (37, 44, 7)


def test_the_translator_measures_the_same_map():
    for variant in popek.VARIANTS:
        assert popek.instruction_map(variant, engine='dbt') == popek.instruction_map(variant)


def test_data_and_text_forms():
    rows = popek.rows('nonvirt')
    json.dumps(rows)
    assert rows[0]['name'] == 'addi' and rows[0]['verdict'] == 'runs directly'
    assert {r['name'] for r in rows if not r['privileged'] and r['sensitive']} == SSTATUS_ROWS
    text = popek.table('rv32')
    assert all(row.name in text for row in popek.instruction_map())
    assert 'SENSITIVE BUT RUNS' not in text and 'SENSITIVE BUT RUNS' in popek.table('nonvirt')
    only = popek.table('rv32', categories={'privileged'})
    assert 'sret' in only and 'addi' not in only


def test_robin_and_irvine():
    mnemonics = [m for m, _, _ in popek.ROBIN_IRVINE]
    assert {'POPF', 'PUSHF', 'SGDT', 'SIDT', 'SMSW', 'LAR', 'VERW', 'STR'} <= set(mnemonics)
    assert len(mnemonics) == len(set(mnemonics)) == 18
    assert {g for _, g, _ in popek.ROBIN_IRVINE} == {'sensitive register', 'protection system'}
    text = popek.robin_irvine_table()
    assert 'USENIX Security 2000' in text and all(m in text for m in mnemonics)


@pytest.mark.parametrize('text, privileged, sensitive', [
    ('csrw sscratch, a0', True, ('control',)),
    ('csrr a0, sstatus', True, ('behaviour',)),
    ('csrrw zero, satp, a0', True, ('control',)),
    ('csrr a0, mvendorid', True, ('behaviour',)),
    ('csrw mvendorid, a0', False, ()),
    ('rdtime a0', False, ()),
    ('lw a0, 0(sp)', False, ()),
    ('sret', True, ('control',)),
])
def test_classify_one_instruction(text, privileged, sensitive):
    row = popek.classify(text)
    assert (row.privileged, row.sensitive) == (privileged, sensitive)


def test_classify_the_variant_and_bad_input():
    row = popek.classify('csrs sstatus, t0', 'nonvirt')
    assert row.name == 'csrrs sstatus' and not row.privileged
    assert row.sensitive == ('control', 'behaviour')
    for bad in ('li a0, 0x12345678', 'frobnicate a0', 'csrr a0, 0x5c0'):
        with pytest.raises(ValueError):
            popek.classify(bad)
    with pytest.raises(ValueError):
        popek.instruction_map('x86')


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(CSR_NUMBERS)), st.sampled_from(CSR_SPECS), st.booleans(),
       st.booleans(), st.sampled_from(popek.VARIANTS))
def test_every_csr_obeys_the_theorem_and_its_class(csr, spec, rd, source, variant):
    """Not just the class representatives: any CSR, any form, either variant."""
    operand = ('a1' if source else 'zero') if not spec.endswith('i') else str(int(source))
    row = popek.classify(f'{spec} {"a2" if rd else "zero"}, {csr}, {operand}', variant)
    broken = bool(row.sensitive) and not row.privileged
    assert broken == (variant == 'nonvirt' and csr == 'sstatus')
    writes = spec.startswith('csrrw') or source
    reads = not spec.startswith('csrrw') or rd
    if reads and (writes or spec == 'csrrs') and not (writes and is_read_only(CSR_NUMBERS[csr])):
        name = 'csrr' if not writes else spec
        twin = by_name(variant)[f'{name} {popek.csr_class(CSR_NUMBERS[csr])}']
        assert (row.privileged, row.sensitive) == (twin.privileged, twin.sensitive)


@settings(max_examples=30, deadline=None)
@given(instructions(categories={'alu', 'muldiv', 'load', 'store', 'branch', 'jump', 'fence',
                                'amo', 'system', 'privileged'}),
       st.sampled_from(popek.VARIANTS))
def test_operands_do_not_change_a_classification(spec_fields, variant):
    spec, fields = spec_fields
    row = popek.classify(spec.encode(**fields), variant)
    assert row == by_name(variant)[spec.name]


def test_doctests():
    import doctest
    assert doctest.testmod(popek).failed == 0


# --- the H extension's view: the guest kernel in VS-mode ---------------------------------------

def test_the_guest_view_keeps_the_supervisor_in_the_guest_and_sends_the_rest_out():
    view = {r.name: r for r in popek.guest_view()}
    assert all(r.in_user != 'runs' for r in view.values())     # trap-and-emulate: all trap
    for name in ('sret', 'wfi', 'sfence.vma', 'csrrw sstatus', 'csrrs S-level', 'csrr S-level'):
        assert view[name].in_guest == 'runs' and not view[name].exits, name
    for name in ('csrrw H-level', 'csrr H-level', 'hfence.gvma', 'hlv.w', 'hsv.b'):
        assert view[name].in_guest == 'trap 22' and view[name].exits, name
    assert view['csrrw M-level'].in_guest == view['mret'].in_guest == 'trap 2'
    assert view['ecall'].in_guest == 'trap 10' and view['ebreak'].in_guest == 'trap 3'
    assert set(view) == {r.name for r in popek.instruction_map() if r.sensitive} | {
        'ecall', 'ebreak'}


def test_the_guest_view_as_text_counts_what_it_lists():
    text = popek.guest_view_text()
    flat = text.replace('\n', ' ')
    rows = popek.guest_view()
    stay = sum(not r.exits for r in rows)
    assert f'{len(rows) - 2} sensitive instructions, and ecall and ebreak' in flat
    assert f'in VS-mode {stay} stay in the guest and {len(rows) - stay} exit' in flat
    assert all(len(line) <= 96 for line in text.splitlines())
