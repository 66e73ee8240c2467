"""Travel minutes by cost-distance over a friction raster (minutes per metre or per cell), one
cached search per surgery so that a what-if costs one search."""


import functools
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import rasterio
from rasterio.transform import Affine
from skimage.graph import MCP_Geometric

from estates.access.pairs import check_max_minutes, coords, empty_pairs, pairs_frame
from estates.errors import InputError

FRICTION_UNITS: tuple[str, ...] = ("minutes per metre", "minutes per cell")


@dataclass(frozen=True)
class FrictionGrid:
    """A friction surface in minutes per metre on a north-up grid of square cells (BNG metres).

    Cells that cannot be crossed (nodata, NaN, negative) hold ``inf``.
    """

    minutes_per_metre: np.ndarray
    transform: Affine
    crs: str | None = None
    source: str = "friction raster"

    @property
    def cell_size(self) -> float:
        return float(self.transform.a)

    @property
    def shape(self) -> tuple[int, int]:
        return self.minutes_per_metre.shape  # type: ignore[return-value]

    def cells(self, xy: np.ndarray, ids: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cell holding each point; every point outside is reported."""
        t = self.transform  # north-up (checked on construction), so no rotation terms
        rows = np.floor((xy[:, 1] - t.f) / t.e).astype(np.int64)
        cols = np.floor((xy[:, 0] - t.c) / t.a).astype(np.int64)
        n_rows, n_cols = self.shape
        outside = (rows < 0) | (rows >= n_rows) | (cols < 0) | (cols >= n_cols)
        if outside.any():
            shown = ", ".join(map(str, ids[outside][:5]))
            raise InputError(
                f"{self.source}: {int(outside.sum())} {what} lie outside the raster (e.g. {shown}); "
                f"extend the friction raster to cover every zone and site of the region"
            )
        return rows, cols


def friction_grid(
    values: np.ndarray,
    transform: Affine,
    *,
    unit: str = "minutes per metre",
    nodata: float | None = None,
    crs: str | None = None,
    source: str = "friction raster",
) -> FrictionGrid:
    """Check a friction array and its grid, and express it in minutes per metre."""
    if unit not in FRICTION_UNITS:
        raise InputError(
            f"{source}: friction unit {unit!r} is not supported; use one of "
            f"{', '.join(FRICTION_UNITS)}"
        )
    a = transform
    if a.b != 0 or a.d != 0 or a.e >= 0 or not math.isclose(a.a, -a.e, rel_tol=1e-9):
        raise InputError(
            f"{source}: the raster must be north-up with square cells (got transform {tuple(a)[:6]}); "
            f"warp it to a square grid in EPSG:27700 first (e.g. gdalwarp -tr 100 100)"
        )
    arr = np.array(values, dtype=float)
    if arr.ndim != 2:
        raise InputError(
            f"{source}: expected one band of 2-D friction values, not shape {arr.shape}"
        )
    bad = ~np.isfinite(arr) | (arr < 0)
    if nodata is not None:
        bad |= arr == nodata
    arr[bad] = np.inf
    if unit == "minutes per cell":
        arr = arr / a.a
    return FrictionGrid(arr, transform, crs, source)


def read_friction(path: str | Path, *, unit: str = "minutes per metre") -> FrictionGrid:
    """Read band 1 of a friction GeoTIFF (EPSG:27700) with rasterio."""
    path = Path(path)
    try:
        with rasterio.open(path) as src:
            values = src.read(1)
            crs = src.crs.to_string() if src.crs else None
            transform, nodata = src.transform, src.nodata
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"{path.name}: cannot read the friction raster ({exc})") from exc
    if crs is not None and crs != "EPSG:27700":
        raise InputError(
            f"{path.name}: the friction raster is in {crs}; warp it to EPSG:27700 (British "
            f"National Grid) first"
        )
    return friction_grid(values, transform, unit=unit, nodata=nodata, crs=crs, source=path.name)


def raster_travel_times(
    origins: pd.DataFrame | np.ndarray,
    destinations: pd.DataFrame | np.ndarray,
    *,
    max_minutes: float,
    friction: FrictionGrid | str | Path,
    friction_unit: str = "minutes per metre",
    origin_ids: pd.Index | None = None,
    destination_ids: pd.Index | None = None,
) -> pd.DataFrame:
    """Least-cost travel minutes over a friction raster, for pairs within ``max_minutes``.

    Points are snapped to the cell holding them. A step between neighbouring cells costs the mean
    of their frictions times the step length (the cell size, or sqrt(2) x cell size diagonally),
    as ``skimage.graph.MCP_Geometric`` does. The search runs once per origin or once per
    destination, whichever are fewer (the costs are symmetric), each on a window no path within
    the cut-off can leave.

    Given a path, results are cached in memory keyed on the file's path, modification time and
    size, the points and the cut-off, so every what-if on a region reuses them. (An ``.npz`` file
    beside the raster was rejected: region folders may be read-only or shared, and a stale file
    outliving an edited raster is a worse failure than recomputing once per process.)
    """
    check_max_minutes(max_minutes)
    o_xy, o_ids = coords(origins, origin_ids)
    d_xy, d_ids = coords(destinations, destination_ids)
    if len(o_xy) == 0 or len(d_xy) == 0:
        return empty_pairs(o_ids, d_ids)
    if isinstance(friction, FrictionGrid):
        oi, di, minutes = _raster_pairs(friction, o_xy, o_ids, d_xy, d_ids, float(max_minutes))
    else:
        path = Path(friction).resolve()
        try:
            stat = path.stat()
        except OSError as exc:
            raise InputError(f"{path.name}: cannot read the friction raster ({exc})") from exc
        oi, di, minutes = _cached_raster_pairs(
            str(path),
            stat.st_mtime_ns,
            stat.st_size,
            friction_unit,
            _PointsKey(o_xy, o_ids),
            _PointsKey(d_xy, d_ids),
            float(max_minutes),
        )
    return pairs_frame(oi, di, minutes, o_ids, d_ids)


@dataclass(frozen=True)
class _PointsKey:
    """Hashable stand-in for a points array, so lru_cache can key on the coordinates."""

    xy: np.ndarray = field(compare=False)
    ids: np.ndarray = field(compare=False)
    digest: str = ""

    def __init__(self, xy: np.ndarray, ids: np.ndarray) -> None:
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "ids", ids)
        h = hashlib.sha1(np.ascontiguousarray(xy).tobytes(), usedforsecurity=False)
        object.__setattr__(self, "digest", h.hexdigest())


@functools.lru_cache(maxsize=32)
def _cached_raster_pairs(
    path: str, mtime_ns: int, size: int, unit: str, o: _PointsKey, d: _PointsKey, max_minutes: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    del mtime_ns, size  # part of the cache key only: a changed file is read again
    grid = read_friction(path, unit=unit)
    out = _raster_pairs(grid, o.xy, o.ids, d.xy, d.ids, max_minutes)
    for arr in out:
        arr.setflags(write=False)  # cached: nobody may change them in place
    return out


def _raster_pairs(
    grid: FrictionGrid,
    o_xy: np.ndarray,
    o_ids: np.ndarray,
    d_xy: np.ndarray,
    d_ids: np.ndarray,
    max_minutes: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    o_rc = grid.cells(o_xy, o_ids, "origins")
    d_rc = grid.cells(d_xy, d_ids, "destinations")
    swap = len(d_xy) < len(o_xy)
    src_rc, tgt_rc = (d_rc, o_rc) if swap else (o_rc, d_rc)
    cell = grid.cell_size
    costs = grid.minutes_per_metre * cell
    finite = grid.minutes_per_metre[np.isfinite(grid.minutes_per_metre)]
    cheapest = float(finite.min()) if finite.size else np.inf
    # No path within the cut-off leaves a window of this many cells around its start, because
    # each metre of any path costs at least the cheapest friction. skimage's own
    # max_cumulative_cost does nothing (deprecated in 0.26, scikit-image issue 7604), so this
    # window is how the search stops early.
    reach = int(math.ceil(max_minutes / (cheapest * cell))) + 1 if cheapest > 0 else max(grid.shape)
    n_rows, n_cols = grid.shape
    src_idx, tgt_idx, minutes = [], [], []
    for s in range(len(src_rc[0])):
        r, c = int(src_rc[0][s]), int(src_rc[1][s])
        r0, r1 = max(r - reach, 0), min(r + reach + 1, n_rows)
        c0, c1 = max(c - reach, 0), min(c + reach + 1, n_cols)
        near = np.flatnonzero(
            (tgt_rc[0] >= r0) & (tgt_rc[0] < r1) & (tgt_rc[1] >= c0) & (tgt_rc[1] < c1)
        )
        if near.size == 0:
            continue
        mcp = MCP_Geometric(costs[r0:r1, c0:c1])
        cumulative, _ = mcp.find_costs([(r - r0, c - c0)])
        got = cumulative[tgt_rc[0][near] - r0, tgt_rc[1][near] - c0]
        ok = got <= max_minutes
        src_idx.append(np.full(int(ok.sum()), s))
        tgt_idx.append(near[ok])
        minutes.append(got[ok])
    if not src_idx:
        e = np.array([], dtype=np.int64)
        return e, e.copy(), np.array([], dtype=float)
    si, ti, mi = np.concatenate(src_idx), np.concatenate(tgt_idx), np.concatenate(minutes)
    oi, di = (ti, si) if swap else (si, ti)
    order = np.lexsort((di, oi))
    return oi[order], di[order], mi[order].astype(float)


def raster_travel_times_per_site(
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    max_minutes: float,
    friction: str | Path,
    friction_unit: str = "minutes per metre",
) -> pd.DataFrame:
    """``raster_travel_times`` with one cached search per destination.

    A what-if that adds or moves one surgery then costs one least-cost search, not one per
    surgery: each destination's pairs are cached on its coordinates (with the raster's path,
    modification time and size, the origins and the cut-off).
    """
    check_max_minutes(max_minutes)
    o_xy, o_ids = coords(origins, None)
    d_xy, d_ids = coords(destinations, None)
    if len(o_xy) == 0 or len(d_xy) == 0:
        return empty_pairs(o_ids, d_ids)
    path = Path(friction).resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read the friction raster ({exc})") from exc
    okey = _PointsKey(o_xy, o_ids)
    parts_o, parts_d, parts_m = [], [], []
    for j in range(len(d_xy)):
        oi, _, minutes = _cached_one_site(str(path), stat.st_mtime_ns, stat.st_size,
                                          friction_unit, okey, float(d_xy[j, 0]),
                                          float(d_xy[j, 1]), float(max_minutes))
        parts_o.append(oi)
        parts_d.append(np.full(len(oi), j))
        parts_m.append(minutes)
    oi, di, mi = np.concatenate(parts_o), np.concatenate(parts_d), np.concatenate(parts_m)
    order = np.lexsort((di, oi))
    return pairs_frame(oi[order], di[order], mi[order], o_ids, d_ids)


@functools.lru_cache(maxsize=8192)
def _cached_one_site(
    path: str, mtime_ns: int, size: int, unit: str, o: _PointsKey, x: float, y: float,
    max_minutes: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    del mtime_ns, size  # part of the cache key only
    grid = _cached_friction(path, unit)
    out = _raster_pairs(grid, o.xy, o.ids, np.array([[x, y]]), np.array([0]), max_minutes)
    for arr in out:
        arr.setflags(write=False)
    return out


@functools.lru_cache(maxsize=4)
def _cached_friction(path: str, unit: str) -> FrictionGrid:
    return read_friction(path, unit=unit)

