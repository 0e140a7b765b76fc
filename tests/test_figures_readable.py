"""Every figure the chapters 00-09 show is legible where a learner reads it.

JupyterLab in Chromium at 1280 px with the file browser open shows an inline figure at most
:data:`~vmlib.viz._course_common.SHOWN_WIDTH_PX` wide (tests/browser/test_chapters_at_1280.py
measures it); a wider PNG is scaled down, and its text with it. Each chapter figure must show
its smallest text at least :data:`~vmlib.viz._course_common.MIN_TEXT_PX` tall there, and none
of its texts may overlap another, sit on a legend or run into another axes
(:func:`~vmlib.viz._course_common.text_collisions`).

``FIGURES`` is the registry: one entry per figure a chapter saves (an ``image/png`` output),
built exactly as the notebook builds it (the notebook's call, on inputs made by the same vmlib
calls as its earlier cells, seeds explicit). A new figure in a chapter fails
:func:`test_every_saved_figure_is_in_the_registry` until it is added here.

``WIDGET_FIGURES`` holds the figures the chapters' widgets draw (in the state the notebook
leaves them), checked the same way. The consolidation chart's capacity labels (chapter 02) get
tests of their own at the end: two policies that need the same number of hosts share one label,
close numbers are pushed apart.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from vmlib.viz._course_common import MIN_TEXT_PX, smallest_text, text_collisions

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
from vmlib.course.chapters import CHAPTERS as _COURSE  # noqa: E402

CHAPTERS = sorted(n for n, c in _COURSE.items() if c.ready)     # the chapters that exist


class Inputs:
    """What the chapters' earlier cells compute, each built once (on first use) per module."""

    @functools.cached_property
    def tour_events(self):                       # 03: tour_events, rows = tour_timeline()
        from vmlib.course.ch03 import tour_timeline
        return tour_timeline()[0]

    @functools.cached_property
    def walked(self):                            # 03: walked = tour_machine(); walked.run()
        from vmlib.course.ch03 import tour_machine
        walked = tour_machine()
        walked.run()
        return walked

    @functools.cached_property
    def store_walk(self):                        # 03: store = walk_steps(walked, ...)
        from vmlib.course.ch03 import USER_DATA_VA
        from vmlib.course.pagewalk import walk_steps
        return walk_steps(self.walked, USER_DATA_VA, 'store', 'U')

    @functools.cached_property
    def printf_one(self):                        # 04: j = follow('printf_one')
        from vmlib.course.ch04 import follow
        return follow('printf_one')

    @functools.cached_property
    def stack_rows(self):                        # 05: rows = initial_stack(loaded)
        from vmlib.course.ch04 import guest
        from vmlib.course.ch05 import initial_stack
        from vmlib.procvm import ProcessVM
        loaded = ProcessVM(guest('args'), ['guests/args.elf', '3', 'hello world'],
                           ['GREETING=hi'], capture=True)
        return initial_stack(loaded)

    @functools.cached_property
    def comparisons(self):                       # 06: both engines on every program
        from vmlib.course.ch06 import PROGRAMS, compare_engines
        return [compare_engines(name, make) for name, make in PROGRAMS.items()]

    @functools.cached_property
    def cache_logs(self):                        # 06: compute_log, heap_log
        from vmlib.course.ch06 import guest_vm, record_translation
        return [record_translation(guest_vm('compute'), name='compute.elf'),
                record_translation(guest_vm('heap'), name='heap.elf')]

    @functools.cached_property
    def profile(self):                           # 07: prof = rv32_profile(demo_classfile())
        from vmlib.course.ch07 import demo_classfile, rv32_profile
        return rv32_profile(demo_classfile())

    @functools.cached_property
    def demo_timeline(self):                     # 08: tl = timeline('demo')
        from vmlib.course.ch08 import timeline
        return timeline('demo')

    @functools.cached_property
    def efficiency_rows(self):                   # 09: rows = efficiency_rows()
        from vmlib.course.ch09 import efficiency_rows
        return efficiency_rows()


