"""Speed of the Arctic family, with references run in the same process (compare the ratios: the
machine is shared).

1. env-steps/s of the ``arctic`` preset (5,285 Starlink + 30 MEO satellites propagated every
   slot, 100 agents, PettingZoo parallel API, uniformly random actions, 60-slot episodes, resets
   included) at the default 25 deg threshold and at 10 deg (the most satellites in view), next to
   MPE ``simple_spread_v3`` (N = 3) through the same API;
2. the simulator alone (no observation or action dicts) at 25 deg, and one slot's parts: SGP4 of
   every satellite, the users' geometry, ISL routes, the candidate problem;
3. SGP4 for all 5,315 satellites at one instant (one vectorised call) against skyfield's
   per-satellite ``EarthSatellite.at`` (the accuracy reference; timed on 100 satellites and scaled);
4. the oracle (problem P2, cvxpy + HiGHS) and the greedy per slot of the paper's setup
   (independent slots, lambda = 5) at 10, 30 and 50 deg.

    OMP_NUM_THREADS=1 python experiments/bench_arctic.py --seconds 8 --slots 40
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def env_rate(scenario: str, overrides: dict, seconds: float) -> tuple[float, float]:
    """(env-steps/s with resets, seconds per reset) of random actions through the parallel API."""
    import satgym

    env = satgym.parallel_env(scenario, overrides)
    nvec = env.action_space(env.possible_agents[0]).nvec
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for seed in range(3):
        env.reset(seed=seed)
    reset_s = (time.perf_counter() - t0) / 3
    n, seed, t0 = 0, 3, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        env.step(dict(zip(env.agents, rng.integers(0, nvec, size=(len(env.agents), 3)))))
        n += 1
        if not env.agents:
            env.reset(seed=seed)
            seed += 1
    return n / (time.perf_counter() - t0), reset_s


def core_rate(overrides: dict, seconds: float) -> tuple[float, dict[str, float]]:
    """Simulator steps/s (random decisions) and the mean ms of a slot's parts."""
    from satgym.arctic.presets import make_config
    from satgym.arctic.simulator import Simulator

    sim = Simulator(make_config("arctic", overrides))
    rng = np.random.default_rng(0)
    nvec = np.array([sim.n_candidates + 1, sim.rb_levels, sim.cpu_levels])
    sim.reset(np.random.default_rng(1))
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        sim.step(rng.integers(0, nvec, size=(sim.n_users, 3)))
        n += 1
        if sim.k >= sim.n_steps:
            sim.reset(np.random.default_rng(n))
    rate = n / (time.perf_counter() - t0)
    # the parts of one slot, timed separately at successive slots
    parts = {"sgp4_all_sats": [], "user_geometry": [], "isl_routes": [], "candidates": []}
    from satgym.arctic.candidates import build_problem

    users = np.arange(5)
    for k in range(20):
        t = 100.0 + k
        t0 = time.perf_counter()
        pos = sim.fleet.positions_km(sim.sky.start_utc, np.array([t]))[:, 0]
        parts["sgp4_all_sats"].append(time.perf_counter() - t0)
        sim.sky._cache = (t, pos)
        t0 = time.perf_counter()
        geo = sim.sky.at(t, users)
        parts["user_geometry"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        routes = sim.topology.routes(pos, geo.region[(geo.v_start_s < 3.0).any(axis=0)])
        parts["isl_routes"].append(time.perf_counter() - t0)
        fading = np.ones((users.size, geo.region.size))
        t0 = time.perf_counter()
        build_problem(sim.cfg, sim.fleet, sim.budget, geo, routes, fading, users, np.full(5, 2e6),
                      sim.fleet.resource_blocks.copy(), np.ones(sim.fleet.n_sats))
        parts["candidates"].append(time.perf_counter() - t0)
    return rate, {k: 1e3 * float(np.mean(v)) for k, v in parts.items()}


def sgp4_vs_skyfield() -> tuple[float, float]:
    """(ms for every satellite with one vectorised SGP4 call, ms for the same with skyfield)."""
    from skyfield.api import EarthSatellite, load

    import satgym
    from satgym.core.orbits import data_path

    env = satgym.parallel_env("arctic")
    fleet = env.sim.fleet
    t0 = time.perf_counter()
    for k in range(10):
        fleet.positions_km(fleet.epoch, np.array([float(k)]))
    ours_ms = 1e3 * (time.perf_counter() - t0) / 10
    lines = [ln.rstrip() for ln in data_path("tle/starlink.tle").read_text().splitlines() if ln.strip()]
    ts = load.timescale(builtin=True)
    sats = [EarthSatellite(lines[i + 1], lines[i + 2], lines[i].strip(), ts) for i in range(0, 300, 3)]
    t = ts.utc(2024, 1, 12, 12, 0, 0)
    t0 = time.perf_counter()
    for s in sats:
        s.at(t).frame_xyz(_itrs())
    sky_ms = 1e3 * (time.perf_counter() - t0) / len(sats) * fleet.n_sats
    return ours_ms, sky_ms


def _itrs():
    from skyfield.framelib import itrs

    return itrs


def solve_times(threshold: float, slots: int) -> dict[str, float]:
    import satgym
    from satgym.policies import make_policy

    env = satgym.parallel_env("arctic", {"episode": {"steps": 1}, "visibility": {"min_elevation_deg": threshold}})
    oracle, greedy = make_policy("arctic_oracle"), make_policy("arctic_greedy")
    o, g, tasks = [], [], []
    for seed in range(slots):
        obs, infos = env.reset(seed=seed)
        oracle.act(env, obs, infos)
        o.append(oracle.last.solve_s)
        t0 = time.perf_counter()
        greedy.act(env, obs, infos)
        g.append(time.perf_counter() - t0)
        tasks.append(env.slot_problem().n_tasks)
    return {"oracle_mean_s": float(np.mean(o)), "oracle_p95_s": float(np.percentile(o, 95)),
            "oracle_max_s": float(np.max(o)), "greedy_mean_s": float(np.mean(g)), "tasks_mean": float(np.mean(tasks))}


def main(argv: list[str] | None = None) -> int:
    from satgym.tools.bench import bench_mpe

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--slots", type=int, default=40)
    args = p.parse_args(argv)
    import satgym  # noqa: F401  (warm the element sets and the registry)

    from satgym.policies import make_policy

    make_policy("arctic_oracle")
    rows = []
    mpe = bench_mpe(args.seconds)
    for thr in (25.0, 10.0):
        rate, reset_s = env_rate("arctic", {"visibility": {"min_elevation_deg": thr}}, args.seconds)
        rows.append((f"arctic env-steps/s, {thr:g} deg (100 agents, 5,315 satellites, resets included)", f"{rate:.1f}"))
        rows.append((f"arctic reset at {thr:g} deg, s", f"{reset_s:.3f}"))
    rows.append(("MPE simple_spread_v3 env-steps/s (N=3, parallel)", f"{mpe:.1f}"))
    rows.append(("ratio arctic (25 deg) / MPE", f"{float(rows[0][1]) / mpe:.4f}"))
    core, parts = core_rate({}, args.seconds)
    rows.append(("arctic simulator steps/s, 25 deg (no PettingZoo dicts)", f"{core:.1f}"))
    for k, v in parts.items():
        rows.append((f"  slot part: {k}, ms", f"{v:.2f}"))
    ours, sky = sgp4_vs_skyfield()
    rows.append(("SGP4 of all 5,315 satellites at one instant, ms (one vectorised call)", f"{ours:.2f}"))
    rows.append(("the same with skyfield EarthSatellite.at, ms (from 100 satellites)", f"{sky:.0f}"))
    rows.append(("ratio skyfield / vectorised SGP4", f"{sky / ours:.0f}"))
    for thr in (10.0, 30.0, 50.0):
        st = solve_times(thr, args.slots)
        rows.append((f"oracle P2 solve per slot at {thr:g} deg, mean / p95 / max s ({st['tasks_mean']:.1f} tasks)",
                     f"{st['oracle_mean_s']:.3f} / {st['oracle_p95_s']:.3f} / {st['oracle_max_s']:.3f}"))
        rows.append((f"greedy per slot at {thr:g} deg, s", f"{st['greedy_mean_s']:.4f}"))
    print("| measurement | value |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
