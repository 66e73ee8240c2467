"""Exhaustive enumeration against the exact MILP on random instances, and invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from estates.assumptions import Assumptions
from estates.options.centralise import RankRule, centralise, enumerate_combinations, solve_milp
from estates.options.centralise.score import nearest

A = Assumptions(circuity=1.0, speed_car_kmh=60.0)


def random_instance(seed: int, n_zones: int = 25, n_sites: int = 7) -> tuple[pd.DataFrame,
                                                                            pd.DataFrame]:
    rng = np.random.default_rng(seed)
    bands = ["pop_0_4", "pop_5_14", "pop_15_44", "pop_45_64", "pop_65_74", "pop_75_84",
             "pop_85_plus"]
    z = pd.DataFrame(rng.integers(0, 300, size=(n_zones, 7)).astype(float), columns=bands,
                     index=[f"Z{i}" for i in range(n_zones)])
    z["ruc21"] = rng.choice(["UN1", "RLN1", "RSF1"], n_zones)
    z["x"] = rng.uniform(0, 60_000, n_zones)
    z["y"] = rng.uniform(0, 40_000, n_zones)
    s = pd.DataFrame({"name": [f"site {j}" for j in range(n_sites)],
                      "x": rng.uniform(0, 60_000, n_sites), "y": rng.uniform(0, 40_000, n_sites),
                      "capacity": np.nan}, index=[f"S{j}" for j in range(n_sites)])
    return z, s


def brute(times: np.ndarray, w: np.ndarray, k: int, f) -> float:  # type: ignore[no-untyped-def]
    """The best value of f over every k-subset, by a plain loop (independent of the scorer)."""
    return min(f(times[:, list(c)].min(axis=1), w) for c in
               itertools.combinations(range(times.shape[1]), k))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("k", [2, 3])
def test_milp_equals_enumeration(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    times = rng.uniform(1, 90, size=(30, 7))
    w = rng.integers(0, 50, 30).astype(float)
    median = solve_milp(times, w, k, objective="p-median")
    assert median.objective == pytest.approx(brute(times, w, k, lambda t, w: (t * w).sum()))
    centre = solve_milp(times, w, k, objective="p-centre")
    assert centre.objective == pytest.approx(brute(times, w, k, lambda t, w: t[w > 0].max()))
    cover = solve_milp(times, w, k, objective="coverage", threshold=30.0)
    assert cover.objective == pytest.approx(-brute(times, w, k, lambda t, w: -w[t <= 30].sum()))
    # the chosen set achieves the objective it reports
    chosen = times[:, list(median.combo)].min(axis=1)
    assert (chosen * w).sum() == pytest.approx(median.objective)


@pytest.mark.parametrize("seed", [5, 6])
def test_milp_path_of_centralise_matches_enumeration(seed: int) -> None:
    z, s = random_instance(seed)
    for text in ("emergency_pct_65plus_all_within_30:max", "emergency_mean_minutes_all:min",
                 "emergency_max_minutes:min"):
        rule = RankRule.parse(text)
        column = rule.keys[0][0]
        listed = centralise(z, s, 3, rule=rule, assumptions=A)
        solved = centralise(z, s, 3, rule=rule, assumptions=A, max_enumerate=0)
        assert "MILP" in solved.method
        assert solved.best[column] == pytest.approx(listed.best[column])


def test_must_keep_and_must_close_respected() -> None:
    z, s = random_instance(7)
    out = centralise(z, s, 3, must_keep=["S2"], must_close=["S5"], assumptions=A)
    ranked = out.ranked
    assert len(ranked) == 10  # choose 2 of the 5 sites left: C(5, 2)
    assert all("S2" in r.split("+") for r in ranked["sites"])
    assert not any("S5" in r.split("+") for r in ranked["sites"])
    solved = centralise(z, s, 3, must_keep=["S2"], must_close=["S5"], assumptions=A,
                        max_enumerate=0)
    best = solved.best["sites"].split("+")
    assert "S2" in best and "S5" not in best


def test_keeping_more_sites_never_lengthens_a_journey() -> None:
    rng = np.random.default_rng(11)
    times = rng.uniform(0, 100, size=(200, 8))
    for k in range(1, 8):
        for combo in enumerate_combinations(8, k):
            small, _ = nearest(times, combo[None, :])
            for extra in set(range(8)) - set(combo):
                bigger = np.sort(np.append(combo, extra))
                large, _ = nearest(times, bigger[None, :])
                assert (large <= small).all()


def test_enumeration_lists_every_combination_once() -> None:
    combos = enumerate_combinations(7, 3, keep=[0], close=[6])
    assert len(combos) == 10  # C(5, 2)
    assert len({tuple(c) for c in combos}) == 10
    assert all(0 in c and 6 not in c for c in combos)


def test_served_adds_up_to_residents() -> None:
    z, s = random_instance(9)
    out = centralise(z, s, 3, assumptions=A)
    total = z[[c for c in z.columns if c.startswith("pop_")]].to_numpy().sum()
    for rows in out.served.values():
        assert sum(r["residents"] for r in rows) == pytest.approx(total)


def test_dense_straight_line_equals_the_travel_provider() -> None:
    from estates.access.travel import straight_line
    from estates.options.centralise.times import straight_line_dense

    z, s = random_instance(12, n_zones=40)
    a = Assumptions()
    dense = straight_line_dense(z[["x", "y"]], s, assumptions=a)
    pairs = straight_line(z[["x", "y"]], s[["x", "y"]], max_minutes=1e6, mode="car",
                          assumptions=a)
    sparse = pairs.pivot(index="origin", columns="destination", values="minutes")
    assert np.allclose(dense, sparse.loc[z.index, s.index].to_numpy())
