"""Chapter 02's live consolidation model: VMs per host vs utilization.

``consolidation_widget()`` returns an ipywidgets container: sliders for the number of VMs
(CSS class ``vm-consolidation-vms``), the weight of each load profile in the mix
(``vm-consolidation-mix-<profile>``), the percentile used for overcommitted packing
(``vm-consolidation-percentile``), a packing policy to look inside
(``vm-consolidation-policy``) and the seed (``vm-consolidation-seed``) drive the picture
(``vm-consolidation-plot``) and a text summary (``vm-consolidation-summary``).
``consolidation_text(...)`` is the same summary as plain text and ``draw_consolidation(...)``
the same picture as a matplotlib figure.
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from ..course.text import fit
from ..course.consolidation import (DEFAULT_MIX, HOURS, PROFILES, STEPS_PER_HOUR, compare,
                                    make_vms, summary_table)
from ._course_common import new_figure, png_bytes, pre, live_box

POLICIES = ("peak", "percentile", "timeseries")
PROFILE_COLORS = {"web": "#4C72B0", "batch": "#DD8452", "dev": "#55A868", "bursty": "#C44E52",
                  "db": "#8172B3"}
POLICY_COLORS = {"dedicated": "#7f7f7f", "peak": "#4C72B0", "percentile": "#C44E52",
                 "timeseries": "#55A868"}


def _model(n_vms, mix, percentile, seed):
    vms = make_vms(n_vms, mix, seed)
    return vms, compare(vms, 1.0, percentile)


def consolidation_text(n_vms: int = 30, mix: dict | None = None, percentile: float = 95,
                       seed: int = 0, policy: str = "timeseries", show_hosts: int = 8) -> str:
    """The model's numbers: the VMs, each packing's hosts and utilization, and the hosts of
    ``policy`` (the first ``show_hosts``) with their members and peak load."""
    mix = DEFAULT_MIX if mix is None else mix
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}")
    vms, placements = _model(n_vms, mix, percentile, seed)
    counts = {p: sum(v.profile == p for v in vms) for p in PROFILES}
    out = [fit(f"{n_vms} VMs (seed {seed}): "
               + ", ".join(f"{k} {p}" for p, k in counts.items() if k)
               + f"; {HOURS} hours in {60 // STEPS_PER_HOUR}-minute steps; host capacity 1.0"),
           summary_table(placements)]
    best = {p.policy: p for p in placements}
    d, t = best["dedicated"].metrics(), best["timeseries"].metrics()
    out.append(f"One VM per server: {d['hosts']} servers at {d['utilization']:.1%} mean "
               "utilization.")
    out.append(f"Time-aware packing: {t['hosts']} hosts ({n_vms / t['hosts']:.1f} VMs per host), "
               "no overload.")
    sel = best[policy]
    hl = sel.host_load()
    out.append(f"Hosts under {sel.label} packing (VM names, peak load of the host):")
    for h, members in enumerate(sel.hosts[:show_hosts]):
        names = " ".join(vms[i].name for i in members)
        flag = "  OVERLOADED" if hl[h].max() > 1.0 + 1e-12 else ""
        out.append(f"  host {h:2d}: peak {hl[h].max():5.0%}  {names}{flag}")
    if len(sel.hosts) > show_hosts:
        out.append(f"  ... and {len(sel.hosts) - show_hosts} more host(s)")
    return "\n".join(out)


def spread_labels(values, min_gap: float, low: float | None = None) -> list[float]:
    """Positions for labels wanted at ``values`` (in order) that keep neighbours at least
    ``min_gap`` apart and move them as little as possible: labels that would collide form a
    group, spaced by ``min_gap`` around the mean of what they want (and not below ``low``)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    groups: list[list[int]] = []                   # runs of label indices, low to high

    def place(group):
        mid = sum(values[i] for i in group) / len(group)
        first = mid - min_gap * (len(group) - 1) / 2
        return first if low is None else max(low, first)

    for i in order:
        groups.append([i])
        while len(groups) > 1:                     # merge while the last two groups collide
            a, b = groups[-2], groups[-1]
            if place(a) + min_gap * len(a) <= place(b) + 1e-12:
                break
            groups[-2:] = [a + b]
    out = [0.0] * len(values)
    for g in groups:
        first = place(g)
        for k, i in enumerate(g):
            out[i] = first + k * min_gap
    return out


