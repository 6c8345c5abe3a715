"""The Arctic family through the common commands: ``satgym compare`` tabulates its headline
metrics, ``satgym train`` (SB3 on its centralised view) trains and the trained agent is a policy."""

from __future__ import annotations

import pandas as pd
import pytest

from satgym.tools.cli import main


def test_compare_tabulates_the_family_metrics(tmp_path, capsys):
    out = tmp_path / "cmp"
    rc = main(["compare", "--scenario", "arctic-leo", "--policies", "arctic_greedy,arctic_decline", "--seeds", "0,1",
               "--steps", "2", "--out", str(out), "--no-ray", "--quiet"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "| policy | load | return | ci95_return | admission_rate | ci95_admission_rate |" in text
    episodes = pd.read_csv(out / "episodes.csv")
    assert len(episodes) == 4 and set(episodes["policy"]) == {"arctic_greedy", "arctic_decline"}
    assert (episodes["generated"] == episodes["completed"] + episodes["failed"] + episodes["declined"]
            + episodes["in_flight"]).all()
    dec = episodes[episodes["policy"] == "arctic_decline"]
    assert (dec["admission_rate"] == 0).all() and (dec["declined"] == dec["generated"]).all()
    greedy = episodes[episodes["policy"] == "arctic_greedy"].set_index("seed")
    assert (greedy["generated"] == dec.set_index("seed")["generated"]).all()  # paired task streams
    assert (greedy["admission_rate"] > 0).all()


def test_sb3_trains_on_the_centralised_view_and_evaluates_as_a_policy(tmp_path):
    pytest.importorskip("stable_baselines3")
    from agents.sb3.envs import view_id
    from agents.sb3.train import train_sb3
    from satgym.evaluation import run_episode

    assert view_id("arctic", "central") == "satgym/Arctic-Central-v0"
    with pytest.raises(ValueError, match="no single Gymnasium view"):
        view_id("arctic", "single")
    model = train_sb3("sb3-ppo", tmp_path / "run", 16, scenario="arctic-meo", episode_steps=4, verbose=False)
    assert model.exists()
    row = run_episode(f"sb3:{tmp_path / 'run'}", None, 0, 3, scenario="arctic-meo")
    assert row["generated"] == row["completed"] + row["failed"] + row["declined"] + row["in_flight"]
