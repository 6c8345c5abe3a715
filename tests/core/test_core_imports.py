"""The physics core never imports the RL API (checked on the source of every core module)."""

import ast
from pathlib import Path

import satgym

RL_LIBRARIES = {"gymnasium", "gym", "pettingzoo", "torch", "ray", "stable_baselines3", "supersuit"}
CORE = Path(satgym.__file__).parent / "core"


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_does_not_import_rl_libraries():
    files = list(CORE.rglob("*.py"))
    assert len(files) > 15
    offenders = {str(f.relative_to(CORE)): sorted(imported_roots(f) & RL_LIBRARIES) for f in files}
    assert not {k: v for k, v in offenders.items() if v}


def test_core_does_not_import_the_env_layer():
    for f in CORE.rglob("*.py"):
        tree = ast.parse(f.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("satgym.leoedge", "satgym.registration")), f
