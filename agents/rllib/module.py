"""The PPO RLModule used for every satgym variant (new API stack, torch).

One small MLP actor and one MLP critic. Raw satgym observations mix fractions with seconds up to
a day (``time_to_next_contact_s``), so both nets first squash the input with
``sign(x) * log1p(|x|)``; this lives inside the module, so training, ``forward_inference`` and the
``marl`` policy see exactly the same preprocessing (nothing to restore besides the weights).

``model_config``:

* ``hiddens`` (list of int, default ``[64, 64]``): hidden sizes of both nets;
* ``actor_obs_dim`` (int or None): the actor reads only ``obs[..., :actor_obs_dim]``; the critic
  always reads the whole vector. With the critic-state env (``--algo mappo``) this is the agent's
  own observation length, so the value function is centralised and the policy is not.

Example::

    >>> import gymnasium as gym, numpy as np, torch
    >>> m = SatPPOModule(observation_space=gym.spaces.Box(0, np.inf, (6,), np.float32),
    ...                  action_space=gym.spaces.MultiDiscrete([3, 3]),
    ...                  model_config={"hiddens": [8], "actor_obs_dim": 4})
    >>> out = m.forward_inference({"obs": torch.zeros(2, 6)})
    >>> tuple(out["action_dist_inputs"].shape)
    (2, 6)
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import torch
from torch import nn

from ray.rllib.core.columns import Columns
from ray.rllib.core.distribution.torch.torch_distribution import TorchCategorical, TorchMultiCategorical
from ray.rllib.core.rl_module.apis import ValueFunctionAPI
from ray.rllib.core.rl_module.torch import TorchRLModule


def squash(x: torch.Tensor) -> torch.Tensor:
    """``sign(x) log(1 + |x|)``: keeps small values, compresses seconds and counts (inf -> large)."""
    x = torch.nan_to_num(x, posinf=1e6, neginf=-1e6)
    return torch.sign(x) * torch.log1p(torch.abs(x))


def mlp(n_in: int, hiddens: list[int], n_out: int, out_gain: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for h in hiddens:
        lin = nn.Linear(n_in, h)
        nn.init.orthogonal_(lin.weight, gain=2 ** 0.5)
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.Tanh()]
        n_in = h
    head = nn.Linear(n_in, n_out)
    nn.init.orthogonal_(head.weight, gain=out_gain)
    nn.init.zeros_(head.bias)
    return nn.Sequential(*layers, head)


class SatPPOModule(TorchRLModule, ValueFunctionAPI):
    """Actor (optionally on a prefix of the observation) + critic (whole observation)."""

    def setup(self) -> None:
        cfg = self.model_config or {}
        hiddens = list(cfg.get("hiddens", [64, 64]))
        obs_dim = int(self.observation_space.shape[0])
        self.actor_obs_dim = int(cfg.get("actor_obs_dim") or obs_dim)
        if not 0 < self.actor_obs_dim <= obs_dim:
            raise ValueError(f"model_config.actor_obs_dim: must be in 1..{obs_dim}, got {self.actor_obs_dim}")
        space = self.action_space
        if isinstance(space, gym.spaces.MultiDiscrete):
            n_logits = int(space.nvec.sum())
            self.action_dist_cls = TorchMultiCategorical.get_partial_dist_cls(space=space, input_lens=list(space.nvec))
        elif isinstance(space, gym.spaces.Discrete):
            n_logits = int(space.n)
            self.action_dist_cls = TorchCategorical
        else:
            raise ValueError(f"SatPPOModule: action space {space} is not (Multi)Discrete")
        self.pi = mlp(self.actor_obs_dim, hiddens, n_logits, out_gain=0.01)
        self.vf = mlp(obs_dim, hiddens, 1, out_gain=1.0)

    def _forward(self, batch: dict[str, Any], **kwargs) -> dict[str, Any]:
        obs = squash(batch[Columns.OBS].float())
        return {Columns.ACTION_DIST_INPUTS: self.pi(obs[..., : self.actor_obs_dim])}

    def compute_values(self, batch: dict[str, Any], embeddings: Any | None = None) -> torch.Tensor:
        return self.vf(squash(batch[Columns.OBS].float())).squeeze(-1)
