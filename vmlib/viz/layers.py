"""Chapter 01's live picture: one layer shown abstracted or virtualized.

``layers_widget()`` returns an ipywidgets container: a mode toggle (CSS class
``vm-layers-mode``: "abstracted" / "virtualized"), a step slider through the running example
(``vm-layers-step``) and a thin/raw image checkbox (``vm-layers-thin``) drive the picture
(``vm-layers-plot``) and the operations with their translation log (``vm-layers-text``).
``layers_text(mode, step)`` is the same view as plain text and ``draw_layers(mode, step)`` the
same picture as a matplotlib figure. Steps are numbered from 1, as the slider and the titles
show them: ``draw_layers(step=3)`` is titled "step 3 of 5".
"""
from __future__ import annotations

import textwrap

from matplotlib.patches import FancyBboxPatch, Rectangle

from ..course.layers import EXAMPLE_SCRIPT, run_example
from ._course_common import new_figure, png_bytes, pre, live_box

MODES = ("abstracted", "virtualized")
IFACE_COLORS = {"file": "#55A868", "block": "#4C72B0"}
ROLE_COLORS = {"super": "#4d4d4d", "fat": "#8172B3", "dir": "#937860", "free": "#ffffff",
               "hello.txt": "#DD8452", "notes.txt": "#64B5CD", "guest.img": "#C44E52",
               "header": "#bbbbbb"}
TOUCHED = "#F0B400"  # outline of blocks touched in the current step


def _check(mode, step):
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if not 1 <= step <= len(EXAMPLE_SCRIPT):
        raise ValueError(f"step must be 1..{len(EXAMPLE_SCRIPT)} (steps count from 1), "
                         f"not {step}")


def layers_text(mode: str = "abstracted", step: int = 1, thin: bool = True,
                max_trace: int = 24) -> str:
    """The stack, the example's step ``step`` with its result, the block calls of the (guest)
    file system, a count of what happened on each layer, the trace (first ``max_trace`` lines)
    and where the file system's blocks really are."""
    _check(mode, step)
    st, steps = run_example(mode, thin=thin, upto=step - 1)
    s = steps[step - 1]
    out = [f"Mode: {mode}", "Stack, top to bottom:"]
    for i, (name, what) in enumerate(st.layers):
        out.append(f"  [{name}] {what}")
        if i < len(st.interfaces):
            out.append(f"      | {st.interfaces[i]}")
    top = st.layers[0][0]
    if mode == "abstracted":
        out.append(f"The {top} sees files: a simpler interface than the disk's blocks.")
    else:
        out.append(f"The {top} sees blocks, exactly as on a real disk: it cannot tell.")
    out.append("")
    out.append(f"Step {step} of {len(EXAMPLE_SCRIPT)}: {s.label}")
    out.append(f"  result: {s.result!r}")
    fs_dev = st.fs.dev.name
    calls = ", ".join(op.split(",")[0].rstrip(")") + ")" for op in s.block_ops)
    out.append(textwrap.fill(f"the file system made {len(s.block_ops)} block call(s) on "
                             f"{fs_dev}: {calls}", 92, initial_indent="  ",
                             subsequent_indent="    "))
    counts: dict = {}
    for (layer, op), k in s.counts().items():
        counts.setdefault(layer, []).append(f"{k} {op}")
    out.append("  operations per layer:")
    out += [f"    {layer:<9} {', '.join(v)}" for layer, v in counts.items()]
    out.append("  trace:")
    lines = [str(e) for e in s.trace]
    out += ["    " + ln for ln in lines[:max_trace]]
    if len(lines) > max_trace:
        out.append(f"    ... ({len(lines) - max_trace} more lines)")
    out.append("Where the file system's blocks are:")
    for b, role, off, hb in st.mapping():
        if off is None:
            out.append(f"  block {b:2d} ({role}) is disk block {hb}")
        else:
            out.append(f"  guest block {b:2d} ({role}) -> guest.img offset {off:4d} "
                       f"-> host disk block {hb}")
    if st.vdisk is not None:
        out.append(f"guest.img is {st.vdisk.image_size} bytes for a "
                   f"{st.vdisk.capacity}-byte virtual disk "
                   f"({st.vdisk.allocated_blocks} of {st.vdisk.num_blocks} blocks stored).")
    return "\n".join(out)


