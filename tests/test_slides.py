"""The slide builder (vmlib.slides): the deck file, deck membership, slide counting, what a
deck leaves out of a chapter, offline HTML.

These run without a browser or the network; tests/browser/test_slides_offline.py opens the decks
in Chromium.
"""

from __future__ import annotations

import json
import re

import pytest

from vmlib import slides

# the fixture chapters below are 00-03, whatever the beginner track holds by now
BEGINNER_00_03 = slides.Deck("beginner", "Virtualization from first principles", "Beginner track: chapters 00-03",
                             ("00", "01", "02", "03"), notes="Press S for the speaker view.")


def fixture_chapters(make_notebook, folder):
    """Four small chapters 00-03 with every slide type; returns (folder, expected slide count)."""
    make_notebook(folder / "00_welcome.ipynb", [
        ("markdown", "# Welcome", "slide"),
        ("markdown", "Say hello.", "notes"),
        ("code", "print('hi')", "fragment"),
        ("markdown", "## Tracks", "subslide"),
        ("code", "# NBVAL_IGNORE_OUTPUT\n# (a live widget: its state is saved, not compared)\nshow_tracks()", "-"),
        ("markdown", "## Exercises\n\n**1.** exercise_marker", "slide"),
        ("code", "ex1 = Exercise(seed=1)\nex1", "-"),
        ("markdown", "exercise_note", "notes"),
        ("markdown", "**2.** Another", "subslide"),
    ])
    make_notebook(folder / "01_abstraction.ipynb", [
        ("markdown", "hidden", "skip"),
        ("markdown", "# Abstraction", None),  # first visible cell: forced to a new slide
        ("code", "1 + 1", "-"),
        ("markdown", "## Two", "slide"),
        ("markdown", "dropped", "slide", ["remove-cell"]),
    ])
    make_notebook(folder / "02_why.ipynb", [("markdown", "# Why", "subslide"), ("markdown", "note", "notes")])
    make_notebook(folder / "03_machine.ipynb", [
        ("markdown", "# Machine", "slide"),
        ("code", "x = 1", "skip"),
        ("code", "hidden_input_marker = 1", "-", ["hide-input"]),
    ])
    # title slide + 00: 2 (its exercises left out) + 01: 2 + 02: 1 + 03: 1
    return folder, 1 + 2 + 2 + 1 + 1


def test_count_slides_mirrors_nbconvert():
    cell = lambda t: {"cell_type": "markdown", "metadata": {"slideshow": {"slide_type": t}}, "source": "x"}
    plain = {"cell_type": "markdown", "metadata": {}, "source": "x"}
    assert slides.count_slides({"cells": [plain, plain]}) == 1
    assert slides.count_slides({"cells": [cell("notes"), cell("skip"), cell("-"), cell("slide")]}) == 2
    assert slides.count_slides({"cells": [cell("subslide"), cell("fragment"), cell("subslide"), cell("slide")]}) == 3
    assert slides.count_notes({"cells": [cell("notes"), cell("slide"), cell("notes")]}) == 1
    with pytest.raises(slides.SlidesError):
        slides.count_slides({"cells": [cell("skip"), cell("notes")]})


def test_deck_joins_chapters_each_on_a_new_slide(make_notebook, tmp_path):
    folder, expected = fixture_chapters(make_notebook, tmp_path)
    stats = slides.deck_stats(BEGINNER_00_03, folder)
    assert stats.slides == expected
    assert stats.notes == 1 + 1 + 1  # the deck's own note on the title slide, 00, 02 (not 00's exercise)
    nb = slides.deck_notebook(BEGINNER_00_03, folder)
    assert "- Welcome" in nb.cells[0].source and "- Machine" in nb.cells[0].source
    assert not any("dropped" in c.source for c in nb.cells)
    assert len({c.id for c in nb.cells}) == len(nb.cells)


def test_missing_chapter_is_an_error_naming_it(make_notebook, tmp_path):
    folder, _ = fixture_chapters(make_notebook, tmp_path)
    (folder / "02_why.ipynb").unlink()
    with pytest.raises(slides.SlidesError, match=r"chapter 02: no notebook"):
        slides.deck_stats(BEGINNER_00_03, folder)
    assert slides.main(["--count", "--notebooks", str(folder)]) == 1


def test_two_notebooks_for_one_chapter_is_an_error(make_notebook, tmp_path):
    folder, _ = fixture_chapters(make_notebook, tmp_path)
    make_notebook(folder / "03_other.ipynb", [("markdown", "# Other", "slide")])
    with pytest.raises(slides.SlidesError, match="several notebooks"):
        slides.deck_notebooks(BEGINNER_00_03, folder)


