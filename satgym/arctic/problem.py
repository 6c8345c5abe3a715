"""One slot's offloading problem (Secs. III-IV): the active users' tasks, each user's candidate
offloading paths (access satellite s_k -> computing satellite s^_k over ISLs), the result paths
(FP) from each computing satellite back to a satellite that sees the user, and the resources left.

This is the one description of a slot that the simulator, the observation, the paper's oracle
(problem P2) and the heuristics share. :func:`evaluate` gives the delays, energies and outcome of
any allocation (Eqs. 6-18); every user of it gets the same numbers.

Candidates: every (access, computing) pair such that the access satellite is above the threshold
now, the computing satellite is reachable within ``isl.max_path_km`` (itself included), and both
have resources left, ranked by the *best-case delay* - the delay if the user got every free
resource block of the access satellite and every free CPU share of the computing satellite, with
the shortest result path from a satellite visible now. The ``candidates.n_candidates`` best are
kept, at most ``candidates.per_access`` per access satellite (so that the list offers several
access satellites).

Result paths of a candidate: the satellites the user sees at some time within the deadline
(``v_start < deadline``), by propagation delay ``(d(s^, s') + d(s', u)) / c``, up to
``candidates.result_paths`` of them, stopping at the first one visible over the whole horizon (no
later one can be chosen). The result goes over the first listed path valid when it is ready
(Eqs. 17-18): the shortest valid one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from satgym.arctic.codes import Outcome
from satgym.core.constants import SPEED_OF_LIGHT_KM_S
from satgym.core.edge_computing import computation_energy_j, computation_time_s
from satgym.core.radio import transmission_energy_j, transmission_time_s

__all__ = ["Evaluation", "SlotProblem", "evaluate"]


@dataclass(frozen=True)
class SlotProblem:
    """Arrays over the slot's tasks (rows ``i``), candidates ``j`` and result paths ``m``.

    Task arrays ``(n_tasks,)``; candidate arrays ``(n_tasks, n_candidates)`` with ``access = -1``
    where a row has fewer candidates; result-path arrays ``(n_tasks, n_candidates, result_paths)``
    with ``fp_sat = -1`` where there are fewer. Satellite arrays ``(n_sats,)``. Times are relative
    to the slot start (s); windows beyond the sampled horizon are ``inf``.
    """

    time_s: float
    users: np.ndarray  # agent index of each task's user
    task_bits: np.ndarray
    cycles: np.ndarray  # X_u = cycles per bit x zeta_u (Sec. VI)
    deadline_s: np.ndarray
    access: np.ndarray
    compute: np.ndarray
    elevation_deg: np.ndarray  # of the access satellite
    rate_per_rb_bps: np.ndarray  # r_{u, s_k} (Eq. 6) with this slot's fading
    access_end_s: np.ndarray  # v^end_{u, s_k}
    uplink_km: np.ndarray  # d_{u, s_k}
    isl_km: np.ndarray  # d_k
    best_case_s: np.ndarray
    fp_sat: np.ndarray
    fp_prop_s: np.ndarray  # (d(s^_k, s') + d(s', u)) / c (Eq. 14)
    fp_start_s: np.ndarray
    fp_end_s: np.ndarray
    energy_norm_j: np.ndarray  # rho^max_u of Eq. 19
    rb_free: np.ndarray
    rb_budget: np.ndarray
    cpu_free: np.ndarray
    cpu_hz: np.ndarray
    kind: np.ndarray
    tx_power_w: float
    kappa: float
    cpu_levels: int
    alpha_energy: float
    alpha_delay: float

    @property
    def n_tasks(self) -> int:
        return int(self.users.size)

    @property
    def n_candidates(self) -> int:
        return int(self.access.shape[1])

    @property
    def valid(self) -> np.ndarray:
        """``(n_tasks, n_candidates)``: the candidate exists."""
        return self.access >= 0

    def op_prop_s(self, rows: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """Offloading-path propagation (d_{u,s_k} + d_k) / c (Eq. 13)."""
        return (self.uplink_km[rows, cand] + self.isl_km[rows, cand]) / SPEED_OF_LIGHT_KM_S


@dataclass(frozen=True)
class Evaluation:
    """Delays (s), energies (J) and the outcome of allocations; also when the resources are freed
    and when the task is resolved, relative to the slot start."""

    tau_tr_s: np.ndarray
    tau_op_prop_s: np.ndarray
    tau_comp_s: np.ndarray
    ready_s: np.ndarray
    fp_index: np.ndarray  # -1: no valid result path
    tau_fp_prop_s: np.ndarray
    delay_s: np.ndarray
    energy_tx_j: np.ndarray
    energy_comp_j: np.ndarray
    outcome: np.ndarray
    rb_until_s: np.ndarray
    cpu_until_s: np.ndarray
    resolve_s: np.ndarray

    @property
    def completes(self) -> np.ndarray:
        return self.outcome == Outcome.COMPLETED


def evaluate(p: SlotProblem, rows: np.ndarray, cand: np.ndarray, n_rb: np.ndarray, share: np.ndarray) -> Evaluation:
    """Delays, energies and outcome of offloading task ``rows`` over candidate ``cand`` with ``n_rb``
    resource blocks and CPU share ``share`` (arrays, broadcast; the candidates must exist).

    * upload zeta / (n r) (Eqs. 6, 9), offloading-path propagation (Eq. 13), computation
      X / (f F_{s^}) (Eq. 11); the result is ready at their sum;
    * the result takes the shortest listed path whose satellite sees the user from the moment the
      result is ready (v^start <= ready, Eq. 18) until it arrives (ready + FP propagation <= v^end,
      Eq. 17), propagation of Eq. 14;
    * energy p zeta / r (Eq. 10) + kappa X (f F_{s^})^2 (Eq. 12, on the computing satellite);
    * outcome: ``ACCESS_LOST`` if the upload outlasts the access window (Eq. 16), ``DEADLINE`` if the
      result is not ready by the deadline, ``NO_RETURN_PATH`` if no listed path is valid, ``DEADLINE``
      if it arrives after the deadline (Eq. 15), else ``COMPLETED``.

    Resource blocks are held for the upload (until the window closes if it is cut), the CPU share
    until the computation ends (or the task fails earlier).
    """
    rows, cand = np.asarray(rows, dtype=np.int64), np.asarray(cand, dtype=np.int64)
    bits, cycles, deadline = p.task_bits[rows], p.cycles[rows], p.deadline_s[rows]
    r = p.rate_per_rb_bps[rows, cand]
    f_hz = p.cpu_hz[p.compute[rows, cand]]
    tau_tr = transmission_time_s(bits, n_rb, r)  # Eq. 9
    uplink_s = p.uplink_km[rows, cand] / SPEED_OF_LIGHT_KM_S
    tau_op = p.op_prop_s(rows, cand)  # Eq. 13
    tau_comp = computation_time_s(cycles, share, f_hz)  # Eq. 11
    ready = tau_tr + tau_op + tau_comp
    fp_ok = ((p.fp_sat[rows, cand] >= 0) & (p.fp_start_s[rows, cand] <= ready[..., None])  # Eq. 18
             & (ready[..., None] + p.fp_prop_s[rows, cand] <= p.fp_end_s[rows, cand]))  # Eq. 17
    has_fp = fp_ok.any(axis=-1)
    fp_index = np.where(has_fp, np.argmax(fp_ok, axis=-1), -1)
    tau_fp = np.where(has_fp, np.take_along_axis(p.fp_prop_s[rows, cand], np.maximum(fp_index, 0)[..., None], -1)[..., 0], 0.0)
    delay = ready + tau_fp  # Eq. 15's left-hand side
    access_end = p.access_end_s[rows, cand]
    lost = tau_tr + uplink_s > access_end  # Eq. 16
    late_ready = ~lost & (ready > deadline)
    no_fp = ~lost & ~late_ready & ~has_fp
    late = ~lost & ~late_ready & ~no_fp & (delay > deadline)
    outcome = np.select([lost, late_ready | late, no_fp], [Outcome.ACCESS_LOST, Outcome.DEADLINE, Outcome.NO_RETURN_PATH],
                        Outcome.COMPLETED).astype(np.int64)
    rb_until = np.where(lost, access_end, tau_tr)
    cpu_until = np.select([lost, late_ready], [access_end, deadline], ready)
    resolve = np.select([lost, late_ready | late, no_fp], [access_end, deadline, ready], delay)
    energy_tx = np.broadcast_to(transmission_energy_j(p.tx_power_w, bits, r), ready.shape)  # Eq. 10
    energy_comp = np.broadcast_to(computation_energy_j(p.kappa, cycles, share, f_hz), ready.shape)  # Eq. 12
    return Evaluation(
        tau_tr_s=tau_tr, tau_op_prop_s=tau_op, tau_comp_s=tau_comp, ready_s=ready, fp_index=fp_index,
        tau_fp_prop_s=tau_fp, delay_s=delay, energy_tx_j=energy_tx.astype(float), energy_comp_j=energy_comp.astype(float),
        outcome=outcome, rb_until_s=rb_until, cpu_until_s=cpu_until, resolve_s=resolve)
