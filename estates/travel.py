"""Travel times between origins and destinations, as sparse tables within a cut-off.

Every provider returns a DataFrame with columns ``origin, destination, minutes`` holding only the
pairs within ``max_minutes`` (inclusive), so that England-scale problems never build all pairs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from estates.assumptions import Assumptions
from estates.errors import InputError

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
    tree = cKDTree(d_xy)
    # sparse_distance_matrix would need a second tree; query_ball_point gives index lists fast.
    hits = tree.query_ball_point(o_xy, r=radius * (1 + 1e-12), return_sorted=False)
    counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
    oi = np.repeat(np.arange(len(o_xy)), counts)
    di = np.fromiter((j for h in hits for j in h), dtype=np.int64, count=int(counts.sum()))
    dist = np.hypot(*(o_xy[oi] - d_xy[di]).T)
    minutes = dist * per_m
    keep = minutes <= max_minutes
    order = np.lexsort((di[keep], oi[keep]))
    return pd.DataFrame(
        {
            "origin": o_ids[oi[keep][order]],
            "destination": d_ids[di[keep][order]],
            "minutes": minutes[keep][order],
        }
    )


def _coords(points: pd.DataFrame | np.ndarray, ids: pd.Index | None) -> tuple[np.ndarray, np.ndarray]:
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
    return pd.DataFrame(
        {
            "origin": pd.Series([], dtype=o_ids.dtype),
            "destination": pd.Series([], dtype=d_ids.dtype),
            "minutes": pd.Series([], dtype=float),
        }
    )
