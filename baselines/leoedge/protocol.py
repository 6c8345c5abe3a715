"""LEOEdge as a distributed protocol: satellite, LBS, server and container roles that hold only
their own state and act only on the messages they receive (Sec. VI, Algs. 1-3).

One scheduling round (every decision instant):

1. **Proposal** (satellite -> LBS, over the satellite's access path: its delay, its loss). Each
   satellite estimates, for each pending task, the offloading advantage ``F`` with an idle edge
   and answers the last ``lambda_S`` it received (Eq. 22: ``y1 = clip((mu_k - lambda_S u_k / O_S)
   / rho)`` with ``mu_k`` estimated as ``F``); it proposes the tasks with ``y1 >= 1/2`` in one
   message (a :class:`TaskDescriptors` row each: local completion, arrival at the cluster, result
   return, edge work, accuracy gain) and runs the others locally.
2. **Forwarding** (LBS -> servers -> containers, cluster LAN). Each container values every task on
   itself, ``F(z[k, o])`` from the descriptor and *its own* queue (Eqs. 2-4), and its own load
   ``L_o`` (utilisation over ``[t - H, t + H]``: its occupancy history, queued and reserved work),
   :func:`container_values`. A container values a task it could not hold under the cap even
   with nothing else added (``u_k > P - L_o``) at 0: in an integral solution ``y3[k, o] = 0``
   there, so fixing it strengthens the relaxation without removing any integral solution, and
   only the container's own numbers are needed (the *fit filter*; without it the relaxation
   spreads fractions of large tasks over containers none of them fits in, and the prices it
   settles on mislead the rounding: see ``docs/results.md``).
3. **Bid start**: containers push their reduced values ``F - nu_o u_k`` to their server, servers
   their best per task to the LBS: ``eta_{s,k}``, ``mu_k`` (one upward message each).
4. **Price iteration** (Algs. 1-2, synchronous exchanges on the LAN): servers send ``(eta, nu)``
   down, containers answer ``y3`` (Eq. 18), servers update ``eta`` and ``nu`` (Eq. 19) and answer
   ``y2`` (Eq. 20), the LBS updates ``mu`` (Eq. 21, with the satellites' proposals as ``y1``) and
   sends ``mu`` down. Each price holder extrapolates its own prices (Nesterov, restarted per
   cluster when the step turns back; no extra messages). A cluster stops when no price moves by more than ``tol`` times its step
   size (the algorithms' ``eta(k+1) - eta(k) <= epsilon`` with epsilon scaled by the step: the
   projected violation of every price's constraint is below ``tol``, in task shares or load
   units; an unscaled epsilon stops at once when the steps are small) or after ``max_iter``
   exchanges.
5. **Rounding** by deferred acceptance on the settled prices (the paper gives no rounding of
   ``y3``; this is ours): every unassigned task asks (LBS -> server -> container) the container
   where its reduced value ``F - nu_o u_k`` is highest and positive among those it has not asked;
   a container keeps, by value ``F``, what fits under the cap ``P`` (Eq. 6) and rejects the rest;
   rejected tasks ask again. Caps hold by construction; every ask and answer is a message.
6. **Top layer** (Alg. 3, the LBS's part): ``lambda_S`` takes one step per round (Eqs. 11, 23),
   ``lambda_S += lam_step (L_S + sum_k u_k y1_k / O_S - P)`` with the proposals that arrived as
   ``y1``, also in a round without any (then it falls).
7. **Allocation** (LBS -> satellite, over the access path): every connected satellite learns which
   of its tasks got which container and its cluster's prices ``lambda_S`` and ``kappa_S`` (the
   cheapest container price). A satellite whose proposal or allocation is lost keeps its last
   prices and decides alone (the policy offloads the tasks it proposed, unreserved); containers
   expire reservations whose task never arrives.

The top layer (satellites) exchanges once per round over the space link and ``lambda_S`` moves one
step per round (the paper's "upper layers operate on slower time-scales"); the ground layers
iterate within the round, warm-started from the last round's ``nu``. A satellite proposes on
``F`` with an idle edge and ``lambda_S`` alone (Eq. 22 with ``mu_k ~ F``): it has no ``mu_k`` for
a new task, and an estimate that also charged the stale container prices could stop every
proposal of a cluster, and with it every update of those prices. Every message is sent
through a :class:`~satgym.core.messages.MessageBus` (count and bytes per layer pair; space messages
lost with the path's loss; the link retransmits a lost one up to ``retries`` times after a
round-trip timeout, stop-and-wait ARQ as satellite links do: the paper assumes reliable delivery,
and without retransmission a 2 % link loss drops a whole satellite's proposal in about a quarter
of the rounds), and each round's simulated duration (the longest proposal delay, the
LAN exchanges, the longest allocation delay) is reported in :class:`RoundResult`; the env applies
the round's decisions at the decision instant, so the duration is reported, not charged.

Message sizes (bytes, :mod:`satgym.core.messages`): header 32; per task 64 in a proposal or a
forwarded descriptor, 16 in an ask, answer or allocation (task id and container), 8 per value in a
price or response vector; 16 for the two prices an allocation carries.

>>> import numpy as np
>>> roles = Roles.build(n_sats=2, container_cluster=np.zeros(4, np.int64),
...                     container_server=np.array([0, 0, 1, 1]), n_clusters=1, history_rows=2)
>>> roles.servers.nu.shape, roles.lbs.lam.tolist(), roles.containers.history.shape
((4,), [0.0], (2, 4))
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from satgym.core.messages import HEADER_B, ID_B, TASK_B, VALUE_B, MessageBus, MessageLog
from satgym.leoedge.advantage import advantage_operator

__all__ = ["ProtocolSettings", "RoundResult", "Roles", "TaskDescriptors", "advantage_args", "container_values",
           "run_round", "schedule_problem"]

@dataclass(frozen=True)
class ProtocolSettings:
    """Parameters of the protocol (module docstring); ``rho`` relative to max F."""

    rho: float = 0.05          # proximal weight of Eqs. 18, 20, 22
    tol: float = 1e-2          # a cluster stops when no price's step / step size exceeds this
    max_iter: int = 100        # price exchanges per round at most
    theta: float = 1.0         # step multiplier in (0, 2)
    momentum: bool = True      # Nesterov extrapolation of each holder's own prices
    fit_filter: bool = True    # containers value tasks they cannot hold at 0 (step 2)
    warm_start: bool = True    # the ground starts from the last round's nu (else 0)
    lam_step: float = 1.0      # the LBS's step on lambda_S per round, per unit of mean overload
    lan_delay_s: float = 1e-4  # one LAN hop
    retries: int = 2           # link-layer retransmissions of a lost satellite-ground message

    def __post_init__(self) -> None:
        checks = {"rho": self.rho > 0, "tol": self.tol > 0, "max_iter": self.max_iter >= 1,
                  "theta": 0 < self.theta < 2, "lan_delay_s": self.lan_delay_s >= 0,
                  "lam_step": self.lam_step >= 0,
                  "retries": isinstance(self.retries, int) and self.retries >= 0}
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"protocol settings: invalid {', '.join(bad)}; need rho > 0, tol > 0, "
                             "max_iter >= 1, 0 < theta < 2, lan_delay_s >= 0, lam_step >= 0, integer retries >= 0")


@dataclass(frozen=True, eq=False)
class TaskDescriptors:
    """What a satellite knows and sends about each of its candidate tasks (one row per task)."""

    sat: np.ndarray          # satellite row
    cluster: np.ndarray      # cluster it reaches
    slot: np.ndarray         # decision slot of the task
    task_id: np.ndarray      # env task id
    t_local_s: np.ndarray    # completion on board (queue + own execution)
    t_up_s: np.ndarray       # arrival at the cluster (link queue + transfer + path delay)
    back_s: np.ndarray       # result return (transfer + path delay), 0 for Case II
    edge_exec_s: np.ndarray  # work x c(m_e)
    delta_a: np.ndarray      # a_s - a_i (Eq. 4)

    def take(self, rows: np.ndarray) -> TaskDescriptors:
        return TaskDescriptors(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    @property
    def n(self) -> int:
        return int(self.sat.size)


def advantage_args(tasks: TaskDescriptors, queue_s: np.ndarray, alpha: float, time_ref_s: float) -> np.ndarray:
    """``z[k, o] = alpha (t_local - t_edge[k, o]) / T_ref + (1 - alpha) Da`` (Eqs. 2-4) with
    ``t_edge = t_up + wait_o + work c(m_e) + return``, ``wait_o = max(queue_o - t_up, 0)``:
    each column needs only its container's queue."""
    wait = np.maximum(queue_s[None, :] - tasks.t_up_s[:, None], 0.0)             # (K, O) queueing
    t_edge = (tasks.t_up_s + tasks.edge_exec_s + tasks.back_s)[:, None] + wait
    return alpha * (tasks.t_local_s[:, None] - t_edge) / time_ref_s + (1.0 - alpha) * tasks.delta_a[:, None]


