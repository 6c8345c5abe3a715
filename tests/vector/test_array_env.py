"""The array API (issue 15): bit-identical to the PettingZoo env for the same seeds, per-env
seeding, same-step auto-reset, bad actions rejected with no state change; parametrised over the
registry (a family without its own core runs on the generic PettingZoo-backed one)."""

from __future__ import annotations

import time

import numpy as np
import pytest

import satgym
from satgym.vector import make_core

STEPS = {"starlink": 3}
SLOW = {"aamec", "aamec-walker"}


def _config(scenario: str, steps: int) -> dict:
    return {"episode": {"steps": steps}}


def _random_actions(venv, rng):
    hi = venv._nvec
    return rng.integers(0, np.broadcast_to(hi, venv.action_shape) if venv.action_shape else hi,
                        size=(venv.n_envs, venv.n_agents, *venv.action_shape))


@pytest.mark.parametrize("scenario", list(satgym.PRESETS))
def test_array_api_is_bit_identical_to_pettingzoo_across_auto_reset(scenario: str):
    steps = STEPS.get(scenario, 2 if scenario in SLOW else 6)
    B = 1 if scenario == "starlink" else 2
    cfg = _config(scenario, steps)
    venv = satgym.array_env(scenario, B, cfg, load="heavy")
    envs = [satgym.parallel_env(scenario, cfg, load="heavy") for _ in range(B)]
    obs, _ = venv.reset(seed=11)
    pz_obs = [e.reset(seed=11 + b)[0] for b, e in enumerate(envs)]
    for b in range(B):
        assert np.array_equal(np.stack(list(pz_obs[b].values())), obs[b])
    rng = np.random.default_rng(0)
    for t in range(steps + 2):  # through one auto-reset
        acts = _random_actions(venv, rng)
        obs, rewards, terms, truncs, info = venv.step(acts)
        for b, e in enumerate(envs):
            o, r, _, tr, _ = e.step(dict(zip(e.possible_agents, acts[b])))
            assert np.array_equal(np.array(list(r.values())), rewards[b])
            if not e.agents:
                assert info["_final"][b] and truncs[b].all()
                assert np.array_equal(np.stack(list(o.values())), info["final_obs"][b])
                assert info["episode_metrics"][b] == e.episode_metrics()
                o, _ = e.reset()
            assert np.array_equal(np.stack(list(o.values())), obs[b]), (t, b)


@pytest.mark.parametrize("reward", [
    {"execution_time_weight": 1.0, "overload_scope": "cluster"},
    {"execution_time_weight": 0.5, "local_ratio": 0.3, "latency_weight": 1.0},
])
def test_execution_time_reward_is_bit_identical_to_pettingzoo(reward: dict):
    """The execution-time term (tasks charged as their outcome becomes known, the open ones at the
    episode's end) and the cluster-scope overload on the array path, through an auto-reset."""
    steps, B = 5, 2
    cfg = {"episode": {"steps": steps}, "reward": reward}
    venv = satgym.array_env("leoedge", B, cfg, load="heavy")
    envs = [satgym.parallel_env("leoedge", cfg, load="heavy") for _ in range(B)]
    assert venv.core.reward_names[-1] == "execution_time"
    venv.reset(seed=3)
    for b, e in enumerate(envs):
        e.reset(seed=3 + b)
    rng = np.random.default_rng(1)
    seen_time = False
    for t in range(steps + 2):
        acts = _random_actions(venv, rng)
        _, rewards, _, _, info = venv.step(acts)
        for b, e in enumerate(envs):
            _, r, _, _, infos = e.step(dict(zip(e.possible_agents, acts[b])))
            assert np.array_equal(np.array(list(r.values())), rewards[b]), (t, b)
            shared = e.shared_reward_components
            assert list(shared) == list(venv.core.reward_names)
            assert np.array_equal(np.array(list(shared.values())), np.array([info["rewards"][k][b] for k in shared]))
            seen_time |= shared["execution_time"] != 0.0
            if not e.agents:
                e.reset()
    assert seen_time


@pytest.mark.parametrize("scenario", ["leoedge", "aamec"])
def test_generic_core_matches_the_family_core(scenario: str):
    cfg = _config(scenario, 3)
    fast = satgym.vector.ArrayEnv(make_core(scenario, 2, cfg))
    generic = satgym.vector.ArrayEnv(make_core(scenario, 2, cfg, generic=True))
    o1, _ = fast.reset(seed=[5, 9])
    o2, _ = generic.reset(seed=[5, 9])
    assert np.array_equal(o1, o2)
    rng = np.random.default_rng(1)
    for _ in range(4):
        a = _random_actions(fast, rng)
        r1 = fast.step(a)
        r2 = generic.step(a)
        assert np.array_equal(r1[0], r2[0]) and np.array_equal(r1[1], r2[1]) and np.array_equal(r1[3], r2[3])


def test_per_env_seeding_and_continued_streams():
    cfg = _config("leoedge", 4)
    venv = satgym.array_env("leoedge", 3, cfg)
    obs, _ = venv.reset(seed=[4, 4, 5])
    assert np.array_equal(obs[0], obs[1])
    a = np.full((3, 10, 4), 1)
    for _ in range(3):
        obs, *_ = venv.step(a)
    assert np.array_equal(obs[0], obs[1]) and not np.array_equal(obs[0], obs[2])
    first = satgym.array_env("leoedge", 2, cfg).reset(seed=7)[0].copy()
    again = satgym.array_env("leoedge", 2, cfg).reset(seed=[7, 8])[0]
    assert np.array_equal(first, again)  # an int seed s gives env b the seed s + b


