"""The satellite question answered (issue 11 item 12), on the hand-worked kit
(tests/enginekit.py, horizon 2030/31, 120 m2 per 1,750 patients: 100 m2 = 1,458.33 patients).

A satellite of B at (6,000, 100) beside the retirement village S3 (6,000, 0): it becomes the
nearest surgery only for S3 (100 m, against 2,000 m to B); zone Z2's origin (4,750, 0) stays
nearer B (750 m against 1,254 m). S3 brings 100 x 1.5 = 150 patients (need weights 1).
"""

from __future__ import annotations

import json

import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.options.apply import apply_with_costs
from estates.options.compare import compare
from estates.options.scenario import Scenario
from tests import enginekit as kit

# The plain arithmetic (gross standard, weights of 1): these tests are about other figures.
A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
CAPACITY_100M2 = 100 / (120 / 1750)  # 1,458.33 patients


def _compare(scenario: Scenario, a: Assumptions = A):
    region = kit.region()
    applied = apply_with_costs(region, scenario, assumptions=a)
    return compare(evaluate(region, assumptions=a), evaluate(applied.region, assumptions=a),
                   costs=applied.costs)


def satellite(x: float, y: float) -> Scenario:
    return Scenario("Satellite", ({"type": "add_satellite", "parent_code": "B", "easting": x,
                                   "northing": y, "gia_m2": 100},))


def test_village_satellite_is_under_used_by_hand() -> None:
    c = _compare(satellite(6000, 100))
    [entry] = c.new_sites
    assert entry["site_code"] == "B-S1"
    assert entry["capacity"] == pytest.approx(CAPACITY_100M2)
    assert entry["patients_expected_horizon"] == pytest.approx(150)
    assert entry["older_people_nearest"] == pytest.approx(150)
    # 150 / 1,458.33 = 10.29 %, below the default 80 %
    assert entry["utilisation_pct_horizon"] == pytest.approx(100 * 150 / CAPACITY_100M2)
    assert entry["patients_per_m2"] == pytest.approx(1.5)
    assert entry["verdict"] == "under-used: 10 % of its capacity by 2030/31"
    assert "150 need-weighted patients" in entry["answer"]
    # S3 was 2,000 m from B, now 100 m from the satellite: 1,900 x 1.3 / 500 = 4.94 minutes
    # saved by car; it already had B within 15 minutes
    assert entry["mean_minutes_saved"] == pytest.approx(1900 * 1.3 / 500)
    assert entry["patients_newly_within_reach"] == 0
    data = json.loads(json.dumps(c.to_dict()))
    assert data["new_sites"][0]["verdict"] == entry["verdict"]
    assert {"site_name", "patients_expected_horizon", "capacity", "utilisation_pct_horizon",
            "verdict"} <= set(data["new_sites"][0])


def test_satellite_where_people_live_is_well_used() -> None:
    # at Z2's origin: Z2's 8,000 registered patients (the zone holds 8,000 of 14,000 people
    # and the lists add up to 14,000) and S3 (1,250 m, against 2,000 m to B): 8,150 patients
    [entry] = _compare(satellite(4750, 0)).new_sites
    assert entry["patients_expected_horizon"] == pytest.approx(8150)
    # Z2 saves 750 m and S3 750 m: 750 x 1.3 / 500 = 1.95 minutes each
    assert entry["mean_minutes_saved"] == pytest.approx(1.95)
    assert entry["verdict"] == "well used"


def test_the_threshold_is_an_assumption() -> None:
    a = A.with_overrides({"new_site_well_used_pct": 10})
    [entry] = _compare(satellite(6000, 100), a).new_sites
    assert entry["verdict"] == "well used"  # 10.29 % >= 10 %


def test_an_extension_adds_no_new_site() -> None:
    c = _compare(Scenario("Extend", ({"type": "extend", "practice_code": "A",
                                      "gia_m2": 30},)))
    assert c.new_sites == []
