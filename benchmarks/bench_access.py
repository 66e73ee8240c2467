"""Benchmark: England-scale E2SFCA and 2SFCA, ours against PySAL access 1.1.10.

Builds a synthetic problem (35,000 zones, 6,500 practices over 600 x 600 km, clustered in
towns), then times in one run, as medians of repeats: our pair building (KD-tree, 30-minute car
cut-off), and, for each kind of id in the cost table (int64, pandas' default ``str``, which is
Arrow-backed, object strings, categorical), PySAL access's E2SFCA and 2SFCA and ours on the same
table, peer and ours alternating so that the load of a shared machine falls on both alike. Also
times our prebuilt operator (build, evaluate alone). Checks the results agree (largest relative
difference, same NaN pattern), measures the peak memory of the pair building, prints a table and
writes benchmarks/results/access.json.

Run: python benchmarks/bench_access.py [--repeats 3] [--max-minutes 30] [--ids int str ...]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from estates.access.fca import E2SFCA_STEPS, FCAOperator, e2sfca, two_step_fca  # noqa: E402
from estates.access.travel import straight_line  # noqa: E402

N_ZONES, N_PRACTICES, SIDE_M, MAX_MINUTES = 35_000, 6_500, 600_000.0, 30.0
ID_KINDS = ("int", "str", "object", "categorical")


def synthetic(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """Zones and practices clustered in towns of log-normal size, plus a rural scatter."""
    rng = np.random.default_rng(seed)
    n_towns = 400
    towns = rng.uniform(0, SIDE_M, (n_towns, 2))
    size = rng.lognormal(0, 1.0, n_towns)
    share = size / size.sum()
    spread = 1500.0 + 2500.0 * np.sqrt(size)  # bigger towns sprawl further (metres)

    def place(n: int, rural: float) -> np.ndarray:
        n_rural = int(n * rural)
        town = rng.choice(n_towns, n - n_rural, p=share)
        urban = towns[town] + rng.normal(0, 1, (n - n_rural, 2)) * spread[town, None]
        pts = np.vstack([urban, rng.uniform(0, SIDE_M, (n_rural, 2))])
        return np.clip(pts, 0, SIDE_M)

    z = place(N_ZONES, 0.2)
    p = place(N_PRACTICES, 0.15)
    zones = pd.DataFrame(z, columns=["x", "y"], index=[f"E01{i:06d}" for i in range(N_ZONES)])
    practices = pd.DataFrame(p, columns=["x", "y"], index=[f"P{i:05d}" for i in range(N_PRACTICES)])
    demand = pd.Series(rng.integers(1000, 3000, N_ZONES).astype(float), index=zones.index)
    supply = pd.Series(rng.uniform(1, 12, N_PRACTICES), index=practices.index)  # GP FTE
    return zones, practices, demand, supply


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def alternating(
    fns: dict[str, Callable[[], Any]], repeats: int
) -> dict[str, tuple[float, float, Any]]:
    """Median wall time, median CPU time and last result of each function, run in turn within
    each repeat. CPU time (this process, all threads) leaves out the time other processes on a
    shared machine take from us, so its ratios move less with the load."""
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    outs: dict[str, Any] = {}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            outs[k] = fn()
            cpu[k].append(time.process_time() - c0)
            wall[k].append(time.perf_counter() - t0)
    return {k: (statistics.median(wall[k]), statistics.median(cpu[k]), outs[k]) for k in fns}


def max_rel_diff(a: pd.Series, b: pd.Series) -> float:
    """Largest relative difference of a from b; inf if their NaN patterns differ."""
    x = a.to_numpy(float)
    y = b.reindex(a.index).to_numpy(float)
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        return float("inf")
    ok = ~np.isnan(x) & (x != y)  # equal values (infinities included) differ by 0
    if not ok.any():
        return 0.0
    return float(np.max(np.abs(x[ok] - y[ok]) / np.maximum(np.abs(y[ok]), 1e-300)))


def with_ids(
    kind: str, cost: pd.DataFrame, demand: pd.Series, supply: pd.Series
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The same problem with ids of one kind in the cost table and on demand and supply."""
    if kind == "categorical":  # as straight_line returns them
        return cost, demand, supply
    if kind == "int":
        # Numeric ids away from 0, as codes read from a file would be: zone 1,000,000 + i and
        # practice 50,000 + j.
        zone_no = pd.Series(1_000_000 + np.arange(len(demand)), index=demand.index)
        prac_no = pd.Series(50_000 + np.arange(len(supply)), index=supply.index)
        table = pd.DataFrame(
            {
                "origin": zone_no.to_numpy()[cost["origin"].cat.codes.to_numpy()],
                "destination": prac_no.to_numpy()[cost["destination"].cat.codes.to_numpy()],
                "cost": cost["cost"].to_numpy(),
            }
        )
        return (
            table,
            pd.Series(demand.to_numpy(), index=pd.Index(zone_no.to_numpy())),
            pd.Series(supply.to_numpy(), index=pd.Index(prac_no.to_numpy())),
        )
    dtype = {"str": "str", "object": object}[kind]
    table = cost.astype({"origin": dtype, "destination": dtype})
    return (
        table,
        pd.Series(demand.to_numpy(), index=demand.index.astype(dtype)),
        pd.Series(supply.to_numpy(), index=supply.index.astype(dtype)),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-minutes", type=float, default=MAX_MINUTES)
    parser.add_argument("--ids", nargs="+", choices=ID_KINDS, default=list(ID_KINDS))
    args = parser.parse_args()
    import access  # the peer; a test/benchmark dependency only

    max_minutes = args.max_minutes
    zones, practices, demand, supply = synthetic()
    t_pairs, pairs = median_time(
        lambda: straight_line(zones, practices, max_minutes=max_minutes, mode="car"), args.repeats
    )
    tracemalloc.start()
    straight_line(zones, practices, max_minutes=max_minutes, mode="car")
    _, peak_pairs = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    cost = pairs.rename(columns={"minutes": "cost"})
    n_unreached = int((~zones.index.isin(cost["origin"])).sum())

    def peer(method: str, table: pd.DataFrame, d: pd.Series, s: pd.Series) -> pd.Series:
        a = access.Access(
            demand_df=d.rename("pop").to_frame().rename_axis("geoid"),
            demand_value="pop",
            supply_df=s.rename("gp").to_frame().rename_axis("geoid"),
            supply_value="gp",
            cost_df=table.rename(columns={"destination": "dest"}),
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
        if method == "e2sfca":
            return a.enhanced_two_stage_fca(name="x", max_cost=max_minutes)["x_gp"]
        return a.two_stage_fca(name="x", max_cost=max_minutes)["x_gp"]

    by_ids: dict[str, dict[str, Any]] = {}
    for kind in args.ids:
        table, d, s = with_ids(kind, cost, demand, supply)
        got = alternating(
            {
                "e2sfca_peer": lambda t=table, d=d, s=s: peer("e2sfca", t, d, s),
                "e2sfca_ours": lambda t=table, d=d, s=s: e2sfca(d, s, t, max_cost=max_minutes),
                "2sfca_peer": lambda t=table, d=d, s=s: peer("2sfca", t, d, s),
                "2sfca_ours": lambda t=table, d=d, s=s: two_step_fca(
                    d, s, t, max_cost=max_minutes
                ),
            },
            args.repeats,
        )
        by_ids[kind] = {
            "seconds_median": {k: t for k, (t, _, _) in got.items()},
            "cpu_seconds_median": {k: c for k, (_, c, _) in got.items()},
            "e2sfca_peer_over_ours": got["e2sfca_peer"][0] / got["e2sfca_ours"][0],
            "2sfca_peer_over_ours": got["2sfca_peer"][0] / got["2sfca_ours"][0],
            "e2sfca_cpu_peer_over_ours": got["e2sfca_peer"][1] / got["e2sfca_ours"][1],
            "2sfca_cpu_peer_over_ours": got["2sfca_peer"][1] / got["2sfca_ours"][1],
            "e2sfca_max_rel_diff": max_rel_diff(got["e2sfca_ours"][2], got["e2sfca_peer"][2]),
            "2sfca_max_rel_diff": max_rel_diff(got["2sfca_ours"][2], got["2sfca_peer"][2]),
        }
        print(f"{kind} ids done", flush=True)
    # The peer at its best: its fastest kind of id in this run.
    best = {
        m: min(v["seconds_median"][f"{m}_peer"] for v in by_ids.values())
        for m in ("e2sfca", "2sfca")
    }
    for v in by_ids.values():
        for m in ("e2sfca", "2sfca"):
            v[f"{m}_best_peer_over_ours"] = best[m] / v["seconds_median"][f"{m}_ours"]

    t_build, op = median_time(
        lambda: FCAOperator.build(
            demand.index, supply.index, cost, max_cost=max_minutes, weight=E2SFCA_STEPS
        ),
        args.repeats,
    )
    d_arr, s_arr = demand.to_numpy(), supply.to_numpy()
    t_eval, ours_eval = median_time(lambda: op.evaluate(d_arr, s_arr), max(args.repeats, 20))
    operator_diff = max_rel_diff(ours_eval, e2sfca(demand, supply, cost, max_cost=max_minutes))

    print(
        f"zones {N_ZONES:,}, practices {N_PRACTICES:,}, pairs within {max_minutes:g} min by car: "
        f"{len(cost):,}; zones reaching no practice: {n_unreached:,}; repeats {args.repeats}"
    )
    print(f"pair building (KD-tree): {t_pairs:.3f} s")
    print("medians; peer/ours in wall time, then in CPU time; best: the peer on its fastest ids")
    head = f"{'ids':12s} {'method':7s} {'peer s':>8s} {'ours ms':>8s} {'peer/ours':>10s}"
    print(f"{head} {'cpu':>7s} {'best peer/ours':>15s} {'max rel diff':>13s}")
    for kind, v in by_ids.items():
        sec = v["seconds_median"]
        for m in ("e2sfca", "2sfca"):
            print(
                f"{kind:12s} {m:7s} {sec[f'{m}_peer']:8.3f} {sec[f'{m}_ours'] * 1000:8.1f} "
                f"{v[f'{m}_peer_over_ours']:9.1f}x {v[f'{m}_cpu_peer_over_ours']:6.1f}x "
                f"{v[f'{m}_best_peer_over_ours']:14.1f}x {v[f'{m}_max_rel_diff']:13.2g}"
            )
    print(
        f"E2SFCA operator (categorical ids): build {t_build * 1000:.1f} ms, evaluate alone "
        f"{t_eval * 1000:.2f} ms ({best['e2sfca'] / t_eval:.0f}x the best peer); max rel diff "
        f"to the one-call result {operator_diff:.2g}"
    )
    print(
        f"pair building peak traced memory: {peak_pairs / 2**20:.1f} MiB; process max RSS: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    worst = max(max(v["e2sfca_max_rel_diff"], v["2sfca_max_rel_diff"]) for v in by_ids.values())
    out = {
        "problem": {
            "zones": N_ZONES,
            "practices": N_PRACTICES,
            "side_km": SIDE_M / 1000,
            "max_minutes": max_minutes,
            "mode": "car",
            "pairs": len(cost),
            "zones_reaching_nothing": n_unreached,
            "repeats": args.repeats,
        },
        "by_ids": by_ids,
        "best_peer_s": best,
        "pair_building_s": t_pairs,
        "operator_build_s": t_build,
        "operator_evaluate_s": t_eval,
        "operator_max_rel_diff": operator_diff,
        "max_rel_diff": worst,
        "pair_building_peak_traced_mib": peak_pairs / 2**20,
        "process_max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "access": getattr(access, "__version__", "?"),
        },
    }
    path = Path(__file__).resolve().parent / "results" / "access.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
