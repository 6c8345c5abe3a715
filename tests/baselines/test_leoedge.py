from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baselines.leoedge import DualPrices, leoedge_schedule, stale_price_decision
from baselines.leoedge.roles import container_allocate, satellite_offload, server_allocate
from baselines.leoedge.rounding import propose_rounds
from baselines.milp_oracle import solve_milp
from baselines.offloading_problem import random_problem


def _small(seed: int):
    rng = np.random.default_rng(seed)
    return random_problem(rng, n_tasks=int(rng.integers(5, 31)),
                          n_stations=int(rng.integers(1, 3)))


@pytest.mark.parametrize("seed", range(6))
def test_prices_settle_and_relaxed_plan_is_nearly_consistent(seed: int) -> None:
    p = _small(seed)
    r = leoedge_schedule(p)
    lay = r.layout
    assert r.converged and r.iterations < 3000
    # at the settled prices the layer coupling constraints hold up to the tolerance
    placed = np.bincount(lay.pair_ts, r.y3, minlength=lay.ts_task.size) - r.y2     # Eq. 19
    routed = np.bincount(lay.ts_task, r.y2, minlength=p.n_tasks) - r.y1            # Eq. 21
    load = np.bincount(lay.pair_cont, r.y3 * lay.pair_load, minlength=p.n_containers)
    assert placed.max() < 0.1 and routed.max() < 0.1
    assert np.all(load - p.residual < 0.05)                                        # Eq. 6
    assert np.all(r.prices.nu >= 0) and np.all(r.prices.lam >= 0)
    assert np.all(r.prices.mu >= 0) and np.all(r.prices.eta >= 0)


def test_not_converged_is_reported() -> None:
    r = leoedge_schedule(_small(0), max_iter=2)
    assert not r.converged and r.iterations == 2


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_near_the_milp_optimum_on_generated_multi_station_instances(seed: int) -> None:
    """Synthetic rounds with one or two stations (the env rounds of test_env_rounds.py have one
    cluster): feasible, never above the optimum, within 90 % of it."""
    p = _small(seed)
    r = leoedge_schedule(p)
    m = solve_milp(p)
    assert p.check(r.decision) == [] and p.check(m.decision) == []
    assert r.objective <= m.objective + 1e-9
    assert r.objective >= 0.90 * m.objective


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 40), stations=st.integers(1, 3),
       max_iter=st.sampled_from([1, 5, 300]), rho=st.sampled_from([0.01, 0.05, 0.5]))
def test_caps_always_hold(seed: int, n: int, stations: int, max_iter: int, rho: float) -> None:
    p = random_problem(np.random.default_rng(seed), n_tasks=n, n_stations=stations,
                       demand_ratio=3.0)
    r = leoedge_schedule(p, max_iter=max_iter, rho=rho)
    assert p.check(r.decision) == []
    assert r.objective == pytest.approx(p.objective(r.decision))
    # tasks without any positive advantage stay local
    assert np.all(r.decision[p.value.max(axis=1, initial=0.0) <= 0] == -1)


def test_warm_start_reuses_prices_and_validates_shapes() -> None:
    p = _small(4)
    cold = leoedge_schedule(p)
    warm = leoedge_schedule(p, warm_start=cold.prices)
    assert warm.converged and warm.iterations < cold.iterations
    assert p.check(warm.decision) == []
    bad = DualPrices(np.zeros(p.n_stations + 1), cold.prices.nu, cold.prices.mu,
                     cold.prices.eta)
    with pytest.raises(ValueError, match="warm_start"):
        leoedge_schedule(p, warm_start=bad)


def test_stale_price_decision_is_deterministic_and_monotone_in_lambda() -> None:
    rng = np.random.default_rng(0)
    adv, u = rng.uniform(-0.5, 2.0, 200), rng.uniform(0.02, 0.3, 200)
    lams = np.linspace(0.0, 200.0, 25)
    counts = []
    prev = np.ones(200, dtype=bool)
    for lam in lams:
        d = stale_price_decision(adv, u, 12, lam=lam, load_price=1.0, rho=0.05)
        assert np.array_equal(d, stale_price_decision(adv, u, 12, lam, 1.0, 0.05))
        assert not np.any(d & ~prev)                  # a higher lambda never adds offloads
        prev = d
        counts.append(int(d.sum()))
    assert counts[0] > counts[-1] and not np.any(d & (adv <= 0))
    # a higher station load price also sheds offloads
    assert (stale_price_decision(adv, u, 12, 0.0, 5.0).sum()
            < stale_price_decision(adv, u, 12, 0.0, 0.0).sum())


