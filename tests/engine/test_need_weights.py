"""Item 3 of issue 11: need weights change the distribution of demand, not its total.

On tests/enginekit.py with Alpha's 10,000 patients banded 6,000 aged 15-44 and 4,000 aged
65-74, Beta's 4,000 all 15-44, and the default (Carr-Hill 2007, sexes averaged) weights
15-44 (0.913 + 1.885) / 2 = 1.399 and 65-74 (2.531 + 2.820) / 2 = 2.6755:
weighted lists Alpha 6,000 x 1.399 + 4,000 x 2.6755 = 19,096, Beta 4,000 x 1.399 = 5,596;
total 24,692 against 14,000 registered, so every weight is scaled by 14,000 / 24,692.
"""

from __future__ import annotations

import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.model import Region
from tests import enginekit as kit

A = Assumptions(base_year=2026, horizon_year=2030)
K = 14000 / 24692


def _banded() -> Region:
    region = kit.region()
    p = region.practices
    for b in ("0_4", "5_14", "15_44", "45_64", "65_74", "75_84", "85_plus"):
        p[f"list_{b}"] = 0.0
    p.loc["A", "list_15_44"], p.loc["A", "list_65_74"] = 6000.0, 4000.0
    p.loc["B", "list_15_44"] = 4000.0
    return region


def test_weighted_list_is_normalised_to_the_registered_list() -> None:
    r = evaluate(_banded(), assumptions=A)
    assert r.practices.loc["A", "base_demand"] == pytest.approx(19096 * K)  # 10,827.1
    assert r.practices.loc["B", "base_demand"] == pytest.approx(5596 * K)  # 3,172.9
    assert r.practices["base_demand"].sum() == pytest.approx(14000)
    assert r.zones["demand_base"].sum() == pytest.approx(14000)
    assert r.summary["need_weights_normalised"][2] == pytest.approx(round(1.399 * K, 4))


def test_other_weights_move_demand_but_not_the_total() -> None:
    heavy = A.with_overrides({"need_weights": [1, 1, 1, 1, 5, 1, 1]})
    r = evaluate(_banded(), assumptions=heavy)
    # 6,000 + 4,000 x 5 = 26,000 and 4,000: scaled by 14,000 / 30,000
    assert r.practices.loc["A", "base_demand"] == pytest.approx(26000 * 14000 / 30000)
    assert r.practices["base_demand"].sum() == pytest.approx(14000)


def test_a_new_resident_weighs_what_a_registered_patient_of_the_same_age_does() -> None:
    r = evaluate(_banded(), assumptions=A)
    # East Retirement Village (S3): 100 units x 1.5 = 150 residents, 50 % aged 65-74,
    # 35 % 75-84, 15 % 85+, all going to Beta
    w = [x * K for x in (2.6755, (3.254 + 3.301) / 2, (3.193 + 3.090) / 2)]
    expected = 150 * (0.5 * w[0] + 0.35 * w[1] + 0.15 * w[2])
    assert r.demand.loc["B", 2029] - r.demand.loc["B", 2028] == pytest.approx(expected)
    assert r.sites.loc["S3", "weighted_patients"] == pytest.approx(expected)
