"""A second hand-worked region, asymmetric enough to tell a right method from a wrong one.

Three practices, five surgery sites, two zones, five housing sites, two candidate buildings
(British National Grid metres; every figure the tests assert is worked by hand from the numbers
below, arithmetic in the tests' comments):

    surgery  practice  at              gia_m2  rooms  list   GP FTE
    P        P (main)  (0, 0)            300     5    6,000   3.0
    P2       P branch  (6000, 0)         130     2        0
    Q        Q (main)  (2000, 3000)      240     4    4,000   2.5
    R        R (main)  (12000, 0)        180     3    3,000   unknown
    R2       R branch  (12000, 8000)      60     1        0

P's and Q's lists are given by age band; R's is not, so it is split by the zones' mixed age
profile. The need weights are not uniform but every practice's weighted list equals its list,
so the region's weighted list at the base year equals its registered list (13,000): the
normalisation issue 11 brings leaves every figure here unchanged.

    weights   0-4 1.5, 5-14 0.5, 15-44 0.75, 45-64 1.0, 65-74 1.5, 75-84 2.0, 85+ 2.5
    P         15-44 4,000 (3,000 weighted), 65-74 2,000 (3,000)              = 6,000
    Q         0-4 1,000 (1,500), 5-14 1,000 (500), 45-64 2,000 (2,000)       = 4,000
    zones     Z1: 15-44 1,500, 45-64 1,000 (urban); Z2: 15-44 500, 75-84 500 (smaller rural)
    R         3,000 x (15-44 2,000, 45-64 1,000, 75-84 500) / 3,500: 1,714.29, 857.14, 428.57
              weighted 1,285.71 + 857.14 + 857.14 = 3,000

Housing (registration rate 0.9; general homes 2.5 people aged 0-4 20 %, 15-44 50 %, 45-64 30 %:
0.975 weighted per patient; retirement units 1.6 people aged 65-74 60 %, 75-84 40 %: 1.7):

    site  type        at             homes  completions                    catchments
    H1    general     (1000, 1000)    120   2026: 40, 2027: 80             P, Q
    H2    retirement  (5500, 500)      60   2028: 60                       P, Q, R
    H3    general     (8000, 4500)    200   2028: 50, 2029: 50, 2030: 100  none (2 in reach)
    H4    general     (20000, 6000)    30   2027: 30                       none (none in reach)
    H5    general     (-1000, -1000)   40   2029: 40                       P

Base year 2026, horizon 2029; H3 finishes after the horizon. Candidate buildings: C1 Middle
Library at (4000, 1000), 300 m2; C2 Old Depot (council building) at (-2000, 3000), 500 m2.
"""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point, box

from estates.assumptions import Assumptions
from estates.model import AGE_BANDS, CRS, Growth, Region

WEIGHTS = (1.5, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5)
GENERAL = (0.2, 0.0, 0.5, 0.3, 0.0, 0.0, 0.0)
RETIREMENT = (0.0, 0.0, 0.0, 0.0, 0.6, 0.4, 0.0)
M2 = 120 / 1750  # m2 per patient: the floor-space standard, on the area gia_m2 holds
PER_ROOM = 10 * 48 * 12 * 0.6 / (5.8 * 0.65)  # 917.24 patients per clinical room
PER_M = 1.3 / 500  # car minutes per straight-line metre (circuity 1.3, 30 km/h)


def assumptions(**more: object) -> Assumptions:
    """The fixture's assumptions, every figure the tests rely on set here, not by default."""
    values: dict[str, object] = {
        "base_year": 2026, "horizon_year": 2029, "registration_rate": 0.9,
        "need_weights": WEIGHTS, "occupancy_general": 2.5, "occupancy_retirement": 1.6,
        "age_profile_general": GENERAL, "age_profile_retirement": RETIREMENT,
        "m2_per_patient": M2, "people_per_gp_fte": 1800, "cost_per_m2_gbp": 3000,
        "fitout_cost_per_m2_gbp": 1500, "allocation_decay_km": 2.0, "threshold_minutes": 15,
        "circuity": 1.3, "speed_car_kmh": 30, "travel_mode": "car", "capacity_method": "space",
        "background_growth_pct": 0.0,
    }
    # The fixture's floor-space standard is stated on the same (gross) area as gia_m2, so that
    # capacity is gia_m2 / M2 under a method with an explicit net/gross basis too (issue 11).
    # Its rooms are counted as clinical space with circulation only (a room = 16 m2 x 1.3), so
    # the rooms arithmetic here stays the room's own; the share of net area in clinical rooms
    # is tested on its own in tests/engine/test_floor_basis.py.
    if "floor_standard_basis" in Assumptions.names():
        values["floor_standard_basis"] = "gross"
        values["clinical_share_of_net"] = 1.0
    values.update(more)
    return Assumptions().with_overrides(values)


