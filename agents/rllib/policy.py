"""The ``marl`` policy: a trained RLlib checkpoint acting greedily on the satgym env.

``make_policy("marl:PATH")`` loads the RLModules saved under ``PATH`` (a checkpoint written by
:mod:`agents.rllib.train`, i.e. ``save_to_path``; no running Ray needed) and, each step, feeds
every agent's observation to its module's ``forward_inference`` and takes the most likely value
of every decision slot (deterministic). For a MAPPO checkpoint the global state ``env.state()``
is appended to each observation as in training (only the critic reads it).

``PATH`` may also be an exported policy (:func:`agents.rllib.export.export_policy`: the module
weights in ``module.pt`` and ``satgym_marl.json``, a few tens of kB, no RLlib checkpoint), and
``pretrained/<name>`` names one shipped with satgym (``satgym/data/pretrained/<name>``, listed with
their training commands and seeds in that directory's README) unless a local path of that name exists.

Example::

    policy = make_policy("marl:pretrained/leoedge-heavy")
    policy = make_policy("marl:runs/ppo/checkpoints/latest")
    obs, infos = env.reset(seed=0); policy.reset(env, seed=0)
    while env.agents:
        obs, rewards, terms, truncs, infos = env.step(policy.act(env, obs, infos))
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

META_FILE = "satgym_marl.json"
MODULES_SUBDIR = os.path.join("learner_group", "learner", "rl_module")
WEIGHTS_FILE = "module.pt"          # an exported policy: {module id: state dict}
PRETRAINED = "pretrained/"          # marl:pretrained/<name> -> satgym/data/pretrained/<name>


def resolve_path(path: str) -> str:
    """``path`` made absolute; ``pretrained/<name>`` is the shipped policy unless a local path of that name exists.

    >>> resolve_path("pretrained/x").endswith(os.path.join("satgym", "data", "pretrained", "x"))
    True
    """
    path = os.path.expanduser(path)
    if path.startswith(PRETRAINED) and not os.path.exists(path):
        from importlib.resources import files

        return str(files("satgym").joinpath("data", *path.split("/")))
    return os.path.abspath(path)


def load_modules(path: str, meta: dict[str, Any]) -> Any:
    """The policy's modules: ``{module id: SatPPOModule}`` of an exported policy, or the
    ``MultiRLModule`` of an RLlib checkpoint."""
    if os.path.exists(os.path.join(path, WEIGHTS_FILE)):
        import gymnasium as gym
        import numpy as np
        import torch
        from ray.rllib.core.rl_module.rl_module import RLModuleSpec

        from agents.rllib.module import SatPPOModule

        spec = meta["module"]
        weights = torch.load(os.path.join(path, WEIGHTS_FILE), weights_only=True)
        modules = {}
        for mid, state in weights.items():
            module = RLModuleSpec(
                module_class=SatPPOModule, model_config=dict(spec["model_config"]),
                observation_space=gym.spaces.Box(-np.inf, np.inf, (int(spec["observation_dim"]),), np.float32),
                action_space=gym.spaces.MultiDiscrete(spec["nvec"])).build()
            module.load_state_dict(state)
            modules[mid] = module
        return modules
    from ray.rllib.core.rl_module.multi_rl_module import MultiRLModule

    return MultiRLModule.from_checkpoint(os.path.join(path, MODULES_SUBDIR))


class MarlPolicy:
    """Greedy actions from the RLModules of an RLlib checkpoint (the harness's ``Policy`` protocol)."""

    name = "marl"

    def __init__(self, path: str) -> None:
        import torch

        if not path:
            raise ValueError("marl: give a checkpoint path, e.g. marl:runs/ppo/checkpoints/latest")
        path = resolve_path(path)
        meta_path = os.path.join(path, META_FILE)
        if not os.path.exists(meta_path):
            raise ValueError(f"marl: {path!r} is not a satgym RLlib checkpoint or exported policy (no {META_FILE})")
        with open(meta_path) as f:
            self.meta: dict[str, Any] = json.load(f)
        self.path = path
        self.modules = load_modules(path, self.meta)
        for mid in self.modules.keys():
            self.modules[mid].eval()
        self.critic_state = bool(self.meta["env_config"].get("critic_state"))
        self.own = self.meta.get("mapping") == "own"
        self.overrides = dict(self.meta["env_config"].get("overrides") or {})
        self._warned = False
        self._torch = torch

    def module_id(self, agent: str) -> str:
        return agent if self.own else "shared"

    def reset(self, env: Any = None, seed: int | None = None) -> None:
        """Stateless (greedy feed-forward policy); warns once if ``env`` lacks the non-reward
        overrides of training (``satgym train --env-set``; reward keys only shaped training)."""
        if env is not None and not self._warned:
            from agents.overrides import warn_if_env_differs

            self._warned = warn_if_env_differs("marl", self.overrides, env)

    def act(self, env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict]) -> dict[str, np.ndarray]:
        if not obs:
            return {}
        torch = self._torch
        agents = list(obs)
        x = np.stack([obs[a] for a in agents]).astype(np.float32)
        if self.critic_state:
            x = np.concatenate([x, np.tile(env.state(), (len(agents), 1))], axis=1)
        groups: dict[str, list[int]] = {}
        for i, a in enumerate(agents):
            groups.setdefault(self.module_id(a), []).append(i)
        out = np.zeros((len(agents), env.action_space(agents[0]).shape[0]), dtype=np.int64)
        with torch.no_grad():
            for mid, rows in groups.items():
                module = self.modules[mid]
                logits = module.forward_inference({"obs": torch.from_numpy(x[rows])})["action_dist_inputs"]
                nvec = [int(n) for n in module.action_space.nvec]
                parts = torch.split(logits, nvec, dim=-1)
                out[rows] = torch.stack([p.argmax(-1) for p in parts], dim=-1).numpy()
        return dict(zip(agents, out))


def marl_factory(path: str = "", **kwargs: Any) -> MarlPolicy:
    """``make_policy("marl:PATH")`` -> :class:`MarlPolicy` (no other options)."""
    if kwargs:
        raise ValueError(f"marl: unexpected option(s) {sorted(kwargs)}; only a checkpoint path is accepted")
    return MarlPolicy(path)
