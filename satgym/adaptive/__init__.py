"""Adaptive modelling (LEOEdge Sec. VIII): search space, device knowledge base, latency predictor,
the identified range of the calibrated latencies, one-shot NAS with Nesterov AGD under latency and
structure-size bounds, export of the found models, and the per-processor profiles the environment
uses.

Only :func:`adaptive_profile` is imported eagerly (it needs PyYAML only); everything else loads
torch / pyglove on first attribute access, so ``import satgym.adaptive`` works without the
``nas`` extra.

Example:
    >>> from satgym.adaptive import adaptive_profile
    >>> lat_ms, acc = adaptive_profile("Kirin 9000", "shufflenetv2")
"""

from __future__ import annotations

import importlib
from typing import Any

from satgym.adaptive.profiles import adaptive_profile

_LAZY = {
    "KnowledgeBase": "knowledge_base", "Device": "knowledge_base", "Engine": "knowledge_base",
    "OpSpec": "operators", "LatencyPredictor": "predictor", "MissingOperatorError": "predictor",
    "profile_operators": "profiler", "measure_network": "profiler", "host_device": "profiler",
    "search_space": "search_space", "reference_architecture": "search_space",
    "operator_list": "search_space", "build_network": "networks", "Supernet": "supernet",
    "train_supernet": "supernet", "evaluate_subnet": "supernet", "NesterovAGD": "nag",
    "evolve": "evolution", "SearchResult": "evolution", "InfeasibleBudgetError": "evolution",
    "calibrate": "calibration", "run_nas": "tables", "map_accuracy": "tables",
    "export_found": "tables", "LatencyIdentification": "identification",
    "Admissible": "identification", "SizeBounds": "evolution", "model_size": "search_space",
    "searchable_reference": "search_space", "extract_subnet": "export",
    "load_exported": "export", "load_proxy_data": "proxy_data",
}
__all__ = ["adaptive_profile", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"satgym.adaptive.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'satgym.adaptive' has no attribute {name!r}")
