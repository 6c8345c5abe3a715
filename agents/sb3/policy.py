"""The ``sb3`` policy: a saved Stable-Baselines3 model acting deterministically on the PettingZoo env.

* Central view model: the flattened (squashed) observations of all satellites in, one flat action
  out, split into ``(n_sats, K)``;
* SuperSuit model (parameter sharing): each satellite's own observation in, its ``K`` actions out;
* Single view model: applied to every satellite (shared weights, own observation).

>>> from satgym.policies import make_policy              # doctest: +SKIP
>>> policy = make_policy("sb3:runs/ppo")                    # run directory or model.zip  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np


class SB3Policy:
    name = "sb3"

    def __init__(self, path: str | os.PathLike) -> None:
        import torch
        from stable_baselines3 import A2C, PPO

        from agents.sb3.train import META_FILE, MODEL_FILE

        torch.set_num_threads(1)
        p = Path(path)
        model_path = p / MODEL_FILE if p.is_dir() else p
        meta_path = model_path.parent / META_FILE
        if not model_path.exists():
            raise FileNotFoundError(f"sb3: {model_path} does not exist")
        self.meta = json.loads(meta_path.read_text()) if meta_path.exists() else {"class": "PPO", "view": "central"}
        cls = {"PPO": PPO, "A2C": A2C}[self.meta["class"]]
        self.model = cls.load(model_path, device="cpu")
        self.view = self.meta["view"]
        self.overrides = dict(self.meta.get("overrides") or {})
        self._warned = False

    def reset(self, env: Any = None, seed: int | None = None) -> None:
        if env is not None and not self._warned:  # non-reward training overrides missing from env: warn
            from agents.overrides import warn_if_env_differs

            self._warned = warn_if_env_differs("sb3", self.overrides, env)

    def act(self, env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict] | None = None) -> dict[str, np.ndarray]:
        from agents.sb3.envs import squash_obs

        if not obs:
            return {}
        agents = list(env.possible_agents)
        full = squash_obs(np.stack([obs.get(a, np.zeros_like(next(iter(obs.values())))) for a in agents]))
        n = len(agents)
        if self.view == "central":
            flat, _ = self.model.predict(full.ravel(), deterministic=True)
            actions = np.asarray(flat, dtype=np.int64).reshape(n, -1)
        else:  # supersuit / single: one network, each satellite's own observation
            actions, _ = self.model.predict(full, deterministic=True)
            actions = np.asarray(actions, dtype=np.int64).reshape(n, -1)
        index = {a: k for k, a in enumerate(agents)}
        return {a: actions[index[a]] for a in obs}


def sb3_factory(path: str | os.PathLike = "") -> SB3Policy:
    """``make_policy("sb3:PATH")``: PATH is a run directory (``--out``) or its ``model.zip``."""
    if not path:
        raise ValueError("sb3: give a saved model, e.g. make_policy('sb3:runs/ppo')")
    return SB3Policy(path)
