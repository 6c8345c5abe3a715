"""The satgym command line: every subcommand is listed, and one whose optional dependencies are
missing says which extra to install instead of crashing."""

import importlib

import pytest

from satgym.tools import cli


def test_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for name in ("demo", "bench", "nas", "compare"):
        assert name in out


def test_missing_optional_dependency_is_reported(monkeypatch, capsys):
    real_import = importlib.import_module

    def fake(name, *args, **kwargs):
        if name == "satgym.adaptive.cli":
            raise ModuleNotFoundError("No module named 'pyglove'", name="pyglove")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(cli.importlib, "import_module", fake)
    assert cli.main(["nas", "--all"]) == 2
    err = capsys.readouterr().err
    assert "pyglove" in err and "satgym[nas]" in err
