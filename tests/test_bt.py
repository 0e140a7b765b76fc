"""Technique bt: the guest kernel translated block by block, its processes run directly.

Equivalence on every workload and isolation are in test_hypervisor(_properties); here what
binary translation itself promises: kernel code never runs untranslated, sensitive
instructions become callouts (no trap), the non-virtualizable CPU stops mattering, a kernel
that rewrites its own code still runs as on the bare machine, and adaptive translation turns
trapping page-table stores into callouts.
"""

import json
import subprocess
import sys

import pytest

from vmlib import guest
from vmlib.hypervisor import Hypervisor, miniguest
from vmlib.hypervisor.bt import treatment
from vmlib.hypervisor.techniques.bt import ADAPT_AFTER
from vmlib.asm import assemble
from vmlib.isa.decode import decode_for_execution


def decoded(line):
    """The interpreter's form of one assembled instruction."""
    word = int.from_bytes(assemble(line).section('.text').data[:4], 'little')
    return decode_for_execution(word)


def bt(program, **kw):
    hv = Hypervisor('bt', [program], **kw)
    return hv, hv.run()


def bare_console(workload, **options):
    return guest.run(workload, **options)[0]


@pytest.mark.parametrize('workload', ['blk', 'tlb'])
def test_the_workloads_beyond_chapter_08s_set_run_as_bare(workload):
    hv, report = bt(guest.program(workload), devices=guest.devices if workload == 'blk' else None)
    g = report['guests'][0]
    assert (g['console'], g['exit_status']) == (bare_console(workload), 0)


def test_kernel_code_runs_only_translated_and_its_sensitive_instructions_call_out():
    hv, report = bt(guest.program('syscall'))
    g, vmm = report['guests'][0], report['vmm']
    t = vmm['translation']['guest 0']
    # no privileged instruction ever traps: every one was a callout
    assert 'privileged_instruction' not in vmm['exits']
    assert vmm['callouts']['privileged_instruction'] > 5 * 500     # csrs and sret per call
    assert vmm['callouts']['sbi'] == report['events']['sbi_call']
    # every instruction: translated kernel code, direct user code, or done by a callout
    user = g['direct_instructions'] - t['instructions run translated']
    assert t['instructions run translated'] > 40_000 and user > 2_000
    assert g['guest_instructions'] == g['direct_instructions'] + sum(vmm['callouts'].values())
    assert report['events']['callout'] == sum(vmm['callouts'].values())
    assert report['events']['translation'] == t['instructions translated'] >= \
        t['instructions in cache']
    assert report['events']['tc_lookup'] == t['indirect lookups'] > 0       # returns
    assert 0.5 < t['hit rate'] <= 1 and t['invalidations'] == 0
    # a callout is no trap: what the VMM saw as traps are the processes' own
    assert report['vmm']['traps'] == sum(vmm['exits'].values()) == report['events']['trap']


def test_the_translation_of_a_block_shows_what_became_of_each_instruction():
    hv, _ = bt(guest.program('csr'))
    tc = hv.technique.translator(hv.vms[0])
    blocks = tc.listing(guest.program('csr').symbols['sys_sie_write'], blocks=4)
    rows = [row for block, _ in blocks for row in block]
    assert [(text.split()[0], kind) for _, text, kind in rows[:7]] == [
        ('mv', 'ident'), ('li', 'ident'), ('blez', 'chained'), ('csrc', 'callout'),
        ('csrs', 'callout'), ('addi', 'ident'), ('j', 'chained')]
    source = blocks[1][1]
    assert 'callout(' in source and 'exec_system' not in source
    assert treatment(decoded('csrs sie, t1')) == 'callout'
    assert treatment(decoded('ret')) == 'lookup'
    assert treatment(decoded('beqz a0, .+8')) == 'chained'
    assert treatment(decoded('amoadd.w a0, a1, (a2)')) == 'ident'
    assert treatment(decoded('add a0, a1, a2')) == 'ident'


