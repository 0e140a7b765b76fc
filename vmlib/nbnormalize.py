"""Make a re-executed notebook differ from the committed one only where its code's output did.

Running a chapter again (``make notebooks``, or Run All in JupyterLab and save) rewrites
things that no reader sees:

- **execution timestamps**: cell metadata ``execution`` (``iopub.status.busy``,
  ``shell.execute_reply``, ...) that nbclient and JupyterLab record;
- **widget model ids**: each widget gets a fresh random id per run, which appears in its output
  (``application/vnd.jupyter.widget-view+json``: ``model_id``) and in the widget state saved in
  the notebook's metadata (as keys, and as ``IPY_MODEL_<id>`` references between models);
- **how printed text was chunked**: one cell's stdout arrives as one stream output or several,
  depending on timing.

This drops the first, renames the second deterministically and joins consecutive stream
outputs of the same name (as JupyterLab shows them; nbval joins them too before comparing).
Widget models are numbered in the order a reader meets them -- the widget outputs cell by cell,
each followed through the models it refers to -- and model ``i`` of notebook ``name`` becomes
the first 32 hex digits of ``sha256("name:i")``. The notebook's name is in the hash so that two
chapters never share an id: the slide decks merge the widget states of several chapters. Models
no output refers to (widgets made but not shown) come last, ordered by their content and their
children's, never by their old random ids. The result is idempotent (a second run changes
nothing), every other output and metadata is left alone, and nbval ignores widget-view outputs,
so the tests pass on it as before.

nbstripout and similar tools strip outputs, which the course keeps (they are the static
readers' and the slides' content, and nbval compares them), so this small tool does the job.

Usage::

    python -m vmlib.nbnormalize notebooks/*.ipynb      # rewrite the files that change
    python -m vmlib.nbnormalize --check notebooks/*.ipynb   # exit 1 if any would change
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

#: The timing keys nbclient (``record_timing``) and JupyterLab (``recordTiming``) write.
TIMING_KEYS = ("iopub.status.busy", "iopub.execute_input", "shell.execute_reply",
               "shell.execute_reply.started", "iopub.status.idle")

_REF = re.compile(r"IPY_MODEL_([0-9A-Za-z_-]+)")


def drop_timestamps(nb: dict) -> None:
    """Remove execution timestamps from every cell's metadata (other ``execution`` keys stay)."""
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        execution = meta.get("execution")
        if isinstance(execution, dict):
            for key in TIMING_KEYS:
                execution.pop(key, None)
            if not execution:
                del meta["execution"]


def join_streams(nb: dict) -> None:
    """Join consecutive stream outputs of the same name (stdout, stderr) in every cell."""
    for cell in nb.get("cells", []):
        joined: list = []
        for output in cell.get("outputs", []):
            last = joined[-1] if joined else None
            if (output.get("output_type") == "stream" and last is not None
                    and last.get("output_type") == "stream" and last.get("name") == output.get("name")):
                last["text"] = _text(last["text"]) + _text(output["text"])
            else:
                joined.append(output)
        if "outputs" in cell:
            cell["outputs"] = joined


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def _widget_state(nb: dict) -> dict:
    return nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _views(nb: dict):
    """Every widget-view output's data dict, in cell order."""
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if isinstance(view, dict):
                yield view


def _refs(value):
    """Model ids referred to (``IPY_MODEL_<id>``) anywhere in a JSON value, in a fixed order
    (dict keys sorted, as nbformat writes them)."""
    if isinstance(value, str):
        yield from _REF.findall(value)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)
    elif isinstance(value, dict):
        for key in sorted(value):
            if key == "model_id" and isinstance(value[key], str):  # a view nested in an Output
                yield value[key]
            else:
                yield from _refs(value[key])