def test_built_html_loads_nothing_from_the_network(make_notebook, tmp_path):
    folder, expected = fixture_chapters(make_notebook, tmp_path / "nb")
    vendor = tmp_path / "vendor"  # not fetched: only the URLs matter here
    out = slides.build_deck(BEGINNER_00_03, tmp_path / "out", notebooks_dir=folder, vendor_dir=vendor, fetch=False)
    html = out.read_text()
    loaded = re.findall(r'<script[^>]*\ssrc="([^"]*)"', html) + re.findall(r'<link[^>]*\shref="([^"]*)"', html)
    loaded += re.findall(r'"([^"]*\.js)"', html)  # require([...]) and the widget renderer
    assert loaded and all(url.startswith("../vendor/") for url in loaded), loaded
    for cdn in ("unpkg", "jsdelivr", "cdnjs", "mermaid", "googleapis"):
        assert cdn not in html
    assert html.count("<aside class=\"notes\">") == 3
    assert "hidden_input_marker" not in html  # tag hide-input
    assert "show_tracks" in html and "NBVAL" not in html and "a live widget" not in html
    assert "exercise_marker" not in html and "exercise_note" not in html and "Exercise(seed" not in html
    # the widget renderer's modules (and so its icon font) are found in the vendor folder
    assert '"@jupyter-widgets": "../vendor/html-manager/dist"' in html
    assert slides.OUTPUT_CSS in html


def test_strip_harness_comments_keeps_the_code_and_other_comments():
    source = ("# NBVAL_IGNORE_OUTPUT\n"
              "# (a live widget: its state is saved for static readers, not compared;\n"
              "#  the next cell prints the same view as text)\n"
              "# the map\n"
              "course_map_widget(track='beginner')\n")
    assert slides.strip_harness_comments(source) == "# the map\ncourse_map_widget(track='beginner')\n"
    assert slides.strip_harness_comments("#NBVAL_SKIP\nx = 1") == "x = 1"
    assert slides.strip_harness_comments("# NBVAL_IGNORE_OUTPUT\n# (why)\n\nt = 1\n") == "t = 1\n"
    kept = "x = 1  # NBVAL_IGNORE_OUTPUT is a marker\n# (not after a marker)\n"
    assert slides.strip_harness_comments(kept) == kept


def test_lecture_cells_stop_at_the_exercises_heading():
    md = lambda text: {"cell_type": "markdown", "metadata": {}, "source": text}
    cells = [md("# Ch"), md("Mentions ## Exercises inline"), md("## Summary"), md("## Exercises\n\n**1.**"), md("x")]
    assert slides.lecture_cells(cells) == cells[:3]
    assert slides.lecture_cells(cells[:3]) == cells[:3]
    assert slides.lecture_cells([md(["### Exercises", " (alone)"])]) == []


@pytest.mark.parametrize("name, first", [("beginner", "00"), ("advanced", "08")])
def test_each_deck_is_its_tracks_ready_chapters(name, first):
    from vmlib.course.chapters import CHAPTERS, TRACKS

    spec = slides.read_deck_file()[name]
    deck = slides.DECKS[name]
    assert deck.chapters[0] == first
    assert deck.chapters == tuple(f"{n:02d}" for n in TRACKS[spec["track"]].chapters if CHAPTERS[n].ready)
    assert deck.title == spec["title"] and deck.notes == spec.get("notes", "")
    assert deck.subtitle.startswith(f"{spec['subtitle']}: chapter")
    assert TRACKS[spec["track"]].deck == f"slides/{name}.html"  # what the course map prints


def test_deck_file_defines_the_decks(tmp_path):
    deck_file = tmp_path / "decks.json"
    deck_file.write_text(json.dumps({
        "intro": {"track": "beginner", "title": "T", "subtitle": "Intro", "notes": "N"},
        "later": {"track": "advanced", "title": "T2", "subtitle": "Later"},
    }))
    decks = slides.course_decks(deck_file)
    assert list(decks) == ["intro", "later"]
    assert decks["intro"].chapters[:2] == ("00", "01") and decks["intro"].subtitle.startswith("Intro: chapters 00-")
    assert decks["later"].notes == ""
    assert slides.deck_of_track("advanced", deck_file) == "slides/later.html"


@pytest.mark.parametrize("content, message", [
    ("{", "not valid JSON"),
    ('{"x": {"track": "nope", "title": "T", "subtitle": "S"}}', "no track of the course map"),
    ('{"x": {"track": "beginner", "title": "T"}}', r"missing \['subtitle'\]"),
    ('{"x": {"track": "beginner", "title": "T", "subtitle": "S", "colour": 1}}', r"unknown \['colour'\]"),
    ('{"a b": {"track": "beginner", "title": "T", "subtitle": "S"}}', "not a plain file name"),
])
def test_a_bad_deck_file_is_an_error_naming_it(tmp_path, content, message):
    deck_file = tmp_path / "decks.json"
    deck_file.write_text(content)
    with pytest.raises(slides.SlidesError, match=message):
        slides.course_decks(deck_file)


def test_every_chapter_of_every_deck_has_its_notebook():
    for name in slides.DECKS:
        stats = slides.deck_stats(name)  # raises SlidesError naming any missing chapter
        assert stats.slides > len(stats.chapters)  # the title slide and at least one per chapter
        assert stats.notes >= len(stats.chapters), f"{name}: a chapter without speaker notes"


def test_speaker_notes_lose_the_learners_label():
    """In a notebook a note is a quoted 'Presenter's note'; in the speaker view, plain text."""
    note = "> **Presenter's note.** Ask the room.\n> Then wait.\n>\n> Second paragraph."
    assert slides.speaker_note(note) == "Ask the room.\nThen wait.\n\nSecond paragraph."
    assert slides.speaker_note("plain") == "plain"
    nb = slides.deck_notebook("beginner")
    notes = [c.source for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") == "notes"]
    assert notes and not any(n.startswith(">") for n in notes)
