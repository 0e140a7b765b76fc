"""Chapter 02: server consolidation, in numbers.

Before virtualization, each service had its own server, and most servers idled: a web server
busy in the afternoon, a batch server busy at night, a developer's box busy now and then.
Consolidation puts them, as virtual machines, on fewer hosts. How many fewer -- and at what risk --
depends on how the VMs are *sized* when they are packed:

``"dedicated"``   one VM per server (the starting point);
``"peak"``        first-fit decreasing on each VM's peak load: no host is ever overloaded;
``"percentile"``  first-fit decreasing on a percentile (say the 95th) of each VM's load: fewer
                  hosts, but when several VMs peak together a host is *overcommitted*;
``"timeseries"``  first-fit decreasing on peak, but a VM fits a host if the *sum of the load
                  curves* stays under capacity at every moment: VMs that peak at different
                  times (web by day, batch by night) share a host safely.

Loads are fractions of one host's CPU (1.0 = a host fully busy), sampled every 15 minutes over
two days. Everything is generated from an explicit seed; VM ``i`` depends only on the seed, the
mix and ``i``, so adding VMs never changes the ones already there.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .exercises import Exercise

__all__ = ["PROFILES", "DEFAULT_MIX", "STEPS_PER_HOUR", "HOURS", "VM", "make_vms",
           "profile_sequence", "Placement", "pack", "dedicated", "compare", "rebalance",
           "rebalance_report", "summary_table", "FirstFitDecreasing"]

STEPS_PER_HOUR = 4
HOURS = 48
T = STEPS_PER_HOUR * HOURS

#: the load profiles and what they stand for
PROFILES = {
    "web": "diurnal web server: busy in the afternoon, quiet at night",
    "batch": "batch job: runs hard for a few hours every night, idle by day",
    "dev": "developer box: mostly idle, short spikes in working hours",
    "bursty": "bursty service: quiet, with random bursts at any hour",
    "db": "database: steady moderate load, a little higher by day",
}


@dataclass
class VM:
    name: str
    profile: str
    load: np.ndarray = field(repr=False)

    @property
    def peak(self) -> float:
        return float(self.load.max())

    @property
    def mean(self) -> float:
        return float(self.load.mean())

    def percentile(self, p: float) -> float:
        return float(np.percentile(self.load, p))


def _hours() -> np.ndarray:
    return np.arange(T) / STEPS_PER_HOUR


def _profile_load(profile: str, rng: np.random.Generator) -> np.ndarray:
    h = _hours()
    hod = h % 24
    if profile == "web":
        peak_hour = 14 + rng.normal(0, 1.0)
        amp = rng.uniform(0.2, 0.45)
        base = rng.uniform(0.02, 0.06)
        shape = np.cos(2 * np.pi * (hod - peak_hour) / 24).clip(0) ** 2
        load = base + amp * shape + rng.normal(0, 0.015, T)
    elif profile == "batch":
        start = rng.integers(0, 3)
        length = rng.integers(3, 6)
        level = rng.uniform(0.45, 0.75)
        on = ((hod - start) % 24) < length
        load = np.where(on, level, 0.02) + rng.normal(0, 0.01, T)
    elif profile == "dev":
        load = 0.02 + rng.normal(0, 0.005, T)
        work = (hod >= 9) & (hod < 18)
        spikes = work & (rng.random(T) < 0.08)
        load = load + spikes * rng.uniform(0.1, 0.3, T)
    elif profile == "bursty":
        load = 0.04 + rng.normal(0, 0.01, T)
        i = 0
        while i < T:
            i += int(rng.exponential(STEPS_PER_HOUR * 8)) + 1
            if i >= T:
                break
            d = int(rng.integers(2, 2 * STEPS_PER_HOUR))
            load[i:i + d] += rng.uniform(0.3, 0.6)
            i += d
    elif profile == "db":
        level = rng.uniform(0.2, 0.3)
        load = level + 0.06 * np.cos(2 * np.pi * (hod - 13) / 24) + rng.normal(0, 0.02, T)
    else:
        raise ValueError(f"unknown profile {profile!r}; profiles: {', '.join(PROFILES)}")
    return load.clip(0.0, 0.95)


def profile_sequence(n: int, mix: dict) -> list[str]:
    """The profiles of VMs 0..n-1 for a ``mix`` of weights ``{profile: weight}``.

    Smooth weighted round-robin (as in nginx): the first ``k`` entries are the same for every
    ``n >= k``, and every prefix follows the weights as closely as whole VMs can.
    """
    weights = {p: float(w) for p, w in mix.items() if w > 0}
    for p in weights:
        if p not in PROFILES:
            raise ValueError(f"unknown profile {p!r}; profiles: {', '.join(PROFILES)}")
    if not weights:
        raise ValueError("the mix needs at least one profile with a positive weight")
    total = sum(weights.values())
    current = {p: 0.0 for p in weights}
    out = []
    for _ in range(n):
        for p in weights:
            current[p] += weights[p]
        best = max(weights, key=lambda p: (current[p], -list(weights).index(p)))
        current[best] -= total
        out.append(best)
    return out


DEFAULT_MIX = {"web": 3, "batch": 2, "dev": 3, "bursty": 1, "db": 1}


def make_vms(n: int, mix: dict | None = None, seed: int = 0) -> list[VM]:
    """``n`` VMs whose profiles follow ``mix`` (default: :data:`DEFAULT_MIX`)."""
    mix = DEFAULT_MIX if mix is None else mix
    vms = []
    for i, prof in enumerate(profile_sequence(n, mix)):
        rng = np.random.default_rng([seed, i, list(PROFILES).index(prof)])
        vms.append(VM(f"{prof}{i}", prof, _profile_load(prof, rng)))
    return vms


@dataclass
class Placement:
    """The result of packing: which VMs (indices into ``vms``) run on which host."""

    policy: str
    capacity: float
    hosts: list                    #: list of lists of VM indices
    vms: list = field(repr=False)
    percentile: float | None = None

    @property
    def n_hosts(self) -> int:
        return len(self.hosts)

    def host_load(self) -> np.ndarray:
        """Array (hosts x time) of the summed load on each host."""
        out = np.zeros((len(self.hosts), T))
        for h, members in enumerate(self.hosts):
            for i in members:
                out[h] += self.vms[i].load
        return out

    def metrics(self) -> dict:
        """Hosts, mean utilization of the hosts, the share of host-time overloaded, the worst
        moment on the busiest host, and the share of all demand that could not be served."""
        hl = self.host_load()
        total = sum(v.load.sum() for v in self.vms)
        over = hl > self.capacity + 1e-12
        excess = np.clip(hl - self.capacity, 0, None).sum()
        return {
            "hosts": self.n_hosts,
            "utilization": float(total / (self.n_hosts * self.capacity * T)) if self.hosts else 0.0,
            "overloaded": float(over.mean()) if self.hosts else 0.0,
            "worst": float(hl.max() / self.capacity) if self.hosts else 0.0,
            "unserved": float(excess / total) if total else 0.0,
        }

    @property
    def label(self) -> str:
        if self.policy == "percentile":
            return f"p{self.percentile:g}"
        return self.policy


def _size(vm: VM, policy: str, percentile: float) -> float:
    if policy in ("peak", "timeseries"):
        return vm.peak
    if policy == "percentile":
        return vm.percentile(percentile)
    raise ValueError(f"unknown policy {policy!r}")


def pack(vms: list[VM], capacity: float = 1.0, policy: str = "peak",
         percentile: float = 95.0) -> Placement:
    """First-fit decreasing: sort the VMs by size (largest first; ties by index) and put each on
    the first host where it fits, opening a new host when none does.

    ``policy`` chooses the size and the fit test: ``"peak"`` and ``"percentile"`` add up sizes;
    ``"timeseries"`` adds up whole load curves and checks every moment.
    """
    if policy == "dedicated":
        return dedicated(vms, capacity)
    sizes = [_size(v, policy, percentile) for v in vms]
    for v, s in zip(vms, sizes):
        if v.peak > capacity + 1e-12 and policy != "percentile":
            raise ValueError(f"{v.name} peaks at {v.peak:.2f}, more than a host ({capacity})")
        if s > capacity + 1e-12:
            raise ValueError(f"{v.name} ({s:.2f}) does not fit on a host ({capacity})")
    order = sorted(range(len(vms)), key=lambda i: (-sizes[i], i))
    hosts: list[list[int]] = []
    used: list[float] = []
    curves: list[np.ndarray] = []
    for i in order:
        for h in range(len(hosts)):
            if policy == "timeseries":
                fits = (curves[h] + vms[i].load).max() <= capacity + 1e-12
            else:
                fits = used[h] + sizes[i] <= capacity + 1e-12
            if fits:
                hosts[h].append(i)
                used[h] += sizes[i]
                curves[h] = curves[h] + vms[i].load
                break
        else:
            hosts.append([i])
            used.append(sizes[i])
            curves.append(vms[i].load.copy())
    return Placement(policy, capacity, hosts, vms,
                     percentile if policy == "percentile" else None)


def dedicated(vms: list[VM], capacity: float = 1.0) -> Placement:
    """One VM per server: the world before consolidation."""
    return Placement("dedicated", capacity, [[i] for i in range(len(vms))], vms)


def compare(vms: list[VM], capacity: float = 1.0, percentile: float = 95.0) -> list[Placement]:
    """Dedicated, peak, percentile and time-series packings of the same VMs."""
    return [dedicated(vms, capacity), pack(vms, capacity, "peak"),
            pack(vms, capacity, "percentile", percentile), pack(vms, capacity, "timeseries")]


def summary_table(placements: list[Placement]) -> str:
    """A fixed-width text table of the placements' metrics."""
    lines = [f"{'policy':<11}{'hosts':>6}{'mean util':>11}{'overloaded':>12}{'worst':>8}"
             f"{'unserved':>10}"]
    for p in placements:
        m = p.metrics()
        lines.append(f"{p.label:<11}{m['hosts']:>6d}{m['utilization']:>10.1%}"
                     f"{m['overloaded']:>11.1%} {m['worst']:>7.0%}{m['unserved']:>9.2%}")
    return "\n".join(lines)


