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


_FONT = 7.5        # points: the smallest text of the picture (block numbers, legend)


def _cells(ax, y, roles, touched, label, n_show, x0=0.0, w=0.5):
    """A row of ``n_show`` blocks from ``x0`` (in inches), coloured by role, numbered below,
    with ``label`` to their left; returns each block's centre."""
    ax.text(x0 - 0.1, y + w / 2, label, ha="right", va="center", fontsize=_FONT + 0.5)
    centres = {}
    for b in range(n_show):
        role = roles[b] if b < len(roles) else "free"
        color = ROLE_COLORS.get(role, "#999999")
        ax.add_patch(Rectangle((x0 + b * w, y), w * 0.9, w, facecolor=color,
                               edgecolor=TOUCHED if b in touched else "#555555",
                               linewidth=2.4 if b in touched else 0.6))
        ax.text(x0 + b * w + w * 0.45, y - 0.04, str(b), ha="center", va="top", fontsize=_FONT)
        centres[b] = x0 + b * w + w * 0.45
    return centres


def _inch_axes(fig, x, y, w, h):
    """An axes without axis lines at (x, y) of size (w, h), all in inches, whose data units
    are inches too (so that text and boxes can be placed by size)."""
    fw, fh = fig.get_size_inches()
    ax = fig.add_axes([x / fw, y / fh, w / fw, h / fh])
    ax.set_xlim(0, w)
    ax.set_ylim(0, h)
    ax.axis("off")
    return ax


