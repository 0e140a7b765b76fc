"""System calls a reviewer found missing or wrong, probed side by side with qemu-riscv32:
``linkat`` (it ended the run with an internal error), ``pipe2``, ``utimensat``, ``statfs``
and ``fstatfs`` (ENOSYS), ``fcntl``'s status flags (F_GETFL showed the open's creation flags).

The call lists are ``test_procvm.CALL_LISTS``; ``test_procvm_qemu.py`` runs them under
qemu-riscv32 too. Here they run in-process, and their answers are checked against Linux's.
Last, the list of implemented calls that the README shows is kept honest.
"""

import os
import re
import struct
import time
from pathlib import Path

import pytest

from vmlib.procvm import ProcessVM
from vmlib.procvm import linux as L
from vmlib.procvm.files import Pipe, PIPE_BUF, PIPE_CAPACITY, SysError
from vmlib.procvm.syscalls import (HANDLERS, GROUPS, STATFS, implemented_syscalls,
                                   syscalls_markdown)
from test_procvm import (PRELUDE, CALL_LISTS, calls_program, call_results, timespecs, AT,
                         O_NONBLOCK, O_CLOEXEC, F_GETFL, F_SETFL, AT_SYMLINK_FOLLOW,
                         AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, UTIME_OMIT)

REPO = Path(__file__).resolve().parent.parent
DATA = b'the data file\n'


def run_calls(calls, root, **kw):
    """(vm, result, what the calls wrote, their results) for a list of calls."""
    vm = ProcessVM.from_source(PRELUDE + calls_program(*calls), root=root, capture=True, **kw)
    r = vm.run(1_000_000)
    assert r.reason in ('exit', 'signal'), r.message
    written, results = call_results(vm.stdout, len(calls)) if r.reason == 'exit' else \
        (vm.stdout, None)
    return vm, r, written, results


@pytest.fixture
def root(tmp_path):
    """The sandbox root with data.txt, as test_procvm_qemu.py sets it up; a secret file
    outside it, and a symlink to the secret inside."""
    root = tmp_path / 'root'
    root.mkdir()
    (root / 'data.txt').write_bytes(DATA)
    (tmp_path / 'secret.txt').write_bytes(b'secret\n')
    (root / 'secret').symlink_to('../secret.txt')
    return root


def errnos(*names):
    return [-getattr(L, name) if isinstance(name, str) else name for name in names]


# --- linkat -----------------------------------------------------------------------------------

def test_link_answers_as_linux_does(root):
    vm, r, written, results = run_calls(CALL_LISTS['link'], root)
    assert (r.reason, r.exit_status) == ('exit', 0)          # it was an internal error
    assert results == errnos(0, 'EEXIST', 'ENOENT', 'EPERM', 'EINVAL', 0, 0, 0, 8, 8, 0, 4,
                             'ENOENT')
    assert written == b'data.txt' + struct.pack('<I', 3)      # data, hard and followed
    assert os.readlink(root / 'sym_link') == 'data.txt'      # the symlink itself was linked
    assert os.path.samefile(root / 'followed.txt', root / 'data.txt')


def test_link_of_a_descriptor_is_not_provided(root):
    _, _, _, results = run_calls([(37, AT, b'', AT, b'z.txt', AT_EMPTY_PATH)], root)
    assert results == errnos('ENOENT')


def test_link_keeps_to_the_sandbox(root):
    _, _, _, results = run_calls([
        (37, AT, b'secret', AT, b'copy.txt', AT_SYMLINK_FOLLOW),    # the target is outside
        (37, AT, b'secret', AT, b'copy', 0),                        # a second symlink: fine
        (56, AT, b'copy', 0, 0),                                    # ... that still cannot lead out
        (37, AT, b'data.txt', AT, b'../../escaped.txt', 0),         # ".." stops at the root
    ], root)
    assert results == errnos('EACCES', 0, 'EACCES', 0)
    assert (root / 'escaped.txt').read_bytes() == DATA
    assert sorted(p.name for p in root.parent.iterdir()) == ['root', 'secret.txt']


# --- pipe2 --------------------------------------------------------------------------------------

def test_pipe_answers_as_linux_does(root):
    _, r, written, results = run_calls(CALL_LISTS['pipe'], root)
    assert results == errnos(0, 11, 5, 6, 11, L.O_RDONLY, L.O_WRONLY, 0, 'EAGAIN', 'ESPIPE',
                             'EBADF', 0, 2, 0, L.FD_CLOEXEC, L.O_WRONLY | L.O_NONBLOCK,
                             'EINVAL', 0, 12, 6, 5, 6, 11, 0, 0, 'EFAULT')
    mode = struct.pack('<H', L.S_IFIFO | 0o600)
    assert written == b'hello, pipe' + mode + b'firstsecond'


def test_writing_to_a_pipe_nobody_reads_is_sigpipe(root):
    _, r, _, _ = run_calls(CALL_LISTS['sigpipe'], root)
    assert (r.reason, r.exit_status, r.signal_name) == ('signal', 141, 'SIGPIPE')


