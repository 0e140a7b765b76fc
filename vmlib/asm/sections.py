"""The output sections: which there are, the order the link places them in, how each is
loaded, and how large one may grow.

The assembler lays the sections out, its directives switch between them and check their size,
the ``Program`` it returns and the ELF writer describe them by these properties. The facts live
here, below all four, so that none of those modules imports another just to read them.
"""

# How each output section is loaded: ELF section flags and segment permissions follow.
# The order is the link order: .text at the base, then .data, .rodata and .bss.
SECTION_KINDS = {
    '.text': dict(executable=True, writable=False, nobits=False),
    '.data': dict(executable=False, writable=True, nobits=False),
    '.rodata': dict(executable=False, writable=False, nobits=False),
    '.bss': dict(executable=False, writable=True, nobits=True),
}

SECTION_ORDER = tuple(SECTION_KINDS)    # ('.text', '.data', '.rodata', '.bss')

MAX_SECTION_SIZE = 16 << 20        # a course program is far smaller; this bounds mistakes
