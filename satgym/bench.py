"""``satgym bench``: throughput, measured as ratios against references run in the same process.

1. env-steps/s of the ``leoedge`` preset (PettingZoo parallel API, random actions) next to MPE
   ``simple_spread_v3`` (N=3, parallel API) - target: at least 2x MPE;
2. env-steps/s of the ``starlink`` preset through the PettingZoo API (target: >= 100 on one core);
3. the simulator core's step time next to a bare-numpy kernel doing the same per-step work
   (arrivals, FIFO queue updates of processors, links and containers, visibility lookup, load
   measurement) with no bookkeeping (target: within 2x).

Machines here are shared and noisy: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="measure env throughput against MPE and a bare-numpy kernel")
    p.add_argument("--seconds", type=float, default=5.0, help="time budget per measurement")
    p.add_argument("--skip-starlink", action="store_true")
    p.set_defaults(handler=run)


def _rate(step, reset, seconds: float) -> float:
    reset()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        if not step():
            reset()
        n += 1
    return n / (time.perf_counter() - t0)


def bench_parallel(env, seconds: float, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    spaces = {a: env.action_space(a) for a in env.possible_agents}
    K = next(iter(spaces.values())).shape

    def reset():
        env.reset(seed=seed)

    def step():
        if hasattr(env, "sim"):
            acts = dict(zip(env.agents, rng.integers(0, 3, size=(len(env.agents),) + K)))
        else:
            acts = {a: spaces[a].sample() for a in env.agents}
        env.step(acts)
        return bool(env.agents)

    return _rate(step, reset, seconds)


def bench_mpe(seconds: float) -> float:
    from mpe2 import simple_spread_v3

    env = simple_spread_v3.parallel_env(N=3, max_cycles=25, continuous_actions=False)
    return bench_parallel(env, seconds)


class BareKernel:
    """The same per-step numerics as the simulator core, without task bookkeeping or planning."""

    def __init__(self, sim, rng: np.random.Generator) -> None:
        self.sim, self.rng = sim, rng
        self.proc = np.zeros(sim.n_sats)
        self.link = np.zeros(sim.n_sats)
        self.cont = np.zeros(sim.ground.n_containers)
        self.t = 0.0
        self.k = 0

    def step(self) -> None:
        sim, rng, dt = self.sim, self.rng, self.sim.slot_s
        row = min(self.k, sim.n_steps)
        station = sim.schedule.station[row]
        remaining = sim.schedule.window_end_s[row] - self.t
        n = rng.poisson(dt / sim.cfg.tasks.mean_interarrival_s, sim.n_sats)
        work = rng.integers(sim.cfg.tasks.work_min, sim.cfg.tasks.work_max + 1, sim.n_sats) * (n > 0)
        size = work * sim.cfg.tasks.input_mbit_per_unit
        off = (station >= 0) & (size / sim.cfg.links.ground_rate_mbps < remaining) & (rng.random(sim.n_sats) < 0.5)
        loc = ~off
        self.proc[loc] = np.maximum(self.proc[loc], self.t) + work[loc] * sim.compute.exec_s[loc]
        self.link[off] = np.maximum(self.link[off], self.t) + size[off] / sim.cfg.links.ground_rate_mbps
        per = sim.ground.per_station
        c = station[off] * per + rng.integers(0, per, int(off.sum()))
        np.maximum.at(self.cont, c, self.t)
        np.add.at(self.cont, c, work[off] * sim.edge_exec_s)
        self.load = np.clip(self.cont - self.t, 0, dt) / dt
        self.t += dt
        self.k += 1


def bench_core_vs_kernel(scenario: str, seconds: float) -> tuple[float, float]:
    import satgym

    env = satgym.parallel_env(scenario, {"episode": {"steps": 200}})
    env.reset(seed=0)
    sim = env.sim
    rng = np.random.default_rng(0)
    acts = rng.integers(0, 3, size=(sim.n_sats, sim.K))

    def core_step():
        sim.step(acts)
        return sim.k < sim.n_steps

    core = _rate(core_step, lambda: sim.reset(np.random.default_rng(0)), seconds)
    kernel_holder = {}

    def kernel_reset():
        kernel_holder["k"] = BareKernel(sim, np.random.default_rng(0))

    def kernel_step():
        kernel_holder["k"].step()
        return kernel_holder["k"].k < sim.n_steps

    bare = _rate(kernel_step, kernel_reset, seconds)
    return core, bare


def run(args: argparse.Namespace) -> int:
    import satgym

    print("measuring ... (ratios are what to compare; the machine is shared)")
    leo = bench_parallel(satgym.parallel_env("leoedge", {"episode": {"steps": 600}}), args.seconds)
    mpe = bench_mpe(args.seconds)
    rows = [("leoedge env-steps/s (10 agents, PettingZoo parallel)", leo, None),
            ("MPE simple_spread_v3 env-steps/s (N=3, parallel)", mpe, None),
            ("  ratio leoedge / MPE (target >= 2)", leo / mpe, None)]
    core, bare = bench_core_vs_kernel("leoedge", args.seconds)
    rows += [("leoedge core steps/s", core, None), ("leoedge bare-numpy kernel steps/s", bare, None),
             ("  ratio kernel / core (target <= 2)", bare / core, None)]
    if not args.skip_starlink:
        env = satgym.parallel_env("starlink", {"episode": {"steps": 200}})
        star = bench_parallel(env, args.seconds)
        core_s, bare_s = bench_core_vs_kernel("starlink", args.seconds)
        rows += [(f"starlink env-steps/s ({len(env.possible_agents)} agents, PettingZoo parallel; target >= 100)", star, None),
                 ("starlink core steps/s", core_s, None), ("starlink bare-numpy kernel steps/s", bare_s, None),
                 ("  ratio kernel / core (target <= 2)", bare_s / core_s, None)]
    width = max(len(r[0]) for r in rows)
    for name, val, _ in rows:
        print(f"{name:<{width}}  {val:10.2f}")
    return 0