def rebalance(placement: Placement, step: int, max_moves: int = 10,
              good_enough: float = 0.8) -> tuple[list, list]:
    """Balance the hosts' load at time ``step`` by moving VMs (each move: a live migration).

    Greedy: repeatedly move the VM from the busiest host to the idlest one that lowers the
    busiest host's load the most without making the target the new busiest; stop when no move
    helps, or once the busiest host is at most ``good_enough`` of its capacity (migrations are
    not free: a balancer moves only what it must). Returns ``(moves, hosts)``: moves as
    ``(vm name, from host, to host)`` and the new host membership. The placement itself is not
    changed.
    """
    hosts = [list(h) for h in placement.hosts]
    vms = placement.vms

    def load(h):
        return sum(vms[i].load[step] for i in hosts[h])

    moves = []
    for _ in range(max_moves):
        loads = [load(h) for h in range(len(hosts))]
        if max(loads) <= good_enough * placement.capacity + 1e-12:
            break
        src = max(range(len(hosts)), key=lambda h: (loads[h], -h))
        dst = min(range(len(hosts)), key=lambda h: (loads[h], h))
        best, best_peak = None, loads[src]
        for i in sorted(hosts[src]):
            x = vms[i].load[step]
            new_peak = max(loads[src] - x, loads[dst] + x)
            if new_peak < best_peak - 1e-9:
                best, best_peak = i, new_peak
        if best is None:
            break
        hosts[src].remove(best)
        hosts[dst].append(best)
        moves.append((vms[best].name, src, dst))
    return moves, hosts


