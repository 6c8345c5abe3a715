"""The ``satgym`` command line: ``satgym demo``, ``satgym bench``, ``satgym nas`` ...

Each subcommand lives in its own module and registers itself through ``add_parser``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> module providing add_parser(subparsers); optional ones are skipped if absent
SUBCOMMANDS = {
    "demo": "satgym.demo",
    "bench": "satgym.bench",
    "nas": "satgym.adaptive.cli",
    "compare": "satgym.compare",
    "train": "agents.cli",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="satgym", description="Multi-agent RL environments for satellite-ground cooperative AI inference."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):
                continue  # that part of satgym is not installed
            raise
        mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
