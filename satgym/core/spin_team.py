"""A team of worker threads that share the items of a compiled batch loop with the calling
thread, handed each job through atomic flags instead of Python's thread pool.

Why not :class:`concurrent.futures.ThreadPoolExecutor`: on the 2-vCPU VM this library is developed
on, a pool round trip (submit, the worker wakes, takes the GIL, runs, the caller wakes) costs
~65-90 us, as much as a third of a 64-env LEOEdge batch step's work per thread, so two threads ran
only ~1.15x faster than one. Here each worker thread sits in a compiled loop without the GIL that
spins on a generation counter (:func:`next_job`) for about :data:`SPIN_ITERATIONS` ``pause``
instructions (~0.25 ms here) after its last job, then sleeps on a :class:`threading.Event`; the
caller publishes a job by bumping the counter (and sets the event only for sleeping workers), runs
its own part, and spins until every worker reports the generation done.

The handshake (sequentially consistent loads and stores, :mod:`satgym.core.atomics`): a worker
going to sleep stores ``SLEEPING`` and then re-reads the counter; the caller stores the counter and
then reads the worker's state. Whatever the interleaving, either the worker sees the new
generation or the caller sees ``SLEEPING`` and wakes it, so no job is missed; a spurious wake-up
only costs the worker one more spin window.

Items are shared out as they come free: every thread, the caller included, takes the next item
no thread has taken (:func:`claim`, an atomic fetch-and-add), so a thread slowed by other work
simply takes fewer. An item may need the caller to prepare it first (in Python, say): the caller
marks items ready in order as it goes (:meth:`SpinTeam.mark_ready`, from its own part) and a
worker waits for an item's mark before working on it (:func:`wait_ready`); every item is ready
once the caller's own part has returned. A family's worker loop is compiled code::

    @njit(nogil=True)
    def serve(ctrl, w, spin, n, *buffers):
        seen = last_done(ctrl, w)
        while True:
            g = next_job(ctrl, w, seen, spin)
            if g < 0:
                return g                   # STOPPED, or ASLEEP (the Python side then waits)
            while True:
                b = claim(ctrl)
                if b >= n:
                    break
                if wait_ready(ctrl, g, b):     # (False: the job was cancelled)
                    ...                    # item b, reading and writing only its own rows
            job_done(ctrl, w, g)
            seen = g

and :class:`SpinTeam` runs it on ``n_workers`` threads; the caller's part (the function given to
:meth:`SpinTeam.run`) prepares and marks the items, then claims items with the same loop.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Sequence

import numpy as np
from numba import njit

from satgym.core.atomics import atomic_fetch_add, atomic_load, atomic_store, cpu_relax

__all__ = ["ASLEEP", "SPIN_ITERATIONS", "STOPPED", "SpinTeam", "claim", "job_done", "last_done", "next_job",
           "wait_ready"]

#: spin-wait iterations (one ``pause`` and one atomic load each, ~25 ns on this host's AMD EPYC)
#: before an idle worker sleeps, and before a waiting caller yields its core
SPIN_ITERATIONS = 10_000
STOPPED, ASLEEP = -1, -2  # what a worker loop returns

_LINE = 8  # int64 per 64-byte cache line: each flag on its own line
# the job generation (written by the caller), the stop flag, the caller's progress in preparing
# the job's items (generation * _SPAN + items ready), the next unclaimed item, the last cancelled
# generation, then a (done, state) pair per worker
_GEN, _STOP, _PROGRESS, _NEXT, _CANCEL, _HEAD = 0, _LINE, 2 * _LINE, 3 * _LINE, 4 * _LINE, 5 * _LINE
_SPAN = 1 << 32
_SPINNING, _SLEEPING = 0, 1


@njit(cache=True, inline="always")
def _done_at(w):
    """Where worker ``w``'s last finished generation is (its state is one line further)."""
    return _HEAD + 2 * _LINE * w


@njit(cache=True, inline="always")
def last_done(ctrl, w):
    """The last generation worker ``w`` finished."""
    return atomic_load(ctrl, _done_at(w))


@njit(cache=True, inline="always")
def next_job(ctrl, w, seen, spin):
    """Spin until a generation after ``seen`` is published (returned), the team stops
    (:data:`STOPPED`) or ``spin`` iterations pass without work (:data:`ASLEEP`, the worker's state
    set to sleeping)."""
    state_at = _done_at(w) + _LINE
    n = 0
    while True:
        g = atomic_load(ctrl, _GEN)
        if g != seen:
            return g
        if atomic_load(ctrl, _STOP) != 0:
            return STOPPED
        n += 1
        if n > spin:
            atomic_store(ctrl, state_at, _SLEEPING)
            if atomic_load(ctrl, _GEN) != seen:  # published meanwhile: the caller may not have seen us sleep
                atomic_store(ctrl, state_at, _SPINNING)
                n = 0
                continue
            return ASLEEP
        cpu_relax()


@njit(cache=True, inline="always")
def wait_ready(ctrl, g, item):
    """Spin until the caller has marked item ``item`` of job ``g`` ready (:meth:`SpinTeam.mark_ready`;
    every item is ready once the caller's own part has returned). False: the job was cancelled
    (the caller's part raised) and the item must be left alone."""
    need = g * _SPAN + item + 1
    while atomic_load(ctrl, _PROGRESS) < need:
        if atomic_load(ctrl, _CANCEL) == g:
            return False
        cpu_relax()
    return atomic_load(ctrl, _CANCEL) != g


