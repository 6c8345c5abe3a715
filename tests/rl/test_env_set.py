"""``satgym train --env-set KEY=VALUE``: parsing, early rejection of unknown keys (before any
backend is imported or trained), the overrides reaching every algo's config, and A3C's
``--mask-hold`` (local/offload only)."""

from __future__ import annotations

import argparse
import importlib
import json
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pytest

from agents.overrides import non_reward, parse_env_set, validate, warn_if_env_differs


def test_parse_dotted_keys_yaml_values_and_merge():
    got = parse_env_set(["reward.latency_weight=1", "reward.advantage_weight=0.5", "episode.steps=50",
                         "reward.latency_weight=2.5", "tasks.name=abc", "links.flag=true"])
    assert got == {"reward": {"latency_weight": 2.5, "advantage_weight": 0.5}, "episode": {"steps": 50},
                   "tasks": {"name": "abc"}, "links": {"flag": True}}
    assert parse_env_set([], {"a": {"b": 1}}) == {"a": {"b": 1}}


@pytest.mark.parametrize("item", ["reward.latency_weight", "=1", "reward..x=1", "reward.latency_weight="])
def test_malformed_items_name_the_item(item):
    with pytest.raises(ValueError, match="--env-set"):
        parse_env_set([item])


def test_value_then_section_conflict():
    with pytest.raises(ValueError, match="'reward' is a section"):
        parse_env_set(["reward.latency_weight=1", "reward=3"])


def test_validate_names_unknown_keys():
    validate({"reward": {"latency_weight": 1.0, "advantage_weight": 0.0}})
    with pytest.raises(ValueError, match="latency_wieght"):
        validate({"reward": {"latency_wieght": 1}})
    with pytest.raises(ValueError, match="bogus"):
        validate({"bogus": {"x": 1}})


def _no_backend(monkeypatch):
    """Fail the test if the CLI imports a training backend."""
    import agents.cli

    real = importlib.import_module

    def guard(name, *args, **kwargs):
        if name in set(agents.cli.BACKENDS.values()):
            raise AssertionError(f"backend {name} imported although --env-set was invalid")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(agents.cli.importlib, "import_module", guard)


