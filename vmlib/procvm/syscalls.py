"""The Linux system calls of the process VM: the "kernel" a static RV32 program talks to.

A guest makes a system call with ``ecall``: the number in ``a7``, arguments in ``a0``-``a5``,
the result back in ``a0`` (``-errno`` on failure). Each handler below is one call, registered
with ``@syscall(name, *argument kinds, group=...)``; the argument kinds tell ``--strace`` how to
show the arguments (``strace.py``), the group is where the call is listed
(``implemented_syscalls``). A handler returns the result or raises ``SysError(errno)``.

Determinism: the clocks are derived from the number of instructions retired (10 ns each,
the machine's ``mtime`` at 10 MHz: ``CLOCK_MONOTONIC`` = mtime x 100 ns, ``CLOCK_REALTIME`` =
``REALTIME_EPOCH`` plus that), sleeping moves that clock forward instead of waiting, and
``getrandom``/``AT_RANDOM`` come from a PRNG seeded with ``seed``. The same program with the same
input and seed therefore does the same thing, instruction for instruction, on every run.
"""

import os
import stat as _stat
import struct
import time

from . import linux as L
from .files import SysError, HostFile, OpenFile, stat_fields, make_pipe
from .memory import PAGE, PAGE_MASK, TASK_SIZE, MIN_ADDR, page_up

REALTIME_EPOCH = 1_704_067_200          # 2024-01-01T00:00:00Z: CLOCK_REALTIME at instruction 0
NS_PER_TICK = 100                       # mtime runs at 10 MHz (see vmlib/machine/devices.py)
PID = 100
UID = GID = 1000
IO_LIMIT = 16 << 20                     # one read/write moves at most this much (short I/O)
UNAME = ('Linux', 'vmlib', '6.1.0-vmlib', '#1 SMP vmlib process VM', 'riscv32', '(none)')

HANDLERS = {}                           # number -> (name, function, argument kinds)
GROUPS = ('files', 'memory', 'processes', 'time', 'misc')
GROUP_OF = {}                           # name -> one of GROUPS


def syscall(name, *kinds, group):
    """Register the decorated method as system call ``name`` (musl's spelling), listed in
    ``group`` (one of ``GROUPS``)."""
    if group not in GROUPS:
        raise ValueError(f'system call {name}: unknown group {group!r}')

    def register(fn):
        HANDLERS[L.SYSCALL_NUMBERS[name]] = (name, fn, kinds)
        GROUP_OF[name] = group
        return fn
    return register


def implemented_syscalls():
    """{group: [names, sorted]} of the system calls the process VM implements, groups in the
    order of ``GROUPS``; every other number gets -ENOSYS. Made from the table itself, so a
    list of them (``syscalls_markdown``) cannot go stale."""
    return {group: sorted((name for name, g in GROUP_OF.items() if g == group),
                          key=lambda name: name.lstrip('_'))
            for group in GROUPS}


def syscalls_markdown():
    """``implemented_syscalls`` as a Markdown list, one line per group (for the README)."""
    return '\n'.join(f'- **{group}**: ' + ', '.join(f'`{name}`' for name in names)
                     for group, names in implemented_syscalls().items()) + '\n'


def s32(x):
    return x - (1 << 32) if x & 0x8000_0000 else x


def pair64(lo, hi):
    """A 64-bit argument passed as two registers, low word first."""
    v = lo | hi << 32
    return v - (1 << 64) if v >> 63 else v


class Exit(Exception):
    """The process ends (exit, exit_group, a fatal signal)."""

    def __init__(self, status, signal=None, message=''):
        super().__init__(status)
        self.status, self.signal, self.message = status, signal, message


class Deadlock(Exception):
    """A single-threaded process waits for something nothing can ever do."""


class DevNull(OpenFile):
    kind = 'device'
    path = '/dev/null'

    def read(self, n):
        return b''

    def write(self, data):
        return len(data)

    def stat(self):
        return {'mode': L.S_IFCHR | 0o666, 'size': 0, 'nlink': 1, 'ino': 0, 'rdev': 0x103}


class DevZero(DevNull):
    path = '/dev/zero'

    def read(self, n):
        return bytes(n)


class DevRandom(DevNull):
    path = '/dev/urandom'

    def __init__(self, flags, rng):
        super().__init__(flags)
        self.rng = rng

    def read(self, n):
        return self.rng.randbytes(n)


