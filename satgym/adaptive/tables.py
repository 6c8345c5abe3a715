"""Tables II/III: adaptive modelling for every processor and model family.

:func:`run_nas` trains one supernet per family (Eq. 31, NAG), then runs the latency-constrained
evolution (Eq. 32) for every (processor, family).

Accuracy mapping (documented in docs/adaptive_modelling.md). The supernet is trained on
scikit-learn digits, not ImageNet, so the environment's accuracy for the generated model is

    acc_env = acc_paper_original(model) * acc_digits(found) / acc_digits(reference)

where both digits accuracies are test-split accuracies of the shared-weight subnets (the
reference architecture is itself a subnet of the supernet), and acc_paper_original is 72 %
(MobileNetV3) / 69.1 % (ShuffleNetV2). The raw digits accuracies are reported next to it.
If the budget is infeasible, the row keeps the original model (its latency and accuracy) and is
flagged ``feasible: false``.

Example:
    >>> rows = run_nas(["Snapdragon 835"], ["shufflenetv2"], epochs=1, cycles=4,
    ...                population_size=4, data_limit=200)      # doctest: +SKIP
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import yaml

from satgym.adaptive.calibration import load_processors
from satgym.adaptive.evolution import evolve
from satgym.adaptive.knowledge_base import SHIPPED_DB, KnowledgeBase
from satgym.adaptive.predictor import LatencyPredictor
from satgym.adaptive.search_space import FAMILIES, reference_architecture
from satgym.adaptive.supernet import (DigitsData, Supernet, evaluate_subnet, load_digits_data,
                                      train_supernet)

PROFILES_YAML = SHIPPED_DB.parent / "profiles.yaml"


@dataclass
class NasRow:
    processor: str
    unit: str
    model: str
    feasible: bool
    latency_without_ms: float      # Lat_pre of the reference network (calibrated to the table)
    latency_without_paper_ms: float
    latency_with_ms: float         # Lat_pre of the generated network
    latency_with_paper_ms: float
    accuracy: float                # env accuracy via the documented mapping
    accuracy_paper: float          # Table II/III "ACC" column
    accuracy_original: float       # paper's original-model accuracy
    digits_acc_found: float        # test accuracy on digits (shared weights)
    digits_acc_reference: float
    digits_val_acc_found: float    # the search objective (validation split)
    arch: dict | None
    message: str


@dataclass
class TrainedFamily:
    supernet: Supernet
    losses: list[float]
    reference_test_acc: float


def train_family(family: str, data: DigitsData, epochs: int = 15, seed: int = 0,
                 optimizer: str = "nag", lr: float = 0.01) -> TrainedFamily:
    """Train the family's supernet (Eq. 31) and score the reference subnet on digits."""
    net = Supernet(family)
    losses = train_supernet(net, data, epochs=epochs, optimizer=optimizer, lr=lr, seed=seed,
                            batch_size=32)
    return TrainedFamily(net, losses, evaluate_subnet(net, reference_architecture(family), data,
                                                      "test"))


