"""A3C: a tiny asynchronous run updates the shared per-satellite learners, checkpoints, and the
``a3c`` policy acts on the env from the checkpoint; a resumed run continues the checkpoint's run
(settings, counters, fresh task streams); a killed worker is restarted and learning goes on;
``asynchrony="satellite"`` updates only the worker's own satellites' learners."""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import threading
import time
from types import SimpleNamespace

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pytest
import torch

import satgym
from agents.a3c import A3CConfig
from agents.a3c.model import SatelliteLearners
from agents.a3c.shared_adam import SharedAdam
from agents.a3c.train import load_checkpoint, run
from satgym.policies import Policy, make_policy, policy_names

torch.set_num_threads(1)


def _rows(out) -> list[dict]:
    with open(out / "episodes.csv", newline="") as f:
        return [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]


def _initial_learners(cfg: A3CConfig) -> SatelliteLearners:
    """The learners ``train(cfg)`` starts from (sized from the env, seeded with ``cfg.seed``)."""
    env = satgym.parallel_env(cfg.scenario, cfg.env_overrides(), load=cfg.load)
    agent = env.possible_agents[0]
    torch.manual_seed(cfg.seed)
    return SatelliteLearners(len(env.possible_agents), env.observation_space(agent).shape[0],
                             len(env.action_space(agent).nvec), cfg.hidden)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("a3c")
    init = _initial_learners(A3CConfig(load="heavy", episode_steps=20)).state_dict()  # what train() builds
    args = argparse.Namespace(algo="a3c", scenario="leoedge", load="heavy", iterations=None, episode_steps=20,
                              seed=0, out=str(out), resume=None, num_env_runners=None, address=None, workers=2,
                              timesteps=300, start_method="fork")  # spawn: tests/rl/test_env_set.py
    assert run(args) == 0
    return out, init


def test_run_updates_shared_parameters_and_writes_outputs(tiny_run):
    out, init = tiny_run
    ck = load_checkpoint(out)
    assert ck["global_step"] >= 300
    assert {k: v.shape for k, v in init.items()} == {k: v.shape for k, v in ck["model"].items()}
    changed = [not torch.equal(init[k], v) for k, v in ck["model"].items()]
    assert all(changed)                                  # every learner's every tensor moved
    assert all(int(s["step"]) > 0 for s in ck["optim"])  # shared Adam stepped
    assert (out / "config.json").exists()
    lines = (out / "episodes.csv").read_text().splitlines()
    assert lines[0].startswith("worker,incarnation,episode,env_seed,global_step,return,mean_execution_time_s,"
                               "mean_edge_load,failed")
    assert len(lines) > 1
    assert {ln.split(",")[0] for ln in lines[1:]} == {"0", "1"}  # both workers finished episodes
    rows = _rows(out)
    assert len({r["episode"] for r in rows}) == len({r["env_seed"] for r in rows}) == len(rows)  # no stream twice


def test_a3c_policy_loads_checkpoint_and_acts(tiny_run):
    out, _ = tiny_run
    policy = make_policy(f"a3c:{out}")
    assert isinstance(policy, Policy)
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 5}}, load="normal")
    obs, infos = env.reset(seed=1)
    policy.reset(env, seed=1)
    while env.agents:
        actions = policy.act(env, obs, infos)
        assert set(actions) == set(env.agents)
        for a, act in actions.items():
            assert act.dtype == np.int64 and env.action_space(a).contains(act)
        obs, _, _, _, infos = env.step(actions)


def test_per_satellite_learners_are_independent():
    team = SatelliteLearners(n_sats=3, obs_dim=40, K=4, hidden=8)
    team.share_memory()
    ptrs = [{p.data_ptr() for p in net.parameters()} for net in team.learners]
    assert not (ptrs[0] & ptrs[1]) and not (ptrs[1] & ptrs[2])
    assert all(p.is_shared() for p in team.parameters())
    # a loss on learner 0's output only moves learner 0's gradients
    logits, values = team(torch.randn(3, 40))
    (logits[0].sum() + values[0]).backward()
    assert all(p.grad is not None for p in team.learners[0].parameters())
    assert all(p.grad is None or not p.grad.any() for p in team.learners[1].parameters())
    assert any(p.grad.any() for p in team.learners[0].parameters())


def test_shared_adam_state_is_shared_and_attachable():
    net = torch.nn.Linear(3, 2)
    net.share_memory()
    a = SharedAdam(net.parameters(), lr=0.1)
    b = SharedAdam(net.parameters(), lr=0.1, shared_state=a.shared_state())
    net(torch.ones(1, 3)).sum().backward()
    b.step()
    assert int(a.shared_state()[0]["step"]) == 1 and a.shared_state()[0]["exp_avg"].abs().sum() > 0


def test_a3c_is_a_registered_policy_and_config_validates():
    assert "a3c" in policy_names()
    with pytest.raises(ValueError, match="load"):
        A3CConfig(load="extreme")
    with pytest.raises(ValueError, match="a3c: give a checkpoint"):
        make_policy("a3c:")


