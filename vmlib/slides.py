"""Build the course's reveal.js slide decks from the chapters' cell metadata, viewable offline.

A deck is a list of chapters (notebooks) cut into slides by each cell's ``slideshow.slide_type``
(``slide``, ``subslide``, ``fragment``, ``-`` to continue, ``skip`` to leave out, ``notes`` for
speaker notes), exactly as ``jupyter nbconvert --to slides`` does. The chapters of a deck are
joined into one HTML file; each chapter starts on a new slide, after a generated title slide.
A chapter's exercises (from its ``## Exercises`` heading to its end) are left out, and so are the
test harness's comments in code cells (``# NBVAL_IGNORE_OUTPUT`` and its note): the notebooks
keep both, the decks show neither.

Nothing is loaded from a CDN when the deck is shown: reveal.js 4, require.js, jQuery 2, MathJax 2
and the static widget renderer come from the npm registry at build time (``npm pack``) into
``slides/vendor/`` (not committed), and the deck refers to them by relative URLs.

Usage::

    python -m vmlib.slides                # every deck, into slides/
    python -m vmlib.slides beginner       # one deck
    python -m vmlib.slides --count        # slides and speaker notes per deck, no build

The decks are defined in one file, ``slides/decks.json`` (see ``slides/README.md``): each deck
names a track of the course map (``vmlib.course.chapters.TRACKS``, which says which chapters a
track has) and gives its title slide. A deck holds its track's chapters marked ready, so it grows
as chapters land. :data:`DECKS` gathers them; the builder, ``make slides``, the course map
(``Track.deck``) and the browser tests all read it. A chapter listed in a deck that has no
notebook is an error, never skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO / "notebooks"
SLIDES_DIR = REPO / "slides"
VENDOR_DIR = SLIDES_DIR / "vendor"
#: What defines the decks: deck name -> the track it shows and its title slide (slides/README.md).
DECK_FILE = SLIDES_DIR / "decks.json"


@dataclass(frozen=True)
class Deck:
    """One slide deck: a name (the HTML file is ``<name>.html``), its title slide and chapters."""

    name: str
    title: str
    subtitle: str
    chapters: tuple[str, ...]  # chapter numbers: notebooks/<number>_*.ipynb
    notes: str = ""  # the title slide's speaker notes (Markdown)


_DECK_KEYS = {"track", "title", "subtitle", "notes"}


def read_deck_file(path: Path | str = DECK_FILE) -> dict[str, dict]:
    """The deck file as ``{deck name: {"track", "title", "subtitle", "notes"}}``, in file order.

    Checked here, so a typo in the file fails with the file's name and the bad entry instead of
    a KeyError deep in a build.
    """
    from vmlib.course.chapters import TRACKS

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SlidesError(f"cannot read the deck file: {exc}") from None
    except ValueError as exc:
        raise SlidesError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise SlidesError(f"{path}: expected an object of decks, {{name: {{track, title, ...}}}}")
    for name, spec in data.items():
        if not re.fullmatch(r"[a-z0-9_-]+", name):
            raise SlidesError(f"{path}: deck name {name!r} is not a plain file name (a-z, 0-9, _, -)")
        if not isinstance(spec, dict):
            raise SlidesError(f"{path}: deck {name!r} is not an object")
        missing, unknown = {"track", "title", "subtitle"} - set(spec), set(spec) - _DECK_KEYS
        if missing or unknown:
            raise SlidesError(f"{path}: deck {name!r}: missing {sorted(missing)}, unknown {sorted(unknown)}")
        if spec["track"] not in TRACKS:
            raise SlidesError(f"{path}: deck {name!r} shows no track of the course map: "
                              f"{spec['track']!r} (tracks: {', '.join(TRACKS)})")
    return data


def deck_of_track(track: str, deck_file: Path | str = DECK_FILE) -> str | None:
    """``slides/<name>.html``, the deck the deck file builds from ``track``, or None if none does
    (the deck file checked first). The course map prints it (``Track.deck``)."""
    from vmlib.course.chapters import deck_of_track as of_track

    read_deck_file(deck_file)
    return of_track(track, deck_file)


def _span(numbers: tuple[str, ...]) -> str:
    ints = [int(n) for n in numbers]
    if len(ints) > 1 and ints == list(range(ints[0], ints[-1] + 1)):
        return f"chapters {numbers[0]}-{numbers[-1]}"
    return ("chapter " if len(ints) == 1 else "chapters ") + ", ".join(numbers)


def course_decks(deck_file: Path | str = DECK_FILE) -> dict[str, Deck]:
    """The decks of the deck file: each of its track's chapters that are marked ready, behind
    its title slide (the subtitle gets the chapter span); a track with no ready chapter has no
    deck yet.

    The deck file names the track, the course map (``vmlib.course.chapters``) says which chapters
    a track has and which are ready: each fact has one home, and a deck grows as chapters land.
    """
    from vmlib.course.chapters import CHAPTERS, TRACKS

    decks = {}
    for name, spec in read_deck_file(deck_file).items():
        track = TRACKS[spec["track"]]
        numbers = tuple(f"{n:02d}" for n in track.chapters if CHAPTERS[n].ready)
        if numbers:
            subtitle = f"{spec['subtitle']}: {_span(numbers)}"
            decks[name] = Deck(name, spec["title"], subtitle, numbers, spec.get("notes", ""))
    return decks


#: Every deck the course has now, by name (``beginner``: the beginner track's ready chapters).
DECKS: dict[str, Deck] = course_decks()

#: npm packages copied into ``slides/vendor/<folder>`` (exact versions, so builds repeat).
VENDOR_PACKAGES: dict[str, tuple[str, str]] = {
    # npm name: (version, folder)
    "reveal.js": ("4.6.1", "reveal.js"),
    "requirejs": ("2.3.8", "requirejs"),
    "jquery": ("2.2.4", "jquery"),
    "mathjax": ("2.7.9", "mathjax"),
    "@jupyter-widgets/html-manager": ("1.0.15", "html-manager"),
}

#: Files the deck loads, relative to the vendor folder; all must exist after a fetch.
VENDOR_FILES = {
    "reveal": "reveal.js",  # a prefix: dist/reveal.js, plugin/notes/notes.js, dist/theme/...
    "require": "requirejs/require.js",
    "jquery": "jquery/dist/jquery.min.js",
    "mathjax": "mathjax/MathJax.js",
    "widgets": "html-manager/dist/embed-amd.js",
}

_STAMP = ".versions.json"

# The stock reveal template, minus the mermaid CDN import, with the started Reveal object
# published as window.Reveal (tests and presenters' consoles can ask it for its state), and:
# - require.js told where the widget renderer's modules live. embed-amd.js defines modules named
#   "@jupyter-widgets/base", ".../html-manager/dist/libembed-amd", ... and looks for its icon font
#   (Font Awesome) in the folder require.js maps each name to: by default slides/@jupyter-widgets/,
#   which does not exist, so every widget button's icon was a blank box.
# - OUTPUT_CSS, after nbconvert's own style sheets.
_TEMPLATE_NAME = "vmlib_offline_slides.html.j2"
_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}
{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_requirejs -%}
{{ super() }}
{%- set widgets_dir = resources.widget_renderer_url.rsplit('/', 1)[0] %}
<script>
require.config({paths: {
  "@jupyter-widgets/html-manager/dist": "{{ widgets_dir }}",
  "@jupyter-widgets": "{{ widgets_dir }}"
}});
</script>
{%- endblock html_head_js_requirejs -%}
{%- block html_head_css -%}
{{ super() }}
<style type="text/css">{{ resources.vmlib_css }}</style>
{%- endblock html_head_css -%}
{% block footer_js %}
{{ super() }}
<script>
require(["{{ reveal_url_prefix }}/dist/reveal.js"], function (Reveal) {
  window.Reveal = Reveal;
});
</script>
{% endblock footer_js %}
"""

