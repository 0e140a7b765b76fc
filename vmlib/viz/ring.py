"""Chapter 11: the shared ring in motion -- a virtio console's transmit queue, step by step.

:class:`RingWidget` steps through a :class:`vmlib.course.ch11.ring.RingDemo`: each step is one
thing the driver or the device did, and the three parts of the split virtqueue are drawn as
they stand afterwards, side by side and in their memory order: the **descriptor table**
(address, length, flags, next of each buffer), the **available ring** the driver writes
(flags, idx, the entries, ``used_event``) and the **used ring** the device writes (flags,
idx, the entries id/len, ``avail_event``). The event indices are shown when the demo
negotiated ``VIRTIO_RING_F_EVENT_IDX``. Arrows mark where the driver will publish next and
where the device will take next: when they point at the same entry there is nothing to take.
What the step touched is tinted in the colour of who did it (blue the driver, red the device);
a value that changed since the previous step is on yellow; entries published and not yet
taken are bold. The panels' columns have fixed widths: stepping never makes them jump, and
the three fit side by side in an output 848 px wide (JupyterLab at 1280 px with the file
browser open).

The pure views (:func:`status_html`, :func:`rings_html`, :func:`counts_html`) take a demo and
a step number (1-based, as the text twin ``RingDemo.text(n)`` counts), so tests call them
without widgets; :meth:`RingWidget.text` is the text twin of the step shown.

CSS classes for tests and slides: ``vm-ring`` (the widget), buttons ``vm-ring-prev``,
``vm-ring-next``, ``vm-ring-run``, ``vm-ring-reset``, the slider ``vm-ring-step``, the options
``vm-ring-batch`` (dropdown), ``vm-ring-event-idx`` and ``vm-ring-poll`` (checkboxes);
``vm-ring-status`` (``data-step``, ``data-steps``, ``data-who``; in the widget
``vm-ring-status-box``), ``vm-ring-panels`` (the three panels' widget, holding
``vm-ring-rings``), ``vm-ring-desc``, ``vm-ring-avail`` (``data-avail-idx``,
``data-device-next``) and ``vm-ring-used`` (``data-used-idx``), each with
``data-touched`` ``yes``/``no``; inside them rows ``vm-ring-row`` (``data-field``: ``flags``,
``idx``, ``used_event``, ``avail_event``, or ``data-slot``), values that changed
``vm-ring-changed``, what the step touched ``vm-ring-touched``, available entries published
and not yet taken ``vm-ring-pending``; ``vm-ring-counts`` holding ``vm-ring-notify``,
``vm-ring-interrupt`` and ``vm-ring-printed`` (in the widget ``vm-ring-counts-box``).
"""
from __future__ import annotations

import html

from ..course.ch11.ring import RingDemo
from ..machine.virtio.queue import (AVAIL_NO_INTERRUPT, DESC_INDIRECT, DESC_NEXT, DESC_WRITE,
                                    USED_NO_NOTIFY)
from ._course_common import live_box

MONO = ('font-family:SFMono-Regular,Menlo,Consolas,DejaVu Sans Mono,monospace; font-size:12px; '
        'line-height:1.35')
WHO_COLORS = {'driver': '#2166ac', 'device': '#b2182b'}
CHANGED_BG = '#ffe680'
TOUCHED_BG = {'driver': '#e1ecf7', 'device': '#f9e0e0'}
BATCHES = (1, 2, 4)
DEFAULT_LINES = ('hello\n', 'from the\n', 'shared ring\n', 'again\n')


def _e(x) -> str:
    return html.escape(str(x))


def _flag_names(value: int, names) -> str:
    """``value`` as its flags' names (``0`` when none is set)."""
    set_ = [name for bit, name in names if value & bit]
    rest = value & ~sum(bit for bit, _ in names)
    return '|'.join(set_ + ([hex(rest)] if rest else [])) or '0'


DESC_FLAGS = ((DESC_NEXT, 'NEXT'), (DESC_WRITE, 'WRITE'), (DESC_INDIRECT, 'INDIRECT'))
AVAIL_FLAGS = ((AVAIL_NO_INTERRUPT, 'NO_INTERRUPT'),)
USED_FLAGS = ((USED_NO_NOTIFY, 'NO_NOTIFY'),)


# ---------------------------------------------------------------------------------------------
# what a step touched and changed

