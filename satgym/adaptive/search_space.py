"""Search space A of adaptive modelling (Sec. VIII, Fig. 5), built with PyGlove.

Two families, each a PyGlove hyper-value (``pg.oneof``; ``repeat`` stacks a block a searchable
number of times, which is what the paper's ``repeat`` does - pyglove 0.4.5 has no ``pg.repeat``, so
:func:`repeat` is ``pg.oneof`` over stacks of 1..n independent blocks):

* ``mobilenetv3`` - inverted-residual blocks (kernel 3/5/7, expansion 3/4/6, squeeze-excite on/off),
  a global width multiplier and a depth per stage, on the MobileNetV3-Large skeleton.
* ``shufflenetv2`` - ShuffleNetV2 units (depthwise kernel 3/5/7), channels and depth per stage.

A materialised architecture is a plain dict. :func:`layer_plan` resolves it at a given
:class:`Scale` (``FULL`` = 224x224 ImageNet network, ``PROXY`` = 16x16 digits network) into
concrete layers; :func:`operator_list` turns that into the operators the latency predictor sums.

Example:
    >>> arch = reference_architecture("mobilenetv3")
    >>> ops = operator_list(arch)           # 224x224 operators for Lat_pre
    >>> len(ops), ops[0].out_channels
    (91, 16)
    >>> space = search_space("shufflenetv2")
    >>> a = materialize(space, pg.random_dna(pg.dna_spec(space), random.Random(0)))
    >>> a["family"]
    'shufflenetv2'
"""

from __future__ import annotations

import random  # noqa: F401  (used in the docstring example)
from dataclasses import dataclass
from typing import Any, Callable

import pyglove as pg

from satgym.adaptive.operators import OpSpec, op_macs, op_params

FAMILIES = ("mobilenetv3", "shufflenetv2")

# MobileNetV3-Large skeleton: stages after the fixed 16-channel first block.
MB_BASE_CHANNELS = (24, 40, 80, 112, 160)
MB_STRIDES = (2, 2, 2, 1, 2)
MB_ACTS = ("relu", "relu", "hswish", "hswish", "hswish")
MB_DEPTHS = ((1, 2, 3), (2, 3, 4), (2, 3, 4), (1, 2, 3), (2, 3, 4))
# ShuffleNetV2 stages 2-4 (channel options cover the 0.5x / 1.0x / 1.5x variants).
SH_CHANNELS = ((48, 88, 116, 176), (96, 176, 232, 352), (192, 352, 464, 704))
SH_DEPTHS = ((2, 3, 4), (4, 6, 8), (2, 3, 4))


@dataclass(frozen=True)
class Scale:
    """How an architecture is instantiated: input size, channel scale, stem stride, classes."""

    input_hw: int = 224
    in_channels: int = 3
    num_classes: int = 1000
    stem_stride: int = 2
    width_scale: float = 1.0
    divisor: int = 8


FULL = Scale()
PROXY = Scale(input_hw=16, in_channels=1, num_classes=10, stem_stride=1, width_scale=0.25, divisor=4)


def make_divisible(v: float, divisor: int = 8) -> int:
    """MobileNet channel rounding (never below 90 % of ``v``)."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def repeat(block: Callable[[], Any], counts: tuple[int, ...]) -> Any:
    """Stack ``block()`` a searchable number of times (the paper's ``repeat``)."""
    return pg.oneof([[block() for _ in range(n)] for n in counts])


def search_space(family: str, kernels: tuple[int, ...] = (3, 5, 7),
                 expansions: tuple[float, ...] = (3, 4, 6),
                 widths: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25),
                 depths: tuple[tuple[int, ...], ...] | None = None,
                 channels: tuple[tuple[int, ...], ...] = SH_CHANNELS) -> pg.Dict:
    """The PyGlove search space of one family (pass smaller option sets for tiny test spaces)."""
    if family == "mobilenetv3":
        def mb_block() -> pg.Dict:
            return pg.Dict(kernel=pg.oneof(list(kernels)), expansion=pg.oneof(list(expansions)),
                           se=pg.oneof([False, True]))
        return pg.Dict(family=family, width=pg.oneof(list(widths)),
                       stages=[repeat(mb_block, d) for d in (depths or MB_DEPTHS)])
    if family == "shufflenetv2":
        def unit() -> pg.Dict:
            return pg.Dict(kernel=pg.oneof(list(kernels)))
        return pg.Dict(family=family, stages=[
            pg.Dict(channels=pg.oneof(list(c)), units=repeat(unit, d))
            for c, d in zip(channels, depths or SH_DEPTHS)])
    raise ValueError(f"unknown family {family!r}; valid: {FAMILIES}")