def test_on_the_non_virtualizable_cpu_binary_translation_stays_equivalent():
    """The reason VMware translated: a sensitive instruction that does not trap (here U-mode
    sstatus access) breaks trap-and-emulate, but translated code never executes it."""
    program = guest.program('syscall')
    console = bare_console('syscall')
    trapped = Hypervisor('trap', [program], variant='nonvirt').run()['guests'][0]
    translated = Hypervisor('bt', [program], variant='nonvirt').run()['guests'][0]
    assert trapped['console'] != console
    assert (translated['console'], translated['exit_status']) == (console, 0)


SELF_MODIFYING = r"""
# patch `value`'s first instruction to `li a0, k` for k = 1..6 and call it after each patch
    li s1, 1
1:  la t0, value
    li t1, 0x00000513               # addi a0, zero, 0
    slli t2, s1, 20
    or t1, t1, t2                   # ... with the immediate k
    sw t1, 0(t0)
    fence.i
    call value
    addi a0, a0, 48
    li a7, SBI_CONSOLE_PUTCHAR
    ecall
    addi s1, s1, 1
    li t0, 7
    bne s1, t0, 1b
    li a0, 10
    li a7, SBI_CONSOLE_PUTCHAR
    ecall
    li a0, 0
    j mini_exit
value:
    li a0, 0
    ret
"""


def test_a_kernel_that_rewrites_its_own_code_runs_as_on_the_bare_machine():
    program = miniguest.program(SELF_MODIFYING)
    m = miniguest.machine(program)
    m.run(100_000)
    assert m.output == '123456\n'
    hv, report = bt(program)
    assert report['guests'][0]['console'] == '123456\n'
    t = report['vmm']['translation']['guest 0']
    assert t['invalidations'] >= 5                  # each patch dropped `value`'s block
    # the store traps on the write-protected code page, then is translated as a callout
    assert report['vmm']['exits']['code_write'] == ADAPT_AFTER
    assert report['vmm']['callouts']['code_write'] == 6 - ADAPT_AFTER
    assert hv.vms[0].mmu.stats()['code_pages'] >= 1


def test_adaptive_translation_turns_trapping_page_table_writes_into_callouts():
    program = guest.program('ptemod')
    hv, adaptive = bt(program)
    hv = Hypervisor('bt', [program])
    hv.technique.adapt_after = None
    fixed = hv.run()
    trap = Hypervisor('trap', [program]).run()
    for r in (adaptive, fixed):
        assert r['guests'][0]['console'] == bare_console('ptemod')
    writes = {name: r['vmm']['exits'].get('page_table_write', 0)
              for name, r in (('adaptive', adaptive), ('fixed', fixed), ('trap', trap))}
    assert writes['fixed'] == writes['trap'] > 100
    assert writes['adaptive'] < writes['trap'] / 10
    assert adaptive['vmm']['callouts']['page_table_write'] > 100
    assert adaptive['vmm']['translation']['guest 0']['adaptive retranslations'] >= 1
    assert adaptive['cycles']['total'] < fixed['cycles']['total']


def test_io_registers_become_callouts_after_two_traps():
    hv, report = bt(guest.program('io'))
    assert report['vmm']['exits'].get('mmio', 0) <= 2 * 4   # a few instructions, twice each
    assert report['vmm']['callouts']['mmio'] > 1000


def test_both_engines_and_several_guests_give_the_same_report():
    programs = [guest.program(w) for w in ('demo', 'ptemod', 'callret')]
    one = Hypervisor('bt', programs, slice_size=1500).run()
    two = Hypervisor('bt', programs, slice_size=1500, engine='dbt').run()
    assert one == two
    for w, g in zip(('demo', 'ptemod', 'callret'), one['guests']):
        assert g['console'] == bare_console(w)


def test_hv_json_reports_the_translation_cache():
    p = subprocess.run([sys.executable, '-m', 'vmlib', 'hv', '--technique', 'bt',
                        '--workload', 'callret', '--json'], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    t = report['vmm']['translation']['guest 0']
    assert t['indirect lookups'] >= 3193            # fib(16)'s returns in the kernel
    assert report['events']['tc_lookup'] == t['indirect lookups']
    text = subprocess.run([sys.executable, '-m', 'vmlib', 'hv', '--technique', 'bt',
                           '--workload', 'callret'], capture_output=True, text=True,
                          timeout=300).stdout
    assert 'translation cache of guest 0' in text and 'callouts (no trap)' in text