def _step(demo: RingDemo, n: int):
    if not 1 <= n <= len(demo.steps):
        raise ValueError(f'step {n}: the demo has steps 1..{len(demo.steps)}')
    return demo.steps[n - 1]


def _before(demo: RingDemo, n: int):
    """The state before step ``n`` (step 1 has none: everything it shows is new)."""
    return demo.steps[n - 2].state if n > 1 else None


def touched(demo: RingDemo, n: int) -> set[str]:
    """What step ``n`` touched, as the names of the rows and panels the widget outlines:
    the step's ``parts`` (``desc``, ``avail``, ``used``, ``avail_flags``, ``used_event``,
    ``avail_event``, ``notify``, ``interrupt``), with the flags standing in for the event
    indices when the demo has none (``used_event`` -> the available ring's flags,
    ``avail_event`` -> the used ring's), and ``device_next`` when the device moved."""
    step, before = _step(demo, n), _before(demo, n)
    out = set(step.parts)
    if not demo.event_idx:
        if 'used_event' in out:
            out.add('avail_flags')
        if 'avail_event' in out:
            out.add('used_flags')
    if before is not None and before.device_next != step.state.device_next:
        out.add('device_next')
    return out


def _taken(demo: RingDemo, n: int):
    """(available slot, descriptor) the device took at step ``n``, or None."""
    s, before = _step(demo, n).state, _before(demo, n)
    if before is None or before.device_next == s.device_next:
        return None
    slot = (s.device_next - 1) % demo.size
    return slot, s.avail_ring[slot]


# ---------------------------------------------------------------------------------------------
# the pure views

def status_text(demo: RingDemo, n: int) -> str:
    """The status line: the first line of ``demo.text(n)``."""
    step = _step(demo, n)
    return f'step {n} of {len(demo.steps)}: the {step.who} {step.what}'


def status_html(demo: RingDemo, n: int) -> str:
    step = _step(demo, n)
    color = WHO_COLORS[step.who]
    return (f"<div class='vm-ring-status' data-step='{n}' data-steps='{len(demo.steps)}' "
            f"data-who='{step.who}' style='{MONO}; font-size:13px; color:{color}; "
            f"border-left:4px solid {color}; padding:2px 6px; margin:2px 0; "
            f"white-space:pre-wrap; overflow-wrap:anywhere'><b>step {n} of {len(demo.steps)}:"
            f"</b> the <b>{step.who}</b> {_e(step.what)}</div>")


def _cell(text, changed=False, align='right', fg=None, title='', span=1):
    style = f'padding:0 4px; text-align:{align}; white-space:pre'
    if changed:
        style += f'; background:{CHANGED_BG}'
    if fg:
        style += f'; color:{fg}'
    cls = " class='vm-ring-changed'" if changed else ''
    title = f" title='{_e(title)}'" if title else ''
    span = f" colspan='{span}'" if span > 1 else ''
    return f"<td{cls}{span} style='{style}'{title}>{text}</td>"


def _row(cells, who, field=None, slot=None, touched_=False, pending=False):
    attr = f" data-field='{field}'" if field is not None else f" data-slot='{slot}'"
    cls = 'vm-ring-row' + (' vm-ring-touched' if touched_ else '') + \
        (' vm-ring-pending' if pending else '')
    style = ([f'background:{TOUCHED_BG[who]}; box-shadow:inset 3px 0 {WHO_COLORS[who]}']
             if touched_ else []) + (['font-weight:bold'] if pending else [])
    style = f" style='{'; '.join(style)}'" if style else ''
    return f"<tr class='{cls}'{attr}{style}>{''.join(cells)}</tr>"


def _panel(kind, title, widths, rows, touched_, who, attrs=''):
    """A bordered panel holding a table whose columns are at least ``widths`` characters
    wide (so that stepping does not make the panels jump as values appear)."""
    cols = ''.join(f"<col style='width:calc({w}ch + 8px)'>" for w in widths)
    border = f'2px solid {WHO_COLORS[who]}' if touched_ else '2px solid #ddd'
    return (f"<div class='vm-ring-{kind}' data-touched='{'yes' if touched_ else 'no'}'{attrs} "
            f"style='border:{border}; border-radius:3px; padding:3px 4px; flex:0 0 auto'>"
            f"<div style='font-weight:bold; margin-bottom:2px'>{title}</div>"
            f"<table style='border-collapse:collapse; font:inherit'><colgroup>{cols}</colgroup>"
            f"{''.join(rows)}</table></div>")