def test_auto_reset_starts_a_new_episode_in_the_same_step():
    venv = satgym.array_env("leoedge", 2, _config("leoedge", 2))
    venv.reset(seed=0)
    a = np.zeros((2, 10, 4), dtype=np.int64)
    _, _, _, truncs, info = venv.step(a)
    assert not truncs.any() and not info["_final"].any()
    obs, _, _, truncs, info = venv.step(a)
    assert truncs.all() and info["_final"].all()
    assert [sim.k for sim in venv.core.sims] == [0, 0]  # already reset
    assert not np.array_equal(info["final_obs"], obs)
    _, _, _, truncs, _ = venv.step(a)
    assert not truncs.any()


@pytest.mark.parametrize("bad, field", [
    (np.zeros((2, 10, 3)), "expected shape"),
    (np.zeros((2, 10)), "expected shape"),
    (np.full((2, 10, 4), 0.5), "expected integers"),
])
def test_bad_shapes_are_rejected_and_change_nothing(bad, field):
    venv = satgym.array_env("leoedge", 2, _config("leoedge", 5))
    obs0 = venv.reset(seed=1)[0].copy()
    k0 = [sim.k for sim in venv.core.sims]
    with pytest.raises(ValueError, match=field):
        venv.step(bad)
    assert np.array_equal(venv.core.obs, obs0) and [sim.k for sim in venv.core.sims] == k0


@pytest.mark.parametrize("scenario, value, valid", [("leoedge", 3, "0..2"), ("leoedge", -1, "0..2"),
                                                    ("aamec", 99, "0.."), ("arctic", 9, "0..8")])
def test_out_of_range_actions_name_the_entry_and_valid_values(scenario, value, valid):
    venv = satgym.array_env(scenario, 2, _config(scenario, 3))
    obs0 = venv.reset(seed=1)[0].copy()
    a = np.zeros((2, venv.n_agents, *venv.action_shape), dtype=np.int64)
    a[(1, 4) + (0,) * len(venv.action_shape)] = value
    with pytest.raises(ValueError, match=rf"actions\[1, 4.*env 1, agent 4.*{valid}"):
        venv.step(a)
    assert np.array_equal(venv.core.obs, obs0)
    venv.step(np.zeros_like(a))  # still usable


def test_n_envs_and_seed_are_validated():
    with pytest.raises(ValueError, match="n_envs"):
        satgym.array_env("leoedge", 0)
    venv = satgym.array_env("leoedge", 2, _config("leoedge", 3))
    with pytest.raises(ValueError, match="seed"):
        venv.reset(seed=[1, 2, 3])


def test_threads_give_the_same_trajectories():
    """Envs stepped on two threads (each thread claiming the next env; the caller preparing the
    task-stream chunks while the worker steps the envs already prepared) give what one thread
    gives, auto-resets and chunk draws into new buffers (an env's state rebuilt while the worker
    steps others) included, also when the worker has fallen asleep between steps."""
    cfg = _config("leoedge", 70)  # past the first task-stream chunk (64 slots) and an auto-reset
    one = satgym.array_env("leoedge", 7, cfg, load="heavy")
    two = satgym.array_env("leoedge", 7, cfg, load="heavy", threads=2)
    rng = np.random.default_rng(0)
    for venv in (one, two):
        venv.reset(seed=11)
    rebuilt = 0
    for k in range(150):
        acts = _random_actions(one, rng)
        before = [(sim.state, sim.k) for sim in two.core.sims]
        a, b = one.step(acts), two.step(acts)
        rebuilt += sum(sim.state is not st and sim.k > k0 for sim, (st, k0) in zip(two.core.sims, before))
        for x, y in zip(a[:4], b[:4]):
            assert np.array_equal(x, y), k
        assert all(np.array_equal(a[4]["rewards"][key], b[4]["rewards"][key]) for key in a[4]["rewards"])
        if k % 25 == 0:
            time.sleep(0.02)  # the worker sleeps; the next step wakes it
    assert rebuilt >= 4  # states rebuilt by the chunk preparation during a step (8 with these seeds)
    two.close()


@pytest.mark.parametrize("scenario", ["leoedge", "aamec"])
@pytest.mark.parametrize("threads", [0, -1, 1.5, True, 10_000])
def test_bad_thread_counts_name_the_field(scenario, threads):
    with pytest.raises(ValueError, match="threads: must be an int"):
        satgym.array_env(scenario, 2, _config(scenario, 3), threads=threads)


def test_threads_need_a_compiled_core():
    with pytest.raises(ValueError, match="threads.*'aamec'"):
        satgym.array_env("aamec", 2, threads=2)


def test_central_vector_env_matches_the_central_view():
    import gymnasium

    from satgym.vector import CentralVectorEnv

    cfg = _config("leoedge", 3)
    vec = CentralVectorEnv(satgym.array_env("leoedge", 2, cfg))
    single = gymnasium.make("satgym/LEOEdge-Central-v2", config=cfg)
    obs, _ = vec.reset(seed=3)
    o, _ = single.reset(seed=4)
    assert np.array_equal(obs[1], o) and obs.shape == (2, 420)
    rng = np.random.default_rng(2)
    for t in range(4):
        a = vec.action_space.sample()
        obs, r, term, trunc, info = vec.step(a)
        o, rr, _, tr, _ = single.step(a[1])
        if tr:
            assert trunc[1] and np.array_equal(info["final_obs"][1], o)
            o, _ = single.reset()
        assert np.array_equal(obs[1], o) and r[1] == rr
