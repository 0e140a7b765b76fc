"""Chapter 01's model: a block device, a file system on it, and a virtual disk in a file."""
import pytest
from hypothesis import given, settings, strategies as st

from vmlib.course.layers import (Disk, DiskError, FileSystem, FSError, MemoryImage, Tracer,
                                 VirtualDisk, build_stack, run_example, EXAMPLE_SCRIPT,
                                 ImageOffset, AbstractionOrVirtualization)


def new_fs(dev, **kw):
    return FileSystem.mkfs(dev, **kw)


# ---- the block interface ----
def test_disk_reads_back_what_was_written_and_checks_its_arguments():
    d = Disk(8, 16)
    d.write_block(3, b"x" * 16)
    assert d.read_block(3) == b"x" * 16
    assert d.read_block(2) == bytes(16)
    assert (d.reads, d.writes) == (2, 1)
    with pytest.raises(DiskError):
        d.read_block(8)
    with pytest.raises(DiskError):
        d.write_block(-1, bytes(16))
    with pytest.raises(DiskError):
        d.write_block(0, b"short")


@pytest.mark.parametrize("thin", [False, True])
def test_virtual_disk_is_a_block_device(thin):
    vd = VirtualDisk(MemoryImage(), num_blocks=32, block_size=16, thin=thin, header_blocks=8)
    assert vd.read_block(5) == bytes(16)
    vd.write_block(5, b"a" * 16)
    vd.write_block(31, b"b" * 16)
    assert vd.read_block(5) == b"a" * 16 and vd.read_block(31) == b"b" * 16
    with pytest.raises(DiskError):
        vd.read_block(32)


def test_raw_image_translation_and_size():
    img = MemoryImage()
    vd = VirtualDisk(img, num_blocks=10, block_size=64)
    assert img.size() == 640
    assert [vd.translate(n) for n in (0, 1, 9)] == [0, 64, 576]
    vd.write_block(2, b"z" * 64)
    assert img.data[128:192] == b"z" * 64


def test_thin_image_grows_only_with_nonzero_blocks_and_remounts():
    img = MemoryImage()
    vd = VirtualDisk(img, num_blocks=1000, block_size=64, thin=True)
    assert img.size() == 64  # just the header
    vd.write_block(700, b"q" * 64)
    vd.write_block(3, bytes(64))            # zeros to an unallocated block: nothing stored
    vd.write_block(42, b"r" * 64)
    vd.write_block(700, b"s" * 64)          # rewrite: same slot
    assert vd.allocated_blocks == 2
    assert img.size() == 3 * 64
    assert vd.translate(700) == 64 and vd.translate(42) == 128 and vd.translate(3) is None
    again = VirtualDisk(img, num_blocks=1000, block_size=64, thin=True)
    assert again.read_block(700) == b"s" * 64 and again.read_block(42) == b"r" * 64
    assert again.read_block(3) == bytes(64)
    with pytest.raises(DiskError):
        VirtualDisk(img, num_blocks=999, block_size=64, thin=True)  # geometry mismatch


def test_thin_image_header_full_is_an_error():
    vd = VirtualDisk(MemoryImage(), num_blocks=100, block_size=32, thin=True)
    assert vd.max_slots == (32 - 14) // 4
    for n in range(vd.max_slots):
        vd.write_block(n, b"x" * 32)
    with pytest.raises(DiskError, match="header full"):
        vd.write_block(99, b"x" * 32)
    with pytest.raises(ValueError, match="header_blocks"):
        VirtualDisk(MemoryImage(), num_blocks=100, block_size=16, thin=True)


# ---- the file system ----
def test_file_api_round_trip_and_persistence():
    d = Disk(64, 64)
    fs = new_fs(d)
    with fs.open("a.txt", "w") as f:
        assert f.write(b"hello") == 5
    with fs.open("a.txt", "a") as f:
        f.write(b", world" * 20)
    assert fs.open("a.txt").read() == b"hello" + b", world" * 20
    f = fs.open("a.txt", "r+")
    f.seek(1)
    f.write(b"EL")
    assert fs.open("a.txt").read(5) == b"hELlo"
    assert fs.listdir() == ["a.txt"]
    assert len(fs.stat("a.txt")["blocks"]) == 3
    fs2 = FileSystem(d)  # mount again: everything is on the disk
    assert fs2.open("a.txt").read()[:5] == b"hELlo"


