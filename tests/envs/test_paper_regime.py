"""The ``leoedge`` preset poses the paper's problem: the edge can be overloaded, the load cap
binds, and scheduling matters (the full comparison is experiments/compare_loads.py)."""

from __future__ import annotations

import numpy as np
import pytest

from satgym.policies import make_policy
from satgym.evaluation import run_episode
from satgym.scenarios import make_config
from satgym.leoedge.presets import SSO_INCLINATION_DEG
from satgym.core.orbits import sun_synchronous_inclination_deg

SEEDS = (0, 1)  # random starts within the day


def _mean(policy: str, load: str, key: str, **kw) -> float:
    return float(np.mean([run_episode(make_policy(policy, **kw), load, seed, 600)[key] for seed in SEEDS]))


@pytest.fixture(scope="module")
def heavy() -> dict[str, dict[str, float]]:
    return {p: {k: _mean(p, "heavy", k) for k in ("mean_execution_time_s", "mean_edge_load")}
            for p in ("leoedge", "offload", "workload", "threshold")}


def test_offload_all_overloads_the_edge_under_heavy_load(heavy) -> None:
    assert heavy["offload"]["mean_edge_load"] >= 0.8


def test_leoedge_holds_the_cap_and_is_faster_than_every_rule_under_heavy_load(heavy) -> None:
    le = heavy["leoedge"]
    assert 0.4 <= le["mean_edge_load"] <= 0.6
    for p in ("offload", "workload", "threshold"):
        assert le["mean_execution_time_s"] < heavy[p]["mean_execution_time_s"], p
    assert heavy["threshold"]["mean_edge_load"] < le["mean_edge_load"]


def test_leoedge_is_at_least_20_percent_faster_than_local_under_normal_load() -> None:
    assert _mean("leoedge", "normal", "mean_execution_time_s") <= 0.8 * _mean("local", "normal", "mean_execution_time_s")


def test_the_edge_is_faster_and_more_accurate_per_inference() -> None:
    cfg = make_config("leoedge")
    from satgym.leoedge.catalogue import assign_processors

    compute = assign_processors(10, cfg.compute.processors, cfg.compute.model, cfg.compute.models)
    assert cfg.compute.edge_exec_ms / 1000.0 < compute.exec_s.min()
    assert cfg.compute.edge_accuracy >= compute.accuracy.max()


def test_constellation_spreads_over_five_sun_synchronous_planes() -> None:
    c = make_config("leoedge").constellation
    assert len(set(c.plane)) == 5 and len(c.altitude_km) == 10
    assert min(c.altitude_km) == 500.0 and max(c.altitude_km) == 700.0
    for alt, inc in zip(c.altitude_km, c.inclination_deg):
        assert inc == pytest.approx(float(sun_synchronous_inclination_deg(alt)), abs=0.01)
        assert SSO_INCLINATION_DEG[alt] == inc
