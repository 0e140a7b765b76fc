"""Chapter 05: running guests from Python (run_guest), the initial stack read back from the
guest's memory, the sandbox demonstration, the replay of QEMU's recordings, and the
syscall-trace widget (in a kernel; tests/browser/test_ch05_strace.py drives it in JupyterLab).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from vmlib.course import ch05
from vmlib.course.guest_programs import guest, GUESTS
from vmlib.course.ch05 import (run_guest, run_assembly, initial_stack, stack_text, sandbox_demo,
                               sandbox_tree, resolve_in_sandbox, SANDBOX_TRIES, OPEN_EACH,
                               compare_with_qemu, comparison_text, split_args)
from vmlib.procvm import ProcessVM
from vmlib.procvm import linux as L


def test_run_guest_reports_output_status_and_calls_as_they_happen():
    seen, output = [], []
    run = run_guest('args', ['5', 'two words'], env=['GREETING=hey'],
                    on_syscall=seen.append, on_output=lambda fd, data: output.append((fd, data)))
    assert run.exit_status == 5 and run.argv == ['guests/args.elf', '5', 'two words']
    assert b'argv[2] = "two words"' in run.stdout and b'GREETING = "hey"' in run.stdout
    assert run.stderr == b'args: exit status 5\n'
    assert seen == run.syscalls and [r.name for r in seen][-1] == 'exit_group'
    assert b''.join(d for fd, d in output if fd == 1) == run.stdout
    assert b''.join(d for fd, d in output if fd == 2) == run.stderr
    text = run.text()
    assert text.startswith("$ python -m vmlib run --strace guests/args.elf 5 'two words'")
    assert 'exit status 5' in text.splitlines()[-1]


def test_run_guest_keeps_the_files_the_program_wrote_and_leaves_no_trace():
    before = sorted(os.listdir(GUESTS))
    run = run_guest('files', [], 'a b\nc\n')
    assert run.files == {'files.out': 'lines=2\nwords=3\nbytes=6\n'}
    assert sorted(os.listdir(GUESTS)) == before


def test_split_args_like_a_shell():
    assert split_args('3 "hello world" \'\'') == ['3', 'hello world', '']
    with pytest.raises(ValueError, match='cannot split'):
        split_args('"unclosed')


def test_initial_stack_is_what_the_program_reads():
    argv = ['guests/args.elf', '3', 'hello world', '']
    vm = ProcessVM(guest('args'), argv, ['GREETING=hi'], capture=True)
    rows = initial_stack(vm)
    by_name = {r.name: r for r in rows}
    assert by_name['argc'].value == 4 and by_name['argc'].address == vm.stack_layout['sp']
    strings = [r.meaning for r in rows if r.group == 'argv' and r.value]
    assert strings == [f'-> "{a}"' for a in argv]
    assert by_name['argv[4]'].value == 0 and by_name['envp[1]'].value == 0
    auxv = {r.name: r.value[1] for r in rows if r.group == 'auxv'}
    assert auxv['AT_ENTRY'] == vm.image.entry and auxv['AT_PHDR'] == vm.image.phdr
    assert auxv['AT_PAGESZ'] == 4096 and [r for r in rows if r.group == 'auxv'][-1].name == \
        'AT_NULL'
    assert auxv['AT_RANDOM'] == by_name['AT_RANDOM bytes'].address
    addresses = [r.address for r in rows]
    assert addresses == sorted(addresses)                      # listed from sp upwards
    assert all(r.address + r.size <= vm.stack_layout['top'] for r in rows)
    # the program prints the very same argv when it runs
    vm.run()
    for i, a in enumerate(argv):
        assert f'argv[{i}] = "{a}"'.encode() in vm.stdout
    assert 'AT_EXECFN' in stack_text(rows)


def test_drawing_the_initial_stack():
    from vmlib.viz.initial_stack import draw_initial_stack
    vm = ProcessVM(guest('args'), ['a', 'b'], [], capture=True)
    fig = draw_initial_stack(initial_stack(vm), 'test')
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert 'argc = 2' in texts and '"b"' in texts and any('AT_ENTRY' in t for t in texts)


def test_sandbox_demo_never_reaches_a_host_file():
    run = sandbox_demo()
    opens = [r for r in run.syscalls if r.name == 'openat']
    assert len(opens) == len(SANDBOX_TRIES)
    results = {p: (r.error or 'opened') for (p, _), r in zip(SANDBOX_TRIES, opens)}
    assert results == {'inside.txt': 'opened', '/inside.txt': 'opened',
                       'docs/../inside.txt': 'opened', '../../../etc/passwd': 'ENOENT',
                       '/etc/passwd': 'ENOENT', 'shortcut': 'opened',
                       'escape/passwd': 'EACCES', 'parent/anything': 'EACCES'}
    assert b'root:' not in run.stdout and run.exit_status == 0
    assert run.stdout.count(b'a file inside the sandbox') == 3


@pytest.mark.parametrize('path', [p for p, _ in SANDBOX_TRIES] + ['escape', 'docs'])
def test_the_exercise_oracle_agrees_with_the_running_vm(tmp_path, path):
    sandbox_tree(tmp_path)
    answer = resolve_in_sandbox(tmp_path, path)
    run = run_assembly(OPEN_EACH, [path], root=tmp_path)
    opened = run.syscalls[0]
    if answer in ('ENOENT', 'EACCES'):
        assert opened.error == answer
    else:
        assert opened.result == 3
        if path != 'docs':                              # a directory opens, reads fail
            assert run.stdout == (tmp_path / answer.lstrip('/')).read_bytes()[:64]


def test_unknown_system_calls_get_enosys_and_a_note():
    run = run_assembly('.globl _start\n_start: li a7, 999\n ecall\n neg a0, a0\n'
                       ' li a7, 94\n ecall\n')
    assert run.exit_status == L.ENOSYS
    assert run.notes == ['--- syscall_999 (system call 999) is not implemented: '
                         'it returns -ENOSYS ---']


def test_replay_of_the_recordings_agrees():
    rows = compare_with_qemu(names={'printf_one', 'args', 'files'})
    assert len(rows) == 7 and all(r['agree'] for r in rows)
    text = comparison_text(rows)
    assert '7 of 7 cases agree' in text and 'DIFF' not in text


def test_a_difference_is_reported(monkeypatch):
    real = ch05.recordings

    def altered():
        recs = real()
        recs['printf_one']['cases'][0]['stdout'] = 'something else\n'
        return recs
    monkeypatch.setattr(ch05, 'recordings', altered)
    rows = compare_with_qemu(names={'printf_one'})
    assert not rows[0]['agree'] and not rows[0]['same']['stdout']
    assert 'DIFF' in comparison_text(rows)


# --- QEMU's instruction count = vmlib's retired instructions + ecalls ------------------------

_BUILD = GUESTS / 'build.py'


@pytest.mark.skipif(shutil.which('qemu-riscv32') is None,
                    reason='qemu-riscv32 is not installed (apt-get install qemu-user)')
@pytest.mark.parametrize('name', ['printf_one', 'args'])
def test_qemu_counts_the_ecalls_that_vmlib_does_not_retire(name, tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location('guests_build', _BUILD)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for key in list(os.environ):                     # the same environment for both
        if key != 'PATH':
            monkeypatch.delenv(key)
    monkeypatch.setenv('VMLIB_TEST', 'one variable')
    case = {'name': 'default', 'args': ['2', 'x'] if name == 'args' else []}
    qemu = build.count_instructions(name, case, Path(tmp_path))
    env = [f'{k}={v}' for k, v in build.guest_env(case).items()]
    vm = ProcessVM(guest(name), [f'guests/{name}.elf', *case['args']], env, capture=True)
    r = vm.run()
    assert qemu == r.instructions + sum(r.syscalls.values())


# --- the widget ----------------------------------------------------------------------------------


def test_trace_widget_runs_and_shows_every_call():
    from vmlib.viz.syscall_trace import SyscallTraceWidget
    w = SyscallTraceWidget(program='args')
    assert w.args.value == "3 'hello world'" and 'press Run' in w.status.value
    run = w.run()
    assert run.exit_status == 3
    assert w.lines.value.count("class='vm-strace-line") == len(run.syscalls) == 6
    assert "data-name='exit_group'" in w.lines.value and 'vm-strace-error' in w.lines.value
    assert 'argv[2] = &quot;hello world&quot;' in w.stdout.value
    assert 'args: exit status 3' in w.stderr.value and 'exit status 3' in w.status.value
    w.program.value = 'files'
    assert w.stdin.value.startswith('one line') and 'press Run' in w.status.value
    w.args.value = '"unclosed'
    assert w.run() is None and 'cannot split' in w.status.value
    assert not w.run_button.disabled


def test_the_heap_question_of_the_exercises_runs_quickly_and_shows_mremap():
    """Exercise 4 asks for `heap 10000`: within the default step budget (no frozen widget) and
    large enough that realloc moves the array with mremap."""
    from vmlib.course.ch05 import run_guest
    run = run_guest('heap', ['10000'])
    assert run.exit_status == 0 and run.result.instructions < 10_000_000
    assert any(line.startswith('mremap(') for line in run.strace_lines())


def test_command_line_runs_the_cli_without_a_shell():
    from vmlib.course.ch05 import command_line
    text = command_line('run', '--strace', '--env-clear', 'guests/hello.elf')
    assert text.startswith('$ python -m vmlib run --strace --env-clear guests/hello.elf\n')
    assert 'Hello from RISC-V!' in text and 'exit_group(0) = ?' in text
    assert 'ioctl(1, TIOCGWINSZ' in text and 'ENOTTY' in text      # stdout is not a terminal
    assert max(len(line) for line in text.splitlines()) <= 96