@njit(cache=True, inline="always")
def claim(ctrl):
    """The next item of the running job no thread has claimed yet (items count up from 0: the
    caller of :meth:`SpinTeam.run` and the workers share them out this way, as they come free)."""
    return atomic_fetch_add(ctrl, _NEXT, 1)


@njit(cache=True, inline="always")
def job_done(ctrl, w, g):
    atomic_store(ctrl, _done_at(w), g)


@njit(cache=True, nogil=True)
def _wait_all(ctrl, n_workers, g, spin):
    """True once every worker finished generation ``g``; False after ``spin`` iterations."""
    for _ in range(spin):
        done = True
        for w in range(n_workers):
            if atomic_load(ctrl, _done_at(w)) != g:
                done = False
                break
        if done:
            return True
        cpu_relax()
    return False


@njit(cache=True)
def _store(ctrl, i, v):
    atomic_store(ctrl, i, v)


@njit(cache=True)
def _load(ctrl, i):
    return atomic_load(ctrl, i)


def _work(serve: Callable, ctrl: np.ndarray, w: int, args: tuple, wake: threading.Event) -> None:
    state_at = _done_at(w) + _LINE
    while serve(ctrl, w, SPIN_ITERATIONS, *args) != STOPPED:
        wake.wait()
        wake.clear()
        _store(ctrl, state_at, _SPINNING)


def _stop(ctrl: np.ndarray, wakes: list, threads: list) -> None:
    _store(ctrl, _STOP, 1)
    for wake in wakes:
        wake.set()
    for t in threads:
        t.join()


class SpinTeam:
    """``len(shares)`` worker threads, worker ``w`` running ``serve(ctrl, w, spin, *shares[w])``
    (a compiled loop as in the module docstring). :meth:`run` publishes one job, runs the
    caller's own part and returns when every worker has finished the job. :meth:`close` (or the
    team's garbage collection) stops the threads.

    A process forked while a team exists has no worker threads: :meth:`run` there raises a
    ``RuntimeError`` saying so, before anything changes (build the env in the child)."""

    def __init__(self, serve: Callable, shares: Sequence[tuple], name: str = "satgym-spin") -> None:
        self.n_workers = len(shares)
        self.ctrl = np.zeros(_HEAD + 2 * _LINE * self.n_workers, dtype=np.int64)
        self._gen = 0
        self._wakes = [threading.Event() for _ in shares]
        self._threads = [threading.Thread(target=_work, args=(serve, self.ctrl, w, tuple(share), self._wakes[w]),
                                          name=f"{name}-{w}", daemon=True) for w, share in enumerate(shares)]
        for t in self._threads:
            t.start()
        self._finalizer = weakref.finalize(self, _stop, self.ctrl, self._wakes, self._threads)
        self._pid = os.getpid()

    @property
    def generation(self) -> int:
        """The running (or last) job's generation, as the workers see it."""
        return self._gen

    def mark_ready(self, items: int) -> None:
        """Items ``0 .. items - 1`` of the running job are ready (for workers that wait on
        :func:`wait_ready`): called from the caller's own part, with growing ``items``."""
        _store(self.ctrl, _PROGRESS, self._gen * _SPAN + items)

    def run(self, own_share: Callable[[], None]) -> None:
        """Publish a job to every worker, call ``own_share()`` (which may prepare the items while
        the workers start, :meth:`mark_ready`), mark every item ready, wait for the workers. If
        ``own_share`` raises, the job is cancelled (items not yet marked ready are left alone),
        the workers are waited for, and the exception propagates."""
        if not self._finalizer.alive:
            raise RuntimeError("SpinTeam.run: the team is closed")
        if os.getpid() != self._pid:
            raise RuntimeError(f"SpinTeam.run: the worker threads were started in process {self._pid}; this "
                               f"process ({os.getpid()}) was forked from it and has no copies of them: create the "
                               "env in this process (or use threads=1); nothing was changed")
        self._wait(self._gen)  # (the last job is done unless waiting for it was interrupted, Ctrl-C say)
        self._gen += 1
        g = self._gen
        _store(self.ctrl, _NEXT, 0)  # (before the generation: a worker that sees the job sees this)
        _store(self.ctrl, _GEN, g)
        for w in range(self.n_workers):
            if _load(self.ctrl, _done_at(w) + _LINE) == _SLEEPING:
                self._wakes[w].set()
        try:
            own_share()
        except BaseException:
            # the items not prepared must not be worked on: no more claims, waiting ones skipped
            _store(self.ctrl, _NEXT, _SPAN)
            _store(self.ctrl, _CANCEL, g)
            self._wait(g)
            raise
        _store(self.ctrl, _PROGRESS, g * _SPAN + _SPAN - 1)
        self._wait(g)

    def _wait(self, g: int) -> None:
        while not _wait_all(self.ctrl, self.n_workers, g, SPIN_ITERATIONS):
            dead = [t.name for t in self._threads if not t.is_alive()]
            if dead:
                raise RuntimeError(f"SpinTeam.run: worker thread(s) {', '.join(dead)} ended without finishing "
                                   f"job {g}")
            os.sched_yield()  # the workers may need this core (more threads than free cores)

    def close(self) -> None:
        self._finalizer()