def _head(*names):
    return ("<tr style='color:#666'>" + ''.join(
        f"<td style='padding:0 4px; text-align:{'left' if not n or n == '#' else 'right'}'>"
        f"{n}</td>" for n in names) + '</tr>')


def _buffer(demo: RingDemo, addr: int, length: int) -> str:
    """What a descriptor's buffer holds, quoted as the demo's text twin quotes it."""
    try:
        text = repr(demo.dma.read(addr, length).decode())
    except Exception:       # not a buffer the demo wrote: show nothing
        return ''
    return text if len(text) <= 16 else text[:14] + '..'


def _subtitle(text):
    return f"{text} <span style='font-weight:normal; color:#666'>"


def rings_html(demo: RingDemo, n: int) -> str:
    """The three panels after step ``n``: descriptor table, available ring, used ring."""
    step = _step(demo, n)
    s, before, who = step.state, _before(demo, n), step.who
    parts = touched(demo, n)
    taken = _taken(demo, n)
    size = demo.size

    def ch(get):
        return before is not None and get(before) != get(s)

    def field_row(field, label, value, changed, hit, span):
        return _row([_cell(label, align='left', fg='#666'),
                     _cell(_e(value), changed=changed, align='left', span=span)],
                    who, field=field, touched_=hit)

    # -- the descriptor table (the driver writes it, the device reads it)
    def desc_values(d):
        addr, length, flags, nxt = d
        if not (addr or length):
            return ['·'] * 4
        return [f'0x{addr:08x}', str(length), _flag_names(flags, DESC_FLAGS), str(nxt)]

    rows = [_head('#', 'addr', 'len', 'flags', 'next', '')]
    for i, d in enumerate(s.descriptors):
        old = desc_values(before.descriptors[i]) if before else None
        new = desc_values(d)
        changed_row = old is not None and old != new
        cells = [_cell(str(i), align='left', fg='#666')]
        cells += [_cell(_e(v), changed=changed_row and v != o) for v, o in zip(new, old or new)]
        cells.append(_cell(_e(_buffer(demo, d[0], d[1])) if d[0] or d[1] else '',
                           align='left', fg='#555'))
        hit = 'desc' in parts and (changed_row or bool(taken and taken[1] == i))
        rows.append(_row(cells, who, slot=i, touched_=hit))
    desc = _panel('desc', 'descriptor table', (1, 10, 3, 5, 4, 15), rows, 'desc' in parts, who)

    # -- the available ring (the driver writes it)
    driver_slot, device_slot = s.avail_idx % size, s.device_next % size
    rows = [field_row('flags', 'flags', _flag_names(s.avail_flags, AVAIL_FLAGS),
                      ch(lambda t: t.avail_flags), 'avail_flags' in parts, 2),
            field_row('idx', 'idx', s.avail_idx, ch(lambda t: t.avail_idx),
                      'avail' in parts and ch(lambda t: t.avail_idx), 2)]
    def avail_entry(t, i):          # an entry never published shows as a dot
        return str(t.avail_ring[i]) if t.avail_idx > i or t.avail_idx >= size else '·'

    for i in range(size):
        written = s.avail_idx > i or s.avail_idx >= size
        latest = i + (s.avail_idx - 1 - i) // size * size if written else -1
        pending = written and latest >= s.device_next
        marks = [w for w, slot in (('driver', driver_slot), ('device', device_slot)) if slot == i]
        changed = ch(lambda t: avail_entry(t, i))
        hit = 'avail' in parts and (changed or bool(taken and taken[0] == i))
        rows.append(_row([_cell(f'[{i}]', align='left', fg='#666'),
                          _cell(avail_entry(s, i), changed=changed, align='left'),
                          _cell('◀ ' + ', '.join(marks) if marks else '', align='left',
                                changed='device_next' in parts and 'device' in marks,
                                title='driver: where it publishes next; device: where it '
                                      'takes next (the same entry: nothing to take)')],
                         who, slot=i, touched_=hit, pending=pending))
    if demo.event_idx:
        rows.append(field_row('used_event', 'used_event', s.used_event,
                              ch(lambda t: t.used_event), 'used_event' in parts, 2))
    avail = _panel('avail', _subtitle('available ring') + '(driver)</span>', (10, 2, 16), rows,
                   bool(parts & {'avail', 'avail_flags', 'used_event'}), who,
                   f" data-avail-idx='{s.avail_idx}' data-device-next='{s.device_next}'")

    # -- the used ring (the device writes it)
    rows = [field_row('flags', 'flags', _flag_names(s.used_flags, USED_FLAGS),
                      ch(lambda t: t.used_flags), 'used_flags' in parts, 3),
            field_row('idx', 'idx', s.used_idx, ch(lambda t: t.used_idx),
                      'used' in parts and ch(lambda t: t.used_idx), 3),
            _head('', 'id', 'len', '')]
    def used_entry(t, i):           # an entry never returned shows as dots
        return t.used_ring[i] if t.used_idx > i or t.used_idx >= size else ('·', '·')

    for i in range(size):
        uid, ulen = used_entry(s, i)
        changed = ch(lambda t: used_entry(t, i))
        rows.append(_row([_cell(f'[{i}]', align='left', fg='#666'),
                          _cell(str(uid), changed=changed), _cell(str(ulen), changed=changed),
                          _cell('◀ device' if i == s.used_idx % size else '', align='left',
                                title='where the device returns the next buffer')],
                         who, slot=i, touched_='used' in parts and changed))
    if demo.event_idx:
        rows.append(field_row('avail_event', 'avail_event', s.avail_event,
                              ch(lambda t: t.avail_event), 'avail_event' in parts, 3))
    used = _panel('used', _subtitle('used ring') + '(device)</span>', (11, 2, 3, 8), rows,
                  bool(parts & {'used', 'used_flags', 'avail_event'}), who,
                  f" data-used-idx='{s.used_idx}'")
    return (f"<div class='vm-ring-rings' style='display:flex; flex-flow:row wrap; gap:6px; "
            f"{MONO}'>{desc}{avail}{used}</div>")


