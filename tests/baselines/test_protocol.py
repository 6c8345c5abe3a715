"""LEOEdge as a distributed protocol: roles read only their own state and the messages they get,
message counts follow what was delivered, and lost messages lose no task."""

from __future__ import annotations

import numpy as np
import pytest

import satgym
from baselines.leoedge.protocol import (ProtocolSettings, Roles, TaskDescriptors, container_values, run_round,
                                        schedule_problem)
from baselines.offloading_problem import random_problem
from baselines.policies.base import obs_matrix
from baselines.policies.distributed import LEOEdgePolicy
from baselines.policies.env_problem import satellite_descriptors
from satgym.core.messages import HEADER_B, ID_B, TASK_B, VALUE_B, MessageBus, MessageLog
from satgym.leoedge.observation import SAT_FIELDS


def _env(steps: int = 80, load: str = "heavy"):
    return satgym.parallel_env("leoedge", {"episode": {"start": "epoch", "offset_s": 5400.0, "steps": steps}},
                               load=load)


def _advance(env, policy, steps: int):
    obs, infos = env.reset(seed=3)
    policy.reset(env, seed=3)
    for _ in range(steps):
        obs, _, _, _, infos = env.step(policy.act(env, obs, infos))
    return obs, infos


def test_a_satellites_descriptors_come_from_its_own_row_only() -> None:
    env = _env()
    obs, infos = _advance(env, LEOEdgePolicy(), 30)
    m = obs_matrix(obs)
    ids = np.stack([infos[a]["task_ids"] for a in obs])
    d = satellite_descriptors(env, m, ids)
    assert d.n > 0
    j = int(np.bincount(d.sat).argmax())                      # a satellite with candidates
    m2 = m.copy()
    for name in ("proc_backlog_s", "link_backlog_s", "path_delay_s"):
        m2[j, [f[0] for f in SAT_FIELDS].index(name)] += 0.5
    d2 = satellite_descriptors(env, m2, ids)
    mine, others = d.sat == j, d.sat != j
    np.testing.assert_array_equal(d2.sat, d.sat)
    for f in ("t_local_s", "t_up_s", "edge_exec_s", "delta_a", "task_id"):
        np.testing.assert_array_equal(getattr(d2, f)[others], getattr(d, f)[others])
    assert np.all(d2.t_local_s[mine] > d.t_local_s[mine]) and np.all(d2.t_up_s[mine] > d.t_up_s[mine])


def test_a_containers_values_and_load_come_from_its_own_state_only() -> None:
    rng = np.random.default_rng(0)
    k, n_cont = 9, 6
    tasks = TaskDescriptors(sat=rng.integers(0, 4, k), cluster=rng.integers(0, 2, k), slot=np.zeros(k, np.int64),
                            task_id=np.arange(k), t_local_s=rng.uniform(1, 4, k), t_up_s=rng.uniform(0.1, 1, k),
                            back_s=np.zeros(k), edge_exec_s=rng.uniform(0.2, 1.8, k), delta_a=np.full(k, 0.05))
    cluster = np.array([0, 0, 0, 1, 1, 1])
    queue, busy = rng.uniform(0, 2, n_cont), rng.uniform(0, 2, n_cont)
    args = (4.0, cluster, 0.5, 0.5, 1.0, "linear")
    value, load0, u = container_values(tasks, queue, busy, *args)
    o = 4
    queue2, busy2 = queue.copy(), busy.copy()
    queue2[o] += 1.5
    busy2[o] -= 0.5
    value2, load02, u2 = container_values(tasks, queue2, busy2, *args)
    keep = np.arange(n_cont) != o
    np.testing.assert_array_equal(value2[:, keep], value[:, keep])
    np.testing.assert_array_equal(load02[keep], load0[keep])
    np.testing.assert_array_equal(u2, u)
    assert not np.array_equal(value2[:, o], value[:, o]) or np.all(value[:, o] == 0)
    # another cluster's tasks are worth nothing to a container
    assert np.all(value[tasks.cluster == 0][:, cluster == 1] == 0)