def test_an_empty_pipe_reads_as_end_of_file_rather_than_hang(root):
    # Linux would wait for ever: the write end is open, and only this process holds it
    _, r, _, results = run_calls([(59, ('buf', 0), 0), (63, ('word', 0), ('buf', 8), 8)], root)
    assert r.reason == 'exit' and results == [0, 0]


def test_a_duplicate_keeps_a_pipe_end_open(root):
    _, r, _, results = run_calls([
        (59, ('buf', 0), 0),                    # fds 3, 4
        (23, ('word', 0)),                      # dup(3): 5
        (57, ('word', 0)),
        (64, ('word', 4), b'still read', 10),   # 5 holds the read end
        (57, ('ret', 1)),
        (64, ('word', 4), b'no more', 7),       # SIGPIPE
    ], root)
    assert (r.reason, r.signal_name) == ('signal', 'SIGPIPE')


def test_a_pipe_holds_64_kib_and_writes_up_to_pipe_buf_are_atomic():
    pipe = Pipe(1)
    assert pipe.write(bytes(PIPE_CAPACITY + 100), False, False) == PIPE_CAPACITY  # what fits
    with pytest.raises(SysError) as full:
        pipe.write(b'x', False, False)
    assert full.value.errno == L.EAGAIN
    assert len(pipe.read(100, False)) == 100
    with pytest.raises(SysError):                       # 200 <= PIPE_BUF: all or nothing
        pipe.write(bytes(200), True, False)
    assert pipe.write(bytes(PIPE_BUF + 1), True, False) == 100     # larger: what fits
    assert pipe.read(PIPE_CAPACITY + 1, False) == bytes(PIPE_CAPACITY)
    pipe.writing = False
    assert pipe.read(10, True) == b''                   # no writer: end of file


def test_pipe2_leaves_no_descriptor_behind_when_the_table_is_full(tmp_path):
    source = PRELUDE + """
_start:
    addi sp, sp, -16
1:  li a0, 0
    li a7, 23                       # dup(0) until EMFILE
    ecall
    bgez a0, 1b
    li a0, 1023
    li a7, SYS_close                # one free descriptor: not enough for a pipe
    ecall
    mv a0, sp
    li a1, 0
    li a7, 59
    ecall
    mv s0, a0
    li a0, 0
    li a7, 23
    ecall                           # the free one is still free: 1023
    li t0, 1023
    bne a0, t0, 2f
    neg a0, s0                      # EMFILE
2:  li a7, SYS_exit
    ecall
"""
    vm = ProcessVM.from_source(source, root=tmp_path, capture=True)
    assert vm.run(100_000).exit_status == L.EMFILE


def test_strace_shows_the_pipe(tmp_path):
    lines = []
    run_calls([(59, ('buf', 0), O_CLOEXEC), (59, 0, 0)], tmp_path, strace=lines.append)
    assert lines[:2] == ['pipe2([3, 4], O_CLOEXEC) = 0',
                         'pipe2(NULL, 0) = -1 EFAULT (Bad address)']


# --- utimensat ----------------------------------------------------------------------------------

def test_utimensat_answers_as_linux_does(root):
    before = time.time()
    _, r, written, results = run_calls(CALL_LISTS['utimes'], root)
    assert results == errnos(3, 0, 0, 0, 0, 12, 12, 'EINVAL', 'ENOENT', 0, 'EINVAL', 'EINVAL',
                             'EBADF', 'EFAULT', 0, 0, 0, 12, 0, 0, 0, 0)
    times = [struct.unpack_from('<qI', written, i) for i in (0, 12, 24)]
    assert times == [(1_700_000_000, 1), (1_600_000_000, 0), (5678, 9)]
    st = os.stat(root / 'data.txt')                 # the last two calls: the host's "now"
    assert before - 1 <= st.st_atime <= time.time() + 1
    assert before - 1 <= st.st_mtime <= time.time() + 1
    assert os.lstat(root / 'sym').st_mtime_ns == 5678 * 10 ** 9 + 9


def test_utimensat_keeps_to_the_sandbox(root):
    outside = os.stat(root.parent / 'secret.txt').st_mtime_ns
    _, _, _, results = run_calls([
        (412, AT, b'secret', timespecs((1, 0), (2, 0)), 0),
        (412, AT, b'secret', timespecs((1, 0), (2, 0)), AT_SYMLINK_NOFOLLOW),   # the link's own
    ], root)
    assert results == errnos('EACCES', 0)
    assert os.stat(root.parent / 'secret.txt').st_mtime_ns == outside
    assert os.lstat(root / 'secret').st_mtime_ns == 2 * 10 ** 9