#: The decks' style sheet, after nbconvert's: outputs 16 px and never wrapped, so 96-column
#: lines fit; each chapter widget laid out to fit a 1280x720 slide (why, rule by rule: slides.css).
OUTPUT_CSS = (Path(__file__).with_name("slides.css")).read_text()

# Cell tags honoured when building slides (names as in Jupyter Book).
REMOVE_INPUT_TAGS = ("hide-input", "remove-input")
REMOVE_OUTPUT_TAGS = ("remove-output",)
REMOVE_CELL_TAGS = ("remove-cell",)


class SlidesError(RuntimeError):
    """A deck cannot be built: a missing chapter, a missing tool, a broken notebook."""


# ----------------------------------------------------------------------------------------------
# Which notebooks, and what is in them


def chapter_notebook(number: str, notebooks_dir: Path | str = NOTEBOOKS_DIR) -> Path:
    """The notebook of chapter ``number`` (``"03"`` -> ``notebooks/03_*.ipynb``); exactly one."""
    notebooks_dir = Path(notebooks_dir)
    found = sorted(notebooks_dir.glob(f"{number}_*.ipynb"))
    if not found:
        raise SlidesError(f"chapter {number}: no notebook {notebooks_dir}/{number}_*.ipynb")
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise SlidesError(f"chapter {number}: several notebooks match ({names})")
    return found[0]


