"""``--strace``: each system call as one line, the way ``strace`` prints it.

    write(1, "hello\\n", 6) = 6
    openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_LARGEFILE) = -1 ENOENT (No such file or directory)
    mmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x6effe000

Strings and buffers are quoted with C escapes and cut after 32 bytes (``"..."...``), flags are
named, and a failed call shows ``-1 ERRNO (message)``. Arguments are read from guest memory
without side effects (``AddressSpace.peek``), after the call, so buffers the call filled
(``read``) show what it put there.
"""

from typing import NamedTuple

from . import linux as L

STRING_LIMIT = 32
RETURNS_ADDRESS = {'brk', 'mmap2', 'mremap'}
RLIMIT_NAMES = {0: 'RLIMIT_CPU', 1: 'RLIMIT_FSIZE', 2: 'RLIMIT_DATA', 3: 'RLIMIT_STACK',
                4: 'RLIMIT_CORE', 5: 'RLIMIT_RSS', 6: 'RLIMIT_NPROC', 7: 'RLIMIT_NOFILE',
                8: 'RLIMIT_MEMLOCK', 9: 'RLIMIT_AS'}


class SyscallRecord(NamedTuple):
    """One system call the guest made: what, with which arguments, and what came back."""

    number: int
    name: str
    args: tuple             # the raw register values a0..a5 (as many as the call takes)
    result: object          # the value put in a0 (negative: -errno); None if it never returned
    text: str               # the call as strace shows it, without the result
    pc: int
    instret: int            # instructions retired before the call

    @property
    def error(self):
        """The errno name when the call failed (``'ENOENT'``), else None."""
        if isinstance(self.result, int) and -4096 < self.result < 0 \
                and self.name not in RETURNS_ADDRESS:
            return L.errno_name(-self.result)
        return None

    def __str__(self):
        return f'{self.text} = {format_result(self.name, self.result)}'


def format_result(name, result):
    if result is None:
        return '?'
    if -4096 < result < 0:
        return f'-1 {L.errno_name(-result)} ({L.strerror(-result)})'
    if name in RETURNS_ADDRESS:
        return f'0x{result & 0xFFFFFFFF:x}'
    return str(result)


def quote(data, complete=True, limit=STRING_LIMIT):
    """C-style quoting like strace: escapes, octal for other bytes, ``...`` when cut."""
    out = []
    for i, b in enumerate(data[:limit]):
        c = chr(b)
        if c in '"\\':
            out.append('\\' + c)
        elif c == '\n':
            out.append('\\n')
        elif c == '\t':
            out.append('\\t')
        elif c == '\r':
            out.append('\\r')
        elif 32 <= b < 127:
            out.append(c)
        else:
            nxt = data[i + 1] if i + 1 < len(data) else None
            if nxt is not None and 48 <= nxt <= 55:      # keep "\0" + "1" unambiguous
                out.append(f'\\{b:03o}')
            else:
                out.append(f'\\{b:o}')
    cut = len(data) > limit or not complete
    return '"' + ''.join(out) + '"' + ('...' if cut else '')


def s32(x):
    return x - (1 << 32) if x & 0x8000_0000 else x


def _pointer(x):
    return 'NULL' if x == 0 else f'0x{x:x}'


def _buffer(space, va, size):
    if va == 0:
        return 'NULL'
    data = space.peek(va, min(size, STRING_LIMIT))
    if data is None:
        return _pointer(va)
    return quote(data, complete=size <= STRING_LIMIT)


def _string(space, va):
    if va == 0:
        return 'NULL'
    data, ended = space.peek_cstring(va, STRING_LIMIT)
    if data is None:
        return _pointer(va)
    return quote(data, complete=ended)


def _open_flags(flags):
    access = {0: 'O_RDONLY', 1: 'O_WRONLY', 2: 'O_RDWR'}.get(flags & 3, '0x3')
    rest = L.flag_names(flags & ~3, L.OPEN_FLAG_NAMES, zero='')
    return access + ('|' + rest if rest else '')


