"""AA-MEC speed: env-steps/s of the ``aamec`` preset (PettingZoo parallel API, 66 agents, random
actions), with the ``leoedge`` preset measured in the same process as the reference, where an
AA-MEC step goes, and the oracles' time per snapshot.

One AA-MEC step is one 5-minute snapshot: the network is rebuilt from the positions, every
offloading satellite gets a Dijkstra of its own flow, the flows are routed, matched and shared.

Example (the run behind the README's "AA-MEC speed")::

    OMP_NUM_THREADS=1 python experiments/bench_aamec.py --seconds 6 --snapshots 12
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def env_steps_per_s(scenario: str, overrides: dict, seconds: float, seed: int = 0) -> tuple[float, float]:
    """(env-steps/s over whole episodes with resets, s per reset)."""
    import satgym

    env = satgym.parallel_env(scenario, overrides)
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    n_act = {a: env.action_space(a) for a in env.possible_agents}
    steps, resets, reset_s = 0, 0, 0.0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        if not env.agents:
            t = time.perf_counter()
            env.reset(seed=seed + resets + 1)
            reset_s += time.perf_counter() - t
            resets += 1
        if scenario.startswith("aamec"):
            actions = {a: int(rng.integers(0, n_act[a].n)) for a in env.agents}
        else:
            actions = {a: rng.integers(0, 3, size=n_act[a].shape) for a in env.agents}
        env.step(actions)
        steps += 1
    return steps / (time.perf_counter() - t0), reset_s / max(resets, 1)


def breakdown(seed: int = 0, n: int = 12) -> dict[str, float]:
    """Mean seconds per snapshot of the simulator's parts."""
    import satgym
    from satgym.aamec import observation as obs_spec
    from satgym.aamec.routing import find_candidates

    env = satgym.parallel_env("aamec", {"episode": {"steps": n}})
    env.reset(seed=seed)
    sim = env.sim
    t = {"topology": 0.0, "candidates (one Dijkstra per offloading satellite)": 0.0, "route + share + account": 0.0,
         "observation": 0.0}
    for k in range(n):
        a = time.perf_counter()
        sim.scenario._topologies.pop(k + 1, None)
        sim.scenario.topology(k + 1)
        t["topology"] += time.perf_counter() - a
        v = sim.view
        a = time.perf_counter()
        find_candidates(v.topology, v.mec_nodes, v.excess_per_s, v.data_mbit, v.compute_s, sim.K)
        t["candidates (one Dijkstra per offloading satellite)"] += time.perf_counter() - a
        dest = np.where(v.candidates.ranked[:, 0] >= 0, v.mec_nodes[np.maximum(v.candidates.ranked[:, 0], 0)], -1)
        a = time.perf_counter()
        sim.step(dest)  # includes the next snapshot's candidates
        t["route + share + account"] += time.perf_counter() - a
        a = time.perf_counter()
        obs_spec.observe(sim)
        t["observation"] += time.perf_counter() - a
    out = {k: v / n for k, v in t.items()}
    out["route + share + account"] -= out["candidates (one Dijkstra per offloading satellite)"]
    return out


def oracle_times(load: str, snapshots: int, seed: int = 0, ifecs_every: int = 0) -> dict[str, float]:
    """Offloading MILP (dynamic) and IFECS MILP (every ``ifecs_every``-th snapshot, 0: never)
    seconds per snapshot at MEC ratio 0.2, wall clock and process CPU time."""
    import satgym
    from baselines.aamec.ifecs_milp import solve_ifecs
    from baselines.aamec.offloading_milp import solve_offloading

    env = satgym.parallel_env("aamec", {"episode": {"steps": snapshots}}, load=load)
    env.reset(seed=seed)
    cols, solve, cpu, ifecs, ifecs_cpu = [], [], [], [], []
    while env.agents:
        v = env.snapshot()
        c0 = time.process_time()
        sol = solve_offloading(v)
        cpu.append(time.process_time() - c0)
        cols.append(sol.columns_time_s)
        solve.append(sol.solve_time_s)
        if ifecs_every and v.k % ifecs_every == 0:
            t, c0 = time.perf_counter(), time.process_time()
            solve_ifecs(v, env.config.ifecs.services)
            ifecs.append(time.perf_counter() - t)
            ifecs_cpu.append(time.process_time() - c0)
        env.set_plan(sol.destinations, sol.routes, sol.feeders)
        env.step({})
    mean = (lambda x: float(np.mean(x)) if len(x) else float("nan"))
    return {"columns_s": mean(cols), "highs_s": mean(solve), "total_s": mean(np.add(cols, solve)), "cpu_s": mean(cpu),
            "ifecs_s": mean(ifecs), "ifecs_cpu_s": mean(ifecs_cpu)}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=6.0)
    p.add_argument("--snapshots", type=int, default=12, help="snapshots per oracle measurement")
    args = p.parse_args(argv)
    rows = []
    aamec, aamec_reset = env_steps_per_s("aamec", {}, args.seconds)
    leo, _ = env_steps_per_s("leoedge", {}, args.seconds)
    rows += [("aamec env-steps/s (66 agents, 5-min snapshots, resets included)", f"{aamec:.1f}"),
             ("aamec reset (flights, SGP4 reused for a fixed start, first snapshot), s", f"{aamec_reset:.3f}"),
             ("leoedge env-steps/s in the same process (10 agents, 1-s slots)", f"{leo:.1f}"),
             ("ratio aamec / leoedge", f"{aamec / leo:.4f}")]
    for part, s in breakdown().items():
        rows.append((f"aamec per snapshot: {part}, ms", f"{1e3 * s:.1f}"))
    for load in ("light", "normal", "heavy"):
        t = oracle_times(load, args.snapshots, ifecs_every=4 if load == "light" else 0)  # IFECS: no lambda
        rows.append((f"dynamic oracle per snapshot, lambda {load} (columns + HiGHS wall; CPU), s",
                     f"{t['total_s']:.2f} ({t['columns_s']:.2f} + {t['highs_s']:.2f}); {t['cpu_s']:.2f}"))
        if load == "light":
            rows.append(("IFECS oracle per snapshot (400 flows, MEC ratio 0.2; wall; CPU), s",
                         f"{t['ifecs_s']:.1f}; {t['ifecs_cpu_s']:.1f}"))
    print("| measurement | value |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
