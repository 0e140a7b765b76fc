"""Paravirtualization (technique ``pv``, ``vmlib/hypervisor/pv.py``; the guest's side
``vmlib/guest/pv.s``): the ported kernel prints what the unmodified one prints on the bare
machine, with far fewer exits than trap-and-emulate; it runs only on its hypervisor; it needs
no virtualizable CPU; and no hypercall a guest makes, whatever its arguments, harms the host
or another guest."""

import re

import pytest
from hypothesis import example, given, settings, strategies as st

from vmlib import guest
from vmlib.guest import port
from vmlib.hypervisor import Hypervisor, hypervisor, miniguest, sbi
from vmlib.hypervisor.pv import PV_EID

WORKLOADS = list(guest.WORKLOADS) + list(guest.VIRTIO_WORKLOADS)


def bare(workload):
    """The unmodified kernel (with the virtio drivers, as the pv build has them) on the bare
    machine with the same devices: console and exit status."""
    m = guest.machine(workload, virtio=True)
    result = m.run(guest.MAX_STEPS)
    return m.uart.text(), result.exit_status


def under(technique, workload, **kw):
    if technique == 'pv':
        return hypervisor.run(workload, 'pv', **kw)
    hv = Hypervisor(technique, [guest.program(workload, virtio=True)], devices=guest.devices, **kw)
    return hv.run()


@pytest.mark.parametrize('workload', WORKLOADS)
def test_the_port_prints_what_the_unmodified_kernel_prints(workload):
    pv = under('pv', workload)['guests'][0]
    assert (pv['console'], pv['exit_status']) == bare(workload)
    assert pv['notes'] == []


@pytest.mark.parametrize('workload, most', [
    ('syscall', 0.25), ('ptemod', 0.5), ('pgfault', 0.5), ('forkwait', 0.5), ('blk', 0.5),
    ('io', 0.75),       # (io drives the emulated UART itself, two exits a byte, port or not)
])
def test_fewer_exits_than_trap_and_emulate(workload, most):
    """Console-heavy (syscall, io), page-table-heavy (ptemod, pgfault, forkwait) and I/O (blk)
    workloads: the same work, far fewer exits and cycles."""
    pv, trap = under('pv', workload), under('trap', workload)
    assert pv['vmm']['traps'] < most * trap['vmm']['traps']
    assert pv['cycles']['total'] < trap['cycles']['total']
    assert 'privileged_instruction' not in pv['guests'][0]['exits']


def test_a_system_call_costs_two_exits():
    """syscall makes 500 getpid calls: under pv each is the reflected ecall and trap_return
    (under trap-and-emulate, eleven)."""
    hv = Hypervisor('pv', [guest.program('syscall', pv=True)], devices=guest.devices)
    g = hv.run()['guests'][0]
    calls = hv.technique.stats()['pv']['guest 0']['hypercalls']
    assert g['exits']['guest_exception'] >= 500 and calls['trap_return'] >= 500
    # the other SBI calls it still makes: set_timer, power-off, a digit of a number printed
    assert 0 < g['exits']['sbi'] - sum(calls.values()) < 10


@pytest.mark.parametrize('where', ['bare', 'trap'])
def test_it_runs_only_on_its_hypervisor(where):
    message = 'kernel: this kernel is paravirtualized: it runs only on the pv hypervisor\n'
    if where == 'bare':
        m = guest.machine('syscall', pv=True)
        result = m.run(guest.MAX_STEPS)
        assert (m.uart.text(), result.exit_status) == (message, 1)
    else:
        report = Hypervisor('trap', [guest.program('syscall', pv=True)]).run()
        assert (report['guests'][0]['console'], report['guests'][0]['exit_status']) == (message, 1)


