"""Every layer imports only downwards (docs/architecture.md), checked on the source of every module
(imports inside functions included). Plugins reach the layers above them only through the
registries' entry points, never by an import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RL_LIBRARIES = {"gymnasium", "gym", "pettingzoo", "torch", "ray", "stable_baselines3", "supersuit"}
FAMILIES = ("leoedge", "aamec", "arctic")
# modules of a family that make up its RL API layer; the rest of the family is physics
ENV_LAYER = {"env", "views", "render", "observation", "reward", "array"}


def imported(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def modules(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, package
    return files


def allowed(mod: str, prefixes: tuple[str, ...]) -> bool:
    return any(mod == p or mod.startswith(p + ".") for p in prefixes)


def violations(files: list[Path], may_import: tuple[str, ...], own: tuple[str, ...] = ("satgym", "baselines", "agents"),
               forbid_rl: bool = False) -> dict[str, list[str]]:
    bad: dict[str, list[str]] = {}
    for f in files:
        mods = imported(f)
        wrong = [m for m in mods if m.split(".")[0] in own and not allowed(m, may_import)]
        if forbid_rl:
            wrong += [m for m in mods if m.split(".")[0] in RL_LIBRARIES]
        if wrong:
            bad[str(f.relative_to(ROOT))] = sorted(wrong)
    return bad


def test_core_imports_only_the_core():
    assert violations(modules("satgym/core"), ("satgym.core",), forbid_rl=True) == {}


def test_config_machinery_imports_only_itself():
    assert violations(modules("satgym/config"), ("satgym.config",), forbid_rl=True) == {}


def test_registries_import_nothing_above_them():
    files = [ROOT / "satgym" / f for f in ("policies.py", "scenarios.py")]
    assert violations(files, ("satgym.config",), forbid_rl=True) == {}
    # the Gymnasium ids: families are reached through the scenario registry
    assert violations([ROOT / "satgym" / "registration.py"], ("satgym.scenarios",)) == {}


@pytest.mark.parametrize("family", FAMILIES)
def test_family_physics_imports_core_config_and_itself_only(family: str):
    physics = [f for f in modules(f"satgym/{family}") if f.stem not in ENV_LAYER]
    own = f"satgym.{family}"
    assert violations(physics, ("satgym.core", "satgym.config", "satgym.adaptive.profiles",
                                *(f"{own}.{f.stem}" for f in physics if f.stem != "__init__")),
                      forbid_rl=True) == {}


@pytest.mark.parametrize("family", FAMILIES)
def test_family_env_layer_imports_no_policies_agents_tools_or_other_family(family: str):
    env_layer = [f for f in modules(f"satgym/{family}") if f.stem in ENV_LAYER]
    assert violations(env_layer, ("satgym.core", "satgym.config", "satgym.policies", "satgym.family_env",
                                  f"satgym.{family}")) == {}


def test_the_shared_env_base_imports_no_satgym_module():
    assert violations([ROOT / "satgym" / "family_env.py"], ()) == {}


def test_nothing_in_satgym_imports_baselines_agents_or_the_tools():
    below_tools = [f for f in modules("satgym") if "tools" not in f.relative_to(ROOT / "satgym").parts
                   and f.name != "evaluation.py"]
    bad = {str(f.relative_to(ROOT)): sorted(m for m in imported(f)
                                            if m.split(".")[0] in ("baselines", "agents")
                                            or allowed(m, ("satgym.tools", "satgym.evaluation")))
           for f in below_tools}
    assert {k: v for k, v in bad.items() if v} == {}


def test_evaluation_and_tools_reach_policies_only_through_the_registry():
    files = [ROOT / "satgym" / "evaluation.py", *modules("satgym/tools")]
    assert violations(files, ("satgym",), own=("baselines", "agents")) == {}


def test_baselines_never_import_agents_or_tools():
    assert violations(modules("baselines"), ("baselines", "satgym.core", "satgym.config", "satgym.leoedge",
                                             "satgym.aamec", "satgym.arctic", "satgym.policies", "satgym.scenarios"),
                      forbid_rl=True) == {}


def test_agents_never_import_the_tools():
    files = modules("agents")
    bad = {str(f.relative_to(ROOT)): sorted(m for m in imported(f) if allowed(m, ("satgym.tools",)))
           for f in files}
    assert {k: v for k, v in bad.items() if v} == {}
