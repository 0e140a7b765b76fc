"""Binary translation against trap-and-emulate: wall-clock, exits and callouts, same kernel.

Technique ``bt`` runs the guest kernel's code from a translation cache of Python blocks, its
sensitive instructions as callouts into the VMM (no trap); ``trap`` runs the kernel directly on
the host hart, every privileged instruction a trap into the (Python) VMM. The processes run on
the hypervisor's engine under both. The CPU time ratio measured here (interleaved rounds, best
of each, side by side in one run) is what translation costs or saves in this Python model:
translating blocks costs compile time, callouts save the trap path's Python. Exits, callouts
and cycles are deterministic; the consoles must be equal.

No target was set (issue 12 asks for none); the ratios are reported to watch.

    python bench/bt_vs_trap.py [--rounds 3] [--engine interp|dbt] [--workload syscall]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vmlib import guest                         # noqa: E402
from vmlib.hypervisor.hypervisor import run     # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--engine', choices=('interp', 'dbt'), default='interp')
    parser.add_argument('--workload', default=None, help='one workload (default: every one)')
    args = parser.parse_args(argv)
    workloads = [args.workload] if args.workload else list(guest.ALL_WORKLOADS)
    print(f"{'workload':<10}{'exits trap':>12}{'exits bt':>10}{'callouts bt':>13}"
          f"{'cycles bt/trap':>16}{'time bt/trap':>14}")
    for workload in workloads:
        best, reports = {}, {}
        for _ in range(args.rounds):
            for technique in ('trap', 'bt'):
                start = time.process_time()
                reports[technique] = run(workload, technique, engine=args.engine)
                best[technique] = min(best.get(technique, 1e9), time.process_time() - start)
        trap, bt = reports['trap'], reports['bt']
        assert trap['guests'][0]['console'] == bt['guests'][0]['console'], workload
        print(f'{workload:<10}{trap["vmm"]["traps"]:>12,}{bt["vmm"]["traps"]:>10,}'
              f'{sum(bt["vmm"]["callouts"].values()):>13,}'
              f'{bt["cycles"]["total"] / trap["cycles"]["total"]:>16.2f}'
              f'{best["bt"] / best["trap"]:>14.2f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
