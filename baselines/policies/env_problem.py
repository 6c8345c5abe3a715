"""Build one LEOEdge scheduling round (:class:`~baselines.OffloadProblem`) from what the env shows.

Candidates are the pending tasks (decision slots) of the satellites connected to a cluster, directly
or through a relay (``env.cluster_of()``). For candidate ``k`` of satellite ``i`` and container ``o``:

* local completion ``t_local = proc_backlog_s + (earlier slots' work) x c(m_i) + work x c(m_i)``
  (the on-board FIFO queue, the earlier slots of the same satellite as if they ran locally, then
  the task's own execution);
* upload ``t_up = link_backlog_s + (earlier slots' uploads) + input / (l (1 - p)) + path_delay_s``
  (Eq. 1, the earlier slots of the same satellite counted as if offloaded, an upper bound; the
  path delay is the propagation and fibre delay to the cluster, directly or through a relay), and
  for Case I the result transfer ``s / (l (1 - p))`` (Eq. 29) and the path delay back;
* the task is a candidate only if ``t_up`` (+ result return and edge execution for Case I) fits
  the remaining contact ``T_a(i)`` (Eq. 27); otherwise it runs locally;
* edge completion ``t_edge[k, o] = t_up + wait_o + work x c(m_e) (+ result return)`` with
  ``wait_o = max(backlog_o + committed_o - t_up, 0)``: the container's queue (``env.container_state``)
  plus the work this policy reserved there that has not arrived yet;
* ``z = alpha Dc / T_ref + (1 - alpha) Da`` with ``Dc = t_local - t_edge`` (Eq. 3) and
  ``Da = a_s - a_i`` (Eq. 4); alpha, T_ref and F from the scenario's ``reward`` config;
* load ``L_o``: the container's CPU utilisation over the window ``[t - H, t + H]``, the busy time
  of the last ``H`` seconds (each container's own occupancy history) plus its queued and reserved
  work, over ``2 H``; a task adds ``u_k = work x c(m_e) / (2 H)``; cap ``P = ground.load_cap``
  (Eq. 6). This is the quantity Eq. 6 caps (Sec. IX-C: mean CPU utilisation below P), measured
  where the scheduler can act on it. (Without the history, ``L_o = max(occupancy_o, (backlog_o +
  committed_o) / H)``: a container that was busy during the last slot counts as full.)

``H`` (``horizon_s``) is the window the load is measured over. The env measures occupancy over
``load_window_s`` (1 s); a task runs up to ``work_max x c(m_e)`` (1.8 s in the ``leoedge`` preset),
longer than ``P x 1 s``, so with ``H = 1 s`` most tasks could never be placed under the cap. The
default is the shortest window in which the largest task fits under P:
``H = max(load_window_s, work_max x c(m_e) / P)`` (3.6 s in the preset).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from baselines.leoedge.protocol import TaskDescriptors, advantage_args
from baselines.offloading_problem import OffloadProblem
from baselines.policies.base import LOCAL, obs_matrix
from baselines.policies.rules import slot_matrix
from satgym.leoedge.observation import sat_field

__all__ = ["RoundInputs", "build_round", "default_horizon_s", "satellite_descriptors", "stale_advantage"]


def default_horizon_s(env: Any) -> float:
    """``max(load_window_s, work_max x c(m_e) / P)`` (module docstring)."""
    lay = env.ground_layout()
    largest = env.config.tasks.work_max * lay["edge_exec_s_per_unit"]
    return float(max(lay["load_window_s"], largest / lay["load_cap"]))


@dataclass(frozen=True, eq=False)
class RoundInputs:
    """A round and how its tasks map back to the env."""

    problem: OffloadProblem | None   # None: no candidate task this step
    sat: np.ndarray                  # (K,) satellite row of each candidate
    slot: np.ndarray                 # (K,) decision slot of each candidate
    task_id: np.ndarray              # (K,) env task id
    edge_exec_s: np.ndarray          # (K,) work x c(m_e)
    upload_s: np.ndarray             # (K,) estimated t_up (arrival at the station)


def decision_frame(env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict]):
    """What a round-based policy starts from: the live agents, their rows in ``possible_agents``,
    the observation matrix, each decision slot's task id (-1: empty) and an all-local action
    array to fill."""
    agents = list(obs)
    rows = np.array([env.possible_agents.index(a) for a in agents])
    K = env.sim.K
    task_ids = (np.stack([np.asarray(infos[a]["task_ids"]) for a in agents]) if infos
                else np.full((len(agents), K), -1))
    return agents, rows, obs_matrix(obs), task_ids, np.full((len(agents), K), LOCAL, dtype=np.int64)


def _edge_terms(m: np.ndarray, K: int, env: Any) -> dict[str, np.ndarray]:
    """Per (satellite, slot) quantities shared by the in-contact and the stale estimates."""
    cfg = env.config
    work = slot_matrix(m, K, "work_units")
    c_i = sat_field(m, "exec_s_per_unit").astype(np.float64)[:, None]
    # c(m_e) from the layout in float64: the float32 observation (0.045 -> 0.0450000018) would put
    # a task whose load is exactly P just over the cap for this policy but not for the oracle
    c_e = float(env.ground_layout()["edge_exec_s_per_unit"])
    return {
        "present": slot_matrix(m, K, "present") > 0,
        "work": work,
        "input": slot_matrix(m, K, "input_mbit"),
        "result": work * cfg.tasks.result_mbit_per_unit,
        "ret": slot_matrix(m, K, "needs_return") > 0,
        # FIFO completion on board: queue, the earlier slots (as if local), own execution
        "t_local": sat_field(m, "proc_backlog_s").astype(np.float64)[:, None] + np.cumsum(work * c_i, axis=1),
        "edge_exec": work * c_e,
        "delta_a": (sat_field(m, "edge_accuracy") - sat_field(m, "accuracy")).astype(np.float64)[:, None],
    }


def advantage_arg(delta_c_s: np.ndarray, delta_a: np.ndarray, env: Any) -> np.ndarray:
    """``alpha Dc / T_ref + (1 - alpha) Da`` with the scenario's reward settings (Eqs. 2-5)."""
    rc = env.config.reward
    return rc.alpha * delta_c_s / rc.time_ref_s + (1.0 - rc.alpha) * delta_a