def container_values(tasks: TaskDescriptors, queue_s: np.ndarray, busy_past_s: np.ndarray, horizon_s: float,
                     container_cluster: np.ndarray, load_cap: float, alpha: float, time_ref_s: float,
                     operator: str, fit_filter: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the containers compute from the descriptors they received and their own state
    (``queue_s``: queued plus reserved work, ``busy_past_s``: busy time over the last ``H``):
    ``F(z[k, o])`` (0 for another cluster's tasks and, with ``fit_filter``, for tasks that do not
    fit under the cap), the load ``L_o`` over ``[t - H, t + H]`` and each task's increment
    ``u_k = work c(m_e) / (2 H)``. Column ``o`` depends only on container ``o``'s numbers."""
    value = advantage_operator(operator).value(advantage_args(tasks, queue_s, alpha, time_ref_s))
    load0 = (busy_past_s + queue_s) / (2.0 * horizon_s)
    u = tasks.edge_exec_s / (2.0 * horizon_s)
    keep = tasks.cluster[:, None] == container_cluster[None, :]
    if fit_filter:
        keep &= u[:, None] <= (load_cap - load0)[None, :] + 1e-12
    return np.where(keep, value, 0.0), load0, u


@dataclass
class SatelliteRoles:
    """Per satellite: the last prices it received (``lam_seen``: its cluster's ``lambda_S``,
    ``kappa_seen``: the cluster's cheapest container price)."""

    lam_seen: np.ndarray
    kappa_seen: np.ndarray


@dataclass
class LBSRoles:
    """Per cluster: ``lambda_S`` (Eq. 23), kept from round to round."""

    lam: np.ndarray


@dataclass
class ServerRoles:
    """Per server: the cap prices ``nu_o`` of its containers (kept from round to round) and
    which server each container belongs to."""

    container_server: np.ndarray
    nu: np.ndarray


@dataclass
class ContainerRoles:
    """Per container: its occupancy over the last ``H`` seconds (one row per slot) and the work
    reserved on it that has not arrived yet (container, seconds of work, expected arrival)."""

    container_cluster: np.ndarray
    history: np.ndarray
    booked: tuple[np.ndarray, np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0), np.zeros(0)))

    def observe(self, occupancy: np.ndarray, now_s: float) -> None:
        """Each container records its own occupancy of the last slot and drops reservations
        whose task should have arrived (arrived, or never sent because an allocation was lost)."""
        self.history = np.roll(self.history, 1, axis=0)
        self.history[0] = occupancy
        cont, work, arrive = self.booked
        keep = arrive > now_s
        self.booked = (cont[keep], work[keep], arrive[keep])

    def reserved_s(self) -> np.ndarray:
        cont, work, _ = self.booked
        return np.bincount(cont, weights=work, minlength=self.container_cluster.size)

    def book(self, cont: np.ndarray, work: np.ndarray, arrive: np.ndarray) -> None:
        self.booked = tuple(np.concatenate([b, x]) for b, x in zip(self.booked, (cont, work, arrive)))


