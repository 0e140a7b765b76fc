"""Loading a static RV32 Linux program the way the kernel's ELF loader (``binfmt_elf``) does.

``read_elf`` checks the file (with the machine's ``parse_elf``, which gives one-line reasons)
and reads the program headers a process needs: each ``PT_LOAD`` segment's address, sizes,
file offset and permissions. ``load`` makes a region per run of pages with the same
permissions (a page shared by two segments gets both permissions: vmlib's assembler packs
sections into shared pages, where Linux would let the later segment win), copies the file
bytes in, and leaves the rest (``.bss``) to demand paging. ``build_stack`` lays out the
initial stack of the ELF ABI:

    sp ->  argc
           argv[0] ... argv[argc-1]  NULL
           envp[0] ... envp[n-1]     NULL
           auxv: (AT_PHDR, a) (AT_PHNUM, n) ... (AT_NULL, 0)
           ... padding, AT_RANDOM's 16 bytes ...
           argv strings, envp strings, the program's file name,  4 zero bytes  <- STACK_TOP
"""

import os
import struct

from ..machine.loader import ElfError, parse_elf
from . import linux as L
from .memory import PAGE, PAGE_MASK, MIN_ADDR, MMAP_BASE, STACK_TOP, STACK_SIZE, page_up

PT_LOAD, PT_PHDR = 1, 6
PF_X, PF_W, PF_R = 1, 2, 4
HWCAP_RV32IMA = (1 << (ord('i') - ord('a'))) | (1 << (ord('m') - ord('a'))) | 1  # 'a' is bit 0
MAX_ARG_BYTES = 128 << 10       # argv + envp strings (Linux allows a quarter of the stack)


class LaunchError(Exception):
    """The process cannot be started (arguments too long, not enough memory)."""


class Segment:
    __slots__ = ('vaddr', 'offset', 'filesz', 'memsz', 'flags')

    def __init__(self, vaddr, offset, filesz, memsz, flags):
        self.vaddr, self.offset, self.filesz, self.memsz, self.flags = \
            vaddr, offset, filesz, memsz, flags

    @property
    def prot(self):
        return ((L.PROT_READ if self.flags & PF_R else 0)
                | (L.PROT_WRITE if self.flags & PF_W else 0)
                | (L.PROT_EXEC if self.flags & PF_X else 0))

    def __repr__(self):
        perms = ''.join(c if self.flags & b else '-' for c, b in (('r', PF_R), ('w', PF_W),
                                                                   ('x', PF_X)))
        return (f'Segment(0x{self.vaddr:08x}, filesz=0x{self.filesz:x}, '
                f'memsz=0x{self.memsz:x}, {perms})')


class ElfImage:
    """What the loader needs from an executable."""

    def __init__(self, data, entry, segments, phdr, phnum, symbols):
        self.data = data
        self.entry = entry
        self.segments = segments
        self.phdr = phdr            # where the program headers are in memory (AT_PHDR)
        self.phnum = phnum
        self.symbols = symbols

    @property
    def end(self):
        """The first page after every segment: where the heap (brk) starts."""
        return page_up(max(s.vaddr + s.memsz for s in self.segments))


def read_elf(data, what='program'):
    """Check ``data`` is a static RV32 RISC-V executable and read its segments (ElfError)."""
    data = bytes(data)
    program = parse_elf(data, what)          # the reasons: magic, class, machine, PT_INTERP...
    (entry, phoff, _shoff, _flags, _ehsize, phentsize, phnum) = \
        struct.unpack_from('<IIIIHHH', data, 24)
    if phentsize != 32 or phoff + phnum * 32 > len(data) or phnum == 0:
        raise ElfError(f'{what}: corrupt program header table')
    segments, phdr_vaddr = [], None
    for i in range(phnum):
        (kind, offset, vaddr, _paddr, filesz, memsz, pflags, _align) = \
            struct.unpack_from('<8I', data, phoff + 32 * i)
        if kind == PT_PHDR:
            phdr_vaddr = vaddr
        if kind != PT_LOAD or memsz == 0:
            continue
        if offset + filesz > len(data) or filesz > memsz:
            raise ElfError(f'{what}: corrupt segment {i}')
        if (vaddr & PAGE_MASK) != (offset & PAGE_MASK) and filesz:
            raise ElfError(f'{what}: segment {i} is not page-aligned with its file offset')
        if vaddr < MIN_ADDR or vaddr + memsz > MMAP_BASE:
            raise ElfError(f'{what}: segment {i} at 0x{vaddr:08x}..0x{vaddr + memsz:08x} is '
                           f'outside user memory (0x{MIN_ADDR:08x}..0x{MMAP_BASE:08x})')
        segments.append(Segment(vaddr, offset, filesz, memsz, pflags))
    if not segments:
        raise ElfError(f'{what}: no loadable segment')
    if phdr_vaddr is None:
        # where the file's program header table lands, if a segment maps that part of the file
        for s in segments:
            if s.offset <= phoff and phoff + phnum * 32 <= s.offset + s.filesz:
                phdr_vaddr = s.vaddr + phoff - s.offset
                break
        else:
            first = min(segments, key=lambda s: s.vaddr)     # Linux's guess: load address + e_phoff
            phdr_vaddr = (first.vaddr - first.offset + phoff) & 0xFFFFFFFF
    return ElfImage(data, entry, segments, phdr_vaddr, phnum, program.symbols)


