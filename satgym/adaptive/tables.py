"""Tables II/III: adaptive modelling for every processor and model family.

:func:`run_nas` trains one supernet per family and training seed (Eq. 31, NAG), runs the
latency- (and optionally size-) constrained evolution (Eq. 32) for every (processor, family) on
the first seed's supernet (validation split), and scores the found architecture and the
searchable reference (:func:`~satgym.adaptive.search_space.searchable_reference`) on the test
split of every seed's supernet. What each number of a :class:`NasRow` is determined by:

* ``latency_without_ms`` - *fitted*: the calibration reproduces the paper's "w/o" value;
* ``latency_with_ms`` - *predicted* under the shipped calibration (Lat_pre of the found network),
  ``latency_with_range_ms`` its range over every admissible calibration
  (:mod:`~satgym.adaptive.identification`), ``feasible_over_range`` whether that whole range
  meets the budget;
* ``params_m`` / ``macs_m`` - *computed* from the architecture (224x224, BatchNorm folded);
  *constrained* when size bounds are given;
* ``accuracy`` - *mapped*: :func:`map_accuracy`, the paper's original accuracy times the mean
  over seeds of the proxy test-accuracy ratio found / reference, with a t confidence interval
  over seeds (``accuracy_ci``); the per-seed proxy accuracies are *measured*.

If the budget is infeasible, the row keeps the original model (its latency and accuracy) and is
flagged ``feasible: false``.

Example:
    >>> rows, _ = run_nas(["Snapdragon 835"], ["shufflenetv2"], steps=2, cycles=4,
    ...                   population_size=4)      # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import yaml
from scipy import stats

from satgym.adaptive.calibration import load_processors
from satgym.adaptive.evolution import SizeBounds, evolve
from satgym.adaptive.identification import Admissible, LatencyIdentification
from satgym.adaptive.knowledge_base import SHIPPED_DB, KnowledgeBase
from satgym.adaptive.predictor import LatencyPredictor
from satgym.adaptive.proxy_data import ProxyData, load_proxy_data
from satgym.adaptive.search_space import (FAMILIES, model_size, reference_architecture,
                                          searchable_reference)
from satgym.adaptive.supernet import Supernet, evaluate_subnet, train_supernet

PROFILES_YAML = SHIPPED_DB.parent / "profiles.yaml"


@dataclass(frozen=True)
class AccuracyEstimate:
    """Mapped accuracy: mean and two-sided t confidence interval over training seeds."""

    mean: float
    lo: float
    hi: float
    ratios: tuple[float, ...]   # proxy accuracy found / reference, per seed


def map_accuracy(acc_original: float, found: Sequence[float], reference: Sequence[float],
                 level: float = 0.95) -> AccuracyEstimate:
    """acc_env = acc_original x mean_s(found_s / reference_s), CI from Student's t over seeds.

    With a single seed the interval is (nan, nan): one seed says nothing about its spread.
    """
    if len(found) != len(reference) or not found:
        raise ValueError(f"found and reference need one accuracy per seed, got {len(found)} and "
                         f"{len(reference)}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    r = np.asarray(found, float) / np.asarray(reference, float)
    mean = float(r.mean())
    if len(r) < 2:
        return AccuracyEstimate(acc_original * mean, math.nan, math.nan, tuple(r.tolist()))
    half = float(stats.t.ppf((1 + level) / 2, len(r) - 1) * r.std(ddof=1) / math.sqrt(len(r)))
    return AccuracyEstimate(acc_original * mean, acc_original * (mean - half),
                            acc_original * (mean + half), tuple(r.tolist()))


@dataclass
class NasRow:
    processor: str
    unit: str
    model: str
    feasible: bool
    robust: bool                    # searched with the latency range over admissible calibrations
    latency_without_ms: float       # fitted: Lat_pre of the reference network = the paper's value
    latency_without_paper_ms: float
    latency_with_ms: float          # predicted under the shipped calibration
    latency_with_range_ms: tuple[float, float]   # over every admissible calibration
    feasible_over_range: bool       # the whole range inside the budget
    latency_with_paper_ms: float
    params_m: float
    macs_m: float
    accuracy: float                 # mapped (map_accuracy), mean over seeds
    accuracy_ci: tuple[float, float]
    accuracy_paper: float           # Table II/III "ACC" column
    accuracy_original: float        # paper's original-model accuracy
    proxy_acc_found: list[float]    # measured, test split, per training seed
    proxy_acc_reference: list[float]
    proxy_val_acc_found: float      # the search objective (validation split, first seed)
    arch: dict | None
    message: str
    budget_ms: tuple[float, float] = (15.0, 20.0)


@dataclass
class TrainedFamily:
    supernet: Supernet
    losses: list[float]
    seed: int
    reference_test_acc: float
    test_acc: dict[str, float] = field(default_factory=dict)   # repr(arch) -> test accuracy

    def test_accuracy(self, arch: dict, data: ProxyData) -> float:
        key = repr(arch)
        if key not in self.test_acc:
            self.test_acc[key] = evaluate_subnet(self.supernet, arch, data, "test")
        return self.test_acc[key]


def train_family(family: str, data: ProxyData, steps: int = 1000, seed: int = 0,
                 optimizer: str = "nag", lr: float = 0.01) -> TrainedFamily:
    """Train the family's supernet (Eq. 31) for ``steps`` steps of batch 32 and score the
    searchable reference subnet on the test split."""
    net = Supernet(family)
    losses = train_supernet(net, data, epochs=10**6, optimizer=optimizer, lr=lr, seed=seed,
                            batch_size=32, max_steps=steps) if steps > 0 else []
    tf = TrainedFamily(net, losses, seed, 0.0)
    tf.reference_test_acc = tf.test_accuracy(searchable_reference(family), data)
    return tf


def run_nas(processors: Iterable[str] | None = None, families: Iterable[str] = FAMILIES,
            budget_ms: tuple[float, float] = (15.0, 20.0), steps: int = 1000,
            seeds: Sequence[int] = (0,), population_size: int = 20, cycles: int = 60,
            db: str | Path = SHIPPED_DB, data: ProxyData | None = None,
            size_bounds: SizeBounds | None = None, robust: bool = False,
            admissible: Admissible = Admissible(), progress: bool = False,
            trained: dict[str, list[TrainedFamily]] | None = None
            ) -> tuple[list[NasRow], dict[str, list[TrainedFamily]]]:
    """Search every (processor, family); one supernet per family and seed, shared by all
    processors. Returns the rows and the trained supernets (for export)."""
    torch.set_num_threads(1)
    specs = load_processors()
    processors = list(processors or specs)
    unknown = [p for p in processors if p not in specs]
    if unknown:
        raise ValueError(f"unknown processors {unknown}; valid: {list(specs)}")
    if not seeds:
        raise ValueError("seeds must name at least one training seed")
    data = data or load_proxy_data("shapes")
    kb = KnowledgeBase(db)
    trained = dict(trained or {})
    jobs = [(f, p) for f in families for p in processors]
    it = jobs
    if progress:
        from tqdm import tqdm
        it = tqdm(jobs, desc="adaptive modelling")
    rows: list[NasRow] = []
    val_cache: dict[str, dict[str, float]] = {f: {} for f in families}
    for family, proc in it:
        if family not in trained:
            trained[family] = [train_family(family, data, steps, s) for s in seeds]
        tfs, cache = trained[family], val_cache[family]
        search_net = tfs[0].supernet

        def accuracy(arch: dict, net: Supernet = search_net, cache: dict = cache) -> float:
            key = repr(arch)
            if key not in cache:
                cache[key] = evaluate_subnet(net, arch, data, "val")
            return cache[key]

        pred = LatencyPredictor(proc, kb)
        ident = LatencyIdentification(proc, kb, admissible)
        res = evolve(family, pred, accuracy, budget_ms, population_size, cycles=cycles,
                     seed=seeds[0], processor=proc, size_bounds=size_bounds,
                     latency_range=ident.range if robust else None)
        spec = specs[proc]
        acc_orig = spec["accuracy"][family]["without"]
        lat_ref = pred(reference_architecture(family))
        ref = searchable_reference(family)
        ref_accs = [tf.test_accuracy(ref, data) for tf in tfs]
        if res.feasible:
            arch = res.arch
            found = [tf.test_accuracy(arch, data) for tf in tfs]
            est = map_accuracy(acc_orig, found, ref_accs)
            lat_with, val_acc = res.latency_ms, res.accuracy
        else:
            arch = reference_architecture(family)
            found = ref_accs
            est = AccuracyEstimate(acc_orig, acc_orig, acc_orig, (1.0,) * len(tfs))
            lat_with, val_acc = lat_ref, float("nan")
        lat_range = ident.range(arch)
        size = model_size(arch)
        rows.append(NasRow(
            proc, spec["unit"], family, res.feasible, robust, lat_ref,
            spec["latency_ms"][family]["without"], lat_with, lat_range,
            res.feasible and budget_ms[0] <= lat_range[0] and lat_range[1] <= budget_ms[1],
            spec["latency_ms"][family]["with"], size.params_m, size.macs_m, est.mean,
            (est.lo, est.hi), spec["accuracy"][family]["with"], acc_orig, found, ref_accs,
            val_acc, res.arch, res.message, tuple(budget_ms)))
    return rows, trained


def _pct(v: float) -> str:
    return "n/a" if math.isnan(v) else f"{100 * v:.1f}"


def to_markdown(rows: list[NasRow]) -> str:
    """The table with every column labelled by what determines it."""
    head = ("| Processor | Unit | Model | Lat w/o (ms) fitted / paper | Lat w (ms) predicted | "
            "range over admissible calibrations | paper w | range inside budget | params (M) / "
            "MACs (M) | proxy acc found / ref (%) | ACC env (%) mapped [95 % CI] | ACC paper (%) |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    body = ""
    for r in rows:
        n = len(r.proxy_acc_found)
        found = f"{100 * np.mean(r.proxy_acc_found):.1f} / {100 * np.mean(r.proxy_acc_reference):.1f}"
        ci = (f"[{_pct(r.accuracy_ci[0])}, {_pct(r.accuracy_ci[1])}]" if r.feasible
              else "(original)")
        body += (f"| {r.processor} | {r.unit} | {r.model} | {r.latency_without_ms:.1f} / "
                 f"{r.latency_without_paper_ms:.1f} | "
                 f"{r.latency_with_ms:.1f}{'' if r.feasible else ' (infeasible)'} | "
                 f"{r.latency_with_range_ms[0]:.1f}-{r.latency_with_range_ms[1]:.1f} | "
                 f"{r.latency_with_paper_ms:.1f} | {'yes' if r.feasible_over_range else 'no'} | "
                 f"{r.params_m:.2f} / {r.macs_m:.0f} | {found} (n={n}) | {_pct(r.accuracy)} {ci} | "
                 f"{100 * r.accuracy_paper:.2f} |\n")
    return head + body


def to_csv(rows: list[NasRow]) -> str:
    buf = io.StringIO()
    fields = ([k for k in asdict(rows[0]) if k != "arch"] + ["arch"]) if rows else []
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    for r in rows:
        d = asdict(r)
        w.writerow({k: repr(v) if isinstance(v, (dict, list, tuple)) else v for k, v in d.items()})
    return buf.getvalue()


def write_table(rows: list[NasRow], path: str | Path) -> None:
    """``.csv`` -> CSV, anything else -> Markdown."""
    path = Path(path)
    path.write_text(to_csv(rows) if path.suffix == ".csv" else to_markdown(rows))


def _r(v: float, nd: int) -> float | None:
    return None if math.isnan(v) else round(float(v), nd)


def write_profiles(rows: list[NasRow], budget_ms: tuple[float, float], command: str,
                   path: str | Path = PROFILES_YAML, extra: dict | None = None) -> None:
    """Write the generated models' (latency, accuracy) per processor for ``adaptive_profile``."""
    out: dict = {"budget_ms": list(budget_ms), "command": command, **(extra or {}),
                 "processors": {}}
    for r in rows:
        out["processors"].setdefault(r.processor, {})[r.model] = {
            "latency_ms": round(float(r.latency_with_ms), 3),
            "accuracy": round(float(r.accuracy), 4),
            "feasible": bool(r.feasible),
            "latency_range_ms": [round(float(v), 3) for v in r.latency_with_range_ms],
            "feasible_over_range": bool(r.feasible_over_range),
            "accuracy_ci95": [_r(v, 4) for v in r.accuracy_ci],
            "params_m": round(float(r.params_m), 4), "macs_m": round(float(r.macs_m), 2),
            "proxy_accuracy": [round(float(v), 4) for v in r.proxy_acc_found],
            "proxy_accuracy_reference": [round(float(v), 4) for v in r.proxy_acc_reference],
            "arch": r.arch}
    with open(path, "w") as f:
        f.write(
            "# Generated by experiments/nas_tables.py (or `satgym nas --all --write-profiles`); do not\n"
            "# edit by hand. What determines each number:\n"
            "#   latency_ms          predicted: Lat_pre of the found network under the shipped calibration\n"
            "#   latency_range_ms    its range over every calibration that fits the paper's two numbers\n"
            "#                       (satgym.adaptive.identification); feasible_over_range: inside budget\n"
            "#   accuracy            mapped: original accuracy x mean over seeds of proxy_accuracy /\n"
            "#                       proxy_accuracy_reference (measured, shapes test split), 95 % t CI\n"
            "#   params_m, macs_m    computed from arch at 224x224 (BatchNorm folded)\n")
        yaml.safe_dump(out, f, sort_keys=False, width=120)


