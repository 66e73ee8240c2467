"""The options appraisal on the hand-worked region (tests/enginekit.py)."""

from __future__ import annotations

import math

import geopandas as gpd
import pytest
from shapely.geometry import Point

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.errors import InputError
from estates.model import CRS
from estates.options.appraisal import appraise, default_options, run_appraisal
from estates.options.scenario import Scenario
from tests import enginekit as kit

A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
M2 = 120 / 1750
DEFICIT_A = 10000 + 237 + 5 / 7 * 474 - 700 / M2  # A's deficit at the horizon, 367.24


def region() -> object:
    r = kit.region()
    r.candidates = gpd.GeoDataFrame(
        {"candidate_id": ["L1", "H1"], "name": ["Alpha Library", "Town Hall"],
         "kind": ["library", "council building"], "available_m2": [60.0, 300.0]},
        geometry=[Point(500, 0), Point(3000, 0)], crs=CRS, index=["L1", "H1"])
    return r


def test_default_options_by_hand() -> None:
    r = region()
    base = evaluate(r, assumptions=A)
    opts = {o.name: o for o in default_options(r, base, k=1)}
    assert opts["Do nothing"].changes == ()
    # A's deficit is 367.24 patients = 25.2 m2, rounded up to 30 m2
    assert opts["Do minimum: extend in place"].changes == (
        {"type": "extend", "practice_code": "A", "gia_m2": 30.0},)
    # the library nearest A (the worst deficit) offers 60 m2, below the 100 m2 minimum
    assert opts["Library satellite: Alpha Library"].changes == (
        {"type": "colocate", "practice_code": "A", "candidate_id": "L1", "gia_m2": 60.0},)
    # the retirement village S3 (at 6000, 0) registers wholly with B; its 150 residents need
    # 10.3 m2, so the satellite takes the 100 m2 minimum
    assert opts["Satellite beside East Retirement Village"].changes == (
        {"type": "add_satellite", "parent_code": "B", "easting": 6000.0, "northing": 0.0,
         "gia_m2": 100.0},)
    # B (converted house) and A are 4 km apart: a hub midway for 14,861 patients = 1,019 m2
    hub = opts["Hub: Beta Surgery joins Alpha Surgery"].changes[0]
    assert hub["hub_code"] == "A" and hub["practices"] == ["B"]
    assert (hub["easting"], hub["northing"], hub["gia_m2"]) == (2000.0, 0.0, 1020.0)
    assert any(name.startswith("Site finder") for name in opts)


def test_ranking_follows_the_weights() -> None:
    r = region()
    options = [Scenario("Do nothing"), Scenario("Extend A", (
        {"type": "extend", "practice_code": "A", "gia_m2": 30},))]
    by_deficit = appraise(r, None, A, options,
                          weights={"deficit": 1, "access": 0, "cost": 0})
    assert list(by_deficit["option"]) == ["Extend A", "Do nothing"]
    top = by_deficit.iloc[0]
    assert top["deficit_resolved"] == pytest.approx(DEFICIT_A, abs=0.1)
    assert top["capital_cost_gbp"] == pytest.approx(30 * 3000)
    assert top["score"] == pytest.approx(100)
    assert top["cost_per_patient_place_gbp"] == pytest.approx(90000 / (30 / M2), rel=1e-3)
    by_cost = appraise(r, None, A, options, weights={"deficit": 0, "access": 0, "cost": 2})
    assert list(by_cost["option"]) == ["Do nothing", "Extend A"]
    assert by_cost.attrs["weights"] == {"deficit": 0.0, "access": 0.0, "cost": 1.0}


def test_default_weights_score_by_hand() -> None:
    r = region()
    options = [Scenario("Extend A", ({"type": "extend", "practice_code": "A", "gia_m2": 30},))]
    ap = run_appraisal(r, None, A, options)
    t = ap.table.set_index("option")
    # do nothing was added; access is unchanged by an extension, so only deficit and cost count
    assert set(t.index) == {"Do nothing", "Extend A"}
    assert t.loc["Extend A", "score"] == pytest.approx(40)
    assert t.loc["Do nothing", "score"] == pytest.approx(30)
    assert t.loc["Extend A", "rank"] == 1
    assert math.isnan(t.loc["Do nothing", "cost_per_patient_place_gbp"])
    assert set(ap.comparisons) == {"Do nothing", "Extend A"}


def test_older_walk_access_counts_in_the_score() -> None:
    r = region()
    r.zones.loc["Z2", "pop_75_84"] = 500.0
    r.zones.loc["Z2", "ruc21"] = "RSN1"
    # Z2's centroid is 750 m from B: 16.25 minutes for an older walker, just over 15.
    options = [Scenario("Move B", ({"type": "relocate", "practice_code": "B",
                                    "easting": 4500, "northing": 0},))]
    t = appraise(r, None, A, options).set_index("option")
    assert t.loc["Move B", "older_walk_pct_base"] == pytest.approx(0)
    assert t.loc["Move B", "older_walk_pct"] == pytest.approx(100)
    assert t.loc["Move B", "older_walk_change_pp"] == pytest.approx(100)
    assert t.loc["Move B", "score_access"] == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"weights": {"deficit": 1}}, r"weights must give non-negative numbers"),
     ({"weights": {"deficit": -1, "access": 1, "cost": 1}}, r"weights must give"),
     ({"options": [Scenario("X"), Scenario("X")]}, r"option names must be unique")],
)
def test_bad_appraisal_inputs(kwargs: dict, match: str) -> None:
    options = kwargs.pop("options", [Scenario("Do nothing")])
    with pytest.raises(InputError, match=match):
        appraise(region(), None, A, options, **kwargs)
