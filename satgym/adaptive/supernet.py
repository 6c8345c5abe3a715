"""Weight-sharing supernet N(A, W) and its training, Eq. 31: W_A = argmin_W L(N(A, W)).

Every architecture of a family is a sub-network of one supernet built at the largest choices:
convolutions keep the largest kernel (smaller kernels use the centre crop), channels are sliced
(first c channels), BatchNorm statistics are sliced too. ShuffleNet units split channels with
:func:`~satgym.adaptive.networks.split_halves` (by index mod 4), the same function the standalone
network uses, so channel identities survive width slicing and the shuffle still mixes the two
branches. Training samples a random architecture of the PyGlove space per step (plus the largest
one, the "sandwich" rule), so all subnets share W. The supernet runs at the proxy scale
(``PROXY``: 16x16 inputs, width x0.25, 10 classes). :func:`satgym.adaptive.export.extract_subnet`
turns a sub-network into a standalone ``nn.Module`` with the inherited weights (tested equal).

A kernel larger than ``2 * size - 1`` on a ``size x size`` input (padding k // 2) only ever reads
its central ``2 * size - 1`` taps, so the convolution runs with that centre crop: the same output
and gradients, 4x faster on the 1x1 / 2x2 maps of the last stages.

Example:
    >>> data = load_proxy_data("shapes", n_train=128, n_val=16, n_test=16)
    >>> net = Supernet("shufflenetv2")
    >>> curve = train_supernet(net, data, epochs=1, seed=0, max_steps=2)
    >>> len(curve)
    2
"""

from __future__ import annotations

import random
from collections.abc import Iterable

import pyglove as pg
import torch
import torch.nn.functional as F
from torch import nn

from satgym.adaptive import genome
from satgym.adaptive.nag import NesterovAGD
from satgym.adaptive.networks import channel_shuffle, split_halves
from satgym.adaptive.proxy_data import ProxyData, load_proxy_data  # noqa: F401 (doctest)
from satgym.adaptive.search_space import (MB_DEPTHS, PROXY, SH_CHANNELS, SH_DEPTHS, Scale,
                                          layer_plan, make_divisible, search_space)

_ACT = {"none": lambda x: x, "relu": F.relu, "hswish": F.hardswish, "hsigmoid": F.hardsigmoid}


class DynConvBN(nn.Module):
    """Conv (centre-cropped kernel, sliced channels) + sliced BatchNorm + activation."""

    def __init__(self, max_in: int, max_out: int, max_k: int, depthwise: bool = False,
                 bn: bool = True) -> None:
        super().__init__()
        self.depthwise, self.max_k = depthwise, max_k
        self.weight = nn.Parameter(torch.empty(max_out, 1 if depthwise else max_in, max_k, max_k))
        nn.init.kaiming_normal_(self.weight, mode="fan_out")
        self.bn = bn
        if bn:
            self.bn_w, self.bn_b = nn.Parameter(torch.ones(max_out)), nn.Parameter(torch.zeros(max_out))
            self.register_buffer("mean", torch.zeros(max_out))
            self.register_buffer("var", torch.ones(max_out))
        else:
            self.bias = nn.Parameter(torch.zeros(max_out))
        self.bn_factor = 0.1  # running-stat update factor (1.0 during BN recalibration)

    def forward(self, x: torch.Tensor, cout: int, k: int = 1, stride: int = 1, act: str = "none"
                ) -> torch.Tensor:
        cin = x.shape[1]
        k = min(k, 2 * min(x.shape[2], x.shape[3]) - 1)  # taps that can touch the input (exact)
        lo = (self.max_k - k) // 2
        w = self.weight[:cout, : (1 if self.depthwise else cin), lo:lo + k, lo:lo + k]
        y = F.conv2d(x, w, None if self.bn else self.bias[:cout], stride, k // 2,
                     groups=cin if self.depthwise else 1)
        if self.bn:
            y = F.batch_norm(y, self.mean[:cout], self.var[:cout], self.bn_w[:cout],
                             self.bn_b[:cout], self.training, self.bn_factor, 1e-5)
        return _ACT[act](y)


class DynLinear(nn.Module):
    def __init__(self, max_in: int, max_out: int) -> None:
        super().__init__()
        self.lin = nn.Linear(max_in, max_out)

    def forward(self, x: torch.Tensor, cout: int) -> torch.Tensor:
        return F.linear(x, self.lin.weight[:cout, : x.shape[1]], self.lin.bias[:cout])


