"""Tests for estates.access.older_access, on small zones whose travel times are worked by hand."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from estates.access.older_access import (
    minimum_minutes,
    older_access,
    older_access_change,
    older_access_summary,
    older_access_table,
)
from estates.errors import InputError
from estates.model import pop_columns

# Default assumptions: circuity 1.3; car 30 km/h = 500 m/min; walk 4.8 km/h = 80 m/min; older
# walker 3.6 km/h = 60 m/min and at most 1.5 km walked, i.e. 1500 / 1.3 = 1153.8 m straight.
# One site at (0, 0). Minutes = metres x 1.3 / (metres per minute):
#   Z1 at   500 m: car 1.3,  walk 8.125, older walk 10.83            (urban)
#   Z2 at  1200 m: car 3.12, walk 19.5,  older walk beyond its 1.5 km (larger rural)
#   Z3 at 10000 m: car 26,   walk 162.5                               (smaller rural)
#   Z4 at 20000 m: car 52                                             (smaller rural)
OLDER = {"Z1": (100, 50, 10), "Z2": (80, 40, 20), "Z3": (60, 30, 15), "Z4": (40, 20, 5)}


def _zones() -> pd.DataFrame:
    rows = []
    for (code, (a, b, c)), x, ruc in zip(
        OLDER.items(), [500, 1200, 10000, 20000], ["UN1", "RLN1", "RSF1", "RSN1"], strict=True
    ):
        row = dict.fromkeys(pop_columns(), 0.0)
        row.update(pop_15_44=500.0, pop_65_74=a, pop_75_84=b, pop_85_plus=c)
        rows.append({"zone_code": code, "x": float(x), "y": 0.0, "ruc21": ruc, **row})
    return pd.DataFrame(rows).set_index("zone_code")


def _sites() -> pd.DataFrame:
    return pd.DataFrame({"x": [0.0], "y": [0.0]}, index=pd.Index(["S1"]))


def _pct(table, mode, group, area, threshold):
    sel = table[
        (table["mode"] == mode)
        & (table["group"] == group)
        & (table["area"] == area)
        & (table["threshold_minutes"] == threshold)
    ]
    assert len(sel) == 1
    return float(sel["pct_within"].iloc[0])


def test_minimum_minutes_by_hand():
    zones = _zones()
    got = minimum_minutes(zones, _sites(), mode="car", max_minutes=30)
    np.testing.assert_allclose(got.to_numpy(), [1.3, 3.12, 26.0, np.nan], rtol=1e-12)
    assert got.index.equals(zones.index)
    older = minimum_minutes(zones, _sites(), mode="older_walk", max_minutes=30)
    np.testing.assert_allclose(older.to_numpy(), [500 * 1.3 / 60, np.nan, np.nan, np.nan])


def test_minimum_minutes_takes_the_nearest_site_from_polygon_centroids():
    zones = gpd.GeoDataFrame(
        {"ruc21": ["UN1"]}, geometry=[box(0, 0, 200, 200)], crs="EPSG:27700", index=["Z"]
    )
    sites = gpd.GeoDataFrame(
        geometry=[Point(100, 700), Point(400, 100)], index=["far", "near"], crs="EPSG:27700"
    )
    got = minimum_minutes(zones, sites, mode="walk", max_minutes=60)
    # centroid (100, 100): 'near' is 300 m away, 'far' 600 m
    assert got["Z"] == pytest.approx(300 * 1.3 / 80)


def test_older_access_by_hand():
    table = older_access(_zones(), _sites())
    total_65 = 160 + 140 + 105 + 65
    assert _pct(table, "older_walk", "65+", "all", 15) == pytest.approx(100 * 160 / total_65)
    assert _pct(table, "older_walk", "65+", "all", 30) == pytest.approx(100 * 160 / total_65)
    assert _pct(table, "walk", "65+", "all", 15) == pytest.approx(100 * 160 / total_65)
    assert _pct(table, "walk", "65+", "all", 30) == pytest.approx(100 * 300 / total_65)
    assert _pct(table, "car", "65+", "all", 15) == pytest.approx(100 * 300 / total_65)
    assert _pct(table, "car", "65+", "all", 30) == pytest.approx(100 * 405 / total_65)
    assert _pct(table, "car", "65+", "larger rural", 15) == 100.0
    assert _pct(table, "car", "65+", "smaller rural", 30) == pytest.approx(100 * 105 / 170)
    assert _pct(table, "car", "85+", "smaller rural", 30) == pytest.approx(100 * 15 / 20)
    assert _pct(table, "older_walk", "85+", "urban", 30) == 100.0
    # 75+ = pop_75_84 + pop_85_plus: Z1 60, Z2 60, Z3 45, Z4 25
    assert _pct(table, "car", "75+", "all", 15) == pytest.approx(100 * 120 / 190)
    # all pop_* columns present, so an all-ages group is added: 4 x 500 + the older people
    assert _pct(table, "car", "all ages", "all", 15) == pytest.approx(100 * 1300 / 2470)
    # 4 modes x 4 groups x 4 areas x 2 thresholds
    assert len(table) == 128


def test_threshold_is_inclusive_and_nan_is_not_within():
    zones = _zones()
    minutes = pd.Series([15.0, 30.0, np.nan, 15.000001], index=zones.index)
    table = older_access_table(zones, {"car": minutes})
    assert _pct(table, "car", "65+", "all", 15) == pytest.approx(100 * 160 / 470)
    assert _pct(table, "car", "65+", "all", 30) == pytest.approx(100 * (160 + 140 + 65) / 470)


def test_summary_is_json_ready_and_empty_areas_are_none():
    zones = _zones().drop(index="Z2")  # no larger rural zone left
    table = older_access(zones, _sites(), modes=["car"])
    summary = older_access_summary(table)
    json.dumps(summary, allow_nan=False)
    assert summary["car"]["65+"]["larger rural"]["pct_within_15"] is None
    assert summary["car"]["65+"]["all"]["people"] == 330
    assert summary["car"]["65+"]["all"]["pct_within_30"] == pytest.approx(100 * 265 / 330, abs=1e-6)


def test_change_against_baseline():
    zones = _zones()
    base = older_access(zones, _sites(), modes=["car"])
    more = pd.concat([_sites(), pd.DataFrame({"x": [20000.0], "y": [0.0]}, index=["NEW"])])
    scen = older_access(zones, more, modes=["car"])
    change = older_access_change(base, scen)
    row = change[
        (change["group"] == "65+") & (change["area"] == "all") & (change["threshold_minutes"] == 15)
    ]
    # Z4 (65 people aged 65+) now has a site on its doorstep
    assert float(row["people_within_change"].iloc[0]) == 65
    assert float(row["change_pct_points"].iloc[0]) == pytest.approx(100 * 65 / 470)
    assert (change["change_pct_points"].dropna() >= 0).all()  # adding a site never hurts
    summary = older_access_summary(change)
    assert summary["car"]["65+"]["all"]["people_within_change_15"] == 65


def test_errors():
    zones = _zones()
    with pytest.raises(InputError, match=r"unknown ruc21 code: Z3 \('XX9'\)"):
        older_access_table(
            zones.assign(ruc21=["UN1", "RLN1", "XX9", "RSN1"]),
            {"car": pd.Series(1.0, index=zones.index)},
        )
    with pytest.raises(InputError, match="lack population column"):
        older_access_table(
            zones.drop(columns="pop_85_plus"), {"car": pd.Series(1.0, index=zones.index)}
        )
    with pytest.raises(InputError, match=r"lack zone\(s\) \['Z4'\]"):
        older_access_table(zones, {"car": pd.Series(1.0, index=zones.index[:3])})
    with pytest.raises(InputError, match="unknown travel mode"):
        older_access(zones, _sites(), modes=["bike"])
    with pytest.raises(InputError, match="different modes"):
        older_access_change(
            older_access(zones, _sites(), modes=["car"]),
            older_access(zones, _sites(), modes=["walk"]),
        )
    with pytest.raises(InputError, match="need polygons"):
        minimum_minutes(zones.drop(columns=["x"]), _sites())