def test_a_dropped_space_link_leaves_the_satellites_on_their_last_prices(monkeypatch) -> None:
    env = _env(steps=120)
    policy = LEOEdgePolicy(lam_step=5.0)                       # lambda moves visibly from round to round
    obs, infos = _advance(env, policy, 60)
    sats = policy.roles.satellites
    lam_seen, kappa_seen, lam_ground = sats.lam_seen.copy(), sats.kappa_seen.copy(), policy.roles.lbs.lam.copy()
    reserved = []
    monkeypatch.setattr(env, "reserve_containers", lambda ids, cont: reserved.append(len(ids)))
    policy.bus.drop_space = True
    moved = False
    for _ in range(30):
        obs, _, _, _, infos = env.step(policy.act(env, obs, infos))
        log = policy.last_messages
        assert log.delivered["satellite_lbs"] == 0 and log.sent["satellite_lbs"] > 0
        assert log.delivered["lbs_server"] == 0 and log.delivered["server_container"] == 0   # nothing reached the ground
        moved |= not np.array_equal(policy.roles.lbs.lam, lam_ground)
        e = env.episode_metrics()
        assert e["generated"] == e["completed"] + e["failed"] + e["in_flight"]
    np.testing.assert_array_equal(sats.lam_seen, lam_seen)
    np.testing.assert_array_equal(sats.kappa_seen, kappa_seen)
    assert reserved == []                                       # no allocation reached anyone
    assert moved                                                # the LBS's own price kept moving


def test_space_link_counts_are_the_messages_that_arrived() -> None:
    rng = np.random.default_rng(5)
    n_sats, k = 12, 30
    cont_cluster, cont_server = np.repeat([0, 1], 6), np.repeat([0, 1, 2, 3], 3)
    sat_cluster = np.full(n_sats, -1)
    sat_cluster[:10] = np.arange(10) % 2                        # 10 connected, 2 not
    sat = rng.integers(0, 7, k)                                 # tasks from satellites 0-6 only
    tasks = TaskDescriptors(sat=sat, cluster=sat_cluster[sat], slot=np.zeros(k, np.int64), task_id=np.arange(k),
                            t_local_s=rng.uniform(2, 5, k), t_up_s=rng.uniform(0.1, 0.5, k), back_s=np.zeros(k),
                            edge_exec_s=rng.uniform(0.1, 0.6, k), delta_a=np.zeros(k))
    value, load0, u = container_values(tasks, np.zeros(12), np.zeros(12), 2.0, cont_cluster, 0.5, 1.0, 1.0, "linear")
    roles = Roles.build(n_sats, cont_cluster, cont_server, 2)
    roles.satellites.lam_seen[:] = -1.0                          # sentinels: who heard from the ground
    log = MessageLog()
    delay = np.where(sat_cluster >= 0, 0.27, np.nan)
    r = run_round(roles, tasks, value, u, load0, 0.5, sat_cluster, delay, np.full(n_sats, 0.5),
                  MessageBus(np.random.default_rng(1), log))
    proposers = np.unique(tasks.sat)
    heard_up = np.unique(tasks.sat[r.reached_ground])           # proposals the LBS acted on
    heard_down = np.flatnonzero(roles.satellites.lam_seen != -1.0)
    assert 0 < heard_up.size < proposers.size and 0 < heard_down.size < 10   # some lost each way
    assert log.sent["satellite_lbs"] == proposers.size + 10
    assert log.delivered["satellite_lbs"] == heard_up.size + heard_down.size
    live_per_sat = np.bincount(tasks.sat[r.reached_ground], minlength=n_sats)
    per_task = np.bincount(tasks.sat, minlength=n_sats)
    expected_bytes = (np.sum(HEADER_B + TASK_B * per_task[heard_up])
                      + np.sum(HEADER_B + 2 * VALUE_B + ID_B * live_per_sat[heard_down]))
    assert log.bytes["satellite_lbs"] == expected_bytes
    assert set(np.flatnonzero(sat_cluster < 0)).isdisjoint(heard_down)      # no path, no message
    assert np.all(r.container[~r.reached_ground] == -1)         # the ground never saw those tasks
    np.testing.assert_array_equal(r.delivered, r.reached_ground & np.isin(tasks.sat, heard_down))


