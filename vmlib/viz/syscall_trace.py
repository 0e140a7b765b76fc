"""Chapter 05: run a RISC-V program here and watch its system calls appear.

:class:`SyscallTraceWidget`: pick a guest program, type its arguments and its standard input,
press Run; each system call is added to the trace as the process VM serves it (the program's
output too), then the exit status. :func:`trace_html` / :meth:`GuestRun.text` are the same
view as HTML and as text.

CSS classes for tests: ``vm-strace`` (the widget), ``vm-strace-program`` (dropdown),
``vm-strace-args`` (text), ``vm-strace-stdin`` (text area), ``vm-strace-run`` (button),
``vm-strace-status`` (the status line), ``vm-strace-lines`` (the trace; each call is a
``div.vm-strace-line`` with ``data-name`` = the call's name, failed ones also
``vm-strace-error``), ``vm-strace-stdout``, ``vm-strace-stderr``.
"""
from __future__ import annotations

import html

MONO = ('font-family:SFMono-Regular,Menlo,Consolas,DejaVu Sans Mono,monospace; font-size:12px; '
        'line-height:1.35')


def _e(text) -> str:
    return html.escape(str(text))


def line_html(record) -> str:
    """One system call as a line of the trace (a long one wrapped as ``--strace`` text is in
    the chapter: to the course's width, continued four columns in)."""
    from ..course.text import fit

    cls = 'vm-strace-line' + (' vm-strace-error' if record.error else '')
    color = '#b00020' if record.error else '#222'
    return (f"<div class='{cls}' data-name='{_e(record.name)}' style='white-space:pre; "
            f"color:{color}'>{_e(fit(str(record), hang=4))}</div>")


def lines_html(records, notes=()) -> str:
    body = ''.join(line_html(r) for r in records)
    body += ''.join(f"<div class='vm-strace-note' style='color:#8a6d00'>{_e(n)}</div>"
                    for n in notes)
    return (f"<div class='vm-strace-trace' style='{MONO}; max-height:22em; overflow:auto; "
            f"background:#fafafa; border:1px solid #ddd; padding:4px'>{body or '&nbsp;'}</div>")


def output_html(label: str, data: bytes, cls: str) -> str:
    text = data.decode('utf-8', 'replace')
    return (f"<div class='{cls}-box' style='{MONO}'><div style='color:#666'>{_e(label)}</div>"
            f"<pre style='margin:0; background:#111; color:#9f9; padding:4px 6px; "
            f"min-height:1.5em; max-height:14em; overflow:auto'>{_e(text)}</pre></div>")


def status_html(text: str, ok: bool | None = None) -> str:
    color = {True: '#1a7f37', False: '#b00020', None: '#555'}[ok]
    return f"<div style='{MONO}; color:{color}; font-weight:bold'>{_e(text)}</div>"


def status_text(run) -> str:
    r = run.result
    text = (f'exit status {r.exit_status} ({r.reason}): {r.instructions:,} instructions, '
            f'{len(run.syscalls)} system calls')
    if r.reason not in ('exit',):
        text += f' -- {r.message}'
    return text


def trace_html(run) -> dict:
    """The panels for a finished run: status, trace, stdout, stderr."""
    return {'status': status_html(status_text(run), run.result.reason == 'exit'),
            'lines': lines_html(run.syscalls, run.notes),
            'stdout': output_html('stdout', run.stdout, 'vm-strace-stdout'),
            'stderr': output_html('stderr', run.stderr, 'vm-strace-stderr')}


class SyscallTraceWidget:
    """Run a guest program and watch its system calls. Display it as a cell's last value.

    ``programs``: {name: (example arguments, example stdin)} (default:
    ``ch05.TRACE_PROGRAMS``). Choosing a program fills in its example arguments and input;
    :meth:`run` does what the Run button does.
    """

    def __init__(self, programs=None, program: str = 'hello'):
        import ipywidgets as w

        from ._course_common import live_box
        from ..course import ch05

        self._ch05 = ch05
        self.programs = dict(programs or ch05.TRACE_PROGRAMS)
        self.program = w.Dropdown(options=list(self.programs), value=program,
                                  description='program')
        self.args = w.Text(description='arguments', placeholder='as in a shell: a "b c"',
                           layout=w.Layout(width='360px'))
        self.stdin = w.Textarea(description='stdin', layout=w.Layout(width='420px',
                                                                     height='4.5em'))
        self.run_button = w.Button(description='Run', icon='play', button_style='primary',
                                   tooltip='run the program in the process VM')
        self.status = w.HTML()
        self.lines = w.HTML()
        self.stdout = w.HTML()
        self.stderr = w.HTML()
        for wdg, cls in ((self.program, 'vm-strace-program'), (self.args, 'vm-strace-args'),
                         (self.stdin, 'vm-strace-stdin'), (self.run_button, 'vm-strace-run'),
                         (self.status, 'vm-strace-status'), (self.lines, 'vm-strace-lines'),
                         (self.stdout, 'vm-strace-stdout'), (self.stderr, 'vm-strace-stderr')):
            wdg.add_class(cls)
        self.program.observe(lambda ch: self.choose(ch['new']), names='value')
        self.run_button.on_click(lambda _: self.run())
        self.widget = live_box([
            w.HBox([self.program, self.args, self.run_button]),
            self.stdin,
            self.status,
            w.HTML("<b>system calls</b> (as <code>--strace</code> prints them)"),
            self.lines,
            self.stdout,        # one above the other: each line of output at full width
            self.stderr,
        ], 'System-call trace')
        self.widget.add_class('vm-strace')
        self.last = None
        self.choose(program)

    def choose(self, name):
        args, stdin = self.programs[name]
        self.args.value = ' '.join(_quote(a) for a in args)
        self.stdin.value = stdin
        self.status.value = status_html(f'{name}: press Run')
        self.lines.value = lines_html([])
        self.stdout.value = output_html('stdout', b'', 'vm-strace-stdout')
        self.stderr.value = output_html('stderr', b'', 'vm-strace-stderr')

    def run(self):
        """Run the chosen program with the arguments and input typed; returns the GuestRun."""
        name = self.program.value
        try:
            args = self._ch05.split_args(self.args.value)
        except ValueError as e:
            self.status.value = status_html(str(e), False)
            return None
        records, out, err = [], bytearray(), bytearray()
        self.run_button.disabled = True
        self.status.value = status_html(f'running guests/{name}.elf ...')
        self.lines.value = lines_html([])

        def on_syscall(record):
            records.append(record)
            self.lines.value = lines_html(records)

        def on_output(fd, data):
            (out if fd == 1 else err).extend(data)
            if fd == 1:
                self.stdout.value = output_html('stdout', bytes(out), 'vm-strace-stdout')
            else:
                self.stderr.value = output_html('stderr', bytes(err), 'vm-strace-stderr')

        try:
            run = self._ch05.run_guest(name, args, self.stdin.value, on_syscall=on_syscall,
                                       on_output=on_output)
        except Exception as e:        # a bad ELF, arguments too long: say it, no traceback
            self.status.value = status_html(f'cannot run {name}: {e}', False)
            self.run_button.disabled = False
            return None
        for k, v in trace_html(run).items():
            getattr(self, k).value = v
        self.run_button.disabled = False
        self.last = run
        return run

    def text(self) -> str:
        return self.last.text() if self.last else '(not run yet)'

    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)


def _quote(arg: str) -> str:
    import shlex
    return shlex.quote(arg)
