"""A random generator for compiled kernels whose whole state is one ``uint64`` in an array.

Each simulator owns its stream (``state``: a ``(1,)`` uint64 array seeded once per episode from
the env's numpy generator, :func:`seed_from`), so envs stepped together in one compiled loop (the
batched array API, possibly on several threads) never share or re-seed a generator: an env's draws
depend on its own seed only. numba's ``np.random`` is one global generator per thread; keeping
envs apart with it meant re-seeding its Mersenne Twister (624 words, ~1.3 us) twice per step.

Uniforms come from SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
generators", OOPSLA 2014; the generator of Java's ``SplittableRandom``, which passes BigCrush),
53-bit doubles in [0, 1). On top of it, the exact samplers the link model needs:

* standard normal: Marsaglia's polar method;
* gamma (shape >= 1): Marsaglia & Tsang (2000), shape < 1 by the ``U^(1/a)`` boost;
* Poisson: multiplication (inversion by products) below a mean of 10, above it Hörmann's PTRS
  transformed rejection (1993), as numpy does;
* negative binomial ``NB(n, q)`` (failures before the n-th success, success probability q):
  the gamma-Poisson mixture ``Poisson(Gamma(n, (1 - q) / q))``.

``tests/core/test_rng.py`` checks each against scipy's distributions. The functions allocate
nothing and are compiled without reference counting (:func:`satgym.core.jit.task_helper`), so a
kernel's inner loop calls them for a few ns.
"""

from __future__ import annotations

import math

import numpy as np

from satgym.core.jit import task_helper

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def new_state(seed: int | np.random.Generator = 0) -> np.ndarray:
    """A generator state (``(1,)`` uint64) from a non-negative integer seed, or from one draw of
    a numpy generator (the env's)."""
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**63))
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: must be a non-negative integer or a numpy Generator, got {seed!r}")
    return np.array([int(seed) % 2**64], dtype=np.uint64)


@task_helper
def next_u64(state):
    """SplitMix64: advance the state by the golden gamma, return the mixed value."""
    z = state[0] + _GOLDEN
    state[0] = z
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@task_helper
def uniform(state):
    """A double uniform in [0, 1) with 53 random bits."""
    return np.float64(next_u64(state) >> _S11) * _TO_UNIT


@task_helper
def normal(state):
    """A standard normal (Marsaglia's polar method; the second variate is discarded)."""
    while True:
        x = 2.0 * uniform(state) - 1.0
        y = 2.0 * uniform(state) - 1.0
        s = x * x + y * y
        if 0.0 < s < 1.0:
            return x * math.sqrt(-2.0 * math.log(s) / s)


@task_helper
def gamma(state, shape, scale):
    """Gamma(shape, scale), shape > 0 (Marsaglia & Tsang's squeeze for shape >= 1)."""
    boost = 1.0
    a = shape
    if a < 1.0:  # Gamma(a) = Gamma(a + 1) * U^(1/a)
        u = uniform(state)
        boost = math.exp(math.log(u) / a) if u > 0.0 else 0.0
        a += 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(state)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform(state)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return d * v * scale * boost
        if u > 0.0 and math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return d * v * scale * boost


@task_helper
def poisson(state, lam):
    """Poisson(lam), lam >= 0: products of uniforms below 10, PTRS (Hörmann 1993) above."""
    if lam <= 0.0:
        return 0
    if lam < 10.0:
        limit = math.exp(-lam)
        k = 0
        p = uniform(state)
        while p > limit:
            k += 1
            p *= uniform(state)
        return k
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = uniform(state) - 0.5
        v = uniform(state)
        us = 0.5 - abs(u)
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43) if us > 0.0 else -1.0
        if us >= 0.07 and v <= vr:
            return np.int64(k)
        if k < 0.0 or (us < 0.013 and v > us):
            continue
        if v > 0.0 and (math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b)
                        <= -lam + k * loglam - math.lgamma(k + 1.0)):
            return np.int64(k)


@task_helper
def negative_binomial(state, n, q):
    """Failures before the ``n``-th success with success probability ``q`` in (0, 1]
    (numpy's ``negative_binomial(n, q)``), as Poisson(Gamma(n, (1 - q) / q))."""
    if q >= 1.0:
        return 0
    return poisson(state, gamma(state, n, (1.0 - q) / q))