def to_plain(x: Any) -> Any:
    """Symbolic pg.Dict / pg.List -> plain dict / list."""
    if isinstance(x, dict):
        return {k: to_plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_plain(v) for v in x]
    return x


def materialize(space: pg.Dict, dna: pg.DNA) -> dict:
    """Materialise a DNA of ``space`` into a plain architecture dict."""
    return to_plain(pg.materialize(space, dna))


def reference_architecture(family: str) -> dict:
    """The original network expressed in this space's grammar (MobileNetV3-Large / ShuffleNetV2 1.0x).

    MobileNetV3-Large uses expansions 2.5 and 2.3 (200 and 184 channels) that are not among the
    searchable 3/4/6; the block grammar (and the supernet, by channel slicing) accepts any ratio.
    """
    if family == "mobilenetv3":
        ks = ((3, 3), (5, 5, 5), (3, 3, 3, 3), (3, 3), (5, 5, 5))
        es = ((4, 3), (3, 3, 3), (6, 2.5, 2.3, 2.3), (6, 6), (6, 6, 6))
        se = (False, True, False, True, True)
        return {"family": family, "width": 1.0, "stages": [
            [{"kernel": k, "expansion": e, "se": s} for k, e in zip(kk, ee)]
            for kk, ee, s in zip(ks, es, se)]}
    if family == "shufflenetv2":
        return {"family": family, "stages": [
            {"channels": c, "units": [{"kernel": 3}] * n}
            for c, n in ((116, 4), (232, 8), (464, 4))]}
    raise ValueError(f"unknown family {family!r}; valid: {FAMILIES}")


