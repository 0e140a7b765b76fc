"""The slide decks in a real browser, offline: reveal.js starts from local files only, shows as
many slides as the notebooks' metadata says (vmlib.slides counts them for both), the speaker
view shows the notes, widget buttons show their icons, and no slide is bigger than the screen."""

from __future__ import annotations

import json

import pytest

from vmlib import slides

# the fixture chapters below are 00-03, whatever the beginner track holds by now
BEGINNER_00_03 = slides.Deck("beginner", "Virtualization from first principles", "Beginner track: chapters 00-03",
                             ("00", "01", "02", "03"), notes="Welcome, everyone.")

#: The screen the decks are checked on: a laptop or a 720p projector.
SCREEN = {"width": 1280, "height": 720}


def open_deck(page, html):
    """Open a deck and record the local files it fails to load in ``page.missing`` (a missing
    font or script is a failed file:// request, which ``offline_page`` does not block)."""
    page.missing = []
    page.on("requestfailed", lambda r: page.missing.append(r.url))
    page.goto(html.resolve().as_uri())
    page.wait_for_function("() => window.Reveal && window.Reveal.isReady()", timeout=30_000)


def check_offline(page):
    assert page.blocked == [], f"the deck asked the network for {page.blocked}"
    assert page.errors == [], page.errors
    assert page.missing == [], f"the deck refers to files that are not there: {page.missing}"


def show_slide_of(page, selector):
    """Go to the slide holding the first element matching ``selector``."""
    page.evaluate(
        "(sel) => { const i = Reveal.getIndices(document.querySelector(sel).closest('section'));"
        " Reveal.slide(i.h, i.v || 0); }",
        selector,
    )


# The load status of each face of the widgets' icon font (Font Awesome, in the widget renderer's
# folder): "unloaded" until a glyph is shown, then "loading", then "loaded" or "error".
ICON_FONT_STATUSES = """() => [...document.fonts]
  .filter(f => f.family.replace(/["']/g, '') === 'Font Awesome 5 Free').map(f => f.status)"""


def check_icons(page):
    """Show a widget button's icon and check its font loaded from the vendor folder (the build
    once pointed the renderer at slides/@jupyter-widgets/, and every icon was a blank box)."""
    show_slide_of(page, ".reveal button i.fa")
    page.wait_for_function(f"() => ({ICON_FONT_STATUSES})().some(s => s === 'loaded' || s === 'error')",
                           timeout=10_000)
    statuses = page.evaluate(ICON_FONT_STATUSES)
    assert "loaded" in statuses and "error" not in statuses, f"icon font faces: {statuses}; missing: {page.missing}"


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
    if page.locator(".reveal button i.fa").count():
        check_icons(page)
        page.screenshot(path=str(artifacts_dir / f"{deck}-deck-icons.png"))
    page.evaluate("() => Reveal.slide(Reveal.getHorizontalSlides().length - 1)")
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts_dir / f"{deck}-deck-last.png"))
    check_offline(page)


def button_widget(model_id):
    """A saved ipywidgets Button (icon ``step-forward``) and the output that shows it: what a
    chapter executed with its widget state stored holds."""
    ids = {"button": model_id, "layout": model_id + "1", "style": model_id + "2"}
    state = {
        ids["button"]: {"model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
                        "model_name": "ButtonModel",
                        "state": {"description": "Step", "icon": "step-forward",
                                  "layout": f"IPY_MODEL_{ids['layout']}", "style": f"IPY_MODEL_{ids['style']}"}},
        ids["layout"]: {"model_module": "@jupyter-widgets/base", "model_module_version": "2.0.0",
                        "model_name": "LayoutModel", "state": {}},
        ids["style"]: {"model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
                       "model_name": "ButtonStyleModel", "state": {}},
    }
    output = {"output_type": "display_data", "metadata": {},
              "data": {"text/plain": "Button(description='Step', icon='step-forward')",
                       "application/vnd.jupyter.widget-view+json": {"model_id": model_id, "version_major": 2,
                                                                    "version_minor": 0}}}
    return state, output


