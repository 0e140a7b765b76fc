"""Browser fixtures: Debian's Chromium driven by Playwright, JupyterLab on loopback, offline pages.

Fixtures (all tests under tests/browser/ get them):

``browser``        session: a headless Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``); when
                   none is found the test is skipped with that reason (failed instead when
                   ``VMLIB_BROWSER_TESTS=require``, as ``.ci/run`` sets). Never downloads a browser.
``jupyter_lab``    session: a :class:`JupyterLab` server on a free 127.0.0.1 port with a random
                   token, a temporary settings folder (no news pop-up, no autosave) and a temporary
                   root folder holding a *copy* of ``notebooks/`` (tests never write the real
                   chapters; ``vmlib/``, ``tests/``, ``bench/`` are linked beside it).
                   ``jupyter_lab.add_notebook(path)`` copies more notebooks in.
``lab_page``       function: a :class:`LabPage` (a fresh browser context on that server) with the
                   helpers ``open``, ``run_all``, ``cell``, ``cell_with``, ``output``,
                   ``widget``, ``button``, ``wait_text``, ``screenshot``; on a failing test it saves
                   a screenshot into ``test-artifacts/`` by itself.
``offline_page``   function: a Playwright page whose every request other than ``file://`` is
                   aborted and recorded in ``offline_page.blocked`` (a list of URLs).

A widget test for a chapter, for example::

    def test_stepper_steps(lab_page):
        lab_page.open("notebooks/03_the_machine.ipynb")
        lab_page.run_all()
        cell = lab_page.cell_with("Stepper(")          # the cell whose source contains this
        before = lab_page.widget(cell, ".pc-readout").inner_text()
        lab_page.button("Step", cell).click()
        lab_page.wait_text(lab_page.widget(cell, ".pc-readout"), lambda t: t != before)
        lab_page.screenshot("stepper-after-step")

Timings on a 2-core machine: the server starts in about 5 s (once per session and xdist worker);
opening a notebook and its kernel about 3 s; the widget test below about 10 s in all.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1280, "height": 900}

# What the status bar says when the notebook's kernel is ready for work.
KERNEL_IDLE = re.compile(r"Python 3 \(ipykernel\)\s*\|\s*Idle")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    """Skip (locally) or fail (CI asks for the browser tests with VMLIB_BROWSER_TESTS=require)."""
    if os.environ.get("VMLIB_BROWSER_TESTS") == "require":
        pytest.fail(f"browser tests required but {reason}", pytrace=False)
    pytest.skip(reason)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:120] or "page"


# ----------------------------------------------------------------------------------------------
# Chromium


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Path of the system Chromium (``$CHROMIUM`` wins); skips the test when there is none."""
    candidates = [os.environ["CHROMIUM"]] if os.environ.get("CHROMIUM") else list(CHROMIUM_CANDIDATES)
    for path in candidates:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    _unavailable(f"no Chromium at {' or '.join(candidates)} (Debian: apt-get install chromium)")


