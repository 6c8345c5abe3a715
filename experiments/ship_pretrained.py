"""Ship the best learned policy per load inside the package: ``satgym/data/pretrained/leoedge-<load>``.

For each load, the training run (``--runs``, a ``runs.json`` of ``experiments/train_learned.py``)
whose checkpoint has the most negative mean paired execution-time difference to ``--reference``
in the evaluation CSV of ``experiments/eval_paired.py`` (``--eval``; rows labelled
``<label>/s<seed>``), is exported with :func:`agents.rllib.export.export_policy` (module weights
and meta, tens of kB), its meta carrying the command that trained it, its training seed and its
evaluation. ``satgym/data/pretrained/README.md`` lists them. ``--renamed OLD=NEW`` records a
policy renamed since training (``leoedge=leoedge-search``: the warm start's teacher was named
``leoedge`` before issue 12 made that name the distributed protocol): the command and the warm
start's teacher are written with NEW, the name at training time is kept beside them.

Example::

    python experiments/ship_pretrained.py --runs runs/learned/ours/runs.json --eval docs/img/learned16_eval.csv \\
        --label ours --reference leoedge --renamed leoedge=leoedge-search
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

DEST = ROOT / "satgym" / "data" / "pretrained"


def best_seeds(ev: pd.DataFrame, label: str, reference: str) -> dict[str, tuple[int, float, pd.DataFrame]]:
    """Per load: (training seed, mean paired difference in ms, the episodes) of the best ``label/s<seed>``."""
    out = {}
    for load, g in ev.groupby("load"):
        ref = g[g["policy"] == reference].set_index("seed")["mean_execution_time_s"]
        best = None
        for policy, rows in g[g["policy"].str.startswith(f"{label}/s")].groupby("policy"):
            own = rows.set_index("seed")
            d = 1000 * (own["mean_execution_time_s"] - ref.reindex(own.index)).mean()
            if best is None or d < best[1]:
                best = (int(policy.rpartition("/s")[2]), float(d), rows)
        if best is not None:
            out[load] = best
    return out


def main(argv: list[str] | None = None) -> int:
    from agents.rllib.export import export_policy

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", required=True)
    p.add_argument("--eval", required=True)
    p.add_argument("--label", default="ours")
    p.add_argument("--reference", default="leoedge")
    p.add_argument("--dest", default=str(DEST))
    p.add_argument("--renamed", default="", metavar="OLD=NEW", help="the warm start's teacher, renamed since training")
    args = p.parse_args(argv)
    old, _, new = args.renamed.partition("=")
    runs = json.loads(Path(args.runs).read_text())
    ev = pd.read_csv(args.eval)
    dest = Path(args.dest)
    lines = ["# Pretrained satgym policies", "",
             "Shipped learned policies, loaded by name: `make_policy(\"marl:pretrained/<name>\")`, e.g.", "",
             "```bash", "satgym compare --scenario leoedge --load heavy --policies leoedge,marl:pretrained/leoedge-heavy",
             "```", "",
             "Each directory holds `module.pt` (the RLlib module's weights) and `satgym_marl.json` (how to build "
             "the module, the training settings, the command that trained it, its training seed and its "
             "evaluation); `agents/rllib/export.py` wrote them from the training checkpoints. How they were "
             "trained and evaluated: docs/results.md, section \"Learned policies in the paper's regime (issue 16)\".", "",
             "| name | load | training seed | paired Δ vs " + args.reference + " on the evaluation seeds [ms] | command |",
             "|---|---|---:|---:|---|"]
    for load, (seed, d, rows) in sorted(best_seeds(ev, args.label, args.reference).items(),
                                        key=lambda kv: ("light", "normal", "heavy").index(kv[0])):
        run = runs[f"{load}/seed{seed}"]
        name = f"leoedge-{load}"
        command = run.get("run_command", run["command"])
        if old and new:
            command = command.replace(f"--teacher {old} ", f"--teacher {new} ")
        info = {"command": command, "training_seed": seed, "load": load,
                "checkpoint": str(Path(run["checkpoint"]).resolve().relative_to(ROOT))
                if Path(run["checkpoint"]).resolve().is_relative_to(ROOT) else run["checkpoint"],
                "evaluation": {"reference": args.reference, "episodes": int(len(rows)),
                               "env_seeds": [int(s) for s in sorted(rows["seed"])],
                               "paired_difference_ms": round(d, 1),
                               "mean_execution_time_ms": round(1000 * rows["mean_execution_time_s"].mean(), 1),
                               "mean_edge_load": round(float(rows["mean_edge_load"].mean()), 4)}}
        if old and new:
            info["renamed_since_training"] = {old: new}
        export_policy(run["checkpoint"], str(dest / name), info)
        if old and new:
            meta_path = dest / name / "satgym_marl.json"
            meta = json.loads(meta_path.read_text())
            if meta.get("imitation", {}).get("teacher") == old:
                meta["imitation"].update(teacher=new, teacher_name_at_training=old)
                meta["settings"]["bc_teacher"] = new
            meta_path.write_text(json.dumps(meta, indent=1, sort_keys=True))
        lines.append(f"| `{name}` | {load} | {seed} | {d:+.0f} | `{info['command']}` |")
        print(f"{name}: seed {seed}, {d:+.1f} ms -> {dest / name}")
    (dest / "README.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
