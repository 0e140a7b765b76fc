#!/usr/bin/env python3
"""Build the guest programs from C, check them, and record how they behave under qemu-riscv32.

    python guests/build.py              # build guests/NAME.elf from guests/src/NAME.c, check, record
    python guests/build.py hello args   # only these programs
    python guests/build.py --no-record  # build and check only
    python guests/build.py --check      # rebuild in a temporary folder: same bytes as committed?
    python guests/build.py --count      # record also counts the instructions QEMU runs (slower)

`make guests` runs the first form after installing requirements-guests.txt (the PyPI package
`ziglang`, pinned: another compiler version gives other bytes). Learners never need it: the small
stripped ELFs are committed.

The compiler is zig's clang for a static RV32IMA Linux program with musl as its C library and
soft floating point (ilp32 ABI). Each ELF is checked: 32-bit RISC-V executable, static (no
PT_INTERP), e_flags 0 (no compressed instructions, soft-float ABI), and, when GNU objdump for
RISC-V is installed, every instruction is 4 bytes and belongs to RV32IMA. Sources are compiled
from guests/src with relative names and without build ids, so the bytes depend only on the
sources and the compiler version (`--check` proves it).

Recording: each program runs under qemu-riscv32 (with C, F and D switched off, so an instruction
the course machine lacks would stop it) for every case in CASES, in a fresh working folder that
holds the program as guests/NAME.elf (so argv[0] is "guests/NAME.elf" wherever the repository
lives). stdout, stderr, the exit status and the files the program left in the folder go to
guests/expected/NAME.json, with the program's sha256 and QEMU's version. tests/test_guests.py
replays the cases under QEMU and under `python -m vmlib run` and compares.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SRC = HERE / "src"
EXPECTED = HERE / "expected"

ZIG_VERSION = "0.17.1"          # the version in requirements-guests.txt
CC = [sys.executable, "-m", "ziglang", "cc"]
CFLAGS = [
    "-target", "riscv32-linux-musl",
    "-mcpu=generic_rv32+m+a",    # RV32IMA: no C (compressed), no F/D (hardware float)
    "-static", "-O2", "-s",      # one self-contained, optimised, stripped file
    "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",   # no .eh_frame: C needs none
    "-Wl,--build-id=none",       # no per-build note
]
PROGRAMS = ["hello", "printf_one", "heap", "files", "args", "compute"]

# The QEMU CPU closest to the course machine for user programs: no C, F, D.
QEMU_CPU = "rv32,c=off,f=off,d=off"
QEMU = ["qemu-riscv32", "-cpu", QEMU_CPU]
TIMEOUT = 120

WC_TEXT = ("The quick brown fox\n"
           "jumps over   the lazy dog.\n"
           "\n"
           "  Virtual machines, all the way down.\n"
           "no newline at the end")

# name -> list of cases: name, args, stdin (text), env (set for this run only)
CASES = {
    "hello": [{"name": "default"}],
    "printf_one": [{"name": "default"}],
    "heap": [
        {"name": "default"},
        {"name": "small", "args": ["10"]},
        {"name": "bad-count", "args": ["0"]},
    ],
    "files": [
        {"name": "text", "stdin": WC_TEXT},
        {"name": "empty-stdin"},
    ],
    "args": [
        {"name": "no-args"},
        {"name": "words-and-env", "args": ["3", "hello world", "", "caf\u00e9"],
         "env": {"GREETING": "hi from the host", "EMPTY": ""}},
        {"name": "status-300", "args": ["300"], "env": {"LANGUAGE": "C"}},
        {"name": "status-minus-1", "args": ["-1"]},
    ],
    "compute": [
        {"name": "one-round"},
        {"name": "three-rounds", "args": ["3"]},
    ],
}
# Variables a case may set: removed from the inherited environment for every run, so the host's
# own values (if any) never leak into a recording.
GUEST_ENV = sorted({k for cases in CASES.values() for c in cases for k in c.get("env", {})}
                   | {"LANGUAGE"})

# RV32IMA with the instructions a Linux user program may use (objdump -M no-aliases names).
RV32IMA = set("""
lui auipc jal jalr beq bne blt bge bltu bgeu lb lh lw lbu lhu sb sh sw
addi slti sltiu xori ori andi slli srli srai add sub sll slt sltu xor srl sra or and
fence fence.i fence.tso ecall ebreak unimp
mul mulh mulhsu mulhu div divu rem remu
""".split())
RV32IMA |= {f"{op}{suffix}" for op in
            ["lr.w", "sc.w", "amoswap.w", "amoadd.w", "amoxor.w", "amoand.w", "amoor.w",
             "amomin.w", "amomax.w", "amominu.w", "amomaxu.w"]
            for suffix in ["", ".aq", ".rl", ".aqrl"]}


# --- building ----------------------------------------------------------------------------------

def zig_version() -> str | None:
    p = subprocess.run(CC[:-1] + ["version"], capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else None


def compile_one(name: str, out: Path) -> None:
    """guests/src/NAME.c -> out (compiled from inside guests/src, with relative names)."""
    cmd = CC + CFLAGS + [f"{name}.c", "-o", str(out)]
    p = subprocess.run(cmd, cwd=SRC, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{name}.c: the compiler failed:\n{p.stderr}")
    if p.stderr.strip():
        print(p.stderr, file=sys.stderr, end="")


def check_elf(path: Path) -> list[str]:
    """Problems with a guest ELF, or [] when it is what the course machine can run."""
    data = path.read_bytes()
    problems = []
    if data[:4] != b"\x7fELF" or data[4] != 1 or data[5] != 1:
        return ["not a 32-bit little-endian ELF"]
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    e_flags, = struct.unpack_from("<I", data, 36)
    e_phoff, = struct.unpack_from("<I", data, 28)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 42)
    if e_type != 2:
        problems.append(f"e_type {e_type}, not ET_EXEC")
    if e_machine != 243:
        problems.append(f"e_machine {e_machine}, not RISC-V")
    if e_flags & 0x1:
        problems.append("e_flags: RVC (compressed instructions)")
    if e_flags & 0x6:
        problems.append(f"e_flags: float ABI {(e_flags >> 1) & 3}, not soft float (ilp32)")
    if e_flags & 0x8:
        problems.append("e_flags: RVE")
    for i in range(e_phnum):
        p_type, = struct.unpack_from("<I", data, e_phoff + i * e_phentsize)
        if p_type in (2, 3):
            problems.append("dynamically linked (PT_DYNAMIC or PT_INTERP)")
    objdump = shutil.which("riscv64-unknown-elf-objdump")
    if objdump:
        out = subprocess.run([objdump, "-d", "-M", "no-aliases", str(path)],
                             capture_output=True, text=True, check=True).stdout
        bad = {}
        for line in out.splitlines():
            m = re.match(r"\s*([0-9a-f]+):\t([0-9a-f]+)\s*\t(\S+)", line)
            if not m:
                continue
            word, op = m.group(2), m.group(3)
            if len(word) != 8 or op not in RV32IMA:
                bad.setdefault(op, m.group(1))
        problems += [f"instruction {op!r} at 0x{addr} is not RV32IMA" for op, addr in bad.items()]
    return problems


def build(names: list[str], out_dir: Path) -> None:
    for name in names:
        out = out_dir / f"{name}.elf"
        compile_one(name, out)
        problems = check_elf(out)
        if problems:
            sys.exit(f"{out.name}: " + "; ".join(problems))
        print(f"built {out.relative_to(REPO) if out.is_relative_to(REPO) else out}"
              f" ({out.stat().st_size} bytes)")


# --- running a case -----------------------------------------------------------------------------

def guest_env(case: dict) -> dict:
    """The environment of a run: ours without GUEST_ENV names and QEMU_* settings, plus the case's."""
    env = {k: v for k, v in os.environ.items()
           if k not in GUEST_ENV and not k.startswith("QEMU_")}
    env.update(case.get("env", {}))
    return env


