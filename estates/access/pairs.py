"""The sparse travel table every provider returns (``origin, destination, minutes``), and the
points and ids it is built from."""



import numpy as np
import pandas as pd

from estates.errors import InputError

TRAVEL_COLUMNS: list[str] = ["origin", "destination", "minutes"]


def id_column(codes: np.ndarray, ids: np.ndarray) -> pd.Categorical | np.ndarray:
    """Ids for the pairs: categorical over all the ids when they are unique (so a million pairs
    hold small integer codes, and estates.access.fca reuses the codes instead of hashing strings)."""
    index = pd.Index(ids)
    if index.is_unique and not index.hasnans:
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(index))
    return ids[codes]


def pairs_frame(
    oi: np.ndarray, di: np.ndarray, minutes: np.ndarray, o_ids: np.ndarray, d_ids: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": id_column(oi, o_ids),
            "destination": id_column(di, d_ids),
            "minutes": np.asarray(minutes, dtype=float),
        }
    )


def point_coords(
    points: pd.DataFrame | np.ndarray, ids: pd.Index | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Points as an (n, 2) array of BNG metres and their ids (a frame's index, or 0..n-1)."""
    return coords(points, ids)


def coords(
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


def empty_pairs(o_ids: np.ndarray, d_ids: np.ndarray) -> pd.DataFrame:
    e = np.array([], dtype=np.int64)
    return pairs_frame(e, e, np.array([], dtype=float), o_ids, d_ids)



def point_ids(points: pd.DataFrame | np.ndarray) -> np.ndarray:
    if isinstance(points, pd.DataFrame):
        return np.asarray(points.index)
    return np.arange(len(np.asarray(points).reshape(-1, 2)))


def check_max_minutes(max_minutes: float) -> None:
    if not np.isfinite(max_minutes) or max_minutes < 0:
        raise InputError(f"max_minutes must be a non-negative number, not {max_minutes!r}")
