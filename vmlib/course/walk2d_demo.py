"""The two-dimensional page walk on real tables, for chapter 13 (memory virtualization).

``demo_machine`` builds, on a fresh machine, what a hypervisor with nested paging and its guest
would have built: the hypervisor's G-stage table (Sv32x4, in host RAM) mapping the guest's
4 MiB of RAM, and the guest kernel's own Sv32 tables *inside that guest RAM*, so that reading
them takes the G-stage. The hart is left in VS-mode with those ``vsatp`` and ``hgatp``.
``demo_walk`` lays one access out reference by reference (``vmlib.machine.walk2d``) and checks
it against the hart's own translation (``Mmu.peek`` in VS-mode): the count on the page is the
machine's.

    >>> w = demo_walk(DEMO_VAS['data'])
    >>> w.counts(), w.outcome
    ({'G': 6, 'VS': 2, 'total': 8}, '0x80803abc')
    >>> demo_walk(DEMO_VAS['data'], megapages=True).counts()
    {'G': 2, 'VS': 1, 'total': 3}

``megapages``: False (4 KiB pages in both stages), 'VS' (the guest maps its RAM with a 4 MiB
megapage), 'G' (the hypervisor does), True (both). Where each stage maps the same memory either
way, so an address lands on the same host byte whatever the page sizes: only the count changes.
"""
from __future__ import annotations

from ..machine import Machine, Trap
from ..machine.bus import RAM_BASE
from ..machine.frames import FramePool
from ..machine.hcsr import HGATP_MODE
from ..machine.sv32 import (LOAD, SATP_MODE, PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A,
                            PTE_D, leaf)
from ..machine.traps import S, VS
from ..machine.walk2d import two_stage_walk, ram_words

__all__ = ['GUEST_RAM_GPA', 'GUEST_RAM_SIZE', 'GUEST_RAM_HOST', 'VS_ROOT_GPA', 'VS_L0_GPA',
           'GUEST_LEAF', 'HOST_LEAF', 'DEMO_VAS', 'demo_machine', 'demo_walk', 'machine_outcome']

MEGAPAGE = 4 << 20
GUEST_RAM_GPA = 0x8000_0000             # the guest's RAM where its virt board has it...
GUEST_RAM_SIZE = MEGAPAGE
GUEST_RAM_HOST = RAM_BASE + (8 << 20)   # ...and the host RAM behind it: 4 MiB aligned, so
                                        # one G-stage megapage can map it
HOST_TABLES_SIZE = 8 << 20              # host RAM below it: the G-stage tables' frames
VS_ROOT_GPA = GUEST_RAM_GPA + 0x1000    # the guest kernel's tables, in guest RAM
VS_L0_GPA = GUEST_RAM_GPA + 0x2000
GUEST_VA = 0x0040_0000                  # the guest maps its RAM at this virtual address
GUEST_MAPPED_PAGES = 256                # (the first 1 MiB of it, with 4 KiB pages)
OUTSIDE_GPA = 0xC000_0000               # a guest megapage onto guest-physical nothing

#: addresses worth walking (guest-virtual)
DEMO_VAS = {
    'data': GUEST_VA + 0x3ABC,                      # 4 KiB page 3 of guest RAM
    'unmapped 4 KiB page': GUEST_VA + GUEST_MAPPED_PAGES * 0x1000,  # mapped by a VS megapage
    'unmapped 4 MiB': 2 * MEGAPAGE,                 # the guest's root PTE 2: V = 0
    'outside guest RAM': 3 * MEGAPAGE + 0x123,      # G-stage has nothing: guest-page fault
}

GUEST_LEAF = PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D     # the guest kernel's (U = 0)
HOST_LEAF = GUEST_LEAF | PTE_U          # every G-stage access is a user-level one


def _pointer(pa):
    return (pa >> 12) << 10 | PTE_V


def demo_machine(megapages=False) -> Machine:
    """A fresh machine with the G-stage and VS-stage tables built, the hart in VS-mode."""
    m = Machine()
    ram32 = m.bus.ram32
    frames = FramePool(m.bus, 0, HOST_TABLES_SIZE)
    g_root = frames.alloc_aligned(4, 16 << 10)      # Sv32x4's root: 16 KiB, 16 KiB aligned
    g_root_index = GUEST_RAM_GPA >> 22              # 12 bits of the GPA index it
    if megapages in (True, 'G'):
        ram32[(g_root >> 2) + g_root_index] = leaf(GUEST_RAM_HOST, HOST_LEAF)
    else:
        g_l0 = frames.alloc()
        ram32[(g_root >> 2) + g_root_index] = _pointer(RAM_BASE + g_l0)
        for page in range(GUEST_RAM_SIZE >> 12):
            ram32[(g_l0 >> 2) + page] = leaf(GUEST_RAM_HOST + (page << 12), HOST_LEAF)

    def guest_word(gpa, value):                     # the guest kernel writing its tables
        ram32[(GUEST_RAM_HOST - RAM_BASE + gpa - GUEST_RAM_GPA) >> 2] = value
    if megapages in (True, 'VS'):
        guest_word(VS_ROOT_GPA + 4 * (GUEST_VA >> 22), leaf(GUEST_RAM_GPA, GUEST_LEAF))
    else:
        guest_word(VS_ROOT_GPA + 4 * (GUEST_VA >> 22), _pointer(VS_L0_GPA))
        for page in range(GUEST_MAPPED_PAGES):
            guest_word(VS_L0_GPA + 4 * page, leaf(GUEST_RAM_GPA + (page << 12), GUEST_LEAF))
    guest_word(VS_ROOT_GPA + 4 * (DEMO_VAS['outside guest RAM'] >> 22),
               leaf(OUTSIDE_GPA, GUEST_LEAF))

    hart = m.hart
    hart.vsatp = SATP_MODE | VS_ROOT_GPA >> 12
    hart.set_hgatp(HGATP_MODE | (RAM_BASE + g_root) >> 12)
    hart.priv, hart.virt = S, 1
    return m


def machine_outcome(machine, va, access=LOAD):
    """What the hart's MMU does with ``va`` in VS-mode, changing nothing: ('pa', address)
    or ('fault', cause, htval)."""
    try:
        return ('pa', machine.hart.mmu.peek(va, access, VS))
    except Trap as t:
        return ('fault', t.cause, t.tval2)


def demo_walk(va=DEMO_VAS['data'], access=LOAD, megapages=False):
    """The two-dimensional walk of ``va`` on ``demo_machine(megapages)``'s tables, checked
    against the machine's own translation (a disagreement raises AssertionError)."""
    m = demo_machine(megapages)
    h = m.hart
    walk = two_stage_walk(ram_words(m.bus), h.vsatp, h.hgatp, va, access, S, h.vsstatus,
                          h.mstatus)
    said = ('pa', walk.pa) if walk.ok else ('fault', walk.fault, walk.htval)
    done = machine_outcome(m, va, access)
    if said != done:
        raise AssertionError(f'the walk says {said}, the machine {done}')
    return walk