def draw_layers(mode: str = "abstracted", step: int = 1, thin: bool = True):
    """Left: the stack and the interface between each pair of layers. Right: where the file
    system's blocks really are (yellow outline: blocks touched in this step). About 8.6 inches
    wide, so that a chapter shows it at full size."""
    _check(mode, step)
    st, steps = run_example(mode, thin=thin, upto=step - 1)
    s = steps[step - 1]
    fig_w, body_h, head_h = 8.28, 4.3, 0.55
    fig = new_figure(fig_w, body_h + head_h)

    # left: the stack, top to bottom
    ax = _inch_axes(fig, 0.0, 0.0, 3.05, body_h)
    n = len(st.layers)
    box_w, h = 3.05, 0.56
    gap = (body_h - 0.62 - n * h) / (n - 1)
    for i, (name, what) in enumerate(st.layers):
        y = (n - 1 - i) * (h + gap)
        hw = name == "disk"
        face = "#d9d9d9" if hw else ("#fde2c4" if i == 0 else "#f2f2f2")
        ax.add_patch(FancyBboxPatch((0.02, y), box_w - 0.04, h,
                                    boxstyle="round,pad=0.0,rounding_size=0.08",
                                    facecolor=face, edgecolor="#333333"))
        ax.text(0.1, y + h * 0.68, name, fontsize=11, fontweight="bold", va="center")
        ax.text(0.1, y + h * 0.27, what, fontsize=_FONT, va="center")
        if i < len(st.interfaces):
            iface = st.interfaces[i]
            kind = "file" if iface.startswith("file") else "block"
            ax.annotate("", xy=(0.3, y - gap + 0.02), xytext=(0.3, y - 0.02),
                        arrowprops=dict(arrowstyle="<->", lw=2.5, color=IFACE_COLORS[kind]))
            ax.text(0.45, y - gap / 2, textwrap.fill(iface.replace("  (", " ("), 38),
                    fontsize=_FONT, va="center", color=IFACE_COLORS[kind], fontweight="bold")
    msg = ("the application sees FILES:\na different, simpler interface" if mode == "abstracted"
           else "the guest file system sees BLOCKS:\nthe same interface as a real disk")
    ax.text(0.02, body_h - 0.02, msg, fontsize=10, va="top", color="#8c2d04")

    # right: where the blocks are
    bx = _inch_axes(fig, 3.15, 0.0, fig_w - 3.15, body_h)
    fs_layer = st.fs.dev.name
    roles = st.fs.block_map()
    x0 = 0.8                                      # room for the rows' labels
    legend_h = 0.55                               # two rows of legend at the bottom
    if mode == "abstracted":
        w = 0.25
        touched = _touched(s, "disk")
        y_disk = legend_h + 0.35
        c = _cells(bx, y_disk, roles, touched, "disk blocks", 16, x0=x0, w=w)
        files = sorted({r for r in roles if r not in ("super", "fat", "dir", "free")})
        for k, f in enumerate(files):
            fx = x0 + (k + 0.5) * 16 * w / max(1, len(files))
            bx.text(fx, 2.55, f, fontsize=9, ha="center", va="bottom",
                    color=ROLE_COLORS.get(f, "#333333"), fontweight="bold")
            for b, r in enumerate(roles[:16]):
                if r == f:
                    bx.annotate("", xy=(c[b], y_disk + w + 0.04), xytext=(fx, 2.5),
                                arrowprops=dict(arrowstyle="->", lw=1.0, color="#555555"))
        bx.text(0.0, body_h - 0.02, "What the file API hides: names become blocks\n"
                "(superblock, allocation table, directory, data)", fontsize=10, va="top")
    else:
        w = 0.18
        touched = _touched(s, fs_layer)
        host_touched = _touched(s, "disk")
        host_roles = st.host_fs.block_map()
        mapping = st.mapping()
        hdr = st.vdisk.header_blocks
        bs = st.disk.block_size
        img_roles = ["header"] * hdr + ["free"] * (st.vdisk.image_size // bs - hdr)
        for b, role, off, hb in mapping:
            img_roles[off // bs] = role
        y_guest, y_img, y_host = 2.95, 1.95, legend_h + 0.35
        cg = _cells(bx, y_guest, roles, touched, "guest blocks\n(vdisk)", 16, x0=x0, w=w)
        ci = _cells(bx, y_img, img_roles, set(), "guest.img\n(host file)",
                    min(24, len(img_roles)), x0=x0, w=w)
        ch = _cells(bx, y_host, host_roles, host_touched, "host disk\nblocks", 24, x0=x0, w=w)
        host_chain = st.host_fs.stat_quiet("guest.img")["blocks"]
        below = 0.2                               # under a row's numbers
        for b, role, off, hb in mapping:
            slot_cell = off // bs
            if b < 16 and slot_cell < 24:
                bx.annotate("", xy=(ci[slot_cell], y_img + w + 0.03),
                            xytext=(cg[b], y_guest - below),
                            arrowprops=dict(arrowstyle="->", lw=1.2 if b in touched else 0.6,
                                            color=TOUCHED if b in touched else "#777777"))
        for k in range(min(24, len(img_roles))):
            hb = host_chain[k]
            if hb < 24:
                bx.annotate("", xy=(ch[hb], y_host + w + 0.03), xytext=(ci[k], y_img - below),
                            arrowprops=dict(arrowstyle="->", lw=0.6, color="#777777"))
        bx.text(0.0, body_h - 0.02, "Virtualization: each guest block lives at an offset in "
                f"guest.img,\na file on the host ({'thin' if st.vdisk.thin else 'raw'} image)",
                fontsize=10, va="top")
    legend = [("super", "superblock"), ("fat", "allocation table"), ("dir", "directory"),
              ("hello.txt", "hello.txt"), ("notes.txt", "notes.txt")]
    if mode == "virtualized":
        legend += [("header", "image header"), ("guest.img", "guest.img data")]
    for k, (role, label) in enumerate(legend):
        lx, ly = 0.02 + (k % 4) * 1.28, 0.32 - (k // 4) * 0.26
        bx.add_patch(Rectangle((lx, ly - 0.07), 0.17, 0.14, facecolor=ROLE_COLORS[role],
                               edgecolor="#555555", linewidth=0.5))
        bx.text(lx + 0.23, ly, label, fontsize=_FONT, va="center")
    fig.suptitle(f"{mode}: step {step} of {len(EXAMPLE_SCRIPT)}: {s.label}\n"
                 "(yellow outline: blocks touched in this step)", y=1 - 0.05 / (body_h + head_h),
                 va="top", fontsize=11, linespacing=1.3)
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
