"""Travel times between origins and destinations, as sparse tables within a cut-off.

Every provider returns a DataFrame with columns ``origin, destination, minutes`` holding only the
pairs within ``max_minutes`` (inclusive), so that England-scale problems never build all pairs.
Three providers sit behind ``travel_times``: straight line x circuity / speed, cost-distance over a
friction raster, and a user's origin-destination matrix (r5py, OpenTripPlanner, a routing service).
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import rasterio
from rasterio.transform import Affine
from scipy.spatial import cKDTree
from skimage.graph import MCP_Geometric

from estates.assumptions import Assumptions
from estates.errors import InputError, ProblemList

MODES: tuple[str, ...] = ("car", "walk", "older_walk", "public_transport")
TRAVEL_COLUMNS: list[str] = ["origin", "destination", "minutes"]


def minutes_per_metre(mode: str, assumptions: Assumptions) -> float:
    """Minutes to cover one metre of straight-line distance by ``mode`` (circuity included)."""
    if mode not in MODES:
        raise InputError(f"unknown travel mode {mode!r}: use one of {', '.join(MODES)}")
    speed_m_per_min = assumptions.speed_kmh(mode) * 1000.0 / 60.0
    return assumptions.circuity / speed_m_per_min


def straight_line(
    origins: pd.DataFrame | np.ndarray,
    destinations: pd.DataFrame | np.ndarray,
    *,
    max_minutes: float,
    mode: str = "car",
    assumptions: Assumptions | None = None,
    origin_ids: pd.Index | None = None,
    destination_ids: pd.Index | None = None,
) -> pd.DataFrame:
    """Straight-line distance x circuity / speed, for pairs within ``max_minutes``.

    Parameters
    ----------
    origins, destinations
        Either arrays of shape (n, 2) of BNG metres, or frames with ``x`` and ``y`` columns whose
        index gives the ids.
    max_minutes
        Inclusive cut-off; pairs beyond it are never built (a KD-tree finds the pairs in reach).
    mode
        One of MODES. The older walker's mode also stops at ``max_older_walk_km`` walked.

    Returns
    -------
    Columns ``origin, destination, minutes`` sorted by origin then destination. When the ids
    are unique the id columns are categorical over all the given ids (every provider does this).
    """
    a = assumptions or Assumptions()
    if not np.isfinite(max_minutes) or max_minutes < 0:
        raise InputError(f"max_minutes must be a non-negative number, not {max_minutes!r}")
    o_xy, o_ids = _coords(origins, origin_ids)
    d_xy, d_ids = _coords(destinations, destination_ids)
    per_m = minutes_per_metre(mode, a)
    radius = max_minutes / per_m
    if mode == "older_walk":
        radius = min(radius, a.max_older_walk_km * 1000.0 / a.circuity)
    if len(o_xy) == 0 or len(d_xy) == 0:
        return _empty(o_ids, d_ids)
    # Two trees and sparse_distance_matrix find the pairs and their distances in C; one
    # query_ball_point per origin would leave a Python loop over 10^5 lists at England scale.
    found = cKDTree(o_xy).sparse_distance_matrix(
        cKDTree(d_xy), max_distance=radius * (1 + 1e-12), output_type="ndarray"
    )
    oi = found["i"].astype(np.int64)
    di = found["j"].astype(np.int64)
    minutes = found["v"] * per_m
    keep = minutes <= max_minutes
    oi, di, minutes = oi[keep], di[keep], minutes[keep]
    order = np.argsort(oi * len(d_xy) + di, kind="stable")
    return _pairs(oi[order], di[order], minutes[order], o_ids, d_ids)


def _id_column(codes: np.ndarray, ids: np.ndarray) -> pd.Categorical | np.ndarray:
    """Ids for the pairs: categorical over all the ids when they are unique (so a million pairs
    hold small integer codes, and estates.access.fca reuses the codes instead of hashing strings)."""
    index = pd.Index(ids)
    if index.is_unique and not index.hasnans:
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(index))
    return ids[codes]


def _pairs(
    oi: np.ndarray, di: np.ndarray, minutes: np.ndarray, o_ids: np.ndarray, d_ids: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": _id_column(oi, o_ids),
            "destination": _id_column(di, d_ids),
            "minutes": np.asarray(minutes, dtype=float),
        }
    )


def point_coords(
    points: pd.DataFrame | np.ndarray, ids: pd.Index | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Points as an (n, 2) array of BNG metres and their ids (a frame's index, or 0..n-1)."""
    return _coords(points, ids)


