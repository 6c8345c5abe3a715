from __future__ import annotations

import pytest
import torch

from satgym.adaptive.calibration import load_processors
from satgym.adaptive.evolution import InfeasibleBudgetError, evolve, fastest_architecture
from satgym.adaptive.predictor import LatencyPredictor
from satgym.adaptive.search_space import FAMILIES
from satgym.adaptive.supernet import Supernet, evaluate_subnet, load_digits_data, train_supernet

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
