"""Found models a user can take away: the exported module is the supernet's sub-network."""

from __future__ import annotations

import random

import pytest
import torch

from satgym.adaptive import genome
from satgym.adaptive.export import export_model, extract_subnet, fold_batchnorm, load_exported
from satgym.adaptive.proxy_data import load_proxy_data
from satgym.adaptive.search_space import FAMILIES, search_space, searchable_reference
from satgym.adaptive.supernet import (Supernet, evaluate_subnet, recalibrate_bn, train_supernet)

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def data():
    return load_proxy_data("shapes", n_train=96, n_val=32, n_test=64)


@pytest.fixture(scope="module", params=FAMILIES)
def trained(request, data):
    net = Supernet(request.param)
    train_supernet(net, data, epochs=1, batch_size=32, seed=0, max_steps=3)  # non-trivial weights
    return net


def _archs(family: str):
    tree = genome.compile_space(search_space(family))
    rng = random.Random(5)
    return [searchable_reference(family)] + [genome.decode(tree, genome.sample(tree, rng))
                                             for _ in range(3)]


def test_subnet_equals_standalone_network_with_inherited_weights(trained, data):
    for arch in _archs(trained.family):
        recalibrate_bn(trained, arch, data.x_train[:64])
        trained.eval()
        sub = extract_subnet(trained, arch).eval()
        with torch.no_grad():
            assert torch.allclose(sub(data.x_test), trained(data.x_test, arch), atol=1e-5)
            folded = fold_batchnorm(sub, arch)
            assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
            assert torch.allclose(folded(data.x_test), sub(data.x_test), atol=1e-4)
        acc = (sub(data.x_test).argmax(1) == data.y_test).float().mean().item()
        assert acc == pytest.approx(evaluate_subnet(trained, arch, data, "test", calib_size=64))
        trained.train()


def test_export_round_trip(trained, data, tmp_path):
    arch = _archs(trained.family)[1]
    recalibrate_bn(trained, arch, data.x_train[:64])
    sub = extract_subnet(trained, arch).eval()
    out = export_model(sub, arch, tmp_path / "m", {"processor": "Kirin 980"})
    assert {p.name for p in out.iterdir()} == {"state_dict.pt", "model.pt2", "manifest.yaml"}
    x = data.x_test[:1]
    with torch.no_grad():
        assert torch.equal(load_exported(out)(x), sub(x))
        program = torch.export.load(out / "model.pt2").module()
        assert torch.allclose(program(x), sub(x), atol=1e-4)
