"""Chapter 02's small models of the eight reasons: the toy VM, disks, pre-copy."""
import pytest
from hypothesis import given, settings, strategies as st

from vmlib.course.chapters import CHAPTERS
from vmlib.course.reasons import (REASONS, reasons_table, ToyVM, assemble, SQUARES, watch,
                                  find_first_write, environments_demo, virtual_hardware_demo,
                                  precopy, precopy_table, PrecopyRounds)


def test_eight_reasons_each_revisited_by_existing_chapters():
    assert len(REASONS) == 8 and len({r.key for r in REASONS}) == 8
    for r in REASONS:
        assert r.revisit and all(c in CHAPTERS and c > 2 for c in r.revisit)
    assert "14" in reasons_table() and "Live migration" in reasons_table()


# ---- the toy machine ----
def test_squares_program_has_the_bug_the_notebook_finds():
    prog = assemble(SQUARES)
    assert ToyVM(prog).run() == [285]                       # wrong: 1+4+...+64 = 204
    hits = watch(prog, "mem[8]")
    culprit = hits[1]
    assert culprit["insn"] == "st r0, r2" and culprit["new"] == 81
    assert find_first_write(prog, "mem[8]", after=hits[0]["step"]) == culprit
    fixed = assemble(SQUARES.replace("li r1, 9", "li r1, 8"))
    assert ToyVM(fixed).run() == [204]


def test_assembler_errors_and_disassembly():
    with pytest.raises(ValueError, match="bad instruction"):
        assemble("jmp 3")
    with pytest.raises(ValueError, match="bad instruction"):
        assemble("li r1")
    prog = assemble("start:\n li r1, 5\n addi r2, r1, -1  # comment\n bne r1, r2, start\n halt")
    vm = ToyVM(prog)
    assert [vm.disasm(i) for i in range(4)] == ["li r1, 5", "addi r2, r1, -1",
                                                "bne r1, r2, 0", "halt"]
    vm.run(max_steps=7)
    assert vm.pc == 1 and not vm.halted


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(0, 120))
def test_save_and_load_anywhere_resumes_identically(cut):
    prog = assemble(SQUARES)
    whole = ToyVM(prog)
    whole.run()
    vm = ToyVM(prog)
    for _ in range(cut):
        if vm.halted:
            break
        vm.step()
    moved = ToyVM.load(vm.save())       # "another host": only the bytes travel
    moved.run()
    assert moved.out == whole.out and moved.state() == whole.state()


def test_snapshot_restore_isolates_tests():
    vm = ToyVM(assemble("li r0, 3\n li r1, 7\n st r0, r1\n halt"))
    base = vm.snapshot()
    vm.run()
    assert vm.mem[3] == 7 and vm.halted
    vm.restore(base)
    assert vm.state() == base and vm.mem[3] == 0
    with pytest.raises(RuntimeError):
        v2 = ToyVM([("halt",)])
        v2.run()
        v2.step()


# ---- disks ----
def test_environments_are_separate_disks_in_files_of_one_host():
    d = environments_demo()
    assert d["host"]["files"] == sorted(d["guests"])
    names = [set(g["files"]) for g in d["guests"].values()]
    assert all(a.isdisjoint(b) for i, a in enumerate(names) for b in names[i + 1:])
    assert {g["block_size"] for g in d["guests"].values()} == {64, 128}
    assert all(g["image_bytes"] < g["disk_bytes"] for g in d["guests"].values())


def test_virtual_disk_can_be_larger_than_the_host_disk():
    d = virtual_hardware_demo()
    assert d["guest_disk_bytes"] > 10 * d["host_disk_bytes"]
    assert d["image_bytes"] < d["host_disk_bytes"]
    assert d["guest_free_bytes"] > d["host_disk_bytes"]
    assert d["guest_files"] == ["data.bin"]


