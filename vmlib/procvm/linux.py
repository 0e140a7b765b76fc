"""Linux facts for RV32 guests: system-call numbers, errno values, flags and signals.

The numbers are the asm-generic ones that 32-bit RISC-V Linux uses (musl's
``arch/riscv32/bits/syscall.h``). RV32 Linux has only the 64-bit-time calls (``clock_gettime64``,
not ``clock_gettime``), no ``fstat``/``newfstatat`` (musl's ``fstat`` is ``statx``), ``_llseek``
(62) instead of ``lseek``, ``mmap2`` (222, offset in 4 KiB pages) and ``fcntl64``. Argument
pairs holding a 64-bit value go low word first, in consecutive registers, without padding.
"""

import errno as _errno
import os as _os

# number -> name, as musl's header spells them (strace uses the same names)
_TABLE = """
    0:io_setup 1:io_destroy 2:io_submit 3:io_cancel 5:setxattr 6:lsetxattr 7:fsetxattr 8:getxattr 
    9:lgetxattr 10:fgetxattr 11:listxattr 12:llistxattr 13:flistxattr 14:removexattr 
    15:lremovexattr 16:fremovexattr 17:getcwd 18:lookup_dcookie 19:eventfd2 20:epoll_create1 
    21:epoll_ctl 22:epoll_pwait 23:dup 24:dup3 25:fcntl64 26:inotify_init1 27:inotify_add_watch 
    28:inotify_rm_watch 29:ioctl 30:ioprio_set 31:ioprio_get 32:flock 33:mknodat 34:mkdirat 
    35:unlinkat 36:symlinkat 37:linkat 39:umount2 40:mount 41:pivot_root 42:nfsservctl 43:statfs64 
    44:fstatfs64 45:truncate64 46:ftruncate64 47:fallocate 48:faccessat 49:chdir 50:fchdir 
    51:chroot 52:fchmod 53:fchmodat 54:fchownat 55:fchown 56:openat 57:close 58:vhangup 59:pipe2 
    60:quotactl 61:getdents64 62:_llseek 63:read 64:write 65:readv 66:writev 67:pread64 
    68:pwrite64 69:preadv 70:pwritev 71:sendfile64 74:signalfd4 75:vmsplice 76:splice 77:tee 
    78:readlinkat 81:sync 82:fsync 83:fdatasync 84:sync_file_range 85:timerfd_create 89:acct 
    90:capget 91:capset 92:personality 93:exit 94:exit_group 95:waitid 96:set_tid_address 
    97:unshare 99:set_robust_list 100:get_robust_list 101:nanosleep 102:getitimer 103:setitimer 
    104:kexec_load 105:init_module 106:delete_module 107:timer_create 109:timer_getoverrun 
    111:timer_delete 116:syslog 117:ptrace 118:sched_setparam 119:sched_setscheduler 
    120:sched_getscheduler 121:sched_getparam 122:sched_setaffinity 123:sched_getaffinity 
    124:sched_yield 125:sched_get_priority_max 126:sched_get_priority_min 128:restart_syscall 
    129:kill 130:tkill 131:tgkill 132:sigaltstack 133:rt_sigsuspend 134:rt_sigaction 
    135:rt_sigprocmask 136:rt_sigpending 138:rt_sigqueueinfo 139:rt_sigreturn 140:setpriority 
    141:getpriority 142:reboot 143:setregid 144:setgid 145:setreuid 146:setuid 147:setresuid 
    148:getresuid 149:setresgid 150:getresgid 151:setfsuid 152:setfsgid 153:times 154:setpgid 
    155:getpgid 156:getsid 157:setsid 158:getgroups 159:setgroups 160:uname 161:sethostname 
    162:setdomainname 165:getrusage 166:umask 167:prctl 168:getcpu 172:getpid 173:getppid 
    174:getuid 175:geteuid 176:getgid 177:getegid 178:gettid 179:sysinfo 180:mq_open 181:mq_unlink 
    184:mq_notify 185:mq_getsetattr 186:msgget 187:msgctl 188:msgrcv 189:msgsnd 190:semget 
    191:semctl 193:semop 194:shmget 195:shmctl 196:shmat 197:shmdt 198:socket 199:socketpair 
    200:bind 201:listen 202:accept 203:connect 204:getsockname 205:getpeername 206:sendto 
    207:recvfrom 208:setsockopt 209:getsockopt 210:shutdown 211:sendmsg 212:recvmsg 213:readahead 
    214:brk 215:munmap 216:mremap 217:add_key 218:request_key 219:keyctl 220:clone 221:execve 
    222:mmap2 223:fadvise64_64 224:swapon 225:swapoff 226:mprotect 227:msync 228:mlock 229:munlock 
    230:mlockall 231:munlockall 232:mincore 233:madvise 234:remap_file_pages 235:mbind 
    236:get_mempolicy 237:set_mempolicy 238:migrate_pages 239:move_pages 240:rt_tgsigqueueinfo 
    241:perf_event_open 242:accept4 244:arch_specific_syscall 261:prlimit64 262:fanotify_init 
    263:fanotify_mark 264:name_to_handle_at 265:open_by_handle_at 267:syncfs 268:setns 
    269:sendmmsg 270:process_vm_readv 271:process_vm_writev 272:kcmp 273:finit_module 
    274:sched_setattr 275:sched_getattr 276:renameat2 277:seccomp 278:getrandom 279:memfd_create 
    280:bpf 281:execveat 282:userfaultfd 283:membarrier 284:mlock2 285:copy_file_range 286:preadv2 
    287:pwritev2 288:pkey_mprotect 289:pkey_alloc 290:pkey_free 291:statx 293:rseq 
    294:kexec_file_load 403:clock_gettime64 404:clock_settime64 405:clock_adjtime64 
    406:clock_getres_time64 407:clock_nanosleep_time64 408:timer_gettime64 409:timer_settime64 
    410:timerfd_gettime64 411:timerfd_settime64 412:utimensat_time64 413:pselect6_time64 
    414:ppoll_time64 416:io_pgetevents_time64 417:recvmmsg_time64 418:mq_timedsend_time64 
    419:mq_timedreceive_time64 420:semtimedop_time64 421:rt_sigtimedwait_time64 422:futex_time64 
    423:sched_rr_get_interval_time64 424:pidfd_send_signal 425:io_uring_setup 426:io_uring_enter 
    427:io_uring_register 428:open_tree 429:move_mount 430:fsopen 431:fsconfig 432:fsmount 
    433:fspick 434:pidfd_open 435:clone3 437:openat2 438:pidfd_getfd 439:faccessat2 
    440:process_madvise 441:epoll_pwait2 442:mount_setattr 444:landlock_create_ruleset 
    445:landlock_add_rule 446:landlock_restrict_self 448:process_mrelease 449:futex_waitv 
    450:set_mempolicy_home_node 451:cachestat 452:fchmodat2
"""
SYSCALL_NAMES = {int(n): name for n, name in (item.split(':') for item in _TABLE.split())}
SYSCALL_NUMBERS = {name: n for n, name in SYSCALL_NAMES.items()}