def _coords(
    points: pd.DataFrame | np.ndarray, ids: pd.Index | None
) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(points, pd.DataFrame):
        if "geometry" in points.columns and "x" not in points.columns:
            xy = np.column_stack([points.geometry.x.to_numpy(), points.geometry.y.to_numpy()])
        else:
            xy = points[["x", "y"]].to_numpy(dtype=float)
        index = points.index if ids is None else ids
    else:
        xy = np.asarray(points, dtype=float).reshape(-1, 2)
        index = pd.RangeIndex(len(xy)) if ids is None else ids
    if not np.isfinite(xy).all():
        raise InputError("coordinates must be finite numbers (BNG metres)")
    return xy, np.asarray(index)


def _empty(o_ids: np.ndarray, d_ids: np.ndarray) -> pd.DataFrame:
    e = np.array([], dtype=np.int64)
    return _pairs(e, e, np.array([], dtype=float), o_ids, d_ids)


# --- cost-distance over a friction raster ---------------------------------------------------------

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
    _check_max_minutes(max_minutes)
    o_xy, o_ids = _coords(origins, origin_ids)
    d_xy, d_ids = _coords(destinations, destination_ids)
    if len(o_xy) == 0 or len(d_xy) == 0:
        return _empty(o_ids, d_ids)
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
    return _pairs(oi, di, minutes, o_ids, d_ids)


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
    _check_max_minutes(max_minutes)
    o_xy, o_ids = _coords(origins, None)
    d_xy, d_ids = _coords(destinations, None)
    if len(o_xy) == 0 or len(d_xy) == 0:
        return _empty(o_ids, d_ids)
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
    return _pairs(oi[order], di[order], mi[order], o_ids, d_ids)


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


# --- a user's origin-destination matrix ---------------------------------------------------------

#: Accepted names for each column, in order of preference (r5py: from_id, to_id, travel_time).
MATRIX_ALIASES: dict[str, tuple[str, ...]] = {
    "origin": ("origin", "from_id", "origin_id", "from", "fromplace", "from_place", "o"),
    "destination": (
        "destination",
        "to_id",
        "destination_id",
        "dest",
        "to",
        "toplace",
        "to_place",
        "d",
    ),
    "minutes": (
        "minutes",
        "travel_time",
        "travel_time_minutes",
        "time",
        "duration_minutes",
        "cost",
    ),
}
#: OpenTripPlanner reports durations in seconds; these columns are converted to minutes.
SECONDS_COLUMNS: tuple[str, ...] = ("duration", "duration_s", "duration_seconds", "seconds")


@dataclass(frozen=True)
class TravelMatrix:
    """A validated origin-destination matrix: ``table`` has columns origin, destination, minutes."""

    table: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    source: str = "travel matrix"


