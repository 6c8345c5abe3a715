"""``satgym nas``: adaptive modelling from the command line.

    satgym nas --processor "Snapdragon 835" --latency 15:20
    satgym nas --all --out docs/nas_table.md --write-profiles

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
from satgym.adaptive.search_space import FAMILIES


def parse_latency(text: str) -> tuple[float, float]:
    """``"15:20"`` -> (15.0, 20.0); ``"20"`` -> (0.0, 20.0)."""
    try:
        parts = [float(x) for x in text.split(":")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"latency must be 'lo:hi' or 'hi' in ms, got {text!r}")
    if len(parts) == 1:
        parts = [0.0, parts[0]]
    if len(parts) != 2 or parts[0] > parts[1] or parts[0] < 0:
        raise argparse.ArgumentTypeError(f"latency must be 'lo:hi' with 0 <= lo <= hi, got {text!r}")
    return parts[0], parts[1]


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``nas`` sub-command."""
    p = subparsers.add_parser("nas", help="adaptive modelling: latency-constrained NAS",
                              description=__doc__.split("\n\n")[0])
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--processor", help="processor name from satgym/data/processors.yaml")
    target.add_argument("--all", action="store_true", help="every processor (Tables II/III)")
    p.add_argument("--latency", type=parse_latency, default=(15.0, 20.0),
                   help="latency budget Lat_cons in ms, 'lo:hi' (default 15:20)")
    p.add_argument("--model", choices=(*FAMILIES, "both"), default="both")
    p.add_argument("--epochs", type=int, default=15, help="supernet training epochs")
    p.add_argument("--population", type=int, default=20)
    p.add_argument("--cycles", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--db", default=str(SHIPPED_DB), help="device knowledge base (SQLite)")
    p.add_argument("--out", help="write the table (.csv or .md)")
    p.add_argument("--write-profiles", action="store_true",
                   help="write satgym/data/adaptive/profiles.yaml (with --all)")
    p.set_defaults(handler=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Handler of ``satgym nas``."""
    from satgym.adaptive.tables import run_nas, to_markdown, write_profiles, write_table
    families = FAMILIES if args.model == "both" else (args.model,)
    procs = None if args.all else [args.processor]
    try:
        rows = run_nas(procs, families, args.latency, epochs=args.epochs, seed=args.seed,
                       population_size=args.population, cycles=args.cycles, db=args.db,
                       progress=True)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for r in rows:
        print(r.message)
        if r.feasible:
            print(f"  arch: {r.arch}\n  predicted latency {r.latency_with_ms:.2f} ms "
                  f"(original {r.latency_without_ms:.2f} ms), digits accuracy "
                  f"{r.digits_acc_found:.4f} (reference {r.digits_acc_reference:.4f}), "
                  f"env accuracy {r.accuracy:.4f}")
    print(to_markdown(rows))
    if args.out:
        write_table(rows, args.out)
        print(f"wrote {args.out}")
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
