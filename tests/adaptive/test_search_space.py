from __future__ import annotations

import random

import pyglove as pg
import pytest
import torch

from satgym.adaptive import genome
from satgym.adaptive.networks import build_network, channel_shuffle, split_halves
from satgym.adaptive.search_space import (FAMILIES, FULL, PROXY, materialize, model_size,
                                          operator_list, reference_architecture, search_space,
                                          searchable_reference, space_operators)
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
    assert model_size(arch).macs_m == pytest.approx(macs_m, rel=0.02)
    n_conv = sum(isinstance(m, torch.nn.Conv2d) for m in net.modules())
    assert n_conv == sum(op.op_type == "conv2d" for op in operator_list(arch))


@pytest.mark.parametrize("family", FAMILIES)
def test_model_size_counts_the_deployed_network(family):
    tree = genome.compile_space(search_space(family))
    for arch in (reference_architecture(family),
                 genome.decode(tree, genome.sample(tree, random.Random(1)))):
        folded = build_network(arch, FULL, batchnorm=False)
        assert model_size(arch).params_m * 1e6 == sum(p.numel() for p in folded.parameters())


@pytest.mark.parametrize("family", FAMILIES)
def test_searchable_reference_is_a_subnet_the_supernet_trains(family):
    tree = genome.compile_space(search_space(family))
    ref = searchable_reference(family)
    assert genome.decode(tree, genome.encode(tree, ref)) == ref
    if family == "mobilenetv3":  # the published network uses expansions 2.5 / 2.3
        with pytest.raises(ValueError):
            genome.encode(tree, reference_architecture(family))
        exps = [b["expansion"] for s in ref["stages"] for b in s]
        assert set(exps) <= {3, 4, 6} and exps.count(3) == 7
    else:
        assert ref == reference_architecture(family)


def test_split_is_prefix_stable_and_mixes_both_branches():
    """The k-th channel of each half is the same at every width (weight sharing), and after
    the shuffle each half holds channels of both previous branches (ShuffleNetV2's mixing)."""
    for c in (8, 16, 24):
        x = torch.arange(c, dtype=torch.float32).view(1, c, 1, 1)
        a, b = split_halves(x)
        big_a, big_b = split_halves(torch.arange(32, dtype=torch.float32).view(1, 32, 1, 1))
        assert torch.equal(a.flatten(), big_a.flatten()[: c // 2])
        assert torch.equal(b.flatten(), big_b.flatten()[: c // 2])
    left = torch.zeros(1, 8, 1, 1)                  # previous identity branch
    right = torch.ones(1, 8, 1, 1)                  # previous processed branch
    keep, proc = split_halves(channel_shuffle(torch.cat((left, right), 1)))
    assert keep.mean() == 0.5 and proc.mean() == 0.5


@pytest.mark.parametrize("family", FAMILIES)
def test_random_architecture_builds_and_runs(family):
    space = search_space(family)
    arch = materialize(space, pg.random_dna(pg.dna_spec(space), random.Random(0)))
    x = torch.randn(2, 1, 16, 16)
    assert build_network(arch, PROXY)(x).shape == (2, 10)
    assert Supernet(family)(x, arch).shape == (2, 10)
    assert set(operator_list(arch)) <= set(space_operators(family))
