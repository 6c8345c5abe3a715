"""Figures of ``satgym compare`` (LEOEdge Figs. 7-9), drawn from its per-step and per-episode tables.

* Fig. 7: mean edge workload (container CPU occupancy) over time, per policy, one panel per load,
  with the cap P dashed (a moving average over ``smooth`` steps, mean over seeds).
* Fig. 8: mean execution time per policy and load (bars, 95 % confidence interval over seeds),
  the local-only run as the reference line; a log scale when the times span more than 10x.
* Fig. 9: messages and bytes per layer pair against task volume for LEOEdge (or the first policy
  given), as counted on the wire (:mod:`satgym.core.messages`):
  per episode (tasks generated) and per scheduling round (tasks in the round).

matplotlib is imported inside the functions (Agg backend).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from satgym.core.messages import LAYER_PAIRS


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _order(values) -> list:
    order = {"light": 0, "normal": 1, "heavy": 2}
    return sorted(dict.fromkeys(values), key=lambda v: (order.get(v, 9), str(v)))


def fig7_edge_load(steps, path: str, load_cap: float | None = None, smooth: int = 10) -> str:
    plt = _plt()
    loads = _order(steps["load"])
    fig, axes = plt.subplots(1, len(loads), figsize=(4.2 * len(loads), 3.2), sharey=True, squeeze=False)
    for ax, load in zip(axes[0], loads):
        sub = steps[steps["load"] == load]
        for j, policy in enumerate(dict.fromkeys(sub["policy"])):
            curve = sub[sub["policy"] == policy].groupby("time_s")["edge_load"].mean()
            ax.plot(curve.index, curve.rolling(smooth, min_periods=1).mean().to_numpy(), label=policy, lw=1.2,
                    ls=("-", "--", "-.", ":")[j % 4])  # overlapping curves stay visible
        if load_cap is not None:
            ax.axhline(load_cap, color="k", ls="--", lw=0.8)
        ax.set_title(f"{load} load")
        ax.set_xlabel("time [s]")
    axes[0][0].set_ylabel("mean container CPU occupancy")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle("Fig. 7: edge workload over time")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def fig8_execution_time(episodes, path: str, reference: str = "local") -> str:
    plt = _plt()
    loads = _order(episodes["load"])
    policies = list(dict.fromkeys(episodes["policy"]))
    fig, ax = plt.subplots(figsize=(1.2 + 1.1 * len(loads) * max(len(policies), 1) / 2.5, 3.4))
    width = 0.8 / max(len(policies), 1)
    from satgym.tools.compare import ci95

    g = episodes.groupby(["policy", "load"])["mean_execution_time_s"]
    mean, std = g.mean(), g.agg(ci95).fillna(0.0)
    for j, policy in enumerate(policies):
        x = np.arange(len(loads)) + (j - (len(policies) - 1) / 2) * width
        y = [mean.get((policy, ld), np.nan) for ld in loads]
        e = [std.get((policy, ld), 0.0) for ld in loads]
        ax.bar(x, y, width, yerr=e, label=policy, capsize=2, alpha=0.6 if policy == reference else 1.0)
    if reference in policies:
        for i, ld in enumerate(loads):
            ax.hlines(mean.get((reference, ld), np.nan), i - 0.45, i + 0.45, colors="k", linestyles="--", lw=0.9)
    ax.set_xticks(np.arange(len(loads)), loads)
    ax.set_ylabel("mean execution time [s]")
    finite = mean[np.isfinite(mean) & (mean > 0)]
    if len(finite) and finite.max() > 10 * finite.min():  # e.g. local-only diverging under heavy load
        ax.set_yscale("log")
    ax.set_title(f"Fig. 8: execution time, 95 % CI over seeds (dashed: {reference} only)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def fig9_messages(steps, episodes, path: str, policy: str = "leoedge") -> str:
    plt = _plt()
    if policy not in set(episodes["policy"]):
        policy = str(episodes["policy"].iloc[0])
    ep = episodes[episodes["policy"] == policy]
    rounds = steps["round_tasks"] if "round_tasks" in steps else 0  # only round-solving policies have rounds
    st = steps[(steps["policy"] == policy) & (rounds > 0)]
    fig, axes = plt.subplots(1, 3, figsize=(12.5, 3.5))
    for pair in LAYER_PAIRS:
        if f"msg_{pair}" in ep:
            axes[0].scatter(ep["generated"], ep[f"msg_{pair}"], label=pair, s=18)
        if f"bytes_{pair}" in ep:
            axes[1].scatter(ep["generated"], ep[f"bytes_{pair}"] / 1e3, label=pair, s=18)
        if len(st) and f"sched_msg_{pair}" in st:
            per = st.groupby("round_tasks")[f"sched_msg_{pair}"].mean()
            axes[2].plot(per.index, per.to_numpy(), marker="o", ms=3, label=pair)
    axes[0].set_ylabel("messages delivered per episode")
    axes[1].set_ylabel("kB delivered per episode")
    for ax in axes[:2]:
        ax.set_xlabel("tasks generated in the episode")
    axes[2].set_xlabel("tasks in the scheduling round")
    axes[2].set_ylabel("scheduler messages per round (mean)")
    for ax in axes:
        ax.set_yscale("symlog", linthresh=10)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
    fig.suptitle(f"Fig. 9: messages on the wire per layer pair ({policy}: the env's own and the scheduler's)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_all(steps, episodes, out: str, load_cap: float | None = None) -> list[str]:
    """Write the three figures into ``out``; returns their paths."""
    return [
        fig7_edge_load(steps, os.path.join(out, "fig7_edge_load.png"), load_cap),
        fig8_execution_time(episodes, os.path.join(out, "fig8_execution_time.png")),
        fig9_messages(steps, episodes, os.path.join(out, "fig9_messages.png")),
    ]


__all__: list[Any] = ["fig7_edge_load", "fig8_execution_time", "fig9_messages", "plot_all"]
