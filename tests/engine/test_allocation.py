"""Allocation of new residents to practices, worked by hand on the asymmetric region
(tests/enginekit2.py): list x exp(-d / 2 km) among several practices at unequal distances, the
distance to a practice's nearest surgery (a branch), the travel-threshold rule, the nearest-practice
fallback and the registration rule."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from estates.engine.allocation import (
    RULE_CATCHMENT,
    RULE_NEAREST,
    RULE_REGISTRATION,
    RULE_THRESHOLD,
    allocate_sites,
)
from estates.engine.evaluate import evaluate
from estates.model import CRS
from tests import enginekit2 as kit
from tests.enginekit2 import kitscope

A = kit.assumptions()


@pytest.fixture(scope=kitscope)
def base():
    """The kit evaluated (once per module outside mutation testing)."""
    return evaluate(kit.region(), assumptions=A)
LISTS = {"P": 6000.0, "Q": 4000.0, "R": 3000.0}  # weighted lists equal the lists (see the kit)


def gravity(dist_m: dict[str, float], decay_km: float = 2.0) -> dict[str, float]:
    """Shares by the documented rule: list x exp(-distance / decay), normalised to 1."""
    w = {p: LISTS[p] * math.exp(-d / (decay_km * 1000)) for p, d in dist_m.items()}
    total = sum(w.values())
    return {p: v / total for p, v in w.items()}


# Distances from each site to each practice's NEAREST surgery, by hand (metres):
H1_D = {"P": math.hypot(1000, 1000),  # 1,414.2 to P at (0, 0); P2 at (6000, 0) is 5,099
        "Q": math.hypot(1000, 2000)}  # 2,236.1 to Q at (2000, 3000)
H2_D = {"P": math.hypot(500, 500),  # 707.1 to the branch P2 (P's main site is 5,522.7 away)
        "Q": math.hypot(3500, 2500),  # 4,301.2
        "R": math.hypot(6500, 500)}  # 6,519.2 to R; R2 at (12000, 8000) is 9,924.7
# H3 at (8000, 4500) is in no catchment; within 15 car minutes = 15 / (1.3 / 500) = 5,769.2 m:
H3_D = {"P": math.hypot(2000, 4500),  # 4,924.4 to P2
        "R": math.hypot(4000, 3500)}  # 5,315.1 to R2 (R at (12000, 0) is 6,020.8: beyond)
# Q is 6,184.7 from H3: beyond the threshold, so not a candidate.


def _alloc(result) -> pd.DataFrame:
    return result.allocation.set_index(["site_ref", "practice_code"])


def test_three_practices_share_by_list_and_distance_to_their_nearest_surgery(base) -> None:
    al = _alloc(base)
    want = gravity(H2_D)
    # P: 6,000 e^-0.3536 = 4,213.3; Q: 4,000 e^-2.1506 = 465.7; R: 3,000 e^-3.2596 = 115.2
    assert want["P"] == pytest.approx(0.87883, abs=1e-5)
    for p in "PQR":
        assert al.loc[("H2", p), "share"] == pytest.approx(want[p], rel=1e-9)
        assert al.loc[("H2", p), "distance_km"] == pytest.approx(H2_D[p] / 1000, rel=1e-9)
        assert al.loc[("H2", p), "rule"] == RULE_CATCHMENT
    # the nearer practice takes more: the decay falls with distance
    want1 = gravity(H1_D)
    assert al.loc[("H1", "P"), "share"] == pytest.approx(want1["P"], rel=1e-9)  # 0.69347
    assert al.loc[("H1", "Q"), "share"] == pytest.approx(want1["Q"], rel=1e-9)  # 0.30653
    assert al.loc[("H5", "P"), "share"] == pytest.approx(1.0)
    # shares listed largest first within a site
    h2 = base.allocation.query("site_ref == 'H2'")
    assert list(h2["practice_code"]) == ["P", "Q", "R"]


def test_decay_distance_is_the_assumption_in_km() -> None:
    al = _alloc(evaluate(kit.region(), assumptions=kit.assumptions(allocation_decay_km=4.0)))
    want = gravity(H1_D, decay_km=4.0)  # 6,000 e^-0.3536 : 4,000 e^-0.5590 -> 0.64937
    assert al.loc[("H1", "P"), "share"] == pytest.approx(want["P"], rel=1e-9)


def test_outside_every_catchment_practices_within_the_threshold_share(base) -> None:
    r = base
    al = _alloc(r)
    want = gravity(H3_D)  # 6,000 e^-2.4622 : 3,000 e^-2.6576 -> 0.70857 : 0.29143
    assert set(r.allocation.query("site_ref == 'H3'")["practice_code"]) == {"P", "R"}
    for p in "PR":
        assert al.loc[("H3", p), "share"] == pytest.approx(want[p], rel=1e-9)
        assert al.loc[("H3", p), "rule"] == RULE_THRESHOLD
        assert al.loc[("H3", p), "distance_km"] == pytest.approx(H3_D[p] / 1000, rel=1e-9)
    assert any("2 housing site(s) lie outside every catchment" in w for w in r.warnings)


def test_beyond_the_threshold_the_nearest_practice_takes_all(base) -> None:
    r = base
    h4 = r.allocation.query("site_ref == 'H4'")
    # H4 at (20000, 6000): R2 at (12000, 8000) is 8,246.2 m away, the nearest surgery of all
    # (R 10,000; P2 14,866; Q 18,248; P 20,881) and beyond 5,769.2 m: R takes everyone.
    assert list(h4["practice_code"]) == ["R"]
    assert h4["share"].iloc[0] == pytest.approx(1.0)
    assert h4["rule"].iloc[0] == RULE_NEAREST
    assert h4["distance_km"].iloc[0] == pytest.approx(math.hypot(8000, 2000) / 1000, rel=1e-9)
    # it is in zone Z2, so it is counted (not dropped as outside the region)
    assert r.sites.loc["H4", "counted"]


def test_nearest_fallback_picks_the_nearest_not_the_farthest_surgery() -> None:
    # moved to (-9000, 0): P at 9,000 m is nearest (Q 11,402; P2 15,000; R 21,000)
    g = kit.growth()
    g.sites.loc["H4", "geometry"] = Point(-9000, 0)
    al = allocate_sites(g.sites, kit.practices(), kit.catchments(),
                        pd.Series(LISTS), A)
    h4 = al[al["site_ref"] == "H4"]
    assert list(h4["practice_code"]) == ["P"] and h4["rule"].iloc[0] == RULE_NEAREST
    assert h4["distance_km"].iloc[0] == pytest.approx(9.0)


def test_branch_sites_are_surgeries_of_their_main_practice(base) -> None:
    # Without its branch P2, P is 5,522.7 m from H2 and its share falls.
    region = kit.region()
    region.practices = region.practices.drop(index=["P2"])
    al = _alloc(evaluate(region, assumptions=A))
    want = gravity({**H2_D, "P": math.hypot(5500, 500)})  # P: 6,000 e^-2.7614 = 379.1
    assert al.loc[("H2", "P"), "share"] == pytest.approx(want["P"], rel=1e-9)  # 0.39002
    assert "P2" not in set(base.allocation["practice_code"])


def test_new_residents_are_conserved(base) -> None:
    r = base
    assert r.allocation.groupby("site_ref")["share"].sum().to_numpy() == pytest.approx(1.0)
    # weighted new patients at the horizon, by hand (see test_chain.py):
    # 263.25 + 146.88 + 219.375 + 65.8125 + 87.75 = 783.0675
    assert r.practices["new_patients_horizon"].sum() == pytest.approx(783.0675)
    assert r.zones["new_patients_horizon"].sum() == pytest.approx(783.0675)


def test_a_practice_without_a_list_attracts_as_one_patient() -> None:
    # A new practice N with no list at (1000, 0), its catchment over H1 only.
    p = kit.practices()
    new = p.loc[["Q"]].copy()
    new.index = ["N"]
    new["practice_code"] = "N"
    new["list_size"] = 0.0
    new = new.set_geometry(gpd.GeoSeries([Point(1000, 0)], index=["N"], crs=CRS))
    p = pd.concat([p, new])
    c = pd.concat([kit.catchments(), gpd.GeoDataFrame(
        {"practice_code": ["N"]}, geometry=[Point(1000, 1000).buffer(10)], crs=CRS,
        index=["N"])])
    al = allocate_sites(kit.growth().sites, p, c, pd.Series({**LISTS, "N": 0.0}), A)
    h1 = al[al["site_ref"] == "H1"].set_index("practice_code")["share"]
    # N: 1 x e^-0.5 = 0.6065 beside P 6,000 e^-0.7071 = 2,958.2 and Q 4,000 e^-1.1180 = 1,307.9
    w = {"P": 6000 * math.exp(-H1_D["P"] / 2000), "Q": 4000 * math.exp(-H1_D["Q"] / 2000),
         "N": 1 * math.exp(-1000 / 2000)}
    assert h1["N"] == pytest.approx(w["N"] / sum(w.values()), rel=1e-9)
    assert h1["P"] == pytest.approx(w["P"] / sum(w.values()), rel=1e-9)


def test_registration_shares_ignore_empty_rows_and_unknown_practices() -> None:
    region = kit.region()
    # Z2 (H3, H4) is registered 900 with R, 100 with P, none with Q; Z1 has no registrations
    region.registrations = pd.DataFrame({
        "practice_code": ["R", "P", "Q", "X9"],
        "zone_code": ["Z2", "Z2", "Z2", "Z2"],
        "patients": [900.0, 100.0, 0.0, 5000.0]})
    r = evaluate(region, assumptions=A)
    al = _alloc(r)
    for site in ("H3", "H4"):
        assert al.loc[(site, "R"), "share"] == pytest.approx(0.9)
        assert al.loc[(site, "P"), "share"] == pytest.approx(0.1)
        assert al.loc[(site, "R"), "rule"] == RULE_REGISTRATION
        assert (site, "Q") not in al.index and (site, "X9") not in al.index
    # distance is still to the nearest surgery: H4 to P's branch P2, 14,866.1 m
    assert al.loc[("H4", "P"), "distance_km"] == pytest.approx(math.hypot(14000, 6000) / 1000)
    # Z1's sites keep the catchment rule
    assert al.loc[("H2", "P"), "rule"] == RULE_CATCHMENT
    assert al.loc[("H2", "P"), "share"] == pytest.approx(gravity(H2_D)["P"], rel=1e-9)


def test_no_sites_or_no_practices_give_an_empty_table() -> None:
    g = kit.growth()
    empty = allocate_sites(g.sites.iloc[:0], kit.practices(), kit.catchments(),
                           pd.Series(LISTS), A)
    assert list(empty.columns) == ["site_ref", "practice_code", "share", "distance_km", "rule"]
    assert len(empty) == 0
    none = allocate_sites(g.sites, kit.practices().iloc[:0], kit.catchments(),
                          pd.Series(LISTS), A)
    assert len(none) == 0