def deck_of_fixture_chapters(make_notebook, folder):
    import nbformat

    state, output = button_widget("0123456789abcdef0123456789abcdef")
    path = make_notebook(folder / "00_welcome.ipynb", [
        ("markdown", "# Welcome $e^{i\\pi} + 1 = 0$", "slide"),
        ("markdown", "Greet the room.", "notes"),
        ("code", "print('hello')", "fragment"),
        ("markdown", "## The tracks", "subslide"),
        ("code", "# NBVAL_IGNORE_OUTPUT\n# (a live widget: not compared)\nstep_button", "-"),
        ("markdown", "## Exercises", "slide"),
        ("markdown", "**1.** Left out of the deck", "subslide"),
    ], widgets_state={"version_major": 2, "version_minor": 0, "state": state})
    nb = nbformat.read(path, as_version=4)
    nb.cells[4].outputs = [nbformat.from_dict(output)]
    nbformat.write(nb, path)
    make_notebook(folder / "01_abstraction.ipynb", [("markdown", "# Abstraction", None), ("markdown", "## Layers", "slide")])
    make_notebook(folder / "02_why.ipynb", [("markdown", "# Why virtualize", "slide"), ("markdown", "x", "skip")])
    make_notebook(folder / "03_machine.ipynb", [("markdown", "# The machine", "slide")])
    return folder


def test_fixture_deck_navigates_and_shows_speaker_notes(offline_page, slides_vendor, make_notebook, tmp_path):
    folder = deck_of_fixture_chapters(make_notebook, tmp_path / "nb")
    stats = slides.deck_stats(BEGINNER_00_03, folder)
    assert stats.slides == 1 + 2 + 2 + 1 + 1  # title slide, then 00-03 (00's exercises left out)
    html = slides.build_deck(BEGINNER_00_03, tmp_path / "out", notebooks_dir=folder, vendor_dir=slides_vendor)
    page = offline_page
    open_deck(page, html)
    assert page.evaluate("() => Reveal.getTotalSlides()") == stats.slides
    text = page.locator(".reveal .slides").inner_text()
    assert "step_button" in text and "NBVAL" not in text and "a live widget" not in text
    assert "Exercises" not in text and "Left out" not in text
    # the widget renders from its saved state, and its button's icon font loads from vendor/
    page.locator(".reveal button.widget-button", has_text="Step").wait_for(state="attached", timeout=15_000)
    check_icons(page)
    page.evaluate("() => Reveal.slide(0)")
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


# --- no slide bigger than the screen ----------------------------------------------------------

# Visits every slide (horizontal and vertical) and measures what it shows: the boxes of its text
# (each text node's line boxes) and of its pictures and controls, against the slide's frame. A
# slide overflows when that content reaches below or beside the frame, or when a scroll box
# inside it (a wide output, a slide that reveal.js made scrollable) hides some of it. Boxes
# alone would not do: a `width: 100%` block with padding pokes out by a few pixels and hides
# nothing. Fragments not shown yet count: they take their place before they appear.
MEASURE_SLIDES = """async () => {
  const TOL = 2;
  const frame = document.querySelector('.reveal .slides');
  const {width, height} = Reveal.getConfig();
  const MEDIA = 'img, svg, canvas, video, iframe, input, select, textarea, button';
  const HIDDEN = 'aside.notes, script, style, .MJX_Assistive_MathML';  // never shown on the slide
  const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  Reveal.configure({transition: 'none', backgroundTransition: 'none'});
  const found = [];
  for (const slide of Reveal.getSlides()) {
    const {h, v} = Reveal.getIndices(slide);
    Reveal.slide(h, v || 0);
    await frames();
    const scale = Reveal.getScale(), box = frame.getBoundingClientRect();
    const rects = [];
    const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim() || n.parentElement.closest(HIDDEN)) continue;
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) rects.push([r, n.parentElement]);
    }
    for (const el of slide.querySelectorAll(MEDIA)) {
      if (!el.parentElement.closest('svg')) rects.push([el.getBoundingClientRect(), el]);
    }
    let bottom = 0, right = 0, left = 0, clipX = false, clipY = false;
    for (const [r, el] of rects) {
      if (!r.width || !r.height) continue;
      bottom = Math.max(bottom, (r.bottom - box.top) / scale - height);
      right = Math.max(right, (r.right - box.left) / scale - width);
      left = Math.max(left, (box.left - r.left) / scale);
      for (let a = el; a && slide.contains(a); a = a.parentElement) {
        const cs = getComputedStyle(a), ar = a.getBoundingClientRect();
        if (cs.display === 'inline' || cs.display === 'contents') continue;  // no box of its own to clip
        if (cs.overflowX !== 'visible' && (r.right > ar.left + a.clientLeft + a.clientWidth + TOL || r.left < ar.left - TOL)) clipX = true;
        if (cs.overflowY !== 'visible' && (r.bottom > ar.top + a.clientTop + a.clientHeight + TOL || r.top < ar.top - TOL)) clipY = true;
      }
    }
    const problems = [];
    if (bottom > TOL) problems.push(`${Math.round(bottom)} px too tall`);
    if (right > TOL || left > TOL) problems.push(`${Math.round(Math.max(right, left))} px too wide`);
    if (clipY && bottom <= TOL) problems.push('text hidden in a box that scrolls down');
    if (clipX) problems.push('text hidden in a box that scrolls sideways');
    if (problems.length) {
      const heading = slide.querySelector('h1, h2, h3, h4, h5, h6');  // as written, not as styled
      const text = heading ? heading.textContent.replace('\u00b6', '') : slide.innerText || '';
      const title = text.trim().split('\\n')[0].slice(0, 100);
      const cell = slide.querySelector('[id^="cell-id=c"]');
      const chapter = cell ? cell.id.slice('cell-id=c'.length).split('-')[0] : '--';
      found.push({h, v: v || 0, chapter, title, problems});
    }
  }
  return found;
}"""


