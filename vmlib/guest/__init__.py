"""The guest kernel: M-mode firmware, an S-mode kernel and U-mode workloads, in RV32 assembly.

A whole small system for the system-VM chapters: it boots on the bare machine
(``python -m vmlib boot --guest WORKLOAD``) and, unchanged, under the hypervisor. The sources
are ``firmware.s`` (M-mode: a minimal SBI), ``kernel.s`` (S-mode: Sv32 page tables, traps,
timer preemption, round-robin processes, system calls, demand paging), ``virtio.s`` (its
virtio disk and console drivers, built in with ``VIRTIO=1``: ``with_virtio``), ``user/lib.s``
(the user library) and one ``user/<workload>.s``, joined into one text and assembled here on
first use (GNU ``as`` accepts the same text, with ``--defsym VIRTIO=0`` or ``1``).

    >>> from vmlib import guest
    >>> m = guest.machine('syscall')
    >>> m.run(guest.MAX_STEPS).exit_status
    0

Memory: the guest uses only guest-physical ``0x8000_0000 .. 0x8040_0000``
(``GUEST_RAM_SIZE``); ``_start`` (the firmware) is at ``0x8000_0000`` and ``kernel_entry``
(S-mode entry, 4 KiB aligned) follows it. The time slice is the data word ``quantum``: 100,000
ticks of mtime (10 instructions a tick), 10 ms of the modelled 100 MHz hart -- a 100 Hz timer
interrupt, Linux's ``CONFIG_HZ_100`` ("a typical choice for servers"). The console output
never depends on it.

Privileged instructions and CSRs the kernel (S-mode) uses:

- ``csrw``/``csrr``/``csrs``/``csrc`` on ``sstatus`` (only SUM, bit 18, around user-memory
  copies, and SPP before ``sret``), ``stvec``, ``sscratch`` (swapped with ``csrrw`` at every
  trap), ``sepc``, ``scause``, ``stval`` (read), ``sie`` (STIE; the ``csr`` workload writes it
  in a loop), ``satp`` (written when switching address spaces);
- ``csrr`` of ``time`` and ``timeh`` (``rdtime``: the firmware sets ``mcounteren.TM``);
- ``sret``, ``sfence.vma`` (whole TLB after a satp write, one page after a PTE change),
  ``ecall`` (SBI calls); no ``wfi`` (a process can always run while any lives);
- device registers: the UART's LSR (read) and THR (write) from the ``uart_write`` system call
  (the ``io`` workload); all other output goes through SBI ``console_putchar`` -- or, in the
  DBCN build (``dbcn=True``), through the SBI debug console: a ``write`` call per chunk.

The firmware (M-mode) uses ``mtvec mscratch mepc mcause mtval mstatus medeleg mideleg mie mip
mcounteren pmpaddr0 pmpcfg0``, ``mret``, the CLINT's ``mtimecmp`` and the SiFive test device.

SBI calls the kernel makes (``a7`` = EID, ``a6`` = FID): legacy ``0x00 set_timer(a0 = low,
a1 = high)``, legacy ``0x01 console_putchar(a0)``, and ``SRST`` (``0x53525354``, FID 0)
``system_reset(a0 = 0, a1 = reason)``: reason 0 when init exits with status 0 (exit status 0),
1 otherwise (exit status 1). The firmware also serves ``0x02 console_getchar``,
``0x08 shutdown`` and the debug console ``DBCN`` (``0x4442434E``, SBI v2.0): FID 0
``write(a0 = num_bytes, a1 = base_addr_lo, a2 = base_addr_hi)``, a buffer given by its
*physical* address (a range outside RAM: ``-3``, SBI_ERR_INVALID_PARAM), and FID 2
``write_byte(a0)``; unknown EIDs return ``-2``.

The DBCN build (``program(workload, dbcn=True)``, ``--defsym DBCN=1``) prints through DBCN
instead of ``console_putchar``: each chunk of a ``write()`` (up to 128 bytes, copied to a kernel
buffer) and each kernel message in one ``write`` call, single characters with ``write_byte``.
Where the SBI answers that it has no DBCN (``-2``), the kernel goes back to
``console_putchar`` for good, so the build boots everywhere and prints the same.

System calls (``ecall`` from U, ``a7`` = number, result in ``a0``, negative = ``-errno``):
see ``SYSCALLS``. Linux's numbers where the meaning matches, the course's own above 1000.
"""

from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent

GUEST_RAM_SIZE = 4 * 1024 * 1024
MAX_STEPS = 4_000_000      # every workload ends well within this on the bare machine