@dataclass(frozen=True)
class Figure:
    chapter: int
    call: str                                    #: the notebook's cell (its last line)
    build: Callable[[Inputs], object]


def _course_map(_):
    from vmlib.viz.course_map import draw_course_map
    return draw_course_map("all", target=8)


def _layers(_):
    from vmlib.viz.layers import draw_layers
    return draw_layers("virtualized", step=3)


def _consolidation(_):
    from vmlib.viz.consolidation import draw_consolidation
    return draw_consolidation(30, percentile=95, seed=0, policy="percentile")


def _privilege_timeline(i):
    from vmlib.viz.stepper import draw_privilege_timeline
    return draw_privilege_timeline(i.tour_events, 'the tour: who runs when')


def _walk(i):
    from vmlib.viz.pagewalk import draw_walk
    return draw_walk(i.store_walk)


def _crossings(i):
    from vmlib.viz.crossings import draw_crossings
    return draw_crossings(i.printf_one)


def _initial_stack(i):
    from vmlib.viz.initial_stack import draw_initial_stack
    return draw_initial_stack(i.stack_rows, 'guests/args.elf 3 "hello world" with GREETING=hi')


def _speed(i):
    from vmlib.viz.translator import draw_speed
    return draw_speed(i.comparisons)


def _cache_growth(i):
    from vmlib.viz.translator import draw_cache_growth
    return draw_cache_growth(i.cache_logs)


def _profile(i):
    from vmlib.viz.stackvm import draw_profile
    return draw_profile(i.profile)


def _timeline(i):
    from vmlib.viz.privilege_timeline import draw_timeline
    return draw_timeline(i.demo_timeline)


def _causes(i):
    from vmlib.viz.trap_timeline import draw_causes
    return draw_causes([r for r in i.efficiency_rows
                        if r['workload'] in ('compute', 'demo', 'pgfault', 'io', 'syscall')])


def _pv_comparison(i):
    from vmlib.course.ch11 import comparison_rows
    from vmlib.viz.paravirt import draw_comparison
    return draw_comparison(comparison_rows())


def _pv_batching(i):
    from vmlib.course.ch11 import batching_rows
    from vmlib.viz.paravirt import draw_batching
    return draw_batching(batching_rows())


def _slowdowns(i):
    from vmlib.viz.side_by_side import draw_slowdowns
    return draw_slowdowns()


FIGURES: dict[str, Figure] = {
    '00 course map': Figure(0, 'draw_course_map("all", target=8)', _course_map),
    '01 layers': Figure(1, 'draw_layers("virtualized", step=3)', _layers),
    '02 consolidation': Figure(
        2, 'draw_consolidation(30, percentile=95, seed=0, policy="percentile")', _consolidation),
    '03 who runs when': Figure(
        3, "draw_privilege_timeline(tour_events, 'the tour: who runs when')", _privilege_timeline),
    '03 page walk': Figure(3, 'draw_walk(store)', _walk),
    '04 crossings': Figure(4, 'draw_crossings(j)', _crossings),
    '05 initial stack': Figure(5, 'draw_initial_stack(rows, ', _initial_stack),
    '06 speed': Figure(6, 'draw_speed(comparisons)', _speed),
    '06 cache growth': Figure(6, 'draw_cache_growth([compute_log, heap_log])', _cache_growth),
    '07 profile': Figure(7, 'draw_profile(prof)', _profile),
    '08 timeline': Figure(8, 'draw_timeline(tl)', _timeline),
    '09 causes': Figure(9, 'draw_causes(', _causes),
    '11 trap vs pv': Figure(11, 'draw_comparison(rows)', _pv_comparison),
    '11 batching': Figure(11, 'draw_batching(batches)', _pv_batching),
    '15 slowdowns': Figure(15, 'draw_slowdowns()', _slowdowns),
}


# -- the figures the chapters' widgets draw (in their first state, as the notebook shows them) --

