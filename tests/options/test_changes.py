"""The changes a scenario makes and what each costs, worked by hand on the asymmetric region
(tests/enginekit2.py): merge costs (the whole area in a new or existing building, the increase
when a hub grows in place), fit-out against new build, the candidate building's space taken,
relocation's default size, and a closure's default list_to (the nearest practice)."""

from __future__ import annotations

import math

import pytest

from estates.engine.capacity import practice_capacity
from estates.errors import ScenarioError
from estates.options.apply import apply_with_costs, check_scenario
from tests import enginekit2 as kit

A = kit.assumptions()
ROOM_M2 = 16 * 1.3  # a clinical room with its circulation: 20.8 m2


def run(*changes: dict):
    region = kit.region()
    scenario = check_scenario({"name": "t", "changes": list(changes)}, region, assumptions=A)
    return apply_with_costs(region, scenario, assumptions=A)


def test_merge_into_a_candidate_building_fits_out_the_hubs_whole_area() -> None:
    # Q joins P; the hub moves to the Middle Library (C1, 300 m2) keeping its 300 m2
    ap = run({"type": "merge", "hub_code": "P", "practices": ["Q"], "candidate_id": "C1"})
    p = ap.region.practices
    assert list(p.index) == ["P", "P2", "R", "R2"]  # Q's site closes, P's branch stays
    assert (p.geometry["P"].x, p.geometry["P"].y) == (4000, 1000)
    assert p.loc["P", "gia_m2"] == pytest.approx(300)
    assert p.loc["P", "building"] == "co-located: library"
    # lists, age bands and GPs move: 6,000 + 4,000; 3.0 + 2.5 FTE
    assert p.loc["P", "list_size"] == 10000 and p.loc["P", "gp_fte"] == pytest.approx(5.5)
    assert p.loc["P", "list_15_44"] == 4000 and p.loc["P", "list_0_4"] == 1000
    cost = ap.costs.iloc[0]
    assert cost["m2"] == pytest.approx(300)
    assert cost["basis"] == "fit-out of an existing building"
    assert cost["rate_gbp_per_m2"] == 1500
    assert ap.capital_cost_gbp == pytest.approx(300 * 1500)  # GBP 450,000
    assert ap.region.candidates.loc["C1", "available_m2"] == pytest.approx(0)
    assert ap.region.candidates.loc["C2", "available_m2"] == pytest.approx(500)


def test_merge_into_part_of_a_candidate_takes_only_that_part() -> None:
    ap = run({"type": "merge", "hub_code": "P", "practices": ["Q"], "candidate_id": "C1",
              "gia_m2": 260})
    assert ap.capital_cost_gbp == pytest.approx(260 * 1500)  # GBP 390,000
    assert ap.region.candidates.loc["C1", "available_m2"] == pytest.approx(40)
    assert ap.region.practices.loc["P", "clinical_rooms"] == pytest.approx(260 / ROOM_M2)
    # by rooms: 10 rooms x 20.8 m2 = 208 m2
    ap = run({"type": "merge", "hub_code": "P", "practices": ["Q"], "candidate_id": "C1",
              "clinical_rooms": 10})
    assert ap.costs.iloc[0]["m2"] == pytest.approx(208)
    assert ap.region.practices.loc["P", "clinical_rooms"] == pytest.approx(10)
    assert ap.region.candidates.loc["C1", "available_m2"] == pytest.approx(92)


def test_merge_growing_the_hub_in_place_costs_the_increase_as_new_build() -> None:
    # P's main site grows from 300 to 420 m2: 120 m2 of new build at GBP 3,000
    ap = run({"type": "merge", "hub_code": "P", "practices": ["Q"], "gia_m2": 420})
    cost = ap.costs.iloc[0]
    assert cost["m2"] == pytest.approx(120) and cost["basis"] == "new build"
    assert ap.capital_cost_gbp == pytest.approx(120 * 3000)
    assert ap.region.practices.loc["P", "gia_m2"] == pytest.approx(420)
    assert (ap.region.practices.geometry["P"].x, ap.region.practices.geometry["P"].y) == (0, 0)
    # a hub that does not grow builds nothing
    same = run({"type": "merge", "hub_code": "P", "practices": ["Q"], "gia_m2": 250})
    assert same.capital_cost_gbp == 0 and same.costs.iloc[0]["basis"] == "none"


