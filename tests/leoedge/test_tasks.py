import numpy as np

from satgym.leoedge.codes import FCOL, ICOL, Stage
from satgym.leoedge.tasks import TaskTable


def test_table_append_grow_and_compact_keep_order_and_defaults():
    t = TaskTable(capacity=4)
    t.append(id=np.arange(6), sat=np.zeros(6, dtype=int), arrival_s=np.arange(6.0))
    assert len(t) == 6 and np.all(np.isinf(t["deadline_s"]))
    t["stage"][[1, 4]] = Stage.RESOLVED
    t.compact()
    assert t["id"].tolist() == [0, 2, 3, 5]
    assert t.I[4:6, ICOL["id"]].tolist() == [-1, -1]  # freed tail back to defaults
    assert np.isnan(t.F[4, FCOL["decided_s"]])