def satellite_descriptors(env: Any, m: np.ndarray, task_ids: np.ndarray) -> TaskDescriptors:
    """The candidate tasks and what their satellites know about them (module docstring): each
    satellite's rows are computed from its own observation row and the cluster it reaches only
    (every operation runs along a satellite's own slots), so one call for all satellites equals
    one call per satellite (tested)."""
    K = task_ids.shape[1]
    station = np.asarray(env.cluster_of())  # the paper's S: the cluster the satellite reaches
    e = _edge_terms(m, K, env)
    rate = sat_field(m, "ground_rate_mbps").astype(np.float64)[:, None]
    loss = sat_field(m, "ground_loss").astype(np.float64)[:, None]
    eff = np.where(rate > 0, rate * (1.0 - loss), np.inf)
    tx = np.where(e["present"], e["input"] / eff, 0.0)
    t_tx = sat_field(m, "link_backlog_s").astype(np.float64)[:, None] + np.cumsum(tx, axis=1)
    back = np.where(e["ret"], e["result"] / eff, 0.0)
    fits = t_tx + np.where(e["ret"], back + e["edge_exec"], 0.0) <= sat_field(m, "remaining_contact_s")[:, None]
    # arrival at the cluster: the transfer, then propagation (and fibre) on the current path; a
    # Case I result comes back over the same path
    delay = sat_field(m, "path_delay_s").astype(np.float64)[:, None]
    t_up = t_tx + delay
    back = np.where(e["ret"], back + delay, 0.0)
    cand = e["present"] & (station[:, None] >= 0) & (rate > 0) & fits & (task_ids >= 0)
    sat, slot = np.nonzero(cand)
    return TaskDescriptors(sat=sat, cluster=station[sat], slot=slot, task_id=task_ids[sat, slot].astype(np.int64),
                           t_local_s=e["t_local"][sat, slot], t_up_s=t_up[sat, slot], back_s=back[sat, slot],
                           edge_exec_s=e["edge_exec"][sat, slot], delta_a=np.broadcast_to(e["delta_a"], cand.shape)[sat, slot])


def build_round(env: Any, m: np.ndarray, task_ids: np.ndarray, committed_s: np.ndarray,
                horizon_s: float, busy_past_s: np.ndarray | None = None) -> RoundInputs:
    """The round of this step (see module docstring); ``committed_s`` (O,) is reserved work in
    flight; ``busy_past_s`` (O,) each container's busy time over the last ``horizon_s`` (the
    windowed load estimate), None for the queue-only estimate."""
    lay, cs = env.ground_layout(), env.container_state()
    d = satellite_descriptors(env, m, task_ids)
    empty = np.zeros(0)
    if d.n == 0:
        return RoundInputs(None, d.sat, d.slot, d.task_id, empty, empty)
    backlog = cs["backlog_s"] + committed_s
    rc = env.config.reward
    z = advantage_args(d, backlog, rc.alpha, rc.time_ref_s)                                # Eqs. 2-4
    if busy_past_s is None:
        u = d.edge_exec_s / horizon_s
        load0 = np.maximum(cs["occupancy"], backlog / horizon_s)
    else:  # utilisation over [t - H, t + H]: busy time behind, queued and reserved work ahead
        u = d.edge_exec_s / (2.0 * horizon_s)
        load0 = (busy_past_s + backlog) / (2.0 * horizon_s)
    problem = OffloadProblem(
        satellite=d.sat, station=d.cluster, container_station=lay["container_cluster"],
        container_server=lay["container_server"], advantage_arg=z, task_load=u,
        container_load0=load0, load_cap=lay["load_cap"], advantage=rc.operator,
    )
    return RoundInputs(problem, d.sat, d.slot, d.task_id, d.edge_exec_s, d.t_up_s)


def stale_advantage(env: Any, m: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Advantage argument ``z`` (n, K), edge time (n, K) and presence for satellites deciding on
    their own: upload at the nominal relay rate ``min(ground, ISL)``, queueing from the stale
    station load (``ground_load_seen x load_window_s``, as the env's reward estimates it)."""
    cfg = env.config
    e = _edge_terms(m, K, env)
    rate = min(cfg.links.ground_rate_mbps, cfg.links.isl_rate_mbps)
    loss = 1.0 - (1.0 - cfg.links.isl_loss) * (1.0 - cfg.links.ground_loss)
    eff = rate * (1.0 - loss)
    t_up = sat_field(m, "link_backlog_s").astype(np.float64)[:, None] + np.cumsum(
        np.where(e["present"], e["input"] / eff, 0.0), axis=1)
    queue = sat_field(m, "ground_load_seen").astype(np.float64)[:, None] * cfg.ground.load_window_s
    t_edge = t_up + queue + e["edge_exec"] + np.where(e["ret"], e["result"] / eff, 0.0)
    return advantage_arg(e["t_local"] - t_edge, e["delta_a"], env), e["edge_exec"], e["present"]
