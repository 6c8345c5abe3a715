from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from satgym.adaptive import genome
from satgym.adaptive.calibration import (calibrate, features, fit_processor, host_features,
                                         load_processors, theta_vector)
from satgym.adaptive.evolution import fastest_architecture
from satgym.adaptive.identification import (Admissible, LatencyIdentification,
                                            sample_calibrations)
from satgym.adaptive.knowledge_base import Device, Engine, KnowledgeBase
from satgym.adaptive.operators import OpSpec
from satgym.adaptive.predictor import LatencyPredictor, MissingOperatorError
from satgym.adaptive.profiler import HOST_DEVICE_NAME, host_device, host_engine
from satgym.adaptive.search_space import (FAMILIES, PROXY, operator_list, reference_architecture,
                                          search_space)

torch.set_num_threads(1)
ENG = Engine("pytorch", "test")


def _kb(unit: str, dispatch: float = 0.0, transfer: float = 0.0):
    kb = KnowledgeBase(":memory:")
    dev = Device("d", unit, dispatch_ms_per_op=dispatch, transfer_ms_per_mb=transfer)
    ops = operator_list(reference_architecture("shufflenetv2"), PROXY)
    lat = {op: 0.001 * (i + 1) for i, op in enumerate(dict.fromkeys(ops))}
    kb.add_measurements(dev, ENG, [(op, v, None, None) for op, v in lat.items()])
    return kb, ops, lat


def test_cpu_prediction_is_operator_sum():
    kb, ops, lat = _kb("CPU", dispatch=1.0, transfer=1.0)  # overheads ignored on CPU
    b = LatencyPredictor("d", kb).predict_ops(ops)
    assert b.total_ms == pytest.approx(sum(lat[op] for op in ops))
    assert b.dispatch_ms == 0 and b.transfer_ms == 0 and b.n_ops == len(ops)


@pytest.mark.parametrize("unit", ["GPU", "NPU"])
def test_accelerator_adds_dispatch_and_transfer(unit):
    kb, ops, lat = _kb(unit, dispatch=0.02, transfer=0.5)
    b = LatencyPredictor("d", kb).predict_ops(ops)
    compute = sum(lat[op] for op in ops)
    in_mb = 4 * 1 * 16 * 16 / 1e6  # first op input: 1x1x16x16 fp32
    assert b.compute_ms == pytest.approx(compute)
    assert b.dispatch_ms == pytest.approx(0.02 * len(ops))
    assert b.transfer_ms == pytest.approx(0.5 * in_mb)
    assert b.total_ms == pytest.approx(compute + 0.02 * len(ops) + 0.5 * in_mb)


def test_missing_operator_is_named():
    kb, ops, _ = _kb("CPU")
    extra = OpSpec("conv2d", in_channels=7, out_channels=9, input_h=3, input_w=3)
    with pytest.raises(MissingOperatorError, match=r"conv2d\[7->9"):
        LatencyPredictor("d", kb).predict_ops(ops + [extra])


def test_missing_operator_profiled_on_the_fly_for_host():
    kb = KnowledgeBase(":memory:")
    kb.add_device(host_device())
    kb.add_engine(host_engine())
    op = OpSpec("add", in_channels=4, out_channels=4, input_h=4, input_w=4)
    kb.add_measurement(host_device(), host_engine(), op, 0.001)
    pred = LatencyPredictor(HOST_DEVICE_NAME, kb, profile_missing=True, profile_warmup_s=0.001,
                            profile_run_s=0.005)
    new = OpSpec("mul", in_channels=4, out_channels=4, input_h=4, input_w=4)
    assert pred.predict_ops([op, new]).total_ms > 0.001
    assert kb.latency(HOST_DEVICE_NAME, host_engine(), new) > 0


@pytest.mark.parametrize("processor", ["Snapdragon 835", "Kirin 990"])
def test_two_numbers_do_not_identify_the_class_split(processor):
    """Two priors, two fits that both reproduce the table, two different predictions for a third
    network: the calibration, not the data, decides the found models' latency."""
    spec = load_processors()[processor]
    _, x = host_features()
    other = np.array([1.0, 1.0, 1.0, 1.0, 0.25])          # elementwise prior / 4
    fits = [fit_processor(processor, spec, x), fit_processor(processor, spec, x, class_prior=other)]
    for f in fits:
        assert all(abs(r) < 0.01 for r in f.residual_ms.values()), f.residual_ms
    host, _ = host_features()
    third = features(operator_list(fastest_architecture("mobilenetv3")), host)
    lat = [third[: len(theta_vector(f))] @ theta_vector(f) for f in fits]
    assert abs(lat[0] - lat[1]) > 0.5


@pytest.fixture(scope="module")
def host_and_refs():
    return host_features()


@pytest.mark.parametrize("processor", list(load_processors()))
def test_identified_range_brackets_every_admissible_calibration(processor, host_and_refs):
    host, ref = host_and_refs
    ident = LatencyIdentification(processor, host=host, ref_features=ref)
    tree = genome.compile_space(search_space("shufflenetv2"))
    arch = genome.decode(tree, genome.sample(tree, random.Random(processor)))
    lo, hi = ident.range(arch)
    assert lo < hi
    t_lo, t_hi = ident.extremes(arch)
    assert ident.contains(t_lo, 1e-6) and ident.contains(t_hi, 1e-6)  # attained by calibrations
    shipped = theta_vector(calibrate()[processor])
    assert ident.contains(shipped, 1e-6)
    assert lo - 1e-6 <= LatencyPredictor(processor)(arch) <= hi + 1e-6
    for theta in sample_calibrations(processor, 20, np.random.default_rng(1), host=host,
                                     ref_features=ref):
        assert lo - 1e-6 <= ident.features(arch) @ theta <= hi + 1e-6
    for family in FAMILIES:  # the fitted columns are pinned to the paper within the tolerance
        r_lo, r_hi = ident.range(reference_architecture(family))
        paper = load_processors()[processor]["latency_ms"][family]["without"]
        assert paper - 0.05 - 1e-6 <= r_lo <= r_hi <= paper + 0.05 + 1e-6
    wide = LatencyIdentification(processor, admissible=Admissible(max_class_ratio=None),
                                 host=host, ref_features=ref).range(arch)
    assert wide[0] <= lo + 1e-9 and wide[1] >= hi - 1e-9


def test_admissible_validation():
    with pytest.raises(ValueError, match="max_class_ratio"):
        Admissible(max_class_ratio=0.5)
    with pytest.raises(ValueError, match="tol_ms"):
        Admissible(tol_ms=0)
    with pytest.raises(ValueError, match="valid"):
        LatencyIdentification("Pentium 4")
