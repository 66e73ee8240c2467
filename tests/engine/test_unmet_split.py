"""Item 7 of issue 11 on tests/enginekit.py: unmet demand split, at several thresholds.

Zone demand at 2030 (need weights 1): Z1 6,000 + 237 + 474 = 6,711, Z2 8,000 + 150 = 8,150.
Capacity (floor standard taken as gross): Alpha 10,208 and Beta 4,375 whole patients.
By car (30 km/h, circuity 1.3) a minute covers 500 / 1.3 = 384.6 m straight line. Z1's centre
(-250, 0) is 250 m from Alpha and 4,250 m from Beta; Z2's (4,750, 0) 750 m from Beta and
4,750 m from Alpha.
"""

from __future__ import annotations

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from tests import enginekit as kit

A = Assumptions(**kit.PLAIN).with_overrides(  # type: ignore[arg-type]
    {"sensitivity_thresholds_minutes": [1, 10, 15]})


def test_unmet_demand_at_three_thresholds_by_hand() -> None:
    s = evaluate(kit.region(), assumptions=A).summary
    by = s["unmet_by_threshold"]
    # 1 minute (384.6 m): Z1 reaches Alpha only; Z2 reaches nothing, its 8,150 are an access gap
    assert by["1"] == {"unmet_demand_within_threshold": 8150.0, "unmet_no_surgery_in_reach": 8150.0,
                       "unmet_surgeries_full": 0.0, "misplaced_capacity": 0.0}
    # 10 minutes (3,846 m): Z1 -> Alpha (6,711 served, 3,497 spare), Z2 -> Beta (4,375 served,
    # 3,775 unmet with its surgery full); Alpha's 3,497 spare is capacity in the wrong place
    assert by["10"] == {"unmet_demand_within_threshold": 3775.0, "unmet_no_surgery_in_reach": 0.0,
                        "unmet_surgeries_full": 3775.0, "misplaced_capacity": 3497.0}
    # 15 minutes (5,769 m): both zones reach both surgeries; 14,861 - 14,583 = 278 short in total
    assert by["15"] == {"unmet_demand_within_threshold": 278.0, "unmet_no_surgery_in_reach": 0.0,
                        "unmet_surgeries_full": 278.0, "misplaced_capacity": 0.0}
    # the headline is the 15-minute threshold, and its parts add up
    assert s["unmet_demand_within_threshold"] == 278.0
    assert s["unmet_no_surgery_in_reach"] + s["unmet_surgeries_full"] == 278.0
    assert s["misplaced_capacity"] == 0.0


def test_misplaced_is_the_surgeries_full_part_only() -> None:
    r = evaluate(kit.region(), assumptions=A.with_overrides({"threshold_minutes": 1}))
    s = r.summary
    assert s["unmet_no_surgery_in_reach"] == 8150.0
    assert s["misplaced_capacity"] == 0.0  # was min(8,150, 3,497 spare) = 3,497 before
    assert not r.zones.loc["Z2", "surgery_in_reach"] and r.zones.loc["Z1", "surgery_in_reach"]
    # Alpha's 3,497 spare is within the wider 30 minutes of Z2 (4,750 m < 11,538 m): not stranded
    assert s["stranded_capacity"] == 0.0
