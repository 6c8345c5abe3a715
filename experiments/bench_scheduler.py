"""One LEOEdge scheduling round's wall time: the distributed protocol, the centralised search and
the exact MILP (HiGHS), on the same rounds taken from the env.

Rounds: (a) the paper-regime ``leoedge`` preset (10 satellites, one cluster of 3 servers x 4
containers), heavy load, the rounds where the cap binds (the protocol drives the env; every 5th
step from step 15, ``--rounds`` of them); (b) the ``starlink`` preset (5,285 satellites, 100
gateways with a cluster each), heavy load, the round after ``--starlink-steps`` steps.

Timing, per round: ``leoedge`` = :func:`baselines.leoedge.protocol.schedule_problem` (the ground's
part of a protocol round, simulated in one process: price iteration, rounding, message
accounting; cold prices), ``leoedge-search`` = :func:`baselines.leoedge_schedule`, ``oracle`` =
:func:`baselines.solve_milp` (HiGHS, ``--time-limit``). Each is timed once per round after one
untimed warm-up call (numba kernels load); medians over rounds. Objectives are reported as the
ratio to the MILP's.

Run:  OMP_NUM_THREADS=1 python experiments/bench_scheduler.py [--rounds 15] [--time-limit 120]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _binding(p) -> bool:
    v = p.value
    return bool(p.check(np.where(v.max(axis=1) > 0, v.argmax(axis=1), -1)))


def env_rounds(scenario: str, n: int, steps: int, every: int, first: int, binding: bool) -> list:
    import satgym
    from baselines.policies.distributed import LEOEdgePolicy

    over = {"episode": {"start": "epoch", "offset_s": 5400.0, "steps": steps}}
    env = satgym.parallel_env(scenario, over, load="heavy")
    policy = LEOEdgePolicy(space_loss=0.0)
    out, seed = [], 0
    while len(out) < n and seed < 50:
        obs, infos = env.reset(seed=seed)
        policy.reset(env, seed=seed)
        for k in range(steps):
            actions = policy.act(env, obs, infos)
            rnd = policy.last_round
            if k >= first and (k - first) % every == 0 and rnd is not None and rnd.problem is not None:
                if not binding or _binding(rnd.problem):
                    out.append(rnd.problem)
                    if len(out) >= n:
                        break
            obs, _, _, _, infos = env.step(actions)
        seed += 1
    return out


def time_round(p, time_limit: float) -> dict:
    from baselines.leoedge import leoedge_schedule
    from baselines.leoedge.protocol import schedule_problem
    from baselines.milp_oracle import solve_milp

    row = {"tasks": p.n_tasks, "pairs": int(p.pairs[0].size)}
    t0 = time.perf_counter()
    r = schedule_problem(p)
    row["leoedge_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    s = leoedge_schedule(p)
    row["search_s"] = time.perf_counter() - t0
    m = solve_milp(p, time_limit_s=time_limit)
    row["milp_s"], row["milp_status"], row["milp_gap"] = m.solve_time_s, m.status, m.gap
    best = max(m.objective, 1e-12)
    row["leoedge_ratio"], row["search_ratio"] = p.objective(r.container) / best, s.objective / best
    row["iterations"] = int(r.iterations.max(initial=0))
    row["messages"] = sum(r.log.delivered.values())
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15, help="leoedge rounds to time")
    ap.add_argument("--starlink-steps", type=int, default=3, help="steps before the Starlink round")
    ap.add_argument("--time-limit", type=float, default=120.0, help="MILP time limit [s]")
    args = ap.parse_args(argv)
    from baselines.leoedge import leoedge_schedule
    from baselines.leoedge.protocol import schedule_problem
    from baselines.offloading_problem import random_problem

    warm = random_problem(np.random.default_rng(0), n_tasks=12)       # numba kernels load or compile
    schedule_problem(warm), leoedge_schedule(warm)
    cases = {"leoedge (10 sats, 12 containers)": env_rounds("leoedge", args.rounds, 150, 5, 15, True),
             "starlink (5,285 sats, 1,200 containers)": env_rounds("starlink", 1, args.starlink_steps + 1, 1,
                                                                  args.starlink_steps, False)}
    print("| rounds | n | tasks (median) | leoedge [s] | leoedge-search [s] | HiGHS MILP [s] | MILP status | "
          "leoedge / MILP objective | search / MILP objective | price exchanges | messages |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for name, rounds in cases.items():
        rows = [time_round(p, args.time_limit) for p in rounds]
        med = {k: float(np.median([r[k] for r in rows])) for k in ("tasks", "leoedge_s", "search_s", "milp_s",
                                                                    "iterations", "messages")}
        status = ", ".join(sorted({f"{r['milp_status']}" + (f" (gap {r['milp_gap']:.1%})" if r["milp_gap"] else "")
                                   for r in rows}))
        lr = np.array([r["leoedge_ratio"] for r in rows])
        sr = np.array([r["search_ratio"] for r in rows])
        print(f"| {name} | {len(rows)} | {med['tasks']:.0f} | {med['leoedge_s']:.4f} | {med['search_s']:.4f} | "
              f"{med['milp_s']:.3f} | {status} | {lr.mean():.3f} (min {lr.min():.3f}) | {sr.mean():.3f} | "
              f"{med['iterations']:.0f} | {med['messages']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
