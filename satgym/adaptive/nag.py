"""Nesterov's accelerated gradient (NAG) of Sec. VIII-A, Eqs. 33-34, as a torch optimizer.

Reading of the (garbled) equations. The paper overloads gamma for both the look-ahead point and the
auxiliary scalar; we name them y[k] (look-ahead parameters, where the gradient is evaluated),
Gamma[k] (the iterate) and t[k] (the scalar, t[0] = 1):

    Gamma[k]   = y[k] - beta * grad L(y[k])                     (Eq. 33, beta = 0.01)
    t[k+1]     = (1 + sqrt(1 + 4 t[k]^2)) / 2                   (standard Nesterov sequence)
    Q[k]       = (t[k] - 1) / t[k+1]
    y[k+1]     = Gamma[k] + Q[k] * (Gamma[k] - Gamma[k-1])       (Eq. 34)

Eq. 34 as printed, ``gamma[k+1] = Gamma[k+1] - Q[k](Gamma[k] - Gamma[k+1])``, is this extrapolation
(with the index shifted by one); its printed Q[k] = (gamma[k-1] - gamma^2[k-1]) /
(gamma^2[k-1] + gamma[k]) is negative for gamma >= 1 and cannot be a momentum weight, so we use the
physically sound Nesterov ratio (t[k]-1)/t[k+1], which rises from 0 towards 1. Because Q -> 1 is
unstable for stochastic non-convex training, ``max_momentum`` optionally caps Q (default 0.9); set
it to ``None`` for the pure sequence. The parameters held by the module are y[k].

Example:
    >>> import torch
    >>> w = torch.nn.Parameter(torch.tensor([5.0]))
    >>> opt = NesterovAGD([w], lr=0.1)
    >>> for _ in range(50):
    ...     opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
    >>> abs(w.item()) < 0.05
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import torch


class NesterovAGD(torch.optim.Optimizer):
    """NAG with the t[k] sequence (Eqs. 33-34); ``lr`` is the paper's beta."""

    def __init__(self, params: Iterable[torch.nn.Parameter] | Iterable[dict], lr: float = 0.01,
                 max_momentum: float | None = 0.9, weight_decay: float = 0.0) -> None:
        if lr <= 0:
            raise ValueError(f"lr (beta) must be positive, got {lr}")
        super().__init__(params, dict(lr=lr, max_momentum=max_momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["t"] = 1.0  # t[0] = 1
                    state["prev"] = p.detach().clone()  # Gamma[-1] = y[0]
                grad = p.grad
                if group["weight_decay"]:
                    grad = grad.add(p, alpha=group["weight_decay"])
                gamma = p - group["lr"] * grad  # Eq. 33
                t = state["t"]
                t_next = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
                q = (t - 1.0) / t_next  # Eq. 34 momentum weight
                if group["max_momentum"] is not None:
                    q = min(q, group["max_momentum"])
                p.copy_(gamma + q * (gamma - state["prev"]))  # Eq. 34 look-ahead point
                state["prev"].copy_(gamma)
                state["t"] = t_next
        return loss