def test_merge_into_a_new_building_costs_the_whole_area_as_new_build() -> None:
    ap = run({"type": "merge", "hub_code": "Q", "practices": ["P"], "easting": 3000,
              "northing": 1500, "gia_m2": 500, "hub_name": "Harbour Health Centre"})
    p = ap.region.practices
    assert ap.capital_cost_gbp == pytest.approx(500 * 3000)
    assert ap.costs.iloc[0]["basis"] == "new build"
    assert p.loc["Q", "site_name"] == "Harbour Health Centre"
    assert p.loc["Q", "building"] == "new build (hub)"
    # P's branch P2 closes with P (not kept)
    assert list(p.index) == ["Q", "R", "R2"]
    # the hub's catchment is the union of P's and Q's: box(-2000,-2000,7000,2000) and
    # box(0,0,6000,5000) overlap in box(0,0,6000,2000): 36e6 + 30e6 - 12e6 = 54e6 m2
    cat = ap.region.catchments.set_index("practice_code")
    assert cat.geometry["Q"].area == pytest.approx(54e6)
    assert "P" not in cat.index


def test_merge_keeping_sites_makes_them_branches_of_the_hub() -> None:
    ap = run({"type": "merge", "hub_code": "R", "practices": ["P"], "keep_sites": ["P2"]})
    p = ap.region.practices
    assert "P" not in p.index
    assert p.loc["P2", "site_kind"] == "branch" and p.loc["P2", "parent_code"] == "R"
    pc = practice_capacity(p, A)
    # R: 180 + R2 60 + P2 130 = 370 m2
    assert pc.loc["R", "gia_m2"] == pytest.approx(370)
    assert pc.loc["R", "sites"] == 3
    # R's bands were unknown: the merged bands are unknown too (split later by the zones)
    assert math.isnan(p.loc["R", "list_15_44"]) and p.loc["R", "list_size"] == 9000
    assert p.loc["R", "gp_fte"] == pytest.approx(3.0)  # R's FTE unknown, P's 3.0 known


def test_closing_a_main_site_sends_its_list_to_the_nearest_practice() -> None:
    # Q at (2000, 3000): P is 3,605.6 m away, R 10,440.3 m: the list goes to P
    ap = run({"type": "close_site", "practice_code": "Q"})
    p = ap.region.practices
    assert "Q" not in p.index
    assert p.loc["P", "list_size"] == 10000 and p.loc["R", "list_size"] == 3000
    # R at (12000, 0): Q is 10,440.3 m away, P 12,000 m: the list goes to Q, its branch R2
    # carries on as Q's
    ap = run({"type": "close_site", "practice_code": "R"})
    p = ap.region.practices
    assert p.loc["Q", "list_size"] == 7000 and p.loc["P", "list_size"] == 6000
    assert p.loc["R2", "parent_code"] == "Q" and p.loc["R2", "site_kind"] == "branch"
    assert ap.capital_cost_gbp == 0 and ap.costs.iloc[0]["basis"] == "none"
    # an explicit list_to wins
    ap = run({"type": "close_site", "practice_code": "Q", "list_to": "R"})
    assert ap.region.practices.loc["R", "list_size"] == 7000


def test_closing_a_branch_takes_its_space_from_the_practice() -> None:
    ap = run({"type": "close_site", "practice_code": "P2"})
    pc = practice_capacity(ap.region.practices, A)
    assert pc.loc["P", "gia_m2"] == pytest.approx(300) and pc.loc["P", "sites"] == 1
    with pytest.raises(ScenarioError, match="a branch has no list of its own"):
        run({"type": "close_site", "practice_code": "P2", "list_to": "Q"})


