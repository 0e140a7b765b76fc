r"""Linux on the course machine: find the kernels `make linux` built, boot them, talk to their
shell, and see where a boot's instructions go.

Two builds (linux/build.py): ``bare`` runs in M-mode without an MMU, alone on the machine, as
QEMU's ``-bios none`` runs it; ``guest`` runs in S-mode with Sv32 paging and asks the firmware
(or a hypervisor) through the SBI. Nothing is faked when the kernel is missing: ``image`` raises
``LinuxNotBuilt``, whose message says how to build it.

    >>> s = Session('bare', engine='dbt')          # doctest: +SKIP
    >>> s.boot()                                    # doctest: +SKIP
    Boot(prompt, instructions=11,200,000, seconds=5.3)
    >>> s.command('uname')                          # doctest: +SKIP
    'Linux 6.12.118 #1 Thu Jan  1 00:00:00 UTC 2026 riscv32\n'
"""

import bisect
import os
import time
from pathlib import Path

from ..asm import assemble
from ..asm.program import Section
from ..machine import Machine
from ..machine.bus import RAM_BASE
from ..machine.loader import LoadedProgram

BUILD_DIR = Path(os.environ.get('VMLIB_LINUX_DIR')
                 or Path(__file__).resolve().parents[2] / 'build' / 'linux')
BUILDS = ('bare', 'guest')
GUEST_DIR = Path(__file__).resolve().parent
# Where the guest build goes: above the firmware's 4 MiB, on a 4 MiB boundary, as RV32 Linux
# maps itself with 4 MiB megapages (OpenSBI's fw_jump puts it at the same place).
GUEST_KERNEL_BASE = RAM_BASE + (4 << 20)
PROMPT = '# '
BOOT_BUDGET = 200_000_000           # instructions: a boot that has not reached the prompt by
COMMAND_BUDGET = 100_000_000        # then is stuck; a command likewise
CHUNK = 200_000                     # instructions between looks at the console


class LinuxNotBuilt(FileNotFoundError):
    """The kernel image is not there: say where it was looked for and how to build it."""


def image(build='bare', kind='vmlinux'):
    """The path of a built kernel file (``vmlinux``, ``Image``, ``System.map``)."""
    if build not in BUILDS:
        raise ValueError(f'unknown Linux build {build!r}: one of {", ".join(BUILDS)}')
    path = BUILD_DIR / build / kind
    if not path.exists():
        raise LinuxNotBuilt(
            f'no Linux {build} build at {path}: run `make linux` (Debian or Ubuntu: it installs '
            'the kernel source and cross compiler with apt-get; elsewhere see linux/build.py)')
    return path


def available(build='bare'):
    try:
        image(build)
        return True
    except LinuxNotBuilt:
        return False


def machine(build='bare', **kw):
    """A machine at reset with the kernel loaded (``kw`` as ``Machine`` takes them): the bare
    build alone; the guest build above the course firmware (``GuestImage``)."""
    kw['device_tree'] = True                        # Linux finds its machine there
    if build == 'bare':
        return Machine.from_elf(str(image(build)), **kw)
    guest = GuestImage(build)
    m = Machine(reserved=guest.reserved, **kw)
    m.load(LoadedProgram(guest.entry, [(s.address, s.data, len(s.data)) for s in guest.sections],
                         guest.symbols))
    return m


class GuestImage:
    """The guest build as a machine or a hypervisor boots it, in the shape of an assembled
    program (``sections``, ``symbols``, ``entry``): the course firmware, assembled to pass the
    device tree on and to enter the kernel at ``GUEST_KERNEL_BASE``, and the kernel's Image
    there. ``reserved``: the firmware's RAM, which the device tree keeps Linux off; a
    hypervisor seeing it gives the guest a device tree in a1 (its VMM plays the firmware)."""

    def __init__(self, build='guest'):
        kernel = image(build, 'Image').read_bytes()
        firmware = assemble((GUEST_DIR / 'firmware.s').read_text(), 'firmware.s', defsym={
            'kernel_entry': GUEST_KERNEL_BASE, 'PASS_FDT': 1})
        self.name, self.firmware = f'linux-{build}', firmware
        self.sections = [*firmware.sections, Section('linux', GUEST_KERNEL_BASE, kernel)]
        self.symbols = {**firmware.symbols, 'kernel_entry': GUEST_KERNEL_BASE}
        self.entry = firmware.entry
        self.reserved = [(RAM_BASE, GUEST_KERNEL_BASE - RAM_BASE)]


class Boot:
    """What a boot to the prompt took."""

    def __init__(self, instructions, seconds, console, reached):
        self.instructions, self.seconds = instructions, seconds
        self.console, self.reached = console, reached

    def __repr__(self):
        return (f'Boot({"prompt" if self.reached else "no prompt"}, '
                f'instructions={self.instructions:,}, seconds={self.seconds:.1f})')


