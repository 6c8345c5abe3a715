from __future__ import annotations

import pandas as pd
import pytest

from satgym.tools.cli import main
from satgym.tools.compare import run_one, summary_table, to_markdown


def test_compare_end_to_end_no_ray(tmp_path, capsys) -> None:
    out = tmp_path / "cmp"
    rc = main(["compare", "--scenario", "leoedge", "--load", "light", "--load", "normal,heavy",
               "--policies", "leoedge,leoedge-search,oracle,local", "--seeds", "0,1", "--steps", "6",
               "--out", str(out), "--no-ray", "--quiet"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "| policy | load | mean_execution_time_s | ci95_execution_time_s | mean_edge_load | ci95_edge_load" in text
    for name in ("steps.csv", "episodes.csv", "summary.md", "fig7_edge_load.png",
                 "fig8_execution_time.png", "fig9_messages.png"):
        assert (out / name).stat().st_size > 0, name
    episodes = pd.read_csv(out / "episodes.csv")
    steps = pd.read_csv(out / "steps.csv")
    assert len(episodes) == 4 * 3 * 2
    assert set(episodes["policy"]) == {"leoedge", "leoedge-search", "oracle", "local"}
    assert len(steps) == 24 * 6
    assert (episodes["generated"] == episodes["completed"] + episodes["failed"] + episodes["in_flight"]).all()
    with open(out / "fig7_edge_load.png", "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_parquet_output_and_bad_policy(tmp_path) -> None:
    rc = main(["compare", "--load", "heavy", "--policies", "workload", "--steps", "3",
               "--out", str(tmp_path), "--no-ray", "--quiet", "--format", "parquet"])
    assert rc == 0 and len(pd.read_parquet(tmp_path / "episodes.parquet")) == 1
    with pytest.raises(SystemExit, match="not valid"):
        main(["compare", "--policies", "nope", "--out", str(tmp_path), "--no-ray"])


def test_run_one_messages_add_up_and_table() -> None:
    r = run_one({"scenario": "leoedge", "load": "heavy", "policy": "leoedge", "seed": 0, "steps": 60})
    steps, ep = pd.DataFrame(r["steps"]), r["episode"]
    for pair in ("satellite_lbs", "lbs_server", "server_container"):
        assert steps[f"msg_{pair}"].sum() == ep[f"msg_{pair}"]          # per-step deltas sum to totals
        assert steps[f"sched_msg_{pair}"].sum() <= ep[f"msg_{pair}"]
    table = summary_table(pd.DataFrame([ep, {**ep, "seed": 1}]))
    assert table["runs"].tolist() == [2]
    assert to_markdown(table).count("\n") == 2
