"""The worker-thread handoff of the compiled batch loops (satgym.core.spin_team): every item of
every job is done exactly once, whether the workers are spinning or asleep when it is published,
no item is worked on before the caller marks it ready, a job whose caller part raises is
cancelled, and closing stops the threads."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from numba import njit

from satgym.core.spin_team import SPIN_ITERATIONS, SpinTeam, claim, job_done, last_done, next_job, wait_ready


@njit(nogil=True)
def _claim_items(ctrl, g, n, counts, marks, ready_seen):
    """Adds 1 to counts[b] for every item b it claims, recording the job and whether the item's
    preparation flag (set by the caller before it marks the item ready) was already set."""
    while True:
        b = claim(ctrl)
        if b >= n:
            return
        if wait_ready(ctrl, g, b):
            counts[b] += 1
            marks[b] = g
            ready_seen[b] = ready_seen[b] + 1 if ready_seen[b] >= 0 else -1000


@njit(nogil=True)
def _serve(ctrl, w, spin, n, counts, marks, ready_seen):
    seen = last_done(ctrl, w)
    while True:
        g = next_job(ctrl, w, seen, spin)
        if g < 0:
            return g
        _claim_items(ctrl, g, n, counts, marks, ready_seen)
        job_done(ctrl, w, g)
        seen = g


def _team(n_workers: int, n: int = 40):
    counts, marks, ready = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    team = SpinTeam(_serve, [(n, counts, marks, ready)] * n_workers)
    return team, counts, marks, ready


def _caller(team, counts, marks, ready, prepare_every: int = 0, fail_at: int = -1):
    """The caller's part: 'prepares' every prepare_every-th item (ready[b] from -1 to 0, slowly)
    and marks the items ready in order, then claims items itself."""
    n = len(counts)

    def part():
        todo = list(range(0, n, prepare_every)) if prepare_every else []
        for b in todo:
            ready[b] = -1
        team.mark_ready(todo[0] if todo else n)
        for j, b in enumerate(todo):
            if b == fail_at:
                raise KeyError("preparation failed")
            time.sleep(1e-4)
            ready[b] = 0
            team.mark_ready(todo[j + 1] if j + 1 < len(todo) else n)
        _claim_items(team.ctrl, team.generation, n, counts, marks, ready)
    return part


@pytest.mark.parametrize("n_workers", [1, 3])
@pytest.mark.parametrize("prepare_every", [0, 7])
def test_every_item_done_once_and_only_when_ready(n_workers, prepare_every):
    team, counts, marks, ready = _team(n_workers)
    try:
        for g in range(1, 101):
            team.run(_caller(team, counts, marks, ready, prepare_every))
            assert (counts == g).all(), f"job {g}: {counts}"
            assert (marks == g).all()
            assert (ready >= 0).all()  # no item was worked on before its preparation ended
            ready[:] = 0
    finally:
        team.close()


def test_a_failed_preparation_cancels_the_rest_of_the_job():
    team, counts, marks, ready = _team(2)
    try:
        with pytest.raises(KeyError, match="preparation failed"):
            team.run(_caller(team, counts, marks, ready, prepare_every=10, fail_at=20))
        assert (counts[20:] == 0).all()  # items from the failed one on: left alone
        assert (ready >= -1).all()  # nothing worked on an unprepared item
        counts[:], ready[:] = 0, 0
        team.run(_caller(team, counts, marks, ready))  # the team still works
        assert (counts == 1).all()
    finally:
        team.close()


def test_sleeping_workers_are_woken():
    """Jobs published long after the spin window (the workers asleep on their events)."""
    team, counts, marks, ready = _team(2)
    try:
        for g in range(1, 6):
            time.sleep(SPIN_ITERATIONS * 25e-9 * 20 + 0.005)  # far beyond the spin window here
            team.run(_caller(team, counts, marks, ready))
            assert (counts == g).all()
    finally:
        team.close()


def test_close_stops_the_threads_and_run_after_close_raises():
    team, counts, marks, ready = _team(2)
    team.run(_caller(team, counts, marks, ready))
    threads = list(team._threads)
    team.close()
    assert not any(t.is_alive() for t in threads)
    with pytest.raises(RuntimeError, match="closed"):
        team.run(_caller(team, counts, marks, ready))
    team.close()  # idempotent


def test_garbage_collected_team_stops_its_threads():
    team, counts, marks, ready = _team(1)
    team.run(_caller(team, counts, marks, ready))
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


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_gets_a_clear_error_and_no_change():
    team, counts, marks, ready = _team(1)
    team.run(_caller(team, counts, marks, ready))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no worker threads
        try:
            team.run(_caller(team, counts, marks, ready))
            msg = "ran"
        except RuntimeError as e:
            msg = str(e) if (counts == 1).all() else "changed"
        os.write(w, msg.encode())
        os._exit(0)
    os.close(w)
    msg = os.read(r, 4096).decode()
    os.waitpid(pid, 0)
    team.close()
    assert "forked" in msg and "create the env in this process" in msg, msg


@njit(nogil=True)
def _slow_items(ctrl, w, spin, n, counts, gens):
    """Each item takes ~0.5 ms and records the job it was done in."""
    seen = last_done(ctrl, w)
    while True:
        g = next_job(ctrl, w, seen, spin)
        if g < 0:
            return g
        while True:
            b = claim(ctrl)
            if b >= n:
                break
            if wait_ready(ctrl, g, b):
                x = 0.0
                for i in range(200_000):
                    x += i * 1e-9
                counts[b] += 1 if x >= 0 else 0
                gens[b] = g
        job_done(ctrl, w, g)
        seen = g


def test_a_wait_interrupted_by_ctrl_c_does_not_mix_two_jobs(monkeypatch):
    """Ctrl-C while the caller waits for the workers: the next job starts only once they are done
    with the interrupted one (else they would take its items under the new job's numbering)."""
    import satgym.core.spin_team as spin_team

    n = 12
    counts, gens = np.zeros(n, np.int64), np.zeros(n, np.int64)
    team = SpinTeam(_slow_items, [(n, counts, gens)])
    real = spin_team._wait_all
    calls = []

    def interrupted(ctrl, n_workers, g, spin):
        if g == 1 and not calls:  # the first wait for job 1
            calls.append(1)
            raise KeyboardInterrupt
        return real(ctrl, n_workers, g, spin)

    try:
        monkeypatch.setattr(spin_team, "_wait_all", interrupted)
        with pytest.raises(KeyboardInterrupt):
            team.run(lambda: None)  # the caller takes no items: the worker does all 12 (~6 ms)
        monkeypatch.setattr(spin_team, "_wait_all", real)
        team.run(lambda: None)
        assert (counts == 2).all(), counts
        assert (gens == 2).all()
    finally:
        team.close()