def test_it_needs_no_virtualizable_cpu():
    """On the CPU where trap-and-emulate silently goes wrong, the port is right: it touches no
    sstatus (Xen's answer to x86, which Popek and Goldberg's theorem did not cover)."""
    trap = Hypervisor('trap', [guest.program('syscall')], variant='nonvirt').run()['guests'][0]
    pv = under('pv', 'syscall', variant='nonvirt')['guests'][0]
    assert trap['exit_status'] != 0
    assert (pv['console'], pv['exit_status']) == bare('syscall')


def test_engines_and_guests_do_not_change_the_run():
    one = under('pv', 'ptemod')
    assert under('pv', 'ptemod', engine='dbt')['guests'] == one['guests']
    two = under('pv', 'ptemod', guests=2)
    assert [g['console'] for g in two['guests']] == [one['guests'][0]['console']] * 2


def test_the_port_is_measured_from_the_source():
    p = port.measure()
    assert 0 < p.replaced < p.added < p.changed < p.total
    assert re.fullmatch(r'the paravirtual port: \d+ lines added, \d+ replaced, of \d+ lines of '
                        r'kernel \(\d+\.\d% changed\)', p.text())


def test_the_hypercall_table_is_the_guest_header():
    """pv.s documents each hypercall in a table; the VMM serves exactly those."""
    header = (port.HERE / 'pv.s').read_text()
    rows = re.findall(r'^#   (\d)    (\w+)', header, re.M)
    assert rows and all(sbi.call_name(PV_EID, int(fid)) == name for fid, name in rows)
    assert sbi.call_name(PV_EID, len(rows)).startswith('unknown')


# --- hostile hypercalls --------------------------------------------------------------------------

HOSTILE = r'''
    la a0, shared
    li a7, 0x09505600
    li a6, 0
    ecall                           # register_shared
    la s0, calls
    la s1, calls_end
1:  bgeu s0, s1, 2f
    lw a6, 0(s0)
    lw a0, 4(s0)
    lw a1, 8(s0)
    li a7, 0x09505600
    ecall
    addi s0, s0, 12
    j 1b
2:  la a0, done
    call mini_puts
    li a0, 0
    call mini_exit
done: .string "hypercalls done\n"
    .bss
    .balign 4096
shared: .space 4096
    .data
    .balign 4
calls:
'''
ARGS = ['0', '1', 'shared', 'shared + 4092', 'shared + 4096', '0x80000000', '0x803ff000',
        '0x80400000', '0xfffff000', '0x10008000', '0x10001000', '511', '512', '513', '4097',
        '0x80000000 | (0x80000000 >> 12)', '(0x90000 << 10) | 1', 'calls']


@st.composite
def hostile_calls(draw):
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        fid = draw(st.sampled_from([1, 2, 4, 4, 5, 6, 7, 99]))      # (3, trap_return, below)
        lines.append(f'    .word {fid}, {draw(st.sampled_from(ARGS))}, '
                     f'{draw(st.sampled_from(ARGS))}')
    if draw(st.booleans()):
        lines.append('    .word 3, 0, 0')
    return '\n'.join(lines) + '\ncalls_end:\n    .word 0, 0, 0\n'


@settings(max_examples=40, deadline=None)
@given(hostile_calls())
@example('    .word 5, 0x80400000, 0\ncalls_end:\n    .word 0, 0, 0\n')    # (found: an empty
def test_hostile_hypercalls_harm_nobody(calls):                        # write past the end)
    """A tiny guest kernel makes hypercalls with arguments outside its memory, past its
    pages, at devices, oversized, unknown: each is answered (or it hurts itself), the VMM
    never fails, and the guest beside it prints what it prints alone."""
    hostile = miniguest.program(HOSTILE + calls, filename='hostile-pv.s')
    hv = Hypervisor('pv', [hostile, guest.program('syscall', pv=True)], devices=guest.devices)
    first, second = hv.run()['guests']
    assert first['reason'] != 'error' and second['reason'] == 'poweroff', first['message']
    assert (second['console'], second['exit_status']) == bare('syscall')