def deck_notebooks(deck: Deck | str, notebooks_dir: Path | str = NOTEBOOKS_DIR) -> list[Path]:
    """The notebooks of a deck, in order. Raises :class:`SlidesError` naming every missing one."""
    deck = _deck(deck)
    paths, problems = [], []
    for number in deck.chapters:
        try:
            paths.append(chapter_notebook(number, notebooks_dir))
        except SlidesError as exc:
            problems.append(str(exc))
    if problems:
        raise SlidesError(f"deck {deck.name!r}: " + "; ".join(problems))
    return paths


def slide_type(cell) -> str:
    """A cell's ``slideshow.slide_type``; ``"-"`` (continue the current slide) when unset."""
    meta = cell.get("metadata", {}) or {}
    return (meta.get("slideshow") or {}).get("slide_type") or "-"


def _first_visible(cells) -> int | None:
    for i, cell in enumerate(cells):
        if slide_type(cell) not in ("notes", "skip"):
            return i
    return None


def count_slides(nb) -> int:
    """How many slides reveal.js shows for this notebook (``Reveal.getTotalSlides()``).

    Mirrors nbconvert's ``_RevealMetadataPreprocessor``: the first visible cell opens a slide;
    after it, every ``slide`` or ``subslide`` cell opens a new one (subslides are counted too, as
    reveal.js counts them); ``fragment``, ``-``, ``skip`` and ``notes`` cells open none.
    """
    cells = nb["cells"]
    first = _first_visible(cells)
    if first is None:
        raise SlidesError("every cell is skipped or a note: there is no slide to show")
    return 1 + sum(slide_type(c) in ("slide", "subslide") for c in cells[first + 1 :])


def count_notes(nb) -> int:
    """How many speaker-note blocks (cells of type ``notes`` after the first slide opened)."""
    cells = nb["cells"]
    first = _first_visible(cells)
    if first is None:
        return 0
    return sum(slide_type(c) == "notes" for c in cells[first + 1 :])


def _source(cell) -> str:
    src = cell.get("source", "")
    return src if isinstance(src, str) else "".join(src)


#: The heading that opens a chapter's exercises. The decks leave out that cell and every cell
#: after it: exercises are for a learner with a kernel (their checkers print "✗ Not yet" until
#: answered), not for a room. Every chapter ends with its exercises, so nothing else is lost.
EXERCISES_HEADING = re.compile(r"#{1,6}\s+Exercises\b")


def lecture_cells(cells: list) -> list:
    """A chapter's cells up to, not including, its exercises heading (all cells if it has none).

    Speaker notes of the slides before the exercises stay; those of exercise slides go with them.
    """
    for i, cell in enumerate(cells):
        if cell.get("cell_type") == "markdown" and EXERCISES_HEADING.match(_source(cell).lstrip()):
            return cells[:i]
    return cells


#: nbval's per-cell markers (``# NBVAL_IGNORE_OUTPUT``, ``# NBVAL_SKIP``, ...).
_NBVAL_MARKER = re.compile(r"#\s*NBVAL_[A-Z_]+")


