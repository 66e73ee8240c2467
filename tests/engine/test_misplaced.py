from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from estates.engine.misplaced import max_served, min_travel_assignment


def _pairs(edges: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(edges, columns=["origin", "destination", "minutes"])


def test_small_case_by_hand() -> None:
    demand = pd.Series([100.0, 50.0, 80.0], index=["z1", "z2", "z3"])
    supply = pd.Series([120.0, 60.0], index=["s1", "s2"])
    pairs = _pairs([("z1", "s1", 5), ("z2", "s1", 10), ("z2", "s2", 3), ("z3", "s2", 4)])
    # s2 (60) can only help z2/z3; s1 (120) covers z1 (100) and 20 of z2; z2 gets its other 30
    # nowhere once s2 gives its 60 to z3 -> served 100 + 20 + 60 = 180 of 230
    t = max_served(demand, supply, pairs)
    assert t.served_total == 180
    assert t.unmet_demand_within_threshold == 50
    assert t.spare_total == 0
    assert t.misplaced_capacity == 0  # no spare capacity anywhere: a genuine shortfall
    lp = min_travel_assignment(demand, supply, pairs)
    assert lp.served_total == pytest.approx(180)


def test_spare_capacity_out_of_reach_is_misplaced() -> None:
    demand = pd.Series([100.0, 10.0], index=["town", "village"])
    supply = pd.Series([40.0, 200.0], index=["near", "far"])
    pairs = _pairs([("town", "near", 5), ("village", "far", 5)])
    t = max_served(demand, supply, pairs)
    assert t.unmet_demand_within_threshold == 60
    assert t.spare_total == 190
    assert t.misplaced_capacity == 60
    assert t.sites.loc["far", "stranded"] == 190


def _brute_force_served(d: np.ndarray, s: np.ndarray, reach: np.ndarray) -> float:
    """Max served by max-flow/min-cut: min over zone subsets T of d(not T) + s(N(T))."""
    best = np.inf
    n = len(d)
    for k in range(n + 1):
        for t in itertools.combinations(range(n), k):
            t = list(t)
            neigh = reach[t].any(axis=0) if t else np.zeros(len(s), dtype=bool)
            value = d.sum() - d[t].sum() + s[neigh].sum()
            best = min(best, value)
    return float(best)


@pytest.mark.parametrize("seed", range(25))
def test_max_flow_equals_brute_force_and_lp(seed: int) -> None:
    rng = np.random.default_rng(seed)
    nz, ns = rng.integers(1, 8), rng.integers(1, 6)
    d = rng.integers(0, 100, nz).astype(float)
    s = rng.integers(0, 100, ns).astype(float)
    reach = rng.random((nz, ns)) < 0.4
    zi, si = np.nonzero(reach)
    demand = pd.Series(d, index=[f"z{i}" for i in range(nz)])
    supply = pd.Series(s, index=[f"s{j}" for j in range(ns)])
    pairs = pd.DataFrame({"origin": demand.index[zi], "destination": supply.index[si],
                          "minutes": rng.uniform(0, 15, len(zi))})
    t = max_served(demand, supply, pairs)
    expected = _brute_force_served(d, s, reach)
    assert t.served_total == expected
    assert min_travel_assignment(demand, supply, pairs).served_total == pytest.approx(expected)
    # per-zone and per-site accounts balance
    assert (t.zones["served"] + t.zones["unserved"]).to_numpy() == pytest.approx(d)
    assert (t.sites["used"] + t.sites["spare"]).to_numpy() == pytest.approx(s)
    assert (t.unmet_no_surgery_in_reach + t.unmet_surgeries_full
            == t.unmet_demand_within_threshold)
    assert t.misplaced_capacity == min(t.unmet_surgeries_full, t.spare_total)


def test_lp_minimises_travel_among_maximal_plans() -> None:
    demand = pd.Series([10.0], index=["z"])
    supply = pd.Series([10.0, 10.0], index=["close", "far"])
    pairs = _pairs([("z", "close", 2), ("z", "far", 9)])
    t = min_travel_assignment(demand, supply, pairs)
    flows = t.flows.set_index("destination")["patients"]
    assert flows["close"] == pytest.approx(10)
    assert "far" not in flows.index or flows["far"] == pytest.approx(0)


def test_no_pairs_serves_nothing() -> None:
    demand = pd.Series([5.0], index=["z"])
    supply = pd.Series([5.0], index=["s"])
    t = max_served(demand, supply, _pairs([]))
    assert t.served_total == 0 and t.unmet_demand_within_threshold == 5
    # no surgery in reach is an access gap, not capacity in the wrong place
    assert t.unmet_no_surgery_in_reach == 5 and t.misplaced_capacity == 0


def test_no_surgery_in_reach_is_split_from_surgeries_full_and_stranded_is_not_all_spare() -> None:
    demand = pd.Series([100.0, 10.0, 30.0], index=["town", "village", "hamlet"])
    supply = pd.Series([40.0, 200.0], index=["near", "far"])
    pairs = _pairs([("town", "near", 5), ("village", "far", 5)])
    wider = _pairs([("town", "near", 5), ("village", "far", 5), ("town", "far", 25),
                    ("hamlet", "far", 28)])
    t = max_served(demand, supply, pairs, wider_pairs=wider)
    # town: 40 of 100 served at "near" (full); village: 10 at "far"; hamlet: nothing in reach
    assert t.unmet_demand_within_threshold == 60 + 30
    assert t.unmet_no_surgery_in_reach == 30
    assert t.unmet_surgeries_full == 60
    assert t.spare_total == 190
    assert t.misplaced_capacity == 60  # min(60 with full surgeries, 190 spare), not 90
    # at the wider reach, town's 60 and hamlet's 30 could use 90 of far's 190 spare
    assert t.sites.loc["far", "stranded"] == 100
    assert t.sites.loc["near", "stranded"] == 0
    assert list(t.zones["in_reach"]) == [True, True, False]