_DESCRIPTIONS = OrderedDict([
    ('demo', 'init forks two workers: one computes, one spins forever; preemption lets init finish'),
    ('syscall', 'getpid in a loop: the cost of a system call'),
    ('io', 'the kernel writes the UART itself: a device register read and write per byte'),
    ('csr', 'the kernel writes the sie CSR in a loop (the cr8wr role)'),
    ('callret', 'recursive calls and returns in user mode, then in the kernel'),
    ('pgfault', 'demand paging: touch heap pages, unmap them, touch again; a bad access is killed'),
    ('exception', 'illegal instructions delivered to a user handler; without one, the process is killed'),
    ('ptemod', 'mmap, mprotect and munmap in a loop: page-table entries change'),
    ('forkwait', 'fork a child, wait for it, many times: process creation and exit'),
    ('compute', 'arithmetic in user mode only: Collatz sequence lengths'),
])

# name -> one-line description, for the workloads whose program exists (user/<name>.s)
WORKLOADS = OrderedDict((name, text) for name, text in _DESCRIPTIONS.items()
                        if (HERE / 'user' / f'{name}.s').exists())

#: the workloads built with the virtio drivers (``virtio.s``, VIRTIO=1) and booted with a disk
#: (``disk()``) and a console on virtio (chapter 11); any other may ask for them too
#: (``virtio=True``). Kept apart from ``WORKLOADS``, the set chapters 08 and 09 measure.
VIRTIO_WORKLOADS = OrderedDict([
    ('blk', 'a virtio disk: read a message, checksum every sector, write and read back'),
])
#: workloads for memory virtualization (chapter 13), kept apart from ``WORKLOADS`` too
MEMORY_WORKLOADS = OrderedDict([
    ('tlb', 'a working set of 64 heap pages swept 300 times: TLB misses, few page-table changes'),
])
ALL_WORKLOADS = OrderedDict(list(WORKLOADS.items()) + list(VIRTIO_WORKLOADS.items())
                            + list(MEMORY_WORKLOADS.items()))
DISK_SECTORS = 16

SYSCALLS = OrderedDict([
    (64, 'write(fd 1|2, buf, len) -> len | -EBADF | -EFAULT'),
    (93, 'exit(status)'),
    (124, 'yield() -> 0'),
    (172, 'getpid() -> pid'),
    (215, 'munmap(va) -> 0 | -EINVAL'),
    (220, 'fork() -> child pid | 0 in the child | -EAGAIN | -ENOMEM'),
    (222, 'mmap(va) -> va | -EINVAL | -EEXIST | -ENOMEM  (one fresh zeroed page)'),
    (226, 'mprotect(va, prot) -> 0 | -EINVAL  (prot & 2: writable)'),
    (260, 'wait(pid | 0) -> a0 = pid, a1 = exit status | -ECHILD'),
    (1000, 'uart_write(buf, len) -> len | -EFAULT  (the kernel drives the UART registers)'),
    (1001, 'sie_write(n) -> n  (the kernel writes sie 2n times)'),
    (1002, 'set_handler(pc | 0) -> 0  (exceptions go to pc: a0 = scause, a1 = epc, a2 = stval)'),
    (1003, 'pfcount() -> page faults served to this process'),
    (1004, 'blk_read(sector, buf) -> 0 | -EIO | -EFAULT | -ENODEV  (virtio builds)'),
    (1005, 'blk_write(sector, buf) -> 0 | -EIO | -EFAULT | -ENODEV  (virtio builds)'),
    (1006, 'kfib(n) -> fib(n)  (computed by recursion in the kernel: calls and returns there)'),
])

SOURCE_FILES = ('firmware.s', 'pv.s', 'kernel.s', 'virtio.s', 'user/lib.s')


def _read(name):
    return (HERE / name).read_text(encoding='utf-8')


def _check(workload):
    if workload not in ALL_WORKLOADS:
        raise ValueError(f'unknown guest workload {workload!r}; '
                         f'choose one of: {", ".join(ALL_WORKLOADS)}')


def _part(name, text):
    return f'# ---- vmlib/guest/{name} ' + '-' * (70 - len(name)) + '\n' + text


def source(workload='demo'):
    """The whole system for ``workload`` as one assembly text (firmware, kernel, user image)."""
    _check(workload)
    return build_source(_read(f'user/{workload}.s'), f'user/{workload}.s')


def build_source(user_program, name='user/program.s'):
    """The whole system around a user program of your own (text defining ``main``, in the
    rules of ``user/lib.s``: position-independent, no .data or .bss)."""
    parts = [_part(n, _read(n)) for n in SOURCE_FILES]
    parts += [_part(name, user_program), _part('end.s', _read('end.s'))]
    return '\n'.join(parts)


def with_virtio(workload, virtio=None):
    """Whether ``workload`` is built with the virtio drivers: ``virtio`` if given (True, or
    a list of devices, even an empty one), else whether it is one of ``VIRTIO_WORKLOADS``."""
    if virtio is None:
        return workload in VIRTIO_WORKLOADS
    return isinstance(virtio, list) or bool(virtio)