def workdir_for(name: str, parent: Path, elf: Path | None = None) -> Path:
    """A fresh folder holding the program as guests/NAME.elf: the run's current directory."""
    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=parent))
    (work / "guests").mkdir()
    shutil.copy(elf or HERE / f"{name}.elf", work / "guests" / f"{name}.elf")   # keeps +x: QEMU needs it
    return work


def files_left(work: Path) -> dict:
    """Files the program created in its folder (the copy of the program excepted), as text."""
    found = {}
    for path in sorted(work.rglob("*")):
        rel = path.relative_to(work).as_posix()
        if path.is_file() and not rel.startswith("guests/"):
            found[rel] = path.read_bytes().decode("utf-8", "backslashreplace")
    return found


def run_command(cmd: list[str], case: dict, work: Path, timeout: float = TIMEOUT,
                pass_fds=()) -> dict:
    """Run cmd in work with the case's stdin and environment: stdout, stderr, exit status, files."""
    p = subprocess.run(cmd, cwd=work, input=case.get("stdin", "").encode(), env=guest_env(case),
                       capture_output=True, timeout=timeout, pass_fds=pass_fds)
    return {"stdout": p.stdout.decode("utf-8", "backslashreplace"),
            "stderr": p.stderr.decode("utf-8", "backslashreplace"),
            "exit_status": p.returncode,
            "files": files_left(work)}


