"""The family of virtual machines, where the beginner track ends (chapter 07).

Smith and Nair ("The Architecture of Virtual Machines", IEEE Computer 38(5), 2005, figure 4)
sort virtual machines by two questions: does the VM run one *process* (at the ABI) or a whole
*system* (at the ISA)? And is the guest's ISA the *same* as the host's or *different*? Each of
the four branches has two kinds. :data:`FAMILY` is that tree with real examples and the course's
own VMs placed in it; :func:`family_text` prints it, :func:`techniques_text` the ways a
same-ISA system VM (a hypervisor) can be built, which the advanced track takes one by one.
:class:`ClassifyVM` is the exercise.
"""
from __future__ import annotations

from dataclasses import dataclass

from .exercises import Classify
from .text import fit

__all__ = ['Kind', 'FAMILY', 'BRANCHES', 'family_text', 'TECHNIQUES', 'techniques_text',
           'EXAMPLES', 'ClassifyVM']


@dataclass(frozen=True)
class Kind:
    branch: str          #: one of BRANCHES
    name: str            #: Smith and Nair's name for the kind
    examples: str        #: real ones
    in_course: str = ''  #: the course's own, with its chapter


#: the four branches: process or system VM, same or different ISA
BRANCHES = ('process, same ISA', 'process, different ISA', 'system, same ISA',
            'system, different ISA')

FAMILY = [
    Kind('process, same ISA', 'multiprogrammed systems',
         'every operating system: each process gets its own memory and CPU time'),
    Kind('process, same ISA', 'dynamic binary optimizers', 'HP Dynamo, DynamoRIO'),
    Kind('process, different ISA', 'dynamic translators',
         'DEC FX!32, qemu-user, Apple Rosetta 2',
         'python -m vmlib run: an interpreter (05) and a translator (06)'),
    Kind('process, different ISA', 'high-level-language VMs', 'the JVM, .NET CLR, CPython',
         'the Tiny VMs, in Python and in RV32 assembly (07)'),
    Kind('system, same ISA', 'classic-system VMs (the VMM on the bare machine)',
         'IBM VM/370, VMware ESXi, Xen'),
    Kind('system, same ISA', 'hosted VMs (the VMM on a host operating system)',
         'VMware Workstation, VirtualBox',
         "vmlib's hypervisor: a Python program on your computer (09)"),
    Kind('system, different ISA', 'whole-system VMs', 'QEMU system mode, Virtual PC for Mac',
         'python -m vmlib boot: the RV32 machine (03, 08)'),
    Kind('system, different ISA', 'codesigned VMs', 'Transmeta Crusoe, IBM DAISY'),
]


def family_text() -> str:
    """The tree of :data:`FAMILY`, one kind per entry, the course's VMs marked ``*``."""
    out = ['virtual machines (Smith and Nair, 2005)']
    for kind_of_vm, where in (('process VMs', 'one program, at the ABI'),
                              ('system VMs', 'a whole machine, at the ISA')):
        out.append(f'  {kind_of_vm}: {where}')
        for branch in BRANCHES:
            if not branch.startswith(kind_of_vm.split()[0]):
                continue
            out.append(f'    {branch.split(", ")[1]}')
            for k in (k for k in FAMILY if k.branch == branch):
                out.append(fit(f'      - {k.name}: {k.examples}'))
                if k.in_course:
                    out.append(fit(f'        * in this course: {k.in_course}'))
    return '\n'.join(out)


#: how a hypervisor (a same-ISA system VM) can keep control: (technique, guest kernel,
#: who catches its privileged instructions, examples, chapter)
TECHNIQUES = [
    ('emulation', 'unmodified', 'an interpreter runs every instruction',
     'QEMU without KVM, Bochs', '08'),
    ('trap-and-emulate', 'unmodified', 'the hardware traps them; the VMM emulates',
     'IBM VM/370', '09'),
    ('binary translation', 'unmodified', 'the VMM rewrites kernel code before it runs',
     'VMware Workstation (1999)', '10'),
    ('paravirtualization', 'modified', 'the kernel calls the VMM (hypercalls) instead',
     'Xen (2003)', '11'),
    ('hardware assistance', 'unmodified', 'a guest mode in the CPU exits to the VMM',
     'KVM with Intel VT-x, AMD-V, RISC-V H', '12'),
]


