"""Hand-worked centralisation: three zones, four sites on a line, mixed ages and rural classes.

Assumptions are set so that one straight-line kilometre is one car minute (circuity 1.0, 60 km/h),
so every time below is a distance read off the line:

    sites  S1 x=0 km   S2 x=20   S3 x=50   S4 x=90
    zones  Z1 x=5 (urban)   Z2 x=40 (larger rural)   Z3 x=100 (smaller rural)

    minutes   S1   S2   S3   S4
    Z1         5   15   45   85
    Z2        40   20   10   50
    Z3       100   80   50   10

Residents (all / 65+ / 75+ / 85+): Z1 1000/200/100/40, Z2 500/200/100/50, Z3 300/100/40/10;
totals 1800/500/240/100. Capacities: S2 1000, S3 200, S4 600, S1 unknown.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from estates.assumptions import Assumptions
from estates.errors import InputError
from estates.options.centralise import (
    RankRule,
    TravelSetting,
    centralise,
    describe_column,
    read_sites,
)

A = Assumptions(circuity=1.0, speed_car_kmh=60.0)


def zones() -> pd.DataFrame:
    bands = ["pop_0_4", "pop_5_14", "pop_15_44", "pop_45_64", "pop_65_74", "pop_75_84",
             "pop_85_plus"]
    rows = {
        "Z1": [0, 0, 500, 300, 100, 60, 40],
        "Z2": [0, 0, 200, 100, 100, 50, 50],
        "Z3": [0, 0, 100, 100, 60, 30, 10],
    }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=bands).astype(float)
    frame["ruc21"] = ["UN1", "RLN1", "RSN1"]
    frame["x"] = [5_000.0, 40_000.0, 100_000.0]
    frame["y"] = 100_000.0
    return frame


def sites() -> pd.DataFrame:
    return pd.DataFrame({"name": ["One", "Two", "Three", "Four"],
                         "x": [0.0, 20_000.0, 50_000.0, 90_000.0], "y": 100_000.0,
                         "capacity": [np.nan, 1000.0, 200.0, 600.0]},
                        index=pd.Index(["S1", "S2", "S3", "S4"], name="site_id"))


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return centralise(zones(), sites(), 2, assumptions=A,
                      options={"west": ["S1", "S2"], "ends": ["S1", "S4"]})


def row(result, key: str) -> pd.Series:  # type: ignore[no-untyped-def]
    return result.table.set_index("sites").loc[key]


def test_ranking_follows_the_stated_rule(result) -> None:  # type: ignore[no-untyped-def]
    # % 65+ within 45: S1+S4, S2+S4, S3+S4 keep everyone within 45 (100 %); the other three
    # leave Z3 (100 people aged 65+) beyond it: 400 / 500 = 80 %. Ties go to the lower p95 of all
    # residents (95 % of 1800 = 1710 people):
    #   S2+S4: Z3 10 (300), Z1 15 (1300), Z2 20 (1800) -> 20;  S1+S4: 5, 10, 40 -> 40
    #   S3+S4: 10, 10, 45 -> 45;  S1+S3: 5, 10, 50 -> 50;  S2+S3: 10, 15, 50 -> 50 (listed
    #   after S1+S3, so ranked after it);  S1+S2: 5, 20, 80 -> 80
    ranked = result.ranked
    assert list(ranked["sites"]) == ["S2+S4", "S1+S4", "S3+S4", "S1+S3", "S2+S3", "S1+S2"]
    assert list(ranked["rank"]) == [1, 2, 3, 4, 5, 6]
    assert list(ranked["emergency_pct_65plus_all_within_45"]) == pytest.approx(
        [100, 100, 100, 80, 80, 80])
    assert list(ranked["emergency_p95_minutes_all"]) == pytest.approx([20, 40, 45, 50, 50, 80])
    assert "maximise % of residents (65+, all areas) within 45 minutes" in result.rule.describe()


def test_best_combination_figures(result) -> None:  # type: ignore[no-untyped-def]
    best = result.best  # S2+S4: Z1 15, Z2 20, Z3 10 minutes
    assert best["sites"] == "S2+S4"
    assert best["emergency_pct_all_all_within_30"] == pytest.approx(100.0)
    # mean: (1000*15 + 500*20 + 300*10) / 1800 = 28000 / 1800
    assert best["emergency_mean_minutes_all"] == pytest.approx(28000 / 1800)
    # 65+: (200*15 + 200*20 + 100*10) / 500 = 8000 / 500 = 16
    assert best["emergency_mean_minutes_65plus"] == pytest.approx(16.0)
    # 65+ p95: Z3 10 (100), Z1 15 (300), Z2 20 (500); 95 % of 500 = 475 -> 20
    assert best["emergency_p95_minutes_65plus"] == pytest.approx(20.0)
    assert best["emergency_max_minutes"] == pytest.approx(20.0)
    # against today (Z1 5, Z2 10, Z3 10) Z1 and Z2 rise by exactly 10: not "more than 10"
    assert best["emergency_people_all_rise_over_10"] == 0
    # nearest: Z1 -> S2 (15 < 85), Z2 -> S2 (20 < 50), Z3 -> S4: S2 1500 / 1000, S4 300 / 600
    assert best["max_residents_per_capacity"] == pytest.approx(1.5)
    served = {s["site_id"]: s for s in result.served["S2+S4"]}
    assert served["S2"]["residents"] == 1500 and served["S4"]["residents"] == 300
    assert served["S2"]["residents_per_capacity"] == pytest.approx(1.5)
    # today Z1 -> S1, Z2 -> S3, Z3 -> S4: S2 serves nobody, S4 300
    assert served["S2"]["residents_today"] == 0 and served["S4"]["residents_today"] == 300


def test_threshold_shares_by_group_and_rural_class(result) -> None:  # type: ignore[no-untyped-def]
    west = row(result, "S1+S2")  # Z1 5, Z2 20, Z3 80
    assert west["emergency_pct_all_urban_within_60"] == pytest.approx(100.0)
    assert west["emergency_pct_all_larger_rural_within_60"] == pytest.approx(100.0)
    assert west["emergency_pct_all_smaller_rural_within_60"] == pytest.approx(0.0)
    assert west["emergency_pct_65plus_all_within_60"] == pytest.approx(80.0)  # 400 / 500
    # all residents within 60: (1000 + 500) / 1800
    assert west["emergency_pct_all_all_within_60"] == pytest.approx(100 * 1500 / 1800)
    ends = row(result, "S1+S4")  # Z1 5, Z2 40, Z3 10
    assert ends["emergency_pct_85plus_all_within_30"] == pytest.approx(50.0)  # (40 + 10) / 100
    assert ends["emergency_pct_75plus_all_within_30"] == pytest.approx(100 * 140 / 240)
    east = row(result, "S3+S4")  # Z1 45, Z2 10, Z3 10
    assert east["emergency_pct_all_urban_within_30"] == pytest.approx(0.0)
    assert east["emergency_pct_all_urban_within_45"] == pytest.approx(100.0)  # inclusive


def test_rises_against_today(result) -> None:  # type: ignore[no-untyped-def]
    east = row(result, "S3+S4")  # Z1 rises 5 -> 45 (+40); Z2, Z3 unchanged
    assert east["emergency_people_all_rise_over_10"] == 1000
    assert east["emergency_people_all_rise_over_20"] == 1000
    assert east["emergency_people_65plus_rise_over_20"] == 200
    west = row(result, "S1+S2")  # Z2 +10 (not counted), Z3 +70
    assert west["emergency_people_all_rise_over_10"] == 300
    assert west["emergency_people_65plus_rise_over_20"] == 100
    ends = row(result, "S1+S4")  # Z2 10 -> 40: +30
    assert ends["emergency_people_all_rise_over_20"] == 500


def test_named_options_and_today(result) -> None:  # type: ignore[no-untyped-def]
    assert result.row("west")["sites"] == "S1+S2"
    assert result.row("ends")["rank"] == 2
    today = result.today
    assert today["sites"] == "S1+S2+S3+S4" and np.isnan(today["rank"])
    # today: Z1 5, Z2 10, Z3 10 -> mean (5000 + 5000 + 3000) / 1800
    assert today["emergency_mean_minutes_all"] == pytest.approx(13000 / 1800)
    assert today["emergency_people_all_rise_over_10"] == 0


def test_emergency_factor_scales_car_times() -> None:
    half = Assumptions(circuity=1.0, speed_car_kmh=60.0, emergency_car_factor=0.5)
    out = centralise(zones(), sites(), 2, assumptions=half)
    east = out.table.set_index("sites").loc["S3+S4"]  # Z1 45 x 0.5 = 22.5 minutes
    assert east["emergency_pct_all_urban_within_30"] == pytest.approx(100.0)
    assert east["emergency_max_minutes"] == pytest.approx(22.5)
    # visitors travel by car, unscaled: Z1 still 45 minutes
    assert east["visitor_max_minutes"] == pytest.approx(45.0)


def test_visitor_matrix_is_reported_separately() -> None:
    pairs = [(z, s, 100.0) for z in ("Z1", "Z2", "Z3") for s in ("S1", "S3")]
    pairs += [(z, "S2", 25.0) for z in ("Z1", "Z2", "Z3")]
    pairs += [(z, "S4", 70.0) for z in ("Z1", "Z2", "Z3")]
    matrix = pd.DataFrame(pairs, columns=["origin", "destination", "minutes"])
    out = centralise(zones(), sites(), 2, assumptions=A,
                     setting=TravelSetting(visitor_matrix=matrix))
    best = out.table.set_index("sites").loc["S2+S4"]
    assert best["visitor_mean_minutes_all"] == pytest.approx(25.0)
    assert best["visitor_pct_all_all_within_30"] == pytest.approx(100.0)
    assert best["emergency_mean_minutes_all"] == pytest.approx(28000 / 1800)  # unchanged


def test_editable_rule() -> None:
    # minimise the longest journey: S2+S4 20, S1+S4 40, S3+S4 45, S1+S3 50, S2+S3 50, S1+S2 80
    rule = RankRule.parse("emergency_max_minutes:min")
    out = centralise(zones(), sites(), 2, assumptions=A, rule=rule)
    assert list(out.ranked["sites"])[:3] == ["S2+S4", "S1+S4", "S3+S4"]
    assert describe_column("emergency_max_minutes") == \
        "longest journey by emergency transport (minutes)"
    with pytest.raises(InputError, match="COLUMN:max or COLUMN:min"):
        RankRule.parse("emergency_max_minutes:lowest")
    with pytest.raises(InputError, match="not columns of the table"):
        centralise(zones(), sites(), 2, assumptions=A, rule=RankRule.parse("nonsense:max"))


def test_keep_range_scores_each_size() -> None:
    out = centralise(zones(), sites(), (1, 3), assumptions=A)
    # C(4,1) + C(4,2) + C(4,3) = 4 + 6 + 4
    assert len(out.ranked) == 14
    assert sorted(out.ranked["k"].unique()) == [1, 2, 3]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"keep": 5}, "more than the 4 candidate sites"),
    ({"keep": 0}, "at least 1"),
    ({"keep": 2, "must_keep": ["S9"]}, r"unknown site id\(s\) 'S9' in must-keep"),
    ({"keep": 2, "must_close": ["S1", "S2", "S3"]}, "sites left open"),
    ({"keep": 1, "must_keep": ["S1", "S2"]}, "fewer than the 2 must-keep"),
    ({"keep": 2, "must_keep": ["S1"], "must_close": ["S1"]}, "both must-keep and must-close"),
    ({"keep": 2, "options": {"x": ["S1", "nope"]}}, "in option 'x'"),
])
def test_bad_input(kwargs: dict, message: str) -> None:
    keep = kwargs.pop("keep")
    with pytest.raises(InputError, match=message):
        centralise(zones(), sites(), keep, assumptions=A, **kwargs)


def test_no_zones_and_missing_columns() -> None:
    with pytest.raises(InputError, match="no zones"):
        centralise(zones().iloc[:0], sites(), 2, assumptions=A)
    with pytest.raises(InputError, match="pop_85_plus"):
        centralise(zones().drop(columns="pop_85_plus"), sites(), 2, assumptions=A)


def test_read_sites_from_lat_lon_and_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "s.csv"
    # Darent Valley Hospital (lat 51.435, lon 0.259) lies in OS grid square TQ57 73, i.e. about
    # 557 km east and 173 km north: the check catches swapped latitude and longitude
    good.write_text("site_id,name,lat,lon,capacity\nDVH,Darent Valley,51.43507,0.25879,\n")
    s = read_sites(good)
    assert s.index.tolist() == ["DVH"] and np.isnan(s.at["DVH", "capacity"])
    assert s.at["DVH", "x"] == pytest.approx(557_000, abs=1_000)
    assert s.at["DVH", "y"] == pytest.approx(173_000, abs=1_000)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,easting,northing,capacity\nA,a,1,x,5\nA,b,2,2,-1\n")
    with pytest.raises(InputError) as info:
        read_sites(bad)
    text = str(info.value)
    assert "row 1, column 'northing': coordinate is not a number (value 'x')" in text
    assert "row 2, column 'id': site id repeats an earlier row" in text
    assert "row 2, column 'capacity': capacity is not a number above zero" in text
    with pytest.raises(InputError, match="no coordinates"):
        read_sites(b"id,name\nA,a\n", name="up.csv")
