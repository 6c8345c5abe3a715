"""``satgym bench``: throughput, measured as ratios against references run in the same process.

1. env-steps/s of the ``leoedge`` preset (PettingZoo parallel API, random actions) next to MPE
   ``simple_spread_v3`` (N=3, parallel API) - target: at least 2x MPE;
2. env-steps/s of the ``starlink`` preset through the PettingZoo API (target: >= 100 on one core);
3. the simulator core's step time next to a bare-numpy kernel doing the same per-step work
   (arrivals, FIFO queue updates of processors, links and containers, visibility lookup, load
   measurement) with no bookkeeping (target: within 2x);
4. the batched array API (issue 15): ``leoedge`` agent-steps/s with B = 64 envs next to the
   PettingZoo API's, measured in alternating slices (target: at least 20x; again with the envs
   stepped on every core, ``threads=``), and ``starlink`` B = 1
   env-steps/s next to the core's own steps/s with observations built (target: at least 0.8x).

Machines here are shared and noisy: compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np


def add_parser(sub) -> None:
    p = sub.add_parser("bench", help="measure env throughput against MPE and a bare-numpy kernel")
    p.add_argument("--seconds", type=float, default=5.0, help="time budget per measurement")
    p.add_argument("--skip-starlink", action="store_true")
    p.add_argument("--skip-array", action="store_true", help="skip the array API and SB3 measurements")
    p.set_defaults(handler=run)


def _rate(step, reset, seconds: float) -> float:
    """Steps per second, resets included (as they happen when episodes end)."""
    reset()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        if not step():
            reset()
        n += 1
    return n / (time.perf_counter() - t0)


def reset_seconds(env, n: int = 3) -> float:
    t0 = time.perf_counter()
    for seed in range(n):
        env.reset(seed=seed)
    return (time.perf_counter() - t0) / n


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
    """The same per-step numerics as the simulator core, written as plain vectorised numpy with no
    framework: Poisson arrivals per satellite, random local/offload choices, FIFO queues of the
    on-board processors, the ground links (only for satellites in contact, from the same contact
    schedule) and the containers, resolution of finished tasks and the container occupancy. It
    skips what the core adds on top: Alg. 4 relays, result return, failures, deadlines, metrics."""

    def __init__(self, sim, rng: np.random.Generator) -> None:
        self.sim, self.rng = sim, rng
        self.proc = np.zeros(sim.n_sats)
        self.link = np.zeros(sim.n_sats)
        self.cont = np.zeros(sim.ground.n_containers)
        self.live_done = np.zeros(0)
        self.live_cont = np.zeros(0, dtype=np.int64)
        self.live_start = np.zeros(0)
        self.t = 0.0
        self.k = 0

    def step(self) -> None:
        from satgym.core.fifo import busy_in_window, serve_fifo

        sim, rng, dt, cfg = self.sim, self.rng, self.sim.slot_s, self.sim.cfg
        row = min(self.k, sim.n_steps)
        cluster = sim.schedule.cluster[row]
        counts = rng.poisson(dt / cfg.tasks.mean_interarrival_s, sim.n_sats)
        sat = np.repeat(np.arange(sim.n_sats), counts)
        m = len(sat)
        u = rng.random((3, m))
        work = np.floor(cfg.tasks.work_min + u[0] * (cfg.tasks.work_max - cfg.tasks.work_min + 1))
        size = work * cfg.tasks.input_mbit_per_unit
        off = (cluster[sat] >= 0) & (u[1] < 0.5)
        ready = np.full(m, self.t)
        _, p_end = serve_fifo(sat[~off], ready[~off], work[~off] * sim.compute.exec_s[sat[~off]], self.proc)
        _, up_end = serve_fifo(sat[off], ready[off], size[off] / cfg.links.ground_rate_mbps, self.link)
        c = cluster[sat[off]] * sim.ground.per_cluster + rng.integers(0, sim.ground.per_cluster, int(off.sum()))
        c_start, c_end = serve_fifo(c, up_end, work[off] * sim.edge_exec_s, self.cont)
        t_end = self.t + dt
        done = np.concatenate([self.live_done, p_end, c_end])
        cont = np.concatenate([self.live_cont, np.full(len(p_end), -1), c])
        start = np.concatenate([self.live_start, np.full(len(p_end), np.nan), c_start])
        edge = cont >= 0
        self.load = busy_in_window(cont[edge], start[edge], done[edge], self.t, t_end, len(self.cont)) / dt
        keep = done > t_end  # resolve what has finished
        self.live_done, self.live_cont, self.live_start = done[keep], cont[keep], start[keep]
        self.t = t_end
        self.k += 1


def bench_core_vs_kernel(scenario: str, seconds: float) -> tuple[float, float]:
    """Steps/s of the simulator core and of :class:`BareKernel` over the same episode, resets excluded."""
    import satgym

    env = satgym.parallel_env(scenario, {"episode": {"steps": 200}})
    env.reset(seed=0)
    sim = env.sim
    # local or offload with equal odds, as the kernel decides (the kernel has no hold action)
    acts = np.random.default_rng(0).integers(0, 2, size=(sim.n_sats, sim.K))

    def timed(step) -> float:
        n, t0 = 0, time.perf_counter()
        while n < sim.n_steps and (time.perf_counter() - t0 < seconds or n < 5):
            step()
            n += 1
        return n / (time.perf_counter() - t0)

    core = timed(lambda: sim.step(acts))
    kernel = BareKernel(sim, np.random.default_rng(0))
    bare = timed(kernel.step)
    return core, bare


def bench_array(scenario: str, n_envs: int, seconds: float, steps: int = 600) -> float:
    """Env-steps/s of the array API (``n_envs`` envs, random actions), resets excluded: the
    episodes are longer than the measurement."""
    import satgym

    venv = satgym.array_env(scenario, n_envs, {"episode": {"steps": steps}})
    venv.reset(seed=0)
    rng = np.random.default_rng(0)
    hi = np.broadcast_to(venv._nvec, venv.action_shape)
    acts = [rng.integers(0, hi, size=(n_envs, venv.n_agents, *venv.action_shape)) for _ in range(8)]
    for j in range(3):
        venv.step(acts[j])
    n, t0 = 0, time.perf_counter()
    while (time.perf_counter() - t0 < seconds or n < 3) and n < steps - 5:
        venv.step(acts[n % 8])
        n += 1
    return n * n_envs / (time.perf_counter() - t0)


def bench_array_vs_pz(scenario: str, n_envs: int, seconds: float, rounds: int = 8,
                      steps: int = 600, threads: int = 1) -> tuple[float, float]:
    """(PettingZoo env-steps/s, array API env-steps/s with ``n_envs`` envs on ``threads``
    threads) with random actions, measured in alternating slices (``rounds`` of each, ``seconds``
    in all per API) so that both see the same load on a shared host. Only step calls are timed:
    both reset, untimed, before their episodes end."""
    import satgym

    env = satgym.parallel_env(scenario, {"episode": {"steps": steps}})
    venv = satgym.array_env(scenario, n_envs, {"episode": {"steps": steps}}, threads=threads)
    rng = np.random.default_rng(0)
    K = env.action_space(env.possible_agents[0]).shape
    hi = np.broadcast_to(venv._nvec, venv.action_shape)
    acts = [rng.integers(0, hi, size=(n_envs, venv.n_agents, *venv.action_shape)) for _ in range(8)]
    pz_acts = [dict(zip(env.possible_agents, rng.integers(0, 3, size=(len(env.possible_agents),) + K)))
               for _ in range(8)]
    env.reset(seed=0)
    venv.reset(seed=0)
    for j in range(3):  # compilation and first chunks
        venv.step(acts[j])
        env.step(pz_acts[j])
    counts, times = [0, 0], [0.0, 0.0]

    def pz_step() -> None:
        if env.sim.k >= steps - 2:
            env.reset(seed=counts[0])
        t0 = time.perf_counter()
        env.step(pz_acts[counts[0] % 8])
        times[0] += time.perf_counter() - t0
        counts[0] += 1

    def array_step() -> None:
        if venv.core.sims[0].k >= steps - 2:
            venv.reset(seed=counts[1])
        t0 = time.perf_counter()
        venv.step(acts[counts[1] % 8])
        times[1] += time.perf_counter() - t0
        counts[1] += n_envs

    for r in range(1, rounds + 1):
        for j, step in enumerate((pz_step, array_step)):
            while times[j] < seconds * r / rounds:
                step()
    venv.close()
    return counts[0] / times[0], counts[1] / times[1]


def bench_core_obs(scenario: str, seconds: float, steps: int = 200) -> float:
    """Steps/s of the simulator core with the observation built each step (the array API's reference)."""
    import satgym
    from satgym.leoedge.observation import observe

    env = satgym.parallel_env(scenario, {"episode": {"steps": steps}})
    env.reset(seed=0)
    sim = env.sim
    acts = np.random.default_rng(0).integers(0, 3, size=(sim.n_sats, sim.K))
    out = np.empty((sim.n_sats, env._obs_space.shape[0]), np.float32)
    n, t0 = 0, time.perf_counter()
    while (time.perf_counter() - t0 < seconds or n < 3) and n < steps - 5:
        sim.step(acts)
        observe(sim, out)
        n += 1
    return n / (time.perf_counter() - t0)


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
        first_reset_s = reset_seconds(env, 1)  # propagation + contact schedule for the episode
        star = bench_parallel(env, args.seconds)
        reset_s = reset_seconds(env, 2)  # same start time: the schedule is reused
        steady = 1.0 / max(1.0 / star - reset_s / 200.0, 1e-9)
        core_s, bare_s = bench_core_vs_kernel("starlink", args.seconds)
        rows += [(f"starlink env-steps/s, resets included ({len(env.possible_agents)} agents, 200-step episodes)", star, None),
                 ("starlink first reset (SGP4 + contact schedule for the episode), s", first_reset_s, None),
                 ("starlink later resets at the same start time (schedule reused), s", reset_s, None),
                 ("starlink env-steps/s between resets (target >= 100)", steady, None),
                 ("starlink core steps/s", core_s, None), ("starlink bare-numpy kernel steps/s", bare_s, None),
                 ("  ratio kernel / core (target <= 2)", bare_s / core_s, None)]
    if not args.skip_array:
        B = 64
        pz, arr = bench_array_vs_pz("leoedge", B, args.seconds)
        rows += [("leoedge PettingZoo agent-steps/s (between resets, alternating with the next)", pz * 10, None),
                 (f"leoedge array API agent-steps/s, B={B}, one thread (between resets)", arr * 10, None),
                 ("  ratio array / PettingZoo (target >= 20)", arr / pz, None)]
        cores = os.cpu_count() or 1
        if cores > 1:  # the same comparison with the envs stepped on every core
            pz_t, arr_t = bench_array_vs_pz("leoedge", B, args.seconds, threads=cores)
            rows += [("leoedge PettingZoo agent-steps/s (alternating with the next)", pz_t * 10, None),
                     (f"leoedge array API agent-steps/s, B={B}, threads={cores}", arr_t * 10, None),
                     (f"  ratio array (threads={cores}) / PettingZoo", arr_t / pz_t, None)]
        if not args.skip_starlink:
            core_obs = bench_core_obs("starlink", args.seconds)
            star_arr = bench_array("starlink", 1, args.seconds, steps=200)
            rows += [("starlink core + observation steps/s", core_obs, None),
                     ("starlink array API env-steps/s, B=1 (goal 1000)", star_arr, None),
                     ("  ratio array / core+obs (target >= 0.8)", star_arr / core_obs, None)]
    width = max(len(r[0]) for r in rows)
    for name, val, _ in rows:
        print(f"{name:<{width}}  {val:10.2f}")
    return 0
