"""One evaluation episode of a policy on a fresh env: the loop every evaluation script shares.

>>> from baselines.policies import make_policy
>>> row = run_episode(make_policy("local"), load="light", seed=3, steps=5)
>>> sorted(row)[:4], row["seed"], row["return"]
(['completed', 'completed_edge', 'failed', 'generated'], 3, 0.0)
"""

from __future__ import annotations

from typing import Any

__all__ = ["run_episode"]


def run_episode(policy: Any, load: str, seed: int, steps: int, scenario: str = "leoedge",
                overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run ``policy`` for one episode of ``steps`` steps on ``satgym.parallel_env(scenario, ...)``
    (seeded with ``seed``; the same seed gives every policy the same task stream).

    Returns a flat row: ``seed``, ``return`` (the shared reward summed over the episode, one
    satellite's view), ``mean_execution_time_s``, ``mean_edge_load``, ``failed``, ``completed``,
    ``generated``, ``completed_edge`` and ``wait_decision_s`` (mean time from arrival to decision).
    """
    import satgym
    from satgym.config import with_episode_steps

    config = with_episode_steps(overrides, steps)
    env = satgym.parallel_env(scenario, config, load=load)
    obs, infos = env.reset(seed=seed)
    policy.reset(env, seed=seed)
    ret = 0.0
    while env.agents:
        obs, rewards, _, _, infos = env.step(policy.act(env, obs, infos))
        ret += float(next(iter(rewards.values()))) if rewards else 0.0
    m = env.episode_metrics()
    return {"seed": seed, "return": ret, "mean_execution_time_s": m["mean_execution_time_s"],
            "mean_edge_load": m["mean_edge_load"], "failed": m["failed"], "completed": m["completed"],
            "generated": m["generated"], "completed_edge": m["completed_edge"],
            "wait_decision_s": m["mean_time_parts_s"]["wait_decision"]}
