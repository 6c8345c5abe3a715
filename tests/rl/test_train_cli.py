"""``satgym train`` flags: a flag the chosen algo would ignore is an error, budgets are not
silently overridden, and a local Ray is sized from the machine (``--num-cpus``)."""

from __future__ import annotations

import argparse

import pytest

from agents.cli import BACKENDS, ONLY_FOR, add_parser, check_flags


def _args(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers(dest="command"))
    args = p.parse_args(["train", *argv])
    args.algo = args.algo or "ppo"
    return args


@pytest.mark.parametrize("argv, flag", [
    (["--algo", "ppo", "--mask-hold"], "--mask-hold"),
    (["--algo", "ppo", "--timesteps", "100"], "--timesteps"),
    (["--algo", "ppo", "--workers", "2"], "--workers"),
    (["--algo", "ppo", "--asynchrony", "satellite"], "--asynchrony"),
    (["--algo", "a3c", "--num-env-runners", "1"], "--num-env-runners"),
    (["--algo", "a3c", "--train-batch", "100"], "--train-batch"),
    (["--algo", "sb3-ppo", "--lr", "0.1"], "--lr"),
    (["--algo", "sb3-ppo", "--num-cpus", "2"], "--num-cpus"),
])
def test_a_flag_the_algo_would_ignore_is_an_error(argv, flag):
    with pytest.raises(ValueError, match=flag):
        check_flags(_args(*argv))


def test_only_for_names_real_flags_and_algos():
    dests = vars(_args())
    assert set(ONLY_FOR) <= set(dests)
    assert {a for algos in ONLY_FOR.values() for a in algos} <= set(BACKENDS)


def test_env_runners_must_fit_the_local_ray():
    check_flags(_args("--num-env-runners", "2", "--num-cpus", "2"))
    with pytest.raises(ValueError, match="--num-env-runners.*--num-cpus"):
        check_flags(_args("--num-env-runners", "3", "--num-cpus", "2"))
    check_flags(_args("--num-env-runners", "3", "--address", "127.0.0.1:6379"))  # a cluster sizes itself
    with pytest.raises(ValueError, match="--num-cpus"):
        check_flags(_args("--num-cpus", "2", "--address", "127.0.0.1:6379"))


def test_a3c_budget_from_iterations_or_timesteps_not_both(capsys):
    from agents.a3c.train import config_from_args, run

    assert config_from_args(_args("--algo", "a3c", "--iterations", "3", "--episode-steps", "50",
                                  "--workers", "4")).total_steps == 3 * 50 * 4
    assert config_from_args(_args("--algo", "a3c", "--timesteps", "700")).total_steps == 700
    assert run(_args("--algo", "a3c", "--timesteps", "700", "--iterations", "3")) == 2
    assert "--timesteps and --iterations" in capsys.readouterr().err
