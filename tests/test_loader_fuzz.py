"""Fuzzing the ELF loader: a damaged file is refused with ElfError, never a traceback."""

from hypothesis import given, settings, strategies as st, HealthCheck

from vmlib.asm import assemble
from vmlib.machine import Machine, ElfError

GOOD = assemble("""
    .globl _start
_start:
    la a0, msg
    lw a1, 0(a0)
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
    .data
msg: .word 42
""").to_elf()

mutation = st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=8), st.integers(0, len(GOOD)))
def test_mutated_elfs_load_or_are_refused_cleanly(mutations, length):
    data = bytearray(GOOD)
    for offset, value in mutations:
        data[offset] = value
    data = bytes(data[:length])
    try:
        m = Machine.from_elf(data, ram_size=1 << 20)
    except ElfError as e:
        assert '\n' not in str(e)
        return
    m.run(1000)                         # whatever loaded must also run without a traceback


def test_the_unmutated_program_runs():
    m = Machine.from_elf(GOOD)
    assert m.run().reason == 'poweroff'
    assert m.reg('a1') == 42


def test_a_huge_segment_is_refused_before_anything_is_allocated():
    import struct
    import pytest
    phoff = struct.unpack_from('<I', GOOD, 28)[0]
    data = bytearray(GOOD)
    struct.pack_into('<I', data, phoff + 20, 0xFFFFFFF0)       # p_memsz of the first segment
    with pytest.raises(ElfError, match='does not fit'):
        Machine.from_elf(bytes(data), ram_size=1 << 20)
