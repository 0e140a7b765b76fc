"""The process VM: a tiny operating system, written in Python, for one RISC-V Linux program.

    >>> vm = ProcessVM('hello.elf', ['hello', 'world'], capture=True)   # doctest: +SKIP
    >>> result = vm.run()                                               # doctest: +SKIP
    >>> result.exit_status, vm.stdout                                   # doctest: +SKIP
    (0, b'hello, world\\n')

How it works. The program runs on the course machine's hart, unchanged, in **U-mode with
Sv32 paging**: the process VM builds the page tables in the machine's RAM (``memory.py``),
loads the ELF's segments and the initial stack (``loader.py``), points ``satp`` at the tables,
drops to U-mode at the entry point, and installs itself as the hart's ``trap_hook``. The
engine (``vmlib.machine.ENGINES``) then runs user code at full speed; only traps come back
here:

- ``ecall`` from U-mode (cause 8) is a **system call**: ``a7`` = number, ``a0``-``a5`` =
  arguments, the result in ``a0`` (``syscalls.py``);
- a **page fault** (12, 13, 15) inside a region is demand paging: a zeroed frame is mapped and
  the instruction runs again; outside a region, or against its permissions, it is SIGSEGV;
- an illegal instruction is SIGILL, a misaligned atomic or jump SIGBUS, ``ebreak`` SIGTRAP.

A fatal signal ends the run as a shell would show it: exit status 128 + signal (139 for
SIGSEGV) and a message such as ``segmentation fault (SIGSEGV): store to unmapped address
0x00000000 at pc=0x000101f4``.
"""

import io
import os
import random
import time
from collections import Counter

from ..machine import Machine, ENGINES
from ..machine.bus import DEFAULT_RAM_SIZE
from ..machine.frames import OutOfFrames
from ..machine.loader import ElfError
from ..machine.traps import U, INTERRUPT, cause_name
from . import linux as L
from .files import FdTable, Sandbox, HostStream, BufferInput, SinkOutput, SysError
from .loader import read_elf, load, build_stack, LaunchError
from .memory import AddressSpace, GuestFault
from .strace import SyscallRecord, format_call
from .syscalls import HANDLERS, Kernel, Exit, Deadlock, UID, GID

DEFAULT_MAX_STEPS = 1_000_000_000
DEFAULT_SEED = 0
EXIT_BUDGET, EXIT_LOAD, EXIT_STUCK = 124, 2, 125

_ACCESS = {12: ('instruction fetch from', L.PROT_EXEC), 13: ('load from', L.PROT_READ),
           15: ('store to', L.PROT_WRITE), 1: ('instruction fetch from', L.PROT_EXEC),
           5: ('load from', L.PROT_READ), 7: ('store to', L.PROT_WRITE)}


class ProcessResult:
    """How a run ended.

    ``reason``: ``'exit'`` (the program exited; ``exit_status`` is its status), ``'signal'``
    (killed: ``signal`` is the number, ``exit_status`` 128 + it), ``'budget'`` (the step
    budget ran out: 124), ``'deadlock'`` or ``'error'`` (125), ``'load-error'`` (2).
    """

    def __init__(self, reason, exit_status, instructions, syscalls, message='', signal=None,
                 page_faults=0, stdout=None, stderr=None):
        self.reason = reason
        self.exit_status = exit_status
        self.instructions = instructions
        self.syscalls = syscalls            # Counter: name -> calls
        self.message = message
        self.signal = signal
        self.page_faults = page_faults
        self.stdout = stdout                # bytes when captured, else None
        self.stderr = stderr

    @property
    def signal_name(self):
        return L.signal_name(self.signal) if self.signal else None

    def __repr__(self):
        extra = f', signal={self.signal_name}' if self.signal else ''
        return (f'ProcessResult({self.reason!r}, exit_status={self.exit_status}{extra}, '
                f'instructions={self.instructions}, syscalls={sum(self.syscalls.values())})')