def read_travel_matrix(path: str | Path) -> TravelMatrix:
    """Read and validate an origin-destination matrix CSV (every bad row is reported at once)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read the travel matrix as CSV ({exc})") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{path.name}: the travel matrix file is empty") from exc
    return validate_travel_matrix(frame, file=path.name)


def validate_travel_matrix(frame: pd.DataFrame, *, file: str = "travel matrix") -> TravelMatrix:
    """Find the origin, destination and minutes columns and check every row.

    Row numbers in messages are 1-based data rows (header excluded). Blank ids, times that are
    not numbers, negative or missing times, and repeated origin-destination pairs are all problems.
    """
    problems = ProblemList(file)
    warnings: list[str] = []
    lower = {str(c).strip().lower(): c for c in frame.columns}
    chosen: dict[str, Any] = {}
    for role, names in MATRIX_ALIASES.items():
        found = next((lower[n] for n in names if n in lower), None)
        if found is not None:
            chosen[role] = found
    seconds = False
    if "minutes" not in chosen:
        found = next((lower[n] for n in SECONDS_COLUMNS if n in lower), None)
        if found is not None:
            chosen["minutes"] = found
            seconds = True
            warnings.append(
                f"{file}: column {found!r} read as seconds (OpenTripPlanner's unit) "
                f"and converted to minutes"
            )
    missing = [r for r in MATRIX_ALIASES if r not in chosen]
    if missing:
        raise InputError(
            f"{file}: no column for {', '.join(missing)}. Name the columns origin, destination, "
            f"minutes (r5py's from_id, to_id, travel_time also work); the file has "
            f"{', '.join(map(str, frame.columns))}"
        )
    origin = frame[chosen["origin"]].astype(str).str.strip()
    destination = frame[chosen["destination"]].astype(str).str.strip()
    raw = frame[chosen["minutes"]]
    minutes = pd.to_numeric(raw.astype(str).str.strip(), errors="coerce").to_numpy(dtype=float)
    if seconds:
        minutes = minutes / 60.0
    for col, ids in ((chosen["origin"], origin), (chosen["destination"], destination)):
        for i in np.flatnonzero((ids == "").to_numpy() | ids.str.lower().isin(["nan", "none"])):
            problems.add(
                "missing id",
                row=int(i) + 1,
                column=str(col),
                fix="Give every row an origin and a destination id",
            )
    for i in np.flatnonzero(~np.isfinite(minutes) | (minutes < 0)):
        problems.add(
            "travel time is not a number >= 0",
            row=int(i) + 1,
            column=str(chosen["minutes"]),
            value=raw.iloc[i],
            fix="Leave unreachable pairs out of the matrix instead",
        )
    pairs = pd.DataFrame({"o": origin.to_numpy(), "d": destination.to_numpy()})
    first_row = pairs.groupby(["o", "d"], sort=False).ngroup()
    first_of_group = pd.Series(np.arange(len(pairs))).groupby(first_row.to_numpy()).transform("min")
    for i in np.flatnonzero(pairs.duplicated(keep="first").to_numpy()):
        problems.add(
            f"pair {origin.iloc[i]!r} -> {destination.iloc[i]!r} repeats row "
            f"{int(first_of_group.iloc[i]) + 1}",
            row=int(i) + 1,
            fix="Keep one travel time per origin-destination pair",
        )
    problems.raise_if_any()
    table = pd.DataFrame(
        {"origin": origin.to_numpy(), "destination": destination.to_numpy(), "minutes": minutes}
    )
    return TravelMatrix(table, warnings, file)


def matrix_travel_times(
    origin_ids: pd.Index | np.ndarray,
    destination_ids: pd.Index | np.ndarray,
    matrix: TravelMatrix | pd.DataFrame | str | Path,
    *,
    max_minutes: float,
) -> pd.DataFrame:
    """The matrix's pairs between the given ids within ``max_minutes``.

    Ids are compared as text, since a CSV cannot tell codes from numbers. Pairs missing from the
    matrix are unreachable. The result's ``attrs["warnings"]`` says how many matrix rows were left
    out because an id is not one of the given origins or destinations, and raises if no origin or
    no destination id matches at all (usually a different id scheme).
    """
    _check_max_minutes(max_minutes)
    if isinstance(matrix, str | Path):
        matrix = read_travel_matrix(matrix)
    elif isinstance(matrix, pd.DataFrame):
        matrix = validate_travel_matrix(matrix)
    o_ids = np.asarray(origin_ids)
    d_ids = np.asarray(destination_ids)
    table = matrix.table
    oi = pd.Index(o_ids.astype(str)).get_indexer(table["origin"].astype(str))
    di = pd.Index(d_ids.astype(str)).get_indexer(table["destination"].astype(str))
    warnings = list(matrix.warnings)
    if len(table) and len(o_ids) and (oi < 0).all():
        raise InputError(
            f"{matrix.source}: none of the matrix's origin ids matches an origin (e.g. "
            f"{table['origin'].iloc[0]!r} vs {o_ids[0]!r}); use the zone codes as origin ids"
        )
    if len(table) and len(d_ids) and (di < 0).all():
        raise InputError(
            f"{matrix.source}: none of the matrix's destination ids matches a site (e.g. "
            f"{table['destination'].iloc[0]!r} vs {d_ids[0]!r}); use the practice codes as "
            f"destination ids"
        )
    known = (oi >= 0) & (di >= 0)
    if (~known).any():
        warnings.append(
            f"{matrix.source}: {int((~known).sum())} of {len(table)} rows name an "
            f"origin or destination outside this region and were not used"
        )
    minutes = table["minutes"].to_numpy(dtype=float)
    keep = known & (minutes <= max_minutes)
    oi, di, mi = oi[keep], di[keep], minutes[keep]
    order = np.lexsort((di, oi))
    out = _pairs(oi[order], di[order], mi[order], o_ids, d_ids)
    out.attrs["warnings"] = warnings
    return out


# --- one front door -------------------------------------------------------------------------------

METHODS: tuple[str, ...] = ("straight_line", "raster", "matrix")


def travel_times(
    origins: pd.DataFrame | np.ndarray,
    destinations: pd.DataFrame | np.ndarray,
    *,
    max_minutes: float,
    mode: str = "car",
    method: str = "straight_line",
    assumptions: Assumptions | None = None,
    friction: FrictionGrid | str | Path | None = None,
    friction_unit: str = "minutes per metre",
    matrix: TravelMatrix | pd.DataFrame | str | Path | None = None,
) -> pd.DataFrame:
    """Travel minutes from origins to destinations, only the pairs within ``max_minutes``.

    Parameters
    ----------
    origins, destinations
        Frames with ``x``, ``y`` columns (or a point ``geometry``) in BNG metres whose index gives
        the ids, or (n, 2) arrays.
    max_minutes
        Inclusive cut-off.
    mode
        One of MODES; used by the straight-line method. A friction raster or a matrix stands for
        one mode already, so there it only labels the result.
    method
        ``straight_line``, ``raster`` (needs ``friction``) or ``matrix`` (needs ``matrix``; the
        points' ids are matched to the matrix's ids and their coordinates are not used).

    Returns
    -------
    Columns ``origin, destination, minutes``, sorted by origin then destination.
    """
    if method not in METHODS:
        raise InputError(f"unknown travel-time method {method!r}: use one of {', '.join(METHODS)}")
    if mode not in MODES:
        raise InputError(f"unknown travel mode {mode!r}: use one of {', '.join(MODES)}")
    if method == "straight_line":
        return straight_line(
            origins, destinations, max_minutes=max_minutes, mode=mode, assumptions=assumptions
        )
    if method == "raster":
        if friction is None:
            raise InputError(
                "the raster method needs a friction raster: give friction=PATH, or "
                "use method='straight_line'"
            )
        return raster_travel_times(
            origins,
            destinations,
            max_minutes=max_minutes,
            friction=friction,
            friction_unit=friction_unit,
        )
    if matrix is None:
        raise InputError(
            "the matrix method needs an origin-destination matrix: give matrix=PATH, "
            "or use method='straight_line'"
        )
    return matrix_travel_times(_ids(origins), _ids(destinations), matrix, max_minutes=max_minutes)


def _ids(points: pd.DataFrame | np.ndarray) -> np.ndarray:
    if isinstance(points, pd.DataFrame):
        return np.asarray(points.index)
    return np.arange(len(np.asarray(points).reshape(-1, 2)))


def _check_max_minutes(max_minutes: float) -> None:
    if not np.isfinite(max_minutes) or max_minutes < 0:
        raise InputError(f"max_minutes must be a non-negative number, not {max_minutes!r}")