@dataclass
class Roles:
    """Every role of the protocol, each holding only its own state."""

    satellites: SatelliteRoles
    lbs: LBSRoles
    servers: ServerRoles
    containers: ContainerRoles

    @classmethod
    def build(cls, n_sats: int, container_cluster: np.ndarray, container_server: np.ndarray, n_clusters: int,
              history_rows: int = 1) -> Roles:
        n_cont = len(container_cluster)
        return cls(SatelliteRoles(np.zeros(n_sats), np.zeros(n_sats)), LBSRoles(np.zeros(n_clusters)),
                   ServerRoles(np.asarray(container_server), np.zeros(n_cont)),
                   ContainerRoles(np.asarray(container_cluster), np.zeros((max(1, history_rows), n_cont))))


@dataclass(frozen=True, eq=False)
class RoundResult:
    """Outcome of one round: per proposed task its container (-1: run locally), whether the
    satellite learned it, and the round's statistics."""

    container: np.ndarray       # (tasks,) container allocated by the ground, -1 for none
    delivered: np.ndarray       # (tasks,) the proposal reached the LBS and the allocation the satellite
    reached_ground: np.ndarray  # (tasks,) the proposal reached the LBS
    iterations: np.ndarray      # price exchanges per cluster
    acceptance_rounds: int      # ask/answer rounds of the rounding
    duration_s: float           # proposal -> last allocation, simulated
    log: MessageLog             # the messages of this round


