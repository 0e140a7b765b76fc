"""Hardware assistance against trap-and-emulate: wall-clock and exits on the same guest kernel.

Technique ``hw`` runs the unmodified guest kernel in VS-mode (the H extension) under the
KVM-like API and its user-space VMM; ``trap`` runs it deprivileged in U-mode with shadow page
tables. Both use the same engine underneath, so the CPU time ratio measured here (interleaved
rounds, best of each, side by side in one run) is what the VMM's work costs in this Python
model: every exit is Python. The exits and the cost model's cycles are deterministic; the
consoles must be equal. ``hw --no-nested-paging`` (shadow page tables kept by KVM) is the
third column.

Target (issue 11): on ``compute`` hw is not slower than trap (time ratio <= 1.0); exit status 1
if missed.

    python bench/hw_vs_trap.py [--rounds 3] [--engine interp|dbt] [--workload compute]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vmlib import guest                         # noqa: E402
from vmlib.hypervisor.hypervisor import run     # noqa: E402

RUNS = (('trap', True), ('hw', True), ('hw', False))
NAMES = {('trap', True): 'trap', ('hw', True): 'hw', ('hw', False): 'hw-shadow'}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--engine', choices=('interp', 'dbt'), default='interp')
    parser.add_argument('--workload', default=None,
                        help='one workload (default: every workload, compute checked)')
    args = parser.parse_args(argv)
    workloads = [args.workload] if args.workload else list(guest.ALL_WORKLOADS)
    print(f"{'workload':<10}" + ''.join(f'{"exits " + NAMES[r]:>17}' for r in RUNS)
          + ''.join(f'{"time " + NAMES[r] + "/trap":>20}' for r in RUNS[1:]))
    status = 0
    for workload in workloads:
        best, reports = {}, {}
        for _ in range(args.rounds):
            for technique, nested in RUNS:
                start = time.process_time()
                reports[technique, nested] = run(workload, technique, engine=args.engine,
                                                 nested_paging=nested)
                best[technique, nested] = min(best.get((technique, nested), 1e9),
                                              time.process_time() - start)
        consoles = {r['guests'][0]['console'] for r in reports.values()}
        assert len(consoles) == 1, f'{workload}: the consoles differ'
        ratios = [best[r] / best[RUNS[0]] for r in RUNS[1:]]
        print(f'{workload:<10}' + ''.join(f'{reports[r]["vmm"]["traps"]:>17,}' for r in RUNS)
              + ''.join(f'{x:>20.2f}' for x in ratios))
        if workload == 'compute' and ratios[0] > 1.0:
            print('missed: hw is slower than trap on compute')
            status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())
