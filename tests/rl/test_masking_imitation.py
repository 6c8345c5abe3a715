"""Action masking, the binary action and the estimate features of the RLlib module; the imitation
warm start; exported and shipped (``marl:pretrained/<name>``) policies; SB3's binary action."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import satgym

EXEC = {"reward": {"execution_time_weight": 1.0, "advantage_weight": 0.0, "failure_penalty": 0.0,
                   "overload_scope": "cluster", "local_ratio": 1.0}}
PRETRAINED = Path(satgym.__file__).parent / "data" / "pretrained"


def _module(env, **model_config):
    from ray.rllib.core.rl_module.rl_module import RLModuleSpec

    from agents.rllib.module import SatPPOModule

    return RLModuleSpec(module_class=SatPPOModule, observation_space=env.observation_space("sat_0"),
                        action_space=env.action_space("sat_0"),
                        model_config={"hiddens": [16], **model_config}).build()


def _observations(scenario: str, steps: int = 8) -> np.ndarray:
    env = satgym.parallel_env(scenario, {"episode": {"steps": steps + 1}}, load="heavy")
    obs, _ = env.reset(seed=5)
    rows = []
    for _ in range(steps):
        rows.append(np.stack(list(obs.values())))
        obs, *_ = env.step({a: np.full(4, 2, np.int64) for a in env.agents})   # hold: slots fill up
    return np.concatenate(rows), env


@pytest.mark.parametrize("binary", [False, True])
def test_masked_choices_are_never_drawn_and_carry_no_log_probability(binary):
    import torch

    from agents.rllib.module import HOLD, LOCAL, OFFLOAD, action_mask

    x, env = _observations("leoedge-miyun")   # one station: most satellites out of reach
    module = _module(env, action_mask=True, binary=binary)
    obs = torch.from_numpy(x)
    logits = module.forward_exploration({"obs": obs})["action_dist_inputs"].reshape(len(x), 4, 3)
    allowed = action_mask(obs, 4, 3, binary)
    dist = torch.distributions.Categorical(logits=logits)
    draws = dist.sample((200,))                                             # (200, N, 4)
    assert allowed.gather(-1, draws.permute(1, 2, 0)).all()
    present = x[:, 22::5] > 0
    assert (~present).any() and present.any()
    assert (draws[:, ~torch.from_numpy(present)] == LOCAL).all()            # empty slot: local only
    one_choice = allowed.sum(-1) == 1
    assert torch.allclose(dist.entropy()[one_choice], torch.zeros(()), atol=1e-6)
    assert torch.allclose(dist.log_prob(torch.full_like(draws[0], LOCAL))[one_choice], torch.zeros(()), atol=1e-6)
    unreachable = x[:, 6] == 0
    assert unreachable.any() and not allowed[torch.from_numpy(unreachable)][..., OFFLOAD].any()
    assert not allowed[..., HOLD].any() if binary else allowed[torch.from_numpy(present)][:, HOLD].all()


def test_masking_defaults_on_for_the_leoedge_family_only():
    from agents.rllib.config import TrainSettings, model_config, settings_dict

    assert model_config(TrainSettings(scenario="leoedge"))["action_mask"] is True
    assert model_config(TrainSettings(scenario="aamec"))["action_mask"] is False   # no decision slots to mask
    assert settings_dict(TrainSettings(scenario="leoedge-miyun", action_mask=False))["action_mask"] is False


def test_estimate_features_are_the_earliest_finish_quantities():
    import torch

    from agents.rllib.module import slot_estimates
    from satgym.leoedge.observation import sat_field, slot_field

    x, _ = _observations("leoedge")
    est = slot_estimates(torch.from_numpy(x).double(), 4).numpy()
    local = sat_field(x, "proc_backlog_s") + slot_field(x, 0, "work_units") * sat_field(x, "exec_s_per_unit")
    rate = sat_field(x, "ground_rate_mbps") * (1 - sat_field(x, "ground_loss"))
    edge = (sat_field(x, "link_backlog_s") + slot_field(x, 0, "input_mbit") / rate + sat_field(x, "path_delay_s")
            + slot_field(x, 0, "work_units") * sat_field(x, "edge_exec_s_per_unit"))
    case_ii = (slot_field(x, 0, "present") > 0) & (slot_field(x, 0, "needs_return") == 0)
    assert case_ii.sum() > 5
    np.testing.assert_allclose(est[case_ii, 0], local[case_ii], rtol=1e-5)
    np.testing.assert_allclose(est[case_ii, 4], edge[case_ii], rtol=1e-5)
    np.testing.assert_allclose(est[:, 8:], est[:, 4:8] - est[:, :4], rtol=1e-6, atol=1e-9)


def test_behaviour_cloning_reproduces_the_teachers_decisions():
    from agents.rllib.imitation import collect, pretrain, reward_scale
    from satgym.policies import make_policy

    cfg = {"load": "normal", "episode_steps": 60, "overrides": EXEC}
    demo = collect("earliest_finish", cfg, seeds=[11, 12, 13], gamma=0.99)
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 60}}, load="normal")
    module = _module(env, action_mask=True, binary=True, estimates=True, hiddens=[64, 64])
    scale = reward_scale(demo)
    stats = pretrain(module, demo, scale=scale, epochs=40, lr=3e-3)
    assert stats["decisions"] > 300 and stats["agreement"] > 0.95
    assert float(module.value_scale) == pytest.approx(stats["return_std"])
    assert stats["return_std"] == pytest.approx(1.0, rel=1e-3)               # returns x scale: unit spread
    # on an episode it has not seen, the clone decides like the teacher
    import torch

    teacher = make_policy("earliest_finish")
    obs, infos = env.reset(seed=99)
    teacher.reset(env, seed=99)
    same = total = 0
    while env.agents:
        x = np.stack(list(obs.values()))
        want = np.stack(list(teacher.act(env, obs, infos).values()))
        got = module.forward_inference({"obs": torch.from_numpy(x)})["action_dist_inputs"].reshape(len(x), 4, 3)
        present = x[:, 22::5] > 0
        same += int((got.argmax(-1).numpy() == want)[present].sum())
        total += int(present.sum())
        obs, _, _, _, infos = env.step(dict(zip(env.agents, want)))
    assert total > 100 and same / total > 0.9


@pytest.mark.ray
@pytest.mark.parametrize("algo_name", ["ppo", "mappo"])
def test_one_iteration_with_masking_binary_estimates_and_warm_start(ray_session, tmp_path, algo_name):
    from agents.rllib.config import TrainSettings
    from agents.rllib.export import export_policy
    from agents.rllib.train import read_meta, train
    from satgym.policies import make_policy

    s = TrainSettings(load="heavy", episode_steps=20, train_batch=200, epochs=1, hiddens=[16], overrides=EXEC,
                      binary=True, estimates=True, bc_teacher="leoedge", bc_episodes=1, bc_epochs=2)
    out = train(algo_name, s, 1, str(tmp_path / "run"), checkpoint_every=0, quiet=True)
    assert out["rows"][0]["env_steps"] >= 200
    warm = tmp_path / "run" / "checkpoints" / "iter_00000"
    meta = read_meta(out["checkpoint"])
    assert warm.is_dir() and meta["imitation"]["teacher"] == "leoedge" and meta["imitation"]["decisions"] > 0
    assert meta["env_config"]["reward_scale"] != 1.0 and meta["settings"]["reward_scale"] == meta["env_config"]["reward_scale"]
    exported = export_policy(out["checkpoint"], str(tmp_path / "exported"), {"training_seed": 0})
    assert sum(f.stat().st_size for f in Path(exported).iterdir()) < 200_000
    a, b = make_policy(f"marl:{out['checkpoint']}"), make_policy(f"marl:{exported}")
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 12}}, load="heavy")
    obs, infos = env.reset(seed=3)
    a.reset(env, seed=3), b.reset(env, seed=3)
    while env.agents:
        act = a.act(env, obs, infos)
        assert all(np.array_equal(v, b.act(env, obs, infos)[k]) for k, v in act.items())
        assert all(int(v.max()) <= 1 for v in act.values())                # binary: never hold
        obs, _, _, _, infos = env.step(act)


SHIPPED = sorted(p.name for p in PRETRAINED.iterdir() if (p / "satgym_marl.json").is_file()) if PRETRAINED.is_dir() else []


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_policies_load_by_name_and_name_their_training_run(name):
    from satgym.policies import make_policy

    meta = json.loads((PRETRAINED / name / "satgym_marl.json").read_text())
    assert {"command", "training_seed"} <= set(meta["info"])
    assert sum(f.stat().st_size for f in (PRETRAINED / name).iterdir()) < 200_000     # small files
    policy = make_policy(f"marl:pretrained/{name}")
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 6}}, load=meta["env_config"]["load"])
    obs, infos = env.reset(seed=0)
    policy.reset(env, seed=0)
    while env.agents:
        obs, _, _, _, infos = env.step(policy.act(env, obs, infos))
    assert env.episode_metrics()["steps"] == 6


def test_pretrained_names_resolve_inside_the_package(tmp_path, monkeypatch):
    from agents.rllib.policy import resolve_path

    monkeypatch.chdir(tmp_path)
    assert resolve_path("pretrained/leoedge-heavy") == str(PRETRAINED / "leoedge-heavy")
    (tmp_path / "pretrained" / "mine").mkdir(parents=True)     # a local directory of that name wins
    assert resolve_path("pretrained/mine") == os.path.abspath("pretrained/mine")


def test_sb3_binary_action_never_holds(tmp_path):
    from agents.sb3.envs import make_supersuit_vec_env, make_view_env
    from agents.sb3.train import train_sb3
    from satgym.policies import make_policy

    assert make_view_env(config={"episode": {"steps": 3}}, binary=True).action_space.nvec.max() == 2
    assert make_supersuit_vec_env(config={"episode": {"steps": 3}}, binary=True).action_space.nvec.max() == 2
    path = train_sb3("sb3-ppo", tmp_path, 64, episode_steps=8, binary=True, verbose=False)
    policy = make_policy(f"sb3:{path.parent}")
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 8}}, load="heavy")
    obs, infos = env.reset(seed=0)
    while env.agents:
        act = policy.act(env, obs, infos)
        assert max(int(v.max()) for v in act.values()) <= 1
        obs, _, _, _, infos = env.step(act)
