"""The SBI a VMM serves: the guest kernel's calls to "the firmware", answered in Python.

On the bare machine the guest kernel's ``ecall`` from S-mode reaches the M-mode firmware
(``vmlib/guest/firmware.s``, whose header is the specification followed here). Under a
hypervisor the firmware does not run: the ``ecall`` traps into the VMM, which does the same
work on the guest's *virtual* devices. This is the machine's **hypercall** interface: a
paravirtualized guest (the next chapter) calls it on purpose for more than the console.

Registers: ``a7`` = extension id (EID), ``a6`` = function id (FID), arguments in ``a0``,
``a1``; the result in ``a0`` (the legacy calls put their value there). An unknown call is
answered ``SBI_ERR_NOT_SUPPORTED`` (-2), as the firmware does: the guest is contained, not
stopped, and the VMM notes the call.
"""

SET_TIMER, CONSOLE_PUTCHAR, CONSOLE_GETCHAR, SHUTDOWN = 0x00, 0x01, 0x02, 0x08
SRST = 0x53525354
ERR_NOT_SUPPORTED = -2
M32 = 0xFFFFFFFF
A0, A1, A6, A7 = 10, 11, 16, 17

NAMES = {SET_TIMER: 'set_timer', CONSOLE_PUTCHAR: 'console_putchar',
         CONSOLE_GETCHAR: 'console_getchar', SHUTDOWN: 'shutdown', SRST: 'system_reset'}


def call_name(eid, fid=0):
    """A readable name for an SBI call."""
    if eid in NAMES and (eid != SRST or fid == 0):
        return NAMES[eid]
    return f'unknown (EID 0x{eid:x}, FID {fid})'


def serve(R, vcpu, uart, power_off):
    """Serve the SBI call in registers ``R`` for a guest with virtual hart ``vcpu`` and
    console ``uart`` (a ``Uart16550``); ``power_off(status, message)`` ends the guest.
    Returns the call's name (for statistics); ``a0`` holds the result afterwards."""
    eid, fid, a0, a1 = R[A7], R[A6], R[A0], R[A1]
    name = call_name(eid, fid)
    if eid == SET_TIMER:
        vcpu.timecmp = a1 << 32 | a0            # STIP follows time >= timecmp (VirtualHart.mip)
        R[A0] = 0
    elif eid == CONSOLE_PUTCHAR:
        uart.write(0, 1, a0 & 0xFF)
        R[A0] = 0
    elif eid == CONSOLE_GETCHAR:
        ready = uart.read(5, 1) & uart.LSR_DR
        R[A0] = uart.read(0, 1) if ready else M32
    elif eid == SHUTDOWN:
        power_off(0, 'SBI shutdown: power off, status 0')
    elif eid == SRST and fid == 0:
        status = 0 if a1 == 0 else 1
        power_off(status, f'SBI system reset (type {a0}, reason {a1}): power off, '
                          f'status {status}')
    else:
        R[A0] = ERR_NOT_SUPPORTED & M32
    return name
