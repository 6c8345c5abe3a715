"""The task stream: Poisson counts, arrival order, the size and Case I distributions, reproducibility."""

import numpy as np
import pytest
from scipy import stats

from satgym.leoedge.config import TaskConfig
from satgym.leoedge.tasks import TIME_OF_DAY_CURVE, ArrivalStream, TaskTable


def _stream(n_sats=50, slots=400, seed=0, **task):
    cfg = TaskConfig(**task)
    table = TaskTable()
    stream = ArrivalStream(cfg, n_sats, 1.0, 0.0, np.random.default_rng(seed))
    per_slot = [stream.append_slot(table, j) for j in range(slots)]
    return cfg, table, np.array(per_slot)


@pytest.mark.parametrize("mean_interarrival_s", [7.5, 2.0, 1.0, 0.05])
def test_counts_per_satellite_and_slot_are_poisson(mean_interarrival_s):
    cfg, table, per_slot = _stream(load="custom", interarrival_s=mean_interarrival_s)
    lam = 1.0 / mean_interarrival_s
    sat = table["sat"]
    slot = np.floor(table["arrival_s"]).astype(int) + 1
    counts = np.zeros((400, 50), int)
    np.add.at(counts, (slot, sat), 1)
    assert counts.sum() == per_slot.sum() == table.n
    # mean and variance of a Poisson(lam): both within 5 standard errors
    n = counts.size
    assert abs(counts.mean() - lam) < 5 * np.sqrt(lam / n)
    assert abs(counts.var() - lam) < 5 * lam * np.sqrt(2.0 / n) + 5 * np.sqrt(lam / n)
    # and the whole distribution: chi-square over the bins with enough mass
    k = np.arange(counts.max() + 1)
    observed = np.bincount(counts.ravel(), minlength=len(k))
    expected = stats.poisson.pmf(k, lam) * n
    keep = expected >= 5
    obs, exp = observed[keep], expected[keep]
    obs = np.append(obs, observed[~keep].sum())
    exp = np.append(exp, n - exp.sum())
    if len(obs) > 2:
        assert stats.chisquare(obs, exp * obs.sum() / exp.sum()).pvalue > 1e-4


def test_order_ids_and_slot_bounds():
    cfg, table, per_slot = _stream(load="custom", interarrival_s=1.0)
    arrival, sat, ids = table["arrival_s"], table["sat"], table["id"]
    assert np.array_equal(ids, np.arange(table.n))
    bounds = np.concatenate([[0], np.cumsum(per_slot)])
    for j in (0, 1, 57, 399):
        rows = slice(bounds[j], bounds[j + 1])
        assert np.all((arrival[rows] >= j - 1) & (arrival[rows] < j))
        assert np.all(np.diff(sat[rows]) >= 0)  # satellite by satellite
    for i in (0, 13, 49):  # each satellite's tasks in arrival order
        assert np.all(np.diff(arrival[sat == i]) >= 0)


def test_work_size_and_case_distributions():
    cfg, table, _ = _stream(load="custom", interarrival_s=0.5)
    work = table["work"]
    assert set(np.unique(work)) == set(range(cfg.work_min, cfg.work_max + 1))
    ratio = table["input_mbit"] / (work * cfg.input_mbit_per_unit)
    assert abs(np.log(ratio).std() - cfg.size_spread) < 0.02
    assert abs(np.log(ratio).mean()) < 0.02
    assert np.allclose(table["result_mbit"], work * cfg.result_mbit_per_unit)
    assert abs(table["needs_return"].mean() - cfg.return_probability) < 0.02


def test_same_seed_same_stream_other_seed_other_stream():
    _, a, _ = _stream(seed=5, slots=50)
    _, b, _ = _stream(seed=5, slots=50)
    _, c, _ = _stream(seed=6, slots=50)
    assert np.array_equal(a["arrival_s"], b["arrival_s"]) and np.array_equal(a["input_mbit"], b["input_mbit"])
    assert a.n != c.n or not np.array_equal(a["arrival_s"], c["arrival_s"])


def test_time_of_day_curve_scales_the_rate():
    cfg = TaskConfig(load="custom", interarrival_s=1.0, time_of_day=True)
    table = TaskTable()
    hour = 18  # a heavy hour
    stream = ArrivalStream(cfg, 200, 1.0, float(hour), np.random.default_rng(0))
    n = sum(stream.append_slot(table, j) for j in range(1, 301))
    expected = 200 * 300 * TIME_OF_DAY_CURVE[hour]
    assert abs(n - expected) < 5 * np.sqrt(expected)


def test_deadlines_follow_arrivals():
    cfg, table, _ = _stream(slots=20, deadline_s=12.0)
    assert np.allclose(table["deadline_s"] - table["arrival_s"], 12.0)