def largest_architecture(family: str) -> dict:
    """The architecture with every choice at its maximum (defines the supernet's shapes)."""
    if family == "mobilenetv3":
        return {"family": family, "width": 1.25, "stages": [
            [{"kernel": 7, "expansion": 6, "se": True}] * max(d) for d in MB_DEPTHS]}
    return {"family": family, "stages": [
        {"channels": max(c), "units": [{"kernel": 7}] * max(d)} for c, d in zip(SH_CHANNELS, SH_DEPTHS)]}


class Supernet(nn.Module):
    """One-shot supernet of ``family``; ``forward(x, arch)`` runs the sub-network ``arch``."""

    def __init__(self, family: str, scale: Scale = PROXY) -> None:
        super().__init__()
        self.family, self.scale = family, scale
        self.layers = nn.ModuleDict()
        for layer in layer_plan(largest_architecture(family), scale):
            key = self._key(layer)
            kind = layer["kind"]
            if kind == "conv":
                self.layers[key] = DynConvBN(layer["cin"], layer["cout"], layer["k"])
            elif kind == "head":
                mods = {"out": DynLinear(layer["hidden"] or layer["cin"], layer["classes"])}
                if layer["hidden"]:
                    mods["hidden"] = DynLinear(layer["cin"], layer["hidden"])
                self.layers[key] = nn.ModuleDict(mods)
            elif kind == "mb":
                ce, c = layer["cexp"], layer["cin"]
                sq = make_divisible(ce / 4, 8)
                self.layers[key] = nn.ModuleDict({
                    "expand": DynConvBN(c, ce, 1), "dw": DynConvBN(ce, ce, 7, depthwise=True),
                    "se1": DynConvBN(ce, sq, 1, bn=False), "se2": DynConvBN(sq, ce, 1, bn=False),
                    "project": DynConvBN(ce, layer["cout"], 1)})
            elif kind == "shuffle":
                c, half = layer["cin"], layer["cout"] // 2
                mods = {"pw1": DynConvBN(c, half, 1), "dw2": DynConvBN(half, half, 7, True),
                        "pw2": DynConvBN(half, half, 1)}
                if layer["stride"] == 2:
                    mods.update(dw1=DynConvBN(c, c, 7, True), pw1b=DynConvBN(c, half, 1))
                self.layers[key] = nn.ModuleDict(mods)

    @staticmethod
    def _key(layer: dict) -> str:
        if "pos" in layer:
            return f"{layer['kind']}_{layer['pos'][0]}_{layer['pos'][1]}"
        return "stem" if layer.get("cin") in (1, 3) and layer["kind"] == "conv" and \
            layer.get("k") == 3 else layer["kind"]

    def forward(self, x: torch.Tensor, arch: dict) -> torch.Tensor:
        for layer in layer_plan(arch, self.scale):
            kind = layer["kind"]
            if kind == "maxpool":
                x = F.max_pool2d(x, 3, 2, 1)
                continue
            m = self.layers[self._key(layer)]
            if kind == "conv":
                x = m(x, layer["cout"], layer["k"], layer["stride"], layer["act"])
            elif kind == "head":
                x = x.mean((2, 3))
                if layer["hidden"]:
                    x = F.hardswish(m["hidden"](x, layer["hidden"]))
                x = m["out"](x, layer["classes"])
            elif kind == "mb":
                x = self._mb(m, x, layer)
            else:
                x = self._shuffle_unit(m, x, layer)
        return x

    @staticmethod
    def _mb(m: nn.ModuleDict, x: torch.Tensor, layer: dict) -> torch.Tensor:
        ce, act = layer["cexp"], layer["act"]
        y = m["expand"](x, ce, 1, 1, act) if ce != layer["cin"] else x
        y = m["dw"](y, ce, layer["k"], layer["stride"], act)
        if layer["se"]:
            s = m["se1"](y.mean((2, 3), keepdim=True), make_divisible(ce / 4, 8), act="relu")
            y = y * m["se2"](s, ce, act="hsigmoid")
        y = m["project"](y, layer["cout"])
        return x + y if layer["stride"] == 1 and layer["cin"] == layer["cout"] else y

    @staticmethod
    def _shuffle_unit(m: nn.ModuleDict, x: torch.Tensor, layer: dict) -> torch.Tensor:
        half, k, s = layer["cout"] // 2, layer["k"], layer["stride"]
        if s == 2:
            left = m["pw1b"](m["dw1"](x, x.shape[1], k, 2), half, act="relu")
            right = x
        else:  # prefix-stable split (the same for every sliced width), as the standalone unit
            left, right = split_halves(x)
        right = m["pw1"](right, half, act="relu")
        right = m["pw2"](m["dw2"](right, half, k, s), half, act="relu")
        return channel_shuffle(torch.cat((left, right), 1))