def _iov(space, va, count, total=None):
    if va == 0:
        return 'NULL'
    raw = space.peek(va, 8 * min(count, 8))
    if raw is None or len(raw) < 8 * min(count, 8):
        return _pointer(va)
    parts = []
    left = total
    for i in range(min(count, 8)):
        base = int.from_bytes(raw[8 * i:8 * i + 4], 'little')
        length = int.from_bytes(raw[8 * i + 4:8 * i + 8], 'little')
        shown = length if left is None else max(0, min(length, left))
        if left is not None:
            left -= shown
        parts.append(f'{{iov_base={_buffer(space, base, shown)}, iov_len={length}}}')
    if count > 8:
        parts.append('...')
    return '[' + ', '.join(parts) + ']'


def _timespec(space, va):
    raw = space.peek(va, 12)
    if raw is None or len(raw) < 12:
        return _pointer(va)
    sec = int.from_bytes(raw[:8], 'little', signed=True)
    nsec = int.from_bytes(raw[8:12], 'little', signed=True)
    return f'{{tv_sec={sec}, tv_nsec={nsec}}}'


def _utimes(space, va):
    """utimensat's two timespecs, ``UTIME_NOW``/``UTIME_OMIT`` by name, as strace shows them."""
    if va == 0:
        return 'NULL'
    raw = space.peek(va, 32)
    if raw is None or len(raw) < 32:
        return _pointer(va)
    names = {L.UTIME_NOW: 'UTIME_NOW', L.UTIME_OMIT: 'UTIME_OMIT'}
    nsecs = (int.from_bytes(raw[8:12], 'little', signed=True),
             int.from_bytes(raw[24:28], 'little', signed=True))
    return '[' + ', '.join(names.get(nsec) or _timespec(space, va + 16 * i)
                           for i, nsec in enumerate(nsecs)) + ']'


def _pipe_fds(space, va):
    raw = space.peek(va, 8)
    if raw is None or len(raw) < 8:
        return _pointer(va)
    return '[{}, {}]'.format(*(int.from_bytes(raw[i:i + 4], 'little', signed=True)
                               for i in (0, 4)))


def _statx(space, va):
    raw = space.peek(va, 48)
    if raw is None or len(raw) < 48:
        return _pointer(va)
    from .syscalls import mode_text
    mode = int.from_bytes(raw[28:30], 'little')
    size = int.from_bytes(raw[40:48], 'little')
    return f'{{stx_mask=STATX_BASIC_STATS, stx_mode={mode_text(mode)}, stx_size={size}, ...}}'


def _access_mode(mode):
    if mode == 0:
        return 'F_OK'
    return L.flag_names(mode, [(4, 'R_OK'), (2, 'W_OK'), (1, 'X_OK')])


def _futex_op(op):
    names = {0: 'FUTEX_WAIT', 1: 'FUTEX_WAKE', 9: 'FUTEX_WAIT_BITSET', 10: 'FUTEX_WAKE_BITSET'}
    name = names.get(op & 0x7F, str(op & 0x7F))
    return name + ('_PRIVATE' if op & 128 else '')