def practices() -> gpd.GeoDataFrame:
    rows = [
        # code, name, kind, parent, list, gia, rooms, fte
        ("P", "Park Surgery", "main", "", 6000.0, 300.0, 5.0, 3.0),
        ("P2", "Park Surgery (Eastgate branch)", "branch", "P", 0.0, 130.0, 2.0, np.nan),
        ("Q", "Quay Practice", "main", "", 4000.0, 240.0, 4.0, 2.5),
        ("R", "Ridge Medical Centre", "main", "", 3000.0, 180.0, 3.0, np.nan),
        ("R2", "Ridge (Northfield branch)", "branch", "R", 0.0, 60.0, 1.0, np.nan),
    ]
    df = pd.DataFrame(rows, columns=["practice_code", "site_name", "site_kind", "parent_code",
                                     "list_size", "gia_m2", "clinical_rooms", "gp_fte"])
    df.index = df["practice_code"].to_numpy()
    df["building"] = "purpose built"
    bands = {
        "P": {"15_44": 4000.0, "65_74": 2000.0},
        "Q": {"0_4": 1000.0, "5_14": 1000.0, "45_64": 2000.0},
    }
    for b in AGE_BANDS:
        df[f"list_{b}"] = [bands[c].get(b, 0.0) if c in bands else np.nan for c in df.index]
    xy = {"P": (0, 0), "P2": (6000, 0), "Q": (2000, 3000), "R": (12000, 0),
          "R2": (12000, 8000)}
    return gpd.GeoDataFrame(df, geometry=[Point(*xy[c]) for c in df.index], crs=CRS)


def catchments() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"practice_code": ["P", "Q", "R"]},
        geometry=[box(-2000, -2000, 7000, 2000), box(0, 0, 6000, 5000),
                  box(5000, -2000, 14000, 2000)],
        crs=CRS, index=["P", "Q", "R"])


def zones() -> gpd.GeoDataFrame:
    pops = {"Z1": {"15_44": 1500.0, "45_64": 1000.0}, "Z2": {"15_44": 500.0, "75_84": 500.0}}
    rows = []
    for code, ruc in (("Z1", "UN1"), ("Z2", "RSN1")):
        rows.append({"zone_code": code, "zone_name": code, "ruc21": ruc,
                     **{f"pop_{b}": pops[code].get(b, 0.0) for b in AGE_BANDS}})
    return gpd.GeoDataFrame(pd.DataFrame(rows, index=["Z1", "Z2"]),
                            geometry=[box(-3000, -3000, 7000, 6000),
                                      box(7000, -3000, 22000, 12000)], crs=CRS)


def growth() -> Growth:
    refs = ["H1", "H2", "H3", "H4", "H5"]
    sites = gpd.GeoDataFrame(
        {
            "site_ref": refs,
            "name": ["Hill Farm", "Harbour Retirement Village", "Heath Lane", "Far Hamlet",
                     "Home Close"],
            "dwellings": [120.0, 60.0, 200.0, 30.0, 40.0],
            "housing_type": ["general", "retirement", "general", "general", "general"],
            "housing_type_inferred": [False] * 5,
        },
        geometry=[Point(1000, 1000), Point(5500, 500), Point(8000, 4500), Point(20000, 6000),
                  Point(-1000, -1000)],
        crs=CRS, index=refs)
    trajectory = pd.DataFrame(
        {2026: [40.0, 0, 0, 0, 0], 2027: [80.0, 0, 0, 30, 0], 2028: [0.0, 60, 50, 0, 0],
         2029: [0.0, 0, 50, 0, 40], 2030: [0.0, 0, 100, 0, 0]},
        index=refs)
    return Growth(sites, trajectory)


def candidates() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"candidate_id": ["C1", "C2"], "name": ["Middle Library", "Old Depot"],
         "kind": ["library", "council building"], "available_m2": [300.0, 500.0]},
        geometry=[Point(4000, 1000), Point(-2000, 3000)], crs=CRS, index=["C1", "C2"])


def region() -> Region:
    return Region("Hand-worked, asymmetric", practices(), catchments(), zones(), candidates(),
                  growth())


def kitscope(fixture_name: str, config: object) -> str:
    """Scope of a fixture holding the evaluated kit: once per module, except under mutmut,
    which runs only the tests that call the mutated function, so each test must call it."""
    return "function" if "MUTANT_UNDER_TEST" in os.environ else "module"
