"""One evaluation episode of a policy on a fresh env: the loop that ``satgym compare``, the
experiment scripts and the tests share.

The same ``seed`` gives every policy the same task stream (the env's task generator is seeded from
it), so episodes of different policies with one seed are paired.

>>> row = run_episode("local", load="light", seed=3, steps=5)
>>> row["seed"], row["return"], row["steps"]
(3, 0.0, 5)
>>> row = run_episode("offload", load="heavy", seed=3, steps=5, record_steps=True)
>>> len(row["per_step"]["edge_load"]), "offloaded" in row["per_step"]
(5, True)
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

__all__ = ["flatten_metrics", "run_episode"]


def flatten_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Scalars of an ``episode_metrics()`` dict, with nested dicts flattened (``failed_by_reason``
    -> ``failed_<reason>``, ``mean_time_parts_s`` -> ``time_<part>_s``, ``messages`` (delivered)
    -> ``msg_<pair>`` and ``msg_total``, ``message_bytes`` -> ``bytes_<pair>`` and ``bytes_total``,
    ``messages_lost`` -> ``lost_<pair>``); per-container lists are left out.

    >>> flatten_metrics({"completed": 3, "messages": {"a": 1, "b": 2}, "mean_container_load": [0.1]})
    {'completed': 3, 'msg_a': 1, 'msg_b': 2, 'msg_total': 3}
    """
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            if key == "failed_by_reason":
                out.update({f"failed_{r}": v for r, v in value.items()})
            elif key == "mean_time_parts_s":
                out.update({f"time_{p}_s": v for p, v in value.items()})
            elif key == "messages":
                out.update({f"msg_{p}": v for p, v in value.items()})
                out["msg_total"] = sum(value.values())
            elif key == "message_bytes":
                out.update({f"bytes_{p}": v for p, v in value.items()})
                out["bytes_total"] = sum(value.values())
            elif key == "messages_lost":
                out.update({f"lost_{p}": v for p, v in value.items()})
            else:
                out.update({f"{key}_{k}": v for k, v in value.items()})
        elif np.isscalar(value) or value is None:
            out[key] = value
    return out


def run_episode(policy: Any, load: str | None, seed: int, steps: int | None = None, scenario: str = "leoedge",
                overrides: dict[str, Any] | None = None, record_steps: bool = False) -> dict[str, Any]:
    """Run ``policy`` (a :class:`satgym.policies.Policy` or a registered name) for one episode of
    ``steps`` steps (None: the scenario's) on ``satgym.parallel_env(scenario, overrides, load=load)``
    reset with ``seed``.

    Returns a flat row: ``seed``, ``return`` (the shared reward summed over the episode, one
    agent's view), every scalar of ``env.episode_metrics()`` (:func:`flatten_metrics`),
    ``wait_decision_s`` when the env reports it, ``max_edge_load`` when it reports an edge load,
    and ``wall_s``. With ``record_steps`` the row also holds ``per_step``: one list per column
    (``step``, ``reward``, every scalar of the step metrics, the messages delivered in the step
    and their bytes per layer pair, and, for envs that expose decision slots, how many tasks were
    decided and offloaded; for policies that solve scheduling rounds, the round's size and its
    messages and bytes, ``sched_msg_<pair>`` and ``sched_bytes_<pair>``).
    """
    import satgym
    from satgym.config.builder import with_episode_steps
    from satgym.policies import make_policy

    if isinstance(policy, str):
        policy = make_policy(policy)
    env = satgym.parallel_env(scenario, with_episode_steps(overrides, steps), load=load)
    obs, infos = env.reset(seed=seed)
    policy.reset(env, seed=seed)
    cols: dict[str, list] = {}
    prev: dict[str, dict[str, int]] = {"messages": {}, "message_bytes": {}}
    ret, k, t0 = 0.0, 0, time.perf_counter()
    edge_loads: list[float] = []
    while env.agents:
        actions = policy.act(env, obs, infos)
        row: dict[str, Any] = {"step": k}
        if record_steps and actions and all("task_ids" in infos.get(a, {}) for a in actions):
            present = np.stack([np.asarray(infos[a]["task_ids"]) >= 0 for a in actions])
            act = np.stack([np.asarray(v) for v in actions.values()])
            row["decided"] = int(present.sum())
            row["offloaded"] = int(((act == 1) & present).sum())
        obs, rewards, _, _, infos = env.step(actions)
        reward = float(next(iter(rewards.values()))) if rewards else 0.0
        ret += reward
        metrics = next(iter(infos.values()))["metrics"] if infos else {}
        if "edge_load" in metrics:
            edge_loads.append(float(metrics["edge_load"]))
        if record_steps:
            row["reward"] = reward
            for key, value in metrics.items():
                if key in prev:  # cumulative in the env: per step here
                    col = "msg" if key == "messages" else "bytes"
                    for pair, count in value.items():
                        row[f"{col}_{pair}"] = count - prev[key].get(pair, 0)
                    prev[key] = dict(value)
                elif np.isscalar(value):
                    row[key] = value
                elif value is None:
                    row[key] = np.nan
            rnd = getattr(policy, "last_round", None)
            if rnd is not None or hasattr(policy, "last_round"):
                row["round_tasks"] = int(rnd.sat.size) if rnd is not None else 0
            log = getattr(policy, "last_messages", None)
            if log is not None:
                for pair, count in log.delivered.items():
                    row[f"sched_msg_{pair}"] = int(count)
                    row[f"sched_bytes_{pair}"] = int(log.bytes[pair])
            for key in set(cols) | set(row):
                cols.setdefault(key, [0] * k).append(row.get(key, 0))
        k += 1
    out: dict[str, Any] = {"seed": int(seed), "return": ret, **flatten_metrics(env.episode_metrics())}
    if "time_wait_decision_s" in out:
        out["wait_decision_s"] = out["time_wait_decision_s"]
    if edge_loads:
        out["max_edge_load"] = float(np.max(edge_loads))
    out["wall_s"] = time.perf_counter() - t0
    if record_steps:
        out["per_step"] = cols
    return out