def test_truncate_remove_free_space_and_errors():
    fs = new_fs(Disk(32, 64), dir_entries=2)
    free0 = fs.free_blocks()
    fs.open("big", "w").write(b"x" * 500)
    assert fs.free_blocks() == free0 - 8
    fs.open("big", "w").write(b"y")  # "w" truncates
    assert fs.free_blocks() == free0 - 1
    assert fs.open("big").read() == b"y"
    fs.remove("big")
    assert fs.free_blocks() == free0 and fs.listdir() == []
    with pytest.raises(FSError, match="no such file"):
        fs.open("big")
    fs.open("one", "w")
    fs.open("two", "w")
    with pytest.raises(FSError, match="directory full"):
        fs.open("three", "w")
    with pytest.raises(FSError, match="no space"):
        fs.open("one", "a").write(b"z" * 64 * 40)
    with pytest.raises(FSError, match="bad file name"):
        fs.open("x" * 21, "w")
    with pytest.raises(FSError, match="read-only"):
        fs.open("one").write(b"no")
    with pytest.raises(FSError, match="no file system"):
        FileSystem(Disk(8, 64))


def test_writing_past_the_end_fills_the_gap_with_zeros():
    fs = new_fs(Disk(64, 64))
    fs.open("junk", "w").write(b"\xff" * 300)
    fs.remove("junk")  # leave garbage in free blocks
    f = fs.open("sparse", "w")
    f.write(b"ab")
    f.seek(200)
    f.write(b"cd")
    assert fs.open("sparse").read() == b"ab" + bytes(198) + b"cd"


# ---- the same file system code on a real and on a virtual disk ----
NAMES = ["a", "b", "c"]
op = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(NAMES), st.integers(0, 300),
              st.binary(min_size=1, max_size=150)),
    st.tuples(st.just("append"), st.sampled_from(NAMES), st.binary(min_size=0, max_size=100)),
    st.tuples(st.just("trunc"), st.sampled_from(NAMES), st.binary(max_size=80)),
    st.tuples(st.just("remove"), st.sampled_from(NAMES)),
    st.tuples(st.just("read"), st.sampled_from(NAMES), st.integers(0, 400),
              st.integers(0, 200)),
)


def apply(fs, ops):
    """Run ``ops`` on ``fs``; return every observable result (values and error kinds)."""
    out = []
    for o in ops:
        try:
            if o[0] == "write":
                f = fs.open(o[1], "a")  # create if missing
                f.close()
                f = fs.open(o[1], "r+")
                f.seek(o[2])
                out.append(f.write(o[3]))
            elif o[0] == "append":
                out.append(fs.open(o[1], "a").write(o[2]))
            elif o[0] == "trunc":
                out.append(fs.open(o[1], "w").write(o[2]))
            elif o[0] == "remove":
                fs.remove(o[1])
                out.append("removed")
            else:
                f = fs.open(o[1])
                f.seek(o[2])
                out.append(f.read(o[3]))
        except FSError as e:
            out.append(("FSError", str(e).split(":")[-1].strip()))
    out.append(fs.listdir())
    out.append({n: fs.open(n).read() for n in fs.listdir()})
    return out


def model(ops):
    """The same operations on a dict of bytearrays: what the file API promises."""
    files, out = {}, []
    for o in ops:
        if o[0] == "write":
            b = files.setdefault(o[1], bytearray())
            if o[2] > len(b):
                b.extend(bytes(o[2] - len(b)))
            b[o[2]:o[2] + len(o[3])] = o[3]
            out.append(len(o[3]))
        elif o[0] == "append":
            files.setdefault(o[1], bytearray()).extend(o[2])
            out.append(len(o[2]))
        elif o[0] == "trunc":
            files[o[1]] = bytearray(o[2])
            out.append(len(o[2]))
        elif o[0] == "remove":
            if o[1] in files:
                del files[o[1]]
                out.append("removed")
            else:
                out.append(("FSError", repr(o[1])))
        else:
            if o[1] in files:
                out.append(bytes(files[o[1]][o[2]:o[2] + o[3]]))
            else:
                out.append(("FSError", repr(o[1])))
    out.append(sorted(files))
    out.append({n: bytes(files[n]) for n in sorted(files)})
    return out