def strip_harness_comments(source: str) -> str:
    """Code as a deck shows it: without nbval's marker comments, nor the parenthesised note that
    follows one to say why (``# (a live widget: its state is saved ..., not compared; ...)``).

    Those lines are for the test harness and whoever maintains the notebook; on a slide they
    are noise. Other comments stay. Only the deck's copy changes, never the notebook.
    """
    lines = source.splitlines(keepends=True)
    kept, i = [], 0
    while i < len(lines):
        if not _NBVAL_MARKER.fullmatch(lines[i].strip()):
            kept.append(lines[i])
            i += 1
            continue
        i += 1  # the marker; then its note, "# (" up to the line that ends with ")"
        if i < len(lines) and lines[i].lstrip().startswith("# ("):
            while i < len(lines) and lines[i].lstrip().startswith("#"):
                i += 1
                if lines[i - 1].rstrip().endswith(")"):
                    break
    return "".join(kept).lstrip("\n")


#: how a chapter marks a speaker note for a learner reading alone (tests/test_notebook_presentation.py)
NOTE_MARK = "> **Presenter's note.** "


def speaker_note(source: str) -> str:
    """A notes cell as the speaker view shows it: without the quote marks and the *Presenter's
    note* label that tell a learner in JupyterLab what the paragraph is."""
    if not source.startswith(NOTE_MARK):
        return source
    lines = source[len(NOTE_MARK):].split("\n")
    return "\n".join([lines[0]] + [line[2:] if line.startswith("> ") else line.lstrip(">")
                                   for line in lines[1:]])


def _title_of(nb, fallback: str) -> str:
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", "")).splitlines():
                m = re.match(r"#\s+(.+?)\s*#*\s*$", line)
                if m:
                    return m.group(1)
    return fallback


# ----------------------------------------------------------------------------------------------
# Joining chapters into one deck


def _markdown(source: str, kind: str) -> dict:
    return {
        "cell_type": "markdown",
        "id": f"deck-{kind}",
        "metadata": {"slideshow": {"slide_type": kind if kind == "notes" else "slide"}},
        "source": source,
    }


def deck_notebook(deck: Deck | str, notebooks_dir: Path | str = NOTEBOOKS_DIR):
    """The deck as one notebook: a title slide, then every chapter starting on a new slide.

    Of each chapter it keeps the cells before its exercises (:func:`lecture_cells`) that are not
    tagged ``remove-cell``, with the harness comments stripped from code
    (:func:`strip_harness_comments`). Saved widget states are merged so widgets render
    statically. The result is what :func:`build_deck` converts and what :func:`deck_stats` counts.
    """
    import nbformat

    deck = _deck(deck)
    paths = deck_notebooks(deck, notebooks_dir)
    chapters = [nbformat.read(p, as_version=4) for p in paths]

    lines = [f"# {deck.title}", "", f"### {deck.subtitle}", ""]
    for path, nb in zip(paths, chapters):
        lines.append(f"- {_title_of(nb, path.stem)}")
    cells = [_markdown("\n".join(lines), "slide")]
    if deck.notes:
        cells.append(_markdown(deck.notes, "notes"))
    widget_state: dict = {}
    for number, nb in zip(deck.chapters, chapters):
        kept = [
            copy.deepcopy(c)
            for c in lecture_cells(nb.cells)
            if not set(c.get("metadata", {}).get("tags", [])) & set(REMOVE_CELL_TAGS)
        ]
        first = _first_visible(kept)
        if first is None:
            raise SlidesError(f"chapter {number}: every cell is skipped or a note")
        kept[first].setdefault("metadata", {}).setdefault("slideshow", {})["slide_type"] = "slide"
        for i, cell in enumerate(kept):
            cell["id"] = f"c{number}-{i}"
            if cell.get("cell_type") == "code":
                cell["source"] = strip_harness_comments(_source(cell))
            elif cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes":
                cell["source"] = speaker_note(_source(cell))
        cells.extend(kept)
        state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
        if state:
            widget_state.update(state.get("state", {}))

    merged = nbformat.v4.new_notebook()
    merged.metadata = copy.deepcopy(chapters[0].metadata)
    merged.metadata.pop("widgets", None)
    merged.metadata["title"] = f"{deck.title}: {deck.subtitle}"
    if widget_state:
        merged.metadata["widgets"] = {
            "application/vnd.jupyter.widget-state+json": {
                "version_major": 2,
                "version_minor": 0,
                "state": widget_state,
            }
        }
    merged.cells = [nbformat.from_dict(c) for c in cells]
    return merged


@dataclass(frozen=True)
class DeckStats:
    slides: int
    notes: int
    chapters: tuple[str, ...]


