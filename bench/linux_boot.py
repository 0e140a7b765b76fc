"""Linux to the shell's prompt: instructions and seconds on each engine, side by side.

Boots the kernels `make linux` built (vmlib.guest.linux): the bare build (M-mode, no MMU) on
the translator and on the interpreter, interleaved rounds, best of each, and the guest build
under the hypervisor's trap-and-emulate and hardware assistance (on the translator). The
instruction counts are deterministic and must be equal on both engines; the seconds drift
with the machine, so the ratio is what to read. Issue 13's target: the bare build reaches the
prompt in under 10 s with the translator (on this kind of machine: 2 cores).

    python bench/linux_boot.py [--rounds 2] [--no-guest]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vmlib.guest import linux                   # noqa: E402

TARGET_SECONDS = 10


def boot(make):
    start = time.perf_counter()
    shell = make()
    booted = shell.boot()
    seconds = time.perf_counter() - start
    if not booted.reached:
        raise SystemExit(f'no prompt after {booted.instructions:,} instructions')
    return booted.instructions, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--no-guest', action='store_true', help='only the bare build')
    args = parser.parse_args(argv)
    if not linux.available('bare'):
        print('bench/linux_boot.py: skipped: no Linux build (run `make linux`)')
        return 0
    best, counts = {}, {}
    for _ in range(args.rounds):
        for engine in ('dbt', 'interp'):
            n, s = boot(lambda: linux.Session('bare', engine=engine))
            counts.setdefault(engine, n)
            assert counts[engine] == n, 'the same boot must retire the same instructions'
            best[engine] = min(best.get(engine, 1e9), s)
    assert counts['dbt'] == counts['interp'], counts
    print(f"{'Linux bare build to the prompt':<34}{'instructions':>14}{'seconds':>10}")
    for engine in ('dbt', 'interp'):
        print(f'{engine:<34}{counts[engine]:>14,}{best[engine]:>10.1f}')
    print(f"{'interpreter / translator':<34}{'':>14}{best['interp'] / best['dbt']:>9.2f}x")
    status = 0
    if best['dbt'] >= TARGET_SECONDS:
        print(f'MISSED: the translator took {best["dbt"]:.1f} s (target: under {TARGET_SECONDS} s)')
        status = 1
    if not args.no_guest and linux.available('guest'):
        from vmlib.hypervisor.linux import GuestShell
        print(f"\n{'Linux guest build to the prompt':<34}{'instructions':>14}{'seconds':>10}"
              f"{'exits':>10}")
        for technique in ('trap', 'hw'):
            shells = []
            n, s = boot(lambda: shells.append(GuestShell(technique)) or shells[-1])
            exits = sum(shells[0].hv.report()['guests'][0]['exits'].values())
            print(f'{"under " + technique + " (dbt)":<34}{n:>14,}{s:>10.1f}{exits:>10,}')
    return status


if __name__ == '__main__':
    sys.exit(main())
