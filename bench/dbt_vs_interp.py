"""How fast is the binary translator? Against the interpreter, and against hand-written Python.

Three columns of guest instructions per CPU second, on the loop kernels of
``machine_vs_py65.py`` (count down, sum an array, copy memory), in one process, interleaved,
best of several rounds (CPU time, ``process_time``):

- ``interp``: the machine's interpreter (``Machine(engine='interp')``);
- ``dbt``: the dynamic binary translator (``Machine(engine='dbt')``);
- ``python``: the same loop written by hand in Python — a ``while`` loop over Python ints and
  the machine's RAM view, with the same 32-bit wrap-around — counted in the guest instructions
  it stands for. It is the ceiling for any translator whose output is Python.

Each kernel runs with paging off (M-mode) and under Sv32 (S-mode); the tables show both.

Then the C benchmark, ``guests/compute.elf`` (a sieve, a matrix multiply, a CRC-32), run whole
by the process VM (``vmlib.procvm``) under both engines — translation time included — and, when
``qemu-riscv32`` is installed, under QEMU (a JIT in C) as the native reference.

Targets (issue 3): translator >= 3x the interpreter on the loop kernels and >= 2x on the C
benchmark; translator >= half the speed of the hand-written Python loop.

    python bench/dbt_vs_interp.py [--rounds 5] [--steps 600000] [--compute-rounds 1]
"""

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from machine_vs_py65 import KERNELS, BARE, PAGED      # noqa: E402  the kernels, reused

from vmlib.machine import Machine                       # noqa: E402
from vmlib.machine.bus import RAM_BASE                  # noqa: E402

M32 = 0xFFFFFFFF
COMPUTE = HERE.parent / 'guests' / 'compute.elf'

# --- the hand-written Python equivalents ------------------------------------------------
# Each returns the number of guest instructions its work stands for. Memory is the machine's
# own 32-bit RAM view, indexed as the guest's addresses would be.

SRC, DST = 0x80100000, 0x80300000


def python_countdown(ram32, steps):
    """li a0, N / 1: addi a0, a0, -1 / bnez a0, 1b  — 2 instructions per iteration."""
    a0 = steps // 2
    while a0:
        a0 = (a0 - 1) & M32
    return steps // 2 * 2


def python_array_sum(ram32, steps):
    """lw, add, addi, addi, bnez — 5 instructions per iteration."""
    count = steps // 5
    a0, a1, a2 = 0, SRC, count
    while a2:
        a0 = (a0 + ram32[(a1 - RAM_BASE) >> 2]) & M32
        a1 = (a1 + 4) & M32
        a2 = (a2 - 1) & M32
    return count * 5


def python_memcpy(ram32, steps):
    """lw, sw, addi, addi, addi, bnez — 6 instructions per iteration."""
    count = steps // 6
    a1, a3, a2 = SRC, DST, count
    while a2:
        ram32[(a3 - RAM_BASE) >> 2] = ram32[(a1 - RAM_BASE) >> 2]
        a1 = (a1 + 4) & M32
        a3 = (a3 + 4) & M32
        a2 = (a2 - 1) & M32
    return count * 6


PYTHON = {'countdown': python_countdown, 'array sum': python_array_sum,
          'memcpy': python_memcpy}


# --- timing -------------------------------------------------------------------------------

def time_machine(source, engine, steps):
    m = Machine.from_source(source, engine=engine)
    m.run(20_000)                   # warm up: TLB, decoded instructions, translated blocks
    start = time.process_time()
    m.run(steps)
    elapsed = time.process_time() - start
    assert m.hart.halted is None, m.hart.halted
    return steps / elapsed


def time_python(name, steps):
    m = Machine(ram_size=8 << 20)
    start = time.process_time()
    done = PYTHON[name](m.bus.ram32, steps)
    return done / (time.process_time() - start)


def measure_kernels(rounds, steps):
    best = {}
    for _ in range(rounds):
        for name, kernel in KERNELS.items():
            runs = [('python', '', lambda: time_python(name, steps))]
            for paging, template in (('', BARE), ('+sv32', PAGED)):
                source = template.format(kernel=kernel)
                for engine in ('interp', 'dbt'):
                    runs.append((engine, paging,
                                 lambda s=source, e=engine: time_machine(s, e, steps)))
            for engine, paging, run in runs:
                key = (name, engine + paging)
                best[key] = max(best.get(key, 0), run())
    return best


