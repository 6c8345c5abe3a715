"""Latency- and size-constrained subnet search, Eq. 32, by regularised evolution.

    max_a Acc(N(a, W_A(a)))   s.t.  lo <= Lat_pre(a, D) <= hi      (Lat_cons(D) = [lo, hi] ms)
                                    params(a) in [p_lo, p_hi], MACs(a) in [m_lo, m_hi]

The size bounds are Sec. VIII's "structure size interval" (Fig. 5: developers declare a
processing-delay interval and a structure-size interval); sizes are those of the 224x224 network
(:func:`~satgym.adaptive.search_space.model_size`). ``latency_range`` (optional) replaces the
point latency by an interval, e.g. the range over every admissible calibration
(:class:`~satgym.adaptive.identification.LatencyIdentification`): an architecture is then feasible
only if its whole interval lies inside the budget (a robust search).

Regularised evolution (Real et al., 2019): a population of ``population_size`` genotypes; each
cycle a tournament of ``tournament_size`` picks a parent, one mutation makes a child, the oldest
member dies. The initial population holds the cheapest architecture plus random samples (so a
budget just above the fastest achievable latency is still reached). Fitness is the validation
accuracy for feasible architectures and ``-1 - distance`` otherwise, the distance to every
interval summed, each relative to its upper bound (so the search is pulled into the budget;
accuracy is only evaluated for feasible ones). Everything is driven by one
``random.Random(seed)``: the same seed gives the same result.

If the bounds cannot be met, the result has ``feasible=False`` and a message naming the
processor, the bounds and the fastest (slowest) achievable latency or smallest (largest) size.

Example:
    >>> from satgym.adaptive.predictor import LatencyPredictor
    >>> pred = LatencyPredictor("Snapdragon 835")
    >>> r = evolve("mobilenetv3", pred, lambda a: 0.5, (15, 20), cycles=10, seed=0)
    >>> r.feasible and 15 <= r.latency_ms <= 20
    True
    >>> evolve("mobilenetv3", pred, lambda a: 0.5, (0.1, 0.2), cycles=5).feasible
    False
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from satgym.adaptive import genome
from satgym.adaptive.predictor import LatencyPredictor
from satgym.adaptive.search_space import (MB_DEPTHS, SH_CHANNELS, SH_DEPTHS, model_size,
                                          search_space)
from satgym.adaptive.supernet import largest_architecture


class InfeasibleBudgetError(ValueError):
    """No architecture of the space meets the latency budget on the processor."""


@dataclass
class SearchResult:
    processor: str
    family: str
    budget_ms: tuple[float, float]
    feasible: bool
    message: str
    arch: dict | None = None
    latency_ms: float | None = None
    accuracy: float | None = None  # validation accuracy (digits, shared weights)
    fastest_ms: float = 0.0
    slowest_ms: float = 0.0
    params_m: float | None = None
    macs_m: float | None = None
    latency_range_ms: tuple[float, float] | None = None
    n_evaluated: int = 0
    history: list[tuple[float, float | None]] = field(default_factory=list)

    def raise_if_infeasible(self) -> SearchResult:
        if not self.feasible:
            raise InfeasibleBudgetError(self.message)
        return self


def fastest_architecture(family: str) -> dict:
    """Every choice at its cheapest (smallest width/channels, depth, kernel, expansion, no SE)."""
    if family == "mobilenetv3":
        return {"family": family, "width": 0.5, "stages": [
            [{"kernel": 3, "expansion": 3, "se": False}] * min(d) for d in MB_DEPTHS]}
    return {"family": family, "stages": [
        {"channels": min(c), "units": [{"kernel": 3}] * min(d)} for c, d in zip(SH_CHANNELS, SH_DEPTHS)]}


def _distance(lat: float, lo: float, hi: float) -> float:
    return max(lo - lat, 0.0, lat - hi)


@dataclass(frozen=True)
class SizeBounds:
    """Structure size interval (224x224 network, BatchNorm folded); ``None`` = unbounded."""

    params_m: tuple[float, float] | None = None
    macs_m: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        for name in ("params_m", "macs_m"):
            b = getattr(self, name)
            if b is not None and not (len(b) == 2 and 0 <= b[0] <= b[1]):
                raise ValueError(f"SizeBounds.{name} must be (lo, hi) with 0 <= lo <= hi, got {b}")

    def items(self) -> list[tuple[str, tuple[float, float]]]:
        return [(n, b) for n in ("params_m", "macs_m") if (b := getattr(self, n)) is not None]


def _describe(budget_ms: tuple[float, float], size: SizeBounds, robust: bool) -> str:
    parts = [f"the latency budget [{budget_ms[0]:g}, {budget_ms[1]:g}] ms"
             + (" over every admissible calibration" if robust else "")]
    unit = {"params_m": "M params", "macs_m": "M MACs"}
    parts += [f"[{lo:g}, {hi:g}] {unit[n]}" for n, (lo, hi) in size.items()]
    return " and ".join(parts)


def evolve(family: str, predictor: LatencyPredictor | Callable[[dict], float],
           accuracy: Callable[[dict], float], budget_ms: tuple[float, float],
           population_size: int = 20, tournament_size: int = 5, cycles: int = 60, seed: int = 0,
           space: Any | None = None, processor: str | None = None,
           size_bounds: SizeBounds | None = None,
           latency_range: Callable[[dict], tuple[float, float]] | None = None) -> SearchResult:
    """Solve Eq. 32 for one processor (``predictor``) and one family."""
    lo, hi = budget_ms
    if not 0 <= lo <= hi:
        raise ValueError(f"latency budget must satisfy 0 <= lo <= hi, got {budget_ms}")
    size = size_bounds or SizeBounds()
    name = processor or getattr(getattr(predictor, "device", None), "name", "device")
    tree = genome.compile_space(space if space is not None else search_space(family))
    lat_cache: dict[Any, float] = {}
    range_cache: dict[Any, tuple[float, float]] = {}
    size_cache: dict[Any, tuple[float, float]] = {}
    acc_cache: dict[Any, float] = {}

    def latency(g: Any) -> float:
        if g not in lat_cache:
            lat_cache[g] = float(predictor(genome.decode(tree, g)))
        return lat_cache[g]

    def lat_interval(g: Any) -> tuple[float, float]:
        if latency_range is None:
            return latency(g), latency(g)
        if g not in range_cache:
            range_cache[g] = tuple(map(float, latency_range(genome.decode(tree, g))))
        return range_cache[g]

    def sizes(g: Any) -> tuple[float, float]:
        if g not in size_cache:
            ms = model_size(genome.decode(tree, g))
            size_cache[g] = (ms.params_m, ms.macs_m)
        return size_cache[g]

    def violation(g: Any) -> float:
        l_min, l_max = lat_interval(g)
        d = max(lo - l_min, 0.0, l_max - hi) / max(hi, 1e-9)
        vals = dict(zip(("params_m", "macs_m"), sizes(g))) if size.items() else {}
        for n, (b_lo, b_hi) in size.items():
            d += _distance(vals[n], b_lo, b_hi) / max(b_hi, 1e-9)
        return d

    def fitness(g: Any) -> float:
        d = violation(g)
        if d > 0:
            return -1.0 - d
        if g not in acc_cache:
            acc_cache[g] = float(accuracy(genome.decode(tree, g)))
        return acc_cache[g]

    robust = latency_range is not None
    has_sizes = space is None or bool(size.items())  # toy spaces (tests) have no network sizes
    what = _describe((lo, hi), size, robust)
    fastest = float(predictor(fastest_architecture(family))) if space is None else float("nan")
    slowest = float(predictor(largest_architecture(family))) if space is None else float("nan")
    result = SearchResult(name, family, (lo, hi), False, "", fastest_ms=fastest, slowest_ms=slowest)
    if space is None:  # every cost is smallest at the cheapest and largest at the largest arch
        small, big = fastest_architecture(family), largest_architecture(family)
        f_lat = latency_range(small)[1] if robust else fastest
        s_lat = latency_range(big)[0] if robust else slowest
        s_small, s_big = model_size(small), model_size(big)
        reasons = []
        if f_lat > hi:
            reasons.append(f"the fastest achievable latency is {f_lat:.2f} ms")
        if s_lat < lo:
            reasons.append(f"the slowest achievable latency is {s_lat:.2f} ms")
        for n, (b_lo, b_hi) in size.items():
            v_small, v_big = getattr(s_small, n), getattr(s_big, n)
            unit = "M params" if n == "params_m" else "M MACs"
            if v_small > b_hi:
                reasons.append(f"the smallest achievable size is {v_small:.2f} {unit}")
            if v_big < b_lo:
                reasons.append(f"the largest achievable size is {v_big:.2f} {unit}")
        if reasons:
            result.message = (f"infeasible: no {family} architecture meets {what} on {name}; "
                              + "; ".join(reasons))
            return result

    rng = random.Random(seed)
    population: deque[tuple[Any, float]] = deque()
    best: tuple[Any, float] | None = None
    seeds = []
    if space is None:  # start from the cheapest architecture so reachable budgets are reached
        seeds.append(genome.encode(tree, fastest_architecture(family)))
    for step in range(population_size + cycles):
        if step < len(seeds):
            g = seeds[step]
        elif step < population_size:
            g = genome.sample(tree, rng)
        else:
            contenders = [population[rng.randrange(len(population))] for _ in range(tournament_size)]
            g = genome.mutate(tree, max(contenders, key=lambda c: c[1])[0], rng)
        f = fitness(g)
        population.append((g, f))
        if len(population) > population_size:
            population.popleft()
        result.history.append((latency(g), f if f >= 0 else None))
        if best is None or f > best[1]:
            best = (g, f)
    result.n_evaluated = len(acc_cache)
    lats = list(lat_cache.values())
    if best is None or best[1] < 0:
        closest = min(lat_cache, key=violation)
        size_txt = (f", {sizes(closest)[0]:.2f} M params, {sizes(closest)[1]:.1f} M MACs"
                    if has_sizes else "")
        result.message = (f"infeasible: the search found no {family} architecture meeting {what} "
                          f"on {name} (closest {latency(closest):.2f} ms{size_txt}; "
                          f"fastest seen {min(lats):.2f} ms)")
        return result
    result.feasible, result.arch = True, genome.decode(tree, best[0])
    result.latency_ms, result.accuracy = latency(best[0]), best[1]
    result.latency_range_ms = lat_interval(best[0]) if robust else None
    size_txt = ""
    if has_sizes:
        result.params_m, result.macs_m = sizes(best[0])
        size_txt = f", {result.params_m:.2f} M params, {result.macs_m:.1f} M MACs"
    result.message = (f"{family} on {name}: {result.latency_ms:.2f} ms{size_txt}, meeting "
                      f"{what}; val accuracy {result.accuracy:.4f}")
    return result
