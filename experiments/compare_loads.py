"""Scheduling baselines under the three loads, and the paper's claims checked one by one
(docs/results.md, "Scheduling baselines in the paper's regime").

Runs ``satgym compare`` on a preset (default ``leoedge``, the paper's regime) for 10 seeds whose
episodes start at random times of the day, 600 one-second steps, then prints

* the policy x load table with 95 % confidence intervals,
* every claim of LEOEdge Sec. IX-D, held or not held, with the measured numbers
  (``--learned EPISODES_CSV`` adds MARL / A3C rows evaluated elsewhere on the same seeds),

and with ``--figures`` copies Figs. 7-9 to ``docs/img/`` (``--img-prefix`` names them). Usage::

    OMP_NUM_THREADS=1 python experiments/compare_loads.py --figures [--scenario leoedge] [--seeds 0-9] [--no-ray]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from satgym.tools.cli import main as satgym_main
from satgym.tools.compare import ci95

POLICIES = "leoedge,leoedge-search,oracle,earliest_finish,threshold,threshold_unit,workload,offload,random,local"
RULES = ("threshold", "workload")          # the paper's rule schemes
EDGE_USERS = ("leoedge", "threshold", "workload", "offload")
ROOT = Path(__file__).resolve().parents[1]
LOADS = ("light", "normal", "heavy")
PAPER_THRESHOLD_LOAD = {"light": 0.2, "normal": 0.3, "heavy": 0.4}


def seeds_arg(text: str) -> str:
    """``0-9`` or ``0,1,2`` -> ``0,1,...``."""
    if "-" in text and "," not in text:
        a, b = (int(x) for x in text.split("-"))
        return ",".join(str(s) for s in range(a, b + 1))
    return text


def _m(ep: pd.DataFrame, policy: str, load: str, col: str) -> tuple[float, float]:
    x = ep[(ep.policy == policy) & (ep.load == load)][col]
    return float(x.mean()), ci95(x)


def claims(ep: pd.DataFrame, steps: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(claim, held / not held / partly, measured) for every claim of Sec. IX-D."""
    out = []
    pols = set(ep.policy)

    def load_of(p, load):
        return _m(ep, p, load, "mean_edge_load")

    def time_of(p, load):
        return _m(ep, p, load, "mean_execution_time_s")

    # 1. threshold has the lowest load of the rule schemes, about 0.2 / 0.3 / 0.4
    rows, low, near = [], [], []
    for load in LOADS:
        t, tc = load_of("threshold", load)
        others = {p: load_of(p, load)[0] for p in ("workload", "leoedge") if p in pols}
        low.append(all(t < v for v in others.values()))
        near.append(abs(t - PAPER_THRESHOLD_LOAD[load]) <= 0.1)
        rows.append(f"{load} {t:.2f}±{tc:.2f} (workload {others.get('workload', np.nan):.2f}, "
                    f"LEOEdge {others.get('leoedge', np.nan):.2f}; paper {PAPER_THRESHOLD_LOAD[load]})")
    out.append(("threshold has the lowest edge load (≈ 0.2 / 0.3 / 0.4)",
                _verdict(all(low) and all(near), all(low) or any(near)),
                "lowest: " + ", ".join(f"{ld} {'yes' if x else 'no'}" for ld, x in zip(LOADS, low)) + "; "
                + "; ".join(rows)))
    # 2. threshold's execution time about 200 ms
    ts = [time_of("threshold", load)[0] for load in LOADS]
    out.append(("threshold's execution time ≈ 200 ms", _verdict(all(0.1 <= t <= 0.3 for t in ts), False),
                " / ".join(f"{t * 1000:.0f} ms" for t in ts)))
    # 3. workload holds about 50 %, 4. LEOEdge about 50 %
    for p, label in (("workload", "workload keeps the edge load ≈ 50 %"), ("leoedge", "LEOEdge keeps the edge load ≈ 50 %")):
        ls = [load_of(p, load) for load in LOADS]
        ok = [0.4 <= v <= 0.6 for v, _ in ls]
        out.append((label, _verdict(all(ok), any(ok)),
                    " / ".join(f"{v:.2f}±{c:.2f}" for v, c in ls) + " (light / normal / heavy)"))
    # 5. LEOEdge shortest execution time under all three loads
    cand = [p for p in ("leoedge", "threshold", "workload", "offload", "local", "marl", "a3c") if p in pols]
    res = []
    for load in LOADS:
        times = {p: time_of(p, load)[0] for p in cand}
        best = min(times, key=times.get)
        res.append((load, best == "leoedge", times))
    out.append(("LEOEdge has the shortest execution time under all three loads",
                _verdict(all(r[1] for r in res), any(r[1] for r in res)),
                "; ".join(f"{ld}: LEOEdge {t['leoedge'] * 1000:.0f} ms, best other "
                          f"{min((v, p) for p, v in t.items() if p != 'leoedge')[1]} "
                          f"{min(v for p, v in t.items() if p != 'leoedge') * 1000:.0f} ms" for ld, _, t in res)))
    # 6. MARL near 100 % under heavy load
    if "marl" in pols:
        v, c = load_of("marl", "heavy")
        out.append(("MARL loads the edge to ≈ 100 % under heavy load", _verdict(v >= 0.85, v >= 0.6), f"{v:.2f}±{c:.2f}"))
    else:
        out.append(("MARL loads the edge to ≈ 100 % under heavy load", "not measured here",
                    "see the learned-policy section"))
    # 7. every edge-using scheme faster than no edge
    res = []
    for load in LOADS:
        local = time_of("local", load)[0]
        slower = [p for p in EDGE_USERS + ("marl", "a3c") if p in pols and time_of(p, load)[0] >= local]
        res.append((load, slower, local))
    out.append(("every edge-using scheme is faster than no edge (local)",
                _verdict(not any(r[1] for r in res), any(not r[1] for r in res)),
                "; ".join(f"{ld}: local {loc * 1000:.0f} ms, " + ("all faster" if not sl else "not faster: " + ", ".join(sl))
                          for ld, sl, loc in res)))
    # 8. messages: server-container highest; satellite-LBS mostly < 1000, linear in the task volume
    lv = ep[ep.policy == "leoedge"]
    sc, ls, sl = (lv[f"msg_{k}"].mean() for k in ("server_container", "lbs_server", "satellite_lbs"))
    out.append(("server-container messages are the highest (LEOEdge)", _verdict(sc > max(ls, sl), False),
                f"per episode: server-container {sc:.0f}, LBS-server {ls:.0f}, satellite-LBS {sl:.0f}"))
    st = steps[steps.policy == "leoedge"]
    per100 = st.assign(win=st.step // 100).groupby(["load", "seed", "win"]).agg(
        msg=("msg_satellite_lbs", "sum"), tasks=("decided", "sum"))
    share = float((per100.msg < 1000).mean())
    r = float(np.corrcoef(per100.tasks, per100.msg)[0, 1]) if len(per100) > 2 else np.nan
    out.append(("satellite-LBS messages mostly under 1000 and linear in the task volume",
                _verdict(share >= 0.5 and r >= 0.9, share >= 0.5 or r >= 0.9),
                f"per 100 s window: {share:.0%} of windows under 1000; correlation with tasks decided r = {r:.2f}"))
    return out


