"""The LEOEdge family's codes, written once: actions, task stages, routes, failure reasons and the
task table's columns. Everything else (the compiled kernels' integer constants, the failure-reason
names in metrics, the policies' action values) is derived from here.

>>> int(Action.OFFLOAD), FAIL_REASONS[int(FailReason.EXPIRED)]
(1, 'expired')
>>> F_WORK == FCOL["work"], I_STAGE == ICOL["stage"]
(True, True)
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Action(IntEnum):
    """What a satellite does with a pending task (one entry of its action vector)."""

    LOCAL = 0  # run on the on-board processor (FIFO)
    OFFLOAD = 1  # send to the edge (Alg. 4 picks the route, or runs it locally if none fits)
    HOLD = 2  # keep it pending for the next decision


class Stage(IntEnum):
    """Where a task is in its life cycle."""

    PENDING = 0  # waiting for an offload/local/hold decision
    UPLINK = 2  # raw data on its way to the edge cluster
    EDGE = 3  # queued or running in a container
    DONE_KNOWN = 4  # outcome and its time are known; resolves when the clock reaches it
    RESOLVED = 5  # counted as completed or failed; removed at the next compaction


class Route(IntEnum):
    """How a task's raw data travels (Alg. 4)."""

    NONE = -1
    LOCAL = 0
    DIRECT = 1
    SAME_ORBIT_RELAY = 2
    OTHER_ORBIT_RELAY = 3


class FailReason(IntEnum):
    """Why a task failed; ``FAIL_REASONS`` holds the names reported in metrics."""

    CONTACT_LOST_UPLOAD = 0  # the upload outlived the connection window
    CONTACT_LOST_RETURN = 1  # the result could not be returned (Case I)
    NO_CONTACT = 2  # offloaded while no route existed and planning was off
    EXPIRED = 3  # held undecided past max_hold_s, or past its deadline
    DEADLINE = 4  # finished after its deadline


FAIL_REASONS: tuple[str, ...] = tuple(r.name.lower() for r in FailReason)

# The task table: one row per task in two column-major matrices (floats, ints); name -> default.
FLOAT_COLUMNS: dict[str, float] = {
    "arrival_s": 0.0,
    "work": 0.0,  # inference units (image tiles)
    "input_mbit": 0.0,  # t_{n_i}
    "result_mbit": 0.0,  # s_{n_i}
    "deadline_s": np.inf,  # absolute
    "decided_s": np.nan,
    "ground_arrival_s": np.inf,
    "exec_start_s": np.nan,
    "exec_finish_s": np.nan,
    "done_s": np.inf,
    "accuracy": np.nan,
}
INT_COLUMNS: dict[str, int] = {
    "id": -1,
    "sat": -1,
    "needs_return": 0,  # Case I
    "stage": int(Stage.PENDING),
    "route": int(Route.NONE),
    "relay": -1,
    "link_sat": -1,  # satellite whose ground link carries the data
    "station": -1,  # access point (station or relay) the data came in through
    "container": -1,
    "failed": 0,
    "fail_reason": -1,
    "reserved": -1,  # container pinned by a policy (ground-scheduler hook)
    "charged": 0,  # 1 once the task's outcome was reported to the reward (satgym.leoedge.attribution)
}
FCOL = {name: k for k, name in enumerate(FLOAT_COLUMNS)}
ICOL = {name: k for k, name in enumerate(INT_COLUMNS)}

# integer constants for the compiled kernels, derived from the tables above
F_ARRIVAL, F_WORK, F_INPUT, F_RESULT = FCOL["arrival_s"], FCOL["work"], FCOL["input_mbit"], FCOL["result_mbit"]
F_DEADLINE, F_DECIDED, F_GARRIVAL = FCOL["deadline_s"], FCOL["decided_s"], FCOL["ground_arrival_s"]
F_XSTART, F_XFINISH, F_DONE, F_ACCURACY = FCOL["exec_start_s"], FCOL["exec_finish_s"], FCOL["done_s"], FCOL["accuracy"]
I_ID, I_SAT, I_RETURN, I_STAGE, I_ROUTE = ICOL["id"], ICOL["sat"], ICOL["needs_return"], ICOL["stage"], ICOL["route"]
I_RELAY, I_LINK, I_STATION, I_CONTAINER = ICOL["relay"], ICOL["link_sat"], ICOL["station"], ICOL["container"]
I_FAILED, I_REASON, I_RESERVED = ICOL["failed"], ICOL["fail_reason"], ICOL["reserved"]
I_CHARGED = ICOL["charged"]
PENDING, UPLINK, EDGE = int(Stage.PENDING), int(Stage.UPLINK), int(Stage.EDGE)
DONE_KNOWN, RESOLVED = int(Stage.DONE_KNOWN), int(Stage.RESOLVED)
R_LOCAL, R_DIRECT = int(Route.LOCAL), int(Route.DIRECT)
R_SAME_ORBIT, R_OTHER_ORBIT = int(Route.SAME_ORBIT_RELAY), int(Route.OTHER_ORBIT_RELAY)
LOST_UPLOAD, LOST_RETURN = int(FailReason.CONTACT_LOST_UPLOAD), int(FailReason.CONTACT_LOST_RETURN)
NO_CONTACT, EXPIRED, LATE = int(FailReason.NO_CONTACT), int(FailReason.EXPIRED), int(FailReason.DEADLINE)
A_LOCAL, A_OFFLOAD, A_HOLD = int(Action.LOCAL), int(Action.OFFLOAD), int(Action.HOLD)