def load(space, image):
    """Make regions for the segments and copy the file's bytes in."""
    pages = {}
    for s in image.segments:
        for vpn in range(s.vaddr >> 12, page_up(s.vaddr + s.memsz) >> 12):
            pages[vpn] = pages.get(vpn, 0) | s.prot
    need = len(pages) + 64
    if need > space.frames.available:
        raise LaunchError(f'the program needs {need * 4} KiB, the machine has '
                          f'{space.frames.available * 4} KiB free')
    run_start, prot = None, None
    for vpn in sorted(pages) + [None]:
        if run_start is not None and (vpn != last + 1 or pages[vpn] != prot):
            space.add_region(run_start << 12, (last + 1) << 12, prot, _kind(prot))
            run_start = None
        if vpn is None:
            break
        if run_start is None:
            run_start, prot = vpn, pages[vpn]
        last = vpn
    for s in image.segments:
        if s.filesz:
            space.populate(s.vaddr, image.data[s.offset:s.offset + s.filesz])
    space.brk_start = space.brk = image.end


def _kind(prot):
    if prot & L.PROT_EXEC:
        return 'text'
    return 'data' if prot & L.PROT_WRITE else 'rodata'


def _encode(s):
    return s if isinstance(s, bytes) else os.fsencode(s)


def build_stack(space, image, argv, envp, random_bytes, execfn, ids=(1000, 1000)):
    """Lay out the initial stack (see the module's docstring); return (sp, auxv, layout).

    ``layout`` maps names to addresses (argv, envp, auxv, random, strings) for people who
    want to look at it.
    """
    space.add_region(STACK_TOP - STACK_SIZE, STACK_TOP, L.PROT_READ | L.PROT_WRITE, 'stack')
    argv = [_encode(a) for a in argv]
    envp = [_encode(e) for e in envp]
    execfn = _encode(execfn)
    if any(b'\0' in s for s in argv + envp + [execfn]):
        raise LaunchError('an argument or environment string contains a NUL byte')
    strings = b''.join(s + b'\0' for s in argv + envp) + execfn + b'\0'
    if len(strings) > MAX_ARG_BYTES:
        raise LaunchError('argument list too long')
    end = STACK_TOP - 4
    strings_at = end - len(strings)
    addresses, at = [], strings_at
    for s in argv + envp:
        addresses.append(at)
        at += len(s) + 1
    execfn_at = at
    random_at = (strings_at - 16) & ~15
    uid, gid = ids
    auxv = [(L.AT_PHDR, image.phdr), (L.AT_PHENT, 32), (L.AT_PHNUM, image.phnum),
            (L.AT_PAGESZ, PAGE), (L.AT_BASE, 0), (L.AT_FLAGS, 0), (L.AT_ENTRY, image.entry),
            (L.AT_UID, uid), (L.AT_EUID, uid), (L.AT_GID, gid), (L.AT_EGID, gid),
            (L.AT_HWCAP, HWCAP_RV32IMA), (L.AT_CLKTCK, 100), (L.AT_SECURE, 0),
            (L.AT_RANDOM, random_at), (L.AT_EXECFN, execfn_at), (L.AT_NULL, 0)]
    words = [len(argv)] + addresses[:len(argv)] + [0] + addresses[len(argv):] + [0]
    words += [w for pair in auxv for w in pair]
    sp = (random_at - 4 * len(words)) & ~15
    block = bytearray(STACK_TOP - sp)
    struct.pack_into(f'<{len(words)}I', block, 0, *words)
    block[random_at - sp:random_at - sp + 16] = random_bytes
    block[strings_at - sp:strings_at - sp + len(strings)] = strings
    space.populate(sp, bytes(block))
    argv_at = sp + 4
    envp_at = argv_at + 4 * (len(argv) + 1)
    layout = {'sp': sp, 'argc': sp, 'argv': argv_at, 'envp': envp_at,
              'auxv': envp_at + 4 * (len(envp) + 1), 'random': random_at,
              'strings': strings_at, 'execfn': execfn_at, 'top': STACK_TOP}
    return sp, auxv, layout
