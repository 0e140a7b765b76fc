"""The same work under trap-and-emulate and under paravirtualization: exits and cycles, by
cause, per workload; and what batching page-table updates buys.

Both run the kernel with its virtio drivers on the same devices (a virtio disk and console):
``trap`` the unmodified build, ``pv`` the port (``vmlib/guest/pv.s``). The numbers are the
hypervisor's report: exits counted, cycles from the cost model (``vmlib.hypervisor.costs``,
each default with its published source) -- a model of where the time goes, not a measurement
of any real machine.
"""

from __future__ import annotations

from functools import lru_cache

from ... import guest
from ...hypervisor import Hypervisor
from ..text import table as text_table

__all__ = ['WORKLOADS', 'run', 'comparison_rows', 'comparison_text', 'exits_text',
           'nonvirt_text', 'batch_run', 'batching_rows', 'batching_text']

#: the workloads chapter 11 compares (console-, page-table- and I/O-heavy, and pure compute)
WORKLOADS = ('syscall', 'io', 'csr', 'pgfault', 'ptemod', 'forkwait', 'compute', 'blk')


@lru_cache(maxsize=None)
def run(technique, workload, batch=None):
    """One run's report (cached): the guest ``workload`` under ``technique`` ('trap' or
    'pv'), with a virtio disk and console; ``batch``: the port's page-table batch size."""
    program = guest.program(workload, virtio=True, pv=technique == 'pv', batch=batch)
    return Hypervisor(technique, [program], workload=workload, devices=guest.devices).run()


def comparison_rows(workloads=WORKLOADS):
    """Per workload: exits and cycles under each technique, by cause, and whether the two
    consoles are the same."""
    rows = []
    for w in workloads:
        trap, pv = run('trap', w), run('pv', w)
        row = {'workload': w, 'same console': trap['guests'][0]['console'] ==
               pv['guests'][0]['console']}
        for name, report in (('trap', trap), ('pv', pv)):
            row[name] = {'exits': report['vmm']['traps'], 'cycles': report['cycles']['total'],
                         'by cause': {c: (part['exits'], part['cycles'])
                                      for c, part in report['by_cause'].items()}}
        rows.append(row)
    return rows


def comparison_text(rows):
    """The exits and cycles of each workload under both techniques, and their ratios."""
    table = [('workload', 'exits trap', 'pv', 'pv/trap', 'cycles trap', 'pv', 'pv/trap',
              'same output')]
    for r in rows:
        t, p = r['trap'], r['pv']
        table.append((r['workload'], f"{t['exits']:,}", f"{p['exits']:,}",
                      f"{p['exits'] / t['exits']:.2f}", f"{t['cycles']:,}", f"{p['cycles']:,}",
                      f"{p['cycles'] / t['cycles']:.2f}", 'yes' if r['same console'] else 'NO'))
    return text_table(table, 'lrrrrrrl')


def exits_text(workload='syscall'):
    """The exits of ``workload`` by reason, under trap (the unmodified kernel) and pv."""
    lines = []
    for technique in ('trap', 'pv'):
        exits = run(technique, workload)['guests'][0]['exits']
        lines.append(f'{technique:<5} ' + ', '.join(f'{k} {v:,}' for k, v in sorted(exits.items())))
    return '\n'.join(lines)


def nonvirt_text(workload='syscall'):
    """``workload`` on chapter 09's non-virtualizable CPU, under trap and under pv: how each
    ended (the unmodified kernel's build, the ported one)."""
    from ...hypervisor.hypervisor import run as hv_run
    lines = []
    for technique in ('trap', 'pv'):
        g = hv_run(workload, technique, variant='nonvirt')['guests'][0]
        lines.append(f'{technique}: exit status {g["exit_status"]}; last line: '
                     f'{g["console"].splitlines()[-1]}')
    return '\n'.join(lines)


