"""A3C: a tiny asynchronous run updates the shared per-satellite learners, checkpoints, and the
``a3c`` policy acts on the env from the checkpoint."""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pytest
import torch

import satgym
from agents.a3c import A3CConfig, register
from agents.a3c.model import SatelliteLearners
from agents.a3c.shared_adam import SharedAdam
from agents.a3c.train import load_checkpoint, run
from baselines.policies import POLICIES, Policy, make_policy

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("a3c")
    torch.manual_seed(0)
    init = SatelliteLearners(10, 40, 4, 64).state_dict()   # what train() builds for seed 0
    args = argparse.Namespace(algo="a3c", scenario="leoedge", load="normal", iterations=None, episode_steps=20,
                              seed=0, out=str(out), resume=None, num_env_runners=None, address=None, workers=2,
                              timesteps=300)
    assert run(args) == 0
    return out, init


def test_run_updates_shared_parameters_and_writes_outputs(tiny_run):
    out, init = tiny_run
    ck = load_checkpoint(out)
    assert ck["global_step"] >= 300
    changed = [not torch.equal(init[k], v) for k, v in ck["model"].items()]
    assert all(changed)                                  # every learner's every tensor moved
    assert all(int(s["step"]) > 0 for s in ck["optim"])  # shared Adam stepped
    assert (out / "config.json").exists()
    lines = (out / "episodes.csv").read_text().splitlines()
    assert lines[0].startswith("worker,episode,global_step,return,mean_execution_time_s,mean_edge_load,failed")
    assert len(lines) > 1
    assert {ln.split(",")[0] for ln in lines[1:]} == {"0", "1"}  # both workers finished episodes


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


def test_register_is_idempotent_and_config_validates():
    register()
    register()
    assert "a3c" in POLICIES
    with pytest.raises(ValueError, match="load"):
        A3CConfig(load="extreme")
    with pytest.raises(ValueError, match="a3c: give a checkpoint"):
        make_policy("a3c:")