def counts_html(demo: RingDemo, n: int) -> str:
    """Notifications and interrupts so far (and those saved), and what the console printed."""
    step = _step(demo, n)
    s, before = step.state, _before(demo, n)
    color = WHO_COLORS[step.who]

    def part(cls, label, done, saved, hit):
        changed = before is not None and (getattr(before, label) != done or
                                          getattr(before, f'{label}_saved') != saved)
        style = (f'background:{CHANGED_BG};' if changed else '') + \
                (f' outline:2px solid {color};' if hit else '')
        cls += ''.join(c for c, on in ((' vm-ring-changed', changed),
                                       (' vm-ring-touched', hit)) if on)
        return (f"<span class='{cls}' style='{style}'>{label} <b>{done}</b> "
                f"(saved {saved})</span>")

    parts = set(step.parts)
    notify = part('vm-ring-notify', 'notifications', s.notifications, s.notifications_saved,
                  'notify' in parts)
    interrupt = part('vm-ring-interrupt', 'interrupts', s.interrupts, s.interrupts_saved,
                     'interrupt' in parts)
    changed = before is not None and before.printed != s.printed
    printed = (f"<span class='vm-ring-printed{' vm-ring-changed' if changed else ''}' "
               f"style='{'background:' + CHANGED_BG if changed else ''}'>{_e(repr(s.printed))}"
               f"</span>")
    return (f"<div class='vm-ring-counts' style='{MONO}; margin-top:3px; white-space:pre-wrap; "
            f"overflow-wrap:anywhere'>{notify}, {interrupt}; the console printed {printed}"
            f"</div>")


# ---------------------------------------------------------------------------------------------
# the widget

