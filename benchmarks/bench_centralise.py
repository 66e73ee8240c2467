"""Benchmark the centralisation analysis.

Measures, in one run, time (best of repeats) and peak Python memory (tracemalloc):
- 7 choose 3 over 100,000 synthetic zones (straight-line matrix built once, then all 35
  combinations scored on every figure);
- an exact p-median choosing k of 200 sites (HiGHS via scipy.optimize.milp), against PySAL
  spopt's PMedian (PuLP with CBC) on the same cost matrix and weights, with both objectives.

Prints a table and writes ``benchmarks/results/centralise.json``.
Run: ``python benchmarks/bench_centralise.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from estates.options.centralise import centralise, solve_milp  # noqa: E402

BANDS = ["pop_0_4", "pop_5_14", "pop_15_44", "pop_45_64", "pop_65_74", "pop_75_84",
         "pop_85_plus"]


def zones(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = pd.DataFrame(rng.integers(0, 400, size=(n, 7)).astype(float), columns=BANDS,
                     index=[f"Z{i:06d}" for i in range(n)])
    z["ruc21"] = rng.choice(["UN1", "UF1", "RLN1", "RSN1"], n)
    z["x"] = rng.uniform(500_000, 640_000, n)
    z["y"] = rng.uniform(100_000, 190_000, n)
    return z


def sites(n: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"name": [f"site {j}" for j in range(n)],
                         "x": rng.uniform(500_000, 640_000, n),
                         "y": rng.uniform(100_000, 190_000, n), "capacity": np.nan},
                        index=[f"S{j:03d}" for j in range(n)])


def measure(fn: Any, repeats: int) -> tuple[float, float, Any]:
    """Best wall time over ``repeats`` and the peak traced memory (MB) of one run."""
    tracemalloc.start()
    out = fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), peak, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller instances")
    args = parser.parse_args()
    n_zones = 10_000 if args.quick else 100_000
    pm_zones, pm_sites, pm_k = (150, 50, 5) if args.quick else (300, 200, 10)
    results: dict[str, Any] = {"python": platform.python_version(),
                               "machine": platform.machine()}

    z, s = zones(n_zones), sites(7)
    t, mem, out = measure(lambda: centralise(z, s, 3), repeats=3)
    results["choose_3_of_7"] = {"zones": n_zones, "combinations": int(len(out.ranked)),
                                "seconds": round(t, 3), "peak_mb": round(mem, 1)}
    print(f"7 choose 3 over {n_zones:,} zones: {len(out.ranked)} combinations, {t:.2f} s, "
          f"peak {mem:,.0f} MB (tracemalloc)")

    rng = np.random.default_rng(3)
    pz = zones(pm_zones, seed=4)
    ps = sites(pm_sites, seed=5)
    cost = np.hypot(pz["x"].to_numpy()[:, None] - ps["x"].to_numpy()[None, :],
                    pz["y"].to_numpy()[:, None] - ps["y"].to_numpy()[None, :]) / 1000.0
    weights = rng.integers(1, 100, pm_zones).astype(float)
    t, mem, ours = measure(lambda: solve_milp(cost, weights, pm_k, objective="p-median"),
                           repeats=1)
    row: dict[str, Any] = {"zones": pm_zones, "sites": pm_sites, "k": pm_k,
                           "estates_seconds": round(t, 3), "estates_peak_mb": round(mem, 1),
                           "estates_objective": round(ours.objective, 3)}
    print(f"p-median {pm_k} of {pm_sites} sites, {pm_zones:,} zones: estates (HiGHS) {t:.2f} s, "
          f"peak {mem:,.0f} MB, objective {ours.objective:,.3f}")
    try:
        import pulp
        from spopt.locate import PMedian

        def peer() -> Any:
            model = PMedian.from_cost_matrix(cost, weights, p_facilities=pm_k)
            return model.solve(pulp.PULP_CBC_CMD(msg=False))

        t, mem, solved = measure(peer, repeats=1)
        objective = float(pulp.value(solved.problem.objective))
        row.update({"spopt_seconds": round(t, 3), "spopt_peak_mb": round(mem, 1),
                    "spopt_objective": round(objective, 3),
                    "objective_gap": round(ours.objective - objective, 6)})
        print(f"  spopt PMedian (PuLP CBC) {t:.2f} s, peak {mem:,.0f} MB (Python side only; "
              f"CBC runs in its own process), objective {objective:,.3f}")
    except ImportError as exc:
        row["spopt"] = f"not installed ({exc})"
    results["p_median"] = row
    out_dir = ROOT / "benchmarks" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "centralise.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
