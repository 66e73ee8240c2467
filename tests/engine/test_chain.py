"""Capacity, demand and the planning-contribution chain worked by hand on the asymmetric region
(tests/enginekit2.py): branch sites adding to their practice, the rooms and workforce methods,
lists split by a mixed zone age profile, need weights, a registration rate below 1, partial
build-out at the horizon, completion years and cost per home."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from estates.engine import capacity as cap
from estates.engine import demand as dem
from estates.engine.evaluate import evaluate
from estates.engine.impact import m2_for_patients
from estates.model import AGE_BANDS, Growth
from tests import enginekit2 as kit
from tests.enginekit2 import kitscope

A = kit.assumptions()


@pytest.fixture(scope=kitscope)
def base():
    """The kit evaluated (once per module outside mutation testing)."""
    return evaluate(kit.region(), assumptions=A)
M2, PER_ROOM = kit.M2, kit.PER_ROOM
# Weighted new patients per home, by hand: general 2.5 x 0.9 x (0.2 x 1.5 + 0.5 x 0.75 +
# 0.3 x 1.0 = 0.975) = 2.19375; retirement 1.6 x 0.9 x (0.6 x 1.5 + 0.4 x 2.0 = 1.7) = 2.448
GEN, RET = 2.5 * 0.9 * 0.975, 1.6 * 0.9 * 1.7
# Shares of each site (tests/engine/test_allocation.py works them):
E = math.exp
S1P = 6000 * E(-math.hypot(1000, 1000) / 2000)
S1Q = 4000 * E(-math.hypot(1000, 2000) / 2000)
H1 = {"P": S1P / (S1P + S1Q), "Q": S1Q / (S1P + S1Q)}  # 0.69347, 0.30653
_h2 = {"P": 6000 * E(-math.hypot(500, 500) / 2000), "Q": 4000 * E(-math.hypot(3500, 2500) / 2000),
       "R": 3000 * E(-math.hypot(6500, 500) / 2000)}
H2 = {p: v / sum(_h2.values()) for p, v in _h2.items()}  # 0.87883, 0.09713, 0.02403
_h3 = {"P": 6000 * E(-math.hypot(2000, 4500) / 2000), "R": 3000 * E(-math.hypot(4000, 3500) / 2000)}
H3 = {p: v / sum(_h3.values()) for p, v in _h3.items()}  # 0.70857, 0.29143


# ---------------------------------------------------------------------------------- capacity


def test_practice_capacity_by_floor_space_with_branches_added() -> None:
    pc = cap.practice_capacity(kit.practices(), A)
    assert list(pc.index) == ["P", "Q", "R"]  # main practices only, branches folded in
    assert pc.loc["P", "sites"] == 2 and pc.loc["Q", "sites"] == 1 and pc.loc["R", "sites"] == 2
    assert pc.loc["P", "gia_m2"] == pytest.approx(430)  # 300 + branch 130
    assert pc.loc["P", "clinical_rooms"] == pytest.approx(7)  # 5 + 2
    assert pc.loc["P", "space_capacity"] == pytest.approx(430 / M2)  # 6,270.83
    assert pc.loc["R", "space_capacity"] == pytest.approx(240 / M2)  # (180 + 60) / M2 = 3,500
    assert pc.loc["Q", "capacity"] == pytest.approx(240 / M2)  # 3,500
    assert pc.loc["P", "room_capacity"] == pytest.approx(7 * PER_ROOM)  # 6,420.69
    assert pc.loc["P", "premises_capacity"] == pytest.approx(430 / M2)
    sites = cap.site_capacity(kit.practices(), A)
    assert sites.loc["P2", "main_code"] == "P" and sites.loc["R2", "main_code"] == "R"
    assert sites.loc["P2", "premises_capacity"] == pytest.approx(130 / M2)  # 1,895.83


def test_workforce_binds_only_where_it_is_lower() -> None:
    pc = cap.practice_capacity(kit.practices(), A)
    # P: 3 FTE x 1,800 = 5,400 < 6,270.83 of floor space
    assert pc.loc["P", "gp_fte"] == pytest.approx(3.0)
    assert pc.loc["P", "workforce_capacity"] == pytest.approx(5400)
    assert pc.loc["P", "effective_capacity"] == pytest.approx(5400)
    assert pc.loc["P", "binding_constraint"] == "GP workforce"
    # Q: 2.5 x 1,800 = 4,500 > 3,500 of floor space
    assert pc.loc["Q", "effective_capacity"] == pytest.approx(3500)
    assert pc.loc["Q", "binding_constraint"] == "floor space"
    # R: GP FTE unknown: not zero, so the premises figure stands
    assert math.isnan(pc.loc["R", "workforce_capacity"])
    assert pc.loc["R", "effective_capacity"] == pytest.approx(3500)
    assert pc.loc["R", "binding_constraint"] == "floor space"
    a = kit.assumptions(people_per_gp_fte=2000)
    assert cap.practice_capacity(kit.practices(), a).loc["Q", "workforce_capacity"] == \
        pytest.approx(5000)
    # without a gp_fte column nothing is known about the workforce
    no_fte = cap.practice_capacity(kit.practices().drop(columns=["gp_fte"]), A)
    assert no_fte["workforce_capacity"].isna().all()
    assert (no_fte["binding_constraint"] == "floor space").all()


def test_rooms_method_uses_every_throughput_term() -> None:
    pc = cap.practice_capacity(kit.practices(), kit.assumptions(capacity_method="rooms"))
    assert pc.loc["Q", "capacity"] == pytest.approx(4 * PER_ROOM)  # 3,668.97
    assert pc.loc["R", "capacity"] == pytest.approx(4 * PER_ROOM)  # 3 + branch 1
    assert pc.loc["R", "binding_constraint"] == "clinical rooms"
    assert pc.loc["Q", "binding_constraint"] == "clinical rooms"  # 3,668.97 < 4,500
    assert pc.loc["P", "binding_constraint"] == "GP workforce"  # 5,400 < 6,420.69
    a = kit.assumptions(capacity_method="rooms", sessions_per_week=8, weeks_per_year=46,
                        appointments_per_session=14, room_utilisation=0.5,
                        appointments_per_patient=6, face_to_face_share=0.7)
    # 8 x 46 x 14 x 0.5 = 2,576 appointments / (6 x 0.7) = 613.33 patients per room
    assert cap.practice_capacity(kit.practices(), a).loc["Q", "capacity"] == \
        pytest.approx(4 * 2576 / 4.2)


# ---------------------------------------------------------------------------------- demand


def test_list_split_by_the_zones_mixed_age_profile() -> None:
    bands = dem.list_by_band(kit.practices(), kit.zones())
    assert list(bands.index) == ["P", "Q", "R"]
    assert list(bands.columns) == list(AGE_BANDS)
    # given bands are kept
    assert bands.loc["P"].tolist() == [0, 0, 4000, 0, 2000, 0, 0]
    assert bands.loc["Q"].tolist() == [1000, 1000, 0, 2000, 0, 0, 0]
    # R: 3,000 x (15-44 2,000, 45-64 1,000, 75-84 500) / 3,500
    assert bands.loc["R"].to_numpy() == pytest.approx(
        [0, 0, 3000 * 2 / 3.5, 3000 * 1 / 3.5, 0, 3000 * 0.5 / 3.5, 0])
    # with no zones, a list without bands counts in the 15-44 band
    alone = dem.list_by_band(kit.practices())
    assert alone.loc["R"].tolist() == [0, 0, 3000, 0, 0, 0, 0]
    assert alone.loc["P"].tolist() == [0, 0, 4000, 0, 2000, 0, 0]
    # zones with nobody in them give no profile either
    empty = kit.zones()
    for b in AGE_BANDS:
        empty[f"pop_{b}"] = 0.0
    assert dem.list_by_band(kit.practices(), empty).loc["R"].tolist() == [0, 0, 3000, 0, 0, 0, 0]


def test_a_practice_with_some_bands_missing_is_split_too() -> None:
    p = kit.practices()
    p.loc["Q", "list_85_plus"] = np.nan  # one band unknown: the whole list is split
    bands = dem.list_by_band(p, kit.zones())
    assert bands.loc["Q"].to_numpy() == pytest.approx(
        [0, 0, 4000 * 2 / 3.5, 4000 / 3.5, 0, 4000 * 0.5 / 3.5, 0])


def test_need_weights_reweight_each_practices_list() -> None:
    # weights 1, except 3 on 65-74: P 4,000 + 3 x 2,000 = 10,000; Q 4,000; R 3,000 (no 65-74)
    w = (1.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0)
    base = dem.weighted_base_list(kit.practices(), kit.assumptions(need_weights=w), kit.zones())
    assert base["P"] / base["Q"] == pytest.approx(10000 / 4000)
    assert base["R"] / base["Q"] == pytest.approx(3000 / 4000)
    # the kit's own weights: every practice's weighted list equals its list
    kit_base = dem.weighted_base_list(kit.practices(), A, kit.zones())
    assert kit_base.to_dict() == pytest.approx({"P": 6000, "Q": 4000, "R": 3000})


def test_need_weights_change_the_distribution_not_the_total() -> None:
    w = (1.0, 1.0, 1.0, 1.0, 3.0, 1.0, 1.0)
    r = evaluate(kit.region(), assumptions=kit.assumptions(need_weights=w))
    # 10,000 : 4,000 : 3,000 scaled to the registered 13,000
    assert r.practices["base_demand"].sum() == pytest.approx(13000)
    assert r.practices.loc["P", "base_demand"] == pytest.approx(13000 * 10 / 17)


def test_housing_demand_by_type_year_and_registration_rate() -> None:
    hd = dem.housing_demand(kit.growth(), A)
    assert hd.years == [2026, 2027, 2028, 2029]
    # H1: 40 homes in 2026, 80 more in 2027: 100 then 300 residents (2.5 a home)
    assert hd.residents.loc["H1"].tolist() == pytest.approx([100, 300, 300, 300])
    # H3: 50 in 2028, 50 in 2029; the 100 of 2030 fall after the horizon
    assert hd.residents.loc["H3"].tolist() == pytest.approx([0, 0, 125, 250])
    assert hd.patients.loc["H3", 2029] == pytest.approx(250 * 0.9)  # 225
    # H2: 60 units x 1.6 = 96 residents, 86.4 patients: 51.84 aged 65-74, 34.56 aged 75-84
    k = list(hd.site_refs).index("H2")
    assert hd.patients_by_band[k, 3] == pytest.approx([0, 0, 0, 0, 51.84, 34.56, 0])
    assert hd.weighted.loc["H2", 2029] == pytest.approx(51.84 * 1.5 + 34.56 * 2.0)  # 146.88
    assert hd.weighted.loc["H1", 2026] == pytest.approx(40 * GEN)  # 87.75
    assert hd.weighted.loc["H4"].tolist() == pytest.approx([0, 30 * GEN, 30 * GEN, 30 * GEN])


def test_homes_before_the_base_year_are_already_registered() -> None:
    g = kit.growth()
    traj = g.trajectory.copy()
    traj[2025] = [500.0, 0, 0, 0, 0]
    hd = dem.housing_demand(Growth(g.sites, traj), A)
    assert hd.residents.loc["H1", 2026] == pytest.approx(100)


def test_background_growth_compounds_on_the_base_list() -> None:
    a = kit.assumptions(background_growth_pct=2.0)
    assert dem.growth_factor(a) == pytest.approx([1, 1.02, 1.02 ** 2, 1.02 ** 3])
    r = evaluate(kit.region(), assumptions=a)
    # R: 3,000 x 1.02^3 + H2 2.4 % + H3 29.1 % + H4 all, at the horizon
    want = (3000 * 1.02 ** 3 + H2["R"] * 60 * RET + H3["R"] * 100 * GEN + 30 * GEN)
    assert r.demand.loc["R", 2029] == pytest.approx(want)


def test_demand_headroom_and_tipping_years_by_hand(base) -> None:
    r = base
    d, h = r.demand, r.headroom
    # P: 6,000 + 69.3 % of H1 + 87.9 % of H2 + 70.9 % of H3 + all of H5
    p = {2026: 6000 + H1["P"] * 40 * GEN,  # 6,060.85
         2027: 6000 + H1["P"] * 120 * GEN,  # 6,182.55
         2028: 6000 + H1["P"] * 120 * GEN + H2["P"] * 60 * RET + H3["P"] * 50 * GEN,
         2029: 6000 + H1["P"] * 120 * GEN + H2["P"] * 60 * RET + H3["P"] * 100 * GEN
         + 40 * GEN}
    for y, v in p.items():
        assert d.loc["P", y] == pytest.approx(v)
        assert h.loc["P", y] == pytest.approx(430 / M2 - v)
    # headroom 210.0, 88.3, -118.5, -284.0: P tips in 2028/29
    assert h.loc["P", 2027] > 0 > h.loc["P", 2028]
    assert r.practices.loc["P", "tipping_year"] == 2028
    # Q: 4,000 on 3,500 is short from the base year
    assert h.loc["Q", 2026] == pytest.approx(3500 - 4000 - H1["Q"] * 40 * GEN)  # -526.9
    assert r.practices.loc["Q", "tipping_year"] == 2026
    # R: 3,000 + shares of H2, H3 and all of H4 (65.8) stays under 3,500
    assert h.loc["R", 2029] == pytest.approx(
        3500 - 3000 - H2["R"] * 60 * RET - H3["R"] * 100 * GEN - 30 * GEN)  # 366.7
    assert pd.isna(r.practices.loc["R", "tipping_year"])
    assert r.summary["practices_in_deficit"] == 2
    assert r.summary["practices_in_deficit_base"] == 1
    assert r.summary["registered_list"] == pytest.approx(13000)
    assert r.summary["dwellings"] == pytest.approx(450)
    assert r.summary["dwellings_by_horizon"] == pytest.approx(350)  # H3's 100 after 2029 not
    # residents by the horizon: 300 + 96 + 250 + 75 + 100
    assert r.summary["new_residents_by_horizon"] == pytest.approx(821)


# ---------------------------------------------------------------------------------- impact


def test_the_chain_for_each_site_at_the_horizon(base) -> None:
    s = base.sites
    # H1: 120 homes x 2.5 = 300 residents x 0.9 = 270 patients x 0.975 = 263.25 weighted
    assert s.loc["H1", "residents"] == pytest.approx(300)
    assert s.loc["H1", "patients"] == pytest.approx(270)
    assert s.loc["H1", "weighted_patients"] == pytest.approx(263.25)
    # GP FTE from weighted patients: 263.25 / 1,800 = 0.14625 (270 / 1,800 = 0.15 unweighted)
    assert s.loc["H1", "gp_fte_needed"] == pytest.approx(0.14625)
    assert s.loc["H1", "m2_needed"] == pytest.approx(263.25 * 120 / 1750)  # 18.05 m2
    assert s.loc["H1", "capital_cost_gbp"] == pytest.approx(263.25 * 120 / 1750 * 3000)
    # H2, retirement: 60 x 1.6 = 96; 86.4 patients; 146.88 weighted; 0.0816 FTE (0.048 unweighted)
    assert s.loc["H2", "residents"] == pytest.approx(96)
    assert s.loc["H2", "patients"] == pytest.approx(86.4)
    assert s.loc["H2", "gp_fte_needed"] == pytest.approx(146.88 / 1800)
    # H3 is half built by the horizon: 100 of 200 homes, 250 residents
    assert s.loc["H3", "dwellings"] == pytest.approx(200)
    assert s.loc["H3", "dwellings_by_horizon"] == pytest.approx(100)
    assert s.loc["H3", "residents"] == pytest.approx(250)
    assert s.loc["H3", "weighted_patients"] == pytest.approx(100 * GEN)  # 219.375
    assert "100 general needs homes" in s.loc["H3", "statement"]


def test_completion_years_decide_which_practices_lack_headroom(base) -> None:
    s = base.sites
    # H1 completes in 2026 and 2027, when P still has room (210.0, 88.3) and Q has none
    assert s.loc["H1", "first_completion_year"] == 2026
    assert s.loc["H1", "practices_short"] == "Q"
    assert "Park Surgery (P) 69% at 1.4 km;" in s.loc["H1", "statement"]
    assert "Quay Practice (Q) 31% at 2.2 km, no headroom" in s.loc["H1", "statement"]
    # H2 completes in 2028, when P is short (-118.5) as is Q; R has room
    assert s.loc["H2", "first_completion_year"] == 2028
    assert s.loc["H2", "practices_short"] == "P, Q"
    assert "Ridge Medical Centre (R) 2% at 6.5 km" in s.loc["H2", "statement"]
    assert "Ridge Medical Centre (R) 2% at 6.5 km, no headroom" not in s.loc["H2", "statement"]
    assert s.loc["H3", "practices_short"] == "P"
    # H4 (2027) goes to R, which has room throughout
    assert s.loc["H4", "first_completion_year"] == 2027
    assert s.loc["H4", "practices_short"] == ""
    assert "have headroom in the years the homes complete" in s.loc["H4", "statement"]
    assert "lack headroom" not in s.loc["H4", "statement"]
    assert "2 of these practices lack headroom" in s.loc["H2", "statement"]


def test_cost_per_home_where_every_patient_goes_to_a_practice_without_room(base) -> None:
    s = base.sites
    # H5: 40 homes in 2029, all to P, short in 2029: 40 x 2.19375 = 87.75 weighted patients,
    # 87.75 x 120 / 1,750 = 6.017 m2 x GBP 3,000 = GBP 18,051.43, GBP 451.29 per home
    assert s.loc["H5", "capital_cost_gbp"] == pytest.approx(87.75 * 120 / 1750 * 3000)
    assert s.loc["H5", "cost_per_dwelling_gbp"] == pytest.approx(87.75 * 120 / 1750 * 3000 / 40)
    assert "GBP 451 per home" in s.loc["H5", "statement"]
    assert s.loc["H5", "first_completion_year"] == 2029


def test_contribution_only_for_practices_without_room(base) -> None:
    s = base.sites
    # H4's practice R has room: nothing is asked
    assert s.loc["H4", "contribution_gbp"] == 0
    # H1: only Q's 30.7 % of 263.25 patients (P has room in 2026 and 2027)
    assert s.loc["H1", "contribution_gbp"] == pytest.approx(
        H1["Q"] * 263.25 * 120 / 1750 * 3000)
    # H3's 100 homes after the horizon, 70.9 % of them to P, short at the horizon
    assert s.loc["H3", "dwellings_after_horizon"] == pytest.approx(100)
    assert s.loc["H3", "contribution_after_horizon_gbp"] == pytest.approx(
        H3["P"] * 100 * GEN * 120 / 1750 * 3000)


def test_floor_space_by_the_rooms_method() -> None:
    a = kit.assumptions(capacity_method="rooms")
    # 263.25 patients / 917.24 per room = 0.2870 rooms x 16 m2 x 1.3 = 5.970 m2
    assert m2_for_patients(263.25, a) == pytest.approx(263.25 / PER_ROOM * 16 * 1.3)
    assert m2_for_patients(263.25, A) == pytest.approx(263.25 * 120 / 1750)
    s = evaluate(kit.region(), assumptions=a).sites
    assert s.loc["H1", "m2_needed"] == pytest.approx(263.25 / PER_ROOM * 16 * 1.3)


def test_a_site_with_nothing_built_by_the_horizon() -> None:
    g = kit.growth()
    traj = g.trajectory.copy()
    traj.loc["H3"] = [0.0, 0, 0, 0, 200]  # all 200 homes in 2030/31
    region = kit.region()
    region.growth = Growth(g.sites, traj)
    s = evaluate(region, assumptions=A).sites
    assert s.loc["H3", "dwellings_by_horizon"] == 0
    assert s.loc["H3", "residents"] == 0
    assert s.loc["H3", "cost_per_dwelling_gbp"] == 0
    assert s.loc["H3", "first_completion_year"] is None or pd.isna(
        s.loc["H3", "first_completion_year"])
    assert "no homes are expected to complete by 2029/30" in s.loc["H3", "statement"]


def test_cost_per_home_of_a_single_home() -> None:
    g = kit.growth()
    sites, traj = g.sites.copy(), g.trajectory.copy()
    sites.loc["H5", "dwellings"] = 1.0
    traj.loc["H5", 2029] = 1.0
    region = kit.region()
    region.growth = Growth(sites, traj)
    s = evaluate(region, assumptions=A).sites
    # one home in 2029 to P (short in 2029): 2.19375 weighted patients x 120 / 1,750 x 3,000
    assert s.loc["H5", "cost_per_dwelling_gbp"] == pytest.approx(GEN * 120 / 1750 * 3000)
