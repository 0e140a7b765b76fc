"""Chapter 08: a booted Linux's console in the notebook: type a command, see the answer.

:class:`LinuxShellWidget` wraps a ``vmlib.guest.linux`` shell (a ``Session`` on the machine, or
a ``GuestShell`` under a hypervisor): a text box (Enter runs the line), a screen (the last
lines of the console) and a status line with the instructions the machine ran for it.
``poweroff`` switches the machine off and the box with it. Without a booted Linux (``None``:
the kernel is not built) it says so and how to build it.

CSS classes for tests: ``vm-shell`` (the widget), ``vm-shell-input`` (the text box),
``vm-shell-screen`` (a ``pre``), ``vm-shell-status`` (``data-commands``,
``data-instructions``, ``data-state``: ``ready``, ``off`` or ``missing``).
"""

from __future__ import annotations

import html

SCREEN_LINES = 18


class LinuxShellWidget:
    def __init__(self, shell, lines=SCREEN_LINES):
        import ipywidgets as w
        from ._course_common import live_box
        self.shell, self.lines, self.commands = shell, lines, 0
        self.input = w.Text(placeholder='a command, then Enter: help, uname, cat /proc/cpuinfo,'
                                        ' count 100000, poweroff',
                            continuous_update=False, layout=w.Layout(width='560px'))
        self.input.add_class('vm-shell-input')
        self.screen, self.status = w.HTML(), w.HTML()
        self.input.observe(lambda change: self.submit(change['new']), names='value')
        self.widget = live_box([self.input, self.screen, self.status], 'Linux shell')
        self.widget.add_class('vm-shell')
        self.show()

    def submit(self, line):
        if line:
            self.type(line)
            self.input.value = ''

    def type(self, line):
        """Type ``line`` at the prompt; return the shell's answer ('' when there is no shell)."""
        if not self.running():
            return ''
        self.commands += 1
        if line.strip() == 'poweroff':
            self.shell.poweroff()
            answer = ''
        else:
            answer = self.shell.command(line)
        self.show()
        return answer

    def running(self):
        return self.shell is not None and self.shell.stopped() is None

    def text(self):
        """The screen, as text: the console's last lines."""
        if self.shell is None:
            return 'Linux is not built on this computer: run `make linux` (see linux/build.py).'
        console = self.shell.console.replace('\r\n', '\n')
        return '\n'.join(console.split('\n')[-self.lines:])

    def show(self):
        if self.shell is None:
            state, count = 'missing', 0
        else:
            state = 'ready' if self.running() else 'off'
            count = self.shell.instructions()
        self.input.disabled = state != 'ready'
        if state == 'ready':
            note = f'{count:,} instructions so far'
        elif state == 'off':
            reason, status = self.shell.stopped()
            note = f'{reason} after {count:,} instructions, exit status {status}'
        else:
            note = 'no kernel: nothing runs'
        self.screen.value = (f"<pre class='vm-shell-screen' style='font-size:12px; "
                             f"max-height:{self.lines * 15}px; overflow:auto; margin:0'>"
                             f"{html.escape(self.text())}</pre>")
        self.status.value = (f"<div class='vm-shell-status' data-state='{state}' "
                             f"data-commands='{self.commands}' data-instructions='{count}' "
                             f"style='font-size:12px'>{html.escape(note)}</div>")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return repr(self.widget)
