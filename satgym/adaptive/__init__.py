"""Adaptive modelling (LEOEdge Sec. VIII): search space, device knowledge base, latency predictor,
one-shot NAS with Nesterov AGD, and the per-processor profiles the environment uses."""

from __future__ import annotations
