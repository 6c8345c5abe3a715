"""Plain torch modules for materialised architectures and for single operators.

:func:`build_network` instantiates an architecture (see :mod:`search_space`) as an ``nn.Module``;
``batchnorm=False`` gives the deployment form (BatchNorm folded into the convolutions), which is
what the knowledge-base operators measure. :func:`operator_module` builds the single-operator
model of one :class:`OpSpec` for the profiler.

Example:
    >>> import torch
    >>> from satgym.adaptive.search_space import PROXY, reference_architecture
    >>> net = build_network(reference_architecture("shufflenetv2"), PROXY)
    >>> net(torch.zeros(2, 1, 16, 16)).shape
    torch.Size([2, 10])
"""

from __future__ import annotations

import torch
from torch import nn

from satgym.adaptive.operators import OpSpec
from satgym.adaptive.search_space import FULL, Scale, layer_plan, make_divisible

_ACTS = {"none": nn.Identity, "relu": nn.ReLU, "hswish": nn.Hardswish, "hsigmoid": nn.Hardsigmoid}


def conv_bn_act(cin: int, cout: int, k: int, s: int, act: str, groups: int = 1,
                batchnorm: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=not batchnorm)]
    if batchnorm:
        layers.append(nn.BatchNorm2d(cout))
    layers.append(_ACTS[act]())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        sq = make_divisible(c / 4, 8)
        self.fc1, self.fc2 = nn.Conv2d(c, sq, 1), nn.Conv2d(sq, c, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = torch.relu(self.fc1(x.mean((2, 3), keepdim=True)))
        return x * nn.functional.hardsigmoid(self.fc2(s))


class InvertedResidual(nn.Module):
    def __init__(self, layer: dict, batchnorm: bool = True) -> None:
        super().__init__()
        cin, ce, cout, k, s, act = (layer[n] for n in ("cin", "cexp", "cout", "k", "stride", "act"))
        mods: list[nn.Module] = []
        if ce != cin:
            mods.append(conv_bn_act(cin, ce, 1, 1, act, batchnorm=batchnorm))
        mods.append(conv_bn_act(ce, ce, k, s, act, groups=ce, batchnorm=batchnorm))
        if layer["se"]:
            mods.append(SqueezeExcite(ce))
        mods.append(conv_bn_act(ce, cout, 1, 1, "none", batchnorm=batchnorm))
        self.body = nn.Sequential(*mods)
        self.residual = s == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return x + y if self.residual else y


def channel_shuffle(x: torch.Tensor, groups: int = 2) -> torch.Tensor:
    """ShuffleNet's channel shuffle; for 2 groups it interleaves: out[2i] = a[i], out[2i+1] = b[i]."""
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


def split_halves(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Channel split of a stride-1 ShuffleNetV2 unit: channels 4m, 4m+1 | 4m+2, 4m+3.

    ShuffleNetV2 splits first / second half. A weight-sharing supernet needs the k-th channel of
    each half to be the same channel at every width (a prefix-stable split), which the
    first/second-half split is not. The even/odd split is prefix-stable but, after the
    interleaving shuffle of the previous unit, hands the identity branch exactly the previous
    identity branch again (the shuffle cancels; no channel mixing in a whole stage). Splitting by
    channel index mod 4 is prefix-stable *and* gives each half two of the previous identity and
    two of the previous processed channels out of every four, as ShuffleNetV2's split does: the
    same network up to a fixed channel permutation, with the same operators.
    """
    n, c, h, w = x.shape
    q = x.unflatten(1, (c // 4, 4))
    return q[:, :, :2].flatten(1, 2), q[:, :, 2:].flatten(1, 2)


class ShuffleUnit(nn.Module):
    def __init__(self, layer: dict, batchnorm: bool = True) -> None:
        super().__init__()
        cin, cout, k, s = (layer[n] for n in ("cin", "cout", "k", "stride"))
        half, self.stride = cout // 2, s
        bin_ = cin if s == 2 else half
        if s == 2:
            self.branch1 = nn.Sequential(conv_bn_act(cin, cin, k, s, "none", cin, batchnorm),
                                         conv_bn_act(cin, half, 1, 1, "relu", batchnorm=batchnorm))
        self.branch2 = nn.Sequential(conv_bn_act(bin_, half, 1, 1, "relu", batchnorm=batchnorm),
                                     conv_bn_act(half, half, k, s, "none", half, batchnorm),
                                     conv_bn_act(half, half, 1, 1, "relu", batchnorm=batchnorm))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 2:
            out = torch.cat((self.branch1(x), self.branch2(x)), 1)
        else:
            x1, x2 = split_halves(x)
            out = torch.cat((x1, self.branch2(x2)), 1)
        return channel_shuffle(out)


class Head(nn.Module):
    def __init__(self, layer: dict) -> None:
        super().__init__()
        if layer["hidden"]:
            self.fc = nn.Sequential(nn.Linear(layer["cin"], layer["hidden"]), nn.Hardswish(),
                                    nn.Linear(layer["hidden"], layer["classes"]))
        else:
            self.fc = nn.Linear(layer["cin"], layer["classes"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(x.mean((2, 3)))


def build_layer(layer: dict, batchnorm: bool = True) -> nn.Module:
    kind = layer["kind"]
    if kind == "conv":
        return conv_bn_act(layer["cin"], layer["cout"], layer["k"], layer["stride"], layer["act"],
                           batchnorm=batchnorm)
    if kind == "maxpool":
        return nn.MaxPool2d(3, 2, 1)
    if kind == "mb":
        return InvertedResidual(layer, batchnorm)
    if kind == "shuffle":
        return ShuffleUnit(layer, batchnorm)
    if kind == "head":
        return Head(layer)
    raise ValueError(f"unknown layer kind {kind!r}")


def build_network(arch: dict, scale: Scale = FULL, batchnorm: bool = True) -> nn.Sequential:
    """``arch`` as a torch module at ``scale`` (``batchnorm=False``: BN folded, for timing)."""
    return nn.Sequential(*[build_layer(layer, batchnorm) for layer in layer_plan(arch, scale)])


class _Binary(nn.Module):
    def __init__(self, op: str) -> None:
        super().__init__()
        self.op = op

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.op == "add":
            return x + y
        if self.op == "mul":
            return x * y
        return torch.cat((x, y), 1)


class _Unary(nn.Module):
    def __init__(self, op: str) -> None:
        super().__init__()
        self.op = op

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.op == "global_avgpool":
            return x.mean((2, 3), keepdim=True)
        if self.op == "channel_shuffle":
            return channel_shuffle(x)
        return split_halves(x)[1]  # split


def to_nhwc(module: nn.Module, *inputs: torch.Tensor) -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    """Module and 4-D inputs in channels-last (NHWC) layout, the layout TFLite-style engines use
    (on this torch build NCHW max-pooling is ~10x slower than NHWC)."""
    module = module.to(memory_format=torch.channels_last)
    return module, tuple(x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x
                         for x in inputs)


def operator_module(op: OpSpec) -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    """Single-operator model and example inputs for ``op`` (batch 1, fp32, NCHW; the profiler
    converts both with :func:`to_nhwc`)."""
    h, w, cin = op.input_h, op.input_w, op.in_channels
    x = torch.randn(1, cin, h, w)
    if op.op_type == "conv2d":
        m = nn.Sequential(nn.Conv2d(cin, op.out_channels, (op.kernel_h, op.kernel_w),
                                    (op.stride_h, op.stride_w), op.padding, groups=op.groups),
                          _ACTS[op.activation]())
        return m, (x,)
    if op.op_type == "linear":
        return nn.Sequential(nn.Linear(cin, op.out_channels), _ACTS[op.activation]()), \
            (torch.randn(1, cin),)
    if op.op_type == "maxpool":
        return nn.MaxPool2d((op.kernel_h, op.kernel_w), (op.stride_h, op.stride_w), op.padding), (x,)
    if op.op_type in ("add", "mul"):
        y = torch.randn(1, cin, h, w) if op.op_type == "add" else torch.randn(1, cin, 1, 1)
        return _Binary(op.op_type), (x, y)
    if op.op_type == "concat":  # in_channels = each input's channels
        return _Binary("concat"), (x, torch.randn(1, cin, h, w))
    return _Unary(op.op_type), (x,)