def techniques_text() -> str:
    """:data:`TECHNIQUES` as a table."""
    out = [f'{"technique":<20} {"guest kernel":<12}  privileged instructions, and examples']
    for name, guest, how, examples, chapter in TECHNIQUES:
        out.append(f'{name:<20} {guest:<12}  {how}')
        out.append(f'{"":<20} {"":<12}  e.g. {examples}; chapter {chapter}')
    return '\n'.join(out)


#: (a VM, its branch): what the exercise asks about
EXAMPLES = [
    ('qemu-riscv32 runs a RISC-V Linux program on an x86 laptop', 'process, different ISA'),
    ('Rosetta 2 runs an x86-64 macOS application on an ARM Mac', 'process, different ISA'),
    ('a JVM runs a .class file on a phone', 'process, different ISA'),
    ('CPython runs a .pyc file', 'process, different ISA'),
    ('python -m vmlib run guests/hello.elf (chapter 05)', 'process, different ISA'),
    ('Linux gives each of two x86 programs its own address space and time slices',
     'process, same ISA'),
    ('DynamoRIO re-optimizes a running x86 program\'s code, on x86', 'process, same ISA'),
    ('VMware ESXi runs ten Windows and Linux servers on one x86 server', 'system, same ISA'),
    ('VirtualBox runs a Linux desktop in a window on a Windows x86 laptop',
     'system, same ISA'),
    ("vmlib's hypervisor runs the RV32 guest kernel on the RV32 machine (chapter 09)",
     'system, same ISA'),
    ('Xen runs a modified Linux kernel beside others on one x86 server', 'system, same ISA'),
    ('qemu-system-riscv32 boots a RISC-V Linux kernel on an x86 laptop',
     'system, different ISA'),
    ('python -m vmlib boot runs the RV32 guest kernel on your computer (chapter 08)',
     'system, different ISA'),
    ('Virtual PC for Mac ran Windows for x86 on a PowerPC Macintosh', 'system, different ISA'),
]


class ClassifyVM(Classify):
    """Place virtual machines in Smith and Nair's family."""

    chapter = 7
    title = "Place the virtual machine"
    ITEMS = EXAMPLES
    KINDS = BRANCHES
    EXTRA = 2
    WRONG = "Item(s) {} belong to another branch."

    def question(self, p):
        lines = ["Is each a process VM (one program, at the ABI) or a system VM (a whole "
                 "machine, at the ISA),", "and is the guest's ISA the same as the host's or "
                 "different? Answer one of",
                 "  " + ", ".join(repr(b) for b in BRANCHES)]
        lines += self.lettered(p)
        lines.append("Answer with a list, e.g. ['system, same ISA', ...].")
        return "\n".join(lines)

    def explain(self, p, answer):
        kinds = {b: [k.name for k in FAMILY if k.branch == b] for b in BRANCHES}
        return "\n".join(fit(f"  {self.letter(k)} {a}: one of the {' or '.join(kinds[a])}")
                         for k, a in enumerate(answer))

    def format_answer(self, answer) -> str:
        return '[' + ',\n         '.join(repr(a) for a in answer) + ']'

    def diagnose(self, p, given):
        if not isinstance(given, list) or len(given) != len(p["items"]):
            return []
        hints = []
        for k, (g, a) in enumerate(zip(given, self.solve(p))):
            if not isinstance(g, str) or g == a:
                continue
            item = chr(ord('a') + k) + ')'
            if g.split(',')[0] != a.split(',')[0]:
                hints.append(f"{item}: does it run one program, or boot an operating system?")
            else:
                hints.append(f"{item}: which instruction set do the guest's instructions "
                             "belong to, and which does the host's processor run?")
        return hints

    def wrong_answers(self, p, answer):
        flip = {'process, same ISA': 'system, same ISA',
                'process, different ISA': 'process, same ISA',
                'system, same ISA': 'system, different ISA',
                'system, different ISA': 'process, different ISA'}
        return [[flip[a] for a in answer], [BRANCHES[0]] * len(answer), answer[:-1]]
