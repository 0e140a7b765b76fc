"""``python -m vmlib boot --guest WORKLOAD``: the guest kernel boots bare from the command line."""

import os
import pty
import subprocess
import sys


def vmlib(*args):
    return subprocess.run([sys.executable, '-m', 'vmlib', *map(str, args)],
                          capture_output=True, timeout=120)


def test_boot_guest_prints_the_console_and_returns_the_exit_status():
    p = vmlib('boot', '--guest', 'syscall')
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().endswith('syscall: sum of the pids returned: 500\n'
                                      'kernel: init exited with status 0\n')
    assert p.stderr == b''


def test_boot_guest_unknown_workload_lists_the_known_ones():
    p = vmlib('boot', '--guest', 'nope')
    assert p.returncode == 2
    assert b'syscall' in p.stderr and b'Traceback' not in p.stderr


def test_boot_needs_a_file_or_a_guest():
    p = vmlib('boot')
    assert p.returncode == 2 and b'--guest' in p.stderr
    p = vmlib('boot', 'x.elf', '--guest', 'syscall')
    assert p.returncode == 2 and b'--guest' in p.stderr


def test_boot_from_a_terminal_does_not_wait_for_a_key():
    """With a terminal on stdin (a learner typing the README's command) the UART is polled,
    not read: the kernel checks the status register and must run on without input."""
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, '-m', 'vmlib', 'boot', '--guest', 'syscall'],
                              stdin=terminal, capture_output=True, text=True, timeout=120)
    finally:
        os.close(controller)
        os.close(terminal)
    assert proc.returncode == 0, proc.stderr
    assert 'kernel: init exited with status 0' in proc.stdout


def test_boot_engine_dbt_runs_the_same_guest_and_reports_the_translator():
    interp = vmlib('boot', '--guest', 'compute', '--stats')
    dbt = vmlib('boot', '--guest', 'compute', '--stats', '--engine', 'dbt')
    assert dbt.returncode == interp.returncode == 0
    assert dbt.stdout == interp.stdout
    retired = [line for line in (interp.stderr + dbt.stderr).decode().splitlines()
               if 'instructions retired' in line]
    assert len(retired) == 2 and retired[0] == retired[1]
    assert b'blocks translated' in dbt.stderr and b'blocks translated' not in interp.stderr
