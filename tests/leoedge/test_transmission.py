"""Algorithm 4 decisions on hand-made link states."""

from typing import NamedTuple

import numpy as np

from satgym.leoedge.codes import Route
from satgym.leoedge.transmission import delivery_estimate, plan_route


class LinkState(NamedTuple):
    """What the planner knows about every satellite at decision time (arrays (n_sats,))."""

    remaining_contact_s: np.ndarray  # T_a, 0 when out of contact
    ground_rate_mbps: np.ndarray  # l(n_i, S), 0 when out of contact
    link_backlog_s: np.ndarray  # queued uplink work
    same_orbit: np.ndarray  # (n_sats, 2) neighbour indices, -1 none / no line of sight
    other_orbit: np.ndarray  # (n_sats, 2)


def plan_routes(sat, input_mbit, result_mbit, needs_return, edge_exec_s, links, ground_loss, isl_rate_mbps,
                isl_loss):
    """Alg. 4 for each task in turn (link backlogs held fixed), through the compiled planner."""
    f = lambda x: np.ascontiguousarray(x, dtype=np.float64)  # noqa: E731
    now = (f(links.remaining_contact_s), f(links.ground_rate_mbps), f(links.link_backlog_s))
    isl = (np.asarray(links.same_orbit, dtype=np.int64), np.asarray(links.other_orbit, dtype=np.int64))
    link = (float(ground_loss), float(isl_rate_mbps), float(isl_loss))
    out = [plan_route(int(i), (float(a), float(b), bool(c), float(d)), now, isl, link)
           for i, a, b, c, d in zip(sat, input_mbit, result_mbit, needs_return, edge_exec_s)]
    return np.array([r for r, _ in out]), np.array([j for _, j in out])


def delivery_estimate_s(input_mbit, result_mbit, needs_return, edge_exec_s, rate_mbps, loss):
    args = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in
                                 (input_mbit, result_mbit, needs_return, edge_exec_s, rate_mbps, loss)))
    flat = [a.ravel() for a in args]
    out = [delivery_estimate(flat[0][k], flat[1][k], bool(flat[2][k]), flat[3][k], flat[4][k], flat[5][k])
           for k in range(flat[0].size)]
    return np.array(out, dtype=np.float64).reshape(args[0].shape)

# satellites: 0 the sender, 1 and 2 its same-orbit neighbours, 3 and 4 other-orbit neighbours
SAME = np.array([[1, 2], [-1, 0], [0, -1], [-1, -1], [-1, -1]])
OTHER = np.array([[3, 4], [-1, -1], [-1, -1], [-1, -1], [-1, -1]])


def state(remaining, backlog=None, rate=10.0):
    remaining = np.asarray(remaining, dtype=float)
    return LinkState(
        remaining_contact_s=remaining,
        ground_rate_mbps=np.where(remaining > 0, rate, 0.0),
        link_backlog_s=np.zeros(5) if backlog is None else np.asarray(backlog, dtype=float),
        same_orbit=SAME,
        other_orbit=OTHER,
    )


def plan(links, size=8.0, needs_return=False, result=0.0, exec_s=0.5):
    route, link_sat = plan_routes(
        np.array([0]), np.array([size]), np.array([result]), np.array([needs_return]),
        np.array([exec_s]), links, ground_loss=0.0, isl_rate_mbps=100.0, isl_loss=0.0,
    )
    return int(route[0]), int(link_sat[0])


def test_direct_when_it_fits_the_window():
    assert plan(state([100, 0, 0, 0, 0])) == (Route.DIRECT, 0)


def test_same_orbit_relay_when_own_window_is_too_short():
    # 8 Mbit at 10 Mbps = 0.8 s; own window 0.5 s; neighbour 2 has 60 s
    assert plan(state([0.5, 0, 60, 0, 0])) == (Route.SAME_ORBIT_RELAY, 2)


def test_busy_same_orbit_relay_is_skipped_for_other_orbit():
    links = state([0.5, 60, 0, 30, 40], backlog=[0, 5.0, 0, 0, 0])
    assert plan(links) == (Route.OTHER_ORBIT_RELAY, 3)


def test_other_orbit_relay_with_the_smallest_estimate():
    links = state([0.0, 0, 0, 30, 40], backlog=[0, 0, 0, 2.0, 0.1])
    assert plan(links) == (Route.OTHER_ORBIT_RELAY, 4)


def test_relay_must_fit_its_own_window():
    # neighbour window 0.7 s < 0.8 s transfer: no route -> local (Alg. 4 line 27)
    assert plan(state([0.5, 0.7, 0.7, 0.7, 0.7])) == (Route.LOCAL, -1)


def test_case_one_includes_result_and_edge_execution():
    # Case II fits (0.8 s <= 1.0 s) but Case I adds 0.2 s result + 0.5 s execution (Eq. 29)
    links = state([1.0, 0, 0, 0, 0])
    assert plan(links)[0] == Route.DIRECT
    assert plan(links, needs_return=True, result=2.0)[0] == Route.LOCAL
    d = delivery_estimate_s(np.array([8.0]), np.array([2.0]), np.array([True]), np.array([0.5]), np.array([10.0]), 0.0)
    assert d[0] == 1.5


def test_out_of_contact_satellite_offloads_through_a_relay():
    assert plan(state([0.0, 90, 0, 0, 0])) == (Route.SAME_ORBIT_RELAY, 1)


def test_link_backlog_delays_direct_delivery():
    assert plan(state([1.0, 0, 0, 0, 0], backlog=[0.5, 0, 0, 0, 0])) == (Route.LOCAL, -1)