class RingWidget:
    """Step through a virtio console's transmit ring (a :class:`RingDemo` of the same
    arguments). Display it as a cell's last value. ``step``: the step to show first (1-based;
    default 1). Changing the batch or a checkbox runs a new demo and goes back to step 1."""

    def __init__(self, lines=DEFAULT_LINES, size: int = 4, batch: int = 1,
                 event_idx: bool = False, poll: bool = False, step: int | None = None):
        import ipywidgets as w

        self.lines, self.size = tuple(lines), size
        short = dict(width='auto')
        self.prev_button = w.Button(description='Prev', icon='step-backward',
                                    tooltip='the step before', layout=w.Layout(**short))
        self.next_button = w.Button(description='Next', icon='step-forward',
                                    tooltip='the next step', layout=w.Layout(**short))
        self.slider = w.IntSlider(value=1, min=1, max=1, description='step',
                                  style=dict(description_width='36px'),
                                  layout=w.Layout(width='330px'))
        self.run_button = w.Button(description='Run', icon='forward',
                                   tooltip='to the last step', layout=w.Layout(**short))
        self.reset_button = w.Button(description='Reset', icon='undo', tooltip='to step 1',
                                     layout=w.Layout(**short))
        options = [o for o in BATCHES if o <= size] or [1]
        self.batch = w.Dropdown(options=options, value=batch if batch in options else options[0],
                                description='batch', layout=w.Layout(width='130px'),
                                tooltip='lines the driver makes available before it notifies',
                                style=dict(description_width='42px'))
        self.event_idx = w.Checkbox(value=event_idx, description='event index', indent=False,
                                    layout=w.Layout(width='auto'))
        self.poll = w.Checkbox(value=poll, description='driver polls (no interrupts)',
                               indent=False, layout=w.Layout(width='auto'))
        self.status = w.HTML()
        self.rings = w.HTML()
        self.counts = w.HTML()
        for wdg, cls in ((self.prev_button, 'vm-ring-prev'), (self.next_button, 'vm-ring-next'),
                         (self.slider, 'vm-ring-step'), (self.run_button, 'vm-ring-run'),
                         (self.reset_button, 'vm-ring-reset'), (self.batch, 'vm-ring-batch'),
                         (self.event_idx, 'vm-ring-event-idx'), (self.poll, 'vm-ring-poll'),
                         (self.status, 'vm-ring-status-box'), (self.rings, 'vm-ring-panels'),
                         (self.counts, 'vm-ring-counts-box')):
            wdg.add_class(cls)
        self.demo: RingDemo | None = None
        self.current = 1
        self._busy = False
        self.prev_button.on_click(lambda _: self.go(self.current - 1))
        self.next_button.on_click(lambda _: self.go(self.current + 1))
        self.run_button.on_click(lambda _: self.go(len(self.demo.steps)))
        self.reset_button.on_click(lambda _: self.go(1))
        self.slider.observe(lambda ch: self._busy or self.go(ch['new']), names='value')
        for option in (self.batch, self.event_idx, self.poll):
            option.observe(lambda ch: self.rebuild(), names='value')
        gap = w.Layout(margin='0 0 0 12px', width='auto')
        self.widget = live_box([
            w.HBox([self.prev_button, self.next_button, self.slider, self.run_button,
                    self.reset_button], layout=w.Layout(flex_flow='row wrap')),
            w.HBox([self.batch, w.HBox([self.event_idx], layout=gap),
                    w.HBox([self.poll], layout=gap)], layout=w.Layout(flex_flow='row wrap')),
            self.status, self.rings, self.counts], 'Shared ring (virtio)')
        self.widget.add_class('vm-ring')
        self.rebuild(step or 1)

    def rebuild(self, step: int = 1):
        """Run a new demo with the options as they are and show ``step``."""
        self.demo = RingDemo(lines=self.lines, size=self.size, batch=self.batch.value,
                             event_idx=self.event_idx.value, poll=self.poll.value)
        self._busy = True
        try:
            self.slider.value = 1
            self.slider.max = len(self.demo.steps)
        finally:
            self._busy = False
        self.go(step)

    def go(self, n: int):
        """Show step ``n`` (1-based; clamped to the demo's steps)."""
        n = max(1, min(len(self.demo.steps), int(n)))
        self.current = n
        if self.slider.value != n:
            self._busy = True
            try:
                self.slider.value = n
            finally:
                self._busy = False
        last = len(self.demo.steps)
        self.prev_button.disabled = self.reset_button.disabled = n == 1
        self.next_button.disabled = self.run_button.disabled = n == last
        self.rings.value = rings_html(self.demo, n)
        self.counts.value = counts_html(self.demo, n)
        # the status line last: a page waiting on it sees every panel updated
        self.status.value = status_html(self.demo, n)

    def text(self) -> str:
        """The step shown as text: the demo's text twin."""
        return self.demo.text(self.current)

    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)