def build_flags(workload, virtio=None, pv=False, dbcn=False):
    """The ``--defsym`` values of a build: ``VIRTIO`` (see ``with_virtio``; a paravirtual
    build always has the drivers: its console and disk are virtio's rings), ``PV``, and
    ``DBCN`` (only in a DBCN build: without it the kernel's default, 0, holds)."""
    flags = {'VIRTIO': int(pv or with_virtio(workload, virtio)), 'PV': int(bool(pv))}
    if dbcn:
        flags['DBCN'] = 1
    return flags


@lru_cache(maxsize=None)
def program(workload='demo', virtio=None, pv=False, batch=None, dbcn=False):
    """The assembled system (a ``vmlib.asm.Program``), cached: assembled once per process.
    ``virtio``: build the virtio drivers in (see ``with_virtio``); ``pv``: the paravirtual
    port (``pv.s``), which runs only on the ``pv`` technique; ``batch``: how many page-table
    updates the port queues before it flushes them (default 64); ``dbcn``: the console through
    the SBI debug console, a ``write`` call per chunk instead of a ``console_putchar`` per byte
    (any workload; it prints the same)."""
    from ..asm import assemble
    flags = build_flags(workload, virtio, pv, dbcn)
    if batch is not None:
        flags['PV_BATCH_MAX'] = int(batch)
    name = f'guest-{workload}' + ('-pv' if pv else '') + ('-dbcn' if dbcn else '')
    return assemble(source(workload), filename=f'{name}.s', defsym=flags)


@lru_cache(maxsize=None)
def elf(workload='demo', virtio=None, pv=False, dbcn=False):
    """The system as ELF bytes (what ``python -m vmlib boot`` or QEMU loads)."""
    virtio = bool(build_flags(workload, virtio, pv)['VIRTIO'])
    options = {'dbcn': True} if dbcn else {}        # (without it: the cached plain build)
    return program(workload, virtio, pv, **options).to_elf()


def disk():
    """The disk the virtio workloads boot with: ``DISK_SECTORS`` sectors; sector 0 holds a
    message, sector n > 0 the bytes ``(7 * n + i) & 0xff``."""
    message = b'Hello from the guest\'s disk: sector 0 of 16, read through a virtqueue.\n'
    sectors = [message.ljust(512, b'\0')]
    sectors += [bytes((7 * n + i) & 0xFF for i in range(512)) for n in range(1, DISK_SECTORS)]
    return b''.join(sectors)


def devices():
    """Fresh virtio devices for a guest: a disk holding ``disk()`` and a console (in that
    order: QEMU's slots 7 and 6)."""
    from ..machine.virtio import Block, Console, DiskImage
    return [Block(DiskImage.from_bytes(disk())), Console()]


def machine(workload='demo', quantum=None, virtio=None, pv=False, dbcn=False, **kw):
    """A machine with the guest for ``workload`` loaded, at reset, ready to ``run()``.

    ``quantum`` (mtime ticks) patches the kernel's time slice; ``virtio``: None (the
    workload's default), False, True (the drivers, and ``devices()``) or a list of devices;
    ``pv``: the paravirtual build (it stops at once: it runs only on a pv hypervisor);
    ``dbcn``: the DBCN console build; other keywords go to ``Machine`` (``engine``,
    ``uart_output``, ...).
    """
    from ..machine import Machine
    kw.setdefault('ram_size', GUEST_RAM_SIZE)      # the guest's whole world, as under the VMM
    built = with_virtio(workload, virtio)
    if built:
        kw['virtio'] = virtio if isinstance(virtio, list) else devices()
    m = Machine.from_elf(elf(workload, built, pv, dbcn), what=f'guest {workload}', **kw)
    if quantum is not None:
        set_quantum(m, quantum)
    return m


def set_quantum(m, ticks):
    """Patch the ``quantum`` word in a loaded machine's RAM."""
    addr = m.symbols['quantum']
    i = m.bus.ram_index(addr)
    m.bus.ram[i:i + 4] = int(ticks).to_bytes(4, 'little')


@lru_cache(maxsize=None)
def boot_length(workload='demo'):
    """Instructions the bare machine retires before the first process runs: the firmware's and
    the kernel's start-up, up to and including the kernel's ``sret`` into init. Where start-up
    ends, so that a run's steady state can be told apart from it."""
    from ..machine.exit import Exit
    from ..machine.trace import TrapReturn
    from ..machine.traps import U
    m = machine(workload)
    first = []

    def watch(event):
        if isinstance(event, TrapReturn) and event.to_priv == U and not first:
            first.append(m.hart.instret + 1)            # the sret retires
            m.hart.exit_now(Exit('booted'))
    m.hart.trace = watch
    m.hart.run(MAX_STEPS)
    if not first:
        raise RuntimeError(f'guest {workload}: no process ever ran')
    return first[0]


def run(workload='demo', max_steps=MAX_STEPS, **kw):
    """Boot ``workload`` bare: (console text, RunResult)."""
    m = machine(workload, **kw)
    result = m.run(max_steps)
    return m.output, result