def syscall_name(number):
    """The name of system call ``number`` (``syscall_<n>`` for numbers Linux does not have)."""
    return SYSCALL_NAMES.get(number, f'syscall_{number}')


# errno: Linux uses the same numbers on every architecture for these (asm-generic/errno*.h)
EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC, EBADF, ECHILD, EAGAIN, ENOMEM, \
    EACCES, EFAULT = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14
EBUSY, EEXIST, EXDEV, ENODEV, ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ENOTTY = \
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25
EFBIG, ENOSPC, ESPIPE, EROFS, EMLINK, EPIPE, EDOM, ERANGE = 27, 28, 29, 30, 31, 32, 33, 34
ENAMETOOLONG, ENOSYS, ENOTEMPTY, ELOOP, EOPNOTSUPP, ETIMEDOUT = 36, 38, 39, 40, 95, 110

ERRNO_NAMES = {EPERM: 'EPERM', ENOENT: 'ENOENT', ESRCH: 'ESRCH', EINTR: 'EINTR', EIO: 'EIO',
               ENXIO: 'ENXIO', E2BIG: 'E2BIG', ENOEXEC: 'ENOEXEC', EBADF: 'EBADF',
               ECHILD: 'ECHILD', EAGAIN: 'EAGAIN', ENOMEM: 'ENOMEM', EACCES: 'EACCES',
               EFAULT: 'EFAULT', EBUSY: 'EBUSY', EEXIST: 'EEXIST', EXDEV: 'EXDEV', ENODEV: 'ENODEV',
               ENOTDIR: 'ENOTDIR', EISDIR: 'EISDIR', EINVAL: 'EINVAL', ENFILE: 'ENFILE',
               EMFILE: 'EMFILE', ENOTTY: 'ENOTTY', EFBIG: 'EFBIG', ENOSPC: 'ENOSPC',
               ESPIPE: 'ESPIPE', EROFS: 'EROFS', EMLINK: 'EMLINK', EPIPE: 'EPIPE',
               EDOM: 'EDOM', ERANGE: 'ERANGE', ENAMETOOLONG: 'ENAMETOOLONG', ENOSYS: 'ENOSYS',
               ENOTEMPTY: 'ENOTEMPTY', ELOOP: 'ELOOP', EOPNOTSUPP: 'EOPNOTSUPP',
               ETIMEDOUT: 'ETIMEDOUT'}