# A tiny paravirtual kernel that changes UPDATES live page-table entries with mmu_update, BATCH
# at a time, then reads every page it mapped.
_BATCH_KERNEL = r"""
    .equ PAGES, 0x80200000          # the frames the entries map (its own RAM)
    la t0, root                     # root: RAM as a megapage (the kernel), entry 1 -> leaf
    li t1, (0x80000000 >> 12 << 10) | 0xCF
    li t2, 0x200 * 4
    add t2, t0, t2
    sw t1, 0(t2)
    la t1, leaf
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sw t1, 4(t0)
    li t1, (PAGES >> 12 << 10) | 0xC3   # leaf[0] maps a page at 0x00400000 (V R A D)
    la t2, leaf
    sw t1, 0(t2)
    srli a0, t0, 12
    li t1, 1 << 31
    or a0, a0, t1
{switch}
    li t0, 0x00400000               # a walk through the leaf: now the VMM shadows it
    lw t0, 0(t0)
    li s0, 0                        # entry i maps frame PAGES + 4 KiB * i, read-write
    li s1, {updates}
    la s2, leaf
    la s3, batch
    li s4, 0                        # entries queued
1:  bgeu s0, s1, 2f
    slli t0, s0, 12
    li t1, PAGES
    add t0, t0, t1
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, 0xC7                # V R W A D
    slli t1, s0, 2
    add t1, t1, s2
{update}
    addi s0, s0, 1
    j 1b
2:
{flush}
    li s0, 0                        # read every page mapped
6:  bgeu s0, s1, 7f
    slli t0, s0, 12
    li t1, 0x00400000
    add t0, t0, t1
    lw t0, 0(t0)
    addi s0, s0, 1
    j 6b
7:  li a0, 0
    call mini_exit
    .bss
    .balign 4096
root:   .space 4096
leaf:   .space 4096
shared: .space 4096
batch:  .space 8 * 64
"""
_PV = dict(switch="""    mv s5, a0
    la a0, shared
    li a7, 0x09505600
    li a6, 0
    ecall                           # register_shared
    mv a0, s5
    li a7, 0x09505600
    li a6, 2
    ecall                           # switch_space""",
           update="""    slli t2, s4, 3                  # queue (entry address, value)
    add t2, t2, s3
    sw t1, 0(t2)
    sw t0, 4(t2)
    addi s4, s4, 1
    li t2, {batch}
    bltu s4, t2, 3f
    call send
3:""",
           flush="""    call send
    j 4f
send:                               # mmu_update(batch, s4)
    beqz s4, 5f
    la a0, batch
    mv a1, s4
    li a7, 0x09505600
    li a6, 4
    ecall
    li s4, 0
5:  ret
4:""")


@lru_cache(maxsize=None)
def batch_run(updates=64, batch=1):
    """The tiny kernel changing ``updates`` live entries, ``batch`` per mmu_update, under pv:
    the report."""
    from ...hypervisor import miniguest
    parts = dict(_PV, update=_PV['update'].format(batch=batch))
    text = _BATCH_KERNEL.format(updates=updates, **parts)
    report = Hypervisor('pv', [miniguest.program(text, filename='batch.s')]).run()
    g = report['guests'][0]
    if g['reason'] != 'poweroff' or g['exit_status'] != 0:
        raise RuntimeError(f'the batching kernel did not finish: {g["message"]}')
    return report


def batching_rows(updates=64, sizes=(1, 2, 4, 8, 16, 32, 64)):
    """Change ``updates`` live page-table entries under pv, ``size`` per mmu_update, for each
    size; then read every page mapped. Exits and cycles of the whole tiny run: its start-up and
    the hidden page faults of the reads (shadow paging is still underneath) are the same for
    every size, what differs is the hypercalls."""
    rows = []
    for size in sizes:
        report = batch_run(updates, size)
        calls = report['guests'][0]['exits'].get('sbi', 0)
        rows.append({'batch': size, 'hypercalls': calls, 'exits': report['vmm']['traps'],
                     'cycles': report['cycles']['total']})
    return rows


def batching_text(rows):
    table = [('updates per mmu_update', 'hypercalls', 'exits', 'cycles')]
    for r in rows:
        table.append((str(r['batch']), f"{r['hypercalls']:,}", f"{r['exits']:,}",
                      f"{r['cycles']:,}"))
    return text_table(table, 'rrrr')
