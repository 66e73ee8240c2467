"""One travel-time provider for every calculation of an evaluation.

The region and the assumptions choose how minutes are measured (``travel_method``): straight
line x circuity / speed, or least-cost minutes over the region's friction raster. The raster
stands for one mode, the travel mode of the threshold (``travel_mode``); the other modes of the
older-access table have no raster and are measured in straight lines. Capacity in the wrong
place, minutes to the nearest surgery, older and rural access, the accessibility index and the
site finder all ask this one object, so no figure uses a different measure from the others, and
``describe`` says which measure each mode used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from estates.access.travel import (
    minutes_per_metre,
    raster_travel_times_per_site,
    straight_line,
)
from estates.assumptions import Assumptions
from estates.errors import InputError


@dataclass(frozen=True)
class TravelProvider:
    """Travel minutes between points (frames with ``x``, ``y`` in BNG metres, unique ids)."""

    method: str
    assumptions: Assumptions
    friction: Path | None = None
    friction_unit: str = "minutes per metre"

    @classmethod
    def for_region(cls, region: Any, assumptions: Assumptions) -> TravelProvider:
        a = assumptions
        if a.travel_method == "raster" and region.friction_raster is None:
            raise InputError("the travel method 'raster' needs a friction raster in the region "
                             "([friction_raster] in region.toml); choose 'straight_line'")
        return cls(a.travel_method, a, region.friction_raster, region.friction_unit)

    def method_for(self, mode: str | None = None) -> str:
        """The method that measures ``mode`` (default: the travel mode of the threshold)."""
        mode = mode or self.assumptions.travel_mode
        return self.method if mode == self.assumptions.travel_mode else "straight_line"

    def pairs(self, origins: pd.DataFrame, destinations: pd.DataFrame, *, max_minutes: float,
              mode: str | None = None) -> pd.DataFrame:
        """Columns ``origin, destination, minutes`` for the pairs within ``max_minutes``."""
        mode = mode or self.assumptions.travel_mode
        if self.method_for(mode) == "raster":
            assert self.friction is not None  # checked in for_region
            return raster_travel_times_per_site(
                origins[["x", "y"]], destinations[["x", "y"]], max_minutes=max_minutes,
                friction=self.friction, friction_unit=self.friction_unit)
        return straight_line(origins[["x", "y"]], destinations[["x", "y"]],
                             max_minutes=max_minutes, mode=mode, assumptions=self.assumptions)

    def nearest(self, origins: pd.DataFrame, destinations: pd.DataFrame, *,
                max_minutes: float, mode: str | None = None) -> pd.DataFrame:
        """Each origin's nearest destination: columns ``minutes`` and ``site`` (its id).

        Straight lines measure every origin (a KD-tree finds the nearest at any distance); the
        raster searches only up to ``max_minutes`` and gives NaN beyond it ("further than").
        The older walker has nothing in reach beyond ``max_older_walk_km`` walked (NaN).
        """
        mode = mode or self.assumptions.travel_mode
        out = pd.DataFrame({"minutes": np.nan, "site": None}, index=origins.index)
        out["site"] = out["site"].astype(object)
        if len(destinations) == 0 or len(origins) == 0:
            out["minutes"] = np.inf if len(destinations) == 0 else np.nan
            return out
        if self.method_for(mode) == "straight_line":
            dist, pos = cKDTree(destinations[["x", "y"]].to_numpy(dtype=float)).query(
                origins[["x", "y"]].to_numpy(dtype=float))
            minutes = dist * minutes_per_metre(mode, self.assumptions)
            site = destinations.index.to_numpy()[pos]
            if mode == "older_walk":
                limit = self.assumptions.max_older_walk_km * 1000.0 / self.assumptions.circuity
                beyond = dist > limit * (1 + 1e-12)
                minutes = np.where(beyond, np.nan, minutes)
                site = np.where(beyond, None, site)
            out["minutes"], out["site"] = minutes, site
            return out
        found = self.pairs(origins, destinations, max_minutes=max_minutes, mode=mode)
        found = found.assign(origin=found["origin"].astype(object),
                             destination=found["destination"].astype(object))
        if len(found):
            best = found.sort_values(["origin", "minutes"], kind="stable").drop_duplicates(
                "origin").set_index("origin")
            out["minutes"] = best["minutes"].reindex(out.index).astype(float)
            out["site"] = best["destination"].reindex(out.index)
        return out

    def nearest_minutes(self, origins: pd.DataFrame, destinations: pd.DataFrame, *,
                        max_minutes: float, mode: str | None = None) -> pd.Series:
        """Minutes from each origin to its nearest destination (see ``nearest``)."""
        return self.nearest(origins, destinations, max_minutes=max_minutes,
                            mode=mode)["minutes"]

    def describe(self, mode: str | None = None) -> str:
        """Plain words for the measure used for ``mode``."""
        mode = mode or self.assumptions.travel_mode
        label = mode.replace("_", " ")
        if self.method_for(mode) == "raster":
            name = self.friction.name if self.friction is not None else "the friction raster"
            return f"least-cost minutes over the friction raster {name} ({label})"
        a = self.assumptions
        return (f"straight line x {a.circuity:g} circuity at {a.speed_kmh(mode):g} km/h "
                f"({label})")

    def summary(self, modes: tuple[str, ...]) -> dict[str, str]:
        """Each mode's measure, for summary.json and the report."""
        return {m: self.describe(m) for m in modes}
