"""Files for the guest: a sandboxed directory tree and a table of open file descriptors.

**The sandbox.** The guest sees one directory of the host (``root``, read-write) as its whole
file system: ``/`` is the root, the guest's working directory starts there, and every path
the guest names is resolved inside it:

1. the guest path is made absolute (against the working directory or a directory fd) and its
   ``.`` and ``..`` are applied to the *guest* path, so ``..`` stops at ``/`` like in a chroot
   (``/../../etc/passwd`` is ``ROOT/etc/passwd``);
2. the host path is resolved with every symlink followed (``os.path.realpath``);
3. the result must still be inside the root, otherwise the call fails with ``EACCES``: a
   symlink can point anywhere *inside* the tree (absolute host paths included), never out.

The file is then opened with ``O_NOFOLLOW`` on the resolved name, so a symlink swapped in
between the check and the open cannot lead outside either. So a denied path gets ``EACCES``
or ``ENOENT``, never a host file.

**Descriptors.** 0, 1, 2 are the host's stdin, stdout and stderr (unbuffered, binary), or
in-memory buffers when a notebook captures them; the rest are host files opened inside the
root, or pipes (``Pipe``, kept in Python). ``dup`` shares one ``OpenFile`` (its offset and its
status flags) between descriptors, as in Linux.
"""

import fcntl
import os
import stat as _stat
from collections import deque

from . import linux as L


class SysError(Exception):
    """A system call fails with this errno."""

    def __init__(self, errno):
        super().__init__(errno)
        self.errno = errno


def _oserror(e):
    return SysError(L.host_errno(e))


# --- open files --------------------------------------------------------------------------------

# What an open leaves out of the open file's flags: the flags that only steer the open itself,
# and O_CLOEXEC, which belongs to the descriptor. Linux keeps the rest and F_GETFL shows it.
# O_LARGEFILE, which musl adds to every open, is left out too, as qemu-riscv32 leaves it out
# (on RV32 every file is large: off_t is 64-bit).
OPEN_ONLY = L.O_CREAT | L.O_EXCL | L.O_NOCTTY | L.O_TRUNC | L.O_CLOEXEC | L.O_LARGEFILE

# What F_SETFL may change (Linux's SETFL_MASK). O_ASYNC only sticks to files that can signal
# I/O (pipes here); Linux keeps it neither for regular files.
SETFL_FLAGS = L.O_APPEND | L.O_NONBLOCK | L.O_DIRECT | L.O_NOATIME


class OpenFile:
    """One open file description: what ``read``/``write``/``lseek``/``fstat`` act on."""

    kind = 'file'
    path = ''
    host_fd = None                      # the host descriptor behind it, if there is one
    settable = SETFL_FLAGS              # the status flags F_SETFL may change

    def __init__(self, flags):
        self.flags = flags & ~OPEN_ONLY     # access mode and status flags: what F_GETFL says

    @property
    def readable(self):
        return self.flags & L.O_ACCMODE in (L.O_RDONLY, L.O_RDWR)

    @property
    def writable(self):
        return self.flags & L.O_ACCMODE in (L.O_WRONLY, L.O_RDWR)

    def read(self, n):
        raise SysError(L.EBADF if not self.readable else L.EINVAL)

    def write(self, data):
        raise SysError(L.EBADF if not self.writable else L.EINVAL)

    def pread(self, n, offset):
        raise SysError(L.ESPIPE)

    def pwrite(self, data, offset):
        raise SysError(L.ESPIPE)

    def seek(self, offset, whence):
        raise SysError(L.ESPIPE)

    def stat(self):
        """A dict of stat fields (see ``stat_fields``)."""
        return {'mode': L.S_IFIFO | 0o600, 'size': 0, 'nlink': 1, 'ino': 0}

    def truncate(self, length):
        raise SysError(L.EINVAL)

    def isatty(self):
        return False

    def winsize(self):
        return None

    def set_status(self, flags):
        """F_SETFL: take the changeable status flags from ``flags``, keep the rest."""
        self.flags = self.flags & ~self.settable | flags & self.settable

    def close(self):
        pass


