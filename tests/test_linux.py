"""Linux on the course machine (linux/build.py, vmlib.guest.linux): the kernels `make linux`
built boot to the course shell on both engines, answer commands, power off with status 0, and
say what the same image says on QEMU.

Without a build these tests skip, saying so; CI builds the kernels first and sets
VMLIB_LINUX=require, which turns a missing build into a failure.
"""
import os
import re
import select
import shutil
import subprocess
import sys
import time

import pytest

from vmlib.guest import linux
from vmlib.hypervisor.linux import TECHNIQUES as LINUX_TECHNIQUES

REQUIRED = os.environ.get('VMLIB_LINUX') == 'require'


def need(build):
    if not linux.available(build):
        message = f'Linux {build} build missing: run `make linux`'
        if REQUIRED:
            pytest.fail(message + ' (VMLIB_LINUX=require)')
        pytest.skip(message)


@pytest.fixture(scope='module')
def bare_sessions():
    """One booted session per engine, shared by the tests of this module (a boot is ~5 s)."""
    need('bare')
    sessions = {}
    for engine in ('dbt', 'interp'):
        s = linux.Session('bare', engine=engine)
        s.booted = s.boot()
        sessions[engine] = s
    return sessions


def test_both_engines_boot_the_bare_kernel_to_the_shell_alike(bare_sessions):
    dbt, interp = bare_sessions['dbt'], bare_sessions['interp']
    assert dbt.booted.reached and interp.booted.reached
    assert 'Run /init as init process' in dbt.console
    assert dbt.console.endswith('course shell: type help\n# ') or dbt.console.endswith('# ')
    assert dbt.console == interp.console
    assert dbt.booted.instructions == interp.booted.instructions
    assert dbt.booted.instructions < 20_000_000     # the config's point: see linux/common.config


def test_the_shell_answers_commands_alike_on_both_engines(bare_sessions):
    commands = ['uname', 'echo hello,   world', 'cat /proc/cpuinfo', 'cat /proc/interrupts',
                'count 1000', 'frobnicate', 'ls /', 'cat /proc/meminfo', 'uptime']
    answers = {engine: dict((c, s.command(c)) for c in commands)
               for engine, s in bare_sessions.items()}
    assert answers['dbt'] == answers['interp']
    assert (bare_sessions['dbt'].m.hart.instret == bare_sessions['interp'].m.hart.instret)
    a = answers['dbt']
    assert re.fullmatch(r'Linux 6\.12\.\d+ #1 .* riscv32\n', a['uname'])
    assert a['echo hello,   world'] == 'hello, world\n'
    assert 'mmu\t\t: none' in a['cat /proc/cpuinfo'] and 'hart\t\t: 0' in a['cat /proc/cpuinfo']
    assert 'ttyS0' in a['cat /proc/interrupts']
    assert re.match(r'counted to 1000 in ', a['count 1000'])
    assert a['frobnicate'] == 'frobnicate: command not found\n'
    assert set(a['ls /'].split()) >= {'init', 'proc/', 'dev/'}
    assert re.match(r'MemTotal: +12\d{4} kB', a['cat /proc/meminfo'])


def test_poweroff_stops_the_machine_with_status_0(bare_sessions):
    for s in bare_sessions.values():
        assert s.poweroff()
        assert s.stopped() == ('poweroff', 0)
        assert 'reboot: Power down' in s.console


def test_the_boot_profile_names_kernel_functions():
    need('bare')
    from vmlib.course.linux import Profile
    profile = Profile('bare', every=5000)
    assert profile.samples * 5000 >= 5_000_000
    assert sum(profile.counts.values()) == profile.samples
    names = [name for name, _, _ in profile.rows(15)]
    assert 'memmap_init_range' in names
    assert 'memset (from __init_single_page)' in names    # helpers charged to their caller
    groups = profile.groups()
    assert abs(sum(groups.values()) - 100) < 1e-6
    assert max(groups, key=groups.get) in ('page array set-up', 'other')


def test_a_missing_build_says_how_to_make_it(tmp_path, monkeypatch):
    monkeypatch.setattr(linux, 'BUILD_DIR', tmp_path)
    with pytest.raises(linux.LinuxNotBuilt, match='make linux'):
        linux.image('bare')
    with pytest.raises(ValueError, match='unknown Linux build'):
        linux.image('windows')


@pytest.mark.parametrize('build', linux.BUILDS)
def test_the_command_line_boots_linux_and_powers_off(build):
    need(build)
    done = subprocess.run(
        [sys.executable, '-m', 'vmlib', 'boot', '--linux', build, '--engine', 'dbt'],
        input=b'uname\npoweroff\n', capture_output=True, timeout=300)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert re.search(r'# Linux 6\.12\.\d+ #1 .* riscv32', out)
    assert 'reboot: Power down' in out


# --- the same image on QEMU -------------------------------------------------------------

QEMU = shutil.which('qemu-system-riscv32')