def run_round(roles: Roles, tasks: TaskDescriptors, value: np.ndarray, task_load: np.ndarray, load0: np.ndarray,
              load_cap: float, sat_cluster: np.ndarray, sat_delay_s: np.ndarray, sat_loss: np.ndarray,
              bus: MessageBus, settings: ProtocolSettings = ProtocolSettings(), t_s: float = 0.0) -> RoundResult:
    """Steps 1 and 3-7 of the module docstring for the tasks the satellites proposed.

    ``value`` (tasks x containers), ``task_load`` and ``load0`` are what the containers computed
    (:func:`container_values`; only the rows of proposals that reach the ground are used).
    Per satellite: ``sat_cluster`` the cluster it is connected to (-1: none), ``sat_delay_s`` /
    ``sat_loss`` its access path (NaN or inf delay: no path). Every connected satellite gets its
    cluster's prices in step 7, with its allocation if it proposed. Updates the roles' prices;
    returns the allocation.
    """
    before = bus.log.copy()
    n_k = tasks.n
    cont_cluster, cont_server = roles.containers.container_cluster, roles.servers.container_server
    n_cl = roles.lbs.lam.size
    # 1. proposals: one message per proposing satellite, on its access path
    sats, per_sat = np.unique(tasks.sat, return_counts=True)
    ok_up, at_up = bus.space("satellite_lbs", t_s, HEADER_B + TASK_B * per_sat, sat_delay_s[sats], sat_loss[sats])
    arrived = np.zeros(sat_delay_s.size, bool)
    arrived[sats[ok_up]] = True
    live = arrived[tasks.sat]
    t_ground = float(np.max(at_up[ok_up], initial=t_s))
    decision = np.full(n_k, -1, np.int64)
    iters = np.zeros(n_cl, np.int64)
    rounds = 0
    if live.any():
        # 2. forwarding: LBS -> each server of an active cluster -> each of its containers
        n_live = np.bincount(tasks.cluster[live], minlength=n_cl)
        act_cont = n_live[cont_cluster] > 0
        srv = np.unique(cont_server[act_cont])
        t_ground = bus.lan("lbs_server", t_ground, HEADER_B + TASK_B * n_live[_server_cluster(roles)[srv]])
        t_ground = bus.lan("server_container", t_ground, HEADER_B + TASK_B * n_live[cont_cluster[act_cont]])
        v = np.where(live[:, None], value, 0.0)
        residual = load_cap - np.minimum(load0, load_cap)
        iters, t_ground = _price_iteration(roles, v, task_load, residual, load0, load_cap, tasks.cluster, bus,
                                           settings, t_ground)
        rounds, t_ground = _deferred_acceptance(roles, v, task_load, residual, bus, t_ground, decision)
    # 6. the LBS's top-layer step, once per round (Eqs. 11, 23) with the proposals that arrived as y1
    n_cont_cl = np.bincount(cont_cluster, minlength=n_cl)
    base = np.bincount(cont_cluster, weights=np.minimum(load0, load_cap), minlength=n_cl) / np.maximum(n_cont_cl, 1)
    g_top = np.bincount(tasks.cluster[live], weights=task_load[live] / n_cont_cl[tasks.cluster[live]], minlength=n_cl)
    roles.lbs.lam = np.maximum(roles.lbs.lam + settings.lam_step * (base + g_top - load_cap), 0.0)
    # 7. allocations (with the cluster's prices) to every connected satellite
    kappa = _cheapest_price(roles.servers.nu, cont_cluster, n_cl)
    back = np.flatnonzero(sat_cluster >= 0)
    n_back = np.bincount(tasks.sat[live], minlength=sat_delay_s.size)[back]
    ok_dn, at_dn = bus.space("satellite_lbs", t_ground, HEADER_B + 2 * VALUE_B + ID_B * n_back,
                             sat_delay_s[back], sat_loss[back])
    got = np.zeros(sat_delay_s.size, bool)
    got[back[ok_dn]] = True
    reached = back[ok_dn]
    roles.satellites.lam_seen[reached] = roles.lbs.lam[sat_cluster[reached]]
    roles.satellites.kappa_seen[reached] = kappa[sat_cluster[reached]]
    duration = float(np.max(at_dn[ok_dn], initial=t_ground)) - t_s
    return RoundResult(decision, got[tasks.sat] & live, live, iters, rounds, duration, bus.log.since(before))