def rebalance_report(placement: Placement, step: int | None = None) -> str:
    """Text: the hosts' load at ``step`` (default: the moment of the worst overload), the moves
    :func:`rebalance` makes, and the loads after them."""
    hl = placement.host_load()
    if step is None:
        step = int(hl.max(axis=0).argmax())
    moves, hosts = rebalance(placement, step)
    after = [sum(placement.vms[i].load[step] for i in h) for h in hosts]
    hh, mm = divmod(step * 60 // STEPS_PER_HOUR, 60)
    lines = [f"{placement.label} packing, {placement.n_hosts} hosts, at hour {hh}:{mm:02d} "
             f"(day {hh // 24 + 1}):",
             "  before: " + " ".join(f"{x:4.0%}" for x in hl[:, step]),
             f"  {len(moves)} live migration(s): "
             + ", ".join(f"{name} {a}->{b}" for name, a, b in moves),
             "  after:  " + " ".join(f"{x:4.0%}" for x in after),
             f"  busiest host: {hl[:, step].max():.0%} -> {max(after):.0%}"]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# exercise
# --------------------------------------------------------------------------------------------
class FirstFitDecreasing(Exercise):
    """Pack VMs by hand with first-fit decreasing."""

    chapter = 2
    title = "Pack VMs with first-fit decreasing"

    def generate(self, rng):
        n = rng.randint(6, 8)
        names = [chr(ord("A") + i) for i in range(n)]
        sizes = [rng.randrange(10, 75, 5) for _ in range(n)]
        return {"names": names, "sizes": sizes, "capacity": 100}

    def _ffd(self, p):
        names, sizes, cap = p["names"], p["sizes"], p["capacity"]
        order = sorted(range(len(names)), key=lambda i: (-sizes[i], i))
        hosts, used = [], []
        for i in order:
            for h in range(len(hosts)):
                if used[h] + sizes[i] <= cap:
                    hosts[h].append(names[i])
                    used[h] += sizes[i]
                    break
            else:
                hosts.append([names[i]])
                used.append(sizes[i])
        return hosts

    def solve(self, p):
        return [sorted(h) for h in self._ffd(p)]

    def question(self, p):
        vms = ", ".join(f"{n}={s}" for n, s in zip(p["names"], p["sizes"]))
        return (f"Hosts have capacity {p['capacity']}. VM peak loads: {vms}.\n"
                "Pack them with first-fit decreasing (largest first; ties: alphabetical; each "
                "VM goes\non the first host, in the order hosts were opened, where it fits). "
                "Answer with a list of\nhosts, each a list of VM names, e.g. "
                "[['A', 'C'], ['B']].")

    def explain(self, p, answer):
        order = sorted(range(len(p["names"])), key=lambda i: (-p["sizes"][i], i))
        lines = ["Sorted: " + ", ".join(f"{p['names'][i]}={p['sizes'][i]}" for i in order)]
        for k, h in enumerate(self._ffd(p)):
            total = sum(p["sizes"][p["names"].index(n)] for n in h)
            lines.append(f"  host {k}: {' + '.join(h)} = {total}")
        return "\n".join(lines)

    def normalize(self, given):
        given = super().normalize(given)
        if isinstance(given, list) and all(isinstance(h, (list, set)) for h in given):
            return [sorted(str(n).strip().upper() for n in h) for h in given]
        return given

    hints_replace_generic = True

    def diagnose(self, p, given):
        if not (isinstance(given, list) and all(isinstance(h, list) for h in given)):
            return ["Answer with a list of hosts, each a list of VM names."]
        size = dict(zip(p["names"], p["sizes"]))
        flat = [n for h in given for n in h]
        hints = []
        unknown = sorted(set(flat) - set(size))
        if unknown:
            hints.append(f"Unknown VM name(s): {unknown}.")
        twice = sorted({n for n in flat if flat.count(n) > 1})
        if twice:
            hints.append(f"VM(s) placed more than once: {twice}.")
        missing = sorted(set(size) - set(flat))
        if missing:
            hints.append(f"VM(s) not placed: {missing}.")
        for k, h in enumerate(given):
            load = sum(size.get(n, 0) for n in h)
            if load > p["capacity"]:
                hints.append(f"Host {k} holds {load}, more than its capacity {p['capacity']}.")
        if not hints:
            expected = self.solve(p)
            if len(given) > len(expected):
                hints.append("A valid packing, but first-fit decreasing uses fewer hosts: "
                             "did you go largest first and try every open host?")
            elif len(given) < len(expected):
                hints.append("A valid packing with fewer hosts than first-fit decreasing finds "
                             "(it is a heuristic, not optimal) -- but the question asks for "
                             "what first-fit decreasing does.")
            else:
                diff = [k for k, (g, e) in enumerate(zip(given, expected)) if g != e]
                hints.append(f"A valid packing, but not first-fit decreasing's: host(s) {diff} "
                             "differ. Place the VMs largest first, each on the FIRST host where "
                             "it fits.")
        return hints

    def wrong_answers(self, p, answer):
        flat = [n for h in answer for n in h]
        return [[flat], [[n] for n in flat], answer[:-1], answer + [[]] if answer else [["A"]]]
