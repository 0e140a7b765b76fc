"""Chapter 13, memory virtualization: the measurements and views behind the chapter.

- ``compare``: **shadow against nested paging** with a bounded TLB model: exits, TLB misses,
  walk references and cycles per workload, and across TLB sizes;
- the two-dimensional walk itself is ``vmlib.machine.walk2d``, shown on real tables by
  ``vmlib.course.walk2d_demo`` (the widget: ``vmlib.viz.walk2d``);
- ``exercises``: two seeded exercises.
"""

from . import compare as _compare, exercises as _exercises
from .compare import *             # noqa: F401,F403  (each part's __all__)
from .exercises import *           # noqa: F401,F403

__all__ = _compare.__all__ + _exercises.__all__
