"""Realised task times attributed to the satellite that decided them, as soon as they are known.

The simulator reports, each step, per satellite (:class:`~satgym.leoedge.simulator.StepOutcome`):

* ``sat_known_s``: the end-to-end times (arrival to result) of its tasks whose outcome became
  known in the step and that complete. A task run on board is known at its decision (its
  on-board FIFO fixes when it ends); an offloaded task when its result time is fixed at the edge
  (Case II: the end of its execution; Case I: when the return link is chosen);
* ``sat_known_failed``: its tasks whose failure became known in the step (a lost upload at the
  decision, a lost result, an expiry of a held task, a deadline miss);
* ``sat_open_s`` / ``sat_open``: at the last step of the episode only (zero before), the
  estimated end-to-end times and the number of its tasks whose outcome is still unknown
  (:func:`open_estimates`).

Each task is reported exactly once (the ``charged`` column of the task table), so over an episode
the reported times and failures cover every task generated: the known ones at the step they became
known, the rest at the end. Nothing here changes the dynamics; these are observations of them.

>>> import numpy as np
>>> from satgym.leoedge.tasks import TaskTable
>>> from satgym.leoedge.codes import Stage
>>> t = TaskTable(4)
>>> _ = t.append(arrival_s=np.array([0.2, 0.5]), sat=np.array([1, 0]), work=np.array([10.0, 20.0]),
...              stage=np.array([int(Stage.DONE_KNOWN), int(Stage.PENDING)]), done_s=np.array([2.2, np.inf]))
>>> known, failed = np.zeros(2), np.zeros(2)
>>> charge_known(t.F, t.I, t.n, known, failed); known.tolist(), failed.tolist()
([0.0, 2.0], [0.0, 0.0])
>>> charge_known(t.F, t.I, t.n, known, failed); known.tolist()   # reported once
[0.0, 0.0]
>>> est, cnt = np.zeros(2), np.zeros(2)
>>> open_estimates(t.F, t.I, t.n, 3.0, np.array([4.0, 0.0]), np.array([0.05, 0.03]), 0.02, est, cnt)
>>> est.tolist(), cnt.tolist()        # the pending task as if run on board now: 4.0 + 20 x 0.05 - 0.5
([4.5, 0.0], [1.0, 0.0])
"""

from __future__ import annotations

import numpy as np
from numba import njit

from satgym.leoedge.codes import (DONE_KNOWN, EDGE, F_ARRIVAL, F_DONE, F_GARRIVAL, F_WORK, F_XFINISH, I_CHARGED,
                                  I_FAILED, I_SAT, I_STAGE, PENDING, RESOLVED, UPLINK)

__all__ = ["charge_known", "open_estimates"]


@njit(cache=True, error_model="numpy")
def charge_known(F, I, n, sat_known_s, sat_known_failed):
    """Per satellite: the end-to-end times of the tasks completing and the number failing whose
    outcome became known since the last call (each task once; a result that waits beyond the
    contact look-ahead, ``done_s = inf``, stays open)."""
    sat_known_s[:] = 0.0
    sat_known_failed[:] = 0.0
    for r in range(n):
        if I[r, I_CHARGED] == 1:
            continue
        stage = I[r, I_STAGE]
        if stage != DONE_KNOWN and stage != RESOLVED:
            continue
        i = I[r, I_SAT]
        if I[r, I_FAILED] == 1:
            sat_known_failed[i] += 1.0
        elif np.isfinite(F[r, F_DONE]):
            sat_known_s[i] += F[r, F_DONE] - F[r, F_ARRIVAL]
        else:
            continue
        I[r, I_CHARGED] = 1


@njit(cache=True, error_model="numpy")
def open_estimates(F, I, n, t, proc_busy, exec_s, edge_exec_unit_s, sat_open_s, sat_open):
    """Per satellite, the estimated end-to-end times and the number of the tasks whose outcome is
    not known at ``t`` (the episode's end; none is marked reported):

    * pending: as if run on board from ``t``, FIFO behind the processor's queue (so a task held to
      the end costs at least what running it would have);
    * uploading: arrival at the cluster (not before ``t``) plus its edge execution, no queue;
    * at the edge: the end of its execution (not before ``t``);
    * a result waiting beyond the look-ahead: ``t``.

    All but the pending estimate are lower bounds (no queueing, no result return)."""
    sat_open_s[:] = 0.0
    sat_open[:] = 0.0
    busy = proc_busy.copy()
    for r in range(n):
        stage = I[r, I_STAGE]
        if I[r, I_CHARGED] == 1 or stage == RESOLVED:
            continue
        i = I[r, I_SAT]
        if stage == PENDING:
            busy[i] = max(t, busy[i]) + F[r, F_WORK] * exec_s[i]
            done = busy[i]
        elif stage == UPLINK:
            g = F[r, F_GARRIVAL]
            done = (max(g, t) if np.isfinite(g) else t) + F[r, F_WORK] * edge_exec_unit_s
        elif stage == EDGE:
            done = max(F[r, F_XFINISH], t)
        else:  # DONE_KNOWN with an unknown time
            done = t
        sat_open_s[i] += done - F[r, F_ARRIVAL]
        sat_open[i] += 1.0
