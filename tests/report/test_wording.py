"""Changes described in plain words, figures rounded sensibly, before and after as words."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from estates.io.region import demo_region
from estates.model import CRS
from estates.report.figures import change_text, format_value, round_sensibly
from estates.report.wording import describe_change, describe_changes, landmark
from tests import enginekit as kit

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_satellite_is_named_and_placed_beside_the_retirement_village() -> None:
    doc = json.loads((ROOT / "data" / "demo" / "scenarios" /
                      "library_and_retirement_satellite.json").read_text())
    with (ROOT / "data" / "demo" / "practices.csv").open() as f:
        names = {r["practice_code"]: r["site_name"] for r in csv.DictReader(f)}
    with (ROOT / "data" / "demo" / "candidates.csv").open() as f:
        libraries = {r["candidate_id"]: r["name"] for r in csv.DictReader(f)}
    r = demo_region()
    said = describe_changes(doc["changes"], r, sites=r.growth.sites)
    assert said[0] == f"A satellite of {names['Z99031']} in {libraries['LIB08']}."
    assert said[1] == (f"A 250 m² satellite of {names['Z99036']} beside Hawkhurst retirement "
                       "village (easting 576,650, northing 130,060).")
    assert "Z99036" not in said[1] and "576650" not in said[1]


def test_beside_the_nearest_landmark_within_400_m_else_the_grid_reference() -> None:
    r = kit.region()
    r.candidates = gpd.GeoDataFrame({"candidate_id": ["L1"], "name": ["Town Library"],
                                     "kind": ["library"], "available_m2": [100.0]},
                                    geometry=[Point(2300, 500)], crs=CRS, index=["L1"])
    sites = kit.growth().sites  # Middle Farm at (2000, 500)
    # 250 m from Middle Farm, 50 m from the library: the nearer one names the place.
    assert landmark(r, sites, 2250, 500).startswith("beside Town Library")
    # 350 m from Middle Farm, 650 m from the library: beside the farm.
    assert landmark(r, sites, 1650, 500).startswith("beside Middle Farm")
    # 500 m from everything: only its grid reference.
    assert landmark(r, sites, 2000, 1000) == "at easting 2,000, northing 1,000"


def test_every_kind_of_change_reads_as_a_sentence() -> None:
    r = kit.region()
    assert describe_change({"type": "extend", "practice_code": "A", "gia_m2": 120}, r) == \
        "Alpha Surgery is extended by 120 m²."
    assert describe_change({"type": "merge", "hub_code": "A", "practices": ["B"]}, r) == \
        "Beta Surgery merges into Alpha Surgery."
    assert describe_change({"type": "close_site", "practice_code": "B"}, r) == \
        "Beta Surgery closes; its patients register with the nearest other practice."
    assert describe_change({"type": "relocate", "practice_code": "B", "easting": 9000,
                            "northing": 9000}, r) == \
        "Beta Surgery moves to easting 9,000, northing 9,000."
    # The floor area a default gave (from the cost table) is used when the change has none.
    costs = pd.DataFrame({"change": [0], "m2": [60.0]})
    said = describe_changes([{"type": "add_satellite", "parent_code": "B", "easting": 100,
                              "northing": 9000}], r, costs=costs)
    assert said == ["A 60 m² satellite of Beta Surgery at easting 100, northing 9,000."]


@pytest.mark.parametrize(("value", "rounded"), [
    (0.06857142857142857, 0.0686), (1.5, 1.5), (3200.0, 3200), (1234.6, 1235),
    (0.000123456, 0.000123), (-2.345678, -2.35)])
def test_round_sensibly(value: float, rounded: float) -> None:
    assert round_sensibly(value) == rounded


def test_values_read_with_units_and_years_as_financial_years() -> None:
    assert format_value(0.06857142857142857, "m2 per patient") == "0.0686 m2 per patient"
    assert format_value(2026, "year (financial year starting)") == "2026/27"
    assert format_value(1800, "patients per full-time GP") == "1,800 patients per full-time GP"
    assert format_value(3000, "GBP per m2") == "3,000 GBP per m2"


def test_before_and_after_as_words() -> None:
    assert change_text(20, 20) == "no change (20)"
    assert change_text(20, 5) == "20 to 5"
    assert change_text(12345, 1234) == "12,345 to 1,234"
