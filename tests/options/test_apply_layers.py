"""Applying a scenario keeps every layer of the region (issue 11, item 8).

On the hand-worked kit (tests/enginekit.py) with registrations: zone Z1 holds 900 patients of A
and 100 of B, zone Z2 100 of A and 300 of B. Housing site S1 lies in Z1, so with registrations its
residents split 900/1,000 = 90 % to A and 10 % to B; without them (catchment rule) S1 lies only
in A's catchment and all of them go to A. A scenario that drops the registrations therefore
moves demand between practices even with no change at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.options.apply import apply_scenario, remap_registrations
from estates.options.scenario import Scenario, do_nothing
from tests import enginekit as kit

A = Assumptions(base_year=2026, horizon_year=2030)


def region_with_registrations():
    r = kit.region()
    r.registrations = pd.DataFrame({"practice_code": ["A", "B", "A", "B"],
                                    "zone_code": ["Z1", "Z1", "Z2", "Z2"],
                                    "patients": [900.0, 100.0, 100.0, 300.0]})
    return r


def test_registrations_split_S1_by_hand() -> None:
    result = evaluate(region_with_registrations(), assumptions=A)
    s1 = result.allocation[result.allocation["site_ref"] == "S1"].set_index("practice_code")
    assert np.isclose(s1.at["A", "share"], 0.9) and np.isclose(s1.at["B", "share"], 0.1)


def test_an_empty_scenario_changes_no_figure() -> None:
    region = region_with_registrations()
    base = evaluate(region, assumptions=A)
    option = evaluate(apply_scenario(region, do_nothing(), assumptions=A), assumptions=A)
    pd.testing.assert_frame_equal(option.demand, base.demand)
    pd.testing.assert_frame_equal(option.headroom, base.headroom)
    pd.testing.assert_frame_equal(option.allocation, base.allocation)
    pd.testing.assert_frame_equal(option.zones, base.zones)
    skip = {"assumptions"}
    assert {k: v for k, v in option.summary.items() if k not in skip} == {
        k: v for k, v in base.summary.items() if k not in skip}


def test_every_layer_survives() -> None:
    region = region_with_registrations()
    region.population_raster = None
    out = apply_scenario(region, do_nothing(), assumptions=A)
    assert out.registrations is not None and out.registrations is not region.registrations
    pd.testing.assert_frame_equal(out.registrations, region.registrations)
    assert out.growth is region.growth and out.zones is region.zones


def test_merge_moves_registrations_to_the_hub() -> None:
    region = region_with_registrations()
    merged = apply_scenario(region, Scenario("m", ({"type": "merge", "hub_code": "A",
                                                    "practices": ["B"]},)), assumptions=A)
    reg = merged.registrations.set_index(["practice_code", "zone_code"])["patients"]
    # Z1: 900 + 100; Z2: 100 + 300, all under the hub A
    assert reg.to_dict() == {("A", "Z1"): 1000.0, ("A", "Z2"): 400.0}


def test_closure_follows_a_chain_of_moves() -> None:
    reg = pd.DataFrame({"practice_code": ["A", "B", "C"], "zone_code": ["Z1", "Z1", "Z2"],
                        "patients": [5.0, 7.0, 11.0]})
    out = remap_registrations(reg, {"A": "B", "B": "C"})
    assert out.set_index(["practice_code", "zone_code"])["patients"].to_dict() == {
        ("C", "Z1"): 12.0, ("C", "Z2"): 11.0}