def errno_name(number):
    return ERRNO_NAMES.get(number) or _errno.errorcode.get(number, f'E{number}')


def strerror(number):
    return _os.strerror(number) if number in _errno.errorcode else f'Unknown error {number}'


def host_errno(e):
    """The Linux errno for a host ``OSError`` (the host is Linux: the numbers agree)."""
    return e.errno if isinstance(getattr(e, 'errno', None), int) and e.errno > 0 else EIO


# open flags (asm-generic octal values)
O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR = 0o3, 0, 1, 2
O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK = \
    0o100, 0o200, 0o400, 0o1000, 0o2000, 0o4000
O_DSYNC, O_ASYNC, O_DIRECT, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW = \
    0o10000, 0o20000, 0o40000, 0o100000, 0o200000, 0o400000
O_NOATIME, O_CLOEXEC, O_SYNC, O_PATH, O_TMPFILE = \
    0o1000000, 0o2000000, 0o4010000, 0o10000000, 0o20200000
OPEN_FLAG_NAMES = [(O_CREAT, 'O_CREAT'), (O_EXCL, 'O_EXCL'), (O_NOCTTY, 'O_NOCTTY'),
                   (O_TRUNC, 'O_TRUNC'), (O_APPEND, 'O_APPEND'), (O_NONBLOCK, 'O_NONBLOCK'),
                   (O_SYNC, 'O_SYNC'), (O_DSYNC, 'O_DSYNC'), (O_ASYNC, 'O_ASYNC'),
                   (O_DIRECT, 'O_DIRECT'), (O_LARGEFILE, 'O_LARGEFILE'),
                   (O_DIRECTORY, 'O_DIRECTORY'), (O_NOFOLLOW, 'O_NOFOLLOW'),
                   (O_NOATIME, 'O_NOATIME'), (O_CLOEXEC, 'O_CLOEXEC'), (O_PATH, 'O_PATH')]

AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_NO_AUTOMOUNT, AT_EMPTY_PATH = \
    0x100, 0x200, 0x400, 0x800, 0x1000
AT_EACCESS = 0x200
AT_FLAG_NAMES = [(AT_SYMLINK_NOFOLLOW, 'AT_SYMLINK_NOFOLLOW'), (AT_REMOVEDIR, 'AT_REMOVEDIR'),
                 (AT_SYMLINK_FOLLOW, 'AT_SYMLINK_FOLLOW'), (AT_NO_AUTOMOUNT, 'AT_NO_AUTOMOUNT'),
                 (AT_EMPTY_PATH, 'AT_EMPTY_PATH')]

SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2
WHENCE_NAMES = {0: 'SEEK_SET', 1: 'SEEK_CUR', 2: 'SEEK_END', 3: 'SEEK_DATA', 4: 'SEEK_HOLE'}

