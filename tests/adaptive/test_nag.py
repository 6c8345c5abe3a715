from __future__ import annotations

import torch

from satgym.adaptive.nag import NesterovAGD
from satgym.adaptive.supernet import Supernet, load_digits_data, train_supernet

torch.set_num_threads(1)


def _quadratic_run(opt_cls, steps=60, **kw):
    torch.manual_seed(0)
    a = torch.randn(20, 10)
    h = a.T @ a / 20 + 0.05 * torch.eye(10)
    w = torch.nn.Parameter(torch.randn(10))
    opt = opt_cls([w], **kw)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * w @ h @ w
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_nag_decreases_loss_and_beats_gd():
    nag = _quadratic_run(NesterovAGD, lr=0.1)
    gd = _quadratic_run(torch.optim.SGD, lr=0.1)
    assert nag[-1] < 0.1 * nag[0]
    assert nag[-1] < gd[-1]


def test_nag_pure_sequence_has_growing_momentum():
    w = torch.nn.Parameter(torch.tensor([1.0]))
    opt = NesterovAGD([w], lr=0.01, max_momentum=None)
    for _ in range(5):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
    assert opt.state[w]["t"] > 3.0  # t[k] = (1 + sqrt(1 + 4 t^2)) / 2 grows ~ k / 2


def test_supernet_training_with_nag_reduces_loss():
    data = load_digits_data(seed=0, limit=300)
    net = Supernet("shufflenetv2")
    losses = train_supernet(net, data, epochs=8, batch_size=32, optimizer="nag", seed=0,
                            sandwich=False)
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5
