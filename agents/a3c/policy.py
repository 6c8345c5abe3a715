"""The ``a3c`` policy: trained per-satellite learners acting greedily (arg-max per slot).

A checkpoint trained with ``mask_hold`` acts with the same mask (arg-max over local/offload).
Its training env overrides (``config.overrides``) are kept in ``self.overrides``; evaluated on an
env without their non-reward part, the policy warns (reward keys only shaped training).

>>> from satgym.policies import make_policy          # doctest: +SKIP
>>> policy = make_policy("a3c:runs/a3c")                # a run directory or checkpoint.pt  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np


class A3CPolicy:
    """Greedy actions of the learner of each satellite, from its own observation only."""

    name = "a3c"

    def __init__(self, path: str | os.PathLike) -> None:
        import torch

        from agents.a3c.model import SatelliteLearners
        from agents.a3c.train import load_checkpoint

        torch.set_num_threads(1)
        ck = load_checkpoint(path)
        self.model = SatelliteLearners(**ck["spec"])
        self.model.load_state_dict(ck["model"])
        self.model.eval()
        self.path = str(path)
        cfg = ck.get("config") or {}
        self.no_hold = bool(cfg.get("mask_hold", False))
        self.overrides = dict(cfg.get("overrides") or {})
        self._warned = False

    def reset(self, env: Any = None, seed: int | None = None) -> None:
        if env is not None and len(env.possible_agents) != self.model.n_sats:
            raise ValueError(f"a3c: checkpoint has {self.model.n_sats} learners, env has {len(env.possible_agents)} agents")
        if env is not None and not self._warned:
            from agents.overrides import warn_if_env_differs

            self._warned = warn_if_env_differs("a3c", self.overrides, env)

    def act(self, env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict] | None = None) -> dict[str, np.ndarray]:
        if not obs:
            return {}
        index = {a: k for k, a in enumerate(env.possible_agents)}
        full = np.zeros((self.model.n_sats, self.model.obs_dim), dtype=np.float32)
        for a, o in obs.items():
            full[index[a]] = o
        actions = self.model.greedy(full, no_hold=self.no_hold)
        return {a: actions[index[a]] for a in obs}


def a3c_factory(path: str | os.PathLike = "") -> A3CPolicy:
    """``make_policy("a3c:PATH")``: PATH is a run directory (``--out``) or its ``checkpoint.pt``."""
    if not path:
        raise ValueError("a3c: give a checkpoint, e.g. make_policy('a3c:runs/a3c')")
    return A3CPolicy(path)
