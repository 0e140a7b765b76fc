"""The family of virtual machines (chapter 07's close): the tree, the techniques, the exercise."""
from vmlib.course.family import (BRANCHES, EXAMPLES, FAMILY, TECHNIQUES, ClassifyVM,
                                 family_text, techniques_text)
from vmlib.course.chapters import CHAPTERS


def test_the_tree_has_smith_and_nairs_eight_kinds_in_four_branches():
    assert [k.branch for k in FAMILY] == [b for b in BRANCHES for _ in range(2)]
    text = family_text()
    for k in FAMILY:
        assert k.name in text
    # the course's own VMs are placed: the process VM, its translator, Tiny, boot, hypervisor
    starred = [k.in_course for k in FAMILY if k.in_course]
    assert len(starred) == 4 and any('(09)' in s for s in starred)
    assert max(len(line) for line in text.splitlines()) <= 96


def test_every_technique_names_a_chapter_of_the_map():
    for name, guest, how, examples, chapter in TECHNIQUES:
        assert guest in ('modified', 'unmodified')
        assert int(chapter) in CHAPTERS and name in techniques_text()
    assert [t[0] for t in TECHNIQUES if t[1] == 'modified'] == ['paravirtualization']


def test_the_exercise_covers_every_branch_and_accepts_any_spelling():
    assert {b for _, b in EXAMPLES} == set(BRANCHES)
    for seed in range(20):
        ex = ClassifyVM(seed=seed)
        answer = ex.solution()
        assert set(BRANCHES) <= set(answer)
        assert ex.check([a.upper().replace(', ', ',') for a in answer])
        wrong = str(ex.check(['system, same ISA' if a.startswith('process') else
                              'process, same ISA' for a in answer]))
        assert 'does it run one program, or boot an operating system?' in wrong
