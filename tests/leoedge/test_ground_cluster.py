import numpy as np
import pytest

from satgym.leoedge.config import GroundConfig
from satgym.leoedge.ground_cluster import SCHEDULERS, GroundCluster, make_scheduler


def cluster(n_clusters=2):
    return GroundCluster(GroundConfig(servers=3, containers_per_server=4), n_clusters)


def test_layout_clusters_servers_containers():
    g = cluster()
    assert g.n_containers == 24 and g.n_servers == 6
    assert list(g.container_cluster[:12]) == [0] * 12
    assert list(g.container_server[:12]) == [0] * 4 + [1] * 4 + [2] * 4
    assert g.container_server[12] == 3


def test_least_loaded_goes_to_the_idle_server_then_container():
    g = cluster()
    g.busy_until[:] = 10.0  # every container of both stations busy until t=10
    g.busy_until[4 + 2] = 0.0  # server 1, container 2 of station 0 idle
    sched = make_scheduler("least_loaded")
    out = sched.assign(g, np.array([7]), np.array([0]), np.array([1.0]), np.array([0.1]), np.random.default_rng(0))
    assert out.tolist() == [6]


def test_least_loaded_spreads_a_burst_within_the_station():
    g = cluster()
    n = 12
    out = make_scheduler("least_loaded").assign(
        g, np.arange(n), np.zeros(n, dtype=np.int64), np.linspace(0, 0.01, n), np.full(n, 1.0),
        np.random.default_rng(0),
    )
    assert sorted(out.tolist()) == list(range(12))  # one task per container of station 0


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_every_scheduler_stays_at_the_task_cluster(name):
    g = cluster(3)
    station = np.array([2, 0, 1, 2, 2, 0])
    out = make_scheduler(name).assign(g, np.arange(6), station, np.arange(6.0), np.ones(6), np.random.default_rng(1))
    assert np.array_equal(g.container_cluster[out], station)


def test_reservation_bad_container_is_rejected():
    import satgym

    env = satgym.parallel_env("leoedge", {"episode": {"steps": 5}})
    env.reset(seed=0)
    with pytest.raises(ValueError, match="out of range"):
        env.reserve_containers(np.array([1]), np.array([99]))


def test_unknown_scheduler_lists_valid_names():
    with pytest.raises(ValueError, match="least_loaded"):
        make_scheduler("fastest")


def test_config_validates_the_same_scheduler_names():
    from satgym.leoedge.config import GROUND_SCHEDULERS

    assert set(GROUND_SCHEDULERS) == set(SCHEDULERS)
