"""Chapter 06's model (``vmlib.course.ch06``): the interpreter excerpts come from the generated
loop, the side-by-side view loses no line of a translated block, a watched run records every
change of the block cache exactly as the translator's own history does (and changes nothing),
and the comparison of the two engines says "same" only when everything agrees."""
from __future__ import annotations

import doctest
import re

import pytest

from vmlib.course import ch06
from vmlib.course.ch06 import (KERNELS, PROGRAMS, SMC_LOOP, BlockView, budget_agreement,
                               c_function, compare_engines, comparison_table, dispatch_tests,
                               guest_vm, interpreter_case, interpreter_fetch, kernel_machine,
                               kernel_source, record_translation, side_by_side, smc_machine,
                               source_rows)
from vmlib.isa.table import SPECS
from vmlib.machine import Machine
from vmlib.machine.dbt import block_source
from vmlib.machine.interp import loop_source


def test_module_doctest():
    assert doctest.testmod(ch06).failed == 0


# --- the interpreter, as text ------------------------------------------------------------------


def test_interpreter_excerpts_are_lines_of_the_generated_loop():
    loop = [line.strip() for line in loop_source().splitlines()]
    fetch = interpreter_fetch()
    assert fetch.startswith('for n in range(n, stop)') and fetch.rstrip().endswith('op = ins[0]')
    for name in ('addi', 'add', 'bne', 'lw', 'sw', 'mul', 'jal'):
        case = interpreter_case(name)
        assert re.match(rf'(el)?if op == \d+:  # {re.escape(name)}$', case.splitlines()[0])
        for line in case.splitlines():
            assert line.strip() in loop
    assert 'R[ins[1]] = (R[ins[2]] + R[ins[3]]) & 0xFFFFFFFF' in interpreter_case('add')
    with pytest.raises(KeyError):
        interpreter_case('ecall')               # system instructions share one slow case


def test_dispatch_tests_count_the_cases_before_an_instruction():
    ordered = [s.name for s in SPECS if s.kind in ('alu', 'load', 'store', 'branch', 'jump',
                                                     'nop')]
    assert [dispatch_tests(name) for name in ordered] == list(range(1, len(ordered) + 1))
    assert dispatch_tests('addi') == 1          # the hottest instruction is tested first
    assert dispatch_tests('mul') > dispatch_tests('bne')


# --- a translated block beside its guest code -------------------------------------------------


@pytest.mark.parametrize('name', sorted(KERNELS))
def test_side_by_side_keeps_every_line_of_the_translated_block(name):
    m = kernel_machine(name, n=10)
    for pc in (m.pc, m.hart.pc + 8):
        source = block_source(m, pc)
        rows = source_rows(source)
        python = [line for _, lines in rows for line in lines]
        assert python == [line for line in source.rstrip('\n').splitlines()
                          if not re.match(r'\s*# 0x', line)]
        guest = [g for g, _ in rows if g]
        assert guest == [re.match(r'\s*# (.*)$', line).group(1)
                         for line in source.splitlines() if re.match(r'\s*# 0x', line)]
        assert rows[0][0] == '' and rows[0][1][0].startswith('def make(')
        text = side_by_side(source)
        assert all(g in text for g in guest)


def test_a_loop_kernel_becomes_a_for_loop_with_its_instructions_beside_it():
    m = kernel_machine('sum 1..n', n=10)
    rows = source_rows(block_source(m, m.program.symbols['loop']))
    assert any('for n in range(n, stop' in line for line in rows[0][1])
    assert [g.split('  ')[1] for g, _ in rows if g] == ['add a0, a0, a1', 'addi a1, a1, -1',
                                                       'bnez a1, 0x80000008']
    add = next(lines for g, lines in rows if 'add a0' in g)
    assert [line.strip() for line in add] == ['x10 = (x10 + x11) & 0xFFFFFFFF']
    assert rows[-1][0] == '' and rows[-1][1][-1].strip().startswith('return block_')


def test_c_function_reads_the_guest_source():
    text = c_function('compute', 'sieve')
    assert text.startswith('/* Sieve of Eratosthenes') and text.endswith('}')
    assert 'composite[j] = 1;' in text
    with pytest.raises(LookupError):
        c_function('compute', 'no_such_function')


# --- a watched run ----------------------------------------------------------------------------


