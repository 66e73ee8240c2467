"""Item 1 of issue 11: the GP workforce limits capacity too (worked on tests/enginekit.py).

Alpha: 700 m2 / (120/1,750) = 10,208.33 patients of premises, 5 GP FTE x 1,800 = 9,000 of GPs.
Beta: 300 m2 -> 4,375 patients of premises; GP FTE not known (or 2.0 in the variant below).
Demand (need weights of 1, every band): Alpha 10,000 + S1's 2.37 x 50 = 10,118.5 in 2026 and
10,000 + 237 + 5/7 x 474 = 10,575.57 in 2030; Beta 4,000 + 2/7 x 474 + 150 = 4,285.43 in 2030.
"""

from __future__ import annotations

import math

import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from tests import enginekit as kit

A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
M2 = 120 / 1750
ALPHA_2030 = 10000 + 237 + 5 / 7 * 474
BETA_2030 = 4000 + 2 / 7 * 474 + 150


def test_headroom_deficit_and_tipping_year_on_each_basis() -> None:
    r = evaluate(kit.region(), assumptions=A)
    p, s = r.practices, r.summary
    assert p.loc["A", "headroom_horizon_premises"] == pytest.approx(700 / M2 - ALPHA_2030)  # -367.2
    assert p.loc["A", "headroom_horizon_workforce"] == pytest.approx(9000 - ALPHA_2030)  # -1,575.6
    assert p.loc["A", "headroom_horizon_effective"] == pytest.approx(9000 - ALPHA_2030)
    # premises: 10,208.33 - 10,118.5 = +89.8 in 2026, negative from 2027; GPs: 9,000 < 10,118.5
    assert p.loc["A", "tipping_year_premises"] == 2027
    assert p.loc["A", "tipping_year_workforce"] == 2026
    assert p.loc["A", "deficit_horizon_workforce"] == pytest.approx(ALPHA_2030 - 9000)
    # Beta's GP FTE is unknown: no workforce figure, effective falls back on premises
    assert math.isnan(p.loc["B", "headroom_horizon_workforce"])
    assert p.loc["B", "headroom_horizon_effective"] == pytest.approx(4375 - BETA_2030)  # +89.6
    assert not p.loc["B", "gp_fte_known"]
    assert s["practices_without_gp_fte"] == 1
    assert s["practices_in_deficit"] == 1  # premises, as before
    assert s["deficit_total_workforce"] == pytest.approx(round(ALPHA_2030 - 9000, 1))
    assert s["deficit_total_effective"] == pytest.approx(round(ALPHA_2030 - 9000, 1))
    assert s["aggregate_capacity_workforce"] == 9000.0  # Beta left out, not counted as zero
    assert s["aggregate_capacity_effective"] == pytest.approx(round(9000 + 4375, 1))
    assert s["tipping_years_workforce"] == {"A": 2026}


def test_counts_differ_by_basis_when_beta_has_two_gps() -> None:
    region = kit.region()
    region.practices.loc["B", "gp_fte"] = 2.0  # 3,600 GP places < Beta's 4,000 list already
    s = evaluate(region, assumptions=A).summary
    assert s["practices_in_deficit"] == 1  # premises: Alpha only
    assert s["practices_in_deficit_workforce"] == 2
    assert s["practices_in_deficit_effective"] == 2
    assert s["practices_without_gp_fte"] == 0
    assert s["deficit_total_workforce"] == pytest.approx(
        round((ALPHA_2030 - 9000) + (BETA_2030 - 3600), 1))


def test_zero_gp_fte_is_treated_as_unknown_not_as_no_capacity() -> None:
    region = kit.region()
    region.practices.loc["B", "gp_fte"] = 0.0
    r = evaluate(region, assumptions=A)
    assert math.isnan(r.practices.loc["B", "workforce_capacity"])
    assert r.summary["practices_without_gp_fte"] == 1


def test_capacity_basis_chooses_what_the_flow_uses() -> None:
    # Both zone centres, (-250, 0) and (4,750, 0), are within 15 minutes by car of both
    # surgeries (5.77 km straight line), so unmet demand is simply demand above capacity.
    # Zone demand at 2030: Z1 6,000 + 237 + 474 = 6,711; Z2 8,000 + 150 = 8,150; total 14,861.
    premises = evaluate(kit.region(), assumptions=A).summary
    assert premises["unmet_demand_within_threshold"] == 14861 - (10208 + 4375)  # 278
    workforce = evaluate(kit.region(), assumptions=A.with_overrides(
        {"capacity_basis": "workforce"}))
    # Alpha 9,000 GP places; Beta keeps its 4,375 premises places (GP FTE unknown)
    assert workforce.summary["unmet_demand_within_threshold"] == 14861 - (9000 + 4375)  # 1,486
    assert workforce.practices.loc["A", "capacity"] == pytest.approx(9000)
    assert workforce.headroom.loc["A", 2030] == pytest.approx(9000 - ALPHA_2030)
    assert workforce.summary["capacity_basis"] == "workforce"
    # the headline stays on premises, whatever the basis
    assert workforce.summary["practices_in_deficit"] == premises["practices_in_deficit"]
