"""Chapter 03: the machine stepper -- step a program and watch the whole machine.

Three layers, each usable alone:

- **pure views**: functions from machine state to HTML or text, which tests call directly:
  :func:`render_registers` / :func:`registers_text`, :func:`disassembly_lines` with
  :func:`render_disassembly` / :func:`disassembly_text`, :func:`render_memory` /
  :func:`memory_text`, :func:`render_status`, :func:`render_trap` / :func:`trap_text`,
  :func:`render_events` / :func:`events_text` (one line per trace event: :func:`event_text`);
- :class:`StepperState`: a machine plus what the views need to know about its last move
  (which registers and bytes changed, its events, the last trap); no widgets;
- :class:`Stepper`: the ipywidgets front end (Step, Run N, Reset; registers, disassembly,
  memory, privilege, last trap, UART, event log). Every panel is an ``ipywidgets.HTML``, so a
  saved notebook shows the last state even without a kernel.

:func:`stepper_text` prints the same state as plain text: the static fallback that notebooks
print (and nbval compares).

Stable CSS classes for tests and styling: ``vm-stepper`` (the whole widget), buttons
``vm-stepper-step``, ``vm-stepper-run``, ``vm-stepper-reset``, the count ``vm-stepper-n``,
panels ``vm-stepper-status`` (holding ``vm-stepper-pc`` and ``vm-stepper-priv``),
``vm-stepper-disasm`` (current line ``vm-disasm-current``), ``vm-stepper-regs`` (each register
``vm-reg``, changed ones also ``vm-reg-changed``, with ``data-reg="a0"``), ``vm-stepper-region``
(the region dropdown), ``vm-stepper-mem`` (changed bytes ``vm-mem-changed``),
``vm-stepper-trap``, ``vm-stepper-uart``, ``vm-stepper-events``.
"""
from __future__ import annotations

import bisect
import html
from typing import Callable, Iterable

from ..isa import disassemble, reg_name
from ..machine.trace import (Retired, Faulted, RegWrite, MemWrite, PageWalk, DeviceAccess,
                             TrapTaken, TrapReturn, PrivilegeChange, Halted)
from ..machine.traps import PRIV_NAMES, cause_name, Trap, M
from ._course_common import panel_box, panel_row, step_controls, live_box

REG_NAMES = [reg_name(i) for i in range(32)]
PRIV_COLORS = {'M': '#b00020', 'S': '#8a6d00', 'U': '#1a7f37'}
# (no quotes inside: it goes into style='...' attributes)
MONO = ('font-family:SFMono-Regular,Menlo,Consolas,DejaVu Sans Mono,monospace; font-size:12px; '
        'line-height:1.35')
CHANGED_BG = '#ffe680'


def _e(text) -> str:
    return html.escape(str(text))


# ---------------------------------------------------------------------------------------------
# symbols


class Symbols:
    """address -> name, and ``describe(addr)`` -> ``'<puts+8>'`` for the nearest label below."""

    def __init__(self, names: dict[int, str] | None = None, reach: int = 0x400):
        self.names = dict(names or {})
        self.addrs = sorted(self.names)
        self.reach = reach

    def describe(self, addr: int) -> str:
        i = bisect.bisect_right(self.addrs, addr) - 1
        if i < 0:
            return ''
        base = self.addrs[i]
        if addr - base >= self.reach:
            return ''
        name = self.names[base]
        return f'<{name}>' if addr == base else f'<{name}+{addr - base}>'


def _symbols(symbols) -> Symbols:
    return symbols if isinstance(symbols, Symbols) else Symbols(symbols)


# ---------------------------------------------------------------------------------------------
# registers


def registers_text(regs: dict[str, int], changed: Iterable[str] = (), columns: int = 4) -> str:
    """The 32 registers as text, ``columns`` per line; changed ones marked with ``*``."""
    changed = set(changed)
    cells = [f"{name:>4} {regs[name]:08x}{'*' if name in changed else ' '}" for name in REG_NAMES]
    return '\n'.join('  '.join(cells[i:i + columns]).rstrip()
                     for i in range(0, 32, columns))


