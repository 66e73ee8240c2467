"""Tests for estates.access.travel: straight-line, friction-raster and matrix providers, worked by hand."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import Affine

from estates.access.travel import (
    friction_grid,
    matrix_travel_times,
    raster_travel_times,
    read_friction,
    read_travel_matrix,
    straight_line,
    travel_times,
    validate_travel_matrix,
)
from estates.assumptions import Assumptions
from estates.errors import InputError

# --- straight line ---------------------------------------------------------------------------


def _pts(rows: dict[str, tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=["x", "y"])


def test_straight_line_car_by_hand():
    # Car: 30 km/h = 500 m/min, circuity 1.3 -> 0.0026 min per straight-line metre.
    o = _pts({"A": (0, 0), "B": (10000, 0)})
    d = _pts({"S": (3000, 4000), "T": (10000, 1000)})
    got = straight_line(o, d, max_minutes=21)  # B-S is 8,062 m = 20.96 min; A-T 26.1 min
    expected = pd.DataFrame(
        {
            "origin": ["A", "B", "B"],
            "destination": ["S", "S", "T"],
            "minutes": [5000 * 0.0026, math.hypot(7000, 4000) * 0.0026, 1000 * 0.0026],
        }
    )
    # Ids come back categorical over all the given ids (cheap to hold, cheap to factorise).
    assert list(got["origin"].cat.categories) == ["A", "B"]
    plain = got.astype({"origin": str, "destination": str})
    pd.testing.assert_frame_equal(
        plain, expected.astype({"origin": str, "destination": str}), rtol=1e-12
    )


def test_straight_line_repeated_ids_stay_plain():
    o = pd.DataFrame({"x": [0.0, 100.0], "y": [0.0, 0.0]}, index=["A", "A"])
    got = straight_line(o, _pts({"S": (0, 0)}), max_minutes=5)
    assert not isinstance(got["origin"].dtype, pd.CategoricalDtype)
    assert got["origin"].tolist() == ["A", "A"]


def test_straight_line_cut_off_is_inclusive():
    # circuity 1 and 3.84 km/h = 64 m/min make a metre exactly 1/64 minute: 640 m is 10 minutes.
    a = Assumptions(circuity=1.0, speed_walk_kmh=3.84)
    d = _pts({"on": (640, 0), "past": (640.01, 0)})
    got = straight_line(_pts({"O": (0, 0)}), d, max_minutes=10, mode="walk", assumptions=a)
    assert got["destination"].tolist() == ["on"]
    assert got["minutes"].iloc[0] == 10.0


def test_older_walker_stops_at_one_and_a_half_km_walked():
    # 3.6 km/h = 60 m/min; 1.5 km walked at circuity 1.3 is 1153.8 m straight (25 minutes).
    d = _pts({"in": (1150, 0), "capped": (1160, 0)})
    got = straight_line(_pts({"O": (0, 0)}), d, max_minutes=30, mode="older_walk")
    assert got["destination"].tolist() == ["in"]
    assert got["minutes"].iloc[0] == pytest.approx(1150 * 1.3 / 60)
    walk = straight_line(_pts({"O": (0, 0)}), d, max_minutes=30, mode="walk")
    assert walk["destination"].tolist() == ["in", "capped"]  # the plain walker has no cap


def test_straight_line_empty_inputs():
    got = straight_line(_pts({}), _pts({"S": (0, 0)}), max_minutes=10)
    assert list(got.columns) == ["origin", "destination", "minutes"]
    assert got.empty
    assert straight_line(np.empty((0, 2)), np.empty((0, 2)), max_minutes=10).empty


def test_straight_line_bad_input():
    with pytest.raises(InputError, match="unknown travel mode 'bike'"):
        straight_line(_pts({"O": (0, 0)}), _pts({"S": (0, 0)}), max_minutes=10, mode="bike")
    with pytest.raises(InputError, match="max_minutes must be a non-negative"):
        straight_line(_pts({"O": (0, 0)}), _pts({"S": (0, 0)}), max_minutes=-1)
    with pytest.raises(InputError, match="coordinates must be finite"):
        straight_line(_pts({"O": (np.nan, 0)}), _pts({"S": (0, 0)}), max_minutes=1)


def test_straight_line_matches_brute_force():
    rng = np.random.default_rng(3)
    o, d = rng.uniform(0, 20000, (60, 2)), rng.uniform(0, 20000, (15, 2))
    got = straight_line(o, d, max_minutes=25, mode="public_transport")
    per_m = 1.3 / (12 * 1000 / 60)
    full = np.hypot(o[:, None, 0] - d[None, :, 0], o[:, None, 1] - d[None, :, 1]) * per_m
    oi, di = np.nonzero(full <= 25)
    assert got["origin"].tolist() == oi.tolist()
    assert got["destination"].tolist() == di.tolist()
    np.testing.assert_allclose(got["minutes"], full[oi, di], rtol=1e-12)


# --- friction raster ----------------------------------------------------------------------

# 3 x 3 cells of 100 m, top-left corner at (0, 300). Frictions in minutes per metre, so a cell
# costs 100 x friction minutes to cross: [[1, 2, 4], [1, X, 1], [3, 1, 1]] with X impassable.
# A step costs the mean of its two cells x its length in cells (sqrt(2) diagonally).
FRICTION = np.array([[0.01, 0.02, 0.04], [0.01, -1.0, 0.01], [0.03, 0.01, 0.01]])
TRANSFORM = Affine(100, 0, 0, 0, -100, 300)  # rasterio's from_origin warns under affine 3


def _centre(row: int, col: int) -> tuple[float, float]:
    return (col * 100 + 50.0, 300 - row * 100 - 50.0)


# From cell (0,0):
#   to (2,0): down 1 + down (1+3)/2 = 3.0
#   to (2,2): down 1, diagonal (1+1)/2 x sqrt2, right 1 = 2 + sqrt2 = 3.414
#   to (1,2): right (1+2)/2 = 1.5, diagonal (2+1)/2 x sqrt2 = 1.5 + 1.5 sqrt2 = 3.621
#             (other routes: 2 + sqrt2 + 1 = 4.414; 1 + sqrt2 + sqrt2 = 3.828)
HAND = {"D_20": 3.0, "D_22": 2 + math.sqrt(2), "D_12": 1.5 + 1.5 * math.sqrt(2)}


@pytest.fixture
def friction_tif(tmp_path):
    path = tmp_path / "friction.tif"
    _write(path, FRICTION)
    return path


def _write(path, values, crs="EPSG:27700", transform=TRANSFORM):
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=values.shape[0],
        width=values.shape[1],
        count=1,
        dtype="float64",
        crs=crs,
        transform=transform,
        nodata=-1.0,
    ) as dst:
        dst.write(values, 1)


def _dests() -> pd.DataFrame:
    return _pts({"D_20": _centre(2, 0), "D_22": _centre(2, 2), "D_12": _centre(1, 2)})


def test_raster_least_cost_by_hand(friction_tif):
    o = _pts({"O": (10.0, 290.0)})  # anywhere in cell (0, 0) snaps to it
    got = raster_travel_times(o, _dests(), max_minutes=10, friction=friction_tif)
    assert got["origin"].tolist() == ["O"] * 3
    np.testing.assert_allclose(
        got.set_index("destination")["minutes"][list(HAND)], list(HAND.values()), rtol=1e-12
    )


def test_raster_cut_off_inclusive_and_symmetric(friction_tif):
    o = _pts({"O": _centre(0, 0)})
    got = raster_travel_times(o, _dests(), max_minutes=3.0, friction=friction_tif)
    assert got["destination"].tolist() == ["D_20"]  # exactly 3.0 is within
    # Several origins, one destination: the search runs from the destination instead.
    back = raster_travel_times(_dests(), o, max_minutes=3.5, friction=friction_tif)
    assert back["origin"].tolist() == ["D_20", "D_22"]
    np.testing.assert_allclose(back["minutes"], [HAND["D_20"], HAND["D_22"]], rtol=1e-12)


def test_raster_minutes_per_cell_and_grid_object(friction_tif):
    grid = friction_grid(FRICTION * 100, TRANSFORM, unit="minutes per cell", nodata=-100.0)
    a = raster_travel_times(_pts({"O": _centre(0, 0)}), _dests(), max_minutes=10, friction=grid)
    b = travel_times(
        _pts({"O": _centre(0, 0)}), _dests(), max_minutes=10, method="raster", friction=friction_tif
    )
    pd.testing.assert_frame_equal(a, b)


def test_raster_cache_sees_an_edited_file(friction_tif):
    o = _pts({"O": _centre(0, 0)})
    first = raster_travel_times(o, _dests(), max_minutes=10, friction=friction_tif)
    first.loc[0, "minutes"] = -5.0  # the caller's copy; the cache must not share it
    again = raster_travel_times(o, _dests(), max_minutes=10, friction=friction_tif)
    assert (again["minutes"] > 0).all()
    _write(friction_tif, FRICTION * 2)
    stat = friction_tif.stat()
    os.utime(friction_tif, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    doubled = raster_travel_times(o, _dests(), max_minutes=10, friction=friction_tif)
    np.testing.assert_allclose(doubled["minutes"], 2 * again["minutes"], rtol=1e-12)


def test_raster_errors(friction_tif, tmp_path):
    with pytest.raises(InputError, match=r"1 destinations lie outside the raster \(e.g. far\)"):
        raster_travel_times(
            _pts({"O": (50, 250)}), _pts({"far": (5000, 250)}), max_minutes=5, friction=friction_tif
        )
    with pytest.raises(InputError, match="square cells"):
        friction_grid(FRICTION, Affine(100, 0, 0, 0, -50, 300))
    with pytest.raises(InputError, match="friction unit 'km/h'"):
        friction_grid(FRICTION, TRANSFORM, unit="km/h")
    wgs = tmp_path / "wgs.tif"
    _write(wgs, FRICTION, crs="EPSG:4326")
    with pytest.raises(InputError, match="warp it to EPSG:27700"):
        read_friction(wgs)
    with pytest.raises(InputError, match="cannot read the friction raster"):
        raster_travel_times(
            _pts({"O": (0, 0)}), _dests(), max_minutes=5, friction=tmp_path / "missing.tif"
        )
    with pytest.raises(InputError, match="needs a friction raster"):
        travel_times(_pts({"O": (0, 0)}), _dests(), max_minutes=5, method="raster")
    with pytest.raises(InputError, match="unknown travel-time method"):
        travel_times(_pts({"O": (0, 0)}), _dests(), max_minutes=5, method="network")


# --- origin-destination matrix ----------------------------------------------------------------


def test_matrix_r5py_names_and_cut_off(tmp_path):
    path = tmp_path / "r5.csv"
    path.write_text("from_id,to_id,travel_time\nZ1,S1,12\nZ1,S2,31\nZ2,S1,30\nZ9,S1,5\n")
    got = travel_times(
        _pts({"Z1": (0, 0), "Z2": (0, 0)}),
        _pts({"S1": (0, 0), "S2": (0, 0)}),
        max_minutes=30,
        method="matrix",
        matrix=path,
    )
    assert got[["origin", "destination"]].values.tolist() == [["Z1", "S1"], ["Z2", "S1"]]
    assert got["minutes"].tolist() == [12.0, 30.0]
    assert (
        "1 of 4 rows name an origin or destination outside this region" in got.attrs["warnings"][0]
    )


def test_matrix_seconds_and_numeric_ids():
    frame = pd.DataFrame({"fromPlace": [1, 2], "toPlace": [7, 7], "duration": [600, 1500]})
    m = validate_travel_matrix(frame, file="otp.csv")
    assert "read as seconds" in m.warnings[0]
    got = matrix_travel_times(pd.Index([1, 2]), pd.Index([7]), m, max_minutes=20)
    assert got["origin"].tolist() == [1]  # 600 s = 10 minutes; 1500 s = 25 minutes
    assert got["minutes"].tolist() == [10.0]


def test_matrix_row_level_problems(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("origin,destination,minutes\nZ1,S1,10\n,S1,4\nZ2,S1,soon\nZ1,S1,11\nZ3,S2,-2\n")
    with pytest.raises(InputError) as err:
        read_travel_matrix(path)
    text = str(err.value)
    assert "4 problem(s) found" in text
    assert "bad.csv, row 2, column 'origin': missing id" in text
    assert (
        "bad.csv, row 3, column 'minutes': travel time is not a number >= 0 (value 'soon')" in text
    )
    assert "bad.csv, row 4: pair 'Z1' -> 'S1' repeats row 1" in text
    assert "bad.csv, row 5, column 'minutes'" in text
    assert [p.row for p in err.value.problems] == [2, 3, 5, 4]


def test_matrix_whole_file_errors(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(InputError, match="no column for origin, destination, minutes"):
        read_travel_matrix(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        read_travel_matrix(empty)
    m = validate_travel_matrix(
        pd.DataFrame({"origin": ["E01"], "destination": ["G1"], "minutes": [3]})
    )
    with pytest.raises(InputError, match="none of the matrix's origin ids"):
        matrix_travel_times(pd.Index(["Z1"]), pd.Index(["G1"]), m, max_minutes=10)
    with pytest.raises(InputError, match="none of the matrix's destination ids"):
        matrix_travel_times(pd.Index(["E01"]), pd.Index(["S1"]), m, max_minutes=10)
    with pytest.raises(InputError, match="needs an origin-destination matrix"):
        travel_times(_pts({"O": (0, 0)}), _dests(), max_minutes=5, method="matrix")


def test_raster_per_site_is_cached_per_destination(tmp_path) -> None:
    import numpy as np
    import pandas as pd
    import rasterio
    from rasterio.transform import from_origin

    from estates.access import friction, travel

    path = tmp_path / "flat.tif"
    with rasterio.open(path, "w", driver="GTiff", width=10, height=3, count=1, dtype="float32",
                       crs="EPSG:27700", transform=from_origin(0, 300, 100, 100)) as dst:
        dst.write(np.full((1, 3, 10), 0.01, dtype="float32"))  # 1 minute per 100 m cell
    origins = pd.DataFrame({"x": [50.0, 550.0], "y": [150.0, 150.0]}, index=["near", "far"])
    one = pd.DataFrame({"x": [50.0], "y": [150.0]}, index=["S1"])
    got = travel.raster_travel_times_per_site(origins, one, max_minutes=10, friction=path)
    # five steps of one cell east, each costing the mean friction x 100 m = 1 minute
    assert dict(zip(got["origin"].astype(str), got["minutes"], strict=True)) == pytest.approx(
        {"near": 0.0, "far": 5.0})
    cut = travel.raster_travel_times_per_site(origins, one, max_minutes=4, friction=path)
    assert list(cut["origin"].astype(str)) == ["near"]
    before = friction._cached_one_site.cache_info()
    two = pd.DataFrame({"x": [50.0, 950.0], "y": [150.0, 150.0]}, index=["S1", "S2"])
    both = travel.raster_travel_times_per_site(origins, two, max_minutes=10, friction=path)
    after = friction._cached_one_site.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses + 1  # S1 reused
    far_s2 = both[(both["origin"].astype(str) == "far") & (both["destination"].astype(str) == "S2")]
    assert far_s2["minutes"].iloc[0] == pytest.approx(4.0)