def _server_cluster(roles: Roles) -> np.ndarray:
    out = np.zeros(int(roles.servers.container_server.max()) + 1, np.int64)
    out[roles.servers.container_server] = roles.containers.container_cluster
    return out


def _cheapest_price(nu: np.ndarray, cont_cluster: np.ndarray, n_cl: int) -> np.ndarray:
    out = np.full(n_cl, np.inf)
    np.minimum.at(out, cont_cluster, nu)
    return np.where(np.isfinite(out), out, 0.0)


def _price_iteration(roles: Roles, v: np.ndarray, u: np.ndarray, residual: np.ndarray, load0: np.ndarray,
                     load_cap: float, task_cluster: np.ndarray, bus: MessageBus, s: ProtocolSettings,
                     t_ground: float) -> tuple[np.ndarray, float]:
    """Steps 3-4: bid start, then the synchronous exchanges until each cluster settles. The arrays
    are indexed by the node that holds them (containers: ``y3`` per (task, container) pair;
    servers: ``eta`` and ``y2`` per (task, server) pair, ``nu`` per container; LBS: ``mu`` per
    task); each update reads only its holder's arrays and what the
    neighbour layer sent in this exchange."""
    cont_server, cont_cluster = roles.servers.container_server, roles.containers.container_cluster
    n_k, n_cont = v.shape
    n_srv, n_cl = int(cont_server.max()) + 1, roles.lbs.lam.size
    pk, po = np.nonzero(v > 0.0)                      # the containers' positive values
    if pk.size == 0:
        return np.zeros(n_cl, np.int64), t_ground
    uniq, pt = np.unique(pk * n_srv + cont_server[po], return_inverse=True)  # (task, server) pairs
    tk, tsrv = uniq // n_srv, uniq % n_srv
    val, load = v[pk, po], u[pk]
    v_max = max(float(val.max()), 1e-12)
    rho = s.rho * v_max
    active = np.zeros(n_k, bool)
    active[pk] = True
    running = np.zeros(n_cl, bool)
    running[task_cluster[active]] = True
    n_cont_cl = np.bincount(cont_cluster, minlength=n_cl)
    y1 = active.astype(float)                         # the satellites' proposals (Eq. 22, rounded)
    # diagonal steps theta rho / (row abs sum x c_max): the smoothed dual step stays below 2/L
    step = s.theta * rho / max(2.0, 1.0 + float(load.max()))
    s_eta = step / (np.bincount(pt, minlength=tk.size) + 1.0)
    s_nu = step / np.maximum(np.bincount(po, weights=load, minlength=n_cont), 1e-12)
    s_mu = step / (np.bincount(tk, minlength=n_k) + 1.0)
    # 3. bid start: containers push reduced values to their servers, servers their best to the LBS
    nu = roles.servers.nu.copy() if s.warm_start else np.zeros(n_cont)
    eta = np.zeros(tk.size)
    np.maximum.at(eta, pt, np.maximum(val - nu[po] * load, 0.0))
    mu = np.zeros(n_k)
    np.maximum.at(mu, tk, eta)
    act_cont, act_srv = np.unique(po), np.unique(tsrv)
    per_cont = np.bincount(po, minlength=n_cont)[act_cont]       # values each container sends
    per_srv = np.bincount(tsrv, minlength=n_srv)[act_srv]         # values each server sends
    t_ground = bus.lan("server_container", t_ground, HEADER_B + VALUE_B * per_cont)
    t_ground = bus.lan("lbs_server", t_ground, HEADER_B + VALUE_B * per_srv)
    # 4. synchronous exchanges, per-holder Nesterov extrapolation, per-cluster restart and stop
    cur = [eta, nu, mu]
    prev = [x.copy() for x in cur]
    srv_cluster = _server_cluster(roles)
    owner = [task_cluster[tk], cont_cluster, task_cluster]   # cluster of each price
    iters = np.zeros(n_cl, np.int64)
    t_mom = np.ones(n_cl)
    for _ in range(s.max_iter):
        if not running.any():
            break
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * t_mom * t_mom)) / 2.0
        beta = (t_mom - 1.0) / t_next if s.momentum else np.zeros(n_cl)
        q_eta, q_nu, q_mu = (np.maximum(x + beta[o] * (x - p), 0.0) for x, p, o in zip(cur, prev, owner))
        run_cont, run_srv = running[cont_cluster[act_cont]], running[srv_cluster[act_srv]]
        # servers -> containers: (eta, nu); containers -> servers: y3 (Eq. 18)
        t_ground = bus.lan("server_container", t_ground, HEADER_B + 2 * VALUE_B * per_cont[run_cont])
        y3 = np.clip((val - q_nu[po] * load - q_eta[pt]) / rho, 0.0, 1.0)                  # Eq. 18
        t_ground = bus.lan("server_container", t_ground, HEADER_B + VALUE_B * per_cont[run_cont])
        # servers: eta and nu from the containers' y3 (Eq. 19), y2 from the LBS's mu (Eq. 20)
        placed = np.bincount(pt, weights=y3, minlength=tk.size)
        added = np.bincount(po, weights=y3 * load, minlength=n_cont)
        y2 = np.clip((q_eta - q_mu[tk]) / rho, 0.0, 1.0)                                    # Eq. 20
        n_eta = np.maximum(q_eta + s_eta * (placed - y2), 0.0)                               # Eq. 19
        n_nu = np.maximum(q_nu + s_nu * (added - residual), 0.0)                            # Eqs. 6, 19
        t_ground = bus.lan("lbs_server", t_ground, HEADER_B + VALUE_B * per_srv[run_srv])
        # LBS: mu from the servers' y2 and the proposals y1 (Eq. 21); mu down
        routed = np.bincount(tk, weights=y2, minlength=n_k)
        n_mu = np.where(active, np.maximum(q_mu + s_mu * (routed - y1), 0.0), 0.0)            # Eq. 21
        t_ground = bus.lan("lbs_server", t_ground, HEADER_B + VALUE_B * per_srv[run_srv])
        new = [n_eta, n_nu, n_mu]
        move, turn = np.zeros(n_cl), np.zeros(n_cl)
        for x, n, q, o, st in zip(cur, new, (q_eta, q_nu, q_mu), owner, (s_eta, s_nu, s_mu)):
            np.maximum.at(move, o, np.abs(n - q) / st)   # the projected violation of the price's constraint
            np.add.at(turn, o, (q - n) * (n - x))
        iters += running
        for x, p, n, o in zip(cur, prev, new, owner):
            keep = running[o]
            p[:] = x
            x[keep] = n[keep]
        running &= move > s.tol
        t_mom = np.where(turn > 0.0, 1.0, t_next)
    roles.servers.nu = cur[1]
    return iters, t_ground