OPTIMIZERS = ("nag", "gd", "momentum", "nesterov")


def make_optimizer(name: str, params: Iterable[torch.nn.Parameter], lr: float,
                   momentum: float = 0.9) -> torch.optim.Optimizer:
    """``nag`` (:class:`NesterovAGD`, Eqs. 33-34, beta = lr, momentum capped at ``momentum``),
    ``gd`` (plain SGD), ``momentum`` (heavy-ball SGD) or ``nesterov`` (torch's Nesterov SGD)."""
    if name == "nag":
        return NesterovAGD(params, lr=lr, max_momentum=momentum)
    if name == "gd":
        return torch.optim.SGD(params, lr=lr)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=name == "nesterov")
    raise ValueError(f"unknown optimizer {name!r}; valid: {OPTIMIZERS}")


def train_supernet(net: Supernet, data: ProxyData, epochs: int = 20, optimizer: str = "nag",
                   lr: float = 0.01, batch_size: int = 64, seed: int = 0,
                   max_steps: int | None = None, space: pg.Dict | None = None,
                   sandwich: bool = True, momentum: float = 0.9) -> list[float]:
    """Eq. 31 by sampled-subnet training; returns the per-step loss of the random subnet.

    ``optimizer``: one of :data:`OPTIMIZERS` (see :func:`make_optimizer`). The weight
    initialisation, data order and subnet sequence depend only on ``seed`` (identical for every
    optimizer and learning rate).
    """
    torch.manual_seed(seed)
    rng, gen = random.Random(seed), torch.Generator().manual_seed(seed)
    tree = genome.compile_space(space or search_space(net.family))
    largest = largest_architecture(net.family)
    opt = make_optimizer(optimizer, net.parameters(), lr, momentum)
    net.train()
    losses: list[float] = []
    n = len(data.y_train)
    for _ in range(epochs):
        for idx in torch.randperm(n, generator=gen).split(batch_size):
            xb, yb = data.x_train[idx], data.y_train[idx]
            opt.zero_grad()
            if sandwich:
                F.cross_entropy(net(xb, largest), yb).backward()  # sandwich: largest subnet
            loss = F.cross_entropy(net(xb, genome.decode(tree, genome.sample(tree, rng))), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if max_steps is not None and len(losses) >= max_steps:
                return losses
    return losses


@torch.no_grad()
def recalibrate_bn(net: Supernet, arch: dict, x_calib: torch.Tensor) -> None:
    """Set the (sliced) BatchNorm running statistics of ``arch`` to those of ``x_calib``."""
    convs = [m for m in net.modules() if isinstance(m, DynConvBN) and m.bn]
    net.train()
    for m in convs:
        m.bn_factor = 1.0  # running stats := this batch's statistics
    net(x_calib, arch)
    for m in convs:
        m.bn_factor = 0.1


@torch.no_grad()
def subnet_predictions(net: Supernet, arch: dict, data: ProxyData, split: str = "val",
                       calib_size: int = 256) -> torch.Tensor:
    """Per-image correctness (bool) of ``arch`` with shared weights, after BatchNorm
    recalibration on the first ``calib_size`` training images."""
    recalibrate_bn(net, arch, data.x_train[:calib_size])
    net.eval()
    x, y = data.split(split)
    correct = torch.cat([net(xb, arch).argmax(1) == yb
                         for xb, yb in zip(x.split(1000), y.split(1000))])
    net.train()
    return correct


def evaluate_subnet(net: Supernet, arch: dict, data: ProxyData, split: str = "val",
                    calib_size: int = 256) -> float:
    """Accuracy of ``arch`` with shared weights, after BatchNorm recalibration on train images."""
    return subnet_predictions(net, arch, data, split, calib_size).float().mean().item()
