from __future__ import annotations

import pytest
import torch

from satgym.adaptive.calibration import load_processors
from satgym.adaptive.knowledge_base import Device, Engine, KnowledgeBase
from satgym.adaptive.operators import OpSpec
from satgym.adaptive.predictor import LatencyPredictor, MissingOperatorError
from satgym.adaptive.profiler import HOST_DEVICE_NAME, host_device, host_engine
from satgym.adaptive.search_space import FAMILIES, PROXY, operator_list, reference_architecture

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


@pytest.mark.parametrize("processor", list(load_processors()))
def test_shipped_calibration_reproduces_tables(processor):
    """Tables II/III "w/o" latencies within 0.05 ms (the fit's residuals are ~1e-4 ms)."""
    spec = load_processors()[processor]
    pred = LatencyPredictor(processor)
    assert pred.device.unit == spec["unit"]
    for family in FAMILIES:
        got = pred(reference_architecture(family))
        assert got == pytest.approx(spec["latency_ms"][family]["without"], abs=0.05)


def test_shipped_host_entry_is_real():
    kb = KnowledgeBase()
    host = kb.device(HOST_DEVICE_NAME)
    assert host.source == "measured" and host.cpu_count >= 1 and "cpu_count" in host.description
    assert LatencyPredictor(HOST_DEVICE_NAME, kb)(reference_architecture("mobilenetv3")) > 0
