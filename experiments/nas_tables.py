"""Reproduce the adaptive-modelling results (Tables II/III with identification and error bars).

    OMP_NUM_THREADS=1 python experiments/nas_tables.py [--reprofile] [--steps 1000] [--seeds 0,1,2]

1. (``--reprofile``) profile every search-space operator on this host and recalibrate the eight
   processors (``python -m satgym.adaptive.profiler`` + ``python -m satgym.adaptive.calibration``).
2. Train each family's supernet with NAG (beta = 0.01) on the ``shapes`` proxy for every seed.
3. Search every (processor, family) on the first seed's supernet for Lat_cons = [15, 20] ms ->
   satgym/data/adaptive/nas_table.{md,csv} and profiles.yaml (what the env uses); accuracy
   mapped with a t CI over the seeds.
4. The same searches (a) robust: the latency range over every admissible calibration inside
   [15, 20] ms and inside [0, 20] ms; (b) with a structure size interval (params <= 2 M,
   MACs <= 120 M) -> nas_table_robust.md, nas_table_size.md.
5. Identification: for the found architectures, the latency range over the admissible
   calibrations for R = 10 (default), 30 and unbounded, the range over sampled prior-varied
   ridge fits, and the smallest R that fits each processor -> identification.csv.
6. Host latency: end-to-end torch latency of the found and of random networks vs the knowledge-
   base sum -> predictor_error.csv; two found models exported to runs/nas_export/.

Fig. 6 is experiments/nag_fig6.py.
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
from satgym.adaptive.calibration import (calibrate, fits_to_yaml, host_features, load_processors,
                                         write_calibrated)
from satgym.adaptive.evolution import SizeBounds, fastest_architecture
from satgym.adaptive.export import host_latencies
from satgym.adaptive.identification import Admissible, LatencyIdentification, sample_calibrations
from satgym.adaptive.knowledge_base import SHIPPED_DB, KnowledgeBase
from satgym.adaptive.profiler import profile_operators
from satgym.adaptive.proxy_data import load_proxy_data
from satgym.adaptive.search_space import (FAMILIES, FULL, reference_architecture, search_space,
                                          space_operators)
from satgym.adaptive.supernet import largest_architecture
from satgym.adaptive.tables import (export_found, run_nas, to_csv, to_markdown, train_family,
                                    write_profiles)

ROOT = Path(__file__).resolve().parent.parent
OUT = SHIPPED_DB.parent
BUDGET = (15.0, 20.0)


def min_class_ratio(processor: str, host: dict, ref: dict) -> float:
    """Smallest R for which some calibration fits both numbers (bisection on feasibility)."""
    arch = reference_architecture("mobilenetv3")
    lo, hi = 1.0, 1000.0
    for _ in range(30):
        mid = (lo * hi) ** 0.5
        try:
            LatencyIdentification(processor, admissible=Admissible(max_class_ratio=mid), host=host,
                                  ref_features=ref).range(arch)
            hi = mid
        except RuntimeError:
            lo = mid
    return hi


def identification(rows, host: dict, ref: dict, n_samples: int = 200) -> list[dict]:
    out = []
    rng = np.random.default_rng(0)
    for r in rows:
        arch = r.arch or reference_architecture(r.model)
        d = dict(processor=r.processor, model=r.model, feasible=r.feasible,
                 predicted_ms=round(r.latency_with_ms, 3))
        for tag, ratio in (("R10", 10.0), ("R30", 30.0), ("Rinf", None)):
            ident = LatencyIdentification(r.processor, admissible=Admissible(max_class_ratio=ratio),
                                          host=host, ref_features=ref)
            lo, hi = ident.range(arch)
            d[f"{tag}_min_ms"], d[f"{tag}_max_ms"] = round(lo, 3), round(hi, 3)
        ident = LatencyIdentification(r.processor, host=host, ref_features=ref)
        thetas = sample_calibrations(r.processor, n_samples, rng, host=host, ref_features=ref)
        lats = [ident.features(arch) @ t for t in thetas]
        d.update(sampled_fits=len(thetas), sampled_min_ms=round(min(lats), 3),
                 sampled_max_ms=round(max(lats), 3),
                 sampled_share_in_budget=round(float(np.mean([BUDGET[0] <= v <= BUDGET[1]
                                                              for v in lats])), 3),
                 min_class_ratio=round(min_class_ratio(r.processor, host, ref), 2))
        out.append(d)
        print(d, flush=True)
    return out


def predictor_error(rows, seed: int, n_random: int = 3) -> list[dict]:
    """End-to-end host latency (224x224, BN folded) vs the knowledge-base sum."""
    out = []
    rng = random.Random(seed)
    nets = []
    for family in FAMILIES:
        tree = genome.compile_space(search_space(family))
        nets += [(family, "reference", reference_architecture(family)),
                 (family, "fastest", fastest_architecture(family)),
                 (family, "largest", largest_architecture(family))]
        nets += [(family, f"random{i}", genome.decode(tree, genome.sample(tree, rng)))
                 for i in range(n_random)]
    nets += [(r.model, f"found {r.processor}", r.arch) for r in rows if r.feasible]
    seen: dict[str, dict] = {}
    for family, name, arch in nets:
        key = repr(arch)
        if key not in seen:
            seen[key] = host_latencies(arch, FULL)
        h = seen[key]
        out.append(dict(family=family, arch=name, predicted_ms=h["predicted_ms"],
                        measured_ms=h["measured_ms"], measured_std_ms=h["measured_std_ms"],
                        rel_error=round((h["predicted_ms"] - h["measured_ms"]) / h["measured_ms"], 4)))
        print(out[-1], flush=True)
    return out


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reprofile", action="store_true")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--population", type=int, default=20)
    p.add_argument("--cycles", type=int, default=60)
    p.add_argument("--export-dir", default=str(ROOT / "runs" / "nas_export"))
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    seeds = tuple(int(s) for s in args.seeds.split(","))
    t0, c0 = time.time(), time.process_time()
    if args.reprofile:
        with KnowledgeBase(SHIPPED_DB) as kb:
            profile_operators(kb, [op for f in FAMILIES for op in space_operators(f)], 0.05, 0.2,
                              progress=True)
            fits = calibrate(kb)
            write_calibrated(kb, fits)
        fits_to_yaml(fits)
    data = load_proxy_data("shapes")
    trained = {}
    for family in FAMILIES:
        trained[family] = []
        for s in seeds:
            t = time.process_time()
            tf = train_family(family, data, args.steps, s)
            trained[family].append(tf)
            print(f"{family} seed {s}: last-20 loss {np.mean(tf.losses[-20:]):.3f}, searchable "
                  f"reference test acc {tf.reference_test_acc:.4f} "
                  f"({time.process_time() - t:.0f} s CPU)", flush=True)
    kw = dict(steps=args.steps, seeds=seeds, population_size=args.population, cycles=args.cycles,
              data=data, trained=trained, progress=True)
    rows, _ = run_nas(budget_ms=BUDGET, **kw)
    md = to_markdown(rows)
    print(md)
    (OUT / "nas_table.md").write_text(md)
    (OUT / "nas_table.csv").write_text(to_csv(rows))
    cmd = "python experiments/nas_tables.py " + " ".join(sys.argv[1:] if argv is None else argv)
    write_profiles(rows, BUDGET, cmd.strip(), extra={
        "proxy_data": "shapes (satgym.adaptive.proxy_data)", "supernet_steps": args.steps,
        "training_seeds": list(seeds), "search_seed": seeds[0]})
    variants = {}
    for name, budget, size, robust in (("robust_15_20", BUDGET, None, True),
                                       ("robust_0_20", (0.0, 20.0), None, True),
                                       ("size_2M_120MMAC", BUDGET, SizeBounds((0, 2.0), (0, 120.0)),
                                        False)):
        vr, _ = run_nas(budget_ms=budget, size_bounds=size, robust=robust, **kw)
        variants[name] = vr
        vmd = to_markdown(vr)
        print(name, "\n", vmd)
        (OUT / f"nas_table_{name}.md").write_text(vmd)
    host, ref = host_features()
    ident = identification(rows, host, ref)
    write_csv(ident, OUT / "identification.csv")
    err = predictor_error(rows, seeds[0])
    write_csv(err, OUT / "predictor_error.csv")
    exported = {}
    for r in rows:
        if r.feasible and r.processor == "Snapdragon 835":
            d = Path(args.export_dir) / f"{r.processor.replace(' ', '_')}_{r.model}"
            export_found(r, trained[r.model][0], data, d)
            exported[r.model] = str(d)
    summary = {
        "command": cmd.strip(), "wall_s": round(time.time() - t0),
        "cpu_minutes": round((time.process_time() - c0) / 60, 1),
        "reference_test_acc": {f: [tf.reference_test_acc for tf in v] for f, v in trained.items()},
        "feasible": sum(r.feasible for r in rows), "feasible_over_range":
            sum(r.feasible_over_range for r in rows),
        "variants_feasible": {k: sum(r.feasible for r in v) for k, v in variants.items()},
        "predictor_mean_abs_rel_error": float(np.mean([abs(e["rel_error"]) for e in err])),
        "exported": exported, "processors": list(load_processors()),
    }
    (OUT / "nas_summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
