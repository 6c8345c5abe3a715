"""``experiments/eval_learned.py`` (the script behind the learned-policy tables): one short run end
to end, and the paired difference to LEOEdge computed on matching seeds."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def eval_learned():
    spec = importlib.util.spec_from_file_location("eval_learned", ROOT / "experiments" / "eval_learned.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_end_to_end_writes_csv_table_and_plot(eval_learned, tmp_path, capsys):
    csv, md, png = tmp_path / "e.csv", tmp_path / "e.md", tmp_path / "e.png"
    missing = tmp_path / "nothing_here"
    assert eval_learned.main(["--loads", "heavy", "--policies", f"leoedge,local,marl:{missing}", "--seeds", "3,4",
                              "--steps", "15", "--csv", str(csv), "--markdown", str(md), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert f"skip marl:{missing}" in out
    df = pd.read_csv(csv)
    assert sorted(df["policy"].unique()) == ["leoedge", "local"] and sorted(df["seed"].unique()) == [3, 4]
    # identical task streams: every policy saw the same arrivals on a seed
    assert df.groupby("seed")["generated"].nunique().eq(1).all()
    table = md.read_text()
    assert "| heavy | leoedge |" in table and "| heavy | local |" in table
    assert png.stat().st_size > 10_000


def test_paired_difference_uses_matching_seeds(eval_learned):
    rows = [{"load": "normal", "policy": p, "seed": s, "mean_execution_time_s": t, "mean_edge_load": 0.0,
             "failed": 0, "completed": 10, "return": 0.0, "completed_edge": 0, "wait_decision_s": 0.5}
            for p, s, t in [("leoedge", 1, 1.0), ("leoedge", 2, 2.0), ("x", 1, 1.1), ("x", 2, 1.9), ("x", 3, 9.0)]]
    s = eval_learned.summarize(pd.DataFrame(rows)).set_index("policy")
    assert s.loc["x", "d_exec_vs_leoedge_ms"] == pytest.approx(0.0)  # seed 3 has no LEOEdge pair
    assert s.loc["x", "faster_than_leoedge"] == 1
    assert s.loc["x", "mean_execution_time_s"] == pytest.approx(4.0)
