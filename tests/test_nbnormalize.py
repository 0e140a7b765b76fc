"""The notebook normaliser (vmlib.nbnormalize): re-executing a chapter must change only what its
code changed -- no execution timestamps, no fresh widget ids, no stdout chunked differently --
and what nbval compares must stay exactly as it was."""

from __future__ import annotations

import copy
import hashlib
import json
import re

import nbformat
import pytest

from vmlib import nbnormalize as N

VIEW, STATE = N.WIDGET_VIEW, N.WIDGET_STATE
TIMING = {"iopub.status.busy": "2026-11-23T20:21:35.947067Z", "iopub.execute_input": "2026-11-23T20:21:35.947788Z",
          "shell.execute_reply": "2026-11-23T20:21:36.149869Z", "iopub.status.idle": "2026-11-23T20:21:36.151148Z"}


def run_like(seed: int) -> dict:
    """A notebook as one execution saves it: a VBox (a button and an Output widget that shows a
    slider), an undisplayed pair of identical buttons, stdout in chunks -- with fresh random ids
    and timestamps for ``seed``, and the state in nbformat's key order (sorted by id)."""
    names = ["box", "button", "out", "slider", "lay1", "lay2", "lay3", "lay4", "hidden1", "hidden2", "lay5", "lay6"]
    ids = {k: hashlib.md5(f"{seed}:{k}".encode()).hexdigest() for k in names}  # like uuid4().hex
    ref = lambda k: f"IPY_MODEL_{ids[k]}"  # noqa: E731
    model = lambda name, state, module="@jupyter-widgets/controls": {  # noqa: E731
        "model_module": module, "model_module_version": "2.0.0", "model_name": name, "state": state}
    slider_view = {"output_type": "display_data", "metadata": {},
                   "data": {"text/plain": "IntSlider(value=3)", VIEW: {"model_id": ids["slider"], "version_major": 2, "version_minor": 0}}}
    state = {
        ids["box"]: model("VBoxModel", {"children": [ref("button"), ref("out")], "layout": ref("lay1")}),
        ids["button"]: model("ButtonModel", {"description": "Step", "icon": "step-forward", "layout": ref("lay2")}),
        ids["out"]: model("OutputModel", {"outputs": [slider_view], "layout": ref("lay3")}, "@jupyter-widgets/output"),
        ids["slider"]: model("IntSliderModel", {"value": 3, "layout": ref("lay4")}),
        ids["hidden1"]: model("ButtonModel", {"description": "Same", "layout": ref("lay5")}),
        ids["hidden2"]: model("ButtonModel", {"description": "Same", "layout": ref("lay6")}),
        **{ids[k]: model("LayoutModel", {"width": w}, "@jupyter-widgets/base")
           for k, w in (("lay1", "100%"), ("lay2", None), ("lay3", None), ("lay4", "50%"), ("lay5", "1px"), ("lay6", "2px"))},
    }
    nb = nbformat.v4.new_notebook()
    nb.metadata["widgets"] = {STATE: {"version_major": 2, "version_minor": 0, "state": dict(sorted(state.items()))}}
    code = nbformat.v4.new_code_cell("box")
    code.metadata["execution"] = {k: v.replace("35", f"{30 + seed}") for k, v in TIMING.items()}
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "VBox(...)",
                                                                 VIEW: {"model_id": ids["box"], "version_major": 2, "version_minor": 0}})]
    printing = nbformat.v4.new_code_cell("print(table)")
    printing.metadata["execution"] = dict(TIMING, **{"custom": "kept"})
    chunks = ["row 1\n", "row 2\n"] if seed % 2 else ["row 1\nro", "w 2\n"]
    printing.outputs = [nbformat.v4.new_output("stream", name="stdout", text=t) for t in chunks]
    printing.outputs.append(nbformat.v4.new_output("stream", name="stderr", text="warning\n"))
    printing.outputs.append(nbformat.v4.new_output("stream", name="stdout", text="after\n"))
    nb.cells = [nbformat.v4.new_markdown_cell("# Ch"), code, printing]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"  # saved in the file, the same in every run
    return json.loads(nbformat.writes(nb))


def all_ids(nb) -> set[str]:
    text = json.dumps(nb)
    return set(re.findall(r'"model_id": "([0-9a-f]+)"', text)) | set(re.findall(r"IPY_MODEL_([0-9a-f]+)", text))


def test_runs_normalise_to_the_same_notebook():
    runs = [run_like(seed) for seed in range(1, 7)]
    assert all(run != runs[0] for run in runs[1:])  # the ids, the timestamps, the stdout chunks differ
    first = N.normalize(runs[0], "03_x")
    for run in runs[1:]:  # (the models' old ids sort in another order in each)
        assert N.normalize(run, "03_x") == first


def test_timestamps_go_other_metadata_stays():
    nb = N.normalize(run_like(1), "03_x")
    assert "execution" not in nb["cells"][1]["metadata"]
    assert nb["cells"][2]["metadata"]["execution"] == {"custom": "kept"}


