"""Compilation settings shared by the compiled step kernels.

Every LEOEdge step kernel is compiled with ``error_model="numpy"``: numba's default ("python")
checks every division and modulo for a zero divisor so that it can raise ``ZeroDivisionError``,
a branch per operation that also stops LLVM from vectorising loops. No kernel divides by zero on
purpose (a zero divisor would have crashed the env under the default), so the results are the
same bit for bit (``tests/envs/test_trajectory_digest.py``) and a step is ~30 % faster (array
API, ``leoedge``, B = 64: 9.3 -> 6.8-7.3 us per env-step in one process).
"""

from __future__ import annotations

import numpy as np
from numba import njit


def task_helper(fn):
    """``njit`` for the small per-task functions called from a kernel's inner loop (route planning,
    finishing or failing a task, a sampled transfer). They take arrays but allocate nothing, so they
    are compiled without the runtime's reference counting (numba's ``_nrt=False``): a call then
    costs ~10 ns instead of ~70 ns of atomic reference-count updates on its array arguments
    (measured on Alg. 4's planner: 82 -> 12 ns per call). Kernels that allocate keep plain ``njit``."""
    return njit(cache=True, error_model="numpy", _nrt=False)(fn)


@njit(cache=True, error_model="numpy")
def _pairwise_block(a, lo, n):
    """numpy's pairwise sum of at most 128 terms (8 partial sums, then the rest in order)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - (n % 8):
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, error_model="numpy")
def _pairwise(a, lo, n):
    """numpy's pairwise sum: above 128 terms the sum of the two halves (the first a multiple of
    8), evaluated with an explicit stack (numba's cache does not take recursion)."""
    if n <= 128:
        return _pairwise_block(a, lo, n)
    s_lo = np.empty(64, np.int64)
    s_n = np.empty(64, np.int64)
    s_phase = np.zeros(64, np.int64)
    s_left = np.zeros(64)
    sp = 0
    s_lo[0], s_n[0], s_phase[0] = lo, n, 0
    value = 0.0
    while sp >= 0:
        m = s_n[sp]
        if m <= 128 or s_phase[sp] == 2:
            value = _pairwise_block(a, s_lo[sp], m) if m <= 128 else s_left[sp] + value
            sp -= 1
            if sp >= 0:
                if s_phase[sp] == 1:  # the left half is done: keep it, go right
                    s_left[sp] = value
                    s_phase[sp] = 2
                    h = s_n[sp] // 2
                    h -= h % 8
                    sp += 1
                    s_lo[sp], s_n[sp], s_phase[sp] = s_lo[sp - 1] + h, s_n[sp - 1] - h, 0
            continue
        h = m // 2
        h -= h % 8
        s_phase[sp] = 1
        sp += 1
        s_lo[sp], s_n[sp], s_phase[sp] = s_lo[sp - 1], h, 0
    return value


@njit(cache=True, error_model="numpy")
def np_sum(a, lo=0, n=-1):
    """``numpy.sum`` of the contiguous float64 ``a[lo:lo + n]`` with numpy's own rounding (its
    pairwise summation: 8 partial sums up to 128 terms, halves above), so a compiled kernel and
    numpy code give bit-identical totals (numba's ``np.sum`` adds sequentially)."""
    if n < 0:
        n = len(a) - lo
    return _pairwise(a, lo, n)
