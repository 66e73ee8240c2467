"""Tests for estates.access.raster on hand-made rasters whose sums and times are worked by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import Affine
from shapely.geometry import Polygon, box

from estates.access.raster import (
    Grid,
    population_grid,
    population_weighted_minutes,
    read_population,
    scenario_sites,
    surface_change,
    travel_time_surface,
    write_surface,
    zonal_population,
)
from estates.access.travel import friction_grid
from estates.assumptions import Assumptions
from estates.errors import InputError

# 4 x 4 cells of 100 m; top-left corner (0, 400); row 0 is the top row (y 300-400).
PEOPLE = np.array([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13, 14, -1]], dtype=float)
T4 = Affine(100, 0, 0, 0, -100, 400)
TOTAL = sum(range(15))  # the -1 cell is nodata: 105 people


@pytest.fixture
def pop_tif(tmp_path):
    path = tmp_path / "population.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=4,
        width=4,
        count=1,
        dtype="float64",
        crs="EPSG:27700",
        transform=T4,
        nodata=-1.0,
    ) as dst:
        dst.write(PEOPLE, 1)
    return path


def _gs(shapes: dict[str, Polygon]) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(shapes.values()), index=list(shapes), crs="EPSG:27700")


def test_read_population_treats_nodata_as_nobody(pop_tif):
    pop = read_population(pop_tif)
    assert pop.people.sum() == TOTAL
    assert pop.nodata_cells == 1


def test_zonal_sums_by_hand_and_outside_share(pop_tif):
    pop = read_population(pop_tif)
    zones = _gs({"L": box(0, 0, 200, 400), "TR": box(200, 200, 400, 400)})
    got = zonal_population(pop, zones)
    # L: columns 0-1 = 0+1+4+5+8+9+12+13; TR: rows 0-1, columns 2-3 = 2+3+6+7
    assert got.sums.to_dict() == {"L": 52.0, "TR": 18.0}
    assert got.outside == 10 + 11 + 14
    assert got.outside_share == pytest.approx(35 / 105)
    assert got.sums.sum() + got.outside == got.raster_total == TOTAL


def test_zonal_sums_keep_the_raster_total_when_zones_tile_it(pop_tif):
    pop = read_population(pop_tif)
    # Four irregular zones tiling the raster: a triangle split of each half.
    zones = _gs(
        {
            "a": Polygon([(0, 0), (200, 0), (0, 400)]),
            "b": Polygon([(200, 0), (200, 400), (0, 400)]),
            "c": box(200, 0, 400, 120),
            "d": box(200, 120, 400, 400),
        }
    )
    for overlapping in (False, True):
        got = zonal_population(pop, zones, overlapping=overlapping)
        assert got.sums.sum() == pytest.approx(TOTAL)
        assert got.outside == 0
    # The two methods agree cell by cell on non-overlapping zones.
    pd.testing.assert_series_equal(
        zonal_population(pop, zones).sums, zonal_population(pop, zones, overlapping=True).sums
    )


def test_overlapping_catchments_count_shared_cells_twice(pop_tif):
    pop = read_population(pop_tif)
    catchments = _gs(
        {"A": box(0, 0, 300, 400), "B": box(100, 0, 400, 200), "away": box(1000, 1000, 1100, 1100)}
    )
    got = zonal_population(pop, catchments, overlapping=True)
    # A: columns 0-2 = 52 + (2+6+10+14); B: rows 2-3, columns 1-3 = 9+10+11+13+14+0
    assert got.sums.to_dict() == {"A": 84.0, "B": 57.0, "away": 0.0}
    assert got.outside == 3 + 7  # column 3, rows 0-1


def test_zonal_reprojects_with_a_warning_and_rejects_empty_geometry(pop_tif):
    pop = read_population(pop_tif)
    # PROJ's round trip through WGS84 moves points tens of metres here (a datum shift), so the
    # zone reaches far beyond the raster vertically and its x edges stay clear of cell centres.
    zones = _gs({"L": box(0, -1000, 200, 1400)}).to_crs("EPSG:4326")
    got = zonal_population(pop, zones)
    assert got.sums["L"] == pytest.approx(52.0)
    assert "reprojected from EPSG:4326" in got.warnings[0]
    with pytest.raises(InputError, match=r"1 polygon\(s\) have no geometry"):
        zonal_population(pop, gpd.GeoSeries([None], index=["z"], crs="EPSG:27700"))


def test_population_errors(tmp_path):
    with pytest.raises(InputError, match="cannot read the population raster"):
        read_population(tmp_path / "none.tif")
    with pytest.raises(InputError, match="north-up"):
        population_grid(PEOPLE, Affine(100, 0, 0, 0, 100, 0))


# --- travel-time surfaces ----------------------------------------------------------------------

G3 = Grid(Affine(100, 0, 0, 0, -100, 300), (3, 3))
EXACT = Assumptions(circuity=1.0, speed_walk_kmh=3.84)  # 64 m/min: a metre is 1/64 minute


def test_straight_line_surface_by_hand():
    sites = pd.DataFrame({"x": [50.0], "y": [250.0]}, index=["S"])  # centre of cell (0, 0)
    s = travel_time_surface(sites, grid=G3, mode="walk", assumptions=EXACT)
    assert s.minutes[0, 0] == 0
    assert s.minutes[0, 2] == 200 / 64
    assert s.minutes[2, 2] == pytest.approx(math.hypot(200, 200) / 64)
    older = travel_time_surface(
        sites, grid=G3, mode="older_walk", assumptions=Assumptions(max_older_walk_km=0.13)
    )
    # 0.13 km walked at circuity 1.3 is 100 m straight: only the cell and its four neighbours
    assert np.isfinite(older.minutes).sum() == 3  # (0,0), (0,1), (1,0) lie in the grid


def test_friction_surface_by_hand_and_written_geotiff(tmp_path):
    friction = friction_grid(
        np.array([[0.01, 0.02, 0.04], [0.01, -1.0, 0.01], [0.03, 0.01, 0.01]]), G3.transform
    )
    sites = pd.DataFrame({"x": [50.0], "y": [250.0]}, index=["S"])
    s = travel_time_surface(sites, friction=friction)
    # cell costs [[1,2,4],[1,X,1],[3,1,1]]; see tests/access/test_travel.py for the paths
    assert s.minutes[2, 2] == pytest.approx(2 + math.sqrt(2))
    assert s.minutes[1, 2] == pytest.approx(1.5 + 1.5 * math.sqrt(2))
    assert s.minutes[2, 0] == 3.0
    assert np.isnan(s.minutes[1, 1])  # impassable
    path = write_surface(s, tmp_path / "minutes.tif")
    with rasterio.open(path) as src:
        back = src.read(1)
        assert tuple(src.transform) == tuple(G3.transform)
        assert src.crs.to_string() == "EPSG:27700"
    np.testing.assert_allclose(back, s.minutes.astype("float32"), equal_nan=True)


def test_surface_change_when_a_site_is_added_and_one_removed():
    sites = pd.DataFrame({"x": [50.0, 150.0], "y": [250.0, 250.0]}, index=["S", "T"])
    added = pd.DataFrame({"x": [250.0], "y": [50.0]}, index=["NEW"])
    change = surface_change(
        sites, added=added, removed=["T"], grid=G3, mode="walk", assumptions=EXACT
    )
    # cell (2,2): from T at (150,250) it was hypot(100,200) metres; now NEW sits on it
    assert change.difference[2, 2] == pytest.approx(-math.hypot(100, 200) / 64)
    # cell (0,1): T was on it (0); now S is 100 m away
    assert change.difference[0, 1] == pytest.approx(100 / 64)
    assert not change.newly_reached.any() and not change.lost.any()
    gone = surface_change(sites, removed=["S", "T"], grid=G3, mode="walk")
    assert gone.lost.all() and np.isnan(gone.difference).all()


def test_scenario_site_errors():
    sites = pd.DataFrame({"x": [0.0], "y": [0.0]}, index=["S"])
    with pytest.raises(InputError, match=r"cannot remove unknown site\(s\) \['Q'\]"):
        scenario_sites(sites, removed=["Q"])
    with pytest.raises(InputError, match="already exist"):
        scenario_sites(sites, added=sites)
    with pytest.raises(InputError, match="needs a grid"):
        travel_time_surface(sites)


def test_population_weighted_minutes_by_hand(pop_tif):
    pop = read_population(pop_tif)
    grid = pop.grid
    sites = pd.DataFrame({"x": [50.0], "y": [350.0]}, index=["S"])  # centre of cell (0, 0)
    surface = travel_time_surface(sites, grid=grid, mode="walk", assumptions=EXACT)
    zones = _gs({"top": box(0, 300, 200, 400), "empty": box(300, 0, 400, 100)})
    got = population_weighted_minutes(surface, pop, zones)
    # 'top' holds cells (0,0) with 0 people at 0 min and (0,1) with 1 person at 100/64 min
    assert got["top"] == pytest.approx(100 / 64)
    assert np.isnan(got["empty"])  # the nodata cell: nobody lives there
    far = travel_time_surface(
        sites, grid=grid, mode="older_walk", assumptions=Assumptions(max_older_walk_km=0.13)
    )
    assert np.isnan(population_weighted_minutes(far, pop, _gs({"L": box(0, 0, 200, 400)}))["L"])
