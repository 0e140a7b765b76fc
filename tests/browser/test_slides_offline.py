"""The slide decks in a real browser, offline: reveal.js starts from local files only, shows as
many slides as the notebooks' metadata says (vmlib.slides counts them for both), and the speaker
view shows the notes."""

from __future__ import annotations

import pytest

from vmlib import slides

# the fixture chapters below are 00-03, whatever the beginner track holds by now
BEGINNER_00_03 = slides.Deck("beginner", slides.COURSE_TITLE, "Beginner track: chapters 00-03", ("00", "01", "02", "03"))


def open_deck(page, html):
    page.goto(html.resolve().as_uri())
    page.wait_for_function("() => window.Reveal && window.Reveal.isReady()", timeout=30_000)


def check_offline(page):
    assert page.blocked == [], f"the deck asked the network for {page.blocked}"
    assert page.errors == [], page.errors


@pytest.mark.parametrize("deck", sorted(slides.course_decks()))
def test_course_deck_offline(deck, offline_page, slides_vendor, tmp_path, artifacts_dir):
    """Every deck of the course (beginner, advanced): all its slides and notes, no network."""
    stats = slides.deck_stats(deck)
    html = slides.build_deck(deck, tmp_path, vendor_dir=slides_vendor)
    page = offline_page
    open_deck(page, html)
    assert page.evaluate("() => Reveal.getTotalSlides()") == stats.slides
    assert page.locator(".reveal aside.notes").count() == stats.notes
    assert page.locator(".reveal .slide-number").inner_text().replace(" ", "").endswith(f"/{stats.slides}")
    page.screenshot(path=str(artifacts_dir / f"{deck}-deck-first.png"))
    page.evaluate("() => Reveal.slide(Reveal.getHorizontalSlides().length - 1)")
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts_dir / f"{deck}-deck-last.png"))
    check_offline(page)


def deck_of_fixture_chapters(make_notebook, folder):
    make_notebook(folder / "00_welcome.ipynb", [
        ("markdown", "# Welcome $e^{i\\pi} + 1 = 0$", "slide"),
        ("markdown", "Greet the room.", "notes"),
        ("code", "print('hello')", "fragment"),
        ("markdown", "## The tracks", "subslide"),
    ])
    make_notebook(folder / "01_abstraction.ipynb", [("markdown", "# Abstraction", None), ("markdown", "## Layers", "slide")])
    make_notebook(folder / "02_why.ipynb", [("markdown", "# Why virtualize", "slide"), ("markdown", "x", "skip")])
    make_notebook(folder / "03_machine.ipynb", [("markdown", "# The machine", "slide")])
    return folder


def test_fixture_deck_navigates_and_shows_speaker_notes(offline_page, slides_vendor, make_notebook, tmp_path):
    folder = deck_of_fixture_chapters(make_notebook, tmp_path / "nb")
    stats = slides.deck_stats(BEGINNER_00_03, folder)
    assert stats.slides == 1 + 2 + 2 + 1 + 1  # title slide, then 00-03
    html = slides.build_deck(BEGINNER_00_03, tmp_path / "out", notebooks_dir=folder, vendor_dir=slides_vendor)
    page = offline_page
    open_deck(page, html)
    assert page.evaluate("() => Reveal.getTotalSlides()") == stats.slides
    # MathJax, loaded locally, typesets the formula on slide 2
    page.wait_for_function(
        "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
        " && document.querySelector('.reveal .MathJax_CHTML .mjx-math') !== null",
        timeout=20_000,
    )
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => Reveal.getIndices().h === 1")
    assert "welcome" in page.locator(".reveal section.present").first.inner_text().lower()

    with page.context.expect_page() as popup:
        page.keyboard.press("s")
    speaker = popup.value
    speaker.wait_for_function(
        "() => { const n = document.querySelector('.speaker-controls-notes .value');"
        " return n && n.textContent.includes('Greet the room'); }",
        timeout=15_000,
    )
    check_offline(page)
