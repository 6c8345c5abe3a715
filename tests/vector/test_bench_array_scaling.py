"""``experiments/bench_array_scaling.py`` (the script behind the README's array-API scaling
figure): one tiny run writes its CSV (a row per point, positive rates, the ratio their quotient)
and its plot."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_scaling_script_writes_csv_and_plot(tmp_path):
    spec = importlib.util.spec_from_file_location("bench_array_scaling", ROOT / "experiments" / "bench_array_scaling.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "scaling"
    module.main(["--envs", "1,3", "--threads", "1,2", "--seconds", "0.05", "--out", str(out)])
    rows = list(csv.DictReader(open(out.with_suffix(".csv"))))
    assert [(r["threads"], r["n_envs"]) for r in rows] == [("1", "1"), ("1", "3"), ("2", "1"), ("2", "3")]
    for r in rows:
        pz, arr = float(r["pz_env_steps_per_s"]), float(r["array_env_steps_per_s"])
        assert pz > 0 and arr > 0 and abs(float(r["ratio"]) - arr / pz) < 1e-9 * arr / pz
    assert out.with_suffix(".png").stat().st_size > 10_000