def test_a_watched_run_agrees_with_the_translators_history_and_changes_nothing():
    log = record_translation(kernel_machine('fill and sum an array', n=2000), name='k')
    plain = kernel_machine('fill and sum an array', n=2000)
    r = plain.run()
    t = plain.hart.translator()
    assert log.instructions == r.instructions and log.ending == 'poweroff, exit status 0'
    assert log.history == t.history and log.stats == t.stats()
    assert len(log.events) == len(t.history)
    for e, (instret, translated, live, invalidations) in zip(log.events, t.history):
        assert e.instret == instret and e.counters['blocks translated'] == translated
        assert len(e.live) == live == e.counters['blocks in cache']
        assert e.counters['invalidations'] == invalidations
    assert [e.index for e in log.events] == list(range(len(log.events)))
    assert {b.pc for b in log.events[-1].live} == {b.pc for b in t.info.values()}
    xs, ys = log.growth()
    assert xs[0] == ys[0] == 0 and xs[-1] == log.instructions and ys[-1] == len(t.info)
    assert xs == sorted(xs)


def test_the_self_modifying_loop_drops_its_block_and_ends_like_the_interpreter():
    log = record_translation(smc_machine(), name='smc')
    kinds = [e.kind for e in log.events]
    assert 'invalidated' in kinds
    drop = log.events[kinds.index('invalidated')]
    patch = smc_machine().program.symbols['patch']
    assert [b.pc for b in drop.removed] == [patch] and drop.removed[0].loop
    before = drop.removed[0]
    after = next(e.added[0] for e in log.events[drop.index:] if e.kind == 'translated'
                 and e.added[0].pc == patch)
    assert before.guest[0] == (patch, 'addi a0, a0, 1')
    assert after.guest[0] == (patch, 'addi a0, a0, 100')
    assert drop.summary().endswith('dropped (its code was written)')
    c = compare_engines('smc', smc_machine)
    assert c.same and c.dbt.registers[10] == 1000 + 100 * 1000
    assert c.dbt.stats['invalidations'] == 1


def test_find_block_names_a_block_of_a_stripped_program():
    log = record_translation(guest_vm('compute'), name='compute.elf')
    sieve = log.find_block(['sb', 'add', 'add', 'bgeu'])
    assert isinstance(sieve, BlockView) and sieve.loop and sieve.length == 4
    assert log.ending == 'exit, exit status 0'
    assert b'crc32("123456789") = 0xcbf43926' in log.result.stdout
    with pytest.raises(LookupError):
        log.find_block(['ecall', 'ecall'])
    text = log.events_text(limit=3)
    assert text.count('\n') == 5 and '... ' in text and text.splitlines()[-1].startswith('end')


def test_record_translation_wants_the_translator_engine_of_a_process_vm():
    with pytest.raises(ValueError, match='engine="dbt"'):
        record_translation(guest_vm('printf_one', engine='interp'))


def test_a_machine_is_switched_to_the_translator_and_threshold_is_honoured():
    m = Machine.from_source(kernel_source('sum 1..n', 50), ram_size=1 << 20)
    assert m.hart.engine.name == 'interp'
    log = record_translation(m, threshold=0)
    assert m.hart.engine.name == 'dbt' and log.events[0].instret == 0       # translated at once
    assert log.stats['instructions interpreted'] == 0


# --- the two engines compared -------------------------------------------------------------------


@pytest.mark.parametrize('name', ['sum 1..n', 'copy memory', 'compute.elf (C)'])
def test_both_engines_agree_on_the_chapters_programs(name):
    c = compare_engines(name, PROGRAMS[name])
    assert c.same
    assert c.interp.instructions == c.dbt.instructions > 100_000
    assert c.dbt.stats['blocks translated'] > 0 and c.interp.stats == {}
    assert 0.5 < c.translated_fraction <= 1
    assert c.interp.seconds > 0 and c.dbt.seconds > 0


def test_comparison_table_prints_facts_not_timings():
    c = compare_engines('sum', lambda e: kernel_machine('sum 1..n', e, n=5000))
    text = comparison_table([c])
    assert '15,007' in text and 'yes' in text
    assert 'second' not in text
    c.dbt.registers = c.dbt.registers[:10] + (12345,) + c.dbt.registers[11:]
    assert not c.same and 'NO' in comparison_table([c])


def test_budget_agreement_stops_both_engines_at_every_budget():
    rows = budget_agreement(lambda e: kernel_machine('copy memory', e, n=500),
                            [1, 7, 64, 65, 1000, 2345])
    assert [r[0] for r in rows] == [1, 7, 64, 65, 1000, 2345]
    assert all(b == i == d and same for b, i, d, same in rows)


def test_smc_source_is_what_the_chapter_says():
    assert 'sw      s2, 0(s1)' in SMC_LOOP and 'patch:' in SMC_LOOP
