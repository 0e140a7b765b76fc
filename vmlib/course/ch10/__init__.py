"""Chapter 10, full virtualization by binary translation: the measurements and views behind
the chapter.

The guest kernel runs under the hypervisor's ``bt`` technique (``vmlib.hypervisor.techniques.bt``
and its translator, ``vmlib.hypervisor.bt``): VMware's monitor of 1999 on the course machine.
The chapter is a view of it:

- ``translation``: **a kernel region and its translation** side by side, each instruction's
  treatment (ident, callout, chained, lookup) beside the Python its block became;
- ``cache``: **the translation cache filling** as the guest runs, cache change by change;
- ``compare``: **translated against direct** instructions per workload, **where the time
  goes** against trap-and-emulate, **adaptive translation** on ``ptemod``, and the
  **non-virtualizable CPU**;
- ``exercises``: two seeded exercises.
"""

from . import (cache as _cache, compare as _compare, exercises as _exercises,
               translation as _translation)
from .cache import *               # noqa: F401,F403  (each part's __all__)
from .compare import *             # noqa: F401,F403
from .exercises import *           # noqa: F401,F403
from .translation import *         # noqa: F401,F403

__all__ = _translation.__all__ + _cache.__all__ + _compare.__all__ + _exercises.__all__
