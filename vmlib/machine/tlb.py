"""A bounded TLB model: what a real translation cache of ``entries`` entries would hit and miss.

The MMU's own TLB (``mmu.py``) is a set of Python dicts with no bound: it exists for speed, and
it forgets everything whenever anything about translation changes. Neither is what hardware
does, so a measurement of memory virtualization needs this model beside it (``Mmu.model``):

- ``entries`` entries, fully associative, least recently used out first; an entry is one
  virtual page, for instruction fetches or for data (a store needs an entry that a walk has
  made writable: the first store to a page walks again, as setting D does in hardware);
- entries are **tagged** by the translation context -- the mode, the ASID of ``satp`` or
  ``vsatp``, the VMID of ``hgatp``, and SUM/MXR -- so changing address space or VM does not
  flush: another context simply misses. Only fences flush (``sfence.vma``, ``hfence.*``, and a
  VMM's own fence after it changed a shadow or G-stage table);
- it counts ``hits``, ``misses`` and ``flushes``; the MMU counts the page-table references of
  the walks that misses cost (``Mmu.references``).

With the model on, the MMU's fast paths are off (every access asks the model), so a run is
several times slower: a measuring instrument, not the way to run a workload.
"""

from collections import OrderedDict

FETCH_ENTRY, DATA_ENTRY = 'i', 'd'


class TlbModel:
    def __init__(self, entries=64):
        if entries < 1:
            raise ValueError(f'a TLB has at least one entry, not {entries}')
        self.entries = entries
        self.cache = OrderedDict()      # (tag, vpn, kind) -> (page base, writable)
        self.hits = self.misses = self.flushes = 0

    def lookup(self, tag, vpn, fetch, store):
        """The physical page base cached for this access, or None (a miss)."""
        key = (tag, vpn, FETCH_ENTRY if fetch else DATA_ENTRY)
        entry = self.cache.get(key)
        if entry is None or (store and not entry[1]):
            self.misses += 1
            return None
        self.cache.move_to_end(key)
        self.hits += 1
        return entry[0]

    def insert(self, tag, vpn, fetch, store, base):
        """A walk allowed the access: keep its page (writable if the access was a store)."""
        key = (tag, vpn, FETCH_ENTRY if fetch else DATA_ENTRY)
        writable = store or (key in self.cache and self.cache[key][1])
        self.cache[key] = (base, writable)
        self.cache.move_to_end(key)
        while len(self.cache) > self.entries:
            self.cache.popitem(last=False)

    def flush(self):
        if self.cache:
            self.cache.clear()
        self.flushes += 1

    def stats(self):
        total = self.hits + self.misses
        return {'entries': self.entries, 'hits': self.hits, 'misses': self.misses,
                'flushes': self.flushes, 'miss_rate': self.misses / total if total else 0.0}
