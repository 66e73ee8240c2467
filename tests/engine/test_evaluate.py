"""The two-practice, three-site case worked by hand (see tests/enginekit.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from tests import enginekit as kit

A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
M2 = 120 / 1750  # m2 per patient


def test_capacity_by_floor_space_rooms_and_workforce() -> None:
    r = evaluate(kit.region(), assumptions=A)
    p = r.practices
    assert p.loc["A", "capacity"] == pytest.approx(700 / M2)  # 10,208.33
    assert p.loc["B", "capacity"] == pytest.approx(300 / M2)  # 4,375
    per_room = 10 * 48 * 12 * 0.6 / (5.8 * 0.65)
    assert p.loc["A", "room_capacity"] == pytest.approx(10 * per_room)
    assert p.loc["A", "workforce_capacity"] == pytest.approx(5 * 1800)
    # 9,000 GP places < 10,208 floor-space places: the workforce binds at A
    assert p.loc["A", "binding_constraint"] == "GP workforce"
    assert p.loc["A", "effective_capacity"] == pytest.approx(9000)
    assert math.isnan(p.loc["B", "workforce_capacity"])
    assert p.loc["B", "binding_constraint"] == "floor space"
    rooms = evaluate(kit.region(), assumptions=A.with_overrides({"capacity_method": "rooms"}))
    assert rooms.practices.loc["B", "capacity"] == pytest.approx(5 * per_room)


def test_allocation_shares_worked_by_hand() -> None:
    r = evaluate(kit.region(), assumptions=A)
    al = r.allocation.set_index(["site_ref", "practice_code"])["share"]
    assert al[("S1", "A")] == pytest.approx(1.0)
    assert al[("S3", "B")] == pytest.approx(1.0)
    # S2 is equidistant from A and B (both catchments), so shares follow the lists 10,000 : 4,000
    assert al[("S2", "A")] == pytest.approx(5 / 7)
    assert al[("S2", "B")] == pytest.approx(2 / 7)


def test_demand_headroom_and_tipping_year_by_hand() -> None:
    r = evaluate(kit.region(), assumptions=A)
    d = r.demand
    s1 = {2026: 50 * 2.37, 2027: 100 * 2.37}
    s2 = {2027: 100 * 2.37, 2028: 200 * 2.37}
    assert d.loc["A", 2026] == pytest.approx(10000 + s1[2026])
    assert d.loc["A", 2027] == pytest.approx(10000 + s1[2027] + 5 / 7 * s2[2027])
    assert d.loc["A", 2030] == pytest.approx(10000 + 237 + 5 / 7 * 474)
    assert d.loc["B", 2028] == pytest.approx(4000 + 2 / 7 * 474)
    assert d.loc["B", 2029] == pytest.approx(4000 + 2 / 7 * 474 + 100 * 1.5)
    h = r.headroom
    assert h.loc["A", 2026] == pytest.approx(700 / M2 - 10118.5)  # +89.8
    assert h.loc["A", 2027] == pytest.approx(700 / M2 - (10237 + 5 / 7 * 237))  # -197.9
    assert r.practices.loc["A", "tipping_year"] == 2027
    assert r.practices.loc["B", "headroom_horizon"] == pytest.approx(4375 - (4000 + 2 / 7 * 474 + 150))
    assert r.practices["tipping_year"].isna()["B"]
    assert r.practices.loc["A", "headroom_m2_horizon"] == pytest.approx(h.loc["A", 2030] * M2)
    assert r.summary["practices_in_deficit"] == 1
    assert r.summary["deficit_total"] == pytest.approx(round(-h.loc["A", 2030], 1))
    assert r.summary["aggregate_capacity"] == pytest.approx(round(1000 / M2, 1))


def test_impact_statement_by_hand() -> None:
    r = evaluate(kit.region(), assumptions=A)
    s1 = r.sites.loc["S1"]
    assert s1["residents"] == pytest.approx(237)
    assert s1["gp_fte_needed"] == pytest.approx(237 / 1800)
    assert s1["m2_needed"] == pytest.approx(237 * M2)
    assert s1["capital_cost_gbp"] == pytest.approx(237 * M2 * 3000)
    # only the 50 homes of 2027 meet a practice without headroom (see tests/engine/test_impact.py)
    assert s1["cost_per_dwelling_gbp"] == pytest.approx(50 * 2.37 * M2 * 3000 / 100)  # GBP 243.77
    # S1's homes complete in 2026 and 2027; practice A has no headroom in 2027
    assert s1["practices_short"] == "A"
    assert "Alpha Surgery (A) 100%" in s1["statement"]
    assert "GBP 244 per home" in s1["statement"]
    s3 = r.sites.loc["S3"]
    assert s3["residents"] == pytest.approx(150)
    assert s3["practices_short"] == ""
    assert "have headroom" in s3["statement"]


def test_residents_are_conserved() -> None:
    r = evaluate(kit.region(), assumptions=A)
    new_total = r.practices["new_patients_horizon"].sum()
    assert new_total == pytest.approx(237 + 474 + 150)
    assert r.allocation.groupby("site_ref")["share"].sum().to_numpy() == pytest.approx(1.0)
    # the zone view places the same new patients and the same base list
    assert r.zones["new_patients_horizon"].sum() == pytest.approx(new_total)
    assert r.zones["demand_base"].sum() == pytest.approx(14000)


def test_more_floor_space_never_lowers_headroom() -> None:
    base = evaluate(kit.region(), assumptions=A)
    region = kit.region()
    region.practices.loc["B", "gia_m2"] += 50
    more = evaluate(region, assumptions=A)
    assert (more.headroom.to_numpy() >= base.headroom.to_numpy() - 1e-9).all()
    assert more.summary["unmet_demand_within_threshold"] <= base.summary["unmet_demand_within_threshold"]


def test_site_with_zero_dwellings_changes_nothing() -> None:
    base = evaluate(kit.region(), assumptions=A)
    region = kit.region()
    g = region.growth
    extra = g.sites.iloc[[0]].copy()
    extra.index = ["S0"]
    extra["site_ref"] = "S0"
    extra["dwellings"] = 0.0
    import pandas as pd

    region.growth = type(g)(pd.concat([g.sites, extra]),
                            pd.concat([g.trajectory, pd.DataFrame({2026: [0.0]}, index=["S0"])]))
    after = evaluate(region, assumptions=A)
    assert np.allclose(after.demand.to_numpy(), base.demand.to_numpy())
    assert after.summary["misplaced_capacity"] == base.summary["misplaced_capacity"]


def test_site_outside_every_catchment_goes_to_practices_in_reach() -> None:
    region = kit.region()
    region.growth.sites.loc["S3", "geometry"] = __import__("shapely").geometry.Point(8000, 0)
    r = evaluate(region, assumptions=A)
    row = r.allocation[r.allocation["site_ref"] == "S3"]
    assert list(row["practice_code"]) == ["B"]  # 4 km from B; A at 8 km is beyond 15 min by car
    assert row["rule"].iloc[0].startswith("outside every catchment")
    assert any("outside every catchment" in w for w in r.warnings)


def test_background_growth_compounds() -> None:
    a = A.with_overrides({"background_growth_pct": 1.0})
    r = evaluate(kit.region(), assumptions=a)
    assert r.demand.loc["B", 2030] == pytest.approx(4000 * 1.01 ** 4 + 2 / 7 * 474 + 150)


def test_need_weights_apply_to_lists_and_new_residents() -> None:
    weights = [1, 1, 2, 1, 1, 1, 1]  # double weight on 15-44
    a = A.with_overrides({"need_weights": weights})
    r = evaluate(kit.region(), assumptions=a)
    # lists have no age bands: split by the zones' profile (all 15-44); the region's weighted
    # list is normalised to its 14,000 registered patients, so the weights become
    # [0.5, 0.5, 1, 0.5, 0.5, 0.5, 0.5] and Alpha's list weighs its 10,000 patients
    assert r.practices.loc["A", "base_demand"] == pytest.approx(10000)
    # a retirement village is all 65+ (0.5 each); general homes have 39 % aged 15-44 (1 each)
    gen = 2.37 * (0.39 + 0.61 * 0.5)
    assert r.demand.loc["B", 2029] - r.demand.loc["B", 2028] == pytest.approx(150 * 0.5)
    assert r.demand.loc["A", 2026] == pytest.approx(10000 + 50 * gen)


def test_older_rural_access_in_summary() -> None:
    region = kit.region()
    region.zones.loc["Z2", "ruc21"] = "RSN1"
    region.zones.loc["Z2", "pop_65_74"] = 100.0
    # Z2's centre (4,750, 0) is 750 m from Beta: 750 x 1.3 / (12 km/h = 200 m/min) = 4.875 min
    r = evaluate(region, assumptions=A)
    assert r.summary["older_rural_access_pct"] == 100.0
    cell = r.summary["older_access"]["public_transport"]["65+"]["smaller rural"]
    # plus the retirement village S3 in Z2: 100 homes x 1.5 = 150 residents aged 65+ at
    # (6,000, 0), 2,000 m from Beta: 2,000 x 1.3 / 200 = 13 min, within 15 (issue 11 item 6)
    assert cell["people"] == 250.0 and cell["people_within_15"] == 250.0
    tight = evaluate(region, assumptions=A.with_overrides({"threshold_minutes": 4.8}))
    assert tight.summary["older_rural_access_pct"] == 0.0
    # with nobody aged 65+ in smaller rural areas the measure does not apply
    assert evaluate(kit.region(), assumptions=A).summary["older_rural_access_pct"] is None


def test_registration_shares_replace_the_catchment_rule() -> None:
    import pandas as pd

    region = kit.region()
    # Z1 (x < 2,500) holds S1 and S2; its residents are registered 3,000 with A, 1,000 with B
    region.registrations = pd.DataFrame({"practice_code": ["A", "B", "B"],
                                         "zone_code": ["Z1", "Z1", "Z2"],
                                         "patients": [3000.0, 1000.0, 500.0]})
    r = evaluate(region, assumptions=A)
    al = r.allocation.set_index(["site_ref", "practice_code"])["share"]
    assert al[("S1", "A")] == pytest.approx(0.75) and al[("S1", "B")] == pytest.approx(0.25)
    assert al[("S2", "A")] == pytest.approx(0.75)
    assert al[("S3", "B")] == pytest.approx(1.0)  # Z2's registrations are all with B
    assert set(r.allocation["rule"]) == {"registration shares of the site's zone"}
    assert r.demand.loc["A", 2030] == pytest.approx(10000 + 0.75 * (237 + 474))
    assert r.practices["new_patients_horizon"].sum() == pytest.approx(237 + 474 + 150)


def test_raster_travel_method(tmp_path) -> None:
    import rasterio
    from rasterio.transform import from_origin

    from estates.errors import InputError

    region = kit.region()
    a = A.with_overrides({"travel_method": "raster"})
    with pytest.raises(InputError, match="needs a friction raster"):
        evaluate(region, assumptions=a)
    path = tmp_path / "friction.tif"
    with rasterio.open(path, "w", driver="GTiff", width=100, height=60, count=1,
                       dtype="float32", crs="EPSG:27700",
                       transform=from_origin(-3000, 3000, 100, 100)) as dst:
        dst.write(np.full((1, 60, 100), 0.002, dtype="float32"))  # 30 km/h
    region.friction_raster = path
    r = evaluate(region, assumptions=a)
    # Z2's centre (4,750, 0) is 750 m east of Beta: 7.5 cells at 0.2 minutes a cell
    assert r.zones.loc["Z2", "minutes_to_nearest_gp"] == pytest.approx(1.5, abs=0.25)
    assert r.summary["travel_method"] == "raster"
    assert r.summary["unmet_demand_within_threshold"] == pytest.approx(
        max(0.0, r.summary["aggregate_demand"] - r.summary["aggregate_capacity"]), abs=2)


def test_site_outside_the_region_is_listed_not_counted() -> None:
    import shapely

    base = evaluate(kit.region(), assumptions=A)
    region = kit.region()
    # a register row for another council: 300 km away, in no zone, no surgery in reach
    region.growth.sites.loc["S3", "geometry"] = shapely.geometry.Point(300_000, 400_000)
    r = evaluate(region, assumptions=A)
    assert "S3" not in set(r.allocation["site_ref"])
    assert not r.sites.loc["S3", "counted"] and r.sites.loc["S1", "counted"]
    assert "not counted" in r.sites.loc["S3", "statement"]
    assert any("not counted: S3" in w for w in r.warnings)
    assert r.summary["housing_sites_not_counted"] == 1
    # demand is the baseline's without S3's 150 retirement residents
    assert r.demand.loc["B", 2030] == pytest.approx(base.demand.loc["B", 2030] - 150)
    assert r.zones["new_patients_horizon"].sum() == pytest.approx(237 + 474)
    assert r.summary["new_residents_by_horizon"] == pytest.approx(237 + 474, abs=0.1)
