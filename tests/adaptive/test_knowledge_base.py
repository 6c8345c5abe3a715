from __future__ import annotations

import numpy as np
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


def test_time_callable_trims_the_slowest_rounds(monkeypatch):
    """Mean and std of the kept rounds, on a fake clock (no real timing)."""
    from satgym.adaptive import profiler
    clock = [0.0]
    rounds = iter([0.5] + [0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.009, 0.100])

    def fn():
        clock[0] += next(rounds, 1.0)

    monkeypatch.setattr(profiler.time, "perf_counter", lambda: clock[0])
    mean, std, n = profiler.time_callable(fn, warmup_s=0.1, run_s=0.144, trim=0.1)
    # warm-up: one 0.5 s call; timed: rounds until 0.144 s have passed = 0.001..0.009 + 0.1
    assert n == 10
    kept = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9], dtype=float)  # the 100 ms round is trimmed
    assert mean == pytest.approx(kept.mean()) and std == pytest.approx(kept.std())


def test_profiler_stores_what_it_measures(monkeypatch):
    from satgym.adaptive import profiler
    fake = {CONV: (0.5, 0.01, 7), DW: (0.2, 0.02, 9)}
    monkeypatch.setattr(profiler, "measure_operator", lambda op, *a: fake[op])
    kb = KnowledgeBase(":memory:")
    rows = profile_operators(kb, [CONV, DW, CONV], warmup_s=0.0, run_s=0.0)
    assert [r[0] for r in rows] == [CONV, DW]  # duplicates profiled once
    host = kb.device(HOST_DEVICE_NAME)
    assert host.unit == "CPU" and host.source == "measured"
    assert kb.table(HOST_DEVICE_NAME, host_engine()) == {CONV: 0.5, DW: 0.2}
    std, n = kb.conn.execute("SELECT std_ms, n_runs FROM measurements m JOIN operators o ON "
                             "m.operator_id=o.id WHERE o.groups=8").fetchone()
    assert (std, n) == (0.02, 9)


def test_operator_module_runs_the_operator_it_names():
    """The profiled single-operator model computes the operator (checked against torch)."""
    from satgym.adaptive.networks import operator_module, split_halves
    torch.manual_seed(0)
    mod, (x,) = operator_module(CONV)
    conv = mod[0]
    assert torch.allclose(mod(x), torch.relu(torch.nn.functional.conv2d(
        x, conv.weight, conv.bias, 2, 1)))
    split = OpSpec("split", in_channels=8, out_channels=4, input_h=2, input_w=2)
    mod, (x,) = operator_module(split)
    assert torch.equal(mod(x), split_halves(x)[1]) and mod(x).shape == (1, 4, 2, 2)
