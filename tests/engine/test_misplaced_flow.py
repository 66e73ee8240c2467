"""The maximum-flow core of capacity in the wrong place on an asymmetric network, checked by hand
and against an independent linear program (scipy.optimize.linprog, written here from the
problem's statement: maximise patients served within reach, within each zone's demand and each
site's capacity)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from estates.engine.misplaced import max_served, min_travel_assignment
from estates.errors import EstatesError


def _pairs(edges: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(edges, columns=["origin", "destination", "minutes"])


def _lp_served(d: np.ndarray, s: np.ndarray, zi: np.ndarray, si: np.ndarray) -> float:
    """max sum x_e subject to sum over a zone's edges <= d_i and over a site's edges <= s_j."""
    n = len(zi)
    if n == 0:
        return 0.0
    a_ub = np.zeros((len(d) + len(s), n))
    a_ub[zi, np.arange(n)] = 1.0
    a_ub[len(d) + si, np.arange(n)] = 1.0
    res = linprog(-np.ones(n), A_ub=a_ub, b_ub=np.concatenate([d, s]), bounds=(0, None),
                  method="highs")
    assert res.status == 0
    return float(-res.fun)


def test_asymmetric_network_by_hand() -> None:
    # a (100.4 -> 100 whole patients) and b (50) share s1 (69.6 -> 70) and s2 (40); only a
    # reaches s1. c (80) alone reaches s3 (200); d (30) reaches nothing. Rows naming an unknown
    # zone or site are ignored.
    demand = pd.Series({"a": 100.4, "b": 50.0, "c": 80.0, "d": 30.0})
    supply = pd.Series({"s1": 69.6, "s2": 40.0, "s3": 200.0})
    pairs = _pairs([("a", "s1", 4), ("a", "s2", 9), ("b", "s2", 3), ("c", "s3", 12),
                    ("x", "s1", 1), ("a", "s9", 1)])
    t = max_served(demand, supply, pairs)
    # a and b can use 70 + 40 = 110 of their 150; c takes 80 of s3: 190 served of 260
    assert t.served_total == 190
    assert t.unmet_demand_within_threshold == 70  # 40 of a and b, and all of d's 30
    assert t.zones.loc["c", "served"] == 80 and t.zones.loc["d", "unserved"] == 30
    assert t.zones.loc["a", "demand"] == 100 and t.sites.loc["s1", "supply"] == 70
    assert t.zones.loc["a", "served"] + t.zones.loc["b", "served"] == 110
    assert t.sites["used"].to_dict() == {"s1": 70, "s2": 40, "s3": 80}
    # s3's 120 spare is reached only by c, which is fully served: stranded
    assert t.sites["spare"].to_dict() == {"s1": 0, "s2": 0, "s3": 120}
    assert t.sites["stranded"].to_dict() == {"s1": 0, "s2": 0, "s3": 120}
    assert t.spare_total == 120
    # d's 30 have no surgery in reach (an access gap); a's and b's 40 find their surgeries
    # full: misplaced = min(surgeries full 40, spare 120)
    assert t.unmet_no_surgery_in_reach == 30 and t.unmet_surgeries_full == 40
    assert t.misplaced_capacity == 40
    lp = min_travel_assignment(demand, supply, pairs)
    assert lp.served_total == pytest.approx(190)
    assert lp.sites["stranded"].to_dict() == pytest.approx({"s1": 0, "s2": 0, "s3": 120})
    # the least travel: b takes s2 (3 min) rather than a (9 min)
    flows = lp.flows.set_index(["origin", "destination"])["patients"]
    assert flows[("b", "s2")] == pytest.approx(40)
    assert flows[("a", "s1")] == pytest.approx(70)


@pytest.mark.parametrize("seed", range(12))
def test_max_flow_equals_an_independent_linear_program(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    nz, ns = int(rng.integers(3, 9)), int(rng.integers(2, 6))
    d = rng.integers(0, 300, nz).astype(float)
    s = rng.integers(0, 300, ns).astype(float)
    reach = rng.random((nz, ns)) < 0.35
    zi, si = np.nonzero(reach)
    demand = pd.Series(d, index=[f"z{i}" for i in range(nz)])
    supply = pd.Series(s, index=[f"s{j}" for j in range(ns)])
    pairs = pd.DataFrame({"origin": demand.index[zi], "destination": supply.index[si],
                          "minutes": rng.uniform(0, 15, len(zi))})
    t = max_served(demand, supply, pairs)
    want = _lp_served(d, s, zi, si)
    assert t.served_total == pytest.approx(want)
    assert t.unmet_demand_within_threshold == pytest.approx(d.sum() - want)
    assert t.spare_total == pytest.approx(s.sum() - want)
    assert (t.zones["served"] <= t.zones["demand"]).all()
    assert (t.sites["used"] <= t.sites["supply"]).all()
    # every zone's served demand came through its own edges: zero where it reaches nothing
    lonely = ~reach.any(axis=1)
    assert (t.zones["served"].to_numpy()[lonely] == 0).all()


def test_negative_demand_or_supply_is_refused() -> None:
    with pytest.raises(EstatesError, match="non-negative"):
        max_served(pd.Series({"z": -1.0}), pd.Series({"s": 5.0}), _pairs([("z", "s", 1)]))
    with pytest.raises(EstatesError, match="non-negative"):
        max_served(pd.Series({"z": 1.0}), pd.Series({"s": -5.0}), _pairs([("z", "s", 1)]))
    with pytest.raises(EstatesError, match="too large"):
        max_served(pd.Series({"z": 3e9}), pd.Series({"s": 5.0}), _pairs([("z", "s", 1)]))