def _conv_out(hw: int, k: int, s: int) -> int:
    return (hw + 2 * (k // 2) - k) // s + 1


def layer_plan(arch: dict, scale: Scale = FULL) -> list[dict]:
    """Resolve ``arch`` at ``scale`` into concrete layers (channels, kernel, stride, input size)."""
    div, ws = scale.divisor, scale.width_scale
    hw = scale.input_hw
    plan: list[dict] = []
    if arch["family"] == "mobilenetv3":
        w = arch["width"] * ws
        c = make_divisible(16 * w, div)
        plan.append(dict(kind="conv", cin=scale.in_channels, cout=c, k=3, stride=scale.stem_stride,
                         act="hswish", hw=hw))
        hw = _conv_out(hw, 3, scale.stem_stride)
        plan.append(dict(kind="mb", pos=(0, 0), cin=c, cexp=c, cout=c, k=3, stride=1, se=False,
                         act="relu", hw=hw))
        for s, blocks in enumerate(arch["stages"]):
            cout = make_divisible(MB_BASE_CHANNELS[s] * w, div)
            for i, b in enumerate(blocks):
                stride = MB_STRIDES[s] if i == 0 else 1
                plan.append(dict(kind="mb", pos=(s + 1, i), cin=c,
                                 cexp=make_divisible(c * b["expansion"], div), cout=cout,
                                 k=b["kernel"], stride=stride, se=bool(b["se"]), act=MB_ACTS[s],
                                 hw=hw))
                hw, c = _conv_out(hw, b["kernel"], stride), cout
        last = make_divisible(6 * c, div)
        plan.append(dict(kind="conv", cin=c, cout=last, k=1, stride=1, act="hswish", hw=hw))
        plan.append(dict(kind="head", cin=last, hidden=make_divisible(1280 * w, div),
                         classes=scale.num_classes, hw=hw))
    elif arch["family"] == "shufflenetv2":
        c = make_divisible(24 * ws, div)
        plan.append(dict(kind="conv", cin=scale.in_channels, cout=c, k=3, stride=scale.stem_stride,
                         act="relu", hw=hw))
        hw = _conv_out(hw, 3, scale.stem_stride)
        plan.append(dict(kind="maxpool", cin=c, hw=hw))
        hw = _conv_out(hw, 3, 2)
        for s, stage in enumerate(arch["stages"]):
            cout = make_divisible(stage["channels"] * ws, max(div, 2))
            for i, u in enumerate(stage["units"]):
                stride = 2 if i == 0 else 1
                plan.append(dict(kind="shuffle", pos=(s, i), cin=c, cout=cout, k=u["kernel"],
                                 stride=stride, hw=hw))
                hw, c = _conv_out(hw, u["kernel"], stride), cout
        last = make_divisible(1024 * ws, div)
        plan.append(dict(kind="conv", cin=c, cout=last, k=1, stride=1, act="relu", hw=hw))
        plan.append(dict(kind="head", cin=last, hidden=None, classes=scale.num_classes, hw=hw))
    else:
        raise ValueError(f"unknown family {arch.get('family')!r}; valid: {FAMILIES}")
    return plan


def _conv(cin: int, cout: int, k: int, s: int, hw: int, act: str, groups: int = 1) -> OpSpec:
    return OpSpec("conv2d", kernel_h=k, kernel_w=k, stride_h=s, stride_w=s, padding=k // 2,
                  in_channels=cin, out_channels=cout, input_h=hw, input_w=hw, groups=groups,
                  activation=act)


def _elem(op_type: str, cin: int, cout: int, hw: int) -> OpSpec:
    return OpSpec(op_type, in_channels=cin, out_channels=cout, input_h=hw, input_w=hw)


def layer_operators(layer: dict) -> list[OpSpec]:
    """Operators of one planned layer (BatchNorm folded into the conv, activation fused)."""
    kind, hw = layer["kind"], layer["hw"]
    if kind == "conv":
        return [_conv(layer["cin"], layer["cout"], layer["k"], layer["stride"], hw, layer["act"])]
    if kind == "maxpool":
        return [OpSpec("maxpool", kernel_h=3, kernel_w=3, stride_h=2, stride_w=2, padding=1,
                       in_channels=layer["cin"], out_channels=layer["cin"], input_h=hw, input_w=hw)]
    if kind == "head":
        ops = [_elem("global_avgpool", layer["cin"], layer["cin"], hw)]
        cin = layer["cin"]
        if layer["hidden"]:
            ops.append(OpSpec("linear", in_channels=cin, out_channels=layer["hidden"],
                              activation="hswish"))
            cin = layer["hidden"]
        ops.append(OpSpec("linear", in_channels=cin, out_channels=layer["classes"]))
        return ops
    cin, cout, k, s = layer["cin"], layer["cout"], layer["k"], layer["stride"]
    out_hw = _conv_out(hw, k, s)
    if kind == "mb":  # inverted residual block
        ce, act, ops = layer["cexp"], layer["act"], []
        if ce != cin:
            ops.append(_conv(cin, ce, 1, 1, hw, act))
        ops.append(_conv(ce, ce, k, s, hw, act, groups=ce))
        if layer["se"]:
            sq = make_divisible(ce / 4, 8)
            ops += [_elem("global_avgpool", ce, ce, out_hw), _conv(ce, sq, 1, 1, 1, "relu"),
                    _conv(sq, ce, 1, 1, 1, "hsigmoid"), _elem("mul", ce, ce, out_hw)]
        ops.append(_conv(ce, cout, 1, 1, out_hw, "none"))
        if s == 1 and cin == cout:
            ops.append(_elem("add", cout, cout, out_hw))
        return ops
    if kind == "shuffle":  # ShuffleNetV2 unit
        half = cout // 2
        if s == 2:
            ops = [_conv(cin, cin, k, s, hw, "none", groups=cin), _conv(cin, half, 1, 1, out_hw, "relu"),
                   _conv(cin, half, 1, 1, hw, "relu")]
        else:
            ops = [_elem("split", cin, half, hw), _conv(half, half, 1, 1, hw, "relu")]
        ops += [_conv(half, half, k, s, hw, "none", groups=half),
                _conv(half, half, 1, 1, out_hw, "relu"), _elem("concat", half, cout, out_hw),
                _elem("channel_shuffle", cout, cout, out_hw)]
        return ops
    raise ValueError(f"unknown layer kind {kind!r}")


def operator_list(arch: dict, scale: Scale = FULL) -> list[OpSpec]:
    """All operators of ``arch`` at ``scale`` (default: 224x224, ImageNet head) in execution order."""
    return [op for layer in layer_plan(arch, scale) for op in layer_operators(layer)]


@dataclass(frozen=True)
class ModelSize:
    """Structure size of an architecture (deployment form, BatchNorm folded)."""

    params_m: float   # millions of parameters
    macs_m: float     # millions of multiply-accumulates per image


def model_size(arch: dict, scale: Scale = FULL) -> ModelSize:
    """Parameters and MACs of ``arch`` at ``scale`` (default 224x224, 1000 classes), the
    "structure size" that Sec. VIII bounds beside the latency."""
    ops = operator_list(arch, scale)
    return ModelSize(sum(map(op_params, ops)) / 1e6, sum(map(op_macs, ops)) / 1e6)


def searchable_reference(family: str) -> dict:
    """The reference network as a member of the search space, i.e. a subnet the supernet trains.

    MobileNetV3-Large's expansion ratios 2.5 and 2.3 (stage 3) are not searchable choices; they
    become 3, the smallest searchable ratio. ShuffleNetV2 1.0x is already in its space.
    """
    arch = reference_architecture(family)
    if family == "mobilenetv3":
        for blocks in arch["stages"]:
            for b in blocks:
                b["expansion"] = min((3, 4, 6), key=lambda e: (abs(e - b["expansion"]), e))
    return arch


def space_operators(family: str, scale: Scale = FULL, kernels: tuple[int, ...] = (3, 5, 7),
                    expansions: tuple[float, ...] = (3, 4, 6),
                    widths: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25),
                    channels: tuple[tuple[int, ...], ...] = SH_CHANNELS) -> list[OpSpec]:
    """Every distinct operator any architecture of the (default) space can contain, plus the
    reference network's - the set the knowledge base must cover for the search."""
    ops: set[OpSpec] = set(operator_list(reference_architecture(family), scale))
    if family == "mobilenetv3":
        for w in widths:
            blocks = [{"kernel": k, "expansion": e, "se": se}
                      for k in kernels for e in expansions for se in (False, True)]
            for b in blocks:  # two blocks per stage: stride/in-channel of first and later blocks
                arch = {"family": family, "width": w, "stages": [[b, b] for _ in MB_BASE_CHANNELS]}
                ops.update(operator_list(arch, scale))
    elif family == "shufflenetv2":
        for k in kernels:
            for c0 in channels[0]:
                for c1 in channels[1]:
                    for c2 in channels[2]:
                        arch = {"family": family, "stages": [
                            {"channels": c, "units": [{"kernel": k}] * 2} for c in (c0, c1, c2)]}
                        ops.update(operator_list(arch, scale))
    else:
        raise ValueError(f"unknown family {family!r}; valid: {FAMILIES}")
    return sorted(ops, key=lambda o: o.key())