def capacity_labels(placements, min_gap: float, low: float | None = None):
    """The labels of the dashed capacity lines, one per distinct number of hosts: ``(text,
    hosts, y, color)``. Policies that need the same number of hosts share one label ("peak,
    timeseries: 13", in grey); labels are pushed apart to ``min_gap`` (see
    :func:`spread_labels`)."""
    by_hosts: dict[int, list] = {}
    for p in placements:
        if p.policy != "dedicated":
            by_hosts.setdefault(p.n_hosts, []).append(p)
    hosts = sorted(by_hosts)
    ys = spread_labels(hosts, min_gap, low)
    out = []
    for n, y in zip(hosts, ys):
        ps = by_hosts[n]
        color = POLICY_COLORS[ps[0].policy] if len(ps) == 1 else "#333333"
        out.append((f"{', '.join(p.label for p in ps)}: {n}", n, y, color))
    return out


def _stack_notes(fig, ax, notes, heights, gap_px: float = 3.0):
    """Place the notes over the bars (a note at each bar's top, from the left): a note that
    would overlap one already placed goes just above it, and the y range grows to hold them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    ax.autoscale_view()                      # the bars' x positions, before the first draw
    sizes = [n.get_window_extent(renderer) for n in notes]
    box = ax.get_window_extent(renderer)
    xs = [ax.transData.transform((n.get_position()[0], 0))[0] for n in notes]
    top = max(heights) * 1.3
    for _ in range(6):                       # a taller range shrinks the bars: settle it
        px = box.height / top
        placed = []                          # (x0, x1, y0, y1) in pixels above the x axis
        for x, h, size in zip(xs, heights, sizes):
            x0, x1, y0 = x - size.width / 2, x + size.width / 2, h * px + 1
            for p in sorted(placed, key=lambda q: q[2]):
                if min(x1, p[1]) - max(x0, p[0]) > 0 and min(y0 + size.height, p[3]) > \
                        max(y0, p[2]):
                    y0 = p[3] + gap_px
            placed.append((x0, x1, y0, y0 + size.height))
        highest = max(p[3] for p in placed) + 4
        if highest <= box.height:
            break
        top *= highest / box.height
    ax.set_ylim(0, top)
    for n, p in zip(notes, placed):
        n.set_y(p[2] / px)


def draw_consolidation(n_vms: int = 30, mix: dict | None = None, percentile: float = 95,
                       seed: int = 0, policy: str = "timeseries"):
    """Top left: total demand over time, stacked by profile, against the capacity each policy
    provisions (dashed; one label per number of hosts, never on top of each other). Bottom
    left: utilization of each host of ``policy`` over time (red: overload). Right: hosts
    needed per policy, with mean utilization. About 8.3 inches wide, so that a chapter shows it
    at full size."""
    mix = DEFAULT_MIX if mix is None else mix
    vms, placements = _model(n_vms, mix, percentile, seed)
    hours = np.arange(HOURS * STEPS_PER_HOUR) / STEPS_PER_HOUR
    fig = new_figure(8.3, 6.6)
    gs = fig.add_gridspec(2, 2, width_ratios=[2.25, 1], height_ratios=[1, 1.05], hspace=0.5,
                          wspace=0.32, left=0.08, right=0.99, top=0.95, bottom=0.08)
    ax = fig.add_subplot(gs[0, 0])
    stacks = [sum((v.load for v in vms if v.profile == p), np.zeros_like(hours))
              for p in PROFILES]
    ax.stackplot(hours, stacks, labels=list(PROFILES), alpha=0.85,
                 colors=[PROFILE_COLORS[p] for p in PROFILES])
    for p in placements[1:]:
        ax.axhline(p.n_hosts, color=POLICY_COLORS[p.policy], lw=1.5, ls="--")
    ax.set_xlim(0, hours[-1])
    ax.set_xticks(range(0, HOURS + 1, 6))
    ax.set_xlabel("hour")
    ax.set_ylabel("load (hosts' worth)")
    ax.set_title("Total demand, stacked by profile,\nvs capacity provisioned (dashed)",
                 fontsize=9.5)
    ax.legend(loc="upper left", fontsize=8, ncol=3, frameon=False, handlelength=1.2,
              columnspacing=1.0, borderaxespad=0.2)
    # the lines' labels sit on their lines at the right end, pushed apart when they are close:
    # a label is about 14 px tall; the axes' height in data units sets the gap in data units
    top = max(p.n_hosts for p in placements[1:])
    ymax = top * 1.6                               # room for the legend above the lines
    px_per_unit = ax.get_position().height * fig.get_figheight() * fig.dpi / ymax
    labels = capacity_labels(placements, min_gap=15 / px_per_unit, low=0.35 * top)
    ymax = max(ymax, max(y for *_, y, _ in labels) + 10 / px_per_unit)
    ax.set_ylim(0, ymax)
    for text, _, y, color in labels:
        t = ax.text(hours[-1] - 0.4, y, text, ha="right", va="center", fontsize=8, color=color,
                    bbox=dict(boxstyle="square,pad=0.15", facecolor="white", edgecolor="none",
                              alpha=0.9))
        t.set_gid("capacity-label")

    sel = {p.policy: p for p in placements}[policy]
    hl = sel.host_load()
    hx = fig.add_subplot(gs[1, 0])
    cmap = ListedColormap(np.linspace([0.95, 0.97, 1.0, 1], [0.13, 0.4, 0.7, 1], 100)
                          ).with_extremes(over="#d62728")
    im = hx.imshow(hl, aspect="auto", cmap=cmap, vmin=0, vmax=1.0, interpolation="nearest",
                   extent=[0, HOURS, len(hl) - 0.5, -0.5])
    hx.set_xticks(range(0, HOURS + 1, 6))
    hx.set_xlabel("hour")
    hx.set_ylabel("host")
    step = 1 if len(hl) <= 12 else (2 if len(hl) <= 24 else 5)
    hx.set_yticks(range(0, len(hl), step))
    hx.tick_params(axis="y", labelsize=8)
    m = sel.metrics()
    hx.set_title(f"Utilization of each host, {sel.label} packing:\n{m['hosts']} hosts, "
                 f"overloaded {m['overloaded']:.1%} of the time (red)", fontsize=9.5)
    cb = fig.colorbar(im, ax=hx, extend="max", fraction=0.04, pad=0.02)
    cb.ax.tick_params(labelsize=8)

    bx = fig.add_subplot(gs[:, 1])
    names = [p.label for p in placements]
    counts = [p.n_hosts for p in placements]
    bars = bx.bar(names, counts, color=[POLICY_COLORS[p.policy] for p in placements],
                  width=0.7)
    notes = []
    for b, p in zip(bars, placements):
        m = p.metrics()
        txt = f"{m['hosts']} hosts\n{m['utilization']:.0%} util"
        if m["overloaded"] > 0:
            txt += f"\n{m['overloaded']:.1%} over"
        notes.append(bx.text(b.get_x() + b.get_width() / 2, b.get_height(), txt, ha="center",
                             va="bottom", fontsize=8, linespacing=1.1))
    _stack_notes(fig, bx, notes, counts)
    bx.set_ylabel("hosts (servers) needed")
    bx.set_title(f"{n_vms} VMs: hosts needed", fontsize=9.5)
    bx.tick_params(axis="x", labelsize=8)
    return fig


def consolidation_widget(n_vms: int = 30, mix: dict | None = None, percentile: int = 95,
                         seed: int = 0, policy: str = "timeseries"):
    """The live model: sliders for VMs, mix, percentile, policy and seed."""
    import ipywidgets as W

    mix = dict(DEFAULT_MIX if mix is None else mix)
    style = {"description_width": "90px"}
    n_w = W.IntSlider(value=n_vms, min=1, max=80, description="VMs", continuous_update=False,
                      style=style)
    n_w.add_class("vm-consolidation-vms")
    mix_w = {}
    for p in PROFILES:
        w = W.IntSlider(value=mix.get(p, 0), min=0, max=5, description=p,
                        continuous_update=False, style=style, layout=W.Layout(width="260px"))
        w.add_class(f"vm-consolidation-mix-{p}")
        mix_w[p] = w
    pct_w = W.IntSlider(value=percentile, min=50, max=100, step=5, description="percentile",
                        continuous_update=False, style=style)
    pct_w.add_class("vm-consolidation-percentile")
    pol_w = W.ToggleButtons(options=list(POLICIES), value=policy, description="inside",
                            style={"button_width": "auto"})
    pol_w.add_class("vm-consolidation-policy")
    seed_w = W.BoundedIntText(value=seed, min=0, max=10**6, description="seed",
                              layout=W.Layout(width="160px"), style=style)
    seed_w.add_class("vm-consolidation-seed")
    img = W.Image(format="png", layout=W.Layout(max_width="100%"))
    img.add_class("vm-consolidation-plot")
    text = W.HTML()
    text.add_class("vm-consolidation-summary")

    def update(_=None):
        m = {p: w.value for p, w in mix_w.items()}
        if not any(m.values()):
            text.value = pre("Give at least one profile a weight above 0.")
            return
        args = (n_w.value, m, pct_w.value, seed_w.value, pol_w.value)
        img.value = png_bytes(draw_consolidation(*args))
        text.value = pre(consolidation_text(*args))

    for w in [n_w, pct_w, pol_w, seed_w, *mix_w.values()]:
        w.observe(update, "value")
    update()
    controls = W.HBox([W.VBox([n_w, pct_w, seed_w]),
                       W.VBox([W.HTML("<b>mix of profiles</b>"), *mix_w.values()]),
                       W.VBox([pol_w])])
    box = live_box([controls, img, text], "Consolidation model")
    box.add_class("vm-consolidation")
    return box
