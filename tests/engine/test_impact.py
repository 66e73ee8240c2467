"""Contributions ask only for what is justified (issue 11, item 5; CIL Regulations 2010 reg. 122).

The hand-worked kit (tests/enginekit.py), base 2026, horizon 2030, floor space 120 m2 per 1,750
patients at GBP 3,000 per m2. Practice A has 700 / (120/1750) = 10,208.3 places; its headroom
is +89.8 in 2026 (10,000 + 50 x 2.37) and negative from 2027. Practice B (4,375 places) keeps
headroom every year: 4,000 + 2/7 x 474 + 150 = 4,285.4 at most.
"""

from __future__ import annotations

import pandas as pd
import pytest

from estates.assumptions import Assumptions
from estates.engine.evaluate import evaluate
from estates.model import Growth
from tests import enginekit as kit

# The plain arithmetic (gross standard, weights of 1): these tests are about other figures.
A = Assumptions(**kit.PLAIN)  # type: ignore[arg-type]
M2 = 120 / 1750
GBP = 3000


def test_only_patients_meeting_a_full_practice_in_their_completion_year_are_costed() -> None:
    r = evaluate(kit.region(), assumptions=A)
    s1 = r.sites.loc["S1"]
    # S1: 50 homes in 2026 (A has headroom then: not costed), 50 in 2027 (A short): 118.5
    assert s1["patients_to_practices_without_headroom"] == pytest.approx(50 * 2.37)
    assert s1["contribution_gbp"] == pytest.approx(50 * 2.37 * M2 * GBP)  # GBP 24,377
    assert s1["capital_cost_gbp"] == pytest.approx(100 * 2.37 * M2 * GBP)  # all patients
    s2 = r.sites.loc["S2"]
    # S2: 100 homes in 2027 and 100 in 2028, 5/7 to A (short both years), 2/7 to B (room)
    assert s2["patients_to_practices_without_headroom"] == pytest.approx(5 / 7 * 474)
    assert s2["contribution_gbp"] == pytest.approx(5 / 7 * 474 * M2 * GBP)  # GBP 69,668


def test_a_site_whose_practices_all_have_room_asks_nothing_and_says_why() -> None:
    r = evaluate(kit.region(), assumptions=A)
    s3 = r.sites.loc["S3"]  # the retirement village: all to B, which keeps headroom
    assert s3["contribution_gbp"] == 0.0
    assert s3["patients_to_practices_without_headroom"] == 0.0
    assert "no contribution (GBP 0)" in s3["statement"]
    assert "reg. 122" in s3["statement"]


def test_build_out_after_the_horizon_is_kept_and_costed_for_short_practices() -> None:
    g = kit.growth()
    sites = g.sites.copy()
    sites.loc["S1", "dwellings"] = 140.0
    sites.loc["S3", "dwellings"] = 130.0
    traj = g.trajectory.copy()
    traj[2031] = [40.0, 0.0, 30.0]  # S1: 40 homes after the horizon, S3: 30
    region = kit.region()
    region.growth = Growth(sites, traj)
    r = evaluate(region, assumptions=A)
    s1, s3 = r.sites.loc["S1"], r.sites.loc["S3"]
    assert s1["dwellings_after_horizon"] == 40 and s3["dwellings_after_horizon"] == 30
    # S1's later homes go to A, short at the horizon: 40 x 2.37 = 94.8 patients
    assert s1["contribution_after_horizon_gbp"] == pytest.approx(40 * 2.37 * M2 * GBP)
    # S3's go to B, which has room at the horizon (4,375 - 4,285.4 > 0): nothing
    assert s3["contribution_after_horizon_gbp"] == 0.0
    assert "after 2030/31" in s1["statement"]


def test_contributions_csv_one_row_per_site(tmp_path) -> None:
    from estates.io.export import write_outputs

    region = kit.region()
    r = evaluate(region, assumptions=A)
    write_outputs(region, r, tmp_path)
    table = pd.read_csv(tmp_path / "contributions.csv")
    assert list(table["site_ref"]) == ["S1", "S2", "S3"]
    for col in ("dwellings", "residents", "patients", "practices_headroom", "m2_justified",
                "contribution_gbp", "statement"):
        assert col in table.columns
    assert table.loc[0, "contribution_gbp"] == pytest.approx(50 * 2.37 * M2 * GBP, rel=1e-5)
    sites = pd.read_csv(tmp_path / "sites.csv")
    for col in ("patients_to_practices_without_headroom", "contribution_gbp",
                "dwellings_after_horizon", "contribution_after_horizon_gbp"):
        assert col in sites.columns
