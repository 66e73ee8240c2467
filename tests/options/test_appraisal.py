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


REF_COST = 120 / 1750 * 3000  # the default reference: GBP 205.71 per deficit patient resolved


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
    # 30 m2 = 437.5 places covers all of A's 367.24: the whole region's deficit, full marks
    assert top["score"] == pytest.approx(100)
    # GBP 90,000 / 367.24 patients = GBP 245.07 per deficit patient resolved
    assert top["cost_per_deficit_patient_gbp"] == pytest.approx(90000 / DEFICIT_A)
    assert by_deficit.attrs["weights"] == {"deficit": 1.0, "access": 0.0, "cost": 0.0}


def test_default_weights_score_against_fixed_references_by_hand() -> None:
    r = region()
    options = [Scenario("Extend A", ({"type": "extend", "practice_code": "A", "gia_m2": 30},))]
    ap = run_appraisal(r, None, A, options)
    t = ap.table.set_index("option")
    assert set(t.index) == {"Do nothing", "Extend A"}
    # deficit 367.2 / 367.2 = 1; access unchanged = 0; value 205.71 / 245.07 = 0.8394
    value = REF_COST / (90000 / DEFICIT_A)
    assert t.loc["Extend A", "score_cost"] == pytest.approx(value)
    assert t.loc["Extend A", "score"] == pytest.approx(100 * (0.4 * 1 + 0.3 * 0 + 0.3 * value))
    # do nothing resolves nothing, changes no access and scores 0 by construction
    assert t.loc["Do nothing", "score"] == 0
    assert t.loc["Extend A", "rank"] == 1
    assert math.isnan(t.loc["Do nothing", "cost_per_deficit_patient_gbp"])


def test_adding_an_irrelevant_option_changes_no_other_score_or_order() -> None:
    r = region()
    options = [Scenario("Extend A", ({"type": "extend", "practice_code": "A", "gia_m2": 30},)),
               Scenario("Extend A a lot", ({"type": "extend", "practice_code": "A",
                                            "gia_m2": 200},))]
    before = appraise(r, None, A, options).set_index("option")
    # B has no deficit: extending it by 500 m2 resolves nothing at a cost of GBP 1.5m, which
    # under min-max scaling moved every other option's cost score
    irrelevant = Scenario("Extend B", ({"type": "extend", "practice_code": "B",
                                        "gia_m2": 500},))
    after = appraise(r, None, A, [*options, irrelevant]).set_index("option")
    for name in before.index:
        assert after.loc[name, "score"] == pytest.approx(before.loc[name, "score"])
    order_before = list(before.index)
    assert [n for n in after.index if n != "Extend B"] == order_before
    assert after.loc["Extend B", "score"] == 0


def test_access_criterion_counts_the_new_homes_residents() -> None:
    r = region()
    a = A.with_overrides({"threshold_minutes": 5})
    # The zones hold no one aged 65+; the people aged 65+ are the new homes' residents (car:
    # 1.3 / 500 = 0.0026 min a metre):
    #   S1 237 x 18.5 % = 43.845 at (-1,000, 0), 1,000 m from A: 2.6 min, within 5
    #   S2 474 x 18.5 % = 87.69 at (2,000, 500), 2,061.6 m from A and B: 5.36 min, beyond
    #   S3 150 (retirement, all 65+) at (6,000, 0), 2,000 m from B: 5.2 min, beyond
    # Baseline 43.845 / 281.535 = 15.57 %; a satellite beside S3 adds its 150: 68.85 %,
    # +53.28 points, over the 5-point reference: full marks (capped at 1).
    older = 43.845 + 87.69 + 150
    options = [Scenario("Village satellite", ({"type": "add_satellite", "parent_code": "B",
                                               "easting": 6000, "northing": 0,
                                               "gia_m2": 100},))]
    t = appraise(r, None, a, options).set_index("option")
    row = t.loc["Village satellite"]
    assert row["older_pct_within_base"] == pytest.approx(100 * 43.845 / older)
    assert row["older_access_change_pp"] == pytest.approx(100 * 150 / older)
    assert row["score_access"] == 1


def test_an_option_leaving_people_further_is_flagged_with_how_many() -> None:
    r = region()
    r.zones.loc["Z2", "pop_75_84"] = 500.0
    r.zones.loc["Z2", "ruc21"] = "RSN1"
    # B moves from (4,000, 0) to (6,000, 0). Further from their nearest surgery: zone Z2 at
    # (4,750, 0) (750 m -> 1,250 m): 8,000 + 500 people, the 500 aged 75+ in a smaller rural
    # zone. S2 at (2,000, 500) keeps A at 2,061.6 m (it was equidistant from A and B), Z1 and
    # S1 keep A, and S3 gets nearer.
    options = [Scenario("Move B", ({"type": "relocate", "practice_code": "B",
                                    "easting": 6000, "northing": 0},))]
    t = appraise(r, None, A, options).set_index("option")
    row = t.loc["Move B"]
    assert row["people_further"] == pytest.approx(8500)
    assert row["people_65_plus_further"] == pytest.approx(500)
    assert row["older_rural_further"] == pytest.approx(500)
    assert "8,500 people further" in row["flag"] and "500 aged 65+ in rural" in row["flag"]
    assert t.loc["Do nothing", "flag"] == ""


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