def wait_rendered(page):
    """Until the widgets have rendered from their saved state, MathJax is done and the pictures
    and fonts have loaded: all of them change the slides' sizes."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')]
                   .every(s => s.previousElementSibling && s.previousElementSibling.childElementCount > 0)
              && [...document.images].every(i => i.complete)
              && (!window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0)""",
        timeout=30_000,
    )
    page.evaluate("() => document.fonts.ready.then(() => true)")


def overflowing_slides(page, deck: str) -> list[str]:
    """One line per slide of the open deck whose content does not fit the screen."""
    return [
        f"{deck} {s['h']}/{s['v']} (chapter {s['chapter']}) {json.dumps(s['title'], ensure_ascii=False)}: "
        + ", ".join(s["problems"])
        for s in page.evaluate(MEASURE_SLIDES)
    ]


def test_overflow_is_measured(offline_page, slides_vendor, make_notebook, tmp_path):
    """The measurement itself: a slide with a 40-line output is too tall, one with a
    200-column output line hides text sideways, one short slide fits."""
    page = offline_page
    page.set_viewport_size(SCREEN)
    folder = tmp_path / "nb"
    for number, name in (("00", "00_welcome.ipynb"), ("02", "02_why.ipynb"), ("03", "03_machine.ipynb")):
        make_notebook(folder / name, [("markdown", f"# Chapter {number} fits", "slide")])
    path = make_notebook(folder / "01_abstraction.ipynb", [
        ("markdown", "## Tall", "slide"),
        ("code", "print_lines(40)", "-"),
        ("markdown", "## Wide", "slide"),
        ("code", "print('x' * 200)", "-"),
    ])
    with_stdout(path, {1: "".join(f"line {i}\n" for i in range(40)), 3: "x" * 200 + "\n"})
    html = slides.build_deck(BEGINNER_00_03, tmp_path / "out", notebooks_dir=folder, vendor_dir=slides_vendor)
    open_deck(page, html)
    wait_rendered(page)
    found = overflowing_slides(page, "fixture")
    assert [line.split(":")[0] for line in found] == [
        'fixture 2/0 (chapter 01) "Tall"',
        'fixture 3/0 (chapter 01) "Wide"',
    ], found
    assert "px too tall" in found[0] and "sideways" in found[1]


def with_stdout(path, printed: dict[int, str]):
    """Give cells of a fixture notebook the text they print (cell index: text), as if run."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for index, text in printed.items():
        nb.cells[index].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nbformat.write(nb, path)


def test_no_slide_overflows_the_screen(offline_page, slides_vendor, tmp_path, artifacts_dir):
    """Every slide of every course deck fits a 1280x720 screen: nothing below its bottom or past
    its sides, nothing hidden in a scroll box. The slides that do not fit are listed in the
    failure message and in test-artifacts/slide-overflow.txt (deck, h/v index, chapter, first
    heading), to fix in the notebooks: cut the slide in two, shorten an output, or mark a cell
    Skip or Notes."""
    page = offline_page
    page.set_viewport_size(SCREEN)
    found = []
    for deck in slides.course_decks():
        html = slides.build_deck(deck, tmp_path, vendor_dir=slides_vendor)
        open_deck(page, html)
        wait_rendered(page)
        found += overflowing_slides(page, deck)
    report = artifacts_dir / "slide-overflow.txt"
    report.write_text("".join(line + "\n" for line in found), encoding="utf-8")
    assert not found, (
        f"{len(found)} slides do not fit {SCREEN['width']}x{SCREEN['height']} "
        f"(also in {report.relative_to(artifacts_dir.parent)}):\n" + "\n".join(found)
    )