F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_SETLKW = 0, 1, 2, 3, 4, 12, 13, 14
F_DUPFD_CLOEXEC = 1030
FD_CLOEXEC = 1
FCNTL_NAMES = {0: 'F_DUPFD', 1: 'F_GETFD', 2: 'F_SETFD', 3: 'F_GETFL', 4: 'F_SETFL',
               12: 'F_GETLK64', 13: 'F_SETLK64', 14: 'F_SETLKW64', 1030: 'F_DUPFD_CLOEXEC'}

# memory
PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC = 0, 1, 2, 4
PROT_NAMES = [(PROT_READ, 'PROT_READ'), (PROT_WRITE, 'PROT_WRITE'), (PROT_EXEC, 'PROT_EXEC')]
MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE, MAP_FIXED, MAP_ANONYMOUS = 1, 2, 3, 0x10, 0x20
MAP_GROWSDOWN, MAP_DENYWRITE, MAP_NORESERVE, MAP_POPULATE, MAP_STACK = \
    0x100, 0x800, 0x4000, 0x8000, 0x20000
MAP_FIXED_NOREPLACE = 0x100000
MAP_FLAG_NAMES = [(MAP_FIXED, 'MAP_FIXED'), (MAP_ANONYMOUS, 'MAP_ANONYMOUS'),
                  (MAP_GROWSDOWN, 'MAP_GROWSDOWN'), (MAP_DENYWRITE, 'MAP_DENYWRITE'),
                  (MAP_NORESERVE, 'MAP_NORESERVE'), (MAP_POPULATE, 'MAP_POPULATE'),
                  (MAP_STACK, 'MAP_STACK'), (MAP_FIXED_NOREPLACE, 'MAP_FIXED_NOREPLACE')]
MREMAP_MAYMOVE, MREMAP_FIXED = 1, 2
MADV_DONTNEED = 4

# clocks
CLOCK_NAMES = {0: 'CLOCK_REALTIME', 1: 'CLOCK_MONOTONIC', 2: 'CLOCK_PROCESS_CPUTIME_ID',
               3: 'CLOCK_THREAD_CPUTIME_ID', 4: 'CLOCK_MONOTONIC_RAW', 5: 'CLOCK_REALTIME_COARSE',
               6: 'CLOCK_MONOTONIC_COARSE', 7: 'CLOCK_BOOTTIME', 8: 'CLOCK_REALTIME_ALARM',
               9: 'CLOCK_BOOTTIME_ALARM', 11: 'CLOCK_TAI'}
TIMER_ABSTIME = 1
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2     # utimensat's special tv_nsec values

# ioctl
TCGETS, TIOCGWINSZ, TIOCSWINSZ, FIONREAD, TIOCGPGRP = 0x5401, 0x5413, 0x5414, 0x541B, 0x540F
IOCTL_NAMES = {TCGETS: 'TCGETS', TIOCGWINSZ: 'TIOCGWINSZ', TIOCSWINSZ: 'TIOCSWINSZ',
               FIONREAD: 'FIONREAD', TIOCGPGRP: 'TIOCGPGRP', 0x5402: 'TCSETS'}

# futex
FUTEX_WAIT, FUTEX_WAKE, FUTEX_PRIVATE_FLAG = 0, 1, 128

# signals (the generic Linux numbers RISC-V uses)
SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, \
    SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM = range(1, 16)
SIGCHLD, SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, \
    SIGPROF, SIGWINCH = range(17, 29)
SIGNAL_NAMES = {SIGHUP: 'SIGHUP', SIGINT: 'SIGINT', SIGQUIT: 'SIGQUIT', SIGILL: 'SIGILL',
                SIGTRAP: 'SIGTRAP', SIGABRT: 'SIGABRT', SIGBUS: 'SIGBUS', SIGFPE: 'SIGFPE',
                SIGKILL: 'SIGKILL', SIGUSR1: 'SIGUSR1', SIGSEGV: 'SIGSEGV', SIGUSR2: 'SIGUSR2',
                SIGPIPE: 'SIGPIPE', SIGALRM: 'SIGALRM', SIGTERM: 'SIGTERM', 16: 'SIGSTKFLT',
                SIGCHLD: 'SIGCHLD', SIGCONT: 'SIGCONT', SIGSTOP: 'SIGSTOP', SIGTSTP: 'SIGTSTP',
                SIGTTIN: 'SIGTTIN', SIGTTOU: 'SIGTTOU', SIGURG: 'SIGURG', SIGXCPU: 'SIGXCPU',
                SIGXFSZ: 'SIGXFSZ', SIGVTALRM: 'SIGVTALRM', SIGPROF: 'SIGPROF',
                SIGWINCH: 'SIGWINCH', 29: 'SIGIO', 30: 'SIGPWR', 31: 'SIGSYS'}
