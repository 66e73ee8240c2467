"""Travel times between origins and destinations, as sparse tables within a cut-off.

Every provider returns a DataFrame with columns ``origin, destination, minutes`` holding only the
pairs within ``max_minutes`` (inclusive), so that England-scale problems never build all pairs.
Three providers sit behind ``travel_times``: straight line x circuity / speed, cost-distance over a
friction raster, and a user's origin-destination matrix (r5py, OpenTripPlanner, a routing service).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from estates.access.friction import (
    FRICTION_UNITS,
    FrictionGrid,
    friction_grid,
    raster_travel_times,
    raster_travel_times_per_site,
    read_friction,
)
from estates.access.matrix import (
    TravelMatrix,
    matrix_travel_times,
    read_travel_matrix,
    validate_travel_matrix,
)
from estates.access.pairs import (
    TRAVEL_COLUMNS,
    coords,
    empty_pairs,
    pairs_frame,
    point_coords,
    point_ids,
)
from estates.assumptions import Assumptions
from estates.errors import InputError

# The providers' names are re-exported so that callers need only this front door.
__all__ = [
    "FRICTION_UNITS", "METHODS", "MODES", "TRAVEL_COLUMNS", "FrictionGrid", "TravelMatrix",
    "friction_grid", "matrix_travel_times", "minutes_per_metre", "point_coords",
    "raster_travel_times", "raster_travel_times_per_site", "read_friction", "read_travel_matrix",
    "straight_line", "travel_times", "validate_travel_matrix",
]

MODES: tuple[str, ...] = ("car", "walk", "older_walk", "public_transport")


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
    o_xy, o_ids = coords(origins, origin_ids)
    d_xy, d_ids = coords(destinations, destination_ids)
    per_m = minutes_per_metre(mode, a)
    radius = max_minutes / per_m
    if mode == "older_walk":
        radius = min(radius, a.max_older_walk_km * 1000.0 / a.circuity)
    if len(o_xy) == 0 or len(d_xy) == 0:
        return empty_pairs(o_ids, d_ids)
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
    return pairs_frame(oi[order], di[order], minutes[order], o_ids, d_ids)



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
    return matrix_travel_times(point_ids(origins), point_ids(destinations), matrix, max_minutes=max_minutes)

