"""``satgym compare`` runs the AA-MEC policies; every registered aamec_* policy drives the env."""

from __future__ import annotations

import pandas as pd
import pytest

from satgym.policies import make_policy, policy_names
from satgym.tools.cli import main
from tests.aamec.helpers import short_env

AAMEC_POLICIES = sorted(p for p in policy_names() if p.startswith("aamec_"))


def test_the_papers_policies_and_baselines_are_registered():
    assert set(AAMEC_POLICIES) == {"aamec_dynamic", "aamec_static", "aamec_terrestrial", "aamec_nearest_gateway",
                                   "aamec_cheapest", "aamec_random", "aamec_none"}


@pytest.mark.parametrize("name", AAMEC_POLICIES)
def test_policy_drives_an_episode(name):
    env = short_env(steps=2)
    obs, infos = env.reset(seed=0)
    policy = make_policy(name)
    policy.reset(env, seed=0)
    while env.agents:
        actions = policy.act(env, obs, infos)
        assert set(actions) == set(env.agents) and all(env.action_space(a).contains(int(v)) for a, v in actions.items())
        obs, _, _, _, infos = env.step(actions)
    m = env.episode_metrics()
    assert m["generated"] == m["completed"] + m["failed"]


def test_compare_end_to_end_no_ray(tmp_path, capsys):
    out = tmp_path / "cmp"
    rc = main(["compare", "--scenario", "aamec", "--load", "light,heavy", "--policies",
               "aamec_cheapest,aamec_nearest_gateway", "--seeds", "0", "--steps", "2", "--out", str(out),
               "--no-ray", "--quiet"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "| policy | load | return | mean_flow_latency_s | mean_completion_s" in text and "ci95_flow_latency_s" in text
    episodes = pd.read_csv(out / "episodes.csv")
    steps = pd.read_csv(out / "steps.csv")
    assert len(episodes) == 4 and len(steps) == 8
    assert (episodes["generated"] == episodes["completed"] + episodes["failed"] + episodes["in_flight"]).all()
    assert {"flows_by_location_Punta Arenas", "failed_deadline"} <= set(episodes.columns)
