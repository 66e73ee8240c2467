"""Practices without floor area (issue 12, item 7): the tool still works out demand, new
patients and access, and marks capacity unknown (NaN, JSON null), never invented. Figures
are those of tests/enginekit.py worked by hand (see tests/engine/test_evaluate.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from tests import enginekit as kit

# The plain arithmetic (gross standard, weights of 1): these tests are about other figures.
A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
M2 = 120 / 1750


def _region_without_area(*codes: str) -> object:
    r = kit.region()
    r.practices = r.practices.copy()
    r.practices.loc[list(codes), ["gia_m2", "clinical_rooms"]] = np.nan
    return r


def test_demand_and_new_patients_kept_capacity_unknown_for_b() -> None:
    r = evaluate(_region_without_area("B"), assumptions=A)
    p = r.practices
    # Demand does not depend on floor area: B's horizon demand is 4,000 + 2/7 x 474 + 150.
    assert p.loc["B", "demand_horizon"] == pytest.approx(4000 + 2 / 7 * 474 + 150)
    assert p.loc["B", "new_patients_horizon"] == pytest.approx(2 / 7 * 474 + 150)
    assert math.isnan(p.loc["B", "capacity"]) and math.isnan(p.loc["B", "headroom_horizon"])
    assert p.loc["B", "binding_constraint"].startswith("unknown")
    assert r.practices["tipping_year"].isna()["B"]
    # A is untouched: 700 m2 / (120/1750) = 10,208.3 patients, in deficit from 2027.
    assert p.loc["A", "capacity"] == pytest.approx(700 / M2)
    assert p.loc["A", "tipping_year"] == 2027
    s = r.summary
    assert s["practices_without_floor_area"] == 1
    assert s["practices_without_floor_area_codes"] == ["B"]
    # The region's totals would need B's capacity: unknown, not a sum of A alone.
    for key in ("aggregate_capacity", "aggregate_headroom", "misplaced_capacity",
                "unmet_demand_within_threshold"):
        assert s[key] is None, key
    assert s["aggregate_demand"] == pytest.approx(
        round(10000 + 237 + 5 / 7 * 474 + 4000 + 2 / 7 * 474 + 150, 1))
    assert any("capacity unknown for 1 of 2 practices" in w for w in r.warnings)


def test_no_floor_area_anywhere_still_runs_with_access() -> None:
    r = evaluate(_region_without_area("A", "B"), assumptions=A)
    assert r.summary["practices_without_floor_area"] == 2
    assert r.practices["capacity"].isna().all()
    assert r.summary["practices_in_deficit"] == 0  # none known to be in deficit
    # Access does not need capacity: each zone's minutes to the nearest surgery are known.
    assert r.zones["minutes_to_nearest_gp"].notna().all()
    assert r.zones["unserved_within_threshold"].isna().all()
    # New patients from each site are still shared out: 400 dwellings' residents in total.
    assert r.sites["patients"].sum() == pytest.approx(100 * 2.37 + 200 * 2.37 + 100 * 1.5)


def test_a_branch_without_area_makes_its_practice_unknown() -> None:
    # A practice's capacity adds up its sites: one unknown site leaves the sum unknown.
    r = kit.region()
    pr = r.practices.copy()
    branch = pr.loc[["A"]].copy()
    branch.index = ["A2"]
    branch[["practice_code", "site_kind", "parent_code", "list_size"]] = ["A2", "branch", "A",
                                                                          0.0]
    branch[["gia_m2", "clinical_rooms"]] = np.nan
    r.practices = pd.concat([pr, branch])
    out = evaluate(r, assumptions=A)
    assert math.isnan(out.practices.loc["A", "capacity"])
    assert out.practices.loc["B", "capacity"] == pytest.approx(300 / M2)