# ---- pre-copy ----
def test_precopy_by_hand():
    r = precopy(2048, 1000, 200, threshold=20)
    assert r.rounds == [2048, 410, 82] and r.final_pages == 17
    assert r.downtime_s == pytest.approx(0.017) and r.reason == "few pages left"
    assert r.total_s == pytest.approx((2048 + 410 + 82 + 17) / 1000)


def test_precopy_stops_when_it_cannot_win():
    r = precopy(1000, 100, 150)
    assert len(r.rounds) == 1 and r.final_pages == 1000 and "stopped shrinking" in r.reason
    r = precopy(100_000, 1000, 990, threshold=1, max_factor=100)
    assert len(r.rounds) == 30 and r.reason == "round limit"
    r = precopy(100_000, 1000, 990, threshold=1)           # Xen: never more than 3x memory
    assert len(r.rounds) == 4 and r.reason == "sent over 3x memory"
    assert sum(r.rounds[:-1]) <= 3 * 100_000 < sum(r.rounds)
    assert precopy(500, 100, 0).downtime_s == 0
    with pytest.raises(ValueError):
        precopy(10, 0, 1)


@settings(max_examples=100, deadline=None)
@given(mem=st.integers(1, 100_000), bw=st.integers(1, 50_000), dirty=st.integers(0, 100_000),
       hot=st.one_of(st.none(), st.integers(1, 20_000)), thr=st.integers(0, 500))
def test_precopy_invariants(mem, bw, dirty, hot, thr):
    r = precopy(mem, bw, dirty, hot, thr)
    stop_and_copy = mem / bw
    assert r.rounds[0] == mem and len(r.rounds) <= 30
    assert sum(r.rounds[:-1]) <= 3 * mem                         # Xen's cap on data sent
    assert all(b < a for a, b in zip(r.rounds, r.rounds[1:]))  # every round sends less
    assert 0 <= r.final_pages <= mem
    assert r.downtime_s <= stop_and_copy + 1e-12                 # never a longer pause
    assert r.total_s >= stop_and_copy - 1e-12                    # but never a shorter migration
    if hot is not None:
        assert r.final_pages <= max(hot, thr) or r.reason != "few pages left"


def test_writable_working_set_bounds_the_downtime():
    # Clark et al.: with a small writable working set, downtime is tens to hundreds of ms
    r = precopy(262144, 30000, 100000, hot_pages=4000)
    assert 0.05 < r.downtime_s < 0.21 and len(r.rounds) < 30
    assert "stop-and-copy" in precopy_table(262144, 30000, [5000, 20000])


def test_precopy_exercise_hints():
    ex = PrecopyRounds(seed=1)
    a = ex.solution()
    assert ex.check(a) and ex.check({"rounds": a["rounds"], "downtime_ms": a["downtime_ms"] + 0.01})
    p = ex.params
    fb = ex.check({"rounds": a["rounds"], "downtime_ms": p["memory_pages"] / p["bandwidth"] * 1000})
    assert "stop-and-copy" in str(fb)
    fb = ex.check({"rounds": a["rounds"], "downtime_ms": a["downtime_ms"] / 1000})
    assert "milliseconds" in str(fb)


# ---- exercise: name the reason ----
def test_every_reason_has_situations_and_the_checker_names_no_direction():
    from vmlib.course.reasons import SITUATIONS, NameTheReason
    assert sorted({k for _, k in SITUATIONS}) == sorted(r.key for r in REASONS)
    assert all(sum(k == r.key for _, k in SITUATIONS) >= 2 for r in REASONS)
    for seed in range(20):
        ex = NameTheReason(seed=seed)
        answer = ex.solution()
        assert len(set(answer)) == 5 and ex.check(answer)
        titles = [REASONS[n - 1].title for n in answer]
        assert ex.check(titles)                        # the reasons' titles are accepted too
        wrong = [n % 8 + 1 for n in answer]
        text = str(ex.check(wrong))
        assert "too small" not in text and "too large" not in text
        assert "a), b), c), d), e) point to another reason" in text
