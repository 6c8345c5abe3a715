"""Simple rule policies for the satellites a single-agent view does not control, and for the demo.

A rule maps the observation matrix ``(n_sats, obs_dim)`` to an action matrix ``(n_sats, K)``.
The scheduling baselines of the papers (threshold, workload, LEOEdge, ...) live in ``baselines/``
and can be passed to the views as callables with the same signature.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from satgym.envs.observation import SAT_FIELDS, SLOT_FIELDS

Rule = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]
_F = {name: i for i, (name, *_rest) in enumerate(SAT_FIELDS)}
_S = {name: i for i, (name, *_rest) in enumerate(SLOT_FIELDS)}


def slot_field(obs: np.ndarray, k: int, name: str) -> np.ndarray:
    """Column ``name`` of decision slot ``k`` for every satellite."""
    return obs[:, len(SAT_FIELDS) + k * len(SLOT_FIELDS) + _S[name]]


def sat_field(obs: np.ndarray, name: str) -> np.ndarray:
    return obs[:, _F[name]]


def _const(value: int) -> Rule:
    return lambda obs, k, rng: np.full((obs.shape[0], k), value, dtype=np.int64)


def earliest_finish(obs: np.ndarray, K: int, rng: np.random.Generator) -> np.ndarray:
    """Offload a task when the satellite (or a relay) is in contact and the estimated edge
    completion (link backlog + transfer + edge execution) beats the local queue + execution."""
    out = np.zeros((obs.shape[0], K), dtype=np.int64)
    local_q = sat_field(obs, "proc_backlog_s").astype(np.float64)
    rate = sat_field(obs, "ground_rate_mbps").astype(np.float64)
    loss = sat_field(obs, "ground_loss")
    link_q = sat_field(obs, "link_backlog_s").astype(np.float64)
    for k in range(K):
        present = slot_field(obs, k, "present") > 0
        work = slot_field(obs, k, "work_units")
        local = local_q + work * sat_field(obs, "exec_s_per_unit")
        with np.errstate(divide="ignore", invalid="ignore"):
            edge = link_q + np.where(rate > 0, slot_field(obs, k, "input_mbit") / (rate * (1 - loss)), np.inf)
        edge = edge + work * sat_field(obs, "edge_exec_s_per_unit")
        off = present & (edge < local)
        out[off, k] = 1
        local_q = np.where(present & ~off, local, local_q)
        link_q = np.where(off, link_q + slot_field(obs, k, "input_mbit") / np.maximum(rate, 1e-9), link_q)
    return out


RULES: dict[str, Rule] = {
    "local": _const(0),
    "offload": _const(1),
    "hold": _const(2),
    "random": lambda obs, k, rng: rng.integers(0, 2, size=(obs.shape[0], k)),
    "earliest_finish": earliest_finish,
}


def get_rule(policy: str | Rule) -> Rule:
    if callable(policy):
        return policy
    if policy not in RULES:
        raise ValueError(f"others_policy: {policy!r} is not valid; choose one of {', '.join(RULES)} or pass a callable")
    return RULES[policy]