def _touched(step_result, layer):
    """Block numbers that ``layer`` read or wrote in this step."""
    out = set()
    for e in step_result.trace:
        if e.layer == layer and e.call.startswith(("read_block(", "write_block(")):
            out.add(int(e.call.split("(")[1].split(")")[0].split(",")[0]))
    return out


def _cells(ax, y, roles, touched, label, n_show, x0=0.0, w=0.5):
    ax.text(x0 - 0.3, y + w / 2, label, ha="right", va="center", fontsize=9.5)
    centres = {}
    for b in range(n_show):
        role = roles[b] if b < len(roles) else "free"
        color = ROLE_COLORS.get(role, "#999999")
        ax.add_patch(Rectangle((x0 + b * w, y), w * 0.92, w, facecolor=color,
                               edgecolor=TOUCHED if b in touched else "#555555",
                               linewidth=2.6 if b in touched else 0.6))
        ax.text(x0 + b * w + w * 0.46, y - 0.12, str(b), ha="center", va="top", fontsize=6.5)
        centres[b] = x0 + b * w + w * 0.46
    return centres


def draw_layers(mode: str = "abstracted", step: int = 1, thin: bool = True):
    """Left: the stack and the interface between each pair of layers. Right: where the file
    system's blocks really are (yellow outline: blocks touched in this step)."""
    _check(mode, step)
    st, steps = run_example(mode, thin=thin, upto=step - 1)
    s = steps[step - 1]
    fig = new_figure(13, 5.2)
    ax = fig.add_axes([0.0, 0.0, 0.36, 0.9])
    n = len(st.layers)
    h, gap = 0.8, 0.75
    for i, (name, what) in enumerate(st.layers):
        y = (n - 1 - i) * (h + gap)
        hw = name == "disk"
        face = "#d9d9d9" if hw else ("#fde2c4" if i == 0 else "#f2f2f2")
        ax.add_patch(FancyBboxPatch((0, y), 4.2, h, boxstyle="round,pad=0.02,rounding_size=0.1",
                                    facecolor=face, edgecolor="#333333"))
        ax.text(0.12, y + h * 0.62, name, fontsize=12, fontweight="bold", va="center")
        ax.text(0.12, y + h * 0.26, what, fontsize=8.5, va="center")
        if i < len(st.interfaces):
            iface = st.interfaces[i]
            kind = "file" if iface.startswith("file") else "block"
            ym = y - gap / 2
            ax.annotate("", xy=(2.1, y - gap + 0.02), xytext=(2.1, y - 0.02),
                        arrowprops=dict(arrowstyle="<->", lw=2.5, color=IFACE_COLORS[kind]))
            ax.text(2.25, ym, iface, fontsize=8.5, va="center", color=IFACE_COLORS[kind],
                    fontweight="bold")
    top_y = (n - 1) * (h + gap) + h
    msg = ("the application sees FILES:\na different, simpler interface" if mode == "abstracted"
           else "the guest file system sees BLOCKS:\nthe same interface as a real disk")
    ax.text(0, top_y + 0.25, msg, fontsize=11, va="bottom", color="#8c2d04")
    ax.set_xlim(-0.1, 6.2)
    ax.set_ylim(-0.2, top_y + 1.0)
    ax.axis("off")

    bx = fig.add_axes([0.40, 0.0, 0.6, 0.9])
    fs_layer = st.fs.dev.name
    roles = st.fs.block_map()
    w = 0.5
    if mode == "abstracted":
        touched = _touched(s, "disk")
        c = _cells(bx, 0.0, roles, touched, "disk blocks", 16, w=w)
        files = sorted({r for r in roles if r not in ("super", "fat", "dir", "free")})
        for k, f in enumerate(files):
            fx = 1.0 + k * 3.2
            bx.text(fx, 2.3, f, fontsize=9, ha="center", color=ROLE_COLORS.get(f, "#333333"),
                    fontweight="bold")
            for b, r in enumerate(roles[:16]):
                if r == f:
                    bx.annotate("", xy=(c[b], w + 0.05), xytext=(fx, 2.2),
                                arrowprops=dict(arrowstyle="->", lw=1.0, color="#555555"))
        bx.text(0, 3.2, "What the file API hides: names become blocks\n"
                "(superblock, allocation table, directory, data)", fontsize=10.5)
        ymax = 3.6
    else:
        touched = _touched(s, fs_layer)
        host_touched = _touched(s, "disk")
        host_roles = st.host_fs.block_map()
        mapping = st.mapping()
        hdr = st.vdisk.header_blocks
        bs = st.disk.block_size
        img_roles = ["header"] * hdr + ["free"] * (st.vdisk.image_size // bs - hdr)
        for b, role, off, hb in mapping:
            img_roles[off // bs] = role
        cg = _cells(bx, 3.0, roles, touched, "guest blocks\n(vdisk)", 16, w=w)
        ci = _cells(bx, 1.6, img_roles, set(), "guest.img\n(host file)", min(24, len(img_roles)),
                    w=w)
        ch = _cells(bx, 0.0, host_roles, host_touched, "host disk\nblocks", 24, w=w)
        host_chain = st.host_fs.stat_quiet("guest.img")["blocks"]
        for b, role, off, hb in mapping:
            slot_cell = off // bs
            if b < 16 and slot_cell < 24:
                bx.annotate("", xy=(ci[slot_cell], 1.6 + w + 0.03), xytext=(cg[b], 3.0 - 0.18),
                            arrowprops=dict(arrowstyle="->", lw=1.2 if b in touched else 0.6,
                                            color=TOUCHED if b in touched else "#777777"))
        for k in range(min(24, len(img_roles))):
            hb = host_chain[k]
            if hb < 24:
                bx.annotate("", xy=(ch[hb], w + 0.03), xytext=(ci[k], 1.6 - 0.18),
                            arrowprops=dict(arrowstyle="->", lw=0.6, color="#777777"))
        bx.text(0, 4.2, f"Virtualization: each guest block lives at an offset in guest.img,\n"
                f"a file on the host ({'thin' if st.vdisk.thin else 'raw'} image)", fontsize=10.5)
        ymax = 4.6
    bx.set_xlim(-2.2, 24 * w + 0.2)
    bx.set_ylim(-0.5, ymax)
    bx.axis("off")
    legend = [("super", "superblock"), ("fat", "allocation table"), ("dir", "directory"),
              ("hello.txt", "hello.txt"), ("notes.txt", "notes.txt")]
    if mode == "virtualized":
        legend += [("header", "image header"), ("guest.img", "guest.img data")]
    for k, (role, label) in enumerate(legend):
        bx.add_patch(Rectangle((-2.0 + k * 2.0, -0.48), 0.25, 0.18, facecolor=ROLE_COLORS[role],
                               edgecolor="#555555", linewidth=0.5))
        bx.text(-1.7 + k * 2.0, -0.39, label, fontsize=7.5, va="center")
    fig.suptitle(f"{mode}: step {step} of {len(EXAMPLE_SCRIPT)}: {s.label}   "
                 f"(yellow outline: blocks touched in this step)", fontsize=12)
    return fig


def layers_widget(mode: str = "abstracted", step: int = 1, thin: bool = True):
    """The live toggle: mode and step drive the picture and the text."""
    import ipywidgets as W

    mode_w = W.ToggleButtons(options=list(MODES), value=mode, description="Layer is",
                             style={"button_width": "auto"})
    mode_w.add_class("vm-layers-mode")
    _check(mode, step)
    step_w = W.IntSlider(value=step, min=1, max=len(EXAMPLE_SCRIPT), description="Step",
                         continuous_update=False)
    step_w.add_class("vm-layers-step")
    thin_w = W.Checkbox(value=thin, description="thin image", indent=False)
    thin_w.add_class("vm-layers-thin")
    label = W.HTML()
    img = W.Image(format="png", layout=W.Layout(max_width="100%"))
    img.add_class("vm-layers-plot")
    text = W.HTML()
    text.add_class("vm-layers-text")

    def update(_=None):
        k = step_w.value
        label.value = f"<code>{EXAMPLE_SCRIPT[k - 1][0]}</code>"
        img.value = png_bytes(draw_layers(mode_w.value, k, thin_w.value))
        text.value = pre(layers_text(mode_w.value, k, thin_w.value))

    mode_w.observe(update, "value")
    step_w.observe(update, "value")
    thin_w.observe(update, "value")
    update()
    box = live_box([W.HBox([mode_w, step_w, thin_w]), label, img, text], "Layers")
    box.add_class("vm-layers")
    return box
