"""What a snapshot's offloading flows experience on their paths: capacity sharing, drops and latency.

A flow carries D Mbit every second (Eq. 17) along a path of arcs to a MEC server. Within the
snapshot the flows are steady, so per second:

* **Links** (Eq. 24 as a physical limit): an arc offered more than its capacity B carries the
  share B / load of every flow and drops the rest; a flow keeps the smallest share along its path
  (``delivered_fraction``; the shares are not recomputed after upstream drops, which
  overestimates drops slightly). A flow's transmission time on an arc is the fair-sharing
  (processor-sharing) completion of its second's data among the flows on the arc
  (:func:`~satgym.core.network.processor_sharing_s`): D / B when alone (Eq. 18's term), longer
  when shared.
* **MEC servers**: the arriving tasks beyond the server's capacity (tasks/s, Table 4) are dropped
  proportionally (the MEC capacity constraint the paper defines but does not write); the
  computation time is the processor-sharing completion of the flow's tasks among the server's
  flows: n I / MIPS when alone (Eq. 19).
* **Latency**: flow latency = transmission + one-way propagation (Eq. 5, the paper's metric);
  completion time = transmission + round-trip propagation + computation (Eq. 20).

>>> import numpy as np
>>> from satgym.core.network import LinkSet, build_network
>>> net = build_network(("satellite", "gateway"), [0, 0, 1], np.array([[7000.0, 0, 0], [7000, 3000, 0], [6378, 0, 0]]),
...                     [LinkSet("isl", [1], [0], 125.0), LinkSet("feeder", [0], [2], 500.0)])
>>> paths = [net.path_arcs([1, 0, 2]), net.path_arcs([0, 2])]
>>> out = evaluate_flows(net, paths, np.array([10.0, 100.0]), np.array([25.0, 250.0]), np.array([0, 0]),
...                      np.array([2844.0]), 71120.0, 25.0)
>>> out.transmission_s.round(3).tolist()     # flow 0: 10/125 alone on the ISL + (10+10)/500 shared feeder
[0.12, 0.22]
>>> out.delivered_fraction.tolist(), out.hops.tolist()
([1.0, 1.0], [2, 1])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from satgym.core.network import Network, processor_sharing_s

__all__ = ["FlowOutcome", "evaluate_flows"]


@dataclass(frozen=True, eq=False)
class FlowOutcome:
    """Per-flow arrays ``(F,)`` and per-arc / per-MEC totals."""

    delivered_fraction: np.ndarray   # share of the flow's tasks that get through every link
    served_fraction: np.ndarray      # share of the flow's tasks the MEC processes (links and MEC)
    transmission_s: np.ndarray       # Eq. 18 with fair sharing
    propagation_s: np.ndarray        # one way, Eq. 4 summed over the path
    computation_s: np.ndarray        # Eq. 19 with fair sharing
    hops: np.ndarray
    arc_load_mbps: np.ndarray        # offered load per arc
    arc_carried_mbps: np.ndarray     # min(load, capacity) per arc
    mec_arrivals_per_s: np.ndarray   # tasks/s reaching each MEC (after link drops)

    @property
    def flow_latency_s(self) -> np.ndarray:
        """Eq. 5: transmission + propagation."""
        return self.transmission_s + self.propagation_s

    @property
    def completion_s(self) -> np.ndarray:
        """Eq. 20: transmission + round-trip propagation + computation."""
        return self.transmission_s + 2.0 * self.propagation_s + self.computation_s


def evaluate_flows(net: Network, paths: Sequence[np.ndarray], data_mbit: np.ndarray, tasks_per_s: np.ndarray,
                   dest_mec: np.ndarray, mec_capacity_per_s: np.ndarray, mec_mips: float | np.ndarray,
                   task_minstr: float) -> FlowOutcome:
    """Evaluate flows ``f`` with arc paths ``paths[f]`` (non-empty), ``data_mbit[f]`` per second,
    ``tasks_per_s[f]``, to MEC ``dest_mec[f]`` (index into the capacity arrays)."""
    F = len(paths)
    data = np.asarray(data_mbit, dtype=float)
    tasks = np.asarray(tasks_per_s, dtype=float)
    dest = np.asarray(dest_mec, dtype=np.int64)
    cap_tasks = np.asarray(mec_capacity_per_s, dtype=float)
    mips = np.broadcast_to(np.asarray(mec_mips, dtype=float), cap_tasks.shape)
    hops = np.fromiter((len(p) for p in paths), dtype=np.int64, count=F)
    if F and hops.min() < 1:
        raise ValueError("paths: every flow needs at least one arc")
    arcs = np.concatenate([np.asarray(p, dtype=np.int64) for p in paths]) if F else np.zeros(0, np.int64)
    flow = np.repeat(np.arange(F), hops)
    load = np.bincount(arcs, weights=data[flow], minlength=net.n_arcs)
    cap = net.capacity_mbps
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(load > cap, cap / np.where(load > 0, load, 1.0), 1.0)
    starts = np.r_[0, np.cumsum(hops)[:-1]] if F else np.zeros(0, np.int64)
    delivered = np.minimum.reduceat(share[arcs], starts) if F else np.zeros(0)
    per_arc = processor_sharing_s(arcs, share[arcs] * data[flow], cap) if F else np.zeros(0)
    transmission = np.bincount(flow, weights=per_arc, minlength=F)
    propagation = np.bincount(flow, weights=net.delay_s[arcs], minlength=F)
    arriving = delivered * tasks
    arrivals = np.bincount(dest, weights=arriving, minlength=cap_tasks.size) if F else np.zeros(cap_tasks.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        mec_share = np.where(arrivals > cap_tasks, cap_tasks / np.where(arrivals > 0, arrivals, 1.0), 1.0)
    served = mec_share[dest] * arriving
    computation = processor_sharing_s(dest, served * task_minstr, mips) if F else np.zeros(0)
    return FlowOutcome(delivered_fraction=delivered, served_fraction=delivered * mec_share[dest],
                       transmission_s=transmission, propagation_s=propagation, computation_s=computation, hops=hops,
                       arc_load_mbps=load, arc_carried_mbps=np.minimum(load, cap), mec_arrivals_per_s=arrivals)
