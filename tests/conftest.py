"""Shared test set-up: paths of the repository, a notebook factory, hypothesis profiles.

The notebooks themselves are checked by nbval (``make test`` passes ``--nbval`` over
``notebooks/`` with ``tests/nbval_sanitize.cfg``); browser fixtures live in
``tests/browser/conftest.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts"

try:  # property tests: no wall-clock deadline on a shared 2-core machine
    from hypothesis import settings

    settings.register_profile("course", deadline=None, print_blob=True)
    settings.register_profile("ci", parent=settings.get_profile("course"), derandomize=True)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "course"))
except ImportError:  # pragma: no cover - hypothesis is in requirements.txt
    pass


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top folder."""
    return REPO


@pytest.fixture(scope="session")
def notebooks_dir() -> Path:
    """``notebooks/``: the chapters."""
    return NOTEBOOKS


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``test-artifacts/`` (gitignored): screenshots and logs worth keeping after a run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def write_notebook(path, cells, *, widgets_state=None):
    """Write a small nbformat-4 notebook to ``path`` and return the path.

    ``cells`` is a list of ``(cell_type, source)`` or ``(cell_type, source, slide_type)`` or
    ``(cell_type, source, slide_type, tags)``, with cell_type ``"markdown"`` or ``"code"``
    (``slide_type`` None leaves the slideshow metadata out, which means "-").
    """
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for spec in cells:
        kind, source, slide, tags = (tuple(spec) + (None, None))[:4]
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        if slide is not None:
            cell.metadata["slideshow"] = {"slide_type": slide}
        if tags:
            cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    if widgets_state is not None:
        nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": widgets_state}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def make_notebook():
    """Factory fixture: ``make_notebook(path, cells)``; see :func:`write_notebook`."""
    return write_notebook
