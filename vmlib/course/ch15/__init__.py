"""Chapter 15, side by side: every technique on every workload, and the classic comparison.

- ``compare``: the runs (counts, cached) and their cycles under any ``CostModel``; winners
  and exactly where they change (``crossovers``);
- ``orderings``: Adams & Agesen's and Barham et al.'s findings as claims on our runs, each
  checked and explained from the counts, beside the papers' own figures;
- ``exercises``: predict the winner from the counts.
"""

from . import compare as _compare, exercises as _exercises, orderings as _orderings
from .compare import *             # noqa: F401,F403  (each part's __all__)
from .exercises import *           # noqa: F401,F403
from .orderings import *           # noqa: F401,F403

__all__ = _compare.__all__ + _orderings.__all__ + _exercises.__all__
