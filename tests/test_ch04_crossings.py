"""Chapter 04: following a run across API, ABI and ISA (vmlib.course.ch04.follow), the
calling-convention helpers, the ELF summary and the crossings view/widget.

The figures the chapter's narrative quotes (18 instructions in main, 4 ecalls...) are checked
here, so the text and the measurement cannot drift apart.
"""
from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings, strategies as st

from vmlib.course import ch04
from vmlib.course.ch04 import (follow, assign_arguments, elf_summary, program_headers_text,
                               preserved_across, matching_return, code_listing, guest,
                               CALLING_CONVENTION, CALLEE_SAVED, source_calls)
from vmlib.isa import reg_name
from vmlib.procvm import ProcessVM
from vmlib.procvm.loader import read_elf


@pytest.fixture(scope='module')
def printf_one():
    return follow('printf_one')


@pytest.fixture(scope='module')
def hello():
    return follow('hello')


def test_module_doctest():
    import doctest
    assert doctest.testmod(ch04).failed == 0


def test_printf_one_figures_the_chapter_quotes(printf_one):
    j = printf_one
    assert (j.counts['program'], j.counts['libc'], j.ecalls) == (18, 4194, 4)
    assert [s.name for s in j.syscalls] == ['set_tid_address', 'ioctl', 'writev', 'exit_group']
    assert j.phases == {'before main': 781, 'called by the program': 3269, 'after main': 144}
    assert j.instructions == 4212 and j.exit_status == 0
    assert j.stdout == b'Hello, RISC-V! 2 + 3 = 5\n' and j.stderr == b''
    assert j.names == {j.start.main: 'main', j.calls_from_main[0].target: 'printf'}


def test_every_instruction_is_counted_once(printf_one, hello):
    for j in (printf_one, hello):
        assert sum(j.counts.values()) == j.instructions
        assert sum(s.count for s in j.segments) == j.instructions
        assert sum(sum(m.values()) for m in j.mix.values()) == j.instructions
        assert 'system' not in j.mix['program']          # an ecall traps: it does not retire


def test_stepping_does_not_change_the_run(hello):
    # the same program run at full speed: same instruction count, output and system calls
    vm = ProcessVM(guest('hello'), ['guests/hello.elf'], [], capture=True, trace=True)
    r = vm.run()
    assert r.instructions == hello.instructions
    assert vm.stdout == hello.stdout
    assert [str(t) for t in vm.trace] == [str(t) for t in hello.syscalls]


def test_main_is_found_through_the_calling_convention(printf_one):
    s = printf_one.start
    # _start_c passes main in a0 and _init in a3; main lies between the end of _start_c and _init
    assert s.pc + 4 == s.main < s.init
    assert s.program_code == (s.main, s.init)
    listing = code_listing('printf_one', s.main, s.init).splitlines()
    assert len(listing) == 18 and listing[-1].endswith('ret')
    assert 'sw ra, 12(sp)' in listing[1]
    entry = printf_one.main_entry
    assert (entry['a0'], entry['a1']) == (1, s.argv)
    assert entry['ra'] == printf_one.crossings[1].pc + 4       # returns after the jalr


@pytest.mark.parametrize('name', ['printf_one', 'hello', 'args', 'files'])
def test_every_guest_calls_main_once_and_only_libc_makes_system_calls(name):
    j = follow(name)
    enters = [c for c in j.crossings if c.dest == 'program' and c.target == j.start.main]
    assert len(enters) == 1 and enters[0].kind == 'call'
    assert enters[0].registers['a0'] == len(j.argv)             # argc
    assert all(c.source == 'libc' for c in j.crossings if c.kind == 'syscall')
    assert j.syscalls[-1].name == 'exit_group'
    calls = [c for c in j.crossings if c.kind == 'call' and c.source == 'program']
    returns = [c for c in j.crossings if c.kind == 'return' and c.dest == 'program']
    assert len(calls) == len(returns) == len(j.calls_from_main)


def test_callee_saved_registers_survive_every_library_call(hello):
    for call in hello.calls_from_main:
        rows = {name: (a, b) for name, a, b, _ in preserved_across(hello, call.number)}
        for name in CALLEE_SAVED:
            assert rows[name][0] == rows[name][1], (call.label, name)
        assert matching_return(hello, call.number).pc != call.pc


def test_hello_names_no_library_function_because_puts_replaced_a_printf(hello):
    assert source_calls('hello') == {'printf'}
    assert len({c.target for c in hello.calls_from_main}) == 2
    assert hello.names == {hello.start.main: 'main'}


def test_calls_carry_their_string_arguments(printf_one):
    call = printf_one.calls_from_main[0]
    assert call.strings == {'a0': 'Hello, %s! %d + %d = %d\n', 'a1': 'RISC-V'}
    assert [call.registers[r] for r in ('a2', 'a3', 'a4')] == [2, 3, 5]


# --- the calling convention, against the real compiler ----------------------------------------


def test_assign_arguments_matches_the_compiled_variadic_calls(hello):
    by_format = {c.strings.get('a0', ''): c for c in hello.calls_from_main}
    lld = next(c for f, c in by_format.items() if '%lld' in f)
    assert assign_arguments(['int', 'long long'], variadic_from=1) == ['a0', 'a2:a3']
    assert (lld.registers['a2'], lld.registers['a3']) == (0, 1 << 8)        # 1 << 40
    floats = next(c for f, c in by_format.items() if '%.3f' in f)
    assert assign_arguments(['int', 'long long', 'long long'], 1) == ['a0', 'a2:a3', 'a4:a5']
    pi = struct.unpack('<II', struct.pack('<d', 3.14159265358979))
    big = struct.unpack('<II', struct.pack('<d', 3.14159265358979 * 1e6))
    assert (floats.registers['a2'], floats.registers['a3']) == pi
    assert (floats.registers['a4'], floats.registers['a5']) == big


