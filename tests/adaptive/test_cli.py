from __future__ import annotations

import argparse

import pytest
import torch
import yaml

from satgym.adaptive.cli import add_parser, main, parse_latency

torch.set_num_threads(1)


def test_parse_latency():
    assert parse_latency("15:20") == (15.0, 20.0)
    assert parse_latency("20") == (0.0, 20.0)
    for bad in ("20:15", "a:b", "1:2:3"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_latency(bad)


def test_add_parser_registers_nas():
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers(dest="command"))
    args = p.parse_args(["nas", "--processor", "Snapdragon 835", "--latency", "15:20"])
    assert args.processor == "Snapdragon 835" and args.latency == (15.0, 20.0)


def test_cli_reports_infeasible_budget(capsys):
    code = main(["nas", "--processor", "Snapdragon 835", "--latency", "0.1:0.2", "--model",
                 "shufflenetv2", "--steps", "0", "--population", "2", "--cycles", "1",
                 "--data", "digits"])
    out = capsys.readouterr().out
    assert code == 1
    assert "infeasible" in out and "Snapdragon 835" in out and "fastest achievable" in out


def test_cli_unknown_processor(capsys):
    assert main(["nas", "--processor", "Pentium 4", "--steps", "0", "--data", "digits"]) == 2
    assert "valid" in capsys.readouterr().err


def test_cli_size_bounds_and_seeds_parse():
    p = argparse.ArgumentParser()
    add_parser(p.add_subparsers(dest="command"))
    args = p.parse_args(["nas", "--all", "--params", "0:2", "--macs", "150", "--seeds", "0,1,2",
                         "--robust", "--export", "out"])
    assert args.params == (0.0, 2.0) and args.macs == (0.0, 150.0) and args.seeds == (0, 1, 2)
    assert args.robust and args.export == "out"
    with pytest.raises(SystemExit):
        p.parse_args(["nas", "--all", "--params", "3:1"])


def test_cli_exports_the_found_model(tmp_path, capsys, monkeypatch):
    from satgym.adaptive import export, profiler
    monkeypatch.setattr(export, "time_callable", lambda fn, *a: (fn(), (1.5, 0.1, 7))[1])
    monkeypatch.setattr(profiler, "measure_operator", lambda op, *a: (0.01, 0.0, 3))
    code = main(["nas", "--processor", "Kirin 9000", "--model", "shufflenetv2", "--steps", "2",
                 "--latency", "0:20",
                 "--seeds", "0,1", "--population", "3", "--cycles", "2", "--data", "digits",
                 "--params", "0:2", "--export", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "M params" in out
    (d,) = tmp_path.iterdir()
    meta = yaml.safe_load((d / "manifest.yaml").read_text())
    assert meta["processor"] == "Kirin 9000" and meta["size_224"]["params_m"] <= 2
    lo, hi = meta["latency_on_processor_ms"]["range_over_admissible_calibrations"]
    assert lo <= meta["latency_on_processor_ms"]["predicted"] <= hi
    host = meta["host_latency_ms"]
    assert host["full_scale_224"]["measured_ms"] == 1.5  # timed by time_callable (faked here)
    assert host["full_scale_224"]["operators_profiled_on_the_fly"] == 0  # all in the shipped KB
    n = host["this_module_16x16"]["operators_profiled_on_the_fly"]
    assert n > 0 and host["this_module_16x16"]["predicted_ms"] >= 0.01 * n
