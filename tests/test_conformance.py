"""The conformance suite: bare-metal programs whose expected results were recorded from QEMU.

``tests/conformance/NAME.s`` are self-contained programs (GNU ``as`` syntax that vmlib's
assembler also accepts); ``NAME.elf`` were built from them with GNU binutils, ``NAME.expected``
is the UART output QEMU printed and ``expected.json`` the exit status (and where each result
came from). ``tests/conformance/record.py`` rebuilds and re-records them.

For each program:

- the committed ELF booted on vmlib prints the same and exits the same;
- the source assembled by vmlib's own assembler does too;
- when ``qemu-system-riscv32`` is installed, QEMU still gives the recorded result;

``htif`` and ``spec`` have hand-written expected results (QEMU's virt board has no HTIF; ``spec``
holds rules of the privileged spec that QEMU 7.2 breaks), see ``tests/conformance/README.md``.
- when GNU binutils are installed, the committed ELF is what the source builds to.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SUITE = REPO / "tests" / "conformance"
MANIFEST = json.loads((SUITE / "expected.json").read_text())
PROGRAMS = sorted(MANIFEST)
MAX_STEPS = 10_000_000
TIMEOUT = 900  # seconds per run: generous for a shared 2-core machine

# record.py knows how QEMU and binutils are invoked; load it as a module (it is not a package).
_spec = importlib.util.spec_from_file_location("conformance_record", SUITE / "record.py")
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)

needs_vmlib_cli = pytest.mark.skipif(
    not (REPO / "vmlib" / "__main__.py").exists(),
    reason="vmlib has no command line yet (python -m vmlib boot)")
needs_qemu = pytest.mark.skipif(
    shutil.which("qemu-system-riscv32") is None,
    reason="qemu-system-riscv32 is not installed (apt-get install qemu-system-misc)")
needs_binutils = pytest.mark.skipif(
    shutil.which("riscv64-unknown-elf-as") is None or shutil.which("riscv64-unknown-elf-ld") is None,
    reason="GNU binutils for RISC-V are not installed (apt-get install binutils-riscv64-unknown-elf)")


def expected(name: str) -> tuple[str, int]:
    return (SUITE / f"{name}.expected").read_text(), MANIFEST[name]["exit_status"]


def boot(path: Path, scratch: Path) -> subprocess.CompletedProcess:
    """python -m vmlib boot FILE, with the program's UART input (NAME.stdin) on stdin and, for
    a program with a disk (NAME.img), a copy of it and a console on virtio, as QEMU gets them."""
    return subprocess.run(
        [sys.executable, "-m", "vmlib", "boot", str(path), "--max-steps", str(MAX_STEPS),
         *record.vmlib_options(path, scratch)],
        cwd=REPO, input=record.stdin_of(path), capture_output=True, timeout=TIMEOUT)


def compare(what: str, out: str, status: int, want_out: str, want_status: int, stderr: str = ""):
    problems = []
    if out != want_out:
        diff = difflib.unified_diff(want_out.splitlines(), out.splitlines(),
                                    "expected (QEMU)", what, lineterm="", n=1)
        problems.append("UART output differs:\n" + "\n".join(list(diff)[:60]))
    if status != want_status:
        problems.append(f"exit status {status}, expected {want_status}")
    if problems:
        if stderr.strip():
            problems.append("stderr:\n" + "\n".join(stderr.strip().splitlines()[-15:]))
        pytest.fail(f"{what}: " + "\n".join(problems), pytrace=False)


@needs_vmlib_cli
@pytest.mark.parametrize("name", PROGRAMS)
def test_vmlib_boots_the_elf(name, tmp_path):
    """vmlib runs the ELF GNU binutils built and matches the recording."""
    p = boot(SUITE / f"{name}.elf", tmp_path)
    compare(f"vmlib boot {name}.elf", p.stdout.decode("latin-1"), p.returncode, *expected(name),
            stderr=p.stderr.decode("latin-1"))


@needs_vmlib_cli
@pytest.mark.parametrize("name", PROGRAMS)
def test_vmlib_assembles_and_boots_the_source(name, tmp_path):
    """vmlib's own assembler takes the same source and the result behaves the same."""
    p = boot(SUITE / f"{name}.s", tmp_path)
    compare(f"vmlib boot {name}.s", p.stdout.decode("latin-1"), p.returncode, *expected(name),
            stderr=p.stderr.decode("latin-1"))


@needs_qemu
@pytest.mark.parametrize("name", PROGRAMS)
def test_qemu_still_agrees(name):
    """QEMU, run now, gives the recorded result (for htif: the result QEMU gave when recorded,
    since QEMU's virt board has no HTIF and the expected result was written by hand)."""
    entry = MANIFEST[name]
    if "qemu" in entry and "stdout" not in entry["qemu"]:
        pytest.skip(f"{name}: expected result is from the spec, not QEMU ({entry['qemu']['note']})")
    out, status = record.run_qemu(SUITE / f"{name}.elf")
    if "qemu" in entry:
        want_out, want_status = entry["qemu"]["stdout"], entry["qemu"]["exit_status"]
    else:
        want_out, want_status = expected(name)
    compare(f"qemu {name}.elf", out, status, want_out, want_status)


def loaded_image(elf_bytes: bytes) -> dict:
    """What a loader sees of an ELF: entry point, PT_LOAD segments, symbol addresses (not the
    notes and attributes, which vary between binutils versions)."""
    import io

    from elftools.elf.elffile import ELFFile
    elf = ELFFile(io.BytesIO(elf_bytes))
    segments = [(seg["p_vaddr"], seg["p_memsz"], seg.data()) for seg in elf.iter_segments()
                if seg["p_type"] == "PT_LOAD"]
    symtab = elf.get_section_by_name(".symtab")
    symbols = {sym.name: sym["st_value"] for sym in symtab.iter_symbols() if sym.name} if symtab else {}
    return {"entry": elf["e_entry"], "segments": segments, "symbols": symbols}


@needs_binutils
@pytest.mark.parametrize("name", PROGRAMS)
def test_committed_elf_is_built_from_the_source(name, tmp_path):
    """The committed ELF is what the source builds to (re-run record.py if not)."""
    built = record.build(SUITE / f"{name}.s", tmp_path)
    assert loaded_image(built.read_bytes()) == loaded_image((SUITE / f"{name}.elf").read_bytes()), (
        f"{name}.elf is stale: run python3 tests/conformance/record.py {name}")


def test_every_program_is_recorded():
    """Each source has an ELF, an expected output and a manifest entry, and vice versa."""
    sources = {p.stem for p in SUITE.glob("*.s")}
    assert sources == set(PROGRAMS)
    for name in PROGRAMS:
        assert (SUITE / f"{name}.elf").exists(), name
        assert (SUITE / f"{name}.expected").exists(), name
        assert MANIFEST[name]["source"], name
