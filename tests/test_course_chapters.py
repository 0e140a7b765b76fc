"""The course map (vmlib.course.chapters): chapters, prerequisites, tracks, and the notebooks."""
import re
from pathlib import Path

import pytest

from vmlib.course import chapters as C
from vmlib.course.chapters import CHAPTERS, TRACKS, ReadingOrder

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def test_sixteen_chapters_numbered_with_matching_slugs():
    assert sorted(CHAPTERS) == list(range(16))
    for n, c in CHAPTERS.items():
        assert c.number == n and re.fullmatch(rf"{n:02d}_[a-z0-9_]+", c.slug)


def test_prerequisites_point_backwards_so_number_order_is_a_reading_order():
    for n, c in CHAPTERS.items():
        assert all(r < n for r in c.requires)
        if n:
            assert 0 in C.prerequisites(n)
    assert C.reading_order(0) == [0]
    assert C.reading_order(8) == [0, 1, 3, 4, 5, 8]


def test_tracks_split_the_course():
    assert TRACKS["beginner"].chapters == tuple(range(8))
    assert TRACKS["advanced"].chapters == tuple(range(8, 16))
    assert all(C.track_of(n) in TRACKS for n in CHAPTERS)
    text = C.tracks_text()
    assert "Beginner track: chapters 00-07" in text and "slides/beginner.html" in text


def test_ready_flags_match_the_notebooks_on_disk():
    """A chapter is marked ready exactly when its notebook exists (re-run notebook 00 after
    flipping a flag: its committed output lists the ready chapters)."""
    files = {p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    for n, c in CHAPTERS.items():
        mine = {f for f in files if f.startswith(f"{n:02d}_")}
        if c.ready:
            assert mine == {c.notebook}, f"chapter {n:02d}: expected {c.notebook}, found {mine}"
        else:
            assert not mine, f"chapter {n:02d} has a notebook {mine}: mark it ready"


def test_map_edges_are_a_transitive_reduction():
    edges = C.map_edges()
    # every prerequisite is still reachable through the drawn arrows
    reach = {n: set() for n in CHAPTERS}
    for n in sorted(CHAPTERS):
        for a, b in edges:
            if b == n:
                reach[n] |= reach[a] | {a}
    assert all(reach[n] == C.prerequisites(n) for n in CHAPTERS)
    assert (3, 8) not in edges and (5, 8) in edges  # 8 needs 3 through 5


def test_layout_places_each_chapter_once_by_depth():
    pos = C.layout()
    d = C.depths()
    assert set(pos) == set(CHAPTERS) and len(set(pos.values())) == len(CHAPTERS)
    assert all(pos[n][0] == d[n] for n in CHAPTERS)
    assert all(d[b] > d[a] for a, b in C.map_edges())


def test_readme_chapter_table_agrees_with_the_ready_flags():
    """The README's chapter table says ready/planned as the course map does (update both)."""
    readme = (NOTEBOOKS.parent / "README.md").read_text()
    status = dict(re.findall(r"^\| (\d\d) \|.*\| (ready|planned) \|$", readme, re.M))
    assert status == {f"{n:02d}": "ready" if c.ready else "planned" for n, c in CHAPTERS.items()}


def test_chapter_table_marks_ready_and_coming():
    lines = C.chapter_table().splitlines()
    assert len(lines) == 16 and "ready" in lines[0] and "coming" in lines[14]
    assert len(C.chapter_table("advanced").splitlines()) == 8


def test_reading_order_exercise():
    for seed in range(20):
        ex = ReadingOrder(seed=seed)
        target = ex.params["target"]
        ans = ex.solution()
        assert ans[-1] == target and ans == sorted(ans)
        assert ex.check(ans)
        assert not ex.check(list(reversed(ans)))
        if len(ans) > 2:
            fb = ex.check(ans[1:])
            assert "missing" in str(fb)
    ex = ReadingOrder(seed=1)
    fb = ex.check([0, 1, 3, 4, 6, 5])
    assert "comes before" in str(fb)
    with pytest.raises(KeyError):
        C.track_of(99)
