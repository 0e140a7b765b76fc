"""The process VM against ``qemu-riscv32`` (Debian's qemu-user): the same hand-written programs,
the same arguments, environment and input, the same stdout and exit status.

A program killed by a signal shows as 128 + signal for both (QEMU kills itself with the
signal; subprocess reports that as a negative return code). QEMU's own message about the
signal is not compared, only ours is checked elsewhere. Skipped where qemu-user is absent.
"""

import shutil
import subprocess
import sys

import pytest

from test_procvm import write_elf

pytestmark = pytest.mark.skipif(shutil.which('qemu-riscv32') is None,
                                reason='qemu-riscv32 is not installed (apt-get install qemu-user)')

CASES = [
    ('hello', [], b''),
    ('cat', [], b'some input\nover two lines\n'),
    ('cat', [], b''),
    ('stack', ['one', 'two words', '', '-x'], b''),
    ('brk', [], b''),
    ('mmap', [], b''),
    ('mmap', ['store'], b''),
    ('mmap', ['load', 'unmapped'], b''),
    ('files', [], b''),
    ('open', ['data.txt'], b''),
    ('open', ['missing.txt'], b''),
    ('enosys', [], b''),
    ('errors', [], b''),
    ('vectors', [], b'abcdefghijkl'),
    ('uname', [], b''),
    ('touch', [], b''),
    ('segv', [], b''),
    ('load_segv', [], b''),
    ('jump_segv', [], b''),
    ('store_to_text', [], b''),
    ('illegal', [], b''),
    ('privileged', [], b''),
    ('misaligned_amo', [], b''),
    ('ebreak', [], b''),
    # system calls the reviewer found missing or wrong (test_procvm.CALL_LISTS)
    ('link', [], b''),
    ('pipe', [], b''),
    ('sigpipe', [], b''),
    ('utimes', [], b''),
    ('statfs', [], b''),
    ('fcntl', [], b''),
]


def _status(code):
    return 128 - code if code < 0 else code


def _workdir(base, name):
    base.mkdir()
    write_elf(base, name)
    (base / 'data.txt').write_bytes(b'the data file\n')
    return base


@pytest.mark.parametrize('name, args, stdin', CASES,
                         ids=[f'{n}-{"-".join(a) or "noargs"}' for n, a, _ in CASES])
def test_same_as_qemu(name, args, stdin, tmp_path):
    env = {'GREETING': 'hello', 'LANG': 'C.UTF-8'}
    qdir = _workdir(tmp_path / 'qemu', name)
    q = subprocess.run(['qemu-riscv32', f'./{name}.elf', *args], cwd=qdir, input=stdin,
                       capture_output=True, env=env, timeout=60)
    vdir = _workdir(tmp_path / 'vmlib', name)
    v = subprocess.run([sys.executable, '-m', 'vmlib', 'run', '--root', '.', '--env-clear',
                        *[f'-E{k}={val}' for k, val in env.items()], f'./{name}.elf', *args],
                       cwd=vdir, input=stdin, capture_output=True, timeout=120)
    if name == 'stack':     # qemu-user passes the environment in reverse order; Linux does not
        assert sorted(v.stdout.split(b'\n')) == sorted(q.stdout.split(b'\n'))
        assert v.stdout.split(b'\n')[-3:-1] == [b'GREETING=hello', b'LANG=C.UTF-8']
    else:
        assert v.stdout == q.stdout
    assert _status(v.returncode) == _status(q.returncode), v.stderr.decode()
    if q.returncode >= 0:
        assert v.stderr == q.stderr
    files = sorted(p.name for p in qdir.iterdir())
    assert sorted(p.name for p in vdir.iterdir()) == files
    for f in files:
        assert (vdir / f).read_bytes() == (qdir / f).read_bytes(), f