def render_registers(regs: dict[str, int], changed: Iterable[str] = (), columns: int = 4) -> str:
    """The 32 registers as an HTML grid (class ``vm-stepper-regs``); changed ones highlighted
    (class ``vm-reg-changed``). Each value has a tooltip with its signed decimal value."""
    changed = set(changed)
    cells = []
    for name in REG_NAMES:
        v = regs[name]
        signed = v - (1 << 32) if v >> 31 else v
        cls = 'vm-reg vm-reg-changed' if name in changed else 'vm-reg'
        bg = f'background:{CHANGED_BG};' if name in changed else ''
        cells.append(f"<div class='{cls}' data-reg='{name}' title='{name} = {signed}' "
                     f"style='{bg} padding:1px 2px; border-radius:3px; white-space:nowrap'>"
                     f"<span style='color:#666; display:inline-block; width:4.6ch'>{name}</span>"
                     f"<span class='vm-reg-value'>{v:08x}</span></div>")
    return (f"<div class='vm-stepper-regs' style='display:grid; grid-template-columns:"
            f"repeat({columns}, max-content); gap:1px 5px; {MONO}'>{''.join(cells)}</div>")


def changed_registers(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """Names of the registers whose value differs, in register order."""
    return [n for n in REG_NAMES if before.get(n) != after.get(n)]


# ---------------------------------------------------------------------------------------------
# disassembly around pc


def _readable_pa(machine, va: int) -> int | None:
    """Physical address of ``va`` for an instruction fetch now, or None (no side effects)."""
    hart = machine.hart
    pa = va
    if hart.priv != M and hart.satp >> 31:
        try:
            pa = hart.mmu.walk(va, 'fetch', hart.priv, hart.satp, update=False)
        except Trap:
            return None
    return pa if machine.bus.ram_index(pa) is not None and \
        machine.bus.ram_index(pa + 3) is not None else None


def disassembly_lines(machine, symbols=None, before: int = 3, after: int = 5, pc: int | None = None):
    """Instructions around ``pc`` (default: the machine's): a list of
    ``(addr, word or None, text, label or None, is_current)``. Addresses the current privilege
    level cannot fetch are shown as ``(not mapped)``; those before the first readable one are
    left out."""
    sym = _symbols(symbols)
    pc = machine.pc if pc is None else pc
    out = []
    for addr in range(pc - 4 * before, pc + 4 * after + 4, 4):
        addr &= 0xFFFFFFFF
        pa = _readable_pa(machine, addr)
        if pa is None:
            if addr < pc and not out:
                continue
            out.append((addr, None, '(not mapped)', sym.names.get(addr), addr == pc))
            continue
        word = int.from_bytes(machine.read_memory(pa, 4), 'little')
        out.append((addr, word, disassemble(word, addr, sym.names), sym.names.get(addr), addr == pc))
    return out


def disassembly_text(lines) -> str:
    """Disassembly lines as text; ``>`` marks the instruction at pc."""
    out = []
    for addr, word, text, label, current in lines:
        if label:
            out.append(f'{"":12}{label}:')
        mark = '>' if current else ' '
        hexword = f'{word:08x}' if word is not None else '--------'
        out.append(f'{mark} {addr:08x}  {hexword}  {text}')
    return '\n'.join(out)


def render_disassembly(lines) -> str:
    """Disassembly lines as HTML (class ``vm-stepper-disasm``; the line at pc has class
    ``vm-disasm-current``)."""
    rows = []
    for addr, word, text, label, current in lines:
        if label:
            rows.append(f"<div style='color:#4C72B0'>{_e(label)}:</div>")
        hexword = f'{word:08x}' if word is not None else '--------'
        cls = 'vm-disasm-line vm-disasm-current' if current else 'vm-disasm-line'
        style = 'background:#dbe9ff; font-weight:bold;' if current else ''
        # a line too long for the panel wraps under the instruction, never sideways
        rows.append(f"<div class='{cls}' style='{style} white-space:pre-wrap; "
                    f"padding-left:22ch; text-indent:-22ch'>"
                    f"{'&#9654;' if current else '&nbsp;'} <span style='color:#666'>{addr:08x}</span>"
                    f"  <span style='color:#999'>{hexword}</span>  {_e(text)}</div>")
    return f"<div class='vm-stepper-disasm' style='{MONO}'>{''.join(rows)}</div>"


# ---------------------------------------------------------------------------------------------
# memory


def memory_text(base: int, data: bytes, changed: Iterable[int] = (), width: int = 16) -> str:
    """A hex dump of ``data`` (at physical ``base``); ``^^`` under each changed byte."""
    changed = set(changed)
    out = []
    for row in range(0, len(data), width):
        chunk = data[row:row + width]
        cells = ' '.join(f'{b:02x}' for b in chunk)
        text = ''.join(chr(b) if 32 <= b < 127 else '.' for b in chunk)
        out.append(f'{base + row:08x}  {cells:<{3 * width - 1}}  |{text}|')
        marks = ' '.join('^^' if row + i in changed else '  ' for i in range(len(chunk)))
        if marks.strip():
            out.append(f'{"":10}{marks.rstrip()}')
    return '\n'.join(out)


def render_memory(base: int, data: bytes, changed: Iterable[int] = (), width: int = 16,
                  title: str = '') -> str:
    """A hex dump as HTML (class ``vm-stepper-mem``); changed bytes have class ``vm-mem-changed``."""
    changed = set(changed)
    rows = []
    for row in range(0, len(data), width):
        chunk = data[row:row + width]
        cells = []
        for i, b in enumerate(chunk):
            if row + i in changed:
                cells.append(f"<span class='vm-mem-changed' style='background:{CHANGED_BG}'>"
                             f"{b:02x}</span>")
            else:
                cells.append(f"<span style='color:{'#bbb' if b == 0 else '#000'}'>{b:02x}</span>")
        text = _e(''.join(chr(b) if 32 <= b < 127 else '.' for b in chunk))
        rows.append(f"<div style='white-space:pre'><span style='color:#666'>{base + row:08x}</span>"
                    f"  {' '.join(cells)}  <span style='color:#888'>|{text}|</span></div>")
    head = f"<div style='color:#666'>{_e(title)}</div>" if title else ''
    return f"<div class='vm-stepper-mem' style='{MONO}'>{head}{''.join(rows)}</div>"


# ---------------------------------------------------------------------------------------------
# status, trap, events


def status_text(pc: int, priv: str, instret: int, halted=None, symbols=None) -> str:
    where = _symbols(symbols).describe(pc)
    state = f'halted: {halted[0]}, exit status {halted[1]}' if halted else 'running'
    return f"pc {pc:08x} {where}".rstrip() + f" | {priv}-mode | {instret} instructions | {state}"


def render_status(pc: int, priv: str, instret: int, halted=None, symbols=None) -> str:
    """pc (class ``vm-stepper-pc``), the privilege badge (``vm-stepper-priv``), the count of
    instructions retired and whether the machine still runs."""
    where = _symbols(symbols).describe(pc)
    state = (f"<span style='color:#b00020'>halted: {_e(halted[0])}, exit status {halted[1]}</span>"
             if halted else "<span style='color:#1a7f37'>running</span>")
    badge = (f"<span class='vm-stepper-priv vm-priv-{priv}' title='privilege mode' "
             f"style='background:{PRIV_COLORS.get(priv, '#444')}; color:white; padding:1px 8px; "
             f"border-radius:8px; font-weight:bold'>{priv}</span>")
    gap = "<span style='display:inline-block; width:14px'></span>"
    return (f"<div class='vm-stepper-status' style='{MONO}; margin:4px 0'>"
            f"<span class='vm-stepper-pc' style='font-weight:bold'>pc {pc:08x}</span> "
            f"<span style='color:#4C72B0'>{_e(where)}</span>{gap}{badge}{gap}"
            f"<span>{instret} instructions</span>{gap}{state}</div>")


def trap_text(trap: TrapTaken | None, ret: TrapReturn | None = None, symbols=None) -> str:
    """The last trap taken (and the last trap return after it), as text."""
    sym = _symbols(symbols)
    if trap is None:
        out = ['last trap: none yet']
    else:
        out = [f'last trap: {cause_name(trap.cause)} (cause {trap.cause})',
               f'  from {PRIV_NAMES[trap.from_priv]}-mode to {PRIV_NAMES[trap.to_priv]}-mode; '
               f'epc {trap.epc:08x} {sym.describe(trap.epc)}'.rstrip(),
               f'  tval {trap.tval:08x}; handler {trap.handler:08x} {sym.describe(trap.handler)}'
               .rstrip()]
    if ret is not None:
        out.append(f'last return: {ret.instruction} from {PRIV_NAMES[ret.from_priv]}-mode to '
                   f'{PRIV_NAMES[ret.to_priv]}-mode at {ret.pc:08x} {sym.describe(ret.pc)}'.rstrip())
    return '\n'.join(out)


def render_trap(trap: TrapTaken | None, ret: TrapReturn | None = None, symbols=None) -> str:
    """The last trap as HTML (class ``vm-stepper-trap``)."""
    sym = _symbols(symbols)
    if trap is None:
        body = "<div style='color:#888'>last trap: none yet</div>"
    else:
        rows = [('cause', f'{cause_name(trap.cause)} ({trap.cause})'),
                ('from &rarr; to', f'{PRIV_NAMES[trap.from_priv]} &rarr; {PRIV_NAMES[trap.to_priv]}'),
                ('epc', f'{trap.epc:08x} {_e(sym.describe(trap.epc))}'),
                ('tval', f'{trap.tval:08x}'),
                ('handler', f'{trap.handler:08x} {_e(sym.describe(trap.handler))}')]
        body = ("<div style='font-weight:bold'>last trap</div>"
                + ''.join(f"<div><span style='color:#666; display:inline-block; width:6.5em'>"
                          f"{k}</span>{v}</div>" for k, v in rows))
    if ret is not None:
        body += (f"<div style='margin-top:4px'><span style='color:#666'>last return</span> "
                 f"{ret.instruction}: {PRIV_NAMES[ret.from_priv]} &rarr; {PRIV_NAMES[ret.to_priv]}"
                 f" at {ret.pc:08x} {_e(sym.describe(ret.pc))}</div>")
    return f"<div class='vm-stepper-trap' style='{MONO}'>{body}</div>"


def _char(v: int) -> str:
    c = chr(v & 0xFF)
    return repr(c) if c.isprintable() or c in '\n\t' else ''


def event_text(e, symbols=None) -> str:
    """One trace event as text: one line (a trap: two), at most about 96 columns."""
    sym = _symbols(symbols)
    if isinstance(e, Retired):
        return f"#{e.index:<4} {PRIV_NAMES[e.priv]} {e.pc:08x}  {e.text}"
    if isinstance(e, Faulted):
        return (f"#{e.index:<4} {PRIV_NAMES[e.priv]} {e.pc:08x}  {e.text}"
                "   (raises an exception: does not retire)")
    if isinstance(e, RegWrite):
        return f"      {reg_name(e.reg)} = {e.new:08x} (was {e.old:08x})"
    if isinstance(e, MemWrite):
        return f"      mem[{e.addr:08x}] = {e.value:0{2 * e.size}x} ({e.size} byte{'s' * (e.size > 1)})"
    if isinstance(e, PageWalk):
        steps = ' '.join(f'L{s.level}[{s.pte_addr:08x}]={s.pte:08x}' for s in e.steps)
        end = f'pa {e.pa:08x}' if e.fault is None else cause_name(e.fault)
        return f"      page walk: {e.access} va {e.va:08x}: {steps} -> {end}"
    if isinstance(e, DeviceAccess):
        what = 'write' if e.write else 'read'
        extra = f' {_char(e.value)}' if e.device == 'uart' and e.write and e.offset == 0 else ''
        return f"      {e.device} {what} +{e.offset} = {e.value:0{2 * e.size}x}{extra}"
    if isinstance(e, TrapTaken):
        return (f"      TRAP {cause_name(e.cause)} (cause {e.cause}), "
                f"{PRIV_NAMES[e.from_priv]} -> {PRIV_NAMES[e.to_priv]}\n"
                f"           epc {e.epc:08x}, tval {e.tval:08x}, "
                f"handler {e.handler:08x} {sym.describe(e.handler)}").rstrip()
    if isinstance(e, TrapReturn):
        return (f"      {e.instruction}: {PRIV_NAMES[e.from_priv]} -> {PRIV_NAMES[e.to_priv]}, "
                f"pc = {e.pc:08x} {sym.describe(e.pc)}").rstrip()
    if isinstance(e, PrivilegeChange):
        return f"      privilege {PRIV_NAMES[e.old]} -> {PRIV_NAMES[e.new]}"
    if isinstance(e, Halted):
        return f"      HALT {e.reason}, exit status {e.exit_status}"
    return f"      {e!r}"                                         # pragma: no cover


def events_text(events, symbols=None, limit: int = 40) -> str:
    """The events, one per line; only the last ``limit`` lines when there are more."""
    lines = [event_text(e, symbols) for e in events]
    if len(lines) > limit:
        lines = [f'      ... {len(lines) - limit} earlier lines'] + lines[-limit:]
    return '\n'.join(lines) if lines else '(none)'


def render_events(events, symbols=None, limit: int = 40) -> str:
    """The events as HTML (class ``vm-stepper-events``); traps and halts stand out."""
    rows = []
    for line in events_text(events, symbols, limit).split('\n'):
        style = ''
        if 'TRAP' in line or 'HALT' in line:
            style = 'color:#b00020; font-weight:bold;'
        elif line.startswith('#'):
            style = 'color:#1f3b73;'
        elif 'mret' in line or 'sret' in line or 'privilege' in line:
            style = 'color:#8a6d00;'
        rows.append(f"<div style='{style} white-space:pre'>{_e(line)}</div>")
    return (f"<div class='vm-stepper-events' style='{MONO}; max-height:20em; overflow:auto'>"
            f"{''.join(rows)}</div>")


def uart_html(text: str) -> str:
    return (f"<div class='vm-stepper-uart' style='{MONO}'><div style='color:#666'>UART output"
            f"</div><pre style='margin:0; background:#111; color:#9f9; padding:4px 6px; "
            f"min-height:3em; white-space:pre-wrap; overflow-wrap:anywhere'>{_e(text)}</pre>"
            "</div>")


# ---------------------------------------------------------------------------------------------
# the state behind the views


class StepperState:
    """A machine and what the views show about its last move (no widgets here).

    ``make_machine``: a callable returning a fresh machine (``reset`` calls it again).
    ``symbols``: {address: name}, or a callable ``machine -> {address: name}``.
    ``regions``: {label: (physical address, size)} for the memory view, or a callable
    ``machine -> {...}``.
    """

    def __init__(self, make_machine: Callable, symbols=None, regions=None):
        self.make_machine = make_machine
        self._symbols_spec = symbols
        self._regions_spec = regions
        self.reset()

    def reset(self):
        """A fresh machine, back at reset; nothing changed, no events, no trap seen."""
        self.machine = self.make_machine()
        spec = self._symbols_spec
        names = spec(self.machine) if callable(spec) else (spec or self.machine.symbol_names())
        self.symbols = Symbols(names)
        spec = self._regions_spec
        self.regions = dict(spec(self.machine) if callable(spec) else (spec or {}))
        self.region = next(iter(self.regions), None)
        self.events: list = []
        self.changed_regs: list[str] = []
        self.changed_mem: dict[str, set[int]] = {}
        self.last_trap: TrapTaken | None = None
        self.last_return: TrapReturn | None = None
        self.moves = 0
        return self

    @property
    def halted(self):
        return self.machine.hart.halted

    def region_bytes(self, label: str) -> bytes:
        addr, size = self.regions[label]
        return self.machine.read_memory(addr, size)

    def step(self, n: int = 1, until: Callable | None = None) -> list:
        """Execute up to ``n`` instructions (fewer if the machine halts, or once ``until(events
        of one instruction)`` is true); remember what changed. Returns all the events."""
        m = self.machine
        regs_before = m.registers()
        mem_before = {k: self.region_bytes(k) for k in self.regions}
        events = []
        for _ in range(max(0, int(n))):
            if m.hart.halted:
                break
            ev = m.step()
            events += ev
            for e in ev:
                if isinstance(e, TrapTaken):
                    self.last_trap, self.last_return = e, None
                elif isinstance(e, TrapReturn):
                    self.last_return = e
            if until is not None and until(ev):
                break
        self.events = events
        self.changed_regs = changed_registers(regs_before, m.registers())
        self.changed_mem = {}
        for k, old in mem_before.items():
            new = self.region_bytes(k)
            self.changed_mem[k] = {i for i in range(len(new)) if new[i] != old[i]}
        self.moves += 1
        return events

    def run_until(self, kind, max_steps: int = 10_000) -> list:
        """Step until an instruction produces an event of type ``kind`` (a trace class such as
        ``TrapTaken``, or its name ``'TrapTaken'``), or the machine halts."""
        name = kind if isinstance(kind, str) else kind.__name__
        return self.step(max_steps, until=lambda ev: any(type(e).__name__ == name for e in ev))

    def text(self, region: str | None = None, before: int = 3, after: int = 4,
             events: bool = True) -> str:
        """Everything the widget shows, as plain text (``region``: which memory region to dump;
        default the selected one; ``''`` for none)."""
        return stepper_text(self, region=region, before=before, after=after, events=events)

    def html(self) -> dict[str, str]:
        """The widget's panels as HTML: {'status', 'disasm', 'regs', 'mem', 'trap', 'uart',
        'events'}."""
        m, sym = self.machine, self.symbols
        mem = ''
        if self.region is not None:
            addr, _ = self.regions[self.region]
            mem = render_memory(addr, self.region_bytes(self.region),
                                self.changed_mem.get(self.region, ()), title=self.region)
        return {
            'status': render_status(m.pc, m.priv, m.hart.instret, m.hart.halted, sym),
            'disasm': render_disassembly(disassembly_lines(m, sym)),
            'regs': render_registers(m.registers(), self.changed_regs),
            'mem': mem,
            'trap': render_trap(self.last_trap, self.last_return, sym),
            'uart': uart_html(m.output),
            'events': render_events(self.events, sym),
        }


def stepper_text(state, region: str | None = None, before: int = 3, after: int = 4,
                 events: bool = True) -> str:
    """The stepper's view as plain text, for a :class:`StepperState` or a bare machine.

    For a bare machine nothing is known about its last move: no changed registers, no events,
    and the last trap is read from mcause/mepc/mtval (when mcause is not 0)."""
    if not isinstance(state, StepperState):
        m = state
        names = m.symbol_names()
        trap = None
        if m.csr('mcause') or m.csr('mepc'):
            trap = TrapTaken(m.csr('mcause'), m.csr('mtval'), m.csr('mepc'), -1, 3, m.csr('mtvec'))
        view = dict(machine=m, symbols=Symbols(names), changed_regs=[], events=None,
                    last_trap=trap, last_return=None, regions={}, changed_mem={}, region=None)
    else:
        view = vars(state)
    m, sym = view['machine'], view['symbols']
    out = [status_text(m.pc, m.priv, m.hart.instret, m.hart.halted, sym), '']
    out.append(disassembly_text(disassembly_lines(m, sym, before, after)))
    out.append('')
    out.append('registers (* = changed by the last move):' if view['events'] is not None
               else 'registers:')
    out.append(registers_text(m.registers(), view['changed_regs']))
    region = view['region'] if region is None else region
    if region:
        addr, _ = view['regions'][region]
        out.append('')
        out.append(f'memory: {region}')
        out.append(memory_text(addr, m.read_memory(addr, view['regions'][region][1]),
                               view['changed_mem'].get(region, ())))
    out.append('')
    trap = view['last_trap']
    if trap is not None and trap.from_priv == -1:      # from the CSRs: origin unknown
        out.append(f'mcause {trap.cause} ({cause_name(trap.cause)}), mepc {trap.epc:08x}, '
                   f'mtval {trap.tval:08x}')
    else:
        out.append(trap_text(trap, view['last_return'], sym))
    out.append(f'uart: {m.output!r}')
    if events and view['events'] is not None:
        out.append('events of the last move:')
        out.append(events_text(view['events'], sym))
    return '\n'.join(out)


# ---------------------------------------------------------------------------------------------
# the widget


class Stepper:
    """The machine stepper widget. Display it as a cell's last value.

    ``Stepper(make_machine, symbols=..., regions=..., run_n=10)``; ``make_machine`` returns a
    fresh machine (Reset calls it again). The Python methods :meth:`step`, :meth:`run_until`
    and :meth:`reset` drive the same state as the buttons and refresh the view.
    """

    def __init__(self, make_machine: Callable, symbols=None, regions=None, run_n: int = 10):
        import ipywidgets as w

        self.state = StepperState(make_machine, symbols, regions)
        (self.step_button, self.run_button, self.n,
         self.reset_button) = step_controls('stepper', 'instruction', run_n, 100_000,
                                            'a fresh machine at reset', self.step, self.reset)
        self.region = w.Dropdown(options=list(self.state.regions), description='memory',
                                 layout=w.Layout(width='100%', max_width='420px'))
        self.panels = {k: w.HTML() for k in ('status', 'disasm', 'regs', 'mem', 'trap', 'uart',
                                             'events')}
        self.region.add_class('vm-stepper-region')
        for k, panel in self.panels.items():
            panel.add_class(f'vm-stepper-{k}-panel')
        self.region.observe(self._choose_region, names='value')
        p, box = self.panels, panel_box
        # Registers and memory as wide as their content, never squeezed (a squeezed panel
        # clips its last column); code and last trap take the room left and wrap their long
        # lines, so that the layout stays put while stepping. At 1280 px with the file browser
        # open (an output 848 px wide) code + registers (4 columns) and memory (16 bytes and
        # their text) + last trap fit side by side; a narrower output wraps a row.
        self.widget = live_box([
            panel_row([self.step_button, self.run_button, self.n, self.reset_button]),
            p['status'],
            panel_row([box([w.HTML("<b>code</b>"), p['disasm']], flex='1 1 0%',
                           min_width='300px'),
                       box([w.HTML("<b>registers</b>"), p['regs']], flex='0 0 auto')]),
            panel_row([box([self.region, p['mem']], flex='0 0 auto'),
                       box([p['trap'], p['uart']], flex='1 1 240px', min_width='240px')]),
            box([w.HTML("<b>events of the last move</b>"), p['events']]),
        ], 'Machine stepper')
        self.widget.add_class('vm-stepper')
        self.refresh()

    @property
    def machine(self):
        return self.state.machine

    def step(self, n: int = 1, until=None):
        events = self.state.step(n, until)
        self.refresh()
        return events

    def run_until(self, kind, max_steps: int = 10_000):
        events = self.state.run_until(kind, max_steps)
        self.refresh()
        return events

    def reset(self):
        region = self.state.region
        self.state.reset()
        if region in self.state.regions:
            self.state.region = region
        self.refresh()

    def text(self, **kw) -> str:
        return self.state.text(**kw)

    def _choose_region(self, change):
        if change['new'] in self.state.regions:
            self.state.region = change['new']
            self.refresh()

    def refresh(self):
        for k, value in self.state.html().items():
            self.panels[k].value = value
        halted = bool(self.state.halted)
        self.step_button.disabled = self.run_button.disabled = halted
        if self.state.region is not None and self.region.value != self.state.region:
            self.region.value = self.state.region

    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)


