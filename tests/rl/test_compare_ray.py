"""``satgym compare`` through local Ray tasks (shares the session's loopback Ray)."""

from __future__ import annotations

import pandas as pd

from satgym.tools.compare import run_all, run_one


def test_compare_runs_through_ray(ray_session, tmp_path) -> None:
    specs = [{"scenario": "leoedge", "load": load, "policy": pol, "seed": 0, "steps": 5}
             for load in ("light", "heavy") for pol in ("leoedge", "local")]
    results = run_all(specs, use_ray=True, progress=False)
    assert ray_session.is_initialized()                    # the shared session is left running
    assert [r["episode"]["policy"] for r in results] == [s["policy"] for s in specs]
    # same result as in-process for a deterministic policy
    local = run_one(specs[1])["episode"]
    assert results[1]["episode"]["generated"] == local["generated"]
    assert results[1]["episode"]["completed"] == local["completed"]


def test_compare_cli_through_ray(ray_session, tmp_path) -> None:
    from satgym.tools.cli import main

    assert main(["compare", "--load", "normal", "--policies", "threshold,local", "--steps", "4",
                 "--out", str(tmp_path), "--quiet"]) == 0
    assert len(pd.read_csv(tmp_path / "episodes.csv")) == 2
    assert (tmp_path / "fig9_messages.png").exists()
