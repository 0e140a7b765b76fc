"""``boot --stats`` and ``run --stats``: every ``vmlib stats:`` value starts in one column."""

import subprocess
import sys

import pytest

from vmlib.cli.stats import format_stats, split_line

PREFIX = 'vmlib stats: '


def stats_lines(*args):
    p = subprocess.run([sys.executable, '-m', 'vmlib', *map(str, args)], capture_output=True,
                       timeout=120)
    lines = [line[len(PREFIX):] for line in p.stderr.decode().splitlines()
             if line.startswith(PREFIX)]
    assert lines, p.stderr
    return lines


def assert_one_column(lines):
    """Each value starts where 'instructions retired:''s does, after a space: so no key runs
    into the value column and no value starts elsewhere."""
    first = lines[0]
    assert first.startswith('instructions retired:')
    column = len(first) - len(first[len('instructions retired:'):].lstrip())
    for line in lines:
        assert line[column - 1] == ' ' and line[column] != ' ', (column, line)


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
def test_boot_stats_are_aligned(repo_root, engine):
    lines = stats_lines('boot', '--stats', '--engine', engine,
                        repo_root / 'tests' / 'conformance' / 'traps.elf')
    assert_one_column(lines)
    assert any(line.startswith('  illegal instruction ') for line in lines)    # traps by cause
    if engine == 'dbt':
        assert any(line.startswith('blocks dropped (unmapped): ') for line in lines)


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
def test_run_stats_are_aligned(repo_root, engine):
    lines = stats_lines('run', '--stats', '--engine', engine, repo_root / 'guests' / 'hello.elf')
    assert_one_column(lines)
    assert any(line.startswith('  writev ') for line in lines)                # calls by name
    if engine == 'dbt':
        assert any(line.startswith('instructions interpreted: ') for line in lines)


def test_both_engines_put_the_values_in_the_same_column(repo_root):
    """So that the two reports can be compared line by line."""
    hello = repo_root / 'guests' / 'hello.elf'
    interp, dbt = (stats_lines('run', '--stats', '--engine', e, hello) for e in ('interp', 'dbt'))
    assert interp[:7] == dbt[:7]


def test_keys_and_values():
    assert split_line('instructions retired: 7') == ('instructions retired:', '7')
    assert split_line('  write                 1') == ('  write', '1')
    assert split_line('blocks dropped (unmapped):0') == ('blocks dropped (unmapped):', '0')
    assert split_line('memory in use:        72 KiB (18 frames, page tables included)') == \
        ('memory in use:', '72 KiB (18 frames, page tables included)')
    assert split_line('  not implemented: brk (3 calls, -ENOSYS)') == \
        ('  not implemented:', 'brk (3 calls, -ENOSYS)')
    wide = 'a key longer than the narrowest column:'
    assert format_stats([('x:', '1'), (wide, '2')]) == [
        f'{PREFIX}x:{" " * (len(wide) - 1)}1', f'{PREFIX}{wide} 2']
