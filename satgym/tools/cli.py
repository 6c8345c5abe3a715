"""The ``satgym`` command line: ``satgym demo``, ``satgym bench``, ``satgym nas`` ...

Each subcommand lives in its own module and registers itself through ``add_parser``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

# satgym's own subcommands -> (module providing add_parser(subparsers), the pip extra of its dependencies);
# other packages add theirs as entry points of the group below (``satgym train`` comes from ``agents``)
SUBCOMMANDS = {
    "demo": ("satgym.tools.demo", None),
    "bench": ("satgym.tools.bench", "bench"),
    "nas": ("satgym.adaptive.cli", "nas"),
    "compare": ("satgym.tools.compare", None),
}
ENTRY_POINT_GROUP = "satgym.commands"
OWN_PACKAGES = ("satgym", "agents", "baselines")


def _loaders() -> dict[str, tuple[Callable[[], Any], str | None]]:
    """Every subcommand: a function returning its ``add_parser``, and the extra it needs."""
    out: dict[str, tuple[Callable[[], Any], str | None]] = {
        name: (lambda m=module: importlib.import_module(m).add_parser, extra)
        for name, (module, extra) in SUBCOMMANDS.items()
    }
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        out.setdefault(ep.name, (ep.load, ep.extras[0] if ep.extras else None))
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="satgym", description="Multi-agent RL environments for satellite-ground cooperative AI inference."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (load, extra) in _loaders().items():
        try:
            add_parser = load()
        except ModuleNotFoundError as exc:
            missing = exc.name or "?"
            if missing.split(".")[0] in OWN_PACKAGES:
                continue  # that part of satgym is not installed
            hint = f"pip install 'satgym[{extra}]'" if extra else "reinstall satgym"
            p = sub.add_parser(name, help=f"unavailable: needs {missing} ({hint})", add_help=False)
            p.set_defaults(handler=lambda args, m=missing, h=hint: _unavailable(args.command, m, h), unavailable=True)
            continue
        add_parser(sub)
    return parser


def _unavailable(command: str, missing: str, hint: str) -> int:
    print(f"satgym {command}: this command needs the package {missing!r}, which is not installed; {hint}",
          file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "unavailable", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    return int(args.handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
