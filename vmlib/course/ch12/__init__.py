"""Chapter 12, hardware assistance and KVM: the measurements and views behind the chapter.

The guest kernel runs under the hypervisor's ``hw`` technique: the machine's H extension
driven through the KVM-like API (``vmlib.hypervisor.kvm``) by a user-space VMM
(``vmlib.hypervisor.vmm``). The chapter is a view of it:

- ``api_demo``: **the API live**, a tiny guest driven call by call, the run loop, steal time;
- ``compare``: **the same guest three ways** (trap, hw, hw without nested paging), exits by
  reason; the console's three paths; first against second generation;
- ``exercises``: two seeded exercises.
"""

from . import api_demo as _api_demo, compare as _compare, exercises as _exercises
from .api_demo import *            # noqa: F401,F403  (each part's __all__)
from .compare import *             # noqa: F401,F403
from .exercises import *           # noqa: F401,F403

__all__ = _api_demo.__all__ + _compare.__all__ + _exercises.__all__