class HostStream(OpenFile):
    """One of the host's standard streams (fd 0, 1 or 2), used unbuffered. F_SETFL changes
    only what the guest sees: the host's descriptors, which the shell shares, keep their
    flags."""

    kind = 'stream'

    def __init__(self, host_fd, flags):
        super().__init__(flags)
        self.host_fd = host_fd
        self.path = {0: '<stdin>', 1: '<stdout>', 2: '<stderr>'}.get(host_fd, '<host>')

    def read(self, n):
        if not self.readable:
            raise SysError(L.EBADF)
        try:
            return os.read(self.host_fd, n)
        except OSError as e:
            raise _oserror(e)

    def write(self, data):
        if not self.writable:
            raise SysError(L.EBADF)
        done = 0
        try:
            while done < len(data):
                done += os.write(self.host_fd, data[done:])
        except OSError as e:
            if done:
                return done
            raise _oserror(e)
        return done

    def stat(self):
        try:
            return stat_fields(os.fstat(self.host_fd))
        except OSError as e:
            raise _oserror(e)

    def isatty(self):
        try:
            return os.isatty(self.host_fd)
        except OSError:
            return False

    def winsize(self):
        try:
            size = os.get_terminal_size(self.host_fd)
            return size.lines, size.columns
        except OSError:
            return None


class BufferInput(OpenFile):
    """Standard input from bytes held in memory."""

    kind = 'buffer'
    path = '<stdin>'

    def __init__(self, data):
        super().__init__(L.O_RDONLY)
        self.data, self.pos = bytes(data), 0

    def read(self, n):
        chunk = self.data[self.pos:self.pos + n]
        self.pos += len(chunk)
        return chunk


class SinkOutput(OpenFile):
    """Standard output or error into a Python callable (a notebook's capture buffer)."""

    kind = 'buffer'

    def __init__(self, sink, path):
        super().__init__(L.O_WRONLY)
        self.sink, self.path = sink, path

    def write(self, data):
        self.sink(bytes(data))
        return len(data)


class HostFile(OpenFile):
    """A host file or directory opened inside the sandbox."""

    def __init__(self, host_fd, flags, path, host_path):
        super().__init__(flags)
        self.host_fd, self.path, self.host_path = host_fd, path, host_path
        self.is_dir = _stat.S_ISDIR(os.fstat(host_fd).st_mode)
        self.kind = 'dir' if self.is_dir else 'file'
        self.dir_entries = None          # getdents64's listing, made on the first call
        self.dir_pos = 0

    def read(self, n):
        if self.is_dir:
            raise SysError(L.EISDIR)
        if not self.readable:
            raise SysError(L.EBADF)
        try:
            return os.read(self.host_fd, n)
        except OSError as e:
            raise _oserror(e)

    def write(self, data):
        if not self.writable:
            raise SysError(L.EBADF)
        try:
            return os.write(self.host_fd, data)
        except OSError as e:
            raise _oserror(e)

    def pread(self, n, offset):
        if not self.readable:
            raise SysError(L.EBADF)
        if self.is_dir:
            raise SysError(L.EISDIR)
        try:
            return os.pread(self.host_fd, n, offset)
        except OSError as e:
            raise _oserror(e)

    def pwrite(self, data, offset):
        if not self.writable:
            raise SysError(L.EBADF)
        try:
            return os.pwrite(self.host_fd, data, offset)
        except OSError as e:
            raise _oserror(e)

    def seek(self, offset, whence):
        if self.is_dir:
            if whence == L.SEEK_SET and offset == 0:
                self.dir_entries, self.dir_pos = None, 0
                return 0
            if whence == L.SEEK_SET and offset >= 0:
                self.dir_pos = offset
                return offset
            raise SysError(L.EINVAL)
        if whence not in (L.SEEK_SET, L.SEEK_CUR, L.SEEK_END):
            raise SysError(L.EINVAL)
        try:
            return os.lseek(self.host_fd, offset, whence)
        except OSError as e:
            raise _oserror(e)

    def stat(self):
        try:
            return stat_fields(os.fstat(self.host_fd))
        except OSError as e:
            raise _oserror(e)

    def truncate(self, length):
        if not self.writable:
            raise SysError(L.EINVAL)
        try:
            os.ftruncate(self.host_fd, length)
        except OSError as e:
            raise _oserror(e)

    def set_status(self, flags):
        """F_SETFL on the host descriptor too, for the flags that change what the host does
        (O_APPEND: where writes go; O_NOATIME: only the owner may, EPERM from the host)."""
        try:
            host = fcntl.fcntl(self.host_fd, fcntl.F_GETFL)
            for bit, host_bit in ((L.O_APPEND, os.O_APPEND), (L.O_NOATIME, os.O_NOATIME)):
                host = host | host_bit if flags & bit else host & ~host_bit
            fcntl.fcntl(self.host_fd, fcntl.F_SETFL, host)
        except OSError as e:
            raise _oserror(e)
        super().set_status(flags)

    def close(self):
        try:
            os.close(self.host_fd)
        except OSError:
            pass

    def entries(self):
        """[(name, inode, d_type)] of this directory, ``.`` and ``..`` first, then sorted."""
        if self.dir_entries is None:
            out = [('.', os.fstat(self.host_fd).st_ino, L.DT_DIR), ('..', 0, L.DT_DIR)]
            try:
                with os.scandir(self.host_path) as it:
                    items = sorted(it, key=lambda e: e.name)
                for e in items:
                    try:
                        kind = (L.DT_LNK if e.is_symlink() else L.DT_DIR if e.is_dir()
                                else L.DT_REG if e.is_file() else L.DT_UNKNOWN)
                        ino = e.inode()
                    except OSError:
                        kind, ino = L.DT_UNKNOWN, 0
                    out.append((e.name, ino, kind))
            except OSError as e:
                raise _oserror(e)
            self.dir_entries = out
        return self.dir_entries


