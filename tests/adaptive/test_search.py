from __future__ import annotations

import pytest
import torch

from satgym.adaptive.calibration import load_processors
import pyglove as pg

from satgym.adaptive.evolution import InfeasibleBudgetError, SizeBounds, evolve, fastest_architecture
from satgym.adaptive.identification import LatencyIdentification
from satgym.adaptive.predictor import LatencyPredictor
from satgym.adaptive.proxy_data import load_digits_data
from satgym.adaptive.search_space import FAMILIES, model_size
from satgym.adaptive.supernet import Supernet, evaluate_subnet, train_supernet

torch.set_num_threads(1)
BUDGET = (15.0, 20.0)


def _size(arch: dict) -> float:
    """Cheap stand-in for accuracy (bigger is "better"), keeps the sweep fast."""
    return len(repr(arch)) / 1e4


@pytest.mark.parametrize("processor", list(load_processors()))
def test_feasible_budgets_give_architectures_inside_budget(processor):
    pred = LatencyPredictor(processor)
    for family in FAMILIES:
        res = evolve(family, pred, _size, BUDGET, population_size=10, cycles=30, seed=1)
        if res.fastest_ms <= BUDGET[1]:
            assert res.feasible, res.message
            assert BUDGET[0] <= res.latency_ms <= BUDGET[1]
            assert pred(res.arch) == pytest.approx(res.latency_ms)
        else:
            assert not res.feasible and processor in res.message


def test_infeasible_budget_is_reported_clearly():
    pred = LatencyPredictor("Snapdragon 835")
    res = evolve("mobilenetv3", pred, _size, (0.1, 0.2), cycles=5)
    assert not res.feasible and res.arch is None
    fastest = pred(fastest_architecture("mobilenetv3"))
    for part in ("Snapdragon 835", "[0.1, 0.2] ms", f"{fastest:.2f} ms"):
        assert part in res.message
    with pytest.raises(InfeasibleBudgetError, match="fastest achievable"):
        res.raise_if_infeasible()
    too_slow = evolve("shufflenetv2", pred, _size, (1000.0, 2000.0), cycles=5)
    assert not too_slow.feasible and "slowest achievable" in too_slow.message


def test_search_with_supernet_is_deterministic():
    data = load_digits_data(seed=0, limit=200)
    net = Supernet("shufflenetv2")
    train_supernet(net, data, epochs=1, batch_size=32, seed=0, sandwich=False)
    pred = LatencyPredictor("Kirin 9000")

    def acc(arch):
        return evaluate_subnet(net, arch, data, "val", calib_size=64)

    runs = [evolve("shufflenetv2", pred, acc, BUDGET, population_size=4, tournament_size=2,
                   cycles=4, seed=7) for _ in range(2)]
    assert runs[0].feasible and runs[0].arch == runs[1].arch
    assert runs[0].history == runs[1].history
    assert BUDGET[0] <= runs[0].latency_ms <= BUDGET[1]
    other = evolve("shufflenetv2", pred, acc, BUDGET, population_size=4, tournament_size=2,
                   cycles=4, seed=8)
    assert other.history != runs[0].history


# A three-candidate space: "slow" breaks the budget, "a" and "b" are feasible; b is more accurate.
_TOY = pg.Dict(family="toy", pick=pg.oneof(["a", "b", "slow"]))
_LAT = {"a": 16.0, "b": 19.0, "slow": 30.0}


@pytest.mark.parametrize("acc", [{"a": 0.6, "b": 0.9, "slow": 0.99},
                                 {"a": 0.9, "b": 0.6, "slow": 0.99}])
def test_search_prefers_the_more_accurate_feasible_candidate(acc):
    res = evolve("toy", lambda a: _LAT[a["pick"]], lambda a: acc[a["pick"]], BUDGET,
                 population_size=3, tournament_size=2, cycles=6, seed=0, space=_TOY)
    best = max(("a", "b"), key=acc.get)
    assert res.feasible and res.arch["pick"] == best and res.accuracy == acc[best]
    assert res.latency_ms == _LAT[best]


def test_size_bounds_constrain_the_search():
    pred = LatencyPredictor("Kirin 9000")
    size = SizeBounds(params_m=(0.0, 1.8), macs_m=(0.0, 100.0))
    res = evolve("shufflenetv2", pred, _size, BUDGET, population_size=10, cycles=30, seed=2,
                 size_bounds=size)
    assert res.feasible, res.message
    ms = model_size(res.arch)
    assert ms.params_m <= 1.8 and ms.macs_m <= 100.0 and BUDGET[0] <= res.latency_ms <= BUDGET[1]
    assert (res.params_m, res.macs_m) == (ms.params_m, ms.macs_m)
    free = evolve("shufflenetv2", pred, _size, BUDGET, population_size=10, cycles=30, seed=2)
    free_ms = model_size(free.arch)
    assert free_ms.params_m > 1.8 or free_ms.macs_m > 100.0  # the bound changed the answer
    tiny = evolve("shufflenetv2", pred, _size, BUDGET, cycles=2, size_bounds=SizeBounds((0, 0.1)))
    assert not tiny.feasible and "smallest achievable size" in tiny.message and "M params" in tiny.message
    with pytest.raises(ValueError, match="params_m"):
        SizeBounds(params_m=(2.0, 1.0))


def test_robust_search_keeps_the_whole_identified_range_inside_the_budget():
    pred, ident = LatencyPredictor("Kirin 9000"), LatencyIdentification("Kirin 9000")
    res = evolve("shufflenetv2", pred, _size, (0.0, 20.0), population_size=10, cycles=30, seed=0,
                 latency_range=ident.range)
    assert res.feasible, res.message
    lo, hi = ident.range(res.arch)
    assert res.latency_range_ms == (lo, hi) and hi <= 20.0 and lo <= res.latency_ms <= hi