# what a shell says when a program dies of the signal (bash's wording)
SIGNAL_DESCRIPTIONS = {SIGHUP: 'hangup', SIGINT: 'interrupt', SIGQUIT: 'quit',
                       SIGILL: 'illegal instruction', SIGTRAP: 'trace/breakpoint trap',
                       SIGABRT: 'aborted', SIGBUS: 'bus error',
                       SIGFPE: 'floating point exception', SIGKILL: 'killed',
                       SIGSEGV: 'segmentation fault', SIGPIPE: 'broken pipe',
                       SIGALRM: 'alarm clock', SIGTERM: 'terminated', SIGUSR1: 'user signal 1',
                       SIGUSR2: 'user signal 2', SIGXCPU: 'CPU time limit exceeded',
                       SIGXFSZ: 'file size limit exceeded', 31: 'bad system call'}
# signals whose default action is to be ignored (the rest terminate the process)
SIGNALS_IGNORED = {SIGCHLD, SIGCONT, SIGURG, SIGWINCH}


def signal_name(sig):
    return SIGNAL_NAMES.get(sig, f'SIG{sig}')


# auxiliary vector keys
AT_NULL, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE, AT_FLAGS, AT_ENTRY = \
    0, 3, 4, 5, 6, 7, 8, 9
AT_UID, AT_EUID, AT_GID, AT_EGID, AT_PLATFORM, AT_HWCAP, AT_CLKTCK, AT_SECURE, AT_RANDOM, \
    AT_EXECFN = 11, 12, 13, 14, 15, 16, 17, 23, 25, 31
AUXV_NAMES = {AT_NULL: 'AT_NULL', AT_PHDR: 'AT_PHDR', AT_PHENT: 'AT_PHENT',
              AT_PHNUM: 'AT_PHNUM', AT_PAGESZ: 'AT_PAGESZ', AT_BASE: 'AT_BASE',
              AT_FLAGS: 'AT_FLAGS', AT_ENTRY: 'AT_ENTRY', AT_UID: 'AT_UID', AT_EUID: 'AT_EUID',
              AT_GID: 'AT_GID', AT_EGID: 'AT_EGID', AT_PLATFORM: 'AT_PLATFORM',
              AT_HWCAP: 'AT_HWCAP', AT_CLKTCK: 'AT_CLKTCK', AT_SECURE: 'AT_SECURE',
              AT_RANDOM: 'AT_RANDOM', AT_EXECFN: 'AT_EXECFN'}

# file types (st_mode)
S_IFMT, S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO = \
    0o170000, 0o140000, 0o120000, 0o100000, 0o060000, 0o040000, 0o020000, 0o010000
FILE_TYPE_NAMES = {S_IFSOCK: 'S_IFSOCK', S_IFLNK: 'S_IFLNK', S_IFREG: 'S_IFREG',
                   S_IFBLK: 'S_IFBLK', S_IFDIR: 'S_IFDIR', S_IFCHR: 'S_IFCHR', S_IFIFO: 'S_IFIFO'}
DT_UNKNOWN, DT_FIFO, DT_CHR, DT_DIR, DT_BLK, DT_REG, DT_LNK, DT_SOCK = 0, 1, 2, 4, 6, 8, 10, 12


def flag_names(value, table, zero='0'):
    """``A|B|0x40`` for a bit mask, with the bits ``table`` does not name in hex."""
    parts = []
    for bit, name in table:
        if value & bit == bit and bit:
            parts.append(name)
            value &= ~bit
    if value:
        parts.append(hex(value))
    return '|'.join(parts) if parts else zero