def deck_stats(deck: Deck | str, notebooks_dir: Path | str = NOTEBOOKS_DIR) -> DeckStats:
    """Slides and speaker-note blocks the built deck has (one source for builder and tests)."""
    deck = _deck(deck)
    nb = deck_notebook(deck, notebooks_dir)
    return DeckStats(count_slides(nb), count_notes(nb), deck.chapters)


# ----------------------------------------------------------------------------------------------
# Vendor files from the npm registry


def vendor_ready(vendor_dir: Path | str = VENDOR_DIR) -> bool:
    """True when ``vendor_dir`` holds exactly the pinned packages with the files decks load."""
    vendor_dir = Path(vendor_dir)
    try:
        stamp = json.loads((vendor_dir / _STAMP).read_text())
    except (OSError, ValueError):
        return False
    wanted = {name: ver for name, (ver, _) in VENDOR_PACKAGES.items()}
    return stamp == wanted and all((vendor_dir / f).exists() for f in VENDOR_FILES.values())


@contextlib.contextmanager
def _lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        try:
            import fcntl
        except ImportError:  # Windows: no lock; one build at a time is the user's business
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def fetch_vendor(vendor_dir: Path | str = VENDOR_DIR, *, npm: str | None = None, quiet=False) -> Path:
    """Bring reveal.js and friends from the npm registry into ``vendor_dir`` (idempotent).

    Uses ``npm pack`` (tarballs only: no dependency tree, no install scripts). Does nothing when
    the pinned versions are already there.
    """
    vendor_dir = Path(vendor_dir)
    with _lock(vendor_dir.parent / f".{vendor_dir.name}.lock"):
        if vendor_ready(vendor_dir):
            return vendor_dir
        npm = npm or shutil.which("npm")
        if not npm:
            raise SlidesError(
                "npm is needed once to fetch reveal.js, require.js, jQuery and MathJax for the "
                "offline slides (Debian: apt-get install npm; elsewhere: install Node.js)"
            )
        specs = [f"{name}@{ver}" for name, (ver, _) in VENDOR_PACKAGES.items()]
        if not quiet:
            print(f"fetching {' '.join(specs)} from the npm registry into {vendor_dir}/", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="vmlib-npm-") as tmp:
            tmp = Path(tmp)
            proc = subprocess.run(
                [npm, "pack", "--json", "--pack-destination", str(tmp), *specs],
                cwd=tmp, capture_output=True, text=True,
            )
            if proc.returncode != 0:
                raise SlidesError(f"npm pack failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
            packed = {entry["name"]: tmp / entry["filename"] for entry in json.loads(proc.stdout)}
            staging = tmp / "vendor"
            for name, (ver, folder) in VENDOR_PACKAGES.items():
                if name not in packed:
                    raise SlidesError(f"npm pack did not return {name}@{ver}")
                _extract_package(packed[name], staging / folder)
            (staging / _STAMP).write_text(
                json.dumps({name: ver for name, (ver, _) in VENDOR_PACKAGES.items()}, indent=1)
            )
            if vendor_dir.exists():
                shutil.rmtree(vendor_dir)
            vendor_dir.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging), str(vendor_dir))
        if not vendor_ready(vendor_dir):
            raise SlidesError(f"{vendor_dir} is incomplete after fetching: {VENDOR_FILES}")
        return vendor_dir


def _extract_package(tgz: Path, dest: Path) -> None:
    """Extract an npm tarball's ``package/`` folder into ``dest`` (safely: no links, no escapes)."""
    dest.mkdir(parents=True)
    root = dest.resolve()
    with tarfile.open(tgz, "r:gz") as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()):
                continue
            parts = Path(member.name).parts
            if not parts or parts[0] != "package" or len(parts) == 1:
                continue
            target = (dest / Path(*parts[1:])).resolve()
            if root not in target.parents:
                raise SlidesError(f"{tgz.name}: unsafe path {member.name}")
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


# ----------------------------------------------------------------------------------------------
# Building


def _url(target: Path, start: Path) -> str:
    """A URL for ``target`` relative to the folder ``start`` (or a file:// URL if impossible)."""
    try:
        return Path(os.path.relpath(target, start)).as_posix()
    except ValueError:  # another drive on Windows
        return target.resolve().as_uri()