def model_order(nb: dict) -> list[str]:
    """The notebook's widget model ids in reading order (see the module's docstring)."""
    state = _widget_state(nb)
    order: list[str] = []
    seen: set[str] = set()

    def visit(model_id: str) -> None:
        stack = [model_id]
        while stack:
            mid = stack.pop()
            if mid in seen:
                continue
            seen.add(mid)
            order.append(mid)
            if mid in state:
                stack.extend(reversed(list(_refs(state[mid]))))

    for view in _views(nb):
        if isinstance(view.get("model_id"), str):
            visit(view["model_id"])
    # The models no output shows: first those no model refers to, each with its children.
    # Ordered by a hash of their content with every reference replaced by the hash of what it
    # refers to, so that neither the order nor the children's numbering depends on old ids.
    rest = [m for m in state if m not in seen]
    referred = {r for m in rest for r in _refs(state[m])}
    key = _tree_hashes(state)
    for mid in sorted((m for m in rest if m not in referred), key=key.get):
        visit(mid)
    for mid in sorted((m for m in rest if m not in seen), key=key.get):  # cycles, if any
        visit(mid)
    return order


def _tree_hashes(state: dict) -> dict[str, str]:
    """For each model, a hash of its state in which each ``IPY_MODEL_<id>`` is replaced by the
    hash of that model (a Merkle hash: equal hashes mean interchangeable subtrees)."""
    memo: dict[str, str] = {}

    def tree(mid: str, path: frozenset) -> str:
        if mid in memo:
            return memo[mid]
        if mid not in state or mid in path:  # a dangling or circular reference
            return "missing" if mid not in state else "cycle"
        inner = path | {mid}

        def sub(value):
            if isinstance(value, str):
                return _REF.sub(lambda m: "IPY_MODEL_" + tree(m.group(1), inner), value)
            if isinstance(value, list):
                return [sub(v) for v in value]
            if isinstance(value, dict):
                return {k: (tree(v, inner) if k == "model_id" and isinstance(v, str) else sub(v))
                        for k, v in value.items()}
            return value

        digest = hashlib.sha256(json.dumps(sub(state[mid]), sort_keys=True).encode()).hexdigest()
        memo[mid] = digest
        return digest

    for mid in state:
        tree(mid, frozenset())
    return memo


def stable_id(name: str, index: int) -> str:
    """The id of the ``index``-th widget model of notebook ``name``: 32 hex digits, like the
    uuid4 hex ids ipywidgets makes."""
    return hashlib.sha256(f"{name}:{index}".encode()).hexdigest()[:32]


def rename_widgets(nb: dict, name: str) -> None:
    """Give the widget models stable ids, in outputs and the saved state alike."""
    order = model_order(nb)
    if not order:
        return
    new = {old: stable_id(name, i) for i, old in enumerate(order)}

    def sub(value):
        if isinstance(value, str):
            return _REF.sub(lambda m: "IPY_MODEL_" + new.get(m.group(1), m.group(1)), value)
        if isinstance(value, list):
            return [sub(v) for v in value]
        if isinstance(value, dict):
            return {k: (new.get(v, v) if k == "model_id" and isinstance(v, str) else sub(v))
                    for k, v in value.items()}
        return value

    for view in _views(nb):
        if isinstance(view.get("model_id"), str):
            view["model_id"] = new.get(view["model_id"], view["model_id"])
    holder = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE)
    if holder and "state" in holder:
        holder["state"] = {new.get(k, k): sub(v) for k, v in holder["state"].items()}


def normalize(nb: dict, name: str) -> dict:
    """Normalise a notebook (a JSON dict, changed in place and returned); ``name`` is the file's
    stem, which seeds the widget ids."""
    drop_timestamps(nb)
    join_streams(nb)
    rename_widgets(nb, name)
    return nb


def normalize_file(path: Path | str, *, write: bool = True) -> bool:
    """Normalise a notebook file; returns True when it changed (and, with ``write``, rewrites
    it in nbformat's own layout). An unchanged file is not touched."""
    import nbformat

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    normalize(nb, path.stem)
    out = nbformat.writes(nb)
    if not out.endswith("\n"):
        out += "\n"
    if out == text:
        return False
    if write:
        path.write_text(out, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vmlib.nbnormalize",
        description="Drop execution timestamps and give widget models stable ids, so that "
                    "re-executing a notebook changes only what its code changed.",
    )
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook is not normalised")
    args = parser.parse_args(argv)
    changed = [p for p in args.notebooks if normalize_file(p, write=not args.check)]
    for path in changed:
        print(f"{'would normalise' if args.check else 'normalised'} {path}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
