"""Chapter 11, paravirtualization: the measurements and views behind the chapter.

The guest kernel's Xen-style port (``vmlib/guest/pv.s``) runs under the hypervisor's ``pv``
technique (``vmlib.hypervisor.pv``). The chapter is a view of it:

- ``port_view``: **the port**, a part of the kernel with the paravirtual lines marked, and
  its size against the whole kernel (Barham et al.'s measure);
- ``compare``: **the same work under trap and pv**, exits and cycles by cause per workload;
  and what **batching** page-table updates buys;
- ``ring``: **the shared ring in motion**, a virtio queue step by step, notification
  suppression both ways (the widget: ``vmlib.viz.ring``);
- ``exercises``: two seeded exercises.
"""

from . import compare as _compare, exercises as _exercises, port_view as _port_view, \
    ring as _ring
from .compare import *             # noqa: F401,F403  (each part's __all__)
from .exercises import *           # noqa: F401,F403
from .port_view import *           # noqa: F401,F403
from .ring import RingDemo, RingState, RingStep      # noqa: F401

__all__ = (_compare.__all__ + _exercises.__all__ + _port_view.__all__
           + ['RingDemo', 'RingState', 'RingStep'])
del _ring
