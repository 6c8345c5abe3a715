"""Found models a user can take away: a supernet sub-network as a standalone torch module.

:func:`extract_subnet` copies the inherited weights of ``arch`` (sliced channels, centre-cropped
kernels, sliced BatchNorm statistics) from a :class:`~satgym.adaptive.supernet.Supernet` into
``build_network(arch, scale)``: a plain ``nn.Sequential`` that computes exactly what the supernet
computes for ``arch`` (tested to 1e-5). :func:`fold_batchnorm` gives its deployment form
(BatchNorm folded into the convolutions, the form the knowledge-base operators are timed in).
:func:`export_model` writes a directory a user can take away::

    <dir>/state_dict.pt     inherited weights of build_network(arch, PROXY) (torch.load)
    <dir>/model.pt2         the BN-folded module as a torch.export program (no satgym needed)
    <dir>/manifest.yaml     architecture, scale, size, proxy accuracy, predicted latency per
                            processor (with its identified range) and measured host latencies

and :func:`load_exported` rebuilds the module from ``state_dict.pt`` + ``manifest.yaml``.

Example:
    >>> import torch
    >>> from satgym.adaptive.search_space import searchable_reference
    >>> from satgym.adaptive.supernet import Supernet
    >>> net = Supernet("shufflenetv2").eval()
    >>> arch = searchable_reference("shufflenetv2")
    >>> sub = extract_subnet(net, arch).eval()
    >>> x = torch.randn(2, 1, 16, 16)
    >>> torch.allclose(sub(x), net(x, arch), atol=1e-5)
    True
"""

from __future__ import annotations

from pathlib import Path

import torch
import yaml
from torch import nn

from satgym.adaptive.knowledge_base import KnowledgeBase
from satgym.adaptive.networks import build_network, to_nhwc
from satgym.adaptive.predictor import LatencyPredictor
from satgym.adaptive.profiler import HOST_DEVICE_NAME, host_device, host_engine, time_callable
from satgym.adaptive.search_space import PROXY, Scale, layer_plan, make_divisible, operator_list
from satgym.adaptive.supernet import DynConvBN, DynLinear, Supernet


@torch.no_grad()
def _copy_conv(dst: nn.Sequential | nn.Conv2d, src: DynConvBN) -> None:
    """Copy the slice of ``src`` that matches the shape of ``dst`` (conv [+ BN] [+ act])."""
    conv = dst if isinstance(dst, nn.Conv2d) else dst[0]
    cout, cin_g, k, _ = conv.weight.shape
    lo = (src.max_k - k) // 2
    conv.weight.copy_(src.weight[:cout, :cin_g, lo:lo + k, lo:lo + k])
    if src.bn:
        bn = dst[1]
        bn.weight.copy_(src.bn_w[:cout])
        bn.bias.copy_(src.bn_b[:cout])
        bn.running_mean.copy_(src.mean[:cout])
        bn.running_var.copy_(src.var[:cout])
    else:
        conv.bias.copy_(src.bias[:cout])


@torch.no_grad()
def _copy_linear(dst: nn.Linear, src: DynLinear) -> None:
    cout, cin = dst.weight.shape
    dst.weight.copy_(src.lin.weight[:cout, :cin])
    dst.bias.copy_(src.lin.bias[:cout])


def extract_subnet(supernet: Supernet, arch: dict) -> nn.Sequential:
    """``arch`` as ``build_network(arch, supernet.scale)`` with the supernet's weights.

    Call :func:`satgym.adaptive.supernet.recalibrate_bn` first if the subnet's BatchNorm
    statistics should be its own (as :func:`~satgym.adaptive.supernet.evaluate_subnet` does).
    """
    net = build_network(arch, supernet.scale)
    for layer, mod in zip(layer_plan(arch, supernet.scale), net):
        kind = layer["kind"]
        if kind == "maxpool":
            continue
        src = supernet.layers[supernet._key(layer)]
        if kind == "conv":
            _copy_conv(mod, src)
        elif kind == "head":
            if layer["hidden"]:
                _copy_linear(mod.fc[0], src["hidden"])
                _copy_linear(mod.fc[2], src["out"])
            else:
                _copy_linear(mod.fc, src["out"])
        elif kind == "mb":
            body = list(mod.body)
            if layer["cexp"] != layer["cin"]:
                _copy_conv(body.pop(0), src["expand"])
            _copy_conv(body.pop(0), src["dw"])
            if layer["se"]:
                se = body.pop(0)
                assert se.fc1.out_channels == make_divisible(layer["cexp"] / 4, 8)
                _copy_conv(se.fc1, src["se1"])
                _copy_conv(se.fc2, src["se2"])
            _copy_conv(body.pop(0), src["project"])
        elif kind == "shuffle":
            if layer["stride"] == 2:
                _copy_conv(mod.branch1[0], src["dw1"])
                _copy_conv(mod.branch1[1], src["pw1b"])
            for dst, name in zip(mod.branch2, ("pw1", "dw2", "pw2")):
                _copy_conv(dst, src[name])
        else:
            raise ValueError(f"unknown layer kind {kind!r}")
    return net


