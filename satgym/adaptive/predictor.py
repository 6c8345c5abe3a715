"""Latency predictor Lat_pre(a, D) from the device knowledge base (Sec. VIII-B/C).

* CPU: the sum of the knowledge-base delays of all operators of ``a``.
* GPU / NPU: that sum (accelerator inference) plus the CPU instruction in-queue time
  (``dispatch_ms_per_op`` x number of operators) plus the CPU -> accelerator transfer of the input
  tensor (``transfer_ms_per_mb`` x MB, 1 MB = 1e6 bytes).

A missing operator raises :class:`MissingOperatorError` naming it; for the host device it can be
profiled on the fly instead (``profile_missing=True``).

Example:
    >>> from satgym.adaptive.search_space import reference_architecture
    >>> pred = LatencyPredictor("Snapdragon 835")        # shipped knowledge base
    >>> round(pred.predict(reference_architecture("mobilenetv3")).total_ms, 1)
    36.8
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from satgym.adaptive.knowledge_base import SHIPPED_DB, Engine, KnowledgeBase
from satgym.adaptive.operators import OpSpec
from satgym.adaptive.search_space import FULL, operator_list


class MissingOperatorError(KeyError):
    """An operator of the architecture has no delay entry for the device/engine."""


@dataclass(frozen=True)
class LatencyBreakdown:
    compute_ms: float
    dispatch_ms: float
    transfer_ms: float
    n_ops: int

    @property
    def total_ms(self) -> float:
        return self.compute_ms + self.dispatch_ms + self.transfer_ms


class LatencyPredictor:
    """Lat_pre(., D) for one device of a knowledge base (``kb`` object or DB path)."""

    def __init__(self, device: str, kb: KnowledgeBase | str | Path = SHIPPED_DB,
                 engine: Engine | None = None, profile_missing: bool = False,
                 profile_warmup_s: float = 0.05, profile_run_s: float = 0.2) -> None:
        self.kb = kb if isinstance(kb, KnowledgeBase) else KnowledgeBase(kb)
        self.device = self.kb.device(device)
        engines = self.kb.engines(device)
        if engine is None:
            if len(engines) != 1:
                raise ValueError(f"device {device!r} has engines {engines}; pass engine=")
            engine = engines[0]
        self.engine = engine
        self.table: dict[OpSpec, float] = self.kb.table(device, engine)
        self.profile_missing = profile_missing
        self._profile_args = (profile_warmup_s, profile_run_s)

    def op_latency(self, op: OpSpec) -> float:
        lat = self.table.get(op)
        if lat is not None:
            return lat
        if self.profile_missing:
            from satgym.adaptive.profiler import HOST_DEVICE_NAME, host_engine, profile_operators
            if self.device.name != HOST_DEVICE_NAME or self.engine != host_engine():
                raise ValueError("profile_missing only works for the host device/engine, "
                                 f"not {self.device.name!r}/{self.engine}")
            (_, lat, _, _), = profile_operators(self.kb, [op], *self._profile_args)
            self.table[op] = lat
            return lat
        raise MissingOperatorError(
            f"operator {op} has no entry for device {self.device.name!r} engine "
            f"{self.engine.name} {self.engine.version} in {self.kb.path}")

    def predict_ops(self, ops: list[OpSpec]) -> LatencyBreakdown:
        compute = sum(self.op_latency(op) for op in ops)
        if self.device.unit == "CPU":
            return LatencyBreakdown(compute, 0.0, 0.0, len(ops))
        dispatch = self.device.dispatch_ms_per_op * len(ops)
        transfer = self.device.transfer_ms_per_mb * (ops[0].input_bytes() / 1e6 if ops else 0.0)
        return LatencyBreakdown(compute, dispatch, transfer, len(ops))

    def predict(self, arch: dict) -> LatencyBreakdown:
        """Lat_pre(arch, D) at 224x224 (the ImageNet-scale network)."""
        return self.predict_ops(operator_list(arch, FULL))

    def __call__(self, arch: dict) -> float:
        return self.predict(arch).total_ms
