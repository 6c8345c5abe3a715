from __future__ import annotations

import itertools

import numpy as np
import pytest

from baselines.milp_oracle import MilpTooLargeError, solve_milp
from baselines.offloading_problem import random_problem


def _brute_force(p) -> float:
    best = 0.0
    for d in itertools.product(range(-1, p.n_containers), repeat=p.n_tasks):
        d = np.array(d)
        off = d >= 0
        if np.any(p.container_station[d[off]] != p.station[off]):
            continue
        if not p.check(d):
            best = max(best, p.objective(d))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_milp_matches_brute_force_on_tiny_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = random_problem(rng, n_tasks=int(rng.integers(2, 6)), n_stations=int(rng.integers(1, 3)),
                       servers_per_station=2, containers_per_server=1 + seed % 2)
    r = solve_milp(p)
    assert r.status == "optimal"
    assert p.check(r.decision) == []
    assert r.objective == pytest.approx(_brute_force(p), abs=1e-9)
    assert r.gap == 0.0


def test_milp_reports_sizes_and_rejects_too_big() -> None:
    p = random_problem(np.random.default_rng(0), n_tasks=30)
    r = solve_milp(p)
    assert r.n_binaries == p.pairs[0].size and r.solve_time_s > 0
    with pytest.raises(MilpTooLargeError, match="max_binaries"):
        solve_milp(p, max_binaries=10)


def test_milp_with_no_eligible_pair_keeps_everything_local() -> None:
    p = random_problem(np.random.default_rng(0), n_tasks=5, p_unreachable=1.0)
    r = solve_milp(p)
    assert np.all(r.decision == -1) and r.objective == 0.0
