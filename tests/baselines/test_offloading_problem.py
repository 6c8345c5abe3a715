from __future__ import annotations

import numpy as np
import pytest

from baselines.offloading_problem import OffloadProblem, random_problem


def _tiny(**kw) -> OffloadProblem:
    args = dict(satellite=[0, 1], station=[0, -1], container_station=[0, 0],
                container_server=[0, 0], advantage_arg=[1.0, 2.0], task_load=[0.3, 0.3],
                container_load0=[0.6, 0.0], load_cap=0.8)
    args.update(kw)
    return OffloadProblem(**args)


def test_broadcast_and_unreachable_task_has_no_value() -> None:
    p = _tiny()
    assert p.advantage_arg.shape == (2, 2)
    assert np.all(p.value[1] == 0.0)                  # station -1: must run locally
    assert p.pairs[0].tolist() == [0, 0]


def test_check_catches_caps_and_reachability() -> None:
    p = _tiny()
    assert p.check(np.array([1, -1])) == []
    assert any("Eq. 6" in m for m in p.check(np.array([0, -1])))    # 0.6 + 0.3 > 0.8
    assert any("cannot reach" in m for m in p.check(np.array([-1, 1])))
    assert p.check(np.array([0.0, 1.0]))              # not integer


def test_overfull_container_counts_as_full() -> None:
    p = _tiny(container_load0=[1.5, 0.0])
    assert p.check(np.full(2, -1)) == []
    assert p.residual[0] == 0.0


@pytest.mark.parametrize("bad", [dict(task_load=[0.1]), dict(load_cap=0.0),
                                 dict(advantage="nope"), dict(container_load0=[-1.0, 0.0]),
                                 dict(container_server=[0, 1], container_station=[0, 1],
                                      station=[0, 5]) | {"container_server": [0, 2]},
                                 dict(advantage_arg=np.zeros((2, 3)))])
def test_validation_rejects_bad_input(bad: dict) -> None:
    with pytest.raises(ValueError):
        _tiny(**bad)


def test_arrays_are_read_only() -> None:
    p = _tiny()
    with pytest.raises(ValueError):
        p.task_load[0] = 1.0


def test_random_problem_caps_bind_and_is_seeded() -> None:
    a = random_problem(np.random.default_rng(3), n_tasks=30, n_stations=2)
    b = random_problem(np.random.default_rng(3), n_tasks=30, n_stations=2)
    np.testing.assert_array_equal(a.advantage_arg, b.advantage_arg)
    # offloading every valuable task at once would break the caps
    free = np.bincount(a.container_station, weights=a.residual)
    reach = a.value.max(axis=1) > 0
    demand = np.bincount(a.station[reach], weights=a.task_load[reach], minlength=2)
    assert np.all(demand > free)