def _course_map_widget(_):
    from vmlib.viz.course_map import course_map_widget
    return course_map_widget(track="beginner", target=3)


def _layers_widget(_):
    from vmlib.viz.layers import layers_widget
    return layers_widget(mode="virtualized", step=1)


def _consolidation_widget(_):
    from vmlib.viz.consolidation import consolidation_widget
    return consolidation_widget(n_vms=30, percentile=95, seed=0, policy="percentile")


def _pagewalk_widget(i):
    from vmlib.course.ch03 import tour_walk_presets
    from vmlib.viz.pagewalk import pagewalk_widget
    return pagewalk_widget(i.walked, tour_walk_presets())


def _crossings_explorer(_):
    from vmlib.viz.crossings import CrossingsExplorer
    return CrossingsExplorer(program='printf_one', crossing=5)


def _privilege_timeline_widget(_):
    from vmlib.viz.privilege_timeline import PrivilegeTimelineWidget
    view = PrivilegeTimelineWidget('pgfault', width=500)
    view.kind.value = 'page fault'
    view.jump()
    return view


def _trap_timeline_widget(_):
    from vmlib.viz.trap_timeline import TrapTimelineWidget
    return TrapTimelineWidget()


#: name -> (the widget's module, the drawing function it calls, how the notebook makes it)
def _batching_widget(_):
    from vmlib.course.ch11 import batching_rows
    from vmlib.viz.paravirt import BatchingWidget
    return BatchingWidget(batching_rows(), batch=8)


WIDGET_FIGURES = {
    '00 course map widget': ('vmlib.viz.course_map', 'draw_course_map', _course_map_widget),
    '01 layers widget': ('vmlib.viz.layers', 'draw_layers', _layers_widget),
    '02 consolidation widget': ('vmlib.viz.consolidation', 'draw_consolidation',
                                _consolidation_widget),
    '03 page walk widget': ('vmlib.viz.pagewalk', 'draw_walk', _pagewalk_widget),
    '04 crossings explorer': ('vmlib.viz.crossings', 'draw_crossings', _crossings_explorer),
    '08 privilege timeline widget': ('vmlib.viz.privilege_timeline', 'draw_timeline',
                                     _privilege_timeline_widget),
    '09 trap timeline widget': ('vmlib.viz.trap_timeline', 'draw_bounce', _trap_timeline_widget),
    '11 batching widget': ('vmlib.viz.paravirt', 'draw_batching', _batching_widget),
}


@pytest.fixture(scope='module')
def inputs():
    return Inputs()


@pytest.mark.parametrize('name', list(FIGURES))
def test_the_figure_is_legible_where_the_chapter_shows_it(name, inputs):
    """Its smallest text at least MIN_TEXT_PX tall as shown, and no text over another (one
    test per figure, so that each figure is built once)."""
    fig = FIGURES[name].build(inputs)
    px, text = smallest_text(fig)
    problems = [] if px >= MIN_TEXT_PX else \
        [f'{text!r} shows {px:.1f} px tall (at least {MIN_TEXT_PX} px wanted)']
    problems += text_collisions(fig)
    assert not problems, f'{name}: ' + '; '.join(problems)


@pytest.mark.parametrize('name', list(WIDGET_FIGURES))
def test_the_figure_a_widget_shows_is_legible(name, inputs, monkeypatch):
    """A widget shows its figure as an image no wider than the output: the figure it draws
    (caught on its way to the PNG) is held to the same rules as the chapters' figures."""
    import importlib
    pytest.importorskip('ipywidgets')
    module, function, make = WIDGET_FIGURES[name]
    mod = importlib.import_module(module)
    drawn = []
    original = getattr(mod, function)

    def recording(*args, **kw):
        drawn.append(original(*args, **kw))
        return drawn[-1]
    monkeypatch.setattr(mod, function, recording)
    make(inputs)
    assert drawn, f'{name}: the widget drew no figure with {function}'
    fig = drawn[-1]                               # what the widget shows now
    px, text = smallest_text(fig)
    problems = [] if px >= MIN_TEXT_PX else \
        [f'{text!r} shows {px:.1f} px tall (at least {MIN_TEXT_PX} px wanted)']
    problems += text_collisions(fig)
    assert not problems, f'{name}: ' + '; '.join(problems)


