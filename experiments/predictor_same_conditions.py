"""Knowledge-base sum vs end-to-end latency with both timed now, in one process, interleaved.

    OMP_NUM_THREADS=1 python experiments/predictor_same_conditions.py

The shipped host operator delays were profiled earlier on a quieter host; on a loaded host the
end-to-end times of nas_tables.py are not comparable with them. Here the operators of each
network are re-profiled into a throw-away in-memory knowledge base right next to the network's
end-to-end timing (same settings, same process), so the ratio measured / predicted reflects the
predictor, not the load. Prints one row per network and the median ratio.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from satgym.adaptive.knowledge_base import KnowledgeBase  # noqa: E402
from satgym.adaptive.networks import build_network, to_nhwc
from satgym.adaptive.profiler import profile_operators, time_callable
from satgym.adaptive.profiles import PROFILES_PATH
from satgym.adaptive.search_space import FAMILIES, FULL, operator_list, reference_architecture


def main() -> None:
    torch.set_num_threads(1)
    profiles = yaml.safe_load(open(PROFILES_PATH))["processors"]
    nets = [(f, "reference", reference_architecture(f)) for f in FAMILIES]
    nets += [(f, "found Snapdragon 835", profiles["Snapdragon 835"][f]["arch"]) for f in FAMILIES]
    ratios = []
    for family, name, arch in nets:
        kb = KnowledgeBase(":memory:")
        rows = profile_operators(kb, operator_list(arch, FULL), 0.05, 0.2)
        lat = {op: r for op, r, _, _ in rows}
        predicted = sum(lat[op] for op in operator_list(arch, FULL))
        net, (x,) = to_nhwc(build_network(arch, FULL, batchnorm=False).eval(),
                            torch.randn(1, 3, 224, 224))
        with torch.inference_mode():
            measured, std, n = time_callable(lambda: net(x), 0.3, 1.5)
        ratios.append(measured / predicted)
        print(f"| {family} | {name} | {predicted:.2f} | {measured:.2f} | {std:.2f} | "
              f"{measured / predicted:.2f} |", flush=True)
    print(f"median measured / predicted: {np.median(ratios):.2f}")


if __name__ == "__main__":
    main()
