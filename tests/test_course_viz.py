"""The chapter 00-02 widgets (vmlib.viz.course_map, .layers, .consolidation) in a kernel-less
run: each builds, carries the CSS classes the browser tests look for, reacts to its controls,
and has a deterministic text fallback."""
import pytest

pytest.importorskip("ipywidgets")

from vmlib.viz import consolidation as VC
from vmlib.viz import course_map as VM
from vmlib.viz import layers as VL


def walk(w):
    yield w
    for c in getattr(w, "children", ()):
        yield from walk(c)


def by_class(root, cls):
    found = [w for w in walk(root) if cls in getattr(w, "_dom_classes", ())]
    assert len(found) == 1, (cls, found)
    return found[0]


def test_course_map_widget_reacts_to_track_and_target():
    box = VM.course_map_widget()
    track, target = by_class(box, "vm-course-map-track"), by_class(box, "vm-course-map-target")
    img, text = by_class(box, "vm-course-map-plot"), by_class(box, "vm-course-map-text")
    assert img.value[:8] == b"\x89PNG\r\n\x1a\n"
    before_img, before_text = img.value, text.value
    track.value = "advanced"
    target.value = 13
    assert img.value != before_img and text.value != before_text
    assert "reading path to 13" in text.value


def test_course_map_text():
    t = VM.course_map_text("advanced", 12)
    assert t == VM.course_map_text("advanced", 12)
    lines = t.splitlines()
    assert lines[0].endswith("00 -> 01 -> 03 -> 04 -> 05 -> 08 -> 09 -> 12")
    assert lines[1].startswith(" > 00") and lines[13].startswith("*> 12")
    with pytest.raises(ValueError):
        VM.course_map_text("expert")
    with pytest.raises(ValueError):
        VM.course_map_text("all", 42)


def test_layers_widget_toggles_between_abstracted_and_virtualized():
    box = VL.layers_widget()
    mode, step = by_class(box, "vm-layers-mode"), by_class(box, "vm-layers-step")
    thin = by_class(box, "vm-layers-thin")
    text, img = by_class(box, "vm-layers-text"), by_class(box, "vm-layers-plot")
    assert "Mode: abstracted" in text.value and "vdisk" not in text.value
    first = img.value
    mode.value = "virtualized"
    assert "Mode: virtualized" in text.value and "translate" in text.value
    assert img.value != first
    step.value = 2
    assert "Step 2 of 5" in text.value
    thin.value = False
    assert "raw image" in text.value


def test_layers_text_shows_the_translation_chain():
    t = VL.layers_text("virtualized", 1)
    assert "guest block  5 (hello.txt) -> guest.img offset" in t
    assert "sees blocks, exactly as on a real disk" in t
    a = VL.layers_text("abstracted", 1)
    assert "sees files" in a and "block  5 (hello.txt) is disk block 5" in a
    with pytest.raises(ValueError, match="steps count from 1"):
        VL.layers_text("virtualized", 0)
    with pytest.raises(ValueError):
        VL.layers_text("virtualized", 6)


def test_layer_steps_are_numbered_as_the_screen_numbers_them():
    """One convention: the step you pass is the step the title, the text and the slider show."""
    assert "Step 3 of 5: " in VL.layers_text("virtualized", 3)
    assert VL.draw_layers("virtualized", 3)._suptitle.get_text().startswith(
        "virtualized: step 3 of 5")
    box = VL.layers_widget(step=3)
    assert by_class(box, "vm-layers-step").value == 3
    assert "Step 3 of 5" in by_class(box, "vm-layers-text").value


def test_consolidation_widget_sliders_drive_the_summary():
    box = VC.consolidation_widget(n_vms=12)
    n = by_class(box, "vm-consolidation-vms")
    summary = by_class(box, "vm-consolidation-summary")
    assert "12 VMs" in summary.value
    n.value = 20
    assert "20 VMs" in summary.value
    by_class(box, "vm-consolidation-mix-batch").value = 0
    assert "batch" not in summary.value.split("\n")[0]
    by_class(box, "vm-consolidation-policy").value = "percentile"
    by_class(box, "vm-consolidation-percentile").value = 80
    assert "under p80 packing" in summary.value
    for p in VC.PROFILES:
        by_class(box, f"vm-consolidation-mix-{p}").value = 0
    assert "at least one profile" in summary.value
    by_class(box, "vm-consolidation-seed")
    assert by_class(box, "vm-consolidation-plot").value[:4] == b"\x89PNG"


def test_consolidation_text_is_deterministic():
    a = VC.consolidation_text(30, seed=0)
    assert a == VC.consolidation_text(30, seed=0)
    assert a != VC.consolidation_text(30, seed=1)
    assert "dedicated      30" in a
    with pytest.raises(ValueError):
        VC.consolidation_text(policy="dedicated")


def test_draw_functions_return_figures():
    assert len(VM.draw_course_map().axes) == 1
    assert len(VL.draw_layers("virtualized", 4, thin=False).axes) == 2
    assert len(VC.draw_consolidation(10).axes) == 4  # demand, heatmap (+ colorbar), hosts
