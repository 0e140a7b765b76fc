"""Chapter 12: one guest's exits by reason, under trap-and-emulate and hardware assistance.

:class:`ExitsWidget` -- a workload, a technique (``trap``, ``hw``, ``hw, no nested paging``):
the run's exits as bars, one per reason (what it is: the bar's tooltip), coloured by who serves
them: the user-space VMM
(``KVM_EXIT_*``), KVM in the kernel, or, under trap-and-emulate, the one VMM. The numbers are
the hypervisor's report (``vmlib.course.ch12.exits_by_reason``), cached per run.

CSS classes for tests: ``vm-kvm-exits`` (the widget), ``vm-kvm-exits-workload`` (dropdown),
``vm-kvm-exits-technique`` (toggle), ``vm-kvm-exits-bars``, ``vm-kvm-exits-bar`` (one per
reason: ``data-reason``, ``data-count``, ``data-where``), ``vm-kvm-exits-total``
(``data-total``).
"""

from __future__ import annotations

import html

from ..course.ch12.compare import TECHNIQUES, WORKLOADS, USER_EXITS, exits_by_reason

#: who serves an exit -> (label, colour)
WHERE = {'user': ('the user-space VMM (KVM_EXIT_*)', '#d1495b'),
         'kernel': ('KVM, in the kernel', '#00798c'),
         'vmm': ('the VMM (trap-and-emulate)', '#edae49')}
#: what each exit reason is, in a few words
REASONS = {
    'KVM_EXIT_RISCV_SBI': 'an SBI call KVM forwards: the console',
    'KVM_EXIT_MMIO': 'a load or store at a device register',
    'KVM_EXIT_SYSTEM_EVENT': 'SBI system reset: the guest powers off',
    'sbi_time': 'SBI set_timer, served by KVM',
    'wfi': 'wfi: KVM halts the vCPU until its timer',
    'redirect': "an exception handed back to the guest",
    'hidden_page_fault': 'the shadow table lacks an entry: filled',
    'page_table_write': "a store to a write-protected guest page table",
    'guest_page_fault': "the guest's own page fault, handed back",
    'satp': "the guest's satp: KVM switches shadows",
    'sfence_vma': "the guest's sfence.vma: a TLB flush",
    'sbi': 'an SBI call: console, timer, power off',
    'privileged_instruction': 'a CSR access, sret, sfence.vma, wfi: emulated',
    'guest_exception': "the guest's own trap, reflected to its kernel",
    'timer': "the VMM's timer: slice over, or virtual timer due",
    'mmio': 'a device register, emulated',
}
BAR_PX = 360


def where(technique, reason):
    if TECHNIQUES[technique][0] != 'hw':
        return 'vmm'
    return 'user' if reason in USER_EXITS else 'kernel'


def bars_html(technique, exits):
    """The bars of one run's exits (``{reason: count}``), largest first."""
    total = sum(exits.values())
    top = max(exits.values(), default=1)
    rows = []
    for reason, n in sorted(exits.items(), key=lambda kv: (-kv[1], kv[0])):
        w = where(technique, reason)
        width = max(2, round(BAR_PX * n / top))
        rows.append(
            f"<div class='vm-kvm-exits-bar' data-reason='{html.escape(reason)}' "
            f"data-count='{n}' data-where='{w}' title='{html.escape(REASONS.get(reason, ''))}'"
            " style='display:flex; align-items:center; gap:8px; margin:2px 0'>"
            "<span style='width:190px; text-align:right; font-family:monospace'>"
            f"{html.escape(reason)}</span>"
            f"<span style='display:inline-block; height:14px; width:{width}px; "
            f"background:{WHERE[w][1]}'></span>"
            f"<span style='font-family:monospace'>{n:,}</span></div>")
    legend = ' &nbsp; '.join(f"<span style='color:{c}'>&#9632;</span> {html.escape(label)}"
                             for key, (label, c) in WHERE.items()
                             if (key == 'vmm') == (TECHNIQUES[technique][0] != 'hw'))
    return (f"<div class='vm-kvm-exits-bars' style='font-size:13px'>{''.join(rows)}"
            f"<div class='vm-kvm-exits-total' data-total='{total}' style='margin-top:6px'>"
            f"<b>{total:,} exits</b> &nbsp; {legend}</div></div>")


class ExitsWidget:
    """A workload (dropdown) and a technique (toggle): the exits of that run by reason."""

    def __init__(self, workload='demo', technique='hw', workloads=WORKLOADS):
        import ipywidgets as w
        from ._course_common import live_box
        self.workload = w.Dropdown(options=list(workloads), value=workload,
                                   description='workload', layout=w.Layout(width='220px'))
        self.technique = w.ToggleButtons(options=list(TECHNIQUES), value=technique,
                                         style={'button_width': '170px'})
        self.bars = w.HTML()
        for wdg, cls in ((self.workload, 'vm-kvm-exits-workload'),
                         (self.technique, 'vm-kvm-exits-technique')):
            wdg.add_class(cls)
        for control in (self.workload, self.technique):
            control.observe(lambda change: self.show(), names='value')
        self.widget = live_box([self.workload, self.technique, self.bars],
                               'Exits by reason')
        self.widget.add_class('vm-kvm-exits')
        self.show()

    def show(self):
        exits = exits_by_reason(self.workload.value)[self.technique.value]
        self.bars.value = bars_html(self.technique.value, exits)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self):
        return repr(self.widget)