def _deferred_acceptance(roles: Roles, v: np.ndarray, u: np.ndarray, residual: np.ndarray, bus: MessageBus,
                         t_ground: float, decision: np.ndarray) -> tuple[int, float]:
    """Step 5: each unassigned task asks its best untried container by reduced value at the
    settled prices; containers keep by value what fits. Fills ``decision``; returns the number of
    ask rounds and the time."""
    nu, cont_server = roles.servers.nu, roles.servers.container_server
    n_k, n_cont = v.shape
    reduced = np.where(v > 0.0, v - nu[None, :] * u[:, None], -np.inf)
    untried = reduced > 0.0
    held = np.full(n_k, -1, np.int64)
    rounds = 0
    while True:
        free = np.flatnonzero((held < 0) & untried.any(axis=1))
        if free.size == 0:
            break
        rounds += 1
        ask = np.argmax(np.where(untried[free], reduced[free], -np.inf), axis=1)
        untried[free, ask] = False
        asked = np.unique(ask)
        asks_srv = np.bincount(cont_server[ask], minlength=int(cont_server.max()) + 1)
        asks_srv, asks_cont = asks_srv[asks_srv > 0], np.bincount(ask)[asked]
        t_ground = bus.lan("lbs_server", t_ground, HEADER_B + ID_B * asks_srv)
        t_ground = bus.lan("server_container", t_ground, HEADER_B + ID_B * asks_cont)
        for o in asked:                                # each container keeps by value what fits
            cand = np.concatenate([np.flatnonzero(held == o), free[ask == o]])
            room = residual[o] + 1e-12
            for k in cand[np.argsort(-v[cand, o], kind="stable")]:
                if u[k] <= room:
                    held[k] = o
                    room -= u[k]
                else:
                    held[k] = -1
        t_ground = bus.lan("server_container", t_ground, HEADER_B + ID_B * asks_cont)
        t_ground = bus.lan("lbs_server", t_ground, HEADER_B + ID_B * asks_srv)
    decision[:] = held
    return rounds, t_ground