class Kernel:
    """The state a process's system calls act on, and the calls themselves."""

    def __init__(self, vm):
        self.vm = vm
        self.space = vm.space
        self.fds = vm.fds
        self.sandbox = vm.sandbox
        self.rng = vm.rng
        self.hart = vm.machine.hart
        self.clint = vm.machine.clint
        self.umask = 0o022
        self.sigactions = {}                # signal -> the 16 bytes of its k_sigaction
        self.sigmask = 0
        self.clear_child_tid = 0
        self.pipes_made = 0                 # pipes are numbered (their inodes) from 1

    # --- plumbing --------------------------------------------------------------------------

    def string(self, va):
        try:
            return self.space.read_cstring(va, 4095)
        except ValueError:
            raise SysError(L.ENAMETOOLONG)

    def path_base(self, dirfd, path):
        """The guest directory a relative ``path`` is resolved against."""
        if path.startswith(b'/') or s32(dirfd) == L.AT_FDCWD:
            return None
        f = self.fds.get(s32(dirfd))
        if not isinstance(f, HostFile) or not f.is_dir:
            raise SysError(L.ENOTDIR)
        return f.path

    def resolve(self, dirfd, va, follow=True):
        path = self.string(va)
        return self.sandbox.resolve(path, self.path_base(dirfd, path), follow)

    def at_target(self, dirfd, va, flags):
        """What a ``*at`` call names: the open file ``dirfd`` (an empty path with
        ``AT_EMPTY_PATH``; the working directory's host path for ``AT_FDCWD``), else the host
        path of the path, its last symlink followed unless ``AT_SYMLINK_NOFOLLOW``."""
        path = self.string(va)
        if not path and flags & L.AT_EMPTY_PATH:
            if s32(dirfd) == L.AT_FDCWD:
                return self.sandbox.host_path(self.sandbox.cwd)
            return self.fds.get(s32(dirfd))
        _, host = self.sandbox.resolve(path, self.path_base(dirfd, path),
                                       follow=not flags & L.AT_SYMLINK_NOFOLLOW)
        return host

    def read_buffer(self, va, n):
        return self.space.read(va, min(n, IO_LIMIT))

    def now_ns(self):
        """Nanoseconds since the program started: mtime (instructions / 10) x 100 ns."""
        return self.clint.mtime(self.hart.instret) * NS_PER_TICK

    def write_timespec(self, va, ns):
        self.space.write(va, struct.pack('<qii', ns // 1_000_000_000, ns % 1_000_000_000, 0))

    def read_timespecs(self, va, count):
        """``count`` ``struct __kernel_timespec`` (16 bytes each: a 64-bit ``tv_sec``, then a
        64-bit ``tv_nsec`` of which a 32-bit kernel keeps the low word) as (sec, nsec) pairs,
        unchecked."""
        raw = self.space.read(va, 16 * count)
        return [struct.unpack_from('<qi', raw, 16 * i) for i in range(count)]

    def read_timespec(self, va):
        ((sec, nsec),) = self.read_timespecs(va, 1)
        if not 0 <= nsec < 1_000_000_000:
            raise SysError(L.EINVAL)
        return sec * 1_000_000_000 + nsec

    # --- files: reading and writing --------------------------------------------------------

    @syscall('read', 'fd', 'obuf:2', 'u', group='files')
    def sys_read(self, fd, buf, count):
        f = self.fds.get(s32(fd))
        count = min(count, IO_LIMIT)
        self.space.check_regions(buf, count, L.PROT_WRITE)
        data = f.read(count)
        self.space.write(buf, data)
        return len(data)

    @syscall('write', 'fd', 'ibuf:2', 'u', group='files')
    def sys_write(self, fd, buf, count):
        f = self.fds.get(s32(fd))
        if not f.writable:
            raise SysError(L.EBADF)
        return self.vm.write_file(f, self.read_buffer(buf, count))

    def iovecs(self, iov, count):
        if count > 1024:
            raise SysError(L.EINVAL)
        words = struct.unpack(f'<{2 * count}I', self.space.read(iov, 8 * count))
        return list(zip(words[0::2], words[1::2]))

    @syscall('readv', 'fd', 'iov_out:2', 'u', group='files')
    def sys_readv(self, fd, iov, count):
        f = self.fds.get(s32(fd))
        vecs = self.iovecs(iov, count)
        for base, length in vecs:
            self.space.check_regions(base, length, L.PROT_WRITE)
        data = f.read(min(sum(n for _, n in vecs), IO_LIMIT))
        pos = 0
        for base, length in vecs:
            if pos >= len(data):
                break
            chunk = data[pos:pos + length]
            self.space.write(base, chunk)
            pos += len(chunk)
        return len(data)

    @syscall('writev', 'fd', 'iov_in:2', 'u', group='files')
    def sys_writev(self, fd, iov, count):
        f = self.fds.get(s32(fd))
        if not f.writable:
            raise SysError(L.EBADF)
        data = b''.join(self.read_buffer(base, length) for base, length in
                        self.iovecs(iov, count))
        return self.vm.write_file(f, data) if data else 0

    @syscall('pread64', 'fd', 'obuf:2', 'u', 'off64', 'skip', group='files')
    def sys_pread64(self, fd, buf, count, lo, hi):
        f = self.fds.get(s32(fd))
        offset = pair64(lo, hi)
        if offset < 0:
            raise SysError(L.EINVAL)
        count = min(count, IO_LIMIT)
        self.space.check_regions(buf, count, L.PROT_WRITE)
        data = f.pread(count, offset)
        self.space.write(buf, data)
        return len(data)

    @syscall('pwrite64', 'fd', 'ibuf:2', 'u', 'off64', 'skip', group='files')
    def sys_pwrite64(self, fd, buf, count, lo, hi):
        f = self.fds.get(s32(fd))
        offset = pair64(lo, hi)
        if offset < 0:
            raise SysError(L.EINVAL)
        return f.pwrite(self.read_buffer(buf, count), offset)

    @syscall('_llseek', 'fd', 'off64hi', 'skip', 'u64out', 'whence', group='files')
    def sys_llseek(self, fd, hi, lo, result, whence):
        f = self.fds.get(s32(fd))
        offset = pair64(lo, hi)
        self.space.check_regions(result, 8, L.PROT_WRITE)
        pos = f.seek(offset, whence)
        if pos < 0:
            raise SysError(L.EINVAL)
        self.space.write(result, struct.pack('<q', pos))
        return 0

    # --- files: opening, closing, descriptors --------------------------------------------------

    @syscall('openat', 'dirfd', 'path', 'oflags', 'openmode', group='files')
    def sys_openat(self, dirfd, va, flags, mode):
        path = self.string(va)
        device = self.device(path, flags)
        if device is not None:
            return self.fds.add(device, cloexec=bool(flags & L.O_CLOEXEC))
        guest, host = self.sandbox.resolve(path, self.path_base(dirfd, path),
                                           follow=not flags & L.O_NOFOLLOW)
        if flags & L.O_TMPFILE == L.O_TMPFILE:
            raise SysError(L.EOPNOTSUPP)
        access = flags & L.O_ACCMODE
        if access == 3:
            raise SysError(L.EINVAL)
        if flags & L.O_PATH:
            access, flags = L.O_RDONLY, flags & (L.O_PATH | L.O_DIRECTORY | L.O_CLOEXEC)
        host_flags = ({L.O_RDONLY: os.O_RDONLY, L.O_WRONLY: os.O_WRONLY,
                       L.O_RDWR: os.O_RDWR}[access] | os.O_NOFOLLOW | os.O_CLOEXEC)
        for bit, host_bit in ((L.O_CREAT, os.O_CREAT), (L.O_EXCL, os.O_EXCL),
                              (L.O_TRUNC, os.O_TRUNC), (L.O_APPEND, os.O_APPEND),
                              (L.O_DIRECTORY, os.O_DIRECTORY), (L.O_NOATIME, os.O_NOATIME)):
            if flags & bit:
                host_flags |= host_bit
        try:
            host_fd = os.open(host, host_flags, mode & 0o7777 & ~self.umask)
        except OSError as e:
            raise SysError(L.host_errno(e))
        f = HostFile(host_fd, flags, self.sandbox.to_guest(host), host)
        try:
            return self.fds.add(f, cloexec=bool(flags & L.O_CLOEXEC))
        except SysError:
            f.close()
            raise

    def device(self, path, flags):
        """The few device files the sandbox provides itself, or None."""
        name = self.sandbox.guest_path(path, self.sandbox.cwd)
        if name == '/dev/null':
            return DevNull(flags)
        if name == '/dev/zero':
            return DevZero(flags)
        if name in ('/dev/urandom', '/dev/random'):
            return DevRandom(flags, self.rng)
        if name in ('/dev/stdin', '/dev/stdout', '/dev/stderr'):
            fd = ('/dev/stdin', '/dev/stdout', '/dev/stderr').index(name)
            return self.fds.get(fd)
        return None

    @syscall('close', 'fd', group='files')
    def sys_close(self, fd):
        self.fds.close(s32(fd))
        return 0

    @syscall('dup', 'fd', group='files')
    def sys_dup(self, fd):
        return self.fds.add(self.fds.get(s32(fd)))

    @syscall('dup3', 'fd', 'fd', 'cloexec', group='files')
    def sys_dup3(self, old, new, flags):
        f = self.fds.get(s32(old))
        if old == new or flags & ~L.O_CLOEXEC:
            raise SysError(L.EINVAL)
        if not 0 <= s32(new) < self.fds.LIMIT:
            raise SysError(L.EBADF)
        self.fds.put(new, f)
        if flags & L.O_CLOEXEC:
            self.fds.cloexec.add(new)
        return new

    @syscall('pipe2', 'pipefds', 'pipeflags', group='files')
    def sys_pipe2(self, fds, flags):
        """A pipe kept in Python (``files.Pipe``, which says what a read or write does when
        Linux would wait). musl's ``pipe()`` is ``pipe2(fds, 0)``."""
        if flags & ~(L.O_CLOEXEC | L.O_NONBLOCK | L.O_DIRECT):
            raise SysError(L.EINVAL)
        self.space.check_regions(fds, 8, L.PROT_WRITE)
        self.pipes_made += 1
        ends = make_pipe(flags, self.pipes_made)
        numbers = []
        try:
            for end in ends:
                numbers.append(self.fds.add(end, cloexec=bool(flags & L.O_CLOEXEC)))
        except SysError:                    # EMFILE: nothing is left behind
            for fd in numbers:
                self.fds.close(fd)
            raise
        self.space.write(fds, struct.pack('<2i', *numbers))
        return 0

    @syscall('fcntl64', 'fd', 'fcntl', 'x', group='files')
    def sys_fcntl64(self, fd, cmd, arg):
        fd = s32(fd)
        f = self.fds.get(fd)
        if cmd in (L.F_DUPFD, L.F_DUPFD_CLOEXEC):
            return self.fds.add(f, lowest=arg, cloexec=cmd == L.F_DUPFD_CLOEXEC)
        if cmd == L.F_GETFD:
            return L.FD_CLOEXEC if fd in self.fds.cloexec else 0
        if cmd == L.F_SETFD:
            (self.fds.cloexec.add if arg & L.FD_CLOEXEC else self.fds.cloexec.discard)(fd)
            return 0
        if cmd == L.F_GETFL:                # the access mode and the status flags
            return f.flags
        if cmd == L.F_SETFL:                # only the status flags Linux lets it change
            f.set_status(arg)
            return 0
        if cmd in (L.F_GETLK, L.F_SETLK, L.F_SETLKW, 5, 6, 7):
            return 0                        # one process: every lock is granted
        raise SysError(L.EINVAL)

    @syscall('ioctl', 'fd', 'ioctl', 'x', group='files')
    def sys_ioctl(self, fd, request, arg):
        f = self.fds.get(s32(fd))
        if request == L.TIOCGWINSZ and f.isatty():
            size = f.winsize()
            if size:
                self.space.write(arg, struct.pack('<4H', size[0], size[1], 0, 0))
                return 0
        raise SysError(L.ENOTTY)

    @syscall('statx', 'dirfd', 'path', 'atflags', 'statxmask', 'statx', group='files')
    def sys_statx(self, dirfd, va, flags, mask, buf):
        target = self.at_target(dirfd, va, flags)
        st = target.stat() if isinstance(target, OpenFile) else \
            self.stat_path(target, not flags & L.AT_SYMLINK_NOFOLLOW)
        self.space.write(buf, statx_bytes(st))
        return 0

    def stat_path(self, host, follow):
        try:
            return stat_fields(os.stat(host) if follow else os.lstat(host))
        except OSError as e:
            raise SysError(L.host_errno(e))

    @syscall('getdents64', 'fd', 'p', 'u', group='files')
    def sys_getdents64(self, fd, buf, count):
        f = self.fds.get(s32(fd))
        if not isinstance(f, HostFile) or not f.is_dir:
            raise SysError(L.ENOTDIR)
        out = bytearray()
        entries = f.entries()
        while f.dir_pos < len(entries):
            name, ino, kind = entries[f.dir_pos]
            raw = os.fsencode(name) + b'\0'
            reclen = (19 + len(raw) + 7) & ~7
            if len(out) + reclen > count:
                if not out:
                    raise SysError(L.EINVAL)
                break
            record = struct.pack('<QqHB', ino, f.dir_pos + 1, reclen, kind) + raw
            out += record + bytes(reclen - len(record))
            f.dir_pos += 1
        self.space.write(buf, bytes(out))
        return len(out)

    @syscall('ftruncate64', 'fd', 'off64', 'skip', group='files')
    def sys_ftruncate64(self, fd, lo, hi):
        length = pair64(lo, hi)
        if length < 0:
            raise SysError(L.EINVAL)
        self.fds.get(s32(fd)).truncate(length)
        return 0

    @syscall('truncate64', 'path', 'off64', 'skip', group='files')
    def sys_truncate64(self, va, lo, hi):
        length = pair64(lo, hi)
        _, host = self.resolve(L.AT_FDCWD & 0xFFFFFFFF, va)
        if length < 0:
            raise SysError(L.EINVAL)
        try:
            os.truncate(host, length)
        except OSError as e:
            raise SysError(L.host_errno(e))
        return 0

    @syscall('fsync', 'fd', group='files')
    def sys_fsync(self, fd):
        self.fds.get(s32(fd))
        return 0

    @syscall('fdatasync', 'fd', group='files')
    def sys_fdatasync(self, fd):
        self.fds.get(s32(fd))
        return 0

    # --- files: the directory tree --------------------------------------------------------------

    def host_call(self, fn, *args, **kwargs):
        """``fn(*args, **kwargs)`` on the host, its OSError as the guest's errno."""
        try:
            return fn(*args, **kwargs)
        except OSError as e:
            raise SysError(L.host_errno(e))

    @syscall('getcwd', 'obuf:1', 'u', group='files')
    def sys_getcwd(self, buf, size):
        cwd = os.fsencode(self.sandbox.cwd) + b'\0'
        if size < len(cwd):
            raise SysError(L.ERANGE)
        self.space.write(buf, cwd)
        return len(cwd)

    @syscall('chdir', 'path', group='files')
    def sys_chdir(self, va):
        _, host = self.resolve(L.AT_FDCWD & 0xFFFFFFFF, va)
        if not _stat.S_ISDIR(self.host_call(os.stat, host).st_mode):
            raise SysError(L.ENOTDIR)
        self.sandbox.cwd = self.sandbox.to_guest(host)
        return 0

    @syscall('fchdir', 'fd', group='files')
    def sys_fchdir(self, fd):
        f = self.fds.get(s32(fd))
        if not isinstance(f, HostFile) or not f.is_dir:
            raise SysError(L.ENOTDIR)
        self.sandbox.cwd = f.path
        return 0

    @syscall('mkdirat', 'dirfd', 'path', 'mode', group='files')
    def sys_mkdirat(self, dirfd, va, mode):
        _, host = self.resolve(dirfd, va, follow=False)
        self.host_call(os.mkdir, host, mode & 0o7777 & ~self.umask)
        return 0

    @syscall('unlinkat', 'dirfd', 'path', 'atflags', group='files')
    def sys_unlinkat(self, dirfd, va, flags):
        guest, host = self.resolve(dirfd, va, follow=False)
        if guest == '/':
            raise SysError(L.EBUSY)
        if flags & L.AT_REMOVEDIR:
            self.host_call(os.rmdir, host)
        else:
            if os.path.isdir(host) and not os.path.islink(host):
                raise SysError(L.EISDIR)
            self.host_call(os.unlink, host)
        return 0

    @syscall('renameat2', 'dirfd', 'path', 'dirfd', 'path', 'renameflags', group='files')
    def sys_renameat2(self, olddir, old, newdir, new, flags):
        if flags:
            raise SysError(L.EINVAL)
        g1, h1 = self.resolve(olddir, old, follow=False)
        g2, h2 = self.resolve(newdir, new, follow=False)
        if '/' in (g1, g2):
            raise SysError(L.EACCES)
        self.host_call(os.rename, h1, h2)
        return 0

    @syscall('linkat', 'dirfd', 'path', 'dirfd', 'path', 'atflags', group='files')
    def sys_linkat(self, olddir, old, newdir, new, flags):
        """A hard link. Like Linux, a symlink as the old path is linked itself unless
        ``AT_SYMLINK_FOLLOW``; then the sandbox resolves it (inside the root, or EACCES) and
        the host links what it names. Linking the file a descriptor refers to
        (``AT_EMPTY_PATH`` and an empty path) is not provided: ENOENT, Linux's answer before
        6.10 to a process without ``CAP_DAC_READ_SEARCH``."""
        if flags & ~(L.AT_SYMLINK_FOLLOW | L.AT_EMPTY_PATH):
            raise SysError(L.EINVAL)
        _, h1 = self.resolve(olddir, old, follow=bool(flags & L.AT_SYMLINK_FOLLOW))
        _, h2 = self.resolve(newdir, new, follow=False)
        self.host_call(os.link, h1, h2, follow_symlinks=False)
        return 0

    @syscall('symlinkat', 'path', 'dirfd', 'path', group='files')
    def sys_symlinkat(self, target_va, newdir, new):
        target = os.fsdecode(self.string(target_va))
        _, host = self.resolve(newdir, new, follow=False)
        if target.startswith('/'):              # a guest absolute path means one inside root
            target = os.path.join(self.sandbox.root, target.lstrip('/'))
        self.host_call(os.symlink, target, host)
        return 0

    @syscall('readlinkat', 'dirfd', 'path', 'obuf:3', 'u', group='files')
    def sys_readlinkat(self, dirfd, va, buf, size):
        _, host = self.resolve(dirfd, va, follow=False)
        target = self.host_call(os.readlink, host)
        if target.startswith('/') and self.sandbox.inside(os.path.normpath(target)):
            target = self.sandbox.to_guest(os.path.normpath(target))
        data = os.fsencode(target)[:size]
        if s32(size) <= 0:
            raise SysError(L.EINVAL)
        self.space.write(buf, data)
        return len(data)

    @syscall('faccessat', 'dirfd', 'path', 'accessmode', group='files')
    def sys_faccessat(self, dirfd, va, mode):
        return self.sys_faccessat2(dirfd, va, mode, 0)

    @syscall('faccessat2', 'dirfd', 'path', 'accessmode', 'atflags', group='files')
    def sys_faccessat2(self, dirfd, va, mode, flags):
        _, host = self.resolve(dirfd, va, follow=not flags & L.AT_SYMLINK_NOFOLLOW)
        if not os.path.lexists(host):
            raise SysError(L.ENOENT)
        if mode & 7 and not os.access(host, mode & 7):
            raise SysError(L.EACCES)
        return 0

    @syscall('fchmodat', 'dirfd', 'path', 'mode', group='files')
    def sys_fchmodat(self, dirfd, va, mode):
        _, host = self.resolve(dirfd, va)
        self.host_call(os.chmod, host, mode & 0o7777)
        return 0

    @syscall('fchmod', 'fd', 'mode', group='files')
    def sys_fchmod(self, fd, mode):
        f = self.fds.get(s32(fd))
        if isinstance(f, HostFile):
            self.host_call(os.fchmod, f.host_fd, mode & 0o7777)
        return 0

    @syscall('umask', 'mode', group='files')
    def sys_umask(self, mask):
        old, self.umask = self.umask, mask & 0o777
        return old

    @syscall('utimensat_time64', 'dirfd', 'path', 'utimes', 'atflags', group='files')
    def sys_utimensat_time64(self, dirfd, va, times, flags):
        """Set a file's access and modification times: ``times`` is two timespecs, or NULL for
        "now"; ``UTIME_OMIT`` keeps a time. A NULL path with a descriptor is ``futimens``.

        "Now" (``UTIME_NOW``) is the host's clock, not the VM's deterministic one: the host
        stamps the files the guest writes with its own time, and a file touched now must not
        look older than one written a moment ago. Checks come in Linux's order: both times
        omitted is 0 before anything else, then the flags, the path, the nanoseconds."""
        wanted = self.read_timespecs(times, 2) if times else [(0, L.UTIME_NOW)] * 2
        if all(nsec == L.UTIME_OMIT for _, nsec in wanted):
            return 0
        if va == 0 and s32(dirfd) != L.AT_FDCWD:
            if flags:
                raise SysError(L.EINVAL)
            target = self.fds.get(s32(dirfd))
        else:
            if flags & ~(L.AT_SYMLINK_NOFOLLOW | L.AT_EMPTY_PATH):
                raise SysError(L.EINVAL)
            target = self.at_target(dirfd, va, flags)
        if isinstance(target, OpenFile):
            target = target.host_fd         # None: a pipe or a device, no host file
        follow = isinstance(target, int) or not flags & L.AT_SYMLINK_NOFOLLOW
        # a missing file is ENOENT before a bad time is EINVAL
        old = None if target is None else self.host_call(os.stat, target, follow_symlinks=follow)
        if any(not 0 <= nsec < 1_000_000_000 and nsec not in (L.UTIME_NOW, L.UTIME_OMIT)
               for _, nsec in wanted):
            raise SysError(L.EINVAL)
        if target is None:
            return 0
        if all(nsec == L.UTIME_NOW for _, nsec in wanted):      # the host's "now" and its rules
            self.host_call(os.utime, target, follow_symlinks=follow)
            return 0
        ns = [kept if nsec == L.UTIME_OMIT else time.time_ns() if nsec == L.UTIME_NOW
              else sec * 1_000_000_000 + nsec
              for (sec, nsec), kept in zip(wanted, (old.st_atime_ns, old.st_mtime_ns))]
        self.host_call(os.utime, target, ns=tuple(ns), follow_symlinks=follow)
        return 0

    @syscall('statfs64', 'path', 'u', 'p', group='files')
    def sys_statfs64(self, va, size, buf):
        """The figures of the file system holding a file, from the host's ``statvfs`` of it
        (the sandbox is a directory of a host file system)."""
        if size != STATFS.size:             # Linux checks the size before anything else
            raise SysError(L.EINVAL)
        _, host = self.resolve(L.AT_FDCWD & 0xFFFFFFFF, va)
        self.space.write(buf, statfs_bytes(self.host_call(os.statvfs, host)))
        return 0

    @syscall('fstatfs64', 'fd', 'u', 'p', group='files')
    def sys_fstatfs64(self, fd, size, buf):
        """``statfs64`` of an open file; one with no host file behind it (a pipe, a device,
        a notebook's buffer) gets the figures of the sandbox root."""
        if size != STATFS.size:
            raise SysError(L.EINVAL)
        f = self.fds.get(s32(fd))
        target = self.sandbox.root if f.host_fd is None else f.host_fd
        self.space.write(buf, statfs_bytes(self.host_call(os.statvfs, target)))
        return 0

    # --- memory -----------------------------------------------------------------------------

    @syscall('brk', 'p', group='memory')
    def sys_brk(self, addr):
        space = self.space
        if addr < space.brk_start:
            return space.brk
        old_end, new_end = page_up(space.brk), page_up(addr)
        if new_end > old_end:
            if not space.is_free(old_end, new_end):
                return space.brk
            heap = space.region_at(old_end - 1) if old_end > space.brk_start else None
            if heap is not None and heap.kind == 'heap':
                heap.end = new_end
            else:
                space.add_region(old_end, new_end, L.PROT_READ | L.PROT_WRITE, 'heap')
        elif new_end < old_end:
            space.remove_range(new_end, old_end)
        space.brk = addr
        return addr

    @syscall('mmap2', 'p', 'u', 'prot', 'mflags', 'fd', 'u', group='memory')
    def sys_mmap2(self, addr, length, prot, flags, fd, pgoff):
        space = self.space
        kind = flags & 0xF
        if length == 0 or kind not in (L.MAP_SHARED, L.MAP_PRIVATE, L.MAP_SHARED_VALIDATE):
            raise SysError(L.EINVAL)
        size = page_up(length)
        if size > TASK_SIZE or prot & ~7:
            raise SysError(L.ENOMEM if size > TASK_SIZE else L.EINVAL)
        f = None
        if not flags & L.MAP_ANONYMOUS:
            f = self.fds.get(s32(fd))
            if not isinstance(f, HostFile) or f.is_dir or not f.readable:
                raise SysError(L.EACCES if isinstance(f, HostFile) else L.ENODEV)
        fixed = flags & (L.MAP_FIXED | L.MAP_FIXED_NOREPLACE)
        if fixed:
            if addr & PAGE_MASK:
                raise SysError(L.EINVAL)
            if addr < MIN_ADDR or addr + size > TASK_SIZE:
                raise SysError(L.ENOMEM if flags & L.MAP_FIXED else L.EINVAL)
            if not space.is_free(addr, addr + size):
                if flags & L.MAP_FIXED_NOREPLACE:
                    raise SysError(L.EEXIST)
                space.remove_range(addr, addr + size)
            start = addr
        else:
            start = space.find_free(size, page_up(addr) if addr else 0)
            if start is None:
                raise SysError(L.ENOMEM)
        space.add_region(start, start + size, prot, 'mmap' if f is None else f'mmap {f.path}')
        if f is not None:
            data = f.pread(size, pgoff * PAGE)
            if data:
                space.populate(start, data)
        return start

    @syscall('munmap', 'p', 'u', group='memory')
    def sys_munmap(self, addr, length):
        if addr & PAGE_MASK or length == 0 or addr + length > TASK_SIZE:
            raise SysError(L.EINVAL)
        self.space.remove_range(addr, addr + page_up(length))
        return 0

    @syscall('mprotect', 'p', 'u', 'prot', group='memory')
    def sys_mprotect(self, addr, length, prot):
        if addr & PAGE_MASK or prot & ~7:
            raise SysError(L.EINVAL)
        if length == 0:
            return 0
        if not self.space.protect_range(addr, addr + page_up(length), prot):
            raise SysError(L.ENOMEM)
        return 0

    @syscall('mremap', 'p', 'u', 'u', 'mremap', 'p', group='memory')
    def sys_mremap(self, old, old_size, new_size, flags, new_addr):
        space = self.space
        if old & PAGE_MASK or flags & ~3 or new_size == 0 or \
                (flags & L.MREMAP_FIXED and not flags & L.MREMAP_MAYMOVE):
            raise SysError(L.EINVAL)
        old_size, new_size = page_up(old_size), page_up(new_size)
        region = space.region_at(old)
        if region is None or old + old_size > region.end:
            raise SysError(L.EFAULT)
        if flags & L.MREMAP_FIXED:
            raise SysError(L.EINVAL)
        if new_size <= old_size:
            if new_size < old_size:
                space.remove_range(old + new_size, old + old_size)
            return old
        if space.is_free(old + old_size, old + new_size) and region.end == old + old_size:
            region.end = old + new_size
            return old
        if not flags & L.MREMAP_MAYMOVE:
            raise SysError(L.ENOMEM)
        start = space.find_free(new_size)
        if start is None:
            raise SysError(L.ENOMEM)
        moved = {}
        for vpn in range(old >> 12, (old + old_size) >> 12):
            frame = space.pages.pop(vpn, None)
            if frame is not None:
                space._set_pte(vpn, 0)
                moved[(start >> 12) + vpn - (old >> 12)] = frame
        prot, kind = region.prot, region.kind
        space.remove_range(old, old + old_size)
        space.pages.update(moved)
        space.add_region(start, start + new_size, prot, kind)
        return start

    @syscall('madvise', 'p', 'u', 'd', group='memory')
    def sys_madvise(self, addr, length, advice):
        if addr & PAGE_MASK:
            raise SysError(L.EINVAL)
        if advice == L.MADV_DONTNEED:       # private anonymous pages read back as zeros
            end = addr + page_up(length)
            for vpn in self.space._present(addr, end):
                frame = self.space.pages.pop(vpn)
                self.space._set_pte(vpn, 0)
                self.hart.icache.pop(frame >> 12, None)
                self.space.frames.release(frame)
            self.space.flush(addr, end)
        return 0

    # --- processes ------------------------------------------------------------------------

    @syscall('exit', 'd', group='processes')
    def sys_exit(self, status):
        raise Exit(status & 0xFF)

    @syscall('exit_group', 'd', group='processes')
    def sys_exit_group(self, status):
        raise Exit(status & 0xFF)

    @syscall('set_tid_address', 'p', group='processes')
    def sys_set_tid_address(self, ptr):
        self.clear_child_tid = ptr
        return PID

    @syscall('set_robust_list', 'p', 'u', group='processes')
    def sys_set_robust_list(self, head, size):
        return 0

    @syscall('getpid', group='processes')
    def sys_getpid(self):
        return PID

    @syscall('gettid', group='processes')
    def sys_gettid(self):
        return PID

    @syscall('getppid', group='processes')
    def sys_getppid(self):
        return 1

    @syscall('getuid', group='processes')
    def sys_getuid(self):
        return UID

    @syscall('geteuid', group='processes')
    def sys_geteuid(self):
        return UID

    @syscall('getgid', group='processes')
    def sys_getgid(self):
        return GID

    @syscall('getegid', group='processes')
    def sys_getegid(self):
        return GID

    @syscall('sched_getaffinity', 'pid', 'u', 'p', group='processes')
    def sys_sched_getaffinity(self, pid, size, mask):
        if size < 4 or size & 3:
            raise SysError(L.EINVAL)
        self.space.write(mask, (1).to_bytes(4, 'little'))
        return 4

    @syscall('sched_yield', group='processes')
    def sys_sched_yield(self):
        return 0

    @syscall('prlimit64', 'pid', 'rlimit', 'p', 'p', group='processes')
    def sys_prlimit64(self, pid, resource, new, old):
        if pid not in (0, PID):
            raise SysError(L.ESRCH)
        if resource > 15:
            raise SysError(L.EINVAL)
        if old:
            infinity = (1 << 64) - 1
            limits = {3: (8 << 20, infinity), 7: (1024, 1024)}      # STACK, NOFILE
            self.space.write(old, struct.pack('<QQ', *limits.get(resource,
                                                                 (infinity, infinity))))
        return 0

    @syscall('futex_time64', 'p', 'futexop', 'd', 'p', 'p', 'd', group='processes')
    def sys_futex(self, addr, op, val, timeout, addr2, val3):
        cmd = op & 0x7F
        if cmd == L.FUTEX_WAKE:
            return 0
        if cmd == L.FUTEX_WAIT:
            if self.space.read_u32(addr) != val & 0xFFFFFFFF:
                raise SysError(L.EAGAIN)
            if timeout:
                raise SysError(L.ETIMEDOUT)
            raise Deadlock(f'futex wait at 0x{addr:08x} with no other thread to wake it')
        raise SysError(L.ENOSYS)

    # --- time -------------------------------------------------------------------------------

    @syscall('clock_gettime64', 'clock', 'timespec_out', group='time')
    def sys_clock_gettime64(self, clock, ts):
        if clock not in L.CLOCK_NAMES:
            raise SysError(L.EINVAL)
        ns = self.now_ns()
        if clock in (0, 5, 8, 11):              # the realtime clocks: an epoch plus that
            ns += REALTIME_EPOCH * 1_000_000_000
        self.write_timespec(ts, ns)
        return 0

    @syscall('clock_getres_time64', 'clock', 'timespec_out', group='time')
    def sys_clock_getres_time64(self, clock, ts):
        if clock not in L.CLOCK_NAMES:
            raise SysError(L.EINVAL)
        if ts:
            self.write_timespec(ts, NS_PER_TICK)
        return 0

    @syscall('clock_nanosleep_time64', 'clock', 'd', 'timespec_in', 'p', group='time')
    def sys_clock_nanosleep_time64(self, clock, flags, req, rem):
        if clock not in L.CLOCK_NAMES:
            raise SysError(L.EINVAL)
        ns = self.read_timespec(req)
        if flags & L.TIMER_ABSTIME:
            now = self.now_ns() + (REALTIME_EPOCH * 1_000_000_000 if clock in (0, 5, 11)
                                   else 0)
            ns -= now
        if ns > 0:                          # time jumps ahead, like wfi on the machine
            self.clint.offset += -(-ns // NS_PER_TICK)
        return 0

    @syscall('times', 'p', group='time')
    def sys_times(self, buf):
        ticks = self.now_ns() // 10_000_000 & 0xFFFFFFFF     # clock_t at 100 Hz
        if buf:
            self.space.write(buf, struct.pack('<4I', ticks, 0, 0, 0))
        return ticks

    # --- processes: signals ---------------------------------------------------------------

    @syscall('rt_sigaction', 'sig', 'p', 'p', 'u', group='processes')
    def sys_rt_sigaction(self, sig, act, old, size):
        if not 1 <= sig <= 64 or (act and sig in (L.SIGKILL, L.SIGSTOP)):
            raise SysError(L.EINVAL)
        if old:
            self.space.write(old, self.sigactions.get(sig, bytes(16)))
        if act:
            self.sigactions[sig] = self.space.read(act, 16)
        return 0

    @syscall('rt_sigprocmask', 'sighow', 'p', 'p', 'u', group='processes')
    def sys_rt_sigprocmask(self, how, new, old, size):
        if old:
            self.space.write(old, struct.pack('<Q', self.sigmask))
        if new:
            (mask,) = struct.unpack('<Q', self.space.read(new, 8))
            if how == 0:
                self.sigmask |= mask
            elif how == 1:
                self.sigmask &= ~mask
            elif how == 2:
                self.sigmask = mask
            else:
                raise SysError(L.EINVAL)
        return 0

    @syscall('sigaltstack', 'p', 'p', group='processes')
    def sys_sigaltstack(self, new, old):
        if old:
            self.space.write(old, struct.pack('<IiI', 0, 2, 0))     # SS_DISABLE
        return 0

    def send_signal(self, sig):
        if sig == 0:
            return 0
        if not 1 <= sig <= 64:
            raise SysError(L.EINVAL)
        handler = self.sigactions.get(sig, bytes(4))[:4]
        if sig in L.SIGNALS_IGNORED or handler == (1).to_bytes(4, 'little'):   # SIG_IGN
            return 0
        raise Exit(128 + sig, sig, L.SIGNAL_DESCRIPTIONS.get(sig, f'killed by signal {sig}'))

    @syscall('kill', 'pid', 'sig', group='processes')
    def sys_kill(self, pid, sig):
        if s32(pid) not in (PID, 0, -1):
            raise SysError(L.ESRCH)
        return self.send_signal(sig)

    @syscall('tkill', 'pid', 'sig', group='processes')
    def sys_tkill(self, tid, sig):
        if tid != PID:
            raise SysError(L.ESRCH)
        return self.send_signal(sig)

    @syscall('tgkill', 'pid', 'pid', 'sig', group='processes')
    def sys_tgkill(self, tgid, tid, sig):
        if tid != PID or tgid != PID:
            raise SysError(L.ESRCH)
        return self.send_signal(sig)

    # --- misc ------------------------------------------------------------------------------

    @syscall('uname', 'p', group='misc')
    def sys_uname(self, buf):
        self.space.write(buf, b''.join(s.encode().ljust(65, b'\0') for s in UNAME))
        return 0

    @syscall('getrandom', 'obuf:1', 'u', 'x', group='misc')
    def sys_getrandom(self, buf, length, flags):
        length = min(length, 1 << 25)
        self.space.check_regions(buf, length, L.PROT_WRITE)
        self.space.write(buf, self.rng.randbytes(length))
        return length


# struct statfs64 (asm-generic, which RV32 uses; musl's struct statfs is the same): f_type,
# f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_fsid, f_namelen, f_frsize, f_flags,
# f_spare[4], padded to 8 bytes: 88 bytes
STATFS = struct.Struct('<IIQQQQQQIII4I4x')
ST_VALID = 0x20                         # f_flags holds the mount flags


def statfs_bytes(sv):
    """``struct statfs64`` for a host ``os.statvfs_result``. ``f_type`` (the file system's
    magic number) is 0, as statvfs does not tell it; ``f_flags`` is statvfs's ``f_flag`` with
    ``ST_VALID``, which Linux sets and the C library's statvfs takes off."""
    return STATFS.pack(0, sv.f_bsize, sv.f_blocks, sv.f_bfree, sv.f_bavail, sv.f_files,
                       sv.f_ffree, sv.f_fsid & (1 << 64) - 1, sv.f_namemax, sv.f_frsize,
                       sv.f_flag | ST_VALID, 0, 0, 0, 0)


def statx_bytes(st):
    """``struct statx`` (256 bytes) for a dict of stat fields."""
    def ts(ns):
        return struct.pack('<qIi', ns // 1_000_000_000, ns % 1_000_000_000, 0)
    dev, rdev = st.get('dev', 0), st.get('rdev', 0)
    head = struct.pack('<IIQIIIHHQQQQ', 0x7FF, st.get('blksize', 4096), 0, st.get('nlink', 1),
                       st.get('uid', UID), st.get('gid', GID), st['mode'] & 0xFFFF, 0,
                       st.get('ino', 0), st['size'], st.get('blocks', 0), 0)
    times = ts(st.get('atime', 0)) + ts(st.get('ctime', 0)) + ts(st.get('ctime', 0)) + \
        ts(st.get('mtime', 0))
    tail = struct.pack('<IIII', os.major(rdev), os.minor(rdev), os.major(dev), os.minor(dev))
    out = head + times + tail
    return out + bytes(256 - len(out))


def mode_text(mode):
    kind = L.FILE_TYPE_NAMES.get(mode & L.S_IFMT, oct(mode & L.S_IFMT))
    return f'{kind}|{mode & 0o7777:04o}'

