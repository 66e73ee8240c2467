"""Item 2 of issue 11: the floor-area standard says which floor area it is.

On tests/enginekit.py: Alpha 700 m2 gross and 10 clinical rooms, Beta 300 m2 and 5 rooms.
The standard is 120 m2 net per 1,750 patients = 0.0685714 m2; grossed up by 1.3 it is
0.0891429 m2 of gross internal area per patient. A room serves
10 x 48 x 12 x 0.6 / (5.8 x 0.65) = 3,456 / 3.77 = 916.71 patients a year.
"""

from __future__ import annotations

import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.engine.impact import m2_for_patients
from tests import enginekit as kit

A = Assumptions(base_year=2026, horizon_year=2030, need_weights=(1.0,) * 7)
GROSS_PER_PATIENT = 120 / 1750 * 1.3  # 0.0891429
PER_ROOM = 3456 / 3.77  # 916.71


def test_a_net_standard_is_grossed_up_before_it_divides_gross_floor_area() -> None:
    p = evaluate(kit.region(), assumptions=A).practices
    assert p.loc["A", "space_capacity"] == pytest.approx(700 / GROSS_PER_PATIENT)  # 7,852.6
    assert p.loc["B", "space_capacity"] == pytest.approx(300 / GROSS_PER_PATIENT)  # 3,365.4
    gross = evaluate(kit.region(), assumptions=A.with_overrides(
        {"floor_standard_basis": "gross"})).practices
    assert gross.loc["A", "space_capacity"] == pytest.approx(700 / (120 / 1750))  # 10,208.3


def test_practices_where_the_two_methods_disagree_are_flagged() -> None:
    r = evaluate(kit.region(), assumptions=A)
    p = r.practices
    # Alpha: 10 x 916.71 = 9,167.1 by rooms against 7,852.6 by floor space: +16.7 %
    assert p.loc["A", "methods_difference_pct"] == pytest.approx(
        100 * (10 * PER_ROOM / (700 / GROSS_PER_PATIENT) - 1))
    assert not p.loc["A", "methods_disagree"]
    # Beta: 5 x 916.71 = 4,583.6 against 3,365.4: +36.2 %, beyond the 25 % tolerance
    assert p.loc["B", "methods_difference_pct"] == pytest.approx(36.2, abs=0.05)
    assert p.loc["B", "methods_disagree"]
    assert r.summary["practices_methods_disagree"] == 1


def test_rooms_method_floor_area_includes_non_clinical_space() -> None:
    # 237 patients need 237 x 0.0891429 = 21.13 m2 gross by floor space; by rooms,
    # 237 / 916.71 = 0.2585 rooms of 16 m2, each with 16 / 0.25 - 16 = 48 m2 of non-clinical
    # space, grossed up by 1.3: 0.2585 x 83.2 = 21.51 m2. Counting the room and 30 % alone
    # (0.2585 x 20.8 = 5.38 m2) gave a quarter of the floor-space answer.
    space = m2_for_patients(237.0, A)
    rooms = m2_for_patients(237.0, A.with_overrides({"capacity_method": "rooms"}))
    assert space == pytest.approx(237 * GROSS_PER_PATIENT)
    assert rooms == pytest.approx(237 / PER_ROOM * 16 / 0.25 * 1.3)
    assert abs(rooms / space - 1) < 0.05
