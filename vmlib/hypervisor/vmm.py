"""A user-space VMM in the spirit of kvmtool: KVM runs the guest, this program serves its devices.

With hardware assistance the hypervisor is split in two. KVM, in the kernel
(``vmlib.hypervisor.kvm``), runs the vCPU and serves what it can without leaving the kernel;
what it cannot -- a device register, an SBI call it forwards, the guest powering off -- comes
back to this loop, which is kvmtool's ``kvm_cpu__start`` (and QEMU's ``kvm_cpu_exec``): a
``switch`` on ``kvm_run.exit_reason``. The devices are the machine's own models (the UART,
the SiFive test device, virtio-mmio block and console devices), registered once in a device
map at the guest-physical addresses of the bare machine; KVM reaches none of them.
"""

from collections import Counter

from .kvm import (KVM_EXIT_MMIO, KVM_EXIT_RISCV_SBI, KVM_EXIT_INTR, SBI_CONSOLE_PUTCHAR,
                  SBI_CONSOLE_GETCHAR, SBI_DBCN, SBI_ERR_NOT_SUPPORTED, KvmRun)

M32 = 0xFFFFFFFF


class UserVmm:
    """The user-space half for one VM: its KVM ``vm`` and ``vcpu``, its ``devices`` (a
    ``DeviceMap``) and its ``uart`` (the console the SBI console calls write to). ``alive``
    says whether the guest still runs (a device may power it off); ``unassigned(mmio)`` is
    what an access where no device is does (kvmtool's: ignore it, a load reads 0).
    ``exits`` counts what came back to user space, by exit name; ``notes`` says what was
    ignored."""

    def __init__(self, vm, vcpu, devices, uart, alive=lambda: True, unassigned=None):
        self.vm, self.vcpu, self.devices, self.uart = vm, vcpu, devices, uart
        self.alive = alive
        self.unassigned = unassigned or self._ignore
        self.exits = Counter()
        self.notes = []

    def run(self, until=None):
        """Run the vCPU until it stops or has retired ``until`` instructions in all; returns
        the ``KvmRun`` this loop does not serve itself (a system event, the end of the slice,
        a halt, an internal error)."""
        vcpu = self.vcpu
        while True:
            budget = None if until is None else until - vcpu.retired()
            if budget is not None and budget <= 0:
                return KvmRun(KVM_EXIT_INTR)
            run = vcpu.run(budget)
            self.exits[run.name] += 1
            if run.exit_reason == KVM_EXIT_MMIO:
                self.mmio(run.mmio)
            elif run.exit_reason == KVM_EXIT_RISCV_SBI:
                self.sbi(run.riscv_sbi)
            else:
                return run
            if not self.alive():
                return run

    def mmio(self, mmio):
        """A load or store at a device register: the device map finds the device."""
        base, device = self.devices.find(mmio.phys_addr)
        if device is None:
            self.unassigned(mmio)
            return
        offset = mmio.phys_addr - base
        if mmio.is_write:
            device.write(offset, mmio.len, int.from_bytes(mmio.data, 'little'))
        else:
            mmio.data = (device.read(offset, mmio.len) & ((1 << 8 * mmio.len) - 1)).to_bytes(
                mmio.len, 'little')

    def sbi(self, call):
        """The SBI calls KVM forwards: the legacy console, and the debug console (DBCN),
        which hands over a whole buffer in one call."""
        eid, fid, args = call.extension_id, call.function_id, call.args
        if eid == SBI_CONSOLE_PUTCHAR:
            self.uart.write(0, 1, args[0] & 0xFF)
            call.ret[0] = 0
        elif eid == SBI_CONSOLE_GETCHAR:
            ready = self.uart.read(5, 1) & self.uart.LSR_DR
            call.ret[0] = self.uart.read(0, 1) if ready else M32
        elif eid == SBI_DBCN and fid == 0:              # write(num_bytes, base_lo, base_hi)
            data = self.vm.read_guest(args[2] << 32 | args[1], args[0])
            if data is None:
                call.ret[:] = [-3 & M32, 0]             # SBI_ERR_INVALID_PARAM
                return
            for byte in data:
                self.uart.write(0, 1, byte)
            call.ret[:] = [0, len(data)]
        elif eid == SBI_DBCN and fid == 2:              # write_byte(byte)
            self.uart.write(0, 1, args[0] & 0xFF)
            call.ret[:] = [0, 0]
        else:
            call.ret[:] = [SBI_ERR_NOT_SUPPORTED & M32, 0]

    def _ignore(self, mmio):
        self.note(f'ignoring MMIO {"write" if mmio.is_write else "read"} at '
                  f'0x{mmio.phys_addr:08x} ({mmio.len} bytes): no device there')

    def note(self, text):
        if len(self.notes) < 20:
            self.notes.append(text)
