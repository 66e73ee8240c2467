"""Access figures counting the new homes' residents (issue 11 item 6), one travel provider for
every figure (item 9) and the E2SFCA index per zone (item 10), on the hand-worked kit.

Kit (tests/enginekit.py), horizon 2030: surgeries A (0, 0) 700 m2, 5 GP FTE and B (4,000, 0)
300 m2, FTE unknown. Zones Z1 (origin (-250, 0), 6,000 people aged 15-44) and Z2 ((4,750, 0),
8,000). New homes' residents at the horizon: S1 (-1,000, 0) 237, S2 (2,000, 500) 474 (both
general: 18.5 % aged 65+), S3 (6,000, 0) 150 retirement (all 65+). By car a metre takes
1.3 / 500 = 0.0026 minutes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.options.apply import apply_with_costs
from estates.options.compare import compare
from estates.options.optimise import build_instance
from estates.options.scenario import Scenario
from tests import enginekit as kit

A = Assumptions(base_year=2026, horizon_year=2030)
PER_M = 1.3 / 500
VILLAGE_SATELLITE = Scenario("Village satellite", ({
    "type": "add_satellite", "parent_code": "B", "easting": 6000, "northing": 100,
    "gia_m2": 100},))


def _option(region, scenario, a=A):
    applied = apply_with_costs(region, scenario, assumptions=a)
    base = evaluate(region, assumptions=a)
    opt = evaluate(applied.region, assumptions=a)
    return base, opt, compare(base, opt, costs=applied.costs)


# ----------------------------------------------------------------------- item 6: the new homes


def test_the_village_satellite_shows_the_access_change_for_its_residents() -> None:
    base, opt, c = _option(kit.region(), VILLAGE_SATELLITE)
    # Older walkers (3.6 km/h = 60 m a minute, at most 1.5 km walked = 1,153.8 m straight):
    # S3 is 2,000 m from B, out of reach; the satellite 100 m away takes 100 x 1.3 / 60 = 2.17
    # minutes. People aged 65+: S1 43.845 (1,000 m from A: out of reach on foot), S2 87.69
    # (2,061.6 m: out of reach), S3 150. Within 15 minutes: 0 before, 150 after.
    acc = c.access.set_index(["mode", "group", "rural_class", "threshold_minutes"])
    cell = acc.loc[("older_walk", "65+", "all", 15.0)]
    older = 43.845 + 87.69 + 150
    assert cell["population_base"] == pytest.approx(older)
    assert cell["within_base"] == pytest.approx(0)
    assert cell["within_option"] == pytest.approx(150)
    assert cell["change_pct_points"] == pytest.approx(100 * 150 / older)  # +53.28 points


def test_mean_minutes_of_older_people_count_the_new_homes() -> None:
    _, _, c = _option(kit.region(), VILLAGE_SATELLITE)
    # by car, weighted by people aged 65+: S1 1,000 m, S2 2,061.55 m, S3 2,000 m then 100 m
    s2 = math.hypot(2000, 500)
    before = (43.845 * 1000 + 87.69 * s2 + 150 * 2000) * PER_M / (43.845 + 87.69 + 150)
    after = (43.845 * 1000 + 87.69 * s2 + 150 * 100) * PER_M / (43.845 + 87.69 + 150)
    assert c.summary["older_65_mean_minutes_base"] == pytest.approx(before)  # 4.08 min
    assert c.summary["older_65_mean_minutes_option"] == pytest.approx(after)  # 1.05 min


# ----------------------------------------------------------------------- item 9: one provider


def _slow_raster(tmp_path):
    # 0.01 minutes a metre everywhere (6 km/h), over the whole kit (-3,000..7,000 x -3,000..3,000)
    path = tmp_path / "friction.tif"
    with rasterio.open(path, "w", driver="GTiff", width=100, height=60, count=1,
                       dtype="float32", crs="EPSG:27700",
                       transform=from_origin(-3000, 3000, 100, 100)) as dst:
        dst.write(np.full((1, 60, 100), 0.01, dtype="float32"))
    return path


def test_raster_measures_older_access_and_says_so(tmp_path) -> None:
    region = kit.region()
    region.friction_raster = _slow_raster(tmp_path)
    a = A.with_overrides({"travel_method": "raster"})
    r = evaluate(region, assumptions=a)
    t = r.older_access.set_index(["mode", "group", "area", "threshold_minutes"])
    # By the raster S3's village is 20 cells of 100 m from B at 1 minute a cell: 20 minutes,
    # beyond 15 (a straight line by car says 5.2). S1 is 10 cells from A: 10 minutes, within;
    # S2 is over 20 cells from both: beyond.
    car = t.loc[("car", "65+", "all", 15.0)]
    assert car["people_within"] == pytest.approx(43.845)
    assert "friction raster" in r.summary["travel_provider"]["car"]
    assert "straight line" in r.summary["travel_provider"]["older_walk"]
    straight = evaluate(region, assumptions=A).older_access.set_index(
        ["mode", "group", "area", "threshold_minutes"])
    assert straight.loc[("car", "65+", "all", 15.0), "people_within"] == pytest.approx(
        43.845 + 87.69 + 150)


def test_site_finder_uses_the_raster(tmp_path) -> None:
    region = kit.region()
    region.friction_raster = _slow_raster(tmp_path)
    a = A.with_overrides({"travel_method": "raster"})
    base = evaluate(region, assumptions=a)
    inst, _ = build_instance(region, base, assumptions=a)
    zones = base.zones.index
    pairs = {(zones[i], region.practices.index[j]) for i, j in zip(*inst.existing_pairs,
                                                                   strict=True)}
    # 15 raster minutes reach 15 cells (1,500 m): Z1 reaches only A (250 m), Z2 only B (750 m);
    # straight lines by car (15 / 0.0026 = 5,769 m) would also pair Z1-B and Z2-A
    assert pairs == {("Z1", "A"), ("Z2", "B")}


# ----------------------------------------------------------------------- item 10: E2SFCA


def _minutes(d: float) -> float:
    return d * PER_M


def _w(minutes: float) -> float:
    return 1.0 if minutes <= 10 else 0.68 if minutes <= 20 else 0.22 if minutes <= 30 else 0.0


def _hand_e2sfca(supply_a: float, supply_b: float) -> tuple[float, float]:
    # origins and their people: zones and the homes' residents at the horizon
    people = {(-250, 0): 6000, (4750, 0): 8000, (-1000, 0): 237, (2000, 500): 474,
              (6000, 0): 150}
    sites = {"A": ((0, 0), supply_a), "B": ((4000, 0), supply_b)}
    ratio = {}
    for code, (xy, supply) in sites.items():
        weighted = sum(p * _w(_minutes(math.dist(o, xy))) for o, p in people.items())
        ratio[code] = supply / weighted
    z = [sum(ratio[c] * _w(_minutes(math.dist(o, xy))) for c, (xy, _) in sites.items())
         for o in ((-250, 0), (4750, 0))]
    return z[0] * 1000, z[1] * 1000


def test_e2sfca_of_floor_space_and_gp_fte_per_1000_by_hand() -> None:
    region = kit.region()
    region.practices.loc["B", "gp_fte"] = 3.0
    r = evaluate(region, assumptions=A)
    # Z1-A 0.65 min (1.0), Z1-B 11.05 (0.68), Z2-A 12.35 (0.68), Z2-B 1.95 (1.0); S1-B 13.0,
    # S2 5.36 to both, S3-A 15.6 (0.68), S3-B 5.2 (1.0)
    z1, z2 = _hand_e2sfca(700, 300)
    assert r.zones.loc["Z1", "e2sfca_m2_per_1000"] == pytest.approx(z1)
    assert r.zones.loc["Z2", "e2sfca_m2_per_1000"] == pytest.approx(z2)
    f1, f2 = _hand_e2sfca(5, 3)
    assert r.zones.loc["Z1", "e2sfca_gp_fte_per_1000"] == pytest.approx(f1)
    assert r.zones.loc["Z2", "e2sfca_gp_fte_per_1000"] == pytest.approx(f2)


def test_unknown_gp_fte_is_unknown_not_zero() -> None:
    r = evaluate(kit.region(), assumptions=A)  # B's FTE is unknown and both zones reach B
    assert r.zones["e2sfca_gp_fte_per_1000"].isna().all()
    assert r.summary["access_index"]["e2sfca_gp_fte_per_1000_zones_unknown"] == 2


def test_the_e2sfca_weights_assumption_changes_the_index() -> None:
    # one step of weight 1 up to 30 minutes is plain 2SFCA: everyone reaches both surgeries,
    # so every zone gets the region's (700 + 300) m2 over its 14,861 people
    a = A.with_overrides({"e2sfca_weights": [30, 1.0]})
    r = evaluate(kit.region(), assumptions=a)
    assert r.zones["e2sfca_m2_per_1000"].to_numpy() == pytest.approx([1000 / 14861 * 1000] * 2)


def test_the_index_changes_under_an_option() -> None:
    _, opt, c = _option(kit.region(), Scenario("Extend B", (
        {"type": "extend", "practice_code": "B", "gia_m2": 100},)))
    _, z2 = _hand_e2sfca(700, 400)
    assert opt.zones.loc["Z2", "e2sfca_m2_per_1000"] == pytest.approx(z2)
    zones = c.zones.set_index("zone_code")
    assert zones.loc["Z2", "e2sfca_m2_per_1000_change"] == pytest.approx(
        z2 - _hand_e2sfca(700, 300)[1])
    assert c.summary["zones_e2sfca_m2_per_1000_up"] == 2
