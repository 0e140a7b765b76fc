"""``python -m vmlib hv``: the consoles and summary, the JSON report, exit statuses, bad input."""

import json
import re
import subprocess
import sys

import pytest

from vmlib import guest
from vmlib.cli import main
from vmlib.cli.hv import parse_costs, exit_status
from vmlib.hypervisor import EVENTS


def hv(capsys, *args):
    status = main(['hv', *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_text_output_shows_the_console_and_what_it_cost(capsys):
    status, out, err = hv(capsys, '--technique', 'trap', '--workload', 'compute')
    console = guest.run('compute')[0]
    assert status == 0 and err == ''
    assert out.startswith(console)
    assert 'technique: trap; workload: compute' in out
    assert 'guest 0: poweroff, exit status 0;' in out
    assert 'efficiency: 99.' in out and 'cycles:' in out and 'privileged_instruction' in out
    by_cause = out[out.index('cycles by cause'):].splitlines()[1:6]
    assert [line.split()[0] for line in by_cause] == ['boot', 'console', 'timer', 'page',
                                                      'workload']


def test_json_has_the_schema_of_issue_4(capsys):
    status, out, _ = hv(capsys, '--technique', 'emulate', '--workload', 'syscall', '--guests',
                        2, '--json')
    report = json.loads(out)
    assert status == 0
    assert report['technique'] == 'emulate' and report['workload'] == 'syscall'
    assert len(report['guests']) == 2
    console = guest.run('syscall')[0]
    for g in report['guests']:
        assert g['console'] == console and g['exit_status'] == 0
        assert g['guest_instructions'] > 0
    assert {'traps', 'exits', 'hypercalls'} <= set(report['vmm'])
    assert set(report['cycles']['by_event']) == set(EVENTS)
    assert report['cycles']['total'] == sum(report['cycles']['by_event'].values())
    assert report['efficiency'] == 0.0


def test_trap_json_counts_exits(capsys):
    _, out, _ = hv(capsys, '--workload', 'io', '--json')
    report = json.loads(out)
    assert report['technique'] == 'trap'
    exits = report['vmm']['exits']
    assert exits['mmio'] > 0 and exits['sbi'] == report['vmm']['hypercalls'] > 0
    assert report['vmm']['traps'] == sum(exits.values())
    assert report['efficiency'] > 0.5


def test_the_nonvirt_variant_shows_its_divergence(capsys):
    status, out, _ = hv(capsys, '--workload', 'syscall', '--variant', 'nonvirt')
    assert status == 1
    assert 'init exited with status 14' in out and 'CPU variant nonvirt' in out
    status, out, _ = hv(capsys, '--workload', 'syscall', '--variant', 'nonvirt', '--technique',
                        'emulate')
    assert status == 0 and 'status 14' not in out


def _unwrapped(text):
    """The report with its wrapped notes joined back into one line each."""
    return re.sub(r'\n +(?!note:)(?=\S)', ' ', text)


def test_the_nonvirt_report_explains_its_two_statuses_and_its_efficiency(capsys):
    """The console says init exited with 14, the summary says exit status 1, and the
    efficiency is higher than the working run's: the text says why, so no one takes it for
    a faster correct run."""
    _, out, _ = hv(capsys, '--workload', 'syscall', '--variant', 'nonvirt')
    notes = [line for line in out.splitlines() if re.match(r'( {2})?note: | {6,8}\S', line)]
    assert len(notes) >= 5 and max(len(line) for line in out.splitlines()) <= 96
    lines = _unwrapped(out).splitlines()
    at = lines.index('guest 0: poweroff, exit status 1; 5,029 instructions (97.5% direct)')
    assert lines[at + 1] == ("  note: exit status 1 is the SBI reset reason 'system failure', "
                             'which the guest kernel gives when init fails or it panics; '
                             "init's own status is on the console")
    assert lines[-2].startswith('efficiency: 97.45%')
    assert lines[-1] == ("note: on the non-virtualizable CPU (--variant nonvirt) the guest's "
                         'U-mode sstatus accesses do not trap, so the VMM never emulates them: '
                         'the run is not equivalent to the bare machine (compare the console of '
                         '--technique emulate), and its efficiency says nothing about '
                         'correctness')


def test_runs_that_went_right_have_no_such_notes(capsys):
    for args in (['--variant', 'nonvirt', '--technique', 'emulate'], []):
        status, out, _ = hv(capsys, '--workload', 'syscall', *args)
        assert status == 0 and 'note:' not in out


def test_the_json_report_has_no_notes_added(capsys):
    _, out, _ = hv(capsys, '--workload', 'syscall', '--variant', 'nonvirt', '--json')
    report = json.loads(out)
    assert report['guests'][0]['notes'] == [] and 'note' not in report
    assert 'system failure' not in out and 'non-virtualizable' not in out


def test_the_step_budget(capsys):
    status, out, _ = hv(capsys, '--workload', 'compute', '--max-steps', 5000)
    assert status == 124
    assert 'budget; 5,000 instructions' in out and 'step budget exhausted' in out


def test_costs_from_the_command_line(capsys):
    _, out, _ = hv(capsys, '--workload', 'csr', '--json')
    base = json.loads(out)
    _, out, _ = hv(capsys, '--workload', 'csr', '--json', '--cost', 'trap=0', '--cost',
                   'csr_emulation=1.5')
    cheap = json.loads(out)
    events = base['events']
    assert base['cycles']['total'] - cheap['cycles']['total'] == \
        events['trap'] * 135 + events['csr_emulation'] * (150 - 1.5)


@pytest.mark.parametrize('args, message', [
    (['--technique', 'vt'], "unknown technique 'vt' (choose from emulate, trap, pv, bt, hw)"),
    (['--workload', 'nope'], "unknown workload 'nope'"),
    (['--guests', '0'], 'between 1 and 8 guests'),
    (['--cost', 'traps=5'], "unknown event(s) 'traps'"),
    (['--cost', 'trap'], 'write EVENT=CYCLES'),
    (['--cost', 'trap=cheap'], "'cheap' is not a number"),
])
def test_bad_arguments_exit_2_with_a_reason(capsys, args, message):
    status, out, err = hv(capsys, *args)
    assert status == 2 and out == ''
    assert err.startswith('vmlib hv: ') and message in err


def test_exit_status_rules():
    g = dict(reason='poweroff', exit_status=0)
    assert exit_status({'guests': [g, g]}) == 0
    assert exit_status({'guests': [g, dict(g, exit_status=3)]}) == 3
    assert exit_status({'guests': [dict(g, reason='budget', exit_status=None), g]}) == 124
    assert exit_status({'guests': [dict(g, reason='fault-storm', exit_status=None)]}) == 125
    assert parse_costs(['trap=7']).trap == 7


def test_as_a_command():
    p = subprocess.run([sys.executable, '-m', 'vmlib', 'hv', '--workload', 'callret',
                        '--guests', '2', '--json'], capture_output=True, timeout=120)
    assert p.returncode == 0 and p.stderr == b''
    report = json.loads(p.stdout)
    assert [g['exit_status'] for g in report['guests']] == [0, 0]
    p = subprocess.run([sys.executable, '-m', 'vmlib', 'hv', '--help'], capture_output=True,
                       timeout=120)
    assert b'--technique' in p.stdout and b'124' in p.stdout


@pytest.mark.parametrize('technique', ['emulate', 'trap'])
def test_the_engine_option_changes_nothing_in_the_report(capsys, technique):
    reports = []
    for engine in ('interp', 'dbt'):
        status, out, _ = hv(capsys, '--technique', technique, '--workload', 'ptemod',
                            '--engine', engine, '--json')
        assert status == 0
        reports.append(json.loads(out))
    assert reports[0] == reports[1]
    with pytest.raises(SystemExit) as bad:
        hv(capsys, '--engine', 'jit')
    assert bad.value.code == 2 and 'invalid choice' in capsys.readouterr().err
