"""Host profiler: single-operator and whole-network latency with torch (Sec. VIII-C).

Each operator runs as a single-operator model: ``warmup_s`` of warm-up, then ``run_s`` of timed
rounds (the paper uses 1 s and 5 s, the defaults here). The stored delay is the mean single-round
time, with the slowest ``trim`` fraction of rounds dropped (robustness to other jobs sharing the
host). Operators and networks run in channels-last (NHWC) layout (engine ``pytorch-nhwc``).
The host is recorded as a real device entry from ``platform`` / ``os.cpu_count``.

Re-profile the shipped host entry (about 4 min with the short settings used for the shipped DB)::

    python -m satgym.adaptive.profiler --warmup 0.05 --run 0.2

Example:
    >>> from satgym.adaptive.knowledge_base import KnowledgeBase
    >>> from satgym.adaptive.operators import OpSpec
    >>> kb = KnowledgeBase(":memory:")
    >>> rows = profile_operators(kb, [OpSpec("add", in_channels=8, out_channels=8, input_h=4,
    ...                                      input_w=4)], warmup_s=0.001, run_s=0.005)
    >>> rows[0][1] > 0
    True
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable, Iterable

import numpy as np
import torch

from satgym.adaptive.knowledge_base import SHIPPED_DB, Device, Engine, KnowledgeBase
from satgym.adaptive.networks import build_network, operator_module, to_nhwc
from satgym.adaptive.operators import OpSpec
from satgym.adaptive.search_space import FAMILIES, FULL, Scale, space_operators

HOST_DEVICE_NAME = "host"


def host_engine() -> Engine:
    """The engine the host profiler runs: eager PyTorch of the installed version, NHWC layout."""
    return Engine("pytorch-nhwc", torch.__version__)


def host_device(threads: int = 1) -> Device:
    """Device spec of this machine (name ``host``; the hardware is in ``description``)."""
    mem_gb = None
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        pass
    cpu = platform.processor() or platform.machine()
    desc = (f"{platform.platform()}; cpu={cpu}; cpu_count={os.cpu_count()}; "
            f"torch_threads={threads}; python={platform.python_version()}")
    return Device(HOST_DEVICE_NAME, "CPU", memory_gb=mem_gb, cpu_count=os.cpu_count(),
                  description=desc, source="measured")


def time_callable(fn: Callable[[], object], warmup_s: float = 1.0, run_s: float = 5.0,
                  trim: float = 0.1, min_runs: int = 3) -> tuple[float, float, int]:
    """(mean ms, std ms, rounds) of ``fn()`` after ``warmup_s`` warm-up, over ``run_s`` seconds."""
    t_end = time.perf_counter() + warmup_s
    fn()
    while time.perf_counter() < t_end:
        fn()
    times: list[float] = []
    t_end = time.perf_counter() + run_s
    while time.perf_counter() < t_end or len(times) < min_runs:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    arr = np.sort(np.asarray(times) * 1e3)
    keep = arr[: max(1, int(np.ceil(len(arr) * (1.0 - trim))))]
    return float(keep.mean()), float(keep.std()), len(arr)


def measure_operator(op: OpSpec, warmup_s: float = 1.0, run_s: float = 5.0,
                     threads: int = 1) -> tuple[float, float, int]:
    """Latency of the single-operator model of ``op`` on this host."""
    torch.set_num_threads(threads)
    single, example = operator_module(op)
    module, inputs = to_nhwc(single, *example)
    module.eval()
    with torch.inference_mode():
        return time_callable(lambda: module(*inputs), warmup_s, run_s)


def profile_operators(kb: KnowledgeBase, ops: Iterable[OpSpec], warmup_s: float = 1.0,
                      run_s: float = 5.0, threads: int = 1, progress: bool = False
                      ) -> list[tuple[OpSpec, float, float, int]]:
    """Measure ``ops`` on the host and store them (insert-or-replace) under device ``host``."""
    ops = list(dict.fromkeys(ops))
    it: Iterable[OpSpec] = ops
    if progress:
        from tqdm import tqdm
        it = tqdm(ops, desc="profiling operators")
    rows = [(op, *measure_operator(op, warmup_s, run_s, threads)) for op in it]
    kb.add_measurements(host_device(threads), host_engine(), rows, source="measured")
    return rows


def measure_network(arch: dict, scale: Scale = FULL, warmup_s: float = 1.0, run_s: float = 5.0,
                    threads: int = 1) -> tuple[float, float, int]:
    """End-to-end latency of ``arch`` (BatchNorm folded) on this host, batch 1."""
    torch.set_num_threads(threads)
    net, (x,) = to_nhwc(build_network(arch, scale, batchnorm=False).eval(),
                        torch.randn(1, scale.in_channels, scale.input_hw, scale.input_hw))
    with torch.inference_mode():
        return time_callable(lambda: net(x), warmup_s, run_s)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="Profile every operator of the search spaces on this "
                                            "host into the knowledge base.")
    p.add_argument("--db", default=str(SHIPPED_DB))
    p.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per operator")
    p.add_argument("--run", type=float, default=5.0, help="timed seconds per operator")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    ops = [op for fam in FAMILIES for op in space_operators(fam)]
    with KnowledgeBase(args.db) as kb:
        rows = profile_operators(kb, ops, args.warmup, args.run, args.threads, progress=True)
    print(f"stored {len(rows)} host operator delays in {args.db}")


if __name__ == "__main__":
    main()
