"""CSR names and numbers (the privileged spec's table, for the subset this machine has).

The number encodes the rules: bits 11:10 == 3 means read-only, bits 9:8 give the lowest
privilege level that may access it (0 user, 1 supervisor, 2 hypervisor: HS-mode, 3 machine).
"""

CSR_NUMBERS = {
    # unprivileged counters
    'cycle': 0xC00, 'time': 0xC01, 'instret': 0xC02,
    'cycleh': 0xC80, 'timeh': 0xC81, 'instreth': 0xC82,
    # supervisor
    'sstatus': 0x100, 'sie': 0x104, 'stvec': 0x105, 'scounteren': 0x106, 'senvcfg': 0x10A,
    'sscratch': 0x140, 'sepc': 0x141, 'scause': 0x142, 'stval': 0x143, 'sip': 0x144,
    'satp': 0x180,
    # machine
    'mvendorid': 0xF11, 'marchid': 0xF12, 'mimpid': 0xF13, 'mhartid': 0xF14, 'mconfigptr': 0xF15,
    'mstatus': 0x300, 'misa': 0x301, 'medeleg': 0x302, 'mideleg': 0x303, 'mie': 0x304,
    'mtvec': 0x305, 'mcounteren': 0x306, 'menvcfg': 0x30A, 'mstatush': 0x310,
    'menvcfgh': 0x31A, 'mcountinhibit': 0x320,
    'mscratch': 0x340, 'mepc': 0x341, 'mcause': 0x342, 'mtval': 0x343, 'mip': 0x344,
    'mcycle': 0xB00, 'minstret': 0xB02, 'mcycleh': 0xB80, 'minstreth': 0xB82,
    'tselect': 0x7A0, 'tdata1': 0x7A1, 'tdata2': 0x7A2,
    'mtinst': 0x34A, 'mtval2': 0x34B,
    # hypervisor (H extension) and virtual supervisor
    'hstatus': 0x600, 'hedeleg': 0x602, 'hideleg': 0x603, 'hie': 0x604, 'htimedelta': 0x605,
    'hcounteren': 0x606, 'hgeie': 0x607, 'henvcfg': 0x60A, 'htimedeltah': 0x615,
    'henvcfgh': 0x61A, 'htval': 0x643, 'hip': 0x644, 'hvip': 0x645, 'htinst': 0x64A,
    'hgatp': 0x680, 'hgeip': 0xE12,
    'vsstatus': 0x200, 'vsie': 0x204, 'vstvec': 0x205, 'vsscratch': 0x240, 'vsepc': 0x241,
    'vscause': 0x242, 'vstval': 0x243, 'vsip': 0x244, 'vsatp': 0x280,
}
CSR_NUMBERS.update({f'pmpcfg{i}': 0x3A0 + i for i in range(4)})
CSR_NUMBERS.update({f'pmpaddr{i}': 0x3B0 + i for i in range(16)})

CSR_NAMES = {number: name for name, number in CSR_NUMBERS.items()}


def csr_name(number):
    """The CSR's name, or its number in hex when this machine has no name for it."""
    return CSR_NAMES.get(number, hex(number))


def is_read_only(number):
    return number >> 10 == 3


def min_privilege(number):
    return number >> 8 & 3