@pytest.mark.parametrize("algo", ["ppo", "mappo", "a3c", "sb3-ppo"])
def test_cli_rejects_unknown_key_before_training(algo, monkeypatch, capsys, tmp_path):
    from satgym.tools.cli import main

    _no_backend(monkeypatch)
    rc = main(["train", "--algo", algo, "--out", str(tmp_path), "--env-set", "reward.latency_wieght=1"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "latency_wieght" in err and "--env-set" in err
    assert not any(tmp_path.iterdir())


def test_cli_malformed_item_is_an_argparse_error(capsys):
    from satgym.tools.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["train", "--env-set", "reward.latency_weight"])
    assert exc.value.code == 2
    assert "reward.latency_weight" in capsys.readouterr().err


def test_cli_rejects_resume_of_a_non_checkpoint(monkeypatch, capsys, tmp_path):
    from satgym.tools.cli import main

    _no_backend(monkeypatch)
    assert main(["train", "--resume", str(tmp_path), "--env-set", "reward.latency_weight=1"]) == 2
    assert "--resume" in capsys.readouterr().err  # (--env-set against a real checkpoint: test_rllib_train.py)


def _dispatch(monkeypatch, algo: str, *env_set: str) -> argparse.Namespace:
    """Run ``satgym train`` with the backend replaced by a recorder; return the namespace it got."""
    import agents.cli
    from satgym.tools.cli import main

    seen = {}

    class Fake:
        @staticmethod
        def run(args):
            seen["args"] = args
            return 0

    real = importlib.import_module
    backends = set(agents.cli.BACKENDS.values())
    monkeypatch.setattr(agents.cli.importlib, "import_module",
                        lambda name, *a, **k: Fake if name in backends else real(name, *a, **k))
    argv = ["train", "--algo", algo]
    for item in env_set:
        argv += ["--env-set", item]
    assert main(argv) == 0
    return seen["args"]


def test_overrides_reach_every_backend_config(monkeypatch):
    want = {"reward": {"latency_weight": 1, "advantage_weight": 0}}
    items = ("reward.latency_weight=1", "reward.advantage_weight=0")
    # RLlib: TrainSettings.overrides -> env_config["overrides"] (saved in satgym_marl.json)
    from agents.rllib.config import env_config
    from agents.rllib.env import make_parallel_env
    from agents.rllib.train import settings_from_args

    for algo in ("ppo", "mappo", "ippo"):
        args = _dispatch(monkeypatch, algo, *items)
        s = settings_from_args(args)
        assert s.overrides == want
        cfg = env_config(algo, s)
        assert cfg["overrides"] == want
        env = make_parallel_env(cfg)
        assert env.config.reward.latency_weight == 1 and env.config.reward.advantage_weight == 0
    # A3C: A3CConfig.overrides (saved in config.json and checkpoint.pt)
    from agents.a3c.train import config_from_args

    args = _dispatch(monkeypatch, "a3c", *items)
    assert config_from_args(args).overrides == want
    assert config_from_args(args).env_overrides()["reward"] == want["reward"]
    # SB3: train_sb3(overrides=...)
    import agents.sb3.train as sb3_train

    got = {}
    monkeypatch.setattr(sb3_train, "train_sb3", lambda *a, **k: got.update(k))
    args = _dispatch(monkeypatch, "sb3-ppo", *items)
    assert sb3_train.run(args) == 0
    assert got["overrides"] == want
    # no --env-set: empty overrides everywhere
    assert _dispatch(monkeypatch, "ppo").overrides == {}


def test_policies_warn_only_for_non_reward_overrides():
    import satgym

    env = satgym.parallel_env("leoedge", {"episode": {"steps": 3}}, load="light")
    assert non_reward({"reward": {"latency_weight": 1}, "episode": {"steps": 9}}) == {"episode": {"steps": 9}}
    assert not warn_if_env_differs("x", {"reward": {"latency_weight": 1}, "episode": {"steps": 9}}, env)
    with pytest.warns(UserWarning, match="different env"):
        assert warn_if_env_differs("x", {"reward": {}, "ground": {"load_cap": 0.123}}, env)


def test_mask_hold_never_holds():
    import torch

    from agents.a3c.model import SatelliteLearners, mask_hold

    torch.manual_seed(0)
    team = SatelliteLearners(n_sats=3, obs_dim=40, K=4, hidden=8)
    with torch.no_grad():
        for net in team.learners:
            net.pi.bias.copy_(torch.tensor([0.0, 0.0, 5.0] * 4))  # hold strongly preferred
    obs = np.random.default_rng(0).normal(size=(3, 40)).astype(np.float32)
    assert (team.greedy(obs) == 2).all()
    assert not (team.greedy(obs, no_hold=True) == 2).any()
    dist = torch.distributions.Categorical(logits=mask_hold(torch.randn(50, 3)))
    assert not (dist.sample() == 2).any() and torch.isfinite(dist.entropy()).all()


def test_a3c_cli_mask_hold_and_env_set_are_saved_and_used(tmp_path):
    import satgym
    from agents.a3c.train import load_checkpoint
    from satgym.policies import make_policy
    from satgym.tools.cli import main

    out = tmp_path / "a3c"
    assert main(["train", "--algo", "a3c", "--episode-steps", "10", "--timesteps", "40", "--workers", "1",
                 "--mask-hold", "--env-set", "reward.latency_weight=1", "--env-set", "reward.advantage_weight=0",
                 "--out", str(out), "--quiet"]) == 0
    ck = load_checkpoint(out)
    assert ck["config"]["mask_hold"] is True
    assert ck["config"]["overrides"] == {"reward": {"latency_weight": 1, "advantage_weight": 0}}
    assert json.loads((out / "config.json").read_text())["overrides"]["reward"]["latency_weight"] == 1
    policy = make_policy(f"a3c:{out}")
    assert policy.no_hold
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 5}}, load="heavy")
    obs, infos = env.reset(seed=1)
    policy.reset(env, seed=1)
    while env.agents:
        actions = policy.act(env, obs, infos)
        assert not any((a == 2).any() for a in actions.values())
        obs, _, _, _, infos = env.step(actions)
