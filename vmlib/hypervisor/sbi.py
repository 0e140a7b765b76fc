"""The SBI a VMM serves: the guest kernel's calls to "the firmware", answered in Python.

On the bare machine the guest kernel's ``ecall`` from S-mode reaches the M-mode firmware
(``vmlib/guest/firmware.s``, whose header is the specification followed here). Under a
hypervisor the firmware does not run: the ``ecall`` traps into the VMM, which does the same
work on the guest's *virtual* devices. This is the machine's **hypercall** interface: a
paravirtualized guest calls it on purpose for more than the console.

Registers: ``a7`` = extension id (EID), ``a6`` = function id (FID), arguments in ``a0``,
``a1``; the result in ``a0`` (the legacy calls put their value there). Each call is a row of
``CALLS``, filled by the ``sbi_call`` decorator. An unknown call is answered
``SBI_ERR_NOT_SUPPORTED`` (-2), as the firmware does: the guest is contained, not stopped,
and the VMM notes the call.
"""

SET_TIMER, CONSOLE_PUTCHAR, CONSOLE_GETCHAR, SHUTDOWN = 0x00, 0x01, 0x02, 0x08
SRST, DBCN = 0x53525354, 0x4442434E
CONSOLE = (CONSOLE_PUTCHAR, CONSOLE_GETCHAR, DBCN)
ERR_NOT_SUPPORTED, ERR_INVALID_PARAM = -2, -3
M32 = 0xFFFFFFFF
A0, A1, A2, A6, A7 = 10, 11, 12, 16, 17

#: (EID, FID or None for any) -> (name, function(vm, R) -> None)
CALLS = {}


def sbi_call(eid, name, fid=None):
    """Register the function serving SBI extension ``eid`` (function ``fid``, if it has
    functions) as ``name``."""
    def register(fn):
        CALLS[(eid, fid)] = (name, fn)
        return fn
    return register


def lookup(eid, fid=0):
    """``(name, function)`` of a call, or None."""
    return CALLS.get((eid, None)) or CALLS.get((eid, fid))


def call_name(eid, fid=0):
    """A readable name for an SBI call."""
    row = lookup(eid, fid)
    return row[0] if row else f'unknown (EID 0x{eid:x}, FID {fid})'


def serve(vm, R):
    """Serve the SBI call in registers ``R`` (the guest's) for ``vm``; returns the call's name
    (for statistics). ``a0`` holds the result afterwards; a call that powers off stops the
    guest (``vm.stop``)."""
    row = lookup(R[A7], R[A6])
    if row is None:
        R[A0] = ERR_NOT_SUPPORTED & M32
        return call_name(R[A7], R[A6])
    name, fn = row
    fn(vm, R)
    return name


@sbi_call(SET_TIMER, 'set_timer')
def _set_timer(vm, R):
    vm.vcpu.timecmp = R[A1] << 32 | R[A0]       # STIP follows time >= timecmp (VirtualCpu.mip)
    R[A0] = 0


@sbi_call(CONSOLE_PUTCHAR, 'console_putchar')
def _putchar(vm, R):
    vm.uart.write(0, 1, R[A0] & 0xFF)
    R[A0] = 0


@sbi_call(CONSOLE_GETCHAR, 'console_getchar')
def _getchar(vm, R):
    ready = vm.uart.read(5, 1) & vm.uart.LSR_DR
    R[A0] = vm.uart.read(0, 1) if ready else M32


@sbi_call(DBCN, 'debug_console_write', fid=0)
def _dbcn_write(vm, R):
    """The debug console: a whole buffer, given by its guest-physical address, in one call."""
    size, address = R[A0], R[A1]
    if R[A2] or not vm.mem.contains(address, size):
        R[A0], R[A1] = ERR_INVALID_PARAM & M32, 0
        return
    start = vm.mem.index(address)
    for byte in bytes(vm.mem.bus.ram[start:start + size]):
        vm.uart.write(0, 1, byte)
    R[A0], R[A1] = 0, size


@sbi_call(DBCN, 'debug_console_write_byte', fid=2)
def _dbcn_write_byte(vm, R):
    vm.uart.write(0, 1, R[A0] & 0xFF)
    R[A0], R[A1] = 0, 0


@sbi_call(SHUTDOWN, 'shutdown')
def _shutdown(vm, R):
    vm.retire()
    vm.stop('poweroff', 0, 'SBI shutdown: power off, status 0')


@sbi_call(SRST, 'system_reset', fid=0)
def _system_reset(vm, R):
    status = 0 if R[A1] == 0 else 1
    vm.retire()
    vm.stop('poweroff', status, f'SBI system reset (type {R[A0]}, reason {R[A1]}): power off, '
                                f'status {status}')