def test_retransmissions_cost_a_round_trip_each_and_are_counted_as_sent() -> None:
    n, d = 4000, 0.02
    delay = np.full(n, d)
    delay[:10] = np.nan                                          # no path: never sent, never delivered
    out = {}
    for retries in (0, 2):
        log = MessageLog()
        ok, at = MessageBus(np.random.default_rng(7), log, retries=retries).space(
            "satellite_lbs", 1.0, np.full(n, 40), delay, np.full(n, 0.5))
        assert not ok[:10].any() and np.all(np.isinf(at[~ok]))
        attempts = np.rint(((at[ok] - 1.0) / d - 1.0) / 2.0) + 1       # arrival = t + (2 (a - 1) + 1) d
        np.testing.assert_allclose(at[ok], 1.0 + (2 * (attempts - 1) + 1) * d)
        assert attempts.max() <= retries + 1
        assert log.delivered["satellite_lbs"] == ok.sum() and log.bytes["satellite_lbs"] == 40 * ok.sum()
        assert log.sent["satellite_lbs"] == attempts.sum() + (n - 10 - ok.sum()) * (retries + 1)
        out[retries] = ok[10:].mean()
    assert abs(out[0] - 0.5) < 0.03 and abs(out[2] - 0.875) < 0.03  # 1 - 0.5^(1 + retries)
    with pytest.raises(ValueError, match="retries"):
        MessageBus(np.random.default_rng(0), MessageLog(), retries=-1)


def test_lost_messages_lose_no_task() -> None:
    env = _env(steps=150)
    policy = LEOEdgePolicy(space_loss=0.5, retries=0)
    obs, infos = env.reset(seed=11)
    policy.reset(env, seed=11)
    lost = 0
    while env.agents:
        obs, _, _, _, infos = env.step(policy.act(env, obs, infos))
        lost += policy.last_messages.sent["satellite_lbs"] - policy.last_messages.delivered["satellite_lbs"]
        e = env.episode_metrics()
        assert e["generated"] == e["completed"] + e["failed"] + e["in_flight"]
    assert lost > 20
    ep = env.episode_metrics()
    assert ep["messages_lost"]["satellite_lbs"] == lost
    assert ep["completed_edge"] > 0


def test_the_policys_messages_are_what_the_env_adds(monkeypatch) -> None:
    """Episode totals = the env's own messages + every round's log (counted twice: with and
    without recording the policy's messages, same task stream and decisions)."""
    totals = []
    for record in (True, False):
        env = _env(steps=60)
        policy = LEOEdgePolicy()
        if not record:
            monkeypatch.setattr(env, "record_messages", lambda log: None)
        obs, infos = env.reset(seed=2)
        policy.reset(env, seed=2)
        logs = MessageLog()
        while env.agents:
            obs, _, _, _, infos = env.step(policy.act(env, obs, infos))
            logs.merge(policy.last_messages)
        totals.append((env.episode_metrics(), logs))
    (with_, logs), (without, _) = totals
    for pair in logs.delivered:
        assert with_["messages"][pair] == without["messages"][pair] + logs.delivered[pair]
        assert with_["message_bytes"][pair] == without["message_bytes"][pair] + logs.bytes[pair]
    assert logs.delivered["server_container"] > logs.delivered["lbs_server"] > 0


def test_settings_errors_name_the_field() -> None:
    with pytest.raises(ValueError, match="tol.*max_iter"):
        ProtocolSettings(tol=0.0, max_iter=0)
    with pytest.raises(ValueError, match="retries"):
        ProtocolSettings(retries=-1)
    with pytest.raises(ValueError, match="space_loss"):
        LEOEdgePolicy(space_loss=1.5)
    with pytest.raises(ValueError, match="either settings or"):
        LEOEdgePolicy(settings=ProtocolSettings(), rho=0.1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_rounding_keeps_every_cap_and_only_places_valued_tasks(seed: int) -> None:
    p = random_problem(np.random.default_rng(seed), n_tasks=40, n_stations=2, n_satellites=12, demand_ratio=3.0)
    r = schedule_problem(p)
    assert p.check(r.container) == []
    placed = r.container >= 0
    assert np.all(p.value[placed, r.container[placed]] > 0)
    assert placed.any()
