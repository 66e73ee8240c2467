"""Demand by year: the current list, need-weighted by age, plus residents of new homes.

Homes completed in financial year Y count towards demand in year Y; homes completed before the
base year are assumed to be registered already. Background growth compounds on the base list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from estates.assumptions import Assumptions
from estates.model import AGE_BANDS, Growth


def years(assumptions: Assumptions) -> list[int]:
    """Financial years from the base year to the horizon year, inclusive."""
    return list(range(assumptions.base_year, assumptions.horizon_year + 1))


def growth_factor(assumptions: Assumptions) -> np.ndarray:
    """Background list growth multiplier for each year (1.0 in the base year)."""
    steps = np.arange(len(years(assumptions)), dtype=float)
    return (1.0 + assumptions.background_growth_pct / 100.0) ** steps


def list_by_band(
    practices: pd.DataFrame, zones: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Registered patients by age band for each main practice.

    Where a practice's ``list_<band>`` columns are missing, its ``list_size`` is split by the
    region's zone age profile (or, with no zones, counted in the 15-44 band, whose default need
    weight is that of every band), so that need weights apply to every practice.
    """
    mains = practices[practices["site_kind"] == "main"]
    cols = [f"list_{b}" for b in AGE_BANDS]
    bands = mains.reindex(columns=cols).astype(float)
    known = bands.notna().all(axis=1)
    if zones is not None and len(zones):
        pops = zones[[f"pop_{b}" for b in AGE_BANDS]].astype(float).sum()
        profile = (pops / pops.sum()).to_numpy() if pops.sum() > 0 else None
    else:
        profile = None
    if profile is None:
        profile = np.array([1.0 if b == "15_44" else 0.0 for b in AGE_BANDS])
    fill = np.outer(mains["list_size"].astype(float).to_numpy(), profile)
    out = np.where(known.to_numpy()[:, None], bands.to_numpy(), fill)
    return pd.DataFrame(out, index=mains.index, columns=list(AGE_BANDS))


def need_weights(
    practices: pd.DataFrame, assumptions: Assumptions, zones: pd.DataFrame | None = None
) -> np.ndarray:
    """The need weights scaled so the region's weighted list at the base year equals its list.

    Weights say how much more an older (or very young) patient needs than another; they move
    demand between practices, not the region's total, so weighted demand stays comparable with
    capacity, which is counted in unweighted patients (issue 11 item 3).
    """
    w = np.asarray(assumptions.need_weights, dtype=float)
    bands = list_by_band(practices, zones).to_numpy(dtype=float)
    registered, weighted = bands.sum(), float((bands @ w).sum())
    if not (weighted > 0 and registered > 0) and zones is not None and len(zones):
        # No registered list to scale on (no practices): the residents' ages stand in for it.
        pops = zones[[f"pop_{b}" for b in AGE_BANDS]].to_numpy(dtype=float).sum(axis=0)
        registered, weighted = float(pops.sum()), float(pops @ w)
    return w * (registered / weighted) if weighted > 0 and registered > 0 else w


def weighted_base_list(
    practices: pd.DataFrame, assumptions: Assumptions, zones: pd.DataFrame | None = None,
    weights: np.ndarray | None = None,
) -> pd.Series:
    """Need-weighted base list of each main practice, in weighted patients.

    ``weights`` default to ``need_weights`` (normalised on these practices).
    """
    w = need_weights(practices, assumptions, zones) if weights is None else weights
    bands = list_by_band(practices, zones)
    return (bands * w).sum(axis=1).rename("base_demand")


@dataclass(frozen=True)
class HousingDemand:
    """New patients from housing sites, per site and year.

    ``patients_by_band`` has shape (sites, years, bands); ``weighted`` (sites x years) is
    need-weighted; ``residents`` (sites x years) is before registration and weights.
    """

    site_refs: pd.Index
    years: list[int]
    residents: pd.DataFrame
    patients_by_band: np.ndarray
    weighted: pd.DataFrame

    @property
    def patients(self) -> pd.DataFrame:
        return pd.DataFrame(self.patients_by_band.sum(axis=2), index=self.site_refs,
                            columns=self.years)


def housing_demand(growth: Growth, assumptions: Assumptions,
                   weights: np.ndarray | None = None) -> HousingDemand:
    """Residents, patients by age band and weighted patients of each site in each year.

    ``weights``: the normalised need weights (``need_weights``) so that a new resident weighs
    what a registered patient of the same age does; default the raw assumption.
    """
    a = assumptions
    yrs = years(a)
    sites = growth.sites
    completed = growth.completions(yrs).to_numpy(dtype=float).cumsum(axis=1)
    types = sites["housing_type"].astype(str).to_numpy()
    occupancy = np.array([a.occupancy(t) for t in types], dtype=float)
    profiles = np.array([a.age_profile(t) for t in types], dtype=float).reshape(len(types),
                                                                                 len(AGE_BANDS))
    residents = completed * occupancy[:, None]
    by_band = residents[:, :, None] * a.registration_rate * profiles[:, None, :]
    weighted = by_band @ np.asarray(a.need_weights if weights is None else weights, dtype=float)
    index = sites.index
    return HousingDemand(
        site_refs=index,
        years=yrs,
        residents=pd.DataFrame(residents, index=index, columns=yrs),
        patients_by_band=by_band,
        weighted=pd.DataFrame(weighted, index=index, columns=yrs),
    )
