"""Adam whose state (step, first and second moments) lives in shared memory (Hogwild A3C).

Every worker process builds its own :class:`SharedAdam` over the shared model's parameters and
plugs in the *same* state tensors (:meth:`SharedAdam.shared_state`), so the moment estimates are
common to all workers, as in Mnih et al. (2016).

>>> import torch
>>> net = torch.nn.Linear(2, 1); net.share_memory()
Linear(in_features=2, out_features=1, bias=True)
>>> opt = SharedAdam(net.parameters(), lr=0.1)
>>> all(s["exp_avg"].is_shared() for s in opt.shared_state())
True
>>> net(torch.ones(1, 2)).sum().backward(); opt.step()
>>> int(opt.shared_state()[0]["step"])
1
"""

from __future__ import annotations

from collections.abc import Iterable

import torch


class SharedAdam(torch.optim.Adam):
    """``torch.optim.Adam`` (single-tensor path) with shared-memory state.

    ``shared_state``: the list returned by another instance's :meth:`shared_state` (same
    parameter order) to attach to; ``None`` creates fresh shared state.
    """

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, shared_state: list[dict] | None = None) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=False)
        plist = [p for g in self.param_groups for p in g["params"]]
        if shared_state is not None and len(shared_state) != len(plist):
            raise ValueError(f"shared_state: {len(shared_state)} entries for {len(plist)} parameters")
        for i, p in enumerate(plist):
            if shared_state is not None:
                self.state[p] = shared_state[i]
                continue
            state = self.state[p]
            state["step"] = torch.zeros((), dtype=torch.float32).share_memory_()
            state["exp_avg"] = torch.zeros_like(p.data).share_memory_()
            state["exp_avg_sq"] = torch.zeros_like(p.data).share_memory_()

    def shared_state(self) -> list[dict]:
        """Per-parameter state dicts (shared tensors), in parameter order."""
        return [self.state[p] for g in self.param_groups for p in g["params"]]
