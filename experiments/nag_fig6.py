"""A fair Fig. 6: NAG (Eqs. 33-34) against GD, heavy-ball and Nesterov SGD, each with a tuned lr.

    OMP_NUM_THREADS=1 python experiments/nag_fig6.py [--data digits] [--families shufflenetv2]

For each supernet family and each optimizer (``nag`` = satgym's NesterovAGD with the t[k]
momentum sequence capped at 0.9; ``gd`` = plain SGD; ``momentum`` = heavy-ball SGD, momentum 0.9;
``nesterov`` = torch's Nesterov SGD, momentum 0.9):

1. tune: train the supernet (Eq. 31, sandwich rule, batch 32, ``--data`` proxy) for
   ``--steps`` steps at every lr of the grid on a tuning seed (100) and keep the lr with the
   lowest mean training loss (the area under the Fig. 6 curve); every optimizer gets the same
   grid and the same budget;
2. evaluate: train at the tuned lr on seeds 0, 1, 2 (new initialisation, data order and subnet
   sequence) and, for comparison with the paper's setting, GD and NAG at lr = 0.01 on the same
   seeds.

Writes docs/img/fig6_nag_vs_gd.png, docs/img/fig6_optimizers.csv (every run) and
satgym/data/adaptive/fig6_summary.json. Budget: (4 x len(lrs) + 4 x 3 + 2 x 3) runs per family.
Every finished run is appended to ``--cache`` (JSON lines), so an interrupted run resumes where it
stopped (the runs are deterministic given family, optimizer, lr, seed and steps).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from satgym.adaptive.proxy_data import PROXY_DATASETS  # noqa: E402
from satgym.adaptive.search_space import FAMILIES, searchable_reference
from satgym.adaptive.supernet import (OPTIMIZERS, Supernet, evaluate_subnet, load_proxy_data,
                                      train_supernet)

ROOT = Path(__file__).resolve().parent.parent
FIG = ROOT / "docs" / "img" / "fig6_nag_vs_gd.png"
CSV = ROOT / "docs" / "img" / "fig6_optimizers.csv"
SUMMARY = ROOT / "satgym" / "data" / "adaptive" / "fig6_summary.json"
TUNE_SEED, EVAL_SEEDS = 100, (0, 1, 2)
LABEL = {"nag": "NAG (paper, Eqs. 33-34)", "gd": "gradient descent", "momentum": "heavy-ball SGD 0.9",
         "nesterov": "torch Nesterov SGD 0.9"}


_CACHE: dict[tuple, dict] = {}
_CACHE_PATH: Path | None = None


def _key(family: str, optimizer: str, lr: float, seed: int, steps: int, data: str = "shapes"
         ) -> tuple:
    return family, optimizer, float(lr), int(seed), int(steps), data


def load_cache(path: Path) -> None:
    global _CACHE_PATH
    _CACHE_PATH = path
    if path.exists():
        for line in path.read_text().splitlines():
            r = json.loads(line)
            _CACHE[_key(r["family"], r["optimizer"], r["lr"], r["seed"], r["steps"],
                        r.get("data", "shapes"))] = r


def run(family: str, optimizer: str, lr: float, seed: int, steps: int, data) -> dict:
    key = _key(family, optimizer, lr, seed, steps, data.name)
    if key in _CACHE:
        return {"last20_loss": float("nan"), "ref_val_acc": float("nan"), "cpu_s": float("nan"),
                "losses": None, **_CACHE[key]}
    r = _run(family, optimizer, lr, seed, steps, data)
    _CACHE[key] = r
    if _CACHE_PATH is not None:
        _CACHE_PATH.parent.mkdir(parents=True, exist_ok=True)
        with open(_CACHE_PATH, "a") as f:
            f.write(json.dumps(r) + "\n")
    return r


def _run(family: str, optimizer: str, lr: float, seed: int, steps: int, data) -> dict:
    t = time.process_time()
    net = Supernet(family)
    losses = train_supernet(net, data, epochs=10**6, optimizer=optimizer, lr=lr, batch_size=32,
                            seed=seed, max_steps=steps)
    arr = np.asarray(losses)
    finite = bool(np.isfinite(arr).all())
    val = evaluate_subnet(net, searchable_reference(family), data, "val") if finite else float("nan")
    return dict(family=family, optimizer=optimizer, lr=lr, seed=seed, steps=len(losses),
                data=data.name,
                mean_loss=float(arr.mean()) if finite else float("inf"),
                last20_loss=float(arr[-20:].mean()) if finite else float("inf"),
                ref_val_acc=val, cpu_s=round(time.process_time() - t, 1), losses=losses)


def plot(curves: dict, tuned: dict, path: Path, data_name: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(curves), figsize=(5.5 * len(curves), 3.8))
    k = min(15, min(len(r[0]) for by_key in curves.values() for r in by_key.values()))
    for ax, (family, by_key) in zip(np.atleast_1d(axes), curves.items()):
        for (opt, lr, tag), runs in by_key.items():
            y = np.asarray(runs)                      # (seeds, steps)
            sm = np.array([np.convolve(r, np.ones(k) / k, mode="valid") for r in y])
            x = np.arange(k - 1, y.shape[1])
            style = "--" if tag == "paper" else "-"
            line, = ax.plot(x, sm.mean(0), style, label=f"{LABEL[opt]}, lr {lr:g}"
                            + (" (paper's beta)" if tag == "paper" else " (tuned)"))
            ax.fill_between(x, sm.min(0), sm.max(0), color=line.get_color(), alpha=0.15)
        ax.set_title(f"{family} supernet, {data_name} ({len(EVAL_SEEDS)} seeds, band = min-max)",
                     fontsize=9)
        ax.set_xlabel("training step (batch 32, sandwich)")
        ax.set_ylabel("loss of the sampled subnet (moving mean 15)")
        ax.legend(fontsize=7)
    fig.suptitle("Fig. 6 with every optimizer's learning rate tuned on the same budget")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=120)
    p.add_argument("--lrs", default="0.003,0.01,0.03,0.1,0.3")
    p.add_argument("--families", default=",".join(FAMILIES))
    p.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    p.add_argument("--data", choices=PROXY_DATASETS, default="shapes", help="proxy data set")
    p.add_argument("--cache", default=str(ROOT / "runs" / "fig6_cache.jsonl"))
    args = p.parse_args(argv)
    load_cache(Path(args.cache))
    torch.set_num_threads(1)
    lrs = [float(v) for v in args.lrs.split(",")]
    data = load_proxy_data(args.data)
    rows, curves, tuned = [], {}, {}
    t0 = time.process_time()
    for family in args.families.split(","):
        curves[family], tuned[family] = {}, {}
        for opt in args.optimizers.split(","):
            grid = [run(family, opt, lr, TUNE_SEED, args.steps, data) for lr in lrs]
            for r in grid:
                rows.append({**r, "role": "tune"})
                print(f"tune {family} {opt} lr {r['lr']:g}: mean loss {r['mean_loss']:.3f}", flush=True)
            tuned[family][opt] = min(grid, key=lambda r: r["mean_loss"])["lr"]
        settings = [(o, lr, "tuned") for o, lr in tuned[family].items()]
        settings += [(o, 0.01, "paper") for o in ("gd", "nag") if tuned[family].get(o) != 0.01
                     and o in tuned[family]]
        for opt, lr, tag in settings:
            runs = [run(family, opt, lr, s, args.steps, data) for s in EVAL_SEEDS]
            for r in runs:
                rows.append({**r, "role": f"eval-{tag}"})
            curves[family][(opt, lr, tag)] = [r["losses"] for r in runs]
            print(f"eval {family} {opt} lr {lr:g} ({tag}): mean loss "
                  f"{np.mean([r['mean_loss'] for r in runs]):.3f} +- "
                  f"{np.std([r['mean_loss'] for r in runs], ddof=1):.3f}", flush=True)
    plot(curves, tuned, FIG, args.data)
    fields = ["role", "data", "family", "optimizer", "lr", "seed", "steps", "mean_loss", "last20_loss",
              "ref_val_acc", "cpu_s", "source"]
    with open(CSV, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "this run") for k in fields})
    cmd = "python experiments/nag_fig6.py " + " ".join(sys.argv[1:] if argv is None else argv)
    summary: dict = {"data": args.data, "command": cmd,
                     "steps": args.steps, "lr_grid": lrs, "tune_seed": TUNE_SEED,
                     "eval_seeds": list(EVAL_SEEDS), "tuned_lr": tuned,
                     "cpu_minutes": round((time.process_time() - t0) / 60, 1), "results": {}}
    for family, by_key in curves.items():
        res = summary["results"][family] = {}
        for (opt, lr, tag) in by_key:
            ev = [r for r in rows if r["family"] == family and r["optimizer"] == opt
                  and r["lr"] == lr and r["role"] == f"eval-{tag}"]
            res[f"{opt}@{lr:g} ({tag})"] = {
                m: {"mean": float(np.mean([r[m] for r in ev])),
                    "sd": float(np.std([r[m] for r in ev], ddof=1)),
                    "per_seed": [r[m] for r in ev]}
                for m in ("mean_loss", "last20_loss", "ref_val_acc")}
    SUMMARY.write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "results"}, indent=2))
    for family, res in summary["results"].items():
        for key, v in res.items():
            print(f"{family:13s} {key:26s} mean loss {v['mean_loss']['mean']:.3f} +- "
                  f"{v['mean_loss']['sd']:.3f}  last20 {v['last20_loss']['mean']:.3f} +- "
                  f"{v['last20_loss']['sd']:.3f}  ref val acc {v['ref_val_acc']['mean']:.3f} +- "
                  f"{v['ref_val_acc']['sd']:.3f}")


if __name__ == "__main__":
    main()
