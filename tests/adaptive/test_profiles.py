"""The shipped profiles (what ``compute.models: adaptive`` feeds the env) are recomputable."""

from __future__ import annotations

import math

import pytest

from satgym.adaptive.calibration import load_processors
from satgym.adaptive.identification import LatencyIdentification
from satgym.adaptive.predictor import LatencyPredictor
from satgym.adaptive.profiles import MODELS, adaptive_profile, load_profiles
from satgym.adaptive.search_space import model_size, reference_architecture
from satgym.adaptive.tables import map_accuracy


@pytest.mark.parametrize("processor", list(load_processors()))
def test_predictor_recomputes_every_shipped_profile(processor):
    """Latency, identified range, size and mapped accuracy follow from the knowledge base, the
    architecture and the stored per-seed proxy accuracies (no number is free-standing)."""
    profiles = load_profiles()
    lo_b, hi_b = profiles["budget_ms"]
    spec = load_processors()[processor]
    pred, ident = LatencyPredictor(processor), LatencyIdentification(processor)
    for model in MODELS:
        entry = profiles["processors"][processor][model]
        arch = entry["arch"] or reference_architecture(model)
        lat, acc = adaptive_profile(processor, model)
        assert lat == pytest.approx(pred(arch), abs=1e-3)
        assert entry["latency_range_ms"] == pytest.approx(ident.range(arch), abs=1e-3)
        size = model_size(arch)
        assert (entry["params_m"], entry["macs_m"]) == pytest.approx((size.params_m, size.macs_m),
                                                                     abs=1e-2)
        if entry["feasible"]:
            assert lo_b <= lat <= hi_b
        lo, hi = entry["latency_range_ms"]
        assert entry["feasible_over_range"] == (entry["feasible"] and lo_b <= lo and hi <= hi_b)
        orig = spec["accuracy"][model]["without"]
        if entry["feasible"]:
            est = map_accuracy(orig, entry["proxy_accuracy"], entry["proxy_accuracy_reference"])
            assert acc == pytest.approx(est.mean, abs=1e-4)
            if len(entry["proxy_accuracy"]) > 1:
                assert entry["accuracy_ci95"] == pytest.approx([est.lo, est.hi], abs=1e-4)
        else:
            assert acc == pytest.approx(orig) and lat == pytest.approx(
                spec["latency_ms"][model]["without"], abs=0.05)


def test_unknown_names_list_valid_ones():
    with pytest.raises(ValueError, match="Snapdragon 835"):
        adaptive_profile("Pentium 4", "mobilenetv3")
    with pytest.raises(ValueError, match="mobilenetv3.*shufflenetv2"):
        adaptive_profile("Snapdragon 835", "resnet50")


def test_map_accuracy():
    est = map_accuracy(0.7, [0.8, 0.9], [1.0, 1.0])
    assert est.mean == pytest.approx(0.7 * 0.85)
    half = 12.7062047 * 0.0707106781 / math.sqrt(2)        # t(0.975, 1 dof) * sd / sqrt(n)
    assert (est.lo, est.hi) == pytest.approx((0.7 * (0.85 - half), 0.7 * (0.85 + half)), rel=1e-6)
    assert est.ratios == pytest.approx((0.8, 0.9))
    same = map_accuracy(0.691, [0.5, 0.6, 0.7], [0.5, 0.6, 0.7])
    assert (same.mean, same.lo, same.hi) == pytest.approx((0.691, 0.691, 0.691))
    one = map_accuracy(0.72, [0.45], [0.5])
    assert one.mean == pytest.approx(0.648) and math.isnan(one.lo) and math.isnan(one.hi)
    with pytest.raises(ValueError, match="one accuracy per seed"):
        map_accuracy(0.7, [0.8], [0.9, 0.9])
    with pytest.raises(ValueError, match="level"):
        map_accuracy(0.7, [0.8], [0.9], level=1.5)
