"""Latency-constrained subnet search, Eq. 32, by regularised evolution.

    max_a Acc(N(a, W_A(a)))   s.t.  lo <= Lat_pre(a, D) <= hi      (Lat_cons(D) = [lo, hi] ms)

Regularised evolution (Real et al., 2019): a population of ``population_size`` genotypes; each
cycle a tournament of ``tournament_size`` picks a parent, one mutation makes a child, the oldest
member dies. The initial population holds the cheapest architecture plus random samples (so a
budget just above the fastest achievable latency is still reached). Fitness is the validation accuracy for feasible architectures and
``-1 - distance_to_interval_ms`` otherwise (so the search is pulled into the budget; accuracy is
only evaluated for feasible ones). Everything is driven by one ``random.Random(seed)``: the same
seed gives the same result.

If the budget cannot be met, the result has ``feasible=False`` and a message naming the
processor, the budget and the fastest (and slowest) achievable latency.

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
from satgym.adaptive.search_space import MB_DEPTHS, SH_CHANNELS, SH_DEPTHS, search_space
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


def evolve(family: str, predictor: LatencyPredictor | Callable[[dict], float],
           accuracy: Callable[[dict], float], budget_ms: tuple[float, float],
           population_size: int = 20, tournament_size: int = 5, cycles: int = 60, seed: int = 0,
           space: Any | None = None, processor: str | None = None) -> SearchResult:
    """Solve Eq. 32 for one processor (``predictor``) and one family."""
    lo, hi = budget_ms
    if not lo <= hi:
        raise ValueError(f"latency budget must satisfy lo <= hi, got {budget_ms}")
    name = processor or getattr(getattr(predictor, "device", None), "name", "device")
    tree = genome.compile_space(space if space is not None else search_space(family))
    lat_cache: dict[Any, float] = {}
    acc_cache: dict[Any, float] = {}

    def latency(g: Any) -> float:
        if g not in lat_cache:
            lat_cache[g] = float(predictor(genome.decode(tree, g)))
        return lat_cache[g]

    def fitness(g: Any) -> float:
        lat = latency(g)
        if _distance(lat, lo, hi) > 0:
            return -1.0 - _distance(lat, lo, hi)
        if g not in acc_cache:
            acc_cache[g] = float(accuracy(genome.decode(tree, g)))
        return acc_cache[g]

    fastest = float(predictor(fastest_architecture(family))) if space is None else float("nan")
    slowest = float(predictor(largest_architecture(family))) if space is None else float("nan")
    result = SearchResult(name, family, (lo, hi), False, "", fastest_ms=fastest, slowest_ms=slowest)
    if space is None and (fastest > hi or slowest < lo):
        bound = (f"the fastest achievable latency is {fastest:.2f} ms" if fastest > hi
                 else f"the slowest achievable latency is {slowest:.2f} ms")
        result.message = (f"infeasible: no {family} architecture meets the latency budget "
                          f"[{lo:g}, {hi:g}] ms on {name}; {bound}")
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
        closest = min(lats, key=lambda v: _distance(v, lo, hi))
        result.message = (f"infeasible: the search found no {family} architecture within "
                          f"[{lo:g}, {hi:g}] ms on {name} (closest {closest:.2f} ms, fastest "
                          f"seen {min(lats):.2f} ms)")
        return result
    result.feasible, result.arch = True, genome.decode(tree, best[0])
    result.latency_ms, result.accuracy = latency(best[0]), best[1]
    result.message = (f"{family} on {name}: {result.latency_ms:.2f} ms within [{lo:g}, {hi:g}] ms, "
                      f"val accuracy {result.accuracy:.4f}")
    return result
