"""Chapter 05, process VMs: a RISC-V Linux program runs here, at the ABI.

What a process VM must provide, each piece small enough to show:

- **a loader**: the ELF's segments become memory regions, and the initial stack holds
  ``argc``, ``argv``, ``envp`` and the auxiliary vector (:func:`initial_stack` reads it back
  from the guest's memory, word by word);
- **system calls**: ``ecall`` with ``a7`` = number traps into the VM, which does the work on
  the host (:func:`run_guest` records each call as data, a ``SyscallRecord``);
- **a sandbox**: the guest's file names are resolved inside one host directory, so ``..``,
  absolute paths and symlinks cannot reach out (:func:`sandbox_demo` tries; the VM answers
  ``-ENOENT`` or ``-EACCES``);

and what it must *not* let through. :func:`compare_with_qemu` replays the cases recorded from
``qemu-riscv32`` (``guests/expected/*.json``) and compares.

Exercises: :class:`InitialStack` (where argv, envp and auxv start for a given command line)
and :class:`SandboxPath` (which file a path reaches, or which error).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..procvm import ProcessVM
from ..procvm import linux as L
from ..procvm.files import Sandbox, SysError
from ..procvm.syscalls import HANDLERS
from .exercises import Exercise
from .guest_programs import GUESTS, guest
from .text import fit

__all__ = ['GuestRun', 'run_guest', 'run_assembly', 'split_args', 'StackRow', 'initial_stack',
           'stack_text',
           'command_line', 'implemented_syscalls', 'OPEN_EACH', 'sandbox_tree', 'SANDBOX_TRIES',
           'sandbox_demo',
           'resolve_in_sandbox', 'compare_with_qemu', 'comparison_text', 'recordings',
           'InitialStack', 'SandboxPath', 'TRACE_PROGRAMS']

#: the programs the trace widget offers, with example arguments and standard input
TRACE_PROGRAMS = {
    'hello': ([], ''),
    'printf_one': ([], ''),
    'args': (['3', 'hello world'], ''),
    'files': ([], 'one line\ntwo words here\n'),
    'heap': (['10'], ''),
}


@dataclass
class GuestRun:
    """The outcome of one run: result, standard output and error, every system call."""

    program: str
    argv: list
    stdin: bytes
    result: object                  # vmlib.procvm.ProcessResult
    stdout: bytes
    stderr: bytes
    syscalls: list                  # SyscallRecord, in order
    files: dict = field(default_factory=dict)   # files the program left in its folder
    notes: list = field(default_factory=list)   # the VM's own remarks (not implemented...)

    @property
    def exit_status(self):
        return self.result.exit_status

    def strace_lines(self) -> list[str]:
        return [str(r) for r in self.syscalls]

    def text(self) -> str:
        """Like a terminal: the strace lines, the output, the exit status (long lines wrapped
        to the course's width, continued four columns in)."""
        out = [f'$ python -m vmlib run --strace {" ".join(_shell(a) for a in self.argv)}']
        out += self.strace_lines()
        out += [f'--- stdout ---', self.stdout.decode('utf-8', 'replace').rstrip('\n')]
        if self.stderr:
            out += ['--- stderr ---', self.stderr.decode('utf-8', 'replace').rstrip('\n')]
        out.append(f'--- exit status {self.exit_status} ({self.result.instructions:,} '
                   f'instructions, {len(self.syscalls)} system calls)')
        return fit('\n'.join(out), hang=4)


def _shell(arg: str) -> str:
    import shlex
    return shlex.quote(arg)


def split_args(text: str) -> list[str]:
    """Arguments typed in a text box, split like a shell does (quotes respected)."""
    import shlex
    try:
        return shlex.split(text)
    except ValueError as e:
        raise ValueError(f'cannot split the arguments: {e}') from None


@contextmanager
def _folder(root):
    if root is not None:
        yield Path(root)
        return
    with tempfile.TemporaryDirectory(prefix='vmlib-guest-') as d:
        yield Path(d)


def run_guest(program: str, args=(), stdin='', env=None, root=None, engine='interp',
              on_syscall=None, on_output=None, max_steps: int = 50_000_000) -> GuestRun:
    """Run ``guests/PROGRAM.elf`` (or an ELF's path, or ELF bytes) in the process VM.

    ``argv[0]`` is ``guests/PROGRAM.elf``, as in the recordings. ``root``: the sandbox
    directory (default: a fresh empty one, removed afterwards; the files the program left
    there are returned in ``files``). ``on_syscall(record)`` and ``on_output(fd, bytes)`` are
    called as things happen (a live view). Standard input is ``stdin``, never the host's.
    """
    if isinstance(program, (bytes, bytearray)):
        elf, name = bytes(program), 'a.out'       # run_assembly renames it
    else:
        path = Path(program) if str(program).endswith('.elf') else guest(program)
        elf, name = path, f'guests/{path.name}'
    argv = [name, *args]
    records, out, err, notes = [], bytearray(), bytearray(), []

    def record(r):
        records.append(r)
        if on_syscall:
            on_syscall(r)

    def sink(fd, buf):
        def write(data):
            buf.extend(data)
            if on_output:
                on_output(fd, bytes(data))
        return write

    with _folder(root) as folder:
        vm = ProcessVM(elf, argv, env or [], root=folder, engine=engine,
                       stdin=stdin.encode() if isinstance(stdin, str) else bytes(stdin),
                       stdout=sink(1, out), stderr=sink(2, err), trace=record,
                       strace=lambda line: notes.append(line) if line.startswith('---') else None)
        result = vm.run(max_steps)
        files = {}
        if root is None:
            for p in sorted(folder.rglob('*')):
                if p.is_file():
                    files[p.relative_to(folder).as_posix()] = p.read_text(errors='replace')
    return GuestRun(name, argv, stdin.encode() if isinstance(stdin, str) else bytes(stdin),
                    result, bytes(out), bytes(err), records, files, notes)


# ---------------------------------------------------------------------------------------------
# the loader's work: the initial stack


@dataclass(frozen=True)
class StackRow:
    """One item of the initial stack: where, the raw value, what it is, what it means."""

    address: int
    size: int
    value: object       # an int for words, bytes for strings and AT_RANDOM
    name: str
    meaning: str
    group: str          # 'argc', 'argv', 'envp', 'auxv', 'random', 'strings'


def _word(vm, address):
    return int.from_bytes(vm.read_memory(address, 4), 'little')


def _cstring(vm, address, limit=200):
    data = vm.read_memory(address, limit)
    end = data.find(b'\0')
    return data[:end if end >= 0 else limit]


def initial_stack(vm) -> list[StackRow]:
    """The initial stack of a process that has not run yet, read from its memory: from ``sp``
    upwards (low addresses first), as the program's ``_start`` will find it."""
    lay = vm.stack_layout
    rows = []
    sp = lay['sp']
    argc = _word(vm, sp)
    rows.append(StackRow(sp, 4, argc, 'argc', f'{argc} argument{"s" * (argc != 1)}', 'argc'))
    strings = []
    for group, base in (('argv', lay['argv']), ('envp', lay['envp'])):
        i = 0
        while True:
            a = base + 4 * i
            v = _word(vm, a)
            if v == 0:
                rows.append(StackRow(a, 4, 0, f'{group}[{i}]', 'NULL: the end of ' + group,
                                     group))
                break
            s = _cstring(vm, v)
            rows.append(StackRow(a, 4, v, f'{group}[{i}]', f'-> "{s.decode(errors="replace")}"',
                                 group))
            strings.append((v, s, f'{group}[{i}]'))
            i += 1
    a = lay['auxv']
    while True:
        key, val = _word(vm, a), _word(vm, a + 4)
        name = L.AUXV_NAMES.get(key, str(key))
        rows.append(StackRow(a, 8, (key, val), name, _aux_meaning(vm, key, val), 'auxv'))
        a += 8
        if key == L.AT_NULL:
            break
    rows.append(StackRow(lay['random'], 16, vm.read_memory(lay['random'], 16), 'AT_RANDOM bytes',
                         '16 random bytes (seeded: the same every run)', 'random'))
    execfn = _cstring(vm, lay['execfn'])
    for v, s, owner in strings + [(lay['execfn'], execfn, 'AT_EXECFN')]:
        rows.append(StackRow(v, len(s) + 1, s + b'\0', f'"{s.decode(errors="replace")}"',
                             f'the string of {owner}', 'strings'))
    return rows


def _aux_meaning(vm, key, val):
    meanings = {
        L.AT_PHDR: 'where the program headers are in memory',
        L.AT_PHENT: 'bytes per program header',
        L.AT_PHNUM: 'number of program headers',
        L.AT_PAGESZ: 'page size',
        L.AT_BASE: 'interpreter base (none: a static program)',
        L.AT_FLAGS: 'flags',
        L.AT_ENTRY: 'the program\'s entry point',
        L.AT_UID: 'user id', L.AT_EUID: 'effective user id', L.AT_GID: 'group id',
        L.AT_EGID: 'effective group id', L.AT_HWCAP: 'hardware capabilities (bits I, M, A)',
        L.AT_CLKTCK: 'clock ticks per second', L.AT_SECURE: 'not setuid',
        L.AT_RANDOM: 'address of 16 random bytes (stack protector, guard)',
        L.AT_EXECFN: 'address of the program\'s file name',
        L.AT_NULL: 'the end of the auxiliary vector',
    }
    return meanings.get(key, '')


def stack_text(rows) -> str:
    """The initial stack as a table, low addresses (``sp``) first."""
    lines = [f"{'address':<10}  {'item':<16} {'value':<12} meaning"]
    for r in rows:
        if r.group == 'auxv':
            key, val = r.value
            value = f'0x{val:08x}'
        elif isinstance(r.value, bytes):
            value = r.value[:8].hex() + ('..' if len(r.value) > 8 else '') \
                if r.group == 'random' else f'{len(r.value)} bytes'
        else:
            value = f'0x{r.value:08x}' if r.group != 'argc' else str(r.value)
        lines.append(f'0x{r.address:08x}  {r.name:<16} {value:<12} {r.meaning}')
    return '\n'.join(lines)


# ---------------------------------------------------------------------------------------------
# system calls


def implemented_syscalls() -> list[tuple[int, str]]:
    """(number, name) of every system call the process VM implements; others get -ENOSYS."""
    return sorted((n, entry[0]) for n, entry in HANDLERS.items())


# ---------------------------------------------------------------------------------------------
# the sandbox

#: a tiny ``cat`` in RV32 assembly (no C library): opens each argument with openat, copies up
#: to 64 bytes of it to stdout, closes it; the system calls show what the sandbox allowed
OPEN_EACH = """\
# open_each: for each argument: fd = openat(AT_FDCWD, path, O_RDONLY);
# if fd >= 0: n = read(fd, buffer, 64); write(1, buffer, n); close(fd)
        .text
        .globl  _start
_start:
        lw      s0, 0(sp)               # argc
        addi    s1, sp, 4               # argv
        li      s2, 1                   # i = 1
next:   bge     s2, s0, done
        slli    t0, s2, 2
        add     t0, s1, t0
        lw      a1, 0(t0)               # a1 = argv[i]
        li      a0, -100                # AT_FDCWD
        li      a2, 0                   # O_RDONLY
        li      a7, 56                  # openat
        ecall
        bltz    a0, skip                # -errno: nothing opened
        mv      s3, a0
        la      a1, buffer
        li      a2, 64
        li      a7, 63                  # read(fd, buffer, 64)
        ecall
        mv      a2, a0
        li      a0, 1
        la      a1, buffer
        li      a7, 64                  # write(1, buffer, n)
        ecall
        mv      a0, s3
        li      a7, 57                  # close(fd)
        ecall
skip:   addi    s2, s2, 1
        j       next
done:   li      a0, 0
        li      a7, 94                  # exit_group(0)
        ecall
        .bss
buffer: .space  64
"""

#: what the chapter tries to open, and why
SANDBOX_TRIES = [
    ('inside.txt', 'a file in the sandbox'),
    ('/inside.txt', 'absolute: "/" is the sandbox root'),
    ('docs/../inside.txt', '.. inside the tree is fine'),
    ('../../../etc/passwd', '.. stops at the root, like chroot'),
    ('/etc/passwd', 'the host\'s /etc is not the guest\'s'),
    ('shortcut', 'a symlink to docs/readme.txt (inside)'),
    ('escape/passwd', 'escape -> /etc, a symlink out'),
    ('parent/anything', 'parent -> .., a symlink out'),
]


def sandbox_tree(root) -> Path:
    """Make the chapter's sandbox in ``root``: two files and three symlinks."""
    root = Path(root)
    (root / 'docs').mkdir(exist_ok=True)
    (root / 'inside.txt').write_text('a file inside the sandbox\n')
    (root / 'docs' / 'readme.txt').write_text('docs/readme.txt, reached by a symlink\n')
    for name, target in (('shortcut', 'docs/readme.txt'), ('escape', '/etc'),
                         ('parent', '..')):
        if not (root / name).is_symlink():
            os.symlink(target, root / name)
    return root


def run_assembly(source: str, args=(), name: str = 'a.out', **kw) -> GuestRun:
    """Assemble ``source`` with vmlib's assembler (linked at 0x10000, entry ``_start``) and run
    it like :func:`run_guest` (same keywords); ``argv[0]`` is ``name``."""
    from ..asm import assemble
    elf = assemble(source, filename=f'{name}.s', base=0x10000).to_elf()
    run = run_guest(elf, args, **kw)
    run.program, run.argv = name, [name, *args]
    return run


def sandbox_demo(paths=None) -> GuestRun:
    """Run :data:`OPEN_EACH` on ``paths`` (default: :data:`SANDBOX_TRIES`) in a fresh sandbox
    made by :func:`sandbox_tree`."""
    paths = [p for p, _ in SANDBOX_TRIES] if paths is None else list(paths)
    with tempfile.TemporaryDirectory(prefix='vmlib-sandbox-') as d:
        sandbox_tree(d)
        return run_assembly(OPEN_EACH, paths, 'open_each', root=d)


def resolve_in_sandbox(root, path, cwd='/'):
    """What the process VM does with a guest's ``path``: the guest path of the file it opens
    (e.g. ``'/docs/readme.txt'``, symlinks followed), or an errno name (``'ENOENT'``,
    ``'EACCES'``). The same code as ``openat`` (``Sandbox.resolve``)."""
    box = Sandbox(root)
    box.cwd = cwd
    try:
        _guest, host = box.resolve(path)
    except SysError as e:
        return L.errno_name(e.errno)
    if not os.path.exists(host):
        return 'ENOENT'
    return box.to_guest(host)


# ---------------------------------------------------------------------------------------------
# comparison with qemu-riscv32


def recordings() -> dict:
    """``guests/expected/NAME.json``: what qemu-riscv32 printed for each case."""
    out = {}
    for p in sorted((GUESTS / 'expected').glob('*.json')):
        out[p.stem] = json.loads(p.read_text())
    return out


def compare_with_qemu(names=None, engine='interp') -> list[dict]:
    """Replay every recorded case in the process VM; one row per case.

    Each case runs as it was recorded: ``argv[0]`` = ``guests/NAME.elf``, the case's
    arguments, standard input and environment, in an empty folder (which ``files`` compares).
    """
    rows = []
    for name, rec in recordings().items():
        if names is not None and name not in names:
            continue
        for case in rec['cases']:
            with tempfile.TemporaryDirectory(prefix='vmlib-replay-') as d:
                folder = Path(d)
                (folder / 'guests').mkdir()
                shutil.copyfile(guest(name), folder / 'guests' / f'{name}.elf')
                run = run_guest(folder / 'guests' / f'{name}.elf', case['args'],
                                case.get('stdin', ''),
                                [f'{k}={v}' for k, v in case.get('env', {}).items()],
                                root=folder, engine=engine)
                program = f'guests/{name}.elf'
                files = {p.relative_to(folder).as_posix(): p.read_text(errors='replace')
                         for p in sorted(folder.rglob('*'))
                         if p.is_file() and p.relative_to(folder).as_posix() != program}
            same = {'stdout': run.stdout.decode('utf-8', 'replace') == case['stdout'],
                    'stderr': run.stderr.decode('utf-8', 'replace') == case['stderr'],
                    'exit status': run.exit_status == case['exit_status'],
                    'files': files == case.get('files', {})}
            rows.append({'program': name, 'case': case['name'], 'args': case['args'],
                         'same': same, 'agree': all(same.values()),
                         'exit_status': (case['exit_status'], run.exit_status),
                         'qemu_instructions': case.get('instructions'),
                         'vmlib_instructions': run.result.instructions,
                         'ecalls': len(run.syscalls)})
    return rows


def comparison_text(rows) -> str:
    lines = [f"{'program':<11}{'case':<17}{'stdout':<7}{'stderr':<7}{'exit':<9}{'files':<6}"
             f"{'QEMU instr.':>12}{'vmlib':>10}{'+ecalls':>8}"]
    yes = lambda ok: 'same' if ok else 'DIFF'      # noqa: E731
    for r in rows:
        q, v = r['exit_status']
        lines.append(f"{r['program']:<11}{r['case']:<17}{yes(r['same']['stdout']):<7}"
                     f"{yes(r['same']['stderr']):<7}{f'{q}/{v}':<9}"
                     f"{yes(r['same']['files']):<6}"
                     f"{r['qemu_instructions'] or 0:>12,}{r['vmlib_instructions']:>10,}"
                     f"{r['ecalls']:>8}")
    agree = sum(r['agree'] for r in rows)
    lines.append(f'{agree} of {len(rows)} cases agree with qemu-riscv32 on stdout, stderr, '
                 'exit status and files')
    return '\n'.join(lines)


# ---------------------------------------------------------------------------------------------
# exercises

_WORDS = ['hello', 'world', '42', '-v', 'a b', '', 'café', 'x', '--help', 'data.txt']
_VARS = ['HOME=/home/ada', 'LANG=C', 'TERM=xterm', 'PATH=/bin', 'EMPTY=']


class InitialStack(Exercise):
    """Where argc, argv, envp and auxv are on the initial stack for a given command line."""

    chapter = 5
    title = 'The initial stack'
    rel_tol = abs_tol = 0.0

    def generate(self, rng):
        argv = ['prog'] + rng.sample(_WORDS, rng.randrange(0, 4))
        env = rng.sample(_VARS, rng.randrange(0, 3))
        return {'argv': argv, 'env': env}

    def solve(self, p):
        vm = ProcessVM(guest('printf_one'), p['argv'], p['env'], root=GUESTS, capture=True)
        lay = vm.stack_layout
        sp = lay['sp']
        return {'argc': len(p['argv']), 'argv': lay['argv'] - sp, 'envp': lay['envp'] - sp,
                'auxv': lay['auxv'] - sp}

    def question(self, p):
        return (f"A process starts with argv = {p['argv']!r}\nand environment {p['env']!r}.\n"
                "Its initial stack holds, from sp upwards: argc, the argv pointers and a NULL,\n"
                "the envp pointers and a NULL, then the auxiliary vector (pairs of words).\n"
                "Answer a dict: {'argc': ..., 'argv': ..., 'envp': ..., 'auxv': ...} where the\n"
                "last three are the byte offsets from sp where argv[0], envp[0] and the first\n"
                "auxv pair are (all words are 4 bytes).")

    def explain(self, p, answer):
        n, e = len(p['argv']), len(p['env'])
        return (f"argc at sp+0; argv[0] at sp+4; {n} pointers and a NULL = {4 * (n + 1)} bytes, "
                f"so envp[0] at sp+{answer['envp']};\n{e} pointers and a NULL = {4 * (e + 1)} "
                f"bytes, so auxv at sp+{answer['auxv']}. (Read from the loader's own stack.)")

    def diagnose(self, p, given):
        hints = []
        if isinstance(given, dict) and isinstance(given.get('envp'), int):
            if given['envp'] == 4 + 4 * len(p['argv']):
                hints.append('argv ends with a NULL pointer: one more word before envp.')
        if isinstance(given, dict) and isinstance(given.get('auxv'), int):
            if given['auxv'] == self.solution()['envp'] + 4 * len(p['env']):
                hints.append('envp ends with a NULL pointer too.')
        return hints

    def wrong_answers(self, p, answer):
        n = len(p['argv'])
        return [dict(answer, envp=4 + 4 * n),
                dict(answer, argc=n - 1),
                dict(answer, auxv=answer['auxv'] - 4)]


_TREE = """sandbox root (the guest's /):
    inside.txt
    docs/readme.txt
    shortcut -> docs/readme.txt
    escape   -> /etc        (an absolute host path)
    parent   -> ..          (the directory above the root)"""

_PATHS = ['inside.txt', '/inside.txt', '../inside.txt', '../../etc/passwd', '/etc/passwd',
          'docs/readme.txt', 'readme.txt', '../readme.txt', 'shortcut', 'docs/../shortcut',
          'escape/passwd', 'escape', 'parent/inside.txt', '/docs/../../inside.txt',
          'missing.txt', './docs/./readme.txt']


class SandboxPath(Exercise):
    """Which file does a guest path reach in the sandbox, or which error does openat give?"""

    chapter = 5
    title = 'Will this path escape the sandbox?'
    strict_strings = False

    def generate(self, rng):
        return {'cwd': rng.choice(['/', '/docs']), 'path': rng.choice(_PATHS)}

    def solve(self, p):
        with tempfile.TemporaryDirectory(prefix='vmlib-sandbox-') as d:
            sandbox_tree(d)
            return resolve_in_sandbox(d, p['path'], p['cwd'])

    def question(self, p):
        return (f"{_TREE}\n\nThe guest's working directory is {p['cwd']!r}. It calls\n"
                f"    openat(AT_FDCWD, {p['path']!r}, O_RDONLY)\n"
                "Which file does it open? Answer its guest path (e.g. '/docs/readme.txt'),\n"
                "or the error: 'ENOENT' (no such file) or 'EACCES' (it would leave the sandbox).")

    def explain(self, p, answer):
        with tempfile.TemporaryDirectory(prefix='vmlib-sandbox-') as d:
            root = sandbox_tree(d)
            box = Sandbox(root)
            guest_path = box.guest_path(p['path'], p['cwd'])
            host = os.path.realpath(os.path.join(box.root, guest_path.lstrip('/')))
            inside = box.inside(host)
            where = (f"the sandbox's {box.to_guest(host)!r}" if inside
                     else 'a host path outside the sandbox root')
        steps = [f"1. the guest path: {p['path']!r} from {p['cwd']!r} is {guest_path!r} "
                 "('..' never climbs above '/');",
                 f"2. under the root, with symlinks followed, that is {where};"]
        if not inside:
            steps.append('3. outside the root: openat fails with EACCES.')
        elif answer == 'ENOENT':
            steps.append('3. inside the root, but no such file: ENOENT.')
        else:
            steps.append(f'3. inside the root and it exists: the guest opens {answer!r}.')
        return '\n'.join(steps)

    def normalize(self, given):
        return given.strip() if isinstance(given, str) else given

    def wrong_answers(self, p, answer):
        return [x for x in ('EACCES', 'ENOENT', '/inside.txt', '/docs/readme.txt')
                if x != answer][:2]


def command_line(*args: str, timeout: float = 60) -> str:
    """Run ``python -m vmlib ARGS...`` as a shell would, from the repository's folder, with
    stdout a pipe (not a terminal, as in a script) and stderr merged into it; return what it
    printed, after a ``$`` line with the command, wrapped to the course's width. A notebook's
    ``!`` line would do the same on Linux and macOS, but not on Windows, where its ``cd`` and
    ``|`` mean something else."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, '-m', 'vmlib', *args], cwd=GUESTS.parent,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    command = ' '.join(_shell(a) for a in ('python', '-m', 'vmlib', *args))
    return fit(f'$ {command}\n' + done.stdout.decode('utf-8', 'replace'), hang=4)
