"""Benchmark: England-scale E2SFCA and 2SFCA, ours against PySAL access 1.1.10.

Builds a synthetic problem (35,000 zones, 6,500 practices over 600 x 600 km, clustered in
towns), then times in one run, as medians of repeats: our pair building (KD-tree, 30-minute car
cut-off), PySAL access's E2SFCA and 2SFCA on the same sparse cost table, and ours (build the
operator + evaluate, and evaluate alone). Checks the results agree and measures the peak memory
of the pair building. Prints a table and writes benchmarks/results/access.json.

Run: python benchmarks/bench_access.py [--repeats 3]
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


def max_rel_diff(a: pd.Series, b: pd.Series) -> float:
    a, b = a.to_numpy(float), b.reindex(a.index).to_numpy(float) if isinstance(b, pd.Series) else b
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return float("inf")
    ok = ~np.isnan(a)
    return float(np.max(np.abs(a[ok] - b[ok]) / np.maximum(np.abs(b[ok]), 1e-300)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import access  # the peer; a test/benchmark dependency only

    zones, practices, demand, supply = synthetic()
    t_pairs, pairs = median_time(
        lambda: straight_line(zones, practices, max_minutes=MAX_MINUTES, mode="car"), args.repeats
    )
    tracemalloc.start()
    straight_line(zones, practices, max_minutes=MAX_MINUTES, mode="car")
    _, peak_pairs = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    cost = pairs.rename(columns={"minutes": "cost"})
    n_unreached = int((~zones.index.isin(cost["origin"])).sum())

    # The peer gets plain string ids (converted outside its timing): categorical ids slow its
    # merges down threefold, and the comparison should be with the peer at its best.
    plain = cost.astype({"origin": str, "destination": str})
    peer_cost = plain.rename(columns={"destination": "dest"})
    demand_df = demand.rename("pop").to_frame().rename_axis("geoid")
    supply_df = supply.rename("gp").to_frame().rename_axis("geoid")

    def peer(method: str) -> pd.Series:
        a = access.Access(
            demand_df=demand_df,
            demand_value="pop",
            supply_df=supply_df,
            supply_value="gp",
            cost_df=peer_cost,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
        if method == "e2sfca":
            return a.enhanced_two_stage_fca(name="x", max_cost=MAX_MINUTES)["x_gp"]
        return a.two_stage_fca(name="x", max_cost=MAX_MINUTES)["x_gp"]

    t_peer_e2, peer_e2 = median_time(lambda: peer("e2sfca"), args.repeats)
    t_peer_2, peer_2 = median_time(lambda: peer("2sfca"), args.repeats)
    t_ours_e2, ours_e2 = median_time(
        lambda: e2sfca(demand, supply, cost, max_cost=MAX_MINUTES), args.repeats
    )
    t_ours_2, ours_2 = median_time(
        lambda: two_step_fca(demand, supply, cost, max_cost=MAX_MINUTES), args.repeats
    )
    t_ours_plain, ours_plain = median_time(
        lambda: e2sfca(demand, supply, plain, max_cost=MAX_MINUTES), args.repeats
    )
    t_build, op = median_time(
        lambda: FCAOperator.build(
            demand.index, supply.index, cost, max_cost=MAX_MINUTES, weight=E2SFCA_STEPS
        ),
        args.repeats,
    )
    d_arr, s_arr = demand.to_numpy(), supply.to_numpy()
    t_eval, ours_eval = median_time(lambda: op.evaluate(d_arr, s_arr), max(args.repeats, 20))

    rows = [
        ("pair building (KD-tree, s)", t_pairs, None),
        ("E2SFCA: PySAL access (s)", t_peer_e2, None),
        ("E2SFCA: ours, build + evaluate (s)", t_ours_e2, t_peer_e2 / t_ours_e2),
        ("E2SFCA: ours, same on string ids (s)", t_ours_plain, t_peer_e2 / t_ours_plain),
        ("E2SFCA: ours, prebuilt operator build (s)", t_build, None),
        ("E2SFCA: ours, evaluate only (s)", t_eval, t_peer_e2 / t_eval),
        ("2SFCA: PySAL access (s)", t_peer_2, None),
        ("2SFCA: ours, build + evaluate (s)", t_ours_2, t_peer_2 / t_ours_2),
    ]
    diffs = {
        "e2sfca_max_rel_diff": max_rel_diff(ours_e2, peer_e2),
        "e2sfca_operator_max_rel_diff": max_rel_diff(ours_eval, peer_e2),
        "e2sfca_string_ids_max_rel_diff": max_rel_diff(ours_plain, peer_e2),
        "2sfca_max_rel_diff": max_rel_diff(ours_2, peer_2),
    }
    print(
        f"zones {N_ZONES:,}, practices {N_PRACTICES:,}, pairs within {MAX_MINUTES:g} min by car: "
        f"{len(cost):,}; zones reaching no practice: {n_unreached:,}; repeats {args.repeats}"
    )
    print(f"{'figure':45s} {'median':>10s} {'peer / ours':>14s}")
    for name, t, ratio in rows:
        print(f"{name:45s} {t:10.4f} {f'{ratio:.1f}x' if ratio else '':>14s}")
    print(
        f"pair building peak traced memory: {peak_pairs / 2**20:.1f} MiB; process max RSS: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    for k, v in diffs.items():
        print(f"{k}: {v:.3g}")
    out = {
        "problem": {
            "zones": N_ZONES,
            "practices": N_PRACTICES,
            "side_km": SIDE_M / 1000,
            "max_minutes": MAX_MINUTES,
            "mode": "car",
            "pairs": len(cost),
            "zones_reaching_nothing": n_unreached,
            "repeats": args.repeats,
        },
        "seconds_median": {name: t for name, t, _ in rows},
        "ratios": {
            "e2sfca_peer_over_ours": t_peer_e2 / t_ours_e2,
            "e2sfca_peer_over_ours_string_ids": t_peer_e2 / t_ours_plain,
            "e2sfca_peer_over_evaluate_only": t_peer_e2 / t_eval,
            "2sfca_peer_over_ours": t_peer_2 / t_ours_2,
        },
        "pair_building_peak_traced_mib": peak_pairs / 2**20,
        "process_max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **diffs,
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
