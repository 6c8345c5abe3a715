"""Compilation settings shared by the compiled step kernels."""

from __future__ import annotations

from numba import njit


def task_helper(fn):
    """``njit`` for the small per-task functions called from a kernel's inner loop (route planning,
    finishing or failing a task, a sampled transfer). They take arrays but allocate nothing, so they
    are compiled without the runtime's reference counting (numba's ``_nrt=False``): a call then
    costs ~10 ns instead of ~70 ns of atomic reference-count updates on its array arguments
    (measured on Alg. 4's planner: 82 -> 12 ns per call). Kernels that allocate keep plain ``njit``."""
    return njit(cache=True, _nrt=False)(fn)
