"""Chapter 09, trap-and-emulate and Popek & Goldberg: the measurements behind the chapter.

The guest kernel (``vmlib.guest``) runs under the hypervisor's trap-and-emulate technique:
deprivileged to U-mode, every privileged instruction it executes traps into the VMM, which
emulates it on the guest's virtual CSRs. The chapter is a view of what the hypervisor
records and reports:

- ``log``: **the VMM's exits one by one**, told from the hypervisor's exit log
  (:func:`record`, :class:`VmmExit`), and one system call's bounce (:class:`Bounce`);
- ``properties``: Popek & Goldberg's first two properties, measured -- **equivalence** and
  **resource control**;
- ``costs``: the third, **efficiency**, and what trap-and-emulate's cycles go to: the whole
  run and its steady state apart from start-up, by cause (boot, console, timer, page tables,
  the workload), what one exit costs, what **shadow page tables** cost;
- ``divergence``: **the non-virtualizable variant**, where trap-and-emulate silently
  computes something else;
- ``exercises``: four seeded exercises, answered by the machine and the hypervisor.
"""

from . import costs as _costs, divergence as _divergence, exercises as _exercises, \
    log as _log, properties as _properties
from .costs import *               # noqa: F401,F403  (each part's __all__)
from .divergence import *          # noqa: F401,F403
from .exercises import *           # noqa: F401,F403
from .log import *                 # noqa: F401,F403
from .properties import *          # noqa: F401,F403

__all__ = (_log.__all__ + _properties.__all__ + _costs.__all__ + _divergence.__all__
           + _exercises.__all__)