@torch.no_grad()
def fold_batchnorm(net: nn.Sequential, arch: dict, scale: Scale = PROXY) -> nn.Sequential:
    """Deployment form of ``net`` (from ``build_network(arch, scale)``): each conv + BatchNorm
    becomes one conv with bias, w' = w g / sqrt(v + eps), b' = b_bn - m g / sqrt(v + eps)."""
    folded = build_network(arch, scale, batchnorm=False)
    out = folded.state_dict()
    src = net.state_dict()
    for name, mod in net.named_modules():
        if isinstance(mod, nn.Sequential) and len(mod) == 3 and isinstance(mod[1], nn.BatchNorm2d):
            conv, bn = mod[0], mod[1]
            s = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            out[f"{name}.0.weight"] = conv.weight * s[:, None, None, None]
            out[f"{name}.0.bias"] = bn.bias - bn.running_mean * s
    for key, value in src.items():  # SE convs and linear layers have no BatchNorm
        if key in out and not any(key.startswith(p) for p in _bn_prefixes(net)):
            out[key] = value
    folded.load_state_dict(out)
    return folded.eval()


def _bn_prefixes(net: nn.Module) -> list[str]:
    return [f"{n}." for n, m in net.named_modules()
            if isinstance(m, nn.Sequential) and len(m) == 3 and isinstance(m[1], nn.BatchNorm2d)]


def export_model(module: nn.Sequential, arch: dict, out_dir: str | Path, manifest: dict,
                 scale: Scale = PROXY) -> Path:
    """Write ``state_dict.pt``, ``model.pt2`` and ``manifest.yaml`` (see module doc)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(module.state_dict(), out / "state_dict.pt")
    deploy = fold_batchnorm(module, arch, scale)
    example = torch.zeros(1, scale.in_channels, scale.input_hw, scale.input_hw)
    torch.export.save(torch.export.export(deploy, (example,)), out / "model.pt2")
    meta = {"arch": arch, "scale": {k: getattr(scale, k) for k in scale.__dataclass_fields__},
            **manifest}
    with open(out / "manifest.yaml", "w") as f:
        f.write("# Written by satgym.adaptive.export.export_model; load with "
                "satgym.adaptive.export.load_exported(dir) or torch.export.load(dir/'model.pt2')\n")
        yaml.safe_dump(meta, f, sort_keys=False, width=110)
    return out


def load_exported(out_dir: str | Path) -> nn.Sequential:
    """Rebuild an exported module (BatchNorm form, eval mode) from its directory."""
    out = Path(out_dir)
    with open(out / "manifest.yaml") as f:
        meta = yaml.safe_load(f)
    net = build_network(meta["arch"], Scale(**meta["scale"]))
    net.load_state_dict(torch.load(out / "state_dict.pt", weights_only=True))
    return net.eval()


def host_latencies(arch: dict, scale: Scale, module: nn.Module | None = None,
                   warmup_s: float = 0.3, run_s: float = 1.5) -> dict:
    """Predicted (knowledge-base sum) and measured end-to-end latency of ``arch`` on this host.

    ``module`` (BN-folded) is timed if given, else ``build_network(arch, scale,
    batchnorm=False)``. Operators missing from the shipped host table (e.g. the 16x16 proxy
    scale) are profiled into a throw-away in-memory knowledge base, never the shipped one.
    """
    kb = KnowledgeBase(":memory:")
    shipped = KnowledgeBase()
    rows = [(op, lat, None, None) for op, lat in shipped.table(HOST_DEVICE_NAME, host_engine()).items()]
    shipped.close()
    kb.add_measurements(host_device(), host_engine(), rows)
    pred = LatencyPredictor(HOST_DEVICE_NAME, kb, profile_missing=True)
    ops = operator_list(arch, scale)
    n_missing = sum(op not in pred.table for op in set(ops))
    predicted = pred.predict_ops(ops).total_ms
    torch.set_num_threads(1)
    net = module if module is not None else build_network(arch, scale, batchnorm=False).eval()
    x = torch.randn(1, scale.in_channels, scale.input_hw, scale.input_hw)
    net, (x,) = to_nhwc(net, x)
    with torch.inference_mode():
        measured, std, n = time_callable(lambda: net(x), warmup_s, run_s)
    kb.close()
    return {"predicted_ms": round(predicted, 3), "measured_ms": round(measured, 3),
            "measured_std_ms": round(std, 3), "rounds": n,
            "operators_profiled_on_the_fly": n_missing}