def test_stale_decision_uses_prices_of_a_real_round() -> None:
    p = _small(1)
    r = leoedge_schedule(p)
    kappa = r.prices.load_price(p.container_station, p.n_stations)
    assert kappa.shape == (p.n_stations,) and np.all(kappa >= 0)
    adv = p.value.max(axis=1)
    hi = stale_price_decision(adv, p.task_load, 12, float(r.prices.lam[0]) + 1e3, kappa[0])
    lo = stale_price_decision(adv, p.task_load, 12, 0.0, 0.0)
    assert hi.sum() < lo.sum()


def test_roles_respond_to_their_prices() -> None:
    v, u = np.array([1.0, 1.0]), np.array([0.2, 0.2])
    y_lo = container_allocate(v, u, np.zeros(2), np.array([0.0, 0.5]), 1.0)      # Eq. 18
    assert y_lo[0] > y_lo[1]
    assert np.all(np.diff(server_allocate(np.ones(3), np.array([0.0, 0.5, 1.0]), 2.0)) < 0)
    y1 = satellite_offload(np.ones(3), np.full(3, 0.1), np.array([0.0, 5.0, 50.0]), 0.5)
    assert np.all(np.diff(y1) <= 0) and y1[0] == 1.0 and y1[-1] == 0.0          # Eq. 22


def test_invalid_parameters_raise() -> None:
    with pytest.raises(ValueError):
        leoedge_schedule(_small(0), rho=0.0)
    with pytest.raises(ValueError):
        leoedge_schedule(_small(0), theta=2.5)


def _propose_rounds_numpy(pair_task, pair_cont, score, task_load, residual, decision) -> None:
    """The former vectorised numpy version of ``rounding.propose_rounds`` (reference)."""
    while True:
        free = (decision[pair_task] < 0) & (task_load[pair_task] <= residual[pair_cont] + 1e-12)
        idx = np.nonzero(free)[0]
        if idx.size == 0:
            return
        by_task = idx[np.lexsort((-score[idx], pair_task[idx]))]
        first = np.ones(by_task.size, dtype=bool)
        first[1:] = pair_task[by_task[1:]] != pair_task[by_task[:-1]]
        prop = by_task[first]
        prop = prop[np.lexsort((-score[prop], pair_cont[prop]))]
        cont, w = pair_cont[prop], task_load[pair_task[prop]]
        cum = np.cumsum(w)
        start = np.ones(prop.size, dtype=bool)
        start[1:] = cont[1:] != cont[:-1]
        offset = np.maximum.accumulate(np.where(start, cum - w, 0.0))
        accept = (cum - offset) <= residual[cont] + 1e-12
        decision[pair_task[prop[accept]]] = cont[accept]
        residual -= np.bincount(cont[accept], weights=w[accept], minlength=residual.size)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n_tasks=st.integers(1, 40), n_cont=st.integers(1, 8),
       ties=st.booleans())
def test_compiled_proposals_match_numpy_reference(seed: int, n_tasks: int, n_cont: int,
                                                  ties: bool) -> None:
    rng = np.random.default_rng(seed)
    pairs = np.argwhere(rng.random((n_tasks, n_cont)) < 0.6)
    pk, po = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    perm = rng.permutation(pk.size)                      # pairs in any order
    pk, po = pk[perm], po[perm]
    score = rng.integers(0, 3, pk.size).astype(float) if ties else rng.random(pk.size)
    load = rng.uniform(0.01, 0.6, n_tasks)
    res0 = rng.uniform(0.0, 1.0, n_cont)
    d_ref, r_ref = np.full(n_tasks, -1, dtype=np.int64), res0.copy()
    d_new, r_new = np.full(n_tasks, -1, dtype=np.int64), res0.copy()
    _propose_rounds_numpy(pk, po, score, load, r_ref, d_ref)
    propose_rounds(pk, po, score, load, r_new, d_new)
    assert np.array_equal(d_ref, d_new) and np.array_equal(r_ref, r_new)   # bit-identical


def test_compiled_roles_match_their_equations() -> None:
    rng = np.random.default_rng(0)
    v, u, nu, eta, mu, lam, c = (rng.uniform(-1, 2, 500) for _ in range(7))
    rho = 0.3
    assert np.array_equal(container_allocate(v, u, nu, eta, rho),
                          np.clip((v - nu * u - eta) / rho, 0.0, 1.0))          # Eq. 18
    assert np.array_equal(server_allocate(eta, mu, rho), np.clip((eta - mu) / rho, 0, 1))
    assert np.array_equal(satellite_offload(mu, c, lam, rho),
                          np.clip((mu - lam * c) / rho, 0.0, 1.0))              # Eq. 22


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_same_inputs_same_outputs(seed: int) -> None:
    p = _small(seed)
    a, b = leoedge_schedule(p), leoedge_schedule(p)
    assert np.array_equal(a.decision, b.decision) and a.objective == b.objective
    for x, y in ((a.y1, b.y1), (a.y3, b.y3), (a.prices.nu, b.prices.nu),
                 (a.prices.mu, b.prices.mu), (a.station_iterations, b.station_iterations)):
        assert np.array_equal(x, y)
