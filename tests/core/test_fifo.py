import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from satgym.core.fifo import busy_in_window, serve_fifo


def reference_fifo(server, ready, service, busy):
    busy = busy.copy()
    order = sorted(range(len(server)), key=lambda i: (server[i], ready[i], i))
    start, finish = np.empty(len(server)), np.empty(len(server))
    for i in order:
        s = server[i]
        start[i] = max(ready[i], busy[s])
        finish[i] = start[i] + service[i]
        busy[s] = finish[i]
    return start, finish, busy


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.floats(0, 10), st.floats(0, 3)), min_size=0, max_size=40),
    st.lists(st.floats(0, 12), min_size=5, max_size=5),
)
def test_serve_fifo_matches_sequential_reference(jobs, busy0):
    server = np.array([j[0] for j in jobs], dtype=np.int64)
    ready = np.array([j[1] for j in jobs])
    service = np.array([j[2] for j in jobs])
    busy = np.array(busy0)
    ref_start, ref_finish, ref_busy = reference_fifo(server, ready, service, busy)
    start, finish = serve_fifo(server, ready, service, busy)
    np.testing.assert_allclose(start, ref_start)
    np.testing.assert_allclose(finish, ref_finish)
    np.testing.assert_allclose(busy, ref_busy)
    # no job starts before it is ready, and a server never runs two jobs at once
    assert np.all(start >= ready)
    for s in range(5):
        idx = np.flatnonzero(server == s)
        iv = sorted(zip(start[idx], finish[idx]))
        assert all(a[1] <= b[0] + 1e-12 for a, b in zip(iv, iv[1:]))


def test_busy_in_window_counts_overlap_only():
    server = np.array([0, 0, 1])
    start = np.array([0.0, 1.5, 0.2])
    finish = np.array([0.5, 3.0, 0.3])
    busy = busy_in_window(server, start, finish, 0.25, 2.0, 3)
    np.testing.assert_allclose(busy, [0.25 + 0.5, 0.05, 0.0])
