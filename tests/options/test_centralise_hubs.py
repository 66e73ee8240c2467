"""Choosing the hubs of a primary-care merger with the centralisation analysis.

Four practices on a line (km): P1 0, P2 20, P3 50, P4 90; zones as in test_centralise:
Z1 5 (urban; 1000 residents, 200 aged 65+), Z2 40 (larger rural; 500, 200), Z3 100 (smaller
rural; 300, 100). One km = one minute (circuity 1, 60 km/h). GP thresholds 15 and 30 minutes, so
the rule is "most 65+ within 30 minutes, then the shortest 95th percentile":

    P1+P2: Z1 5, Z2 20, Z3 80 -> 400/500 = 80 %      P2+P3: 15, 10, 50 -> 80 %
    P1+P3: 5, 10, 50 -> 80 %                         P2+P4: 15, 20, 10 -> 100 %
    P1+P4: 5, 40, 10 -> 300/500 = 60 %               P3+P4: 45, 10, 10 -> 60 %

Hubs P2 and P4. P1 (0) is 20 km from P2 and 90 from P4; P3 (50) is 30 from P2 and 40 from P4:
both merge into P2.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from estates.assumptions import Assumptions
from estates.errors import InputError
from estates.model import CRS, Region
from estates.options.apply import apply_scenario, choose_hubs
from estates.options.scenario import parse_scenario
from tests.options.test_centralise import zones


def region() -> Region:
    codes = ["P1", "P2", "P3", "P4"]
    practices = gpd.GeoDataFrame(
        {"practice_code": codes, "site_name": ["One", "Two", "Three", "Four"],
         "site_kind": "main", "parent_code": "", "list_size": 1000.0, "gia_m2": 300.0,
         "clinical_rooms": 6.0},
        geometry=[Point(x, 100_000) for x in (0, 20_000, 50_000, 90_000)], crs=CRS,
        index=codes)
    empty = gpd.GeoDataFrame({"practice_code": []}, geometry=gpd.GeoSeries([], crs=CRS))
    z = zones()
    z = gpd.GeoDataFrame(z, geometry=[Point(x, y).buffer(500) for x, y in zip(z["x"], z["y"],
                                                                              strict=True)],
                         crs=CRS)
    return Region("line", practices, empty, z, gpd.GeoDataFrame(geometry=gpd.GeoSeries(
        [], crs=CRS)))


A = Assumptions(circuity=1.0, speed_car_kmh=60.0)


def test_chooses_hubs_and_writes_merges() -> None:
    choice = choose_hubs(region(), ["P1", "P2", "P3", "P4"], 2, assumptions=A)
    assert choice.hubs == ("P2", "P4")
    assert choice.changes == [{"type": "merge", "hub_code": "P2", "practices": ["P1", "P3"]}]
    assert choice.analysis.best["emergency_pct_65plus_all_within_30"] == pytest.approx(100.0)
    assert list(choice.analysis.ranked["emergency_pct_65plus_all_within_30"]) == \
        pytest.approx([100, 80, 80, 80, 60, 60])


def test_must_keep_hub() -> None:
    # with P1 kept: P1+P2 80 % (p95 80), P1+P3 80 % (p95 50), P1+P4 60 % -> P1+P3
    choice = choose_hubs(region(), ["P1", "P2", "P3", "P4"], 2, assumptions=A,
                         must_keep=["P1"])
    assert choice.hubs == ("P1", "P3")
    # P2 (20) is nearer P1 (20 km) than P3 (30 km); P4 (90) nearer P3 (40 km)
    assert choice.changes == [{"type": "merge", "hub_code": "P1", "practices": ["P2"]},
                              {"type": "merge", "hub_code": "P3", "practices": ["P4"]}]


def test_changes_apply_as_a_scenario() -> None:
    r = region()
    choice = choose_hubs(r, ["P1", "P2", "P3", "P4"], 2, assumptions=A)
    scenario = parse_scenario({"name": "hubs", "changes": choice.changes})
    applied = apply_scenario(r, scenario)
    assert sorted(applied.practices.index) == ["P2", "P4"]
    assert applied.practices.at["P2", "list_size"] == 3000.0  # P1 + P2 + P3


@pytest.mark.parametrize(("codes", "k", "message"), [
    (["P1", "P9"], 1, "P9 are not main practices"),
    (["P1", "P2"], 2, "choose between 1 and 1"),
    (["P1"], 1, "at least two practices"),
])
def test_bad_input(codes: list[str], k: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        choose_hubs(region(), codes, k, assumptions=A)