class Shell:
    """A Linux console to talk to: boot to the prompt, type a command, read the answer, power
    off. Subclasses say how to run the machine a little (``advance``) and where its UART is;
    the run pauses every ``CHUNK`` instructions to look for the prompt."""

    uart = None

    def advance(self, n):
        """Run about ``n`` more instructions; False once the machine has stopped."""
        raise NotImplementedError

    def instructions(self):
        """Instructions retired so far (the guest's, under a hypervisor)."""
        raise NotImplementedError

    def stopped(self):
        """``(reason, exit status)`` once the machine has stopped, else None."""
        raise NotImplementedError

    @property
    def console(self):
        return self.uart.text()

    def _run_until_prompt(self, budget, since=0):
        """Run until the console, grown past ``since`` bytes, ends with the prompt (True), or
        the machine stops or the budget is spent (False)."""
        start = self.instructions()
        while self.instructions() - start < budget:
            going = self.advance(CHUNK)
            if len(self.uart.output) > since and self.console.endswith(PROMPT):
                return True
            if not going:
                return False
        return False

    def boot(self, budget=BOOT_BUDGET):
        started = time.perf_counter()
        reached = self._run_until_prompt(budget)
        return Boot(self.instructions(), time.perf_counter() - started, self.console, reached)

    def command(self, line, budget=COMMAND_BUDGET):
        """Type ``line`` and Enter; return what the shell printed before its next prompt
        (the echoed line removed)."""
        before = len(self.uart.output)
        self.uart.feed(line.encode() + b'\n')
        self._run_until_prompt(budget, since=before)
        text = self.uart.output[before:].decode('utf-8', 'replace').replace('\r\n', '\n')
        echoed = line + '\n'
        if text.startswith(echoed):
            text = text[len(echoed):]
        return text[:-len(PROMPT)] if text.endswith(PROMPT) else text

    def poweroff(self, budget=COMMAND_BUDGET):
        """Type ``poweroff`` and run until the machine stops (or the budget is spent); True
        when it powered off with status 0."""
        self.uart.feed(b'poweroff\n')
        start = self.instructions()
        while self.instructions() - start < budget and self.advance(CHUNK):
            pass
        return self.stopped() == ('poweroff', 0)


class Session(Shell):
    """Linux on the course machine itself (``machine(build)``). ``output``: a callable(str)
    that sees the console as it is written (a notebook streams the boot this way)."""

    def __init__(self, build='bare', engine='dbt', output=None, **kw):
        self.m = machine(build, engine=engine,
                         uart_output=(lambda b: output(b.decode('utf-8', 'replace')))
                         if output else None, **kw)
        self.build, self.uart = build, self.m.uart

    def advance(self, n):
        return self.m.run(n).reason == 'budget'

    def instructions(self):
        return self.m.hart.instret

    def stopped(self):
        halted = self.m.hart.halted
        return (halted[0], halted[1]) if halted else None


def held_until_listening(uart, source):
    """An input source that gives nothing until Linux's serial driver listens (sets the
    received-data interrupt enable, when /init opens the console). Piped input would
    otherwise be read at the first printk's status poll and discarded by the driver's FIFO
    reset."""
    def held():
        return source() if uart.regs[1] & uart.IER_ERBFI else b''
    return held


def functions(build='bare'):
    """The kernel's text symbols from System.map: sorted ``(address, name)``."""
    rows = []
    for line in image(build, 'System.map').read_text().splitlines():
        address, kind, name = line.split()[:3]
        if kind in 'tTwW':
            rows.append((int(address, 16), name))
    return sorted(rows)


# Helpers a profile charges to their caller as well ("memset (from __init_single_page)"):
# alone they say what was done, not what for. They are leaf functions: ra holds the caller.
LEAVES = ('memset', 'memcpy', 'memmove', 'memcmp', 'strlen', 'strcmp')


def boot_profile(build='bare', engine='dbt', every=1000, budget=BOOT_BUDGET):
    """Where a boot's instructions go, by kernel function: the pc sampled every ``every``
    instructions from reset to the prompt (as ``perf record`` samples). Returns
    ``(samples by function name, total samples)``; ``every`` x samples ~ instructions."""
    table = functions(build)
    addresses = [a for a, _ in table]

    def name_at(pc):
        i = bisect.bisect_right(addresses, pc) - 1
        return table[i][1] if i >= 0 else '(outside the kernel)'
    session = Session(build, engine=engine)
    m, counts, total = session.m, {}, 0
    while m.hart.instret < budget:
        going = session.advance(every)
        if m.priv == 'U':
            name = '(user: the shell)'
        else:
            name = name_at(m.pc)
            if name in LEAVES:
                name = f'{name} (from {name_at(m.reg("ra"))})'
        counts[name] = counts.get(name, 0) + 1
        total += 1
        if session.console.endswith(PROMPT) or not going:
            break
    return counts, total