@pytest.fixture(scope="session")
def browser(chromium_executable):
    """A headless Chromium launched through Playwright's sync API (one per session/worker)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -r requirements.txt)")
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        pw.stop()
        _unavailable(f"Chromium at {chromium_executable} did not start: {exc}")
    yield chromium
    chromium.close()
    pw.stop()


@pytest.fixture
def offline_page(browser, request):
    """A page that may load ``file://`` URLs only; other requests are aborted and recorded.

    ``offline_page.blocked`` lists the URLs refused, ``offline_page.console`` the console
    messages, ``offline_page.errors`` uncaught page errors (of every page of the context, popups
    such as reveal.js's speaker view included). A failing test leaves a screenshot in
    ``test-artifacts/``.
    """
    context = browser.new_context(viewport=VIEWPORT)
    blocked: list[str] = []
    console: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    context.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    context.on("weberror", lambda e: errors.append(str(e.error)))
    page = context.new_page()
    page.blocked, page.console, page.errors = blocked, console, errors
    yield page
    _screenshot_on_failure(request, page)
    context.close()


@pytest.fixture(scope="session")
def slides_vendor():
    """``slides/vendor/`` with reveal.js and friends (fetched with npm once when missing)."""
    from vmlib import slides

    try:
        return slides.fetch_vendor()
    except slides.SlidesError as exc:
        _unavailable(str(exc))


def _screenshot_on_failure(request, page):
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{_safe_name(request.node.nodeid)}-FAILED.png"), full_page=True)
        except Exception:  # the page may be gone; the failure itself matters more
            pass


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


# ----------------------------------------------------------------------------------------------
# JupyterLab


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_lab_settings(folder: Path) -> None:
    """Settings for a quiet, read-only-minded JupyterLab: no news pop-up, no autosave."""
    settings = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    }
    for rel, value in settings.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


class JupyterLab:
    """A running JupyterLab server (see the ``jupyter_lab`` fixture).

    Attributes: ``root`` (the server's root folder, a temporary copy), ``base_url``
    (``http://127.0.0.1:PORT/``), ``token``, ``proc`` (the server process), ``log`` (its log file).
    """

    def __init__(self, root: Path, settings: Path, log: Path):
        self.root, self.settings, self.log = root, settings, log
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.base_url = f"http://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen | None = None

    def url(self, path: str = "lab", **query) -> str:
        """A URL on the server with the token in it (``url("lab/tree/x.ipynb", reset="")``)."""
        query["token"] = self.token
        q = "&".join(k if v == "" else f"{k}={quote(str(v))}" for k, v in query.items())
        return f"{self.base_url}{path.lstrip('/')}?{q}"

    def add_notebook(self, source, name: str | None = None) -> str:
        """Copy a notebook file into the server's root; returns its path relative to the root."""
        source = Path(source)
        target = self.root / (name or source.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target.relative_to(self.root).as_posix()

    def start(self, timeout: float = 90) -> None:
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        env = dict(os.environ)
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self.settings)
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(self.settings.parent / "workspaces")
        env.pop("MPLBACKEND", None)  # kernels should see what a learner sees: inline plots
        self._logfh = open(self.log, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self._logfh, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(f"{self.base_url}api/status", headers={"Authorization": f"token {self.token}"})
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(request, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"JupyterLab did not answer /api/status in {timeout} s:\n{self.log_tail()}")
            time.sleep(0.25)

    def stop(self) -> None:
        """Stop the server by its pid (SIGTERM, which also shuts its kernels down; then SIGKILL)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if getattr(self, "_logfh", None):
            self._logfh.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory, chromium_executable):
    """A JupyterLab server for the session; its root holds a copy of ``notebooks/``."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root, settings = base / "root", base / "settings"
    root.mkdir()
    if (REPO / "notebooks").is_dir():
        shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name in ("vmlib", "tests", "bench"):  # so "../vmlib/..." from a notebook still resolves
        if (REPO / name).exists():
            (root / name).symlink_to(REPO / name, target_is_directory=True)
    _write_lab_settings(settings)
    lab = JupyterLab(root, settings, base / "jupyterlab.log")
    lab.start()
    yield lab
    lab.stop()


# ----------------------------------------------------------------------------------------------
# A notebook open in JupyterLab


def _scroll_into_view(loc, timeout: float) -> None:
    """Scroll a locator's element into view. A widget that re-renders (a click's answer
    arriving) can replace the element between finding it and scrolling to it; the locator then
    finds the new one, so try again rather than fail on "not attached to the DOM"."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            loc.scroll_into_view_if_needed(timeout=timeout)
            return
        except PlaywrightError as e:
            if "not attached" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class LabPage:
    """A browser page on the ``jupyter_lab`` server, with helpers for notebooks and widgets.

    ``page`` is the Playwright page for anything the helpers do not cover. Timeouts are in
    milliseconds, as in Playwright. Cells in JupyterLab are rendered lazily: the helpers that
    return a cell or a widget scroll it into view first.
    """

    def __init__(self, page, lab: JupyterLab, name: str):
        self.page, self.lab, self.name = page, lab, _safe_name(name)
        self._shots = 0

    # -- notebooks ---------------------------------------------------------------------------

    def open(self, path: str, timeout: float = 90_000) -> None:
        """Open ``path`` (relative to the server root, e.g. ``notebooks/03_x.ipynb``) with
        ``?reset`` (no restored workspace) and wait until its kernel is idle."""
        self.page.goto(self.lab.url(f"lab/tree/{quote(path)}", reset=""), timeout=timeout)
        self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=timeout)
        self.wait_kernel_idle(timeout)

    def wait_kernel_idle(self, timeout: float = 90_000) -> None:
        """Wait until the status bar says ``Python 3 (ipykernel) | Idle``."""
        self.page.locator("#jp-main-statusbar").get_by_text(KERNEL_IDLE).wait_for(timeout=timeout)

    def run_all(self, timeout: float = 120_000, settle: float = 0.5) -> None:
        """Run > Run All Cells, then wait until no cell is queued or running (``[*]``) and the
        kernel is idle; ``settle`` seconds more for widgets to render."""
        page = self.page
        page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-content .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        page.wait_for_function(
            """() => {
                const nb = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook');
                if (!nb) return false;
                const busy = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                    .some(p => p.textContent.includes('*'));
                const status = document.querySelector('#jp-main-statusbar');
                return !busy && status && /\\|\\s*Idle/.test(status.textContent);
            }""",
            timeout=timeout,
            polling=250,
        )
        self.wait_kernel_idle(timeout)
        page.wait_for_timeout(settle * 1000)

    def cells(self):
        """Locator of every cell of the open notebook."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")

    def cell(self, index: int):
        """The ``index``-th cell (0-based, markdown cells count), scrolled into view."""
        cell = self.cells().nth(index)
        cell.scroll_into_view_if_needed()
        return cell

    def cell_with(self, text: str | re.Pattern, timeout: float = 10_000):
        """The first code cell whose source contains ``text`` (a string or regex), scrolled into
        view. Matches the editor's text only, not the outputs."""
        editor = self.page.locator(".jp-InputArea-editor").filter(has_text=text)
        cell = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell").filter(has=editor).first
        cell.wait_for(state="attached", timeout=timeout)
        cell.scroll_into_view_if_needed()
        return cell

    def output(self, cell):
        """The output area of ``cell``."""
        return cell.locator(".jp-OutputArea")

    def open_file_browser(self) -> float:
        """Make sure the file browser is open at the left, as a learner at 1280 px has it;
        returns the panel's width."""
        stack = self.page.locator("#jp-left-stack")
        if not stack.is_visible():
            self.page.locator(".jp-SideBar.jp-mod-left [data-id='filebrowser']").click()
            stack.wait_for(state="visible")
        return stack.bounding_box()["width"]

    def widget_output(self, text: str, width: float):
        """With the file browser open: the code cell whose source has ``text`` and its output,
        checked to be ``width`` px wide (give or take 40: a chapter's output at 1280 px)."""
        self.open_file_browser()
        cell = self.cell_with(text)
        area = self.widget(cell, ".jp-OutputArea-output")
        assert abs(area.bounding_box()["width"] - width) < 40, area.bounding_box()
        return cell, area

    def errors(self) -> list[str]:
        """Texts of the error outputs (tracebacks) in the open notebook."""
        loc = self.page.locator(
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
            ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
        )
        return [t for t in loc.all_inner_texts() if "Traceback" in t or "Error" in t]

    # -- widgets -----------------------------------------------------------------------------

    def widget(self, scope, selector: str, has_text=None, timeout: float = 15_000):
        """The first element matching ``selector`` (and containing ``has_text``, a string or
        regex, if given) inside ``scope`` (a cell, or None for the page), visible and scrolled
        into view. The surest selector is a class of your own: ``widget.add_class("vm-pc")`` in
        vmlib.viz, then ``lab_page.widget(cell, ".vm-pc")``. ipywidgets' own classes:
        ``.widget-button``, ``.widget-slider`` (handle ``.noUi-handle``, value
        ``.widget-readout``), ``.widget-label`` (also a control's description), ``.widget-html``,
        ``.widget-output``, ``.widget-dropdown``, ``.widget-toggle-button``."""
        loc = (scope if scope is not None else self.page).locator(selector)
        if has_text is not None:
            loc = loc.filter(has_text=has_text)
        loc = loc.first
        loc.wait_for(state="visible", timeout=timeout)
        _scroll_into_view(loc, timeout)
        return loc

    def button(self, label: str | re.Pattern, scope=None, timeout: float = 15_000):
        """The ipywidgets button whose text is ``label`` (exact string or regex) in ``scope``."""
        pattern = label if isinstance(label, re.Pattern) else re.compile(rf"^\s*{re.escape(label)}\s*$")
        loc = (scope if scope is not None else self.page).locator("button.widget-button").filter(has_text=pattern).first
        loc.wait_for(state="visible", timeout=timeout)
        _scroll_into_view(loc, timeout)
        return loc

    def slider_keys(self, slider, key: str = "ArrowRight", times: int = 1) -> None:
        """Focus a slider's handle and press ``key`` ``times`` times (each press moves a step)."""
        handle = slider.locator(".noUi-handle").first
        handle.scroll_into_view_if_needed()
        handle.click()
        for _ in range(times):
            handle.press(key)

    def wait_text(self, locator, predicate, timeout: float = 15_000) -> str:
        """Wait until ``predicate(locator.inner_text())`` is true; returns that text.
        ``predicate`` may also be a string (equal) or a compiled regex (search)."""
        if isinstance(predicate, str):
            want = predicate
            predicate = lambda t: t.strip() == want  # noqa: E731
        elif isinstance(predicate, re.Pattern):
            rx = predicate
            predicate = lambda t: rx.search(t) is not None  # noqa: E731
        deadline = time.monotonic() + timeout / 1000
        text = None
        while True:
            try:
                text = locator.inner_text(timeout=1000)
                if predicate(text):
                    return text
            except Exception:  # detached while re-rendering: try again
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"text did not change as expected within {timeout} ms; last: {text!r}")
            self.page.wait_for_timeout(100)

    # -- evidence ----------------------------------------------------------------------------

    def screenshot(self, label: str, full_page: bool = False) -> Path:
        """Save a PNG as ``test-artifacts/<test>-<n>-<label>.png`` and return its path."""
        ARTIFACTS.mkdir(exist_ok=True)
        self._shots += 1
        path = ARTIFACTS / f"{self.name}-{self._shots:02d}-{_safe_name(label)}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def lab_page(browser, jupyter_lab, request):
    """A :class:`LabPage`: a new browser context (own cookies and storage) on ``jupyter_lab``."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    lab = LabPage(page, jupyter_lab, request.node.name)
    yield lab
    _screenshot_on_failure(request, page)
    context.close()
    # shut the kernels this test started, so the next test's "Idle" is its own kernel's
    _shutdown_kernels(jupyter_lab)


def _shutdown_kernels(lab: JupyterLab) -> None:
    headers = {"Authorization": f"token {lab.token}"}
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{lab.base_url}api/sessions", headers=headers), timeout=5) as r:
            sessions = json.load(r)
        for s in sessions:
            req = urllib.request.Request(f"{lab.base_url}api/sessions/{s['id']}", headers=headers, method="DELETE")
            urllib.request.urlopen(req, timeout=10).close()
    except (urllib.error.URLError, OSError, ValueError):
        pass
