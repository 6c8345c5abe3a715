"""LEOEdge (the distributed protocol and the centralised search) and the MILP oracle on scheduling
rounds taken from the paper-regime env where the load cap binds (not on synthetic instances): 200
generated seeds, heavy load."""

from __future__ import annotations

import numpy as np
import pytest

import satgym
from baselines.leoedge import leoedge_schedule
from baselines.leoedge.protocol import schedule_problem
from baselines.milp_oracle import solve_milp
from baselines.offloading_problem import OffloadProblem
from satgym.policies import make_policy

N_SEEDS = 200


def cap_binds(p: OffloadProblem) -> bool:
    """Sending every task with a positive advantage to its best container breaks a cap."""
    v = p.value
    return bool(p.check(np.where(v.max(axis=1) > 0, v.argmax(axis=1), -1)))


def env_round(env, seed: int) -> OffloadProblem | None:
    """The first round with a binding cap after a seed-dependent number of LEOEdge (search) steps."""
    policy = make_policy("leoedge-search")
    obs, infos = env.reset(seed=seed)
    policy.reset(env, seed=seed)
    start = 15 + seed % 70
    for k in range(env.config.episode.steps):
        actions = policy.act(env, obs, infos)
        rnd = policy.last_round
        if k >= start and rnd is not None and rnd.problem is not None and cap_binds(rnd.problem):
            return rnd.problem
        obs, _, _, _, infos = env.step(actions)
    return None


@pytest.fixture(scope="module")
def rounds() -> list[OffloadProblem]:
    # a fixed start time, so the access schedule is computed once; seeds vary the task streams
    env = satgym.parallel_env("leoedge", {"episode": {"start": "epoch", "offset_s": 5400.0, "steps": 150}},
                              load="heavy")
    out = [env_round(env, seed) for seed in range(N_SEEDS)]
    return [p for p in out if p is not None]


def test_the_cap_binds_in_most_heavy_load_rounds(rounds) -> None:
    assert len(rounds) >= 0.9 * N_SEEDS
    assert np.mean([p.n_tasks for p in rounds]) >= 5


def test_oracle_decisions_pass_the_problems_own_check(rounds) -> None:
    for p in rounds:
        m = solve_milp(p)
        assert m.status == "optimal"
        assert p.check(m.decision) == []


def test_leoedge_within_95_percent_of_the_milp_optimum_on_env_rounds(rounds) -> None:
    ratios = []
    for p in rounds:
        r = leoedge_schedule(p)
        m = solve_milp(p)
        assert p.check(r.decision) == []
        assert r.objective <= m.objective + 1e-9
        ratios.append(r.objective / m.objective if m.objective > 0 else 1.0)
    ratios = np.array(ratios)
    assert ratios.mean() >= 0.98                # the claim: 95 % of the optimum, on average far above
    assert np.percentile(ratios, 5) >= 0.95     # and in 95 % of the rounds (measured minimum at -v2: 0.96)


def test_a_task_that_fills_a_container_exactly_to_the_cap_is_feasible_for_both() -> None:
    """The float32 load of the observation once put such a task just over P for LEOEdge only."""
    p = OffloadProblem(satellite=np.array([0]), station=np.array([0]), container_station=np.zeros(2, np.int64),
                       container_server=np.array([0, 1]), advantage_arg=np.array([1.0]),
                       task_load=np.array([0.5]), container_load0=np.zeros(2), load_cap=0.5)
    m = solve_milp(p)
    r = leoedge_schedule(p)
    assert m.decision[0] >= 0 and p.check(m.decision) == []
    assert r.decision[0] >= 0 and p.check(r.decision) == []


def test_distributed_protocol_near_the_milp_optimum_on_env_rounds(rounds) -> None:
    """The paper's protocol (cold: no prices carried over; messages only, no shared state) on the
    same rounds. Measured on these 200 rounds (-v2): mean 0.994, 5th percentile 0.959, minimum 0.88 (the
search: 0.999, 0.996, 0.96)."""
    ratios = []
    for p in rounds:
        r = schedule_problem(p)
        m = solve_milp(p)
        assert p.check(r.container) == []
        assert r.iterations.max() >= 1
        obj = float(p.objective(r.container))
        assert obj <= m.objective + 1e-9
        ratios.append(obj / m.objective if m.objective > 0 else 1.0)
    ratios = np.array(ratios)
    assert ratios.mean() >= 0.98                # the paper's claim: 95 % of the optimum
    assert np.percentile(ratios, 5) >= 0.95
