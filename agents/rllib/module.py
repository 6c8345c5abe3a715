"""The PPO RLModule used for every satgym variant (new API stack, torch).

One small MLP actor and one MLP critic. Raw satgym observations mix fractions with seconds up to
a day (``time_to_next_contact_s``), so both nets first squash the input with
``sign(x) * log1p(|x|)``; this lives inside the module, so training, ``forward_inference`` and the
``marl`` policy see exactly the same preprocessing (nothing to restore besides the weights).

``model_config``:

* ``hiddens`` (list of int, default ``[64, 64]``): hidden sizes of both nets;
* ``actor_obs_dim`` (int or None): the actor reads only ``obs[..., :actor_obs_dim]``; the critic
  always reads the whole vector. With the critic-state env (``--algo mappo``) this is the agent's
  own observation length, so the value function is centralised and the policy is not;
* ``action_mask`` (bool, default False): choices that cannot matter get the logit
  :data:`MASKED` (probability 0, as in RLlib's action-masking example on the new API stack, with
  the mask derived from the observation itself): an empty decision slot allows only ``local``
  (the env ignores it), so its head has one choice, log-probability 0 and entropy 0; ``offload``
  is masked while the satellite can reach no cluster (not in contact, no relay neighbour in
  contact: Alg. 4 would run it on board anyway);
* ``binary`` (bool, default False): ``hold`` is masked everywhere: the paper's local/offload
  decision;
* ``estimates`` (bool, default False): both nets also read, per decision slot, the estimated
  on-board completion time, the estimated edge completion time and their difference, computed
  from the observation (:func:`slot_estimates`);
* value normalisation: the critic's net predicts a standardised return, mapped back by the
  buffers ``value_shift`` and ``value_scale`` (0 and 1 until set, e.g. by
  :func:`agents.rllib.imitation.pretrain` from the returns of demonstrations).

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

from satgym.leoedge import observation as spec
from satgym.leoedge.codes import Action

MASKED = -1e9  # the logit of a masked choice: probability 0, finite log-probabilities and entropy
LOCAL, OFFLOAD, HOLD = int(Action.LOCAL), int(Action.OFFLOAD), int(Action.HOLD)
N_ESTIMATES = 3  # per slot: on-board and edge completion estimates and their difference
_RELAYS = [spec.O_RELAY_SAME, spec.O_RELAY_SAME + 1, spec.O_RELAY_OTHER, spec.O_RELAY_OTHER + 1]


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


def _slots(obs: torch.Tensor, K: int, field: int) -> torch.Tensor:
    """``(..., K)`` values of slot field index ``field`` (:data:`satgym.leoedge.observation.SLOT_FIELDS`)."""
    start = spec.N_SAT_FIELDS + field
    return obs[..., start:start + spec.N_SLOT_FIELDS * K:spec.N_SLOT_FIELDS]


def action_mask(obs: torch.Tensor, K: int, n_choices: int, binary: bool) -> torch.Tensor:
    """``(..., K, n_choices)`` bool: the choices allowed in each decision slot of a raw observation.

    >>> o = torch.zeros(1, spec.N_SAT_FIELDS + 2 * spec.N_SLOT_FIELDS)
    >>> o[0, spec.N_SAT_FIELDS + spec.S_PRESENT] = 1           # slot 0 holds a task, slot 1 is empty
    >>> action_mask(o, 2, 3, binary=False).int().tolist()      # out of reach: no offload
    [[[1, 0, 1], [1, 0, 0]]]
    >>> o[0, spec.O_IN_CONTACT] = 1
    >>> action_mask(o, 2, 3, binary=True).int().tolist()
    [[[1, 1, 0], [1, 0, 0]]]
    """
    present = _slots(obs, K, spec.S_PRESENT) > 0.5
    reach = (obs[..., spec.O_IN_CONTACT] > 0.5) | (obs[..., _RELAYS] > 0.5).any(-1)
    allowed = torch.zeros(*present.shape, n_choices, dtype=torch.bool, device=obs.device)
    allowed[..., LOCAL] = True
    allowed[..., OFFLOAD] = present & reach.unsqueeze(-1)
    if n_choices > HOLD and not binary:
        allowed[..., HOLD] = present
    return allowed


def slot_estimates(obs: torch.Tensor, K: int) -> torch.Tensor:
    """``(..., 3K)``: per slot the estimated on-board completion (queue, the earlier slots as if run
    on board, its own execution), the estimated edge completion (link queue, the earlier slots'
    uploads as if offloaded, its upload at the current rate and loss (Eq. 1), the path delay (twice
    for a Case I result), its execution at c(m_e)) and edge minus on-board, all in seconds from now;
    0 for an empty slot. The quantities LEOEdge's round (``baselines.policies.env_problem``) and
    ``earliest_finish`` compare, from the satellite's own observation.

    >>> o = torch.zeros(1, spec.N_SAT_FIELDS + spec.N_SLOT_FIELDS)
    >>> o[0, [spec.O_EXEC, spec.O_EDGE_EXEC, spec.O_RATE]] = torch.tensor([0.03, 0.02, 10.0])
    >>> o[0, spec.N_SAT_FIELDS + spec.S_PRESENT], o[0, spec.N_SAT_FIELDS + spec.S_WORK] = 1, 50
    >>> o[0, spec.N_SAT_FIELDS + spec.S_INPUT] = 4.0
    >>> [round(v, 3) for v in slot_estimates(o, 1)[0].tolist()]   # 1.5 s on board, 0.4 + 1.0 s at the edge
    [1.5, 1.4, -0.1]
    """
    present = (_slots(obs, K, spec.S_PRESENT) > 0.5).to(obs.dtype)
    work = _slots(obs, K, spec.S_WORK) * present
    local = obs[..., spec.O_PROC_BACKLOG, None] + torch.cumsum(work * obs[..., spec.O_EXEC, None], dim=-1)
    eff = obs[..., spec.O_RATE, None] * (1.0 - obs[..., spec.O_LOSS, None])
    tx = torch.where(eff > 0, _slots(obs, K, spec.S_INPUT) / eff.clamp_min(1e-9), torch.full_like(work, 1e4)) * present
    ret = _slots(obs, K, spec.S_RETURN)
    edge = (obs[..., spec.O_LINK_BACKLOG, None] + torch.cumsum(tx, dim=-1)
            + obs[..., spec.O_PATH_DELAY, None] * (1.0 + ret) + work * obs[..., spec.O_EDGE_EXEC, None])
    local, edge = local * present, edge * present
    return torch.cat([local, edge, edge - local], dim=-1)


class SatPPOModule(TorchRLModule, ValueFunctionAPI):
    """Actor (optionally on a prefix of the observation) + critic (whole observation); optional
    action masking, binary action and per-slot estimate features (module docstring)."""

    def setup(self) -> None:
        cfg = self.model_config or {}
        hiddens = list(cfg.get("hiddens", [64, 64]))
        obs_dim = int(self.observation_space.shape[0])
        self.actor_obs_dim = int(cfg.get("actor_obs_dim") or obs_dim)
        if not 0 < self.actor_obs_dim <= obs_dim:
            raise ValueError(f"model_config.actor_obs_dim: must be in 1..{obs_dim}, got {self.actor_obs_dim}")
        self.masked = bool(cfg.get("action_mask", False))
        self.binary = bool(cfg.get("binary", False))
        self.estimates = bool(cfg.get("estimates", False))
        space = self.action_space
        if isinstance(space, gym.spaces.MultiDiscrete):
            self.nvec = [int(n) for n in space.nvec]
            self.action_dist_cls = TorchMultiCategorical.get_partial_dist_cls(space=space, input_lens=self.nvec)
        elif isinstance(space, gym.spaces.Discrete):
            self.nvec = [int(space.n)]
            self.action_dist_cls = TorchCategorical
        else:
            raise ValueError(f"SatPPOModule: action space {space} is not (Multi)Discrete")
        self.K = len(self.nvec)
        if (self.masked or self.binary or self.estimates) and (
                len(set(self.nvec)) != 1 or self.actor_obs_dim != spec.N_SAT_FIELDS + spec.N_SLOT_FIELDS * self.K):
            raise ValueError("model_config: action_mask, binary and estimates need a satgym LEOEdge observation "
                             f"({spec.N_SAT_FIELDS} + {spec.N_SLOT_FIELDS} x K fields) and K equal action heads")
        n_extra = N_ESTIMATES * self.K if self.estimates else 0
        self.pi = mlp(self.actor_obs_dim + n_extra, hiddens, sum(self.nvec), out_gain=0.01)
        self.vf = mlp(obs_dim + n_extra, hiddens, 1, out_gain=1.0)
        self.register_buffer("value_shift", torch.zeros(()))
        self.register_buffer("value_scale", torch.ones(()))

    def _features(self, raw: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(actor input, critic input), squashed."""
        raw = torch.nan_to_num(raw.float(), posinf=1e6, neginf=-1e6)
        x = squash(raw)
        actor, critic = x[..., : self.actor_obs_dim], x
        if self.estimates:
            est = squash(slot_estimates(raw[..., : self.actor_obs_dim], self.K))
            actor, critic = torch.cat([actor, est], -1), torch.cat([critic, est], -1)
        return actor, critic

    def masked_logits(self, raw: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
        """``logits`` with the disallowed choices at :data:`MASKED` (unchanged without masking)."""
        if not (self.masked or self.binary):
            return logits
        n = self.nvec[0]
        if self.masked:
            allowed = action_mask(raw[..., : self.actor_obs_dim], self.K, n, self.binary)
        else:  # binary only: hold masked, everything else allowed
            allowed = torch.ones(*raw.shape[:-1], self.K, n, dtype=torch.bool, device=raw.device)
            if n > HOLD:
                allowed[..., HOLD] = False
        shaped = logits.reshape(*logits.shape[:-1], self.K, n)
        return torch.where(allowed, shaped, torch.full_like(shaped, MASKED)).reshape(logits.shape)

    def _forward(self, batch: dict[str, Any], **kwargs) -> dict[str, Any]:
        raw = batch[Columns.OBS]
        actor, _ = self._features(raw)
        return {Columns.ACTION_DIST_INPUTS: self.masked_logits(raw, self.pi(actor))}

    def normalised_values(self, batch: dict[str, Any]) -> torch.Tensor:
        """The critic's standardised output (before ``value_shift`` / ``value_scale``)."""
        _, critic = self._features(batch[Columns.OBS])
        return self.vf(critic).squeeze(-1)

    def compute_values(self, batch: dict[str, Any], embeddings: Any | None = None) -> torch.Tensor:
        return self.value_shift + self.value_scale * self.normalised_values(batch)