def test_relocation_into_a_candidate_keeps_the_size_that_fits() -> None:
    # R (180 m2) into the Middle Library (300 m2): it keeps its 180 m2, fitted out
    ap = run({"type": "relocate", "practice_code": "R", "candidate_id": "C1"})
    assert ap.region.practices.loc["R", "gia_m2"] == pytest.approx(180)
    assert ap.capital_cost_gbp == pytest.approx(180 * 1500)
    assert ap.region.candidates.loc["C1", "available_m2"] == pytest.approx(120)
    assert ap.region.practices.loc["R", "building"] == "co-located: library"
    # P (300 m2) into what is left (120 m2) after a satellite took 180: it shrinks to 120 m2
    ap = run({"type": "add_satellite", "parent_code": "Q", "candidate_id": "C1", "gia_m2": 180},
             {"type": "relocate", "practice_code": "P", "candidate_id": "C1"})
    assert ap.region.practices.loc["P", "gia_m2"] == pytest.approx(120)
    assert ap.region.practices.loc["P", "clinical_rooms"] == pytest.approx(120 / ROOM_M2)
    assert ap.costs["cost_gbp"].tolist() == pytest.approx([180 * 1500, 120 * 1500])
    assert ap.region.candidates.loc["C1", "available_m2"] == pytest.approx(0)


def test_relocation_to_a_point_is_a_new_build_of_the_same_size_and_rooms() -> None:
    ap = run({"type": "relocate", "practice_code": "R", "easting": 11000, "northing": 500})
    p = ap.region.practices
    assert p.loc["R", "gia_m2"] == pytest.approx(180) and p.loc["R", "clinical_rooms"] == 3
    assert p.loc["R", "building"] == "new build (relocated)"
    assert ap.capital_cost_gbp == pytest.approx(180 * 3000)
    # a branch can move too; its parent keeps it
    ap = run({"type": "relocate", "practice_code": "P2", "easting": 5000, "northing": 0,
              "gia_m2": 150})
    assert ap.region.practices.loc["P2", "gia_m2"] == pytest.approx(150)
    assert ap.region.practices.loc["P2", "clinical_rooms"] == pytest.approx(150 / ROOM_M2)


def test_colocated_satellite_takes_the_whole_candidate_by_default() -> None:
    ap = run({"type": "colocate", "practice_code": "R", "candidate_id": "C2"})
    p = ap.region.practices
    assert p.loc["R-S1", "gia_m2"] == pytest.approx(500)
    assert p.loc["R-S1", "clinical_rooms"] == pytest.approx(500 / ROOM_M2)
    assert p.loc["R-S1", "site_name"] == "Ridge Medical Centre satellite at Old Depot"
    assert p.loc["R-S1", "building"] == "co-located: council building"
    assert ap.capital_cost_gbp == pytest.approx(500 * 1500)
    # a second satellite of R gets the next free code
    ap = run({"type": "add_satellite", "parent_code": "R", "easting": 9000, "northing": 0,
              "clinical_rooms": 2},
             {"type": "add_satellite", "parent_code": "R", "easting": 9500, "northing": 0,
              "gia_m2": 50})
    p = ap.region.practices
    assert p.loc["R-S1", "gia_m2"] == pytest.approx(2 * ROOM_M2)  # 41.6 m2 from 2 rooms
    assert p.loc["R-S1", "site_name"] == "Ridge Medical Centre satellite at 9000, 0"
    assert "R-S2" in p.index
    assert ap.costs["cost_gbp"].tolist() == pytest.approx([41.6 * 3000, 50 * 3000])


def test_extension_adds_to_the_named_site_only() -> None:
    ap = run({"type": "extend", "practice_code": "P2", "gia_m2": 41.6})
    p = ap.region.practices
    assert p.loc["P2", "gia_m2"] == pytest.approx(171.6)
    assert p.loc["P2", "clinical_rooms"] == pytest.approx(4)  # 2 + 41.6 / 20.8
    assert p.loc["P", "gia_m2"] == pytest.approx(300)
    assert ap.costs.iloc[0]["basis"] == "new build"
    assert ap.capital_cost_gbp == pytest.approx(41.6 * 3000)
