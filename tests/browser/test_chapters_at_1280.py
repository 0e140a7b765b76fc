"""Chapters 00-09 read well in JupyterLab at 1280 px with the file browser open.

Each chapter is opened in a 1280x900 window with the left panel (the file browser, about
250 px) expanded, all its cells are run, and then every output is measured:

(a) **figures**: an inline image may be shown as wide as its output area allows; that width
    must be at least ``SHOWN_WIDTH_PX`` (minus a few px) -- the width that
    :func:`vmlib.viz._course_common.smallest_text` assumes when it holds chapter figures to
    ``MIN_TEXT_PX`` -- and an image is shown at its natural size, or scaled to that width;
(b) **widgets**: nothing inside a widget clips or scrolls sideways (an element whose overflow
    is hidden, auto or scroll with ``scrollWidth > clientWidth + 1``), and no element sticks
    out of the box that holds it or out of the output area;
(c) **text**: no line of a text output is wider than its output area (the character width is
    measured in the ``pre``, the longest line compared with the columns that fit).

A failure lists every problem of the chapter at once -- cell index (as in the notebook file,
from 0, markdown cells included), what overflowed and by how much -- and
``test-artifacts/chapters-at-1280-NN.json`` keeps the measurements.

Run: ``VMLIB_BROWSER_TESTS=require .venv/bin/pytest tests/browser/test_chapters_at_1280.py``
(about half a minute a chapter; the JupyterLab server is shared by the session).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vmlib.viz._course_common import SHOWN_WIDTH_PX

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHAPTERS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LEFT_PANEL_PX = (200, 300)          # the file browser, expanded
IMAGE_SLACK_PX = 4                  # (a): how much narrower than SHOWN_WIDTH_PX is tolerated

# Everything is measured in the page in one go. Cells are numbered as in the notebook file.
MEASURE = r"""
() => {
  const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
  const cells = [...nb.querySelectorAll(':scope .jp-Cell')];
  const out = {cells: cells.length, images: [], widgets: [], lines: [], texts: 0};
  const box = el => el.getBoundingClientRect();
  const describe = el => {
    const cls = [...el.classList].filter(c => c.startsWith('vm-') || c.startsWith('widget-'));
    return el.tagName.toLowerCase() + (cls.length ? '.' + cls.slice(0, 3).join('.') : '');
  };
  const snippet = el => (el.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 60);
  cells.forEach((cell, index) => {
    cell.querySelectorAll('.jp-OutputArea-output').forEach(area => {
      const ar = box(area);
      // (a) inline figures
      area.querySelectorAll('.jp-RenderedImage img').forEach(img => {
        const holder = img.parentElement, cs = getComputedStyle(holder);
        const room = holder.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        out.images.push({cell: index, natural: img.naturalWidth, shown: box(img).width, room});
      });
      // (b) widgets: sideways scrolling or clipping, and elements sticking out (the outermost
      // offending element only: what is inside it overflows with it)
      const flagged = new Set();
      const report = (el, problem, by) => {
        flagged.add(el);
        out.widgets.push({cell: index, what: describe(el), problem, by: Math.round(by),
                          text: snippet(el)});
      };
      area.querySelectorAll('.jupyter-widgets, .jupyter-widgets *').forEach(el => {
        if (!(el instanceof HTMLElement) || el.offsetParent === null) return;
        for (let a = el.parentElement; a && a !== area; a = a.parentElement)
          if (flagged.has(a)) return;
        const r = box(el);
        if (r.width === 0 || r.height === 0) return;
        const ov = getComputedStyle(el).overflowX;
        if (ov !== 'visible' && el.scrollWidth > el.clientWidth + 1)
          return report(el, 'clips or scrolls sideways', el.scrollWidth - el.clientWidth);
        if (r.right > ar.right + 1)
          return report(el, 'sticks out of the output area', r.right - ar.right);
        const parent = el.parentElement && el.parentElement.closest('.widget-box');
        if (parent) {
          const pr = box(parent);
          if (r.right > pr.right + 1 || r.left < pr.left - 1)
            report(el, 'sticks out of ' + describe(parent),
                   Math.max(r.right - pr.right, pr.left - r.left));
        }
      });
      // (c) text outputs: the longest lines against the columns that fit
      const texts = area.classList.contains('jp-RenderedText') ? area.querySelectorAll('pre')
                  : area.querySelectorAll(':scope > .jp-RenderedText pre');
      texts.forEach(pre => {
        out.texts += 1;
        const probe = document.createElement('span');
        probe.textContent = 'x'.repeat(100);
        probe.style.whiteSpace = 'pre';
        pre.appendChild(probe);
        const charW = probe.getBoundingClientRect().width / 100;
        probe.remove();
        const cs = getComputedStyle(pre);
        const room = pre.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        const columns = Math.floor(room / charW + 0.01);
        pre.textContent.split('\n').forEach((line, k) => {
          const n = [...line.replace(/\s+$/, '')].length;
          if (n > columns) out.lines.push({cell: index, line: k + 1, length: n, columns,
                                          text: line.slice(0, 80)});
        });
      });
    });
  });
  return out;
}
"""


def problems_of(m: dict) -> dict[str, list[str]]:
    """The measurements as lines of problems, by check."""
    images = []
    for im in m["images"]:
        if im["room"] < SHOWN_WIDTH_PX - IMAGE_SLACK_PX:
            images.append(f"cell {im['cell']}: a figure may be shown only {im['room']:.0f} px "
                          f"wide, not {SHOWN_WIDTH_PX} (SHOWN_WIDTH_PX is wrong)")
        if abs(im["shown"] - min(im["natural"], im["room"])) > 1:
            images.append(f"cell {im['cell']}: a {im['natural']} px figure is shown "
                          f"{im['shown']:.0f} px wide in {im['room']:.0f} px")
    widgets = [f"cell {w['cell']}: {w['what']} {w['problem']} by {w['by']} px"
               + (f" ({w['text']!r})" if w["text"] else "") for w in m["widgets"]]
    lines = [f"cell {t['cell']}, line {t['line']}: {t['length']} characters, "
             f"{t['columns']} fit: {t['text']!r}" for t in m["lines"]]
    return {"(a) figures": images, "(b) widgets": widgets, "(c) text lines": lines}


@pytest.mark.parametrize("notebook", CHAPTERS)
def test_chapter_fits_at_1280_with_the_file_browser_open(lab_page, notebook):
    lab_page.open(f"notebooks/{notebook}")
    width = lab_page.open_file_browser()
    assert LEFT_PANEL_PX[0] <= width <= LEFT_PANEL_PX[1], \
        f"the file browser is {width:.0f} px wide, not about 250"
    lab_page.run_all(timeout=300_000, settle=1.5)
    assert lab_page.errors() == []
    page = lab_page.page
    # measure every cell as laid out (cells outside the view may skip rendering otherwise)
    page.add_style_tag(content=".jp-Notebook .jp-Cell { content-visibility: visible !important; }")
    m = page.evaluate(MEASURE)
    m["left_panel"] = width
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"chapters-at-1280-{notebook[:2]}.json").write_text(json.dumps(m, indent=1))
    assert m["texts"] > 0 and m["cells"] > 0, "nothing measured: was the notebook run?"
    problems = problems_of(m)
    if any(problems.values()):
        report = [f"{notebook} at 1280x900 with the file browser open:"]
        for check, found in problems.items():
            report.append(f"{check}: {len(found) or 'none'}")
            report += [f"    {p}" for p in found]
        pytest.fail("\n".join(report), pytrace=False)
