from __future__ import annotations

import pytest
import torch

from satgym.adaptive.knowledge_base import Device, Engine, KnowledgeBase
from satgym.adaptive.operators import OpSpec, op_class
from satgym.adaptive.profiler import HOST_DEVICE_NAME, host_engine, profile_operators

torch.set_num_threads(1)

CONV = OpSpec("conv2d", kernel_h=3, kernel_w=3, stride_h=2, stride_w=2, padding=1, in_channels=3,
              out_channels=8, input_h=16, input_w=16, activation="relu")
DW = OpSpec("conv2d", kernel_h=5, kernel_w=5, padding=2, in_channels=8, out_channels=8,
            input_h=8, input_w=8, groups=8)


def test_schema_round_trip(tmp_path):
    path = tmp_path / "kb.sqlite"
    dev = Device("toy-gpu", "GPU", memory_gb=4.0, description="x", source="test",
                 dispatch_ms_per_op=0.02, transfer_ms_per_mb=0.5)
    eng = Engine("tflite", "2.14")
    with KnowledgeBase(path) as kb:
        kb.add_measurement(dev, eng, CONV, 0.5, std_ms=0.01, n_runs=10)
        kb.add_measurement(dev, eng, DW, 0.2)
        kb.add_measurement(dev, eng, DW, 0.25)  # insert-or-replace
    kb = KnowledgeBase(path)
    assert kb.device("toy-gpu") == dev
    assert kb.engines("toy-gpu") == [eng]
    assert kb.latency("toy-gpu", eng, CONV) == 0.5
    assert kb.latency("toy-gpu", eng, DW) == 0.25
    assert kb.table("toy-gpu", eng) == {CONV: 0.5, DW: 0.25}
    assert kb.count("measurements") == 2 and kb.count("operators") == 2
    assert kb.latency("toy-gpu", Engine("tflite", "other"), CONV) is None
    tables = {r[0] for r in kb.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"devices", "engines", "operators", "measurements"} <= tables


def test_unknown_device_and_validation():
    kb = KnowledgeBase(":memory:")
    with pytest.raises(KeyError, match="valid"):
        kb.device("nope")
    with pytest.raises(ValueError, match="valid"):
        Device("x", "TPU")
    with pytest.raises(ValueError, match="valid"):
        OpSpec("conv3d")


def test_op_classes():
    assert op_class(CONV) == "conv" and op_class(DW) == "depthwise"
    assert op_class(OpSpec("conv2d", in_channels=4, out_channels=4)) == "conv1x1"
    assert op_class(OpSpec("add")) == "elementwise"


def test_profiler_stores_positive_latencies():
    kb = KnowledgeBase(":memory:")
    ops = [CONV, DW, OpSpec("add", in_channels=8, out_channels=8, input_h=8, input_w=8),
           OpSpec("linear", in_channels=16, out_channels=10)]
    rows = profile_operators(kb, ops, warmup_s=0.002, run_s=0.01)
    assert [r[0] for r in rows] == ops
    assert all(r[1] > 0 and r[3] >= 3 for r in rows)
    host = kb.device(HOST_DEVICE_NAME)
    assert host.unit == "CPU" and host.cpu_count and host.source == "measured"
    table = kb.table(HOST_DEVICE_NAME, host_engine())
    assert table == {r[0]: pytest.approx(r[1]) for r in rows}
