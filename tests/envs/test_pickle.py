"""Envs pickle (and deep-copy) mid-episode and then continue exactly as the original."""

import copy
import pickle

import numpy as np
import pytest

import satgym


@pytest.mark.parametrize("clone", ["pickle", "deepcopy"])
def test_env_clone_continues_identically(clone):
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 60}}, load="heavy")
    env.reset(seed=11)
    rng = np.random.default_rng(0)
    for _ in range(25):
        env.step({a: rng.integers(0, 3, size=4) for a in env.agents})
    other = pickle.loads(pickle.dumps(env)) if clone == "pickle" else copy.deepcopy(env)
    while env.agents:
        actions = {a: rng.integers(0, 3, size=4) for a in env.agents}
        o1, r1, _, t1, _ = env.step(actions)
        o2, r2, _, t2, _ = other.step(actions)
        assert r1 == r2 and t1 == t2
        assert all(np.array_equal(o1[a], o2[a]) for a in o1)
    assert env.episode_metrics() == other.episode_metrics()


def test_loaded_constellation_propagates_bit_identically():
    from satgym.core import orbits

    env = satgym.parallel_env("leoedge")
    c = env.sim.constellation
    c2 = pickle.loads(pickle.dumps(c))
    t0 = c.epoch
    grid = np.arange(0.0, 86_400.0, 600.0)
    assert np.array_equal(orbits.propagate_ecef_km(c, t0, grid), orbits.propagate_ecef_km(c2, t0, grid))
