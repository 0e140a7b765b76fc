"""Chapter 05's seeded exercises: the initial-stack offsets come from the loader itself, the
sandbox answers from the sandbox itself (checked here against independent rules)."""
from __future__ import annotations

import posixpath

import pytest

from vmlib.course.ch05 import InitialStack, SandboxPath, _PATHS
from vmlib.course.exercises import exercises_for_chapter

CLASSES = (InitialStack, SandboxPath)


def test_registered_for_chapter_5():
    assert set(CLASSES) <= set(exercises_for_chapter(5))


def test_initial_stack_offsets_follow_the_elf_abi():
    for seed in range(40):
        ex = InitialStack(seed=seed)
        n, e = len(ex.params['argv']), len(ex.params['env'])
        assert ex.solution() == {'argc': n, 'argv': 4, 'envp': 4 + 4 * (n + 1),
                                 'auxv': 4 + 4 * (n + 1) + 4 * (e + 1)}
    ex = InitialStack(seed=1)
    wrong = dict(ex.solution(), envp=4 + 4 * len(ex.params['argv']))
    assert any('NULL' in m for m in ex.check(wrong).messages)


def _expected(path, cwd):
    """An independent model of the sandbox for the chapter's tree."""
    links = {'/shortcut': '/docs/readme.txt', '/escape': None, '/parent': None}
    files = {'/inside.txt', '/docs/readme.txt'}
    full = posixpath.join(cwd, path)
    parts = []
    for p in full.split('/'):
        if p in ('', '.'):
            continue
        if p == '..':
            if parts:
                parts.pop()
            continue
        parts.append(p)
        here = '/' + '/'.join(parts)
        if here in links:
            if links[here] is None:
                return 'EACCES'
            parts = links[here].strip('/').split('/')
    guest = '/' + '/'.join(parts)
    return guest if guest in files else 'ENOENT'


@pytest.mark.parametrize('path', _PATHS)
@pytest.mark.parametrize('cwd', ['/', '/docs'])
def test_sandbox_answers_match_an_independent_model(path, cwd):
    ex = SandboxPath(seed=0)
    assert ex.solve({'path': path, 'cwd': cwd}) == _expected(path, cwd)
