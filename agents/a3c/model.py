"""Per-satellite actor-critic networks for A3C.

Each satellite ``sat_k`` owns an independent :class:`ActorCritic` (its own parameter tensors):
it sees only its own observation and learns from the shared reward. The action head gives ``K``
independent categorical(3) distributions, one per decision slot (0 local, 1 offload, 2 hold).

Observations have unbounded fields (seconds, Mbit, counts), so inputs go through the stateless
:func:`squash` ``sign(x) * log1p(|x|)`` first: no running statistics to save or synchronise.

>>> import torch
>>> team = SatelliteLearners(n_sats=3, obs_dim=40, K=4, hidden=16)
>>> logits, value = team.learners[0](squash(torch.zeros(5, 40)))
>>> tuple(logits.shape), tuple(value.shape)
((5, 4, 3), (5,))
>>> team.learners[0].pi.weight is team.learners[1].pi.weight
False
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

N_CHOICES = 3  # 0 local, 1 offload, 2 hold
HOLD = 2
MASKED = -1e9  # logit of a masked choice: probability 0, finite log-prob and entropy terms


def mask_hold(logits: torch.Tensor) -> torch.Tensor:
    """``logits`` (``(..., 3)``) with the hold choice masked: only local/offload can be drawn.

    >>> torch.distributions.Categorical(logits=mask_hold(torch.zeros(2, 3))).probs.tolist()
    [[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]]
    """
    out = logits.clone()
    out[..., HOLD] = MASKED
    return out


def squash(x: torch.Tensor | np.ndarray) -> torch.Tensor:
    """``sign(x) * log1p(|x|)`` as float32: keeps fractions near themselves, tames seconds and counts.

    >>> [round(v, 2) for v in squash(np.array([0.0, 1.0, -86400.0])).tolist()]
    [0.0, 0.69, -11.37]
    """
    t = torch.as_tensor(x, dtype=torch.float32)
    return torch.sign(t) * torch.log1p(torch.abs(t))


class ActorCritic(nn.Module):
    """MLP trunk, a policy head of ``K x 3`` logits and a scalar value head."""

    def __init__(self, obs_dim: int, K: int, hidden: int = 64) -> None:
        super().__init__()
        self.K = K
        self.trunk = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.pi = nn.Linear(hidden, K * N_CHOICES)
        self.v = nn.Linear(hidden, 1)
        nn.init.orthogonal_(self.pi.weight, gain=0.01)
        nn.init.zeros_(self.pi.bias)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.trunk(x)
        return self.pi(h).view(*x.shape[:-1], self.K, N_CHOICES), self.v(h).squeeze(-1)


class SatelliteLearners(nn.Module):
    """One independent :class:`ActorCritic` per satellite (``learners[k]`` drives ``sat_k``)."""

    def __init__(self, n_sats: int, obs_dim: int, K: int, hidden: int = 64) -> None:
        super().__init__()
        self.n_sats, self.obs_dim, self.K, self.hidden = n_sats, obs_dim, K, hidden
        self.learners = nn.ModuleList(ActorCritic(obs_dim, K, hidden) for _ in range(n_sats))

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``obs``: ``(n_sats, obs_dim)`` (already squashed) -> logits ``(n_sats, K, 3)``, values ``(n_sats,)``.

        Row ``k`` goes through learner ``k`` only.
        """
        outs = [net(obs[k]) for k, net in enumerate(self.learners)]
        return torch.stack([o[0] for o in outs]), torch.stack([o[1] for o in outs])

    @torch.no_grad()
    def greedy(self, obs_matrix: np.ndarray, no_hold: bool = False) -> np.ndarray:
        """``(n_sats, K)`` int64 arg-max actions for a raw observation matrix (``no_hold``: over local/offload)."""
        logits, _ = self(squash(obs_matrix))
        if no_hold:
            logits = mask_hold(logits)
        return logits.argmax(-1).numpy().astype(np.int64)

    def spec(self) -> dict[str, int]:
        return {"n_sats": self.n_sats, "obs_dim": self.obs_dim, "K": self.K, "hidden": self.hidden}
