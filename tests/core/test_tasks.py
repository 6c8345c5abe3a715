import numpy as np

from satgym.core import columns as C
from satgym.core.tasks import FAIL_REASONS, FCOL, ICOL, Route, Stage, TaskTable


def test_kernel_constants_match_the_table_layout():
    for name, idx in FCOL.items():
        assert getattr(C, {"arrival_s": "F_ARRIVAL", "work": "F_WORK", "input_mbit": "F_INPUT",
                           "result_mbit": "F_RESULT", "deadline_s": "F_DEADLINE", "decided_s": "F_DECIDED",
                           "ground_arrival_s": "F_GARRIVAL", "exec_start_s": "F_XSTART",
                           "exec_finish_s": "F_XFINISH", "done_s": "F_DONE", "accuracy": "F_ACCURACY"}[name]) == idx
    names = {"id": "I_ID", "sat": "I_SAT", "needs_return": "I_RETURN", "stage": "I_STAGE", "route": "I_ROUTE",
             "relay": "I_RELAY", "link_sat": "I_LINK", "station": "I_STATION", "container": "I_CONTAINER",
             "failed": "I_FAILED", "fail_reason": "I_REASON", "reserved": "I_RESERVED"}
    for name, idx in ICOL.items():
        assert getattr(C, names[name]) == idx
    assert (C.PENDING, C.UPLINK, C.EDGE, C.DONE_KNOWN, C.RESOLVED) == tuple(
        int(s) for s in (Stage.PENDING, Stage.UPLINK, Stage.EDGE, Stage.DONE_KNOWN, Stage.RESOLVED))
    assert (C.R_LOCAL, C.R_DIRECT, C.R_SAME_ORBIT, C.R_OTHER_ORBIT) == (
        Route.LOCAL, Route.DIRECT, Route.SAME_ORBIT_RELAY, Route.OTHER_ORBIT_RELAY)
    assert [C.LOST_UPLOAD, C.LOST_RETURN, C.NO_CONTACT, C.EXPIRED, C.LATE] == [
        FAIL_REASONS.index(r) for r in ("contact_lost_upload", "contact_lost_return", "no_contact", "expired", "deadline")]


def test_table_append_grow_and_compact_keep_order_and_defaults():
    t = TaskTable(capacity=4)
    t.append(id=np.arange(6), sat=np.zeros(6, dtype=int), arrival_s=np.arange(6.0))
    assert len(t) == 6 and np.all(np.isinf(t["deadline_s"]))
    t["stage"][[1, 4]] = Stage.RESOLVED
    t.compact()
    assert t["id"].tolist() == [0, 2, 3, 5]
    assert t.I[4:6, ICOL["id"]].tolist() == [-1, -1]  # freed tail back to defaults
    assert np.isnan(t.F[4, FCOL["decided_s"]])
