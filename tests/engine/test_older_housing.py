"""Item 4 of issue 11: older people's housing yields what its source says.

DLUHC Fact Sheet 4 says retirement villages "may create higher-than-average demand for GPs".
With need weights normalised to the region's list (item 3), an older resident carries an older
resident's need, so a retirement unit's 1.5 residents weigh more than 1.5 average patients.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.io.region import read_region
from estates.model import AGE_BANDS
from tests import enginekit as kit

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def test_the_kit_retirement_village_statement_says_its_residents_need_more() -> None:
    # Lists unbanded: split by the zones' profile, all 15-44, so the weights are scaled to make
    # 15-44 weigh 1: 65-74 2.6755 / 1.399 = 1.9124, 75-84 3.2775 / 1.399 = 2.3428,
    # 85+ 3.1415 / 1.399 = 2.2455. S3: 0.5 x 1.9124 + 0.35 x 2.3428 + 0.15 x 2.2455 = 2.1130
    # weighted patients per resident.
    r = evaluate(kit.region(), assumptions=Assumptions(base_year=2026, horizon_year=2030))
    s3 = r.sites.loc["S3"]
    per = (0.5 * 2.6755 + 0.35 * 3.2775 + 0.15 * 3.1415) / 1.399
    assert s3["weighted_patients"] == pytest.approx(150 * per)
    assert f"{per:.2f} per patient against the region's average of 1.00" in s3["statement"]
    assert "older than the region's patients" in s3["statement"]


def test_hawkhurst_retirement_village_carries_older_need() -> None:
    region = read_region(DEMO)
    r = evaluate(region, assumptions=Assumptions())
    site = r.sites.loc["TWBC/002"]
    assert site["housing_type"] == "retirement"
    # 180 units x 1.5 = 270 residents, weighted by the region's normalised weights
    w = np.asarray(r.summary["need_weights_normalised"])
    a = Assumptions()
    per = float(np.dot(a.age_profile_retirement, w))
    assert site["weighted_patients"] == pytest.approx(270 * per, rel=1e-3)
    assert per > 1.5
    # a unit weighs more than a general home, as Fact Sheet 4 says it may
    general = r.sites[r.sites["housing_type"] == "general"]
    per_home = general["weighted_patients"].sum() / general["dwellings_by_horizon"].sum()
    assert site["weighted_patients"] / site["dwellings_by_horizon"] > per_home
    assert "older than the region's patients" in site["statement"]
    assert len(AGE_BANDS) == len(w)
