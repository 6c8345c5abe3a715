from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from satgym.adaptive.nag import NesterovAGD
from satgym.adaptive.proxy_data import load_digits_data
from satgym.adaptive.search_space import search_space
from satgym.adaptive.supernet import OPTIMIZERS, Supernet, make_optimizer, train_supernet

torch.set_num_threads(1)


def _reference_nag(h: np.ndarray, w0: np.ndarray, beta: float, steps: int,
                   cap: float | None) -> list[np.ndarray]:
    """Eqs. 33-34 written out independently: Gamma = y - beta grad(y), t-sequence momentum."""
    y, prev, t, out = w0.copy(), w0.copy(), 1.0, []
    for _ in range(steps):
        gamma = y - beta * (h @ y)                            # Eq. 33, L = 0.5 y'Hy
        t_next = (1 + math.sqrt(1 + 4 * t * t)) / 2
        q = (t - 1) / t_next if cap is None else min((t - 1) / t_next, cap)
        y, prev, t = gamma + q * (gamma - prev), gamma, t_next  # Eq. 34
        out.append(y.copy())
    return out


@pytest.mark.parametrize("cap", [0.9, None])
def test_iterates_follow_eqs_33_34(cap):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((12, 6))
    h = a.T @ a / 12 + 0.1 * np.eye(6)
    w0 = rng.standard_normal(6)
    w = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = NesterovAGD([w], lr=0.05, max_momentum=cap)
    ht = torch.tensor(h)
    expected = _reference_nag(h, w0, 0.05, 30, cap)
    for k in range(30):
        opt.zero_grad()
        (0.5 * w @ ht @ w).backward()
        opt.step()
        np.testing.assert_allclose(w.detach().numpy(), expected[k], rtol=1e-10, atol=1e-12)


def test_invalid_lr_is_rejected():
    with pytest.raises(ValueError, match="lr"):
        NesterovAGD([torch.nn.Parameter(torch.zeros(1))], lr=0.0)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_make_optimizer_names(name):
    w = torch.nn.Parameter(torch.zeros(2))
    opt = make_optimizer(name, [w], lr=0.1)
    if name == "nag":
        assert isinstance(opt, NesterovAGD) and opt.defaults["max_momentum"] == 0.9
    else:
        assert type(opt) is torch.optim.SGD
        assert opt.defaults["momentum"] == (0.0 if name == "gd" else 0.9)
        assert opt.defaults["nesterov"] == (name == "nesterov")
    with pytest.raises(ValueError, match="valid"):
        make_optimizer("adam", [w], lr=0.1)


def test_supernet_training_with_nag_reduces_loss():
    """One fixed sub-network (a one-point space), so 48 steps are enough to see learning."""
    data = load_digits_data(seed=0, limit=300)
    space = search_space("shufflenetv2", kernels=(3,), depths=((2,), (2,), (2,)),
                         channels=((48,), (96,), (192,)))
    net = Supernet("shufflenetv2")
    losses = train_supernet(net, data, epochs=8, batch_size=32, optimizer="nag", seed=0,
                            sandwich=False, space=space)
    assert sum(losses[-8:]) / 8 < 0.5 * sum(losses[:8]) / 8
