"""Linux as a guest: the guest build of ``make linux`` (``vmlib.guest.linux.GuestImage``)
booted by the hypervisor under a technique, to its shell, with the same console calls as on
the bare machine.

    >>> s = GuestShell('hw')                        # doctest: +SKIP
    >>> s.boot().reached, s.command('uname')        # doctest: +SKIP
    >>> s.hv.report()['guests'][0]['exits']         # doctest: +SKIP

The VMM plays the firmware (it does not run, as for the course kernel): it writes the guest's
device tree, made from the VM's device map, into guest RAM and enters the kernel with a1
pointing at it; the kernel finds no interrupt controller there and polls its UART. Under
``emulate`` the firmware runs in the emulated machine, which has one.
"""

from ..guest.linux import CHUNK, Shell, GuestImage
from .hypervisor import Hypervisor

LINUX_GUEST_RAM = 32 << 20          # the kernel above the firmware's 4 MiB, 28 MiB for it
TECHNIQUES = ('emulate', 'trap', 'bt', 'hw')   # those Linux runs under (pv: no port)


class GuestShell(Shell):
    """One Linux guest under ``technique`` (``kw``: more ``Hypervisor`` options)."""

    def __init__(self, technique='hw', engine='dbt', build='guest', **kw):
        kw.setdefault('slice_size', CHUNK)
        self.hv = Hypervisor(technique, [GuestImage(build)], guest_ram=LINUX_GUEST_RAM,
                             max_steps=10 ** 12, engine=engine, workload=f'linux-{build}', **kw)
        self.vm = self.hv.vms[0]
        self.uart = self.vm.uart
        self.technique = technique

    def advance(self, n):
        self.hv.run(max_turns=max(1, n // self.hv.slice_size))
        return self.vm.alive

    def instructions(self):
        return self.vm.guest_instructions

    def stopped(self):
        return None if self.vm.alive else (self.vm.reason, self.vm.exit_status)
