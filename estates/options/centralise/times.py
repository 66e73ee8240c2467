"""The zone x site travel-time matrix, built once per analysis from the project's providers.

Every combination of kept sites is then scored from this one matrix: a resident's time under a
combination is the minimum over the kept columns. Unreachable pairs hold ``inf``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from estates.access.older_access import zone_points
from estates.access.travel import (
    FrictionGrid,
    TravelMatrix,
    minutes_per_metre,
    point_coords,
    travel_times,
)
from estates.assumptions import Assumptions
from estates.errors import InputError

#: Rows of zones per block when the straight-line matrix is built (bounds peak memory).
_BLOCK = 50_000


@dataclass(frozen=True)
class TravelSetting:
    """How the analysis gets car minutes and visitors' minutes.

    ``method`` is ``straight_line`` (circuity / speed from the assumptions), ``raster`` (least-
    cost minutes over ``friction``) or ``matrix`` (``matrix`` of zone to site minutes).
    ``visitor_matrix`` (e.g. public transport from r5py) gives visitors' minutes; without it
    visitors travel by car.
    """

    method: str = "straight_line"
    friction: FrictionGrid | str | Path | None = None
    friction_unit: str = "minutes per metre"
    matrix: TravelMatrix | pd.DataFrame | str | Path | None = None
    visitor_matrix: TravelMatrix | pd.DataFrame | str | Path | None = None

    @property
    def visitor_mode(self) -> str:
        return "public transport (matrix)" if self.visitor_matrix is not None else "car"


def car_minutes(zones: pd.DataFrame, sites: pd.DataFrame, setting: TravelSetting,
                assumptions: Assumptions) -> np.ndarray:
    """Car minutes from every zone (rows, zones' order) to every site (columns, sites' order)."""
    origins = zone_points(zones)
    if setting.method == "straight_line":
        return straight_line_dense(origins, sites, assumptions=assumptions)
    return _dense(travel_times(
        origins, sites[["x", "y"]], max_minutes=assumptions.centralise_search_minutes,
        method=setting.method, assumptions=assumptions, friction=setting.friction,
        friction_unit=setting.friction_unit, matrix=setting.matrix), zones.index, sites.index)


def visitor_minutes(zones: pd.DataFrame, sites: pd.DataFrame, setting: TravelSetting,
                    assumptions: Assumptions, car: np.ndarray) -> np.ndarray:
    """Visitors' minutes: the visitor matrix when given, otherwise the car minutes."""
    if setting.visitor_matrix is None:
        return car
    pairs = travel_times(zone_points(zones), sites[["x", "y"]],
                         max_minutes=assumptions.centralise_search_minutes, method="matrix",
                         matrix=setting.visitor_matrix)
    return _dense(pairs, zones.index, sites.index)


def straight_line_dense(origins: pd.DataFrame, sites: pd.DataFrame, *,
                        assumptions: Assumptions) -> np.ndarray:
    """Straight-line x circuity / car speed for every pair, as ``straight_line`` computes it.

    ``estates.access.travel.straight_line`` returns only pairs within a cut-off (a KD-tree
    search, built for sparse catchments); here every pair is needed, so the same formula is
    applied to scipy's dense ``cdist`` in blocks, which avoids 3 x 8 bytes of pair bookkeeping
    per pair at 100,000 zones x 200 sites.
    """
    o_xy, _ = point_coords(origins)
    d_xy, _ = point_coords(sites[["x", "y"]])
    per_m = minutes_per_metre("car", assumptions)
    out = np.empty((len(o_xy), len(d_xy)))
    for start in range(0, len(o_xy), _BLOCK):
        block = o_xy[start:start + _BLOCK]
        out[start:start + len(block)] = cdist(block, d_xy) * per_m
    return out


def _dense(pairs: pd.DataFrame, zone_ids: pd.Index, site_ids: pd.Index) -> np.ndarray:
    out = np.full((len(zone_ids), len(site_ids)), np.inf)
    zi = pd.Index(zone_ids.astype(str)).get_indexer(pairs["origin"].astype(str))
    si = pd.Index(site_ids.astype(str)).get_indexer(pairs["destination"].astype(str))
    ok = (zi >= 0) & (si >= 0)
    if len(pairs) and not ok.any():
        raise InputError("no travel time matches a zone and a site: check that the matrix uses "
                         "the zone codes as origins and the site ids as destinations")
    out[zi[ok], si[ok]] = pairs["minutes"].to_numpy(dtype=float)[ok]
    return out