def exporter_config(out_dir: Path | str, vendor_dir: Path | str = VENDOR_DIR):
    """The nbconvert configuration of an offline deck written into ``out_dir``."""
    from traitlets.config import Config

    out_dir, vendor_dir = Path(out_dir).resolve(), Path(vendor_dir).resolve()
    url = {key: _url(vendor_dir / rel, out_dir) for key, rel in VENDOR_FILES.items()}
    c = Config()
    c.SlidesExporter.reveal_url_prefix = url["reveal"]
    c.SlidesExporter.reveal_theme = "white"  # ships its fonts; "simple" imports web fonts
    c.SlidesExporter.reveal_transition = "slide"
    c.SlidesExporter.reveal_number = "c/t"
    # No scrolling slides: every slide fits (tests/browser/test_slides_offline.py measures it).
    # nbconvert's scroll mode gave any slide taller than 95 % of the *window* a 95vh scroll box
    # and a 20 px top margin: in a window shorter than the screen, slides that fit were clipped.
    c.SlidesExporter.reveal_scroll = False
    c.SlidesExporter.reveal_width = "1280"  # the screen a deck is shown on: 1280x720
    c.SlidesExporter.reveal_height = "720"
    c.SlidesExporter.require_js_url = url["require"]
    c.SlidesExporter.jquery_url = url["jquery"]
    c.SlidesExporter.mathjax_url = url["mathjax"] + "?config=TeX-AMS_CHTML-full,Safe"
    c.SlidesExporter.widget_renderer_url = url["widgets"]
    c.SlidesExporter.font_awesome_url = ""
    c.SlidesExporter.exclude_input_prompt = True
    c.SlidesExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_input_tags = set(REMOVE_INPUT_TAGS)
    c.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    return c


def build_deck(
    deck: Deck | str,
    out_dir: Path | str = SLIDES_DIR,
    *,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    vendor_dir: Path | str = VENDOR_DIR,
    fetch: bool = True,
) -> Path:
    """Build ``<out_dir>/<deck>.html`` and return its path.

    With ``fetch`` (the default) the vendor files are fetched first when missing; without it the
    deck only refers to them (enough to inspect the HTML, not to show it).
    """
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter

    deck = _deck(deck)
    out_dir = Path(out_dir)
    nb = deck_notebook(deck, notebooks_dir)
    if fetch:
        fetch_vendor(vendor_dir)
    exporter = SlidesExporter(
        config=exporter_config(out_dir, vendor_dir),
        extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        template_file=_TEMPLATE_NAME,
    )
    resources = {"metadata": {"name": deck.name}, "vmlib_css": OUTPUT_CSS}
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{deck.name}.html"
    out.write_text(html, encoding="utf-8")
    return out


def _deck(deck: Deck | str) -> Deck:
    if isinstance(deck, Deck):
        return deck
    try:
        return DECKS[deck]
    except KeyError:
        raise SlidesError(f"no deck {deck!r}; decks: {', '.join(DECKS)}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vmlib.slides",
        description="Build the offline reveal.js decks from the notebooks' slide metadata.",
    )
    parser.add_argument("decks", nargs="*", metavar="DECK", help=f"decks to build (default: all: {', '.join(DECKS)})")
    parser.add_argument("--out", type=Path, default=SLIDES_DIR, help="output folder (default: slides/)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS_DIR, help="chapters folder (default: notebooks/)")
    parser.add_argument("--vendor", type=Path, default=VENDOR_DIR, help="vendor folder (default: slides/vendor/)")
    parser.add_argument("--count", action="store_true", help="print slides and notes per deck; build nothing")
    args = parser.parse_args(argv)
    try:
        for name in args.decks or list(DECKS):
            deck = _deck(name)
            stats = deck_stats(deck, args.notebooks)
            if args.count:
                print(f"{deck.name}: {stats.slides} slides, {stats.notes} speaker notes, chapters {' '.join(deck.chapters)}")
                continue
            out = build_deck(deck, args.out, notebooks_dir=args.notebooks, vendor_dir=args.vendor)
            print(f"{out}: {stats.slides} slides, {stats.notes} speaker notes (chapters {' '.join(deck.chapters)})")
    except SlidesError as exc:
        print(f"slides: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