def qemu_session(image, commands, timeout=120, bios='none', extra=()):
    """Boot ``image`` on QEMU's virt board (without firmware unless ``bios`` is given); type
    each command after a prompt, as a person would; return the whole console and QEMU's exit
    status."""
    p = subprocess.Popen([QEMU, '-M', 'virt', '-bios', str(bios), '-nographic', '-kernel',
                          str(image), '-cpu', 'rv32,c=off,f=off,d=off', *extra],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, deadline, pending = b'', time.monotonic() + timeout, list(commands)
    try:
        while p.poll() is None and time.monotonic() < deadline:
            if select.select([p.stdout], [], [], 0.5)[0]:
                chunk = os.read(p.stdout.fileno(), 4096)
                out += chunk
            if pending and out.endswith(b'# '):
                p.stdin.write(pending.pop(0).encode() + b'\n')
                p.stdin.flush()
        out += p.stdout.read() if p.poll() is not None else b''
        return out.decode('utf-8', 'replace').replace('\r\n', '\n'), p.poll()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def boot_lines(console):
    """The boot log's messages without timestamps, for comparing two machines."""
    return [re.sub(r'^\[\s*\d+\.\d+\] ', '', line) for line in console.splitlines()]


@pytest.mark.skipif(QEMU is None, reason='qemu-system-riscv32 not installed')
def test_the_bare_image_behaves_on_qemu_as_on_vmlib():
    need('bare')
    commands = ['uname', 'echo same on both', 'ls /', 'poweroff']
    qemu_console, status = qemu_session(linux.image('bare', 'Image'), commands)
    assert status == 0, qemu_console[-2000:]
    s = linux.Session('bare', engine='dbt')
    assert s.boot().reached
    answers = [s.command(c) for c in commands[:-1]]
    assert s.poweroff()
    ours = s.console
    for command, answer in zip(commands, answers):
        assert f'# {command}\n{answer}' in qemu_console
    # the boot says the same things in the same order, where the two machines are alike
    same = ('Linux version', 'Kernel command line', 'ttyS0 at MMIO', 'Run /init', 'Power down')
    pick = [line for line in boot_lines(ours) if line.startswith(same)
            or any(s in line for s in same)]
    theirs = [line for line in boot_lines(qemu_console) if line.startswith(same)
              or any(s in line for s in same)]
    assert pick == theirs


# --- the guest build: above the course firmware, and as a guest of the hypervisor ----------

@pytest.mark.skipif(QEMU is None, reason='qemu-system-riscv32 not installed')
def test_the_guest_build_behaves_on_qemu_as_on_vmlib(tmp_path):
    """QEMU with the course firmware as its -bios (it puts the kernel's Image at the next 4 MiB
    boundary, 0x80400000, as vmlib does) and vmlib's device tree as its -dtb (which reserves the
    firmware's memory, as OpenSBI would in QEMU's own tree)."""
    need('guest')
    firmware, dtb = tmp_path / 'firmware.elf', tmp_path / 'guest.dtb'
    firmware.write_bytes(linux.GuestImage('guest').firmware.to_elf())
    s = linux.Session('guest', engine='dbt')
    dtb.write_bytes(s.m.dtb)
    commands = ['uname', 'cat /proc/cpuinfo', 'poweroff']
    qemu_console, status = qemu_session(linux.image('guest', 'Image'), commands, bios=firmware,
                                        extra=['-dtb', str(dtb)])
    assert status == 0, qemu_console[-2000:]
    assert s.boot().reached
    for command in commands[:-1]:
        assert f'# {command}\n{s.command(command)}' in qemu_console
    assert s.poweroff()
    assert 'reserved mem: 0x80000000..0x803fffff' in qemu_console

GUEST_COMMANDS = ['uname', 'cat /proc/cpuinfo', 'echo from the guest']


def timeless(console):
    """A console without what differs between machines that are not the same machine: the
    timestamps (time is the host's under a hypervisor), the SBI (KVM's offers v2.0 and its
    extensions, the course firmware v0.1), the serial port's interrupt (the VMs
    of trap, bt and hw have no interrupt controller: the kernel polls), and the memory
    sizes."""
    skip = ('irq', 'IRQ', 'plic', 'Memory:', 'Zone', 'node', 'Initmem', 'hash table',
            'Total pages', 'workingset', 'Freeing', 'Power down', 'reserved mem', 'SBI')
    return [line for line in boot_lines(console.replace('\r\n', '\n'))
            if not any(s in line for s in skip)]


@pytest.fixture(scope='module')
def guest_on_the_machine():
    """The guest build on the course machine with the course firmware, with a guest's RAM."""
    need('guest')
    from vmlib.hypervisor.linux import LINUX_GUEST_RAM
    s = linux.Session('guest', engine='dbt', ram_size=LINUX_GUEST_RAM)
    s.booted = s.boot()
    s.answers = [s.command(c) for c in GUEST_COMMANDS]
    s.before_poweroff = s.console
    s.off = s.poweroff()
    return s


def test_the_guest_build_boots_in_s_mode_with_paging_above_the_firmware(guest_on_the_machine):
    s = guest_on_the_machine
    from vmlib.hypervisor.linux import LINUX_GUEST_RAM
    interp = linux.Session('guest', engine='interp', ram_size=LINUX_GUEST_RAM)
    booted = interp.boot()
    assert booted.instructions == s.booted.instructions        # the same run on both engines
    assert booted.console == s.booted.console
    assert s.booted.reached and s.off
    assert re.fullmatch(r'Linux 6\.12\.\d+ #1 .* riscv32\n', s.answers[0])
    assert 'mmu\t\t: sv32' in s.answers[1]
    assert 'reserved mem: 0x80000000..0x803fffff' in s.console   # the firmware kept off
    assert s.m.hart.mmu.walks > 0                    # Sv32 page tables were walked


@pytest.mark.parametrize('technique', LINUX_TECHNIQUES)
def test_the_guest_build_boots_under_each_technique_with_the_bare_console(
        technique, guest_on_the_machine):
    from vmlib.hypervisor.linux import GuestShell
    g = GuestShell(technique)
    assert g.boot().reached
    assert [g.command(c) for c in GUEST_COMMANDS] == guest_on_the_machine.answers
    assert timeless(g.console) == timeless(guest_on_the_machine.before_poweroff)
    assert g.poweroff() and g.stopped() == ('poweroff', 0)
    report = g.hv.report()['guests'][0]
    if technique == 'emulate':
        assert not report['exits']
    else:
        assert report['direct_instructions'] > 0.9 * report['guest_instructions']
    if technique == 'trap':                          # Sv32 under shadow paging
        assert report['exits']['hidden_page_fault'] > 1000
        assert report['exits']['page_table_write'] > 1000
    if technique == 'hw':                            # nested paging: no page-table exits
        assert 'hidden_page_fault' not in report['exits']
        assert report['exits']['KVM_EXIT_MMIO'] > 1000   # the polled UART


# --- the chapter without a build ------------------------------------------------------------

def test_without_a_build_the_chapter_shows_the_recorded_boot_labelled(tmp_path, monkeypatch,
                                                                      capsys):
    from vmlib.course import linux as course_linux
    monkeypatch.setattr(linux, 'BUILD_DIR', tmp_path)
    assert course_linux.boot() is None
    shown = capsys.readouterr().out
    words = ' '.join(shown.split())                 # (the label is wrapped at 96 columns)
    assert words.startswith('[RECORDED, not live. no Linux bare build at')
    assert 'run `make linux`' in words and '[recorded 20' in words
    assert 'Run /init as init process' in shown and shown.rstrip().endswith('#')
    assert max(len(line) for line in shown.splitlines()) <= 96


def test_the_terminal_folds_long_lines_at_its_width(capsys):
    from vmlib.course.linux import Terminal
    t = Terminal(columns=10)
    t('0123456789abc\r\n')
    t('xy')
    t('z\n')
    assert capsys.readouterr().out == '0123456789\nabc\nxyz\n'


@pytest.mark.parametrize('chapter, start', [('08', '## A real operating system'),
                                            ('12', '## Linux as a guest')])
def test_the_linux_cells_run_without_a_build(chapter, start, tmp_path, monkeypatch, capsys):
    """A learner without Debian's tools runs the chapter: no traceback, the recorded boot."""
    import json
    from pathlib import Path
    monkeypatch.setattr(linux, 'BUILD_DIR', tmp_path)
    path = next((Path(__file__).parent.parent / 'notebooks').glob(f'{chapter}_*.ipynb'))
    cells = json.loads(path.read_text())['cells']
    first = next(i for i, c in enumerate(cells) if ''.join(c['source']).startswith(start))
    last = next(i for i, c in enumerate(cells) if ''.join(c['source']).startswith('## Summary'))
    namespace = {}
    for cell in cells[first:last]:
        if cell['cell_type'] == 'code':
            exec(''.join(cell['source']), namespace)
    shown = capsys.readouterr().out
    assert 'make linux' in ' '.join(shown.split())
    if chapter == '08':
        assert '[RECORDED, not live.' in shown


def test_hv_boots_linux_as_a_guest_from_the_command_line():
    need('guest')
    done = subprocess.run(
        [sys.executable, '-m', 'vmlib', 'hv', '--linux', '--technique', 'hw', '--engine', 'dbt'],
        input=b'uname\npoweroff\n', capture_output=True, timeout=300)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()
    assert re.search(r'\nLinux 6\.12\.\d+ #1 .* riscv32', out.replace('\r\n', '\n'))
    assert 'technique: hw; workload: linux' in out and 'KVM_EXIT_MMIO' in out
    pv = subprocess.run([sys.executable, '-m', 'vmlib', 'hv', '--linux', '--technique', 'pv'],
                        capture_output=True, timeout=60)
    assert pv.returncode == 2 and b'no port to the paravirtual interface' in pv.stderr