def schedule_problem(problem, settings: ProtocolSettings = ProtocolSettings(), roles: Roles | None = None,
                     bus: MessageBus | None = None) -> RoundResult:
    """The protocol on one :class:`~baselines.OffloadProblem` (benchmarks and studies): every task
    proposed, reliable links with no delay, the problem's values as the containers' (with the fit
    filter of step 2 if ``settings.fit_filter``). ``roles`` carries prices from round to round
    (None: cold start). ``result.container`` is the decision.

    >>> import numpy as np
    >>> from baselines.offloading_problem import random_problem
    >>> p = random_problem(np.random.default_rng(0), n_tasks=12)
    >>> r = schedule_problem(p)
    >>> p.check(r.container), bool(r.iterations.max() >= 1)
    ([], True)
    """
    n_sat = int(np.max(problem.satellite, initial=-1)) + 1
    if roles is None:
        roles = Roles.build(n_sat, np.asarray(problem.container_station), np.asarray(problem.container_server),
                            problem.n_stations)
    bus = bus or MessageBus(np.random.default_rng(0), MessageLog(), settings.lan_delay_s, retries=settings.retries)
    rows = np.flatnonzero(np.asarray(problem.station) >= 0)      # tasks of satellites with a cluster
    k = rows.size
    zero = np.zeros(k)
    tasks = TaskDescriptors(sat=np.asarray(problem.satellite)[rows], cluster=np.asarray(problem.station)[rows],
                            slot=np.zeros(k, np.int64), task_id=rows, t_local_s=zero, t_up_s=zero,
                            back_s=zero, edge_exec_s=zero, delta_a=zero)
    u = np.asarray(problem.task_load, dtype=np.float64)[rows]
    value = np.asarray(problem.value)[rows]
    if settings.fit_filter:
        value = np.where(u[:, None] <= problem.residual[None, :] + 1e-12, value, 0.0)
    sat_cluster = np.full(roles.satellites.lam_seen.size, -1)
    sat_cluster[tasks.sat] = tasks.cluster
    n = sat_cluster.size
    r = run_round(roles, tasks, value, u, np.asarray(problem.container_load0), problem.load_cap, sat_cluster,
                  np.zeros(n), np.zeros(n), bus, settings)
    full = np.full(problem.n_tasks, -1, np.int64)
    full[rows] = r.container
    flags = [np.zeros(problem.n_tasks, bool) for _ in range(2)]
    flags[0][rows], flags[1][rows] = r.delivered, r.reached_ground
    return replace(r, container=full, delivered=flags[0], reached_ground=flags[1])