def export_found(row: NasRow, tf: TrainedFamily, data: ProxyData, out_dir: str | Path,
                 measure: bool = True) -> Path:
    """Export the row's found architecture with the weights it inherits from ``tf``'s supernet
    (BatchNorm recalibrated as in the search), with its predicted and measured latencies."""
    from satgym.adaptive.export import export_model, extract_subnet, fold_batchnorm, host_latencies
    from satgym.adaptive.search_space import FULL, PROXY
    from satgym.adaptive.supernet import recalibrate_bn
    if not row.feasible or row.arch is None:
        raise ValueError(f"{row.processor} / {row.model}: nothing to export ({row.message})")
    arch = row.arch
    recalibrate_bn(tf.supernet, arch, data.x_train[:256])
    module = extract_subnet(tf.supernet, arch).eval()
    with torch.no_grad():
        acc = float((module(data.x_test).argmax(1) == data.y_test).float().mean())
    manifest = {
        "processor": row.processor, "unit": row.unit, "family": row.model,
        "latency_budget_ms": list(row.budget_ms),
        "latency_on_processor_ms": {
            "predicted": round(row.latency_with_ms, 3),
            "determined_by": "Lat_pre under the shipped calibration (fitted to the paper's two "
                             "'w/o' numbers), not measured on the processor",
            "range_over_admissible_calibrations": [round(v, 3) for v in row.latency_with_range_ms]},
        "size_224": {"params_m": round(row.params_m, 4), "macs_m": round(row.macs_m, 2)},
        "proxy": {"data": data.name, "training_seed": tf.seed, "test_images": len(data.y_test),
                  "test_accuracy_of_this_module": round(acc, 4),
                  "test_accuracy_per_seed": [round(v, 4) for v in row.proxy_acc_found]},
        "accuracy_env": {"mapped": round(row.accuracy, 4),
                         "ci95": [None if math.isnan(v) else round(v, 4) for v in row.accuracy_ci]},
    }
    if measure:
        manifest["host_latency_ms"] = {
            "full_scale_224": host_latencies(arch, FULL),
            "this_module_16x16": host_latencies(arch, PROXY, fold_batchnorm(module, arch, PROXY))}
    return export_model(module, arch, out_dir, manifest)
