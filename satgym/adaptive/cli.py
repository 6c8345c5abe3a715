"""``satgym nas``: adaptive modelling from the command line.

    satgym nas --processor "Snapdragon 835" --latency 15:20
    satgym nas --processor "Kirin 980" --latency 0:20 --params 0:3 --macs 0:150 --export found/
    satgym nas --processor "Kirin 980" --latency 0:20 --robust      # whole identified range <= 20 ms
    satgym nas --all --seeds 0,1,2 --out table.md --write-profiles

The main ``satgym`` CLI calls :func:`add_parser`; standalone: ``python -m satgym.adaptive.cli``.

Example:
    >>> import argparse
    >>> p = argparse.ArgumentParser(); sub = p.add_subparsers()
    >>> _ = add_parser(sub)
    >>> p.parse_args(["nas", "--all"]).all
    True
"""

from __future__ import annotations

import argparse
import shlex
import sys

from satgym.adaptive.knowledge_base import SHIPPED_DB
from satgym.adaptive.proxy_data import PROXY_DATASETS
from satgym.adaptive.search_space import FAMILIES


def parse_interval(text: str, what: str = "latency", unit: str = "ms") -> tuple[float, float]:
    """``"15:20"`` -> (15.0, 20.0); ``"20"`` -> (0.0, 20.0)."""
    try:
        parts = [float(x) for x in text.split(":")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} must be 'lo:hi' or 'hi' in {unit}, got {text!r}")
    if len(parts) == 1:
        parts = [0.0, parts[0]]
    if len(parts) != 2 or parts[0] > parts[1] or parts[0] < 0:
        raise argparse.ArgumentTypeError(f"{what} must be 'lo:hi' with 0 <= lo <= hi, got {text!r}")
    return parts[0], parts[1]


def parse_latency(text: str) -> tuple[float, float]:
    """Latency budget in ms (see :func:`parse_interval`)."""
    return parse_interval(text)


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"0,1,2"`` -> (0, 1, 2)."""
    try:
        seeds = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must be comma-separated integers, got {text!r}")
    return seeds


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``nas`` sub-command."""
    p = subparsers.add_parser("nas", help="adaptive modelling: latency-constrained NAS",
                              description=__doc__.split("\n\n")[0])
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--processor", help="processor name from satgym/data/processors.yaml")
    target.add_argument("--all", action="store_true", help="every processor (Tables II/III)")
    p.add_argument("--latency", type=parse_latency, default=(15.0, 20.0),
                   help="latency budget Lat_cons in ms, 'lo:hi' (default 15:20)")
    p.add_argument("--params", type=lambda t: parse_interval(t, "params", "M"), default=None,
                   help="structure size interval, millions of parameters 'lo:hi' (224x224 net)")
    p.add_argument("--macs", type=lambda t: parse_interval(t, "macs", "M"), default=None,
                   help="structure size interval, millions of MACs 'lo:hi' (224x224 net)")
    p.add_argument("--robust", action="store_true",
                   help="require the latency range over every admissible calibration inside "
                        "the budget (satgym.adaptive.identification), not just the point value")
    p.add_argument("--max-class-ratio", type=float, default=10.0,
                   help="admissible calibrations: largest ratio between two operator-class "
                        "scales (default 10)")
    p.add_argument("--model", choices=(*FAMILIES, "both"), default="both")
    p.add_argument("--data", choices=PROXY_DATASETS, default="shapes", help="proxy data set")
    p.add_argument("--steps", type=int, default=1000, help="supernet training steps (batch 32)")
    p.add_argument("--seeds", type=parse_seeds, default=(0,),
                   help="training seeds, e.g. 0,1,2 (search on the first; accuracy CI over all)")
    p.add_argument("--population", type=int, default=20)
    p.add_argument("--cycles", type=int, default=60)
    p.add_argument("--db", default=str(SHIPPED_DB), help="device knowledge base (SQLite)")
    p.add_argument("--out", help="write the table (.csv or .md)")
    p.add_argument("--export", metavar="DIR",
                   help="export every found model (state_dict, torch.export program, manifest "
                        "with predicted and measured latencies) to DIR/<processor>_<model>/")
    p.add_argument("--write-profiles", action="store_true",
                   help="write satgym/data/adaptive/profiles.yaml (with --all)")
    p.set_defaults(handler=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Handler of ``satgym nas``."""
    from satgym.adaptive.evolution import SizeBounds
    from satgym.adaptive.identification import Admissible
    from satgym.adaptive.proxy_data import load_proxy_data
    from satgym.adaptive.tables import (export_found, run_nas, to_markdown, write_profiles,
                                        write_table)
    families = FAMILIES if args.model == "both" else (args.model,)
    procs = None if args.all else [args.processor]
    try:
        size = SizeBounds(args.params, args.macs)
        admissible = Admissible(max_class_ratio=args.max_class_ratio)
        rows, trained = run_nas(procs, families, args.latency, steps=args.steps, seeds=args.seeds,
                                population_size=args.population, cycles=args.cycles, db=args.db,
                                data=load_proxy_data(args.data), size_bounds=size,
                                robust=args.robust, admissible=admissible, progress=True)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for r in rows:
        print(r.message)
        if r.feasible:
            lo, hi = r.latency_with_range_ms
            print(f"  arch: {r.arch}\n  predicted latency {r.latency_with_ms:.2f} ms (range over "
                  f"admissible calibrations {lo:.2f}-{hi:.2f} ms; original "
                  f"{r.latency_without_ms:.2f} ms), {r.params_m:.2f} M params, {r.macs_m:.0f} M "
                  f"MACs, proxy accuracy {sum(r.proxy_acc_found) / len(r.proxy_acc_found):.4f} "
                  f"(reference {sum(r.proxy_acc_reference) / len(r.proxy_acc_reference):.4f}), "
                  f"env accuracy {r.accuracy:.4f}")
    print(to_markdown(rows))
    if args.out:
        write_table(rows, args.out)
        print(f"wrote {args.out}")
    if args.export:
        from pathlib import Path
        data = load_proxy_data(args.data)
        for r in rows:
            if r.feasible:
                d = Path(args.export) / f"{r.processor.replace(' ', '_')}_{r.model}"
                export_found(r, trained[r.model][0], data, d)
                print(f"exported {d}")
    if args.write_profiles:
        if not args.all or args.model != "both":
            print("error: --write-profiles needs --all and --model both", file=sys.stderr)
            return 2
        cmd = "satgym nas " + " ".join(shlex.quote(a) for a in sys.argv[1:] if a != "nas")
        write_profiles(rows, args.latency, cmd.strip())
        print("wrote satgym/data/adaptive/profiles.yaml")
    return 0 if all(r.feasible for r in rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="satgym")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
