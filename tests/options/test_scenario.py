"""Scenario changes on the hand-worked two-practice region (tests/enginekit.py), bad documents,
invariants, and the comparison against the baseline.

Geometry of the kit: practice A at (0, 0) with 700 m2 and 10,000 patients, B at (4000, 0) with
300 m2 and 4,000 patients; zone Z1 has its centroid at (-250, 0) and Z2 at (4750, 0). By car
(30 km/h, circuity 1.3) a metre takes 1.3 / 500 = 0.0026 minutes.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.errors import ScenarioError
from estates.model import CRS
from estates.options.apply import (
    apply_scenario,
    apply_with_costs,
    check_scenario,
    read_checked_scenario,
)
from estates.options.compare import compare
from estates.options.scenario import (
    SCENARIO_SCHEMA,
    Scenario,
    do_nothing,
    parse_scenario,
    read_scenario,
)
from tests import enginekit as kit

A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
M2 = 120 / 1750
PER_M = 1.3 / 500  # car minutes per metre
ROOM_M2 = 16 * 1.3  # a clinical room with circulation
DEMO_SCENARIO = (Path(__file__).resolve().parents[2] / "data" / "demo" / "scenarios"
                 / "library_and_retirement_satellite.json")


def region_with_candidates() -> object:
    r = kit.region()
    r.candidates = gpd.GeoDataFrame(
        {"candidate_id": ["C1", "C2"], "name": ["East Library", "West Hall"],
         "kind": ["library", "council building"], "available_m2": [100.0, 400.0]},
        geometry=[Point(4750, 500), Point(-2000, 0)], crs=CRS, index=["C1", "C2"])
    return r


def doc(*changes: dict, **extra: object) -> dict:
    return {"name": "test", "changes": list(changes), **extra}


def run(changes: list[dict], region: object | None = None):
    region = region or region_with_candidates()
    applied = apply_with_costs(region, check_scenario(doc(*changes), region),
                               assumptions=A)
    return applied, evaluate(region, assumptions=A), evaluate(applied.region, assumptions=A)


# ------------------------------------------------------------------------------ each change


def test_extend_adds_space_rooms_and_cost() -> None:
    applied, base, opt = run([{"type": "extend", "practice_code": "B", "gia_m2": 52}])
    assert opt.practices.loc["B", "capacity"] == pytest.approx(352 / M2)
    assert opt.practices.loc["B", "clinical_rooms"] == pytest.approx(5 + 52 / ROOM_M2)  # 7.5
    assert applied.capital_cost_gbp == pytest.approx(52 * 3000)
    assert opt.practices.loc["A", "capacity"] == pytest.approx(base.practices.loc["A", "capacity"])


def test_extend_by_rooms_derives_floor_area() -> None:
    applied, _, opt = run([{"type": "extend", "practice_code": "A", "clinical_rooms": 2}])
    assert opt.practices.loc["A", "gia_m2"] == pytest.approx(700 + 2 * 20.8)
    assert opt.practices.loc["A", "clinical_rooms"] == pytest.approx(12)
    assert applied.m2_added == pytest.approx(41.6)


def test_satellite_in_a_candidate_joins_its_parent_and_uses_fitout_cost() -> None:
    applied, base, opt = run([{"type": "add_satellite", "parent_code": "A",
                               "candidate_id": "C1", "gia_m2": 80}])
    p = applied.region.practices
    assert p.loc["A-S1", "site_kind"] == "branch" and p.loc["A-S1", "parent_code"] == "A"
    assert p.loc["A-S1", "list_size"] == 0
    assert opt.practices.loc["A", "capacity"] == pytest.approx(780 / M2)
    assert opt.practices.loc["A", "sites"] == 2
    assert applied.capital_cost_gbp == pytest.approx(80 * 1500)  # fit-out of a library
    assert applied.region.candidates.loc["C1", "available_m2"] == pytest.approx(20)
    # Z2's centroid (4750, 0) is 500 m from the satellite at (4750, 500), 750 m from B
    assert opt.zones.loc["Z2", "minutes_to_nearest_gp"] == pytest.approx(500 * PER_M)
    assert base.zones.loc["Z2", "minutes_to_nearest_gp"] == pytest.approx(750 * PER_M)
    assert opt.zones.loc["Z1", "minutes_to_nearest_gp"] == pytest.approx(250 * PER_M)


def test_satellite_at_a_point_is_a_new_build() -> None:
    applied, _, opt = run([{"type": "add_satellite", "parent_code": "B", "easting": 6000,
                            "northing": 0, "gia_m2": 100, "site_code": "B2",
                            "site_name": "Beta East"}])
    assert applied.region.practices.loc["B2", "site_name"] == "Beta East"
    assert opt.practices.loc["B", "capacity"] == pytest.approx(400 / M2)
    assert applied.capital_cost_gbp == pytest.approx(100 * 3000)


def test_colocate_takes_the_candidates_space_by_default() -> None:
    applied, _, opt = run([{"type": "colocate", "practice_code": "B", "candidate_id": "C2"}])
    assert opt.practices.loc["B", "capacity"] == pytest.approx(700 / M2)
    assert applied.region.candidates.loc["C2", "available_m2"] == 0
    assert applied.capital_cost_gbp == pytest.approx(400 * 1500)


def test_colocate_move_puts_the_site_in_the_building() -> None:
    applied, _, opt = run([{"type": "colocate", "practice_code": "B", "candidate_id": "C1",
                            "mode": "move", "gia_m2": 90}])
    p = applied.region.practices
    assert list(p.index) == ["A", "B"]
    assert (p.geometry["B"].x, p.geometry["B"].y) == (4750, 500)
    assert opt.practices.loc["B", "capacity"] == pytest.approx(90 / M2)


def test_relocate_moves_the_site_keeping_its_size() -> None:
    applied, _, opt = run([{"type": "relocate", "practice_code": "B", "easting": 5000,
                            "northing": 0}])
    assert opt.zones.loc["Z2", "minutes_to_nearest_gp"] == pytest.approx(250 * PER_M)
    assert opt.practices.loc["B", "capacity"] == pytest.approx(300 / M2)
    assert applied.capital_cost_gbp == pytest.approx(300 * 3000)  # a new building


def test_merge_moves_lists_closes_sites_and_unites_catchments() -> None:
    applied, _, opt = run([{"type": "merge", "hub_code": "A", "practices": ["B"]}])
    r = applied.region
    assert list(r.practices.index) == ["A"]
    assert r.practices.loc["A", "list_size"] == 14000
    assert r.practices.loc["A", "gp_fte"] == 5  # B's FTE is unknown
    # the union of box(-3000, -3000, 3000, 3000) and box(1000, -3000, 7000, 3000)
    assert list(r.catchments["practice_code"]) == ["A"]
    assert r.catchments.geometry.iloc[0].area == pytest.approx(10000 * 6000)
    assert opt.practices.loc["A", "demand_horizon"] == pytest.approx(14000 + 237 + 474 + 150)
    assert opt.headroom.loc["A", 2030] == pytest.approx(700 / M2 - 14861)
    assert opt.zones.loc["Z2", "minutes_to_nearest_gp"] == pytest.approx(4750 * PER_M)
    assert applied.capital_cost_gbp == 0


def test_merge_keeping_a_site_makes_it_a_branch_of_the_hub() -> None:
    applied, _, opt = run([{"type": "merge", "hub_code": "A", "practices": ["B"],
                            "keep_sites": ["B"]}])
    p = applied.region.practices
    assert p.loc["B", "site_kind"] == "branch" and p.loc["B", "parent_code"] == "A"
    assert opt.headroom.loc["A", 2030] == pytest.approx(1000 / M2 - 14861)


def test_merge_into_a_new_hub_with_floor_area() -> None:
    applied, _, opt = run([{"type": "merge", "hub_code": "A", "practices": ["B"],
                            "easting": 2000, "northing": 0, "gia_m2": 1100}])
    assert opt.practices.loc["A", "capacity"] == pytest.approx(1100 / M2)
    assert opt.zones.loc["Z1", "minutes_to_nearest_gp"] == pytest.approx(2250 * PER_M)
    assert applied.capital_cost_gbp == pytest.approx(1100 * 3000)


def test_closing_a_main_site_sends_its_list_to_the_nearest_practice() -> None:
    applied, _, opt = run([{"type": "close_site", "practice_code": "B"}])
    assert list(applied.region.practices.index) == ["A"]
    assert opt.practices.loc["A", "list_size"] == 14000


def test_closing_a_new_branch_restores_the_baseline() -> None:
    applied, base, opt = run([
        {"type": "add_satellite", "parent_code": "A", "easting": 100, "northing": 0,
         "gia_m2": 50},
        {"type": "close_site", "practice_code": "A-S1"}])
    assert list(applied.region.practices.index) == ["A", "B"]
    assert np.allclose(opt.headroom.to_numpy(), base.headroom.to_numpy())


def test_assumption_overrides_apply() -> None:
    sc = parse_scenario(doc({"type": "extend", "practice_code": "A", "gia_m2": 10},
                            assumptions={"cost_per_m2_gbp": 4000}))
    applied = apply_with_costs(kit.region(), sc)
    assert applied.capital_cost_gbp == pytest.approx(40000)


def test_apply_is_pure() -> None:
    region = region_with_candidates()
    before = region.practices.copy(), region.catchments.copy(), region.candidates.copy()
    sc = parse_scenario(doc({"type": "add_satellite", "parent_code": "A", "candidate_id": "C1",
                             "gia_m2": 50},
                            {"type": "merge", "hub_code": "A", "practices": ["B"]}))
    apply_scenario(region, sc)
    pd.testing.assert_frame_equal(region.practices, before[0])
    pd.testing.assert_frame_equal(region.catchments, before[1])
    pd.testing.assert_frame_equal(region.candidates, before[2])


def test_round_trip_through_json() -> None:
    sc = parse_scenario(doc({"type": "extend", "practice_code": "A", "gia_m2": 10},
                            description="d", assumptions={"circuity": 1.2}))
    again = parse_scenario(sc.to_json())
    assert again == Scenario("test", ({"type": "extend", "practice_code": "A", "gia_m2": 10},),
                             {"circuity": 1.2}, "d")
    assert SCENARIO_SCHEMA["properties"]["changes"]["type"] == "array"


# ------------------------------------------------------------------------------ bad documents


def test_schema_problems_name_the_change_and_field() -> None:
    bad = doc({"type": "add_satellite", "parent_code": "A", "gia_m2": -5},
              {"type": "knock_down"},
              {"type": "extend"},
              {"type": "extend", "practice_code": "A", "gia_m2": "lots", "colour": "red"},
              {"type": "add_satellite", "parent_code": "A", "easting": 51.2, "northing": -0.5})
    with pytest.raises(ScenarioError) as info:
        parse_scenario(bad)
    text = str(info.value)
    assert "changes[0].gia_m2: must be above zero (value -5)" in text
    assert "changes[1].type: must be one of" in text and "'knock_down'" in text
    assert "changes[2]: missing field 'practice_code'" in text
    assert "changes[3].gia_m2: must be a number (value 'lots')" in text
    assert "changes[3]: unknown field 'colour'" in text
    assert "changes[4].northing: must be at least 0 (value -0.5)" in text
    assert len(info.value.problems) == 6


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ("{not json", r"not valid JSON"),
        ("[1, 2]", r"must be a JSON object"),
        ({"changes": []}, r"scenario: missing field 'name'"),
        ({"name": "x", "changes": {}}, r"changes: must be a list"),
        ({"name": "x", "changes": [], "extra": 1}, r"unknown field 'extra'"),
        ({"name": "x", "changes": [], "assumptions": {"circuity": 9}},
         r"assumptions.circuity: is above the maximum 3"),
    ],
)
def test_malformed_documents(data: object, match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        parse_scenario(data)  # type: ignore[arg-type]


def test_semantic_problems_are_all_reported_with_index_and_field() -> None:
    region = region_with_candidates()
    bad = doc(
        {"type": "add_satellite", "parent_code": "Q", "easting": 1, "northing": 2,
         "gia_m2": 5},
        {"type": "add_satellite", "parent_code": "A", "candidate_id": "C1", "gia_m2": 150},
        {"type": "merge", "hub_code": "A", "practices": ["A", "B", "B"]},
        {"type": "extend", "practice_code": "B"},
        {"type": "colocate", "practice_code": "A", "candidate_id": "NOPE"},
        {"type": "add_satellite", "parent_code": "A", "candidate_id": "C1", "easting": 1,
         "northing": 1, "gia_m2": 5},
        {"type": "add_satellite", "parent_code": "A", "easting": 1},
        {"type": "close_site", "practice_code": "A", "list_to": "A"},
        {"type": "add_satellite", "parent_code": "A", "easting": 1, "northing": 1},
        assumptions={"speed_car_kmh": 0},
    )
    with pytest.raises(ScenarioError) as info:
        check_scenario(bad, region)
    text = str(info.value)
    for expected in [
        "assumptions.speed_car_kmh: must be above zero",
        "changes[0].parent_code: no surgery site has this code",
        "changes[1].gia_m2: is more than the 100 m2 available in candidate C1 (value 150)",
        "changes[2].practices[0]: is the hub itself: a practice cannot merge into itself",
        "changes[2].practices[2]: is listed twice",
        "changes[3].gia_m2: missing: give the added gia_m2 and/or clinical_rooms",
        "changes[4].candidate_id: no candidate building has this id (value 'NOPE')",
        "changes[5].candidate_id: give either a candidate_id or easting/northing, not both",
        "changes[6].northing: missing: a point needs both easting and northing",
        "changes[7].list_to: is the closing practice itself",
        "changes[8].gia_m2: missing: give the satellite's gia_m2 or clinical_rooms",
    ]:
        assert expected in text
    assert len(info.value.problems) == 11


def test_floor_area_taken_by_earlier_changes_counts() -> None:
    region = region_with_candidates()
    two = doc(*[{"type": "add_satellite", "parent_code": "A", "candidate_id": "C1",
                 "gia_m2": 60}] * 2)
    with pytest.raises(ScenarioError, match=r"changes\[1\].gia_m2: is more than the 40 m2 "
                       r"available in candidate C1 after changes\[0\] took part of it"):
        check_scenario(two, region)


def test_a_closed_site_cannot_be_changed_later() -> None:
    region = region_with_candidates()
    bad = doc({"type": "close_site", "practice_code": "B"},
              {"type": "extend", "practice_code": "B", "gia_m2": 10},
              {"type": "merge", "hub_code": "A", "practices": ["B"], "keep_sites": ["Z"]},
              {"type": "add_satellite", "parent_code": "A", "easting": 1, "northing": 1,
               "gia_m2": 5, "site_code": "A"})
    with pytest.raises(ScenarioError) as info:
        check_scenario(bad, region)
    text = str(info.value)
    assert "changes[1].practice_code: no surgery site has this code (or an earlier change " \
           "closed it) (value 'B')" in text
    assert "changes[2].practices[0]: no surgery site" in text
    assert "changes[2].keep_sites[0]: is not a site of the merging practices" in text
    assert "changes[3].site_code: is already the code of a surgery site" in text


def test_branch_given_where_a_main_practice_is_needed() -> None:
    region = region_with_candidates()
    sc = doc({"type": "add_satellite", "parent_code": "A", "easting": 1, "northing": 1,
              "gia_m2": 5},
             {"type": "add_satellite", "parent_code": "A-S1", "easting": 1, "northing": 1,
              "gia_m2": 5})
    with pytest.raises(ScenarioError, match=r"changes\[1\].parent_code: is a branch site; "
                       r"give its main practice \(A\)"):
        check_scenario(sc, region)


def test_read_scenario_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"cannot be read"):
        read_scenario(tmp_path / "missing.json")
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc({"type": "extend", "practice_code": "A", "gia_m2": -1})))
    with pytest.raises(ScenarioError, match=r"s.json: changes\[0\].gia_m2: must be above zero"):
        read_scenario(path)


# ------------------------------------------------------------------------------ invariants


def test_adding_a_satellite_never_increases_unmet_demand() -> None:
    region = region_with_candidates()
    base = evaluate(region, assumptions=A)
    rng = np.random.default_rng(7)
    for _ in range(12):
        x, y = rng.uniform(-3000, 7000), rng.uniform(-3000, 3000)
        parent = str(rng.choice(["A", "B"]))
        sc = Scenario("s", ({"type": "add_satellite", "parent_code": parent, "easting": x,
                             "northing": y, "gia_m2": float(rng.uniform(10, 300))},))
        opt = evaluate(apply_scenario(region, sc), assumptions=A)
        assert (opt.summary["unmet_demand_within_threshold"]
                <= base.summary["unmet_demand_within_threshold"])
        assert (opt.zones["minutes_to_nearest_gp"]
                <= base.zones["minutes_to_nearest_gp"] + 1e-9).all()


def test_closing_a_site_never_brings_anyone_nearer() -> None:
    region = region_with_candidates()
    grown = apply_scenario(region, Scenario("s", (
        {"type": "add_satellite", "parent_code": "A", "easting": 2000, "northing": 2000,
         "gia_m2": 60},)))
    base = evaluate(grown, assumptions=A)
    for code in ["A", "B", "A-S1"]:
        opt = evaluate(apply_scenario(grown, Scenario("c", ({"type": "close_site",
                                                             "practice_code": code},))),
                       assumptions=A)
        assert (opt.zones["minutes_to_nearest_gp"].to_numpy()
                >= base.zones["minutes_to_nearest_gp"].to_numpy() - 1e-9).all()


# ------------------------------------------------------------------------------ comparison


def test_compare_deficits_resolved_and_cost_per_place_by_hand() -> None:
    applied, base, opt = run([{"type": "extend", "practice_code": "A", "gia_m2": 30}])
    c = compare(base, opt, costs=applied.costs)
    # A's baseline deficit: 2027 10,237 + 5/7 x 237 - 700/M2; 2028-2030 10,575.57 - 700/M2
    d27 = 10237 + 5 / 7 * 237 - 700 / M2
    d28 = 10000 + 237 + 5 / 7 * 474 - 700 / M2
    assert c.deficits.loc["A", 2026] == pytest.approx(0)
    assert c.deficits.loc["A", 2027] == pytest.approx(d27)  # 30 m2 = 437.5 places covers it
    assert c.deficits.loc["A", 2030] == pytest.approx(d28)
    assert c.summary["deficit_patient_years_resolved"] == pytest.approx(d27 + 3 * d28)
    assert c.summary["practices_in_deficit_option"] == 0
    assert c.summary["capacity_added"] == pytest.approx(30 / M2, abs=0.1)
    assert c.summary["capital_cost_gbp"] == pytest.approx(90000)
    # GBP per patient of deficit resolved at the horizon: 90,000 / 367.24 = GBP 245.07
    assert c.summary["cost_per_deficit_patient_gbp"] == pytest.approx(90000 / d28)
    # without the per-change costs, added floor area is costed as new build
    assert compare(base, opt).summary["capital_cost_gbp"] == pytest.approx(90000)


def test_compare_merge_moves_the_deficit_to_the_hub() -> None:
    _, base, opt = run([{"type": "merge", "hub_code": "A", "practices": ["B"]}])
    c = compare(base, opt)
    d_base = 10000 + 237 + 5 / 7 * 474 - 700 / M2
    d_hub = 14861 - 700 / M2
    assert c.deficits.loc["A", 2030] == pytest.approx(d_base - d_hub)
    assert c.deficits.loc["B", 2030] == 0
    assert not c.practices.loc["B", "in_option"]
    # the hub carries a larger deficit than A had: nothing resolved, no cost per patient
    assert c.summary["cost_per_deficit_patient_gbp"] is None


def test_do_nothing_compares_as_no_change() -> None:
    region = region_with_candidates()
    base = evaluate(region, assumptions=A)
    opt = evaluate(apply_scenario(region, do_nothing()), assumptions=A)
    c = compare(base, opt)
    assert c.summary["deficit_resolved"] == 0 and c.summary["capital_cost_gbp"] == 0
    assert (c.access["change_pct_points"].fillna(0) == 0).all()
    json.dumps(c.to_dict())


# ------------------------------------------------------------------------------ the demo


def test_demo_scenario_file_is_valid() -> None:
    from estates.io.region import demo_region

    region = demo_region()
    sc = read_checked_scenario(DEMO_SCENARIO, region)
    kinds = [c["type"] for c in sc.changes]
    assert "colocate" in kinds and "add_satellite" in kinds
