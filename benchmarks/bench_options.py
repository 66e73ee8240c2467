"""Benchmark the options tools: evaluating one scenario change, and the site finder.

Measures, in one run (medians of repeats):
- demo scale (the bundled West Kent region): apply + evaluate + compare for each change type;
- England scale (synthetic: ~6,500 practices, 35,000 zones, 3,000 candidates, 10,000 housing
  sites): building the baseline, then apply + evaluate + compare for one change;
- the site finder on the demo: exact MILP and greedy (time, unmet demand, gap to the bound);
- against PySAL spopt's MCLP on a shared uncapacitated coverage instance (the demo's zones and
  candidates): time and covered demand of both, and the gap;
- the greedy site finder at England scale, with its gap to the linear relaxation's bound.

Prints a table and writes ``benchmarks/results/options.json``.
Run: ``python benchmarks/bench_options.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from synthetic import england  # noqa: E402

from estates.access.travel import minutes_per_metre  # noqa: E402
from estates.engine.evaluate import evaluate  # noqa: E402
from estates.io.region import demo_region  # noqa: E402
from estates.model import Region  # noqa: E402
from estates.options.apply import apply_with_costs  # noqa: E402
from estates.options.compare import compare  # noqa: E402
from estates.options.optimise import (  # noqa: E402
    Instance,
    build_instance,
    lp_bound,
    solve_greedy,
    solve_milp,
)
from estates.options.scenario import Scenario  # noqa: E402


def median_time(fn: Any, repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def one_change(region: Region, baseline: Any, change: dict[str, Any]) -> Any:
    applied = apply_with_costs(region, Scenario("bench", (change,)))
    option = evaluate(applied.region, region.growth)
    return compare(baseline, option, costs=applied.costs)


# ------------------------------------------------------------------------------ spopt


def coverage_instance(region: Region, baseline: Any) -> tuple[Instance, np.ndarray, float]:
    """The demo's zones and candidates as an uncapacitated coverage instance, and the full
    zone x candidate distance matrix (metres) and radius spopt needs."""
    a = baseline.assumptions
    radius = a.threshold_minutes / minutes_per_metre(a.travel_mode, a)
    z = baseline.zones[["x", "y"]].to_numpy()
    c = np.column_stack([region.candidates.geometry.x, region.candidates.geometry.y])
    dist = np.hypot(z[:, None, 0] - c[None, :, 0], z[:, None, 1] - c[None, :, 1])
    weights = np.rint(baseline.zones["demand_horizon"].to_numpy())
    zi, ji = np.nonzero(dist <= radius)
    nj = len(c)
    inst = Instance(weights, np.zeros(0), nj, np.arange(nj), np.full(nj, weights.sum()),
                    np.zeros(nj), (np.zeros(0, dtype=int), np.zeros(0, dtype=int)), (zi, ji))
    return inst, dist, radius


def bench_spopt(inst: Instance, dist: np.ndarray, radius: float, p: int,
                repeats: int) -> dict[str, Any]:
    import pulp
    from spopt.locate import MCLP

    def ours() -> float:
        return float(inst.demand.sum() - solve_milp(inst, k=p).unmet)

    def theirs() -> float:
        m = MCLP.from_cost_matrix(dist, inst.demand, service_radius=radius, p_facilities=p)
        m = m.solve(pulp.PULP_CBC_CMD(msg=False))
        return float(pulp.value(m.problem.objective))

    t_ours, cov_ours = median_time(ours, repeats)
    t_theirs, cov_theirs = median_time(theirs, repeats)
    return {"p": p, "zones": int(len(inst.demand)), "candidates": int(inst.n_places),
            "estates_milp_s": t_ours, "spopt_mclp_cbc_s": t_theirs,
            "estates_covered": cov_ours, "spopt_covered": cov_theirs,
            "gap_patients": cov_theirs - cov_ours}


# ------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no England LP bound")
    args = parser.parse_args()
    reps = 3 if args.quick else 5
    out: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(),
                           "repeats": reps}

    # demo: one change at a time
    region = demo_region()
    baseline = evaluate(region)
    out["demo_evaluate_s"], _ = median_time(lambda: evaluate(region), reps)
    changes = {
        "colocate (library satellite)": {"type": "colocate", "practice_code": "Z99031",
                                         "candidate_id": "LIB08"},
        "add_satellite (point)": {"type": "add_satellite", "parent_code": "Z99036",
                                  "easting": 576650, "northing": 130060, "gia_m2": 250},
        "extend": {"type": "extend", "practice_code": "Z99015", "gia_m2": 200},
        "relocate": {"type": "relocate", "practice_code": "Z99040", "candidate_id": "LIB17"},
        "merge": {"type": "merge", "hub_code": "Z99005", "practices": ["Z99009"]},
        "close_site": {"type": "close_site", "practice_code": "Z99501"},
    }
    out["demo_change_s"] = {}
    for name, change in changes.items():
        t, _ = median_time(lambda c=change: one_change(region, baseline, c), reps)
        out["demo_change_s"][name] = t

    # demo: the site finder
    inst, _ = build_instance(region, baseline)
    finder = {}
    for k in (1, 2, 3, 5):
        t_m, sol_m = median_time(lambda k=k: solve_milp(inst, k=k), reps)
        t_g, sol_g = median_time(lambda k=k: solve_greedy(inst, k=k, with_bound=False), reps)
        finder[str(k)] = {"options": inst.n_options, "milp_s": t_m, "milp_unmet": sol_m.unmet,
                          "greedy_s": t_g, "greedy_unmet": sol_g.unmet,
                          "greedy_gap_to_optimum": sol_g.unmet - sol_m.unmet}
    out["demo_site_finder"] = finder
    print("demo done", flush=True)

    # spopt on the shared coverage instance
    try:
        cov, dist, radius = coverage_instance(region, baseline)
        out["spopt_mclp"] = [bench_spopt(cov, dist, radius, p, reps) for p in (2, 5)]
    except ImportError as exc:
        out["spopt_mclp"] = f"skipped: {exc}"

    # England
    t = time.perf_counter()
    big = england(candidates=3000, sites=10_000)
    out["england_build_s"] = time.perf_counter() - t
    out["england_size"] = {"practices": len(big.practices), "zones": len(big.zones),
                           "candidates": len(big.candidates), "housing_sites": len(big.growth.sites)}
    t = time.perf_counter()
    big_base = evaluate(big)
    out["england_evaluate_s"] = time.perf_counter() - t
    print(f"England region built and evaluated ({out['england_evaluate_s']:.1f} s)", flush=True)
    big_changes = {
        "add_satellite": {"type": "add_satellite", "parent_code": "P00001",
                          "candidate_id": "C00001", "gia_m2": 80},
        "extend": {"type": "extend", "practice_code": "P00002", "gia_m2": 200},
    }
    out["england_change_s"] = {}
    for name, change in big_changes.items():
        t_c, _ = median_time(lambda c=change: one_change(big, big_base, c), max(reps // 2, 1))
        out["england_change_s"][name] = t_c
    print("England changes timed", flush=True)
    t = time.perf_counter()
    big_inst, _ = build_instance(big, big_base, sizes_m2=(200.0,))
    build_s = time.perf_counter() - t
    t_g, sol = median_time(lambda: solve_greedy(big_inst, k=5, with_bound=False), 1)
    eng: dict[str, Any] = {"options": big_inst.n_options, "build_instance_s": build_s,
                           "greedy_k5_s": t_g, "greedy_unmet": sol.unmet}
    if not args.quick:
        t = time.perf_counter()
        bound = lp_bound(big_inst, k=5)
        eng["lp_bound_s"] = time.perf_counter() - t
        eng["lp_bound"] = bound
        eng["greedy_gap_to_bound"] = sol.unmet - bound
    out["england_site_finder"] = eng

    _print(out)
    path = ROOT / "benchmarks" / "results" / "options.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, default=float) + "\n")
    print(f"wrote {path}")


def _print(out: dict[str, Any]) -> None:
    print(f"{'measure':<55}{'value':>14}")
    print(f"{'demo evaluate (s)':<55}{out['demo_evaluate_s']:>14.3f}")
    for k, v in out["demo_change_s"].items():
        print(f"{'demo one change: ' + k + ' (s)':<55}{v:>14.3f}")
    for k, v in out["demo_site_finder"].items():
        print(f"{f'demo site finder k={k}: MILP s / greedy s':<55}"
              f"{v['milp_s']:>7.3f}{v['greedy_s']:>7.3f}")
        print(f"{f'demo site finder k={k}: greedy gap (patients)':<55}"
              f"{v['greedy_gap_to_optimum']:>14.1f}")
    if isinstance(out["spopt_mclp"], list):
        for r in out["spopt_mclp"]:
            print(f"{'MCLP p=' + str(r['p']) + ': estates MILP s / spopt CBC s':<55}"
                  f"{r['estates_milp_s']:>7.3f}{r['spopt_mclp_cbc_s']:>7.3f}")
            print(f"{'MCLP p=' + str(r['p']) + ': gap in covered demand':<55}"
                  f"{r['gap_patients']:>14.1f}")
    print(f"{'England build synthetic region (s)':<55}{out['england_build_s']:>14.2f}")
    print(f"{'England evaluate baseline (s)':<55}{out['england_evaluate_s']:>14.2f}")
    for k, v in out["england_change_s"].items():
        print(f"{'England one change: ' + k + ' (s)':<55}{v:>14.2f}")
    e = out["england_site_finder"]
    print(f"{'England site finder greedy k=5 (s)':<55}{e['greedy_k5_s']:>14.2f}")
    if "lp_bound" in e:
        print(f"{'England greedy gap to LP bound (patients)':<55}"
              f"{e['greedy_gap_to_bound']:>14.1f}")


if __name__ == "__main__":
    main()
