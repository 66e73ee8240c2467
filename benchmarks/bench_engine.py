"""Time and peak memory of a full evaluation at demo and at England scale.

Targets (issue 4): demo under 0.2 s and England (about 6,500 practices and 35,000 zones) under
10 s once the region is loaded. The maximum flow at the heart of 'capacity in the wrong place'
is also timed against peers on the same graph, in the same run: networkx's maximum flow and the
HiGHS linear program (``min_travel_assignment``). Prints a table and writes
benchmarks/results/engine.json.

Run: python benchmarks/bench_engine.py [--repeats N] [--skip-england]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402

from estates.access.older_access import zone_points  # noqa: E402
from estates.access.travel import straight_line  # noqa: E402
from estates.assumptions import Assumptions  # noqa: E402
from estates.engine.evaluate import evaluate  # noqa: E402
from estates.engine.misplaced import max_served, min_travel_assignment  # noqa: E402
from estates.io.region import demo_region  # noqa: E402


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def peak_mb(fn) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def networkx_served(demand, supply, pairs) -> float:
    g = nx.DiGraph()
    for z, d in demand.items():
        g.add_edge("source", ("z", z), capacity=int(round(d)))
    for s, c in supply.items():
        g.add_edge(("s", s), "sink", capacity=int(round(c)))
    for o, d in zip(pairs["origin"], pairs["destination"], strict=True):
        g.add_edge(("z", o), ("s", d), capacity=int(round(demand[o])))
    value, _ = nx.maximum_flow(g, "source", "sink")
    return float(value)


def flow_problem(region, a):
    from estates.engine.capacity import site_capacity

    res = evaluate(region, assumptions=a)
    demand = res.zones["demand_horizon"]
    supply = site_capacity(region.practices, a)["premises_capacity"]

    pts = zone_points(region.zones)
    pairs = straight_line(pts, region.practices, max_minutes=a.threshold_minutes, assumptions=a)
    return demand, supply, pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-england", action="store_true")
    args = parser.parse_args()
    a = Assumptions()
    rows = []
    results: dict[str, object] = {}

    demo = demo_region()
    evaluate(demo)  # warm caches and imports
    t = timed(lambda: evaluate(demo), args.repeats)
    results["demo_evaluate_s"] = statistics.median(t)
    rows.append(("demo: full evaluation", f"{statistics.median(t) * 1000:.0f} ms", "target < 200 ms", ""))

    demand, supply, pairs = flow_problem(demo, a)
    ours = timed(lambda: max_served(demand, supply, pairs), args.repeats)
    peer = timed(lambda: networkx_served(demand, supply, pairs), max(3, args.repeats // 2))
    lp = timed(lambda: min_travel_assignment(demand, supply, pairs), max(3, args.repeats // 2))
    same = abs(max_served(demand, supply, pairs).served_total - networkx_served(demand, supply, pairs))
    results.update(demo_maxflow_s=statistics.median(ours), demo_networkx_s=statistics.median(peer),
                   demo_highs_lp_s=statistics.median(lp), demo_served_difference=same)
    rows.append(("demo: max flow (scipy) vs networkx", f"{statistics.median(ours) * 1000:.1f} ms",
                 f"{statistics.median(peer) * 1000:.1f} ms",
                 f"{statistics.median(peer) / statistics.median(ours):.1f}x faster"))
    rows.append(("demo: max flow (scipy) vs HiGHS LP", f"{statistics.median(ours) * 1000:.1f} ms",
                 f"{statistics.median(lp) * 1000:.1f} ms",
                 f"{statistics.median(lp) / statistics.median(ours):.1f}x faster"))

    if not args.skip_england:
        from synthetic import england

        t0 = time.perf_counter()
        region = england()
        results["england_build_s"] = time.perf_counter() - t0
        evaluate(region)
        t = timed(lambda: evaluate(region), 3)
        mem = peak_mb(lambda: evaluate(region))
        results.update(england_evaluate_s=statistics.median(t), england_peak_mb=mem,
                       england_practices=len(region.practices), england_zones=len(region.zones),
                       england_sites=len(region.growth.sites))
        rows.append(("England: full evaluation", f"{statistics.median(t):.2f} s", "target < 10 s", ""))
        rows.append(("England: peak traced memory", f"{mem:.0f} MB", "", ""))
        demand, supply, pairs = flow_problem(region, a)
        ours = timed(lambda: max_served(demand, supply, pairs), 3)
        results["england_maxflow_s"] = statistics.median(ours)
        results["england_pairs"] = len(pairs)
        rows.append(("England: max flow alone", f"{statistics.median(ours):.2f} s",
                     f"{len(pairs):,} zone-site pairs", ""))

    width = max(len(r[0]) for r in rows)
    print(f"{'figure'.ljust(width)}  {'estates':>12}  {'peer / target':>22}  ratio")
    for name, ours_s, peer_s, ratio in rows:
        print(f"{name.ljust(width)}  {ours_s:>12}  {peer_s:>22}  {ratio}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "engine.json").write_text(json.dumps(results, indent=2, default=float) + "\n")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
