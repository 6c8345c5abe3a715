"""Reproduce the adaptive-modelling results (Tables II/III, Fig. 6, predictor error).

    python experiments/nas_tables.py [--reprofile] [--epochs 15] [--seed 0]

1. (``--reprofile``) profile every search-space operator on this host and recalibrate the eight
   processors (``python -m satgym.adaptive.profiler`` + ``python -m satgym.adaptive.calibration``).
2. Train each family's supernet with NAG and with plain GD (same seed, same data / subnet order)
   and plot both loss curves -> docs/img/fig6_nag_vs_gd.png.
3. Search every (processor, family) with the NAG supernets for Lat_cons = [15, 20] ms ->
   satgym/data/adaptive/nas_table.{md,csv} and profiles.yaml.
4. Predictor error on the host: end-to-end torch latency of whole subnets vs the KB sum ->
   satgym/data/adaptive/predictor_error.csv.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from satgym.adaptive import genome  # noqa: E402
from satgym.adaptive.calibration import calibrate, fits_to_yaml, write_calibrated
from satgym.adaptive.evolution import fastest_architecture
from satgym.adaptive.knowledge_base import SHIPPED_DB, KnowledgeBase
from satgym.adaptive.predictor import LatencyPredictor
from satgym.adaptive.profiler import HOST_DEVICE_NAME, measure_network, profile_operators
from satgym.adaptive.search_space import FAMILIES, reference_architecture, search_space, space_operators
from satgym.adaptive.supernet import largest_architecture, load_digits_data
from satgym.adaptive.tables import TrainedFamily, run_nas, to_csv, to_markdown, train_family, \
    write_profiles

ROOT = Path(__file__).resolve().parent.parent
OUT = SHIPPED_DB.parent
FIG = ROOT / "docs" / "img" / "fig6_nag_vs_gd.png"


def plot_fig6(curves: dict[str, dict[str, list[float]]], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(curves), figsize=(5 * len(curves), 3.6))
    for ax, (family, by_opt) in zip(np.atleast_1d(axes), curves.items()):
        for opt, label in (("nag", "Nesterov AGD (beta = 0.01)"), ("gd", "gradient descent (lr = 0.01)")):
            y = np.asarray(by_opt[opt])
            k = 19
            smooth = np.convolve(y, np.ones(k) / k, mode="valid")
            ax.plot(np.arange(len(y)), y, alpha=0.2, lw=0.7)
            ax.plot(np.arange(k - 1, len(y)), smooth, label=label, color=ax.lines[-1].get_color())
        ax.set_title(f"{family} supernet on digits")
        ax.set_xlabel("training step (batch 32)")
        ax.set_ylabel("cross-entropy loss (sampled subnet)")
        ax.legend()
    fig.suptitle("Fig. 6: loss, gradient descent vs Nesterov accelerated gradient")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def predictor_error(seed: int, n_random: int = 3) -> list[dict]:
    """End-to-end host latency of whole networks vs the knowledge-base sum."""
    pred = LatencyPredictor(HOST_DEVICE_NAME, profile_missing=True)
    rows = []
    rng = random.Random(seed)
    for family in FAMILIES:
        tree = genome.compile_space(search_space(family))
        archs = {"reference": reference_architecture(family),
                 "fastest": fastest_architecture(family), "largest": largest_architecture(family)}
        archs.update({f"random{i}": genome.decode(tree, genome.sample(tree, rng))
                      for i in range(n_random)})
        for name, arch in archs.items():
            measured, std, n = measure_network(arch, warmup_s=0.3, run_s=1.5)
            predicted = pred(arch)
            rows.append(dict(family=family, arch=name, predicted_ms=round(predicted, 3),
                             measured_ms=round(measured, 3), measured_std_ms=round(std, 3),
                             rel_error=round((predicted - measured) / measured, 4)))
            print(rows[-1], flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reprofile", action="store_true")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--population", type=int, default=20)
    p.add_argument("--cycles", type=int, default=60)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    t0 = time.time()
    if args.reprofile:
        with KnowledgeBase(SHIPPED_DB) as kb:
            profile_operators(kb, [op for f in FAMILIES for op in space_operators(f)], 0.05, 0.2,
                              progress=True)
            fits = calibrate(kb)
            write_calibrated(kb, fits)
        fits_to_yaml(fits)
    data = load_digits_data(seed=args.seed)
    curves: dict[str, dict[str, list[float]]] = {}
    trained: dict[str, TrainedFamily] = {}
    for family in FAMILIES:
        curves[family] = {}
        for opt in ("nag", "gd"):
            t = time.time()
            tf = train_family(family, data, args.epochs, args.seed, optimizer=opt)
            curves[family][opt] = tf.losses
            print(f"{family} {opt}: final loss {np.mean(tf.losses[-20:]):.3f}, reference digits "
                  f"test acc {tf.reference_test_acc:.4f} ({time.time() - t:.0f} s)", flush=True)
            if opt == "nag":
                trained[family] = tf
    plot_fig6(curves, FIG)
    rows = run_nas(epochs=args.epochs, seed=args.seed, population_size=args.population,
                   cycles=args.cycles, trained=trained, progress=True)
    md = to_markdown(rows)
    print(md)
    (OUT / "nas_table.md").write_text(md)
    (OUT / "nas_table.csv").write_text(to_csv(rows))
    cmd = "python experiments/nas_tables.py " + " ".join(sys.argv[1:])
    write_profiles(rows, (15.0, 20.0), cmd.strip())
    err = predictor_error(args.seed)
    with open(OUT / "predictor_error.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(err[0]))
        w.writeheader()
        w.writerows(err)
    summary = {
        "command": cmd.strip(), "seconds": round(time.time() - t0),
        "loss_final_mean20": {f: {o: float(np.mean(c[-20:])) for o, c in v.items()}
                              for f, v in curves.items()},
        "loss_area": {f: {o: float(np.mean(c)) for o, c in v.items()} for f, v in curves.items()},
        "predictor_mean_abs_rel_error": float(np.mean([abs(r["rel_error"]) for r in err])),
    }
    (OUT / "nas_summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