def test_assign_arguments_rules():
    assert assign_arguments(['int', 'long long']) == ['a0', 'a1:a2']
    assert assign_arguments(['int'] * 7 + ['long long', 'int']) == \
        ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7:stack', 'stack']
    assert assign_arguments(['int'] * 9) == [f'a{i}' for i in range(8)] + ['stack']
    assert assign_arguments(['int'] * 7 + ['long long'], variadic_from=1)[-1] == 'stack'
    with pytest.raises(ValueError):
        assign_arguments(['float'])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(['int', 'long long']), max_size=10), st.booleans())
def test_assign_arguments_never_reuses_a_register(kinds, variadic):
    out = assign_arguments(kinds, 1 if variadic else None)
    assert len(out) == len(kinds)
    used = []
    for kind, where in zip(kinds, out):
        regs = [r for r in where.split(':') if r != 'stack']
        assert len(regs) <= (1 if kind == 'int' else 2)
        if kind == 'long long' and len(regs) == 2 and variadic:
            assert int(regs[0][1]) % 2 == 0              # an aligned pair after '...'
        used += [int(r[1]) for r in regs]
    assert used == sorted(used) and len(used) == len(set(used)) and all(u < 8 for u in used)
    stacked = [i for i, w in enumerate(out) if 'stack' in w]
    if stacked:
        assert all('stack' in w for w in out[stacked[0]:])


def test_the_convention_table_names_every_register():
    names = set()
    for _, abi, _, _ in CALLING_CONVENTION:
        for part in abi.split('/')[0].split('-'):
            names.add(part)
    for first, last in (('t0', 't2'), ('a0', 'a1'), ('a2', 'a7'), ('s2', 's11'), ('t3', 't6')):
        prefix = first[0]
        names.update(f'{prefix}{i}' for i in range(int(first[1:]), int(last[1:]) + 1))
    assert {reg_name(i) for i in range(32)} <= names | {'fp'}


# --- ELF ---------------------------------------------------------------------------------------


def test_elf_summary_agrees_with_the_process_vms_loader():
    path = guest('printf_one')
    summary = elf_summary(path)
    assert (summary['class'], summary['machine'], summary['type']) == \
        ('ELFCLASS32', 'EM_RISCV', 'ET_EXEC')
    assert not summary['interpreter'] and summary['flags'] == 0
    image = read_elf(path.read_bytes())
    loads = [s for s in summary['segments'] if s['type'] == 'PT_LOAD']
    assert [(s['vaddr'], s['filesz'], s['memsz']) for s in loads] == \
        [(s.vaddr, s.filesz, s.memsz) for s in image.segments]
    assert summary['entry'] == image.entry
    assert [s['flags'] for s in loads] == ['R--', 'R-X', 'RW-']
    text = program_headers_text(summary)
    assert text.count('PT_LOAD') == 3 and 'PT_GNU_STACK' in text


# --- the view and the widget ---------------------------------------------------------------------


def test_crossing_details_show_both_conventions(printf_one):
    from vmlib.viz.crossings import crossing_detail_text
    call = crossing_detail_text(printf_one, 3)
    assert 'call printf' in call and 'a0 = 0x0001013b  -> "Hello, %s! %d + %d = %d\\n"' in call
    writev = crossing_detail_text(printf_one, 5)
    assert 'a7 = 66' in writev and 'writev' in writev and 'iov_len=24' in writev
    exit_ = crossing_detail_text(printf_one, 8)
    assert 'does not return' in exit_
    for n in range(1, len(printf_one.crossings) + 1):     # numbered from 1, as on the screen
        assert crossing_detail_text(printf_one, n).startswith(f'crossing {n} of 8:')
    with pytest.raises(ValueError, match='crossings 1..8, not 0'):
        crossing_detail_text(printf_one, 0)


def test_drawing_numbers_the_arrows_like_the_table(printf_one, hello):
    from vmlib.viz.crossings import draw_crossings, layout
    fig = draw_crossings(printf_one, highlight=3)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert '3: call printf' in texts and '2: main(argc, argv, envp)' in texts
    assert any('4,212 RV32 instructions' in t for t in texts)
    assert any(t.startswith('5\nwritev') for t in texts)
    _, arrows, syscalls, _, full = layout(hello)
    assert not full and len(arrows) + len(syscalls) == len(hello.crossings)


def test_explorer_widget_steps_and_switches_program():
    from vmlib.viz.crossings import CrossingsExplorer
    w = CrossingsExplorer(program='printf_one', crossing=1)
    assert w.widget._dom_classes == ('vm-crossings',)
    assert 'set_tid_address' in w.text() and w.prev.disabled
    w.next.click()
    assert (w.index.value, w.current) == (2, 2) and 'main(argc=1' in w.text()
    w.index.value = 5
    assert 'writev' in w.detail.value and w.figure.value[:4] == b'\x89PNG'
    w.next.click()
    w.next.click()
    w.next.click()
    assert w.current == 8 and w.next.disabled and 'exit_group' in w.text()
    w.program.value = 'hello'
    assert w.current == 1 and w.index.max == len(w.journey('hello').crossings)
    assert 'hello:' in w.summary.value