def format_arg(space, kind, i, args, result):
    """The text of argument ``i`` of kind ``kind``; None to leave it out."""
    a = args[i]
    ok = isinstance(result, int) and not -4096 < result < 0
    if kind == 'skip':
        return None
    if kind in ('fd', 'd', 'pid'):
        return str(s32(a))
    if kind == 'dirfd':
        return 'AT_FDCWD' if s32(a) == L.AT_FDCWD else str(s32(a))
    if kind == 'u':
        return str(a)
    if kind == 'x':
        return hex(a)
    if kind == 'p':
        return _pointer(a)
    if kind == 'path':
        return _string(space, a)
    if kind.startswith('ibuf:'):
        return _buffer(space, a, args[int(kind[5:])])
    if kind.startswith('obuf:'):
        if ok and result is not None and result > 0:
            return _buffer(space, a, result)
        return _pointer(a)
    if kind.startswith('iov_in:'):
        return _iov(space, a, args[int(kind[7:])])
    if kind.startswith('iov_out:'):
        return _iov(space, a, args[int(kind[8:])], result if ok and result else 0)
    if kind == 'oflags':
        return _open_flags(a)
    if kind == 'mode':
        return f'0{a:o}'
    if kind == 'openmode':                  # shown only when the call can create a file
        return f'0{a:o}' if args[2] & L.O_CREAT or args[2] & L.O_TMPFILE == L.O_TMPFILE \
            else None
    if kind == 'cloexec':
        return L.flag_names(a, [(L.O_CLOEXEC, 'O_CLOEXEC')])
    if kind == 'pipeflags':
        return L.flag_names(a, L.OPEN_FLAG_NAMES)
    if kind == 'pipefds':
        return _pipe_fds(space, a) if ok else _pointer(a)
    if kind == 'utimes':
        return _utimes(space, a)
    if kind == 'renameflags':
        return L.flag_names(a, [(1, 'RENAME_NOREPLACE'), (2, 'RENAME_EXCHANGE'),
                                (4, 'RENAME_WHITEOUT')])
    if kind == 'mremap':
        return L.flag_names(a, [(1, 'MREMAP_MAYMOVE'), (2, 'MREMAP_FIXED')])
    if kind == 'statxmask':
        return {0x7FF: 'STATX_BASIC_STATS', 0xFFF: 'STATX_ALL'}.get(a, hex(a))
    if kind == 'prot':
        return L.flag_names(a, L.PROT_NAMES, zero='PROT_NONE')
    if kind == 'mflags':
        sharing = {1: 'MAP_SHARED', 2: 'MAP_PRIVATE', 3: 'MAP_SHARED_VALIDATE'}.get(a & 0xF,
                                                                                     hex(a & 0xF))
        rest = L.flag_names(a & ~0xF, L.MAP_FLAG_NAMES, zero='')
        return sharing + ('|' + rest if rest else '')
    if kind == 'whence':
        return L.WHENCE_NAMES.get(a, str(a))
    if kind == 'clock':
        return L.CLOCK_NAMES.get(a, str(a))
    if kind == 'atflags':
        return L.flag_names(a, L.AT_FLAG_NAMES)
    if kind == 'sig':
        return L.SIGNAL_NAMES.get(a, str(a)) if a else '0'
    if kind == 'sighow':
        return {0: 'SIG_BLOCK', 1: 'SIG_UNBLOCK', 2: 'SIG_SETMASK'}.get(a, str(a))
    if kind == 'ioctl':
        return L.IOCTL_NAMES.get(a, hex(a))
    if kind == 'fcntl':
        return L.FCNTL_NAMES.get(a, str(a))
    if kind == 'off64':
        return str(args[i] | args[i + 1] << 32 if not args[i + 1] >> 31
                   else (args[i] | args[i + 1] << 32) - (1 << 64))
    if kind == 'off64hi':
        v = args[i] << 32 | args[i + 1]
        return str(v - (1 << 64) if v >> 63 else v)
    if kind == 'u64out':
        raw = space.peek(a, 8) if ok else None
        return f'[{int.from_bytes(raw, "little", signed=True)}]' if raw and len(raw) == 8 \
            else _pointer(a)
    if kind == 'timespec_out':
        return _timespec(space, a) if ok and a else _pointer(a)
    if kind == 'timespec_in':
        return _timespec(space, a) if a else 'NULL'
    if kind == 'statx':
        return _statx(space, a) if ok else _pointer(a)
    if kind == 'accessmode':
        return _access_mode(a)
    if kind == 'rlimit':
        return RLIMIT_NAMES.get(a, str(a))
    if kind == 'futexop':
        return _futex_op(a)
    return hex(a)


def format_call(space, name, kinds, args, result):
    """``name(arg, arg, ...)`` with arguments decoded after ``kinds``."""
    if kinds is None:                       # not implemented: the raw registers
        return f'{name}({", ".join(hex(a) for a in args)})'
    parts = []
    for i, kind in enumerate(kinds):
        text = format_arg(space, kind, i, args, result)
        if text is not None:
            parts.append(text)
    return f'{name}({", ".join(parts)})'