def _saved_figures(chapter: int) -> list[str]:
    """The sources of the code cells of chapter ``chapter`` that saved an image/png output."""
    (path,) = NOTEBOOKS.glob(f'{chapter:02d}_*.ipynb')
    nb = json.loads(path.read_text())
    return [''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code'
            for o in c.get('outputs', []) if 'image/png' in o.get('data', {})]


@pytest.mark.parametrize('chapter', CHAPTERS)
def test_every_saved_figure_is_in_the_registry(chapter):
    saved = _saved_figures(chapter)
    registered = [f for f in FIGURES.values() if f.chapter == chapter]
    assert len(saved) == len(registered), (
        f'chapter {chapter:02d} saves {len(saved)} figure(s) and FIGURES has '
        f'{len(registered)}: add the new figure to FIGURES (or remove the old one)')
    for f in registered:
        assert any(f.call in src for src in saved), \
            f'chapter {chapter:02d}: no saved figure comes from {f.call!r}; update FIGURES'


# -- chapter 02: the labels of the capacity lines ------------------------------------------------

def _capacity_labels(fig):
    return [t for t in fig.findobj(lambda a: getattr(a, 'get_gid', lambda: None)()
                                   == 'capacity-label')]


def _pixel_boxes(fig, texts):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts]


def test_policies_needing_the_same_hosts_share_one_label():
    from vmlib.viz.consolidation import draw_consolidation
    fig = draw_consolidation(1, seed=0, policy='percentile')     # one VM: one host each way
    assert [t.get_text() for t in _capacity_labels(fig)] == ['peak, p95, timeseries: 1']
    # 30 web servers (seed 0): peak and time-aware packing both need 13 hosts, p95 needs 12
    web = {'web': 1, 'batch': 0, 'dev': 0, 'bursty': 0, 'db': 0}
    texts = [t.get_text() for t in _capacity_labels(draw_consolidation(30, web, 95, 0))]
    assert texts == ['p95: 12', 'peak, timeseries: 13']


def test_close_capacity_labels_are_pushed_apart():
    from vmlib.viz.consolidation import draw_consolidation
    web = {'web': 1, 'batch': 0, 'dev': 0, 'bursty': 0, 'db': 0}
    fig = draw_consolidation(80, web, 95, 0)            # 32, 33 and 34 hosts: one apart
    labels = _capacity_labels(fig)
    assert [t.get_text() for t in labels] == ['p95: 32', 'timeseries: 33', 'peak: 34']
    boxes = _pixel_boxes(fig, labels)
    for a, b in zip(boxes, boxes[1:]):
        assert b.y0 >= a.y1, 'capacity labels overlap'
    ax = fig.axes[0]
    for t in labels:                                    # inside the demand plot
        assert t.get_position()[1] < ax.get_ylim()[1]
    assert text_collisions(fig) == []


def test_spread_labels_keeps_the_gap_and_the_order():
    from vmlib.viz.consolidation import spread_labels
    assert spread_labels([1.0, 5.0, 9.0], 1.0) == [1.0, 5.0, 9.0]       # far apart: unmoved
    ys = spread_labels([10.0, 10.2, 10.4, 20.0], 1.0)
    assert ys[3] == 20.0 and ys[1] == pytest.approx(10.2)               # centred on the mean
    assert all(b - a >= 1.0 - 1e-9 for a, b in zip(ys, ys[1:]))
    assert spread_labels([0.0, 0.1], 1.0, low=0.0) == [0.0, 1.0]        # not below low
    assert spread_labels([3.0, 1.0, 2.0], 0.5) == [3.0, 1.0, 2.0]       # any input order
