"""Scheduling baselines under the three loads (docs/results.md, "Scheduling baselines").

Runs ``satgym compare`` on the ``leoedge`` preset (3 seeds, 600 one-second steps: the episode starts
30 s before a contact and spans several passes), then copies the figures to ``docs/img/`` and
prints the table. Usage::

    OMP_NUM_THREADS=1 python experiments/compare_loads.py [--out runs/compare_loads] [--no-ray]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from satgym.cli import main as satgym_main

POLICIES = "leoedge,threshold,threshold_unit,workload,offload,random,local"
ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="runs/compare_loads")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    argv = ["compare", "--scenario", "leoedge", "--load", "light,normal,heavy", "--policies", POLICIES,
            "--seeds", args.seeds, "--steps", str(args.steps), "--out", args.out,
            "--workers", str(args.workers)] + (["--no-ray"] if args.no_ray else [])
    print("satgym " + " ".join(argv))
    rc = satgym_main(argv)
    img = ROOT / "docs" / "img"
    img.mkdir(parents=True, exist_ok=True)
    for name in ("fig7_edge_load.png", "fig8_execution_time.png", "fig9_messages.png"):
        shutil.copy(Path(args.out) / name, img / name)
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
