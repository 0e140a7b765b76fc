"""The machine's event trace: the one feed that visualizations and statistics read.

Events are plain named tuples. The machine emits them only when ``machine.trace`` is set
(a callable taking one event), and only from its slow paths and from single steps, so a run
without a trace pays nothing for this module.
"""

from typing import NamedTuple, Optional, Tuple


class Retired(NamedTuple):
    """An instruction retired: its index (minstret before it), address, word and privilege."""
    index: int
    pc: int
    word: int
    text: str
    priv: int


class Faulted(NamedTuple):
    """An instruction that began but did not retire: it raised an exception (the TrapTaken
    that follows says which). The fields are Retired's; ``index`` is minstret, which the
    instruction did not advance. Without this header a trace would list the faulting
    instruction's page walk and trap under the instruction before it."""
    index: int
    pc: int
    word: int
    text: str
    priv: int


class RegWrite(NamedTuple):
    reg: int
    old: int
    new: int


class MemWrite(NamedTuple):
    """A store: virtual address, size in bytes, value written."""
    addr: int
    size: int
    value: int


class TrapTaken(NamedTuple):
    cause: int
    tval: int
    epc: int
    from_priv: int
    to_priv: int
    handler: int


class TrapReturn(NamedTuple):
    instruction: str   # 'mret' or 'sret'
    from_priv: int
    to_priv: int
    pc: int


class PrivilegeChange(NamedTuple):
    old: int
    new: int


class WalkStep(NamedTuple):
    level: int
    pte_addr: int
    pte: int


class PageWalk(NamedTuple):
    """An Sv32 walk: what was translated, each PTE read, and the outcome."""
    va: int
    access: str                     # 'fetch', 'load' or 'store'
    steps: Tuple[WalkStep, ...]
    pa: Optional[int]               # None when the walk faulted
    fault: Optional[int]            # the page-fault cause, or None


class DeviceAccess(NamedTuple):
    device: str
    offset: int
    size: int
    value: int
    write: bool


class Halted(NamedTuple):
    reason: str
    exit_status: Optional[int]