def stat_fields(st):
    """The fields of a host ``os.stat_result`` the guest's ``statx`` needs, as a dict."""
    return {'mode': st.st_mode, 'size': st.st_size, 'nlink': st.st_nlink, 'ino': st.st_ino,
            'uid': st.st_uid, 'gid': st.st_gid, 'blksize': getattr(st, 'st_blksize', 4096),
            'blocks': getattr(st, 'st_blocks', 0), 'dev': st.st_dev,
            'rdev': getattr(st, 'st_rdev', 0), 'atime': st.st_atime_ns,
            'mtime': st.st_mtime_ns, 'ctime': st.st_ctime_ns}


# --- pipes ------------------------------------------------------------------------------------

PIPE_CAPACITY = 16 * 4096           # Linux's default: 16 pages
PIPE_BUF = 4096                     # writes up to this size are atomic; the largest packet


class Pipe:
    """A pipe's buffer, shared by its two ends (``pipe2``), kept in Python.

    The bytes wait in ``chunks``, oldest first: ``[data, packet]`` lists, ``packet`` True for
    what a writer in packet mode (``O_DIRECT``) wrote. A read takes bytes across ordinary
    chunks, but at most one packet, and drops the part of a packet it has no room for.

    **Waiting.** The process VM runs one process of one thread, so while it waited on a pipe
    nothing could ever fill or drain it: on Linux it would hang for good. So a call that
    would wait returns at once with what it can do instead: a read returns what the pipe
    holds (0 bytes when it is empty: the program goes on as at end of file), a write puts in
    what fits (EAGAIN when nothing fits). With ``O_NONBLOCK`` both are exactly Linux's: EAGAIN
    for an empty pipe, and a write of up to ``PIPE_BUF`` bytes goes in whole or not at all.
    Without a reader, a write is EPIPE (and SIGPIPE); without a writer, an empty pipe reads
    as end of file.
    """

    def __init__(self, number):
        self.chunks = deque()
        self.size = 0                       # bytes held
        self.number = number                # its inode number, for fstat and the name
        self.reading = self.writing = True  # whether the ends are still open

    def read(self, n, nonblocking):
        if not n:
            return b''
        if not self.chunks:
            if self.writing and nonblocking:
                raise SysError(L.EAGAIN)
            return b''
        out = bytearray()
        while self.chunks and len(out) < n:
            chunk = self.chunks[0]
            data, packet = chunk
            taken = data[:n - len(out)]
            out += taken
            if packet or len(taken) == len(data):
                self.chunks.popleft()
                self.size -= len(data)
            else:
                chunk[0] = data[len(taken):]
                self.size -= len(taken)
            if packet:
                break
        return bytes(out)

    def write(self, data, nonblocking, packets):
        if not data:
            return 0
        if not self.reading:
            raise SysError(L.EPIPE)
        room = PIPE_CAPACITY - self.size
        if len(data) > room:
            atomic = nonblocking and len(data) <= PIPE_BUF
            if atomic or not room:
                raise SysError(L.EAGAIN)
            data = data[:room]
        step = PIPE_BUF if packets else len(data)
        for start in range(0, len(data), step):
            self.chunks.append([bytes(data[start:start + step]), packets])
        self.size += len(data)
        return len(data)


class PipeEnd(OpenFile):
    """One end of a ``Pipe``: the read end (``O_RDONLY``) or the write end (``O_WRONLY``).

    A pipe keeps ``O_ASYNC`` (Linux's pipes can signal I/O); no SIGIO ever comes, as on
    Linux while no owner is set, and the process VM has no ``F_SETOWN``."""

    kind = 'pipe'
    settable = SETFL_FLAGS | L.O_ASYNC

    def __init__(self, pipe, flags):
        super().__init__(flags)
        self.pipe = pipe
        self.path = f'pipe:[{pipe.number}]'

    def read(self, n):
        if not self.readable:
            raise SysError(L.EBADF)
        return self.pipe.read(n, bool(self.flags & L.O_NONBLOCK))

    def write(self, data):
        if not self.writable:
            raise SysError(L.EBADF)
        return self.pipe.write(data, bool(self.flags & L.O_NONBLOCK),
                               bool(self.flags & L.O_DIRECT))

    def stat(self):
        return {'mode': L.S_IFIFO | 0o600, 'size': 0, 'nlink': 1, 'ino': self.pipe.number}

    def close(self):
        if self.readable:
            self.pipe.reading = False
        else:
            self.pipe.writing = False