def _verdict(held: bool, partly: bool) -> str:
    return "held" if held else ("partly" if partly else "not held")


def claims_markdown(ep: pd.DataFrame, steps: pd.DataFrame) -> str:
    lines = ["| claim (LEOEdge Sec. IX-D) | verdict | measured (mean ± 95 % CI over the seeds) |", "|---|---|---|"]
    lines += [f"| {c} | {v} | {m} |" for c, v, m in claims(ep, steps)]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="leoedge")
    ap.add_argument("--out", default="runs/compare_loads")
    ap.add_argument("--policies", default=POLICIES)
    ap.add_argument("--seeds", default="0-9")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--figures", action="store_true", help="copy Figs. 7-9 to docs/img/<prefix>fig*.png")
    ap.add_argument("--img-prefix", default="", help="file name prefix of the copied figures")
    ap.add_argument("--claims-only", action="store_true", help="evaluate the claims on an existing --out")
    args = ap.parse_args()
    if not args.claims_only:
        argv = ["compare", "--scenario", args.scenario, "--load", "light,normal,heavy", "--policies", args.policies,
                "--seeds", seeds_arg(args.seeds), "--steps", str(args.steps), "--out", args.out,
                "--workers", str(args.workers)] + (["--no-ray"] if args.no_ray else [])
        print("satgym " + " ".join(argv))
        rc = satgym_main(argv)
        if rc:
            return rc
    ep = pd.read_csv(Path(args.out) / "episodes.csv")
    steps = pd.read_csv(Path(args.out) / "steps.csv")
    text = claims_markdown(ep, steps)
    (Path(args.out) / "claims.md").write_text(text + "\n")
    print("\n" + text)
    if args.figures:
        img = ROOT / "docs" / "img"
        img.mkdir(parents=True, exist_ok=True)
        for name in ("fig7_edge_load.png", "fig8_execution_time.png", "fig9_messages.png"):
            shutil.copy(Path(args.out) / name, img / f"{args.img_prefix}{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