def test_consecutive_streams_are_joined_in_order():
    nb = N.normalize(run_like(1), "03_x")
    outputs = nb["cells"][2]["outputs"]
    assert [(o["name"], "".join(o["text"])) for o in outputs] == [
        ("stdout", "row 1\nrow 2\n"), ("stderr", "warning\n"), ("stdout", "after\n")]


def test_widget_ids_are_stable_and_consistent():
    nb = N.normalize(run_like(1), "03_x")
    state = nb["metadata"]["widgets"][STATE]["state"]
    box_view = nb["cells"][1]["outputs"][0]["data"][VIEW]
    # numbered in reading order: the displayed box first, then what it holds
    assert box_view["model_id"] == N.stable_id("03_x", 0)
    assert state[N.stable_id("03_x", 0)]["model_name"] == "VBoxModel"
    assert set(state) == {N.stable_id("03_x", i) for i in range(12)}
    assert all_ids(nb) <= set(state)  # every reference, nested Output views too, resolves
    slider_view = state[state[N.stable_id("03_x", 0)]["state"]["children"][1][len("IPY_MODEL_"):]]
    assert slider_view["state"]["outputs"][0]["data"][VIEW]["model_id"] in state
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in state)
    # another notebook gets other ids, so that decks can merge the widget states of chapters
    assert not set(state) & set(N.normalize(run_like(1), "04_y")["metadata"]["widgets"][STATE]["state"])


def test_normalising_twice_changes_nothing():
    once = N.normalize(run_like(3), "03_x")
    assert N.normalize(copy.deepcopy(once), "03_x") == once


def test_a_notebook_without_widgets_or_timings_is_left_alone():
    nb = json.loads(nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])))
    assert N.normalize(copy.deepcopy(nb), "x") == nb


def nbval_view(nb) -> list:
    """What nbval compares of each code cell: its outputs with every cell's streams joined by
    name (nbval's coalesce_streams), widget ids (which nbval skips) blanked."""
    cells = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        outputs, streams = [], {}
        for out in copy.deepcopy(cell.get("outputs", [])):
            if out["output_type"] == "stream":
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                if out["name"] in streams:
                    streams[out["name"]]["text"] += text
                    continue
                out["text"] = text
                streams[out["name"]] = out
            if VIEW in out.get("data", {}):
                out["data"][VIEW]["model_id"] = "-"
            outputs.append(out)
        cells.append((cell["source"], outputs))
    return cells


def test_chapters_keep_what_nbval_compares(notebooks_dir):
    """On every chapter (read, never written): the normalised notebook shows nbval the same
    outputs, and is a fixed point."""
    paths = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        pytest.skip("no chapters in notebooks/")
    for path in paths:
        raw = json.loads(path.read_text(encoding="utf-8"))
        done = N.normalize(copy.deepcopy(raw), path.stem)
        assert nbval_view(done) == nbval_view(raw), path.name
        assert not any("iopub.status.busy" in c["metadata"].get("execution", {}) for c in done["cells"])
        assert N.normalize(copy.deepcopy(done), path.stem) == done, path.name


def test_command_rewrites_only_what_changes(tmp_path, capsys):
    path = tmp_path / "05_z.ipynb"
    path.write_text(json.dumps(run_like(1)), encoding="utf-8")
    assert N.main(["--check", str(path)]) == 1
    assert N.main([str(path)]) == 0
    assert "normalised" in capsys.readouterr().out
    text, mtime = path.read_text(encoding="utf-8"), path.stat().st_mtime_ns
    assert N.main(["--check", str(path)]) == 0 and N.main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == text and path.stat().st_mtime_ns == mtime
    assert nbformat.reads(text, as_version=4)  # still a valid notebook


WIDGET_NOTEBOOK = [
    "import ipywidgets as w",
    "box = w.VBox([w.Button(description='Step', icon='step-forward'), w.IntSlider(3)])\nbox",
    "out = w.Output()\nwith out:\n    display(w.Checkbox(True))\nout",
    "for i in range(3):\n    print('row', i, flush=True)",
]


def test_executing_twice_then_normalising_gives_the_same_bytes(tmp_path):
    """What `make notebooks` does, twice, on a notebook with widgets: the same file."""
    from nbconvert.preprocessors import ExecutePreprocessor

    texts = []
    for run in (1, 2):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src, id=f"cell-{i}")
                                             for i, src in enumerate(WIDGET_NOTEBOOK)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        ExecutePreprocessor(timeout=120, kernel_name="python3", store_widget_state=True,
                            record_timing=True).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
        path = tmp_path / f"run{run}" / "06_widgets.ipynb"
        path.parent.mkdir()
        nbformat.write(nb, path)
        raw = path.read_text(encoding="utf-8")
        assert "iopub.status.busy" in raw and len(all_ids(json.loads(raw))) >= 6
        N.main([str(path)])
        texts.append((raw, path.read_text(encoding="utf-8")))
    (raw1, done1), (raw2, done2) = texts
    assert raw1 != raw2  # fresh ids and timestamps on every run...
    assert done1 == done2  # ...and none left after normalising