def make_pipe(flags, number):
    """The read end and the write end of a new pipe, as ``pipe2`` with ``flags`` makes them:
    both ends get ``O_NONBLOCK``, only the write end ``O_DIRECT`` (it decides what a write
    makes: packets or a stream), like Linux's ``create_pipe_files``."""
    pipe = Pipe(number)
    return (PipeEnd(pipe, L.O_RDONLY | flags & L.O_NONBLOCK),
            PipeEnd(pipe, L.O_WRONLY | flags & (L.O_NONBLOCK | L.O_DIRECT)))


# --- the sandbox ---------------------------------------------------------------------------------

class Sandbox:
    """Guest paths -> host paths inside ``root``, with the guest's working directory."""

    def __init__(self, root):
        self.root = os.path.realpath(os.fspath(root))
        if not os.path.isdir(self.root):
            raise NotADirectoryError(f'sandbox root {root!r} is not a directory')
        self.cwd = '/'

    def guest_path(self, path, base='/'):
        """``path`` (bytes or str) made absolute against ``base`` with ``.``/``..`` applied;
        ``..`` never climbs above ``/``."""
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not path:
            raise SysError(L.ENOENT)
        if len(path) >= 4096:
            raise SysError(L.ENAMETOOLONG)
        parts = [] if path.startswith('/') else [p for p in base.split('/') if p]
        for part in path.split('/'):
            if part in ('', '.'):
                continue
            if part == '..':
                if parts:
                    parts.pop()
            else:
                if len(part) > 255:
                    raise SysError(L.ENAMETOOLONG)
                parts.append(part)
        return '/' + '/'.join(parts)

    def inside(self, host):
        return host == self.root or host.startswith(self.root.rstrip('/') + '/')

    def host_path(self, guest, follow=True):
        """The host path of absolute guest path ``guest``, symlinks resolved (all of them, or
        all but the last with ``follow`` False); EACCES if it would leave the root."""
        if guest == '/':
            return self.root
        host = os.path.join(self.root, guest.lstrip('/'))
        if follow:
            real = os.path.realpath(host)
        else:
            parent, name = os.path.split(host.rstrip('/'))
            real = os.path.join(os.path.realpath(parent), name)
            if not self.inside(os.path.realpath(parent)):
                raise SysError(L.EACCES)
        if not self.inside(real):
            raise SysError(L.EACCES)
        return real

    def resolve(self, path, base=None, follow=True):
        """(guest path, host path) for a path the guest gave (relative to ``base``, a guest
        directory, or the working directory)."""
        guest = self.guest_path(path, self.cwd if base is None else base)
        return guest, self.host_path(guest, follow)

    def to_guest(self, host):
        """The guest's name for a host path inside the root."""
        rel = os.path.relpath(host, self.root)
        return '/' if rel == '.' else '/' + rel


# --- the descriptor table ----------------------------------------------------------------------

class FdTable:
    """Guest file descriptors -> ``OpenFile``; the lowest free number is used, like Linux."""

    LIMIT = 1024

    def __init__(self):
        self.files = {}
        self.cloexec = set()

    def get(self, fd):
        f = self.files.get(fd)
        if f is None:
            raise SysError(L.EBADF)
        return f

    def add(self, f, lowest=0, cloexec=False):
        fd = lowest
        while fd in self.files:
            fd += 1
        if fd >= self.LIMIT:
            raise SysError(L.EMFILE)
        self.files[fd] = f
        if cloexec:
            self.cloexec.add(fd)
        else:
            self.cloexec.discard(fd)
        return fd

    def put(self, fd, f):
        """Install ``f`` as ``fd`` (dup2/dup3), closing what was there."""
        if fd in self.files:
            self.close(fd)
        self.files[fd] = f

    def close(self, fd):
        f = self.files.pop(fd, None)
        if f is None:
            raise SysError(L.EBADF)
        self.cloexec.discard(fd)
        if f not in self.files.values():
            f.close()

    def close_all(self):
        for fd in list(self.files):
            self.close(fd)
