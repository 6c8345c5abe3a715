from __future__ import annotations

import random

import pyglove as pg
import pytest
import torch

from satgym.adaptive import genome
from satgym.adaptive.networks import build_network
from satgym.adaptive.search_space import (FAMILIES, FULL, PROXY, materialize, operator_list,
                                          reference_architecture, search_space, space_operators)
from satgym.adaptive.supernet import Supernet

torch.set_num_threads(1)


@pytest.mark.parametrize("family", FAMILIES)
def test_genome_matches_pyglove(family):
    space = search_space(family)
    tree = genome.compile_space(space)
    rng = random.Random(3)
    for _ in range(3):
        g = genome.sample(tree, rng)
        assert genome.decode(tree, g) == materialize(space, genome.to_dna(g, tree))
        g2 = genome.mutate(tree, g, rng)
        assert g2 != g
        assert genome.decode(tree, g2) == materialize(space, genome.to_dna(g2, tree))


@pytest.mark.parametrize("family,params_m,macs_m", [("mobilenetv3", 5.48, 217),
                                                    ("shufflenetv2", 2.28, 147)])
def test_reference_networks_match_published_size(family, params_m, macs_m):
    arch = reference_architecture(family)
    net = build_network(arch, FULL)
    assert sum(p.numel() for p in net.parameters()) / 1e6 == pytest.approx(params_m, abs=0.02)
    macs = 0
    for op in operator_list(arch):
        if op.op_type == "conv2d":
            oh, ow = op.output_hw()
            macs += oh * ow * op.out_channels * op.in_channels // op.groups * op.kernel_h ** 2
        elif op.op_type == "linear":
            macs += op.in_channels * op.out_channels
    assert macs / 1e6 == pytest.approx(macs_m, rel=0.02)
    n_conv = sum(isinstance(m, torch.nn.Conv2d) for m in net.modules())
    assert n_conv == sum(op.op_type == "conv2d" for op in operator_list(arch))


@pytest.mark.parametrize("family", FAMILIES)
def test_random_architecture_builds_and_runs(family):
    space = search_space(family)
    arch = materialize(space, pg.random_dna(pg.dna_spec(space), random.Random(0)))
    x = torch.randn(2, 1, 16, 16)
    assert build_network(arch, PROXY)(x).shape == (2, 10)
    assert Supernet(family)(x, arch).shape == (2, 10)
    assert set(operator_list(arch)) <= set(space_operators(family))