class ProcessVM:
    """One guest process: its machine, address space, files and system calls.

    ``elf``: a path or the bytes of a static RV32 executable. ``argv``: the full argument list
    (``argv[0]`` included; default: the path as given). ``env``: a dict or ``['K=V', ...]``
    (default: empty, for reproducible runs; the command line passes the host's). ``root``: the
    sandbox directory (default: the current directory). ``stdin``: None (the host's fd 0),
    or bytes/str to read from; ``stdout``/``stderr``: None (the host's fds 1 and 2) or a
    callable taking bytes, or a binary file; ``capture=True`` collects both in ``.stdout`` and
    ``.stderr`` (and makes stdin empty unless given). ``strace``: a callable receiving each
    ``--strace`` line; ``trace=True`` keeps every call as a ``SyscallRecord`` in ``.trace``
(``trace=callable`` hands each record to it instead, e.g. to draw it live).
    ``engine`` runs the user code: a name of ``vmlib.machine.ENGINES`` ('interp' or 'dbt') or
    an ``Engine`` subclass of your own. ``seed`` seeds ``getrandom`` and ``AT_RANDOM``.

    Raises ``ElfError`` (bad executable) or ``LaunchError`` (cannot start) with a one-line
    reason; once built, ``run`` never raises for anything the guest does.
    """

    def __init__(self, elf, argv=None, env=None, root='.', engine='interp', *, stdin=None,
                 stdout=None, stderr=None, capture=False, strace=None, trace=False,
                 seed=DEFAULT_SEED, ram_size=DEFAULT_RAM_SIZE):
        if isinstance(elf, (bytes, bytearray, memoryview)):
            data, what = bytes(elf), 'program'
        else:
            what = os.fspath(elf)
            try:
                with open(what, 'rb') as f:
                    data = f.read()
            except OSError as e:
                raise ElfError(f'{what}: {e.strerror or e}') from None
        self.path = what
        self.image = read_elf(data, what)
        if isinstance(engine, str) and engine not in ENGINES:
            raise LaunchError(f'unknown engine {engine!r} (choose from {", ".join(ENGINES)})')
        self.engine_choice = engine
        if isinstance(argv, (str, bytes)):
            argv = [argv]
        self.argv = list(argv) if argv is not None else [what]
        if isinstance(env, dict):
            env = [f'{k}={v}' for k, v in env.items()]
        self.env = list(env or [])
        self.seed = seed
        self.rng = random.Random(seed)

        self.machine = Machine(ram_size=ram_size)
        self.hart = self.machine.hart
        self.space = AddressSpace(self.machine)
        try:
            self.sandbox = Sandbox(root)
        except OSError as e:
            raise LaunchError(str(e)) from None
        self.fds = FdTable()
        self._captured = None
        if capture:
            self._captured = {1: bytearray(), 2: bytearray()}
            stdout = stdout or self._captured[1].extend
            stderr = stderr or self._captured[2].extend
            if stdin is None:
                stdin = b''
        self.fds.add(_input(stdin))
        self.fds.add(_output(stdout, 1))
        self.fds.add(_output(stderr, 2))

        try:
            load(self.space, self.image)
            sp, self.auxv, self.stack_layout = build_stack(
                self.space, self.image, self.argv, self.env, self.rng.randbytes(16),
                self.argv[0] if self.argv else what, (UID, GID))
        except OutOfFrames:
            raise LaunchError('not enough memory in the machine for the program') from None
        self.kernel = Kernel(self)
        self.space.activate()
        h = self.hart
        h.x[2] = sp
        h.pc = self.image.entry
        h.mcounteren = h.scounteren = 0x7          # rdcycle, rdtime, rdinstret work in U
        h.set_priv(U)
        h.trap_hook = self._trap
        self.engine = h.use_engine(self.engine_choice)
        self.space.on_change = self.engine.invalidate

        self.strace = strace
        self.trace = [] if trace is True else None
        self.on_syscall = trace if callable(trace) else None
        self.syscall_counts = Counter()
        self.unimplemented = Counter()
        self.result = None
        self.error = None                            # an internal error, kept for debugging
        self.elapsed = 0.0

    @classmethod
    def from_source(cls, source, argv=None, env=None, root='.', engine='interp', **kw):
        """A process running an assembly program (vmlib's assembler, linked at 0x10000)."""
        from ..asm import assemble
        program = assemble(source, filename=kw.pop('filename', '<program>'), base=0x10000)
        return cls(program.to_elf(), argv if argv is not None else ['a.out'], env, root, engine,
                   **kw)

    # --- running ------------------------------------------------------------------------------

    def run(self, max_steps=DEFAULT_MAX_STEPS):
        """Run until the program exits or dies, or ``max_steps`` more instructions retire."""
        if self.result is not None and self.result.reason != 'budget':
            return self.result
        h = self.hart
        start = h.instret
        started = time.perf_counter()
        try:
            h.run(max_steps)
        except Exception as e:      # a bug of the VM itself: report it, never a traceback
            self.error = e
            h.halt('error', EXIT_STUCK, f'internal error: {type(e).__name__}: {e}')
        self.elapsed += time.perf_counter() - started
        if h.halted:
            reason, status, message = h.halted
            signal = self._signal if reason == 'signal' else None
        else:
            reason, status, signal = 'budget', EXIT_BUDGET, None
            message = (f'step budget exhausted: {h.instret - start:,} instructions without '
                       f'the program exiting (pc=0x{h.pc:08x})')
        self.result = ProcessResult(reason, status, h.instret, Counter(self.syscall_counts),
                                    message, signal, self.space.page_faults, self.stdout,
                                    self.stderr)
        if reason != 'budget':
            self.close()
        return self.result

    def close(self):
        """Close the host files the guest left open (the run is over)."""
        for fd in list(self.fds.files):
            f = self.fds.files.pop(fd)
            if f not in self.fds.files.values():
                f.close()

    @property
    def stdout(self):
        """What the program wrote to fd 1, when captured (bytes), else None."""
        return bytes(self._captured[1]) if self._captured else None

    @property
    def stderr(self):
        return bytes(self._captured[2]) if self._captured else None

    # --- traps: system calls, page faults, signals ------------------------------------------

    def _trap(self, cause, tval):
        h = self.hart
        try:
            if cause == 8:
                self._syscall()
                return True
            if cause & INTERRUPT:
                return True                      # nothing interrupts a process VM's hart
            if cause in (12, 13, 15):
                what, need = _ACCESS[cause]
                why = self.space.handle_fault(tval, need)
                if why is None:
                    key = (h.instret, h.pc, tval)
                    self._faults_here = self._faults_here + 1 if key == self._last_fault else 0
                    self._last_fault = key
                    if self._faults_here > 8:    # served, yet it faults again: a VM bug
                        raise RuntimeError(f'page fault at 0x{tval:08x} served but repeated')
                    return True                  # demand paging: the instruction runs again
                where = 'unmapped' if why == 'unmapped' else {
                    L.PROT_EXEC: 'non-executable', L.PROT_READ: 'unreadable',
                    L.PROT_WRITE: 'read-only'}[need]
                self._kill(L.SIGSEGV, f'{what} {where} address 0x{tval:08x}')
            elif cause in (1, 5, 7):
                self._kill(L.SIGSEGV, f'{_ACCESS[cause][0]} address 0x{tval:08x} '
                                      '(access fault)')
            elif cause == 2:
                self._kill(L.SIGILL, f'instruction word 0x{tval:08x}')
            elif cause == 3:
                self._kill(L.SIGTRAP, 'ebreak')
            elif cause in (0, 4, 6):
                self._kill(L.SIGBUS, f'{cause_name(cause)} (address 0x{tval:08x})')
            else:
                self._kill(L.SIGSEGV, f'{cause_name(cause)} (tval=0x{tval:08x})')
        except OutOfFrames:
            self._kill(L.SIGKILL, 'out of memory: no free frame left in the machine\'s RAM')
        except Exception as e:
            self.error = e
            h.halt('error', EXIT_STUCK, f'internal error: {type(e).__name__}: {e}')
        return True

    _signal = None
    _last_fault, _faults_here = None, 0

    def _kill(self, sig, detail=''):
        self._signal = sig
        text = f'{L.SIGNAL_DESCRIPTIONS.get(sig, "killed")} ({L.signal_name(sig)})'
        if detail:
            text += f': {detail} at pc=0x{self.hart.pc:08x}'
        self.hart.halt('signal', 128 + sig, text)

    def _syscall(self):
        h = self.hart
        x = h.x
        number = x[17]
        entry = HANDLERS.get(number)
        args = tuple(x[10:16])
        pc, n = h.pc, h.instret
        exited = None
        if entry is None:
            name, fn, kinds = L.syscall_name(number), None, None
            result = -L.ENOSYS
            self.unimplemented[name] += 1
        else:
            name, fn, kinds = entry
            try:
                result = fn(self.kernel, *args[:fn.__code__.co_argcount - 1])
            except SysError as e:
                result = -e.errno
            except GuestFault:
                result = -L.EFAULT
            except Exit as e:
                exited, result = e, None
            except Deadlock as e:
                exited, result = e, None
        self.syscall_counts[name] += 1
        if self.strace is not None or self.trace is not None or self.on_syscall is not None:
            shown = args if kinds is None else args[:len(kinds)]
            record = SyscallRecord(number, name, shown, result,
                                   format_call(self.space, name, kinds, shown, result), pc, n)
            if self.trace is not None:
                self.trace.append(record)
            if self.on_syscall is not None:
                self.on_syscall(record)
            if self.strace is not None:
                self.strace(str(record))
                if entry is None and self.unimplemented[name] == 1:
                    self.strace(f'--- {name} (system call {number}) is not implemented: '
                                'it returns -ENOSYS ---')
        if isinstance(exited, Exit):
            if exited.signal:
                self._signal = exited.signal
                self.hart.halt('signal', exited.status,
                               f'{exited.message} ({L.signal_name(exited.signal)})')
            else:
                self.hart.halt('exit', exited.status, f'exit status {exited.status}')
            return
        if isinstance(exited, Deadlock):
            self.hart.halt('deadlock', EXIT_STUCK, f'deadlock: {exited}')
            return
        x[10] = result & 0xFFFFFFFF
        h.pc = (pc + 4) & 0xFFFFFFFF

    def write_file(self, f, data):
        """``write`` on an open file, with SIGPIPE when the reader has gone (like Linux)."""
        try:
            return f.write(data)
        except SysError as e:
            if e.errno == L.EPIPE:
                raise Exit(128 + L.SIGPIPE, L.SIGPIPE, 'broken pipe')
            raise

    # --- for notebooks ---------------------------------------------------------------------------

    def registers(self):
        return self.machine.registers()

    @property
    def pc(self):
        return self.hart.pc

    def memory_map(self):
        """The process's regions, like ``/proc/self/maps``."""
        return self.space.memory_map()

    def read_memory(self, address, size):
        """Bytes of the process's memory (as the program sees it; no faults, zeros if absent)."""
        out = bytearray()
        for va in range(address, address + size):
            pa = self.space.translate(va)
            out.append(self.machine.bus.ram[pa - 0x8000_0000] if pa is not None else 0)
        return bytes(out)

    def stats_lines(self, result=None):
        """The ``--stats`` report, one line each."""
        result = result or self.result
        lines = [f'instructions retired: {result.instructions:,}',
                 f'system calls:         {sum(result.syscalls.values()):,}']
        for name, count in sorted(result.syscalls.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f'  {name:<22}{count:,}')
        for name, count in sorted(self.unimplemented.items()):
            lines.append(f'  not implemented: {name} ({count:,} calls, -ENOSYS)')
        lines.append(f'page faults served:   {result.page_faults:,}')
        lines.append(f'memory in use:        {self.space.frames.in_use * 4:,} KiB '
                     f'({self.space.frames.in_use:,} frames, page tables included)')
        for key, value in self.engine.stats().items():
            lines.append(f'{key + ":":<22}{value:,}')
        rate = result.instructions / self.elapsed / 1e6 if self.elapsed else 0
        lines.append(f'engine:               {self.engine.name}')
        lines.append(f'host time:            {self.elapsed:.3f} s ({rate:.2f} M instructions/s)')
        return lines


def _input(stdin):
    if stdin is None:
        return HostStream(0, L.O_RDONLY)
    if isinstance(stdin, str):
        stdin = stdin.encode()
    return BufferInput(stdin)


def _output(sink, fd):
    if sink is None:
        return HostStream(fd, L.O_WRONLY)
    if not callable(sink):
        target = sink
        text = isinstance(target, io.TextIOBase) or not hasattr(target, 'mode') and \
            hasattr(target, 'encoding')      # sys.stdout, a notebook's output stream

        def sink(data):
            target.write(data.decode('utf-8', 'replace') if text else data)
            if hasattr(target, 'flush'):
                target.flush()
    return SinkOutput(sink, {1: '<stdout>', 2: '<stderr>'}[fd])


def run_program(elf, argv=None, env=None, root='.', engine='interp', max_steps=DEFAULT_MAX_STEPS,
                **kw):
    """Load and run a program; a file that cannot be loaded gives a ``'load-error'`` result
    (exit status 2) instead of an exception."""
    try:
        vm = ProcessVM(elf, argv, env, root, engine, **kw)
    except (ElfError, LaunchError) as e:
        return ProcessResult('load-error', EXIT_LOAD, 0, Counter(), str(e))
    return vm.run(max_steps)
