from __future__ import annotations

import json
import math

import pytest

from estates.assumptions import Assumptions
from estates.errors import AssumptionError, InputError


def test_every_field_has_unit_source_and_label() -> None:
    rows = list(Assumptions().describe())
    assert len(rows) == len(Assumptions.names())
    for row in rows:
        assert row["unit"], row["name"]
        assert row["source"], row["name"]
        assert row["label"], row["name"]


def test_published_figures() -> None:
    a = Assumptions()
    assert a.people_per_gp_fte == 1800
    assert a.occupancy_general == 2.37
    assert math.isclose(a.m2_per_patient, 120 / 1750)
    # METHODS.md: 10 x 48 x 12 x 0.6 = 3,456 appointments; / (5.8 x 0.65) = about 917 patients
    assert math.isclose(a.patients_per_room, 3456 / (5.8 * 0.65))
    assert round(a.patients_per_room) == 917
    assert a.e2sfca_steps == {10.0: 1.0, 20.0: 0.68, 30.0: 0.22}


def test_json_round_trip() -> None:
    a = Assumptions().with_overrides({"occupancy_general": 2.5, "need_weights": [1, 1, 1, 1, 1.5, 2, 3]})
    text = a.to_json()
    back = Assumptions.from_json(text)
    assert back == a
    data = json.loads(text)
    assert data["occupancy_general"] == {"value": 2.5, "unit": "persons per dwelling",
                                         "source": data["occupancy_general"]["source"]}
    # plain {name: value} overrides work too
    assert Assumptions.from_dict({"occupancy_general": 2.5}).occupancy_general == 2.5


def test_bad_overrides_are_all_reported() -> None:
    with pytest.raises(AssumptionError) as info:
        Assumptions().with_overrides({"occupancy_general": -1, "threshold_minutes": 0,
                                      "no_such_thing": 3, "room_utilisation": "high"},
                                     file="scenario.json")
    text = str(info.value)
    assert "4 problem(s)" in text
    assert "scenario.json, column 'occupancy_general': assumption 'occupancy_general': must be above zero (value -1)" in text
    assert "'threshold_minutes': must be above zero (value 0)" in text
    assert "unknown assumption 'no_such_thing'" in text
    assert "'room_utilisation': is not a number" in text
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)
    assert len(info.value.problems) == 4


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [
        ("room_utilisation", 1.5, "above the maximum 1"),
        ("base_year", 2026.5, "whole number"),
        ("net_to_gross", 0.9, "below the minimum 1"),
        ("people_per_gp_fte", float("nan"), "not a finite number"),
        ("people_per_gp_fte", True, "not a number"),
        ("capacity_method", "magic", "not one of the choices"),
        ("age_profile_retirement", [0.5, 0.5, 0.5, 0, 0, 0, 0], "add up to 1.5"),
        ("need_weights", [1, 1], "has 2 values"),
        ("need_weights", [1, 1, 1, 1, 1, 1, -1], "negative"),
        ("e2sfca_weights", [10, 1, 5, 0.5], "rising"),
        ("e2sfca_weights", [10, 1, 20], "pairs"),
        ("e2sfca_weights", [10, 2], "between 0 and 1"),
    ],
)
def test_each_bad_value(name: str, value: object, why: str) -> None:
    with pytest.raises(AssumptionError, match=why):
        Assumptions().with_overrides({name: value})


def test_horizon_before_base() -> None:
    with pytest.raises(AssumptionError, match="horizon year is before the base year"):
        Assumptions().with_overrides({"base_year": 2030, "horizon_year": 2029})


def test_json_errors() -> None:
    with pytest.raises(AssumptionError, match="not valid JSON"):
        Assumptions.from_json("{")
    with pytest.raises(AssumptionError, match="expected a JSON object"):
        Assumptions.from_json("[1, 2]")


def test_frozen() -> None:
    a = Assumptions()
    with pytest.raises(AttributeError):
        a.occupancy_general = 3  # type: ignore[misc]