def three_devices():
    """A real disk, a raw virtual disk in memory, and a thin virtual disk whose image is a file
    of a host file system on another real disk -- all with the same geometry."""
    host = FileSystem.mkfs(Disk(1024, 64), name="host")
    host.open("guest.img", "w").close()
    return [Disk(128, 64),
            VirtualDisk(MemoryImage(), 128, 64, thin=False),
            VirtualDisk(host.open("guest.img", "r+"), 128, 64, thin=True, header_blocks=4)]


@settings(max_examples=60, deadline=None)
@given(ops=st.lists(op, max_size=25))
def test_filesystem_gives_identical_results_on_real_and_virtual_disks(ops):
    results, blocks = [], []
    for dev in three_devices():
        fs = FileSystem.mkfs(dev)
        results.append(apply(fs, ops))
        blocks.append([dev.read_block(n) for n in range(dev.num_blocks)])
    assert results[0] == results[1] == results[2]
    assert results[0] == model(ops)
    # below the interface, too, the devices hold exactly the same blocks
    assert blocks[0] == blocks[1] == blocks[2]


def test_guest_makes_the_same_block_calls_in_both_modes():
    _, a = run_example("abstracted")
    _, v = run_example("virtualized")
    assert [s.block_ops for s in a] == [s.block_ops for s in v]
    assert [s.result for s in a] == [s.result for s in v]
    assert a[1].result == b"Hello, virtual world!"


@pytest.mark.parametrize("thin", [True, False])
def test_mapping_points_at_the_host_blocks_that_hold_the_guest_blocks(thin):
    st_, _ = run_example("virtualized", thin=thin)
    mapping = st_.mapping()
    assert len({hb for _, _, _, hb in mapping}) == len(mapping)
    for b, role, off, hb in mapping:
        assert st_.disk.platters[hb * 64:(hb + 1) * 64] == st_.fs.dev.read_block(b)
    assert {r for _, r, _, _ in mapping} >= {"super", "fat", "dir", "hello.txt", "notes.txt"}


def test_trace_nests_layers_and_counts():
    st_, steps = run_example("virtualized")
    first = steps[0]
    depths = {}
    for e in first.trace:
        depths[e.layer] = min(e.depth, depths.get(e.layer, 99))
    assert depths["guest-fs"] < depths["vdisk"] < depths["host-fs"] < depths["disk"]
    assert first.counts()[("vdisk", "read_block")] >= 1
    assert any("translate" in str(e) for e in first.trace)
    with pytest.raises(ValueError):
        build_stack("sideways")
    t = Tracer()
    with t.span("x", "call()") as e:
        e.result = "ok"
    assert t.lines() == ["x: call() -> ok"]


def test_example_script_is_what_the_notebook_shows():
    assert len(EXAMPLE_SCRIPT) == 5


# ---- exercises ----
def test_image_offset_exercise_recognises_raw_image_thinking():
    for seed in range(30):
        ex = ImageOffset(seed=seed)
        p = ex.params
        assert ex.check(ex.solution())
        raw = p["target"] * p["block_size"]
        if raw != ex.solution():
            fb = ex.check(raw)
            assert not fb and "raw image" in fb.messages[0]


def test_abstraction_or_virtualization_exercise():
    ex = AbstractionOrVirtualization(seed=3)
    ans = ex.solution()
    assert set(ans) <= {"A", "V"} and "A" in ans and "V" in ans
    assert ex.check("".join(ans))            # "AVAAV" is accepted too
    assert ex.check([a.lower() for a in ans])
    wrong = list(ans)
    wrong[0] = "V" if wrong[0] == "A" else "A"
    fb = ex.check(wrong)
    assert not fb and "[1]" in fb.messages[0]      # statements are numbered from 1
