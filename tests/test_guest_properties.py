"""Property: whatever the time slice, and on either engine, a guest workload prints the same.

Under a hypervisor the guest's timer interrupts arrive at other instruction counts than on
the bare machine, so the kernel's output must not depend on where preemption falls. The
example tests (test_guest_kernel.py) try a few fixed quanta; here hypothesis picks them."""

from hypothesis import given, settings, strategies as st

from vmlib import guest

from test_guest_kernel import EXPECTED

# The workloads with more than one process (where the schedule could show), and one without.
SCHEDULED = ['demo', 'forkwait', 'pgfault', 'exception', 'syscall']


@settings(max_examples=8)
@given(workload=st.sampled_from(SCHEDULED), quantum=st.integers(min_value=20, max_value=4000),
       engine=st.sampled_from(['interp', 'dbt']))
def test_any_quantum_any_engine_same_output(workload, quantum, engine):
    out, result = guest.run(workload, max_steps=3_000_000, quantum=quantum, engine=engine)
    assert (out, result.reason, result.exit_status) == (EXPECTED[workload], 'poweroff', 0)