# ---------------------------------------------------------------------------------------------
# a whole run at a glance


def draw_privilege_timeline(events, title: str = 'who runs when'):
    """A matplotlib Figure: the privilege level of each retired instruction over time, with the
    traps (red: cause name) and returns (green) that move between levels."""
    from ._course_common import new_figure

    levels = {0: 0, 1: 1, 3: 2}
    xs, ys = [], []
    traps, returns, halt = [], [], None
    n = 0
    for e in events:
        if isinstance(e, Retired):
            n = e.index + 1
            xs.append(n)
            ys.append(levels[e.priv])
        elif isinstance(e, TrapTaken):
            traps.append((n + 1, e))
        elif isinstance(e, TrapReturn):
            returns.append((n, e))
        elif isinstance(e, Halted):
            halt = (n, e)
    fig = new_figure(8.3, 2.8)
    ax = fig.add_subplot(1, 1, 1)
    ax.step(xs, ys, where='post', color='#4C72B0', lw=1.5)
    ax.set_yticks([0, 1, 2], ['U', 'S', 'M'])
    ax.set_ylim(-0.6, 2.9)
    ax.set_xlabel('instructions retired')
    ax.set_title(title, fontsize=10)
    seen = set()
    for x, e in traps:
        ax.plot([x], [levels[e.to_priv]], 'v', color='#b00020')
        name = cause_name(e.cause)
        if name not in seen:
            seen.add(name)
            ax.annotate(name, (x, levels[e.to_priv]), xytext=(4, 6 + 10 * (len(seen) % 2 == 0)),
                        textcoords='offset points', fontsize=8, color='#b00020')
    for x, e in returns:
        ax.plot([x], [levels[e.to_priv]], '^', color='#1a7f37')
    if returns:
        x, e = returns[0]
        ax.annotate(e.instruction, (x, levels[e.to_priv]), xytext=(4, -12),
                    textcoords='offset points', fontsize=8, color='#1a7f37')
    if halt:
        ax.annotate(f'{halt[1].reason} ({halt[1].exit_status})', (halt[0], ys[-1] if ys else 0),
                    xytext=(-60, 6), textcoords='offset points', fontsize=8)
    ax.grid(axis='x', alpha=0.3)
    fig.tight_layout()
    return fig