def time_compute(engine, rounds):
    """(instructions, CPU seconds) for compute.elf under the process VM, load to exit."""
    from vmlib.procvm import ProcessVM
    start = time.process_time()
    vm = ProcessVM(COMPUTE, ['compute', str(rounds)], engine=engine, capture=True)
    r = vm.run()
    elapsed = time.process_time() - start
    assert r.reason == 'exit' and r.exit_status == 0, r.message
    return r.instructions, elapsed, r.stdout


def time_qemu(rounds):
    """CPU seconds of qemu-riscv32 running compute.elf (children's user + system time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(['qemu-riscv32', '-cpu', 'rv32,c=off,f=off,d=off', str(COMPUTE),
                        str(rounds)], capture_output=True, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert p.returncode == 0, p.stderr
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime), p.stdout


def measure_compute(rounds, compute_rounds):
    best, outputs, count = {}, {}, None
    qemu = shutil.which('qemu-riscv32') is not None
    for _ in range(rounds):
        for engine in ('interp', 'dbt'):
            n, elapsed, out = time_compute(engine, compute_rounds)
            count = n
            outputs[engine] = out
            best[engine] = max(best.get(engine, 0), n / elapsed)
        if qemu:
            elapsed, out = time_qemu(compute_rounds)
            outputs['qemu'] = out
            best['qemu'] = max(best.get('qemu', 0), count / max(elapsed, 1e-6))
    assert len(set(outputs.values())) == 1, 'the engines printed different results'
    return best, count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=5, help='interleaved rounds (best of)')
    parser.add_argument('--steps', type=int, default=600_000,
                        help='guest instructions per kernel run')
    parser.add_argument('--compute-rounds', type=int, default=1,
                        help="compute.elf's ROUNDS argument (1: about 0.9 M instructions)")
    parser.add_argument('--no-compute', action='store_true', help='loop kernels only')
    args = parser.parse_args(argv)

    best = measure_kernels(args.rounds, args.steps)
    ok = True
    print(f'{"kernel":<11} {"paging":<7} {"interp":>9} {"dbt":>9} {"python":>9} '
          f'{"dbt/interp":>10} {"dbt/python":>10}')
    for name in KERNELS:
        py = best[name, 'python']
        for paging in ('', '+sv32'):
            i, d = best[name, 'interp' + paging], best[name, 'dbt' + paging]
            ok &= d / i >= 3 and d / py >= 0.5
            print(f'{name:<11} {"sv32" if paging else "off":<7} {i / 1e6:>7.2f} M '
                  f'{d / 1e6:>7.2f} M {py / 1e6:>7.2f} M {d / i:>9.2f}x {d / py:>9.2f}x')
    print(f'guest instructions per CPU second, best of {args.rounds} interleaved rounds '
          f'of {args.steps:,} instructions')
    print('targets: dbt >= 3x interp, dbt >= 0.5x hand-written Python:',
          'met' if ok else 'NOT met')

    if not args.no_compute and COMPUTE.exists():
        try:
            import vmlib.procvm  # noqa: F401
        except ImportError:
            print('\n(no process VM: the C benchmark is skipped)')
            return 0 if ok else 1
        rates, count = measure_compute(args.rounds, args.compute_rounds)
        ratio = rates['dbt'] / rates['interp']
        ok &= ratio >= 2
        print(f'\nC benchmark: guests/compute.elf {args.compute_rounds} ({count:,} instructions, '
              'whole run: loading, translating, exiting)')
        for engine in ('interp', 'dbt', 'qemu'):
            if engine in rates:
                print(f'  {engine:<7} {rates[engine] / 1e6:>9.2f} M instructions per CPU second'
                      + (f'  ({rates[engine] / rates["interp"]:.1f}x interp)'
                         if engine != 'interp' else ''))
        if 'qemu' not in rates:
            print('  (qemu-riscv32 is not installed: no native reference)')
        print('target: dbt >= 2x interp:', 'met' if ratio >= 2 else 'NOT met')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
