"""Tiny guests: the guest kernel's firmware with an S-mode kernel of a few lines of your own.

The real guest kernel (``vmlib.guest``) behaves well. To watch a hypervisor cope with guests
that do not -- spin with interrupts off, jump to nowhere, trap in a loop, call an SBI
function nobody knows, write outside their memory -- it is handy to write the guest kernel
in a few lines. ``program(text)`` puts ``text`` at ``kernel_entry`` (S-mode, paging off,
entered by the firmware ``vmlib/guest/firmware.s``, whose constants -- ``UART``, ``SBI_*``
-- it may use), with two helpers: ``mini_puts`` (print the NUL-terminated string at ``a0``
with SBI ``console_putchar``) and ``mini_exit`` (power off with status 0 if ``a0`` is 0,
else 1, by SBI ``system_reset``). ``EXAMPLES`` are the misbehaving kernels of chapter 09 and
of the tests; each runs the same bare and under every technique (see ``EXPECTED``).

    >>> from vmlib.hypervisor import miniguest, Hypervisor
    >>> report = Hypervisor('trap', [miniguest.example('hello')]).run()
    >>> report['guests'][0]['console']
    'hello from a tiny guest kernel\\n'
"""

from functools import lru_cache
from pathlib import Path

FIRMWARE = Path(__file__).resolve().parent.parent / 'guest' / 'firmware.s'

_PRELUDE = """
# ---- a tiny S-mode kernel (vmlib.hypervisor.miniguest) ---------------------------------------
    .text
    .balign 4096
    .globl kernel_entry
kernel_entry:
    la sp, mini_stack_top
    j mini_main

# mini_puts: print the NUL-terminated string at a0 (SBI console_putchar); clobbers t0, a0, a7
mini_puts:
    mv t0, a0
1:  lbu a0, 0(t0)
    beqz a0, 2f
    li a7, SBI_CONSOLE_PUTCHAR
    ecall
    addi t0, t0, 1
    j 1b
2:  ret

# mini_exit: power off, status 0 when a0 == 0, else 1 (SBI system_reset, reason a0 != 0)
mini_exit:
    mv a1, a0
    li a0, 0
    li a6, 0
    li a7, SBI_EXT_SRST
    ecall
1:  j 1b

    .bss
    .balign 16
mini_stack:
    .space 1024
mini_stack_top:
    .text
mini_main:
"""

EXAMPLES = {
    'hello': """
    la a0, msg
    call mini_puts
    li a0, 0
    call mini_exit
    .section .rodata
msg: .string "hello from a tiny guest kernel\\n"
""",
    'spin': """
# interrupts off (sstatus.SIE = 0, sie = 0) and an endless loop: on a bare machine nothing
# would ever run again; under a hypervisor, only this guest's own time is lost
    csrci sstatus, 2
    csrw sie, zero
1:  j 1b
""",
    'nowhere': """
# jump to an address where there is neither RAM nor a device
    la a0, msg
    call mini_puts
    li t0, 0x40000000
    jr t0
    .section .rodata
msg: .string "jumping to 0x40000000\\n"
""",
    'fault-storm': """
# the trap handler is itself an illegal instruction: every trap traps again, forever
    la t0, bad_handler
    csrw stvec, t0
    .word 0
bad_handler:
    .word 0
""",
    'unknown-sbi': """
# an SBI extension nobody implements: the answer is -2 (not supported), and life goes on
    li a7, 0x0ABCDEF
    li a6, 7
    ecall
    li t1, -2
    bne a0, t1, 1f
    la a0, yes
    j 2f
1:  la a0, no
2:  call mini_puts
    li a0, 0
    call mini_exit
    .section .rodata
yes: .string "unknown SBI call: not supported (-2), as it should be\\n"
no:  .string "unknown SBI call: unexpected answer\\n"
""",
    'write-outside': """
# store just past the end of its 4 MiB of RAM: the memory there is not the guest's (under a
# hypervisor it would be the next guest's, or the VMM's)
    la a0, msg
    call mini_puts
    li t0, 0x80400000
    li t1, 0x5a5a5a5a
bad_store:
    sw t1, 0(t0)
    li a0, 0
    call mini_exit
    .section .rodata
msg: .string "writing to 0x80400000\\n"
""",
}

# name -> (console, exit status) on the bare machine (with the guest's 4 MiB of RAM) and under
# every technique. How each run stops differs in name (a fault storm is 'trap-loop' on a bare
# machine and 'fault-storm' under trap-and-emulate; 'nowhere' powers off bare and is a
# 'guest-fault' to a VMM playing the firmware's part) but not in what the guest leaves.
EXPECTED = {
    'hello': ('hello from a tiny guest kernel\n', 0),
    'spin': ('', None),
    'nowhere': ('jumping to 0x40000000\nfirmware: unexpected trap to M-mode, mcause '
                '0x00000001 mepc 0x40000000 mtval 0x40000000\n', 1),
    'fault-storm': ('', None),
    'unknown-sbi': ('unknown SBI call: not supported (-2), as it should be\n', 0),
    'write-outside': ('writing to 0x80400000\nfirmware: unexpected trap to M-mode, mcause '
                      '0x00000007 mepc 0x{bad_store:08x} mtval 0x80400000\n', 1),
}


def expected(name):
    """``EXPECTED[name]`` with the example's addresses filled in."""
    console, status = EXPECTED[name]
    return console.format(**example(name).symbols), status


def source(kernel_text):
    """The assembly text: the firmware, the prelude, then ``kernel_text`` (at ``mini_main``)."""
    return FIRMWARE.read_text(encoding='utf-8') + _PRELUDE + kernel_text


def program(kernel_text, filename='miniguest.s'):
    """Assemble a tiny guest (a ``vmlib.asm.Program``)."""
    from ..asm import assemble
    return assemble(source(kernel_text), filename=filename)


@lru_cache(maxsize=None)
def example(name):
    """One of ``EXAMPLES``, assembled (cached)."""
    if name not in EXAMPLES:
        raise ValueError(f'unknown example {name!r} (choose from {", ".join(EXAMPLES)})')
    return program(EXAMPLES[name], filename=f'miniguest-{name}.s')


def machine(program_, **kw):
    """A bare machine with the tiny guest loaded and the RAM a VM gives it (to compare with
    the hypervisor)."""
    from ..machine import Machine
    from .memory import GUEST_RAM_SIZE
    kw.setdefault('ram_size', GUEST_RAM_SIZE)
    return Machine.from_elf(program_.to_elf(), what=program_.filename or 'miniguest', **kw)
