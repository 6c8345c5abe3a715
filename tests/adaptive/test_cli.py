from __future__ import annotations

import argparse

import pytest
import torch

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
                 "shufflenetv2", "--epochs", "0", "--population", "2", "--cycles", "1"])
    out = capsys.readouterr().out
    assert code == 1
    assert "infeasible" in out and "Snapdragon 835" in out and "fastest achievable" in out


def test_cli_unknown_processor(capsys):
    assert main(["nas", "--processor", "Pentium 4", "--epochs", "0"]) == 2
    assert "valid" in capsys.readouterr().err