def run_nas(processors: Iterable[str] | None = None, families: Iterable[str] = FAMILIES,
            budget_ms: tuple[float, float] = (15.0, 20.0), epochs: int = 15, seed: int = 0,
            population_size: int = 20, cycles: int = 60, db: str | Path = SHIPPED_DB,
            data_limit: int | None = None, progress: bool = False,
            trained: dict[str, TrainedFamily] | None = None) -> list[NasRow]:
    """Search every (processor, family); one supernet per family, shared by all processors."""
    torch.set_num_threads(1)
    specs = load_processors()
    processors = list(processors or specs)
    unknown = [p for p in processors if p not in specs]
    if unknown:
        raise ValueError(f"unknown processors {unknown}; valid: {list(specs)}")
    data = load_digits_data(seed=seed, limit=data_limit)
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
            trained[family] = train_family(family, data, epochs, seed)
        tf, cache = trained[family], val_cache[family]

        def accuracy(arch: dict, tf: TrainedFamily = tf, cache: dict = cache) -> float:
            key = repr(arch)
            if key not in cache:
                cache[key] = evaluate_subnet(tf.supernet, arch, data, "val")
            return cache[key]

        pred = LatencyPredictor(proc, kb)
        res = evolve(family, pred, accuracy, budget_ms, population_size, cycles=cycles, seed=seed,
                     processor=proc)
        spec = specs[proc]
        acc_orig = spec["accuracy"][family]["without"]
        lat_ref = pred(reference_architecture(family))
        if res.feasible:
            found = evaluate_subnet(tf.supernet, res.arch, data, "test")
            acc_env = acc_orig * found / tf.reference_test_acc
            lat_with, val_acc = res.latency_ms, res.accuracy
        else:
            found, acc_env, lat_with, val_acc = tf.reference_test_acc, acc_orig, lat_ref, float("nan")
        rows.append(NasRow(proc, spec["unit"], family, res.feasible, lat_ref,
                           spec["latency_ms"][family]["without"], lat_with,
                           spec["latency_ms"][family]["with"], acc_env,
                           spec["accuracy"][family]["with"], acc_orig, found,
                           tf.reference_test_acc, val_acc, res.arch, res.message))
    return rows


def to_markdown(rows: list[NasRow]) -> str:
    head = ("| Processor | Unit | Model | Lat w/o (ms) pred / paper | Lat w (ms) ours / paper | "
            "ACC env (%) | ACC paper (%) | digits acc found / ref (%) | feasible |\n"
            "|---|---|---|---|---|---|---|---|---|\n")
    body = "".join(
        f"| {r.processor} | {r.unit} | {r.model} | {r.latency_without_ms:.1f} / "
        f"{r.latency_without_paper_ms:.1f} | {r.latency_with_ms:.1f} / {r.latency_with_paper_ms:.1f}"
        f" | {100 * r.accuracy:.2f} | {100 * r.accuracy_paper:.2f} | "
        f"{100 * r.digits_acc_found:.1f} / {100 * r.digits_acc_reference:.1f} | "
        f"{'yes' if r.feasible else 'NO'} |\n" for r in rows)
    return head + body


def to_csv(rows: list[NasRow]) -> str:
    buf = io.StringIO()
    fields = [k for k in asdict(rows[0]) if k != "arch"] + ["arch"] if rows else []
    w = csv.DictWriter(buf, fieldnames=fields)
    w.writeheader()
    for r in rows:
        d = asdict(r)
        d["arch"] = repr(d["arch"])
        w.writerow(d)
    return buf.getvalue()


def write_table(rows: list[NasRow], path: str | Path) -> None:
    """``.csv`` -> CSV, anything else -> Markdown."""
    path = Path(path)
    path.write_text(to_csv(rows) if path.suffix == ".csv" else to_markdown(rows))


def write_profiles(rows: list[NasRow], budget_ms: tuple[float, float], command: str,
                   path: str | Path = PROFILES_YAML) -> None:
    """Write the generated models' (latency, accuracy) per processor for ``adaptive_profile``."""
    out: dict = {"budget_ms": list(budget_ms), "command": command, "processors": {}}
    for r in rows:
        out["processors"].setdefault(r.processor, {})[r.model] = {
            "latency_ms": round(float(r.latency_with_ms), 3), "accuracy": round(float(r.accuracy), 4),
            "feasible": bool(r.feasible), "digits_accuracy": round(float(r.digits_acc_found), 4),
            "digits_accuracy_reference": round(float(r.digits_acc_reference), 4),
            "arch": r.arch}
    with open(path, "w") as f:
        f.write("# Generated by `satgym nas --all --write-profiles`; do not edit by hand.\n"
                "# accuracy = paper original accuracy * digits_accuracy / digits_accuracy_reference\n")
        yaml.safe_dump(out, f, sort_keys=False, width=120)
