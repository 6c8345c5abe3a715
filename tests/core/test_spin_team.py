"""The worker-thread handoff of the compiled batch loops (satgym.core.spin_team): every job is
done exactly once by every worker, whether the workers are spinning or asleep when it is
published, and closing stops them."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from numba import njit

from satgym.core.spin_team import SPIN_ITERATIONS, SpinTeam, job_done, last_done, next_job


@njit(nogil=True)
def _count_jobs(ctrl, w, spin, lo, hi, counts, marks):
    """Adds 1 to counts[lo:hi] per job and records the generation it saw."""
    seen = last_done(ctrl, w)
    while True:
        g = next_job(ctrl, w, seen, spin)
        if g < 0:
            return g
        for i in range(lo, hi):
            counts[i] += 1
            marks[i] = g
        job_done(ctrl, w, g)
        seen = g


def _team(n_workers: int, n: int = 12):
    counts, marks = np.zeros(n, np.int64), np.zeros(n, np.int64)
    cuts = np.linspace(0, n, n_workers + 2).astype(int)
    team = SpinTeam(_count_jobs, [(cuts[w], cuts[w + 1], counts, marks) for w in range(n_workers)])
    return team, counts, marks, cuts


def _own(counts, lo, hi):
    def share():
        counts[lo:hi] += 1
    return share


@pytest.mark.parametrize("n_workers", [1, 3])
def test_every_job_done_once_by_every_worker(n_workers):
    team, counts, marks, cuts = _team(n_workers)
    try:
        for g in range(1, 201):
            team.run(_own(counts, cuts[-2], cuts[-1]))
            assert (counts == g).all(), f"job {g}: {counts}"
            assert (marks[:cuts[-2]] == g).all()
    finally:
        team.close()


def test_sleeping_workers_are_woken():
    """Jobs published long after the spin window (the workers asleep on their events)."""
    team, counts, _, cuts = _team(2)
    try:
        for g in range(1, 6):
            time.sleep(SPIN_ITERATIONS * 25e-9 * 20 + 0.005)  # far beyond the spin window here
            team.run(_own(counts, cuts[-2], cuts[-1]))
            assert (counts == g).all()
    finally:
        team.close()


def test_close_stops_the_threads_and_run_after_close_raises():
    team, counts, _, cuts = _team(2)
    team.run(_own(counts, cuts[-2], cuts[-1]))
    threads = list(team._threads)
    team.close()
    assert not any(t.is_alive() for t in threads)
    with pytest.raises(RuntimeError, match="closed"):
        team.run(_own(counts, cuts[-2], cuts[-1]))
    team.close()  # idempotent


def test_garbage_collected_team_stops_its_threads():
    team, counts, _, cuts = _team(1)
    team.run(_own(counts, cuts[-2], cuts[-1]))
    t = team._threads[0]
    del team
    t.join(timeout=10)
    assert not t.is_alive()


def test_a_dead_worker_is_reported_not_waited_for_forever():
    def broken(ctrl, w, spin, *args):
        raise RuntimeError("boom")

    excepthook, threading.excepthook = threading.excepthook, lambda args: None  # the worker's traceback
    try:
        team = SpinTeam(broken, [()])
        team._threads[0].join(timeout=10)
        with pytest.raises(RuntimeError, match="ended without finishing job 1"):
            team.run(lambda: None)
    finally:
        threading.excepthook = excepthook
    team.close()