def qemu_command(name: str, case: dict) -> list[str]:
    return QEMU + [f"guests/{name}.elf"] + case.get("args", [])


def qemu_version() -> str:
    out = subprocess.run(["qemu-riscv32", "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0].strip() if out else "qemu-riscv32 ?"


def count_instructions(name: str, case: dict, parent: Path) -> int:
    """Instructions QEMU executes for a case: the size of each translated block (-d in_asm)
    times how often it ran (-d exec, with chaining off so every run is logged)."""
    work = workdir_for(name, parent)
    r, w = os.pipe()
    sizes, total = {}, 0

    def reader():
        nonlocal total
        block = None
        with os.fdopen(r, "r", errors="replace") as log:
            for line in log:
                if line.startswith("IN:"):
                    block = None
                elif line.startswith("0x"):
                    m = re.match(r"0x([0-9a-f]+):\s", line)
                    if m:
                        if block is None:
                            block = int(m.group(1), 16)
                            sizes[block] = 0
                        sizes[block] += 1
                elif line.startswith("Trace"):
                    m = re.match(r"Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/", line)
                    if m:
                        total += sizes[int(m.group(1), 16)]

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        cmd = QEMU + ["-d", "in_asm,exec,nochain", "-D", f"/dev/fd/{w}"] + qemu_command(name, case)[len(QEMU):]
        run_command(cmd, case, work, timeout=10 * TIMEOUT, pass_fds=(w,))
    finally:
        os.close(w)
        thread.join()
    return total


def record(names: list[str], count: bool) -> None:
    if shutil.which("qemu-riscv32") is None:
        print("qemu-riscv32 is not installed (apt-get install qemu-user): recordings not refreshed")
        return
    version = qemu_version()
    EXPECTED.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="guests-") as tmp:
        for name in names:
            elf = HERE / f"{name}.elf"
            old_path = EXPECTED / f"{name}.json"
            old = json.loads(old_path.read_text()) if old_path.exists() else {}
            old_counts = {c["name"]: c.get("instructions") for c in old.get("cases", [])
                          if old.get("sha256") == sha256(elf)}
            cases = []
            for case in CASES[name]:
                work = workdir_for(name, Path(tmp))
                result = run_command(qemu_command(name, case), case, work)
                entry = {"name": case["name"], "args": case.get("args", []),
                         "stdin": case.get("stdin", ""), "env": case.get("env", {}), **result}
                n = count_instructions(name, case, Path(tmp)) if count else old_counts.get(case["name"])
                if n is not None:
                    entry["instructions"] = n
                cases.append(entry)
                print(f"{name} {case['name']}: exit {result['exit_status']}, "
                      f"{len(result['stdout'].splitlines())} lines"
                      + (f", {n} instructions" if n is not None else ""))
            manifest = {
                "program": f"guests/{name}.elf",
                "source": f"guests/src/{name}.c",
                "sha256": sha256(elf),
                "size": elf.stat().st_size,
                "recorded_with": f"{version}, {' '.join(QEMU[1:])}",
                "cases": cases,
            }
            old_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", metavar="NAME", help=f"programs (default: {' '.join(PROGRAMS)})")
    ap.add_argument("--no-record", action="store_true", help="do not run QEMU")
    ap.add_argument("--check", action="store_true",
                    help="rebuild in a temporary folder and compare with the committed ELFs")
    ap.add_argument("--count", action="store_true", help="count instructions under QEMU too")
    opts = ap.parse_args(argv)
    names = opts.names or PROGRAMS
    unknown = [n for n in names if n not in PROGRAMS]
    if unknown:
        ap.error(f"unknown program(s): {' '.join(unknown)}")

    version = zig_version()
    if version is None:
        sys.exit("ziglang is not installed: `make guests`, or pip install -r requirements-guests.txt")
    if version != ZIG_VERSION:
        print(f"warning: zig {version}, the committed ELFs come from {ZIG_VERSION}: "
              "expect other bytes", file=sys.stderr)

    if opts.check:
        differ = []
        with tempfile.TemporaryDirectory(prefix="guests-check-") as tmp:
            build(names, Path(tmp))
            for name in names:
                fresh, committed = Path(tmp) / f"{name}.elf", HERE / f"{name}.elf"
                same = committed.exists() and fresh.read_bytes() == committed.read_bytes()
                print(f"{name}.elf: {'identical' if same else 'DIFFERENT'}")
                if not same:
                    differ.append(name)
        return 1 if differ else 0

    build(names, HERE)
    if not opts.no_record:
        record(names, opts.count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
