"""A full-episode trajectory digest per preset: any change to the dynamics, the observation, the
reward or the metrics changes it. Refactors must keep it; a deliberate change of dynamics updates
the expected digest here and bumps the env's registered version."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

import satgym

STEPS = {"leoedge": 120, "leoedge-miyun": 120, "starlink": 4, "arctic": 4, "arctic-leo": 4, "arctic-meo": 6}
EXPECTED = {
    "leoedge": "7b4c044353596b5b0fb80e69856af49da3f7f9b8275a5f6ffd509672999ad4a9",
    "leoedge-miyun": "6afcacbbdbe45e1275419995e9e79c187e7e96fbb5f899fb83d119cfba7aaae8",
    "starlink": "23598839cb8cfc69d657494d4036b89f6fa986dc1603ca64150052d64f6b61b5",
    "arctic": "1ebac29bd112b00d1f015e173d9921b085afcdcb854752821ca96449e6e90048",
    "arctic-leo": "c8beee806d693fca626f1ba9f1ef0f30a73ac8c030b50864bc5b87aec6618116",
    "arctic-meo": "c2c75e5a1671484275f328dbf346fa9b85d5c4521fd7005f05d18e13a374f085",
}


def trajectory_digest(scenario: str, seed: int = 7) -> str:
    env = satgym.parallel_env(scenario, {"episode": {"steps": STEPS[scenario]}}, load="heavy")
    rng = np.random.default_rng(seed)
    h = hashlib.sha256()
    obs, infos = env.reset(seed=seed)
    h.update(np.stack(list(obs.values())).tobytes())
    while env.agents:
        actions = {a: rng.integers(0, 3, size=env.action_space(a).shape) for a in env.agents}
        obs, rewards, terms, truncs, infos = env.step(actions)
        h.update(np.stack(list(obs.values())).tobytes())
        h.update(np.array(list(rewards.values()), dtype=np.float64).tobytes())
        first = next(iter(infos.values()))
        h.update(json.dumps({k: float(v) for k, v in first["rewards"].items()}, sort_keys=True).encode())
        m = {k: v for k, v in first["metrics"].items() if k != "container_load"}
        h.update(json.dumps(m, sort_keys=True, default=float).encode())
        if "container_load" in first["metrics"]:  # the LEOEdge family's per-container loads
            h.update(np.asarray(first["metrics"]["container_load"], dtype=np.float64).tobytes())
    h.update(json.dumps(env.episode_metrics(), sort_keys=True, default=float).encode())
    return h.hexdigest()


@pytest.mark.parametrize("scenario", list(STEPS))
def test_trajectory_digest_is_unchanged(scenario: str) -> None:
    assert trajectory_digest(scenario) == EXPECTED[scenario]