def test_strace_shows_the_times(root):
    lines = []
    run_calls([(412, AT, b'data.txt', timespecs((0, UTIME_OMIT), (7, 8)), 0),
               (412, AT, b'data.txt', 0, 0)], root, strace=lines.append)
    assert lines[:2] == [
        'utimensat_time64(AT_FDCWD, "data.txt", [UTIME_OMIT, {tv_sec=7, tv_nsec=8}], 0) = 0',
        'utimensat_time64(AT_FDCWD, "data.txt", NULL, 0) = 0']


# --- statfs64, fstatfs64 ------------------------------------------------------------------------

def test_statfs_gives_the_host_figures(root):
    calls = CALL_LISTS['statfs'] + [(43, b'.', 84, ('buf', 0)),      # Linux checks the size
                                    (59, ('buf', 256), 0),
                                    (44, ('word', 256), 88, ('buf', 512)),
                                    (64, 1, ('buf', 512), 88)]
    _, _, written, results = run_calls(calls, root)
    assert results == errnos(0, 12, 20, 3, 0, 12, 20, 'ENOENT', 'EBADF', 'EFAULT', 'EINVAL',
                             0, 0, 88)
    sv = os.statvfs(root)
    figures = struct.pack('<IQ', sv.f_bsize, sv.f_blocks) + \
        struct.pack('<QIII', sv.f_fsid, sv.f_namemax, sv.f_frsize, sv.f_flag | 0x20)
    assert written[:64] == figures * 2                  # statfs64, then fstatfs64
    pipe = STATFS.unpack(written[64:])                  # a pipe: the sandbox root's
    assert pipe[0] == 0 and pipe[1:3] == (sv.f_bsize, sv.f_blocks) and STATFS.size == 88


# --- fcntl: F_GETFL and F_SETFL --------------------------------------------------------------

def test_fcntl_status_flags_are_linux_s(root):
    _, _, _, results = run_calls(CALL_LISTS['fcntl'], root)
    assert results == [3, L.O_RDWR, 0, L.O_RDWR | L.O_APPEND | L.O_NONBLOCK, 8, 0, 1, 4,
                       L.O_DIRECTORY | L.O_NOFOLLOW, L.FD_CLOEXEC, 5, L.O_WRONLY | L.O_APPEND,
                       0, L.O_WRONLY, 3, 6, L.O_RDWR, -L.EBADF]
    assert (root / 'new.txt').read_bytes() == b'appended!'      # O_APPEND reached the host
    assert (root / 'data.txt').read_bytes() == b'THE data file\n'    # and left it again


def test_status_flags_belong_to_the_open_file_not_the_descriptor(root):
    _, _, _, results = run_calls([
        (56, AT, b'data.txt', L.O_RDONLY, 0),       # 3
        (23, 3),                                    # dup: 4
        (25, 4, F_SETFL, O_NONBLOCK),
        (25, 3, F_GETFL, 0),
    ], root)
    assert results == [3, 4, 0, L.O_NONBLOCK]


# --- the list of implemented calls --------------------------------------------------------------

def test_every_implemented_call_is_listed_once_in_a_group():
    groups = implemented_syscalls()
    assert list(groups) == list(GROUPS) and all(groups.values())
    listed = [name for names in groups.values() for name in names]
    assert sorted(listed) == sorted(name for name, _, _ in HANDLERS.values())
    for name in ('linkat', 'pipe2', 'utimensat_time64', 'statfs64', 'fstatfs64'):
        assert name in groups['files']


def test_the_markdown_list_has_a_line_per_group():
    lines = syscalls_markdown().splitlines()
    assert [line.split('**')[1] for line in lines] == list(GROUPS)
    assert lines[1].startswith('- **memory**: `brk`, `madvise`, `mmap2`')


README_HEADING = '### Linux system calls of the process VM'


def readme_listed(readme):
    """The call names in the list items of the README's section, None without the section."""
    if README_HEADING not in readme:
        return None
    section = re.split(r'^#', readme.split(README_HEADING, 1)[1], maxsplit=1, flags=re.M)[0]
    items = [line for line in section.splitlines() if line.lstrip().startswith(('- ', '* '))]
    return set(re.findall(r'`([a-z_0-9]+)`', '\n'.join(items)))


def implemented_names():
    return {name for names in implemented_syscalls().values() for name in names}


def test_the_readme_section_is_read_as_the_markdown_list_writes_it():
    readme = f'# vmlib\n\n{README_HEADING}\n\nThe rest: `-ENOSYS`.\n\n{syscalls_markdown()}' \
        '\n## Where things live\n\n- `vmlib/isa`\n'
    assert readme_listed(readme) == implemented_names()
    assert readme_listed('# vmlib\n') is None


def test_the_readme_lists_the_implemented_calls():
    listed = readme_listed((REPO / 'README.md').read_text())
    if listed is None:
        pytest.skip(f'README.md has no "{README_HEADING}" section yet (its list is '
                    'vmlib.procvm.syscalls.syscalls_markdown())')
    implemented = implemented_names()
    assert listed == implemented, (f'missing from the README: {sorted(implemented - listed)}; '
                                   f'not implemented: {sorted(listed - implemented)}')
