"""Catchments split where they overlap, so every colour on the map is one of the legend's."""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import box

from estates.model import CRS
from estates.report.catchments import catchment_pieces
from tests import enginekit as kit


def test_the_overlap_goes_to_the_smaller_catchment_and_nothing_is_painted_twice() -> None:
    # A: 4 x 4 km (16 km2); B: 6 x 6 km (36 km2) overlapping A over 2 x 4 km (8 km2);
    # C: 1 x 1 km wholly inside B, apart from A.
    cats = gpd.GeoDataFrame({"practice_code": ["A", "B", "C"]},
                            geometry=[box(0, 0, 4000, 4000), box(2000, 0, 8000, 6000),
                                      box(6000, 4000, 7000, 5000)], crs=CRS,
                            index=["A", "B", "C"])
    pieces = catchment_pieces(cats)
    assert list(pieces.index) == ["A", "B", "C"]  # the index is kept
    # A (smaller than B) keeps all of itself; C keeps all of itself; B loses the 8 km2 it
    # shares with A and C's 1 km2: 36 - 8 - 1 = 27 km2.
    assert pieces.area["A"] == 16e6 and pieces.area["C"] == 1e6
    assert abs(pieces.area["B"] - 27e6) < 1.0
    # The pieces tile the union exactly: nothing overlaps, nothing is lost.
    geoms = pieces.geometry.to_numpy()
    for i in range(3):
        for j in range(i + 1, 3):
            assert shapely.intersection(geoms[i], geoms[j]).area < 1e-6
    assert abs(pieces.area.sum() - cats.union_all().area) < 1.0
    # Each names the catchments it shares area with (by row position).
    assert list(pieces["overlaps"]) == [[1], [0, 2], [1]]


def test_equal_catchments_split_by_order_and_neighbours_that_only_touch_do_not_overlap() -> None:
    r = kit.region()
    # A and B are both 6 x 6 km and overlap over x 1,000..3,000 (2 x 6 km = 12 km2): the
    # first keeps it, the second keeps 36 - 12 = 24 km2.
    pieces = catchment_pieces(r.catchments)
    assert abs(pieces.area["A"] - 36e6) < 1.0 and abs(pieces.area["B"] - 24e6) < 1.0
    touching = gpd.GeoDataFrame({"practice_code": ["X", "Y"]},
                                geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=CRS)
    assert list(catchment_pieces(touching)["overlaps"]) == [[], []]