def test_resume_continues_the_checkpoints_run_with_new_task_streams(tiny_run, tmp_path, capsys):
    from agents.a3c.train import main as a3c_main
    from satgym.tools.cli import main

    src, _ = tiny_run
    out = tmp_path / "run"
    shutil.copytree(src, out)
    before, old = load_checkpoint(out), _rows(out)
    # a flag that differs from the checkpoint's is an error naming it; nothing is trained
    assert main(["train", "--resume", str(out), "--load", "normal", "--timesteps", "20"]) == 2
    assert "--load" in capsys.readouterr().err
    assert main(["train", "--resume", str(out), "--mask-hold", "--timesteps", "20"]) == 2
    assert "--mask-hold" in capsys.readouterr().err
    assert load_checkpoint(out)["global_step"] == before["global_step"]
    # no --load: the checkpoint's heavy load; more steps; 1 worker instead of 2 (a run-control field)
    assert a3c_main(["--resume", str(out), "--timesteps", "60", "--workers", "1", "--start-method", "fork",
                     "--quiet"]) == 0
    ck = load_checkpoint(out)
    assert ck["config"]["load"] == "heavy" and ck["config"]["workers"] == 1
    assert ck["global_step"] >= before["global_step"] + 60
    assert (out / "episodes.csv").read_text().count("worker,") == 1     # appended, one header
    rows = _rows(out)
    new = rows[len(old):]
    assert rows[:len(old)] == old and new
    assert min(r["episode"] for r in new) >= before["next_episode"] > max(r["episode"] for r in old)
    assert min(r["global_step"] for r in new) > before["global_step"]
    assert not {r["env_seed"] for r in new} & {r["env_seed"] for r in old}
    first_new = min(new, key=lambda r: r["episode"])
    first_old = min(old, key=lambda r: r["episode"])
    assert (first_new["env_seed"], first_new["generated"]) != (first_old["env_seed"], first_old["generated"])


def _train_in_thread(cfg, out):
    from agents.a3c.train import train

    result: dict = {}

    def target():
        try:
            result["ok"] = train(cfg, out, verbose=False)
        except Exception as exc:  # noqa: BLE001  (the test inspects it)
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, result


def _kill_worker_after_first_episode(out, thread) -> int:
    """SIGKILL worker 0 once it has reported an episode; returns the steps logged before the kill."""
    import multiprocessing

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and thread.is_alive():
        if (out / "episodes.csv").exists() and len(_rows(out)) >= 1:
            break
        time.sleep(0.05)
    (proc,) = [p for p in multiprocessing.active_children() if p.name == "a3c-worker-0"]
    os.kill(proc.pid, signal.SIGKILL)
    return int(max(r["global_step"] for r in _rows(out)))


def _tiny(**kw) -> A3CConfig:
    return A3CConfig(load="normal", episode_steps=20, n_steps=10, hidden=16, start_method="fork",
                     checkpoint_every_s=1e9, progress_every_s=1e9, **kw)


def test_a_killed_worker_is_restarted_and_learning_goes_on(tmp_path):
    cfg = _tiny(workers=1, total_steps=400, max_worker_restarts=1)
    thread, result = _train_in_thread(cfg, tmp_path)
    at_kill = _kill_worker_after_first_episode(tmp_path, thread)
    thread.join(timeout=300)
    assert "error" not in result, result.get("error")
    assert result["ok"]["restarts"] == 1 and result["ok"]["global_step"] >= 400
    rows = _rows(tmp_path)
    after = [r for r in rows if r["incarnation"] == 1]
    assert after and all(np.isfinite(r["return"]) for r in after)   # the restarted worker reports returns ...
    assert min(r["global_step"] for r in after) > at_kill               # ... of steps taken after the kill
    assert len({r["env_seed"] for r in rows}) == len(rows)              # and runs new episodes, none twice
    ck = load_checkpoint(tmp_path)
    assert int(ck["optim"][0]["step"]) >= ck["global_step"] // cfg.n_steps  # one shared-Adam update per rollout


def test_a_worker_dying_beyond_its_restarts_ends_the_run_with_a_checkpoint(tmp_path):
    cfg = _tiny(workers=1, total_steps=4000, max_worker_restarts=0)
    thread, result = _train_in_thread(cfg, tmp_path)
    _kill_worker_after_first_episode(tmp_path, thread)
    thread.join(timeout=300)
    message = str(result["error"])
    assert isinstance(result["error"], RuntimeError) and "worker 0 died" in message
    assert "max_worker_restarts=0" in message and "final checkpoint" in message
    ck = load_checkpoint(tmp_path)
    assert 0 < ck["global_step"] < 4000 and ck["episodes"] == len(_rows(tmp_path)) >= 1


class _Pipe:
    def __init__(self) -> None:
        self.sent: list = []

    def send(self, msg) -> None:
        self.sent.append(msg)

    def close(self) -> None:
        pass


@pytest.mark.parametrize("asynchrony", ["env", "satellite"])
def test_satellite_asynchrony_updates_only_the_workers_own_learners(asynchrony):
    from agents.a3c.worker import worker_main

    cfg = A3CConfig(load="normal", episode_steps=10, n_steps=5, hidden=8, workers=3, total_steps=10,
                    asynchrony=asynchrony)
    model = _initial_learners(cfg)
    n_sats = model.n_sats
    opt = SharedAdam(model.parameters(), lr=cfg.lr)
    before = [{k: v.clone() for k, v in net.state_dict().items()} for net in model.learners]
    pipe = _Pipe()
    # rank 1 of 3, run in this process: it owns satellites 1, 4, 7 under "satellite"
    worker_main(1, 0, cfg.to_dict(), model, opt.shared_state(), [0, 0, 0], [0, 0, 0],
                {"first_episode": 0, "step0": 0}, pipe, SimpleNamespace(value=0))
    assert pipe.sent[-1] == ("done", 1), pipe.sent[-1]
    moved = [any(not torch.equal(before[k][n], v) for n, v in net.state_dict().items())
             for k, net in enumerate(model.learners)]
    want = [k % 3 == 1 for k in range(n_sats)] if asynchrony == "satellite" else [True] * n_sats
    assert moved == want
    assert pipe.sent[0][1]["episode"] == 1 and pipe.sent[0][1]["env_seed"] == 0 + 100_003 * 2
